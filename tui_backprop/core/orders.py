"""The order in which examples are visited, epoch after epoch, from a seed.

Every front end (the app stepping one example at a time, ``train`` running thousands of
epochs at once, ``restarts``) must see the same orders for the same seed, however it
chops the run into calls. So orders are drawn in fixed blocks of epochs whose size
depends only on the number of examples, from a generator that only ever draws the rows of
the blocks (an epoch's order each), in sequence: epoch k's order is a function of (seed,
n, k) alone, whether NumPy, a kernel that draws orders or one that trains draws it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .arrays import Ints

#: Indices drawn per block, whatever the data size (bounded memory for large data).
_BLOCK_INDICES = 1 << 16


def seed_streams(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    """Two independent generators from one seed: (initial weights, shuffle orders)."""
    init_seq, shuffle_seq = np.random.SeedSequence(seed).spawn(2)
    return np.random.default_rng(init_seq), np.random.default_rng(shuffle_seq)


#: Words of a generator's state as a kernel takes it (``kernels.shuffle``): the 128-bit PCG64
#: state and increment in 64-bit halves (high first), then has_uint32 and uinteger.
STREAM_WORDS = 6
_LOW64 = (1 << 64) - 1


def stream_words(rng: np.random.Generator, out: np.ndarray | None = None) -> np.ndarray:
    """uint64 (STREAM_WORDS,): the state of ``rng``'s PCG64 (``bit_generator.state``) as
    ``kernels.shuffle`` reads it; written into ``out`` if given."""
    state = rng.bit_generator.state
    if state["bit_generator"] != "PCG64":
        raise ValueError(f"kernels draw orders from PCG64 only, not {state['bit_generator']}")
    pcg, inc = state["state"]["state"], state["state"]["inc"]
    words = np.empty(STREAM_WORDS, dtype=np.uint64) if out is None else out
    words[:] = (
        pcg >> 64,
        pcg & _LOW64,
        inc >> 64,
        inc & _LOW64,
        state["has_uint32"],
        state["uinteger"],
    )
    return words


def set_stream_words(rng: np.random.Generator, words: np.ndarray) -> None:
    """Put the state a kernel left in ``words`` (STREAM_WORDS,) back into ``rng``, so that
    it continues from where the kernel stopped."""
    hi, lo, inc_hi, inc_lo, has_uint32, uinteger = words.tolist()  # Python ints
    rng.bit_generator.state = {
        "bit_generator": "PCG64",
        "state": {"state": (hi << 64) | lo, "inc": (inc_hi << 64) | inc_lo},
        "has_uint32": has_uint32,
        "uinteger": uinteger,
    }


#: ``kernels.shuffle.draw_orders`` once a caller that may compile has compiled it
#: (``use_kernel_draws``); until then blocks are drawn by NumPy's ``permuted``. Both draw
#: the same orders from the same generator and leave it in the same state (the kernel is
#: NumPy's algorithm, tests/test_shuffle.py), so a run may switch at any block; the kernel
#: draws a block several times as fast, which for small data sets was a fifth of a long
#: online run's time.
_kernel_draw: Callable[..., Any] | None = None


def use_kernel_draws() -> None:
    """Compile (or load from the cache) the kernel that draws example orders, and draw
    every later block with it. Called where compiling is allowed (a Session's warm-up, off
    the app's event loop); cheap once done."""
    global _kernel_draw
    if _kernel_draw is not None:
        return
    from kernels.shuffle import draw_orders

    states = np.zeros((1, STREAM_WORDS), dtype=np.uint64)
    draw_orders(states, True, np.zeros((1, 1, 2), dtype=np.int64))
    _kernel_draw = draw_orders


# SeedSequence's constants (numpy/random/bit_generator.pyx).
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_MULT_L, _MIX_MULT_R = 0xCA01F9DD, 0x4973F715
_XSHIFT = 16
_POOL_SIZE = 4


def spawned_seed_words(seeds: Ints, child: int) -> np.ndarray:
    """uint64 (R, 4): ``SeedSequence(seed).spawn(2)[child].generate_state(4, np.uint64)``
    for each of ``seeds`` (each from 0 to 2^32 - 1, one 32-bit word of entropy), the words
    ``default_rng`` seeds its PCG64 with (``kernels.shuffle.seeded_states`` does that part),
    computed for all the seeds at once: ``seed_streams`` makes four objects per seed, tens
    of microseconds, which for thousands of restarts is more than their training.

    NumPy's algorithm (bit_generator.pyx: ``mix_entropy``, ``hashmix``, ``mix``,
    ``generate_state``) on uint32 columns, which wrap as its uint32_t do. The child's
    entropy is the seed, padded with zeros to the pool size (4), then its spawn key
    (child,)."""
    seeds = np.asarray(seeds)
    if seeds.size and (seeds.min() < 0 or seeds.max() > 0xFFFFFFFF):
        raise ValueError("seeds of one 32-bit word only (0 .. 2^32 - 1)")
    word = np.uint32
    column = seeds.astype(np.uint32)
    entropy = [column] + [np.zeros_like(column)] * (_POOL_SIZE - 1)
    entropy.append(np.full_like(column, child))
    hash_const = _INIT_A

    def hashmix(value: np.ndarray) -> np.ndarray:
        nonlocal hash_const
        value = value ^ word(hash_const)
        hash_const = (hash_const * _MULT_A) & 0xFFFFFFFF
        value = value * word(hash_const)
        return value ^ (value >> word(_XSHIFT))

    def mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        result: np.ndarray = word(_MIX_MULT_L) * x - word(_MIX_MULT_R) * y
        return result ^ (result >> word(_XSHIFT))

    pool = [hashmix(entropy[i]) for i in range(_POOL_SIZE)]
    for source in range(_POOL_SIZE):
        for target in range(_POOL_SIZE):
            if source != target:
                pool[target] = mix(pool[target], hashmix(pool[source]))
    for source in range(_POOL_SIZE, len(entropy)):
        for target in range(_POOL_SIZE):
            pool[target] = mix(pool[target], hashmix(entropy[source]))
    out = np.empty((len(column), 8), dtype=np.uint32)
    hash_const = _INIT_B
    for i in range(8):  # 4 uint64 words: 8 uint32, the low half of each first
        value = pool[i % _POOL_SIZE] ^ word(hash_const)
        hash_const = (hash_const * _MULT_B) & 0xFFFFFFFF
        value = value * word(hash_const)
        out[:, i] = value ^ (value >> word(_XSHIFT))
    return out.view("<u8").astype(np.uint64)


class EpochOrders:
    """Example orders for epochs 0, 1, 2, ... of a data set of ``n`` examples.

    shuffle=False gives the data's own order, 0..n-1, every epoch.

    A block's rows are drawn when first needed, in sequence, so that a kernel can draw
    them itself as it trains (``take_drawing``); whoever draws a row, it is the same row.
    """

    def __init__(self, n: int, rng: np.random.Generator | None, shuffle: bool = True) -> None:
        self.n = n
        self.shuffle = shuffle and n > 1
        self._rng = rng
        self.block_epochs = max(1, _BLOCK_INDICES // max(n, 1))
        self._block_index = -1
        #: Every epoch in the data's order, a block of them (what ``take`` hands out
        #: without shuffling).
        self._unshuffled = np.tile(np.arange(n, dtype=np.int64), (self.block_epochs, 1))
        #: The block in hand, (block_epochs, n), of which rows 0 .. _rows_drawn - 1 are
        #: drawn. Each block is drawn over the one before (``take`` hands out views that
        #: last until the next call), so that no block costs fresh memory: a new
        #: half-megabyte array is a hundred page faults, a few percent of a small
        #: network's training.
        self._block = self._unshuffled
        self._rows_drawn = self.block_epochs
        #: The generator's state before the block in hand was drawn (see ``saved``).
        self._state_before: dict[str, Any] | None = (
            None if rng is None else dict(rng.bit_generator.state)
        )

    def blocks_in(self, epochs: int) -> int:
        """About how many blocks of orders a run of ``epochs`` epochs draws (0 unshuffled)."""
        return -(-epochs // self.block_epochs) if self.shuffle else 0

    def _load_block(self, index: int) -> None:
        """Make block ``index`` the one in hand, none of its rows drawn yet (the blocks
        before it drawn whole, so that the generator is where that block starts)."""
        if index < self._block_index:
            raise ValueError("epoch orders are drawn forwards only; restart from the seed")
        if self._rng is None:
            raise ValueError("shuffled epoch orders need a random generator")
        while self._block_index < index:
            self._draw_rows(self.block_epochs)
            self._state_before = dict(self._rng.bit_generator.state)
            if self._block is self._unshuffled:
                # zeros, not empty: a row read before it is drawn holds valid indices
                self._block = np.zeros((self.block_epochs, self.n), dtype=np.int64)
            self._rows_drawn = 0
            self._block_index += 1

    def _draw_rows(self, stop: int) -> None:
        """Draw the block in hand's rows up to ``stop`` (exclusive), each arange(n)
        shuffled: ``rng.permuted(..., axis=1)``, or the kernel that draws the same (see
        ``use_kernel_draws``)."""
        start = self._rows_drawn
        if stop <= start:
            return
        rng = self._rng
        assert rng is not None  # a shuffled block in hand has its generator
        rows = self._block[start:stop]
        draw = _kernel_draw
        if draw is None:
            base = np.tile(np.arange(self.n, dtype=np.int64), (stop - start, 1))
            rows[...] = rng.permuted(base, axis=1)
        else:
            words = stream_words(rng)[None, :]
            draw(words, True, rows[None])
            set_stream_words(rng, words[0])
        self._rows_drawn = stop

    def take_drawing(
        self, first_epoch: int, count: int, inside_epoch: bool
    ) -> tuple[Ints, np.ndarray, Ints]:
        """For a kernel that draws orders as it trains (``kernels.drawing_trainer``):
        (orders, stream, drawn) for epochs first_epoch .. first_epoch + count - 1, all in
        one block. orders (count, n) int64 is a view of the block, of which rows 0 ..
        drawn[0] - 1 are drawn: the first, and the second too for a call that starts
        ``inside_epoch`` (the kernel draws a row during the epoch before it, from its
        first update). stream (1, STREAM_WORDS) uint64 is the generator's state after
        those rows. Give all three to ``drawn_by_kernel`` after the call. Unshuffled
        orders come with every row drawn."""
        drawn = np.array([count], dtype=np.int64)
        if not self.shuffle:
            return self.take(first_epoch, count), np.zeros((1, STREAM_WORDS), np.uint64), drawn
        block, row = divmod(first_epoch, self.block_epochs)
        if row + count > self.block_epochs:
            raise ValueError("a kernel draws orders within one block")
        self._load_block(block)
        self._draw_rows(row + min(count, 2 if inside_epoch else 1))
        rng = self._rng
        assert rng is not None
        drawn[0] = min(count, self._rows_drawn - row)
        return self._block[row : row + count], stream_words(rng)[None, :], drawn

    def drawn_by_kernel(self, first_epoch: int, stream: np.ndarray, drawn: Ints) -> None:
        """Record what a kernel given ``take_drawing(first_epoch, ...)`` drew: the rows
        up to drawn[0], and the generator's state after them in ``stream``."""
        if not self.shuffle:
            return
        rng = self._rng
        assert rng is not None
        self._rows_drawn = max(self._rows_drawn, first_epoch % self.block_epochs + int(drawn[0]))
        set_stream_words(rng, stream[0])

    def saved(self) -> tuple[int, dict[str, Any] | None]:
        """Where the stream is, in a few bytes: the block in hand and the generator's
        state before it was drawn (``restore`` draws it again, the same)."""
        return self._block_index, self._state_before

    def restore(self, saved: tuple[int, dict[str, Any] | None]) -> None:
        """Back to where ``saved`` was (the same seed's stream, from a ``saved``)."""
        index, state = saved
        if self._rng is None or state is None:
            return  # no generator: the data's own order, nothing to go back to
        self._rng.bit_generator.state = state
        self._block_index = -1 if index < 0 else index - 1
        self._rows_drawn = self.block_epochs  # the block before is whole: draw none of it
        if index >= 0:
            self._load_block(index)

    def take(self, first_epoch: int, count: int) -> Ints:
        """int64 (count, n): the orders of epochs first_epoch .. first_epoch + count - 1.

        Read-only for the caller, and good until the next call: within one block it is a
        view, not a copy (stepping one update at a time calls this for every update), and
        the next block may be drawn over it."""
        if not self.shuffle:
            if count <= self.block_epochs:
                return self._unshuffled[:count]
            return np.tile(self._unshuffled[:1], (count, 1))
        block, row = divmod(first_epoch, self.block_epochs)
        if row + count <= self.block_epochs:
            self._load_block(block)
            self._draw_rows(row + count)
            return self._block[row : row + count]
        rows = []
        epoch = first_epoch
        end = first_epoch + count
        while epoch < end:
            block, row = divmod(epoch, self.block_epochs)
            self._load_block(block)
            stop = min(end - epoch, self.block_epochs - row)
            self._draw_rows(row + stop)
            rows.append(self._block[row : row + stop].copy())  # the next block may reuse it
            epoch += stop
        return np.concatenate(rows)
