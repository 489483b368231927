"""The files a command reads, named as its messages call them.

``train --data d.csv --save d.csv`` would replace the training data with weights, and
``tui --save f.json --stats f.json`` would keep only the last file written: commands pass
their outputs and :func:`command_inputs` to ``io.files.check_outputs_apart``, which refuses
both in one line before anything is read or trained.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ..core.config import RunConfig

if TYPE_CHECKING:
    from .main import Invocation

#: (what a message calls a file, its path or None for none)
Named = tuple[str, "str | None"]

#: The files a run reads: (option, its argparse dest, what the file is).
_RUN_FILES = (("--data", "data__csv", "data file"), ("--init", "init__file", "weights file"))


def run_inputs(
    run: RunConfig, args: argparse.Namespace | None = None, source: str = ""
) -> list[Named]:
    """The files ``run`` reads (its CSV data, its initial weights), each called by its
    option when the command line ``args`` gave it, else ``source``'s ("the lesson's data
    file")."""
    paths = {"--data": run.data.csv, "--init": run.init.file}
    named: list[Named] = []
    for flag, dest, what in _RUN_FILES:
        typed = args is not None and getattr(args, dest, None) is not None
        named.append((flag if typed or not source else f"{source} {what}", paths[flag]))
    return named


def command_inputs(call: Invocation) -> list[Named]:
    """The files ``call`` reads: its lesson file, if any, and its run's files."""
    if call.lesson is None:
        return run_inputs(call.run, call.args)
    lesson_file = ("the lesson file", str(call.lesson.path))
    return [lesson_file, *run_inputs(call.run, call.args, "the lesson's")]
