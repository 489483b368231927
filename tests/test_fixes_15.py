"""Tutorial fidelity: accuracy at the targets' middle, the restarts' threshold by cost,
the tutorial scheme's biases, lessons refused by commands that cannot open their scene."""

from __future__ import annotations

import json
import math

import numpy as np

from tests.helpers import run_cli
from tui_backprop.core.model import Network
from tui_backprop.core.problem import accuracy
from tui_backprop.core.spec import NetworkSpec


# -- accuracy ---------------------------------------------------------------------------
def test_tanh_output_that_learned_xor_is_fully_accurate():
    result = run_cli(
        "train", "--problem", "xor", "--activation", "tanh", "--output-activation", "tanh"
    )
    assert result.returncode == 0, result.stderr
    assert "accuracy      100.0%" in result.stdout
    document = json.loads(
        run_cli(
            "train",
            "--problem",
            "xor",
            "--activation",
            "tanh",
            "--output-activation",
            "tanh",
            "--json",
        ).stdout
    )
    assert document["final_loss"] < 0.01 and document["accuracy"] == 1.0


def test_accuracy_thresholds_at_the_middle_of_each_outputs_targets():
    targets = np.array([[0.0, -1.0], [1.0, 1.0], [1.0, -1.0]])
    # First output: middle 0.5; second: middle 0.
    assert accuracy(np.array([[0.4, -0.2], [0.6, 0.1], [0.9, -0.9]]), targets) == 1.0
    assert accuracy(np.array([[0.2, -0.5], [0.3, 0.5], [0.9, -0.9]]), targets) == 2 / 3


def test_accuracy_of_targets_all_one_value_is_judged_at_one_half():
    """The neuron lesson's targets are all 0: an output above 0.5 is wrong (the middle
    of one value is no middle: every output "predicted" 0 and scored 100%)."""
    zeros = np.zeros((4, 1))
    assert accuracy(np.array([[0.6], [0.9], [0.4], [0.1]]), zeros) == 0.5
    assert accuracy(np.full((4, 1), 0.99), zeros) == 0.0
    assert accuracy(np.array([[0.7], [0.2]]), np.ones((2, 1))) == 0.5


# -- tutorial init ----------------------------------------------------------------------
def test_tutorial_init_draws_biases_like_the_weights():
    spec = NetworkSpec.build(300, (100,), 1, init_scheme="tutorial")
    net = Network(spec)
    net.initialize(np.random.default_rng(3))
    scale = 0.5 * math.sqrt(6 / 400)
    biases = net.b[1]
    assert (biases != 0).all()
    assert abs(biases.std() - scale) < 0.25 * scale  # 100 draws
    assert abs(net.W[1].std() - scale) < 0.05 * scale
    again = Network(spec)
    again.initialize(np.random.default_rng(3))
    np.testing.assert_array_equal(again.params, net.params)


def test_auto_init_keeps_biases_zero_and_tutorial_reaches_the_cli():
    net = Network(NetworkSpec.build(2, (3,), 1))
    net.initialize(np.random.default_rng(3))
    assert all((b == 0).all() for b in net.biases())
    runs = [
        json.loads(
            run_cli(
                "train",
                "--init-scheme",
                "tutorial",
                "--seed",
                "5",
                "--epochs",
                "1",
                "--alpha",
                "1e-12",
                "--momentum",
                "0",
                "--json",
            ).stdout
        )
        for _ in range(2)
    ]
    assert runs[0]["biases"] == runs[1]["biases"]
    assert all(abs(b) > 1e-6 for layer in runs[0]["biases"] for b in layer)


# -- restarts threshold -----------------------------------------------------------------
def test_restarts_cross_entropy_default_threshold_counts_learned_runs_and_says_so():
    args = ("restarts", "--lesson", "xor-221", "--count", "20")
    document = json.loads(run_cli(*args, "--json").stdout)
    assert document["threshold"] == 0.15
    assert document["threshold_source"] == "the default for cross-entropy"
    losses = np.array(document["final_losses"], dtype=float)
    assert document["converged"] == int((losses < 0.15).sum()) > 0
    text = run_cli(*args)
    assert text.returncode == 0, text.stderr
    said = " ".join(text.stdout.split())  # the line wraps at 80 columns
    assert "with final loss < 0.15 (the default for cross-entropy)" in said
    given = json.loads(run_cli(*args, "--threshold", "0.01", "--json").stdout)
    assert given["threshold"] == 0.01 and given["threshold_source"] == "given"
    assert given["converged"] < document["converged"]


def test_restarts_mse_default_and_lesson_threshold_still_work():
    from tui_backprop.core.config import RestartsConfig
    from tui_backprop.io.lessons import load_lesson

    assert RestartsConfig().threshold_for("mse") == (0.01, "the default for mse")
    assert RestartsConfig(threshold=0.2).threshold_for("cross-entropy") == (0.2, "given")
    assert load_lesson("restarts").restarts.threshold == 0.01


# -- lessons and the commands that can use them -------------------------------------------
def test_train_refuses_a_descent_lesson_in_one_line():
    result = run_cli("train", "--lesson", "descent")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == (
        "tui-backprop train: error: lesson descent is a descent scene: open it with "
        "`tui-backprop lesson descent` or `tui-backprop descend --lesson descent`"
    )
    for command in ("restarts", "landscape"):
        refused = run_cli(command, "--lesson", "descent")
        assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
        assert "is a descent scene" in refused.stderr


def test_descend_refuses_a_network_lesson_and_network_commands_take_theirs():
    result = run_cli("descend", "--lesson", "xor-231")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "lesson xor-231 is a network scene" in result.stderr
    assert "`tui-backprop train --lesson xor-231`" in result.stderr
    assert run_cli("descend", "--lesson", "descent").returncode == 0
    for command, name in (
        ("train", "restarts"),
        ("train", "landscape"),
        ("landscape", "landscape"),
    ):
        assert run_cli(command, "--lesson", name, "--json").returncode == 0, (command, name)


def test_restarts_scene_says_where_its_threshold_comes_from():
    import asyncio

    from tests.test_scenes import lesson_app

    async def scenario():
        app = lesson_app("restarts")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            summary = str(app.screen.query_one("#restarts-summary").render())
            assert "final loss < 0.01 after" in summary
            assert "threshold: the lesson's" in summary

    asyncio.run(scenario())
