"""Choosing the regularisation and the two verdict thresholds from out-of-fold scores.

Used by `train()` on the training data only: each candidate is judged on folds it was not fitted
on, and folds are grouped by normalised text so a comment posted twice cannot sit on both sides
(the YouTube corpus repeats ~150 texts). The targets come from the "Leave a Reply" issue: spam
precision >= 0.97 with recall >= 0.93, without flagging real readers — so the "spam" threshold
is set for a stricter out-of-fold precision (0.985) to leave margin for unseen data, and the
"hold" band is widened only while it stays within a budget of readers' comments held.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold

from .base import Thresholds

PRECISION_TARGET = 0.985  # for "spam" verdicts, out of fold
SPAM_FPR_BUDGET = 0.01  # at most 1 % of readers' comments may be called spam, out of fold
RECALL_TARGET = 0.97  # share of spam to catch with "spam" or "hold"
HOLD_HAM_BUDGET = 0.06  # at most 6 % of readers' comments may wait for a moderator
C_GRID = (3.0, 10.0, 30.0, 100.0)
MIN_PER_CLASS = 10  # below this, out-of-fold figures are noise: keep the defaults
_GRID = np.round(np.arange(0.02, 0.991, 0.01), 2)


@dataclass(frozen=True)
class Rates:
    precision: float
    recall: float
    fpr: float


def rates(scores: np.ndarray, y: np.ndarray, w: np.ndarray, threshold: float) -> Rates:
    """Weighted precision, recall and false-positive rate of `score >= threshold`."""
    flagged = scores >= threshold
    tp = w[flagged & y].sum()
    fp = w[flagged & ~y].sum()
    spam, ham = w[y].sum(), w[~y].sum()
    return Rates(
        precision=float(tp / (tp + fp)) if tp + fp else 1.0,
        recall=float(tp / spam) if spam else 0.0,
        fpr=float(fp / ham) if ham else 0.0,
    )


@dataclass(frozen=True)
class OperatingRule:
    """How the two thresholds are read off out-of-fold scores (the defaults above)."""

    precision: float = PRECISION_TARGET
    spam_fpr: float = SPAM_FPR_BUDGET
    recall: float = RECALL_TARGET
    hold_ham: float = HOLD_HAM_BUDGET
    hold_floor: float = 0.10  # the "hold" threshold never goes below this


def choose_thresholds(
    scores: np.ndarray, y: np.ndarray, w: np.ndarray, rule: OperatingRule = OperatingRule()
) -> Thresholds:
    """Lowest "spam" cut meeting the precision and FPR targets; "hold" as low as budgets allow."""
    spam_at = 0.99
    for t in _GRID[_GRID >= 0.5]:
        r = rates(scores, y, w, t)
        if r.precision >= rule.precision and r.fpr <= rule.spam_fpr:
            spam_at = float(t)
            break
    hold_at = spam_at
    for t in _GRID[(_GRID <= spam_at) & (_GRID >= rule.hold_floor)][::-1]:
        r = rates(scores, y, w, t)
        if r.fpr > rule.hold_ham:
            break
        hold_at = float(t)
        if r.recall >= rule.recall:
            break
    return Thresholds(spam=spam_at, hold=hold_at)


def folds(y: np.ndarray, groups: list[str], k: int = 5, seed: int = 0):
    """Stratified folds that keep identical texts together; fewer folds for tiny classes.

    Whole groups are dealt to folds stratified by their label (a text labelled both ways
    counts as spam). Cheaper than `StratifiedGroupKFold`'s search, which cost ~1 s per
    training on 1,500 comments, and just as good when nearly every group is one comment.
    """
    keys, inverse = np.unique(np.asarray(groups, dtype=object), return_inverse=True)
    group_spam = np.zeros(len(keys), dtype=bool)
    np.logical_or.at(group_spam, inverse, y)
    k = max(2, min(k, int(group_spam.sum()), int((~group_spam).sum())))
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    result = []
    for _, test_groups in splitter.split(np.zeros(len(keys)), group_spam):
        in_test = np.isin(inverse, test_groups)
        result.append((np.flatnonzero(~in_test), np.flatnonzero(in_test)))
    return result


def source_folds(groups: list[str]):
    """Leave-one-source-out folds: each source's comments scored by a model that never saw
    that source (issue 19: random folds over-estimated recall on comments from new sources)."""
    names = np.asarray(groups, dtype=object)
    return [(np.flatnonzero(names != g), np.flatnonzero(names == g)) for g in sorted(set(groups))]


def enough_to_tune(y: np.ndarray) -> bool:
    return int(y.sum()) >= MIN_PER_CLASS and int((~y).sum()) >= MIN_PER_CLASS


def pick_c(oof_by_c: dict[float, np.ndarray], y: np.ndarray, w: np.ndarray) -> float:
    """The C with the best out-of-fold probabilities (lowest weighted log loss).

    Not average precision: on the YouTube training part it crept up with C without end
    (0.9944 at C=3, 0.9956 at C=1000, differences within fold noise), while log loss has a
    clear optimum (C=10) — and the score is shown to moderators as a probability.
    """

    def loss(c: float) -> float:
        return log_loss(y, np.clip(oof_by_c[c], 1e-6, 1 - 1e-6), sample_weight=w, labels=[0, 1])

    return min(sorted(oof_by_c), key=loss)
