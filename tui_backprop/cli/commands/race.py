"""``tui-backprop race``: the race scene's optimizers on one cost surface, headless: every
racer's trail and losses (``teach.race``), as text or as JSON."""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING

from ..progress import ProgressBar

if TYPE_CHECKING:
    from ..main import Invocation

#: Steps of every racer between two updates of the progress bar.
STEPS_PER_UPDATE = 100


def run_race(call: Invocation) -> int:
    from ...core.config import RaceConfig
    from ...core.errors import ConfigError, InputError
    from ...core.words import counted
    from ...io.build import build_setup
    from ...io.files import json_number
    from ...teach.race import Race, make_surface, race_json, race_rules
    from ..wrap import fit

    args, lesson = call.args, call.lesson
    config = lesson.race if lesson is not None else RaceConfig()
    changes = {
        name: getattr(args, f"race_{name}")
        for name in ("surface", "params", "optimizers", "alphas", "momentum", "steps", "x0", "y0")
        if getattr(args, f"race_{name}") is not None
    }
    if "optimizers" in changes and "alphas" not in changes:
        changes["alphas"] = ()  # the lesson's alphas were for its own racers
    if "surface" in changes and "alphas" not in changes:
        changes["alphas"] = ()
    config = dataclasses.replace(config, **changes)
    if "params" in changes and config.surface != "network":
        raise ConfigError(
            "race.params", f"is for the network surface (--surface network), not {config.surface}"
        )
    network = None
    if config.surface == "network":
        if lesson is None:
            raise InputError(
                "the network surface slices a lesson's network: give --lesson NAME|FILE.toml "
                "(and --params P1,P2 unless it has two parameters)"
            )
        setup = build_setup(lesson.run)
        assert setup.session is not None
        network = (setup.spec, setup.problem, setup.session.network.params.copy())
    surface = make_surface(config, network)
    race = Race(surface, race_rules(config, surface), config.steps)
    # A long race (some 3,000 steps a second) shows a bar on a terminal's stderr.
    bar = ProgressBar("racing", unit="steps")
    try:
        while not race.finished:
            race.step(min(STEPS_PER_UPDATE, config.steps - race.steps))
            bar.update(race.steps, config.steps)
    finally:
        bar.close()
    if args.json:
        doc = race_json(race)
        for racer in doc["racers"]:
            racer["path"] = [[json_number(v) for v in point] for point in racer["path"]]
            racer["losses"] = [json_number(v) for v in racer["losses"]]
        print(json.dumps(doc))
        return 0
    start = ", ".join(f"{v:.6g}" for v in surface.start)
    # The count stays with its word: the wrap does not break at the placeholder.
    steps = counted(config.steps, "step").replace(" ", "\0")
    print(fit(f"{surface.formula}, from ({start}), {steps} at most").replace("\0", " "))
    for racer in race.racers:
        point = ", ".join(f"{float(v):.6g}" for v in racer.theta)
        state = (
            f"diverged at step {racer.steps}" if racer.diverged else counted(racer.steps, "step")
        )
        line = f"{racer.optimizer:<9} alpha {racer.rule.alpha:<8g} {state}: ({point}), "
        why = f"; {racer.diverged_why}" if racer.diverged else ""
        print(fit(line + f"loss {racer.losses[-1]:.6g}{why}", indent=10))
    return 0
