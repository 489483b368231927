"""``tui-backprop descend``: gradient descent on the tutorials' functions, headless."""

from __future__ import annotations

import argparse
import json
import math

from ...teach.descent import PRESETS, SURFACES, descend, descend_surface
from ...core.errors import InputError
from ...io.files import json_number


def _positive(name: str, value: float) -> float:
    if not (math.isfinite(value) and value > 0):
        raise InputError(f"{name} must be a finite number > 0, got {value!r}")
    return value


def check_options(args: argparse.Namespace) -> float:
    """Every option's value (also a lesson's [descent] values); returns gamma."""
    if args.preset and args.gamma is not None:
        raise InputError("give --gamma or --preset, not both")
    gamma = PRESETS[args.preset] if args.preset else (0.01 if args.gamma is None
                                                      else args.gamma)
    _positive("--gamma", gamma)
    _positive("--precision", args.precision)
    if args.max_steps < 1:
        raise InputError(f"--max-steps must be at least 1, got {args.max_steps}")
    for name in ("x0", "y0"):
        value = getattr(args, name)
        if value is not None and not math.isfinite(value):
            raise InputError(f"--{name} must be a finite number, got {value!r}")
    if args.function == "quartic" and args.y0 is not None:
        raise InputError("--y0 is for the two-variable functions (bowl, cap, saddle)")
    return gamma


def run_descend(args: argparse.Namespace) -> int:
    gamma = check_options(args)
    if args.function == "quartic":
        result = descend(4.0 if args.x0 is None else args.x0, gamma, args.precision,
                         args.max_steps)
        formula = "x^4 - 3x^3 + 2"
    else:
        surface = SURFACES[args.function]
        start = (surface.start[0] if args.x0 is None else args.x0,
                 surface.start[1] if args.y0 is None else args.y0)
        result = descend_surface(surface, start, gamma, args.precision, args.max_steps)
        formula = surface.formula
    if args.json:
        print(json.dumps({
            "function": args.function, "formula": formula, "gamma": gamma,
            "precision": args.precision,
            "point": [json_number(v) for v in result.point], "steps": result.steps,
            "converged": result.converged, "diverged": result.diverged,
            "value": json_number(result.value), "verdict": result.verdict or None,
            "test": result.test or None,
        }))
        return 0
    what = "ascent" if args.function == "cap" else "descent"
    print(f"gradient {what} on f = {formula}, gamma {gamma:g}, precision {args.precision:g}")
    if result.diverged:
        print(f"diverged after {result.steps} steps: gamma {gamma:g} overshoots (the point "
              f"left [-1e6, 1e6])")
        return 0
    if not result.converged:
        print(f"stopped after {result.steps} steps (--max-steps) without converging")
    if args.function == "quartic":
        x = result.point[0]
        kind = {"minimum": "Local minimum", "maximum": "Local maximum"}.get(
            result.verdict, "Critical point")
        print(f"{kind} occurs at {x!r}")
    else:
        x, y = result.point
        print(f"reached ({x!r}, {y!r}), f = {result.value:.6g}")
    print(f"steps: {result.steps}")
    print(result.test)
    return 0
