"""Human-readable output fitted to the terminal: a long line is wrapped at its spaces, its
later lines indented under the first one's text (``core.wrapping``), so that a report
reads at 80 columns (a student's terminal) as at 160 (a projector). JSON is never
wrapped."""

from __future__ import annotations

import shutil

from ..core.wrapping import hanging

#: Below this a terminal's width is taken as this: narrower wraps say less than they cut.
NARROWEST = 40


def columns() -> int:
    """The terminal's width (``COLUMNS`` if set; 80 when there is no terminal)."""
    return max(NARROWEST, shutil.get_terminal_size((80, 24)).columns)


def fit(line: str, indent: int | None = None, width: int | None = None) -> str:
    """``line`` within ``width`` columns (the terminal's), wrapped at spaces under its
    text (``core.wrapping.hanging``): its later lines start with ``indent`` spaces, by
    default as many as the line starts with."""
    if indent is None:
        indent = len(line) - len(line.lstrip(" "))
    return "\n".join(hanging(line, columns() if width is None else width, indent))
