"""The row stores' products: the posting-list kernel gives a sparse product's sums bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from masthead.recommendations.engines import store
from masthead.recommendations.engines.store import DenseRows, SparseRows


def random_rows(rng, n_rows: int, n_cols: int) -> sp.csr_matrix:
    m = sp.random(n_rows, n_cols, density=0.08, format="csr", dtype=np.float32, random_state=rng)
    m.data = rng.random(m.nnz, dtype=np.float32)  # no explicit zeros, varied magnitudes
    return m


@pytest.mark.parametrize("kernel", ["scipy", "numpy"])
@pytest.mark.parametrize("seed", range(6))
def test_dot_equals_a_sparse_product_bit_for_bit(monkeypatch, kernel, seed):
    if kernel == "numpy":
        monkeypatch.setattr(store, "_add_column", store._add_column_numpy)
    rng = np.random.default_rng(seed)
    fitted = random_rows(rng, 300, 120)
    rows = SparseRows(fitted)
    appended = [random_rows(rng, 1, 140) for _ in range(300)]  # new columns after the fit
    for r in appended:
        rows.append(r.indices, r.data)
    wide = [sp.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], 140))
            for m in (fitted, *appended)]
    everything = sp.vstack(wide, format="csr")
    for slot in rng.choice(len(appended) + 300, 25, replace=False):
        cols, vals = rows.row(int(slot))
        got = rows.dot(cols, vals)
        q = sp.csr_matrix((vals, cols, [0, len(cols)]), shape=(1, 140))
        want = np.zeros(everything.shape[0], np.float32)
        res = (q @ everything.T).tocoo()  # float32 sums in the query's column order
        want[res.col] = res.data
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, want)


def test_dot_of_columns_no_block_has_seen_is_zero():
    rows = SparseRows(sp.csr_matrix(np.eye(3, dtype=np.float32)))
    got = rows.dot(np.array([1, 7]), np.array([2.0, 5.0], np.float32), 3)
    np.testing.assert_array_equal(got, [0, 2, 0])


def test_dense_rows_reserve_keeps_rows_and_grows_once():
    rows = DenseRows(np.arange(12, dtype=np.float32).reshape(4, 3))
    rows.reserve(1)
    data = rows.data
    assert data.shape[0] >= 5
    slot = rows.append(np.ones(3, np.float32))
    assert rows.data is data  # no copy after the reserve
    assert slot == 4
    np.testing.assert_array_equal(rows.matrix[:4], np.arange(12).reshape(4, 3))
    np.testing.assert_array_equal(rows.matrix[4], np.ones(3))
