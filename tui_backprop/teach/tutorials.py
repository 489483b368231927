"""The tutorials' code as written: their slips included, to show what it prints.

The lessons teach the correct maths (``core`` and the kernels); these functions run what
the two tutorials' code computes, step for step, so a lecturer can put the tutorial's
printed numbers on screen beside the correct ones. Nothing here is shared with the
kernels or the reference: a transcription must stay as its tutorial wrote it.

Where a transcription departs from the tutorial's code it says so in ``WrittenRun.changes``:

- the XOR networks' random draws come from the lesson's seed (the project's draw, so the
  run as written and the lesson's run start from the same weights) where the tutorials
  draw from NumPy's unseeded global generator;
- the second tutorial's ``cost_partials.mean(axis=1)`` (a list: AttributeError) reads
  ``cost_partial.mean(axis=1)``, the array it meant, the smallest change that runs.

The first tutorial writes with ``np.matrix``, where ``*`` is the matrix product; its
transcriptions keep that, because the NOT gate's slip depends on it.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import numpy as np

from ..core.arrays import Floats

P = ParamSpec("P")
R = TypeVar("R")

#: The first tutorial's one-weight neuron: its inputs (targets all 0), w, alpha, epochs.
NEURON_X = (0.1, 0.25, 0.5, 0.75, 1.0)
NEURON_W = 5.0
NEURON_ALPHA = 0.5
NEURON_EPOCHS = 2000
#: The first tutorial's NOT gate: its printed random draw [w, b], alpha and epochs.
NOT_THETA = (-0.14935895, 7.10444213)
NOT_ALPHA = 0.05
NOT_EPOCHS = 12000
#: The first tutorial's XOR 2-3-1: alpha (its code divides the summed gradient by m).
XOR_231_ALPHA = 0.1
XOR_231_EPOCHS = 10000
#: The second tutorial's XOR 2-2-1 (cross-entropy): learning rate and iterations.
XOR_221_ALPHA = 1.0
XOR_221_EPOCHS = 1000
#: The second tutorial's quartic descent: start, step size and stopping precision.
DESCENT_X0 = 4.0
DESCENT_GAMMA = 0.01
DESCENT_PRECISION = 1e-5

#: The first tutorial's cost, in words: what its code prints as the loss.
FIRST_COST = "(1/m) sum (a - y)^2"
#: The second tutorial's cost: cross-entropy, averaged over the examples.
SECOND_COST = "-(1/m) sum [y ln a + (1 - y) ln(1 - a)]"

XOR_INPUTS = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))
XOR_TARGETS = (0.0, 1.0, 1.0, 0.0)

DRAW_CHANGE = (
    "the random draw comes from the lesson's seed (the same weights the lesson starts "
    "from); the tutorial draws from NumPy's unseeded generator"
)
COST_PARTIALS_CHANGE = (
    "`cost_partials.mean(axis=1)` raises AttributeError (a list has no mean); it reads "
    "`cost_partial.mean(axis=1)`, the array meant"
)


@dataclass(frozen=True)
class WrittenRun:
    """What a tutorial's code gives, as written.

    weights : [W^1, ..., W^L], W^m (N^m, N^{m-1});  biases : [b^1, ...] (N^m,) or None.
    losses : (epochs + 1,) the code's own cost before each update and after the last.
    outputs : (m, N^L) the outputs for every example at the end.
    printed : the lines the tutorial's code prints (its own format).
    changes : where this transcription departs from the code, and why.
    """

    name: str
    tutorial: str
    cost: str
    alpha: float
    epochs: int
    weights: list[Floats]
    biases: list[Floats] | None
    losses: Floats
    outputs: Floats
    printed: tuple[str, ...]
    changes: tuple[str, ...] = ()

    @property
    def initial_loss(self) -> float:
        return float(self.losses[0])

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])


#: An ``np.matrix``: NumPy's type stubs give matrix arithmetic ndarray results, so the
#: transcriptions type their matrices loosely.
Matrix = Any


def _matrix(rows: Any) -> Matrix:
    """``np.matrix`` as the first tutorial uses it."""
    return np.matrix(rows, dtype=float)


def _with_matrices(run: Callable[P, R]) -> Callable[P, R]:
    """Run a first-tutorial transcription with NumPy's warning that np.matrix is old
    silenced: it still computes as it did, which is what a transcription needs."""

    @functools.wraps(run)
    def quiet(*args: P.args, **kwargs: P.kwargs) -> R:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            return run(*args, **kwargs)

    return quiet


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


# -- the first tutorial ----------------------------------------------------------------
def _first_cost(X: Matrix, y: Matrix, theta: Matrix) -> float:
    """The first tutorial's cost of a single neuron, (1/m) sum (sigma(X theta^T) - y)^2."""
    h = _sigmoid(X * theta.T)
    return float((1.0 / X.shape[0]) * np.sum(np.power(h - y, 2)))


