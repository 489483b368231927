"""Many networks from consecutive seeds, trained in parallel: how often does a net get stuck?

Restart r uses seed S + r for everything a single run takes from its seed (initial weights
and example orders), and the same kernels and update rule, so ``train --seed S+r``
reproduces it exactly. Plain momentum and sgd train small networks as the lanes of vector
registers (the generated ``train_many``); the other rules train each network on a thread of
its own (``train_many_rule``).

Each network's example orders are drawn inside the kernel, epoch by epoch, from the state
of its shuffle generator (``kernels.shuffle``: NumPy's PCG64 and ``permuted``, the orders
``EpochOrders`` gives a single run), so no orders are built or held here.

The networks are trained in blocks of a bounded number of networks, one block after the
other, so the memory a run needs does not grow with the number of networks: only a block's
parameters and generator states are held at a time, and of the networks already trained
only their final losses are kept. Blocks change nothing in a network's result.
"""

from __future__ import annotations

import math
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
from ..core.orders import STREAM_WORDS, set_stream_words, spawned_seed_words
from ..core.session import ProgressCallback
from ..core.spec import NetworkSpec
from ..core.step_state import momentum_path, rule_values
from ..core.ticks import round_ticks

#: Example visits (network-epochs x examples) of one parallel call, over all networks of a
#: block: bounds a call's time (``progress`` and ``stop`` come between calls) and the epoch
#: costs it returns.
_MAX_CALL_VISITS = 1 << 22
#: Bytes a block of networks may hold (parameters, scratch, generator states and costs).
BLOCK_BYTES = 1 << 28
#: Networks in a block, whatever the memory allows (a block is one parallel call).
MAX_BLOCK = 4096


@dataclass(frozen=True)
class RestartsResult:
    """seeds (R,), final_losses (R,) (nan where a run diverged); seconds of training in
    all, kernel_seconds spent inside the parallel calls (``train_many``) alone, and
    setup_seconds of those seconds spent loading the compiled kernels or compiling them
    (``kernels.SetupClock``; an empty cache's compile, a full cache's load), so that
    seconds - setup_seconds is the time the training itself took when nothing else in
    the process compiles meanwhile (as in a command line run).

    interrupted: the run was stopped before all the networks asked for were trained; the
    arrays hold the networks finished (the first R seeds), each as a full run gives it,
    and kept_seconds is when the last of them was finished: the time those networks took,
    without the block whose work the stop threw away (None: ``seconds``, all of it kept)."""

    seeds: Ints
    final_losses: Floats
    epochs: int
    updates_per_network: int
    seconds: float
    kernel_seconds: float
    interrupted: bool = False
    setup_seconds: float = 0.0
    kept_seconds: float | None = None

    @property
    def training_seconds(self) -> float:
        """The kept networks' time (kept_seconds, or seconds) less setup_seconds: the time
        their training itself took, from which their rate is taken."""
        kept = self.seconds if self.kept_seconds is None else self.kept_seconds
        return max(kept - self.setup_seconds, 0.0)

    def converged(self, threshold: float) -> Bools:
        return np.isfinite(self.final_losses) & (self.final_losses < threshold)


class RestartsInterrupted(KeyboardInterrupt):
    """KeyboardInterrupt during ``train_restarts``, with the result of the networks finished
    before it (``result``, marked interrupted). Callers that do not look for it see a plain
    KeyboardInterrupt."""

    def __init__(self, result: RestartsResult) -> None:
        super().__init__(f"interrupted after {len(result.seeds)} networks")
        self.result = result


