"""Where the tutorials and the lessons differ, each difference with its formulas.

Every seed lesson that comes from a tutorial has a list of :class:`Difference`: a slip
(the tutorial's formula or code is wrong) or a convention (both are right, written
differently, like summing the gradients against averaging them). Each gives the tutorial's
formula and the correct one, one sentence on why they differ, and, where it can, both
evaluated at a network's current weights (:class:`Weights`), so a lecturer sees the two
numbers side by side.

The comparison of whole runs (what each gives at the end) is :func:`compare_runs`: the
tutorial's code as written (``tutorials``) against the lesson's own run, both measured
with the tutorial's cost.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.arrays import Floats
from ..core.problem import accuracy
from ..core.spec import NetworkSpec
from . import tutorials

SLIP = "slip"
CONVENTION = "convention"


@dataclass(frozen=True)
class Weights:
    """A network of sigmoid layers at one moment, and its data.

    weights : [W^1, ..., W^L], W^m (N^m, N^{m-1});  biases : [b^1, ...] (N^m,) or None.
    X : (m, N^0) inputs;  Y : (m, N^L) targets.
    """

    weights: Sequence[Floats]
    biases: Sequence[Floats] | None
    X: Floats
    Y: Floats

    def forward(self) -> list[Floats]:
        """[a^0, a^1, ..., a^L] for every example at once, each (m, N^m):
        a^m = sigma(a^{m-1} W^m^T + b^m)."""
        a = [np.asarray(self.X, dtype=float)]
        for m, W in enumerate(self.weights):
            z = a[-1] @ np.asarray(W).T
            if self.biases is not None:
                z = z + np.asarray(self.biases[m])
            a.append(1.0 / (1.0 + np.exp(-z)))
        return a

    def output(self) -> Floats:
        """a^L, (m, N^L)."""
        return self.forward()[-1]


@dataclass(frozen=True)
class DescentPoint:
    """Where the quartic's descent is: x, and the step size gamma (the tutorial's alpha)."""

    x: float
    gamma: float


#: A difference's two values at a network's weights (or the descent's point): (the
#: tutorial's, the correct one), each a short vector (one value per example, or one).
Evaluate = Callable[[Any], tuple[Floats, Floats]]


@dataclass(frozen=True)
class Difference:
    """One place where a tutorial and the lesson differ.

    kind : SLIP or CONVENTION;  where : the quantity and where the tutorial has it;
    written / correct : the two formulas;  why : one sentence;  evaluate : both formulas'
    values at the current weights (through the lesson's sigmoid layers, in the cost its
    formulas state), or None where there is nothing to evaluate (a line of
    code that cannot run, a table)."""

    kind: str
    where: str
    written: str
    correct: str
    why: str
    evaluate: Evaluate | None = None


def _delta_mse(state: Weights) -> Floats:
    """(a - y) a (1 - a) per example, (m,): the squared error's output delta."""
    a = state.output()[:, 0]
    y = state.Y[:, 0]
    return (a - y) * a * (1 - a)


def _neuron_gradient(state: Weights) -> tuple[Floats, Floats]:
    d, x = _delta_mse(state), state.X[:, 0]
    m = len(x)
    return np.array([np.sum(d)]), np.array([2.0 / m * np.sum(d * x)])


def _neuron_cost(state: Weights) -> tuple[Floats, Floats]:
    r = state.output()[:, 0] - state.Y[:, 0]
    return np.array([np.mean(r * r)]), np.array([0.5 * np.mean(r * r)])


def _step(tutorial_alpha: float, lesson_alpha: float) -> Evaluate:
    """The step alpha dC/dw of the first weight: the tutorial's alpha on its cost
    (1/m) sum (a - y)^2, whose gradient is (2/m) sum g, against the lesson's alpha on this
    app's, half of it, whose gradient is (1/m) sum g, for the correct per-example
    g = (a - y) a (1 - a) x. (With NOT's m = 2, (2/m) sum g is the sum its code takes.)"""

    def evaluate(state: Weights) -> tuple[Floats, Floats]:
        g = _delta_mse(state) * state.X[:, 0]
        return (
            np.array([tutorial_alpha * 2.0 * np.mean(g)]),
            np.array([lesson_alpha * np.mean(g)]),
        )

    return evaluate


def _not_weight_gradient(state: Weights) -> tuple[Floats, Floats]:
    d, x = _delta_mse(state), state.X[:, 0]
    return np.array([np.sum(np.outer(x, d))]), np.array([np.sum(d * x)])


def _xor_output_delta(state: Weights) -> tuple[Floats, Floats]:
    a, y = state.output()[:, 0], state.Y[:, 0]
    return a - y, (a - y) * a * (1 - a)


