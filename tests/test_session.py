"""The Session: chunking never changes results, restart and reseed, divergence, history."""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers import reference_for
from tui_backprop.history import LossHistory
from tui_backprop.orders import EpochOrders, seed_streams
from tui_backprop.problems import make_problem
from tui_backprop.session import Session
from tui_backprop.settings import TrainSettings
from tui_backprop.spec import NetworkSpec

XOR = make_problem("xor")


def xor_session(**settings) -> Session:
    spec = NetworkSpec.build(2, (3,), 1)
    return Session(spec, XOR.X, XOR.Y, TrainSettings(**settings))


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
        pieces.epoch, pieces.batch_in_epoch, pieces.updates, pieces.examples_seen)
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
    s = Session(spec, XOR.X, XOR.Y, TrainSettings(), initial=(weights, biases))
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
    s = Session(spec, problem.X, problem.Y, TrainSettings(alpha=1e6))
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
