"""``tui-backprop bench``: kernels against the NumPy reference, side by side, as a table."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from ...core.config import OPTIMIZERS
from ...core.errors import InputError
from ...io.files import check_writable_target, write_text_atomic
from ..wrap import fit

if TYPE_CHECKING:
    from ..main import Invocation


def _rate(x: float) -> str:
    return f"{x / 1e6:.2f} M" if x >= 1e6 else f"{x / 1e3:.1f} k"


def _hand(case: dict) -> str:
    """The yardstick column: product updates/s over the hand-written kernel's, or "-";
    "NO" marks a yardstick that did not end with the product's weights bit for bit."""
    r = case.get("yardstick_ratio")
    if r is None:
        return "-"
    return f"{r['median']:.2f}x" if case.get("yardstick_agrees", True) else "NO"


def _flops(case: dict) -> str:
    f = case.get("flop_fraction")
    return "-" if f is None else f"{f['median']:.3f}"


def table(doc: dict) -> str:
    m = doc["machine"]
    lines = [
        f"tui-backprop bench{' --quick' if doc['quick'] else ''}: {m['cpu']}, "
        f"{m['cores']} cores, {m['numba_threads']} numba threads",
    ]
    limit = doc.get("flop_limit")
    if limit:
        lines.append(
            f"FMA flop limit, one thread: {limit['flops_per_second'] / 1e9:.1f} GFLOP/s "
            "(measured here)"
        )
    width = max(14, *(len(case["name"]) + 2 for case in doc["cases"]))
    lines += [
        "",
        f"{'case':<{width}}{'agrees':<8}{'kernel':>14}{'reference':>14}{'ratio (min-max)':>22}"
        f"{'target':>9}{'vs hand':>9}{'of flops':>10}",
    ]
    for case in doc["cases"]:
        name, ok = case["name"], "yes" if case["agrees"] else "NO"
        missed = "" if case["meets_target"] else "  missed"
        extra = f"{_hand(case):>9}{_flops(case):>10}"
        if case["unit"] == "updates/s":
            r = case["ratio"]
            ratio = f"{r['median']:.0f}x ({r['min']:.0f}-{r['max']:.0f})"
            goal = case["target_ratio"]
            target = f"{'-':>9}" if goal is None else f"{goal:>8.0f}x"
            lines.append(
                f"{name:<{width}}{ok:<8}{_rate(case['kernel']['median']) + '/s':>14}"
                f"{_rate(case['reference']['median']) + '/s':>14}{ratio:>22}"
                f"{target}{extra}{missed}"
            )
        elif case["unit"] == "seconds/call":
            k = case["kernel"]["median"] * 1e6
            ref = case["reference"]["median"] * 1e6
            ratio = f"{case['ratio']['median']:.0f}x"
            lines.append(
                f"{name:<{width}}{ok:<8}{f'{k:.2f} us/call':>14}{f'{ref:.1f} us':>14}"
                f"{ratio:>22}{'<= 1 us':>9}{extra}{missed}"
            )
        else:
            k = case["kernel"]
            threads = f"{k['threads']} threads: {_rate(k['all_threads'])}/s"
            lines.append(
                f"{name:<{width}}{ok:<8}{_rate(k['one_thread']) + '/s':>14}{'':>14}"
                f"{threads:>22}{case['target_per_thread'] / 1e6:>5.0f} M/s{extra}{missed}"
            )
    lines += [
        "(vs hand: kernel updates/s over those of a hand-written XOR 2-3-1 kernel, timed in "
        "the same repeats on the same updates)",
        "(of flops: updates/s x flops per update / the FMA flop limit above; restarts: per thread)",
    ]
    lines.append(
        "(restarts: network-updates/s with one thread, and with all, by the wall "
        "clock; its target is per thread)"
    )
    if any(case["name"] == "sklearn-mlp" for case in doc["cases"]):
        lines.append(
            "(sklearn-mlp: BackpropClassifier.fit against scikit-learn's "
            "MLPClassifier.fit with sgd, batch_size=1)"
        )
    s = doc["startup"]
    lines += [
        "",
        f"compile (empty cache)     {s['compile_seconds']:.2f} s",
        f"train --epochs 1 process  {s['train_epoch_seconds']['median']:.2f} s "
        f"(target 0.8 s), --help {s['help_seconds']['median']:.2f} s (target 0.2 s)",
        "",
        "rates are medians over the repeats; the ratio is taken per repeat, kernel and "
        "reference timed one after the other",
        f"single-threaded cases are timed in {doc.get('clock', 'wall-clock time')}",
    ]
    # The notes wrap to the terminal, under their text; the table's rows are kept whole.
    notes = ("(", "rates are ", "single-threaded ")
    return "\n".join(fit(line, indent=1) if line.startswith(notes) else line for line in lines)


def run_bench_command(call: Invocation) -> int:
    args = call.args
    from ..benchmark import run_bench

    if args.output:
        check_writable_target(args.output)

    def say(name: str) -> None:
        if sys.stderr.isatty():
            print(f"\rbench: {name} ...\x1b[K", end="", file=sys.stderr, flush=True)

    every = ("momentum", *(o for o in OPTIMIZERS if o != "momentum"))  # today's rows first
    optimizers = every if args.optimizer == ["all"] else tuple(args.optimizer or ["momentum"])
    if "all" in optimizers:
        raise InputError("--optimizer all times every rule: give it alone")
    doc = run_bench(args.quick, progress=say, optimizers=tuple(dict.fromkeys(optimizers)))
    if sys.stderr.isatty():
        print("\r\x1b[K", end="", file=sys.stderr, flush=True)
    text = json.dumps(doc, indent=2)
    if args.output:
        write_text_atomic(args.output, text + "\n")
    print(text if args.json else table(doc))
    return 0