def _sigmoid_sign(state: Weights) -> tuple[Floats, Floats]:
    a = state.forward()
    W, b = state.weights[-1], state.biases[-1] if state.biases is not None else 0.0
    z = (a[-2] @ np.asarray(W).T + b)[:, 0]
    return 1.0 / (1.0 + np.exp(z)), 1.0 / (1.0 + np.exp(-z))


def _error_sign(state: Weights) -> tuple[Floats, Floats]:
    a, y = state.output()[:, 0], state.Y[:, 0]
    return y - a, a - y


NEURON = (
    Difference(
        SLIP,
        "the gradient, in its code",
        "dC/dw = sum (a - y) a (1 - a)",
        "dC/dw = (2/m) sum (a - y) a (1 - a) x",
        "the chain rule through z = w x gives the factor x, and its cost's 1/m and square "
        "give 2/m; without them its final weight is not where descent on its cost goes",
        _neuron_gradient,
    ),
    Difference(
        CONVENTION,
        "the cost",
        "C = (1/m) sum (a - y)^2",
        "C = (1/2m) sum (a - y)^2",
        "this app halves the squared error so its derivative is a - y; the minimum is the "
        "same, the cost and its gradient are halved",
        _neuron_cost,
    ),
    Difference(
        CONVENTION,
        "the step size alpha g, its gradient mended (not what its code steps)",
        "alpha 0.5 x (2/m) sum (a - y) a (1 - a) x, on its cost",
        "alpha 1.0 x (1/m) sum (a - y) a (1 - a) x, on this app's",
        "this app's cost, half the tutorial's, has half its gradient: alpha 1.0 on it "
        "makes the step alpha 0.5 makes on the tutorial's cost, once its gradient has "
        "the factors the slip above leaves out",
        _step(tutorials.NEURON_ALPHA, 1.0),
    ),
)

NOT = (
    Difference(
        SLIP,
        "the input weight's gradient, costD2",
        "np.sum(X[:,0] * delta.T) = sum(x) sum(delta)",
        "dC/dw = (2/m) sum delta x = sum delta x (m = 2), on its cost (1/m) sum (a - y)^2",
        "with np.matrix, * of a column and a row is their outer product, so w gets the "
        "bias's step sum(delta) (costD1, which is the bias's) and w - b never changes",
        _not_weight_gradient,
    ),
    Difference(
        CONVENTION,
        "the step size alpha g, its gradient mended (not what its code steps)",
        "alpha 0.05 x sum of the 2 gradients delta x, on its cost",
        "alpha 0.1 x mean of the 2 gradients delta x, on this app's",
        "the tutorial sums the examples' gradients (its cost's 2/m is 1), this app "
        "averages them (its cost (1/2m) sum (a - y)^2 is half the tutorial's): alpha 0.1 "
        "makes the step alpha 0.05 makes once w's gradient is sum delta x",
        _step(tutorials.NOT_ALPHA, 0.1),
    ),
)

XOR_231 = (
    Difference(
        SLIP,
        "the output delta, delta3 = dC/dz3 of one example's cost C",
        "delta3 = a3 - y",
        "delta3 = (a3 - y) a3 (1 - a3), for its squared error C = (1/2)(a3 - y)^2",
        "a3 - y is the delta of cross-entropy, C = -[y ln a3 + (1 - y) ln(1 - a3)]: the "
        "code trains cross-entropy while the text states the squared error, whose "
        "a3 (1 - a3) shrinks the step where a3 saturates; both are one example's: the "
        "cost it prints, (1/m) sum (a - y)^2, is (2/m) sum C, whose gradient carries 2/m, "
        "and its code steps alpha (1/m) times the summed gradients, descent on "
        "(1/m) sum C; this lesson uses cross-entropy, as the code does",
        _xor_output_delta,
    ),
)

XOR_221 = (
    Difference(
        SLIP,
        "the printed XOR table",
        "one run's outputs, shown as what the network learns",
        "one random draw of many, and not every draw learns XOR",
        "a 2-2-1 network gets stuck from some starts, both hidden nodes drawing the same "
        "line; the table shows a draw that did not",
    ),
    Difference(
        SLIP,
        "the bias gradient, in its code",
        "cost_partials.mean(axis=1)",
        "cost_partial.mean(axis=1)",
        "cost_partials is a list and has no mean: the line raises AttributeError; the "
        "array cost_partial was meant",
    ),
    Difference(
        SLIP,
        "the sigmoid, in its table",
        "sigma(z) = 1 / (1 + e^{z})",
        "sigma(z) = 1 / (1 + e^{-z})",
        "with e^{z} the curve falls instead of rising: it gives 1 - a",
        _sigmoid_sign,
    ),
    Difference(
        SLIP,
        "the squared error's dC/da^L, in its table",
        "dC/da^L = y - a^L",
        "dC/da^L = a^L - y, for one example's C = (1/2)(a^L - y)^2",
        "C = (1/2)(a - y)^2 grows with a above y, so its slope there is positive; with "
        "y - a each step would climb the cost",
        _error_sign,
    ),
    Difference(
        SLIP,
        "the MLP section's dE/dy_k",
        "dE/dy_k = t_k - y_k",
        "dE/dy_k = y_k - t_k, for E = (1/2) sum_k (y_k - t_k)^2",
        "the same sign slip in other letters (t the target, y the output)",
        _error_sign,
    ),
)


