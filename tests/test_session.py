"""The Session: chunking never changes results, restart and reseed, divergence, history."""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers import reference_for
from tui_backprop.core.config import TrainingConfig
from tui_backprop.core.history import LossHistory
from tui_backprop.core.orders import EpochOrders, seed_streams
from tui_backprop.core.problems import make_problem
from tui_backprop.core.session import Session
from tui_backprop.core.spec import NetworkSpec

XOR = make_problem("xor")


def xor_session(**settings) -> Session:
    spec = NetworkSpec.build(2, (3,), 1)
    return Session(spec, XOR.X, XOR.Y, TrainingConfig(**settings))


@pytest.mark.parametrize("batch_size", [1, 3])
@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_single_steps_call_numbas_compiled_function_with_the_kernels_bits(batch_size, optimizer):
    """After its first step a Session steps through the function numba compiled for its
    packed arrays, not the kernel's dispatcher: the same bits, step after step, across
    epochs, as stepping through the dispatcher."""
    direct = xor_session(batch_size=batch_size, seed=5, optimizer=optimizer)
    dispatched = xor_session(batch_size=batch_size, seed=5, optimizer=optimizer)
    dispatched._choose_single_step = lambda: dispatched._one_step  # type: ignore[method-assign]
    for _ in range(11):
        assert direct.run_batches(1) == dispatched.run_batches(1) == 1
    assert direct._single_step is not None
    assert not hasattr(direct._single_step, "py_func")  # not a dispatcher
    assert direct.network.buffer.tobytes() == dispatched.network.buffer.tobytes()
    for mine, theirs in zip(direct.history.points(), dispatched.history.points(), strict=True):
        assert len(mine) > 0 and mine.tobytes() == theirs.tobytes()


@pytest.mark.parametrize("batch_size", [1, 3, 4])
def test_chunking_does_not_change_the_result(batch_size):
    whole = xor_session(batch_size=batch_size, seed=5)
    whole.run_batches(301)
    pieces = xor_session(batch_size=batch_size, seed=5)
    for count in [1, 2, 7, 1, 90, 200]:
        pieces.run_batches(count)
    assert np.array_equal(whole.network.params, pieces.network.params)
    assert np.array_equal(whole.network.velocity, pieces.network.velocity)
    assert (whole.epoch, whole.batch_in_epoch, whole.updates, whole.examples_seen) == (
        pieces.epoch,
        pieces.batch_in_epoch,
        pieces.updates,
        pieces.examples_seen,
    )
    assert np.array_equal(whole.history.points()[1], pieces.history.points()[1])


def test_counters_follow_batches_and_epochs():
    s = xor_session(batch_size=3)  # 4 examples: batches of 3 and 1
    s.run_batches(3)
    assert (s.epoch, s.batch_in_epoch, s.updates, s.examples_seen) == (1, 1, 3, 7)
    s.run_epochs(2)
    assert (s.epoch, s.batch_in_epoch, s.updates, s.examples_seen) == (3, 0, 6, 12)
    assert len(s.history) == 3