#: Epochs between two calls of a run's ``tick``.
TICK_EPOCHS = 250
#: A run's progress: called with (epochs done, epochs in all) as it goes.
Tick = Callable[[int, int], None]


def _epochs(epochs: int, tick: Tick | None) -> Iterator[int]:
    """0, 1, ..., epochs - 1, calling ``tick(done, epochs)`` every TICK_EPOCHS of them: a
    run in NumPy, as the tutorials' code is, takes seconds, which the app says it waits."""
    for done in range(epochs):
        if tick is not None and done % TICK_EPOCHS == 0:
            tick(done, epochs)
        yield done
    if tick is not None:
        tick(epochs, epochs)  # done: 100%, not the last tick's 98%


@_with_matrices
def neuron_as_written(epochs: int = NEURON_EPOCHS, tick: Tick | None = None) -> WrittenRun:
    """The one-weight neuron a = sigma(w x), every target 0, w = 5, alpha 0.5.

    Its cost is C = (1/m) sum (a - y)^2, so dC/dw = (2/m) sum (a - y) a (1 - a) x; its code
    steps by ``grad = np.sum(np.multiply(h - y, np.multiply(h, 1 - h)))``: without the x
    and the 2/m.
    """
    X = _matrix([[x] for x in NEURON_X])
    y = _matrix([[0.0] for _ in NEURON_X])
    theta = _matrix([[NEURON_W]])

    def cost(theta: Matrix) -> float:
        return _first_cost(X, y, theta)

    losses = [cost(theta)]
    for _ in _epochs(epochs, tick):
        h = _sigmoid(X * theta.T)
        grad = np.sum(np.multiply(h - y, np.multiply(h, 1 - h)))
        theta = theta - NEURON_ALPHA * grad
        losses.append(cost(theta))
    w = float(theta[0, 0])
    return WrittenRun(
        "neuron",
        "first tutorial: one sigmoid neuron",
        FIRST_COST,
        NEURON_ALPHA,
        epochs,
        [np.array([[w]])],
        None,
        np.array(losses),
        np.asarray(_sigmoid(X * theta.T)),
        (
            f"Initial loss: {losses[0]!r}",
            f"Final weight: {w!r}",
            f"Final loss: {losses[-1]!r}",
        ),
    )


@_with_matrices
def not_as_written(
    epochs: int = NOT_EPOCHS, theta0: Sequence[float] = NOT_THETA, tick: Tick | None = None
) -> WrittenRun:
    """NOT: a = sigma(w x + b) from the tutorial's printed draw [w, b], alpha 0.05.

    X holds [x, 1] per example (the bias as an input that is always 1). Its code::

        costD1 = np.sum(np.multiply(h - y, np.multiply(h, 1 - h)))
        costD2 = np.sum(X[:, 0] * np.multiply(h - y, np.multiply(h, 1 - h)).T)

    ``costD1`` is the bias's gradient, sum(delta). In ``costD2``, ``*`` of a (2, 1) column
    and a (1, 2) row is their outer product, whose sum is sum(x) sum(delta) = sum(delta):
    the input weight gets the bias's step, not its own sum(delta x).
    """
    X = _matrix([[0.0, 1.0], [1.0, 1.0]])
    y = _matrix([[1.0], [0.0]])
    theta = _matrix([list(theta0)])

    def cost(theta: Matrix) -> float:
        return _first_cost(X, y, theta)

    losses = [cost(theta)]
    for _ in _epochs(epochs, tick):
        h = _sigmoid(X * theta.T)
        delta = np.multiply(h - y, np.multiply(h, 1 - h))
        costD1 = np.sum(delta)
        costD2 = np.sum(X[:, 0] * delta.T)
        theta = theta - NOT_ALPHA * _matrix([[costD2, costD1]])
        losses.append(cost(theta))
    w, b = float(theta[0, 0]), float(theta[0, 1])
    return WrittenRun(
        "not",
        "first tutorial: NOT with a bias",
        FIRST_COST,
        NOT_ALPHA,
        epochs,
        [np.array([[w]])],
        [np.array([b])],
        np.array(losses),
        np.asarray(_sigmoid(X * theta.T)),
        (
            f"Initial theta: [[{theta0[0]:.8f} {theta0[1]:.8f}]]",
            f"Final theta: [[{w:.8f} {b:.8f}]]",
            f"Final loss: {losses[-1]!r}",
        ),
    )


