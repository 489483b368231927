"""The Numba kernels against the readable NumPy reference, to 1e-12."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import kernels
from tests.helpers import random_data, reference_for
from tui_backprop.core.model import Network
from tui_backprop.core.orders import EpochOrders
from tui_backprop.core.spec import NetworkSpec

TOL = 1e-12
#: Weights a compared run stays under: one that grows past it (linear layers with
#: momentum run away) multiplies every rounding difference each update, and one that
#: diverges stops early; neither can agree to TOL, and neither is what is compared.
BOUNDED = 10.0


@st.composite
def networks(draw):
    """A random fully connected spec: depth 1-4, widths 1-6, any valid activation mix."""
    n_layers = draw(st.integers(1, 4))
    sizes = tuple(draw(st.integers(1, 6)) for _ in range(n_layers + 1))
    hidden = draw(
        st.lists(
            st.sampled_from(["sigmoid", "tanh", "relu", "linear"]),
            min_size=n_layers - 1,
            max_size=n_layers - 1,
        )
    )
    cost = draw(st.sampled_from(["mse", "cross-entropy"]))
    output = (
        "sigmoid"
        if cost == "cross-entropy"
        else draw(st.sampled_from(["sigmoid", "tanh", "linear", "relu"]))
    )
    beta = draw(st.sampled_from([1.0, 0.5, 2.5]))
    bias = draw(st.booleans())
    return NetworkSpec(sizes, (*hidden, output), cost=cost, beta=beta, bias=bias)


def train_both(spec, n, epochs, batch_size, alpha, momentum, seed):
    """Train a kernel Network and a ReferenceNetwork from the same start; return both."""
    rng = np.random.default_rng(seed)
    X, Y = random_data(spec, n, rng)
    net = Network(spec)
    net.initialize(rng)
    if spec.bias:  # non-zero biases, so the bias paths matter from the first step
        for m in range(1, spec.n_layers + 1):
            net.b[m][...] = rng.normal(scale=0.3, size=net.b[m].shape)
    ref = reference_for(net)
    order = EpochOrders(n, rng).take(0, epochs)
    epoch_cost = np.zeros(epochs)
    per_epoch = -(-n // batch_size)
    ran = kernels.train_batches(
        net.layers,
        net.betas,
        net.cost_code,
        net.params,
        net.velocity,
        net.grad,
        net.z,
        net.a,
        net.delta,
        X,
        Y,
        order,
        batch_size,
        0,
        epochs * per_epoch,
        alpha,
        momentum,
        epoch_cost,
    )
    ref_cost = ref.train(X, Y, order, batch_size, alpha, momentum)
    return net, ref, X, Y, ran, epochs * per_epoch, epoch_cost, ref_cost


@settings(max_examples=150, deadline=None)
@given(
    spec=networks(),
    n=st.integers(1, 9),
    epochs=st.integers(1, 4),
    batch=st.integers(1, 9),
    alpha=st.sampled_from([0.01, 0.05, 0.1]),
    momentum=st.sampled_from([0.0, 0.5, 0.9]),
    seed=st.integers(0, 2**32 - 1),
)
def test_training_matches_reference(spec, n, epochs, batch, alpha, momentum, seed):
    batch = min(batch, n)
    net, ref, X, Y, ran, planned, epoch_cost, ref_cost = train_both(
        spec, n, epochs, batch, alpha, momentum, seed
    )
    weights = np.concatenate([ref.W[m].ravel() for m in range(1, spec.n_layers + 1)])
    assume(np.isfinite(ref_cost).all() and np.all(np.abs(weights) < BOUNDED))
    assert ran == planned
    for m in range(1, spec.n_layers + 1):
        np.testing.assert_allclose(net.W[m], ref.W[m], rtol=TOL, atol=TOL)
        np.testing.assert_allclose(net.b[m], ref.b[m], rtol=TOL, atol=TOL)
        np.testing.assert_allclose(net.dW[m], ref.dW[m], rtol=TOL, atol=TOL)
        np.testing.assert_allclose(net.db[m], ref.db[m], rtol=TOL, atol=TOL)
    np.testing.assert_allclose(epoch_cost, ref_cost, rtol=TOL, atol=TOL)
    if not spec.bias:
        assert all(not net.b[m].any() for m in range(1, spec.n_layers + 1))


def online_run(spec, n, updates, alpha, seed, by_columns, scale=1.0):
    """``updates`` online updates from a seeded start on random data (inputs times
    ``scale``): in one call of the column-stored kernel, or one update per call of
    ``train_batches`` (the row-stored path). Returns the updates run and every array the
    kernels write."""
    rng = np.random.default_rng(seed)
    X, Y = random_data(spec, n, rng)
    X *= scale
    net = Network(spec)
    net.initialize(rng)
    if spec.bias:
        for m in range(1, spec.n_layers + 1):
            net.b[m][...] = rng.normal(scale=0.3, size=net.b[m].shape)
    order = EpochOrders(n, rng).take(0, -(-updates // n))
    epoch_cost = np.zeros(order.shape[0])
    arrays = (net.layers, net.betas, net.cost_code, net.params, net.velocity)
    if by_columns:
        ran = kernels.dense.train_online_by_columns(
            *arrays, net.z, net.a, net.delta, X, Y, order, 0, updates, alpha, 0.9, epoch_cost
        )
    else:
        ran = 0
        while ran < updates:
            step = kernels.train_batches(
                *arrays,
                net.grad,
                net.z,
                net.a,
                net.delta,
                X,
                Y,
                order,
                1,
                ran,
                1,
                alpha,
                0.9,
                epoch_cost,
            )
            ran += 1
            if not (np.isfinite(epoch_cost).all() and np.isfinite(net.params).all()):
                assert step == 1
                break
    first_node = spec.sizes[0]  # z and delta hold nothing for the inputs
    return (
        ran,
        net.params,
        net.velocity,
        net.z[first_node:],
        net.a,
        net.delta[first_node:],
        epoch_cost,
    )


@settings(max_examples=60, deadline=None)
@given(
    spec=networks(),
    n=st.integers(1, 9),
    extra=st.integers(0, 20),
    alpha=st.sampled_from([0.1, 3.0, 1e6]),
    seed=st.integers(0, 2**32 - 1),
)
def test_weights_stored_by_columns_give_the_same_bits(spec, n, extra, alpha, seed):
    """Long online calls train on a column-stored copy of the weights, with the next
    example's forward pass fused into the update: every number equals the row-stored
    kernel's, through divergence too (alpha 1e6 makes some runs blow up)."""
    assert_same_online_runs(spec, n, kernels.dense.COLUMNS_MIN_UPDATES + extra, alpha, seed)


