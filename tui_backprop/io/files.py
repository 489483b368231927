"""Small file helpers: atomic text writes and JSON-safe numbers.

Files the program writes (weights, results) are replaced atomically: the text goes
to a temporary file in the same directory, which is flushed, fsynced and then
renamed over the target with :func:`os.replace`. A crash or a full disk therefore
leaves either the old file or the new one, never a half-written mix. Only regular files
are written: an existing directory, device, FIFO or socket is refused, never replaced. A
symbolic link is followed: its target is replaced and the link stays a link. Temporary
files left by an earlier save of the same path that was killed are removed.

JSON has no NaN or infinity (Python's ``json`` would write the invalid tokens
``NaN``/``Infinity``), so :func:`json_number` and :func:`to_json_lists` turn
non-finite values into ``None`` (JSON ``null``) for printing.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import stat
import tempfile
from collections.abc import Sequence
from typing import Any

import numpy as np

from tui_backprop.core.errors import InputError

# The permission bits a plainly created file would get. mkstemp creates files with
# mode 0o600; a new target should get the usual 0o666 & ~umask instead. The umask
# can only be read by setting it, so do that once, at import (before any threads).
_UMASK = os.umask(0)
os.umask(_UMASK)


def display_path(path: str | bytes | os.PathLike[str] | os.PathLike[bytes]) -> str:
    """Return ``path`` as text for a one-line message (a bytes path decoded as the file
    system does); raises TypeError when ``path`` is not a path.

    A name with a newline or other unprintable character is shown with
    Python's escapes (``repr``), so a message never spans several lines.
    """
    text = os.fsdecode(path)
    return text if text.isprintable() else repr(text)


def _directory_of(path: str) -> str:
    return os.path.dirname(path) or os.curdir


#: A temporary file's name is ``.NAME.`` + eight of mkstemp's characters + ``.tmp``.
_TEMP_CHARACTERS = "[a-z0-9_]{8}"
_TEMP_SUFFIX = ".tmp"


def _temp_prefix(target: str) -> str:
    return f".{os.path.basename(target)}."


def _kind(mode: int) -> str:
    """What a file that is neither a regular file nor a directory is, for a message."""
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _resolve(path: str) -> str:
    """``path``, or where it points if it is a symbolic link (the file to replace)."""
    return os.path.realpath(path) if os.path.islink(path) else path


def _existing_mode(target: str, shown: str) -> int | None:
    """The mode of the regular file ``target``, None if there is none; raises
    InputError for anything else that exists (or cannot be looked at)."""
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"cannot write {shown}: {exc.strerror or exc}") from exc
    if stat.S_ISDIR(mode):
        raise InputError(f"cannot write {shown}: it is a directory")
    if not stat.S_ISREG(mode):
        raise InputError(f"cannot write {shown}: it is {_kind(mode)}, not a regular file")
    return mode


def check_writable_target(path: str | os.PathLike[str]) -> None:
    """Raise :class:`InputError` if ``path`` could not be written; write nothing.

    Checks that the directory exists, is a directory and is writable, and that
    ``path`` (followed, if it is a symbolic link) is a regular file or does not exist:
    a directory, device, FIFO or socket is refused. The command line calls this before
    a long training run so that a typo in an output path fails at once.
    """
    text = os.fspath(path)
    shown = display_path(text)
    if not os.path.basename(text):
        raise InputError(f"cannot write {shown!r}: not a file name")
    target = _resolve(text)
    directory = _directory_of(target)
    dir_shown = display_path(directory)
    if not os.path.exists(directory):
        raise InputError(f"cannot write {shown}: directory '{dir_shown}' does not exist")
    if not os.path.isdir(directory):
        raise InputError(f"cannot write {shown}: '{dir_shown}' is not a directory")
    _existing_mode(target, shown)
    # Creating the temporary file and renaming it both need write and search
    # permission on the directory, not on the target itself.
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InputError(f"cannot write {shown}: directory '{dir_shown}' is not writable")


def _identity(path: str) -> tuple[int, int] | str:
    """What ``path`` names, for telling whether two names are one file: an existing
    file's (device, inode), which hard links and symbolic links share (os.path.samefile's
    test); else the absolute path with every symbolic link resolved."""
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return os.path.realpath(path)
    return found.st_dev, found.st_ino


def check_outputs_apart(
    outputs: Sequence[tuple[str, str | None]],
    inputs: Sequence[tuple[str, str | None]],
    may_replace: Sequence[tuple[str, str]] = (),
) -> None:
    """Raise :class:`InputError` if an output would replace an input, or another output.

    outputs, inputs : (what the message calls it, the path or None for none given), such
                      as ("--save", "w.json") and ("--data", "d.csv"); checked in order,
                      before anything is read or written, so that a run never overwrites
                      its own data, or writes a file a second output then replaces.
    may_replace     : (output, input) pairs that may be one file: ("--save", "--init")
                      goes on with a checkpoint in place (read whole before the run, and
                      replaced whole after it).
    """
    why_not = "it would be overwritten"
    seen = {_identity(path): (label, why_not) for label, path in inputs if path}
    for label, path in outputs:
        if not path:
            continue
        identity = _identity(path)
        if identity in seen:
            other, why = seen[identity]
            if (label, other) not in may_replace:
                raise InputError(f"{label} {display_path(path)} is the same file as {other}: {why}")
        seen[identity] = (label, "only one of them would be kept")


def _remove_leftovers(target: str) -> None:
    """Remove temporary files an earlier, killed save of ``target`` left behind."""
    directory = _directory_of(target)
    pattern = re.compile(
        re.escape(_temp_prefix(target)) + _TEMP_CHARACTERS + re.escape(_TEMP_SUFFIX)
    )
    with contextlib.suppress(OSError), os.scandir(directory) as entries:
        for entry in entries:
            if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` so that the file is never half-written.

    An existing file keeps its permission bits; a new one gets ``0o666 & ~umask``.
    Through a symbolic link the file it points to is replaced. Anything that exists
    and is not a regular file is refused (see :func:`check_writable_target`). On any
    failure the temporary file is removed and the old file, if any, is left as it
    was. Operating-system errors are raised as :class:`InputError`.
    """
    given = os.fspath(path)
    shown = display_path(given)
    check_writable_target(given)
    target = _resolve(given)
    _remove_leftovers(target)
    existing = _existing_mode(target, shown)
    mode = existing & 0o7777 if existing is not None else 0o666 & ~_UMASK
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=_temp_prefix(target), suffix=_TEMP_SUFFIX, dir=_directory_of(target)
        )
    except OSError as exc:
        raise InputError(f"cannot write {shown}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        # Look again just before the rename: a FIFO or device put there since the
        # check must not be replaced either.
        _existing_mode(target, shown)
        os.replace(tmp, target)
    except BaseException as exc:
        # Also on KeyboardInterrupt: never leave the temporary file behind.
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise InputError(f"cannot write {shown}: {exc.strerror or exc}") from exc
        raise


def json_number(x: float) -> float | None:
    """Return ``x`` as a Python float, or ``None`` if it is NaN or infinite."""
    value = float(x)
    return value if math.isfinite(value) else None


def to_json_lists(array: Any) -> Any:
    """Convert an array (any shape) to nested lists of floats, non-finite as ``None``.

    A 0-d array gives a single float (or ``None``). The result can be dumped with
    ``json.dumps(..., allow_nan=False)``.
    """
    values = np.asarray(array, dtype=np.float64)
    finite = np.isfinite(values)
    if finite.all():
        return values.tolist()
    as_objects = values.astype(object)
    as_objects[~finite] = None
    return as_objects.tolist()