def _descent_step(point: DescentPoint) -> tuple[Floats, Floats]:
    x, slope = point.x, 4 * point.x**3 - 9 * point.x**2
    return np.array([x + point.gamma * slope]), np.array([x - point.gamma * slope])


DESCENT = (
    Difference(
        SLIP,
        "the gradient-descent step, in its text",
        "x_{i+1} = x_i + alpha v_i  (v_i = f'(x_i))",
        "x_{i+1} = x_i - alpha f'(x_i), f'(x) = 4x^3 - 9x^2 for f(x) = x^4 - 3x^3 + 2",
        "adding the slope climbs: it is gradient ascent; the tutorial's code subtracts, "
        "which is why it reaches the minimum at 2.2500325; near the minimum the slope is "
        "nearly 0 and the two steps barely differ, from the start they go opposite ways",
        _descent_step,
    ),
)


def network_changes(lesson: NetworkSpec, now: NetworkSpec) -> list[str]:
    """What differs between the lesson's network and the one on screen (after a or c, or
    options), each as "cost mse, not cross-entropy"; [] when they are the same. The
    differences are evaluated with the lesson's activations and cost (:class:`Weights`),
    so the view names what the network on screen does otherwise."""
    changes = []
    if now.sizes != lesson.sizes:
        changes.append(f"layers {now.label}, not {lesson.label}")
    hidden = (now.hidden_activation, lesson.hidden_activation)
    if None not in hidden and hidden[0] != hidden[1]:
        changes.append(f"hidden activation {hidden[0]}, not {hidden[1]}")
    if now.output_activation != lesson.output_activation:
        changes.append(f"output activation {now.output_activation}, not {lesson.output_activation}")
    if now.cost != lesson.cost:
        changes.append(f"cost {now.cost}, not {lesson.cost}")
    if now.beta != lesson.beta:
        changes.append(f"beta {now.beta:g}, not {lesson.beta:g}")
    if now.bias != lesson.bias:
        changes.append("biases on, not off" if now.bias else "biases off, not on")
    return changes


#: Seed lesson -> its differences from the tutorial it follows. The landscape lesson
#: draws the first tutorial's NOT surface, so its slip is NOT's; the restarts lesson
#: counts what the second tutorial's one-draw table hides.
DIFFERENCES: dict[str, tuple[Difference, ...]] = {
    "neuron": NEURON,
    "not": NOT,
    "landscape": NOT[:1],
    "xor-231": XOR_231,
    "xor-221": XOR_221,
    "restarts": XOR_221[:1],
    "descent": DESCENT,
}


@dataclass(frozen=True)
class Outcome:
    """What one run gives at its end. weights / biases as in :class:`Weights`; loss in the
    tutorial's cost; accuracy: the share of examples on their target's side of 0.5 (None
    when an output is not finite)."""

    label: str
    weights: list[Floats]
    biases: list[Floats] | None
    loss: float
    accuracy: float | None


def tutorial_cost(name: str, outputs: Floats, targets: Floats) -> float:
    """The cost a lesson's tutorial prints, for outputs and targets (m, N^L): the first
    tutorial's (1/m) sum (a - y)^2, the second's mean cross-entropy."""
    if name == "xor-221":
        return float(-np.mean(targets * np.log(outputs) + (1 - targets) * np.log(1 - outputs)))
    return float(np.mean(np.sum((outputs - targets) ** 2, axis=1)))


def outcome(name: str, label: str, state: Weights) -> Outcome:
    """The end of a run, measured as :class:`Outcome` says."""
    out = state.output()
    share = accuracy(out, state.Y)
    return Outcome(
        label,
        [np.array(W, dtype=float) for W in state.weights],
        None if state.biases is None else [np.array(b, dtype=float) for b in state.biases],
        tutorial_cost(name, out, state.Y),
        share,
    )


def compare_runs(name: str, written: tutorials.WrittenRun, lesson: Weights) -> list[Outcome]:
    """[as written, the lesson's], each measured with the tutorial's cost on the lesson's
    data."""
    state = Weights(written.weights, written.biases, lesson.X, lesson.Y)
    return [outcome(name, "as written", state), outcome(name, "this lesson", lesson)]
