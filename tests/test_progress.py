"""The progress bar of long headless runs (train, restarts), read as a terminal shows it."""

from __future__ import annotations

import io
import os
import re
import threading
import time

import pytest

from tui_backprop.cli.progress import CompileNotice, ProgressBar

CSI = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])")
#: SGR parameters that set a colour: 30-38 and 40-48 (foreground and background),
#: 90-97 and 100-107 (bright ones).
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def screen(written: str, width: int | None = None) -> list[str]:
    """The lines a terminal shows after ``written``, without trailing blank lines.

    Knows text, carriage return, newline, erase in line, cursor up, cursor shown or
    hidden and text styles; any other escape sequence fails the test. With ``width``, a
    terminal of that many columns: a character after the last column goes to the next
    line, as a terminal's autowrap does (one at the last column waits there until then).
    """
    rows: dict[int, dict[int, str]] = {}
    row = col = 0
    i = 0
    while i < len(written):
        match = CSI.match(written, i)
        if match:
            params, final = match.groups()
            if final == "m" or (params, final) in (("?25", "l"), ("?25", "h")):
                pass  # a style, or the cursor hidden or shown
            elif final == "K" and params in ("", "0"):
                rows[row] = {c: ch for c, ch in rows.get(row, {}).items() if c < col}
            elif final == "K" and params == "2":
                rows[row] = {}
            elif final == "A":
                row = max(0, row - int(params or 1))
            else:
                raise AssertionError(f"unexpected escape sequence {match.group()!r}")
            i = match.end()
            continue
        char = written[i]
        if char == "\r":
            col = 0
        elif char == "\n":
            row, col = row + 1, 0
        elif char == "\x1b":
            raise AssertionError(f"unexpected escape at {written[i : i + 10]!r}")
        else:
            if width is not None and col >= width:  # autowrap
                row, col = row + 1, 0
            rows.setdefault(row, {})[col] = char
            col += 1
        i += 1
    lines = [
        "".join(cells.get(c, " ") for c in range(max(cells, default=-1) + 1)).rstrip()
        for cells in (rows.get(r, {}) for r in range(max(rows, default=-1) + 1))
    ]
    while lines and not lines[-1]:
        lines.pop()
    return lines


@pytest.fixture(autouse=True)
def colour_terminal(monkeypatch):
    """A wide colour terminal, whatever the environment running the tests says."""
    for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLORTERM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "100")


def test_screen_reads_what_a_terminal_shows():
    assert screen("abc\rX\x1b[1mY\x1b[0m") == ["XYc"]
    assert screen("abcde\rX", width=5) == ["Xbcde"]  # at the last column: no wrap yet
    assert screen("abcdef", width=5) == ["abcde", "f"]
    assert screen("one\ntwo\r\x1b[1A\x1b[2K") == ["", "two"]
    assert screen("abc\r\x1b[2K") == []
    with pytest.raises(AssertionError):
        screen("\x1b[2J")


def test_bar_shows_done_of_total_and_percentage_then_erases_itself():
    stream = FakeTerminal()
    bar = ProgressBar("training", stream=stream, delay=0.0, rate=1e9)
    bar.update(50, 200)
    (line,) = screen(stream.getvalue())
    assert line.startswith("training ") and "50/200" in line and "25%" in line
    bar.close()
    written = stream.getvalue()
    assert screen(written) == []  # nothing left behind
    # and the cursor is shown again if the bar hid it
    assert written.rfind("\x1b[?25l") < written.rfind("\x1b[?25h") or "\x1b[?25l" not in written


def test_bar_redraws_with_rate_and_time_left():
    stream = FakeTerminal()
    bar = ProgressBar("restarts", stream=stream, delay=0.0, rate=1e9)
    for done in (10, 20, 30, 40):
        bar.update(done, 200)
        time.sleep(0.02)
    (line,) = screen(stream.getvalue())
    assert "40/200" in line and "20%" in line
    assert re.search(r"\d[\d,.]* epochs/s", line), line
    assert re.search(r"\d+:\d\d:\d\d left", line), line
    bar.close()
    assert screen(stream.getvalue()) == []


def test_redraws_at_most_rate_times_a_second():
    stream = FakeTerminal()
    bar = ProgressBar("training", stream=stream, delay=0.0, rate=0.01)
    bar.update(50, 200)
    drawn = stream.getvalue()
    bar.update(60, 200)
    assert stream.getvalue() == drawn
    bar.close()


def test_nothing_before_the_delay():
    stream = FakeTerminal()
    bar = ProgressBar("training", stream=stream, delay=60.0, rate=1e9)
    bar.update(50, 200)
    assert stream.getvalue() == ""
    bar.close()
    assert stream.getvalue() == ""


