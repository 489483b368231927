"""Human-readable output fitted to the terminal: a long line is wrapped at its spaces, its
later lines indented under the first one's text (``core.wrapping``), so that a report
reads at 80 columns (a student's terminal) as at 160 (a projector). JSON is never
wrapped."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from typing import TextIO

from ..core.wrapping import hanging

#: Below this a terminal's width is taken as this: narrower wraps say less than they cut.
NARROWEST = 40


def columns() -> int:
    """The terminal's width (``COLUMNS`` if set; 80 when there is no terminal)."""
    return max(NARROWEST, shutil.get_terminal_size((80, 24)).columns)


def stream_columns(stream: TextIO) -> int:
    """The columns of the terminal ``stream`` is (not stdout's: that may be a file)."""
    try:
        width = os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError):  # no file descriptor, or not a terminal
        width = 0
    # A terminal that reports no size (0, as some pseudo-terminals do) is taken as
    # COLUMNS or 80 says.
    return width or shutil.get_terminal_size().columns


def error_line(who: str, message: str, stream: TextIO | None = None) -> str:
    """``<who>: error: <message>``, an error's one line, wrapped at spaces under the
    message when it is longer than the terminal ``stream`` (stderr) is wide, rather than
    broken mid-word by the terminal; unchanged when the stream is not a terminal, where a
    script reads one line."""
    head = f"{who}: error: "
    line = head + message
    stream = sys.stderr if stream is None else stream
    try:
        terminal = stream.isatty()
    except (OSError, ValueError):  # closed
        terminal = False
    if not terminal:
        return line
    return "\n".join(hanging(line, max(NARROWEST, stream_columns(stream)), len(head)))


def fit(
    line: str, indent: int | None = None, width: int | None = None, formulas: bool = False
) -> str:
    """``line`` within ``width`` columns (the terminal's), wrapped at spaces under its
    text (``core.wrapping.hanging``): its later lines start with ``indent`` spaces, by
    default as many as the line starts with. ``formulas``: the line mixes words and
    formulas, which it keeps whole where it can."""
    if indent is None:
        indent = len(line) - len(line.lstrip(" "))
    width = columns() if width is None else width
    return "\n".join(hanging(line, width, indent, formulas))


#: What ends every line of a command but its last: the shell reads on.
CONTINUED = " \\"


def fit_command(head: str, groups: list[list[str]], width: int | None = None) -> str:
    """``head`` and a shell command, its words given in groups that stay on one line (an
    option with its value), within ``width`` columns (the terminal's): broken only between
    groups, under the command's start, each line but the last ending in a backslash so that
    the lines, copied together, are one command, whatever the width (a group longer than a
    line stays whole)."""
    width = columns() if width is None else width
    # In the head and inside a group a space is held by a placeholder the wrap does not
    # break at.
    pieces = " ".join(shlex.join(group).replace(" ", "\0") for group in groups)
    lines = hanging(head.replace(" ", "\0") + pieces, width - len(CONTINUED), len(head))
    return (CONTINUED + "\n").join(lines).replace("\0", " ")
