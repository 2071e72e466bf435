"""Comment spam filter: a local learned classifier, no cloud service ("Leave a Reply", 4 and 9).

Public API (everything else is internal):
- `CommentText(body, author="", url="")` — the filter's input; any values, never raises.
- `train(examples, *, weights=None, tune=True, sources=None, rule=None) -> SpamModel` —
  (CommentText, is_spam) pairs; `sources` folds the tuning by source, `rule` (an
  `tuning.OperatingRule`) says how the thresholds are read off out-of-fold scores.
- `retrain(base_examples, site_decisions, *, site_weight=3.0) -> SpamModel` — base corpus plus
  the site's own approve/spam decisions, which weigh more and override identical base texts.
- `SpamModel.score(c)`, `.classify(c) -> Classification(score, verdict)`;
  `dump_model(model) -> bytes` and `load_model(data) -> SpamModel` (raises `SpamModelError`
  on a damaged or foreign model).
- `rules_only_score(c)` / `RulesFilter()` — the fallback before any model is trained.
- `verdict(score, thresholds) -> "spam" | "hold" | "ham"`, `Thresholds(spam, hold)`.
- `load_filter(data: bytes | None) -> SpamFilter` — the stored model, or rules when there is
  none or it cannot be loaded. Loading and scoring import no NumPy, SciPy or scikit-learn;
  only `train`/`retrain` (and `dump_model`) do.
- `read_labelled(lines)`, `read_unlabelled(lines)` — the `comments train`/`classify` format.
How it works and how well: docs/spam.md.
"""

from __future__ import annotations

import importlib

from .base import (
    VERDICTS,
    Classification,
    SpamFilter,
    SpamModelError,
    Thresholds,
    Verdict,
    verdict,
)
from .corpus import LabelledDataError, read_labelled, read_unlabelled
from .text import CommentText

# Training needs NumPy, SciPy and scikit-learn: some 110 MB of every process that imports them
# (docs/performance.md, "Memory"). Readers never need them, and scoring a comment (the rules, or
# a stored model: `scoring.py`, `storage.py`) needs none of them either (docs/spam.md, "Scoring
# without scikit-learn"); so `train`/`retrain` import them on first use, and the light modules
# are imported when first asked for, like the rest of the filter.
_LAZY = {
    "SITE_WEIGHT": ".model", "retrain": ".model", "train": ".model",
    "SpamModel": ".scoring", "dump_model": ".storage", "load_model": ".storage",
    "RulesFilter": ".rules", "rules_only_score": ".rules",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "SITE_WEIGHT",
    "VERDICTS",
    "Classification",
    "CommentText",
    "LabelledDataError",
    "RulesFilter",
    "SpamFilter",
    "SpamModel",
    "SpamModelError",
    "Thresholds",
    "Verdict",
    "dump_model",
    "load_filter",
    "load_model",
    "read_labelled",
    "read_unlabelled",
    "retrain",
    "rules_only_score",
    "train",
    "verdict",
]


def load_filter(data: bytes | None) -> SpamFilter:
    """The engine the comment form should use: the stored model if it loads, else rules.

    A model that fails to load (e.g. written by an older filter version) is not an error for
    readers posting comments: they get the rules filter and moderators get a retrain prompt
    via `load_model` raising in the newsroom's own check.
    """
    from .rules import RulesFilter
    from .storage import load_model  # not .model: scoring must not import scikit-learn

    if not data:
        return RulesFilter()
    try:
        return load_model(data)
    except SpamModelError:
        return RulesFilter()
