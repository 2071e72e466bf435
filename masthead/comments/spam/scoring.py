"""A trained filter as the comment form uses it: `SpamModel`, scored in pure Python.

Owns the learned model's state (which hash buckets it knows, their IDF and coefficient, the hand
features' scaling, the intercept, thresholds) and how a comment is scored with it. Scoring needs
no NumPy, SciPy or scikit-learn: importing those made a worker that scored one comment grow by
some 120 MB (issue 7; docs/spam.md, "Scoring without scikit-learn"). Training (`model.py`) still
uses them and hands its arrays to `SpamModel`; a model loaded by `storage.load_model` holds
`array.array`s instead. Both score through the same code below.

The arithmetic is the one training assumed (`features.TfidfBlock.transform`, `model._design`):
for each n-gram block, counts of the buckets seen in training, `(1 + log tf) * idf`, the row
L2-normalised, dotted with the coefficients; plus standardised hand features times
`HAND_SCALE`; plus the intercept; a logistic of that clipped to +-40. It agrees with the
scikit-learn path to ~1e-15 (tested to 1e-9): only the order of floating-point sums differs.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field

from .base import SpamFilter, Thresholds
from .cues import HAND_FEATURES, hand_features
from .hashing import CHAR, WORD, Hasher
from .text import CommentText, Prepared, prepare

# Hand features enter the regression scaled down: standardised values are ~1 while a TF-IDF
# row's entries are ~0.1. Grouped CV on the YouTube training part: recall at 0.985 precision
# 0.92 without hand features, 0.94-0.95 at scale 0.25-0.5, 0.93-0.94 at 1.0.
HAND_SCALE = 0.5
_CLIP = 40.0  # exp(40) is far from overflow; a score of 1 - 4e-18 is "spam" all the same


@dataclass(eq=False)
class TfidfColumns:
    """The hash buckets seen in training (`columns`, sorted) and the IDF of each."""

    columns: Sequence[int]
    idf: Sequence[float]


@dataclass(eq=False)
class Standardiser:
    """Training mean and spread of each hand feature."""

    mean: Sequence[float]
    scale: Sequence[float]


def _packed(typecode: str, values: Sequence) -> array:
    # A loaded model already holds arrays: share them. A freshly trained one holds NumPy
    # arrays, copied once into compact arrays (8 bytes a value, no per-value objects).
    if isinstance(values, array) and values.typecode == typecode:
        return values
    if typecode == "q":
        return array(typecode, (int(v) for v in values))
    return array(typecode, (float(v) for v in values))


class _Block:
    """One n-gram block ready for scoring: bucket lookup by binary search in sorted columns."""

    def __init__(self, hasher: Hasher, weights: TfidfColumns, coef: Sequence[float]):
        self.hasher = hasher
        self.columns = _packed("q", weights.columns)
        self.idf = _packed("d", weights.idf)
        self.coef = _packed("d", coef)

    def dot(self, text: str) -> float:
        """This block's share of the decision value for one text."""
        columns, idf, coef, n = self.columns, self.idf, self.coef, len(self.columns)
        squares = 0.0
        total = 0.0
        for b, count in self.hasher.counts(text).items():
            i = bisect_left(columns, b)
            if i < n and columns[i] == b:
                value = (1.0 + math.log(count)) * idf[i]  # sublinear tf: see features.py
                squares += value * value
                total += value * coef[i]
        # An all-zero row stays zero, as TfidfBlock.transform's norm of 1 for empty rows.
        return total / math.sqrt(squares) if squares else 0.0


@dataclass(eq=False)  # arrays have no single truth value; identity is the useful equality
class SpamModel(SpamFilter):
    """A trained filter: plain arrays and a few numbers (see `storage.py` for the format)."""

    words: TfidfColumns
    chars: TfidfColumns
    hand: Standardiser
    coef_words: Sequence[float]
    coef_chars: Sequence[float]
    coef_hand: Sequence[float]
    intercept: float
    thresholds: Thresholds = field(default_factory=Thresholds)
    info: dict = field(default_factory=dict)  # when/what it was trained on, for the newsroom

    name = "model"

    def __post_init__(self) -> None:
        self._words = _Block(WORD, self.words, self.coef_words)
        self._chars = _Block(CHAR, self.chars, self.coef_chars)
        hand = zip(self.hand.mean, self.hand.scale, self.coef_hand, strict=True)
        self._hand = [(float(m), float(s), float(c)) for m, s, c in hand]
        if len(self._hand) != len(HAND_FEATURES):
            raise ValueError(f"a model needs {len(HAND_FEATURES)} hand-feature weights")

    def decision(self, p: Prepared) -> float:
        """The regression's decision value (log-odds of spam) for one prepared comment."""
        z = self._words.dot(p.text) + self._chars.dot(p.text)
        hand = 0.0
        for value, (mean, scale, coef) in zip(hand_features(p), self._hand, strict=True):
            hand += (value - mean) / scale * HAND_SCALE * coef
        return z + hand + float(self.intercept)

    def score_many(self, comments: Sequence[CommentText]) -> list[float]:
        scores = []
        for comment in comments:
            z = max(min(self.decision(prepare(comment)), _CLIP), -_CLIP)
            scores.append(1.0 / (1.0 + math.exp(-z)))
        return scores
