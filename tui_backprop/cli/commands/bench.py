"""``tui-backprop bench``: kernels against the NumPy reference, side by side, as a table."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from ...core.config import OPTIMIZERS
from ...core.errors import InputError
from ...io.files import check_writable_target, write_text_atomic
from ..wrap import columns, fit

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


#: The table's columns, header and width; the first (the case's name) is sized to the names.
#: A wide terminal shows them all in one table; a narrower one (a student's 80 columns)
#: in two, the comparison with the reference and then the comparison with the machine,
#: each row led by its case, with restarts' rate on all threads in a column of its own.
WIDE = (
    (
        ("case", 0),
        ("agrees", 8),
        ("kernel", 14),
        ("reference", 14),
        ("ratio (min-max)", 22),
        ("target", 9),
        ("vs hand", 9),
        ("of flops", 10),
    ),
)
NARROW = (
    (
        ("case", 0),
        ("agrees", 7),
        ("kernel", 13),
        ("reference", 11),
        ("ratio (min-max)", 17),
        ("target", 9),
    ),
    (("case", 0), ("vs hand", 9), ("of flops", 10), ("all threads", 24)),
)


def _cells(case: dict) -> dict[str, str]:
    """A case's row, cell by cell, by column header (``"missed"``: the mark after the target)."""
    cells = {
        "case": case["name"],
        "agrees": "yes" if case["agrees"] else "NO",
        "vs hand": _hand(case),
        "of flops": _flops(case),
        "all threads": "-",
        "missed": "" if case["meets_target"] else "  missed",
    }
    if case["unit"] == "updates/s":
        r = case["ratio"]
        goal = case["target_ratio"]
        cells |= {
            "kernel": _rate(case["kernel"]["median"]) + "/s",
            "reference": _rate(case["reference"]["median"]) + "/s",
            "ratio (min-max)": f"{r['median']:.0f}x ({r['min']:.0f}-{r['max']:.0f})",
            "target": "-" if goal is None else f"{goal:.0f}x",
        }
    elif case["unit"] == "seconds/call":
        cells |= {
            "kernel": f"{case['kernel']['median'] * 1e6:.2f} us/call",
            "reference": f"{case['reference']['median'] * 1e6:.1f} us",
            "ratio (min-max)": f"{case['ratio']['median']:.0f}x",
            "target": "<= 1 us",
        }
    else:
        every = case["kernel_all_threads"]["median"]
        cells |= {
            "kernel": _rate(case["kernel"]["median"]) + "/s",
            "reference": "",
            "ratio (min-max)": "",
            "all threads": f"{case['threads']} threads: {_rate(every)}/s",
            "target": f"{case['target_per_thread'] / 1e6:.0f} M/s",
        }
    return cells


#: Columns whose cells are words, flush left; the others are numbers, flush right.
WORDS = ("case", "agrees")


def _tables(rows: list[dict[str, str]], layout: tuple) -> list[str]:
    """``rows`` (from ``_cells``) as the tables of ``layout`` (``WIDE`` or ``NARROW``),
    each after a blank line and under its header."""
    name_width = max([14, *(len(row["case"]) + 2 for row in rows)])
    lines: list[str] = []
    for fields in layout:
        header = {name: name for name, _ in fields}
        lines.append("")
        for row in (header, *rows):
            if layout is WIDE and row["ratio (min-max)"] == "":
                # restarts has no reference to take a ratio of: the wide table shows its
                # rate on all threads in that cell.
                row = row | {"ratio (min-max)": row["all threads"]}
            cells = (
                f"{row[name]:{'<' if name in WORDS else '>'}{width or name_width}}"
                for name, width in fields
            )
            lines.append("".join(cells) + (row.get("missed", "") if "target" in header else ""))
    return lines


def _column_targets(cases: list[dict]) -> list[str]:
    """The targets of the last two columns, with each case's median and whether it meets
    it (the "target" column holds the ratio's alone)."""
    said = []
    for case in cases:
        if "yardstick_target" in case:
            verdict = (
                ("met" if case["meets_yardstick_target"] else "missed")
                if case.get("yardstick_agrees", True)
                else "not comparable: the weights differ"
            )
            said.append(
                f"{case['name']} vs hand {_hand(case)} "
                f"(target {case['yardstick_target']:.2f}x), {verdict}"
            )
        if "flop_fraction_target" in case:
            said.append(
                f"{case['name']} of flops {_flops(case)} "
                f"(target {case['flop_fraction_target']:.2f}), "
                + ("met" if case["meets_flop_fraction_target"] else "missed")
            )
    return ["targets: " + "; ".join(said)] if said else []


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
    rows = [_cells(case) for case in doc["cases"]]
    wide = _tables(rows, WIDE)
    fits = max(len(line) for line in wide) <= columns()
    lines += wide if fits else _tables(rows, NARROW)
    lines += _column_targets(doc["cases"])
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
        "(compile: the kernels `train --problem xor --epochs 1` needs, as that process's "
        "time with an empty kernel cache less its time with a warm one)",
        f"train --epochs 1 process  {s['train_epoch_seconds']['median']:.2f} s "
        f"(target 0.8 s), --help {s['help_seconds']['median']:.2f} s (target 0.2 s)",
        "",
        "rates are medians over the repeats; the ratio is taken per repeat, kernel and "
        "reference timed one after the other",
        f"single-threaded cases are timed in {doc.get('clock', 'wall-clock time')}",
    ]
    # The notes wrap to the terminal, under their text.
    notes = ("(", "rates are ", "single-threaded ", "targets: ")
    return "\n".join(
        fit(line, indent=len("targets: ") if line.startswith("targets: ") else 1)
        if line.startswith(notes)
        else line
        for line in lines
    )


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
