"""Numba kernels for backpropagation: arrays in, arrays out, nothing else.

The public kernel API; see ``kernels.dense`` for the formulas and argument shapes and
``kernels.layout`` for the layer table and codes.
"""

from .config import CACHE_DIR, JIT_FLAGS
from .dense import (
    all_kernels,
    evaluate,
    mean_cost,
    mean_gradient,
    relu_pattern,
    train_batches,
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

__all__ = [
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
