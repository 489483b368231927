"""Shared test helpers: random networks and a way to run the real command."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pytest

from tui_backprop.core.model import Network
from tui_backprop.core.reference import ReferenceNetwork
from tui_backprop.core.spec import NetworkSpec

T = TypeVar("T")


def held(release: threading.Event, work: Callable[..., T]) -> Callable[..., T]:
    """``work`` that first waits (at most a minute) for ``release``: a slow compile or
    computation, which a test lets finish when it says."""

    def wait_then(*args: Any, **kwargs: Any) -> T:
        release.wait(60)
        return work(*args, **kwargs)

    return wait_then


def reference_for(net: Network) -> ReferenceNetwork:
    """A ReferenceNetwork holding copies of ``net``'s current parameters."""
    spec = net.spec
    return ReferenceNetwork(
        net.weights(), net.biases(), spec.activations, spec.cost, spec.beta, spec.bias
    )


def random_data(spec: NetworkSpec, n: int, rng: np.random.Generator):
    """X (n, N^0) standard normal; Y (n, N^L) in (0, 1), valid for every cost."""
    X = rng.normal(size=(n, spec.sizes[0]))
    Y = rng.uniform(0.05, 0.95, size=(n, spec.sizes[-1]))
    return X, Y


def entry_point() -> list[str]:
    """The installed ``tui-backprop`` console script of the running interpreter."""
    script = Path(sys.executable).with_name("tui-backprop")
    if not script.exists():
        pytest.fail(f"the console script {script} is not installed; pip install -e '.[test]'")
    return [str(script)]


def run_cli(
    *args: str, env: dict | None = None, cwd: str | Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run ``tui-backprop ARGS`` as a user would, capturing text output."""
    full_env = dict(os.environ)
    full_env.pop("NUMBA_DISABLE_JIT", None)
    if env:
        full_env.update(env)
    return subprocess.run(
        [*entry_point(), *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


@dataclass(frozen=True)
class Typing:
    """Keys a person types once the screen shows something: ``keys`` once the regex
    ``pattern`` has matched ``times`` times in what was drawn (after the first match of
    the regex ``after``, if given), ``then_wait`` seconds after that."""

    pattern: bytes
    keys: bytes
    times: int = 1
    then_wait: float = 0.0
    after: bytes | None = None

    def seen(self, output: bytes | bytearray) -> bool:
        start = 0
        if self.after is not None:
            first = re.search(self.after, output)
            if first is None:
                return False
            start = first.end()
        found = re.compile(self.pattern).finditer(output, start)
        return sum(1 for _ in itertools.islice(found, self.times)) == self.times


#: The status line's update count once it is not 0: the run has trained.
UPDATES_SHOWN = rb"updates\s*(\x1b\[[0-9;]*m)*[1-9]"
#: The cursor sent home, as Textual does after it draws a frame's changes.
CURSOR_HOME = rb"\x1b\[1;1H"


def run_in_terminal(
    *args: str,
    size: tuple[int, int] = (100, 30),
    timeout: float = 60,
    env: dict | None = None,
    chunks: list[tuple[float, bytes]] | None = None,
    type_when: Typing | None = None,
) -> tuple[int, bytes]:
    """Run ``tui-backprop ARGS`` attached to a pseudo-terminal of ``size`` (columns, rows),
    as a person in a terminal would; returns (exit code, everything it drew). ``chunks``,
    if given, gets each piece read with the time.monotonic() it arrived. ``type_when``
    types keys once the drawn output shows what it waits for (``Typing``)."""
    import fcntl
    import pty
    import select
    import struct
    import termios
    import time

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    full_env = dict(os.environ, TERM="xterm-256color")
    full_env.pop("NUMBA_DISABLE_JIT", None)
    # pytest-xdist's workers have COLUMNS=80 and LINES=24, which size a terminal ahead of
    # the terminal itself (shutil.get_terminal_size): the app would draw at 80x24.
    full_env.pop("COLUMNS", None)
    full_env.pop("LINES", None)
    if env:
        full_env.update(env)
    process = subprocess.Popen(
        [*entry_point(), *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=full_env,
        close_fds=True,
    )
    os.close(slave)
    output = bytearray()
    type_at: float | None = None  # when to type type_when's keys, once it was seen
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            chunk = b""
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the terminal closed: the process has exited
                    chunk = b""
                if chunk:
                    output.extend(chunk)
                    if chunks is not None:
                        chunks.append((time.monotonic(), chunk))
                    if type_when is not None and type_at is None and type_when.seen(output):
                        type_at = time.monotonic() + type_when.then_wait
            if type_when is not None and type_at is not None and time.monotonic() >= type_at:
                os.write(master, type_when.keys)
                type_when = None
            if chunk:
                continue
            if process.poll() is not None:
                break
        else:
            process.kill()
            pytest.fail(f"tui-backprop {' '.join(args)} did not exit within {timeout} s")
        return process.wait(), bytes(output)
    finally:
        os.close(master)
