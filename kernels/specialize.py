"""Kernels generated for one architecture: every weight a local variable, every loop unrolled.

For small networks the general kernel (``dense.train_batches``) spends most of its time on
loop overhead over trip counts of 1 to 3 and on loading and storing each weight for every
example. A kernel written out for one architecture keeps the weights, their velocities and
gradient sums in registers for a whole call and writes them back once at the end.

The generated code performs the same floating-point operations in the same order as the
general kernel (each dot product summed from 0.0 in index order, then the bias added; the
same expressions for sigma, sigma', the costs and the update), so both give bit-for-bit the
same weights, and either can continue the other's run.

Generated sources are written once to a file in the kernel cache directory and imported
from there, so numba caches their compiled code like any other kernel's.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import re
import sys
import tempfile
from pathlib import Path

from . import dense
from .config import CACHE_DIR
from .layout import (
    ACTIVATION,
    CROSS_ENTROPY,
    HAS_BIAS,
    LINEAR,
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
_VERSION = 5  # bump when the generated code changes, to leave old cache files behind


def _sigma(code: int, z: str, beta: str) -> str:
    if code == SIGMOID:
        return f"1.0 / (1.0 + _exp(-{beta} * {z}))"
    if code == TANH:
        return f"math.tanh({z})"
    if code == RELU:
        return f"({z} if {z} > 0.0 else 0.0)"
    return z


def _slope(code: int, z: str, a: str, beta: str) -> str:
    if code == SIGMOID:
        return f"({beta} * {a} * (1.0 - {a}))"
    if code == TANH:
        return f"(1.0 - {a} * {a})"
    if code == RELU:
        return f"(1.0 if {z} > 0.0 else 0.0)"
    return "1.0"


class _Net:
    """Names and offsets of one architecture's scalars."""

    def __init__(self, sizes, codes, cost, bias):
        self.sizes = sizes
        self.codes = codes  # codes[m] for m = 1..L (codes[0] unused)
        self.cost = cost
        self.bias = bias
        self.L = len(sizes) - 1
        self.params = []  # (name, offset) in params order
        offset = 0
        node = sizes[0]
        self.node_offset = [0]
        for m in range(1, self.L + 1):
            for i in range(sizes[m]):
                for j in range(sizes[m - 1]):
                    self.params.append((f"w{m}_{i}_{j}", offset))
                    offset += 1
            for i in range(sizes[m]):
                self.params.append((f"b{m}_{i}", offset))
                offset += 1
            self.node_offset.append(node)
            node += sizes[m]

    def forward(self) -> list[str]:
        lines = []
        for m in range(1, self.L + 1):
            for i in range(self.sizes[m]):
                lines.append("s = 0.0")
                for j in range(self.sizes[m - 1]):
                    lines.append(f"s += w{m}_{i}_{j} * a{m - 1}_{j}")
                lines.append(f"z{m}_{i} = s + b{m}_{i}")
                lines.append(f"a{m}_{i} = {_sigma(self.codes[m], f'z{m}_{i}', f'beta{m}')}")
        return lines

    def cost_lines(self) -> list[str]:
        L = self.L
        lines = ["c = 0.0"]
        for i in range(self.sizes[L]):
            if self.cost == CROSS_ENTROPY:
                lines.append(f"t = beta{L} * z{L}_{i}")
                lines.append(f"c += y{i} * _softplus(-t) + (1.0 - y{i}) * _softplus(t)")
            else:
                lines.append(f"diff = a{L}_{i} - y{i}")
                lines.append("c += 0.5 * diff * diff")
        return lines

    def backward(self) -> list[str]:
        L = self.L
        lines = []
        for i in range(self.sizes[L]):
            if self.cost == CROSS_ENTROPY:
                lines.append(f"d{L}_{i} = beta{L} * (a{L}_{i} - y{i})")
            else:
                slope = _slope(self.codes[L], f"z{L}_{i}", f"a{L}_{i}", f"beta{L}")
                lines.append(f"d{L}_{i} = (a{L}_{i} - y{i}) * {slope}")
        for m in range(L - 1, 0, -1):
            for j in range(self.sizes[m]):
                lines.append(f"d{m}_{j} = 0.0")
            for i in range(self.sizes[m + 1]):
                for j in range(self.sizes[m]):
                    lines.append(f"d{m}_{j} += w{m + 1}_{i}_{j} * d{m + 1}_{i}")
            for j in range(self.sizes[m]):
                slope = _slope(self.codes[m], f"z{m}_{j}", f"a{m}_{j}", f"beta{m}")
                lines.append(f"d{m}_{j} *= {slope}")
        for m in range(1, L + 1):
            for i in range(self.sizes[m]):
                for j in range(self.sizes[m - 1]):
                    lines.append(f"gw{m}_{i}_{j} += d{m}_{i} * a{m - 1}_{j}")
                if self.bias:
                    lines.append(f"gb{m}_{i} += d{m}_{i}")
        return lines

    def update_lines(self, divide: bool) -> list[str]:
        """The momentum step for every parameter; g = gsum / batch_len, or (divide False,
        for batches of one) g = gsum, which is the same number without a division."""
        # Branch-free finiteness (x - x != 0 exactly when x is inf or nan): a branch per
        # parameter would make big functions that numba's SSA pass cannot handle. Testing
        # the new parameter alone finds what testing it and the step d finds: theta + d is
        # not finite whenever d is not.
        lines = ["bad = False"]
        for name, _ in self.params:
            g, v = f"g{name}", f"v{name}"
            lines += [
                f"g = {g} / batch_len" if divide else f"g = {g}",
                f"d = -alpha * g + momentum * {v}",
                f"{v} = d",
                f"{name} += d",
                f"{g} = 0.0",
                f"bad |= ({name} - {name}) != 0.0",
            ]
        return lines

    def update(self) -> list[str]:
        """The update, without divisions for batches of one."""
        return ["if batch_len == 1:", *["    " + line for line in self.update_lines(False)],
                "else:", *["    " + line for line in self.update_lines(True)]]

    def nodes(self):
        """(name, flat offset) of every node value of layers 1..L."""
        for m in range(1, self.L + 1):
            for i in range(self.sizes[m]):
                yield m, i, self.node_offset[m] + i


