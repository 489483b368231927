"""A one-line progress bar on stderr for long headless runs.

It appears only when stderr is a terminal and the run has already taken ``delay``
seconds, redraws at most ``rate`` times a second, and erases itself when done, so
short runs and piped output (scripts, ``--json``) never see it.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    def __init__(self, label: str, stream: TextIO | None = None, delay: float = 0.5,
                 rate: float = 10.0, width: int = 30) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.delay = delay
        self.interval = 1.0 / rate
        self.width = width
        self._start = time.monotonic()
        self._last_draw = 0.0
        self._drawn = False

    def update(self, done: int, total: int) -> None:
        """Show ``done`` of ``total`` (for example epochs), if it is time to."""
        if not self.enabled or total <= 0:
            return
        now = time.monotonic()
        if now - self._start < self.delay or now - self._last_draw < self.interval:
            return
        self._last_draw = now
        filled = int(self.width * done / total)
        bar = "#" * filled + "." * (self.width - filled)
        elapsed = now - self._start
        eta = elapsed * (total - done) / done if done else float("nan")
        self.stream.write(
            f"\r{self.label} [{bar}] {done}/{total} {100 * done / total:5.1f}%  eta {eta:5.1f} s"
        )
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """Erase the bar (if one was drawn)."""
        if self._drawn:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._drawn = False
