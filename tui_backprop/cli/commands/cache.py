"""``tui-backprop cache``: where the compiled kernels are cached, how much is there,
``--clear`` to empty it and ``--warm`` to fill it ahead of time."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from kernels.cache_location import requested_cache_dir

from ..wrap import error_line

if TYPE_CHECKING:
    from ...core.config import RunConfig
    from ..main import Invocation

#: The costs the app's c key cycles through; the common set has each lesson's network
#: with either.
COSTS = ("mse", "cross-entropy")


def _size(n: int) -> str:
    """A byte count for people: 950 bytes, 12.3 kB, 4.5 MB."""
    if n < 1000:
        return f"{n} bytes"
    value = n / 1000
    for unit in ("kB", "MB"):
        if value < 1000:
            return f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


def common_runs() -> list[tuple[str, RunConfig]]:
    """The networks people open first: the app's default one and every shipped lesson's
    network, each with either cost (where its targets allow cross-entropy)."""
    from ...core.config import RunConfig
    from ...io.lessons import shipped_lessons

    runs = [("default", RunConfig())]
    runs += [(lesson.name, lesson.run) for lesson in shipped_lessons() if lesson.scene != "descent"]
    every = []
    for name, run in runs:
        for cost in COSTS:
            network = dataclasses.replace(run.network, cost=cost)
            every.append((f"{name} ({cost})", dataclasses.replace(run, network=network)))
    return every


#: The update rules ``warm`` compiles each network's kernels for: plain momentum takes the
#: momentum kernels (``train_batches``, ``step``; sgd too), adam the kernels every other
#: rule takes (``train_rule``, ``step_rule``: one kernel for all of them, the rule's code
#: read at run time).
WARM_OPTIMIZERS = ("momentum", "adam")

#: The estimators' default network as ``warm`` compiles it: BackpropClassifier()'s 64 relu
#: units, sigmoid output and cross-entropy, adam on batches of 32. It has more than
#: ``kernels.specialize.MAX_PARAMETERS`` parameters, so it trains on the general kernels,
#: which take the layer table as an argument: one compile serves every such network (of
#: any sizes, the regressor's too), and the sizes here are only an example.
ESTIMATOR_HIDDEN = 64
ESTIMATOR_BATCH = 32

Progress = Callable[[int, int, str], None]
#: The width of the progress bar's label, which each step's name replaces (cut to it).
STEP_WIDTH = 24


def warm_estimator_kernels() -> None:
    """Compile (or load) the kernels of the estimators' default path: ``fit``'s
    (``train_rule``, general) and ``predict``'s (``evaluate``, general)."""
    import numpy as np

    from ...core.config import TrainingConfig
    from ...core.session import Session
    from ...core.spec import NetworkSpec

    spec = NetworkSpec.build(
        2,
        (ESTIMATOR_HIDDEN,),
        1,
        activation="relu",
        output_activation="sigmoid",
        cost="cross-entropy",
    )
    X = np.zeros((ESTIMATOR_BATCH, 2))
    Y = np.zeros((ESTIMATOR_BATCH, 1))
    settings = TrainingConfig(optimizer="adam", alpha=0.003, batch_size=ESTIMATOR_BATCH)
    session = Session(spec, X, Y, settings)
    session.warm_up()
    session.evaluate()


