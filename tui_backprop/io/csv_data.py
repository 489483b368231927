"""A user's own numeric CSV file as a :class:`~tui_backprop.core.problem.Problem`.

:func:`load_csv` takes the last ``targets`` columns as the targets and the rest as the
inputs. Anything wrong with the file raises :class:`~tui_backprop.core.errors.InputError`
with a one-line message that names the file as given, and the line, column or cell.
"""

from __future__ import annotations

import csv
import math
import numbers
import os

import numpy as np

from ..core.arrays import Floats
from ..core.errors import InputError, one_line, quoted
from ..core.problem import Problem, targets_kind
from .files import display_path
from .reading import MAX_CSV_BYTES, read_user_text

#: A file to read: a name as text or bytes, or a path object.
PathArg = str | bytes | os.PathLike[str] | os.PathLike[bytes]


def load_csv(path: PathArg, targets: int = 1) -> Problem:
    """Read a numeric CSV file into a Problem.

    The last ``targets`` columns are the targets ``Y (n, targets)``; the rest
    are the inputs ``X (n, columns - targets)``. The first non-blank row is a
    header when none of its cells is a number; blank rows are skipped.
    """
    try:
        shown = display_path(path)
    except TypeError:
        raise InputError(f"not a file path: {one_line(repr(path))}") from None
    if not _is_int(targets) or int(targets) < 1:
        raise InputError(f"{shown}: targets must be a whole number >= 1, got {targets!r}")
    targets = int(targets)
    rows = _read_rows(path, shown)
    header, data, width = _split_header(rows, shown)
    if width < targets + 1:
        first_line = header[0] if header else data[0][0]
        raise InputError(
            f"{shown} line {first_line}: need at least {targets + 1} columns ({targets} "
            f"{_plural(targets, 'target')} and at least 1 input), found {width}"
        )
    table = _parse_numbers(data, width, header, shown)
    x, y = table[:, :-targets], table[:, -targets:]
    name = os.path.basename(os.fsdecode(path))
    description = (
        f"{one_line(name)}: {len(table)} {_plural(len(table), 'example')}, "
        f"{x.shape[1]} {_plural(x.shape[1], 'input')}, {targets} {_plural(targets, 'target')}"
    )
    return Problem(name, x, y, targets_kind(y), description)


# A row as read: (1-based line number, stripped cells).
Row = tuple[int, list[str]]


def _is_int(value: object) -> bool:
    """True for ints (numpy ones too) but not bools, which are a likely mistake."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _read_rows(path: PathArg, shown: str) -> list[Row]:
    """All non-blank rows of the file as ``(line number, stripped cells)``."""
    text = _read_text(path, shown)
    # csv.reader wants an iterable of lines; keepends lets it see quoted line
    # breaks, and line_num then gives the physical line a row ends on.
    reader = csv.reader(text.splitlines(keepends=True))
    rows: list[Row] = []
    try:
        for cells in reader:
            stripped = [cell.strip() for cell in cells]
            # A row of empty cells (",,," from a spreadsheet) is as blank as "".
            if any(stripped):
                rows.append((reader.line_num, stripped))
    except csv.Error as err:
        raise InputError(f"{shown} line {reader.line_num}: not valid CSV ({err})") from None
    return rows


def _read_text(path: PathArg, shown: str) -> str:
    """The whole file as text, or InputError when it cannot be read as text (or is not a
    regular file, or is larger than MAX_CSV_BYTES: see ``io.reading``)."""
    text = read_user_text(path, MAX_CSV_BYTES, "CSV file")
    # Valid UTF-8 can still hold NUL bytes, the usual sign of a binary file.
    if "\x00" in text:
        raise InputError(f"{shown}: not a text file (it contains NUL bytes)")
    return text


def _split_header(rows: list[Row], shown: str) -> tuple[Row | None, list[Row], int]:
    """Split off a header row; return ``(header or None, data rows, column count)``.

    The column count comes from the header when there is one, else from the
    first data row.
    """
    if not rows:
        raise InputError(f"{shown}: no data rows (the file is empty)")
    first = rows[0]
    is_header = not any(_parses(cell) for cell in first[1])
    header = first if is_header else None
    data = rows[1:] if is_header else rows
    if not data:
        raise InputError(f"{shown}: no data rows (only a header on line {first[0]})")
    return header, data, len(first[1])


def _number(cell: str) -> float:
    """float(cell), but not Python's own literal forms such as 1_000 (a typo in data), nor
    other scripts' digits ("٣", "３"), which float() takes too."""
    if "_" in cell or not cell.isascii():
        raise ValueError(cell)
    return float(cell)


def _parses(cell: str) -> bool:
    """True when ``cell`` reads as a number (NaN and inf included)."""
    try:
        _number(cell)
    except ValueError:
        return False
    return True


def _parse_numbers(data: list[Row], width: int, header: Row | None, shown: str) -> Floats:
    """The data rows as a float64 array ``(len(data), width)``, or InputError
    at the first ragged row or bad cell."""
    table = np.empty((len(data), width), dtype=np.float64)
    for i, (line, cells) in enumerate(data):
        if len(cells) != width:
            first_line = header[0] if header else data[0][0]
            source = f"as in the {'header' if header else 'first row'} on line {first_line}"
            raise InputError(
                f"{shown} line {line}: expected {width} columns ({source}), found {len(cells)}"
            )
        for j, cell in enumerate(cells):
            table[i, j] = _cell_value(cell, line, j + 1, shown)
    return table


def _cell_value(cell: str, line: int, column: int, shown: str) -> float:
    """The finite float in ``cell``, or InputError naming the line and 1-based column."""
    where = f"{shown} line {line}"
    if not cell:
        raise InputError(f"{where}: column {column} is empty")
    try:
        value = _number(cell)
    except ValueError:
        message = f"{where}: cell {quoted(cell)} in column {column} is not a number"
        raise InputError(message) from None
    if not math.isfinite(value):
        # NaN or inf would silently poison every weight during training.
        raise InputError(f"{where}: cell {quoted(cell)} in column {column} is not a finite number")
    return value


def _plural(n: int, word: str) -> str:
    """``word`` with an ``s`` unless ``n`` is 1."""
    return word if n == 1 else word + "s"
