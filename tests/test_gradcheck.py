"""Gradients against central finite differences: the kernels, the reference, the checker."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import tui_backprop.teach.gradcheck as gradcheck
from tests.helpers import random_data, reference_for
from tests.test_kernels import networks
from tui_backprop.core.config import GRADCHECK_TOLERANCE, TrainingConfig
from tui_backprop.core.model import Network
from tui_backprop.core.session import Session
from tui_backprop.core.spec import NetworkSpec


def session_for(spec: NetworkSpec, n: int, seed: int) -> Session:
    X, Y = random_data(spec, n, np.random.default_rng(seed))
    return Session(spec, X, Y, TrainingConfig(seed=seed % 2**32))


@settings(max_examples=60, deadline=None)
@given(spec=networks(), n=st.integers(1, 6), seed=st.integers(0, 2**31))
def test_backprop_matches_finite_differences(spec, n, seed):
    session = session_for(spec, n, seed)
    for check in gradcheck.check_gradients(session):
        assert check.worst <= GRADCHECK_TOLERANCE, check
    # and for one example alone
    for check in gradcheck.check_gradients(session, np.array([n - 1])):
        assert check.worst <= GRADCHECK_TOLERANCE, check


@settings(max_examples=30, deadline=None)
@given(spec=networks(), n=st.integers(1, 5), seed=st.integers(0, 2**31))
def test_reference_gradient_matches_finite_differences(spec, n, seed):
    """The oracle is checked on its own, with its own loss, so it cannot share a slip
    with the kernels."""
    rng = np.random.default_rng(seed)
    X, Y = random_data(spec, n, rng)
    net = Network(spec)
    net.initialize(rng)
    ref = reference_for(net)
    grads_w, grads_b = ref.mean_gradient(X, Y)
    h = 1e-5
    params = [(ref.W, grads_w)] + ([(ref.b, grads_b)] if spec.bias else [])
    for arrays, grads in params:
        for m in range(1, spec.n_layers + 1):
            theta = arrays[m]
            for idx in np.ndindex(theta.shape):
                saved = theta[idx]
                theta[idx] = saved + h
                plus = ref.loss(X, Y)
                theta[idx] = saved - h
                minus = ref.loss(X, Y)
                theta[idx] = saved
                numeric = (plus - minus) / (2 * h)
                analytic = grads[m - 1][idx]
                if "relu" in spec.activations and abs(numeric - analytic) > 1e-6:
                    continue  # a +-h step across a relu kink; counted by the kernel check
                err = abs(numeric - analytic) / max(abs(numeric), abs(analytic), 1e-4)
                assert err <= 1e-5, (m, idx, analytic, numeric)


def test_a_planted_slip_is_found(monkeypatch):
    """A sign slip in one entry of W^1's gradient must fail layer 1 and only layer 1."""
    spec = NetworkSpec.build(2, (3,), 1)
    session = session_for(spec, 4, 1)
    honest = gradcheck.backprop_gradient

    def slipped(s, indices):
        grad = honest(s, indices)
        grad[1] = -grad[1]
        return grad

    monkeypatch.setattr(gradcheck, "backprop_gradient", slipped)
    layer1, layer2 = gradcheck.check_gradients(session)
    assert layer1.weights_error > 1.0
    assert layer2.worst <= GRADCHECK_TOLERANCE


def test_relu_kinks_are_counted_not_hidden():
    """XOR's (0, 0) example gives every hidden relu z = b = 0 at the start: the biases'
    finite differences straddle the kink and are reported as such."""
    from tui_backprop.core.problems import make_problem

    xor = make_problem("xor")
    spec = NetworkSpec.build(2, (3,), 1, activation="relu")
    session = Session(spec, xor.X, xor.Y, TrainingConfig())
    layer1, layer2 = gradcheck.check_gradients(session)
    assert layer1.kinks == 3  # b^1_1..3
    assert layer2.kinks == 0
    assert max(layer1.worst, layer2.worst) <= GRADCHECK_TOLERANCE


def test_no_bias_network_checks_weights_only():
    spec = NetworkSpec.build(1, (2,), 1, bias=False)
    session = session_for(spec, 3, 2)
    checks = gradcheck.check_gradients(session)
    assert [c.biases_error for c in checks] == [None, None]
    assert [c.checked for c in checks] == [2, 2]


def test_large_networks_are_sampled():
    spec = NetworkSpec.build(8, (40,), 3)
    session = session_for(spec, 3, 0)
    checks = gradcheck.check_gradients(session, max_parameters=100)
    assert sum(c.checked for c in checks) == 100
    assert max(c.worst for c in checks) <= GRADCHECK_TOLERANCE