def warm(progress: Progress | None = None) -> list[str]:
    """Compile (or load) the kernels of ``common_runs``, for each of ``WARM_OPTIMIZERS``,
    the gradient check's, the restarts' (momentum and adam) and the estimators' default
    path (``warm_estimator_kernels``); returns the networks warmed, as "2-3-1
    sigmoid/sigmoid mse". ``progress(done, total, what)`` is called before each step."""
    from ...core.errors import ConfigError
    from ...core.session import warm_kernels
    from ...io.build import build_setup
    from ...teach.gradcheck import check_gradients
    from ...teach.restarts import train_restarts

    setups = []
    seen = set()
    for _, run in common_runs():
        try:
            setup = build_setup(run)
        except ConfigError:  # cross-entropy for targets outside [0, 1]: not a network
            continue
        spec = setup.spec
        key = (spec.sizes, spec.activations, spec.cost, spec.bias)
        if key not in seen:
            seen.add(key)
            setups.append(setup)
    first = setups[0]
    assert first.session is not None
    steps: list[tuple[str, Callable[[], object]]] = []
    warmed = []
    for setup in setups:
        spec = setup.spec
        bias = "" if spec.bias else ", no biases"
        label = f"{spec.label} {'/'.join(spec.activations)} {spec.cost}{bias}"
        warmed.append(label)
        short = f"{spec.label} {{}} {spec.cost}{bias}"
        for optimizer in WARM_OPTIMIZERS:
            settings = dataclasses.replace(setup.settings, optimizer=optimizer)
            steps.append(
                (
                    short.format(optimizer),
                    functools.partial(
                        warm_kernels, spec, setup.problem.X, setup.problem.Y, settings
                    ),
                )
            )
    steps.append(("gradient check", functools.partial(check_gradients, first.session)))
    for optimizer in WARM_OPTIMIZERS:
        one_epoch = dataclasses.replace(first.settings, epochs=1, optimizer=optimizer)
        restarts = functools.partial(
            train_restarts, first.spec, first.problem.X, first.problem.Y, one_epoch, 2
        )
        steps.append((f"restarts, {optimizer}", restarts))
    steps.append(("estimators: fit, predict", warm_estimator_kernels))
    for done, (what, step) in enumerate(steps):
        if progress is not None:
            progress(done, len(steps), what)
        step()
    if progress is not None:
        progress(len(steps), len(steps), "done")
    return warmed


#: The exit status of a ``--clear`` that refuses: nothing was cleared.
REFUSED = 2


def _refuse(why: str) -> int:
    print(
        error_line("tui-backprop cache", f"not clearing: {why}; nothing cleared"), file=sys.stderr
    )
    return REFUSED


def run_cache(call: Invocation) -> int:
    args = call.args
    if args.warm:
        return run_warm(call)
    request = requested_cache_dir()
    if args.clear and request is not None:
        # Looked at before kernels.config is imported, which makes the folder, or, for
        # one it cannot trust, a temporary one of this run that clearing would not help.
        if not os.path.lexists(request.path):
            return _nothing_to_clear(str(request.path), args.json)
        untrusted = request.untrusted()
        if untrusted is not None:
            return _refuse(f"{untrusted} is not a private folder of this user")
    from kernels.config import CacheRefused, cache_usage, clear_cache

    result = cache_usage()
    if args.clear:
        try:
            removed = clear_cache()
        except CacheRefused as error:
            return _refuse(str(error))
        result = cache_usage() | {"cleared": {k: removed[k] for k in ("files", "bytes")}}
    if args.json:
        print(json.dumps(result))
        return 0
    location = result["location"]
    if location is None:
        print("caching is off (TUI_BACKPROP_NO_CACHE): kernels compile on every start")
        return 0
    print(f"location  {location}")
    if result["temporary"]:
        print("          a temporary folder of this run only: the usual one is not private")
    if args.clear:
        cleared = result["cleared"]
        print(f"cleared   {cleared['files']} files, {_size(cleared['bytes'])}")
    print(f"holds     {result['files']} files, {_size(result['bytes'])}")
    return 0


def _nothing_to_clear(location: str, as_json: bool) -> int:
    """``--clear`` of a cache folder that does not exist: said, and not made."""
    if as_json:
        empty = {"files": 0, "bytes": 0}
        print(json.dumps({"location": location, "temporary": False, **empty, "cleared": empty}))
    else:
        print(f"location  {location}")
        print("cleared   nothing: the folder does not exist")
    return 0


def run_warm(call: Invocation) -> int:
    """``cache --warm``: the common set compiled now, with a progress bar."""
    from kernels.config import cache_usage

    from ..progress import ProgressBar

    started = time.perf_counter()
    # The label as wide as the steps' names it makes way for (``warm``): the columns stay.
    bar = ProgressBar(f"{'compiling kernels':<{STEP_WIDTH}}", delay=0.0, unit="steps", width=12)
    try:
        warmed = warm(bar.update)
    finally:
        bar.close()
    seconds = time.perf_counter() - started
    result = cache_usage() | {"warmed": warmed, "seconds": seconds}
    if call.args.json:
        print(json.dumps(result))
        return 0
    print(f"compiled  {len(warmed)} networks' kernels in {seconds:.1f} s:")
    for label in warmed:
        print(f"          {label}")
    if result["location"] is None:
        print("caching is off (TUI_BACKPROP_NO_CACHE): they compile again on the next start")
    else:
        print(f"cached in {result['location']}")
    return 0
