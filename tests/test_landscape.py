"""The cost landscape: the grid is the reference's cost, and mse has plateaus CE has not."""

from __future__ import annotations

import json

import numpy as np

from tests.helpers import reference_for, run_cli
from tui_backprop.core.config import TrainingConfig
from tui_backprop.core.problems import make_problem
from tui_backprop.core.session import Session
from tui_backprop.core.spec import NetworkSpec
from tui_backprop.teach.landscape import cost_grid, default_parameters, parameter_index


def not_session(cost: str) -> Session:
    problem = make_problem("not")
    return Session(NetworkSpec.build(1, (), 1, cost=cost), problem.X, problem.Y, TrainingConfig())


def test_grid_equals_the_reference_cost():
    session = not_session("mse")
    names = default_parameters(session.network)
    assert names == ["W1[1,1]", "b1[1]"]
    axis, costs = cost_grid(session, names, 15.0, 11)
    ref = reference_for(session.network)
    expected = np.empty_like(costs)
    for i, w in enumerate(axis):
        for j, b in enumerate(axis):
            ref.W[1][0, 0], ref.b[1][0] = w, b
            expected[i, j] = ref.loss(session.X, session.Y)
    np.testing.assert_allclose(costs, expected, rtol=1e-12, atol=1e-15)


def _plateau_fraction(costs: np.ndarray, axis: np.ndarray) -> float:
    gw, gb = np.gradient(costs, axis, axis)
    return float((np.hypot(gw, gb) < 1e-3).mean())


def test_mse_has_plateaus_where_cross_entropy_does_not():
    """The tutorial's point: on mse's flat plateaus descent stalls; cross-entropy has none."""
    fractions = {}
    for cost in ("mse", "cross-entropy"):
        session = not_session(cost)
        axis, costs = cost_grid(session, default_parameters(session.network), 15.0, 61)
        fractions[cost] = _plateau_fraction(costs, axis)
    assert fractions["mse"] > 0.3
    assert fractions["cross-entropy"] < 0.05


def test_a_slice_of_a_larger_network():
    xor = make_problem("xor")
    session = Session(NetworkSpec.build(2, (3,), 1), xor.X, xor.Y, TrainingConfig())
    before = session.network.params.copy()
    axis, costs = cost_grid(session, ["W1[2,1]", "b2[1]"], 2.0, 5)
    assert costs.shape == (5, 5) and np.isfinite(costs).all()
    assert np.array_equal(session.network.params, before)  # nothing moved for good
    index = parameter_index(session.network, "W1[2,1]")
    assert index == 2  # row 2, column 1 of W^1 (3x2), row-major


def test_landscape_cli():
    out = run_cli(
        "landscape",
        "--problem",
        "not",
        "--hidden",
        "0",
        "--cost",
        "mse",
        "--range",
        "15",
        "--grid",
        "61",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["params"] == ["W1[1,1]", "b1[1]"] and len(doc["axis"]) == 61
    assert np.array(doc["costs"]).shape == (61, 61)
    assert doc["axis"][0] == -15 and doc["axis"][-1] == 15
    text = run_cli("landscape", "--problem", "not", "--hidden", "0", "--grid", "21").stdout
    assert "lowest cost" in text
    for args, expected in (
        (["--problem", "xor"], "choose two"),
        (["--grid", "1"], "--grid"),
        (["--problem", "not", "--hidden", "0", "--params", "W3[1,1],b1[1]"], "not in the network"),
        (["--range", "-1"], "--range"),
    ):
        bad = run_cli("landscape", *args)
        assert bad.returncode == 2 and expected in bad.stderr, bad.stderr


def test_a_network_of_one_parameter_is_refused_for_what_it_is():
    """NOT with no hidden layer and no bias has one parameter, W1[1,1]: a landscape needs
    two, and the message says so, suggesting no parameter the network does not have."""
    bad = run_cli("landscape", "--problem", "not", "--hidden", "0", "--no-bias")
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr == (
        "tui-backprop landscape: error: --params cannot name two parameters of the network "
        "1-1: it has one, W1[1,1], and a landscape needs two (biases or a hidden layer give "
        "it more)\n"
    )


def test_the_example_of_two_parameters_names_two_the_network_has():
    for args, example in (
        ([], "'W1[1,1],b1[1]'"),
        (["--no-bias"], "'W1[1,1],W1[1,2]'"),  # no b1[1] to suggest
    ):
        bad = run_cli("landscape", "--problem", "xor", *args)
        assert bad.returncode == 2 and "b1[1]" not in bad.stderr.replace(example, "")
        assert f"; choose two, for example {example}\n" in bad.stderr, bad.stderr
        # and it is one: the landscape takes it
        good = run_cli("landscape", "--problem", "xor", *args, "--params", example.strip("'"))
        assert good.returncode == 0, good.stderr
