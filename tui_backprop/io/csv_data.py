"""A user's own numeric CSV file as a :class:`~tui_backprop.core.problem.Problem`.

:func:`load_csv` takes the last ``targets`` columns as the targets and the rest as the
inputs. Anything wrong with the file raises :class:`~tui_backprop.core.errors.InputError`
with a one-line message that names the file as given, and the line, column or cell.
"""

from __future__ import annotations

import _csv
import csv
import math
import numbers
import os
import re
from array import array
from collections.abc import Iterator

import numpy as np

from ..core.arrays import Floats
from ..core.errors import InputError, one_line, quoted
from ..core.problem import Problem, targets_kind
from ..core.words import plural
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
    # The text is dropped as soon as the table is read, before Problem copies X and Y.
    table = _read_table(_read_text(path, shown), targets, shown)
    x, y = table[:, :-targets], table[:, -targets:]
    # A file's name can hold anything but "/": its control characters (an escape sequence
    # would reach the terminal from every report and the status line) are spelled out.
    name = one_line(os.path.basename(os.fsdecode(path)))
    # Without the name: the reports write "problem  NAME: DESCRIPTION".
    description = (
        f"{len(table)} {plural(len(table), 'example')}, "
        f"{x.shape[1]} {plural(x.shape[1], 'input')}, {targets} {plural(targets, 'target')}"
    )
    return Problem(name, x, y, targets_kind(y), description)


def _is_int(value: object) -> bool:
    """True for ints (numpy ones too) but not bools, which are a likely mistake."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _read_text(path: PathArg, shown: str) -> str:
    """The whole file as text, or InputError when it cannot be read as text (or is not a
    regular file, or is larger than MAX_CSV_BYTES: see ``io.reading``)."""
    text = read_user_text(path, MAX_CSV_BYTES, "CSV file")
    # Valid UTF-8 can still hold NUL bytes, the usual sign of a binary file.
    if "\x00" in text:
        raise InputError(f"{shown}: not a text file (it contains NUL bytes)")
    return text


# The line breaks of str.splitlines: a line ends after "\r\n" or after one of these.
_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_LINE = re.compile(f"[^{_BREAKS}]*(?:\r\n|[{_BREAKS}])?")


def _lines(text: str) -> Iterator[str]:
    """``text.splitlines(keepends=True)`` one line at a time, without the list: csv.reader
    sees quoted line breaks, and its line_num is the physical line a row ends on.
    (io.StringIO would copy the text at 4 bytes a character and split at fewer breaks.)"""
    for found in _LINE.finditer(text):
        if line := found.group():  # the only empty match is the one at the end
            yield line


def _read_table(text: str, targets: int, shown: str) -> Floats:
    """The data rows of ``text`` as a float64 array ``(rows, columns)``.

    Rows are converted as they are read into one growing buffer of floats, so that
    memory stays near the size of the table. Raises InputError as reading the whole file
    first would: a CSV syntax error anywhere wins over a bad row, which is reported at
    the first one.
    """
    reader = csv.reader(_lines(text))
    try:
        try:
            return _convert_rows(reader, targets, shown)
        except InputError:
            for _ in reader:  # a CSV error further on is reported first
                pass
            raise
    except csv.Error as err:
        raise InputError(f"{shown} line {reader.line_num}: not valid CSV ({err})") from None


def _convert_rows(reader: _csv.Reader, targets: int, shown: str) -> Floats:
    """The rows of ``reader`` converted to floats; see :func:`_read_table`."""
    values = array("d")
    header = False
    first_line = 0  # the line of the first non-blank row: the header or the first data row
    width = 0
    count = 0
    for cells in reader:
        stripped = [cell.strip() for cell in cells]
        # A row of empty cells (",,," from a spreadsheet) is as blank as "".
        if not any(stripped):
            continue
        line = reader.line_num
        if not first_line:
            # The column count comes from the header when there is one, else from the
            # first data row.
            first_line, width = line, len(stripped)
            header = not any(_parses(cell) for cell in stripped)
            if header:
                continue
        if not count and width < targets + 1:
            raise InputError(
                f"{shown} line {first_line}: need at least {targets + 1} columns ({targets} "
                f"{plural(targets, 'target')} and at least 1 input), found {width}"
            )
        if len(stripped) != width:
            source = f"as in the {'header' if header else 'first row'} on line {first_line}"
            raise InputError(
                f"{shown} line {line}: expected {width} columns ({source}), found {len(stripped)}"
            )
        values.extend(_row_values(stripped, line, shown))
        count += 1
    if not first_line:
        raise InputError(f"{shown}: no data rows (the file is empty)")
    if not count:
        raise InputError(f"{shown}: no data rows (only a header on line {first_line})")
    return np.frombuffer(values, dtype=np.float64).reshape(count, width)


def _row_values(cells: list[str], line: int, shown: str) -> list[float]:
    """The finite floats in the stripped ``cells`` of one row, or InputError at the first
    bad cell."""
    # Quick path for the usual row: plain ASCII numbers, where float() is _number().
    joined = "".join(cells)
    if joined.isascii() and "_" not in joined:
        try:
            row = list(map(float, cells))
        except ValueError:
            pass
        else:
            if all(map(math.isfinite, row)):
                return row
    return [_cell_value(cell, line, column, shown) for column, cell in enumerate(cells, 1)]


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
