"""Stopping by a signal keeps the work, and --save never replaces what is not a file.

The app in a real pseudo-terminal: SIGTERM, SIGHUP and SIGQUIT give the terminal back,
write --save and --stats, and exit with 128 + the signal. ``train`` stopped by SIGINT or
SIGTERM prints what it has and saves it. Outputs refuse devices, FIFOs and directories,
write through symbolic links, and clean up what an earlier killed save left behind.
"""

from __future__ import annotations

import errno
import fcntl
import io
import json
import os
import pty
import re
import select
import signal
import stat
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.helpers import entry_point, run_cli, run_in_terminal
from tui_backprop.app.app import HangupSafeStream
from tui_backprop.core.errors import InputError
from tui_backprop.io.files import check_writable_target, write_text_atomic

ALT_SCREEN_ON, ALT_SCREEN_OFF = b"\x1b[?1049h", b"\x1b[?1049l"
CURSOR_HIDE, CURSOR_SHOW = b"\x1b[?25l", b"\x1b[?25h"
MOUSE_ON, MOUSE_OFF = b"\x1b[?1000h", b"\x1b[?1000l"


class Terminal:
    """``tui-backprop ARGS`` on a pseudo-terminal of ``size`` (columns, rows), read as it
    draws: ``wait_for`` a text on the screen, then ``finish`` to collect its exit code."""

    def __init__(self, *args: str, size: tuple[int, int] = (100, 30)) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        env = dict(os.environ, TERM="xterm-256color")
        env.pop("NUMBA_DISABLE_JIT", None)
        self.process = subprocess.Popen(
            [*entry_point(), *args], stdin=slave, stdout=slave, stderr=slave, env=env
        )
        os.close(slave)
        self.output = bytearray()
        self.closed = False

    def _read(self, timeout: float) -> bool:
        """Read what is there within ``timeout``; False once the terminal has closed."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: every process on the terminal has gone
            chunk = b""
        self.output.extend(chunk)
        return bool(chunk)

    def wait_for(self, pattern: bytes, timeout: float = 60) -> None:
        """Read until the output matches the regular expression ``pattern``."""
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.output):
            if time.monotonic() > deadline or not self._read(0.1):
                self.process.kill()
                pytest.fail(f"never drew {pattern!r}; it drew {bytes(self.output[-2000:])!r}")

    def wait_for_frames(self, size: int = 2000, timeout: float = 60) -> None:
        """Read until ``size`` more bytes have come: frames drawn after this point (a frame
        sends only the cells that changed, so no whole line need come again)."""
        wanted = len(self.output) + size
        deadline = time.monotonic() + timeout
        while len(self.output) < wanted:
            if time.monotonic() > deadline or not self._read(0.1):
                self.process.kill()
                pytest.fail(f"drew nothing more; it drew {bytes(self.output[-2000:])!r}")

    def finish(self, timeout: float = 60) -> int:
        """Read until the program has exited and its terminal closed; its exit code."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._read(0.1) or (self.process.poll() is not None and not self._drain()):
                code = self.process.wait(timeout)
                os.close(self.master)
                return code
        self.process.kill()
        pytest.fail(f"did not exit within {timeout} s: {bytes(self.output[-2000:])!r}")

    def _drain(self) -> bool:
        """After the exit: True while output is still arriving."""
        before = len(self.output)
        self._read(0)
        return len(self.output) > before


def assert_terminal_restored(output: bytes) -> None:
    """The alternate screen left, the cursor shown and mouse reporting off, each after the
    last time it was turned the other way."""
    assert ALT_SCREEN_ON in output, output[-2000:]
    assert output.rfind(ALT_SCREEN_OFF) > output.rfind(ALT_SCREEN_ON), output[-2000:]
    assert output.rfind(CURSOR_SHOW) > output.rfind(CURSOR_HIDE), output[-2000:]
    assert output.rfind(MOUSE_OFF) > output.rfind(MOUSE_ON), output[-2000:]
    tail = output[output.rfind(ALT_SCREEN_OFF) :]
    assert CURSOR_SHOW in tail and b"Traceback" not in output


