"""The two packed arrays behind a single training step from Python.

``kernels.dense.step(state, buffer, data)`` runs one update with three arguments, so that
a call costs little more than the update itself: the Network's ``buffer`` and the two
arrays a :class:`StepState` holds. Their layouts (the names are ``kernels.layout``'s)::

    state, int64
      [0, ST_HEADER)        the header, one entry each:
        ST_EPOCH              completed epochs                          (advanced by the kernel)
        ST_BATCH              batches done in the current epoch         (advanced)
        ST_UPDATES            updates (batches) run                     (advanced)
        ST_SEEN               examples trained on                       (advanced)
        ST_LAST               the last example trained on, -1 for none  (advanced)
        ST_DIVERGED           1 once the run has diverged               (set by the kernel)
        ST_N                  examples in the data set, n
        ST_BATCH_SIZE         examples per update
        ST_ROWS               rows of the layer table, L + 1
        ST_N_PARAMS           parameters P of the network
        ST_N_NODES            nodes N^0 + ... + N^L
        ST_BLOCK_FIRST        the first epoch whose order the block holds
        ST_BLOCK_EPOCHS       epochs in the block (0: none loaded)
        ST_FIXED_ORDER        1: every epoch takes the block's row 0 (no shuffling)
        ST_COST               MSE or CROSS_ENTROPY
        ST_PENDING            finished epochs whose summed costs wait in data
      [ST_HEADER, orders_at)  the layer table, (L + 1, N_COLUMNS) row-major
      [orders_at, end)        a block of example orders, (block_epochs, n) row-major

    data, float64
      [SD_RULE, +RULE_SIZE)   the update rule (``rule_values``), alpha at SD_ALPHA and
                              mu at SD_MOMENTUM (0 for sgd)
      SD_PARTIAL_COST         summed cost of the current epoch so far
      [SD_PENDING, SD_HEADER) summed costs of up to PENDING_EPOCHS finished epochs not yet
                              in the loss history, the oldest first
      [SD_HEADER, +n N^0)     X, (n, N^0) row-major
      [.., +n N^L)            Y, (n, N^L) row-major

The counters live here rather than in Python attributes because the kernel advances them;
a Session reads and writes them through a StepState. (The update rule's state, velocity,
second and t, is in the Network's buffer.)
"""

from __future__ import annotations

from typing import overload

import numpy as np

from kernels.layout import (
    N_COLUMNS,
    OPTIMIZER_CODES,
    R_ALPHA,
    R_BETA1,
    R_BETA2,
    R_CODE,
    R_DECAY,
    R_DECAY_BIASES,
    R_EPS,
    R_MOMENTUM,
    R_RHO,
    RULE_SIZE,
    SD_ALPHA,
    SD_HEADER,
    SD_MOMENTUM,
    SD_PARTIAL_COST,
    SD_PENDING,
    SD_RULE,
    ST_BATCH,
    ST_BATCH_SIZE,
    ST_BLOCK_EPOCHS,
    ST_BLOCK_FIRST,
    ST_COST,
    ST_DIVERGED,
    ST_EPOCH,
    ST_FIXED_ORDER,
    ST_HEADER,
    ST_LAST,
    ST_N,
    ST_N_NODES,
    ST_N_PARAMS,
    ST_PENDING,
    ST_ROWS,
    ST_SEEN,
    ST_UPDATES,
)

from .arrays import Floats, Ints
from .config import UpdateRule
from .model import Network
from .orders import EpochOrders


def momentum_path(rule: UpdateRule) -> bool:
    """Whether the kernels run ``rule`` as the momentum step d = -alpha g + mu d_prev
    (sgd with mu = 0): plain momentum and sgd without weight decay. Every other rule runs
    the kernels' ``train_rule`` and ``step_rule`` (``kernels.dense.apply_rule``)."""
    return rule.optimizer in ("sgd", "momentum") and rule.weight_decay == 0.0


def rule_values(rule: UpdateRule, out: Floats | None = None) -> Floats:
    """The kernels' float64 (RULE_SIZE,) form of ``rule`` (``kernels.layout``), written to
    ``out`` (a new array if None). mu is 0 for sgd."""
    values = np.zeros(RULE_SIZE) if out is None else out
    values[R_CODE] = OPTIMIZER_CODES[rule.optimizer]
    values[R_ALPHA] = rule.alpha
    values[R_MOMENTUM] = 0.0 if rule.optimizer == "sgd" else rule.momentum
    values[R_RHO] = rule.rho
    values[R_BETA1] = rule.beta1
    values[R_BETA2] = rule.beta2
    values[R_EPS] = rule.eps
    values[R_DECAY] = rule.weight_decay
    values[R_DECAY_BIASES] = float(rule.decay_biases)
    return values


class _StateInt:
    """An entry of the int64 state, read and written as an int attribute."""

    def __init__(self, index: int, doc: str) -> None:
        self.index = index
        self.__doc__ = doc

    @overload
    def __get__(self, packed: None, owner: type | None = None) -> _StateInt: ...
    @overload
    def __get__(self, packed: StepState, owner: type | None = None) -> int: ...
    def __get__(self, packed: StepState | None, owner: type | None = None) -> int | _StateInt:
        if packed is None:
            return self
        return int(packed.state[self.index])

    def __set__(self, packed: StepState, value: int) -> None:
        packed.state[self.index] = value


