"""A one-line progress bar on stderr for long headless runs, drawn with rich, fitted to
the terminal's width (``bar_layout``).

It appears only when the stream is a terminal and the run has already taken ``delay``
seconds; it shows done/total, the percentage, the rate and the time left, redraws at most
``rate`` times a second, and erases itself when closed, so short runs and piped output
(scripts, ``--json``) never see it. Under ``NO_COLOR`` it draws without colours; on a
terminal that cannot redraw a line (``TERM=dumb``) it draws nothing.

It draws only from ``update``: no thread refreshes it in the background. rich is imported
only when a bar or a notice is first drawn, so runs that never show one do not pay for
it.

``CompileNotice`` is the line before the bar: while a run's kernels are loaded or compiled
(a first run compiles for seconds, with nothing else to show), it says so on the same
line, with the seconds so far, and gives the line up to the bar. It is drawn by a thread
of its own, since the compile holds the thread that would draw it.
"""

from __future__ import annotations

import math
import sys
import threading
import time
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from .wrap import stream_columns

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except (ValueError, OSError):  # a closed or detached stream
        return False


#: A bar narrower than this shows too little: on a narrow terminal the other columns give
#: way first, the least needed first (the count, the word "left", the rate, the time).
MIN_BAR = 10
#: Columns kept free at the line's end: Ctrl-C's echo, ^C, lands there, on the bar's line,
#: which the bar erases, and not on a new line below it, which would leave the bar's line
#: above the report.
ECHO_ROOM = 2
#: The widest a rate's number is drawn ("9,999,999", then "1.00e+07"), and the time left
#: (up to "999:59:59", 41 days).
RATE_DIGITS = 9
TIME_WIDTH = 9


@dataclass(frozen=True)
class BarLayout:
    """Which columns a one-line bar shows, and how wide its bar is."""

    bar: int
    count: bool = True
    rate: bool = True
    time: bool = True
    left: bool = True


def bar_layout(columns: int, label_width: int, total: int, unit: str, widest: int) -> BarLayout:
    """The columns of a bar that fits on one line of ``columns`` with ECHO_ROOM to spare:
    the label, the bar (``widest`` at most), the count done/total, the percentage, the
    rate in ``unit``/s, the time and "left", each after a space; the bar narrows to
    MIN_BAR, then the count, "left", the rate and the time give way in turn."""
    room = columns - ECHO_ROOM
    widths = {
        "count": 2 * len(str(total)) + 1,
        "rate": RATE_DIGITS + len(f" {unit}/s"),
        "time": TIME_WIDTH,
        "left": len("left"),
    }
    shown = dict.fromkeys(widths, True)
    for dropped in (None, "count", "left", "rate", "time"):
        if dropped is not None:
            shown[dropped] = False
        # the label, the percentage ("100%") and the shown columns, a space before each
        others = label_width + 1 + 4 + sum(1 + widths[k] for k in widths if shown[k])
        bar = min(widest, room - others - 1)
        if bar >= MIN_BAR:
            break
    return BarLayout(max(bar, MIN_BAR), **shown)


def _rich_columns(layout: BarLayout, unit: str) -> tuple[Any, ...]:
    """rich's columns for ``layout``."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        ProgressColumn,
        Task,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    def speed_of(task: Task) -> float | None:
        """rich's estimate over the last seconds, or until it has one (it needs two
        updates after the first draw) the rate since the start (``ProgressBar.update``)."""
        speed = task.speed
        return speed if speed is not None else task.fields.get("since_start")

    class RateColumn(ProgressColumn):
        """``1,234 epochs/s`` (``speed_of``)."""

        def render(self, task: Task) -> Text:
            speed = speed_of(task)
            if speed is None:
                number = "?"
            else:
                digits = 0 if speed >= 100 else 1 if speed >= 10 else 2
                # At most RATE_DIGITS wide, so that the line's layout holds.
                number = f"{speed:,.{digits}f}" if speed < 1e7 else f"{speed:.2e}"
            # Right-aligned in a steady width, so the columns after it stay put.
            return Text(f"{number:>7} {unit}/s", style="progress.data.speed")

    class TimeLeftColumn(TimeRemainingColumn):
        """rich's ``0:01:23``, from ``speed_of``: the time left from the first draw."""

        def render(self, task: Task) -> Text:
            speed = speed_of(task)
            if task.total is None or task.finished or not speed:
                return super().render(task)
            left = task.total - task.completed
            minutes, seconds = divmod(math.ceil(left / speed), 60)
            hours, minutes = divmod(minutes, 60)
            return Text(f"{hours:d}:{minutes:02d}:{seconds:02d}", style="progress.remaining")

    chosen: list[Any] = [TextColumn("{task.description}"), BarColumn(bar_width=layout.bar)]
    if layout.count:
        chosen.append(MofNCompleteColumn())
    chosen.append(TaskProgressColumn())
    if layout.rate:
        chosen.append(RateColumn())
    if layout.time:
        chosen.append(TimeLeftColumn())
    if layout.left:
        chosen.append(TextColumn("left"))
    return tuple(chosen)