def _indent(lines: list[str], depth: int) -> str:
    pad = "    " * depth
    return "\n".join(pad + line for line in lines)


def generate_source(sizes, codes, cost, bias) -> str:
    """The module source of a ``train_batches`` for this architecture (same signature and
    results as ``dense.train_batches``) and a parallel ``train_many`` over networks."""
    net = _Net(sizes, codes, cost, bias)
    L = net.L
    load = [f"beta{m} = betas[{m}]" for m in range(1, L + 1)]
    load += [f"{name} = params[{off}]" for name, off in net.params]
    load += [f"v{name} = velocity[{off}]" for name, off in net.params]
    load += [f"g{name} = grad[{off}]" for name, off in net.params]
    for m, i, off in net.nodes():
        load += [f"z{m}_{i} = z[{off}]", f"a{m}_{i} = a[{off}]", f"d{m}_{i} = delta[{off}]"]
    load += [f"a0_{j} = a[{j}]" for j in range(sizes[0])]
    inputs = [f"a0_{j} = X[idx, {j}]" for j in range(sizes[0])]
    targets = [f"y{i} = Y[idx, {i}]" for i in range(sizes[L])]
    store = [f"params[{off}] = {name}" for name, off in net.params]
    store += [f"velocity[{off}] = v{name}" for name, off in net.params]
    store += [f"grad[{off}] = g{name}" for name, off in net.params]
    for m, i, off in net.nodes():
        store += [f"z[{off}] = z{m}_{i}", f"a[{off}] = a{m}_{i}", f"delta[{off}] = d{m}_{i}"]
    store += [f"a[{j}] = a0_{j}" for j in range(sizes[0])]
    example = inputs + targets + net.forward() + net.cost_lines() + ["batch_cost += c"]
    example += net.backward()
    return f'''"""Generated by kernels.specialize for layers {list(sizes)}, activation codes
{list(codes[1:])}, cost code {cost}, bias {bias}. Do not edit: it is rewritten as needed."""
import math

import numpy as np
from numba import njit, prange

from kernels.config import JIT_FLAGS
from kernels.dense import batch_bounds as _batch_bounds
from kernels.dense import exp as _exp
from kernels.dense import finish_step as _finish_step
from kernels.dense import softplus as _softplus
from kernels.dense import step_order_row as _step_order_row
from kernels.layout import SD_ALPHA, SD_MOMENTUM, ST_BATCH, ST_BATCH_SIZE, ST_N


@njit(**JIT_FLAGS)
def train_batches(layers, betas, cost, params, velocity, grad, z, a, delta,
                  X, Y, order, batch_size, first_batch, n_batches, alpha, momentum,
                  epoch_cost):
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
{_indent(net.update(), 2)}
        if bad or not math.isfinite(batch_cost):
            ran = t_ + 1
            break
{_indent(store, 1)}
    return ran


{_lanes_source(net, example)}

{_step_source(net)}
'''


