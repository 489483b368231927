"""``tui-backprop replay FILE.json``: play a recorded run back in the app."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from ...io.build import build_setup
from ...io.files import check_outputs_apart
from ...io.run_file import load_run
from ..outputs import run_inputs
from .tui import app_outputs, run_app

if TYPE_CHECKING:
    from ..main import Invocation


def run_replay(call: Invocation) -> int:
    from ...app.config import AppConfig

    record = load_run(call.args.run_file)
    run_file = ("the run file", call.args.run_file)
    inputs = [run_file, *run_inputs(record.run, source="the run file's")]
    check_outputs_apart(app_outputs(call.app), inputs)
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
