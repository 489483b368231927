"""Kernels generated for one architecture: every weight a local variable, every loop unrolled.

For small networks the general kernel (``dense.train_batches``) spends most of its time on
loop overhead over trip counts of 1 to 3 and on loading and storing each weight for every
example. A kernel written out for one architecture keeps the weights, their velocities and
gradient sums in registers for a whole call and writes them back once at the end. Each
generated module has ``train_batches``, ``train_many``, ``step`` and ``evaluate``, with the
signatures of the general kernels of those names and their results bit for bit.
``train_batches`` is plain Python, which chooses the kernel of the path a call takes, as
``kernels.general_train_batches`` does for the general ones, so that a run compiles only
that one: ``train_online`` and ``train_online_unit`` for batches of one (written for that
case alone, as by hand, drawing each epoch's order as they train; ``train_online_drawing``
chooses between them for ``kernels.drawing_trainer``), ``train_minibatches`` for larger
ones; ``step_online``: ``step`` for batches of one alone (a Session of batch size 1 takes
it); ``train_lanes_online`` (batches of one) and ``train_lanes`` (larger ones), which
``train_many`` (plain Python too) runs on several threads (``kernels.threads``); and
``train_rule``, ``train_networks_rule`` (which ``train_many_rule``, Python, runs on
several threads) and ``step_rule``, the kernels of the update rules other than plain
momentum and sgd, whose forward and backward passes are written out in
the same way and whose update is ``dense.apply_rule`` itself (compiled only when a run
uses one). The module docstring of ``kernels.dense`` lists every path of the update, why
it exists and which tests hold the paths equal.

How the source is made. *Emitters* (``_forward``, ``_cost``, ``_backward``, ``_update``,
``_fetch``, ``_copy_in``, ``_copy_out``) write the lines of one part of the computation for
the whole network, naming each per-network value (``w1_0_1``, its velocity ``vw1_0_1`` and
gradient sum ``gw1_0_1``, a node's ``z1_0``, ``a1_0``, ``d1_0``, ...) through a *storage*,
which says where that value lives in the function being written:

- ``_Scalars`` (``train_minibatches``, ``train_online``, ``train_online_unit``, ``step``,
  ``step_online``): a local variable of the same name;
- ``_LaneSlots`` (``train_lanes``, ``train_lanes_online``): lane ``l`` of its slot in a
  scratch array, ``S[48 + l]`` (slot 3 of 16 lanes); a group of its lanes (``S[48 + 8 +
  l]``) for a copy of the update written beside another (``_side_by_side``), whose
  temporaries get a suffix.

A template per function then places those lines. Nothing is edited after it is written.

Generated sources are written once to a file in the kernel cache directory's private
``generated`` folder and run from there (see ``load_module``), so numba caches their
compiled code like any other kernel's. A module's name holds the hash of every source file
of ``kernels``; writing a new one removes those of other versions (``_prune``).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import os
import shutil
import sys
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType

import numpy as np
import numpy.typing as npt

from .config import CACHE_DIR, kernels_hash, numba_subdir, private_dir, temporary_dir
from .layout import (
    ACTIVATION,
    CROSS_ENTROPY,
    HAS_BIAS,
    LINEAR,
    MSE,
    N_COLUMNS,
    RELU,
    SD_HEADER,
    SIGMOID,
    SIZE,
    ST_HEADER,
    TANH,
)

#: Networks with at most this many parameters get a generated kernel.
MAX_PARAMETERS = 40  # larger ones compile slowly (seconds) for little gain
_VERSION = 15  # bump when the generated code changes, to leave old cache files behind

#: Networks advanced together by one thread in ``train_many``'s ``train_lanes`` (batches of
#: more than one), as the lanes of vector registers: every value of the 2-3-1 update is then
#: computed for several networks by one instruction.
LANES = 8
#: Lanes of ``train_lanes_online`` written as one group (``_online_lanes``): a vector
#: register's worth of doubles with AVX-512, two registers with AVX2.
GROUP = 8
#: Networks advanced together by ``train_lanes_online`` (batches of one): two groups, whose
#: copies of the update are written side by side. One group alone is one chain of
#: dependent instructions per example (forward pass, cost, deltas, update, then the next
#: forward pass), on which the processor waits; two overlap. (Four gave about 1.05x the
#: rate of two on a Zen 4, and took twice as long to compile, seconds more; eight spill
#: registers and are slower.)
ONLINE_LANES = 2 * GROUP

Lines = list[str]

# sigma(z) and sigma'(z) of each activation code, as expressions of the text of z, of
# a = sigma(z) and of the layer's beta; the same formulas as ``dense.activate`` and
# ``dense.slope``.
_SIGMA: dict[int, Callable[[str, str], str]] = {
    SIGMOID: lambda z, beta: f"1.0 / (1.0 + _exp(-{beta} * {z}))",
    TANH: lambda z, beta: f"math.tanh({z})",
    RELU: lambda z, beta: f"({z} if {z} > 0.0 else 0.0)",
    LINEAR: lambda z, beta: z,
}
_SLOPE: dict[int, Callable[[str, str, str], str]] = {
    SIGMOID: lambda z, a, beta: f"({beta} * {a} * (1.0 - {a}))",
    TANH: lambda z, a, beta: f"(1.0 - {a} * {a})",
    RELU: lambda z, a, beta: f"(1.0 if {z} > 0.0 else 0.0)",
    LINEAR: lambda z, a, beta: "1.0",
}
_COSTS = (MSE, CROSS_ENTROPY)


class _Net:
    """One architecture: its sizes, codes, and the names and offsets of its parameters.

    Value names: ``w{m}_{i}_{j}`` and ``b{m}_{i}`` the parameters of layer m, with ``v`` and
    ``g`` before them their velocities and gradient sums; ``z{m}_{i}``, ``a{m}_{i}`` and
    ``d{m}_{i}`` (delta) node i of layer m, ``a0_{j}`` input j, ``y{i}`` target i;
    ``batch_cost`` the batch's summed cost. Temporaries of one step (``s``, ``c``, ``t``,
    ``diff``, ``g``, ``d``) are always local scalars; ``beta{m}`` are shared by all lanes.
    """

    def __init__(self, sizes: Sequence[int], codes: Sequence[int], cost: int, bias: bool):
        if len(codes) != len(sizes) or len(sizes) < 2:
            raise ValueError(
                f"layers {list(sizes)} need one activation code each (the input layer's "
                f"unused) and there must be two at least; codes {list(codes)}"
            )
        for code in codes[1:]:
            if code not in _SIGMA:
                raise ValueError(f"unknown activation code {code}")
        if cost not in _COSTS:
            raise ValueError(f"unknown cost code {cost}")
        self.sizes = tuple(int(s) for s in sizes)
        self.codes = tuple(int(c) for c in codes)  # codes[m] for m = 1..L (codes[0] unused)
        self.cost = int(cost)
        self.bias = bool(bias)
        self.L = len(sizes) - 1
        self.params: list[tuple[str, int]] = []  # (name, offset) in params order
        self.node_offset = [0]  # layer m's first node in z, a and delta
        offset = 0
        for m in range(1, self.L + 1):
            for i in range(self.sizes[m]):
                for j in range(self.sizes[m - 1]):
                    self.params.append((f"w{m}_{i}_{j}", offset))
                    offset += 1
            for i in range(self.sizes[m]):
                self.params.append((f"b{m}_{i}", offset))
                offset += 1
            self.node_offset.append(self.node_offset[-1] + self.sizes[m - 1])

    @property
    def n_nodes(self) -> int:
        return sum(self.sizes)

    def nodes(self) -> Iterator[tuple[int, int, int]]:
        """(m, i, flat offset) of every node of layers 1..L."""
        for m in range(1, self.L + 1):
            for i in range(self.sizes[m]):
                yield m, i, self.node_offset[m] + i

    def state(self) -> list[tuple[str, str, int]]:
        """(value, array, index in it) of everything a call loads and stores back:
        parameters, velocities, gradient sums, each node's z, a and delta, and the inputs
        (``a`` keeps those of the last example trained on)."""
        values = [(name, "params", off) for name, off in self.params]
        values += [(f"v{name}", "velocity", off) for name, off in self.params]
        values += [(f"g{name}", "grad", off) for name, off in self.params]
        for m, i, off in self.nodes():
            values += [(f"z{m}_{i}", "z", off), (f"a{m}_{i}", "a", off)]
            values.append((f"d{m}_{i}", "delta", off))
        values += [(f"a0_{j}", "a", j) for j in range(self.sizes[0])]
        return values


class _Storage(ABC):
    """Where the function being generated keeps each per-network value, and how it keeps the
    flag that says a new parameter is not finite (inf or nan)."""

    #: Appended to the names of a step's temporaries (``s``, ``c``, ``t``, ``diff``, ``g``,
    #: ``d``, ``f``; ``temp``), so that copies of a step written side by side keep theirs
    #: apart.
    suffix = ""

    def temp(self, name: str) -> str:
        """The name of temporary ``name``."""
        return name + self.suffix

    @abstractmethod
    def __call__(self, name: str) -> str:
        """The text that reads value ``name``, or writes it as an assignment's target."""

    @abstractmethod
    def clear_flag(self) -> str:
        """The line that lowers the flag."""

    @abstractmethod
    def mark_flag(self, value: str) -> str:
        """The line that raises the flag if ``value`` (a text) is not finite; no branch: x - x
        is 0 exactly when x is finite (inf - inf and nan - nan are nan)."""

    @abstractmethod
    def flag_raised(self) -> str:
        """An expression that is true when the flag is raised."""


