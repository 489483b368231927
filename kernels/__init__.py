"""Numba kernels for backpropagation: arrays in, arrays out, nothing else.

The public kernel API; see ``kernels.dense`` for the formulas and argument shapes and
``kernels.layout`` for the layer table and codes.

Importing this package imports only the layout constants: numba, the cache set-up and
the kernels themselves load on the first use of anything else (module ``__getattr__``),
so that a program can start, and the app draw its first frame, while they load in a
thread.
"""

from __future__ import annotations

import importlib
from typing import Any

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

#: Names this package hands out from its submodules, loaded on first use.
_FROM_DENSE = (
    "COLUMNS_MIN_UPDATES",
    "all_kernels",
    "evaluate",
    "mean_cost",
    "mean_gradient",
    "relu_pattern",
    "step",
    "train_batches",
    "train_many",
    "train_minibatches",
    "train_online_by_columns",
    "train_online_by_rows",
    "train_rule",
    "train_many_rule",
    "step_rule",
    "apply_rule",
)
_FROM_CONFIG = ("CACHE_DIR", "JIT_FLAGS", "SetupClock")


def __getattr__(name: str) -> Any:
    if name in ("dense", "specialize", "config", "shuffle"):
        return importlib.import_module(f".{name}", __name__)
    if name in _FROM_DENSE:
        return getattr(importlib.import_module(".dense", __name__), name)
    if name in _FROM_CONFIG:
        return getattr(importlib.import_module(".config", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _specialized(layers, specialized: bool | None) -> bool:
    if specialized is not None:
        return specialized
    from . import specialize

    sizes = [int(s) for s in layers[:, SIZE]]
    n_params = sum(n * (m + 1) for m, n in zip(sizes[:-1], sizes[1:], strict=True))
    return n_params <= specialize.MAX_PARAMETERS


def trainers(layers, cost: int, specialized: bool | None = None):
    """(train_batches, train_many) for the network described by the layer table.

    Small networks (at most ``specialize.MAX_PARAMETERS`` parameters) get kernels generated
    for their architecture; others the general ones (``general_train_batches``, which
    compiles only the path of the update it takes). All give the same bits (the paths of
    the update: ``kernels.dense``'s module docstring); ``specialized`` forces the choice
    (None: by size).
    """
    from . import dense, specialize

    if not _specialized(layers, specialized):
        return general_train_batches, dense.train_many
    module = specialize.load_module(*_arch(layers, cost))
    return module.train_batches, module.train_many


def drawing_trainer(layers, cost: int, specialized: bool | None = None):
    """The online kernel that draws each epoch's order as it trains, or None where the
    network's kernels are the general ones (which take every order drawn).

    Its arguments are ``train_batches``' for batches of one (no layers, cost, grad,
    batch_size), then ``stream`` (1, STATE_WORDS) uint64 and ``drawn`` (1,) int64:
    ``order``'s rows from drawn[0] on are not drawn yet, and the kernel draws each, from
    ``stream`` (``kernels.shuffle``: NumPy's ``permuted``), one Fisher-Yates step per
    update of the epoch before it (the integer work runs beside the update's
    floating-point chain, nearly free; apart, drawing XOR's orders took a twentieth of
    its training); it leaves drawn[0] past the rows it drew whole and the stream at the
    state after them (``specialize._online_source``). ``core.orders.EpochOrders
    .take_drawing`` hands out the three."""
    from . import specialize

    if not _specialized(layers, specialized):
        return None
    return specialize.load_module(*_arch(layers, cost)).train_online_drawing


def general_train_batches(
    layers,
    betas,
    cost,
    params,
    velocity,
    grad,
    z,
    a,
    delta,
    X,
    Y,
    order,
    batch_size,
    first_batch,
    n_batches,
    alpha,
    momentum,
    epoch_cost,
):
    """``dense.train_batches`` (same arguments, same result, the same bits), with its choice
    of path made here, in Python: batches of more than one run ``dense.train_minibatches``,
    online calls of at least ``dense.COLUMNS_MIN_UPDATES`` updates
    ``dense.train_online_by_columns``, shorter ones ``dense.train_online_by_rows``. Each is
    a kernel of its own, compiled on its first call, so that a run compiles only what it
    takes (compiling ``dense.train_batches`` compiles all three: several times as long)."""
    from . import dense

    if batch_size > 1:
        return dense.train_minibatches(
            layers,
            betas,
            cost,
            params,
            velocity,
            grad,
            z,
            a,
            delta,
            X,
            Y,
            order,
            batch_size,
            first_batch,
            n_batches,
            alpha,
            momentum,
            epoch_cost,
        )
    online = (
        dense.train_online_by_columns
        if n_batches >= dense.COLUMNS_MIN_UPDATES
        else dense.train_online_by_rows
    )
    return online(
        layers,
        betas,
        cost,
        params,
        velocity,
        z,
        a,
        delta,
        X,
        Y,
        order,
        first_batch,
        n_batches,
        alpha,
        momentum,
        epoch_cost,
    )


def rule_trainers(layers, cost: int, specialized: bool | None = None):
    """(train_rule, train_many_rule) for the network described by the layer table: the
    kernels of every update rule (``dense.train_rule``: ``train_batches`` with the rule's
    state and numbers), generated for small networks as by ``trainers``, the same bits."""
    from . import dense, specialize

    if not _specialized(layers, specialized):
        return dense.train_rule, dense.train_many_rule
    module = specialize.load_module(*_arch(layers, cost))
    return module.train_rule, module.train_many_rule


def rule_stepper(layers, cost: int, specialized: bool | None = None):
    """The ``step_rule`` kernel (``dense.step_rule``: ``step`` for every update rule),
    chosen as by ``trainers``."""
    from . import dense, specialize

    if not _specialized(layers, specialized):
        return dense.step_rule
    return specialize.load_module(*_arch(layers, cost)).step_rule


def stepper(layers, cost: int, specialized: bool | None = None, online: bool = False):
    """The ``step`` kernel (one update on the packed arrays, see ``dense.step``) for the
    network described by the layer table; chosen as by ``trainers``, and like those, the
    generated and the general one give the same bits. ``online``: for batches of one only
    (a generated module's ``step_online``, which compiles in about half the time)."""
    from . import dense, specialize

    if not _specialized(layers, specialized):
        return dense.step
    module = specialize.load_module(*_arch(layers, cost))
    return module.step_online if online else module.step


def evaluator(layers, cost: int, specialized: bool | None = None):
    """The ``evaluate`` kernel (see ``dense.evaluate``) for the network described by the
    layer table; chosen as by ``trainers``: the generated one gives the same bits and
    compiles in a fraction of the time."""
    from . import dense, specialize

    if not _specialized(layers, specialized):
        return dense.evaluate
    return specialize.load_module(*_arch(layers, cost)).evaluate


def compiled_here() -> list[str]:
    """The kernels (and helpers) this process compiled instead of loading them from the
    cache (numba's count of cache misses), by name: empty when everything it ran was
    cached. With caching off, everything it ran."""
    import sys

    from numba.core.dispatcher import Dispatcher

    modules = [sys.modules.get(f"{__name__}.{name}") for name in ("dense", "shuffle")]
    specialize = sys.modules.get(f"{__name__}.specialize")
    if specialize is not None:
        modules += list(specialize._LOADED.values())
    names = []
    for module in modules:
        if module is None:
            continue
        for name, value in vars(module).items():
            if (
                isinstance(value, Dispatcher)
                and value.py_func.__module__ == module.__name__  # not an imported helper
                and sum(value.stats.cache_misses.values())
            ):
                names.append(name)
    return sorted(set(names))


def _arch(layers, cost):
    from . import specialize

    sizes, codes, bias = specialize.architecture(layers)
    return sizes, codes, int(cost), bias


__all__ = [
    "COLUMNS_MIN_UPDATES",
    "compiled_here",
    "trainers",
    "evaluator",
    "general_train_batches",
    "rule_trainers",
    "rule_stepper",
    "stepper",
    "step",
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
    "SetupClock",
    "TANH",
    "W_OFFSET",
    "all_kernels",
    "evaluate",
    "mean_cost",
    "mean_gradient",
    "relu_pattern",
    "train_batches",
    "train_minibatches",
    "train_online_by_columns",
    "train_online_by_rows",
    "train_rule",
    "train_many_rule",
    "step_rule",
    "apply_rule",
]