def assert_same_online_runs(spec, n, updates, alpha, seed, scale=1.0):
    by_columns = online_run(spec, n, updates, alpha, seed, True, scale)
    by_rows = online_run(spec, n, updates, alpha, seed, False, scale)
    assert by_columns[0] == by_rows[0]
    for ours, theirs in zip(by_columns[1:], by_rows[1:], strict=True):
        np.testing.assert_array_equal(ours, theirs)
    return by_columns[0]


@pytest.mark.parametrize(
    "spec",
    [
        NetworkSpec((3, 8, 2), ("relu", "linear")),
        NetworkSpec((3, 8, 6, 2), ("tanh", "relu", "linear"), bias=False),
    ],
)
def test_weights_stored_by_columns_stop_where_rows_stop(spec):
    """A run that blows up stops after the same update, with the same numbers."""
    updates = 4 * kernels.dense.COLUMNS_MIN_UPDATES
    assert assert_same_online_runs(spec, 7, updates, 1e6, seed=3) < updates


@pytest.mark.parametrize(
    "spec", [NetworkSpec((1, 1), ("linear",)), NetworkSpec((2, 3, 1), ("relu", "linear"))]
)
def test_weights_stored_by_columns_stop_at_an_infinite_weight(spec):
    """Inputs near 1e10 and alpha 1e300: the first update makes a weight infinite while
    the cost it was computed from (about 1e19) is finite, so only the test of the
    parameters can stop the run there."""
    updates = kernels.dense.COLUMNS_MIN_UPDATES
    assert assert_same_online_runs(spec, 3, updates, 1e300, seed=0, scale=1e10) == 1


