"""A one-line progress bar on stderr for long headless runs, drawn with rich.

It appears only when the stream is a terminal and the run has already taken ``delay``
seconds; it shows done/total, the percentage, the rate and the time left, redraws at most
``rate`` times a second, and erases itself when closed, so short runs and piped output
(scripts, ``--json``) never see it. Under ``NO_COLOR`` it draws without colours; on a
terminal that cannot redraw a line (``TERM=dumb``) it draws nothing.

It draws only from ``update``: no thread refreshes it in the background. rich is imported
only when a bar is first drawn, so runs that never show one do not pay for it.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except (ValueError, OSError):  # a closed or detached stream
        return False


def _start_progress(
    stream: TextIO, label: str, done: int, total: int, width: int, unit: str
) -> tuple[Progress, TaskID] | None:
    """A started rich Progress on ``stream`` with one task, drawn once; or None when the
    terminal cannot redraw a line."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        ProgressColumn,
        Task,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as RichProgress
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """``1,234 epochs/s``: rich's estimate over the last seconds."""

        def render(self, task: Task) -> Text:
            speed = task.speed
            if speed is None:
                number = "?"
            else:
                digits = 0 if speed >= 100 else 1 if speed >= 10 else 2
                number = f"{speed:,.{digits}f}"
            # Right-aligned in a steady width, so the columns after it stay put.
            return Text(f"{number:>7} {unit}/s", style="progress.data.speed")

    # The Console reads NO_COLOR (then no colours), TERM=dumb, TTY_INTERACTIVE and
    # TTY_COMPATIBLE (then it is not interactive).
    console = Console(file=stream, highlight=False)
    if not console.is_interactive:
        return None
    progress = RichProgress(
        TextColumn("{task.description}"),
        BarColumn(bar_width=width),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        RateColumn(),
        TimeRemainingColumn(),
        TextColumn("left"),
        console=console,
        auto_refresh=False,  # no refresh thread: update() redraws
        transient=True,  # erased when stopped
        redirect_stdout=False,  # the run's own output (--json) goes where it went
        redirect_stderr=False,
    )
    task = progress.add_task(label, total=total, completed=done)
    progress.start()  # draws it
    return progress, task


class ProgressBar:
    def __init__(
        self,
        label: str,
        stream: TextIO | None = None,
        delay: float = 0.5,
        rate: float = 10.0,
        width: int = 30,
        unit: str = "epochs",
    ) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_terminal(self.stream)
        self.delay = delay
        self.interval = 1.0 / rate
        self.width = width
        self.unit = unit
        self.what = ""
        self._start = time.monotonic()
        self._last_draw = 0.0
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def update(self, done: int, total: int, what: str | None = None) -> None:
        """Show ``done`` of ``total`` (for example epochs), if it is time to. ``what``, if
        given, is shown in the label's place from now on, cut or padded to the label's
        width so that the columns after it stay put (a bar of a few long steps says which
        one runs); the bar is redrawn when it changes."""
        if not self.enabled or total <= 0:
            return
        changed = False
        if what is not None:
            width = len(self.label)
            what = what if len(what) <= width else what[: width - 1] + "…"
            changed, self.what = what != self.what, what
        now = time.monotonic()
        if now - self._start < self.delay:
            return
        description = f"{self.what:<{len(self.label)}}" if self.what else self.label
        if self._progress is None or self._task is None:
            started = _start_progress(self.stream, description, done, total, self.width, self.unit)
            if started is None:
                self.enabled = False
            else:
                self._progress, self._task = started
                self._last_draw = now
            return
        # completed for the rate
        self._progress.update(self._task, completed=done, total=total, description=description)
        if changed or now - self._last_draw >= self.interval:
            self._last_draw = now
            self._progress.refresh()

    def close(self) -> None:
        """Erase the bar (if one was drawn); later updates draw nothing."""
        self.enabled = False
        if self._progress is not None:
            progress, self._progress = self._progress, None
            progress.stop()
