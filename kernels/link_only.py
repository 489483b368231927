"""Helpers compiled for linking only: LLVM IR for the kernels that call them, no machine code.

numba compiles every jitted function as a library of its own and finalizes it: it links in
the libraries of the functions it calls, runs LLVM's module optimisation over the whole and
emits its machine code. A kernel that calls a helper links the helper's IR into its own
module, and optimises and emits that whole module again. For the helpers only compiled
code calls (``config.INNER_FLAGS``: no wrappers, so nothing could run their own machine
code) the first optimisation and emission are work thrown away, and there are many of
them: a cold ``train --hidden 16 --epochs 1`` compiles 13 helpers for its two kernels,
and their finalization was about a quarter of its time (README, Compile times).

``LinkOnlyCompiler`` is the kernels' compiler (``kernel_compiler``) with one change: the
helper's library is a ``LinkOnlyLibrary``. Finalizing one links in its callees (so that
a kernel linking it gets everything it calls, as before) and checks the module, but
neither optimises it nor emits its code. Only the environment pointers in it (its own
and its callees'; numba writes the function's own when it makes the compiled function)
go to the execution engine, in a module of their own. Only functions without wrappers
can be compiled so: nothing could call them from Python. The kernels that call a helper
optimise its code with theirs, in one pass over their module as before. They compute the
same bits (the tests hold every kernel to the NumPy reference and to each other bit for
bit), and now inline a few small helpers that they used to call.

Caching is numba's: the library's cache entry is the object code of that small module and
the IR to link, the pair numba writes for any library, so an entry loads like any other.

This reaches into numba's code library (``JITCodeLibrary``: its ``_final_module``, and the
methods ``available()`` checks for). Without those methods the helpers are compiled as
numba compiles any function.
"""

from __future__ import annotations

from typing import Any

import llvmlite.binding as ll
import llvmlite.ir as llvmir
from numba.core import cgutils, codegen

from .kernel_compiler import KernelCompiler

#: numba's names of environment globals (``funcdesc.PythonFunctionDescriptor.env_name``);
#: numba's ``CompileResult`` looks them up by the same prefix.
_ENV_PREFIX = "_ZN08NumbaEnv"


def available() -> bool:
    """Whether this numba's code library has the methods ``LinkOnlyLibrary`` builds on."""
    library_class = getattr(codegen, "JITCodeLibrary", None)
    return library_class is not None and all(
        hasattr(library_class, name)
        for name in (
            "_optimize_final_module",
            "_finalize_final_module",
            "_finalize_dynamic_globals",
            "_verify_declare_only_symbols",
            "_get_module_for_linking",
        )
    )


class LinkOnlyLibrary(codegen.JITCodeLibrary):  # type: ignore[misc]
    """numba's library, finalized without optimising its module, and handing the engine
    only its module's environment globals (see the module docstring)."""

    def _optimize_final_module(self) -> None:
        """Nothing: the kernels that link this library optimise its code with theirs."""

    def _finalize_final_module(self) -> None:
        whole = self._final_module
        # numba's checks of the module (Python objects' addresses, which make a library
        # uncacheable; functions left declared) on the whole one, then the rest of its
        # finalization (the engine, the object-code hook the cache reads) on the
        # environment globals alone. The whole module stays the one callers link and the
        # one numba reads the environments' names from.
        self._finalize_dynamic_globals()
        self._verify_declare_only_symbols()
        self._final_module = self._environment_module(whole)
        try:
            super()._finalize_final_module()
        finally:
            self._final_module = whole

    def _environment_module(self, whole: Any) -> Any:
        """A module with only ``whole``'s environment pointers (this function's and its
        callees'): null, common linkage, as numba declares them
        (``BaseContext.declare_env_global``)."""
        module = self._codegen._create_empty_module(self.name + ".env")
        for variable in whole.global_variables:
            if variable.name.startswith(_ENV_PREFIX):
                pointer = llvmir.GlobalVariable(module, cgutils.voidptr_t, name=variable.name)
                pointer.linkage = "common"
                pointer.initializer = cgutils.get_null_value(cgutils.voidptr_t)
        parsed = ll.parse_assembly(cgutils.normalize_ir_text(str(module)))
        parsed.name = module.name
        parsed.verify()
        return parsed


class LinkOnlyCompiler(KernelCompiler):  # type: ignore[misc]
    """The kernels' compiler (``kernel_compiler``), writing into a ``LinkOnlyLibrary``."""

    def compile_extra(self, func: Any) -> Any:
        flags = self.state.flags
        if not (flags.no_cpython_wrapper and flags.no_cfunc_wrapper):
            # A wrapper compiled into this library would have no machine code: a call
            # from Python would jump to address 0.
            raise ValueError(f"{func.__qualname__}: link-only functions have no wrappers")
        if self.state.library is None:
            library = LinkOnlyLibrary(self.state.targetctx.codegen(), func.__qualname__)
            # As numba's lowering does for the libraries it makes: so it can be cached.
            library.enable_object_caching()
            self.state.library = library
        return super().compile_extra(func)
