"""``tui-backprop restarts``: many seeds of one network, the converged fraction, a histogram."""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING

import numpy as np

from ...core.errors import InputError
from ...core.words import counted
from ...io.build import build_setup
from ...io.files import json_number, to_json_lists
from ...teach.restarts import (
    RestartsInterrupted,
    RestartsResult,
    loss_histogram,
    train_restarts,
)
from ..interrupts import Interruptions
from ..progress import CompileNotice, ProgressBar
from ..report import TOO_SHORT, per_second, rate_words, rule_words, run_keys
from ..wrap import fit, fit_command

if TYPE_CHECKING:
    from ...core.session import ProgressCallback
    from ...io.build import Setup
    from ..main import Invocation

#: The exit code of a run stopped by Ctrl-C (128 + SIGINT), as the shell gives.
INTERRUPTED = 130

QUANTILES = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0)


def histogram_text(losses: np.ndarray, threshold: float, width: int = 70, height: int = 14) -> str:
    """Final losses as a plotext histogram over log10(loss), the threshold marked."""
    import plotext as plt

    histogram = loss_histogram(losses)
    plt.clear_figure()
    plt.plotsize(width, height)
    plt.theme("clear")
    if histogram is not None:
        plt.hist(histogram.logs, bins=histogram.bins)
        plt.vline(math.log10(threshold))
        plt.xticks(*histogram.log_ticks(threshold, max(2, width // 8)))
        plt.yticks(histogram.count_ticks, [str(int(c)) for c in histogram.count_ticks])
    plt.title("final loss (log10); the line is the threshold")
    # plotext colours even with the "clear" theme; a report for any terminal or file has none.
    return re.sub(r"\x1b\[[0-9;]*m", "", plt.build())


#: restarts' options that are not a network's: left out of the command that trains one seed
#: (--seed is given anew).
NOT_TRAINS = ("--threads", "--json", "--count", "--threshold", "--seed")


def train_command(words: tuple[str, ...], seed: int) -> list[list[str]]:
    """``tui-backprop train`` with the run options of restarts' ``words`` (its command line
    after the command's name) and ``--seed seed``: the command that trains that one
    restart, bit for bit, as its words grouped by option (``["--hidden", "2"]``), the
    program's name first. Options are read as argparse reads them (abbreviations such as
    --cou, --flag=value) and written out whole: an abbreviation that restarts' options
    tell apart may not be one train's do (--sa: --samples, or train's --save)."""
    from ..main import build_parser

    parser = build_parser().command_parsers["restarts"]
    actions = parser._option_string_actions  # noqa: SLF001 (argparse's own table)
    left_out = {actions[flag].dest for flag in NOT_TRAINS}
    kept: list[list[str]] = [["tui-backprop", "train"]]
    skip = 0
    for word in words:
        if skip:
            skip -= 1
            continue
        name, equals, value = word.partition("=")
        if name.startswith("--") and name not in actions:
            matches = [flag for flag in actions if flag.startswith(name)]
            name = matches[0] if len(matches) == 1 else name
        action = actions.get(name)
        if action is None:  # a value (of the option before it), or what argparse refused
            kept[-1].append(word)
            continue
        if action.dest in left_out:
            skip = 0 if equals or action.nargs == 0 else 1
            continue
        kept.append([f"{name}={value}" if equals else name])
    return [*kept, ["--seed", str(seed)]]


def run_restarts(call: Invocation, progress: ProgressCallback | None = None) -> int:
    """Train the restarts and report them; ``progress`` (network-epochs done, in all) is
    called besides the progress bar's update.

    Ctrl-C or SIGTERM stops the run between parallel calls: the report covers the networks
    finished so far, says it was interrupted, and the exit code is 128 + the signal."""
    args, config = call.args, call.restarts
    if args.threads is not None:
        import numba

        most = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]  # not in its stub
        if not 1 <= args.threads <= most:
            raise InputError(f"--threads must be from 1 to {most}")
        numba.set_num_threads(args.threads)
    setup = build_setup(call.run, make_session=False)
    if setup.initial is not None:
        raise InputError("--init gives every restart the same weights; restarts need seeds")
    # The bar counts network-updates, the unit of the report's speed; ``progress`` gets
    # network-epochs, as train_restarts counts them.
    per_epoch = setup.settings.updates_per_epoch(len(setup.problem.X))
    bar = ProgressBar("restarts", unit="network-updates")

    def update(done: int, total: int) -> None:
        bar.update(done * per_epoch, total * per_epoch)
        if progress is not None:
            progress(done, total)

    with Interruptions() as interruptions, CompileNotice("tui-backprop restarts"):
        try:
            result = train_restarts(
                setup.spec,
                setup.problem.X,
                setup.problem.Y,
                setup.settings,
                config.count,
                progress=update,
                stop=lambda: interruptions.stopped,
            )
        except RestartsInterrupted as interrupt:  # a KeyboardInterrupt from elsewhere
            result = interrupt.result
        finally:
            bar.close()
    report(call, setup, result)
    if not result.interrupted:
        return 0
    return 128 + interruptions.signum if interruptions.signum is not None else INTERRUPTED


def report(call: Invocation, setup: Setup, result: RestartsResult) -> None:
    """Print the result, as JSON with --json; an interrupted run's covers the networks
    finished."""
    args, config = call.args, call.restarts
    losses = result.final_losses
    trained = len(losses)
    threshold, source = config.threshold_for(setup.spec.cost)
    converged = result.converged(threshold)
    finite = np.isfinite(losses)
    order = np.argsort(np.where(finite, losses, np.inf), kind="stable")
    best, worst = result.seeds[order[:5]], result.seeds[order[::-1][:5]]
    # Each quantile a run's own loss (the least with at least that share of the runs at
    # or below it): interpolated, a quantile fell inside an empty gap between the
    # converged runs and the stuck ones, at a loss no run ended with.
    quantiles = {
        f"{q:g}": json_number(float(np.quantile(losses[finite], q, method="inverted_cdf")))
        if finite.any()
        else None
        for q in QUANTILES
    }
    updates = result.updates_per_network * trained
    if args.json:
        # train's keys for the run, with its seed as the first of the restarts' seeds.
        run = run_keys(setup)
        first_seed = run.pop("seed")
        print(
            json.dumps(
                {
                    **run,
                    "count": trained,
                    "first_seed": first_seed,
                    "epochs": result.epochs,
                    "threshold": threshold,
                    "threshold_source": source,
                    "converged": int(converged.sum()),
                    "converged_fraction": float(converged.mean()) if trained else None,
                    "diverged": int((~finite).sum()),
                    "quantiles": quantiles,
                    "best_seeds": best.tolist(),
                    "worst_seeds": worst.tolist(),
                    "final_losses": to_json_lists(losses),
                    "seconds": result.seconds,
                    "setup_seconds": result.setup_seconds,
                    "network_updates_per_s": per_second(updates, result.training_seconds),
                    "interrupted": result.interrupted,
                }
            )
        )
        return
    spec, st = setup.spec, setup.settings
    interrupted = f"interrupted: {trained} of {config.count} networks trained"
    if not trained:
        print(interrupted)
        return
    print(
        fit(
            f"{trained} restarts of {spec.label} on {setup.problem.name}, seeds "
            f"{result.seeds[0]}..{result.seeds[-1]}, {counted(result.epochs, 'epoch')} each "
            f"({rule_words(st)}, batch {st.batch_size})",
            indent=2,
        )
    )
    print(histogram_text(losses, threshold))
    print(
        fit(
            f"converged     {converged.sum()} of {trained} ({converged.mean():.1%}) "
            f"with final loss < {threshold:g} ({source})",
            indent=14,
        )
    )
    if (~finite).any():
        print(f"diverged      {(~finite).sum()}")
    # Each quantile stays on one line with its value: the space inside a pair is held by
    # a placeholder the wrap does not break at, put back after it.
    print(
        fit(
            "quantiles     "
            + "  ".join(
                f"{k}:\0{v:.3g}" if v is not None else f"{k}:\0-" for k, v in quantiles.items()
            ),
            indent=14,
        ).replace("\0", " ")
    )
    print(fit(f"best seeds    {' '.join(map(str, best))}", indent=14))
    print(
        fit(
            f"worst seeds   {' '.join(map(str, worst))}",
            indent=14,
        )
    )
    # To be copied into a shell: broken only between options, each line continued.
    print(fit_command("train one     ", train_command(call.words, worst[0])))
    print(
        f"time          {result.seconds:.2f} s, of which {result.setup_seconds:.2f} s loading "
        "or compiling the kernels"
    )
    training = result.training_seconds
    rate = rate_words(updates, training, "network-updates")
    if rate == TOO_SHORT:
        print(f"speed         {rate}: {training:.3f} s of training")
    else:
        print(f"speed         {rate} in the {training:.2f} s of training")
    if result.interrupted:
        print(interrupted)