class _DataFloat:
    """A scalar of the float64 data, read and written as a float attribute."""

    def __init__(self, index: int, doc: str) -> None:
        self.index = index
        self.__doc__ = doc

    @overload
    def __get__(self, packed: None, owner: type | None = None) -> _DataFloat: ...
    @overload
    def __get__(self, packed: StepState, owner: type | None = None) -> float: ...
    def __get__(self, packed: StepState | None, owner: type | None = None) -> float | _DataFloat:
        if packed is None:
            return self
        return float(packed.data[self.index])

    def __set__(self, packed: StepState, value: float) -> None:
        packed.data[self.index] = value


class StepState:
    """The step state and data of one network training on one data set.

    ``state`` and ``data`` are the arrays laid out above; ``X`` (n, N^0) and ``Y`` (n, N^L)
    are views of ``data`` holding copies of the examples. ``block_epochs`` is how many
    epochs' orders the state has room for (``EpochOrders.block_epochs``).
    """

    epoch = _StateInt(ST_EPOCH, "Completed epochs.")
    batch_in_epoch = _StateInt(ST_BATCH, "Batches done in the current epoch.")
    updates = _StateInt(ST_UPDATES, "Updates (batches) run.")
    examples_seen = _StateInt(ST_SEEN, "Examples trained on (an example in k batches counts k).")
    batch_size = _StateInt(ST_BATCH_SIZE, "Examples per update.")
    alpha = _DataFloat(SD_ALPHA, "alpha, the learning rate.")
    momentum = _DataFloat(SD_MOMENTUM, "mu, the momentum the kernels use (0 for sgd).")
    partial_cost = _DataFloat(SD_PARTIAL_COST, "Summed cost of the current epoch so far.")

    def __init__(self, network: Network, X: Floats, Y: Floats, block_epochs: int) -> None:
        n = len(X)
        self.data: Floats = np.zeros(SD_HEADER + X.size + Y.size)
        self.X: Floats = self.data[SD_HEADER : SD_HEADER + X.size].reshape(X.shape)
        self.Y: Floats = self.data[SD_HEADER + X.size :].reshape(Y.shape)
        self.X[...] = X
        self.Y[...] = Y
        layers = network.layers
        assert layers.shape[1] == N_COLUMNS
        self._orders_at = ST_HEADER + layers.size
        self.state: Ints = np.zeros(self._orders_at + block_epochs * n, dtype=np.int64)
        state = self.state
        state[ST_N] = n
        state[ST_ROWS] = layers.shape[0]
        state[ST_COST] = network.cost_code
        state[ST_N_PARAMS] = network.params.size
        state[ST_N_NODES] = network.z.size
        state[ST_HEADER : self._orders_at] = layers.ravel()

    @property
    def rule(self) -> Floats:
        """The update rule as the kernels read it (a view of ``data``)."""
        return self.data[SD_RULE : SD_RULE + RULE_SIZE]

    def set_rule(self, rule: UpdateRule) -> None:
        """Write ``rule`` where the kernels read it."""
        rule_values(rule, self.rule)

    @property
    def last_example(self) -> int | None:
        """The example whose z, a and delta are in the network's buffers (None: none yet)."""
        k = int(self.state[ST_LAST])
        return None if k < 0 else k

    @last_example.setter
    def last_example(self, value: int | None) -> None:
        self.state[ST_LAST] = -1 if value is None else value

    @property
    def diverged(self) -> bool:
        return bool(self.state[ST_DIVERGED])

    @diverged.setter
    def diverged(self, value: bool) -> None:
        self.state[ST_DIVERGED] = int(bool(value))

    @property
    def pending_epochs(self) -> int:
        """Finished epochs whose summed costs wait in ``data`` for the loss history."""
        return int(self.state[ST_PENDING])

    def take_pending(self) -> Floats:
        """The summed costs of the ``pending_epochs`` finished epochs (oldest first, a
        copy); they no longer wait."""
        pending = int(self.state[ST_PENDING])
        self.state[ST_PENDING] = 0
        return self.data[SD_PENDING : SD_PENDING + pending].copy()

    def drop_pending(self) -> None:
        """Forget the epoch costs waiting in ``data`` (they belong to a run started over)."""
        self.state[ST_PENDING] = 0

    def saved(self) -> tuple[Ints, Floats]:
        """Copies of what changes as the run goes on: the state's header (counters,
        flags) and the data's header (the update rule, the partial and pending costs);
        not the orders block, which ``restore`` drops to be loaded again, nor X and Y."""
        return self.state[:ST_HEADER].copy(), self.data[:SD_HEADER].copy()

    def restore(self, saved: tuple[Ints, Floats]) -> None:
        """Back to what ``saved`` gave; the orders block is loaded again when needed."""
        state, data = saved
        self.state[:ST_HEADER] = state
        self.data[:SD_HEADER] = data
        self.drop_orders()

    def drop_orders(self) -> None:
        """Forget the block of orders (they belong to an old seed); the next step asks for
        a new one."""
        self.state[ST_BLOCK_EPOCHS] = 0

    def load_orders(self, orders: EpochOrders, epoch: int) -> None:
        """Copy the block of ``orders`` holding ``epoch`` into the state."""
        if orders.shuffle:
            first = epoch - epoch % orders.block_epochs
            block = orders.take(first, orders.block_epochs)
        else:
            first, block = 0, orders.take(0, 1)
        state = self.state
        state[self._orders_at : self._orders_at + block.size] = block.ravel()
        state[ST_BLOCK_FIRST] = first
        state[ST_BLOCK_EPOCHS] = block.shape[0]
        state[ST_FIXED_ORDER] = not orders.shuffle
