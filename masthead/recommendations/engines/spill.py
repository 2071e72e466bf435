"""Per-article rows held on disk during a full fit, so a fit's memory does not grow with the
archive (issue 20).

tf-idf weights need every article's document frequencies, so a fit must keep each article's
term counts until the whole corpus has been read: at 100k articles ~250 MB of small arrays (and
Python objects around them), at 1M several GB. ``RowSpill`` packs them into chunks of
``CHUNK`` rows and writes each chunk to an anonymous temporary file as it fills; the fit then
reads them back a chunk at a time. ``assemble`` turns a stream of (columns, values) rows into
one CSR matrix without holding the rows and the matrix at once: rows are spilled too, and the
matrix arrays are allocated once their total size is known.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator

import numpy as np
import scipy.sparse as sp

CHUNK = 4096  # rows per chunk: a few MB each


class RowSpill:
    """Append-only rows of (int32 columns, float32 values, one float extra), on disk."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile(prefix="masthead-related-")
        self.pending: list[tuple[np.ndarray, np.ndarray, float]] = []
        self.n_rows = 0
        self.nnz = 0

    def __len__(self) -> int:
        return self.n_rows

    def append(self, cols: np.ndarray, vals: np.ndarray, extra: float = 0.0) -> None:
        self.pending.append((cols, vals, extra))
        self.n_rows += 1
        self.nnz += len(cols)
        if len(self.pending) >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        if not self.pending:
            return
        lengths = np.array([len(c) for c, _, _ in self.pending], np.int64)
        cols = np.concatenate([c for c, _, _ in self.pending]).astype(np.int32)
        vals = np.concatenate([v for _, v, _ in self.pending]).astype(np.float32)
        extra = np.array([e for _, _, e in self.pending], np.float64)
        for a in (lengths, cols, vals, extra):
            np.save(self.file, a, allow_pickle=False)
        self.pending = []

    def chunks(self) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """(indptr, cols, vals, extra) per chunk, in order (each call reads them again)."""
        self._flush()
        self.file.seek(0)
        while True:
            try:
                lengths = np.load(self.file, allow_pickle=False)
            except (EOFError, ValueError):  # end of file
                break
            cols, vals, extra = (np.load(self.file, allow_pickle=False) for _ in range(3))
            indptr = np.zeros(len(lengths) + 1, np.int64)
            np.cumsum(lengths, out=indptr[1:])
            yield indptr, cols, vals, extra

    def rows(self) -> Iterator[tuple[np.ndarray, np.ndarray, float]]:
        for indptr, cols, vals, extra in self.chunks():
            for i in range(len(extra)):
                lo, hi = indptr[i], indptr[i + 1]
                yield cols[lo:hi], vals[lo:hi], float(extra[i])

    def close(self) -> None:
        self.file.close()


def assemble(rows: Iterable[tuple[np.ndarray, np.ndarray]], n_cols: int) -> sp.csr_matrix:
    """A float32 CSR matrix of ``rows``, holding at most one chunk of them besides it."""
    spill = RowSpill()
    for cols, vals in rows:
        spill.append(cols, vals)
    indptr = np.zeros(spill.n_rows + 1, np.int64)
    indices = np.empty(spill.nnz, np.int32)
    data = np.empty(spill.nnz, np.float32)
    row = at = 0
    for ptr, cols, vals, _ in spill.chunks():
        indptr[row + 1 : row + len(ptr)] = ptr[1:] + at
        indices[at : at + len(cols)] = cols
        data[at : at + len(vals)] = vals
        row += len(ptr) - 1
        at += len(cols)
    spill.close()
    return sp.csr_matrix((data, indices, indptr), shape=(spill.n_rows, n_cols))

