"""Related-articles engines: pure Python, no Django. ``LexicalEngine`` is the default.

Public names: ``Doc``, ``Related``, ``Explanation``, ``RelatedEngine`` (base class),
``LexicalEngine``, ``LexicalSettings``, ``get_engine(name)``; ``evaluation`` holds the offline
measures and baselines used by ``bench/related_quality.py``. Design, measurements and the
database integration plan: docs/recommendations.md.

Modules: ``base`` (contract), ``lexical`` (the engine), ``features`` (per-article features and
pair scores), ``text`` (tokens and tf-idf), ``topics`` (LSA), ``build`` (full-build candidates),
``lists`` (stored lists), ``store`` (growable row stores), ``explain`` (why two are related).
"""

from .base import DEFAULT_N, Doc, Explanation, Related, RelatedEngine
from .features import LexicalSettings
from .lexical import LexicalEngine

__all__ = [
    "DEFAULT_N",
    "Doc",
    "Explanation",
    "LexicalEngine",
    "LexicalSettings",
    "Related",
    "RelatedEngine",
    "get_engine",
]


def get_engine(name: str = "lexical") -> RelatedEngine:
    """A fresh engine by name (the setting the recommendations app will read)."""
    if name == "lexical":
        return LexicalEngine()
    raise ValueError(f"unknown related-articles engine: {name!r}")
