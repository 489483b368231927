"""Reading a user's file safely: only regular files, only up to a size limit.

Every file the program reads on a user's word (a CSV file, a weights file, a lesson) goes
through :func:`read_user_text`, so that bad input gets one line and never a hang or a
runaway read:

* the name is checked with :func:`os.stat` before anything is opened: a directory, a FIFO,
  a device such as ``/dev/zero`` or a socket is refused by name;
* the file is opened with ``O_NONBLOCK`` (a FIFO that appeared since cannot block the
  open) and checked again with :func:`os.fstat`;
* a file larger than its limit is refused before it is read, and at most the limit plus
  one byte is ever read (a file growing meanwhile is refused too).

The size limits, one per kind of file, are here and nowhere else:

==================  ========  ============================================================
limit               bytes     why
==================  ========  ============================================================
MAX_CSV_BYTES       200 MB    a data set of millions of numbers; reading holds the text
                              and the parsed floats (about twice their size) at once
MAX_WEIGHTS_BYTES   64 MB     a few million parameters written one number per entry
                              (``core.spec.MAX_PARAMETERS`` is 20 million)
MAX_LESSON_BYTES    1 MB      a lesson is a title, some notes and a few settings
==================  ========  ============================================================

How long a number may be (``core.config.MAX_DIGITS``) and how deeply a file may nest are
limited by the readers of each format; :func:`json_number` reads JSON's integers.
"""

from __future__ import annotations

import os
import stat

from ..core.config import MAX_DIGITS
from ..core.errors import InputError
from .files import display_path

MAX_CSV_BYTES = 200 * 1024 * 1024
MAX_WEIGHTS_BYTES = 64 * 1024 * 1024
MAX_LESSON_BYTES = 1024 * 1024

#: A file to read: a name as text or bytes, or a path object.
PathArg = str | bytes | os.PathLike[str] | os.PathLike[bytes]


class UnreadableFile(InputError):
    """A file that is not read: ``str()`` is ``FILE: PROBLEM``; ``problem`` alone lets a
    front end name the file its own way (a lesson's ``lesson FILE: ...``)."""

    def __init__(self, shown: str, problem: str) -> None:
        self.shown = shown
        self.problem = problem
        super().__init__(f"{shown}: {problem}")


def _size_text(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n} bytes"


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _refuse(shown: str, mode: int, size: int, limit: int, what: str) -> None:
    kind = _kind(mode)
    if kind is not None:
        raise UnreadableFile(shown, f"is {kind}, not a {what} (only regular files are read)")
    if size > limit:
        raise UnreadableFile(
            shown,
            f"the file is too large ({_size_text(size)}; a {what} may have at most "
            f"{_size_text(limit)})",
        )


def read_user_bytes(path: PathArg, limit: int, what: str) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    ``what`` names the kind of file in messages ("CSV file"). Raises :class:`InputError`,
    one line naming the file, when it does not exist, is not a regular file, is larger
    than ``limit`` or cannot be read.
    """
    try:
        shown = display_path(path)
    except TypeError:
        raise InputError(f"not a file path: {path!r}") from None
    if not os.fsdecode(path):
        raise UnreadableFile("''", f"no file name given for the {what}")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise UnreadableFile(shown, "no such file") from None
    except (OSError, ValueError) as error:  # ValueError: a NUL byte in the name
        reason = getattr(error, "strerror", None) or str(error)
        raise UnreadableFile(shown, f"cannot read it ({reason})") from None
    _refuse(shown, info.st_mode, info.st_size, limit, what)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise UnreadableFile(shown, f"cannot read it ({error.strerror or error})") from None
    try:
        info = os.fstat(fd)  # the file opened may not be the one checked above
        _refuse(shown, info.st_mode, info.st_size, limit, what)
        chunks = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(1024 * 1024, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as error:
        raise UnreadableFile(shown, f"cannot read it ({error.strerror or error})") from None
    finally:
        os.close(fd)
    if total > limit:
        _refuse(shown, info.st_mode, total, limit, what)
    return b"".join(chunks)


def read_user_text(path: PathArg, limit: int, what: str) -> str:
    """:func:`read_user_bytes` decoded as UTF-8 (a byte-order mark is skipped); raises
    :class:`InputError` for text that is not UTF-8."""
    data = read_user_bytes(path, limit, what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            display_path(path), f"not a text file (invalid UTF-8 at byte {error.start})"
        ) from None


def json_number(text: str) -> int | float:
    """``parse_int`` for :func:`json.loads`: an integer of at most MAX_DIGITS digits as an
    int, a longer one as the float JSON means by it (inf past 308 digits), so that int()
    never meets a 5000-digit integer (its own guard stops at 4300 with a traceback)."""
    if len(text.lstrip("-")) > MAX_DIGITS:
        return float(text)
    return int(text)
