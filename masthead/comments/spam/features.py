"""Features of a prepared comment for TRAINING: hashed n-gram counts as SciPy matrices, TF-IDF.

Two kinds, kept apart because they age differently:
- `hand_features` (`cues.py`) — counts a moderator would name; they carry over to sites whose
  spam uses new words, and the rules-only filter reads them too.
- word 1–2-grams and character 2–5-grams, hashed (scikit-learn's stateless `HashingVectorizer`)
  and weighted by an IDF learned at training time (`TfidfBlock`). Hashing means the only learned
  state is a sparse IDF vector, so a model is plain arrays that load without pickle.

Scoring does not come here: `scoring.py` recomputes the same features in pure Python
(`hashing.py`), so the comment form never imports NumPy, SciPy or scikit-learn. The hashers
below are built from `hashing.WORD`/`hashing.CHAR`, the one definition of both n-gram spaces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from .cues import HAND_FEATURES, hand_features
from .hashing import CHAR, HASH_BITS, TOKEN_PATTERN, WORD
from .scoring import Standardiser, TfidfColumns
from .text import Prepared

__all__ = [
    "CHAR_HASHER", "HAND_FEATURES", "HASH_BITS", "WORD_HASHER", "HandScaler", "RawFeatures",
    "TfidfBlock", "hand_features",
]  # fmt: skip

WORD_HASHER = HashingVectorizer(
    analyzer=WORD.analyzer,
    ngram_range=WORD.ngram_range,
    n_features=WORD.n_features,
    alternate_sign=False,
    norm=None,
    lowercase=True,
    token_pattern=TOKEN_PATTERN,
)
CHAR_HASHER = HashingVectorizer(
    analyzer=CHAR.analyzer,
    ngram_range=CHAR.ngram_range,
    n_features=CHAR.n_features,
    alternate_sign=False,
    norm=None,
    lowercase=True,
)


@dataclass
class RawFeatures:
    """Stateless features of a batch: hashed n-gram counts and hand features, row-aligned."""

    words: sp.csr_matrix
    chars: sp.csr_matrix
    hand: np.ndarray

    @classmethod
    def of(cls, prepared: list[Prepared]) -> RawFeatures:
        texts = [p.text for p in prepared]
        hand = np.array([hand_features(p) for p in prepared], dtype=np.float64)
        hand = hand.reshape(len(prepared), len(HAND_FEATURES))
        return cls(
            words=WORD_HASHER.transform(texts).tocsr(),
            chars=CHAR_HASHER.transform(texts).tocsr(),
            hand=hand,
        )

    def rows(self, index: np.ndarray) -> RawFeatures:
        return RawFeatures(self.words[index], self.chars[index], self.hand[index])

    def __len__(self) -> int:
        return self.hand.shape[0]


class TfidfBlock(TfidfColumns):
    """Sublinear TF-IDF restricted to the hash buckets seen in training (`columns`).

    `columns` are int64 bucket ids, sorted; `idf` float64, one per column.
    """

    @classmethod
    def fit(cls, counts: sp.csr_matrix) -> TfidfBlock:
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        columns = np.flatnonzero(df)
        n = counts.shape[0]
        idf = np.log((1.0 + n) / (1.0 + df[columns])) + 1.0
        return cls(columns=columns.astype(np.int64), idf=idf.astype(np.float64))

    def transform(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        # Map bucket ids to column positions by binary search: slicing 2**20 columns costs
        # ~5 ms a call, which the comment form pays on every post.
        counts = sp.csr_matrix(counts)
        n = counts.shape[0]
        pos = np.searchsorted(self.columns, counts.indices)
        found = np.zeros(len(pos), dtype=bool)
        if len(self.columns):
            inside = pos < len(self.columns)
            found[inside] = self.columns[pos[inside]] == counts.indices[inside]
        rows = np.repeat(np.arange(n), np.diff(counts.indptr))
        x = sp.csr_matrix(
            (counts.data[found].astype(np.float64), (rows[found], pos[found])),
            shape=(n, len(self.columns)),
        )
        # log(1+tf): one comment saying "subscribe" five times is not five times the evidence.
        x.data = 1.0 + np.log(x.data)
        x = x @ sp.diags(self.idf)
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / norms) @ x)


class HandScaler(Standardiser):
    """Standardises hand features with training mean and spread (float64 arrays)."""

    @classmethod
    def fit(cls, hand: np.ndarray) -> HandScaler:
        scale = hand.std(axis=0)
        scale[scale < 1e-6] = 1.0  # a feature constant in training (url_field on YouTube) stays 0
        return cls(mean=hand.mean(axis=0), scale=scale)

    def transform(self, hand: np.ndarray) -> np.ndarray:
        return (hand - self.mean) / self.scale
