"""``tui-backprop race``: the race scene's optimizers on one cost surface, headless: every
racer's trail and losses (``teach.race``), as text or as JSON."""

from __future__ import annotations

import argparse
import dataclasses
import json
from typing import TYPE_CHECKING, Any

from ...core.config import OPTIMIZERS, RACE_SURFACES, number_from_text, whole_from_text
from ..options import argparse_type

if TYPE_CHECKING:
    from ..main import Invocation


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(","))


def _numbers(text: str) -> tuple[float, ...]:
    return tuple(number_from_text(part.strip()) for part in text.split(","))


def add_race_parser(commands: Any) -> argparse.ArgumentParser:
    """The command's parser: its own options, none of them a training option."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "race",
        help="optimizers side by side on one cost surface",
        description="Several optimizers (" + ", ".join(OPTIMIZERS) + ") from the same "
        "start on one cost surface, stepping together: each one's trail and loss per "
        "step. Defaults come from --lesson's [race] section, else the race scene's.",
    )
    parser.add_argument(
        "--lesson",
        metavar="NAME|FILE.toml",
        help="start from a lesson's [race] settings (the network surface is its network)",
    )
    parser.add_argument("--surface", dest="race_surface", choices=RACE_SURFACES)
    parser.add_argument(
        "--optimizers",
        dest="race_optimizers",
        type=argparse_type(_names),
        metavar="A,B,...",
        help="the racers, for example momentum,adam",
    )
    parser.add_argument(
        "--alphas",
        dest="race_alphas",
        type=argparse_type(_numbers),
        metavar="X,Y,...",
        help="one learning rate per racer (default: each surface's own)",
    )
    parser.add_argument(
        "--momentum",
        dest="race_momentum",
        type=argparse_type(number_from_text),
        help="mu of momentum and nesterov",
    )
    parser.add_argument("--steps", dest="race_steps", type=argparse_type(whole_from_text))
    parser.add_argument("--x0", dest="race_x0", type=argparse_type(number_from_text))
    parser.add_argument("--y0", dest="race_y0", type=argparse_type(number_from_text))
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def run_race(call: Invocation) -> int:
    from ...core.config import RaceConfig
    from ...core.errors import InputError
    from ...io.build import build_setup
    from ...io.files import json_number
    from ...teach.race import Race, make_surface, race_json, race_rules

    args, lesson = call.args, call.lesson
    config = lesson.race if lesson is not None else RaceConfig()
    changes = {
        name: getattr(args, f"race_{name}")
        for name in ("surface", "optimizers", "alphas", "momentum", "steps", "x0", "y0")
        if getattr(args, f"race_{name}") is not None
    }
    if "optimizers" in changes and "alphas" not in changes:
        changes["alphas"] = ()  # the lesson's alphas were for its own racers
    if "surface" in changes and "alphas" not in changes:
        changes["alphas"] = ()
    config = dataclasses.replace(config, **changes)
    network = None
    if config.surface == "network":
        if lesson is None:
            raise InputError(
                "the network surface slices a lesson's network: give --lesson FILE.toml "
                "with its [race] params"
            )
        setup = build_setup(lesson.run)
        assert setup.session is not None
        network = (setup.spec, setup.problem, setup.session.network.params.copy())
    surface = make_surface(config, network)
    race = Race(surface, race_rules(config, surface), config.steps)
    race.step(config.steps)
    if args.json:
        doc = race_json(race)
        for racer in doc["racers"]:
            racer["path"] = [[json_number(v) for v in point] for point in racer["path"]]
            racer["losses"] = [json_number(v) for v in racer["losses"]]
        print(json.dumps(doc))
        return 0
    print(f"{surface.formula}, from {surface.start}, {config.steps} steps at most")
    for racer in race.racers:
        point = ", ".join(f"{float(v):.6g}" for v in racer.theta)
        state = f"diverged at step {racer.steps}" if racer.diverged else f"{racer.steps} steps"
        print(
            f"{racer.optimizer:<9} alpha {racer.rule.alpha:<8g} {state}: "
            f"({point}), loss {racer.losses[-1]:.6g}"
        )
    return 0
