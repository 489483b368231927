"""Many networks from consecutive seeds, trained in parallel: how often does a net get stuck?

Restart r uses seed S + r for everything a single run takes from its seed (initial weights
and example orders), and the same kernels, so ``train --seed S+r`` reproduces it exactly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

import kernels

from ..core.arrays import Bools, Floats, Ints
from ..core.config import RestartsConfig, TrainingConfig
from ..core.model import Network
from ..core.orders import EpochOrders, seed_streams
from ..core.session import ProgressCallback
from ..core.spec import NetworkSpec

#: Example indices handed to one parallel call, over all networks.
_MAX_ORDER_INDICES = 1 << 22


@dataclass(frozen=True)
class RestartsResult:
    """seeds (R,), final_losses (R,) (nan where a run diverged); seconds of training in
    all, and kernel_seconds spent inside the parallel kernel alone."""

    seeds: Ints
    final_losses: Floats
    epochs: int
    updates_per_network: int
    seconds: float
    kernel_seconds: float

    def converged(self, threshold: float) -> Bools:
        return np.isfinite(self.final_losses) & (self.final_losses < threshold)


def train_restarts(
    spec: NetworkSpec,
    X: ArrayLike,
    Y: ArrayLike,
    settings: TrainingConfig,
    count: int,
    progress: ProgressCallback | None = None,
) -> RestartsResult:
    """Train ``count`` networks, seeds settings.seed .. settings.seed + count - 1, for
    settings.epochs epochs each; ``progress(done_epochs, epochs)`` after each chunk."""
    RestartsConfig(count=count).check_seeds(settings.seed)
    X = np.ascontiguousarray(X, dtype=np.float64)
    Y = np.ascontiguousarray(Y, dtype=np.float64)
    settings.check_data_size(len(X))
    template = Network(spec)
    _, train_many = kernels.trainers(template.layers, template.cost_code)
    n, P, nodes = len(X), template.params.size, template.z.size
    seeds = np.arange(settings.seed, settings.seed + count, dtype=np.int64)
    params = np.zeros((count, P))
    orders = []
    for r, seed in enumerate(seeds):
        init_rng, shuffle_rng = seed_streams(int(seed))
        template.initialize(init_rng)
        params[r] = template.params
        orders.append(EpochOrders(n, shuffle_rng, settings.shuffle))
    velocity, grad = np.zeros_like(params), np.zeros_like(params)
    z, a, delta = (np.zeros((count, nodes)) for _ in range(3))
    per_epoch = -(-n // settings.batch_size)
    chunk = max(1, min(settings.epochs, _MAX_ORDER_INDICES // (count * n)))
    ran = np.zeros(count, dtype=np.int64)
    diverged = np.zeros(count, dtype=bool)
    started = time.perf_counter()
    in_kernel = 0.0
    done = 0
    while done < settings.epochs:
        epochs = min(chunk, settings.epochs - done)
        block = np.stack([o.take(done, epochs) for o in orders])
        epoch_cost = np.zeros((count, epochs))
        kernel_started = time.perf_counter()
        train_many(
            template.layers,
            template.betas,
            template.cost_code,
            params,
            velocity,
            grad,
            z,
            a,
            delta,
            X,
            Y,
            block,
            settings.batch_size,
            0,
            epochs * per_epoch,
            settings.alpha,
            settings.momentum,
            epoch_cost,
            ran,
        )
        in_kernel += time.perf_counter() - kernel_started
        diverged |= ran < epochs * per_epoch
        done += epochs
        if progress is not None:
            progress(done, settings.epochs)
    seconds = time.perf_counter() - started
    losses = np.empty(count)
    outputs, costs = np.zeros((n, spec.sizes[-1])), np.zeros(n)
    for r in range(count):
        losses[r] = kernels.evaluate(
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
    losses[diverged] = np.nan
    return RestartsResult(
        seeds, losses, settings.epochs, settings.epochs * per_epoch, seconds, in_kernel
    )
