"""The n-gram hashing of the spam filter's text features, in pure Python.

Owns the one definition of the two hashed n-gram spaces (`WORD` and `CHAR`) and a scorer-side
implementation of them that needs no scikit-learn, SciPy or NumPy, so a server worker that
scores comments stays light (issue 7, docs/performance.md "Memory"; docs/spam.md).

Training still hashes with scikit-learn's `HashingVectorizer`, built from these same settings in
`features.py`, so the two must agree bucket for bucket; `tests/test_spam_scoring.py` checks
they do. What is reproduced here (scikit-learn 1.9, `feature_extraction/text.py` and
`_hashing_fast.pyx`):
- preprocessing: `str.lower()` of the whole text, no accent stripping;
- word analyzer: `re.findall(token_pattern)`, then unigrams followed by space-joined bigrams;
- char_wb analyzer: runs of 2+ white-space characters become one space, then each
  `str.split()` word padded with one space either side yields its n-grams for each n, a word
  shorter than n counted once (`_char_wb_ngrams`);
- each n-gram's UTF-8 bytes hashed with MurmurHash3 x86_32, seed 0, read as a signed 32-bit
  integer; bucket `abs(h) % n_features`. scikit-learn special-cases h == -2**31 (where C's
  `abs` overflows) to the value Python's unbounded `abs` gives anyway;
- values are counts (`alternate_sign=False`, `norm=None`).
"""

from __future__ import annotations

import re
import struct
from collections import Counter
from dataclasses import dataclass

HASH_BITS = 20  # 1M buckets: collisions are rare at the ~100k distinct n-grams a site sees
N_FEATURES = 2**HASH_BITS
# scikit-learn's default token pattern needs 2+ characters; this one keeps "u", "i".
TOKEN_PATTERN = r"(?u)\b\w+\b"  # noqa: S105 — a regex, not a password

_MASK = 0xFFFFFFFF
_C1 = 0xCC9E2D51
_C2 = 0x1B873593
# Readers of n 4-byte little-endian blocks, made once: building a format per call cost ~10 %.
_BLOCKS = [struct.Struct(f"<{n}I") for n in range(64)]


def murmurhash3_32(data: bytes, seed: int = 0) -> int:
    """MurmurHash3 x86_32 of `data` (Austin Appleby's public-domain design), as a signed int.

    Blocks are read little-endian, as the reference code does on x86 and as scikit-learn's
    wheels compute it.
    """
    length = len(data)
    h = seed & _MASK
    nblocks = length // 4
    blocks = _BLOCKS[nblocks] if nblocks < len(_BLOCKS) else struct.Struct(f"<{nblocks}I")
    for k in blocks.unpack_from(data):
        k = (k * _C1) & _MASK
        k = ((k << 15) | (k >> 17)) & _MASK
        h ^= (k * _C2) & _MASK
        h = ((h << 13) | (h >> 19)) & _MASK
        h = (h * 5 + 0xE6546B64) & _MASK
    tail = data[nblocks * 4 :]
    if tail:
        k = int.from_bytes(tail, "little")
        k = (k * _C1) & _MASK
        k = ((k << 15) | (k >> 17)) & _MASK
        h ^= (k * _C2) & _MASK
    h ^= length
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK
    h ^= h >> 16
    return h - 0x100000000 if h & 0x80000000 else h


def bucket_of_hash(h: int, n_features: int = N_FEATURES) -> int:
    """The bucket of a signed 32-bit hash, as `FeatureHasher` computes it.

    For h == -2**31 scikit-learn uses `(2**31 - 1 - (n_features - 1)) % n_features`, its way of
    writing `2**31 % n_features` without overflowing C's `abs`; Python's `abs` is that already.
    """
    return abs(h) % n_features


_TOKEN = re.compile(TOKEN_PATTERN)
_WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's `_VectorizerMixin._white_spaces`


def word_ngrams(text: str, ngram_range: tuple[int, int] = (1, 2)) -> list[str]:
    """The word analyzer's n-grams, in scikit-learn's order (`_word_ngrams`)."""
    tokens = _TOKEN.findall(text.lower())
    min_n, max_n = ngram_range
    out = list(tokens) if min_n == 1 else []
    for n in range(max(min_n, 2), min(max_n, len(tokens)) + 1):
        out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return out


def char_wb_ngrams(text: str, ngram_range: tuple[int, int] = (2, 5)) -> list[str]:
    """The char_wb analyzer's n-grams, in scikit-learn's order (`_char_wb_ngrams`)."""
    min_n, max_n = ngram_range
    out: list[str] = []
    append = out.append
    for word in _WHITE_SPACES.sub(" ", text.lower()).split():
        w = f" {word} "
        w_len = len(w)
        for n in range(min_n, max_n + 1):
            offset = 0
            append(w[:n])
            while offset + n < w_len:
                offset += 1
                append(w[offset : offset + n])
            if offset == 0:  # the padded word is no longer than n: it was counted once
                break
    return out


@dataclass(frozen=True)
class Hasher:
    """One hashed n-gram space: which analyzer, which n, how many buckets."""

    analyzer: str  # "word" | "char_wb"
    ngram_range: tuple[int, int]
    n_features: int = N_FEATURES

    def __post_init__(self) -> None:
        if self.analyzer not in ("word", "char_wb"):
            raise ValueError(f"unknown analyzer {self.analyzer!r}")

    def ngrams(self, text: str) -> list[str]:
        if self.analyzer == "word":
            return word_ngrams(text, self.ngram_range)
        return char_wb_ngrams(text, self.ngram_range)

    def counts(self, text: str) -> dict[int, int]:
        """{bucket: count} of one text: a row of `HashingVectorizer.transform`."""
        out: dict[int, int] = {}
        n_features = self.n_features
        # Count n-grams before hashing: a hostile body repeats a few n-grams thousands of
        # times, and hashing in Python costs far more than counting.
        for ngram, count in Counter(self.ngrams(text)).items():
            # `bucket_of_hash` inlined: this loop is most of the time scoring takes.
            b = abs(murmurhash3_32(ngram.encode("utf-8"))) % n_features
            out[b] = out.get(b, 0) + count
        return out


WORD = Hasher("word", (1, 2))
CHAR = Hasher("char_wb", (2, 5))