@_with_matrices
def xor_231_as_written(
    weights: Sequence[Floats],
    biases: Sequence[Floats],
    epochs: int = XOR_231_EPOCHS,
    squared_error_delta: bool = False,
    tick: Tick | None = None,
) -> WrittenRun:
    """XOR with a 2-3-1 sigmoid network, full batch, alpha 0.1, from W^1 (3, 2), b^1 (3,),
    W^2 (1, 3), b^2 (1,).

    Its theta^m is [W^m | b^m] (bias column last) and a^{m-1} gets a trailing 1. Per example
    its code takes ``delta3 = a3 - y``, the cross-entropy delta, while its cost is the
    squared error, whose delta is (a3 - y) a3 (1 - a3); it sums the gradients over the
    examples and steps by ``(1/m) * alpha * theta_grad``. ``squared_error_delta`` runs the
    code with that delta instead: what its text states, the slip mended.
    """
    X = _matrix(XOR_INPUTS)
    y = _matrix([[t] for t in XOR_TARGETS])
    m = X.shape[0]
    theta1 = _matrix(np.column_stack([weights[0], biases[0]]))
    theta2 = _matrix(np.column_stack([weights[1], biases[1]]))

    def fp(x: Matrix) -> tuple[Matrix, Matrix, Matrix, Matrix]:
        a1 = np.c_[x, np.ones((x.shape[0], 1))]
        z2 = a1 * theta1.T
        a2 = np.c_[_sigmoid(z2), np.ones((x.shape[0], 1))]
        a3 = _sigmoid(a2 * theta2.T)
        return a1, z2, a2, a3

    def cost() -> float:
        return float((1.0 / m) * np.sum(np.power(fp(X)[3] - y, 2)))

    losses = [cost()]
    for _ in _epochs(epochs, tick):
        theta1_grad = _matrix(np.zeros(theta1.shape))
        theta2_grad = _matrix(np.zeros(theta2.shape))
        for i in range(m):
            a1, z2, a2, a3 = fp(X[i])
            delta3 = a3 - y[i]
            if squared_error_delta:
                delta3 = np.multiply(delta3, np.multiply(a3, 1 - a3))
            s2 = _sigmoid(z2)
            delta2 = np.multiply(delta3 * theta2[:, :-1], np.multiply(s2, 1 - s2))
            theta2_grad = theta2_grad + delta3.T * a2
            theta1_grad = theta1_grad + delta2.T * a1
        theta1 = theta1 - (1.0 / m) * XOR_231_ALPHA * theta1_grad
        theta2 = theta2 - (1.0 / m) * XOR_231_ALPHA * theta2_grad
        losses.append(cost())
    t1, t2 = np.asarray(theta1), np.asarray(theta2)
    outputs = np.asarray(fp(X)[3])
    return WrittenRun(
        "xor-231",
        "first tutorial: XOR with a 2-3-1 network",
        FIRST_COST,
        XOR_231_ALPHA,
        epochs,
        [t1[:, :-1].copy(), t2[:, :-1].copy()],
        [t1[:, -1].copy(), t2[:, -1].copy()],
        np.array(losses),
        outputs,
        (*(f"{x} -> {o:.8f}" for x, o in zip(XOR_INPUTS, outputs[:, 0], strict=True)),),
        (DRAW_CHANGE,),
    )