class _Scalars(_Storage):
    """Every value a local variable named as the value (the templates of ``train_minibatches``,
    ``train_online`` (and ``_unit``) and ``step`` (and ``_online``) use those names
    directly); the flag a bool."""

    def __call__(self, name: str) -> str:
        return name

    def clear_flag(self) -> str:
        return "bad = False"

    def mark_flag(self, value: str) -> str:
        return f"bad |= ({value} - {value}) != 0.0"

    def flag_raised(self) -> str:
        return "bad"


#: The arrays whose values the online kernel carries from one update to the next.
_STEPPED = ("params", "velocity")


class _Next(_Scalars):
    """The next example's inputs, targets, z and a in local variables of their own (the
    name with an ``n`` before it), every parameter where ``_Scalars`` keeps it: the online
    kernel computes the next example's forward pass before it knows whether to keep it."""

    def __call__(self, name: str) -> str:
        return f"n{name}" if name[0] in "azy" else name


class _LaneSlots(_Storage):
    """Every value lane ``l`` of its slot in the scratch array ``S``, ``S[slot * lanes + l]``:
    the ``lanes`` lanes of a slot side by side. The flag is a slot too, summing x - x: 0
    while every x is finite, nan once one is not, so that a loop over the lanes has no
    compare in it. ``group`` gives the storage of a group of lanes of it, to write a step's
    copies side by side."""

    def __init__(self, net: _Net, lanes: int):
        names = [name for name, _, _ in net.state()]
        names += [f"y{i}" for i in range(net.sizes[net.L])] + ["batch_cost", "bad", "epoch_sum"]
        self.slots = {name: slot for slot, name in enumerate(names)}
        self.lanes = lanes
        self.first = 0  # the lane that l = 0 is

    @property
    def size(self) -> int:
        """The scratch array's length."""
        return len(self.slots) * self.lanes

    def group(self, q: int, width: int) -> _LaneSlots:
        """Lanes q * width + l of every slot, with temporaries of their own (suffix _q)."""
        group = copy.copy(self)
        group.first, group.suffix = q * width, f"_{q}"
        return group

    def __call__(self, name: str) -> str:
        return f"S[{self.slots[name] * self.lanes + self.first} + l]"

    def clear_flag(self) -> str:
        return f"{self('bad')} = 0.0"

    def mark_flag(self, value: str) -> str:
        return f"{self('bad')} += ({value} - {value})"

    def flag_raised(self) -> str:
        return f"{self('bad')} != 0.0"


# Emitters: the lines of one part of the update, for every node or parameter of the network,
# in the order the general kernel computes them.


def _fetch(net: _Net, at: _Storage, x: Callable[[int], str], y: Callable[[int], str]) -> Lines:
    """An example's inputs and targets, from where ``x(j)`` and ``y(i)`` read them."""
    lines = [f"{at(f'a0_{j}')} = {x(j)}" for j in range(net.sizes[0])]
    return lines + [f"{at(f'y{i}')} = {y(i)}" for i in range(net.sizes[net.L])]


def _forward(net: _Net, at: _Storage, from_zero: bool = True) -> Lines:
    """z^m = W^m a^{m-1} + b^m (each row summed from 0.0 in index order, then the bias
    added) and a^m = sigma(z^m), for m = 1..L.

    ``from_zero`` False starts each row's sum at its first term instead of 0.0 + it: one
    addition less on the path from one update to the next, which the online kernel runs
    one after another, and the same z bit for bit. The two sums differ only when the row
    sums to -0.0 (0.0 + -0.0 is 0.0), and then z = s + b is b either way unless b is a
    zero, and a bias is never -0.0: it starts finite (a draw or 0.0) and x + y is -0.0
    only when both are. (A delta can be -0.0: ``_deltas`` without ``from_zero`` says why
    its sums may start at their first term all the same.)"""
    lines, s = [], at.temp("s")
    for m in range(1, net.L + 1):
        sigma = _SIGMA[net.codes[m]]
        for i in range(net.sizes[m]):
            terms = [
                f"{at(f'w{m}_{i}_{j}')} * {at(f'a{m - 1}_{j}')}" for j in range(net.sizes[m - 1])
            ]
            if from_zero:
                lines.append(f"{s} = 0.0")
                lines += [f"{s} += {term}" for term in terms]
            else:
                lines.append(f"{s} = {terms[0]}")
                lines += [f"{s} += {term}" for term in terms[1:]]
            z = at(f"z{m}_{i}")
            lines.append(f"{z} = {s} + {at(f'b{m}_{i}')}")
            lines.append(f"{at(f'a{m}_{i}')} = {sigma(z, f'beta{m}')}")
    return lines


def _cost(net: _Net, at: _Storage) -> Lines:
    """The example's cost (as ``dense.example_cost``), added to the batch's."""
    return [*_example_cost(net, at), f"{at('batch_cost')} += {at.temp('c')}"]


def _example_cost(net: _Net, at: _Storage) -> Lines:
    """The example's cost, c (as ``dense.example_cost``)."""
    L = net.L
    c, t, diff = at.temp("c"), at.temp("t"), at.temp("diff")
    lines = [f"{c} = 0.0"]
    for i in range(net.sizes[L]):
        y = at(f"y{i}")
        if net.cost == CROSS_ENTROPY:
            lines.append(f"{t} = beta{L} * {at(f'z{L}_{i}')}")
            lines.append(f"{c} += {y} * _softplus(-{t}) + (1.0 - {y}) * _softplus({t})")
        else:
            lines.append(f"{diff} = {at(f'a{L}_{i}')} - {y}")
            lines.append(f"{c} += 0.5 * {diff} * {diff}")
    return lines


def _backward(net: _Net, at: _Storage) -> Lines:
    """delta^L .. delta^1 (as ``dense.deltas``) and the gradient sums (as
    ``dense.backward``: dC/dW^m_ij = delta^m_i a^{m-1}_j, dC/db^m_i = delta^m_i)."""
    return _deltas(net, at) + _gradient_sums(net, at)


def _gradient(net: _Net, at: _Storage, name: str) -> str:
    """The example's dC/dtheta for parameter ``name``: delta^m_i a^{m-1}_j for w{m}_{i}_{j},
    delta^m_i for b{m}_{i} (0.0 without biases)."""
    kind, rest = name[0], name[1:]
    if kind == "w":
        m, i, j = (int(part) for part in rest.split("_"))
        return f"{at(f'd{m}_{i}')} * {at(f'a{m - 1}_{j}')}"
    return at(f"d{rest}") if net.bias else "0.0"


