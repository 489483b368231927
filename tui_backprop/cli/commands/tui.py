"""``tui-backprop tui`` (and plain ``tui-backprop``): open the app."""

from __future__ import annotations

import argparse
import json
import math
import sys

from ...core.errors import InputError
from ...io.files import check_writable_target, write_text_atomic


def check_terminal() -> None:
    """The app draws on a terminal and reads keys from one; refuse without it."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise InputError("the app needs a terminal (stdin and stdout are not one); "
                         "for scripts use `tui-backprop train`")


def build_config(args: argparse.Namespace):
    from ...app.config import AppConfig
    from ...app.runner import FULL_SPEED, SPEEDS
    from ...io.build import build_setup

    if not (math.isfinite(args.fps) and 1 <= args.fps <= 60):
        raise InputError(f"--fps must be from 1 to 60, got {args.fps:g}")
    if args.quit_after is not None and not (math.isfinite(args.quit_after)
                                            and args.quit_after > 0):
        raise InputError(f"--quit-after must be a number of seconds > 0, got {args.quit_after}")
    if args.speed == "max":
        speed = FULL_SPEED
    else:
        try:
            speed = int(args.speed)
        except ValueError:
            speed = -1
        if speed not in SPEEDS:
            raise InputError(f"--speed must be one of {', '.join(map(str, SPEEDS))} or max, "
                             f"got {args.speed!r}")
    for path in (args.stats, args.save):
        if path:
            check_writable_target(path)
    setup = build_setup(args, make_session=False)
    return AppConfig(
        problem=setup.problem, spec=setup.spec, settings=setup.settings,
        initial=setup.initial, fps=args.fps, speed=speed, run=args.run,
        quit_after=args.quit_after, stop_epoch=args.epochs, save=args.save,
        lesson=getattr(args, "lesson", None),
    )


def run_tui(args: argparse.Namespace) -> int:
    config = build_config(args)
    check_terminal()
    from ...app.app import BackpropApp

    app = BackpropApp(config)
    app.run()
    code = app.return_code or 0
    if code:
        return code  # the app failed and said so: write nothing that looks like a result
    if args.stats:
        write_text_atomic(args.stats, json.dumps(app.stats(), indent=2) + "\n")
    if args.save:
        app.save_weights(args.save)
    return 0
