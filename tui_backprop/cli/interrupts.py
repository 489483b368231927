"""Long headless runs stopped by a signal keep what they did.

While an :class:`Interruptions` block is active, SIGINT (Ctrl-C) and SIGTERM are only
noted; the run checks between two chunks of work (``check`` raises :class:`Stopped`, or
``stopped`` is read), reports what it has, marked interrupted, and exits with 128 + the
signal (130, 143).
"""

from __future__ import annotations

import signal
import threading
from types import FrameType, TracebackType
from typing import Any

#: The signals that stop training early and keep what it did.
INTERRUPTING = (signal.SIGINT, signal.SIGTERM)


class Stopped(Exception):
    """Raised by ``Interruptions.check`` once a signal has come (between two chunks of
    work)."""


class Interruptions:
    """While in the ``with`` block, SIGINT and SIGTERM are only noted (``signum``);
    ``check`` raises Stopped once one has come. The handlers before are put back on
    leaving. Off the main thread, where signals cannot be caught, it does nothing."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._previous: dict[signal.Signals, Any] = {}

    def __enter__(self) -> Interruptions:
        if threading.current_thread() is threading.main_thread():
            for signum in INTERRUPTING:
                self._previous[signum] = signal.signal(signum, self._note)
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

    def _note(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is None:
            self.signum = signum

    def check(self) -> None:
        if self.signum is not None:
            raise Stopped

    @property
    def stopped(self) -> bool:
        """Whether a signal has come."""
        return self.signum is not None
