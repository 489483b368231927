"""Text wrapped with a hanging indent: a line broken at its spaces, its later lines under
the first one's text rather than under what it begins with (a key, a label, a table's
first columns). Shared by the command line's reports and the app's help."""

from __future__ import annotations

import textwrap

#: Columns a wrapped line's later lines keep for text: an indent that leaves fewer (a
#: table's last column on a narrow terminal) gives way to ``SHORT_INDENT``.
TEXT_COLUMNS = 24
SHORT_INDENT = 4


def hanging(line: str, width: int, indent: int) -> list[str]:
    """``line`` as lines within ``width`` columns, broken at its spaces; the later lines
    start with ``indent`` spaces, or ``SHORT_INDENT`` where that would leave them fewer
    than ``TEXT_COLUMNS``. A word longer than the width stays whole. The first line
    keeps the line's own leading spaces."""
    if len(line) <= width:
        return [line]
    if width - indent < TEXT_COLUMNS:
        indent = SHORT_INDENT
    return textwrap.wrap(
        line,
        width,
        subsequent_indent=" " * indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