@settings(max_examples=60, deadline=None)
@given(spec=networks(), n=st.integers(1, 8), seed=st.integers(0, 2**32 - 1))
def test_evaluate_and_gradient_match_reference(spec, n, seed):
    rng = np.random.default_rng(seed)
    X, Y = random_data(spec, n, rng)
    net = Network(spec)
    net.initialize(rng)
    ref = reference_for(net)
    outputs = np.zeros((n, spec.sizes[-1]))
    costs = np.zeros(n)
    loss = kernels.evaluate(
        net.layers, net.betas, net.cost_code, net.params, net.z, net.a, X, Y, outputs, costs
    )
    assert loss == pytest.approx(ref.loss(X, Y), rel=TOL, abs=TOL)
    for k in range(n):
        np.testing.assert_allclose(outputs[k], ref.forward(X[k]), rtol=TOL, atol=TOL)
        assert costs[k] == pytest.approx(ref.cost(Y[k]), rel=TOL, abs=TOL)

    grad = np.zeros_like(net.params)
    kernels.mean_gradient(
        net.layers,
        net.betas,
        net.cost_code,
        net.params,
        net.z,
        net.a,
        net.delta,
        X,
        Y,
        np.arange(n),
        grad,
    )
    grads_w, grads_b = ref.mean_gradient(X, Y)
    for m in range(1, spec.n_layers + 1):
        w0 = net.layers[m, kernels.W_OFFSET]
        b0 = net.layers[m, kernels.B_OFFSET]
        np.testing.assert_allclose(
            grad[w0:b0].reshape(net.W[m].shape), grads_w[m - 1], rtol=TOL, atol=TOL
        )
        np.testing.assert_allclose(
            grad[b0 : b0 + spec.sizes[m]], grads_b[m - 1], rtol=TOL, atol=TOL
        )


def test_one_neuron_update_by_hand():
    """The tutorial's neuron, no bias: w <- w - alpha (a - y) a (1 - a) x, computed here
    independently of both implementations."""
    spec = NetworkSpec((1, 1), ("sigmoid",), bias=False)
    net = Network(spec)
    net.W[1][0, 0] = 5.0
    x, y, alpha = 0.25, 0.0, 0.5
    a = 1.0 / (1.0 + math.exp(-5.0 * x))
    expected = 5.0 - alpha * (a - y) * a * (1.0 - a) * x
    ran = kernels.train_batches(
        net.layers,
        net.betas,
        net.cost_code,
        net.params,
        net.velocity,
        net.grad,
        net.z,
        net.a,
        net.delta,
        np.array([[x]]),
        np.array([[y]]),
        np.zeros((1, 1), dtype=np.int64),
        1,
        0,
        1,
        alpha,
        0.0,
        np.zeros(1),
    )
    assert ran == 1
    assert net.W[1][0, 0] == pytest.approx(expected, rel=1e-15)
    assert net.b[1][0] == 0.0


def test_cross_entropy_delta_is_beta_times_error():
    """With a sigmoid output and cross-entropy, delta^L = beta (a - y): compare with the
    chain rule written out, dC/da * sigma'(z), for moderate z where both are accurate."""
    beta = 1.7
    spec = NetworkSpec((3, 2), ("sigmoid",), cost="cross-entropy", beta=beta)
    rng = np.random.default_rng(4)
    net = Network(spec)
    net.initialize(rng)
    X, Y = random_data(spec, 1, rng)
    grad = np.zeros_like(net.params)
    kernels.mean_gradient(
        net.layers,
        net.betas,
        net.cost_code,
        net.params,
        net.z,
        net.a,
        net.delta,
        X,
        Y,
        np.arange(1),
        grad,
    )
    a = net.layer_values(net.a, 1)
    dC_da = -Y[0] / a + (1 - Y[0]) / (1 - a)
    chain = dC_da * beta * a * (1 - a)
    np.testing.assert_allclose(net.layer_values(net.delta, 1), chain, rtol=1e-12)
    np.testing.assert_allclose(net.layer_values(net.delta, 1), beta * (a - Y[0]), rtol=1e-14)


def test_cross_entropy_cost_equals_the_log_formula():
    spec = NetworkSpec((2, 3), ("sigmoid",), cost="cross-entropy", beta=0.8)
    rng = np.random.default_rng(7)
    net = Network(spec)
    net.initialize(rng)
    X, Y = random_data(spec, 5, rng)
    outputs, costs = np.zeros((5, 3)), np.zeros(5)
    kernels.evaluate(
        net.layers, net.betas, net.cost_code, net.params, net.z, net.a, X, Y, outputs, costs
    )
    naive = -np.sum(Y * np.log(outputs) + (1 - Y) * np.log(1 - outputs), axis=1)
    np.testing.assert_allclose(costs, naive, rtol=1e-12)


