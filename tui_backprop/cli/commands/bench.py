"""``tui-backprop bench``: kernels against the NumPy reference, side by side, as a table."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from ...io.files import check_writable_target, write_text_atomic

if TYPE_CHECKING:
    from ..main import Invocation


def _rate(x: float) -> str:
    return f"{x / 1e6:.2f} M" if x >= 1e6 else f"{x / 1e3:.1f} k"


def table(doc: dict) -> str:
    m = doc["machine"]
    lines = [
        f"tui-backprop bench{' --quick' if doc['quick'] else ''}: {m['cpu']}, "
        f"{m['cores']} cores, {m['numba_threads']} numba threads",
        "",
        f"{'case':<14}{'agrees':<8}{'kernel':>14}{'reference':>14}{'ratio (min-max)':>22}"
        f"{'target':>9}",
    ]
    for case in doc["cases"]:
        name, ok = case["name"], "yes" if case["agrees"] else "NO"
        missed = "" if case["meets_target"] else "  missed"
        if case["unit"] == "updates/s":
            r = case["ratio"]
            ratio = f"{r['median']:.0f}x ({r['min']:.0f}-{r['max']:.0f})"
            lines.append(
                f"{name:<14}{ok:<8}{_rate(case['kernel']['median']) + '/s':>14}"
                f"{_rate(case['reference']['median']) + '/s':>14}{ratio:>22}"
                f"{case['target_ratio']:>8.0f}x{missed}"
            )
        elif case["unit"] == "seconds/call":
            k = case["kernel"]["median"] * 1e6
            ref = case["reference"]["median"] * 1e6
            ratio = f"{case['ratio']['median']:.0f}x"
            lines.append(
                f"{name:<14}{ok:<8}{f'{k:.2f} us/call':>14}{f'{ref:.1f} us':>14}"
                f"{ratio:>22}{'<= 1 us':>9}{missed}"
            )
        else:
            k = case["kernel"]
            threads = f"{k['threads']} threads: {_rate(k['all_threads'])}/s"
            lines.append(
                f"{name:<14}{ok:<8}{_rate(k['one_thread']) + '/s':>14}{'':>14}"
                f"{threads:>22}{'30 M/s':>9}{missed}"
            )
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
    return "\n".join(lines)


def run_bench_command(call: Invocation) -> int:
    args = call.args
    from ..benchmark import run_bench

    if args.output:
        check_writable_target(args.output)

    def say(name: str) -> None:
        if sys.stderr.isatty():
            print(f"\rbench: {name} ...\x1b[K", end="", file=sys.stderr, flush=True)

    doc = run_bench(args.quick, progress=say)
    if sys.stderr.isatty():
        print("\r\x1b[K", end="", file=sys.stderr, flush=True)
    text = json.dumps(doc, indent=2)
    if args.output:
        write_text_atomic(args.output, text + "\n")
    print(text if args.json else table(doc))
    return 0
