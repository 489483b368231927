"""Choosing where compiled kernels are cached."""

from __future__ import annotations

from kernels.config import choose_cache_dir


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
