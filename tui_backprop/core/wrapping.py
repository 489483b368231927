"""Text wrapped with a hanging indent: a line broken at its spaces, its later lines under
the first one's text rather than under what it begins with (a key, a label, a table's
first columns). Shared by the command line's reports and the app's help, status line and
panels (``app.widgets.formatting.hanging_text`` breaks styled text at the same places)."""

from __future__ import annotations

#: Columns a wrapped line's later lines keep for text: an indent that leaves fewer (a
#: table's last column on a narrow terminal) gives way to ``SHORT_INDENT``.
TEXT_COLUMNS = 24
SHORT_INDENT = 4


def breaks(line: str, width: int, indent: int) -> list[tuple[int, int]]:
    """Where ``line`` breaks to fit ``width`` columns, its later lines starting with
    ``indent`` spaces: (end of a line's text, start of the next line's text) for each
    break, the spaces between them dropped. A line breaks at its last space that leaves
    it within the width; a word longer than the room stays whole, its line too long. The
    first line's own leading spaces are kept, and never broken at."""
    found: list[tuple[int, int]] = []
    at = 0
    # A line keeps a column at least: a width under the indent (a message cut to a few
    # cells) would otherwise search back before the line's start, and never move on.
    room = max(1, width)
    low = len(line) - len(line.lstrip(" "))  # the first line's indent: not a place to break
    while len(line) - at > room:
        cut = line.rfind(" ", at + low + 1, at + room + 1)
        if cut < 0:  # a word longer than the room: it ends its line
            cut = line.find(" ", at + room + 1)
            if cut < 0:
                break
        end = cut
        while end > at and line[end - 1] == " ":
            end -= 1
        start = cut + 1
        while start < len(line) and line[start] == " ":
            start += 1
        if start == len(line):
            break  # only spaces after it
        found.append((end, start))
        at, room, low = start, max(1, width - indent), 0
    return found


def hanging(line: str, width: int, indent: int) -> list[str]:
    """``line`` as lines within ``width`` columns, broken at its spaces (``breaks``); the
    later lines start with ``indent`` spaces, or ``SHORT_INDENT`` where that would leave
    them fewer than ``TEXT_COLUMNS``."""
    if len(line) <= width:
        return [line]
    if width - indent < TEXT_COLUMNS:
        indent = SHORT_INDENT
    lines, start = [], 0
    for end, resume in breaks(line, width, indent):
        lines.append(line[start:end])
        start = resume
    lines.append(line[start:].rstrip(" "))
    return [lines[0], *(" " * indent + text for text in lines[1:])]
