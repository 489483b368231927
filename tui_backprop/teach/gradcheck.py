"""Backpropagation checked against central finite differences, parameter by parameter.

For every checked parameter theta_k the numerical derivative of the mean cost is

    g_fd = (C(theta + h e_k) - C(theta - h e_k)) / (2h),

which differs from the true derivative by O(h^2). The relative error per parameter is
|g - g_fd| / max(|g|, |g_fd|, FLOOR); the floor keeps derivatives that are zero up to
rounding from dividing rounding noise by almost nothing.

ReLU has a kink at z = 0 where the derivative jumps. Where the perturbation +-h moves
some relu pre-activation across 0, g_fd averages two slopes and is not the derivative:
such parameters are counted as ``kinks`` and left out of the error, not hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

import kernels

from ..core.arrays import Bools, Floats, Ints
from ..core.session import Session

STEP = 1e-5
FLOOR = 1e-4
#: Networks with more parameters are checked on a seeded random sample of this many.
DEFAULT_MAX_PARAMETERS = 2000


@dataclass(frozen=True)
class LayerCheck:
    """Worst relative errors among W^m's and b^m's checked entries.

    biases_error is None for a network without biases. ``checked`` counts the entries
    compared; ``kinks`` those skipped because +-h crossed a relu kink.
    """

    layer: int
    weights_error: float
    biases_error: float | None
    checked: int
    kinks: int

    @property
    def worst(self) -> float:
        return max(self.weights_error, self.biases_error or 0.0)


def relative_errors(analytic: Floats, numeric: Floats) -> Floats:
    """|g - g_fd| / max(|g|, |g_fd|, FLOOR), elementwise."""
    scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), FLOOR)
    return np.abs(analytic - numeric) / scale


class _Probe:
    """Evaluates the mean cost (and relu sign patterns) of one session at shifted params."""

    def __init__(self, session: Session, indices: Ints) -> None:
        self.session = session
        self.net = session.network
        self.indices = indices
        self.has_relu = "relu" in session.spec.activations
        n_nodes = self.net.z.shape[0]
        self.pattern = np.zeros((len(indices), n_nodes), dtype=np.uint8)
        self.base_pattern = self._pattern().copy() if self.has_relu else None

    def cost(self) -> float:
        net, s = self.net, self.session
        return kernels.mean_cost(
            net.layers, net.betas, net.cost_code, net.params, net.z, net.a, s.X, s.Y, self.indices
        )

    def _pattern(self) -> NDArray[np.uint8]:
        net = self.net
        kernels.relu_pattern(
            net.layers,
            net.betas,
            net.params,
            net.z,
            net.a,
            self.session.X,
            self.indices,
            self.pattern,
        )
        return self.pattern

    def kink_moved(self) -> bool:
        """Whether the current params put some relu input on the other side of 0."""
        return self.base_pattern is not None and not np.array_equal(
            self._pattern(), self.base_pattern
        )


def backprop_gradient(session: Session, indices: Ints) -> Floats:
    """(P,) the kernels' mean gradient over X[indices] (the same one training uses)."""
    net = session.network
    grad = np.zeros_like(net.params)
    kernels.mean_gradient(
        net.layers,
        net.betas,
        net.cost_code,
        net.params,
        net.z,
        net.a,
        net.delta,
        session.X,
        session.Y,
        indices,
        grad,
    )
    return grad


def numerical_gradient(
    session: Session, indices: Ints, which: Ints, step: float = STEP
) -> tuple[Floats, Bools]:
    """Central differences for the parameters ``which`` (K,): returns (g_fd (K,), kink (K,))."""
    probe = _Probe(session, indices)
    params = session.network.params
    numeric = np.zeros(len(which))
    kink = np.zeros(len(which), dtype=bool)
    for t, k in enumerate(which):
        saved = params[k]
        params[k] = saved + step
        plus = probe.cost()
        crossed = probe.kink_moved()
        params[k] = saved - step
        minus = probe.cost()
        crossed = crossed or probe.kink_moved()
        params[k] = saved
        numeric[t] = (plus - minus) / (2.0 * step)
        kink[t] = crossed
    return numeric, kink


def checked_parameters(session: Session, max_parameters: int, seed: int = 0) -> Ints:
    """Indices of the parameters to check: all, or a seeded sample of ``max_parameters``.

    Biases of a network without biases are not parameters and are never checked."""
    net = session.network
    trainable = []
    for m in range(1, session.spec.n_layers + 1):
        w0, b0 = net.layers[m, kernels.W_OFFSET], net.layers[m, kernels.B_OFFSET]
        end = b0 + session.spec.sizes[m] if session.spec.bias else b0
        trainable.append(np.arange(w0, end))
    every = np.concatenate(trainable)
    if len(every) <= max_parameters:
        return every
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(every, size=max_parameters, replace=False))


def check_gradients(
    session: Session,
    indices: ArrayLike | None = None,
    max_parameters: int = DEFAULT_MAX_PARAMETERS,
) -> list[LayerCheck]:
    """Compare backprop with finite differences on X[indices] (default: every example)."""
    if indices is None:
        indices = np.arange(session.n_examples, dtype=np.int64)
    indices = np.asarray(indices, dtype=np.int64)
    which = checked_parameters(session, max_parameters)
    analytic = backprop_gradient(session, indices)[which]
    numeric, kink = numerical_gradient(session, indices, which)
    errors = np.where(kink, 0.0, relative_errors(analytic, numeric))
    net = session.network
    checks = []
    for m in range(1, session.spec.n_layers + 1):
        w0, b0 = net.layers[m, kernels.W_OFFSET], net.layers[m, kernels.B_OFFSET]
        end = b0 + session.spec.sizes[m]
        in_w = (which >= w0) & (which < b0)
        in_b = (which >= b0) & (which < end)
        w_err = float(errors[in_w].max(initial=0.0))
        b_err = float(errors[in_b].max(initial=0.0)) if session.spec.bias else None
        in_layer = in_w | in_b
        checks.append(
            LayerCheck(m, w_err, b_err, int(in_layer.sum()), int((kink & in_layer).sum()))
        )
    return checks
