"""Choosing where compiled kernels are cached, and which folders count as private."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest

from kernels import config
from kernels.config import choose_cache_dir, is_private, private_dir

OTHER_UID = 12345  # a user who is not us (the tests may run as root, who can chown)


@pytest.fixture
def clean_env(monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.delenv("TUI_BACKPROP_NO_CACHE", raising=False)


@pytest.fixture
def own_tmp(tmp_path, monkeypatch):
    """TMPDIR in tmp_path, so a fallback folder is made (and looked for) there."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    return temp


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_cache_prefers_the_user_cache(tmp_path, monkeypatch, clean_env):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    chosen = tmp_path / "tui-backprop" / "numba"
    assert choose_cache_dir() == str(chosen)
    assert mode(chosen) == 0o700 and mode(chosen.parent) == 0o700


def test_fallback_is_a_fresh_private_temporary_folder(tmp_path, monkeypatch, clean_env, own_tmp):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file: nothing can go under it
    first, second = choose_cache_dir(), choose_cache_dir()
    assert first is not None and second is not None and first != second  # not predictable
    for chosen in (first, second):
        assert Path(chosen).parent == own_tmp and Path(chosen).name.startswith("tui-backprop-")
        assert mode(Path(chosen)) == 0o700 and is_private(Path(chosen))


def test_the_fallback_warns_in_one_line(tmp_path, monkeypatch, clean_env, own_tmp, capsys):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "file" / "numba"))
    (tmp_path / "file").write_text("")
    chosen = choose_cache_dir()
    assert chosen is not None and Path(chosen).parent == own_tmp
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and chosen in err


def test_numba_cache_dir_counts_where_it_leads(tmp_path, monkeypatch, clean_env, own_tmp):
    target = tmp_path / "scratch"
    target.mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(target)
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "link"))
    assert choose_cache_dir() == str(target)  # the user's own link
    os.chmod(target, 0o777)
    chosen = choose_cache_dir()
    assert chosen is not None and Path(chosen).parent == own_tmp


def test_cache_off_when_asked(monkeypatch):
    monkeypatch.setenv("TUI_BACKPROP_NO_CACHE", "1")
    assert choose_cache_dir() is None


@pytest.mark.parametrize("setup", ["world-writable", "group-writable", "other owner", "symlink"])
def test_a_shared_cache_folder_is_not_used(tmp_path, monkeypatch, clean_env, own_tmp, setup):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    ours = tmp_path / "home" / "tui-backprop" / "numba"
    if setup == "symlink":
        target = tmp_path / "elsewhere"
        target.mkdir(mode=0o700)
        ours.parent.mkdir(parents=True)
        ours.symlink_to(target)
    else:
        ours.mkdir(parents=True)
        if setup == "other owner":
            os.chown(ours, OTHER_UID, OTHER_UID)
            os.chmod(ours, 0o700)
        else:
            os.chmod(ours, 0o777 if setup == "world-writable" else 0o770)
    chosen = choose_cache_dir()
    assert chosen is not None and Path(chosen).parent == own_tmp


def test_a_shared_parent_of_ours_is_not_used(tmp_path, monkeypatch, clean_env, own_tmp):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    parent = tmp_path / "home" / "tui-backprop"
    parent.mkdir(parents=True)
    os.chmod(parent, 0o777)  # anyone could swap our folder for theirs
    chosen = choose_cache_dir()
    assert chosen is not None and Path(chosen).parent == own_tmp


def test_private_dir(tmp_path):
    made = tmp_path / "a" / "b"
    assert private_dir(made, create_under=tmp_path) and mode(made) == 0o700
    assert mode(tmp_path / "a") == 0o700
    plain = tmp_path / "plain"
    plain.write_text("")
    assert not private_dir(plain) and not is_private(plain)
    readable = tmp_path / "readable"
    readable.mkdir(mode=0o755)
    os.chmod(readable, 0o755)
    assert private_dir(readable)  # others may read and enter, not write
    assert not is_private(tmp_path / "missing")


def test_sealed_files_tell_damaged_from_stale():
    payload = b"some pickled bytes"
    sealed = config._seal(payload)
    assert config._unseal(sealed, "x") == payload
    assert config._unseal(b"numba's own format", "x") is None  # stale: silently rebuilt
    for damaged in (sealed[:-3], sealed[:-1] + b"!"):
        with pytest.raises(config.DamagedCacheFile):
            config._unseal(damaged, "x")