@pytest.mark.parametrize("forced", [None, "FORCE_COLOR", "TTY_COMPATIBLE"])
def test_silent_when_not_a_terminal(monkeypatch, forced):
    if forced:  # logs of CI runs often ask rich for colours this way
        monkeypatch.setenv(forced, "1")
    stream = io.StringIO()
    bar = ProgressBar("training", stream=stream, delay=0.0, rate=1e9)
    bar.update(50, 200)
    bar.update(60, 200)
    bar.close()
    assert stream.getvalue() == ""


def test_nothing_on_a_terminal_that_cannot_redraw_a_line(monkeypatch):
    monkeypatch.setenv("TERM", "dumb")
    stream = FakeTerminal()
    bar = ProgressBar("training", stream=stream, delay=0.0, rate=1e9)
    bar.update(50, 200)
    bar.update(60, 200)
    bar.close()
    assert stream.getvalue() == ""


def test_stderr_by_default_and_silent_when_captured(capsys):
    bar = ProgressBar("training", delay=0.0, rate=1e9)
    bar.update(50, 200)
    bar.close()
    assert capsys.readouterr() == ("", "")


def test_colours_unless_no_color(monkeypatch):
    stream = FakeTerminal()
    bar = ProgressBar("training", stream=stream, delay=0.0, rate=1e9)
    bar.update(50, 200)
    bar.close()
    assert COLOUR.search(stream.getvalue())  # so the check below can see colours

    monkeypatch.setenv("NO_COLOR", "1")
    stream = FakeTerminal()
    bar = ProgressBar("training", stream=stream, delay=0.0, rate=1e9)
    bar.update(50, 200)
    assert "50/200" in stream.getvalue()
    bar.close()
    assert not COLOUR.search(stream.getvalue()), repr(stream.getvalue())


def test_no_thread_left_running_and_nothing_drawn_after_close():
    before = set(threading.enumerate())
    stream = FakeTerminal()
    bar = ProgressBar("training", stream=stream, delay=0.0, rate=1e9)
    bar.update(50, 200)
    bar.close()
    assert set(threading.enumerate()) == before
    closed = stream.getvalue()
    bar.update(100, 200)
    bar.close()
    assert stream.getvalue() == closed


def test_output_of_the_run_is_not_redirected_while_the_bar_shows(capsys):
    stream = FakeTerminal()
    bar = ProgressBar("training", stream=stream, delay=0.0, rate=1e9)
    bar.update(50, 200)
    print("a result")
    bar.close()
    assert capsys.readouterr().out == "a result\n"
    assert "a result" not in stream.getvalue()


def test_what_takes_the_labels_place_cut_to_its_width_and_the_bar_stays_put():
    stream = FakeTerminal()
    label = "compiling kernels   "  # 20 characters
    bar = ProgressBar(label, stream=stream, delay=0.0, rate=0.01, unit="steps")
    bar.update(0, 20)
    (first,) = screen(stream.getvalue())
    assert first.startswith(label + " ━")
    # A new what is drawn at once, however low the rate, in the label's place.
    bar.update(1, 20, "2-3-1 mse, adam")
    (short,) = screen(stream.getvalue())
    assert short.startswith("2-3-1 mse, adam" + " " * 5 + " ━") and "1/20" in short
    long = "1-1 cross-entropy, no biases, momentum"
    bar.update(2, 20, long)
    (cut,) = screen(stream.getvalue())
    assert cut.startswith(long[:19] + "… ━") and "2/20" in cut
    assert first.index("━") == short.index("━") == cut.index("━")
    # The same what again is no change: the low rate holds the redraw back.
    drawn = stream.getvalue()
    bar.update(3, 20, "1-1 cross-entropy, no biases, momentum")
    assert stream.getvalue() == drawn
    bar.close()
    assert screen(stream.getvalue()) == []


