"""Choosing where compiled kernels are cached, and the progress bar."""

from __future__ import annotations

import io

from kernels.config import choose_cache_dir
from tui_backprop.cli.progress import ProgressBar


def test_cache_prefers_the_user_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.delenv("TUI_BACKPROP_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert choose_cache_dir() == str(tmp_path / "tui-backprop" / "numba")


def test_cache_falls_back_to_temp_when_home_is_not_writable(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.delenv("TUI_BACKPROP_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file: nothing can go under it
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    chosen = choose_cache_dir()
    assert chosen is not None and chosen.startswith(str(tmp_path / "tmp"))


def test_cache_off_when_asked_or_when_nothing_is_writable(tmp_path, monkeypatch):
    monkeypatch.setenv("TUI_BACKPROP_NO_CACHE", "1")
    assert choose_cache_dir() is None
    monkeypatch.delenv("TUI_BACKPROP_NO_CACHE")
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(blocker / "numba"))
    assert choose_cache_dir() is None


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal_and_erases_itself():
    stream = FakeTerminal()
    bar = ProgressBar("training", stream=stream, delay=0.0, rate=1e9)
    bar.update(50, 200)
    assert "50/200" in stream.getvalue() and "25.0%" in stream.getvalue()
    bar.close()
    assert stream.getvalue().endswith("\r\x1b[2K")


def test_progress_bar_is_silent_when_not_a_terminal():
    stream = io.StringIO()
    bar = ProgressBar("training", stream=stream, delay=0.0, rate=1e9)
    bar.update(50, 200)
    bar.close()
    assert stream.getvalue() == ""