def _start_progress(
    stream: TextIO,
    label: str,
    done: float,
    total: int,
    layout: BarLayout,
    unit: str,
    width: int,
    since_start: float | None,
) -> tuple[Progress, TaskID] | None:
    """A started rich Progress on ``stream`` (``width`` columns) with one task, drawn
    once; or None when the terminal cannot redraw a line. ``since_start``: the rate so
    far, which the rate and the time left show until rich has its own estimate."""
    from rich.console import Console
    from rich.progress import Progress as RichProgress

    # The Console reads NO_COLOR (then no colours), TERM=dumb, TTY_INTERACTIVE and
    # TTY_COMPATIBLE (then it is not interactive). Its width is the stream's terminal's,
    # which stdout's, the one it would ask, need not be.
    console = Console(file=stream, highlight=False, width=width)
    if not console.is_interactive:
        return None
    progress = RichProgress(
        *_rich_columns(layout, unit),
        console=console,
        auto_refresh=False,  # no refresh thread: update() redraws
        transient=True,  # erased when stopped
        redirect_stdout=False,  # the run's own output (--json) goes where it went
        redirect_stderr=False,
    )
    # (rich's completed is a float, for all its int annotation)
    task = progress.add_task(
        label,
        total=total,
        completed=done,  # type: ignore[arg-type]
        since_start=since_start,
    )
    progress.start()  # draws it
    return progress, task


#: The stderr line the compile notice and a progress bar share: the notice draws on it
#: only while no bar is on screen, and a bar's first draw erases the notice.
_line_lock = threading.Lock()
_bars_shown = 0
_notices: list[CompileNotice] = []


class ProgressBar:
    """The bar of one run: drawn by ``update`` once ``delay`` seconds have passed, on one
    line that fits the terminal as it is at each redraw (``bar_layout``: ``width`` is the
    bar's own width at most), erased by ``close``."""

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
        #: The terminal's width and the layout drawn for it and the total.
        self._fitted: tuple[int, int, BarLayout] | None = None

    def _layout(self, total: int) -> tuple[int, BarLayout, bool]:
        """(the terminal's columns, the layout for them and ``total``, whether either
        changed since the last draw)."""
        columns = stream_columns(self.stream)
        if self._fitted is not None and self._fitted[:2] == (columns, len(str(total))):
            return columns, self._fitted[2], False
        layout = bar_layout(columns, len(self.label), total, self.unit, self.width)
        self._fitted = (columns, len(str(total)), layout)
        return columns, layout, True

    def update(self, done: float, total: int, what: str | None = None) -> None:
        """Show ``done`` of ``total`` (for example epochs; done counted from the bar's
        making, and may be a fraction: the count shows the whole ones), if it is time to.
        ``what``, if given, is shown in the label's place from now on, cut or padded to
        the label's width so that the columns after it stay put (a bar of a few long steps
        says which one runs); the bar is redrawn when it changes. The rate and the time
        left show from the first draw: rich's estimate needs two updates after it, and
        until then they come from the rate since the bar was made."""
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
        elapsed = now - self._start
        since_start = done / elapsed if done > 0 and elapsed > 0 else None
        if self._progress is None or self._task is None:
            global _bars_shown
            with _line_lock:
                for notice in _notices:
                    notice.erase()
                columns, layout, _ = self._layout(total)
                started = _start_progress(
                    self.stream, description, done, total, layout, self.unit, columns, since_start
                )
                _bars_shown += started is not None
            if started is None:
                self.enabled = False
            else:
                self._progress, self._task = started
                self._last_draw = now
            return
        # completed for the rate
        self._progress.update(
            self._task,
            completed=done,
            total=total,
            description=description,
            since_start=since_start,
        )
        if changed or now - self._last_draw >= self.interval:
            self._last_draw = now
            columns, layout, refitted = self._layout(total)
            if refitted:  # the terminal was resized, or the total has more digits
                self._progress.console.width = columns
                self._progress.columns = _rich_columns(layout, self.unit)
            self._progress.refresh()

    def close(self) -> None:
        """Erase the bar (if one was drawn); later updates draw nothing."""
        self.enabled = False
        if self._progress is not None:
            global _bars_shown
            progress, self._progress = self._progress, None
            progress.stop()
            with _line_lock:
                _bars_shown -= 1


#: Set once a signal handler is about to write the process's last line (``erasing_notices``):
#: from then on no notice draws, so nothing lands after that line.
_silenced = False


def erasing_notices() -> str:
    """What takes a compile notice that shows off its line, "" if none shows: for a
    signal handler about to write a last line, which cannot take ``_line_lock``. The
    notices draw nothing more after this (a notice redrawn while the handler cleans up
    would follow its line)."""
    global _silenced
    _silenced = True
    return "\r\x1b[K" if any(notice._shown for notice in list(_notices)) else ""


def _can_redraw(stream: TextIO) -> bool:
    """Whether ``stream``, a terminal, can redraw a line, as rich judges it for the bar
    (``NO_COLOR`` aside: the notice has no colours)."""
    from rich.console import Console

    return Console(file=stream).is_interactive