def _gradient_sums(net: _Net, at: _Storage) -> Lines:
    """Each parameter's example gradient (``_gradient``) added to its gradient sum."""
    skip = () if net.bias else ("b",)
    return [
        f"{at(f'g{name}')} += {_gradient(net, at, name)}"
        for name, _ in net.params
        if not name.startswith(skip)
    ]


def _deltas(net: _Net, at: _Storage, from_zero: bool = True) -> Lines:
    """delta^L .. delta^1, as ``dense.deltas``.

    ``from_zero`` False sums each hidden node's W^{m+1} delta^{m+1} from its first term,
    into u{m}_{j}, not from 0.0 + it: one addition less on the path from one update to the
    next, which the online kernel runs one after another. Such a sum differs from the one
    from 0.0 at most in the sign of a zero (0.0 + x is x but when x is -0.0), and so do the
    deltas made from it, layer after layer, and the gradients (delta a, delta); no weight
    keeps that sign (``_online_update`` says why), and the stored delta is recomputed as
    (0.0 + u) sigma'(z), the numbers of the sum from 0.0 (``_stored_delta``)."""
    L = net.L
    lines = []
    for i in range(net.sizes[L]):
        z, a, y = at(f"z{L}_{i}"), at(f"a{L}_{i}"), at(f"y{i}")
        if net.cost == CROSS_ENTROPY:
            lines.append(f"{at(f'd{L}_{i}')} = beta{L} * ({a} - {y})")
        else:
            slope = _SLOPE[net.codes[L]](z, a, f"beta{L}")
            lines.append(f"{at(f'd{L}_{i}')} = ({a} - {y}) * {slope}")
    for m in range(L - 1, 0, -1):
        total = "d" if from_zero else "u"
        if from_zero:
            lines += [f"{at(f'd{m}_{j}')} = 0.0" for j in range(net.sizes[m])]
        for i in range(net.sizes[m + 1]):
            for j in range(net.sizes[m]):
                s, w, d_next = at(f"{total}{m}_{j}"), at(f"w{m + 1}_{i}_{j}"), at(f"d{m + 1}_{i}")
                lines.append(f"{s} {'=' if i == 0 and not from_zero else '+='} {w} * {d_next}")
        for j in range(net.sizes[m]):
            slope = _SLOPE[net.codes[m]](at(f"z{m}_{j}"), at(f"a{m}_{j}"), f"beta{m}")
            if from_zero:
                lines.append(f"{at(f'd{m}_{j}')} *= {slope}")
            else:
                lines.append(f"{at(f'd{m}_{j}')} = {at(f'u{m}_{j}')} * {slope}")
    return lines


def _stored_delta(net: _Net, at: _Storage, m: int, j: int) -> str:
    """delta^m_j as ``_deltas`` from 0.0 leaves it, from the sum u{m}_{j} that ``_deltas``
    without ``from_zero`` keeps: (0.0 + u) sigma'(z), for a hidden layer m < L."""
    slope = _SLOPE[net.codes[m]](at(f"z{m}_{j}"), at(f"a{m}_{j}"), f"beta{m}")
    return f"(0.0 + {at(f'u{m}_{j}')}) * {slope}"


def _update(net: _Net, at: _Storage, divide: bool) -> Lines:
    """The momentum step of every parameter (as ``dense.apply_update``): g = gsum /
    batch_len, or, for batches of one (``divide`` False), g = gsum, the same number without
    a division; d = -alpha g + mu d_prev; theta += d; gsum = 0; and the flag marked.

    The flag has no branch per parameter, which would make functions too big for numba's
    SSA pass. Testing the new parameter alone finds what testing it and d finds: theta + d
    is not finite whenever d is not."""
    lines, g, d = [at.clear_flag()], at.temp("g"), at.temp("d")
    for name, _ in net.params:
        theta, v, gsum = at(name), at(f"v{name}"), at(f"g{name}")
        lines += [
            f"{g} = {gsum} / batch_len" if divide else f"{g} = {gsum}",
            f"{d} = -alpha * {g} + momentum * {v}",
            f"{v} = {d}",
            f"{theta} += {d}",
            f"{gsum} = 0.0",
            at.mark_flag(theta),
        ]
    return lines


def _online_update(net: _Net, at: _Storage) -> Lines:
    """The momentum step of every parameter for a batch of one, from the example's gradient
    itself (``_gradient``), with no gradient sum: g = delta^m_i a^{m-1}_j (or delta^m_i);
    d = -alpha g + mu d_prev; theta += d, as ``dense.backward_and_update`` (the general
    online path) takes it. The same numbers as ``_update(divide=False)``, whose sum
    0.0 + g is g but when g is -0.0: then -alpha g is a zero of the other sign, and so can
    d be when mu d_prev is -0.0 (under sgd, mu 0 times a negative d_prev). theta + d is
    -0.0 only when both are, so a parameter that is not -0.0 never becomes it either way,
    and no later value depends on a zero's sign: the weights are the same bit for bit,
    but for a weight that starts as -0.0 (a weights file can hold one) with a gradient of
    exactly 0 under sgd, which may end as +0.0; a velocity may be a zero of the other
    sign. Without that addition
    the step from one update to the next is an addition shorter: XOR 2-3-1's kernel at
    0.970-0.971 of the yardstick's rate, from 0.957 (same orders, thread CPU time)."""
    lines, g, d = [], at.temp("g"), at.temp("d")
    for name, _ in net.params:
        theta, v = at(name), at(f"v{name}")
        lines += [
            f"{g} = {_gradient(net, at, name)}",
            f"{d} = -alpha * {g} + momentum * {v}",
            f"{v} = {d}",
            f"{theta} += {d}",
        ]
    return lines


def _not_finite(values: Sequence[str]) -> str:
    """An expression that is true when one of ``values`` (texts) is inf or nan: the sum of
    x - x over them is 0.0 while every x is finite and nan otherwise."""
    return f"({' + '.join(f'({x} - {x})' for x in values)}) != 0.0"


def _copy_in(net: _Net, at: _Storage, place: Callable[[str, int], str]) -> Lines:
    """Every value of ``net.state()`` loaded from ``place(array, index)``."""
    return [f"{at(name)} = {place(array, k)}" for name, array, k in net.state()]


def _copy_out(net: _Net, at: _Storage, place: Callable[[str, int], str]) -> Lines:
    """Every value of ``net.state()`` stored back to ``place(array, index)``."""
    return [f"{place(array, k)} = {at(name)}" for name, array, k in net.state()]


def _betas(net: _Net, place: Callable[[int], str]) -> Lines:
    """beta^1 .. beta^L, shared by all lanes, from ``place(m)``."""
    return [f"beta{m} = {place(m)}" for m in range(1, net.L + 1)]


def _row_of_x(j: int) -> str:
    return f"X[idx, {j}]"


def _row_of_y(i: int) -> str:
    return f"Y[idx, {i}]"


def _indent(lines: Lines, depth: int) -> str:
    pad = "    " * depth
    return "\n".join(pad + line for line in lines)


# Templates: one per generated function.


