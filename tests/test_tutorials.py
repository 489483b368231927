"""The tutorials, faithfully: each seed lesson in its tutorial's own setting with correct
maths, the tutorial's code as written reproducing its printed numbers, and every
difference named, with formulas that are right where the tutorial's are not."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.helpers import run_cli
from tui_backprop.io.build import build_setup
from tui_backprop.io.lessons import load_lesson
from tui_backprop.teach import errata, tutorials


def _json(*args: str) -> dict:
    result = run_cli(*args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# -- the tutorials' printed numbers, through the real command ---------------------------
def test_neuron_as_written_prints_the_tutorials_numbers():
    doc = _json("train", "--lesson", "neuron", "--as-written")
    assert doc["initial_loss"] == pytest.approx(0.757384221746, rel=1e-11)
    assert doc["weights"][0][0][0] == pytest.approx(-24.3428836, abs=1e-7)
    assert doc["final_loss"] == pytest.approx(0.00130014553005, rel=1e-11)
    assert doc["biases"] is None and doc["alpha"] == 0.5 and doc["epochs"] == 2000
    assert "2/m" in " ".join(d["correct"] for d in doc["as_written"]["differences"])


def test_not_as_written_from_the_printed_draw():
    doc = _json("train", "--lesson", "not", "--as-written")
    # The draw is printed to 8 decimals, so the run from it agrees with the tutorial's
    # printed results to about 1e-8, not to every digit.
    assert doc["weights"][0][0][0] == pytest.approx(-4.77235179, abs=2e-8)
    assert doc["biases"][0][0] == pytest.approx(2.4814493, abs=2e-8)
    assert doc["final_loss"] == pytest.approx(0.00719841740292, rel=2e-8)
    assert (doc["alpha"], doc["epochs"]) == (0.05, 12000)


def test_as_written_json_has_every_key_train_json_has():
    trained = _json("train", "--lesson", "xor-221", "--epochs", "5")
    written = _json("train", "--lesson", "xor-221", "--epochs", "5", "--as-written")
    assert set(trained) <= set(written)
    assert written["epochs"] == 5 and len(written["loss_curve"]["losses"]) == 5
    assert written["as_written"]["changes"]  # cost_partials, and the seeded draw


def test_lesson_command_runs_the_quartic_as_written():
    result = run_cli("lesson", "descent", "--as-written")
    assert result.returncode == 0, result.stderr
    assert "The local minimum occurs at 2.25003252" in result.stdout
    assert "x_i + alpha v_i" in result.stdout  # the text's slip, named


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["train", "--lesson", "xor-231", "--as-written", "--alpha", "3"], "--alpha cannot"),
        (["train", "--lesson", "restarts", "--as-written"], "no tutorial code"),
        (["train", "--as-written"], "needs a --lesson NAME"),
        (["lesson", "landscape", "--as-written"], "no tutorial code"),
    ],
)
def test_as_written_refuses_in_one_line(args, expected):
    result = run_cli(*args)
    assert result.returncode == 2 and result.stdout == ""
    assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1


# -- the lessons' own runs, against an independent computation --------------------------
def _full_batch_descent(
    weights: list[np.ndarray],
    biases: list[np.ndarray] | None,
    X: np.ndarray,
    Y: np.ndarray,
    cost: str,
    alpha: float,
    epochs: int,
) -> tuple[list[np.ndarray], list[np.ndarray] | None]:
    """Plain full-batch gradient descent of the mean cost, sigmoid layers, examples as
    rows: written here from the formulas, sharing nothing with the project."""
    W = [w.copy() for w in weights]
    b = None if biases is None else [v.copy() for v in biases]
    m = len(X)
    for _ in range(epochs):
        a = [X]
        for k, w in enumerate(W):
            z = a[-1] @ w.T + (0.0 if b is None else b[k])
            a.append(1 / (1 + np.exp(-z)))
        out = a[-1]
        delta = out - Y if cost == "cross-entropy" else (out - Y) * out * (1 - out)
        for k in range(len(W) - 1, -1, -1):
            grad_w = delta.T @ a[k] / m
            grad_b = delta.mean(axis=0)
            if k > 0:
                below = (delta @ W[k]) * a[k] * (1 - a[k])
            W[k] -= alpha * grad_w
            if b is not None:
                b[k] -= alpha * grad_b
            if k > 0:
                delta = below
    return W, b


@pytest.mark.parametrize("name", ["neuron", "not", "xor-231", "xor-221"])
def test_each_lesson_trains_as_plain_full_batch_descent_from_its_settings(name):
    lesson = load_lesson(name)
    setup = build_setup(lesson.run)
    st, spec, net = setup.settings, setup.spec, setup.session.network
    assert st.batch_size == setup.problem.n_examples  # full batch, as in the tutorials
    W, b = _full_batch_descent(
        net.weights(),
        net.biases() if spec.bias else None,
        setup.problem.X,
        setup.problem.Y,
        spec.cost,
        st.alpha,
        st.epochs,
    )
    doc = _json("train", "--lesson", name)
    for got, want in zip(doc["weights"], W, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    if b is not None:
        for got, want in zip(doc["biases"], b, strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    assert doc["accuracy"] == 1.0


def test_xor_231_learns_xor_from_nine_of_seeds_0_to_9():
    # Seeds 0-9 at once through restarts (each restart is train --seed S, bit for bit:
    # test_restarts_bench), seed 0 also through train itself.
    doc = _json("restarts", "--lesson", "xor-231", "--count", "10", "--seed", "0")
    finals = doc["final_losses"]
    assert len(finals) == 10 and sum(loss < 0.1 for loss in finals) >= 9, finals
    alone = _json("train", "--lesson", "xor-231", "--seed", "0")
    assert alone["final_loss"] == finals[0] and alone["accuracy"] == 1.0


def test_neuron_lesson_takes_the_step_descent_on_the_tutorials_cost_takes():
    """The lesson's run is gradient descent on the tutorial's cost (1/m) sum (a - y)^2 at
    the tutorial's alpha, with the correct gradient (2/m) sum (a - y) a (1 - a) x: the
    same weight after 2000 epochs (this app's cost is half that one, alpha twice)."""
    x = np.array(tutorials.NEURON_X)
    w = tutorials.NEURON_W
    for _ in range(tutorials.NEURON_EPOCHS):
        a = 1 / (1 + np.exp(-w * x))
        w -= tutorials.NEURON_ALPHA * (2 / len(x)) * np.sum(a * a * (1 - a) * x)
    setup = build_setup(load_lesson("neuron").run)
    setup.session.run_epochs(tutorials.NEURON_EPOCHS)
    assert setup.session.network.weights()[0][0, 0] == pytest.approx(w, rel=1e-9)


# -- the transcriptions keep their slips ------------------------------------------------
def test_not_as_written_moves_both_weights_by_the_same_step():
    run = tutorials.not_as_written(epochs=50)
    w, b = run.weights[0][0, 0], run.biases[0][0]
    assert w - b == pytest.approx(tutorials.NOT_THETA[0] - tutorials.NOT_THETA[1], abs=1e-12)


def test_neuron_as_written_is_not_descent_on_its_own_cost():
    """Its final weight differs from gradient descent on (1/m) sum (a - y)^2 with the
    same alpha: the missing x and 2/m are real."""
    x = np.array(tutorials.NEURON_X)
    w = tutorials.NEURON_W
    for _ in range(tutorials.NEURON_EPOCHS):
        a = 1 / (1 + np.exp(-w * x))
        w -= tutorials.NEURON_ALPHA * (2 / len(x)) * np.sum(a * a * (1 - a) * x)
    written = tutorials.neuron_as_written().weights[0][0, 0]
    assert abs(written - w) > 10


def test_xor_231_as_written_matches_the_lesson_which_uses_its_delta():
    """The lesson trains cross-entropy, whose delta is the code's a3 - y: the weights agree
    (up to rounding), so the difference is only the cost it states."""
    setup = build_setup(load_lesson("xor-231").run)
    net = setup.session.network
    written = tutorials.xor_231_as_written(net.weights(), net.biases(), epochs=200)
    setup.session.run_epochs(200)
    for got, want in zip(written.weights, setup.session.network.weights(), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10)


# -- the correct formulas are correct ---------------------------------------------------
def _numeric(f, x: float, h: float = 1e-6) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


def _state(w: float, b: float | None, X, Y) -> errata.Weights:
    biases = None if b is None else [np.array([b])]
    return errata.Weights([np.array([[w]])], biases, np.array(X, float), np.array(Y, float))


def test_neuron_correct_gradient_is_the_derivative_of_its_cost():
    X, Y = [[x] for x in tutorials.NEURON_X], [[0.0]] * 5
    written, correct = errata.NEURON[0].evaluate(_state(1.3, None, X, Y))

    def cost(w):
        return errata.NEURON[1].evaluate(_state(w, None, X, Y))[0][0]

    assert correct[0] == pytest.approx(_numeric(cost, 1.3), rel=1e-7)
    assert written[0] != pytest.approx(correct[0], rel=1e-2)


def test_not_correct_weight_gradient_is_the_derivative():
    X, Y = [[0.0], [1.0]], [[1.0], [0.0]]
    written, correct = errata.NOT[0].evaluate(_state(-0.4, 2.0, X, Y))

    def cost(w):  # (1/2) sum (a - y)^2, whose dC/dw is sum delta x
        a = _state(w, 2.0, X, Y).output()
        return 0.5 * float(np.sum((a - np.array(Y)) ** 2))

    assert correct[0] == pytest.approx(_numeric(cost, -0.4), rel=1e-7)
    assert written[0] != pytest.approx(correct[0], rel=1e-2)


def test_every_seed_lesson_names_its_differences_and_every_network_one_has_notes():
    for name in tutorials.AS_WRITTEN:
        assert errata.DIFFERENCES[name]
        assert all(d.written != d.correct and d.why for d in errata.DIFFERENCES[name])
    for name in tutorials.NETWORK_LESSONS:
        assert "slip" in load_lesson(name).notes


@pytest.mark.parametrize("lesson", ["neuron", "not"])
def test_the_step_rows_make_the_same_step_on_both_sides(lesson):
    """A step convention (the tutorial's alpha on its cost, the lesson's on this app's)
    is one: at the lesson's own alpha, both sides evaluate to the same step, at its
    start and after some training."""
    from tui_backprop.teach.errata import CONVENTION, NEURON, NOT, Weights

    [step] = [d for d in {"neuron": NEURON, "not": NOT}[lesson] if d.where.startswith("the step")]
    assert step.kind == CONVENTION and step.evaluate is not None
    setup = build_setup(load_lesson(lesson).run)
    session = setup.session
    for epochs in (0, 50):
        session.run_epochs(epochs)
        net = session.network
        state = Weights(
            net.weights(), net.biases() if session.spec.bias else None, session.X, session.Y
        )
        tutorial, ours = step.evaluate(state)
        assert ours[0] != 0.0
        np.testing.assert_allclose(tutorial, ours, rtol=1e-12)
        # and it is the step the lesson's session takes, alpha times its gradient
        before = net.weights()[0][0, 0]
        probe = build_setup(load_lesson(lesson).run).session
        probe.network.params[...] = net.params
        probe.run_batches(1)
        assert probe.network.weights()[0][0, 0] - before == pytest.approx(-ours[0], rel=1e-9)


@pytest.mark.parametrize("name", sorted(tutorials.NETWORK_LESSONS))
def test_a_tutorial_run_says_how_far_it_is_and_computes_the_same(name):
    """The app waits seconds for these NumPy runs: each tells ``tick`` how far it is,
    every TICK_EPOCHS epochs, and computes what it computes untold."""

    rng = np.random.default_rng(0)
    hidden = 3 if name == "xor-231" else 2
    weights = [rng.normal(size=(hidden, 2)), rng.normal(size=(1, hidden))]
    biases = [rng.normal(size=hidden), rng.normal(size=1)]
    heard: list[tuple[int, int]] = []
    epochs = 3 * tutorials.TICK_EPOCHS + 1
    told = tutorials.run_as_written(name, weights, biases, epochs, tick=lambda *t: heard.append(t))
    untold = tutorials.run_as_written(name, weights, biases, epochs)
    assert heard == [(k * tutorials.TICK_EPOCHS, epochs) for k in range(4)] + [(epochs, epochs)]
    np.testing.assert_array_equal(told.losses, untold.losses)
    for a, b in zip(told.weights, untold.weights, strict=True):
        np.testing.assert_array_equal(a, b)
