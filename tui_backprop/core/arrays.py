"""The array types the code is written in, and lists with one entry per layer.

``Floats`` and ``Ints`` are the float64 and int64 arrays everything passes around (the
kernels take nothing else); ``Bools`` are masks. Lists indexed by layer keep the formulas'
numbering: entry m is layer m, so ``W[m]`` reads like W^m; entry 0 (the input layer, which
has no weights, z or delta) is None in the lists the Network, a Snapshot and an
Explanation hand out (:data:`PerLayer`). Code that computes with such a list takes
:func:`layer_arrays` of it, where entry 0 is an empty array and every entry is typed as
an array.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

Floats: TypeAlias = NDArray[np.float64]
Ints: TypeAlias = NDArray[np.int64]
Bools: TypeAlias = NDArray[np.bool_]
#: Entry m is layer m's array, m = 1..L; entry 0 is None.
PerLayer: TypeAlias = list[Floats | None]

#: Entry 0 of :func:`layer_arrays`: an empty, read-only array.
NO_LAYER: Floats = np.empty(0)
NO_LAYER.flags.writeable = False


def layer_arrays(values: Sequence[Floats | None]) -> list[Floats]:
    """``values`` (entry m is layer m, entry 0 None) as a new list with :data:`NO_LAYER`
    at entry 0; the arrays themselves are the same objects, not copies."""
    arrays = [NO_LAYER]
    for m, value in enumerate(values[1:], start=1):
        if value is None:
            raise ValueError(f"layer {m} has no array")
        arrays.append(value)
    return arrays