def _train_batches_source(net: _Net) -> str:
    """``train_batches``: ``dense.train_batches`` for this architecture, its path chosen in
    Python: ``train_minibatches`` (batches of more than one; its last batch of an epoch may
    be shorter), ``train_online`` or ``train_online_unit``. Compiling one kernel that held
    all three, as before, took about four times as long as the online one alone, which is
    all that a first online run (the app's, ``train``'s by default) needs."""
    at = _Scalars()

    def arrays(array: str, k: int) -> str:
        return f"{array}[{k}]"

    betas = _betas(net, lambda m: f"betas[{m}]")
    fetch = _fetch(net, at, _row_of_x, _row_of_y)
    example = fetch + _forward(net, at) + _cost(net, at) + _backward(net, at)
    unit = " and ".join(f"betas[{m}] == 1.0" for m in range(1, net.L + 1))
    online = _online_source(net) + _online_source(net, unit_betas=True)
    return f"""{online}def train_batches(layers, betas, cost, params, velocity, grad, z, a, delta,
                  X, Y, order, batch_size, first_batch, n_batches, alpha, momentum,
                  epoch_cost):
    \"\"\"dense.train_batches for this architecture: the kernel of the call's path.\"\"\"
    if batch_size > 1:
        return train_minibatches(layers, betas, cost, params, velocity, grad, z, a, delta,
                                 X, Y, order, batch_size, first_batch, n_batches, alpha,
                                 momentum, epoch_cost)
    # Every row of order drawn: the kernel draws none.
    return train_online_drawing(betas, params, velocity, z, a, delta, X, Y, order,
                                first_batch, n_batches, alpha, momentum, epoch_cost,
                                np.zeros((1, _STATE_WORDS), dtype=np.uint64),
                                np.array([order.shape[0]], dtype=np.int64))


def train_online_drawing(betas, params, velocity, z, a, delta, X, Y, order, first_batch,
                         n_batches, alpha, momentum, epoch_cost, stream, drawn):
    \"\"\"train_batches for batches of one, drawing the rows of order from drawn[0] on from
    stream as it trains (kernels.drawing_trainer): the kernel of the betas.\"\"\"
    kernel = train_online_unit if {unit} else train_online
    return kernel(betas, params, velocity, z, a, delta, X, Y, order, first_batch, n_batches,
                  alpha, momentum, epoch_cost, stream, drawn)


@njit(**JIT_FLAGS)
def train_minibatches(layers, betas, cost, params, velocity, grad, z, a, delta,
                      X, Y, order, batch_size, first_batch, n_batches, alpha, momentum,
                      epoch_cost):
{_indent(betas, 1)}
{_indent(_copy_in(net, at, arrays), 1)}
    n = order.shape[1]
    per_epoch = (n + batch_size - 1) // batch_size
    ran = n_batches
    for t_ in range(n_batches):
        e, start, stop = _batch_bounds(first_batch + t_, per_epoch, batch_size, n)
        batch_cost = 0.0
        for k_ in range(start, stop):
            idx = order[e, k_]
{_indent(example, 3)}
        epoch_cost[e] += batch_cost
        batch_len = stop - start
        if batch_len == 1:
{_indent(_update(net, at, False), 3)}
        else:
{_indent(_update(net, at, True), 3)}
        if {at.flag_raised()} or not math.isfinite(batch_cost):
            ran = t_ + 1
            break
{_indent(_copy_out(net, at, arrays), 1)}
    return ran
"""


def _online_source(net: _Net, unit_betas: bool = False) -> str:
    """``train_online``: ``train_batches`` for batches of one (the online updates of the
    tutorials, the app and ``train`` by default), the same numbers bit for bit, written for
    that case alone, as a hand-written kernel would be:

    - no batch loop and no gradient sums: each parameter steps by its example gradient;
    - the epoch and the place in it are counters, not a division per update, and the
      epoch's cost is summed in a local variable (from epoch_cost[e], so the same sum);
    - no finiteness test per parameter. The next example's forward pass is computed after
      the update; a non-finite parameter makes a z of it non-finite (w a is inf or nan
      for any a; a sum keeps it), so the parameters are tested only when some z is (z
      can also overflow from finite parameters). If one is not finite, the run stops
      there and keeps the last example's values, as ``train_batches`` does. After the
      last update no test is needed: ``ran`` is n_batches either way.

    - the forward pass's sums start at their first term, not at 0.0 (``_forward``'s
      ``from_zero``: the same z), and so do the hidden deltas' (``_deltas``' ``from_zero``:
      the same numbers but for the sign of a zero, which no weight keeps; the stored
      deltas are recomputed from those sums as the sums from 0.0 give them), and each
      parameter steps by its example gradient itself, not 0.0 + it (``_online_update``).
      On XOR 2-3-1 the deltas' took the kernel from 0.934-0.943 to 0.956-0.958 of the
      yardstick's rate, the gradients' to 0.970-0.971 (``cli.yardstick``; same orders,
      thread CPU time, 21 repeats).

    - each epoch's order is drawn by the kernel during the epoch before it, one
      Fisher-Yates step (``shuffle.shuffle_swap``, NumPy's ``permuted``) beside each
      update, from the stream's state held in registers: the integer work overlaps the
      update's floating-point chain, where drawing a block of orders first took a
      twentieth of XOR's training, and drawing each order at the epoch's boundary saved
      only half of that. Rows from drawn[0] on are drawn (``kernels.drawing_trainer``;
      ``train_batches`` passes every row drawn); a row is begun at the epoch's first
      update, so a call that starts inside an epoch takes the next row drawn, and one
      that stops halfway through drawing a row leaves it out of drawn[0] and the stream
      at the state before it (it is drawn again, the same, when needed). On XOR 2-3-1 it
      took ``train``'s path from 0.90-0.91x to 0.96-0.98x of the yardstick's rate.

    ``unit_betas`` writes ``train_online_unit`` instead, for betas that are all 1.0 (every
    network but a steeper or flatter sigmoid's): beta is the constant 1.0 in it, and the
    compiler drops the multiplications by it (1.0 x is x exactly), two of them on the path
    from one update to the next per layer. ``train_batches`` chooses.

    order: int64 (E, n) as for ``train_batches``; the update is batch first_batch + t,
    example order[b // n, b % n] for b = first_batch + t. stream (1, STATE_WORDS) uint64
    and drawn (1,) int64: see ``kernels.drawing_trainer``.
    """
    at, nxt = _Scalars(), _Next()
    # Loaded: the parameters and velocities; stored: those and the last example's nodes
    # (the gradient sums stay 0, unused).
    load = [f"{name} = {array}[{k}]" for name, array, k in net.state() if array in _STEPPED]
    # A hidden node's delta is stored from its sum, which the loop keeps (``_deltas``).
    hidden = {f"d{m}_{j}": (m, j) for m, j, _ in net.nodes() if m < net.L}
    store = [
        f"{array}[{k}] = {_stored_delta(net, at, *hidden[name]) if name in hidden else name}"
        for name, array, k in net.state()
        if array != "grad"
    ]
    keep = [f"{at(f'a0_{j}')} = {nxt(f'a0_{j}')}" for j in range(net.sizes[0])]
    keep += [f"{at(f'y{i}')} = {nxt(f'y{i}')}" for i in range(net.sizes[net.L])]
    for m, i, _ in net.nodes():
        keep += [f"z{m}_{i} = {nxt(f'z{m}_{i}')}", f"a{m}_{i} = {nxt(f'a{m}_{i}')}"]
    betas = _betas(net, lambda m: "1.0" if unit_betas else f"betas[{m}]")
    first = _fetch(net, at, _row_of_x, _row_of_y) + _forward(net, at, from_zero=False)
    update = _example_cost(net, at) + ["ec += c"] + _deltas(net, at, from_zero=False)
    update += _online_update(net, at)
    following = _fetch(net, nxt, _row_of_x, _row_of_y) + _forward(net, nxt, from_zero=False)
    name = "train_online_unit" if unit_betas else "train_online"
    return f"""@njit(**JIT_FLAGS)
def {name}(betas, params, velocity, z, a, delta, X, Y, order, first_batch, n_batches,
        alpha, momentum, epoch_cost, stream, drawn):
    if n_batches <= 0:
        return 0
{_indent(betas, 1)}
{_indent(load, 1)}
    n = order.shape[1]
    e = first_batch // n
    k_ = first_batch - e * n
    rows = order.shape[0]
    draw_from = drawn[0]
    hi, lo = stream[0, _STATE_HI], stream[0, _STATE_LO]
    inc_hi, inc_lo = stream[0, _INC_HI], stream[0, _INC_LO]
    has = np.int64(stream[0, _HAS_UINT32])
    kept = np.int64(stream[0, _UINTEGER])
    idx = order[e, k_]
{_indent(first, 1)}
    ec = epoch_cost[e]
    ran = n_batches
    t_ = 0
    while True:
{_indent(update, 2)}
        fy = n - 1 - k_
        if fy != 0 and e + 1 >= draw_from and e + 1 < rows:
            # Step k_ of the Fisher-Yates shuffle of the next epoch's order, whole before
            # this epoch's last update fetches its first example.
            row = order[e + 1]
            if k_ == 0:
                for q_ in range(n):
                    row[q_] = q_
                # the state after the rows drawn whole, kept should the run stop in this one
                stream[0, _STATE_HI], stream[0, _STATE_LO] = hi, lo
                stream[0, _HAS_UINT32] = has
                stream[0, _UINTEGER] = kept
            hi, lo, has, kept = _shuffle_swap(row, fy, hi, lo, inc_hi, inc_lo, has, kept)
        t_ += 1
        k_ += 1
        if k_ == n:
            epoch_cost[e] = ec
            e += 1
            k_ = 0
        if not math.isfinite(c):
            ran = t_
            break
        if t_ == n_batches:
            break
        if k_ == 0:
            ec = epoch_cost[e]
        idx = order[e, k_]
{_indent(following, 2)}
        if {_not_finite([nxt(f"z{m}_{i}") for m, i, _ in net.nodes()])}:
            if {_not_finite([at(name) for name, _ in net.params])}:
                ran = t_
                break
{_indent(keep, 2)}
    if k_ != 0:
        epoch_cost[e] = ec
    if k_ == 0 or e + 1 < draw_from or e + 1 >= rows:
        # no row left half drawn (one is drawn again, whole, from the state kept for it)
        stream[0, _STATE_HI], stream[0, _STATE_LO] = hi, lo
        stream[0, _HAS_UINT32] = has
        stream[0, _UINTEGER] = kept
    drawn[0] = max(draw_from, min(rows, e + 1))
{_indent(store, 1)}
    return ran


"""