def test_session_equals_reference_over_many_epochs():
    """The Session's orders, batching and momentum equal the reference's over 50 epochs."""
    s = xor_session(batch_size=3, seed=11, alpha=0.5, momentum=0.5)
    ref = reference_for(s.network)
    order = EpochOrders(4, seed_streams(11)[1]).take(0, 50)
    ref_cost = ref.train(XOR.X, XOR.Y, order, 3, 0.5, 0.5)
    s.run_epochs(50)
    for m in (1, 2):
        np.testing.assert_allclose(s.network.W[m], ref.W[m], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(s.history.points()[1], ref_cost / 4, rtol=1e-12)


def test_restart_reproduces_the_run_and_reseed_changes_it():
    s = xor_session(seed=3)
    start = s.network.params.copy()
    s.run_epochs(20)
    after = s.network.params.copy()
    s.restart()
    assert np.array_equal(s.network.params, start)
    assert s.updates == 0 and s.epoch == 0 and len(s.history) == 0
    s.run_epochs(20)
    assert np.array_equal(s.network.params, after)
    s.reseed(4)
    assert s.seed == 4
    assert not np.array_equal(s.network.params, start)
    assert np.array_equal(s.network.params, xor_session(seed=4).network.params)


def test_file_weights_are_the_first_start_only():
    spec = NetworkSpec.build(2, (3,), 1)
    weights = [np.full((3, 2), 0.25), np.full((1, 3), -0.5)]
    biases = [np.array([0.1, 0.2, 0.3]), np.array([0.4])]
    s = Session(spec, XOR.X, XOR.Y, TrainingConfig(), initial=(weights, biases))
    assert np.array_equal(s.network.W[1], weights[0])
    assert np.array_equal(s.network.b[2], biases[1])
    s.run_epochs(3)
    s.restart()
    assert np.array_equal(s.network.W[2], weights[1])
    s.reseed(9)
    assert not np.array_equal(s.network.W[1], weights[0])


def test_no_shuffle_visits_examples_in_data_order():
    orders = EpochOrders(5, seed_streams(0)[1], shuffle=False).take(3, 2)
    assert orders.tolist() == [list(range(5))] * 2


def test_shuffled_orders_are_permutations_and_vary():
    orders = EpochOrders(6, seed_streams(0)[1]).take(0, 300)
    assert all(sorted(row) == list(range(6)) for row in orders.tolist())
    assert len({tuple(row) for row in orders.tolist()}) > 100


def test_divergence_is_detected_and_stops_training():
    problem = make_problem("sine")
    spec = NetworkSpec.build(1, (8,), 1, activation="relu", output_activation="linear")
    s = Session(spec, problem.X, problem.Y, TrainingConfig(alpha=1e6))
    s.run_epochs(100)
    assert s.diverged
    updates = s.updates
    assert updates < 100 * problem.n_examples
    assert s.run_batches(10) == 0 and s.updates == updates
    s.restart()
    assert not s.diverged
    s.alpha = 0.001
    s.run_epochs(5)
    assert not s.diverged


def test_live_settings_are_validated():
    s = xor_session()
    with pytest.raises(ValueError):
        s.alpha = float("nan")
    with pytest.raises(ValueError):
        s.momentum = 1.0


def test_xor_learns_from_most_seeds():
    learned = 0
    for seed in range(10):
        s = xor_session(seed=seed)
        s.run_epochs(5000)
        learned += s.evaluate() < 0.01
    assert learned >= 9


def test_loss_history_stays_bounded_and_even():
    history = LossHistory(capacity=8)
    for epoch in range(1, 1001):
        history.append(epoch, 1.0 / epoch)
    epochs, losses = history.points()
    assert len(epochs) <= 8
    assert np.all(np.diff(epochs) == history.stride)
    np.testing.assert_array_equal(losses, 1.0 / epochs)
    assert history.last_epoch == 1000


def test_extend_keeps_the_same_points_as_append():
    one, many = LossHistory(capacity=16), LossHistory(capacity=16)
    losses = np.random.default_rng(0).random(1000)
    for epoch in range(1, 1001):
        one.append(epoch, losses[epoch - 1])
    for start in (1, 2, 5, 40, 300, 301):
        stop = {1: 2, 2: 5, 5: 40, 40: 300, 300: 301, 301: 1001}[start]
        many.extend(start, losses[start - 1 : stop - 1])
    assert one.stride == many.stride
    for a, b in zip(one.points(), many.points(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert (one.last_epoch, one.last_loss) == (many.last_epoch, many.last_loss)


def test_snapshots_keep_the_trained_example_values():
    """Evaluating the loss for a picture must not overwrite the last example's z and a."""
    s = xor_session(seed=1)
    s.run_batches(1)
    first, second = s.snapshot(), s.snapshot()
    k = first.example
    np.testing.assert_array_equal(first.a[0], XOR.X[k])
    np.testing.assert_array_equal(second.a[0], XOR.X[k])
    for m in (1, 2):
        np.testing.assert_array_equal(first.a[m], second.a[m])


def _state_of(s: Session) -> tuple:
    return (
        s.epoch,
        s.batch_in_epoch,
        s.updates,
        s.examples_seen,
        s.last_example,
        s.diverged,
        s._partial_cost,
        s.history.stride,
        s.history.last_epoch,
    )


@pytest.mark.parametrize("specialized", [True, False])
@pytest.mark.parametrize(
    ("hidden", "batch_size", "shuffle", "n"),
    [
        ((3,), 1, True, 4),
        ((3,), 3, True, 4),
        ((3,), 1, False, 4),
        ((5, 4), 2, True, 9),
        ((2,), 1, True, 3000),  # orders come in blocks of one epoch
    ],
)
def test_single_steps_equal_one_call(specialized, hidden, batch_size, shuffle, n):
    """One update per call (the packed-argument step kernel, generated or general) gives
    the bits, counters, history and epoch losses of one call for all of them."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(n, 2))
    Y = (rng.random((n, 1)) < 0.5).astype(float)
    spec = NetworkSpec.build(2, hidden, 1)
    settings = TrainingConfig(batch_size=batch_size, shuffle=shuffle, seed=8)
    whole, steps = (Session(spec, X, Y, settings, specialized=specialized) for _ in range(2))
    whole.epoch_losses, steps.epoch_losses = [], []
    per_epoch = whole.batches_per_epoch
    total = 300 * per_epoch + 2 if n < 100 else 2 * per_epoch + 1
    whole.run_batches(total)
    for _ in range(total):
        assert steps.run_batches(1) == 1
    assert np.array_equal(whole.network.buffer, steps.network.buffer)
    assert _state_of(whole) == _state_of(steps)
    for a, b in zip(whole.history.points(), steps.history.points(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert whole.epoch_losses == steps.epoch_losses
    assert len(steps.epoch_losses) == total // per_epoch
    # Mixed: steps and larger calls interleave without changing anything.
    whole.run_batches(2 * per_epoch + 3)
    steps.run_batches(per_epoch)
    for _ in range(3):
        steps.run_batches(1)
    steps.run_batches(per_epoch)
    assert np.array_equal(whole.network.buffer, steps.network.buffer)
    assert _state_of(whole) == _state_of(steps)
    assert whole.epoch_losses == steps.epoch_losses
    assert whole.next_batch().tolist() == steps.next_batch().tolist()


def test_generated_step_equals_general_step():
    spec = NetworkSpec.build(2, (3,), 1)
    sessions = [
        xor_session(seed=2),
        Session(spec, XOR.X, XOR.Y, TrainingConfig(seed=2), specialized=False),
    ]
    assert sessions[0]._step is not sessions[1]._step
    ref = reference_for(sessions[0].network)
    ref_cost = ref.train(
        XOR.X,
        XOR.Y,
        EpochOrders(4, seed_streams(2)[1]).take(0, 1000),
        1,
        sessions[0].alpha,
        sessions[0].momentum,
    )
    for s in sessions:
        s.epoch_losses = []
        for _ in range(4000):
            s.run_batches(1)
    assert np.array_equal(sessions[0].network.buffer, sessions[1].network.buffer)
    assert _state_of(sessions[0]) == _state_of(sessions[1])
    for m in (1, 2):
        np.testing.assert_allclose(sessions[0].network.W[m], ref.W[m], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(sessions[0].epoch_losses, ref_cost / 4, rtol=1e-12)


@pytest.mark.parametrize("specialized", [True, False])
def test_single_steps_stop_at_divergence(specialized):
    problem = make_problem("sine")
    spec = NetworkSpec.build(1, (8,), 1, activation="relu", output_activation="linear")
    settings = TrainingConfig(alpha=1e6)
    whole, steps = (
        Session(spec, problem.X, problem.Y, settings, specialized=specialized) for _ in range(2)
    )
    whole.run_batches(10_000)
    assert whole.diverged
    ran = sum(steps.run_batches(1) for _ in range(10_000))
    assert steps.diverged and ran == whole.updates
    assert steps.run_batches(1) == 0
    assert np.array_equal(whole.network.buffer, steps.network.buffer, equal_nan=True)
    assert _state_of(whole)[:6] == _state_of(steps)[:6]
    steps.restart()
    assert not steps.diverged and steps.run_batches(1) == 1


def test_single_steps_after_restart_and_reseed():
    a, b = xor_session(seed=3), xor_session(seed=3)
    for _ in range(4 * 130 + 1):  # past the pending-epoch buffer once
        a.run_batches(1)
    a.restart()
    assert len(a.history) == 0 and a.updates == 0
    for _ in range(9):
        a.run_batches(1)
    b.run_batches(9)
    assert np.array_equal(a.network.buffer, b.network.buffer)
    assert _state_of(a) == _state_of(b)
    a.reseed(4)
    b.reseed(4)
    a.run_batches(1)
    b.run_batches(1)
    assert np.array_equal(a.network.buffer, b.network.buffer)


def test_a_step_shows_the_loss_it_left_however_slow_the_last_evaluation_was():
    """While a run's frames come, a slow evaluation (a large data set, or a busy machine)
    may be reused for a moment; a step's snapshot (a key, a test's frame) never is: what
    it shows does not depend on how long anything took."""
    import time

    session = xor_session()
    session.snapshot()
    # As if the last evaluation had taken a second and had just ended.
    session._eval_seconds, session._eval_time = 1.0, time.perf_counter()
    before = session.snapshot(fresh=False).loss
    session.run_batches(1)
    session._eval_seconds, session._eval_time = 1.0, time.perf_counter()
    assert session.snapshot(fresh=False).loss == before  # a running frame: reused
    session._eval_seconds, session._eval_time = 1.0, time.perf_counter()
    fresh = session.snapshot().loss
    assert fresh != before and fresh == session.evaluate()
