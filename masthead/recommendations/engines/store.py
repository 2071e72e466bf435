"""Growable row stores the lexical engine keeps between a full fit and the next one.

``SparseRows`` holds one sparse row per article slot and answers "dot this query with every row"
through an inverted (column-major) copy, so an upsert costs the length of the query terms'
posting lists, not the size of the corpus' vocabulary. Rows added after the fit go into small
frozen blocks (each with its own inverted copy) so appending never re-copies the whole matrix.
``DenseRows`` is the same for the dense topic vectors.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

_BLOCK = 256  # rows per frozen block after a fit; small enough to rebuild, few enough to loop


def _add_column_numpy(n_rows, n_cols, bounds, indices, data, weight, out) -> None:
    lo, hi = int(bounds[0]), int(bounds[1])
    out[indices[lo:hi]] += weight[0] * data[lo:hi]


try:
    # ``y += A @ x`` for a CSC matrix A, here one column (its entries at bounds[0]:bounds[1] of
    # the arrays, read in place): the compiled kernel SciPy's own CSC products call. It is
    # private, so NumPy's fancy-indexed ``+=`` (the same sums, twice the time) stands in
    # should a SciPy release move it; test_store.py checks both against a sparse product.
    from scipy.sparse._sparsetools import csc_matvec as _add_column
except ImportError:  # pragma: no cover - a SciPy that moved it
    _add_column = _add_column_numpy


def _csr(rows: list[tuple[np.ndarray, np.ndarray]], n_cols: int) -> sp.csr_matrix:
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(c) for c, _ in rows])
    if rows and indptr[-1]:
        indices = np.concatenate([c for c, _ in rows]).astype(np.int32)
        data = np.concatenate([v for _, v in rows]).astype(np.float32)
    else:
        indices, data = np.zeros(0, np.int32), np.zeros(0, np.float32)
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), n_cols))


class _Block:
    """Consecutive rows ``start..start+len`` as CSR plus its transpose (an inverted index).

    The inverted copy is as large as the matrix (the text one: ~1.9 GB at 1M articles) and
    only incremental updates read it, so it is built on first use (``warm``, which a server
    calls before it takes the publishing lock) and never pickled: a full build and its
    snapshot hold one copy of every matrix, not two (issue 20)."""

    def __init__(self, start: int, matrix: sp.csr_matrix) -> None:
        self.start = start
        self.matrix = matrix.tocsr()
        self._inverted: sp.csr_matrix | None = None

    @property
    def inverted(self) -> sp.csr_matrix:
        """column -> rows holding it"""
        if self._inverted is None:
            self._inverted = self.matrix.T.tocsr()
        return self._inverted

    def __getstate__(self) -> dict:
        return {"start": self.start, "matrix": self.matrix, "_inverted": None}

    def dot(self, cols: np.ndarray, vals: np.ndarray, out: np.ndarray) -> None:
        """``out[start + r] += sum over the query's columns c of vals[c] * row r's value at c``.

        One posting list at a time, each added into ``out`` in place, in float32 and in the
        query's column order: the sums are bit for bit a sparse product's. A SciPy product
        ``q @ inv`` cleared two work arrays as long as the corpus on every call and counted its
        output before filling it: at 1M articles the text rows' 7M postings an upsert took 63
        ms that way, 52 with NumPy's fancy-indexed ``+=`` and 23 with SciPy's compiled
        column kernel (issue 20, docs/recommendations.md)."""
        inv = self.inverted
        view = out[self.start : self.start + inv.shape[1]]
        indptr, indices, data = inv.indptr, inv.indices, inv.data
        bounds = np.empty(2, indices.dtype)  # the kernel takes one index type
        weight = np.empty(1, data.dtype)
        # ... and one value type: rows are float32 like ``out``; anything else adds in NumPy.
        add = _add_column if data.dtype == view.dtype else _add_column_numpy
        for c, v in zip(cols.tolist(), np.asarray(vals, data.dtype)):
            if c >= len(indptr) - 1:
                continue  # a column created after this block: no postings here
            bounds[0], bounds[1] = indptr[c], indptr[c + 1]
            if bounds[0] < bounds[1]:
                weight[0] = v
                add(len(view), 1, bounds, indices, data, weight, view)


class SparseRows:
    """One sparse row per slot; slots are appended, never renumbered until the next fit."""

    def __init__(self, matrix: sp.csr_matrix | None = None) -> None:
        self.blocks: list[_Block] = []
        self.pending: list[tuple[np.ndarray, np.ndarray]] = []
        self._pending_csr: sp.csr_matrix | None = None
        self.n_rows = 0
        if matrix is not None and matrix.shape[0]:
            self.blocks.append(_Block(0, matrix))
            self.n_rows = matrix.shape[0]

    def append(self, cols: np.ndarray, vals: np.ndarray) -> int:
        self.pending.append((np.asarray(cols, np.int64), np.asarray(vals, np.float32)))
        self._pending_csr = None
        slot = self.n_rows
        self.n_rows += 1
        if len(self.pending) >= _BLOCK:
            start = self.n_rows - len(self.pending)
            width = 1 + max((int(c.max()) for c, _ in self.pending if len(c)), default=0)
            self.blocks.append(_Block(start, _csr(self.pending, width)))
            self.pending = []
        return slot

    def warm(self) -> None:
        """Build the inverted copies now rather than in the first ``dot``."""
        for b in self.blocks:
            b.inverted  # noqa: B018  (the property builds it)

    def row(self, slot: int) -> tuple[np.ndarray, np.ndarray]:
        first_pending = self.n_rows - len(self.pending)
        if slot >= first_pending:
            return self.pending[slot - first_pending]
        for b in reversed(self.blocks):
            if slot >= b.start:
                m = b.matrix
                lo, hi = m.indptr[slot - b.start], m.indptr[slot - b.start + 1]
                return m.indices[lo:hi].astype(np.int64), m.data[lo:hi]
        raise IndexError(slot)

    def dot(self, cols: np.ndarray, vals: np.ndarray, size: int | None = None) -> np.ndarray:
        """Dot products of the query (cols, vals) with every row, as a dense vector."""
        out = np.zeros(size or self.n_rows, dtype=np.float32)
        if not len(cols):
            return out
        cols = np.asarray(cols, np.int64)
        for b in self.blocks:
            b.dot(cols, vals, out)
        if self.pending:
            if self._pending_csr is None:
                width = 1 + max((int(c.max()) for c, _ in self.pending if len(c)), default=0)
                self._pending_csr = _csr(self.pending, width)
            m = self._pending_csr
            keep = cols < m.shape[1]
            # The query as a dense vector as wide as the pending rows' columns: a sparse
            # ``m @ q.T`` converted q.T at the cost of its width (the vocabulary, or the whole
            # corpus for the neighbour profiles) four times an upsert, 4 ms at 1M (issue 20).
            # Each row's sum runs in the row's own column order either way: the same bits.
            q = np.zeros(m.shape[1], np.float32)
            q[cols[keep]] = np.asarray(vals, np.float32)[keep]
            start = self.n_rows - len(self.pending)
            out[start : self.n_rows] = m @ q
        return out


class DenseRows:
    """One dense float32 vector per slot, with amortised growth."""

    def __init__(self, matrix: np.ndarray) -> None:
        self.data = np.ascontiguousarray(matrix, dtype=np.float32)
        self.n_rows = matrix.shape[0]

    def __getstate__(self) -> dict:
        # Rows in use only: the room ``reserve`` made is rebuilt by the next ``warm``.
        return {"data": self.data[: self.n_rows], "n_rows": self.n_rows}

    @property
    def dim(self) -> int:
        return self.data.shape[1]

    def reserve(self, rows: int) -> None:
        """Room for ``rows`` more appends, or a quarter of the size, whichever is more: a
        fitted matrix has none, and growing a 1M x 32 one copies 128 MB (issue 20)."""
        if self.n_rows + rows > self.data.shape[0]:
            grow = max(16, self.n_rows // 4, self.n_rows + rows - self.data.shape[0])
            self.data = np.vstack([self.data, np.zeros((grow, self.dim), np.float32)])

    def append(self, vec: np.ndarray) -> int:
        self.reserve(1)
        self.data[self.n_rows] = vec
        self.n_rows += 1
        return self.n_rows - 1

    @property
    def matrix(self) -> np.ndarray:
        return self.data[: self.n_rows]
