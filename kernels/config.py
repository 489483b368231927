"""Where compiled kernels are cached, and the flags every kernel is compiled with.

Numba writes its on-disk cache next to the source file by default. An install in a
read-only location (a system site-packages, a shared lab image) would then make
``cache=True`` raise at import time, so the cache directory is chosen here, once,
before any kernel is decorated:

1. ``NUMBA_CACHE_DIR`` if the user set it (numba reads it itself);
2. otherwise the platform's per-user cache folder, from platformdirs, plus ``numba``
   (``$XDG_CACHE_HOME/tui-backprop/numba``, else ``~/.cache/...``, on Linux) if it can be
   created and written;
3. otherwise a per-user folder in the system temp directory;
4. otherwise caching is off and kernels compile on every start (about a second).

``TUI_BACKPROP_NO_CACHE=1`` turns caching off outright.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Literal, TypedDict

import numba
import platformdirs


def _writable_dir(path: Path) -> bool:
    """Create ``path`` if needed and report whether files can be written into it."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".probe-"):
            pass
    except OSError:
        return False
    return True


def _candidate_dirs() -> list[Path]:
    # The platform's per-user cache folder ($XDG_CACHE_HOME or ~/.cache on Linux,
    # ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows).
    user = os.environ.get("USER") or str(os.getuid() if hasattr(os, "getuid") else "user")
    return [
        Path(platformdirs.user_cache_dir("tui-backprop", appauthor=False)) / "numba",
        Path(tempfile.gettempdir()) / f"tui-backprop-numba-{user}",
    ]


def choose_cache_dir() -> str | None:
    """Return the directory numba caches compiled kernels in, or None when caching is off."""
    if os.environ.get("TUI_BACKPROP_NO_CACHE", "").strip() not in ("", "0"):
        return None
    user_choice = os.environ.get("NUMBA_CACHE_DIR")
    if user_choice:
        return user_choice if _writable_dir(Path(user_choice)) else None
    for candidate in _candidate_dirs():
        if _writable_dir(candidate):
            return str(candidate)
    return None


class JitFlags(TypedDict):
    """Keyword arguments of ``numba.njit`` (as typed by numba's stubs) for every kernel."""

    nogil: bool
    cache: bool
    fastmath: bool
    error_model: Literal["python", "numpy"]


class _HelperFlags(JitFlags):
    _nrt: bool  # False: compiled without reference counting (see HELPER_FLAGS)


CACHE_DIR = choose_cache_dir()
if CACHE_DIR is not None:
    # numba reads config.CACHE_DIR each time it locates a cache, so setting it here works
    # even when numba was imported before this module. numba.config creates its settings
    # through globals(), which a type checker cannot see.
    numba.config.CACHE_DIR = CACHE_DIR  # type: ignore[attr-defined]

#: Flags for every kernel. fastmath stays off: with it, ``np.isnan`` and ``np.isfinite``
#: are folded to constants inside a kernel (numba#2919, #6217), which would blind the
#: divergence check, and exactness against the NumPy reference is a requirement.
#: nogil lets the app's worker thread train while the UI thread keeps drawing.
#: error_model "numpy": x / 0 gives inf or nan as IEEE 754 says, instead of a check and a
#: ZeroDivisionError; besides being what the divergence check expects, a loop with a
#: division then has no exit in the middle, which is what lets LLVM vectorise it.
JIT_FLAGS = JitFlags(nogil=True, cache=CACHE_DIR is not None, fastmath=False, error_model="numpy")

#: Flags for the helpers the kernels call once per example or per layer. A call between
#: compiled functions counts a reference up and down for every array it passes, each an
#: atomic operation: about 0.1 us per call of a helper with five arrays, a third of a
#: 2-16-16-1 update. The helpers neither allocate nor keep an array beyond the call, and
#: their callers hold every array they get, so they run without that counting (numba's
#: ``_nrt`` option). Inlining them instead removes the counting too, but compiles three
#: times as long (a 2-16-16-1 network's first start: 12 s instead of 4 s).
#: Typed as ``JitFlags``, the options numba's stubs know: ``_nrt`` is a private option they
#: do not list, so ``njit(**HELPER_FLAGS)`` type-checks as ``njit(**JIT_FLAGS)``.
HELPER_FLAGS: JitFlags = _HelperFlags(**JIT_FLAGS, _nrt=False)
