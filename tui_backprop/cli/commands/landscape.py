"""``tui-backprop landscape``: the cost over a grid of two parameters."""

from __future__ import annotations

import argparse
import json
import math

import numpy as np

from ...io.build import build_setup
from ...core.errors import InputError
from ...io.files import to_json_lists
from ...teach.landscape import cost_grid, default_parameters, parameter_index, shaded_map

MAX_GRID = 401


def check_options(args: argparse.Namespace) -> None:
    """--range and --grid (also a lesson's [landscape] values)."""
    if not (math.isfinite(args.range) and args.range > 0):
        raise InputError(f"--range must be a number > 0, got {args.range}")
    if not 2 <= args.grid <= MAX_GRID:
        raise InputError(f"--grid must be from 2 to {MAX_GRID}, got {args.grid}")


def parameter_choice(text: str | None, session) -> list[str]:
    """--params as two names ('W1[1,1],b1[1]' or 'W1[1,1];b1[1]'), or the two parameters
    of a two-parameter network when not given; each name checked against the network."""
    names = ([n.strip() for n in text.split(";")] if text
             else default_parameters(session))
    if len(names) == 1 and names[0].count("]") == 2:  # "W1[1,1],b1[1]" without ';'
        names = [names[0][: names[0].index("]") + 1], names[0][names[0].index("]") + 2:]]
    if len(names) != 2:
        raise InputError("--params takes two parameter names, like 'W1[1,1],b1[1]'")
    first, second = (parameter_index(session, n) for n in names)
    if first == second:
        raise InputError("--params: choose two different parameters")
    return names


def run_landscape(args: argparse.Namespace) -> int:
    check_options(args)
    setup = build_setup(args)
    session = setup.session
    names = parameter_choice(args.params, session)
    axis, costs = cost_grid(session, names, args.range, args.grid)
    if args.json:
        print(json.dumps({
            "problem": setup.problem.name, "layers": list(setup.spec.sizes),
            "cost": setup.spec.cost, "params": names, "range": args.range,
            "grid": args.grid, "axis": axis.tolist(), "costs": to_json_lists(costs),
            "costs_layout": "costs[i][j]: params[0] = axis[i], params[1] = axis[j]",
        }))
        return 0
    i, j = np.unravel_index(np.nanargmin(costs), costs.shape)
    print(f"mean {setup.spec.cost} cost of {setup.spec.label} on {setup.problem.name} over "
          f"{names[0]} and {names[1]} in [-{args.range:g}, {args.range:g}]")
    print(shaded_map(axis, costs, names))
    print(f"lowest cost {costs[i, j]:.4g} at {names[0]} = {axis[i]:g}, {names[1]} = {axis[j]:g};"
          f" highest {np.nanmax(costs):.4g}")
    return 0