#: Networks advanced together by one thread in ``train_many``, as the lanes of vector
#: registers: every value of the 2-3-1 update is then computed for several networks by one
#: instruction.
LANES = 8
_IDENTIFIER = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")


def _lane_slots(net: _Net) -> dict[str, int]:
    """Slot of each per-network value in ``train_lanes``' scratch array: parameters, their
    velocities and gradient sums, node values, the example's input and target, the batch's
    cost and its divergence flag."""
    names = [name for name, _ in net.params]
    names += [f"v{name}" for name, _ in net.params] + [f"g{name}" for name, _ in net.params]
    for m, i, _ in net.nodes():
        names += [f"z{m}_{i}", f"a{m}_{i}", f"d{m}_{i}"]
    names += [f"a0_{j}" for j in range(net.sizes[0])]
    names += [f"y{i}" for i in range(net.sizes[net.L])] + ["batch_cost", "bad"]
    return {name: slot for slot, name in enumerate(names)}


def _in_lanes(lines: list[str], slots: dict[str, int]) -> list[str]:
    """``lines`` with every per-network value read from and written to its lane of the
    scratch array (``S[slot * LANES + l]``); temporaries stay scalars of the loop body."""
    def rename(match: re.Match) -> str:
        slot = slots.get(match.group(0))
        return match.group(0) if slot is None else f"S[{slot * LANES} + l]"

    return [_IDENTIFIER.sub(rename, line) for line in lines]


