"""The generated online kernels draw each epoch's example order as they train
(``kernels.drawing_trainer``, ``core.orders.EpochOrders.take_drawing``): the same orders,
the same generator states and the same weights, bit for bit, as a run whose orders are all
drawn before each call, however the run is cut into calls (single steps, calls that start
or end inside an epoch, calls across a block of orders, a rewind, a divergence)."""

from __future__ import annotations

import numpy as np
import pytest

from tui_backprop.core import orders
from tui_backprop.core.config import TrainingConfig
from tui_backprop.core.orders import EpochOrders, seed_streams
from tui_backprop.core.session import Session
from tui_backprop.core.spec import NetworkSpec

from .helpers import random_data


def sessions(n: int, alpha: float = 0.5, seed: int = 3, **layers: str) -> tuple[Session, Session]:
    """(drawing, drawn first): two Sessions of one 2-3-1 run on ``n`` examples; the
    second's orders are drawn before each call (its kernel set again, which turns the
    drawing kernel off), the first's by the kernel as it trains. ``layers``: activations
    for ``NetworkSpec.build``."""
    spec = NetworkSpec.build(2, (3,), 1, **layers)
    X, Y = random_data(spec, n, np.random.default_rng(n))
    config = TrainingConfig(alpha=alpha, momentum=0.9, seed=seed)
    drawing, drawn_first = Session(spec, X, Y, config), Session(spec, X, Y, config)
    drawn_first._train_batches = drawn_first._train_batches
    assert drawing._drawing_trainer is not None
    assert drawn_first._drawing_trainer is None
    return drawing, drawn_first


def counting(session: Session) -> list[int]:
    """Count the calls of ``session``'s drawing kernel (in the list returned)."""
    kernel = session._drawing_trainer
    calls = [0]

    def counted(*args):
        calls[0] += 1
        return kernel(*args)

    session._drawing_trainer = counted
    return calls


def assert_same_run(ours: Session, theirs: Session) -> None:
    assert np.array_equal(ours.network.params, theirs.network.params)
    assert np.array_equal(ours.network.velocity, theirs.network.velocity)
    assert (ours.epoch, ours.batch_in_epoch, ours.updates) == (
        theirs.epoch,
        theirs.batch_in_epoch,
        theirs.updates,
    )
    assert ours.last_example == theirs.last_example
    assert ours.epoch_losses == theirs.epoch_losses
    # the orders still to come, and where the generator is
    assert np.array_equal(ours._orders.take(ours.epoch, 1), theirs._orders.take(theirs.epoch, 1))
    assert ours._orders.saved() == theirs._orders.saved()


#: Calls starting and ending inside an epoch, and whole epochs, then (in the test) a call
#: up to 2 updates before the end of the first block of orders (65536 indices) and one
#: across it. A single step (1) loads its whole block of orders (``StepState``), drawn;
#: the kernel draws the rows of the blocks after it.
CUTS = [2, 3, 7, 20, 5, 300, 2]


@pytest.mark.parametrize("numpy_draws", [False, True])
@pytest.mark.parametrize("single_steps", [False, True])
@pytest.mark.parametrize("n", [2, 3, 4, 7])
def test_a_run_cut_any_way_trains_on_numpys_orders(monkeypatch, n, single_steps, numpy_draws):
    """Rows drawn apart from the kernel are drawn by NumPy's permuted or by the kernel that
    draws the same (``orders.use_kernel_draws``): either, a few rows at a time."""
    orders.use_kernel_draws()
    if numpy_draws:
        monkeypatch.setattr(orders, "_kernel_draw", None)
    drawing, drawn_first = sessions(n)
    calls = counting(drawing)
    cuts = [count for cut in CUTS for count in ([1, cut] if single_steps else [cut])]
    block = EpochOrders(n, None).block_epochs * n
    cuts += [block - sum(cuts) - 2, 5, 3 * n + 1, 2, 1, 3, 1, 2 * n + 3]
    for count in cuts:
        assert drawing.run_batches(count) == drawn_first.run_batches(count) == count
        assert_same_run(drawing, drawn_first)
    assert calls[0] == sum(1 for count in cuts if count > 1) + 1  # one more at the block
    assert drawing.epoch > EpochOrders(n, None).block_epochs


def test_the_kernel_draws_the_rows_it_trains_on():
    """take_drawing draws only a call's first row; the kernel the rest of the call's rows,
    each whole, and records them (the generator is not asked for them again)."""
    drawing, _ = sessions(4)
    orders = drawing._orders
    drawing.run_batches(10)  # epochs 0 and 1, and 2 of epoch 2's 4 updates: 3 rows
    assert orders._rows_drawn == 3
    state = orders._rng.bit_generator.state
    drawing.run_batches(3)  # epoch 2's last 2 updates and one of epoch 3: row 3, whole
    assert orders._rows_drawn == 4
    assert orders._rng.bit_generator.state != state
    assert sorted(orders._block[3]) == [0, 1, 2, 3]


def test_the_orders_it_draws_are_numpys_permuted_rows():
    n, epochs = 5, 40
    drawing, _ = sessions(n)
    drawing.run_batches(epochs * n)
    expected = EpochOrders(n, seed_streams(3)[1])
    assert np.array_equal(drawing._orders.take(0, epochs + 1), expected.take(0, epochs + 1))
    rng = seed_streams(3)[1]
    rng.permuted(np.tile(np.arange(n), (epochs + 1, 1)), axis=1)
    assert drawing._orders._rng.bit_generator.state == rng.bit_generator.state


def test_a_rewind_inside_a_block_replays_the_same_updates():
    drawing, drawn_first = sessions(4)
    for session in (drawing, drawn_first):
        session.run_batches(10)
        point = session.checkpoint()
        session.run_batches(33)
        session.restore(point)  # in epoch 2, its order and the next to draw again
        session.run_batches(45)
    assert_same_run(drawing, drawn_first)


def test_a_run_that_diverges_inside_an_epoch_leaves_the_orders_whole():
    drawing, drawn_first = sessions(7, 1e6, activation="relu", output_activation="linear")
    ran = drawing.run_batches(500)
    assert ran == drawn_first.run_batches(500)
    assert drawing.diverged and drawn_first.diverged
    assert drawing.batch_in_epoch > 0  # it stopped inside an epoch
    assert np.array_equal(drawing.network.params, drawn_first.network.params, equal_nan=True)
    assert np.array_equal(drawing._orders.take(0, 20), drawn_first._orders.take(0, 20))
    assert drawing._orders.saved() == drawn_first._orders.saved()


@pytest.mark.parametrize(
    "layers",
    [
        {"beta": 2.0},  # train_online, not train_online_unit
        {"cost": "cross-entropy"},
        {"activation": "tanh", "output_activation": "linear"},
    ],
)
def test_every_online_kernel_draws_the_same_orders(layers):
    drawing, drawn_first = sessions(5, **layers)
    for count in (7, 3, 41, 2):
        assert drawing.run_batches(count) == drawn_first.run_batches(count) == count
    assert_same_run(drawing, drawn_first)
