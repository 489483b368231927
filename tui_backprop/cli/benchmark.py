"""Speed, measured honestly: the kernels and the NumPy reference timed side by side.

Every case first checks that kernel and reference agree on the weights after the same
updates, then alternates timed runs of the two (several repeats, each from the same start),
so that a busy machine slows both alike and the ratio holds even when absolute rates drift.

Single-threaded runs are timed by the CPU time of the thread that runs them
(``time.thread_time``), not by the wall clock: on a shared machine the wall clock also
counts the time other processes hold the core, which made rates swing by 2x between
repeats. On an idle machine the two agree. Parallel runs (``restarts``) use the wall clock.

Two more measures per row (``yardstick.py`` holds the tools):

- ``yardstick_ratio``: for XOR 2-3-1, the kernel's updates/s over those of a hand-written
  2-3-1 kernel (``yardstick.train_231``), timed in the same repeats, one after the other,
  from the same start for the same updates on the same example orders; it must end with
  the product's weights bit for bit (``yardstick_agrees``). Null for other rows.
- ``flop_fraction``: updates/s (one thread) times the flops of one update
  (``yardstick.flops_per_update``) over the FMA flop limit of one thread of this machine
  (``yardstick.flop_limit``), measured before and after the throughput cases; the larger
  of the two counts, since load only slows it down. Null for single-step.

The throughput cases train with momentum, the default update rule; ``optimizers`` (``bench
--optimizer``) times them with other rules too, a row per case and rule, the reference
running the same rule (``core.optimizers``). The yardstick and the flop count are
momentum's, so the other rules' rows have neither; the other cases (single-step, restarts,
scikit-learn, start-up) are momentum's always. Each rule trains at a step size it is used
with (``RULE_ALPHAS``): at momentum's 0.1, adam and rmsprop move every weight by about
alpha at every update, the 64-128-64-10 run turns chaotic, and kernel and reference, equal
to 1e-16 over the first updates, part by their rounding within a few hundred (rmsprop by
0.5 after 256), so the agreement check would say nothing about the arithmetic.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import numpy as np

from ..core.arrays import layer_arrays
from ..core.config import TrainingConfig, UpdateRule
from ..core.orders import EpochOrders, seed_streams, use_kernel_draws
from ..core.problems import make_problem
from ..core.reference import ReferenceNetwork
from ..core.session import Session
from ..core.spec import NetworkSpec
from ..teach.restarts import train_restarts
from .yardstick import flop_limit, flops_per_update, train_231, yardstick_fits

SCHEMA_VERSION = 2
AGREEMENT = 1e-12
#: ``restarts``' target: network-updates/s per thread (issue 17), held to the parallel
#: call's one-thread rate; the JSON's ``whole_run`` has the whole run's beside it.
RESTARTS_TARGET = 60e6
#: Issue 17's targets for the last two columns: XOR 2-3-1 trained through ``train``'s path
#: against the hand-written kernel (``yardstick_ratio``), and 64-128-64-10's fraction of
#: the flop limit (``flop_fraction``); both for momentum, the rows they were set on.
YARDSTICK_TARGET = 0.95
FLOP_FRACTION_TARGETS = {"64-128-64-10": 0.45}
#: The clock of single-threaded timings: CPU seconds of the calling thread.
clock = time.thread_time
CLOCK_NAME = "thread CPU time"
#: alpha of each update rule's throughput rows (see the module's docstring).
RULE_ALPHAS = {
    "sgd": 0.1,
    "momentum": 0.1,
    "nesterov": 0.1,
    "adagrad": 0.01,
    "rmsprop": 0.001,
    "adam": 0.001,
}


@dataclass(frozen=True)
class Case:
    """One throughput case: a network on data, and how many updates each timed run does."""

    name: str
    spec: NetworkSpec
    X: np.ndarray
    Y: np.ndarray
    kernel_updates: int
    reference_updates: int
    target_ratio: float
    alpha: float = 0.1
    momentum: float = 0.9
    optimizer: str = "momentum"

    @property
    def rule(self) -> UpdateRule:
        return UpdateRule(alpha=self.alpha, momentum=self.momentum, optimizer=self.optimizer)

    @property
    def label(self) -> str:
        """The row's name: the case's, and the rule's unless it is momentum."""
        return self.name if self.optimizer == "momentum" else f"{self.name} {self.optimizer}"


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def throughput_cases(quick: bool) -> list[Case]:
    scale = 1 if quick else 5
    xor, spiral = make_problem("xor"), make_problem("spiral")
    rng = np.random.default_rng(0)
    X64 = rng.normal(size=(256, 64))
    Y64 = rng.uniform(size=(256, 10))
    return [
        Case(
            "xor-2-3-1",
            NetworkSpec.build(2, (3,), 1),
            xor.X,
            xor.Y,
            400_000 * scale,
            2_000 * scale,
            250.0,
        ),
        Case(
            "2-16-16-1",
            NetworkSpec.build(2, (16, 16), 1),
            spiral.X,
            spiral.Y,
            40_000 * scale,
            1_000 * scale,
            70.0,
        ),
        Case(
            "64-128-64-10",
            NetworkSpec.build(64, (128, 64), 10),
            X64,
            Y64,
            1_000 * scale,
            200 * scale,
            10.0,
        ),
    ]