class WatchedTerminal(FakeTerminal):
    """A terminal another thread writes to; ``wait_until`` waits for what it shows."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = threading.Condition()

    def write(self, text: str) -> int:
        with self.changed:
            written = super().write(text)
            self.changed.notify_all()
            return written

    def wait_until(self, shows) -> list[str]:
        """The screen once ``shows(screen)`` holds (fails after 30 s without it)."""
        with self.changed:
            assert self.changed.wait_for(lambda: shows(screen(self.getvalue())), timeout=30)
            return screen(self.getvalue())


def compile_span(step: int) -> None:
    """What numba announces when a thread starts (+1) or stops (-1) loading or compiling."""
    from numba.core import event

    if step > 0:
        event.start_event("numba:compiler_lock")
    else:
        event.end_event("numba:compiler_lock")


def noticed(lines: list[str]) -> bool:
    return any("loading or compiling the kernels" in line for line in lines)


def test_compile_notice_shows_while_kernels_compile_then_erases_itself():
    stream = WatchedTerminal()
    with CompileNotice("tui-backprop train", stream=stream, delay=0.0, every=0.01, grace=0.0):
        compile_span(+1)
        compile_span(+1)  # nested in the same thread: one span
        (line,) = stream.wait_until(noticed)
        assert re.fullmatch(
            r"tui-backprop train: loading or compiling the kernels\.\.\. \d+\.\d s", line
        )
        compile_span(-1)
        compile_span(-1)
        stream.wait_until(lambda lines: lines == [])  # erased when the compile ends
        compile_span(+1)
        stream.wait_until(noticed)  # and back for the next one
    assert screen(stream.getvalue()) == []  # erased by the end of the block, mid-span
    compile_span(-1)


def test_compile_notice_waits_its_delay_and_is_silent_when_not_a_terminal():
    stream = WatchedTerminal()
    with CompileNotice("x", stream=stream, delay=3600.0):
        compile_span(+1)
        compile_span(-1)
    assert stream.getvalue() == ""
    plain = io.StringIO()
    with CompileNotice("x", stream=plain, delay=0.0) as notice:
        assert notice._thread is None and notice._listener is None
        compile_span(+1)
        compile_span(-1)
    assert plain.getvalue() == ""
    assert not any(t.name == "compile-notice" for t in threading.enumerate())


def test_compile_notice_gives_its_line_up_to_a_warning_and_fits_the_width(monkeypatch):
    import warnings

    monkeypatch.setenv("COLUMNS", "30")
    printed: list[str] = []  # what the warning's own printing got
    monkeypatch.setattr(warnings, "showwarning", lambda message, *rest: printed.append(message))
    shown = warnings.showwarning
    stream = WatchedTerminal()
    # every: an hour, so that the notice is not drawn again once the warning took it off
    with CompileNotice("tui-backprop train", stream=stream, delay=0.0, every=3600.0):
        compile_span(+1)
        (line,) = stream.wait_until(lambda lines: bool(lines) and "loading" in lines[0])
        assert line == "tui-backprop train: loading o"  # 29 columns: never wrapped
        warnings.showwarning(UserWarning("slow"), UserWarning, "kernel.py", 1, io.StringIO())
        assert screen(stream.getvalue()) == []  # off its line before the warning
        assert [str(m) for m in printed] == ["slow"]  # which is then printed as before
        compile_span(-1)
    assert warnings.showwarning is shown
    assert screen(stream.getvalue()) == []


def test_a_progress_bar_takes_the_line_from_the_compile_notice():
    stream = WatchedTerminal()
    with CompileNotice("tui-backprop restarts", stream=stream, delay=0.0, every=0.01):
        compile_span(+1)
        stream.wait_until(noticed)
        bar = ProgressBar("restarts", stream=stream, delay=0.0, rate=1e9)
        bar.update(1, 10)
        (line,) = screen(stream.getvalue())
        assert line.startswith("restarts ━") and not noticed([line])
        compile_span(-1)
        bar.close()
    assert screen(stream.getvalue()) == []


def test_no_compile_notice_draws_after_a_signal_handlers_last_line(monkeypatch):
    """A handler that ends the process while the kernels compile writes its line last:
    once it has asked what erases the notices (``erasing_notices``), a notice still
    ticking draws nothing more, not a "... 0.5 s" after that line."""
    from tui_backprop.cli import progress

    monkeypatch.setattr(progress, "_silenced", False, raising=False)
    stream = WatchedTerminal()
    with CompileNotice("tui-backprop train", stream=stream, delay=0.0, every=3600.0) as notice:
        compile_span(+1)
        stream.wait_until(noticed)
        assert progress.erasing_notices() == "\r\x1b[K"
        stream.write("\r\x1b[Kstopped\n")  # the handler's last line
        written = stream.getvalue()
        notice._write("\rtui-backprop train: loading or compiling the kernels... 0.5 s")
        assert stream.getvalue() == written  # the notice's next tick drew nothing
        compile_span(-1)
    assert stream.getvalue().endswith("stopped\n")


COMPILING_COMMANDS = [
    ("train", ["--epochs", "1"]),
    ("restarts", ["--count", "2", "--epochs", "5"]),
    ("gradcheck", []),
    ("explain", ["--after-epochs", "1"]),
    ("landscape", ["--params", "W1[1,1],b1[1]", "--grid", "5"]),
]

#: Runs a command in a fresh process (its kernels loaded from the cache, so numba takes
#: its compiler lock for each), counting the lock's spans begun inside the command's
#: CompileNotice block and outside it.
COUNT_SPANS = """
import importlib, sys
import numba.core.event as events
from tui_backprop.cli import main as cli

