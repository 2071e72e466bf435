"""How the filter is measured: the split, the plain baseline, and the figures reported.

Shared by `bench/spam_quality.py` and the shared-data test so both judge the same way. Not used
on the request path.

- Splits are stratified by label and grouped by normalised text: the YouTube corpus repeats
  ~150 comment texts (copy-pasted spam), and a copy in the test part of a text seen in training
  would flatter every model.
- "spam" figures score the binary decision `verdict == "spam"` against the label; "flagged"
  figures count "hold" as flagged too (what a reader whose comment waits would notice).
- The baseline is deliberately plain: scikit-learn's default `TfidfVectorizer` and
  `LogisticRegression` on the raw body, spam at probability >= 0.5, no hold band.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold

from .base import SpamFilter, Thresholds
from .text import CommentText

SEED = 20251126


def text_groups(comments: Sequence[CommentText]) -> list[str]:
    return [" ".join(str(c.body).lower().split()) for c in comments]


def holdout_split(
    y: np.ndarray, groups: list[str], seed: int = SEED
) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) indices: 7 of 10 grouped stratified folds to train, 3 to test (~70/30)."""
    splitter = StratifiedGroupKFold(n_splits=10, shuffle=True, random_state=seed)
    tenths = [test for _, test in splitter.split(np.zeros(len(y)), y, groups)]
    test = np.sort(np.concatenate(tenths[:3]))
    return np.setdiff1d(np.arange(len(y)), test), test


def cv_splits(y: np.ndarray, groups: list[str], k: int = 5, seed: int = SEED):
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y)), y, groups))


@dataclass(frozen=True)
class Figures:
    precision: float
    recall: float
    f1: float
    ham_fpr: float
    flagged_precision: float
    flagged_recall: float
    flagged_f1: float
    flagged_ham_fpr: float
    hold_share: float  # of all comments
    ham_held: float  # of readers' comments, held for a moderator (not called spam)
    spam_threshold: float
    hold_threshold: float
    n: int

    def as_dict(self) -> dict:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


def _prf(flagged: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    tp = int((flagged & y).sum())
    fp = int((flagged & ~y).sum())
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / int(y.sum()) if y.any() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    fpr = fp / int((~y).sum()) if (~y).any() else 0.0
    return precision, recall, f1, fpr


def figures(scores: Sequence[float], y: np.ndarray, thresholds: Thresholds) -> Figures:
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(y, dtype=bool)
    spam = s >= thresholds.spam
    flagged = s >= thresholds.hold
    held = flagged & ~spam
    p, r, f, fpr = _prf(spam, y)
    fp_, fr_, ff_, ffpr = _prf(flagged, y)
    return Figures(
        precision=p, recall=r, f1=f, ham_fpr=fpr,
        flagged_precision=fp_, flagged_recall=fr_, flagged_f1=ff_, flagged_ham_fpr=ffpr,
        hold_share=float(held.mean()) if len(s) else 0.0,
        ham_held=float((held & ~y).sum() / max(1, int((~y).sum()))),
        spam_threshold=thresholds.spam, hold_threshold=thresholds.hold, n=len(s),
    )  # fmt: skip


class PlainBaseline(SpamFilter):
    """Default TF-IDF + logistic regression on the raw body; spam at 0.5, no hold band."""

    name = "baseline"
    thresholds = Thresholds(spam=0.5, hold=0.5)

    def __init__(self, examples: Sequence[tuple[CommentText, bool]]):
        self.vectorizer = TfidfVectorizer()
        self.classifier = LogisticRegression(max_iter=1000)
        bodies = [c.body for c, _ in examples]
        self.classifier.fit(self.vectorizer.fit_transform(bodies), [s for _, s in examples])

    def score_many(self, comments: Sequence[CommentText]) -> list[float]:
        x = self.vectorizer.transform([c.body for c in comments])
        return [float(p) for p in self.classifier.predict_proba(x)[:, 1]]


def evaluate(engine: SpamFilter, comments: Sequence[CommentText], y: np.ndarray) -> Figures:
    return figures(engine.score_many(list(comments)), y, engine.thresholds)
