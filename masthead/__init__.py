"""Masthead: a self-hosted news publishing platform.

The Django project package. Apps, one per capability (see STYLE.md): `core`, `articles`,
`media`, `comments`, `recommendations`, `search`, `feeds`, `importers`, `newsroom`, `api`,
`pagecache`, `demo`. The `masthead` command is `masthead.cli:main`.
"""

__version__ = "0.1.0"