class CompileNotice:
    """``<who>: loading or compiling the kernels... 3.0 s`` on stderr while numba loads or
    compiles kernels for more than ``delay`` seconds, redrawn every ``every`` seconds and
    erased when the last compile of a stretch has been done for ``grace`` seconds (a
    network's kernels compile one after the other, with short gaps), when a progress bar
    is first drawn, before a warning is printed, or when the ``with`` block ends.

    For a block that prints nothing itself: what it prints while the notice shows would
    land on the notice's line. Entered on a stream that is not a terminal, it does
    nothing (no thread, no listener); on one that cannot redraw a line (``TERM=dumb``)
    its thread draws nothing. Spans are numba's ``numba:compiler_lock`` events, which
    cover loading a kernel from the cache as well as compiling one; spans nested in a
    thread count once.

    Locks: the spans are counted under ``_changed``, the terminal written under
    ``_line_lock`` alone, never with ``_changed`` held, so a slow terminal never holds
    up the compile that reports a span, and no order of the two can deadlock.
    """

    def __init__(
        self,
        who: str,
        stream: TextIO | None = None,
        delay: float = 0.5,
        every: float = 0.5,
        grace: float = 0.3,
    ) -> None:
        self.who = who
        self.stream = stream if stream is not None else sys.stderr
        self.delay, self.every, self.grace = delay, every, grace
        self._changed = threading.Condition()
        self._depth: dict[int, int] = {}  # per thread: spans begun and not ended
        self._inside = 0  # threads inside a span
        self._stretch_began = 0.0  # the first span of the current stretch
        self._last_end = 0.0  # when the last span ended
        self._closed = False
        self._shown = False  # written under _line_lock
        self._listener: Any = None
        self._thread: threading.Thread | None = None
        self._showwarning: Any = None

    def __enter__(self) -> CompileNotice:
        if not _is_terminal(self.stream):
            return self
        import numba.core.event as events

        notice = self

        class Spans(events.Listener):  # type: ignore[misc]  # numba has no stubs
            def on_start(self, event: events.Event) -> None:
                notice._span(+1)

            def on_end(self, event: events.Event) -> None:
                notice._span(-1)

        self._listener = Spans()
        events.register("numba:compiler_lock", self._listener)
        with _line_lock:
            _notices.append(self)
        # A warning (a compiler's, say) starts on a line of its own, not on the notice's.
        self._showwarning = warnings.showwarning

        def show_warning(*args: Any, **kwargs: Any) -> None:
            with _line_lock:
                self.erase()
            self._showwarning(*args, **kwargs)

        warnings.showwarning = show_warning
        self._thread = threading.Thread(target=self._draw, name="compile-notice", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._thread is None:
            return
        import numba.core.event as events

        events.unregister("numba:compiler_lock", self._listener)
        warnings.showwarning = self._showwarning
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        self._thread.join()
        with _line_lock:
            _notices.remove(self)
            self.erase()

    def _span(self, step: int) -> None:
        """A span of some thread began (+1) or ended (-1)."""
        with self._changed:
            thread = threading.get_ident()
            depth = self._depth.get(thread, 0)
            if step < 0 and depth == 0:
                return  # it began before the notice
            self._depth[thread] = depth + step
            if step > 0 and depth == 0:
                self._inside += 1
                if self._inside == 1 and time.monotonic() - self._last_end > self.grace:
                    self._stretch_began = time.monotonic()
            elif step < 0 and depth == 1:
                self._inside -= 1
                if self._inside == 0:
                    self._last_end = time.monotonic()
            self._changed.notify_all()

    def erase(self) -> None:
        """Take the notice off its line (the caller holds ``_line_lock``)."""
        if self._shown:
            self._shown = False
            self._write("\r\x1b[K")

    def _write(self, text: str) -> None:
        if _silenced:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken terminal: nothing to show
            pass

    def _next(self) -> float | None:
        """Wait, under ``_changed``, until the notice has something to do: the seconds of
        the stretch to show, None to erase it, or -1.0 once the block has ended."""
        with self._changed:
            while not self._closed:
                now = time.monotonic()
                if self._inside == 0:
                    idle = now - self._last_end
                    if self._shown and idle < self.grace:
                        self._changed.wait(self.grace - idle)
                    elif self._shown:
                        return None
                    else:
                        self._changed.wait()
                    continue
                elapsed = now - self._stretch_began
                if elapsed >= self.delay:
                    return elapsed
                self._changed.wait(self.delay - elapsed)
            return -1.0

    def _draw(self) -> None:
        """The notice's thread: show each stretch of spans longer than ``delay`` until it
        ends, and so on until the ``with`` block ends."""
        drawable: bool | None = None  # asked of rich at the first draw
        while (elapsed := self._next()) != -1.0:
            if elapsed is None:
                with _line_lock:
                    self.erase()
                continue
            if drawable is None:
                drawable = _can_redraw(self.stream)
            with _line_lock:
                if drawable and _bars_shown == 0:
                    text = f"{self.who}: loading or compiling the kernels... {elapsed:.1f} s"
                    self._write("\r" + text[: stream_columns(self.stream) - 1] + "\x1b[K")
                    self._shown = True
            with self._changed:
                if not self._closed:
                    self._changed.wait(self.every)