def _session(case: Case) -> Session:
    settings = TrainingConfig(
        alpha=case.alpha, momentum=case.momentum, optimizer=case.optimizer, seed=0
    )
    return Session(case.spec, case.X, case.Y, settings)


def _reference(session: Session) -> ReferenceNetwork:
    spec = session.spec
    return ReferenceNetwork(
        session.network.weights(),
        session.network.biases(),
        spec.activations,
        spec.cost,
        spec.beta,
        spec.bias,
    )


def agreement(case: Case) -> float:
    """Largest |difference| of any weight after the same two epochs (or 500 updates)."""
    session = _session(case)
    ref = _reference(session)
    n = len(case.X)
    epochs = max(1, min(2, 500 // n))
    order = EpochOrders(n, seed_streams(0)[1]).take(0, epochs)
    ref.train(case.X, case.Y, order, 1, case.alpha, case.momentum, rule=case.rule)
    session.run_epochs(epochs)
    weights = layer_arrays(session.network.W)
    return max(float(np.abs(weights[m] - ref.W[m]).max()) for m in range(1, case.spec.n_layers + 1))


def time_case(case: Case, repeats: int) -> dict:
    session = _session(case)
    session.warm_up()
    # A long run's steady state: orders drawn by the kernel, as a run of more than one
    # block of them draws them, whatever this case's length and the cases before it.
    use_kernel_draws()
    start = session.network.params.copy()
    ref_start = _reference(session)
    n = len(case.X)
    ref_epochs = -(-case.reference_updates // n)
    order = EpochOrders(n, seed_streams(0)[1]).take(0, ref_epochs)
    kernel_rates, ref_rates, yard_rates = [], [], []
    yardstick = yardstick_fits(case.spec) and case.optimizer == "momentum"
    if yardstick:
        yard_order = EpochOrders(n, seed_streams(0)[1]).take(0, -(-case.kernel_updates // n))
        yard_cost = np.zeros(len(yard_order))
        yard_params = start.copy()
        yard_velocity = np.zeros_like(start)
        train_231(yard_params, yard_velocity, case.X, case.Y, yard_order, 1, 0.1, 0.9, yard_cost)
    for _ in range(repeats):
        session.restart()
        session.network.params[...] = start
        t0 = clock()
        session.run_batches(case.kernel_updates)
        kernel_rates.append(case.kernel_updates / (clock() - t0))
        if yardstick:
            yard_params[...] = start
            yard_velocity[...] = 0.0
            yard_cost[...] = 0.0
            t0 = clock()
            train_231(
                yard_params,
                yard_velocity,
                case.X,
                case.Y,
                yard_order,
                case.kernel_updates,
                case.alpha,
                case.momentum,
                yard_cost,
            )
            yard_rates.append(case.kernel_updates / (clock() - t0))
        ref = _reference(session)
        for m in range(1, case.spec.n_layers + 1):
            ref.W[m][...] = ref_start.W[m]
            ref.b[m][...] = ref_start.b[m]
        t0 = clock()
        ref.train(case.X, case.Y, order, 1, case.alpha, case.momentum, rule=case.rule)
        ref_rates.append(ref_epochs * n / (clock() - t0))
    ratios = [k / r for k, r in zip(kernel_rates, ref_rates, strict=True)]
    diff = agreement(case)
    ratio = summary(ratios)
    hand: dict = {"yardstick_ratio": None}
    if yardstick:
        # both ran the same updates from the same start: the same weights, bit for bit
        product_params = session.network.params
        agrees = bool(np.array_equal(yard_params, product_params))
        against_hand = summary([k / y for k, y in zip(kernel_rates, yard_rates, strict=True)])
        hand = {
            "yardstick": summary(yard_rates),
            "yardstick_ratio": against_hand,
            "yardstick_target": YARDSTICK_TARGET,
            # Only a yardstick that ended with the product's weights is a measure of it.
            "meets_yardstick_target": agrees and against_hand["median"] >= YARDSTICK_TARGET,
            "yardstick_agrees": agrees,
            "yardstick_max_abs_weight_difference": float(
                np.abs(yard_params - product_params).max()
            ),
        }
    momentum = case.optimizer == "momentum"
    return {
        "name": case.label,
        "config": {
            "layers": list(case.spec.sizes),
            "activations": list(case.spec.activations),
            "cost": case.spec.cost,
            "examples": n,
            "batch_size": 1,
            "optimizer": case.optimizer,
            "alpha": case.alpha,
            "momentum": case.momentum,
            "kernel_updates_per_run": case.kernel_updates,
            "reference_updates_per_run": ref_epochs * n,
            "repeats": repeats,
        },
        "unit": "updates/s",
        "agrees": diff <= AGREEMENT,
        "max_abs_weight_difference": diff,
        "kernel": summary(kernel_rates),
        "reference": summary(ref_rates),
        "ratio": ratio,
        # The targets are momentum's; the other rules are measured, not targeted.
        "target_ratio": case.target_ratio if momentum else None,
        "meets_target": ratio["median"] >= case.target_ratio if momentum else True,
        **hand,
        # The count is momentum's update; the other rules' updates cost more (a root, a
        # division), not counted.
        "flops_per_update": flops_per_update(case.spec.sizes, case.spec.bias) if momentum else None,
    }


def time_single_step(repeats: int, calls: int) -> dict:
    """One update per call from Python, as the app's `n` key does: seconds per call."""
    xor = make_problem("xor")
    session = Session(NetworkSpec.build(2, (3,), 1), xor.X, xor.Y, TrainingConfig())
    session.warm_up(single_steps=True)
    use_kernel_draws()  # as in time_case
    ref = _reference(session)
    order = EpochOrders(4, seed_streams(0)[1]).take(0, 1)
    kernel_times, ref_times = [], []
    for _ in range(repeats):
        t0 = clock()
        for _ in range(calls):
            session.run_batches(1)
        kernel_times.append((clock() - t0) / calls)
        t0 = clock()
        for _ in range(max(1, calls // 50)):
            ref.train(xor.X, xor.Y, order[:, :1], 1, 0.1, 0.9)
        ref_times.append((clock() - t0) / max(1, calls // 50))
    kernel = summary(kernel_times)
    return {
        "name": "single-step",
        "unit": "seconds/call",
        "config": {
            "layers": [2, 3, 1],
            "calls": calls,
            "repeats": repeats,
            "what": "Session.run_batches(1): one update per call from Python",
        },
        "agrees": True,
        "kernel": kernel,
        "reference": summary(ref_times),
        "ratio": summary([r / k for k, r in zip(kernel_times, ref_times, strict=True)]),
        "target_seconds": 1e-6,
        "meets_target": kernel["median"] <= 1e-6,
        "yardstick_ratio": None,  # one call from Python, not a training rate
    }


def time_restarts(epochs: int, count: int = 1024, repeats: int = 3) -> dict:
    """1024 XOR 2-3-1 networks in one call, with one thread and with all of them
    (``threads``): each a ``summary`` over ``repeats`` runs, shaped as every case's.

    ``kernel`` (one thread) and ``kernel_all_threads``: network-updates/s of the parallel
    call, which draws each network's example orders itself (``kernels.shuffle``).
    ``whole_run`` and ``whole_run_all_threads``: of all of ``train_restarts``, as the
    ``restarts`` command runs it: also seeding each network's generators and drawing its
    initial weights (in Python, one network after the other) and evaluating the results."""
    import numba

    xor = make_problem("xor")
    spec = NetworkSpec.build(2, (3,), 1)
    settings = TrainingConfig(alpha=0.1, momentum=0.9, epochs=epochs, seed=0)
    train_restarts(spec, xor.X, xor.Y, TrainingConfig(epochs=1), 2)  # compile first
    all_threads = numba.get_num_threads()
    rates, whole = {}, {}
    for threads in sorted({1, all_threads}):
        numba.set_num_threads(threads)
        kernel_rates, whole_rates = [], []
        for _ in range(repeats):
            result = train_restarts(spec, xor.X, xor.Y, settings, count)
            updates = result.updates_per_network * count
            kernel_rates.append(updates / result.kernel_seconds)
            whole_rates.append(updates / result.seconds)
        rates[threads] = summary(kernel_rates)
        whole[threads] = summary(whole_rates)
    numba.set_num_threads(all_threads)
    per_thread = rates[1]["median"]
    return {
        "name": "restarts",
        "unit": "network-updates/s",
        "config": {"layers": [2, 3, 1], "networks": count, "epochs": epochs},
        "agrees": True,
        "kernel": rates[1],
        "kernel_all_threads": rates[all_threads],
        "threads": all_threads,
        "whole_run": whole[1],
        "whole_run_all_threads": whole[all_threads],
        "target_per_thread": RESTARTS_TARGET,
        "meets_target": per_thread >= RESTARTS_TARGET,
        "yardstick_ratio": None,  # many networks in vector lanes: not the one-network kernel
        "flops_per_update": flops_per_update(spec.sizes, spec.bias),  # per network-update
    }


#: Epochs of each fit in the scikit-learn row, quick run or not.
SKLEARN_EPOCHS = 200


def time_sklearn(repeats: int, epochs: int) -> dict | None:
    """Fitting one network with BackpropClassifier and with scikit-learn's MLPClassifier
    (sgd, batch_size=1, momentum without Nesterov), same data and epochs; None without
    scikit-learn."""
    try:
        import warnings

        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier

        from ..estimators import BackpropClassifier
    except ImportError:
        return None
    moons = make_problem("moons")
    X, y = moons.X, moons.Y[:, 0].astype(int)
    common = {
        "hidden_layer_sizes": (3,),
        "momentum": 0.9,
        "batch_size": 1,
        "max_iter": epochs,
        "shuffle": False,
        "tol": 0.0,
        "n_iter_no_change": 10**9,
    }
    ours = BackpropClassifier(
        activation="sigmoid",
        solver="sgd",
        nesterovs_momentum=False,
        alpha=0.0,
        learning_rate_init=0.1,
        random_state=0,
        **common,
    )
    theirs = MLPClassifier(
        activation="logistic",
        solver="sgd",
        learning_rate="constant",
        learning_rate_init=0.1,
        nesterovs_momentum=False,
        alpha=0.0,
        random_state=0,
        **common,
    )
    ours.fit(X, y)  # compile first
    ours_rates, their_rates = [], []
    updates = epochs * len(X)
    for _ in range(repeats):
        t0 = time.perf_counter()
        ours.fit(X, y)
        ours_rates.append(updates / (time.perf_counter() - t0))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            t0 = time.perf_counter()
            theirs.fit(X, y)
            their_rates.append(updates / (time.perf_counter() - t0))
    ratio = summary([o / t for o, t in zip(ours_rates, their_rates, strict=True)])
    return {
        "name": "sklearn-mlp",
        "unit": "updates/s",
        "config": {
            "layers": [2, 3, 1],
            "examples": len(X),
            "epochs": epochs,
            "what": "BackpropClassifier.fit against MLPClassifier(solver='sgd', "
            "batch_size=1, nesterovs_momentum=False).fit",
        },
        "agrees": True,
        "max_abs_weight_difference": 0.0,
        "kernel": summary(ours_rates),
        "reference": summary(their_rates),
        "ratio": ratio,
        "target_ratio": 300.0,
        "meets_target": ratio["median"] >= 300.0,
        "yardstick_ratio": None,  # whole fits, on cross-entropy: not the yardstick's run
        "flops_per_update": flops_per_update((2, 3, 1)),
    }


def _run_seconds(args: list[str], env: dict | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run(args, capture_output=True, check=True, env=env, stdin=subprocess.DEVNULL)
    return time.perf_counter() - t0


def time_startup(repeats: int) -> dict:
    """Compile time with an empty cache, and whole-process times with a warm one."""
    script = os.path.join(os.path.dirname(sys.executable), "tui-backprop")
    command = [script] if os.path.exists(script) else [sys.executable, "-m", "tui_backprop"]
    train = [*command, "train", "--problem", "xor", "--epochs", "1"]
    with tempfile.TemporaryDirectory() as cold:
        env = dict(os.environ, NUMBA_CACHE_DIR=cold)
        cold_seconds = _run_seconds(train, env)
    _run_seconds(train)  # make sure the normal cache is warm
    warm = [_run_seconds(train) for _ in range(repeats)]
    help_times = [_run_seconds([*command, "--help"]) for _ in range(repeats)]
    train_median, help_median = statistics.median(warm), statistics.median(help_times)
    return {
        "compile_seconds": cold_seconds - train_median,
        "train_epoch_seconds": summary(warm),
        "help_seconds": summary(help_times),
        "targets": {"train_epoch_seconds": 0.8, "help_seconds": 0.2},
        "meets_target": train_median <= 0.8 and help_median <= 0.2,
    }


def machine() -> dict:
    import numba

    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "numba_threads": numba.get_num_threads(),
        "platform": platform.platform(),
    }


def versions() -> dict:
    import llvmlite
    import numba

    from .. import __version__

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "llvmlite": llvmlite.__version__,
        "tui_backprop": __version__,
    }


def _has_training_rate(case: dict) -> bool:
    """Whether a case's kernel figures are updates/s in one thread (not seconds a call)."""
    return bool(case["unit"] in ("updates/s", "network-updates/s"))


def add_flop_fractions(cases: list[dict], limit: float) -> None:
    """Give every case its ``flop_fraction``: updates/s (one thread) x flops per update /
    the flop limit, as a summary over the repeats (restarts: its one-thread rate); null for
    a case that has no flop count or rate. A case with a target for it
    (``FLOP_FRACTION_TARGETS``) gets the target and whether its median meets it."""
    for case in cases:
        flops = case.get("flops_per_update")
        if not flops or not _has_training_rate(case) or limit <= 0:
            case["flop_fraction"] = None
        else:  # every case's kernel is {median, min, max} (restarts': one thread)
            k = case["kernel"]
            case["flop_fraction"] = {key: k[key] * flops / limit for key in k}
        target = FLOP_FRACTION_TARGETS.get(case["name"])
        if target is not None and case["flop_fraction"] is not None:
            case["flop_fraction_target"] = target
            case["meets_flop_fraction_target"] = case["flop_fraction"]["median"] >= target


def run_bench(quick: bool, progress=None, optimizers: tuple[str, ...] = ("momentum",)) -> dict:
    """The whole document; ``optimizers``: the update rules the throughput cases are timed
    with, a row per case and rule (see the module's docstring)."""
    repeats = 3 if quick else 7
    say = progress or (lambda text: None)
    cases = []
    say("flop limit")
    limits = [flop_limit()]
    for optimizer in optimizers:
        for case in throughput_cases(quick):
            case = dataclasses.replace(case, optimizer=optimizer, alpha=RULE_ALPHAS[optimizer])
            say(case.label)
            cases.append(time_case(case, repeats))
    say("flop limit")
    limits.append(flop_limit())
    say("single-step")
    cases.append(time_single_step(repeats, 20_000 if quick else 100_000))
    say("restarts")
    cases.append(time_restarts(100 if quick else 1000))
    say("scikit-learn")
    # Whole fits, each with its fixed cost (scikit-learn's input checks, about 0.5 ms on
    # either side): at 20 epochs of moons' 100 examples that cost was most of our fit and
    # the ratio fell to a quarter of the target's, a figure of the run's length, not of
    # the kernels. Quick runs fit as long as full ones (a second or so per repeat).
    sklearn_case = time_sklearn(repeats, SKLEARN_EPOCHS)
    if sklearn_case is not None:
        cases.append(sklearn_case)
    say("start-up")
    startup = time_startup(3 if quick else 5)
    limit = max(limits)
    add_flop_fractions(cases, limit)
    return {
        "schema_version": SCHEMA_VERSION,
        "quick": quick,
        "optimizers": list(optimizers),
        "machine": machine(),
        "versions": versions(),
        "clock": CLOCK_NAME,
        "flop_limit": {
            "flops_per_second": limit,
            "measurements": limits,
            "what": "fused multiply-adds (2 flops each) in independent chains, one thread, "
            "vectorised as numba compiles the kernels; the fastest of the timings before "
            "and after the throughput cases",
        },
        "cases": cases,
        "startup": startup,
    }