def _one_network(train: str) -> Lines:
    """Network r of a ``train_many`` through ``epochs`` epochs, a block of ``chunk`` epochs
    at a time: its orders drawn from its stream ``streams[r]`` (``shuffle.fill_orders``)
    into ``orders`` (chunk, n), then ``train``, a call of a one-network kernel on them (the
    updates of ``count`` epochs from ``orders[:count]`` into ``epoch_cost[r, done:done +
    count]``), until a call stops early (divergence). ``ran[r]`` counts the updates run."""
    return [
        "done = 0",
        "ran[r] = 0",
        "while done < epochs:",
        "    count = min(chunk, epochs - done)",
        "    _fill_orders(streams, r, shuffle, orders[:count])",
        f"    trained = {train}",
        "    ran[r] += trained",
        "    done += count",
        "    if trained < count * per_epoch:",
        "        break",
    ]


def _tree_sum(terms: Sequence[str]) -> str:
    """The sum of ``terms`` (texts) as a tree of additions, not a chain: a short path of
    dependent instructions, which LLVM keeps (it does not reorder additions)."""
    terms = list(terms)
    while len(terms) > 1:
        pairs = [f"({x} + {y})" for x, y in zip(terms[::2], terms[1::2], strict=False)]
        terms = pairs + terms[2 * len(pairs) :]
    return terms[0]


def _side_by_side(copies: Sequence[Lines]) -> Lines:
    """Copies of one step (the same lines for other lanes, with temporaries of their own)
    interleaved line by line, so that the processor sees their independent chains of
    dependent instructions together and overlaps them."""
    return [line for lines in zip(*copies, strict=True) for line in lines]


def block_lanes(batch_size: int) -> int:
    """Networks per block of the generated ``train_many``: ``train_lanes_online``'s
    ``ONLINE_LANES`` for batches of one, ``train_lanes``' ``LANES`` for larger ones."""
    return ONLINE_LANES if batch_size == 1 else LANES


def _lanes_sources(net: _Net) -> str:
    """``train_lanes`` (``_general_lanes``) and ``train_lanes_online`` (``_online_lanes``),
    and ``train_many``, plain Python, which hands blocks of ``block_lanes(batch_size)``
    networks to threads (``kernels.threads.run_blocks``; the arguments and the drawing of
    orders of ``dense.train_many``): to ``train_lanes_online`` for batches of one
    (``restarts`` by default), to ``train_lanes`` for larger ones, so that a run compiles
    only the kernel it takes."""
    return f"""{_general_lanes(net)}

{_online_lanes(net)}

def train_many(layers, betas, cost, params, velocity, grad, z, a, delta, X, Y, streams,
               shuffle, batch_size, epochs, alpha, momentum, epoch_cost, ran):
    \"\"\"dense.train_many for this architecture: blocks of networks, each through
    train_lanes_online ({ONLINE_LANES} networks; batches of one) or train_lanes ({LANES}),
    spread over numba's number of threads from Python.\"\"\"
    total = params.shape[0]
    kernel = train_lanes_online if batch_size == 1 else train_lanes
    lanes = _block_lanes(batch_size)

    def block(job):
        r0 = job * lanes
        kernel(betas, params, velocity, grad, z, a, delta, X, Y, streams, shuffle,
               batch_size, epochs, alpha, momentum, epoch_cost, ran, r0,
               min(lanes, total - r0))

    _run_blocks(block, (total + lanes - 1) // lanes)
"""


def _general_lanes(net: _Net) -> str:
    """``train_lanes``: each batch as ``train_batches`` runs it, for ``LANES`` networks: the
    example loop summing the gradients, then ``_update``, each a loop over the lanes. The
    flag sums x - x over the new parameters: 0 unless one is inf or nan."""
    at = _LaneSlots(net, LANES)
    cost, epoch_sum = at("batch_cost"), at("epoch_sum")
    bad_at, cost_at = at.slots["bad"] * LANES, at.slots["batch_cost"] * LANES
    # Nonzero (nan) when some lane's new parameters or batch cost are not finite: each
    # lane's flag (0 or nan) plus c - c (0 for a finite c).
    any_bad = _tree_sum(
        [
            f"(S[{bad_at + lane}] + (S[{cost_at + lane}] - S[{cost_at + lane}]))"
            for lane in range(LANES)
        ]
    )
    step = [
        "start = b * batch_size",
        "stop = min(start + batch_size, n)",
        f"for l in range({LANES}):",
        f"    {cost} = 0.0",
        "for k_ in range(start, stop):",
        f"    for l in range({LANES}):",
        "        idx = O[l, row, k_]",
        *(f"        {line}" for line in _fetch(net, at, _row_of_x, _row_of_y)),
        f"    for l in range({LANES}):",
        *(f"        {line}" for line in _forward(net, at) + _cost(net, at) + _backward(net, at)),
        "batch_len = stop - start",
        "if batch_len == 1:",
        f"    for l in range({LANES}):",
        *(f"        {line}" for line in _update(net, at, False)),
        f"        {epoch_sum} += {cost}",
        "else:",
        f"    for l in range({LANES}):",
        *(f"        {line}" for line in _update(net, at, True)),
        f"        {epoch_sum} += {cost}",
    ]
    failed = f"{at.flag_raised()} or not math.isfinite({cost})"
    return _lanes_kernel(net, at, "train_lanes", step, any_bad, failed)


