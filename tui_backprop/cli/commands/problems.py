"""``tui-backprop problems``: the built-in problems and their sizes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ...core.problems import problem_catalog
from ..wrap import fit

if TYPE_CHECKING:
    from ..main import Invocation


def run_problems(call: Invocation) -> int:
    args = call.args
    catalog = problem_catalog()
    if args.json:
        print(json.dumps(catalog))
        return 0
    header = ("name", "inputs", "outputs", "examples", "kind", "description")
    rows = [header] + [
        (
            p["name"],
            str(p["inputs"]),
            str(p["outputs"]),
            str(p["examples"]),
            p["kind"],
            p["description"],
        )
        for p in catalog
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header) - 1)]
    described = sum(widths) + 2 * len(widths)  # where the descriptions start
    for row in rows:
        cells = [c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)]
        print(fit("  ".join([*cells, row[-1]]), indent=described))
    print()
    print(
        fit(
            "Generated problems take --samples, --noise and --data-seed; "
            "your own data: --data FILE.csv --targets K"
        )
    )
    return 0
