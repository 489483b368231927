"""The kernels' compiler (``kernels.kernel_compiler``) compiles with flags that are numba's
in all but speed (the same values, equality and hash as numba's ``Flags`` for any options
set, so that numba's caches keyed on flags find what they found before), and readies
numba's CPU target without importing scipy.linalg for numba's BLAS probe, where nothing
imported it already, whether a kernel is compiled or loaded from the cache. The rest of
the suite holds the kernels it compiles to the NumPy reference bit for bit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numba import njit
from numba.core import compiler
from numba.core.registry import cpu_target

from kernels import dense, kernel_compiler, link_only
from kernels.config import HELPER_FLAGS, INNER_FLAGS, JIT_FLAGS

BOOL_OPTIONS = sorted(
    name for name, option in compiler.Flags.options.items() if isinstance(option.default, bool)
)

settings = st.dictionaries(
    st.sampled_from(BOOL_OPTIONS), st.booleans(), max_size=len(BOOL_OPTIONS)
).flatmap(
    lambda bools: st.builds(
        lambda model: {**bools, **({} if model is None else {"error_model": model})},
        st.sampled_from([None, "python", "numpy"]),
    )
)


def numba_flags(options: dict[str, object]) -> compiler.Flags:
    flags = compiler.Flags()
    for name, value in options.items():
        setattr(flags, name, value)
    return flags


def test_numba_flags_are_as_fast_flags_assume() -> None:
    """If this fails, numba's Flags changed and the kernels compile with them as they are."""
    assert kernel_compiler.available()


@given(settings, settings)
def test_fast_flags_are_numbas_flags(first: dict[str, object], second: dict[str, object]) -> None:
    plain, other = numba_flags(first), numba_flags(second)
    fast, fast_other = kernel_compiler.FastFlags(plain), kernel_compiler.FastFlags(other)
    assert fast.values() == plain.values()
    assert hash(fast) == hash(plain)
    # numba mangles symbols from the summary: the same flags give the same symbols.
    assert fast.summary() == plain.summary()
    assert fast.get_mangle_string() == plain.get_mangle_string()
    for a, b in ((fast, fast_other), (fast, other), (plain, fast_other)):
        assert (a == b) == (plain == other)
        assert (b == a) == (plain == other)
    # As numba's do: a copy is equal, and changing an option shows.
    copy = fast.copy()
    assert type(copy) is kernel_compiler.FastFlags and copy == plain
    option = "no_rewrites"
    flipped = not getattr(plain, option)
    setattr(copy, option, flipped)
    assert copy != plain and copy.values() == {**plain.values(), option: flipped}


def test_the_compiler_compiles_with_fast_flags() -> None:
    flags = numba_flags({"nrt": True, "error_model": "numpy"})
    pipeline = kernel_compiler.KernelCompiler(
        cpu_target.typing_context, cpu_target.target_context, None, (), None, flags, {}
    )
    assert type(pipeline.state.flags) is kernel_compiler.FastFlags
    assert pipeline.state.flags == flags


def test_every_kernel_compiles_with_it() -> None:
    assert JIT_FLAGS["pipeline_class"] is kernel_compiler.KernelCompiler  # type: ignore[typeddict-item]
    assert HELPER_FLAGS["pipeline_class"] is kernel_compiler.KernelCompiler  # type: ignore[typeddict-item]
    inner = link_only.LinkOnlyCompiler if link_only.available() else kernel_compiler.KernelCompiler
    assert INNER_FLAGS["pipeline_class"] is inner  # type: ignore[typeddict-item]

    # The dispatchers themselves: a kernel, a helper Python calls, a helper only kernels call.
    def pipeline(dispatcher: object) -> object:
        return getattr(dispatcher, "_compiler").pipeline_class  # noqa: B009 (numba's, untyped)

    assert pipeline(dense.train_online_by_rows) is kernel_compiler.KernelCompiler
    assert pipeline(dense.exp) is kernel_compiler.KernelCompiler
    assert pipeline(dense.forward) is inner


def test_a_function_it_compiles_computes_as_numbas() -> None:
    def clipped_sums(values: np.ndarray, out: np.ndarray) -> float:
        total = 0.0
        for k in range(values.shape[0]):
            out[k] = min(values[k], 1.0) + total
            total += values[k]
        return total

    ours = njit(pipeline_class=kernel_compiler.KernelCompiler, error_model="numpy")(clipped_sums)
    theirs = njit(error_model="numpy")(clipped_sums)
    values = np.random.default_rng(0).normal(size=17)
    out_ours, out_theirs = np.empty(17), np.empty(17)
    assert ours(values, out_ours) == theirs(values, out_theirs)
    assert np.array_equal(out_ours, out_theirs)


PROBE_SCRIPT = """
import json, sys
if sys.argv[1] == "scipy first":
    import scipy.linalg
from kernels import dense
value = dense.exp(1.0)  # compiles or loads a kernel: numba readies its CPU target
import numba.np.arraymath
imported = "scipy.linalg" in sys.modules
import scipy.linalg  # importable as ever
print(json.dumps([value, imported, numba.np.arraymath._HAVE_BLAS]))
"""


def run_python(script: str, *args: str, env: dict[str, str] | None = None) -> str:
    """``script``'s standard output, run by a fresh interpreter with ``env`` in place of
    the caller's cache settings."""
    ours = ("NUMBA_CACHE_DIR", "TUI_BACKPROP_NO_CACHE")
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        env={**{k: v for k, v in os.environ.items() if k not in ours}, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return result.stdout


def probe(order: str, env: dict[str, str]) -> tuple[float, bool, bool]:
    value, imported, have_blas = json.loads(run_python(PROBE_SCRIPT, order, env=env))
    return float(value), bool(imported), bool(have_blas)


@pytest.mark.parametrize("cached", [True, False])
def test_the_target_is_readied_without_scipy_linalg(tmp_path: Path, cached: bool) -> None:
    """Compiled (no cache, then an empty one) and loaded (the same cache again)."""
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    env = {"NUMBA_CACHE_DIR": str(cache)} if cached else {"TUI_BACKPROP_NO_CACHE": "1"}
    runs = [probe("kernels first", env) for _ in range(2 if cached else 1)]
    if cached:
        assert any(cache.rglob("*.nbi"))  # the second run loaded what the first saved
    for value, imported, have_blas in runs:
        assert abs(value - np.e) <= 1e-15 and not imported and not have_blas


def test_scipy_imported_before_is_used() -> None:
    value, imported, have_blas = probe("scipy first", {"TUI_BACKPROP_NO_CACHE": "1"})
    assert abs(value - np.e) <= 1e-15 and imported and have_blas


THREADS_SCRIPT = """
import threading
from kernels import kernel_compiler
outcomes = {}

def other_thread():
    import scipy.linalg.cython_blas  # while the main thread is inside the block
    outcomes["other"] = "imported"

with kernel_compiler.blas_probe_fails():
    try:
        import scipy.linalg
        outcomes["this"] = "imported"
    except ModuleNotFoundError:
        outcomes["this"] = "failed"
    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
import scipy.linalg  # after the block
print(outcomes["this"], outcomes["other"], scipy.linalg.__name__)
"""


def test_only_the_readying_thread_goes_without_scipy_linalg() -> None:
    outcome = run_python(THREADS_SCRIPT, env={"TUI_BACKPROP_NO_CACHE": "1"})
    assert outcome.split() == ["failed", "imported", "scipy.linalg"]
