"""Features of a prepared comment: hand-made spam cues, and TF-IDF over hashed n-grams.

Two kinds, kept apart because they age differently:
- `hand_features` — counts a moderator would name (links, "check out my channel", money talk,
  SHOUTING, digit soup, "!!!!!", HTML); they carry over to sites whose spam uses new words, and
  the rules-only filter reads them too.
- word 1–2-grams and character 2–5-grams, hashed (scikit-learn's stateless `HashingVectorizer`)
  and weighted by an IDF learned at training time (`TfidfBlock`). Hashing means the only learned
  state is a sparse IDF vector, so a model is plain arrays that load without pickle.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import groupby

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from .text import Prepared, looks_like_link

HASH_BITS = 20  # 1M buckets: collisions are rare at the ~100k distinct n-grams a site sees

WORD_HASHER = HashingVectorizer(
    analyzer="word",
    ngram_range=(1, 2),
    n_features=2**HASH_BITS,
    alternate_sign=False,
    norm=None,
    lowercase=True,
    token_pattern=r"(?u)\b\w+\b",  # noqa: S106 — a regex, not a password; keeps "u", "i"
)
CHAR_HASHER = HashingVectorizer(
    analyzer="char_wb",
    ngram_range=(2, 5),
    n_features=2**HASH_BITS,
    alternate_sign=False,
    norm=None,
    lowercase=True,
)

# English cues: the corpora we can measure on are English, other languages rely on n-grams.
_SELF_PROMO = re.compile(
    r"\b(?:my|our)\s+(?:new\s+|first\s+|own\s+)?(?:channel|videos?|vids?|music|songs?|page|"
    r"blog|website|site|rap|covers?|playlist|youtube|account|profile|band|tracks?|mixtape|"
    r"stream|app|shop|store)\b",
    re.IGNORECASE,
)
_CALL_TO_ACTION = re.compile(
    r"\b(?:check(?:ing)?\s+(?:it\s+|this\s+|me\s+|my\s+\w+\s+)?out|check\s+(?:my|this)|"
    r"subscri\w*|sub\s*(?:4|for)\s*sub|visit|click|follow\s+(?:me|us)|"
    r"like\s+(?:this|my|the)\s+(?:comment|video|page|post)|share\s+(?:this|my|it)|go\s+to\s+my|"
    r"please\s+(?:like|sub|check|watch|help|visit)|thumbs?\s+up|view\s+my|watch\s+my|"
    r"sign\s+up|join\s+(?:us|my|now)|look\s+at\s+(?:this|my)|help\s+me\s+(?:reach|get))\b",
    re.IGNORECASE,
)
_MONEY = re.compile(
    r"(?:\$\s?\d|\b\d+\s?(?:dollars|usd|bucks)\b|\b(?:money|earn(?:ing|s)?|cash|income|free|"
    r"win(?:ner)?|prize|gift\s*cards?|bitcoin|crypto|invest\w*|paypal|per\s+(?:day|week|month|"
    r"hour)|work(?:ing)?\s+from\s+home|loan|casino|viagra|discount)\b)",
    re.IGNORECASE,
)
_SOCIAL = re.compile(
    r"\b(?:facebook|twitter|instagram|soundcloud|youtube|tumblr|snapchat|tiktok|whatsapp|"
    r"telegram|zzhost\w*)\b",
    re.IGNORECASE,
)

HAND_FEATURES = (
    "links",
    "has_link",
    "obfuscated_links",
    "self_promo",
    "call_to_action",
    "money",
    "social",
    "caps_ratio",
    "digit_ratio",
    "max_run",
    "exclaims",
    "length",
    "words",
    "url_field",
    "tags",
    "entities",
    "invisible",
    "author_digits",
    "author_link",
)


def _longest_run(text: str) -> int:
    return max((sum(1 for _ in group) for _, group in groupby(text)), default=0)


def hand_features(p: Prepared) -> list[float]:
    """The HAND_FEATURES of one prepared comment, each already on a log or 0..1 scale."""
    text = p.text.replace("zzlink", " ").replace("zzhost", " ")
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    visible = [c for c in text if not c.isspace()]
    digits = sum(c.isdigit() for c in visible)
    # Shouting only means something over a sentence; "OK" or "LOL" alone is not 100 % caps spam.
    caps = upper / len(letters) if len(letters) >= 8 else 0.0
    author_digits = sum(c.isdigit() for c in p.author)
    author_link = any(looks_like_link(token) for token in p.author.split())
    return [
        math.log1p(len(p.urls)),
        float(bool(p.urls)),
        float(min(p.obfuscated_links, 3)),
        float(min(len(_SELF_PROMO.findall(p.text)), 3)),
        float(min(len(_CALL_TO_ACTION.findall(p.text)), 4)),
        float(min(len(_MONEY.findall(p.text)), 3)),
        float(min(len(_SOCIAL.findall(p.text)), 3)),
        caps,
        digits / len(visible) if visible else 0.0,
        math.log1p(max(_longest_run(text) - 2, 0)),
        math.log1p(text.count("!")),
        math.log1p(p.raw_length),
        math.log1p(len(text.split())),
        float(bool(p.url_field)),
        math.log1p(p.tag_count),
        math.log1p(p.entity_count),
        math.log1p(p.invisible_count),
        float(author_digits >= 3),
        float(author_link),
    ]


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


@dataclass
class TfidfBlock:
    """Sublinear TF-IDF restricted to the hash buckets seen in training (`columns`)."""

    columns: np.ndarray  # int64 bucket ids, sorted
    idf: np.ndarray  # float64, one per column

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


@dataclass
class HandScaler:
    """Standardises hand features with training mean and spread."""

    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, hand: np.ndarray) -> HandScaler:
        scale = hand.std(axis=0)
        scale[scale < 1e-6] = 1.0  # a feature constant in training (url_field on YouTube) stays 0
        return cls(mean=hand.mean(axis=0), scale=scale)

    def transform(self, hand: np.ndarray) -> np.ndarray:
        return (hand - self.mean) / self.scale
