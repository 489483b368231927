"""Human-readable output fitted to the terminal: a long line is wrapped at its spaces, its
later lines indented under the first one's text, so that a report reads at 80 columns
(a student's terminal) as at 160 (a projector). JSON is never wrapped."""

from __future__ import annotations

import shutil
import textwrap

#: Below this a terminal's width is taken as this: narrower wraps say less than they cut.
NARROWEST = 40
#: Columns a wrapped line's later lines keep for text: an indent that leaves fewer (a
#: table's last column on a narrow terminal) gives way to ``SHORT_INDENT``.
TEXT_COLUMNS = 24
SHORT_INDENT = 4


def columns() -> int:
    """The terminal's width (``COLUMNS`` if set; 80 when there is no terminal)."""
    return max(NARROWEST, shutil.get_terminal_size((80, 24)).columns)


def fit(line: str, indent: int | None = None, width: int | None = None) -> str:
    """``line`` within ``width`` columns (the terminal's), wrapped at spaces; its later
    lines start with ``indent`` spaces (by default as many as the line starts with), or
    ``SHORT_INDENT`` where that would leave them fewer than ``TEXT_COLUMNS``. A word
    longer than the width stays whole."""
    width = columns() if width is None else width
    if len(line) <= width:
        return line
    if indent is None:
        indent = len(line) - len(line.lstrip(" "))
    if width - indent < TEXT_COLUMNS:
        indent = SHORT_INDENT
    return textwrap.fill(
        line,
        width,
        subsequent_indent=" " * indent,
        break_long_words=False,
        break_on_hyphens=False,
        drop_whitespace=True,
    )