def _lanes_source(net: _Net, example: list[str]) -> str:
    """``train_lanes``: LANES networks r0 .. r0 + LANES - 1 through the same batches, each
    with exactly the operations of ``train_batches`` (so each lane's result is that of a
    run alone); and ``train_many``, which hands blocks of lanes to threads.

    The networks' values live in a scratch array, value by value with the lanes side by
    side, and each step of the update is one loop over the lanes with no branch and no
    call inside (``exp`` is inlined), which LLVM turns into vector instructions. The scratch
    array (a few kB) is the one allocation, once per call for the whole run; ``train_many``
    keeps the signature of ``dense.train_many``, which has no room for it."""
    slots = _lane_slots(net)
    n_in, n_out = net.sizes[0], net.sizes[net.L]
    to_scratch, from_scratch = [], []
    for name, off in net.params:
        for prefix, array in (("", "params"), ("v", "velocity"), ("g", "grad")):
            slot = slots[prefix + name] * LANES
            to_scratch.append(f"S[{slot} + l] = {array}[r, {off}]")
            from_scratch.append(f"{array}[r, {off}] = S[{slot} + l]")
    for m, i, off in net.nodes():
        for prefix, array in (("z", "z"), ("a", "a"), ("d", "delta")):
            slot = slots[f"{prefix}{m}_{i}"] * LANES
            to_scratch.append(f"S[{slot} + l] = {array}[r, {off}]")
            from_scratch.append(f"{array}[r, {off}] = S[{slot} + l]")
    for j in range(n_in):
        to_scratch.append(f"S[{slots[f'a0_{j}'] * LANES} + l] = a[r, {j}]")
        from_scratch.append(f"a[r, {j}] = S[{slots[f'a0_{j}'] * LANES} + l]")
    fetch = [f"S[{slots[f'a0_{j}'] * LANES} + l] = X[idx, {j}]" for j in range(n_in)]
    fetch += [f"S[{slots[f'y{i}'] * LANES} + l] = Y[idx, {i}]" for i in range(n_out)]
    betas = [f"beta{m} = betas[{m}]" for m in range(1, net.L + 1)]
    cost_at, bad_at = slots["batch_cost"] * LANES, slots["bad"] * LANES
    # The example's lines without its input and target loads (fetched above) and with the
    # update's flag kept per lane.
    body = _in_lanes([line for line in example
                      if not line.startswith(("a0_", "y"))], slots)

    def update(divide: bool) -> list[str]:
        lines = _in_lanes(net.update_lines(divide), slots)
        return [line.replace(f"S[{bad_at} + l] = False", f"S[{bad_at} + l] = 0.0")
                .replace(f"S[{bad_at} + l] |= ", f"S[{bad_at} + l] += ")
                .replace(" != 0.0", "") for line in lines]

    return f'''
@njit(**JIT_FLAGS)
def train_lanes(betas, params, velocity, grad, z, a, delta, X, Y, orders, batch_size,
                first_batch, n_batches, alpha, momentum, epoch_cost, ran, r0):
    S = np.empty({len(slots) * LANES})
{_indent(betas, 1)}
    for l in range({LANES}):
        r = r0 + l
        ran[r] = n_batches
{_indent(to_scratch, 2)}
    n = orders.shape[2]
    per_epoch = (n + batch_size - 1) // batch_size
    for t_ in range(n_batches):
        e, start, stop = _batch_bounds(first_batch + t_, per_epoch, batch_size, n)
        for l in range({LANES}):
            S[{cost_at} + l] = 0.0
        for k_ in range(start, stop):
            for l in range({LANES}):
                idx = orders[r0 + l, e, k_]
{_indent(fetch, 4)}
            for l in range({LANES}):
{_indent(body, 4)}
        batch_len = stop - start
        if batch_len == 1:
            for l in range({LANES}):
{_indent(update(False), 4)}
        else:
            for l in range({LANES}):
{_indent(update(True), 4)}
        for l in range({LANES}):
            r = r0 + l
            c = S[{cost_at} + l]
            epoch_cost[r, e] += c
            # The flag summed x - x over the new parameters: 0 unless one is inf or nan.
            if (S[{bad_at} + l] != 0.0 or not math.isfinite(c)) and ran[r] == n_batches:
                ran[r] = t_ + 1
    for l in range({LANES}):
        r = r0 + l
{_indent(from_scratch, 2)}


@njit(parallel=True, **JIT_FLAGS)
def train_many(layers, betas, cost, params, velocity, grad, z, a, delta, X, Y, orders,
               batch_size, first_batch, n_batches, alpha, momentum, epoch_cost, ran):
    total = params.shape[0]
    blocks = total // {LANES}
    for job in prange(blocks + total - blocks * {LANES}):
        if job < blocks:
            train_lanes(betas, params, velocity, grad, z, a, delta, X, Y, orders, batch_size,
                        first_batch, n_batches, alpha, momentum, epoch_cost, ran,
                        job * {LANES})
        else:
            r = blocks * {LANES} + job - blocks
            ran[r] = train_batches(layers, betas, cost, params[r], velocity[r], grad[r],
                                   z[r], a[r], delta[r], X, Y, orders[r], batch_size,
                                   first_batch, n_batches, alpha, momentum, epoch_cost[r])
'''


