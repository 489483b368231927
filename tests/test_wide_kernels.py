"""The general kernels on layers wide enough for their blocked loops (``rows_dot``'s groups
of rows, the column-stored path's tiles of eight rows), which the random networks of
tests/test_kernels.py (widths 1-6) do not reach: bit for bit against dot products summed
one term at a time, and between paths, and within 1e-12 of the NumPy reference."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

import kernels
from kernels.dense import ROW_GROUP
from tests.test_kernels import TOL, assert_same_online_runs, train_both
from tui_backprop.core.spec import NetworkSpec


@njit(cache=False)
def call_rows_dot(w, n_rows, n_cols, x, out):
    kernels.dense.rows_dot(w, n_rows, n_cols, x, out)


def dot_in_order(w, n_rows, n_cols, x):
    """out[r] = sum_j w[r, j] x[j], one rounded multiply and one rounded add per term,
    j = 0, 1, ... from 0.0 (Python floats are IEEE doubles)."""
    out = []
    for r in range(n_rows):
        s = 0.0
        for j in range(n_cols):
            s += float(w[r * n_cols + j]) * float(x[j])
        out.append(s)
    return np.array(out, dtype=np.float64)


# Rows: none, fewer than four, whole blocks of four and groups, with every remainder.
ROWS = [0, 1, 3, 4, 5, 4 * ROW_GROUP - 1, 4 * ROW_GROUP, 4 * ROW_GROUP + 7, 8 * ROW_GROUP + 2]
# Columns: none, fewer than four, whole blocks of four, with every remainder.
COLUMNS = [0, 1, 2, 4, 6, 7, 9, 16]


@pytest.mark.parametrize("n_rows", ROWS)
@pytest.mark.parametrize("n_cols", COLUMNS)
def test_rows_dot_sums_each_row_in_index_order(n_rows, n_cols):
    """Terms of mixed size and sign, so that any other order of the additions rounds
    differently somewhere; signed zeros and infinities, whose sums depend on the order
    too (0.0 + -0.0 is 0.0; inf + -inf is nan)."""
    rng = np.random.default_rng(1000 * n_rows + n_cols)
    w = rng.normal(size=n_rows * n_cols) * 10.0 ** rng.integers(-8, 9, size=n_rows * n_cols)
    x = rng.normal(size=n_cols) * 10.0 ** rng.integers(-8, 9, size=n_cols)
    if n_rows * n_cols >= 8:
        w[rng.integers(0, w.size, size=3)] = -0.0
        w[rng.integers(0, w.size)] = np.inf
        w[rng.integers(0, w.size)] = -np.inf
    if n_cols:
        x[rng.integers(0, n_cols)] = -0.0
    out = np.full(n_rows + 1, 7.0)  # one more than the rows: nothing is written past them
    call_rows_dot(w, n_rows, n_cols, x, out)
    expected = dot_in_order(w, n_rows, n_cols, x)
    np.testing.assert_array_equal(out[:n_rows], expected)
    np.testing.assert_array_equal(np.signbit(out[:n_rows]), np.signbit(expected))
    assert out[n_rows] == 7.0


WIDE = [
    NetworkSpec((7, 37, 18, 5), ("sigmoid", "tanh", "sigmoid")),
    NetworkSpec((4, 16, 33, 2), ("relu", "sigmoid", "linear"), bias=False),
    NetworkSpec((9, 21, 3), ("tanh", "sigmoid"), cost="cross-entropy", beta=2.5),
]


@pytest.mark.parametrize("spec", WIDE)
@pytest.mark.parametrize("alpha", [0.1, 1e6])
def test_wide_layers_stored_by_columns_give_the_same_bits(spec, alpha):
    """The column-stored online kernel against one update per call of the row-stored
    path, every array bit for bit, through divergence too (alpha 1e6)."""
    updates = 3 * kernels.dense.COLUMNS_MIN_UPDATES + 1
    assert_same_online_runs(spec, 11, updates, alpha, seed=5)


@pytest.mark.parametrize("spec", WIDE)
@pytest.mark.parametrize("batch", [1, 4])
def test_wide_layers_match_reference(spec, batch):
    net, ref, _, _, ran, planned, epoch_cost, ref_cost = train_both(
        spec, 13, 2, batch, 0.05, 0.9, seed=7
    )
    assert ran == planned
    for m in range(1, spec.n_layers + 1):
        np.testing.assert_allclose(net.W[m], ref.W[m], rtol=TOL, atol=TOL)
        np.testing.assert_allclose(net.b[m], ref.b[m], rtol=TOL, atol=TOL)
        np.testing.assert_allclose(net.dW[m], ref.dW[m], rtol=TOL, atol=TOL)
    np.testing.assert_allclose(epoch_cost, ref_cost, rtol=TOL, atol=TOL)


@njit(cache=False)
def call_tile_rows_dot(w, n_rows, n_cols, x, out):
    kernels.dense.tile_rows_dot(w, n_rows, n_cols, x, out)


@njit(cache=False)
def call_to_tiles(src, n_rows, n_cols, dst):
    kernels.dense.to_tiles(src, n_rows, n_cols, dst)


@njit(cache=False)
def call_from_tiles(src, n_rows, n_cols, dst):
    kernels.dense.from_tiles(src, n_rows, n_cols, dst)


@pytest.mark.parametrize("n_rows", [1, 3, 4, 5, 11, 16])
@pytest.mark.parametrize("n_cols", [0, 1, 7, 8, 13, 16, 21])
def test_tile_rows_dot_sums_each_row_in_index_order(n_rows, n_cols):
    """The deltas' dot products over the tiles of the column-stored weights: each entry
    read from where its tile keeps it, and the terms added in index order across tiles."""
    rng = np.random.default_rng(100 * n_rows + n_cols)
    size = (n_rows, n_cols)
    matrix = rng.normal(size=size) * 10.0 ** rng.integers(-8, 9, size=size)
    x = rng.normal(size=n_cols) * 10.0 ** rng.integers(-8, 9, size=n_cols)
    tile = kernels.dense.TILE
    tiled = np.concatenate(
        [np.zeros(0)] + [matrix[:, c0 : c0 + tile].ravel() for c0 in range(0, n_cols, tile)]
    )
    out = np.full(n_rows, 7.0)
    call_tile_rows_dot(tiled, n_rows, n_cols, x, out)
    np.testing.assert_array_equal(out, dot_in_order(matrix.ravel(), n_rows, n_cols, x))


@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (8, 4), (17, 6), (10, 64)])
def test_weight_tiles(shape):
    """``to_tiles`` puts W[i, j] of the tile of h rows from row i0 at i0 N + j h + (i - i0)
    (N columns); ``from_tiles`` undoes it."""
    n_rows, n_cols = shape
    tile = kernels.dense.TILE
    src = np.arange(n_rows * n_cols, dtype=np.float64)
    tiled = np.empty_like(src)
    call_to_tiles(src, n_rows, n_cols, tiled)
    for i in range(n_rows):
        i0 = i // tile * tile
        h = min(tile, n_rows - i0)
        for j in range(n_cols):
            assert tiled[i0 * n_cols + j * h + (i - i0)] == src[i * n_cols + j]
    back = np.empty_like(src)
    call_from_tiles(tiled, n_rows, n_cols, back)
    np.testing.assert_array_equal(back, src)
