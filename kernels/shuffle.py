"""Example orders drawn inside a kernel, exactly as NumPy draws them.

``tui_backprop.core.orders.EpochOrders`` draws the order of every epoch with
``rng.permuted(np.tile(arange(n), (E, 1)), axis=1)``, ``rng`` a ``np.random.Generator`` on
NumPy's PCG64. This module makes the same draws, in the same sequence, from the same
generator state, so that a kernel can shuffle each epoch itself (``restarts``, many networks
at once) and still give every network the orders a single run gets. Written after NumPy's
sources:

- numpy/random/src/pcg64/pcg64.h: PCG64 is the 128-bit LCG
  ``state = state * M + inc (mod 2^128)``, M = ``PCG_DEFAULT_MULTIPLIER_128``, whose output
  is XSL-RR of the new state: ``rotr64(hi ^ lo, hi >> 58)`` (``pcg64_random_r``).
  ``pcg64_next32`` splits each 64-bit output in two: the low 32 bits now, the high 32
  bits kept (``has_uint32``, ``uinteger``) for the next 32-bit draw.
- numpy/random/src/distributions/distributions.c ``random_interval(max)``: 0 for max 0
  (no draw), otherwise 32-bit draws (while max <= 0xffffffff) masked to the smallest
  all-ones mask >= max, until one is <= max.
- numpy/random/_generator.pyx ``permuted`` with an axis: each row in turn, in memory
  order, goes through ``_shuffle_raw(n, first=0)``, the Fisher-Yates shuffle
  ``for i = n-1 .. 0: j = random_interval(i); swap(x[i], x[j])``.

A stream's state is one row of a uint64 array of STATE_WORDS words: the 128-bit state and
increment in halves, and ``has_uint32`` and ``uinteger``; ``core.orders`` reads it from and
writes it back to a Generator (``bit_generator.state``). tests/test_shuffle.py holds the
orders and the state after them to NumPy's.

Numba's cache of a kernel in another module (``kernels.dense``) does not notice an edit to
this file (numba#8396); the generated kernels do (their names hash every source file of
``kernels``).
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from .config import INNER_FLAGS, JIT_FLAGS

#: Words of a stream's state, and where each is in its row.
STATE_WORDS = 6
STATE_HI, STATE_LO, INC_HI, INC_LO, HAS_UINT32, UINTEGER = range(STATE_WORDS)

#: PCG_DEFAULT_MULTIPLIER_128 (pcg64.h).
_MULTIPLIER = (0x2360ED051FC65DA4 << 64) | 0x4385DF649FCCF645

#: Example indices per block of orders a network draws at a time (``chunk_epochs``): in the
#: per-network kernels, and per lane in the lanes kernels (16 kB for ``specialize.LANES``
#: lanes, 32 kB for ``specialize.ONLINE_LANES``). Drawing a
#: block at a time, not an epoch, halves the cost of drawing XOR's orders (a call and the
#: state's loads and stores per epoch were as much as the draws themselves).
CHUNK_INDICES = 256

_STEP = types.Tuple((types.uint64, types.uint64, types.int64, types.int64))


@intrinsic
def pcg64_step(typingctx, state_hi, state_lo, inc_hi, inc_lo):
    """One PCG64 step (``pcg64_random_r``): state = state * M + inc mod 2^128, then
    out = rotr64(hi ^ lo, hi >> 58) of the new state. Returns (new hi, new lo, low 32 bits
    of out, high 32 bits of out), the halves as int64 in [0, 2^32). LLVM's i128 gives the
    128-bit product (one or two multiply instructions on x86-64)."""

    def codegen(context, builder, signature, args):
        i64, i128 = ir.IntType(64), ir.IntType(128)
        shift64 = ir.Constant(i128, 64)

        def wide(hi, lo):
            return builder.or_(builder.shl(builder.zext(hi, i128), shift64), builder.zext(lo, i128))

        state = wide(args[0], args[1])
        new = builder.add(builder.mul(state, ir.Constant(i128, _MULTIPLIER)), wide(*args[2:]))
        hi = builder.trunc(builder.lshr(new, shift64), i64)
        lo = builder.trunc(new, i64)
        rotate = builder.module.declare_intrinsic(
            "llvm.fshr", [i64], ir.FunctionType(i64, [i64, i64, i64])
        )
        mixed = builder.xor(hi, lo)
        out = builder.call(rotate, [mixed, mixed, builder.lshr(hi, ir.Constant(i64, 58))])
        low32 = builder.and_(out, ir.Constant(i64, 0xFFFFFFFF))
        high32 = builder.lshr(out, ir.Constant(i64, 32))
        return context.make_tuple(builder, signature.return_type, [hi, lo, low32, high32])

    sig = _STEP(types.uint64, types.uint64, types.uint64, types.uint64)
    return sig, codegen


@njit(inline="always")
def shuffle_swap(row, i, hi, lo, inc_hi, inc_lo, has, kept):
    """One step of ``_shuffle_raw`` (module docstring) on row (n,) int64: j =
    ``random_interval(i)`` (1 <= i < 2^32), then row[i] and row[j] swap places. The stream's
    state comes in as values and goes out as (hi, lo, has, kept), the rest of it (the
    increment) unchanged. Compiled into each caller's own code (numba's ``inline``), not
    called: a kernel that keeps a network in registers draws a step of the next epoch's
    order beside each update (``specialize``'s online kernels), where a call would save
    and restore every one of those registers."""
    mask = i
    mask |= mask >> 1
    mask |= mask >> 2
    mask |= mask >> 4
    mask |= mask >> 8
    mask |= mask >> 16
    while True:
        if has != 0:  # the high half of the last 64-bit output (pcg64_next32)
            has = 0
            value = kept
        else:
            hi, lo, value, kept = pcg64_step(hi, lo, inc_hi, inc_lo)
            has = 1
        value &= mask
        if value <= i:
            break
    swap = row[i]
    row[i] = row[value]
    row[value] = swap
    return hi, lo, has, kept


@njit(**INNER_FLAGS)
def shuffle_rows(states, r, orders):
    """Fill orders (E, n) int64 with the next E epoch orders of stream ``r`` of states
    (R, STATE_WORDS) uint64, advancing it: row e is arange(n) put through ``_shuffle_raw``
    (module docstring), which is what ``permuted(..., axis=1)`` gives row by row. n must be
    below 2^32 (indices of examples in memory are), so ``random_interval`` always takes its
    32-bit draws."""
    hi, lo = states[r, STATE_HI], states[r, STATE_LO]
    inc_hi, inc_lo = states[r, INC_HI], states[r, INC_LO]
    has = np.int64(states[r, HAS_UINT32])
    kept = np.int64(states[r, UINTEGER])
    n = orders.shape[1]
    for e in range(orders.shape[0]):
        row = orders[e]
        for i in range(n):
            row[i] = i
        # i = 0 too in NumPy, but random_interval(0) is 0 without a draw: nothing to do.
        for i in range(n - 1, 0, -1):
            hi, lo, has, kept = shuffle_swap(row, i, hi, lo, inc_hi, inc_lo, has, kept)
    states[r, STATE_HI], states[r, STATE_LO] = hi, lo
    states[r, HAS_UINT32] = has
    states[r, UINTEGER] = kept


@njit(**INNER_FLAGS)
def fill_orders(states, r, shuffle, orders):
    """orders (E, n): the next E epoch orders of network r, drawn from its stream
    (``shuffle_rows``) when ``shuffle``, otherwise the data's order 0..n-1 each epoch (no
    stream is touched), as ``EpochOrders`` gives them."""
    if shuffle:
        shuffle_rows(states, r, orders)
        return
    for e in range(orders.shape[0]):
        for i in range(orders.shape[1]):
            orders[e, i] = i


@njit(**INNER_FLAGS)
def chunk_epochs(n, epochs):
    """Epochs whose orders a network draws at a time: CHUNK_INDICES indices (at least one
    epoch), at most ``epochs``; the block of orders is then a few kB, and each call of the
    one-network kernel a per-network kernel makes trains many updates."""
    return max(1, min(epochs, CHUNK_INDICES // max(n, 1)))


@njit(**JIT_FLAGS)
def draw_orders(states, shuffle, orders):
    """``fill_orders`` for every stream: orders (R, E, n) int64 from states (R,
    STATE_WORDS) uint64, each row advanced past its E epochs. For tests and for callers
    that want the orders themselves."""
    for r in range(orders.shape[0]):
        fill_orders(states, r, shuffle, orders[r])


_SEED = types.UniTuple(types.uint64, 4)


@intrinsic
def pcg64_seeded(typingctx, seed_hi, seed_lo, seq_hi, seq_lo):
    """PCG64's state from its 128-bit seed and sequence (``pcg64_set_seed``, that is
    ``pcg_setseq_128_srandom_r``): inc = (seq << 1) | 1; state = 0, one step; state +=
    seed; one step. Returns (state hi, state lo, inc hi, inc lo)."""

    def codegen(context, builder, signature, args):
        i64, i128 = ir.IntType(64), ir.IntType(128)
        shift64 = ir.Constant(i128, 64)

        def wide(hi, lo):
            return builder.or_(builder.shl(builder.zext(hi, i128), shift64), builder.zext(lo, i128))

        multiplier = ir.Constant(i128, _MULTIPLIER)
        inc = builder.or_(
            builder.shl(wide(args[2], args[3]), ir.Constant(i128, 1)), ir.Constant(i128, 1)
        )
        state = inc  # 0 * M + inc
        state = builder.add(state, wide(args[0], args[1]))
        state = builder.add(builder.mul(state, multiplier), inc)
        parts = [
            builder.trunc(builder.lshr(state, shift64), i64),
            builder.trunc(state, i64),
            builder.trunc(builder.lshr(inc, shift64), i64),
            builder.trunc(inc, i64),
        ]
        return context.make_tuple(builder, signature.return_type, parts)

    return _SEED(types.uint64, types.uint64, types.uint64, types.uint64), codegen


@njit(**JIT_FLAGS)
def seeded_states(words, states):
    """states (R, STATE_WORDS) uint64: PCG64 seeded, as ``np.random.PCG64(seed_sequence)``
    is, from words (R, 4) uint64, each ``seed_sequence.generate_state(4, np.uint64)``
    (seed = words 0 and 1, sequence = words 2 and 3, high word first); no 32-bit half kept."""
    for r in range(words.shape[0]):
        hi, lo, inc_hi, inc_lo = pcg64_seeded(words[r, 0], words[r, 1], words[r, 2], words[r, 3])
        states[r, STATE_HI], states[r, STATE_LO] = hi, lo
        states[r, INC_HI], states[r, INC_LO] = inc_hi, inc_lo
        states[r, HAS_UINT32] = 0
        states[r, UINTEGER] = 0


#: 2^-53: NumPy's next_double is (next_uint64 >> 11) times this (pcg64.h ``pcg64_next_double``).
_DOUBLE_UNIT = 1.0 / 9007199254740992.0


@njit(**JIT_FLAGS)
def uniform_weights(states, starts, sizes, scales, params):
    """Each row r of params (R, P) gets, for each k, ``sizes[k]`` values from column
    ``starts[k]`` on, drawn U(-scales[k], scales[k]) from stream r of states (R,
    STATE_WORDS) uint64, which is advanced: what ``Generator.uniform(-s, s, size)`` gives,
    value by value in order (numpy/random/_generator.pyx ``uniform``: range = high - low;
    distributions.c ``random_uniform``: low + range * next_double, next_double from one
    64-bit output, the kept 32-bit half untouched). The Glorot-uniform initial weights of
    many networks at once (``core.model.Network.initialize``), layer after layer."""
    for r in range(params.shape[0]):
        hi, lo = states[r, STATE_HI], states[r, STATE_LO]
        inc_hi, inc_lo = states[r, INC_HI], states[r, INC_LO]
        for k in range(starts.shape[0]):
            low = -scales[k]
            width = scales[k] - low
            for j in range(sizes[k]):
                hi, lo, low32, high32 = pcg64_step(hi, lo, inc_hi, inc_lo)
                bits = (np.uint64(high32) << np.uint64(32)) | np.uint64(low32)
                unit = np.float64(bits >> np.uint64(11)) * _DOUBLE_UNIT
                params[r, starts[k] + j] = low + width * unit
        states[r, STATE_HI], states[r, STATE_LO] = hi, lo
