"""``tui-backprop landscape``: the cost over a grid of two parameters."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np

from ...io.build import build_setup
from ...io.files import to_json_lists
from ...teach.landscape import chosen_parameters, cost_grid, shaded_map
from ..progress import CompileNotice
from ..wrap import fit

if TYPE_CHECKING:
    from ..main import Invocation


def run_landscape(call: Invocation) -> int:
    args, config = call.args, call.landscape
    with CompileNotice("tui-backprop landscape"):
        setup = build_setup(call.run)
        session = setup.session
        assert session is not None
        names = chosen_parameters(config.params, session.network)
        axis, costs = cost_grid(session, names, config.half_range, config.grid)
    if args.json:
        print(
            json.dumps(
                {
                    "problem": setup.problem.name,
                    "layers": list(setup.spec.sizes),
                    "cost": setup.spec.cost,
                    "params": names,
                    "range": config.half_range,
                    "grid": config.grid,
                    "axis": to_json_lists(axis),
                    "costs": to_json_lists(costs),
                    "costs_layout": "costs[i][j]: params[0] = axis[i], params[1] = axis[j]",
                }
            )
        )
        return 0
    i, j = np.unravel_index(np.nanargmin(costs), costs.shape)
    print(
        fit(
            f"mean {setup.spec.cost} cost of {setup.spec.label} on {setup.problem.name} over "
            f"{names[0]} and {names[1]} in [-{config.half_range:g}, {config.half_range:g}]"
        )
    )
    print(shaded_map(axis, costs, names))
    print(
        fit(
            f"lowest cost {costs[i, j]:.4g} at {names[0]} = {axis[i]:g}, "
            f"{names[1]} = {axis[j]:g}; highest {np.nanmax(costs):.4g}"
        )
    )
    return 0
