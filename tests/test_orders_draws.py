"""EpochOrders draws its blocks by NumPy's permuted until the kernel that draws the same
is compiled (core.orders.use_kernel_draws), then by the kernel: the same orders and the
same generator states either way, so a run may switch between blocks."""

from __future__ import annotations

import numpy as np
import pytest

from tui_backprop.core import orders
from tui_backprop.core.orders import EpochOrders, seed_streams


def drawn(n, seed, spans):
    """The orders of ``spans`` (first epoch, count) and the saved state after each."""
    epoch_orders = EpochOrders(n, seed_streams(seed)[1])
    out = []
    for first, count in spans:
        out.append(epoch_orders.take(first, count).copy())
        out.append(epoch_orders.saved())
    return out


@pytest.mark.parametrize("n", [2, 3, 4, 7, 100, 5000])
def test_kernel_draws_give_numpys_orders_and_states(monkeypatch, n):
    orders.use_kernel_draws()
    assert orders._kernel_draw is not None
    block = EpochOrders(n, None).block_epochs
    spans = [(0, 1), (1, 3), (max(4, block - 1), 2), (3 * block + 7, 2 * block + 1)]
    with_kernel = drawn(n, 11, spans)
    monkeypatch.setattr(orders, "_kernel_draw", None)
    with_numpy = drawn(n, 11, spans)
    for ours, theirs in zip(with_kernel, with_numpy, strict=True):
        if isinstance(ours, np.ndarray):
            assert np.array_equal(ours, theirs)
        else:
            assert ours == theirs


def test_a_run_switches_to_kernel_draws_between_blocks(monkeypatch):
    n = 4
    block = EpochOrders(n, None).block_epochs
    monkeypatch.setattr(orders, "_kernel_draw", None)
    reference = EpochOrders(n, seed_streams(3)[1]).take(0, 3 * block).copy()
    switching = EpochOrders(n, seed_streams(3)[1])
    first = switching.take(0, block).copy()
    orders.use_kernel_draws()
    rest = switching.take(block, 2 * block)
    assert np.array_equal(np.concatenate([first, rest]), reference)
    # and back, from a saved state: restore draws the block again, now with the kernel
    saved = switching.saved()
    again = EpochOrders(n, seed_streams(3)[1])
    again.restore(saved)
    assert np.array_equal(again.take(2 * block, block), reference[2 * block :])


@pytest.mark.parametrize("shuffle", [True, False])
def test_orders_across_blocks_are_each_blocks_orders(shuffle):
    """A span over three blocks (its blocks drawn one over the other in one buffer) is
    the blocks' orders one after the other, as spans within each block give them."""
    orders.use_kernel_draws()
    n = 7
    block = EpochOrders(n, None).block_epochs
    across = EpochOrders(n, seed_streams(5)[1], shuffle).take(block - 2, block + 4).copy()
    one_by_one = EpochOrders(n, seed_streams(5)[1], shuffle)
    pieces = [one_by_one.take(block - 2, 2).copy()]
    pieces.append(one_by_one.take(block, block).copy())
    pieces.append(one_by_one.take(2 * block, 2).copy())
    assert np.array_equal(across, np.concatenate(pieces))
    assert not shuffle or not np.array_equal(across[0], across[2])
