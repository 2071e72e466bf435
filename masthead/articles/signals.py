"""Signals other apps react to (sent after the transaction commits).

- `article_published(article)`: an article became visible to readers.
- `article_changed(article, previous_paths)`: a visible article's content or metadata changed.
- `article_unpublished(article)`: an article stopped being visible.
- `taxonomy_changed(kind, obj)`: a section, tag or author changed (name, slug, description).
- `bulk_import_finished(article_ids)`: an import stored many articles with signals suspended.
"""

from django.dispatch import Signal

article_published = Signal()
article_changed = Signal()
article_unpublished = Signal()
taxonomy_changed = Signal()
bulk_import_finished = Signal()
