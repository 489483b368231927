"""Numba kernels for backpropagation: arrays in, arrays out, nothing else.

The public kernel API; see ``kernels.dense`` for the formulas and argument shapes and
``kernels.layout`` for the layer table and codes.
"""

from . import dense, specialize
from .config import CACHE_DIR, JIT_FLAGS
from .dense import (
    all_kernels,
    evaluate,
    mean_cost,
    mean_gradient,
    relu_pattern,
    train_batches,
    train_many,
)
from .layout import (
    ACTIVATION,
    ACTIVATION_CODES,
    B_OFFSET,
    COST_CODES,
    CROSS_ENTROPY,
    HAS_BIAS,
    LINEAR,
    MSE,
    N_COLUMNS,
    NODE_OFFSET,
    RELU,
    SIGMOID,
    SIZE,
    TANH,
    W_OFFSET,
)


def trainers(layers, cost: int, specialized: bool | None = None):
    """(train_batches, train_many) for the network described by the layer table.

    Small networks (at most ``specialize.MAX_PARAMETERS`` parameters) get kernels generated
    for their architecture; others the general ones. Both give bit-for-bit the same results;
    ``specialized`` forces the choice (None: by size).
    """
    sizes = [int(s) for s in layers[:, SIZE]]
    n_params = sum(n * (m + 1) for m, n in zip(sizes[:-1], sizes[1:], strict=True))
    if specialized is None:
        specialized = n_params <= specialize.MAX_PARAMETERS
    if not specialized:
        return dense.train_batches, dense.train_many
    module = specialize.load_module(*_arch(layers, cost))
    return module.train_batches, module.train_many


def _arch(layers, cost):
    sizes, codes, bias = specialize.architecture(layers)
    return sizes, codes, int(cost), bias


__all__ = [
    "trainers",
    "train_many",
    "ACTIVATION",
    "ACTIVATION_CODES",
    "B_OFFSET",
    "CACHE_DIR",
    "COST_CODES",
    "CROSS_ENTROPY",
    "HAS_BIAS",
    "JIT_FLAGS",
    "LINEAR",
    "MSE",
    "N_COLUMNS",
    "NODE_OFFSET",
    "RELU",
    "SIGMOID",
    "SIZE",
    "TANH",
    "W_OFFSET",
    "all_kernels",
    "evaluate",
    "mean_cost",
    "mean_gradient",
    "relu_pattern",
    "train_batches",
]