inside, counts = [False], {True: 0, False: 0}

class Spans(events.Listener):
    def on_start(self, event):
        counts[inside[0]] += 1

    def on_end(self, event):
        pass

class Block:
    def __init__(self, who):
        self.who = who

    def __enter__(self):
        inside[0] = True

    def __exit__(self, *exc_info):
        inside[0] = False

events.register("numba:compiler_lock", Spans())
module = importlib.import_module("tui_backprop.cli.commands." + sys.argv[1])
module.CompileNotice = Block
code = cli.main(sys.argv[1:])
print("spans", counts[True], counts[False], code)
"""


@pytest.mark.parametrize(("command", "options"), COMPILING_COMMANDS)
def test_commands_load_and_compile_their_kernels_inside_a_compile_notice(command, options):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", COUNT_SPANS, command, *options],
        capture_output=True,
        text=True,
        timeout=300,
    )
    last = result.stdout.strip().splitlines()[-1].split()
    assert last[0] == "spans", result.stderr[-2000:]
    inside, outside, code = map(int, last[1:])
    assert code == 0 and inside > 0 and outside == 0, (inside, outside)


@pytest.mark.parametrize(("command", "options"), COMPILING_COMMANDS)
def test_commands_name_themselves_in_their_compile_notice(monkeypatch, command, options):
    import importlib

    from tui_backprop.cli import main as cli

    entered: list[str] = []

    class Recorder:
        def __init__(self, who: str) -> None:
            entered.append(who)

        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            return None

    module = importlib.import_module(f"tui_backprop.cli.commands.{command}")
    monkeypatch.setattr(module, "CompileNotice", Recorder)
    assert cli.main([command, *options]) == 0
    assert entered == [f"tui-backprop {command}"]


def test_train_says_once_it_compiled_and_how_to_compile_ahead_of_time(monkeypatch):
    import kernels
    from tui_backprop.cli.commands.train import compile_hint

    monkeypatch.setattr(kernels, "compiled_here", lambda: True)
    stream = FakeTerminal()
    compile_hint(2.74, stream)
    lines = screen(stream.getvalue())
    assert "compiled this network's kernels in 2.7 s" in lines[0]
    assert "`tui-backprop cache --warm`" in lines[1]
    assert max(len(line) for line in lines) <= 80
    plain = io.StringIO()
    compile_hint(2.74, plain)  # not a terminal: a script's stderr stays clean
    monkeypatch.setattr(kernels, "compiled_here", lambda: False)
    compile_hint(2.74, stream)  # nothing compiled: every kernel came from the cache
    assert plain.getvalue() == "" and screen(stream.getvalue()) == lines
    # A narrow terminal: every line after the first under its text, none past the edge.
    monkeypatch.setattr(kernels, "compiled_here", lambda: True)
    monkeypatch.setenv("COLUMNS", "50")
    narrow = FakeTerminal()
    compile_hint(2.74, narrow)
    lines = screen(narrow.getvalue())
    assert len(lines) > 2 and max(len(line) for line in lines) <= 50, lines
    assert all(line.startswith("  ") and line[2] != " " for line in lines[1:]), lines


def test_gradcheck_report_fits_80_columns(capsys, monkeypatch):
    from tui_backprop.cli import main as cli

    monkeypatch.setenv("COLUMNS", "80")  # its header wraps to the terminal

    assert cli.main(["gradcheck"]) == 0
    out = capsys.readouterr().out
    assert "relative error |g - g_fd|" in out
    assert max(len(line) for line in out.splitlines()) <= 80


@pytest.mark.parametrize("columns", [40, 60, 80, 100])
def test_the_bar_is_one_line_within_the_terminal_with_room_for_ctrl_cs_echo(monkeypatch, columns):
    """restarts' bar of 40000000 network-epochs: one line two columns short of the
    terminal's width (^C's echo lands on it), its bar narrowed and, on narrow terminals,
    its least needed columns left out; the rate whole wherever it shows."""
    monkeypatch.setenv("COLUMNS", str(columns))
    stream = FakeTerminal()
    bar = ProgressBar("restarts", stream=stream, delay=0.0, rate=1e9, unit="network-epochs")
    for done in range(0, 40_000_001, 4_096_000):
        bar.update(done, 40_000_000)
        (line,) = screen(stream.getvalue(), width=columns)
        assert len(line) <= columns - 2 and line.startswith("restarts ━") and "%" in line
    assert ("network-epochs/s" in line) == (columns >= 80)
    assert ("/40000000" in line) == (columns >= 100)
    bar.close()
    assert screen(stream.getvalue(), width=columns) == []


def test_the_bar_fits_a_terminal_resized_while_it_shows(monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    stream = FakeTerminal()
    bar = ProgressBar("restarts", stream=stream, delay=0.0, rate=1e9, unit="network-epochs")
    bar.update(1_000_000, 40_000_000)
    (wide,) = screen(stream.getvalue(), width=120)
    monkeypatch.setenv("COLUMNS", "60")
    before = len(stream.getvalue())
    bar.update(2_000_000, 40_000_000)
    (narrow,) = screen(stream.getvalue()[before:], width=60)  # the redraw
    assert len(narrow) <= 58 < len(wide)
    bar.close()


def test_restarts_interrupted_at_80_columns_leaves_the_report_alone_on_the_screen():
    """restarts in an 80-column terminal, Ctrl-C typed once its bar shows: the bar (one
    line) and ^C's echo are erased, the report follows; its command that trains the worst
    seed is broken only between options, its lines continued with a backslash, so that
    copied together they are the command."""
    import fcntl
    import pty
    import select
    import shlex
    import signal
    import struct
    import subprocess
    import termios

    from tests.helpers import entry_point

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = dict(os.environ, TERM="xterm-256color")
    for name in ("NUMBA_DISABLE_JIT", "COLUMNS", "LINES", "NO_COLOR"):
        env.pop(name, None)

    def own_terminal() -> None:
        """As a shell starts it: the terminal is its own, Ctrl-C is SIGINT to it."""
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    options = ["--problem", "xor", "--hidden", "2", "--epochs", "200", "--alpha", "0.1"]
    options += ["--momentum", "0.9"]
    process = subprocess.Popen(
        [*entry_point(), "restarts", *options, "--count", "200000"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        preexec_fn=own_terminal,
    )
    os.close(slave)
    drawn = b""
    try:
        deadline = time.monotonic() + 120
        typed = False
        while True:
            assert time.monotonic() < deadline, drawn[-2000:]
            if select.select([master], [], [], 0.1)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the terminal closed: the run has ended
                    chunk = b""
                drawn += chunk
                if not chunk and process.poll() is not None:
                    break
            elif process.poll() is not None:
                break
            if not typed and drawn.count(b"network-updates/s") >= 2:  # the bar, redrawn
                os.write(master, b"\x03")
                typed = True
        assert typed and process.wait(timeout=60) == 130
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    lines = screen(drawn.decode(), width=80)
    assert lines[-1].startswith("interrupted: ") and "networks trained" in lines[-1]
    assert lines[0].startswith("restarts of 2-2-1 on xor", lines[0].index(" ") + 1), lines
    # The bar's glyphs, ^C's echo, the bar's last column (its rate's unit is the report's).
    assert not any("━" in line or "^C" in line or line.endswith(" left") for line in lines)
    first = next(k for k, line in enumerate(lines) if line.startswith("train one"))
    last = next(k for k in range(first, len(lines)) if not lines[k].endswith(" \\"))
    command = shlex.split(" ".join(line.removesuffix(" \\") for line in lines[first : last + 1]))
    assert command[:2] == ["train", "one"] and command[2:4] == ["tui-backprop", "train"]
    assert command[4:-2] == options and command[-2] == "--seed" and command[-1].isdigit()
    assert all(line.startswith(" " * 14 + "--") for line in lines[first + 1 : last + 1])


def test_a_long_race_shows_a_bar_on_a_terminal_and_nothing_when_piped():
    """race --steps N took half a minute with nothing on screen: on a terminal it shows
    the bar (steps done of N, steps/s), erased before the report; piped, stderr is
    empty."""
    from tests.helpers import run_cli, run_in_terminal

    steps = "4000"  # some 3,000 steps a second: past the bar's half-second delay
    code, drawn = run_in_terminal("race", "--steps", steps, size=(100, 30))
    assert code == 0
    text = drawn.decode()
    assert "steps/s" in text and f"/{steps}" in text and "racing" in text
    lines = screen(text, width=100)
    assert lines[0].startswith("NOT, a = σ(w x + b), mse") and len(lines) == 4, lines
    assert not any("steps/s" in line or "━" in line for line in lines)
    piped = run_cli("race", "--steps", steps)
    assert piped.returncode == 0 and piped.stderr == "" and "4000 steps" in piped.stdout