def test_saturated_cross_entropy_stays_finite():
    """a rounds to exactly 1.0 at z = 40, where ln(1 - a) would be -inf; the cost must
    still be the true (large, finite) value beta z (1 - y)."""
    spec = NetworkSpec((1, 1), ("sigmoid",), cost="cross-entropy")
    net = Network(spec)
    net.W[1][0, 0] = 40.0
    outputs, costs = np.zeros((1, 1)), np.zeros(1)
    kernels.evaluate(
        net.layers,
        net.betas,
        net.cost_code,
        net.params,
        net.z,
        net.a,
        np.array([[1.0]]),
        np.array([[0.0]]),
        outputs,
        costs,
    )
    assert outputs[0, 0] == 1.0
    assert costs[0] == pytest.approx(40.0, rel=1e-12)


def test_divergence_stops_the_kernel_early():
    spec = NetworkSpec((1, 8, 1), ("relu", "linear"))
    rng = np.random.default_rng(0)
    net = Network(spec)
    net.initialize(rng)
    X = rng.normal(size=(20, 1)) * 10
    Y = X * 3
    order = np.tile(np.arange(20), (100, 1))
    epoch_cost = np.zeros(100)
    ran = kernels.train_batches(
        net.layers,
        net.betas,
        net.cost_code,
        net.params,
        net.velocity,
        net.grad,
        net.z,
        net.a,
        net.delta,
        X,
        Y,
        order,
        1,
        0,
        2000,
        1e6,
        0.9,
        epoch_cost,
    )
    assert 0 < ran < 2000
    # It stopped right after the batch whose cost or update was no longer finite.
    last_epoch = (ran - 1) // 20
    assert not (
        np.isfinite(epoch_cost[last_epoch])
        and np.isfinite(net.params).all()
        and np.isfinite(net.velocity).all()
    )
    assert not epoch_cost[last_epoch + 1 :].any()


def test_kernels_are_really_compiled():
    """Fails if numba's JIT is disabled or a kernel fell back to plain Python."""
    from numba.core.registry import CPUDispatcher

    from tui_backprop.core.config import TrainingConfig
    from tui_backprop.core.session import Session

    spec = NetworkSpec.build(2, (3,), 1)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    Y = np.array([[0], [1], [1], [0]], dtype=float)
    session = Session(spec, X, Y, TrainingConfig())
    session.run_batches(3)
    session.evaluate()
    for name, kernel in kernels.all_kernels().items():
        if name in ("mean_gradient", "mean_cost", "relu_pattern"):
            continue
        assert isinstance(kernel, CPUDispatcher), name
        assert kernel.signatures, f"{name} never compiled"
        assert kernel.targetoptions.get("nogil"), name
        assert not kernel.targetoptions.get("fastmath"), name


def test_exp_is_within_one_ulp_of_libm():
    """The kernels' own e^x (which vectorises) against math.exp, over the whole range where
    e^x is neither 0 nor inf, near 0, and where the results are subnormal."""
    rng = np.random.default_rng(5)
    xs = np.concatenate(
        [
            rng.uniform(-745.0, 709.7, 100_000),
            rng.uniform(-1.0, 1.0, 50_000),
            rng.uniform(-745.1, -708.0, 20_000),
            [0.0, -0.0, 1.0, -1.0],
        ]
    )
    ours = np.array([kernels.dense.exp(float(x)) for x in xs])
    libm = np.array([math.exp(x) for x in xs])
    ulps = np.abs(ours - libm) / np.spacing(np.abs(libm))
    assert ulps.max() <= 1.0
    assert (ours != libm).mean() < 0.2  # mostly the correctly rounded value itself


def test_vectorised_sigmoid_gives_the_scalar_bits():
    """A layer's sigmoids, computed in a vectorised loop, equal one-by-one calls."""
    z = np.random.default_rng(6).normal(scale=30.0, size=1001)
    a = np.empty_like(z)
    kernels.dense.activate_all(kernels.SIGMOID, 1.5, z, a)
    one_by_one = [kernels.dense.activate(kernels.SIGMOID, 1.5, float(v)) for v in z]
    assert np.array_equal(a, one_by_one)
    assert np.allclose(a, 1.0 / (1.0 + np.exp(-1.5 * z)), rtol=1e-15, atol=0.0)


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (0.0, 1.0),
        (709.78, math.exp(709.78)),
        (709.8, math.inf),
        (1e300, math.inf),
        (math.inf, math.inf),
        (-745.2, 0.0),
        (-1e300, 0.0),
        (-math.inf, 0.0),
        (-745.13, 5e-324),
        (-740.0, math.exp(-740.0)),
    ],
)
def test_exp_edges(x, expected):
    assert kernels.dense.exp(x) == expected


def test_exp_keeps_nan():
    assert math.isnan(kernels.dense.exp(math.nan))
