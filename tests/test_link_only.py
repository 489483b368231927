"""The helpers only compiled code calls are compiled for linking only (``kernels.link_only``):
their LLVM IR goes into the kernels that call them, and no machine code of their own is
made. The kernels built from them, freshly compiled or linking helpers read back from the
cache, give the bits they always gave (the rest of the suite holds them to the reference).

Each check runs in a fresh process with an empty cache of its own, since a kernel loaded
from the cache compiles no helper at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kernels import config, dense, link_only

SCRIPT = """
import json, sys
import numba
import numpy as np
import kernels
from kernels import dense, link_only
from tui_backprop.core.config import TrainingConfig
from tui_backprop.core.session import Session
from tui_backprop.core.spec import NetworkSpec

updates = int(sys.argv[1])
rng = np.random.default_rng(0)
X = rng.uniform(-1.0, 1.0, (8, 2))
Y = (X[:, :1] * X[:, 1:] > 0).astype(float)
session = Session(NetworkSpec.build(2, (16,), 1), X, Y, TrainingConfig())
assert session._train_batches is kernels.general_train_batches  # the general kernels
assert session.run_batches(updates) == updates

def compiled(dispatcher):
    '''(its library's class, whether its own object code defines its function) for a
    function compiled in this process; "cache" for one read from the cache.'''
    if sum(dispatcher.stats.cache_hits.values()):
        return "cache"
    result = dispatcher.overloads[dispatcher.signatures[0]]
    code = result.library._compiled_object
    return type(result.library).__name__, result.fndesc.mangled_name.encode() in code

report = {"params": session.network.params.tolist(), "compiled": {}}
for name, value in vars(dense).items():
    if isinstance(value, numba.core.registry.CPUDispatcher) and value.signatures:
        report["compiled"][name] = compiled(value)
print(json.dumps(report))
"""


def run(updates: int, cache: Path) -> dict:
    """Train a 2-16-1 network (general kernels) ``updates`` online updates in a fresh
    process whose kernel cache is ``cache``; what it compiled, and the weights."""
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(updates)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NUMBA_CACHE_DIR": str(cache), "TUI_BACKPROP_NO_CACHE": ""},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def inner(name: str) -> bool:
    """Whether ``dense.<name>`` is a helper only compiled code calls (``INNER_FLAGS``)."""
    return bool(getattr(dense, name).targetoptions.get("no_cpython_wrapper"))


def test_helpers_get_no_machine_code_of_their_own(tmp_path):
    compiled = run(dense.COLUMNS_MIN_UPDATES - 1, tmp_path / "cache")["compiled"]  # by rows
    helpers = {name for name in compiled if inner(name)}
    assert {"forward", "deltas", "backward_and_update", "rows_dot"} <= helpers
    for name in helpers:
        assert compiled[name] == ["LinkOnlyLibrary", False], name
    # The kernel that calls them, and the helpers Python may call, as numba compiles them:
    # with their machine code.
    for name in ("train_online_by_rows", "exp", "activate_all"):
        assert compiled[name] == ["JITCodeLibrary", True], name


def test_a_kernel_links_helpers_read_back_from_the_cache(tmp_path):
    cache = tmp_path / "cache"
    updates = dense.COLUMNS_MIN_UPDATES + 7  # the path by columns
    first = run(dense.COLUMNS_MIN_UPDATES - 1, cache)  # the path by rows; caches its helpers
    linked = run(updates, cache)
    fresh = run(updates, tmp_path / "fresh")
    # The helpers both paths call: the second process compiled none of them again, and read
    # those its kernel calls directly from the cache (their callees come inside them).
    shared = {name for name in first["compiled"] if inner(name)} & set(fresh["compiled"])
    read = {name for name in shared if linked["compiled"].get(name) == "cache"}
    assert len(read) >= 2 and not shared & {
        name for name, how in linked["compiled"].items() if how != "cache"
    }
    assert linked["compiled"]["train_online_by_columns"] == ["JITCodeLibrary", True]
    assert linked["params"] == fresh["params"]


def test_the_inner_helpers_take_the_link_only_compiler():
    assert link_only.available()
    assert config.INNER_FLAGS.get("pipeline_class") is link_only.LinkOnlyCompiler
    assert dense.forward.targetoptions["no_cpython_wrapper"]


@pytest.mark.parametrize("missing", ["_finalize_final_module", "_get_module_for_linking"])
def test_numba_without_what_it_relies_on_is_seen(monkeypatch, missing):
    monkeypatch.delattr(link_only.codegen.CPUCodeLibrary, missing)  # where numba has them
    assert not link_only.available()


def test_a_helper_with_dynamic_globals_is_still_seen_to_have_them():
    """numba refuses to cache a library whose module holds Python objects' addresses
    (``numba.dynamic.globals``): a link-only library looks for them in its whole module,
    not in the small one its finalization hands the engine."""
    from numba.core import cgutils
    from numba.core.compiler_lock import global_compiler_lock
    from numba.core.registry import cpu_target

    codegen = cpu_target.target_context.codegen()
    module = codegen._create_empty_module("dynamic")
    pointer = link_only.llvmir.GlobalVariable(
        module, cgutils.voidptr_t, name="numba.dynamic.globals.test_link_only"
    )
    pointer.initializer = cgutils.get_null_value(cgutils.voidptr_t)
    library = link_only.LinkOnlyLibrary(codegen, "dynamic")
    library.add_ir_module(module)
    with global_compiler_lock:  # as numba holds it whenever it finalizes
        library.finalize()
    assert library.has_dynamic_globals


def test_a_function_with_wrappers_is_refused():
    """A wrapper would have no machine code in a link-only library: a call from Python
    would jump to address 0."""
    from numba import njit

    @njit(pipeline_class=link_only.LinkOnlyCompiler)
    def twice(x):
        return 2 * x

    with pytest.raises(ValueError, match="link-only functions have no wrappers"):
        twice(1.0)