def _step_source(net: _Net) -> str:
    """``step``: ``dense.step`` for this architecture, with the offsets of every parameter
    and node in the packed arrays written in as constants."""
    sizes, L = net.sizes, net.L
    P, nodes = len(net.params), sum(sizes)
    z0, a0, d0, beta0 = 3 * P, 3 * P + nodes, 3 * P + 2 * nodes, 3 * P + 3 * nodes
    load = [f"beta{m} = buffer[{beta0 + m}]" for m in range(1, L + 1)]
    load += [f"{name} = buffer[{off}]" for name, off in net.params]
    load += [f"v{name} = buffer[{P + off}]" for name, off in net.params]
    load += [f"g{name} = buffer[{2 * P + off}]" for name, off in net.params]
    for m, i, off in net.nodes():
        load += [f"z{m}_{i} = buffer[{z0 + off}]", f"a{m}_{i} = buffer[{a0 + off}]",
                 f"d{m}_{i} = buffer[{d0 + off}]"]
    load += [f"a0_{j} = buffer[{a0 + j}]" for j in range(sizes[0])]
    store = [f"buffer[{off}] = {name}" for name, off in net.params]
    store += [f"buffer[{P + off}] = v{name}" for name, off in net.params]
    store += [f"buffer[{2 * P + off}] = g{name}" for name, off in net.params]
    for m, i, off in net.nodes():
        store += [f"buffer[{z0 + off}] = z{m}_{i}", f"buffer[{a0 + off}] = a{m}_{i}",
                  f"buffer[{d0 + off}] = d{m}_{i}"]
    store += [f"buffer[{a0 + j}] = a0_{j}" for j in range(sizes[0])]
    n_in, n_out = sizes[0], sizes[L]
    inputs = [f"a0_{j} = data[{SD_HEADER} + idx * {n_in} + {j}]" for j in range(n_in)]
    targets = [f"y{i} = data[y_at + idx * {n_out} + {i}]" for i in range(n_out)]
    example = inputs + targets + net.forward() + net.cost_lines() + ["batch_cost += c"]
    example += net.backward()
    orders_at = ST_HEADER + (L + 1) * N_COLUMNS
    return f'''@njit(**JIT_FLAGS)
def step(state, buffer, data):
    row = _step_order_row(state)
    if row < 0:
        return -1 - row
    n = state[ST_N]
    order_at = {orders_at} + row * n
    y_at = {SD_HEADER} + n * {n_in}
    alpha = data[SD_ALPHA]
    momentum = data[SD_MOMENTUM]
{_indent(load, 1)}
    batch_size = state[ST_BATCH_SIZE]
    start = state[ST_BATCH] * batch_size
    stop = min(start + batch_size, n)
    batch_cost = 0.0
    for k_ in range(start, stop):
        idx = state[order_at + k_]
{_indent(example, 2)}
    batch_len = stop - start
{_indent(net.update(), 1)}
{_indent(store, 1)}
    return _finish_step(state, data, stop - start, state[order_at + stop - 1], batch_cost,
                        not bad)
'''


def _key(sizes, codes, cost, bias) -> str:
    """The generated module's name: its architecture, and the source of ``kernels.dense``,
    whose ``exp`` and ``softplus`` it calls. numba's cache of a module does not notice an
    edit to a callee in another module (numba#8396); a new name after such an edit does."""
    text = repr((_VERSION, tuple(sizes), tuple(codes[1:]), cost, bias, _dense_source_hash()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@functools.cache
def _dense_source_hash() -> str:
    return hashlib.sha256(Path(dense.__file__).read_bytes()).hexdigest()


def _generated_dir() -> Path:
    base = Path(CACHE_DIR) if CACHE_DIR else Path(tempfile.gettempdir()) / (
        f"tui-backprop-generated-{os.getuid() if hasattr(os, 'getuid') else 'user'}")
    path = base / "generated"
    path.mkdir(parents=True, exist_ok=True)
    return path


_LOADED: dict[str, object] = {}


def load_module(sizes, codes, cost, bias):
    """The compiled module for this architecture, generating its source if needed."""
    key = _key(sizes, codes, cost, bias)
    if key in _LOADED:
        return _LOADED[key]
    source = generate_source(sizes, codes, cost, bias)
    name = f"_tui_backprop_net_{key}"
    path = _generated_dir() / f"{name}.py"
    try:
        current = path.read_text()
    except OSError:
        current = None
    if current != source:
        # Atomic, so a second process never imports a half-written file; an unchanged file
        # keeps its time stamp and so numba's cache of it stays valid.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}.", suffix=".tmp")
        with os.fdopen(fd, "w") as f:
            f.write(source)
        os.replace(tmp, path)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    _LOADED[key] = module
    return module


def architecture(layers) -> tuple[tuple[int, ...], tuple[int, ...], bool]:
    """(sizes, activation codes with a 0 for the input layer, bias) of a layer table."""
    sizes = tuple(int(s) for s in layers[:, SIZE])
    codes = tuple(int(c) for c in layers[:, ACTIVATION])
    bias = bool(layers[1:, HAS_BIAS].all())
    return sizes, codes, bias


_ = LINEAR  # every activation code is handled by _sigma and _slope
