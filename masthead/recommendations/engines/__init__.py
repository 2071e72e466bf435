"""Related-articles engines: pure Python, no Django. ``LexicalEngine`` is the default.

Public names: ``Doc``, ``Related``, ``Explanation``, ``RelatedEngine`` (base class),
``LexicalEngine``, ``LexicalSettings``, ``get_engine(name)``; ``evaluation`` holds the offline
measures and baselines used by ``bench/related_quality.py``. Design, measurements and the
database integration plan: docs/recommendations.md.

Modules: ``base`` (contract), ``lexical`` (the engine), ``features`` (per-article features and
pair scores), ``text`` (tokens and tf-idf), ``topics`` (LSA), ``build`` (full-build candidates),
``lists`` (stored lists), ``store`` (growable row stores), ``spill`` (rows held on disk during
a fit), ``explain`` (why two are related).
"""

import importlib

from .base import DEFAULT_N, Doc, Explanation, Related, RelatedEngine

# The engine itself needs NumPy, SciPy and scikit-learn: about 110 MB in every process that
# imports them. A server process reading stored lists never does, so the engine is imported
# when first used (a publication, a rebuild), not when the app loads.
_LAZY = {"LexicalSettings": ".features", "LexicalEngine": ".lexical"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
        from .lexical import LexicalEngine

        return LexicalEngine()
    raise ValueError(f"unknown related-articles engine: {name!r}")
