"""The tutorial's initialisation: W^m = 0.5 sqrt(6 / (N^{m-1} + N^m)) * N(0, 1), from the seed."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from tests.helpers import run_cli
from tui_backprop.core.config import TrainingConfig
from tui_backprop.core.errors import InputError
from tui_backprop.core.model import Network, init_scale
from tui_backprop.core.orders import seed_streams
from tui_backprop.core.problems import make_problem
from tui_backprop.core.session import Session
from tui_backprop.core.spec import NetworkSpec
from tui_backprop.teach.restarts import train_restarts


def test_tutorial_weights_are_the_formula_times_the_seeds_standard_normals():
    spec = NetworkSpec.build(2, (3,), 1, init_scheme="tutorial")
    problem = make_problem("xor")
    session = Session(spec, problem.X, problem.Y, TrainingConfig(seed=7))
    weights, biases = session.initial_parameters()
    # Each layer's theta = [W | b] is drawn at once, the bias column last.
    draws = seed_streams(7)[0].standard_normal(3 * 3 + 1 * 4)
    theta1 = 0.5 * math.sqrt(6 / 5) * draws[:9].reshape(3, 3)
    theta2 = 0.5 * math.sqrt(6 / 4) * draws[9:].reshape(1, 4)
    np.testing.assert_array_equal(weights[0], theta1[:, :2])
    np.testing.assert_array_equal(biases[0], theta1[:, 2])
    np.testing.assert_array_equal(weights[1], theta2[:, :3])
    np.testing.assert_array_equal(biases[1], theta2[:, 3])


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_tutorial_scale_for_every_activation_and_auto_unchanged(activation):
    assert init_scale(activation, 30, 10, "tutorial") == ("normal", 0.5 * math.sqrt(6 / 40))
    expected = (
        ("normal", math.sqrt(2 / 30)) if activation == "relu" else ("uniform", math.sqrt(6 / 40))
    )
    assert init_scale(activation, 30, 10) == expected


def test_tutorial_weights_have_the_tutorials_spread():
    spec = NetworkSpec.build(300, (100,), 1, init_scheme="tutorial")
    net = Network(spec)
    net.initialize(np.random.default_rng(0))
    assert abs(net.W[1].std() - 0.5 * math.sqrt(6 / 400)) < 0.01 * 0.5 * math.sqrt(6 / 400) * 5
    assert abs(net.W[1].mean()) < 0.005
    assert (net.W[1] < 0).any() and np.abs(net.W[1]).max() > math.sqrt(6 / 400) * 0.5 * 3


def test_unknown_scheme_is_refused():
    with pytest.raises(InputError, match="init.scheme must be one of auto, tutorial, got 'xavier'"):
        NetworkSpec.build(2, (3,), 1, init_scheme="xavier")


def test_restarts_use_the_same_scheme_as_a_single_run():
    problem = make_problem("xor")
    spec = NetworkSpec.build(2, (3,), 1, init_scheme="tutorial")
    settings = TrainingConfig(alpha=0.5, momentum=0.0, batch_size=4, epochs=20, seed=4)
    result = train_restarts(spec, problem.X, problem.Y, settings, count=2)
    single = Session(
        spec,
        problem.X,
        problem.Y,
        TrainingConfig(alpha=0.5, momentum=0.0, batch_size=4, epochs=20, seed=5),
    )
    single.run_epochs(20)
    assert result.final_losses[1] == single.evaluate()


def test_cli_option_reaches_the_network():
    tutorial = json.loads(
        run_cli(
            "train", "--init-scheme", "tutorial", "--epochs", "1", "--alpha", "1e-9", "--json"
        ).stdout
    )
    auto = json.loads(run_cli("train", "--epochs", "1", "--alpha", "1e-9", "--json").stdout)
    assert tutorial["init_scheme"] == "tutorial" and auto["init_scheme"] == "auto"
    assert tutorial["weights"] != auto["weights"]
    bad = run_cli("train", "--init-scheme", "xavier")
    assert bad.returncode == 2 and "--init-scheme" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