# -- the second tutorial ---------------------------------------------------------------
def xor_221_as_written(
    weights: Sequence[Floats],
    biases: Sequence[Floats],
    epochs: int = XOR_221_EPOCHS,
    tick: Tick | None = None,
) -> WrittenRun:
    """XOR with a 2-2-1 sigmoid network and cross-entropy, full batch, learning rate 1,
    from W^1 (2, 2), b^1 (2,), W^2 (1, 2), b^2 (1,).

    The second tutorial stores the examples as columns (X is (2, m)) and writes the
    formulas as the lessons do. Its code keeps each layer's dC/dz in ``cost_partials`` and
    takes the bias gradient with ``cost_partials.mean(axis=1)``, which cannot run (see
    COST_PARTIALS_CHANGE); with that fixed its maths is right.
    """
    X = np.array(XOR_INPUTS).T
    Y = np.array([XOR_TARGETS])
    W1, b1 = np.array(weights[0], dtype=float), np.array(biases[0], dtype=float)[:, None]
    W2, b2 = np.array(weights[1], dtype=float), np.array(biases[1], dtype=float)[:, None]

    def forward() -> tuple[np.ndarray, np.ndarray]:
        A1 = _sigmoid(W1 @ X + b1)
        return A1, _sigmoid(W2 @ A1 + b2)

    def cost() -> float:
        A2 = forward()[1]
        return float(-np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)))

    losses = [cost()]
    for _ in _epochs(epochs, tick):
        A1, A2 = forward()
        cost_partials = []
        cost_partial = A2 - Y  # dC/dz^2 for a sigmoid output and cross-entropy
        cost_partials.append(cost_partial)
        W2_grad = cost_partial @ A1.T / X.shape[1]
        b2_grad = cost_partial.mean(axis=1, keepdims=True)  # as written: cost_partials.mean
        cost_partial = (W2.T @ cost_partial) * A1 * (1 - A1)
        cost_partials.append(cost_partial)
        W1_grad = cost_partial @ X.T / X.shape[1]
        b1_grad = cost_partial.mean(axis=1, keepdims=True)  # as written: cost_partials.mean
        W2, b2 = W2 - XOR_221_ALPHA * W2_grad, b2 - XOR_221_ALPHA * b2_grad
        W1, b1 = W1 - XOR_221_ALPHA * W1_grad, b1 - XOR_221_ALPHA * b1_grad
        losses.append(cost())
    outputs = forward()[1].T
    return WrittenRun(
        "xor-221",
        "second tutorial: XOR with a 2-2-1 network",
        SECOND_COST,
        XOR_221_ALPHA,
        epochs,
        [W1, W2],
        [b1[:, 0], b2[:, 0]],
        np.array(losses),
        outputs,
        (*(f"{x} -> {o:.4f}" for x, o in zip(XOR_INPUTS, outputs[:, 0], strict=True)),),
        (DRAW_CHANGE, COST_PARTIALS_CHANGE),
    )


def descent_as_written() -> tuple[float, int, tuple[str, ...]]:
    """The second tutorial's loop on f(x) = x^4 - 3x^3 + 2: its code steps
    x <- x - gamma f'(x) (its text writes x + alpha v, an ascent). Returns the x it stops
    at, the number of steps and what it prints."""
    cur_x, gamma, precision = DESCENT_X0, DESCENT_GAMMA, DESCENT_PRECISION
    previous_step_size = 1.0
    steps = 0

    def df(x: float) -> float:
        return 4 * x**3 - 9 * x**2

    while previous_step_size > precision:
        prev_x = cur_x
        cur_x += -gamma * df(prev_x)
        previous_step_size = abs(cur_x - prev_x)
        steps += 1
    return cur_x, steps, (f"The local minimum occurs at {cur_x}",)


#: The network lessons whose tutorial code runs as written.
NETWORK_LESSONS = ("neuron", "not", "xor-231", "xor-221")
#: Every lesson with a tutorial's code to run: the network lessons and the quartic.
AS_WRITTEN = (*NETWORK_LESSONS, "descent")
#: Each network lesson's tutorial epochs.
TUTORIAL_EPOCHS = {
    "neuron": NEURON_EPOCHS,
    "not": NOT_EPOCHS,
    "xor-231": XOR_231_EPOCHS,
    "xor-221": XOR_221_EPOCHS,
}


def run_as_written(
    name: str,
    weights: Sequence[Floats],
    biases: Sequence[Floats] | None,
    epochs: int | None = None,
    tick: Tick | None = None,
) -> WrittenRun:
    """The tutorial code of network lesson ``name`` (one of NETWORK_LESSONS), as written,
    for ``epochs`` (default: the tutorial's), ``tick`` told how far it is. ``weights``
    and ``biases`` are the lesson's initial ones: the XOR transcriptions start from them;
    the neuron and NOT start from the tutorial's printed values, which their lessons also
    start from."""
    epochs = TUTORIAL_EPOCHS[name] if epochs is None else epochs
    if name == "neuron":
        return neuron_as_written(epochs, tick=tick)
    if name == "not":
        return not_as_written(epochs, tick=tick)
    assert biases is not None
    if name == "xor-231":
        return xor_231_as_written(weights, biases, epochs, tick=tick)
    return xor_221_as_written(weights, biases, epochs, tick=tick)
