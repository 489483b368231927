"""``tui-backprop descend``: gradient descent on the tutorials' functions, headless."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ...core.config import QUARTIC_START
from ...core.history import thinned_steps
from ...core.words import counted
from ...io.files import json_number, to_json_lists
from ...teach.descent import (
    STEP_LIMIT,
    SURFACES,
    Descent,
    descend,
    descend_surface,
    diverged_words,
    path_values,
    quartic_point_line,
)
from ..wrap import fit

if TYPE_CHECKING:
    from ..main import Invocation


def json_path(function: str, result: Descent) -> dict:
    """The run's path for ``--json``: ``steps`` (how many steps each point is after the
    start), ``points`` (each as ``point``: [x] or [x, y]) and their f, ``values``. Every
    point while they number at most ``REPORTED_POINTS`` (--max-steps goes up to 10^7,
    far more than a script wants), else that many, evenly spread, the start and the
    end always among them (``thinned_steps``); not finite: null."""
    steps = thinned_steps(len(result.path))
    points = result.path[steps]
    return {
        "steps": steps.tolist(),
        "points": to_json_lists(points),
        "values": to_json_lists(path_values(function, points)),
    }


def run_descend(call: Invocation) -> int:
    args, config = call.args, call.descent
    gamma = config.step_size
    if config.function == "quartic":
        result = descend(
            QUARTIC_START if config.x0 is None else config.x0,
            gamma,
            config.precision,
            config.max_steps,
        )
        formula = "x^4 - 3x^3 + 2"
    else:
        surface = SURFACES[config.function]
        start = (
            surface.start[0] if config.x0 is None else config.x0,
            surface.start[1] if config.y0 is None else config.y0,
        )
        result = descend_surface(surface, start, gamma, config.precision, config.max_steps)
        formula = surface.formula
    why = diverged_words(config.function, result, "gamma", gamma) if result.diverged else ""
    if args.json:
        # The test classifies a stationary point: none where the run reached none (the
        # step limit, or steps below the precision far from one: gamma tiny).
        tested = result.converged
        print(
            json.dumps(
                {
                    "function": config.function,
                    "formula": formula,
                    "gamma": gamma,
                    "precision": config.precision,
                    "point": [json_number(v) for v in result.point],
                    "steps": result.steps,
                    "converged": result.converged,
                    "diverged": result.diverged,
                    "stopped_by": result.stopped_by,
                    "value": json_number(result.value),
                    "verdict": result.verdict if tested else None,
                    "test": result.test if tested else None,
                    "why_diverged": why or None,
                    "saddle_reached_how": result.reach or None,
                    "path": json_path(config.function, result),
                },
                allow_nan=False,
            )
        )
        return 0
    what = "ascent" if config.function == "cap" else "descent"
    print(f"gradient {what} on f = {formula}, gamma {gamma:g}, precision {config.precision:g}")
    if result.diverged:
        print(fit(f"diverged after {counted(result.steps, 'step')}: {why}", indent=2))
        return 0
    if result.stopped_by == STEP_LIMIT:
        print(f"stopped after {counted(result.steps, 'step')} (--max-steps) without converging")
    if config.function == "quartic":
        print(quartic_point_line(result.point[0], result.verdict))
    else:
        x, y = result.point
        print(f"reached ({x!r}, {y!r}), f = {result.value:.6g}")
    print(f"steps: {result.steps}")
    print(fit(result.test, indent=2))
    if result.reach:
        print(fit(result.reach, indent=2))
    return 0
