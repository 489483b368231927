"""Where the compiled kernels' cache folder is asked to be, and whether a folder can be
trusted with it: no numba here, and nothing is created on import, so ``cache --clear``
can look before anything makes the folder (``kernels.config`` chooses and makes it when
imported).

A folder is trusted (``is_private``) when it is a real directory (not a symlink), owned
by the current user, with no write bit for group or others. Every folder the program
makes on the way to the cache gets mode 0700, whatever the umask (``make_private``).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

PROG = "tui-backprop"


def _uid() -> int | None:
    return os.getuid() if hasattr(os, "getuid") else None


def is_private(path: Path) -> bool:
    """Whether ``path`` is a real directory (``os.lstat``: not a symlink), owned by the
    current user, that neither group nor others may write into."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return False
    uid = _uid()
    if uid is None:  # Windows: no owner or mode bits to check; the profile is per user
        return True
    return info.st_uid == uid and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def make_private(folder: Path) -> None:
    """Create ``folder``, and every missing folder above it, with mode 0700. mkdir's mode
    passes through the umask (and ``os.makedirs`` gives it to the last folder only), so
    each folder made is created on its own and then chmod-ed."""
    for level in reversed([folder, *folder.parents]):
        if os.path.lexists(level):
            continue
        with contextlib.suppress(FileExistsError):  # made meanwhile: not ours to chmod
            level.mkdir(mode=0o700)
            os.chmod(level, 0o700)


def own_folders(path: Path, create_under: Path | None = None) -> list[Path]:
    """The folders from ``create_under`` (exclusive; ``path``'s parent if None) down to
    ``path``, top first: ours to vouch for; the folders above are the user's."""
    top = create_under if create_under is not None else path.parent
    chain = [path, *path.parents]
    return list(reversed(chain[: chain.index(top)] if top in chain else [path]))


def private_dir(path: Path, *, create_under: Path | None = None) -> bool:
    """Create ``path`` if needed (see ``make_private``) and report whether it is private
    (see ``is_private``) and writable, as is every folder of ``own_folders``."""
    try:
        make_private(path)
        if not all(is_private(folder) for folder in own_folders(path, create_under)):
            return False
        with tempfile.NamedTemporaryFile(dir=path, prefix=".probe-"):
            pass
    except OSError:
        return False
    return True


def user_cache_dir() -> Path:
    """Our folder in the platform's per-user cache folder ($XDG_CACHE_HOME or ~/.cache on
    Linux, ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows)."""
    return Path(platformdirs.user_cache_dir(PROG, appauthor=False)).absolute() / "numba"


def caching_off() -> bool:
    return os.environ.get("TUI_BACKPROP_NO_CACHE", "").strip() not in ("", "0")


@dataclass(frozen=True)
class CacheRequest:
    """The cache folder the settings ask for, and the folder below which the folders on
    the way to it are ours to make and to vouch for (see ``own_folders``)."""

    path: Path
    create_under: Path

    def untrusted(self) -> Path | None:
        """The first folder of ours on the way that exists and is not private, if any;
        nothing is created."""
        for folder in own_folders(self.path, self.create_under):
            if os.path.lexists(folder) and not is_private(folder):
                return folder
        return None


def requested_cache_dir() -> CacheRequest | None:
    """The folder the settings ask for: None when caching is off; ``NUMBA_CACHE_DIR`` if
    set (where a symlink leads: the user's own choice, so its target is what counts);
    otherwise ``user_cache_dir``, whose ``tui-backprop`` folder is ours too."""
    if caching_off():
        return None
    user_choice = os.environ.get("NUMBA_CACHE_DIR")
    if user_choice:
        chosen = Path(user_choice).resolve()
        return CacheRequest(chosen, chosen.parent)
    chosen = user_cache_dir()
    return CacheRequest(chosen, chosen.parent.parent)
