"""The Network: one flat parameter buffer with per-layer views, and its initialisation.

The kernels see flat arrays and a layer table (``kernels.layout``); people and the UI
see ``W[m]`` with shape (N^m, N^{m-1}) and ``b[m]`` with shape (N^m,), m = 1..L. Both
are the same memory, so nothing is copied between training and display. Index 0 of
``W`` and ``b`` is None so that ``W[m]`` reads like the formulas.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from .arrays import Floats, Ints, PerLayer, layer_arrays
from .spec import NetworkSpec

# The layout constants are plain integers in a module that does not import numba, so
# building a Network does not compile or load any kernel.
from kernels.layout import (  # isort: skip
    ACTIVATION,
    ACTIVATION_CODES,
    B_OFFSET,
    COST_CODES,
    HAS_BIAS,
    N_COLUMNS,
    NODE_OFFSET,
    SIZE,
    W_OFFSET,
)


def layer_table(spec: NetworkSpec) -> Ints:
    """The int64 (L + 1, N_COLUMNS) layer table that describes ``spec`` to the kernels."""
    table = np.zeros((spec.n_layers + 1, N_COLUMNS), dtype=np.int64)
    table[0, SIZE] = spec.sizes[0]
    offset = 0
    node = spec.sizes[0]
    for m in range(1, spec.n_layers + 1):
        n_out, n_in = spec.sizes[m], spec.sizes[m - 1]
        table[m, SIZE] = n_out
        table[m, ACTIVATION] = ACTIVATION_CODES[spec.activations[m - 1]]
        table[m, W_OFFSET] = offset
        table[m, B_OFFSET] = offset + n_out * n_in
        table[m, NODE_OFFSET] = node
        table[m, HAS_BIAS] = int(spec.bias)
        offset += n_out * (n_in + 1)
        node += n_out
    return table


def init_scale(
    activation: str, fan_in: int, fan_out: int, scheme: str = "auto"
) -> tuple[str, float]:
    """The initial distribution of W^m, (kind, scale), for a layer with this activation.

    scheme "tutorial": the first tutorial's 0.5 sqrt(6 / (N^{m-1} + N^m)) * N(0, 1), that is
    ("normal", 0.5 sqrt(6 / (N^{m-1} + N^m))) for every activation.
    scheme "auto", relu: He normal, N(0, sqrt(2 / N^{m-1})), which keeps the variance of z
    from shrinking through layers that zero half their inputs.
    sigmoid, tanh, linear: Glorot uniform, U(-r, r) with r = sqrt(6 / (N^{m-1} + N^m)).
    The biases b^m: in the tutorial scheme drawn with W^m from the same distribution (the
    tutorial draws theta = [W^m | b^m] at once, bias column included); in the auto scheme 0.
    """
    if scheme == "tutorial":
        return "normal", 0.5 * math.sqrt(6.0 / (fan_in + fan_out))
    if activation == "relu":
        return "normal", math.sqrt(2.0 / fan_in)
    return "uniform", math.sqrt(6.0 / (fan_in + fan_out))


class Network:
    """Parameters, momentum and work buffers of one network, allocated once.

    buffer : float64, params, velocity, grad, z, a, delta, betas, second and steps one
    after the other; each of those is a view of it
    params, velocity, grad : float64 (P,), P = sum over m of N^m (N^{m-1} + 1)
    velocity, second : the update rule's state (``core.optimizers``): velocity holds v
    (momentum, nesterov), m (adam) or the last change d (sgd, adagrad, rmsprop); second
    holds G (adagrad) or s (rmsprop, adam)
    steps : float64 (1,), t, the updates since the state was zero (Adam's bias
    corrections); a whole number
    W[m] : view of params, (N^m, N^{m-1});   b[m] : view, (N^m,)
    dW[m], db[m] : views of velocity, the last change d applied to W[m], b[m] (for
    momentum and sgd; the rule's first state in general)
    sW[m], sb[m] : views of second
    z, a, delta : float64 (N^0 + ... + N^L,) work buffers; ``layer_values(buf, m)``
    gives layer m's part. a starts with the input a^0.
    """

    def __init__(self, spec: NetworkSpec) -> None:
        self.spec = spec
        self.layers = layer_table(spec)
        self.cost_code = COST_CODES[spec.cost]
        n_params = spec.n_parameters
        n_nodes = sum(spec.sizes)
        # One buffer, in this order, so that a kernel called once per update can take the
        # whole network as a single argument (see ``kernels.dense.step``).
        rows = spec.n_layers + 1
        self.buffer = np.zeros(4 * n_params + 3 * n_nodes + rows + 1)
        sizes = [n_params, n_params, n_params, n_nodes, n_nodes, n_nodes, rows, n_params, 1]
        parts = np.cumsum([0, *sizes])
        (
            self.params,
            self.velocity,
            self.grad,
            self.z,
            self.a,
            self.delta,
            self.betas,
            self.second,
            self.steps,
        ) = (self.buffer[start:stop] for start, stop in zip(parts[:-1], parts[1:], strict=True))
        self.betas[...] = spec.beta
        self.W, self.b = self.layer_views(self.params)
        self.dW, self.db = self.layer_views(self.velocity)
        self.sW, self.sb = self.layer_views(self.second)

    def layer_views(self, flat: Floats) -> tuple[PerLayer, PerLayer]:
        """Views of a (P,) array laid out as ``params`` (the rule's state, a change), per
        layer: entry m of the first list is (N^m, N^{m-1}), W^m's part; of the second
        (N^m,), b^m's. Entry 0 of each is None."""
        weights: PerLayer = [None]
        biases: PerLayer = [None]
        for m in range(1, self.spec.n_layers + 1):
            shape = (self.spec.sizes[m], self.spec.sizes[m - 1])
            w0 = self.layers[m, W_OFFSET]
            b0 = self.layers[m, B_OFFSET]
            weights.append(flat[w0 : w0 + shape[0] * shape[1]].reshape(shape))
            biases.append(flat[b0 : b0 + shape[0]])
        return weights, biases

    def layer_values(self, buffer: Floats, m: int) -> Floats:
        """Layer m's slice (N^m,) of a per-node buffer (z, a or delta)."""
        start = self.layers[m, NODE_OFFSET] if m > 0 else 0
        return buffer[start : start + self.spec.sizes[m]]

    def initialize(self, rng: np.random.Generator) -> None:
        """Draw the layers in order from ``rng`` (see :func:`init_scale`); zero the update
        rule's state (``clear_state``).

        Tutorial scheme with biases: each layer's (N^m, N^{m-1} + 1) block theta = [W^m | b^m]
        is drawn at once, row by row, as the tutorial's code draws it (bias column last).
        Otherwise W^m alone is drawn and b^m is 0.
        """
        W, b = layer_arrays(self.W), layer_arrays(self.b)
        tutorial = self.spec.init_scheme == "tutorial"
        for m in range(1, self.spec.n_layers + 1):
            fan_out, fan_in = W[m].shape
            kind, scale = init_scale(
                self.spec.activations[m - 1], fan_in, fan_out, self.spec.init_scheme
            )
            if tutorial and self.spec.bias:
                theta = rng.normal(0.0, scale, size=(fan_out, fan_in + 1))
                W[m][...] = theta[:, :fan_in]
                b[m][...] = theta[:, fan_in]
                continue
            if kind == "normal":
                W[m][...] = rng.normal(0.0, scale, size=(fan_out, fan_in))
            else:
                W[m][...] = rng.uniform(-scale, scale, size=(fan_out, fan_in))
            b[m][...] = 0.0
        self.clear_state()

    def uniform_draws(self) -> tuple[Ints, Ints, Floats] | None:
        """When ``initialize`` draws every W^m from a uniform distribution (the auto
        scheme, no relu layer) and nothing else: per layer, W^m's first index in params,
        its N^m N^{m-1} values and r of U(-r, r), as int64, int64 and float64 (L,) arrays,
        what ``kernels.shuffle.uniform_weights`` takes to draw the same weights for many
        networks at once (the biases are 0). None otherwise."""
        if self.spec.init_scheme == "tutorial":
            return None
        starts, sizes, scales = [], [], []
        for m in range(1, self.spec.n_layers + 1):
            fan_out, fan_in = self.spec.sizes[m], self.spec.sizes[m - 1]
            kind, scale = init_scale(
                self.spec.activations[m - 1], fan_in, fan_out, self.spec.init_scheme
            )
            if kind != "uniform":
                return None
            starts.append(int(self.layers[m, W_OFFSET]))
            sizes.append(fan_out * fan_in)
            scales.append(scale)
        return (
            np.array(starts, dtype=np.int64),
            np.array(sizes, dtype=np.int64),
            np.array(scales, dtype=np.float64),
        )

    def set_parameters(
        self, weights: Sequence[ArrayLike], biases: Sequence[ArrayLike] | None
    ) -> None:
        """Copy exact weights (and biases, or zeros) in; zero the update rule's state.

        Shapes must already be checked (``weights_file.load_weights`` does)."""
        W, b = layer_arrays(self.W), layer_arrays(self.b)
        for m in range(1, self.spec.n_layers + 1):
            W[m][...] = weights[m - 1]
            b[m][...] = biases[m - 1] if biases is not None and self.spec.bias else 0.0
        self.clear_state()

    def clear_state(self) -> None:
        """Zero the update rule's state (velocity, second, t) and the gradient sums."""
        self.velocity[...] = 0.0
        self.second[...] = 0.0
        self.steps[...] = 0.0
        self.grad[...] = 0.0

    def weights(self) -> list[Floats]:
        """Copies of W^1..W^L."""
        return [w.copy() for w in layer_arrays(self.W)[1:]]

    def biases(self) -> list[Floats]:
        """Copies of b^1..b^L."""
        return [b.copy() for b in layer_arrays(self.b)[1:]]
