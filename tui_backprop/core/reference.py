"""A readable NumPy implementation of the same math, one example at a time.

It shares no code with the kernels on purpose: it is the oracle the kernels are tested
against, and the baseline ``bench`` measures them against. It is written like the
derivation (Nielsen's four equations), with every array allocated once up front.

Notation: W[m] (N^m, N^{m-1}), b[m] (N^m,), for m = 1..L. Index 0 of every per-layer
list except ``a`` (where a[0] is the input) holds an empty array: layer 0 has no weights,
z or delta, and every entry is an array, so the code reads like the formulas.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from .arrays import NO_LAYER, Floats, Ints
from .config import UpdateRule
from .optimizers import update as rule_update


def sigmoid(z: Floats, beta: float, out: Floats) -> Floats:
    """1 / (1 + e^{-beta z}) into ``out``. Where e^{-beta z} overflows to inf the result is
    exactly 0, the right limit (callers silence NumPy's overflow warning)."""
    np.multiply(z, -beta, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)
    return out


def activation(name: str, z: Floats, beta: float, out: Floats) -> Floats:
    """a = sigma(z) into ``out``."""
    if name == "sigmoid":
        return sigmoid(z, beta, out)
    if name == "tanh":
        return np.tanh(z, out=out)
    if name == "relu":
        return np.maximum(z, 0.0, out=out)
    out[...] = z
    return out


def activation_slope(name: str, z: Floats, a: Floats, beta: float, out: Floats) -> Floats:
    """sigma'(z) into ``out``: sigmoid beta a (1 - a); tanh 1 - a^2; relu 1 where z > 0;
    linear 1."""
    if name == "sigmoid":
        np.subtract(1.0, a, out=out)
        out *= a
        out *= beta
    elif name == "tanh":
        np.multiply(a, a, out=out)
        np.subtract(1.0, out, out=out)
    elif name == "relu":
        np.greater(z, 0.0, out=out)
    else:
        out[...] = 1.0
    return out


def softplus(t: Floats) -> Floats:
    """ln(1 + e^t), stable for large |t|."""
    return np.logaddexp(0.0, t)


class ReferenceNetwork:
    """Per-example forward, backward and update (momentum, or any rule of
    ``core.optimizers``), in plain NumPy.

    weights : [W^1, ..., W^L], W^m (N^m, N^{m-1});  biases : [b^1, ..., b^L] or None.
    activations : [sigma^1, ..., sigma^L] names;  cost : "mse" or "cross-entropy".
    """

    def __init__(
        self,
        weights: Sequence[ArrayLike],
        biases: Sequence[ArrayLike] | None,
        activations: Sequence[str],
        cost: str = "mse",
        beta: float = 1.0,
        bias: bool = True,
    ) -> None:
        n_layers = len(weights)
        self.L = n_layers
        self.activations = ["", *activations]  # layer 0, the input, has none
        self.cost_name = cost
        self.beta = beta
        self.bias = bias
        self.W = [NO_LAYER] + [np.array(w, dtype=np.float64) for w in weights]
        if biases is None:
            biases = [np.zeros(w.shape[0]) for w in self.W[1:]]
        self.b = [NO_LAYER] + [np.array(b, dtype=np.float64) for b in biases]
        self.dW = [NO_LAYER] + [np.zeros_like(w) for w in self.W[1:]]  # momentum velocity
        self.db = [NO_LAYER] + [np.zeros_like(b) for b in self.b[1:]]
        self.gW = [NO_LAYER] + [np.zeros_like(w) for w in self.W[1:]]  # summed batch gradient
        self.gb = [NO_LAYER] + [np.zeros_like(b) for b in self.b[1:]]
        # The other rules' state: G or s (``core.optimizers``), and t, shared by the layers.
        self.sW = [NO_LAYER] + [np.zeros_like(w) for w in self.W[1:]]
        self.sb = [NO_LAYER] + [np.zeros_like(b) for b in self.b[1:]]
        self.t = 0
        sizes = [self.W[1].shape[1]] + [w.shape[0] for w in self.W[1:]]
        self.z = [NO_LAYER] + [np.zeros(n) for n in sizes[1:]]
        self.a = [np.zeros(n) for n in sizes]
        self.delta = [NO_LAYER] + [np.zeros(n) for n in sizes[1:]]
        self.slope = [NO_LAYER] + [np.zeros(n) for n in sizes[1:]]  # sigma'(z^m)
        self.outer = [NO_LAYER] + [np.zeros_like(w) for w in self.W[1:]]  # delta^m a^{m-1}^T

    # -- one example -------------------------------------------------------------------
    def forward(self, x: Floats) -> Floats:
        """z^m = W^m a^{m-1} + b^m, a^m = sigma^m(z^m); returns a^L."""
        with np.errstate(over="ignore"):
            return self._forward(x)

    def _forward(self, x: Floats) -> Floats:
        self.a[0][...] = x
        for m in range(1, self.L + 1):
            np.dot(self.W[m], self.a[m - 1], out=self.z[m])
            self.z[m] += self.b[m]
            activation(self.activations[m], self.z[m], self.beta, self.a[m])
        return self.a[self.L]

    def cost(self, y: Floats) -> float:
        """C for the last forward pass: 1/2 |a - y|^2, or -sum(y ln a + (1-y) ln(1-a))
        written as sum(y softplus(-beta z) + (1-y) softplus(beta z)) for a sigmoid output."""
        L = self.L
        if self.cost_name == "cross-entropy":
            t = self.beta * self.z[L]
            return float(np.sum(y * softplus(-t) + (1.0 - y) * softplus(t)))
        diff = self.a[L] - y
        return float(0.5 * np.sum(diff * diff))

    def backward(self, y: Floats) -> None:
        """Deltas for the last forward pass, and dC/dW, dC/db added to the batch sums."""
        L = self.L
        np.subtract(self.a[L], y, out=self.delta[L])  # a^L - y
        if self.cost_name == "cross-entropy":
            # dC/da = (a - y) / (a (1 - a)) and sigma' = beta a (1 - a): they cancel.
            self.delta[L] *= self.beta
        else:
            self.delta[L] *= self.sigma_prime(L)
        for m in range(L - 1, 0, -1):
            np.dot(self.W[m + 1].T, self.delta[m + 1], out=self.delta[m])
            self.delta[m] *= self.sigma_prime(m)
        for m in range(1, L + 1):
            np.outer(self.delta[m], self.a[m - 1], out=self.outer[m])
            self.gW[m] += self.outer[m]
            if self.bias:
                self.gb[m] += self.delta[m]

    def sigma_prime(self, m: int) -> Floats:
        """sigma'(z^m) of the last forward pass."""
        return activation_slope(self.activations[m], self.z[m], self.a[m], self.beta, self.slope[m])

    def update(
        self, batch_len: int, alpha: float, momentum: float, rule: UpdateRule | None = None
    ) -> None:
        """d = -alpha g + mu d_prev, theta += d, with g the batch's mean gradient; or, given
        a ``rule``, its update (``core.optimizers.update``, layer by layer, with one t;
        the weights decay, the biases only if the rule says so), alpha and momentum its."""
        self.t += 1
        if rule is not None and (rule.optimizer != "momentum" or rule.weight_decay != 0.0):
            for m in range(1, self.L + 1):
                for theta, velocity, second, grad_sum, decays in (
                    (self.W[m], self.dW[m], self.sW[m], self.gW[m], True),
                    (self.b[m], self.db[m], self.sb[m], self.gb[m], rule.decay_biases),
                ):
                    rule_update(rule, theta, grad_sum / batch_len, velocity, second, self.t, decays)
                    grad_sum[...] = 0.0
            return
        if rule is not None:
            alpha, momentum = rule.alpha, rule.momentum
        for m in range(1, self.L + 1):
            for theta, velocity, grad_sum in (
                (self.W[m], self.dW[m], self.gW[m]),
                (self.b[m], self.db[m], self.gb[m]),
            ):
                grad_sum /= batch_len  # g, the mean gradient
                grad_sum *= -alpha
                velocity *= momentum
                velocity += grad_sum  # d = -alpha g + mu d_prev
                theta += velocity
                grad_sum[...] = 0.0

    # -- data sets -----------------------------------------------------------------------
    def train(
        self,
        X: Floats,
        Y: Floats,
        order: Ints,
        batch_size: int,
        alpha: float,
        momentum: float,
        rule: UpdateRule | None = None,
    ) -> Floats:
        """Train over the epochs in ``order`` (E, n); returns each epoch's summed cost
        (each example's cost measured before the update of its batch). With a ``rule``,
        its updates (``update``)."""
        epoch_cost = np.zeros(order.shape[0])
        with np.errstate(over="ignore"):
            for e, epoch in enumerate(order):
                for start in range(0, len(epoch), batch_size):
                    batch = epoch[start : start + batch_size]
                    for idx in batch:
                        self._forward(X[idx])
                        epoch_cost[e] += self.cost(Y[idx])
                        self.backward(Y[idx])
                    self.update(len(batch), alpha, momentum, rule)
        return epoch_cost

    def loss(self, X: Floats, Y: Floats) -> float:
        """Mean cost over the data set with the current weights."""
        total = 0.0
        with np.errstate(over="ignore"):
            for x, y in zip(X, Y, strict=True):
                self._forward(x)
                total += self.cost(y)
        return total / len(X)

    def mean_gradient(self, X: Floats, Y: Floats) -> tuple[list[Floats], list[Floats]]:
        """Mean over the examples of (dC/dW^m, dC/db^m), m = 1..L; leaves the sums cleared."""
        with np.errstate(over="ignore"):
            for x, y in zip(X, Y, strict=True):
                self._forward(x)
                self.backward(y)
        grads_w = [g / len(X) for g in self.gW[1:]]
        grads_b = [g / len(X) for g in self.gb[1:]]
        for m in range(1, self.L + 1):
            self.gW[m][...] = 0.0
            self.gb[m][...] = 0.0
        return grads_w, grads_b
