"""Text → weighted term vectors for the lexical related-articles engine.

Owns tokenisation (lower-cased words, English stop words, adjacent word pairs, the lead of the
body weighted above the rest), the vocabulary (growable after a fit so that a brand-new name in
breaking news can still match between new articles), document frequencies, and the tf-idf
weighting with per-document pruning.

Why not scikit-learn's ``TfidfVectorizer``: its bigram vocabulary is a Python dict of every pair
ever seen before ``min_df`` pruning, which at 100k articles is tens of millions of strings (several
GB). Here pairs are counted as int64 codes with ``numpy.unique`` and only pairs seen in at least two
articles are kept, so a 100k fit stays well under 2 GB, and the vocabulary can grow on upsert.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice, repeat

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from masthead.core import forked

from .spill import RowSpill, assemble

# Same tokens as scikit-learn's default ``\b\w\w+\b`` (maximal runs of two or more word
# characters) so figures compare, but about a third faster without the boundary checks.
_TOKEN = re.compile(r"\w\w+")
_STOP = frozenset(ENGLISH_STOP_WORDS)
_STOP_COL = -2  # stop words sit in the word dictionary with this marker column
_PAIR_SHIFT = np.int64(32)
_BATCH = 256  # articles in one worker's task when a fit tokenises in forked workers


@dataclass(frozen=True)
class TextSettings:
    """Weighting knobs; defaults are the cross-validated choice (docs/recommendations.md)."""

    # The headline is counted on top of the body, so its words (usually repeated in the body)
    # weigh more than body words; an extra x2 on headline tokens lost 0.25-0.5 points of
    # same-story precision on both cross-validation halves (docs/recommendations.md).
    title_weight: float = 1.0
    # The lead weighs more than the rest of the body (inverted pyramid: the first paragraph
    # names who, what and where; later paragraphs bring background that look-alike stories
    # share). A body word's count is multiplied by lead_weight at the first content word,
    # falling linearly to 1 at content word ``lead_terms`` (stop words are not counted).
    # Cross-validated: on the untuned half of both folds, same-story precision +0.8 points and
    # look-alike confusion -0.7 and -0.9 points (docs/recommendations.md). 1.0 turns it off.
    lead_weight: float = 4.0
    lead_terms: int = 100
    pairs: bool = True  # add adjacent word pairs ("red sox") as features
    min_pair_df: int = 2  # a pair must occur in this many articles at fit time to be kept
    pair_sample: int = 30_000  # pairs are counted in the first this many articles (memory)
    max_df: float = 0.5  # drop features in more than this share of articles
    keep_terms: int = 300  # keep each article's strongest terms only (denoises, bounds cost)
    bm25_k1: float = 0.0  # 0 = sublinear tf (1 + log tf); > 0 = BM25 saturation with this k1
    bm25_b: float = 0.3


class Vocabulary:
    """Column ids, names and document frequencies of words and word pairs.

    Words get a column the first time they are seen (also after a fit). Pairs get columns only at
    fit time, from pairs seen in ``min_pair_df`` articles; a pair first seen later is ignored until
    the next full fit (its two words still match), which keeps per-upsert growth small.
    """

    def __init__(self, settings: TextSettings) -> None:
        self.settings = settings
        self.word_col: dict[str, int] = dict.fromkeys(_STOP, _STOP_COL)
        self.names: list[str] = []  # column -> display name (words and pairs)
        self.pair_codes = np.zeros(0, dtype=np.int64)  # sorted codes of kept pairs
        self.pair_cols = np.zeros(0, dtype=np.int64)  # column of each code above
        self.df = np.zeros(0, dtype=np.int64)
        self.n_docs = 0

    # -- building -------------------------------------------------------------------------
    @property
    def n_cols(self) -> int:
        return len(self.names)

    def _looked_up(self, text: str) -> tuple[list[str], np.ndarray]:
        """The tokens of ``text`` and their columns (-1 = unknown, _STOP_COL = stop word)."""
        words = _TOKEN.findall(text.lower())
        # One C-level dict lookup per token (stop words map to _STOP_COL): this loop is the
        # bulk of a 100k fit, and map() over dict.get was 30 % faster than a filtered listcomp.
        return words, np.fromiter(map(self.word_col.get, words, repeat(-1)), np.int64,
                                  len(words))

    def column(self, word: str) -> int:
        """The word's column, given one now if it has none."""
        c = self.word_col.get(word)
        if c is None:
            c = self.word_col[word] = len(self.names)
            self.names.append(word)
        return c

    def _word_cols(self, text: str, grow: bool) -> np.ndarray:
        """Columns of the content words of ``text`` in order (-1 = unknown, when not growing)."""
        words, cols = self._looked_up(text)
        if grow:
            for i in np.flatnonzero(cols == -1).tolist():
                cols[i] = self.column(words[i])
        return cols[cols != _STOP_COL]

    def known_cols(self, text: str, unseen: dict[str, int], base: int) -> np.ndarray:
        """``_word_cols`` without growing: a word not in the vocabulary gets the stand-in
        column ``base + j``, j its rank among ``unseen`` (filled in order of first sight)."""
        words, cols = self._looked_up(text)
        for i in np.flatnonzero(cols == -1).tolist():
            cols[i] = unseen.setdefault(words[i], base + len(unseen))
        return cols[cols != _STOP_COL]

    def tokens(self, title: str, body: str, grow: bool) -> tuple[np.ndarray, np.ndarray, int]:
        """Word columns (-1 = unknown) and per-occurrence weights, title first; title length."""
        t = self._word_cols(title, grow)
        b = self._word_cols(body, grow)
        return np.concatenate([t, b]), self.weights(len(t), len(b)), len(t)

    def weights(self, n_title: int, n_body: int) -> np.ndarray:
        """Per-occurrence weights of a title of ``n_title`` and a body of ``n_body`` words."""
        s = self.settings
        body_w = np.ones(n_body)
        if s.lead_weight != 1.0 and s.lead_terms > 0:
            ramp = 1.0 - np.arange(min(n_body, s.lead_terms)) / s.lead_terms
            body_w[: len(ramp)] += (s.lead_weight - 1.0) * ramp
        return np.concatenate([np.full(n_title, s.title_weight), body_w])

    def pair_codes_of(self, words: np.ndarray, weights: np.ndarray, n_title: int):
        """Codes of adjacent pairs inside the title and inside the body (never across)."""
        parts_c, parts_w = [], []
        for lo, hi in ((0, n_title), (n_title, len(words))):
            w = words[lo:hi]
            if len(w) < 2:
                continue
            a, b = w[:-1], w[1:]
            ok = (a >= 0) & (b >= 0)
            parts_c.append((a[ok] << _PAIR_SHIFT) | b[ok])
            parts_w.append(weights[lo + 1 : hi][ok])
        if not parts_c:
            return np.zeros(0, np.int64), np.zeros(0)
        return np.concatenate(parts_c), np.concatenate(parts_w)

    def name(self, col: int) -> str:
        """Display name of a column: the word, or the two words of a pair."""
        name = self.names[col]
        if name or not len(self.pair_cols):
            return name
        code = int(self.pair_codes[col - int(self.pair_cols[0])])
        return f"{self.names[code >> 32]} {self.names[code & 0xFFFFFFFF]}"

    # -- document frequencies ---------------------------------------------------------------
    def grow_df(self) -> None:
        if len(self.df) < self.n_cols:
            extra = max(self.n_cols - len(self.df), len(self.df) // 2)
            self.df = np.concatenate([self.df, np.zeros(extra, dtype=np.int64)])

    def idf(self, cols: np.ndarray) -> np.ndarray:
        # Smoothed idf as in scikit-learn: a word first seen now (df 0) gets the highest weight.
        n = self.n_docs
        df = self.df[cols]
        idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        # max_df pruning: words in over half the articles say nothing about relatedness.
        idf[df > max(self.settings.max_df * n, 2)] = 0.0
        return idf


@dataclass
class Tokenised:
    """One article's features before weighting: columns and (weighted) term frequencies."""

    cols: np.ndarray
    tf: np.ndarray
    length: float


class Vectoriser:
    """Turns articles into L2-normalised, pruned tf-idf rows over a ``Vocabulary``."""

    def __init__(self, settings: TextSettings | None = None) -> None:
        self.settings = settings or TextSettings()
        self.vocab = Vocabulary(self.settings)
        self.avg_len = 1.0

    # -- fit ----------------------------------------------------------------------------------
    def fit_transform(self, texts: Iterable[tuple[str, str]], processes: int = 1) -> sp.csr_matrix:
        """Learn vocabulary and df from (title, body) pairs, read once; return their rows.

        Word pairs are kept when seen in ``min_pair_df`` of the first ``pair_sample`` articles
        (exact below that size). Counting every pair of 100k articles held ~30M mostly-singleton
        codes and pushed a fit past 3 GB; the first articles are buffered as token arrays until
        the pair vocabulary is known, so ``texts`` can be a database cursor read newest first
        (then the pairs are those of recent news). The articles after them are tokenised in
        ``processes`` forked workers when more than one (``_tokenised_rest``).
        """
        v, s = self.vocab, self.settings
        texts = iter(texts)
        buffered, toks = [], RowSpill()  # every article's counts, on disk until weighed
        for title, body in islice(texts, s.pair_sample):
            words, weights, n_title = v.tokens(title, body, grow=True)
            codes, _ = self._pairs(words, weights, n_title)
            # Only the words and each distinct pair are buffered; weights and the pairs in
            # order are recomputed from the words later. Buffering them too cost ~8 KB an
            # article, ~230 MB of a 100k fit's peak (30k articles buffered).
            buffered.append((words.astype(np.int32), n_title, np.unique(codes)))
        self._start_pairs(buffered, toks)
        for tok in self._tokenised_rest(texts, processes):
            _spill(toks, tok)
        v.df = np.zeros(v.n_cols, dtype=np.int64)
        total_len = 0.0
        for _, cols, _, lengths in toks.chunks():
            v.df += np.bincount(cols, minlength=v.n_cols)
            total_len += float(lengths.sum())
        v.n_docs = len(toks)
        self.avg_len = total_len / len(toks) if len(toks) else 1.0
        rows = (self.weigh_one(Tokenised(c, tf, n)) for c, tf, n in toks.rows())
        x = assemble(rows, v.n_cols)
        toks.close()
        return x

    def _tokenised_rest(self, texts: Iterator[tuple[str, str]], processes: int):
        """``Tokenised`` of each article after the pair sample, in order, new words added.

        The pair vocabulary is fixed by now, so a worker forked here can do all of an article's
        work with the vocabulary it inherited, except numbering the words it has never seen:
        it gives them stand-in columns from ``n_cols`` up and returns them by name, and this
        process numbers them in reading order, as one process would, then re-sorts the
        article's columns. A pair never involves such a word (pairs were counted in the sample,
        whose words all have columns below ``n_cols``), so the pair columns are the same."""
        v = self.vocab
        if processes <= 1:
            for title, body in texts:
                words, weights, n_title = v.tokens(title, body, grow=True)
                yield self._tokenised(words, weights, *self._pairs(words, weights, n_title))
            return
        base = v.n_cols  # stand-in columns start here
        batches = iter(lambda: list(islice(texts, _BATCH)), [])
        for batch in forked.ordered_map(_tokenise_batch, (self, base), batches, processes):
            for tok, unseen in batch:
                if unseen:
                    real = np.array([v.column(word) for word in unseen], np.int64)
                    cols = tok.cols.astype(np.int64)
                    new = cols >= base
                    cols[new] = real[cols[new] - base]
                    order = np.argsort(cols)
                    tok = Tokenised(cols[order].astype(np.int32), tok.tf[order], tok.length)
                yield tok

    def _start_pairs(self, buffered: list, toks: RowSpill) -> None:
        """Fix the pair vocabulary from the buffered articles, then turn them into ``toks``."""
        v = self.vocab
        parts = []
        for i, (words, n_title, uniq) in enumerate(buffered):
            parts.append(uniq)
            buffered[i] = (words, n_title, None)  # ``_recurring`` frees them as it goes
        v.pair_codes = _recurring(parts, self.settings.min_pair_df)
        v.pair_cols = np.arange(v.n_cols, v.n_cols + len(v.pair_codes), dtype=np.int64)
        v.names.extend([""] * len(v.pair_codes))  # named on demand by ``name``
        for i, (words, n_title, _) in enumerate(buffered):
            # As in the first pass: pairs from the float64 weights, words weighed in float32.
            weights = v.weights(n_title, len(words) - n_title)
            codes, cw = self._pairs(words.astype(np.int64), weights, n_title)
            _spill(toks, self._tokenised(words, weights.astype(np.float32), codes, cw))
            buffered[i] = None

    # -- incremental ------------------------------------------------------------------------------
    def tokenise(self, title: str, body: str, grow: bool) -> Tokenised:
        """Features of one article with the fitted vocabulary (new words added if ``grow``)."""
        v = self.vocab
        words, weights, n_title = v.tokens(title, body, grow=grow)
        codes, cw = self._pairs(words, weights, n_title)
        if grow:
            v.grow_df()
        return self._tokenised(words, weights, codes, cw)

    def _pairs(self, words, weights, n_title):
        if not self.settings.pairs:
            return np.zeros(0, np.int64), np.zeros(0)
        return self.vocab.pair_codes_of(words, weights, n_title)

    def _tokenised(self, words, weights, codes, cw) -> Tokenised:
        v = self.vocab
        ok = words >= 0
        words, weights = words[ok], weights[ok]
        if len(codes) and len(v.pair_codes):
            pos = np.searchsorted(v.pair_codes, codes)
            pos[pos >= len(v.pair_codes)] = 0
            hit = v.pair_codes[pos] == codes
            cols = np.concatenate([words, v.pair_cols[pos[hit]]])
            w = np.concatenate([weights, cw[hit]])
        else:
            cols, w = words, weights
        uniq, inv = np.unique(cols, return_inverse=True)
        tf = np.bincount(inv, weights=w, minlength=len(uniq))
        # int32/float32: these rows are held for every article until weighting (100k: ~250 MB).
        return Tokenised(uniq.astype(np.int32), tf.astype(np.float32), float(len(words)))

    def add_df(self, tok: Tokenised, sign: int) -> None:
        self.vocab.grow_df()
        self.vocab.df[tok.cols] += sign
        self.vocab.n_docs += sign

    # -- weighting ----------------------------------------------------------------------------
    def weigh_one(self, tok: Tokenised) -> tuple[np.ndarray, np.ndarray]:
        s = self.settings
        tf = tok.tf
        if s.bm25_k1 > 0:
            norm = s.bm25_k1 * (1 - s.bm25_b + s.bm25_b * tok.length / self.avg_len)
            tf = tf * (s.bm25_k1 + 1) / (tf + norm)
        else:
            tf = 1.0 + np.log(tf)
        w = tf * self.vocab.idf(tok.cols)
        cols = tok.cols
        k = s.keep_terms
        if k and len(w) > k:
            top = np.argpartition(-w, k - 1)[:k]
            cols, w = cols[top], w[top]
        nz = w > 0
        cols, w = cols[nz], w[nz]
        norm = math.sqrt(float(w @ w)) or 1.0
        order = np.argsort(cols)
        return cols[order], (w[order] / norm).astype(np.float32)


def _tokenise_batch(shared, batch: list[tuple[str, str]]) -> list[tuple[Tokenised, list[str]]]:
    """In a forked worker: each article's ``Tokenised`` with words its inherited vocabulary
    lacks at stand-in columns ``base + j``, and those words in order (``_tokenised_rest``)."""
    vectoriser, base = shared
    v = vectoriser.vocab
    out = []
    for title, body in batch:
        unseen: dict[str, int] = {}
        t = v.known_cols(title, unseen, base)
        b = v.known_cols(body, unseen, base)
        words, weights = np.concatenate([t, b]), v.weights(len(t), len(b))
        codes, cw = vectoriser._pairs(np.where(words >= base, -1, words), weights, len(t))
        out.append((vectoriser._tokenised(words, weights, codes, cw), list(unseen)))
    return out


def _spill(toks: RowSpill, t: Tokenised) -> None:
    toks.append(t.cols, t.tf, t.length)


def _recurring(parts: list[np.ndarray], min_df: int) -> np.ndarray:
    """Sorted codes present in at least ``min_df`` of the (per-article unique) ``parts``."""
    if not parts:
        return np.zeros(0, np.int64)
    codes = np.concatenate(parts)
    parts.clear()
    codes.sort()  # in place: np.unique(return_counts=True) needed ~3x the array's memory
    if len(codes) < min_df:
        return np.zeros(0, np.int64)
    # A code at position i occurs >= min_df times iff codes[i] == codes[i + min_df - 1].
    k = min_df - 1
    starts = codes[: len(codes) - k][codes[: len(codes) - k] == codes[k:]] if k else codes
    return np.unique(starts)


def rows_to_csr(rows: list[tuple[np.ndarray, np.ndarray]], n_cols: int) -> sp.csr_matrix:
    """Stack (columns, values) rows into a float32 CSR matrix."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(c) for c, _ in rows])
    if rows:
        indices = np.concatenate([c for c, _ in rows]).astype(np.int32)
        data = np.concatenate([w for _, w in rows]).astype(np.float32)
    else:
        indices, data = np.zeros(0, np.int32), np.zeros(0, np.float32)
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), n_cols))
