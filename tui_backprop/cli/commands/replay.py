"""``tui-backprop replay FILE.json``: play a recorded run back in the app."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from ...io.build import build_setup
from ...io.run_file import load_run
from .tui import run_app

if TYPE_CHECKING:
    from ..main import Invocation


def run_replay(call: Invocation) -> int:
    from ...app.config import AppConfig

    record = load_run(call.args.run_file)
    setup = build_setup(record.run, make_session=False)
    config = AppConfig(
        problem=setup.problem,
        spec=setup.spec,
        settings=setup.settings,
        initial=record.initial,
        options=dataclasses.replace(call.app, stop_epoch=None),
        run_config=record.run,
        replay=record,
    )
    return run_app(config, "replay")
