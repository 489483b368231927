"""The kernels' compiler (``kernels.kernel_compiler``) compiles with flags that are numba's
in all but speed: the same values, equality and hash as numba's ``Flags`` for any options
set, so that numba's caches keyed on flags find what they found before. The rest of the
suite holds the kernels it compiles to the NumPy reference bit for bit."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from numba import njit
from numba.core import compiler
from numba.core.registry import cpu_target

from kernels import kernel_compiler, link_only
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
    pipeline = INNER_FLAGS["pipeline_class"]  # type: ignore[typeddict-item]
    assert issubclass(pipeline, kernel_compiler.KernelCompiler)
    assert pipeline is (link_only.LinkOnlyCompiler if link_only.available() else pipeline)


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
