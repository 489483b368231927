"""Where compiled kernels are cached, and the flags every kernel is compiled with.

Numba writes its on-disk cache next to the source file by default. An install in a
read-only location (a system site-packages, a shared lab image) would then make
``cache=True`` raise at import time, so the cache directory is chosen here, once,
before any kernel is decorated:

1. ``NUMBA_CACHE_DIR`` if the user set it (where a symlink leads, if it is one);
2. otherwise the platform's per-user cache folder, from platformdirs, plus ``numba``
   (``$XDG_CACHE_HOME/tui-backprop/numba``, else ``~/.cache/...``, on Linux);
3. otherwise, with a one-line warning, a fresh private folder from ``tempfile.mkdtemp``
   for this process only, removed when it ends.

The cache holds pickles (numba's index and data files) and the Python source of the
generated kernels, both of which run when loaded; on a shared machine another user who
can write into that folder could make our next run execute their code. So a folder is
used only if ``private_dir`` vouches for it: a real directory (not a symlink), owned by
the current user, with no write bit for group or others; missing ones, and every missing
folder on the way to them, are created with mode 0700 whatever the umask. Never a
predictable name in a shared folder such as /tmp. (``kernels.cache_location`` holds these
checks and the choice of folder, without numba, for ``cache --clear``.)

numba names a cache folder by the path of the source files' folder, so a second checkout
or a fresh install of the same code would compile everything again. Our kernels' folder is
named by a hash of their sources instead (``KernelsLocator``): the same code finds its
kernels wherever it is installed, and an edit to any kernel source (even one another
module's kernels call, which numba's own check misses, numba#8396) starts a new folder.

``TUI_BACKPROP_NO_CACHE=1`` turns caching off: kernels compile on every start, and the
generated kernels' sources go to a private temporary folder of this process.

A damaged cache file (a truncated index, a garbled data file) is not fatal: its loading
error is caught, that kernel's cache files are removed, and it compiles again (with a
one-line note on stderr); see ``_heal_on_load_error``.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import os
import pickle
import re
import shutil
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypedDict

import numba
import numba.core.caching
import numba.core.event

from . import kernel_compiler, link_only
from .cache_location import (
    PROG,
    is_private,
    private_dir,
    requested_cache_dir,
    user_cache_dir,
)


def _warn(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr)


#: Folders made by ``temporary_dir`` for this process; removed when it exits.
_TEMPORARY: list[str] = []


def temporary_dir() -> Path:
    """A fresh private folder (``tempfile.mkdtemp``: a unique name, mode 0700) for this
    process, removed when it exits."""
    path = tempfile.mkdtemp(prefix=f"{PROG}-")
    if not _TEMPORARY:
        atexit.register(remove_temporary)
    _TEMPORARY.append(path)
    return Path(path)


def remove_temporary() -> None:
    """Remove the folders ``temporary_dir`` made for this process (at exit, or by a
    signal handler that leaves with ``os._exit``, which runs no ``atexit`` handler)."""
    for path in _TEMPORARY:
        shutil.rmtree(path, ignore_errors=True)


def choose_cache_dir() -> str | None:
    """Return the private directory numba caches compiled kernels in (see the module's
    docstring), or None when caching is off. Falls back to a private temporary folder,
    with a warning, when the usual one is not private or cannot be made."""
    request = requested_cache_dir()
    if request is None:
        return None
    if private_dir(request.path, create_under=request.create_under):
        return str(request.path)
    fallback = temporary_dir()
    _warn(
        f"cache folder {request.path} is not a private folder of this user (or cannot be "
        f"made); compiled kernels are cached in {fallback} for this run only"
    )
    return str(fallback)


#: The folder of the kernels' sources.
KERNELS_DIR = Path(__file__).resolve().parent


def sources_hash(root: Path) -> str:
    """A hash of every ``.py`` file under ``root`` (subfolders too): their names and
    contents, in a fixed order."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py"), key=lambda p: p.relative_to(root).as_posix()):
        data = path.read_bytes()
        digest.update(f"{path.relative_to(root).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:12]


@functools.cache
def kernels_hash() -> str:
    """``sources_hash`` of the ``kernels`` package, read once per process."""
    return sources_hash(KERNELS_DIR)


#: The start of the names of the folders numba caches the kernels package's kernels in.
KERNELS_SUBDIR_PREFIX = "tui_backprop_kernels_"


class KernelsLocator(numba.core.caching.UserProvidedCacheLocator):
    """numba's locator for a cache directory, for the kernels package's files only, with
    the folder named by the hash of the package's sources (``kernels_hash``) instead of
    by their folder's path. numba still checks each file's own content (its source stamp
    is a hash of the file) before it loads a kernel."""

    @classmethod
    def get_suitable_cache_subpath(cls, py_file: str) -> str:
        return f"{KERNELS_SUBDIR_PREFIX}{kernels_hash()}"

    @classmethod
    def from_function(cls, py_func: Any, py_file: str) -> Any:
        if Path(py_file).resolve().parent != KERNELS_DIR:
            return None  # any other file: numba's own locators
        return super().from_function(py_func, py_file)


def cache_subpath(source_dir: Path) -> str:
    """The name of the folder in the cache directory that numba keeps the kernels of the
    files in ``source_dir`` in."""
    locator = (
        KernelsLocator
        if source_dir.resolve() == KERNELS_DIR
        else numba.core.caching.UserProvidedCacheLocator
    )
    return locator.get_suitable_cache_subpath(str(source_dir / "x.py"))


def numba_subdir(source_dir: Path) -> Path | None:
    """The private folder numba caches the kernels of the files in ``source_dir`` in,
    made here (mode 0700) before numba would make it with the default mode; None when
    caching is off or it is not private."""
    if CACHE_DIR is None:
        return None
    name = cache_subpath(source_dir)
    _OUR_SUBDIRS.add(name)  # even if not private: then nothing is loaded from it
    path = Path(CACHE_DIR) / name
    return path if private_dir(path) else None


#: Names of numba's folders in CACHE_DIR that hold our kernels' caches (``numba_subdir``).
_OUR_SUBDIRS: set[str] = set()


def is_ours(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a folder numba keeps our kernels' caches in (``numba_subdir``);
    other code's caches, even in the same directory, are left to numba."""
    if CACHE_DIR is None:
        return False
    parent, name = os.path.split(os.path.abspath(path))
    return parent == os.path.abspath(CACHE_DIR) and name in _OUR_SUBDIRS


class DamagedCacheFile(Exception):
    """A cache file of ours whose seal (see ``_seal``) does not match its content."""


#: First line of every cache file we write: numba's version is part of it, so files of
#: another version (or of numba's own format) read as stale, not as damaged.
_MAGIC = f"tui-backprop sealed cache 1, numba {numba.__version__}\n".encode()
_DIGEST = 32  # bytes of a sha256 digest


def _seal(payload: bytes) -> bytes:
    return _MAGIC + hashlib.sha256(payload).digest() + payload


def _unseal(data: bytes, path: str) -> bytes | None:
    """The payload of a sealed file; None for a file of another format or version (stale);
    raises DamagedCacheFile when the digest does not match (truncated, garbled)."""
    if not data.startswith(_MAGIC):
        return None
    digest, payload = data[len(_MAGIC) : len(_MAGIC) + _DIGEST], data[len(_MAGIC) + _DIGEST :]
    if hashlib.sha256(payload).digest() != digest:
        raise DamagedCacheFile(path)
    return payload


class _SealedFiles:
    """numba's index and data files (``IndexDataCacheFile``), as written and read for our
    kernels (``is_ours``): each file sealed with the sha256 digest of its content, checked
    before anything is unpickled. numba unpickles a data file and hands the object code in
    it to LLVM, and a garbled one can abort the process (an LLVM assertion) where no
    ``except`` can catch it; the seal turns that into a DamagedCacheFile, which
    ``_heal_on_load_error`` handles. Other code's files are numba's business, read and
    written by its own methods, so that they stay readable without us."""

    def __init__(self, original: type) -> None:
        self.original = {name: getattr(original, name) for name in self.methods}

    methods = ("_load_index", "_save_index", "_load_data", "_save_data")

    def install(self, target: type) -> None:
        for name in self.methods:
            ours = getattr(self, name)
            theirs = self.original[name]

            def method(files: Any, *args: Any, _ours: Any = ours, _theirs: Any = theirs) -> Any:
                if is_ours(files._cache_path):
                    return _ours(files, *args)
                return _theirs(files, *args)

            method.__wrapped__ = theirs  # type: ignore[attr-defined]
            setattr(target, name, method)

    @staticmethod
    def _read(path: str) -> bytes | None:
        try:
            with open(path, "rb") as f:
                return f.read()
        except FileNotFoundError:
            return None

    def _load_index(self, files: Any) -> dict[Any, Any]:
        data = self._read(files._index_path)
        payload = None if data is None else _unseal(data, files._index_path)
        if payload is None:
            return {}  # none yet, or stale: rewritten at the next save
        stamp, overloads = pickle.loads(payload)
        return overloads if stamp == files._source_stamp else {}

    def _save_index(self, files: Any, overloads: dict[Any, Any]) -> None:
        payload = files._dump((files._source_stamp, overloads))
        with files._open_for_write(files._index_path) as f:
            f.write(_seal(payload))

    def _load_data(self, files: Any, name: str) -> Any:
        path = files._data_path(name)
        data = self._read(path)
        if data is None:
            raise FileNotFoundError(path)  # numba's load() takes it as "not cached"
        payload = _unseal(data, path)
        if payload is None:
            raise DamagedCacheFile(path)  # an index of ours names it: it was ours too
        return pickle.loads(payload)

    def _save_data(self, files: Any, name: str, data: Any) -> None:
        with files._open_for_write(files._data_path(name)) as f:
            f.write(_seal(files._dump(data)))


class SetupClock(numba.core.event.Listener):
    """Wall seconds spent loading compiled kernels from the cache or compiling them while
    the clock is entered: the union of the spans in which some thread wants or holds
    numba's compiler lock (numba's ``numba:compiler_lock`` event), each thread's nested
    spans counted once and spans that began before the clock left out. A run's time less
    these is the time it spent working, which is what its rate should be taken from.

    Every thread's spans count (a run's worker threads load the kernels they call), so
    the figure is the run's own only when nothing else in the process compiles meanwhile,
    as in a command line run; the app does not show it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth: dict[int, int] = {}  # per thread: spans begun and not yet ended
        self._inside = 0  # threads inside a span
        self._since = 0.0  # when the current union of spans began
        self._seconds = 0.0  # the union's spans that have ended

    def on_start(self, event: numba.core.event.Event) -> None:
        with self._lock:
            thread = threading.get_ident()
            depth = self._depth.get(thread, 0)
            self._depth[thread] = depth + 1
            if depth == 0:
                if self._inside == 0:
                    self._since = time.perf_counter()
                self._inside += 1

    def on_end(self, event: numba.core.event.Event) -> None:
        with self._lock:
            thread = threading.get_ident()
            depth = self._depth.get(thread, 0)
            if depth == 0:
                return  # its span began before the clock
            self._depth[thread] = depth - 1
            if depth == 1:
                self._inside -= 1
                if self._inside == 0:
                    self._seconds += time.perf_counter() - self._since

    def __enter__(self) -> SetupClock:
        numba.core.event.register("numba:compiler_lock", self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        numba.core.event.unregister("numba:compiler_lock", self)
        with self._lock:  # a span still running counts up to here
            if self._inside:
                self._seconds += time.perf_counter() - self._since
            self._inside = 0
            self._depth.clear()

    @property
    def seconds(self) -> float:
        """The seconds counted so far: while entered, a span still running up to now."""
        with self._lock:
            running = time.perf_counter() - self._since if self._inside else 0.0
            return self._seconds + running


def _heal_on_load_error(
    load: Callable[[Any, Any, Any], Any],
) -> Callable[[Any, Any, Any], Any]:
    """numba's ``Cache.load_overload`` made to survive a damaged cache file of ours.

    numba raises when an index (``.nbi``) or data (``.nbc``) file cannot be unpickled or
    rebuilt (``EOFError``, ``UnpicklingError``, an LLVM error, ...; here also
    DamagedCacheFile), and as the file stays, so does every later run. Here such an error
    of a cache of our kernels (``is_ours``) removes that function's index and data files and returns
    None, "not cached": numba compiles the function and saves it afresh. A cache folder
    that is not private is not read at all. Caches elsewhere behave as before."""

    def load_overload(self: Any, sig: Any, target_context: Any) -> Any:
        path = self.cache_path
        if not is_ours(path):
            return load(self, sig, target_context)
        # A kernel loaded from the cache is where numba first readies its target.
        kernel_compiler.ready_target(target_context)
        if not is_private(Path(path)):
            return None  # never unpickle what another user could have written
        try:
            return load(self, sig, target_context)
        except Exception as error:
            base = self._impl.filename_base
            removed = 0
            for name in os.listdir(path):
                if name.startswith(base + ".") and name.endswith((".nbi", ".nbc")):
                    with contextlib.suppress(OSError):
                        os.unlink(os.path.join(path, name))
                        removed += 1
            _warn(
                f"the cache of {base.split('-')[0]} was damaged ({type(error).__name__}); "
                f"removed its {removed} file(s), compiling it again"
            )
            return None

    load_overload.__wrapped__ = load  # type: ignore[attr-defined]
    return load_overload


def _our_entries() -> list[Path]:
    """What in the cache directory is ours: all of it in our own folder (the platform's, or
    a temporary one); in a ``NUMBA_CACHE_DIR`` of the user's, only the generated sources
    and the folders numba keeps our kernels' caches in."""
    if CACHE_DIR is None:
        return []
    root = Path(CACHE_DIR)
    if root == user_cache_dir() or str(root) in _TEMPORARY:
        with contextlib.suppress(OSError):
            return sorted(root.iterdir())
        return []
    names = ["generated", cache_subpath(root / "generated")]
    with contextlib.suppress(OSError):  # every version's folder of the kernels package
        names += [e.name for e in os.scandir(root) if e.name.startswith(KERNELS_SUBDIR_PREFIX)]
    return [root / name for name in names if os.path.lexists(root / name)]


def _usage(paths: list[Path]) -> tuple[int, int]:
    """(files, bytes) under ``paths``, symlinks counted as files and not followed."""
    files = size = 0
    for path in paths:
        info = os.lstat(path)
        if not stat.S_ISDIR(info.st_mode):
            files, size = files + 1, size + info.st_size
            continue
        for parent, _, names in os.walk(path):
            for name in names:
                with contextlib.suppress(OSError):
                    size += os.lstat(os.path.join(parent, name)).st_size
                    files += 1
    return files, size


def cache_usage() -> dict[str, Any]:
    """Where the cache is and what it holds: ``location`` (None when caching is off),
    ``temporary`` (a folder of this run only), ``files``, ``bytes``."""
    files, size = _usage(_our_entries())
    return {
        "location": CACHE_DIR,
        "temporary": CACHE_DIR is not None and CACHE_DIR in _TEMPORARY,
        "files": files,
        "bytes": size,
    }


def _prune_other_versions(root: Path) -> None:
    """Remove the caches of other versions of the kernels' sources from ``root``: once,
    when this version's folder is made. Only private folders of ours are removed: those
    named by a sources' hash, and in our own folder also numba's ``kernels_<sha1 of a
    path>`` folders that versions before ``KernelsLocator`` made."""
    current = cache_subpath(KERNELS_DIR)
    own = root == user_cache_dir()
    with contextlib.suppress(OSError):
        for entry in os.scandir(root):
            old_version = entry.name.startswith(KERNELS_SUBDIR_PREFIX) or (
                own and re.fullmatch(r"kernels_[0-9a-f]{40}", entry.name) is not None
            )
            if old_version and entry.name != current and is_private(Path(entry.path)):
                shutil.rmtree(entry.path, ignore_errors=True)


class CacheRefused(Exception):
    """The cache directory, or something in it, is not verified as ours to remove."""


def clear_cache() -> dict[str, Any]:
    """Remove our files from the cache directory; ``cache_usage()`` of what was removed.
    Raises CacheRefused, removing nothing, when the directory or a folder of ours in it
    is not private (see ``is_private``); a symlink in it is removed, not followed."""
    if CACHE_DIR is None:
        return cache_usage()
    if not is_private(Path(CACHE_DIR)):
        raise CacheRefused(f"{CACHE_DIR} is not a private folder of this user")
    entries = _our_entries()
    for entry in entries:
        info = os.lstat(entry)
        if stat.S_ISDIR(info.st_mode) and not is_private(entry):
            raise CacheRefused(f"{entry} is not a private folder of this user")
    usage = cache_usage()
    for entry in entries:
        if stat.S_ISDIR(os.lstat(entry).st_mode):
            shutil.rmtree(entry)  # removes symlinks inside, never what they point to
        else:
            entry.unlink()
    return usage


class JitFlags(TypedDict):
    """Keyword arguments of ``numba.njit`` (as typed by numba's stubs) for every kernel."""

    nogil: bool
    cache: bool
    fastmath: bool
    error_model: Literal["python", "numpy"]


class _HelperFlags(JitFlags):
    _nrt: bool  # False: compiled without reference counting (see HELPER_FLAGS)


class _InnerFlags(_HelperFlags, total=False):
    no_cpython_wrapper: bool  # True: no wrappers to call it from Python (see INNER_FLAGS)
    no_cfunc_wrapper: bool
    pipeline_class: type  # link_only.LinkOnlyCompiler: compiled for linking only


CACHE_DIR = choose_cache_dir()
if CACHE_DIR is not None:
    # numba reads config.CACHE_DIR each time it locates a cache, so setting it here works
    # even when numba was imported before this module. numba.config creates its settings
    # through globals(), which a type checker cannot see.
    numba.config.CACHE_DIR = CACHE_DIR  # type: ignore[attr-defined]
    _Cache = numba.core.caching.Cache
    if not hasattr(_Cache.load_overload, "__wrapped__"):  # once, if reloaded
        _Cache.load_overload = _heal_on_load_error(_Cache.load_overload)  # type: ignore[method-assign]
        _Files = numba.core.caching.IndexDataCacheFile
        _SealedFiles(_Files).install(_Files)
    _Locators = numba.core.caching.CacheImpl._locator_classes
    if KernelsLocator not in _Locators:  # first, so that it is asked before numba's own
        _Locators.insert(0, KernelsLocator)
    _first_start_of_these_sources = not (Path(CACHE_DIR) / cache_subpath(KERNELS_DIR)).exists()
    if numba_subdir(KERNELS_DIR) is None:
        _warn(f"the cache folder for the kernels in {CACHE_DIR} is not private; not using it")
    elif _first_start_of_these_sources:
        _prune_other_versions(Path(CACHE_DIR))

#: Flags for every kernel. fastmath stays off: with it, ``np.isnan`` and ``np.isfinite``
#: are folded to constants inside a kernel (numba#2919, #6217), which would blind the
#: divergence check, and exactness against the NumPy reference is a requirement.
#: nogil lets the app's worker thread train while the UI thread keeps drawing.
#: error_model "numpy": x / 0 gives inf or nan as IEEE 754 says, instead of a check and a
#: ZeroDivisionError; besides being what the divergence check expects, a loop with a
#: division then has no exit in the middle, which is what lets LLVM vectorise it.
JIT_FLAGS = JitFlags(nogil=True, cache=CACHE_DIR is not None, fastmath=False, error_model="numpy")
#: Every kernel is compiled by the kernels' compiler (``kernel_compiler``): numba's, with
#: less of numba's own Python work per compile; the same code. ``pipeline_class`` is an
#: option numba's stubs do not list (see ``HELPER_FLAGS``).
JIT_FLAGS["pipeline_class"] = kernel_compiler.KernelCompiler  # type: ignore[typeddict-unknown-key]

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

#: ``HELPER_FLAGS`` for the helpers only compiled code calls (all but ``exp``, ``activate``
#: and ``activate_all``, which the tests call from Python): compiled without the wrappers
#: that would let Python (or C) call them. Every helper is compiled as a function of its
#: own, and its wrappers were compiled to machine code with it, used or not; without them
#: a cold compile of an online kernel takes about a tenth less time (measured: README,
#: Compiled kernels and their cache). The code that kernels call is the same. Nor is
#: their own machine code: they are compiled for linking only (``link_only``), which
#: takes another fifth off such a compile.
INNER_FLAGS: JitFlags = _InnerFlags(
    **JIT_FLAGS, _nrt=False, no_cpython_wrapper=True, no_cfunc_wrapper=True
)
if link_only.available():
    INNER_FLAGS["pipeline_class"] = link_only.LinkOnlyCompiler  # type: ignore[typeddict-unknown-key]
