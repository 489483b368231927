"""The kernels' compiler: numba's, with flags that hash and compare faster, and a lighter start.

While numba types and lowers a function, every call it resolves through an ``@overload``
template (an array's ``a[i]`` and ``a[i] = x`` are among them, tried against each of
numba's getitem and setitem templates) looks up a cache keyed on the compile's flags
(``_OverloadFunctionTemplate._get_impl``). numba's ``Flags`` hash and compare by building
a dict of all their options, one Python property call each. Their hash,
``hash(tuple(sorted(self.values())))``, sorts that dict's keys, the option names, so every
``Flags`` hashes alike and each lookup compares the flags as well. In a cold compile of
the general kernels that was about a tenth of the time (measured: README, Compile times).

``FastFlags`` is numba's ``Flags`` with the same values, equality, hash (numba's, computed
once) and summary (from which numba mangles symbols), the values built as a copy of the
options' defaults updated with the options set. ``KernelCompiler`` is numba's compiler run
on a ``FastFlags`` copy of the flags it is given, which is also the copy numba pushes on
its ``ConfigStack`` for those lookups. The same passes make the same code, under the same
symbols.

This builds on numba's ``Flags`` keeping the options set in ``_values`` and reading an
option as ``_values.get(name, default)``; ``available()`` checks that, and that their hash
does not depend on the values. Where either does not hold, the kernels are compiled with
numba's flags as they are.

numba's CPU target, readied before its first load or compile (``refresh``), imports
``numba.np.arraymath``, which imports SciPy's BLAS (``scipy.linalg``: 0.15-0.2 s, a fifth
of a ``train`` run on a warm cache) to learn whether ``np.correlate`` and ``np.convolve``
may call it; no kernel calls them. ``ready_target`` readies it with imports of
``scipy.linalg`` failing in the thread that readies it, as numba's probe expects where
SciPy is missing, unless ``scipy.linalg`` is imported already (then the probe costs
nothing). numba then computes those two in this process with its own loop instead of BLAS;
``np.dot`` and ``np.linalg`` look for BLAS themselves when they are compiled, as always.
Other threads import ``scipy.linalg`` as ever, at any time: the finder that fails those
imports (first on ``sys.meta_path`` from then on) does so only in the readying thread,
and only while it readies the target.

Setting the objects that exist before a compile aside from Python's collector
(``gc.freeze()`` until it ends) was tried too: the collector then took a quarter of its
time, but the compile took longer (1.08x, twelve alternating cold fits), as fewer full
collections left more garbage in memory for new objects to be placed after.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import sys
import threading
from collections.abc import Iterator
from typing import Any

from numba.core import compiler

_Flags = compiler.Flags
#: Every option's default, as numba's ``Flags`` read an option that is not set.
_DEFAULTS = {name: option.default for name, option in _Flags.options.items()}


def _flags_hash() -> int:
    """numba's hash of a ``Flags``, which is that of its sorted option names."""
    return hash(tuple(sorted(_DEFAULTS)))


def available() -> bool:
    """Whether numba's ``Flags`` read options and hash as ``FastFlags`` assume."""
    plain = _Flags()
    changed = _Flags()
    name, default = next((k, v) for k, v in _DEFAULTS.items() if isinstance(v, bool))
    setattr(changed, name, not default)
    return (
        getattr(plain, "_values", None) == {}
        and plain.values() == _DEFAULTS
        and changed.values() == {**_DEFAULTS, **changed._values}
        and hash(plain) == hash(changed) == _flags_hash()
    )


class FastFlags(_Flags):  # type: ignore[misc]
    """numba's ``Flags`` whose ``values()`` (and so ``==``) is a dict copy and update,
    and whose hash is numba's, computed once (see the module docstring)."""

    __slots__ = ()
    _HASH = _flags_hash()

    def values(self) -> dict[str, Any]:
        values = dict(_DEFAULTS)
        values.update(self._values)
        return values

    def __hash__(self) -> int:
        return self._HASH

    def summary(self) -> str:
        # numba's text for the same flags, which names the class: numba mangles each
        # compiled function's symbol from it (get_mangle_string), so ours stay numba's.
        return _Flags(self).summary()


_USE_FAST_FLAGS = available()


#: Where numba's BLAS probe looks (``numba.np.arraymath._check_blas`` imports
#: ``scipy.linalg.cython_blas``); the module and its submodules.
_BLAS_PACKAGE = "scipy.linalg"
_readying = threading.local()


class _NoBlasWhileReadying(importlib.abc.MetaPathFinder):
    """Fails imports of ``scipy.linalg`` in a thread inside ``blas_probe_fails()``; finds
    nothing (the next finder goes on) everywhere else."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if getattr(_readying, "active", False) and (
            name == _BLAS_PACKAGE or name.startswith(_BLAS_PACKAGE + ".")
        ):
            raise ModuleNotFoundError(f"{name} is not imported for numba's BLAS probe", name=name)
        return None


_FINDER = _NoBlasWhileReadying()


@contextlib.contextmanager
def blas_probe_fails() -> Iterator[None]:
    """Inside, imports of ``scipy.linalg`` in this thread fail (ModuleNotFoundError); other
    threads are not affected. The finder stays on ``sys.meta_path`` after the first use:
    taking it off could make another thread, going through the list at that moment, skip
    the finder after it."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    _readying.active = True
    try:
        yield
    finally:
        _readying.active = False


def ready_target(target_context: Any) -> None:
    """numba's CPU target ``target_context`` readied (``refresh``) without importing
    ``scipy.linalg`` for numba's BLAS probe, if it is not imported already and the target
    not readied yet (see the module docstring). numba readies it again itself before it
    loads or compiles; that is then quick."""
    # numba's import imports scipy itself (a version check), which is quick; it is
    # scipy.linalg, imported by the probe, that takes the time.
    if "numba.np.arraymath" in sys.modules or _BLAS_PACKAGE in sys.modules:
        return
    with blas_probe_fails():
        target_context.refresh()


class KernelCompiler(compiler.Compiler):  # type: ignore[misc]
    """numba's compiler, compiling with a ``FastFlags`` copy of its flags."""

    def __init__(
        self,
        typingctx: Any,
        targetctx: Any,
        library: Any,
        args: Any,
        return_type: Any,
        flags: Any,
        locals: Any,
    ) -> None:
        if _USE_FAST_FLAGS and not isinstance(flags, FastFlags):
            flags = FastFlags(flags)
        ready_target(targetctx)
        super().__init__(typingctx, targetctx, library, args, return_type, flags, locals)
