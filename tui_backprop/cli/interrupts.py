"""Long headless runs stopped by a signal keep what they did.

While an :class:`Interruptions` block is active, SIGINT (Ctrl-C) and SIGTERM are only
noted; the run reads ``stopped`` between two chunks of work, ends there, reports what it
has, marked interrupted, and exits with 128 + the signal (130, 143). Before there is
anything to keep (kernels still compiling), an :class:`EndAtOnce` block ends the process
as soon as one comes, with one line saying so and the same exit code, having removed the
temporary folders the kernels made.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any, TypeVar

#: The signals that stop training early and keep what it did.
INTERRUPTING = (signal.SIGINT, signal.SIGTERM)


Handled = TypeVar("Handled", bound="_SignalsHandled")


class _SignalsHandled:
    """While in the ``with`` block, SIGINT and SIGTERM go to ``handle``; the handlers
    before are put back on leaving. Off the main thread, where signals cannot be caught,
    it does nothing."""

    def __init__(self) -> None:
        self._previous: dict[signal.Signals, Any] = {}

    def __enter__(self: Handled) -> Handled:
        if threading.current_thread() is threading.main_thread():
            for signum in INTERRUPTING:
                self._previous[signum] = signal.signal(signum, self.handle)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for signum, handler in self._previous.items():
            if handler is not None:  # None: not set from Python, nothing to put back
                signal.signal(signum, handler)

    def handle(self, signum: int, frame: FrameType | None) -> None:
        """What a signal does while in the block (each kind says)."""
        raise NotImplementedError


class Interruptions(_SignalsHandled):
    """While in the ``with`` block, SIGINT and SIGTERM are only noted (``signum``), and
    ``stopped`` says so once one has come."""

    def __init__(self) -> None:
        super().__init__()
        self.signum: int | None = None

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is None:
            self.signum = signum

    @property
    def stopped(self) -> bool:
        """Whether a signal has come."""
        return self.signum is not None


class EndAtOnce(_SignalsHandled):
    """While in the ``with`` block, SIGINT and SIGTERM end the process at once: ``line``
    of the signal's name on stderr (after ``erase()``, what takes a notice off the line),
    exit code 128 + the signal. For a stretch with nothing to keep, such as numba
    compiling: an exception raised by the handler there could land in a ctypes callback
    of llvmlite, which prints it with a traceback and goes on. The handler writes with
    ``os.write`` and leaves with ``os._exit``: no lock it could find held (the main thread
    may be inside ``sys.stderr.write``), no clean-up of half-built kernels. ``os._exit``
    runs no ``atexit`` handler, so the one clean-up that matters is done here: the
    temporary folders the kernels made for this run (``remove_temporary_folders``)."""

    def __init__(self, line: Callable[[str], str], erase: Callable[[], str]) -> None:
        super().__init__()
        self.line = line
        self.erase = erase

    def handle(self, signum: int, frame: FrameType | None) -> None:
        text = self.erase() + self.line(signal.Signals(signum).name) + "\n"
        try:
            remove_temporary_folders()  # first: the line written is the process's last act
            os.write(2, text.encode("utf-8", "replace"))
        finally:
            os._exit(128 + signum)


def remove_temporary_folders() -> None:
    """Remove the temporary folders ``kernels.config.temporary_dir`` made for this process
    (a fallback cache folder, the generated kernels' sources with caching off), as its
    ``atexit`` handler would. Only if the kernels were loaded: importing them here would
    choose, and maybe make, a cache folder. The handler takes no lock (``shutil.rmtree``
    of a folder only this process writes into)."""
    config = sys.modules.get("kernels.config")
    if config is not None:
        config.remove_temporary()