def _online_lanes(net: _Net) -> str:
    """``train_lanes_online``: batches of one for ``ONLINE_LANES`` networks, written for
    that case as ``train_online`` is for one: each parameter steps by its example gradient
    (``_online_update``), and forward pass (its sums from their first term, as
    ``train_online``'s), cost, deltas and update are one loop over a group of ``GROUP``
    lanes, written out ``ONLINE_LANES // GROUP`` times side by side (``_side_by_side``).

    The flag is not a sum of x - x per parameter but (f - f) + (c - c), f the sum of the
    new parameters: nan when one of them is not finite (and, rarely, when finite ones sum
    past the largest double) or the cost is not; the lanes it marks are then tested
    parameter by parameter, so that a lane stops counting where ``train_batches`` stops.
    The batch cost is c itself: ``train_lanes`` sums 0.0 + c, which is c, since c is a sum
    from 0.0 and so never -0.0."""
    at = _LaneSlots(net, ONLINE_LANES)
    copies = []
    for q in range(ONLINE_LANES // GROUP):
        group = at.group(q, GROUP)
        c, f = group.temp("c"), group.temp("f")
        new_params = _tree_sum([group(name) for name, _ in net.params])
        copies.append(
            _forward(net, group, from_zero=False)
            + _example_cost(net, group)
            + [f"{group('batch_cost')} = {c}"]
            + _deltas(net, group)
            + _online_update(net, group)
            + [f"{f} = {new_params}", f"{group('bad')} = ({f} - {f}) + ({c} - {c})"]
            + [f"{group('epoch_sum')} += {c}"]
        )
    step = [
        f"for l in range({ONLINE_LANES}):",
        "    idx = O[l, row, b]",
        *(f"    {line}" for line in _fetch(net, at, _row_of_x, _row_of_y)),
        f"for l in range({GROUP}):",
        *(f"    {line}" for line in _side_by_side(copies)),
    ]
    bad_at = at.slots["bad"] * ONLINE_LANES
    any_bad = _tree_sum([f"S[{bad_at + lane}]" for lane in range(ONLINE_LANES)])
    params_bad = _not_finite([at(name) for name, _ in net.params])
    failed = f"{params_bad} or not math.isfinite({at('batch_cost')})"
    return _lanes_kernel(net, at, "train_lanes_online", step, any_bad, failed)


def _lanes_kernel(
    net: _Net, at: _LaneSlots, name: str, step: Lines, any_bad: str, failed: str
) -> str:
    """A kernel that trains networks r0 .. r0 + used - 1 (used <= ``at.lanes``) through the
    same batches, each to the numbers ``train_batches`` gives it alone, bit for bit, as the
    lanes of ``at``. As for ``train_online``, the networks' gradient sums must come in as
    zeros (they are left as they came) and their biases as a draw or +0.0, never -0.0
    (``_forward``'s ``from_zero``); ``restarts`` starts every network so. The last block's
    spare lanes,
    past the networks left over (``used``), train copies of the last network, each from its
    own copy of that network's stream: the same values, written to the same rows, so that
    the few networks left over need no other kernel. Each lane draws the orders of
    ``shuffle.chunk_epochs`` epochs at a time from its own stream (``shuffle.fill_orders``):
    the orders a run alone is given.

    ``step``: the lines of batch b of the epoch for every lane, from row ``row`` of the
    lanes' orders ``O``; ``any_bad``: an expression not 0 when the step may have left some
    lane not finite, a tree of adds (not a loop, which LLVM would keep in order);
    ``failed``: for lane l, true when its new parameters or its batch cost are not finite.
    The lanes are looked at one by one only when ``any_bad`` is not 0.

    The networks' values live in a scratch array, value by value with the lanes side by
    side, and each part of the step is one loop over the lanes with no branch and no call
    inside (``exp`` is inlined), which LLVM turns into vector instructions. The epoch,
    batch and row of the orders are counters, and each lane's epoch cost is summed in the
    scratch array and stored once per epoch. The scratch array (a few kB) and the lanes'
    block of orders (lanes, chunk, n) are the allocations, once per call for the whole run;
    ``train_many`` keeps the signature of ``dense.train_many``, which has no room for
    them."""
    lanes = at.lanes

    def rows(array: str, k: int) -> str:
        return f"{array}[r, {k}]"

    betas = _betas(net, lambda m: f"betas[{m}]")
    epoch_sum = at("epoch_sum")
    return f"""@njit(**JIT_FLAGS)
def {name}(betas, params, velocity, grad, z, a, delta, X, Y, streams, shuffle,
        batch_size, epochs, alpha, momentum, epoch_cost, ran, r0, used):
    S = np.empty({at.size})
    # Lane l trains network R[l]; lanes past ``used`` train copies of the last network,
    # each from a copy of its stream, and leave its rows as that network's lane does.
    R = np.empty({lanes}, dtype=np.int64)
    lane_streams = np.empty(({lanes}, streams.shape[1]), dtype=streams.dtype)
    for l in range({lanes}):
        R[l] = r0 + min(l, used - 1)
        for w in range(streams.shape[1]):  # element by element: no shape check to compile
            lane_streams[l, w] = streams[R[l], w]
    n = X.shape[0]
    chunk = _chunk_epochs(n, epochs)
    O = np.empty(({lanes}, chunk, n), dtype=np.int64)
    per_epoch = (n + batch_size - 1) // batch_size
    n_batches = epochs * per_epoch
{_indent(betas, 1)}
    for l in range({lanes}):
        r = R[l]
        ran[r] = n_batches
{_indent(_copy_in(net, at, rows), 2)}
    # Counters, not divisions: epoch e, its batch b, and its row in the block of orders.
    e = 0
    b = 0
    row = 0
    for t_ in range(n_batches):
        if b == 0:
            if row == 0:  # each lane's orders of the next epochs, as EpochOrders
                count = min(chunk, epochs - e)
                for l in range({lanes}):
                    _fill_orders(lane_streams, l, shuffle, O[l, :count])
            # The epoch's cost is summed in S, from epoch_cost[r, e] (the same sum).
            for l in range({lanes}):
                {epoch_sum} = epoch_cost[R[l], e]
{_indent(step, 2)}
        if {any_bad} != 0.0:
            for l in range({lanes}):
                r = R[l]
                if ({failed}) and ran[r] == n_batches:
                    ran[r] = t_ + 1
        b += 1
        if b == per_epoch:
            for l in range({lanes}):
                epoch_cost[R[l], e] = {epoch_sum}
            b = 0
            e += 1
            row += 1
            if row == chunk:
                row = 0
    for l in range({lanes}):
        r = R[l]
        for w in range(streams.shape[1]):
            streams[r, w] = lane_streams[l, w]
{_indent(_copy_out(net, at, rows), 2)}
"""


def _step_source(net: _Net, online: bool = False) -> str:
    """``step``: ``dense.step`` for this architecture, with the offsets of every parameter
    and node in the packed arrays written in as constants. ``online`` writes
    ``step_online`` instead, for batches of one alone (the app's ``n`` in an online run):
    the same bits, without the batch loop and the update that divides by the batch's
    length, so it compiles in about half the time."""
    at = _Scalars()
    P, nodes = len(net.params), net.n_nodes
    # Where each array starts in a Network's buffer (params, velocity, grad, z, a, delta,
    # betas).
    base = {"params": 0, "velocity": P, "grad": 2 * P}
    base |= {"z": 3 * P, "a": 3 * P + nodes, "delta": 3 * P + 2 * nodes}
    betas_at = 3 * P + 3 * nodes
    t_at = betas_at + net.L + 1 + P  # after betas and second
    n_in, n_out = net.sizes[0], net.sizes[net.L]

    def packed(array: str, k: int) -> str:
        return f"buffer[{base[array] + k}]"

    def x(j: int) -> str:
        return f"data[{SD_HEADER} + idx * {n_in} + {j}]"

    def y(i: int) -> str:
        return f"data[y_at + idx * {n_out} + {i}]"

    betas = _betas(net, lambda m: f"buffer[{betas_at + m}]")
    example = _fetch(net, at, x, y) + _forward(net, at) + _cost(net, at) + _backward(net, at)
    orders_at = ST_HEADER + (net.L + 1) * N_COLUMNS
    if online:
        name, first = "step_online", ["start = state[ST_BATCH]", "stop = start + 1"]
        batch = [
            "batch_cost = 0.0",
            "k_ = start",
            "idx = state[order_at + k_]",
            *example,
            *_update(net, at, False),
        ]
    else:
        name = "step"
        first = [
            "batch_size = state[ST_BATCH_SIZE]",
            "start = state[ST_BATCH] * batch_size",
            "stop = min(start + batch_size, n)",
        ]
        batch = [
            "batch_cost = 0.0",
            "for k_ in range(start, stop):",
            "    idx = state[order_at + k_]",
            *(f"    {line}" for line in example),
            "batch_len = stop - start",
            "if batch_len == 1:",
            *(f"    {line}" for line in _update(net, at, False)),
            "else:",
            *(f"    {line}" for line in _update(net, at, True)),
        ]
    return f"""@njit(**JIT_FLAGS)
def {name}(state, buffer, data):
    row = _step_order_row(state)
    if row < 0:
        return -1 - row
    n = state[ST_N]
    order_at = {orders_at} + row * n
    y_at = {SD_HEADER} + n * {n_in}
    alpha = data[SD_ALPHA]
    momentum = data[SD_MOMENTUM]
    buffer[{t_at}] += 1.0  # t, the updates since the state was 0
{_indent(betas, 1)}
{_indent(_copy_in(net, at, packed), 1)}
{_indent(first, 1)}
{_indent(batch, 1)}
{_indent(_copy_out(net, at, packed), 1)}
    return _finish_step(state, data, stop - start, state[order_at + stop - 1], batch_cost,
                        not {at.flag_raised()})
"""


def _without_velocity(net: _Net) -> list[tuple[str, str, int]]:
    """``net.state()`` but the velocities, which ``dense.apply_rule`` keeps in their array."""
    return [entry for entry in net.state() if entry[1] != "velocity"]


def _rule_update(net: _Net, at: _Scalars, place: Callable[[str, int], str]) -> Lines:
    """The update of every rule: the parameters and gradient sums stored to ``place``,
    ``dense.apply_rule`` (the same arithmetic, so the same bits, as the general kernels),
    the parameters loaded back and the sums cleared."""
    lines = [f"{place('params', off)} = {at(name)}" for name, off in net.params]
    lines += [f"{place('grad', off)} = {at(f'g{name}')}" for name, off in net.params]
    lines.append(
        "finite = _apply_rule(layers, params, velocity, second, grad, rule, steps, batch_len)"
    )
    lines += [f"{at(name)} = {place('params', off)}" for name, off in net.params]
    return lines + [f"{at(f'g{name}')} = 0.0" for name, _ in net.params]


def _rule_source(net: _Net) -> str:
    """``train_rule``, ``train_many_rule`` (with ``train_networks_rule``) and ``step_rule``:
    ``dense``'s functions of those names for this architecture. The forward and backward
    passes are written out as in ``train_batches``; the update is ``dense.apply_rule`` on
    the arrays (once per batch), so that every rule compiles once, into these kernels only,
    and nothing of it into the momentum path."""
    at = _Scalars()
    train_one = (
        "train_rule(layers, betas, cost, params[r], velocity[r], second[r], grad[r], z[r], "
        "a[r], delta[r], X, Y, orders[:count], batch_size, 0, count * per_epoch, rule, "
        "steps[r:r + 1], epoch_cost[r, done:done + count])"
    )

    def arrays(array: str, k: int) -> str:
        return f"{array}[{k}]"

    state = _without_velocity(net)
    load = [f"{at(name)} = {arrays(array, k)}" for name, array, k in state]
    store = [f"{arrays(array, k)} = {at(name)}" for name, array, k in state]
    betas = _betas(net, lambda m: f"betas[{m}]")
    example = _fetch(net, at, _row_of_x, _row_of_y) + _forward(net, at) + _cost(net, at)
    example += _backward(net, at)
    P, nodes = len(net.params), net.n_nodes
    rows = net.L + 1
    n_in, n_out = net.sizes[0], net.sizes[net.L]
    # The step's packed buffer: params, velocity, grad, z, a, delta, betas, second, t.
    base = {"params": 0, "velocity": P, "grad": 2 * P}
    base |= {"z": 3 * P, "a": 3 * P + nodes, "delta": 3 * P + 2 * nodes}
    betas_at = 3 * P + 3 * nodes
    second_at = betas_at + rows

    def packed(array: str, k: int) -> str:
        return f"buffer[{base[array] + k}]"

    def x(j: int) -> str:
        return f"data[{SD_HEADER} + idx * {n_in} + {j}]"

    def y(i: int) -> str:
        return f"data[y_at + idx * {n_out} + {i}]"

    step_example = _fetch(net, at, x, y) + _forward(net, at) + _cost(net, at)
    step_example += _backward(net, at)
    step_load = [f"{at(name)} = {packed(array, k)}" for name, array, k in state]
    step_store = [f"{packed(array, k)} = {at(name)}" for name, array, k in state]
    orders_at = ST_HEADER + rows * N_COLUMNS
    return f"""@njit(**JIT_FLAGS)
def train_rule(layers, betas, cost, params, velocity, second, grad, z, a, delta,
               X, Y, order, batch_size, first_batch, n_batches, rule, steps, epoch_cost):
{_indent(betas, 1)}
{_indent(load, 1)}
    n = order.shape[1]
    per_epoch = (n + batch_size - 1) // batch_size
    ran = n_batches
    for t_ in range(n_batches):
        e, start, stop = _batch_bounds(first_batch + t_, per_epoch, batch_size, n)
        batch_cost = 0.0
        for k_ in range(start, stop):
            idx = order[e, k_]
{_indent(example, 3)}
        epoch_cost[e] += batch_cost
        batch_len = stop - start
{_indent(_rule_update(net, at, arrays), 2)}
        if not (finite and math.isfinite(batch_cost)):
            ran = t_ + 1
            break
{_indent(store, 1)}
    return ran


def train_many_rule(layers, betas, cost, params, velocity, second, grad, z, a, delta, X, Y,
                    streams, shuffle, batch_size, epochs, rule, steps, epoch_cost, ran):
    \"\"\"dense.train_many_rule for this architecture: each thread's share of the networks
    is one call of train_networks_rule (kernels.threads.run_ranges).\"\"\"
    arguments = (layers, betas, cost, params, velocity, second, grad, z, a, delta, X, Y,
                 streams, shuffle, batch_size, epochs, rule, steps, epoch_cost, ran)
    _run_ranges(train_networks_rule, params.shape[0], arguments)


@njit(**JIT_FLAGS)
def train_networks_rule(layers, betas, cost, params, velocity, second, grad, z, a, delta,
                        X, Y, streams, shuffle, batch_size, epochs, rule, steps, epoch_cost,
                        ran, first, stop):
    n = X.shape[0]
    per_epoch = (n + batch_size - 1) // batch_size
    chunk = _chunk_epochs(n, epochs)
    orders = np.empty((chunk, n), dtype=np.int64)
    for r in range(first, stop):
{_indent(_one_network(train_one), 2)}


@njit(**JIT_FLAGS)
def step_rule(state, buffer, data):
    row = _step_order_row(state)
    if row < 0:
        return -1 - row
    n = state[ST_N]
    order_at = {orders_at} + row * n
    y_at = {SD_HEADER} + n * {n_in}
    layers = state[{ST_HEADER}:{orders_at}].reshape(({rows}, {N_COLUMNS}))
    params = buffer[0:{P}]
    velocity = buffer[{P}:{2 * P}]
    grad = buffer[{2 * P}:{3 * P}]
    second = buffer[{second_at}:{second_at + P}]
    steps = buffer[{second_at + P}:{second_at + P + 1}]
    rule = data[SD_RULE:SD_RULE + RULE_SIZE]
{_indent(_betas(net, lambda m: f"buffer[{betas_at + m}]"), 1)}
{_indent(step_load, 1)}
    batch_size = state[ST_BATCH_SIZE]
    start = state[ST_BATCH] * batch_size
    stop = min(start + batch_size, n)
    batch_cost = 0.0
    for k_ in range(start, stop):
        idx = state[order_at + k_]
{_indent(step_example, 2)}
    batch_len = stop - start
{_indent(_rule_update(net, at, packed), 1)}
{_indent(step_store, 1)}
    return _finish_step(state, data, stop - start, state[order_at + stop - 1], batch_cost,
                        finite)
"""


def _evaluate_source(net: _Net) -> str:
    """``evaluate``: ``dense.evaluate`` for this architecture (the same forward pass and
    cost, so the same bits), which compiles in a fraction of the time the general one takes
    (its ``rows_dot`` is written for wide layers). The z and a of the last example are
    written to ``z`` and ``a``, as ``dense.forward`` leaves them."""
    at = _Scalars()
    L = net.L
    betas = _betas(net, lambda m: f"betas[{m}]")
    load = [f"{name} = params[{offset}]" for name, offset in net.params]
    # Defined before the loop, so that a call with no examples compiles (it stores nothing).
    zero = [f"a0_{j} = 0.0" for j in range(net.sizes[0])]
    for m, i, _ in net.nodes():
        zero += [f"z{m}_{i} = 0.0", f"a{m}_{i} = 0.0"]
    example = _fetch(net, at, _row_of_x, _row_of_y) + _forward(net, at) + _cost(net, at)
    example += [f"outputs[idx, {i}] = a{L}_{i}" for i in range(net.sizes[L])]
    store = [f"a[{j}] = a0_{j}" for j in range(net.sizes[0])]
    for m, i, offset in net.nodes():
        store += [f"z[{offset}] = z{m}_{i}", f"a[{offset}] = a{m}_{i}"]
    return f"""@njit(**JIT_FLAGS)
def evaluate(layers, betas, cost, params, z, a, X, Y, outputs, costs):
{_indent(betas, 1)}
{_indent(load, 1)}
{_indent(zero, 1)}
    total = 0.0
    for idx in range(X.shape[0]):
        batch_cost = 0.0
{_indent(example, 2)}
        costs[idx] = c
        total += c
    if X.shape[0] > 0:
{_indent(store, 2)}
    return total / X.shape[0]
"""


def generate_source(sizes: Sequence[int], codes: Sequence[int], cost: int, bias: bool) -> str:
    """The source of the module of kernels for this architecture: ``train_batches`` and
    the kernels it chooses from, ``train_lanes`` and ``train_lanes_online`` and
    ``train_many``, which runs them,
    ``step``, ``step_online``, ``evaluate`` and the update rules' kernels.

    sizes : N^0 .. N^L; codes : the activation code of each layer (codes[0], the input
    layer's, is not used); cost : MSE or CROSS_ENTROPY; bias : whether layers have biases.
    The same arguments give the same text. Raises ValueError for an unknown code."""
    net = _Net(sizes, codes, cost, bias)
    layers, activations = list(net.sizes), list(net.codes[1:])
    return f'''"""Generated by kernels.specialize for layers {layers}, activation codes
{activations}, cost code {net.cost}, bias {net.bias}. Do not edit: it is rewritten as needed."""
import math

import numpy as np
from numba import njit

from kernels.config import JIT_FLAGS
from kernels.dense import apply_rule as _apply_rule
from kernels.dense import batch_bounds as _batch_bounds
from kernels.dense import exp as _exp
from kernels.dense import finish_step as _finish_step
from kernels.dense import softplus as _softplus
from kernels.dense import step_order_row as _step_order_row
from kernels.layout import (
    RULE_SIZE,
    SD_ALPHA,
    SD_MOMENTUM,
    SD_RULE,
    ST_BATCH,
    ST_BATCH_SIZE,
    ST_N,
)
from kernels.shuffle import HAS_UINT32 as _HAS_UINT32
from kernels.shuffle import INC_HI as _INC_HI
from kernels.shuffle import INC_LO as _INC_LO
from kernels.shuffle import STATE_HI as _STATE_HI
from kernels.shuffle import STATE_LO as _STATE_LO
from kernels.shuffle import STATE_WORDS as _STATE_WORDS
from kernels.shuffle import UINTEGER as _UINTEGER
from kernels.shuffle import chunk_epochs as _chunk_epochs
from kernels.shuffle import fill_orders as _fill_orders
from kernels.shuffle import shuffle_swap as _shuffle_swap
from kernels.specialize import block_lanes as _block_lanes
from kernels.threads import run_blocks as _run_blocks
from kernels.threads import run_ranges as _run_ranges


{_train_batches_source(net)}

{_lanes_sources(net)}

{_step_source(net)}

{_step_source(net, online=True)}

{_evaluate_source(net)}

{_rule_source(net)}'''


#: The generated modules' names: this prefix, the sources' hash (``config.kernels_hash``), the
#: architecture's hash.
_PREFIX = "_tui_backprop_net_"


def _key(sizes: Sequence[int], codes: Sequence[int], cost: int, bias: bool) -> str:
    """The generated module's name: the hash of every source file of ``kernels`` (the module
    calls ``dense``'s helpers and ``layout``'s constants are frozen into compiled code,
    and numba's cache of a module does not notice an edit to another module, numba#8396;
    a new name after such an edit does), then that of its architecture."""
    text = repr((_VERSION, tuple(sizes), tuple(codes[1:]), cost, bias))
    return f"{kernels_hash()}_{hashlib.sha256(text.encode()).hexdigest()[:16]}"


@functools.cache
def _generated_dir() -> Path:
    """The private folder the generated sources are written to and loaded from: in the
    cache directory, or, with caching off or that folder not private, a fresh temporary
    folder of this process."""
    if CACHE_DIR is not None:
        path = Path(CACHE_DIR) / "generated"
        if private_dir(path):
            numba_subdir(path)  # made private before numba makes it
            return path
        print(
            f"tui-backprop: {path} is not a private folder of this user; generated kernels "
            "go to a temporary folder for this run",
            file=sys.stderr,
        )
    path = temporary_dir()
    numba_subdir(path)  # so that numba's cache of it counts as ours (sealed, healed)
    return path


def _prune(folder: Path) -> None:
    """Remove the generated modules of other versions of the kernels' sources, with their
    numba cache files and any ``__pycache__`` an older version left."""
    current = f"{_PREFIX}{kernels_hash()}_"
    places = [folder]
    cached = numba_subdir(folder)
    if cached is not None:
        places.append(cached)
    for place in places:
        for entry in os.scandir(place):
            name = entry.name.lstrip(".")
            if name.startswith(_PREFIX) and not name.startswith(current):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
    shutil.rmtree(folder / "__pycache__", ignore_errors=True)


_LOADED: dict[str, ModuleType] = {}


def load_module(sizes: Sequence[int], codes: Sequence[int], cost: int, bias: bool) -> ModuleType:
    """The compiled module for this architecture, generating its source if needed.

    The source is written (atomically) to a private folder and executed from the text in
    hand, not through the import system: no ``.pyc`` is written or read. numba caches its
    kernels by the file's path and content, as any module's."""
    key = _key(sizes, codes, cost, bias)
    if key in _LOADED:
        return _LOADED[key]
    source = generate_source(sizes, codes, cost, bias)
    name = f"{_PREFIX}{key}"
    folder = _generated_dir()
    path = folder / f"{name}.py"
    text = source.encode()
    try:
        current: bytes | None = path.read_bytes()
    except OSError:
        current = None
    if current != text:
        # Atomic, so a second process never reads a half-written file; an unchanged file
        # keeps its time stamp and so numba's cache of it stays valid.
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(text)
        os.replace(tmp, path)
        if current is not None:  # the name holds every input of the text: it was damaged
            print(f"tui-backprop: a damaged {path} was written again", file=sys.stderr)
        _prune(folder)
    module = ModuleType(name, source.split('"""')[1])
    module.__file__ = str(path)
    sys.modules[name] = module
    try:
        exec(compile(source, str(path), "exec"), module.__dict__)
    except BaseException:
        del sys.modules[name]
        raise
    _LOADED[key] = module
    return module


def architecture(layers: npt.NDArray[np.int64]) -> tuple[tuple[int, ...], tuple[int, ...], bool]:
    """(sizes, activation codes with a 0 for the input layer, bias) of a layer table."""
    sizes = tuple(int(s) for s in layers[:, SIZE])
    codes = tuple(int(c) for c in layers[:, ACTIVATION])
    bias = bool(layers[1:, HAS_BIAS].all())
    return sizes, codes, bias
