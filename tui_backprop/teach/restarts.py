"""Many networks from consecutive seeds, trained in parallel: how often does a net get stuck?

Restart r uses seed S + r for everything a single run takes from its seed (initial weights
and example orders), and the same kernels and update rule, so ``train --seed S+r``
reproduces it exactly. Plain momentum and sgd train small networks as the lanes of vector
registers (the generated ``train_many``); the other rules train each network on a thread of
its own (``train_many_rule``).

The networks are trained in blocks of a bounded number of networks, one block after the
other, so the memory a run needs does not grow with the number of networks: only a block's
parameters and example orders are held at a time, and of the networks already trained only
their final losses are kept. Blocks change nothing in a network's result.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

import kernels
from kernels.layout import R_MOMENTUM

from ..core.arrays import Bools, Floats, Ints
from ..core.config import RestartsConfig, TrainingConfig
from ..core.model import Network
from ..core.orders import EpochOrders, seed_streams
from ..core.session import ProgressCallback
from ..core.spec import NetworkSpec
from ..core.step_state import momentum_path, rule_values

#: Example indices handed to one parallel call, over all networks of a block.
_MAX_ORDER_INDICES = 1 << 22
#: Bytes a block of networks may hold (parameters, scratch and each network's epoch orders).
BLOCK_BYTES = 1 << 28
#: Networks in a block, whatever the memory allows (a block is one parallel call).
MAX_BLOCK = 4096
#: Bytes of a network's shuffle generator and its objects, besides its arrays (an estimate).
_GENERATOR_BYTES = 2048


@dataclass(frozen=True)
class RestartsResult:
    """seeds (R,), final_losses (R,) (nan where a run diverged); seconds of training in
    all, and kernel_seconds spent inside the parallel kernel alone.

    interrupted: the run was stopped before all the networks asked for were trained; the
    arrays hold the networks finished (the first R seeds), each as a full run gives it."""

    seeds: Ints
    final_losses: Floats
    epochs: int
    updates_per_network: int
    seconds: float
    kernel_seconds: float
    interrupted: bool = False

    def converged(self, threshold: float) -> Bools:
        return np.isfinite(self.final_losses) & (self.final_losses < threshold)


class RestartsInterrupted(KeyboardInterrupt):
    """KeyboardInterrupt during ``train_restarts``, with the result of the networks finished
    before it (``result``, marked interrupted). Callers that do not look for it see a plain
    KeyboardInterrupt."""

    def __init__(self, result: RestartsResult) -> None:
        super().__init__(f"interrupted after {len(result.seeds)} networks")
        self.result = result


def block_size(
    n: int,
    params: int,
    nodes: int,
    epochs: int,
    budget: int = BLOCK_BYTES,
    report_every: int | None = None,
    second: bool = False,
) -> int:
    """Networks per block for ``n`` examples and networks of ``params`` parameters and
    ``nodes`` nodes trained ``epochs`` epochs: as many as ``budget`` bytes hold, at most
    MAX_BLOCK. A network holds its parameters, velocity and gradient and three node arrays;
    and, when its run takes more than one parallel call, its epoch orders' generator and the
    block of orders EpochOrders draws at a time. The orders handed to one call and the costs
    it returns are bounded apart (_MAX_ORDER_INDICES indices over all the networks, and no
    more costs than indices). ``report_every`` caps the epochs of a parallel call (see
    ``train_restarts``); ``second``: the update rule keeps a second state array per network
    (and t), as every rule but plain momentum and sgd does."""
    budget -= 16 * _MAX_ORDER_INDICES
    arrays = 8 * (3 * params + 3 * nodes) + (8 * (params + 1) if second else 0)
    networks = max(1, min(MAX_BLOCK, budget // arrays))
    if _chunk_epochs(networks, n, epochs, report_every) >= epochs:
        return networks  # one call trains them: no orders kept between calls
    kept = 8 * EpochOrders(n, None, shuffle=False).block_epochs * n + _GENERATOR_BYTES
    return max(1, min(MAX_BLOCK, budget // (arrays + kept)))


def _chunk_epochs(networks: int, n: int, epochs: int, report_every: int | None = None) -> int:
    """Epochs per parallel call for a block of ``networks``: _MAX_ORDER_INDICES in all, and
    at most ``report_every``."""
    most = epochs if report_every is None else max(1, min(epochs, report_every))
    return max(1, min(most, _MAX_ORDER_INDICES // (networks * max(n, 1))))


def _rows(buffer: np.ndarray, *shape: int) -> np.ndarray:
    """A C-contiguous array of ``shape`` on the start of ``buffer`` (as the kernel takes)."""
    return buffer.reshape(-1)[: int(np.prod(shape))].reshape(shape)


def train_restarts(
    spec: NetworkSpec,
    X: ArrayLike,
    Y: ArrayLike,
    settings: TrainingConfig,
    count: int,
    progress: ProgressCallback | None = None,
    *,
    block: int | None = None,
    stop: Callable[[], bool] | None = None,
    report_every: int | None = None,
) -> RestartsResult:
    """Train ``count`` networks, seeds settings.seed .. settings.seed + count - 1, for
    settings.epochs epochs each, ``block`` networks at a time (None: ``block_size``'s).

    ``progress(done, count * epochs)`` counts network-epochs, after each parallel call
    and after each block's results are kept. ``stop()`` is asked after each of those; when
    it answers True the run ends there and the result holds the blocks finished, marked
    interrupted. A KeyboardInterrupt does the same, raised as RestartsInterrupted (a
    KeyboardInterrupt) carrying that result.

    ``report_every`` (epochs) makes a parallel call train at most that many epochs, so
    ``progress`` and ``stop`` come at least every ``report_every`` epochs of a block (None:
    as the memory bound allows, which for a few small networks is once, at the end). The
    results are the same either way.
    """
    RestartsConfig(count=count).check_seeds(settings.seed)
    X = np.ascontiguousarray(X, dtype=np.float64)
    Y = np.ascontiguousarray(Y, dtype=np.float64)
    settings.check_data_size(len(X))
    template = Network(spec)
    # Plain momentum and sgd (mu 0) run the momentum kernels (SIMD lanes for small
    # networks); every other rule ``train_many_rule``, with its state in ``second`` and
    # each network's t in ``steps`` (``kernels.dense.apply_rule``).
    plain = momentum_path(settings)
    rule = rule_values(settings.rule)
    if plain:
        _, train_many = kernels.trainers(template.layers, template.cost_code)
    else:
        _, train_many = kernels.rule_trainers(template.layers, template.cost_code)
    n, P, nodes = len(X), template.params.size, template.z.size
    total_epochs = settings.epochs
    if block is None:
        block = block_size(n, P, nodes, total_epochs, report_every=report_every, second=not plain)
    if block < 1:
        raise ValueError(f"block must be at least 1, got {block}")
    block = min(block, count)
    per_epoch = -(-n // settings.batch_size)
    chunk = _chunk_epochs(block, n, total_epochs, report_every)
    seeds = np.arange(settings.seed, settings.seed + count, dtype=np.int64)
    losses = np.full(count, np.nan)
    # One block's arrays, allocated once; a shorter last block uses their first rows.
    params = np.zeros((block, P))
    velocity, grad = np.zeros_like(params), np.zeros_like(params)
    second = np.zeros_like(params) if not plain else params[:, :0]
    steps = np.zeros(block)
    z, a, delta = (np.zeros((block, nodes)) for _ in range(3))
    orders_buffer = np.zeros((block, chunk, n), dtype=np.int64)
    epoch_cost = np.zeros((block, chunk))
    ran = np.zeros(block, dtype=np.int64)
    diverged = np.zeros(block, dtype=bool)
    outputs, costs = np.zeros((n, spec.sizes[-1])), np.zeros(n)
    total = count * total_epochs
    started = time.perf_counter()
    in_kernel = 0.0
    finished = 0  # networks whose final losses are in ``losses``

    def result(interrupted: bool) -> RestartsResult:
        return RestartsResult(
            seeds[:finished].copy() if interrupted else seeds,
            losses[:finished].copy() if interrupted else losses,
            total_epochs,
            total_epochs * per_epoch,
            time.perf_counter() - started,
            in_kernel,
            interrupted,
        )

    try:
        while finished < count:
            first, end = finished, min(finished + block, count)
            m = end - first
            for array in (velocity, second, steps, grad, z, a, delta):
                array[:m] = 0.0  # as a single run starts
            diverged[:m] = False
            orders: list[EpochOrders] = []
            block_orders = _rows(orders_buffer, m, chunk, n)
            for r in range(m):
                init_rng, shuffle_rng = seed_streams(int(seeds[first + r]))
                template.initialize(init_rng)
                params[r] = template.params
                network_orders = EpochOrders(n, shuffle_rng, settings.shuffle)
                block_orders[r] = network_orders.take(0, chunk)
                if chunk < total_epochs:  # needed again: keep it
                    orders.append(network_orders)
            done = 0
            while done < total_epochs:
                epochs = min(chunk, total_epochs - done)
                if done > 0:
                    block_orders = _rows(orders_buffer, m, epochs, n)
                    for r, network_orders in enumerate(orders):
                        block_orders[r] = network_orders.take(done, epochs)
                kernel_started = time.perf_counter()
                state = (velocity[:m], second[:m]) if not plain else (velocity[:m],)
                numbers = (rule, steps[:m]) if not plain else (settings.alpha, rule[R_MOMENTUM])
                train_many(
                    template.layers,
                    template.betas,
                    template.cost_code,
                    params[:m],
                    *state,
                    grad[:m],
                    z[:m],
                    a[:m],
                    delta[:m],
                    X,
                    Y,
                    block_orders,
                    settings.batch_size,
                    0,
                    epochs * per_epoch,
                    *numbers,
                    _rows(epoch_cost, m, epochs),
                    ran[:m],
                )
                in_kernel += time.perf_counter() - kernel_started
                diverged[:m] |= ran[:m] < epochs * per_epoch
                done += epochs
                if done < total_epochs:
                    if progress is not None:
                        progress(first * total_epochs + m * done, total)
                    if stop is not None and stop():
                        return result(True)
            del orders
            block_losses = np.empty(m)
            for r in range(m):
                block_losses[r] = kernels.evaluate(
                    template.layers,
                    template.betas,
                    template.cost_code,
                    params[r],
                    z[r],
                    a[r],
                    X,
                    Y,
                    outputs,
                    costs,
                )
            block_losses[diverged[:m]] = np.nan
            losses[first:end] = block_losses
            finished = end  # only now are these networks' results kept
            if progress is not None:
                progress(finished * total_epochs, total)
            if finished < count and stop is not None and stop():
                return result(True)
    except KeyboardInterrupt as interrupt:
        raise RestartsInterrupted(result(True)) from interrupt
    return result(False)
