"""Helpers compiled for linking only: LLVM IR for the kernels that call them, no machine code.

numba compiles every jitted function as a library of its own and finalizes it: it links in
the libraries of the functions it calls, runs LLVM's module optimisation over the whole and
emits its machine code. A kernel that calls a helper links the helper's IR into its own
module, and optimises and emits that whole module again. For the helpers only compiled
code calls (``config.INNER_FLAGS``: no wrappers, so nothing could run their own machine
code) the first optimisation and emission are work thrown away, and there are many of
them: a cold ``train --hidden 16 --epochs 1`` compiles 13 helpers for its two kernels,
and their finalization was about a quarter of its time (README, Compile times).

``LinkOnlyCompiler`` is numba's own compiler with one change: the helper's library is a
``LinkOnlyLibrary``. Finalizing one links in its callees (so that a kernel linking it gets
everything it calls, as before) and checks the module, but neither optimises it nor emits
its code. Only its environment pointer, the one symbol numba writes to when it makes the
compiled function, goes to the execution engine, in a module of its own. The kernels that
call it optimise its code with theirs, in one pass over their module as before, so their
machine code is what it was; the tests hold every kernel to the NumPy reference and to
each other bit for bit.

Caching is numba's: the library's cache entry is the object code of that small module and
the IR to link, the pair numba writes for any library, so an entry loads like any other.

This reaches into numba's code library (``JITCodeLibrary`` and its ``_final_module``,
``_linking_libraries`` and ``_finalize_final_module``). ``available()`` checks that they are
there; without them the helpers are compiled as numba compiles any function.
"""

from __future__ import annotations

from typing import Any

import llvmlite.binding as ll
import llvmlite.ir as llvmir
from numba.core import cgutils, codegen, compiler
from numba.core.compiler_lock import require_global_compiler_lock

#: numba's names of environment globals (``funcdesc.PythonFunctionDescriptor.env_name``);
#: numba's ``CompileResult`` looks them up by the same prefix.
_ENV_PREFIX = "_ZN08NumbaEnv"


def available() -> bool:
    """Whether this numba's code library has what ``LinkOnlyLibrary`` relies on."""
    library_class = getattr(codegen, "JITCodeLibrary", None)
    return library_class is not None and all(
        hasattr(library_class, name)
        for name in (
            "_finalize_final_module",
            "_finalize_dynamic_globals",
            "_raise_if_finalized",
            "_get_module_for_linking",
        )
    )


class LinkOnlyLibrary(codegen.JITCodeLibrary):  # type: ignore[misc]
    """A library whose finalization links and checks its module, and hands the engine only
    its environment globals (see the module docstring)."""

    def finalize(self) -> None:
        require_global_compiler_lock()
        self._raise_if_finalized()
        seen: set[Any] = set()
        for library in self._linking_libraries:
            if library not in seen:
                seen.add(library)
                self._reload_init.update(library._reload_init)
                self._final_module.link_in(library._get_module_for_linking(), preserve=True)
        self._final_module.verify()
        # Globals that hold the address of a Python object (numba's dynamic globals) make a
        # library uncacheable; numba looks for them in the module it finalizes, so here in
        # the whole one.
        self._finalize_dynamic_globals()
        whole = self._final_module
        # numba's finalization (its checks, the engine, the object-code hook the cache
        # reads) runs on the environment globals alone; the whole module stays the one to
        # link into callers and the one numba reads the environments' names from.
        self._final_module = self._environment_module(whole)
        try:
            self._finalize_final_module()
        finally:
            self._final_module = whole

    def _environment_module(self, whole: Any) -> Any:
        """A module with only ``whole``'s environment pointers: null, common linkage, as
        numba declares them (``BaseContext.declare_env_global``)."""
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


class LinkOnlyCompiler(compiler.Compiler):  # type: ignore[misc]
    """numba's compiler, writing the function into a ``LinkOnlyLibrary``."""

    def compile_extra(self, func: Any) -> Any:
        if self.state.library is None:
            library = LinkOnlyLibrary(self.state.targetctx.codegen(), func.__qualname__)
            # As numba's lowering does for the libraries it makes: so it can be cached.
            library.enable_object_caching()
            self.state.library = library
        return super().compile_extra(func)