def block_size(params: int, nodes: int, budget: int = BLOCK_BYTES, second: bool = False) -> int:
    """Networks per block for networks of ``params`` parameters and ``nodes`` nodes: as
    many as ``budget`` bytes hold, at most MAX_BLOCK. A network holds its parameters,
    velocity and gradient, three node arrays and its shuffle generator's state
    (STREAM_WORDS words); the costs one call returns are bounded apart (_MAX_CALL_VISITS at
    most). Nothing is kept per epoch: the kernel draws the orders itself, a block of
    ``kernels.shuffle.CHUNK_INDICES`` indices (or one epoch, if larger) at a time for each
    network in training, into scratch of its own per thread (a block per lane in the
    lanes kernels: 16-32 kB for small data), not counted. ``second``: the update rule keeps a
    second state array per network (and t), as every rule but plain momentum and sgd does."""
    budget -= 8 * _MAX_CALL_VISITS
    arrays = 8 * (3 * params + 3 * nodes + STREAM_WORDS) + (8 * (params + 1) if second else 0)
    return max(1, min(MAX_BLOCK, budget // arrays))


def _chunk_epochs(networks: int, n: int, epochs: int, report_every: int | None = None) -> int:
    """Epochs per parallel call for a block of ``networks``: _MAX_CALL_VISITS in all, and
    at most ``report_every``."""
    most = epochs if report_every is None else max(1, min(epochs, report_every))
    return max(1, min(most, _MAX_CALL_VISITS // (networks * max(n, 1))))


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
    as the bound on a call's work, _MAX_CALL_VISITS, allows, which for a few small networks
    is once, at the end). The results are the same either way: each network's generator
    state is kept between calls, in ``streams``.
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
    evaluate = kernels.evaluate  # looked up once: a lookup costs as much as a small call
    n, P, nodes = len(X), template.params.size, template.z.size
    total_epochs = settings.epochs
    if block is None:
        block = block_size(P, nodes, second=not plain)
    if block < 1:
        raise ValueError(f"block must be at least 1, got {block}")
    block = min(block, count)
    per_epoch = settings.updates_per_epoch(n)
    chunk = _chunk_epochs(block, n, total_epochs, report_every)
    seeds = np.arange(settings.seed, settings.seed + count, dtype=np.int64)
    losses = np.full(count, np.nan)
    # One block's arrays, allocated once; a shorter last block uses their first rows.
    params = np.zeros((block, P))
    velocity, grad = np.zeros_like(params), np.zeros_like(params)
    second = np.zeros_like(params) if not plain else params[:, :0]
    steps = np.zeros(block)
    z, a, delta = (np.zeros((block, nodes)) for _ in range(3))
    streams = np.zeros((block, STREAM_WORDS), dtype=np.uint64)
    init_states = np.zeros_like(streams)
    # One generator for every network's initial weights, set to each network's state in
    # turn: the same draws as a generator made from its seed (``seed_streams``). Glorot-
    # uniform weights (sigmoid, tanh and linear layers) are drawn by a kernel instead, for
    # a block of networks at once: drawn one network after the other in Python, they took
    # longer than a hundred epochs of training.
    init_rng = np.random.default_rng(0)
    uniform = template.uniform_draws()
    epoch_cost = np.zeros((block, chunk))
    ran = np.zeros(block, dtype=np.int64)
    diverged = np.zeros(block, dtype=bool)
    outputs, costs = np.zeros((n, spec.sizes[-1])), np.zeros(n)
    total = count * total_epochs
    started = time.perf_counter()
    kept_at = started  # when the networks in ``losses`` were finished
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
            setup.seconds,
            kept_at - started if interrupted else None,
        )

    setup = kernels.SetupClock()
    with setup:
        try:
            while finished < count:
                first, end = finished, min(finished + block, count)
                m = end - first
                for array in (velocity, second, steps, grad, z, a, delta):
                    array[:m] = 0.0  # as a single run starts
                diverged[:m] = False
                # The two generators ``seed_streams`` makes of each seed, as states: the
                # initial weights' (drawn here) and the shuffle's (drawn from in the kernel).
                block_seeds = seeds[first:end]
                kernels.shuffle.seeded_states(spawned_seed_words(block_seeds, 0), init_states[:m])
                kernels.shuffle.seeded_states(spawned_seed_words(block_seeds, 1), streams[:m])
                if uniform is not None:  # every network's weights at once, the same draws
                    params[:m] = 0.0  # the biases
                    kernels.shuffle.uniform_weights(init_states[:m], *uniform, params[:m])
                else:
                    for r in range(m):
                        set_stream_words(init_rng, init_states[r])
                        template.initialize(init_rng)
                        params[r] = template.params
                done = 0
                while done < total_epochs:
                    epochs = min(chunk, total_epochs - done)
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
                        streams[:m],
                        settings.shuffle,
                        settings.batch_size,
                        epochs,
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
                block_losses = np.empty(m)
                for r in range(m):
                    block_losses[r] = evaluate(
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
                kept_at = time.perf_counter()
                if progress is not None:
                    progress(finished * total_epochs, total)
                if finished < count and stop is not None and stop():
                    return result(True)
        except KeyboardInterrupt as interrupt:
            raise RestartsInterrupted(result(True)) from interrupt
    return result(False)


@dataclass(frozen=True)
class HistogramData:
    """What the histogram of final losses plots: log10 of the finite losses (K,), its
    number of bins (more for more networks), and its count axis's ticks, whole numbers of
    networks from 0 (a plot would label 14.0, 11.7, ...)."""

    logs: list[float]
    bins: int
    count_ticks: list[float]

    def log_ticks(self, threshold: float, most: int) -> tuple[list[float], list[str]]:
        """Round log10 ticks (positions, labels), at most ``most``, over the losses and the
        ``threshold``, whose line the plot draws too (a plot's own divide its limits
        evenly: -4.25 -3.44 ...)."""
        ends = [*self.logs, math.log10(threshold)]
        return round_ticks(min(ends), max(ends), most)


def loss_histogram(losses: Floats) -> HistogramData | None:
    """The histogram of ``losses`` (N,), None when none is finite."""
    finite = losses[np.isfinite(losses)]
    if finite.size == 0:
        return None
    logs = np.log10(np.maximum(finite, 1e-300))
    bins = min(30, max(5, finite.size // 10))
    most = int(np.histogram(logs, bins=bins)[0].max())
    # Whole numbers of networks on a round step, at most three ticks above 0 (the plots
    # are 10 to 20 rows high: more crowd onto neighbouring rows), none past the tallest
    # bar (the plot has no room above it, and printed one on its title).
    counts, _ = round_ticks(0.0, float(most), 4, least_step=1.0)
    return HistogramData(logs.tolist(), bins, counts)
