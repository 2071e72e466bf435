"""Full build, first stage: each article's best candidates without an all-pairs text product.

An exact all-pairs product of the tf-idf matrix costs the sum of squared document frequencies
and produces a dense block x corpus output; at 100k articles that was projected at over 20
minutes. Instead candidates come from (a) terms that occur in few articles (names, places,
specific word pairs: at most ``max(rare_df, n/1000)`` articles each, so their posting lists are
short) plus (b) the topic cosine, a dense matrix product. The best ``candidates`` of that
approximation are then scored exactly. On the developer corpus this keeps 100 % of the exact top-8
(recall measured against the exact first-stage ranking, docs/recommendations.md).

Above ``exact_candidates_max`` articles (issue 20: a million-article archive) even (b) is too
much: a block x corpus topic product and its top-k cost n^2 (at 1M, 3.2e13 multiply-adds and
1e12 elements partitioned: hours), and the rare-term cap ``n/1000`` grows with the corpus, so
its posting lists do too. There the topic vectors are grouped by k-means (scikit-learn's
``MiniBatchKMeans``, fitted on a sample) into clusters of about 400 articles, and each
article's topic candidates come only from the ``probe_clusters`` clusters nearest its own (an
inverted-file search, as FAISS's IVF does); the rare-term cap stays at ``rare_df``. Each
article's best ``candidates`` rare-term hits outside those clusters are still candidates, with
their exact topic cosine. The corpora quality is measured on (a few thousand articles) never
take this path, so their lists do not change; against the exact path on 20,000 articles it
kept 99.98 % of the lists' entries (docs/recommendations.md, "A million articles").
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from masthead.core import forked

from .features import Features
from .lists import Lists
from .topics import one_blas_thread

_CLUSTER_SIZE = 400  # articles per k-means cluster, on average
_SUB = 256  # query rows per dense product in the clustered path (memory: _SUB x pool floats)
_SLAB = 16_384  # rows of the text matrix read at a time when the rare index is built
_GROUP = 16  # clusters in one worker's task (~6,400 rows; its results ~3 MB)


# Bits of the ``flags`` array: the relevance floor and the duplicate rule read the content and
# text scores only through these comparisons, so they are kept instead of the two float32
# arrays (1 byte a candidate instead of 8: at 1M articles 350 MB less; issue 20).
CONTENT_OK = 1  # content score >= floor
WORDING = 2  # text cosine >= evidence_text
DUPLICATE = 4  # text cosine > duplicate


def first_stage(f: Features, lists: Lists, processes: int = 1):
    """(cand, first, flags) arrays of shape (n, k); near-duplicates go into ``lists``.
    ``cand`` is -1 where an article has fewer than k candidates (then first is -inf and the
    flags 0); ``flags`` holds the bits above.

    The clustered path's clusters are independent: with ``processes`` > 1 groups of them are
    searched and scored in forked workers that share the features (``core.forked``), in
    cluster order, so the arrays and the duplicates' order are those of one process."""
    s = f.settings
    n = f.n_slots
    k = min(s.candidates, max(n - 1, 0))
    if n < 2:
        return _empty(n, k)
    clustered = n > s.exact_candidates_max and f.topic.dim > 0
    rare = _rare_columns(f, s.rare_df if clustered else max(s.rare_df, n // 1000))
    inv = _rare_inverted(f.text.blocks[0].matrix, rare)
    if clustered:
        plan = _cluster_plan(f)
        groups = range(0, len(plan[2]), _GROUP)
        scored = forked.ordered_map(_scored_group, (f, rare, inv, k, plan), groups, processes)
    else:
        scored = (_scored(f, rows, top) for rows, top in _exact(f, rare, inv, k))
    # Allocated once the workers are forked (at the first result): pages the parent writes
    # after a fork are copied, and workers that inherited these arrays would hold them twice
    # (at 1M, 450 MB a worker).
    cand = first = flags = None
    for rows, top, b_first, b_flags, dup_rows, dup_cols in scored:
        if cand is None:
            cand, first, flags = _empty(n, k)
        cand[rows], first[rows], flags[rows] = top, b_first, b_flags
        for r, c in zip(dup_rows, dup_cols):
            lists.add_dups(int(rows[r]), top[r, c : c + 1])
    return (cand, first, flags) if cand is not None else _empty(n, k)


def _empty(n: int, k: int):
    """(cand, first, flags) with no candidate: -1, -inf and no flag."""
    cand = np.full((n, k), -1, np.int32)  # int32: at 1M, 200 MB less than int64
    return cand, np.full((n, k), -np.inf, np.float32), np.zeros((n, k), np.uint8)


def _scored(f: Features, rows: np.ndarray, top: np.ndarray):
    """A block's candidates with their first scores, flags and near-duplicate positions."""
    s = f.settings
    b_first, b_content, b_text = f.pair_scores(rows, np.maximum(top, 0))
    missing = top < 0
    b_first[missing], b_content[missing], b_text[missing] = -np.inf, 0, 0
    dup_rows, dup_cols = np.nonzero(b_text > s.duplicate)
    return rows, top, b_first, score_flags(s, b_content, b_text), dup_rows, dup_cols


def _scored_group(shared, lo: int):
    """``_scored`` of clusters ``lo`` to ``lo + _GROUP``, as one block (a worker's task)."""
    f, rare, inv, k, plan = shared
    clusters = range(lo, min(lo + _GROUP, len(plan[2])))
    blocks = [_scored(f, rows, top) for rows, top in _clustered(f, rare, inv, k, plan, clusters)]
    if not blocks:
        empty = np.zeros(0, np.int64)
        return (empty, np.zeros((0, k), np.int32), np.zeros((0, k), np.float32),
                np.zeros((0, k), np.uint8), empty, empty)
    offsets = np.cumsum([0] + [len(b[0]) for b in blocks[:-1]])
    return (np.concatenate([b[0] for b in blocks]), *(np.concatenate([b[i] for b in blocks])
                                                      for i in (1, 2, 3)),
            np.concatenate([b[4] + o for b, o in zip(blocks, offsets)]),
            np.concatenate([b[5] for b in blocks]))


def score_flags(s, content: np.ndarray, text: np.ndarray) -> np.ndarray:
    """The ``flags`` bits of candidates with these content and text scores."""
    out = np.where(content >= s.floor, CONTENT_OK, 0).astype(np.uint8)
    out |= np.where(text >= s.evidence_text, WORDING, 0).astype(np.uint8)
    out |= np.where(text > s.duplicate, DUPLICATE, 0).astype(np.uint8)
    return out


def _rare_inverted(x: sp.csr_matrix, rare: np.ndarray) -> sp.csr_matrix:
    """Posting lists (column -> rows, with weights) of the ``rare`` columns of ``x`` only.

    The first stage reads no other column's postings, and the full inverted index is as large
    as the text matrix (1.8 GB at 1M articles); the rare columns hold a fraction of its
    entries. Written straight into arrays of the final size, a slab of rows at a time (a masked
    copy of the matrix and its transpose at once would be twice the index). Rows within each
    list are ascending as in the full index, so the products below are bit for bit the same."""
    n_cols = x.shape[1]
    counts = np.zeros(n_cols, np.int64)
    for lo in range(0, x.nnz, _SLAB * 256):
        cols = x.indices[lo : lo + _SLAB * 256]
        counts += np.bincount(cols[rare[cols]], minlength=n_cols)
    indptr = np.zeros(n_cols + 1, np.int64)
    np.cumsum(counts, out=indptr[1:])
    rows = np.empty(indptr[-1], np.int32)
    data = np.empty(indptr[-1], np.float32)
    cursor = indptr[:-1].copy()  # next free position in each column's list
    for lo in range(0, x.shape[0], _SLAB):
        m = x[lo : lo + _SLAB]
        m.data[~rare[m.indices]] = 0
        m.eliminate_zeros()
        c = m.tocsc()  # sorted by column, rows ascending within each
        col = np.repeat(np.arange(n_cols), np.diff(c.indptr))
        dest = cursor[col] + (np.arange(c.nnz) - c.indptr[col])
        rows[dest] = c.indices + lo
        data[dest] = c.data
        cursor += np.diff(c.indptr)
    return sp.csr_matrix((data, rows, indptr), shape=(n_cols, x.shape[0]))


def _rare_part(f: Features, rows: np.ndarray, rare: np.ndarray, inv: sp.csr_matrix):
    """Sum of rare-term products of ``rows`` with every article, as COO (row, col, value).

    The block's rows restricted to rare columns, times the rare columns' posting lists."""
    q = f.text.blocks[0].matrix[rows]
    q.data[~rare[q.indices]] = 0
    q.eliminate_zeros()
    return (q @ inv).tocoo()


def _exact(f: Features, rare: np.ndarray, inv: sp.csr_matrix, k: int):
    """Blocks of rows with their top-k over the whole corpus (topic cosine + rare terms)."""
    s = f.settings
    n = f.n_slots
    z = f.topic.matrix
    for lo in range(0, n, s.block):
        rows = np.arange(lo, min(lo + s.block, n))
        if f.topic.dim:
            with one_blas_thread():
                approx = z[rows] @ z.T
            approx *= s.topic_weight
        else:
            approx = np.zeros((len(rows), n), np.float32)
        shared = _rare_part(f, rows, rare, inv)
        approx[shared.row, shared.col] += shared.data  # no second block x corpus array
        approx[np.arange(len(rows)), rows] = -np.inf
        yield rows, np.argpartition(-approx, k - 1, axis=1)[:, :k].astype(np.int32)


def _cluster_plan(f: Features):
    """(members in cluster order, each cluster's bounds in it, each cluster's probes)."""
    labels, near = _clusters(f.topic.matrix, f.settings.probe_clusters)
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(len(near) + 1))
    return order, bounds, near


def _clustered(f: Features, rare: np.ndarray, inv: sp.csr_matrix, k: int, plan, clusters):
    """Blocks of rows of ``clusters`` with their top-k among the nearest clusters' members
    and rare-term hits."""
    order, bounds, near = plan
    pos = np.full(f.n_slots, -1, np.int64)  # corpus slot -> column in the current pool
    for c in clusters:
        members = order[bounds[c] : bounds[c + 1]]
        if not len(members):
            continue
        pool = np.sort(np.concatenate([order[bounds[p] : bounds[p + 1]] for p in near[c]]))
        pos[pool] = np.arange(len(pool))
        for lo in range(0, len(members), _SUB):
            rows = np.sort(members[lo : lo + _SUB])
            yield rows, _pooled_top(f, rows, pool, pos, rare, inv, k)
        pos[pool] = -1


def _pooled_top(f, rows, pool, pos, rare, inv, k) -> np.ndarray:
    """Top-k per row of topic cosine + rare-term score over ``pool``, merged with each row's
    best k rare-term hits outside it (scored with their exact topic cosine)."""
    s = f.settings
    z = f.topic.matrix
    zr = z[rows]
    with one_blas_thread():
        dense = zr @ z[pool].T
    dense *= s.topic_weight
    shared = _rare_part(f, rows, rare, inv).tocsr()
    p = pos[shared.indices]
    inside = p >= 0
    hit_rows = np.repeat(np.arange(len(rows)), np.diff(shared.indptr))
    dense[hit_rows[inside], p[inside]] += shared.data[inside]
    dense[np.arange(len(rows)), pos[rows]] = -np.inf  # an article is not its own candidate
    out_r, out_c, out_s = _best_outside(shared, ~inside, k)
    out_s = out_s + s.topic_weight * np.einsum("ij,ij->i", zr[out_r], z[out_c])
    kk = min(k, len(pool))
    top = np.argpartition(-dense, kk - 1, axis=1)[:, :kk]
    r = np.concatenate([np.repeat(np.arange(len(rows)), kk), out_r])
    c = np.concatenate([pool[top].ravel(), out_c])
    v = np.concatenate([np.take_along_axis(dense, top, 1).ravel(), out_s.astype(np.float32)])
    ok = np.isfinite(v)
    r, c, v = r[ok], c[ok], v[ok]
    o = np.lexsort((-v, r))  # by row, best first
    r, c = r[o], c[o]
    rank = np.arange(len(r)) - np.searchsorted(r, r)  # position within its row
    keep = rank < k
    out = np.full((len(rows), k), -1, np.int32)
    out[r[keep], rank[keep]] = c[keep]
    return out


def _best_outside(shared, outside: np.ndarray, k: int):
    """(row, column, score) of each row's ``k`` highest rare-term scores among ``outside`` entries.

    A row has thousands of rare-term hits (each one shared name or pair); sorting them all by
    row and score took 90 % of the clustered build at 6k articles; a partition per row does
    not. The topic part adds at most ``topic_weight`` to any of them, so the best by rare-term
    score are the ones that can win."""
    picked = []
    indptr, indices, data = shared.indptr, shared.indices, shared.data
    for i in range(len(indptr) - 1):
        lo, hi = indptr[i], indptr[i + 1]
        sel = np.flatnonzero(outside[lo:hi]) + lo
        if len(sel) > k:
            sel = sel[np.argpartition(-data[sel], k - 1)[:k]]
        picked.append(sel)
    sel = np.concatenate(picked) if picked else np.zeros(0, np.int64)
    row_of = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    return row_of[sel], indices[sel].astype(np.int64), data[sel]


def _clusters(z: np.ndarray, probes: int):
    """Cluster label of each topic vector, and each cluster's ``probes`` nearest clusters
    (itself first). k-means is fitted on a sample: assignments need every row, centres don't."""
    from sklearn.cluster import MiniBatchKMeans

    n = len(z)
    # Clusters of ~400 articles: with a fixed number of probes the pool, and so each article's
    # cost, stays the same at any archive size (sqrt(n) clusters made it grow as n^1.5).
    n_clusters = max(2, n // _CLUSTER_SIZE)
    rng = np.random.default_rng(0)
    sample = z[np.sort(rng.choice(n, min(n, 100 * n_clusters), replace=False))]
    with one_blas_thread():
        km = MiniBatchKMeans(n_clusters, batch_size=4096, n_init=1, max_iter=50,
                             random_state=0).fit(sample)
        labels = np.concatenate([km.predict(z[lo : lo + 65536]) for lo in range(0, n, 65536)])
    centres = km.cluster_centers_.astype(np.float32)
    centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-9)
    sim = centres @ centres.T
    np.fill_diagonal(sim, np.inf)
    probes = min(probes, n_clusters)
    near = np.argsort(-sim, axis=1)[:, :probes]
    return labels.astype(np.int64), near


def _rare_columns(f: Features, cap: int) -> np.ndarray:
    """Mask of the text columns with document frequency <= ``cap``."""
    x = f.text.blocks[0].matrix
    df = f.vectoriser.vocab.df
    keep = np.zeros(x.shape[1], bool)
    keep[: len(df)] = df[: x.shape[1]] <= cap
    return keep
