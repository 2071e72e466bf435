"""Full build, first stage: each article's best candidates without an all-pairs text product.

An exact all-pairs product of the tf-idf matrix costs the sum of squared document frequencies
and produces a dense block x corpus output; at 100k articles that was projected at over 20
minutes. Instead candidates come from (a) terms that occur in few articles (names, places,
specific word pairs: at most ``max(rare_df, n/1000)`` articles each, so their posting lists are
short) plus (b) the topic cosine, a dense matrix product. The best ``candidates`` of that
approximation are then scored exactly. On the developer corpus this keeps 100 % of the exact top-8
(recall measured against the exact first-stage ranking, docs/recommendations.md).
"""

from __future__ import annotations

import numpy as np

from .features import Features
from .lists import Lists
from .topics import one_blas_thread


def first_stage(f: Features, lists: Lists):
    """(cand, first, content, text) arrays of shape (n, k); near-duplicates go into ``lists``."""
    s = f.settings
    n = f.n_slots
    k = min(s.candidates, max(n - 1, 0))
    cand = np.full((n, k), -1, np.int64)
    first = np.full((n, k), -np.inf, np.float32)
    content = np.zeros((n, k), np.float32)
    text = np.zeros((n, k), np.float32)
    if n < 2:
        return cand, first, content, text
    x = f.text.blocks[0].matrix
    inverted = f.text.blocks[0].inverted  # column -> articles: the text rows' inverted index
    rare = _rare_columns(f, max(s.rare_df, n // 1000))
    z = f.topic.matrix
    for lo in range(0, n, s.block):
        rows = np.arange(lo, min(lo + s.block, n))
        if f.topic.dim:
            with one_blas_thread():
                approx = z[rows] @ z.T
            approx *= s.topic_weight
        else:
            approx = np.zeros((len(rows), n), np.float32)
        # The block's rows restricted to rare columns, times the inverted index: only those
        # columns' posting lists are read. (Forming the rare part of the whole matrix and its
        # transpose first cost two more copies of most of the text matrix at 100k.)
        q = x[rows]
        q.data[~rare[q.indices]] = 0
        q.eliminate_zeros()
        shared = (q @ inverted).tocoo()
        approx[shared.row, shared.col] += shared.data  # no second block x corpus array
        approx[np.arange(len(rows)), rows] = -np.inf
        top = np.argpartition(-approx, k - 1, axis=1)[:, :k]
        b_first, b_content, b_text = f.pair_scores(rows, top)
        cand[rows], first[rows], content[rows], text[rows] = top, b_first, b_content, b_text
        for r, c in zip(*np.nonzero(b_text > s.duplicate)):
            lists.add_dups(int(rows[r]), top[r, c : c + 1])
    return cand, first, content, text


def _rare_columns(f: Features, cap: int) -> np.ndarray:
    """Mask of the text columns with document frequency <= ``cap``."""
    x = f.text.blocks[0].matrix
    df = f.vectoriser.vocab.df
    keep = np.zeros(x.shape[1], bool)
    keep[: len(df)] = df[: x.shape[1]] <= cap
    return keep
