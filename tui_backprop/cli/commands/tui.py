"""``tui-backprop tui`` (and plain ``tui-backprop``): open the app."""

from __future__ import annotations

import contextlib
import json
import sys
from typing import TYPE_CHECKING

from ...core.errors import InputError
from ...io.files import check_outputs_apart, check_writable_target, write_text_atomic
from ..outputs import Named, command_inputs
from ..wrap import error_line

if TYPE_CHECKING:
    from ...app.app import BackpropApp
    from ...app.config import AppConfig
    from ...core.config import AppOptions
    from ..main import Invocation


def check_terminal() -> None:
    """The app draws on a terminal and reads keys from one; refuse without it."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise InputError(
            "the app needs a terminal (stdin and stdout are not one); "
            "for scripts use `tui-backprop train`"
        )


def app_outputs(options: AppOptions) -> list[Named]:
    """The files the app writes at exit, by option."""
    return [("--stats", options.stats), ("--save", options.save), ("--record", options.record)]


def build_config(call: Invocation) -> AppConfig:
    """The app's configuration: the run's data and network, and the app options; a
    lesson's quiz is checked against the network built (options may change the lesson's)."""
    from ...app.config import AppConfig
    from ...io.build import build_setup
    from ...io.files import display_path
    from ...io.lessons import check_quiz

    check_outputs_apart(app_outputs(call.app), command_inputs(call))
    for path in (call.app.stats, call.app.save, call.app.record):
        if path:
            check_writable_target(path)
    setup = build_setup(call.run, make_session=False)
    if call.lesson is not None:
        check_quiz(call.lesson, setup.spec)
    saved_file = display_path(call.run.init.file) if call.run.init.file else ""
    return AppConfig(
        problem=setup.problem,
        spec=setup.spec,
        settings=setup.settings,
        initial=setup.initial,
        options=call.app,
        lesson=call.lesson,
        run_config=call.run,
        saved=setup.saved,
        saved_file=saved_file,
    )


def write_outputs(app: BackpropApp, config: AppConfig) -> None:
    """--stats, then --save (raises InputError, for example for non-finite weights)."""
    if config.options.stats:
        write_text_atomic(config.options.stats, json.dumps(app.stats(), indent=2) + "\n")
    if config.options.save:
        app.save_weights(config.options.save)
    if config.options.record:
        app.save_record(config.options.record)


def run_tui(call: Invocation) -> int:
    if getattr(call.args, "as_written", False):
        from .as_written import run_as_written

        return run_as_written(call)
    return run_app(build_config(call), call.args.command)


def run_app(config: AppConfig, command: str) -> int:
    """Open the app on ``config``; write its files at exit (also after a stop signal)."""
    check_terminal()
    from ...app.app import BackpropApp

    app = BackpropApp(config)
    app.run()
    code = app.return_code or 0
    signum = app.stopped_by
    if signum is not None and code == 128 + signum:
        # Stopped by SIGTERM, SIGHUP or SIGQUIT, not failed: the work is kept as on q,
        # and the exit code still says which signal it was. After SIGHUP the terminal
        # may be gone, so a message that cannot be shown is dropped.
        try:
            write_outputs(app, config)
        except InputError as error:
            with contextlib.suppress(OSError):
                print(error_line(f"tui-backprop {command}", str(error)), file=sys.stderr)
        return code
    if code:
        return code  # the app failed and said so: write nothing that looks like a result
    write_outputs(app, config)
    return 0
