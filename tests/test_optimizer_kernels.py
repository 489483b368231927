"""Every update rule in the kernels: against the NumPy reference (to 1e-12), the general and
the generated kernels bit for bit, single steps and batches, a Session's rule, going back,
and the restarts."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kernels
from tests.helpers import random_data
from tests.test_kernels import networks
from tui_backprop.core.config import OPTIMIZERS, TrainingConfig, UpdateRule
from tui_backprop.core.model import Network
from tui_backprop.core.orders import EpochOrders, seed_streams, stream_words
from tui_backprop.core.problems import make_problem
from tui_backprop.core.reference import ReferenceNetwork
from tui_backprop.core.rewind import Rewind
from tui_backprop.core.session import Session
from tui_backprop.core.spec import NetworkSpec
from tui_backprop.core.step_state import rule_values
from tui_backprop.teach.restarts import train_restarts

TOL = 1e-12

SMALL_SPECS = [
    NetworkSpec.build(2, (3,), 1),
    NetworkSpec.build(2, (2,), 1, cost="cross-entropy", beta=1.5),
    NetworkSpec.build(1, (), 1, bias=False),
    NetworkSpec.build(3, (4, 2), 2, activation="tanh", output_activation="linear"),
    NetworkSpec.build(2, (5,), 1, activation="relu", output_activation="tanh", bias=False),
]
SPEC_IDS = [
    f"{s.label}-{'-'.join(s.activations)}{'' if s.bias else '-nobias'}" for s in SMALL_SPECS
]


def _settings(optimizer: str, batch_size: int = 1, seed: int = 5, **rule) -> TrainingConfig:
    rule.setdefault("alpha", 0.05)
    return TrainingConfig(optimizer=optimizer, batch_size=batch_size, seed=seed, **rule)


def _session(spec, X, Y, config, specialized=None) -> Session:
    return Session(spec, X, Y, config, specialized=specialized)


def _reference_run(session: Session, config: TrainingConfig, updates: int) -> ReferenceNetwork:
    """The reference trained from the session's initial weights, on the session's orders,
    for ``updates`` updates of ``config``'s rule."""
    spec = session.spec
    weights, biases = session.initial_parameters()
    ref = ReferenceNetwork(weights, biases, spec.activations, spec.cost, spec.beta, spec.bias)
    n, batch = session.n_examples, config.batch_size
    per_epoch = -(-n // batch)
    epochs = -(-updates // per_epoch)
    orders = EpochOrders(n, seed_streams(config.seed)[1], config.shuffle).take(0, epochs)
    done = 0
    with np.errstate(over="ignore"):
        for epoch in orders:
            for start in range(0, n, batch):
                if done == updates:
                    return ref
                chunk = epoch[start : start + batch]
                for idx in chunk:
                    ref.forward(session.X[idx])
                    ref.backward(session.Y[idx])
                ref.update(len(chunk), 0.0, 0.0, config.rule)
                done += 1
    return ref


def _assert_close_to_reference(session: Session, ref: ReferenceNetwork) -> None:
    net = session.network
    for m in range(1, session.spec.n_layers + 1):
        np.testing.assert_allclose(net.W[m], ref.W[m], rtol=TOL, atol=TOL)
        np.testing.assert_allclose(net.b[m], ref.b[m], rtol=TOL, atol=TOL)
        np.testing.assert_allclose(net.dW[m], ref.dW[m], rtol=TOL, atol=TOL)
        np.testing.assert_allclose(net.db[m], ref.db[m], rtol=TOL, atol=TOL)
        np.testing.assert_allclose(net.sW[m], ref.sW[m], rtol=TOL, atol=TOL)
        np.testing.assert_allclose(net.sb[m], ref.sb[m], rtol=TOL, atol=TOL)
    assert session.optimizer_steps == ref.t


@settings(max_examples=60, deadline=None)
@given(
    spec=networks(),
    optimizer=st.sampled_from(OPTIMIZERS),
    n=st.integers(1, 6),
    batch=st.sampled_from(["one", "two", "full"]),
    updates=st.integers(1, 12),
    weight_decay=st.sampled_from([0.0, 0.03]),
    decay_biases=st.booleans(),
    single_steps=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_every_rule_matches_the_reference(
    spec, optimizer, n, batch, updates, weight_decay, decay_biases, single_steps, seed
):
    """The general kernels (through a Session, so the choice of path is tested too) against
    the reference: parameters, velocity, second and t, to 1e-12."""
    rng = np.random.default_rng(seed)
    X, Y = random_data(spec, n, rng)
    batch_size = {"one": 1, "two": min(2, n), "full": n}[batch]
    config = _settings(
        optimizer,
        batch_size,
        seed=seed,
        weight_decay=weight_decay,
        decay_biases=decay_biases,
        momentum=0.8,
        rho=0.85,
        beta1=0.8,
        beta2=0.95,
        eps=1e-6,
    )
    session = _session(spec, X, Y, config, specialized=False)
    if single_steps:
        for _ in range(updates):
            session.run_batches(1)
    else:
        session.run_batches(updates)
    assert session.updates == updates and not session.diverged
    _assert_close_to_reference(session, _reference_run(session, config, updates))


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_weight_decay_reaches_the_biases_only_when_asked(optimizer):
    """A network with nothing to learn (targets = outputs) still shrinks its weights under
    weight decay; its biases only with decay_biases."""
    spec = NetworkSpec.build(2, (3,), 1, output_activation="linear")
    X = np.zeros((4, 2))
    for decay_biases in (False, True):
        config = _settings(optimizer, 4, weight_decay=0.5, decay_biases=decay_biases)
        session = _session(spec, X, np.zeros((4, 1)), config, specialized=False)
        net = session.network
        net.b[1][...] = 0.25
        net.W[2][...] = 0.0  # the output is 0 = y: no gradient anywhere
        net.W[1][...] = 0.5
        session.run_batches(3)
        assert (np.abs(net.W[1]) < 0.5).all()
        assert (net.b[1] < 0.25).all() == decay_biases
        assert (net.b[1] == 0.25).all() != decay_biases


def _trained(spec, X, Y, config, specialized, plan) -> Session:
    """A Session trained by ``plan``: counts of updates per call (1: a single step)."""
    session = _session(spec, X, Y, config, specialized)
    for count in plan:
        session.run_batches(count)
    return session


@pytest.mark.parametrize("spec", SMALL_SPECS, ids=SPEC_IDS)
@pytest.mark.parametrize("optimizer", [o for o in OPTIMIZERS if o != "momentum"])
def test_generated_and_general_kernels_agree_bit_for_bit(spec, optimizer):
    rng = np.random.default_rng(2)
    X, Y = random_data(spec, 5, rng)
    for batch_size, decay in ((1, 0.0), (3, 0.02), (5, 0.02)):
        config = _settings(optimizer, batch_size, weight_decay=decay, decay_biases=True)
        plan = [7, 1, 1, 30, 1]
        generated = _trained(spec, X, Y, config, True, plan)
        general = _trained(spec, X, Y, config, False, plan)
        assert generated._rule_kernels[0] is not kernels.train_rule
        assert general._rule_kernels[0] is kernels.train_rule
        np.testing.assert_array_equal(generated.network.buffer, general.network.buffer)
        assert generated.history.points()[1].tolist() == general.history.points()[1].tolist()


@pytest.mark.parametrize("specialized", [True, False])
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_single_steps_equal_one_call(specialized, optimizer):
    """run_batches(1) (the step kernels) and one call of the batch kernel: the same bits,
    counters and history, online and in mini-batches, through divergence too."""
    data = make_problem("xor")
    spec = NetworkSpec.build(2, (3,), 1)
    for batch_size, alpha, decay in ((1, 0.1, 0.0), (3, 0.1, 0.01), (1, 1000.0, 1e4)):
        config = _settings(optimizer, batch_size, alpha=alpha, weight_decay=decay)
        whole = _trained(spec, data.X, data.Y, config, specialized, [50])
        steps = _trained(spec, data.X, data.Y, config, specialized, [1] * 50)
        buffers = whole.network.buffer, steps.network.buffer
        np.testing.assert_array_equal(*buffers)
        assert (whole.updates, whole.epoch, whole.diverged, whole.optimizer_steps) == (
            steps.updates,
            steps.epoch,
            steps.diverged,
            steps.optimizer_steps,
        )
        np.testing.assert_array_equal(whole.history.points()[1], steps.history.points()[1])
        if alpha == 1000.0 and optimizer in ("sgd", "momentum", "nesterov"):
            assert whole.diverged and whole.updates < 50


def test_a_rule_with_another_optimizer_starts_its_state_afresh():
    data = make_problem("xor")
    spec = NetworkSpec.build(2, (3,), 1)
    session = _session(spec, data.X, data.Y, _settings("adam"))
    assert session.rule == _settings("adam").rule and session.optimizer == "adam"
    session.run_batches(10)
    net = session.network
    params, velocity, second = net.params.copy(), net.velocity.copy(), net.second.copy()
    assert session.optimizer_steps == 10 and velocity.any() and second.any()
    # Other numbers, the same optimizer: the state is kept.
    session.rule = dataclasses.replace(session.rule, alpha=0.02, beta1=0.5)
    session.alpha = 0.03
    session.momentum = 0.5
    assert session.rule.alpha == 0.03 and session.rule.beta1 == 0.5
    np.testing.assert_array_equal(net.velocity, velocity)
    np.testing.assert_array_equal(net.second, second)
    assert session.optimizer_steps == 10
    # Another optimizer: the state starts at zero, the weights stay.
    session.rule = dataclasses.replace(session.rule, optimizer="rmsprop")
    np.testing.assert_array_equal(net.params, params)
    assert not net.velocity.any() and not net.second.any() and session.optimizer_steps == 0
    # ... and trains as a fresh rmsprop from these weights would.
    session.run_batches(5)
    assert session.optimizer_steps == 5
    with pytest.raises(TypeError):
        session.rule = "adam"  # type: ignore[assignment]


def test_a_saved_state_resumes_exactly():
    """Weights, velocity, second and t copied into a new Session at the same position
    continue bit for bit (what a weights file records)."""
    data = make_problem("xor")
    spec = NetworkSpec.build(2, (3,), 1)
    config = _settings("adam", 1, shuffle=False)
    a = _session(spec, data.X, data.Y, config)
    a.run_batches(40)  # ten whole epochs
    b = _session(spec, data.X, data.Y, config)
    b.network.params[...] = a.network.params
    b.network.velocity[...] = a.network.velocity
    b.network.second[...] = a.network.second
    b.optimizer_steps = a.optimizer_steps
    for _ in range(10):
        b.run_batches(1)  # the orders: b is at epoch 0, a at epoch 10, the same order
    a.run_batches(10)
    np.testing.assert_array_equal(a.network.params, b.network.params)
    np.testing.assert_array_equal(a.network.second, b.network.second)
    assert a.optimizer_steps == b.optimizer_steps == 50
    with pytest.raises(ValueError):
        b.optimizer_steps = -1


@pytest.mark.parametrize("batch_size", [1, 2])
def test_going_back_with_adam_gives_the_same_bits(batch_size):
    data = make_problem("xor")
    spec = NetworkSpec.build(2, (3,), 1)
    session = _session(spec, data.X, data.Y, _settings("adam", batch_size, alpha=0.1))
    rewind = Rewind()
    states = {0: session.network.buffer.copy()}
    rewind.note(session)
    for chunk in (300, 7, 280):
        for _ in range(chunk):
            session.run_batches(1)
            states[session.updates] = session.network.buffer.copy()
        rewind.note(session)
    session.rule = dataclasses.replace(session.rule, optimizer="nesterov")  # a new setting
    rewind.note(session)
    for _ in range(20):
        session.run_batches(1)
        states[session.updates] = session.network.buffer.copy()
    rewind.note(session)
    for target, optimizer in ((597, "nesterov"), (550, "adam"), (307, "adam"), (12, "adam")):
        assert rewind.back_to(session, target) == target
        assert session.optimizer == optimizer
        np.testing.assert_array_equal(session.network.buffer, states[target])
        if optimizer == "adam":
            assert session.optimizer_steps == target
    session.run_batches(30)  # and forward again: the same updates as the first time
    np.testing.assert_array_equal(session.network.buffer, states[42])


@pytest.mark.parametrize("specialized", [True, False])
def test_train_many_rule_equals_networks_alone(specialized):
    spec = NetworkSpec.build(2, (3,), 1)
    rng = np.random.default_rng(4)
    X, Y = random_data(spec, 5, rng)
    count, epochs, batch_size = 5, 6, 2
    per_epoch = -(-5 // batch_size)
    template = Network(spec)
    nets = [Network(spec) for _ in range(count)]
    for net in nets:
        net.initialize(rng)
    nets[2].params[0] = np.inf  # diverges at its first update
    stack = {
        name: np.stack([getattr(net, name) for net in nets])
        for name in ("params", "velocity", "second", "grad", "z", "a", "delta")
    }
    rule = rule_values(UpdateRule(alpha=0.1, optimizer="adam", weight_decay=0.01))
    seeds = range(30, 30 + count)
    streams = np.stack([stream_words(seed_streams(seed)[1]) for seed in seeds])
    orders = np.stack([EpochOrders(5, seed_streams(seed)[1]).take(0, epochs) for seed in seeds])
    epoch_cost, ran = np.zeros((count, epochs)), np.zeros(count, dtype=np.int64)
    steps = np.zeros(count)
    single, many = kernels.rule_trainers(template.layers, template.cost_code, specialized)
    many(
        template.layers,
        template.betas,
        template.cost_code,
        stack["params"],
        stack["velocity"],
        stack["second"],
        stack["grad"],
        stack["z"],
        stack["a"],
        stack["delta"],
        X,
        Y,
        streams,
        True,
        batch_size,
        epochs,
        rule,
        steps,
        epoch_cost,
        ran,
    )
    for r, net in enumerate(nets):
        cost = np.zeros(epochs)
        alone = single(
            net.layers,
            net.betas,
            net.cost_code,
            net.params,
            net.velocity,
            net.second,
            net.grad,
            net.z,
            net.a,
            net.delta,
            X,
            Y,
            orders[r],
            batch_size,
            0,
            epochs * per_epoch,
            rule,
            net.steps,
            cost,
        )
        assert ran[r] == alone == (1 if r == 2 else epochs * per_epoch)
        assert steps[r] == net.steps[0] == alone
        np.testing.assert_array_equal(stack["params"][r], net.params)
        np.testing.assert_array_equal(stack["second"][r], net.second)
        np.testing.assert_array_equal(epoch_cost[r], cost)


@pytest.mark.parametrize(
    ("optimizer", "batch_size"), [("adam", 1), ("rmsprop", 2), ("sgd", 1), ("nesterov", 4)]
)
def test_restarts_with_a_rule_reproduce_single_runs(optimizer, batch_size):
    xor = make_problem("xor")
    spec = NetworkSpec.build(2, (2,), 1)
    config = _settings(optimizer, batch_size, seed=40, alpha=0.05, epochs=60, weight_decay=0.001)
    count = 5
    result = train_restarts(spec, xor.X, xor.Y, config, count, block=3, report_every=25)
    for r, seed in enumerate(result.seeds):
        single = _session(spec, xor.X, xor.Y, dataclasses.replace(config, seed=int(seed)))
        single.run_epochs(60)
        assert single.evaluate() == result.final_losses[r]


def test_warm_up_compiles_the_rule_kernels_and_changes_nothing():
    data = make_problem("xor")
    spec = NetworkSpec.build(2, (3,), 1)
    session = _session(spec, data.X, data.Y, _settings("adagrad", 2))
    session.run_batches(3)
    before = session.network.buffer.copy(), session._data.copy(), session._state.copy()
    session.warm_up(single_steps=True)
    after = session.network.buffer, session._data, session._state
    for x, y in zip(before, after, strict=True):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("updates", [1, 20])
def test_the_snapshot_shows_the_change_the_last_update_made(optimizer, updates):
    """weight_changes and bias_changes are theta after the last update minus theta before
    it, under every rule (under nesterov and adam the velocity is v or m, not d), after a
    single step and after a long call (the general kernel's path and the generated's)."""
    problem = make_problem("xor")
    for hidden in ((3,), (8, 8)):  # generated kernels, general ones
        spec = NetworkSpec.build(2, hidden, 1)

        settings = TrainingConfig(seed=0, optimizer=optimizer, alpha=0.05)
        before = Session(spec, problem.X, problem.Y, settings)
        if updates > 1:
            before.run_batches(updates - 1)
        after = Session(spec, problem.X, problem.Y, settings)
        after.run_batches(updates)
        snap = after.snapshot()
        old, new = before.snapshot(), snap
        for m in range(1, spec.n_layers + 1):
            step_W = new.weights[m] - old.weights[m]
            step_b = new.biases[m] - old.biases[m]
            assert np.abs(step_W).max() > 0.0
            np.testing.assert_allclose(snap.weight_changes[m], step_W, rtol=1e-9, atol=1e-15)
            np.testing.assert_allclose(snap.bias_changes[m], step_b, rtol=1e-9, atol=1e-15)


def test_adams_last_change_of_a_parameter_that_never_moved_is_zero_not_minus_zero():
    """A weight fed only by a zero input has gradient 0 and moves by 0: the panel's
    "last change" reads +0.000, not -0.000."""
    from tui_backprop.core.optimizers import last_change

    rule = UpdateRule(alpha=0.1, optimizer="adam")
    change = last_change(rule, np.array([0.0, 0.5]), np.array([0.0, 0.25]), 3)
    assert change[0] == 0.0 and not np.signbit(change[0]) and change[1] < 0.0
    for optimizer in OPTIMIZERS:  # sgd's -alpha 0 is -0.0 in the state itself
        rule = UpdateRule(alpha=0.1, optimizer=optimizer)
        change = last_change(rule, np.array([-0.0, 0.5]), np.array([-0.0, 0.25]), 3)
        assert change[0] == 0.0 and not np.signbit(change[0]), optimizer


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_the_last_change_stays_the_one_made_when_the_rules_numbers_change(optimizer):
    """+ or - between updates keeps the state (and adam's m, s, t): the last change shown
    is still the one the last update made with the alpha it had, not one worked out with
    the new alpha; the next update's is the new alpha's."""
    problem = make_problem("xor")
    spec = NetworkSpec.build(2, (3,), 1)
    session = Session(spec, problem.X, problem.Y, TrainingConfig(seed=0, optimizer=optimizer))
    session.run_batches(3)
    before = session.network.params.copy()
    session.run_batches(1)
    made = session.network.params - before
    shown = session.snapshot().weight_changes[1]
    session.alpha = session.alpha * 10
    again = session.snapshot().weight_changes[1]
    np.testing.assert_array_equal(again, shown)
    np.testing.assert_allclose(again, made[: again.size].reshape(again.shape), rtol=1e-9)
    before = session.network.params.copy()
    session.run_batches(1)
    made = (session.network.params - before)[: again.size].reshape(again.shape)
    np.testing.assert_allclose(session.snapshot().weight_changes[1], made, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_the_last_change_stays_when_the_optimizer_changes_its_state_from_zero(optimizer):
    """O starts the new optimizer's state from zero, but the weights did move at the last
    update: the change shown stays that one until the next update."""
    problem = make_problem("xor")
    spec = NetworkSpec.build(2, (3,), 1)
    session = Session(spec, problem.X, problem.Y, TrainingConfig(seed=0, optimizer=optimizer))
    session.run_batches(2)
    before = session.network.params.copy()
    session.run_batches(1)
    made = (session.network.params - before)[:6].reshape(3, 2)
    other = "sgd" if optimizer != "sgd" else "adam"
    session.rule = UpdateRule(alpha=0.05, optimizer=other)
    shown = session.snapshot().weight_changes[1]
    assert np.abs(shown).max() > 0.0
    np.testing.assert_allclose(shown, made, rtol=1e-9, atol=1e-15)