# ---------------------------------------------------------------------------
# The app


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT], ids=str)
def test_app_stopped_by_a_signal_saves_and_restores_the_terminal(tmp_path, sig):
    weights, stats = tmp_path / "w.json", tmp_path / "stats.json"
    term = Terminal("tui", "--run", "--save", str(weights), "--stats", str(stats))
    term.wait_for(b"RUNNING")  # drawn
    term.wait_for_frames()  # and trained for a while
    term.process.send_signal(sig)
    code = term.finish()
    output = bytes(term.output)
    assert code == 128 + sig, output[-2000:]
    assert_terminal_restored(output)
    saved = json.loads(weights.read_text())
    assert saved["layers"] == [2, 3, 1] and len(saved["weights"]) == 2
    doc = json.loads(stats.read_text())
    assert doc["updates"] > 0 and doc["seconds"] > 0
    assert sorted(os.listdir(tmp_path)) == ["stats.json", "w.json"]


def test_app_stopped_by_a_signal_while_paused_saves_the_initial_weights(tmp_path):
    """Nothing trained: the weights saved are the ones the app started from, which are
    train's for the same seed before its first (here vanishingly small) step."""
    weights = tmp_path / "w.json"
    term = Terminal("tui", "--seed", "3", "--save", str(weights))
    term.wait_for(b"PAUSED")
    term.process.send_signal(signal.SIGTERM)
    assert term.finish() == 128 + signal.SIGTERM
    assert_terminal_restored(bytes(term.output))
    result = run_cli(
        "train", "--seed", "3", "--epochs", "1", "--alpha", "1e-300", "--momentum", "0", "--json"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(weights.read_text())["weights"] == json.loads(result.stdout)["weights"]


def test_app_whose_terminal_closes_saves_and_exits(tmp_path):
    """The window closed: the terminal hangs up (SIGHUP to the app, whose drawing can no
    longer be written anywhere), and the app still leaves and writes its files."""
    weights, stats = tmp_path / "w.json", tmp_path / "stats.json"
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = dict(os.environ, TERM="xterm-256color")
    env.pop("NUMBA_DISABLE_JIT", None)
    process = subprocess.Popen(
        [
            *entry_point(),
            "tui",
            "--run",
            "--fps",
            "60",
            "--save",
            str(weights),
            "--stats",
            str(stats),
        ],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,  # a session whose controlling terminal is this one
        preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
    )
    output = bytearray()
    deadline = time.monotonic() + 60
    try:
        # Drawn (RUNNING), then frames of training after it (each sends only what changed).
        while b"RUNNING" not in output or len(output) - output.find(b"RUNNING") < 4000:
            assert time.monotonic() < deadline and process.poll() is None, bytes(output[-2000:])
            if select.select([master], [], [], 0.1)[0]:
                output.extend(os.read(master, 65536))
        os.close(slave)
        os.close(master)  # the window closes
        code = process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    assert code == 128 + signal.SIGHUP
    assert json.loads(weights.read_text())["layers"] == [2, 3, 1]
    assert json.loads(stats.read_text())["updates"] > 0


class ClosedTerminal(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError(errno.EIO, "Input/output error")

    def flush(self) -> None:
        raise OSError(errno.EIO, "Input/output error")


def test_drawing_on_a_closed_terminal_is_dropped():
    stream = HangupSafeStream(ClosedTerminal())
    assert stream.write("frame") == 5
    stream.flush()
    assert stream.writable() and not stream.closed  # the rest is the stream's own


def test_textual_output_thread_survives_a_closed_terminal():
    """Why HangupSafeStream is there: Textual's output thread stops at the first failed
    write, and its bounded queue then blocks the app for good as it leaves (the test
    above with a real terminal shows it only when enough is drawn in between)."""
    import threading

    from textual.drivers._writer_thread import MAX_QUEUED_WRITES, WriterThread

    writer = WriterThread(HangupSafeStream(ClosedTerminal()))
    writer.start()

    def draw_and_leave() -> None:
        for _ in range(3 * MAX_QUEUED_WRITES):
            writer.write("frame")
        writer.stop()

    leaving = threading.Thread(target=draw_and_leave, daemon=True)
    leaving.start()
    leaving.join(10)
    assert not leaving.is_alive(), "writes to a closed terminal blocked"


# ---------------------------------------------------------------------------
# Headless train


class Training:
    """``tui-backprop train ARGS`` with stdout a pipe and stderr a pseudo-terminal, so that
    its progress bar shows once it has trained for a while."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.master, slave = pty.openpty()
        env = dict(os.environ, TERM="xterm-256color", **(env or {}))
        env.pop("NUMBA_DISABLE_JIT", None)
        env.pop("NO_COLOR", None)
        self.process = subprocess.Popen(
            [*entry_point(), "train", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=slave,
            env=env,
        )
        os.close(slave)
        self.stdout = bytearray()
        self.stderr = bytearray()

    def _read(self, timeout: float) -> bool:
        """Read both streams for up to ``timeout``; False once both have closed."""
        assert self.process.stdout is not None
        out = self.process.stdout.fileno()
        streams = [fd for fd in (self.master, out) if fd >= 0]
        if not streams:
            return False
        ready, _, _ = select.select(streams, [], [], timeout)
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            (self.stderr if fd == self.master else self.stdout).extend(chunk)
            if not chunk:
                if fd == self.master:
                    os.close(self.master)
                    self.master = -1
                else:
                    self.process.stdout.close()
                    return self.master >= 0
        return True

    def interrupt_when_training(
        self, sig: int, timeout: float = 60, shown: bytes = b"training"
    ) -> tuple[int, str, str]:
        """Send ``sig`` once the progress bar shows (the kernels ready, epochs done), or
        another text ``shown`` on stderr; the exit code, stdout and stderr."""
        deadline = time.monotonic() + timeout
        while shown not in self.stderr:
            if time.monotonic() > deadline or not self._read(0.1):
                self.process.kill()
                pytest.fail(f"no {shown!r}: {bytes(self.stderr)!r} {bytes(self.stdout)!r}")
        self.process.send_signal(sig)
        while time.monotonic() < deadline:
            if not self._read(0.1):
                code = self.process.wait(timeout)
                return code, self.stdout.decode(), self.stderr.decode(errors="replace")
        self.process.kill()
        pytest.fail(f"train did not stop after {sig}")


#: Longer than any test waits: only a signal ends it.
LONG_RUN = ["--problem", "moons", "--hidden", "8", "--epochs", "10000000"]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=str)
def test_train_interrupted_prints_partial_json_and_saves(tmp_path, sig):
    weights = tmp_path / "w.json"
    code, out, err = Training(*LONG_RUN, "--json", "--save", str(weights)).interrupt_when_training(
        sig
    )
    assert code == 128 + sig, err
    doc = json.loads(out)
    assert doc["interrupted"] is True and doc["diverged"] is False
    assert 0 < doc["epochs"] < 10000000
    assert doc["updates"] == doc["epochs"] * 100  # whole epochs of 100 examples
    assert doc["final_loss"] < doc["initial_loss"]
    saved = json.loads(weights.read_text())
    assert saved["weights"] == doc["weights"]
    assert "Traceback" not in err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=str)
def test_train_stopped_while_compiling_says_it_had_not_started(tmp_path, sig):
    # An empty kernel cache: the kernels compile for seconds, with a notice on stderr.
    fresh = {"NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    training = Training(*LONG_RUN, "--json", env=fresh)
    code, out, err = training.interrupt_when_training(sig, shown=b"compiling the kernels")
    assert code == 128 + sig and out == "", err
    # The notice is erased (carriage return, erase to the end of the line), then the line.
    name = signal.Signals(sig).name
    assert err.endswith(f"\x1b[Ktui-backprop train: stopped by {name} before training started\r\n")
    assert "Traceback" not in err


def test_train_stopped_while_compiling_removes_its_temporary_cache_folder(tmp_path):
    """A cache folder that is not private sends the kernels' cache to a temporary folder
    of this run, made at start (before the compile). Stopped while compiling, the run
    removes it, as it does when it ends otherwise."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # anyone may write into it: not trusted with the cache
    env = {"TMPDIR": str(temporary), "NUMBA_CACHE_DIR": str(shared)}
    training = Training(*LONG_RUN, "--json", env=env)
    code, out, err = training.interrupt_when_training(signal.SIGINT, shown=b"compiling the kernels")
    assert f"compiled kernels are cached in {temporary}" in " ".join(err.split())
    assert code == 130 and out == "", err
    assert err.endswith("\x1b[Ktui-backprop train: stopped by SIGINT before training started\r\n")
    assert list(temporary.iterdir()) == [], err


def test_train_interrupted_human_report_says_so(tmp_path):
    code, out, err = Training(*LONG_RUN).interrupt_when_training(signal.SIGINT)
    assert code == 130, err
    epochs = int(next(line for line in out.splitlines() if line.startswith("epochs")).split()[1])
    assert f"interrupted after {epochs} epochs" in out and epochs > 0
    assert "final loss" in out and "Traceback" not in err


#: One epoch of a million examples takes seconds: far longer than a chunk (0.1 s) and the
#: progress bar's delay (0.5 s).
LONG_EPOCH = [
    "--problem",
    "moons",
    "--samples",
    "1000000",
    "--hidden",
    "64,64",
    "--activation",
    "tanh",
    "--epochs",
    "1",
]


def saved_parameters(path: Path) -> tuple[list, list]:
    saved = json.loads(path.read_text())
    return saved["weights"], saved["biases"]


def test_train_stopped_within_an_epoch_resumes_there_to_the_same_weights(tmp_path):
    """A stop lands between chunks inside the epoch (not at its end), and the saved run
    goes on from there to the weights of the run never stopped, bit for bit."""
    whole, stopped, resumed = tmp_path / "whole.json", tmp_path / "F.json", tmp_path / "R.json"
    result = run_cli("train", *LONG_EPOCH, "--save", str(whole), timeout=300)
    assert result.returncode == 0, result.stderr
    code, out, err = Training(*LONG_EPOCH, "--save", str(stopped)).interrupt_when_training(
        signal.SIGINT, timeout=300
    )
    assert code == 130, err
    assert "interrupted after 0 epochs (of 1) by SIGINT" in out, out
    done = re.search(r"epochs\s+0, and (\d+) of the next one's 1000000 updates", out)
    assert done is not None and 0 < int(done.group(1)) < 1000000, out
    result = run_cli(
        "train", *LONG_EPOCH, "--init", str(stopped), "--save", str(resumed), timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert saved_parameters(resumed) == saved_parameters(whole)


def test_train_bar_shows_within_the_first_epoch_with_rate_and_time_left():
    code, _, err = Training(*LONG_EPOCH, "--json").interrupt_when_training(
        signal.SIGINT, timeout=300
    )
    assert code == 130, err
    first = next(line for line in err.split("\r") if "training" in line)  # as first drawn
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", first)
    assert re.search(r"0/1 +\d+% +[\d.,]+ epochs/s \d+:\d\d:\d\d left", shown), shown
    assert "100%" not in shown


#: ``train ARGS`` whose process signals itself (SIGINT) once its Session has trained up to
#: epoch EPOCH: in the run's last chunk, if EPOCH is the last.
SIGNAL_AT_EPOCH = """
import os, signal, sys
from tui_backprop.cli import main as cli
from tui_backprop.core.session import Session

run_batches = Session.run_batches

def run_then_signal(self, count):
    ran = run_batches(self, count)
    if self.epoch >= int(sys.argv[1]):
        os.kill(os.getpid(), signal.SIGINT)
    return ran

Session.run_batches = run_then_signal
sys.exit(cli.main(sys.argv[2:]))
"""


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
def test_train_whose_epochs_were_done_when_a_signal_came_is_complete(as_json):
    """Ctrl-C in the last chunk stops nothing: the run reports all its epochs, not
    interrupted, and exits 0."""
    args = ["train", "--epochs", "3", *(["--json"] if as_json else [])]
    env = dict(os.environ)
    env.pop("NUMBA_DISABLE_JIT", None)
    result = subprocess.run(
        [sys.executable, "-c", SIGNAL_AT_EPOCH, "3", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    if as_json:
        doc = json.loads(result.stdout)
        assert doc["interrupted"] is False and doc["epochs"] == 3
    else:
        assert "interrupted" not in result.stdout and "epochs        3\n" in result.stdout


def test_train_not_interrupted_says_so_in_json():
    result = run_cli("train", "--epochs", "3", "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["interrupted"] is False


# ---------------------------------------------------------------------------
# Outputs that are not regular files


def _device(tmp_path: Path) -> Path:
    """A character device like /dev/full (made here, so a failing test cannot replace the
    real one); skipped where devices cannot be made."""
    full = os.stat("/dev/full") if os.path.exists("/dev/full") else None
    if full is None or not stat.S_ISCHR(full.st_mode):
        pytest.skip("no /dev/full")
    path = tmp_path / "full"
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, full.st_rdev)
    except PermissionError:
        pytest.skip("cannot make a device node here")
    return path


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "fifo"
    os.mkfifo(path)
    return path


def _directory(tmp_path: Path) -> Path:
    path = tmp_path / "dir.json"
    path.mkdir()
    return path


SPECIAL = {
    "device": (_device, stat.S_ISCHR, "character device"),
    "fifo": (_fifo, stat.S_ISFIFO, "FIFO"),
    "directory": (_directory, stat.S_ISDIR, "directory"),
}


@pytest.mark.parametrize("make,kind,word", SPECIAL.values(), ids=SPECIAL.keys())
def test_train_save_refuses_a_special_file_before_training(tmp_path, make, kind, word):
    target = make(tmp_path)
    before = os.stat(target)
    result = run_cli("train", "--epochs", "5", "--save", str(target))
    assert result.returncode == 2 and result.stdout == ""  # refused before the run
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and word in lines[0] and str(target) in lines[0], result.stderr
    after = os.stat(target)
    assert kind(after.st_mode) and after.st_ino == before.st_ino
    assert sorted(os.listdir(tmp_path)) == [target.name]


@pytest.mark.parametrize("option", ["--save", "--stats"])
def test_app_refuses_a_fifo_output_before_it_starts(tmp_path, option):
    fifo = _fifo(tmp_path)
    code, screen = run_in_terminal("tui", option, str(fifo))
    assert code == 2 and b"FIFO" in screen and ALT_SCREEN_ON not in screen
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


@pytest.mark.parametrize("make,kind,word", SPECIAL.values(), ids=SPECIAL.keys())
def test_write_text_atomic_refuses_a_special_file(tmp_path, make, kind, word):
    target = make(tmp_path)
    for call in (lambda: check_writable_target(target), lambda: write_text_atomic(target, "x")):
        with pytest.raises(InputError, match=word) as info:
            call()
        assert "\n" not in str(info.value)
    assert kind(os.stat(target).st_mode)
    assert sorted(os.listdir(tmp_path)) == [target.name]


def test_a_special_file_put_there_after_the_check_is_not_replaced(tmp_path, monkeypatch):
    """The rename looks again: a FIFO made while the text was written stays a FIFO."""
    target = tmp_path / "w.json"
    real_fsync = os.fsync

    def make_fifo_then_sync(fd):
        os.mkfifo(target)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", make_fifo_then_sync)
    with pytest.raises(InputError, match="FIFO"):
        write_text_atomic(target, "x")
    assert stat.S_ISFIFO(os.stat(target).st_mode) and os.listdir(tmp_path) == ["w.json"]


# ---------------------------------------------------------------------------
# Symbolic links and leftovers


def test_save_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path):
    (tmp_path / "runs").mkdir()
    real = tmp_path / "runs" / "real.json"
    real.write_text("old")
    os.chmod(real, 0o640)
    link = tmp_path / "w.json"
    link.symlink_to(Path("runs") / "real.json")  # relative, as people make them
    result = run_cli("train", "--epochs", "5", "--json", "--save", str(link))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == os.path.join("runs", "real.json")
    assert json.loads(real.read_text())["weights"] == json.loads(result.stdout)["weights"]
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["runs", "w.json"]
    assert os.listdir(tmp_path / "runs") == ["real.json"]


def test_a_dangling_symlink_gets_its_target_made(tmp_path):
    link = tmp_path / "w.json"
    link.symlink_to(tmp_path / "new.json")
    write_text_atomic(link, "x")
    assert link.is_symlink() and (tmp_path / "new.json").read_text() == "x"


def test_a_symlink_to_a_fifo_is_refused(tmp_path):
    fifo = _fifo(tmp_path)
    link = tmp_path / "w.json"
    link.symlink_to(fifo)
    with pytest.raises(InputError, match="FIFO"):
        write_text_atomic(link, "x")
    assert link.is_symlink() and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_symlink_loop_is_one_line(tmp_path):
    link = tmp_path / "w.json"
    link.symlink_to(link)
    with pytest.raises(InputError, match="cannot write") as info:
        write_text_atomic(link, "x")
    assert "\n" not in str(info.value) and link.is_symlink()


def test_leftovers_of_a_killed_save_of_the_same_path_are_removed(tmp_path):
    target = tmp_path / "w.json"
    leftovers = [".w.json.k3_x9a0b.tmp", ".w.json.00000000.tmp"]
    others = [
        ".other.json.k3_x9a0b.tmp",  # another file's
        ".w.json.short.tmp",  # not a name mkstemp makes
        "w.json.k3_x9a0b.tmp",  # not hidden: not ours
        ".w.json.k3_x9a0b.tmp.bak",
    ]
    for name in leftovers + others:
        (tmp_path / name).write_text("partial")
    write_text_atomic(target, "x")
    assert target.read_text() == "x"
    assert sorted(os.listdir(tmp_path)) == sorted(["w.json", *others])


def test_leftovers_are_cleaned_where_a_symlink_points(tmp_path):
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / ".real.json.abcdefgh.tmp").write_text("partial")
    link = tmp_path / "w.json"
    link.symlink_to(tmp_path / "runs" / "real.json")
    write_text_atomic(link, "x")
    assert os.listdir(tmp_path / "runs") == ["real.json"]


def test_a_save_killed_midway_leaves_a_temp_file_the_next_save_removes(tmp_path):
    """The real thing: a process killed between writing its temporary file and renaming
    it, then a second save of the same path."""
    target = tmp_path / "w.json"
    script = (
        "import os, signal\n"
        "from tui_backprop.io import files\n"
        "def die(src, dst): os.kill(os.getpid(), signal.SIGKILL)\n"
        "os.replace = die\n"
        f"files.write_text_atomic({str(target)!r}, 'first')\n"
    )
    process = subprocess.run([sys.executable, "-c", script], timeout=60)
    assert process.returncode == -signal.SIGKILL
    left = [name for name in os.listdir(tmp_path) if name != "w.json"]
    assert len(left) == 1 and left[0].startswith(".w.json.")
    write_text_atomic(target, "second")
    assert os.listdir(tmp_path) == ["w.json"] and target.read_text() == "second"
