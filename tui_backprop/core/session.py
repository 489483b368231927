"""The trainer every front end shares: the app, ``train``, ``gradcheck``, the estimators.

A Session owns a Network, the data, the schedule (the update rule, batch size, where in
which epoch it is) and a bounded loss history. The kernels do the arithmetic; the Session
decides what to run next and keeps count. It never imports anything from the UI.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import time
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar, cast

import numpy as np
from numpy.typing import ArrayLike

import kernels
from kernels.layout import STEP_NEEDS_ORDERS, STEP_PENDING_FULL, STEP_RAN

from .arrays import Floats, Ints, PerLayer, layer_arrays
from .checkpoint import Checkpoint
from .config import TrainingConfig, UpdateRule, check_alpha, check_momentum, check_seed
from .history import LossHistory
from .model import Network
from .optimizers import last_change
from .orders import EpochOrders, seed_streams, use_kernel_draws
from .reference import ReferenceNetwork
from .snapshot import Snapshot
from .spec import NetworkSpec
from .step_state import StepState, momentum_path

ProgressCallback = Callable[[int, int], None]
#: ``run_epochs``'s progress(done, count): epochs done so far, a fraction within one.
EpochProgress = Callable[[float, int], None]


def chunk_end(position: int, chunk: int, per_epoch: int, least: int) -> int:
    """Where a chunk of about ``chunk`` batches from batch ``position`` of a run (counted
    from its first epoch's first batch; ``per_epoch`` batches an epoch) ends: a chunk
    that reaches the end of its epoch ends at an epoch's end (the last it reaches), one
    within an epoch ends there, or at the epoch's end when fewer than ``least`` batches
    would be left of it. So with chunks of ``least`` or more, a run's calls (which also
    end where a block of the epochs' orders does) are ``least`` batches or more, but for
    a run of fewer, epochs of fewer, and a resumed run's first call from fewer than that
    before an epoch's end."""
    stop = position + chunk
    epoch_end = (position // per_epoch + 1) * per_epoch
    if stop >= epoch_end:
        return stop - stop % per_epoch
    if epoch_end - stop < least:
        return epoch_end
    return stop


T = TypeVar("T")


class _InStepState(Generic[T]):
    """A Session attribute kept in its StepState (``session._packed``), where the step
    kernel reads and advances it; the attribute of the same name there, unless given."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name or ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = self.name or name

    def __get__(self, session: Session, owner: type | None = None) -> T:
        return cast(T, getattr(session._packed, self.name))

    def __set__(self, session: Session, value: T) -> None:
        setattr(session._packed, self.name, value)


class Session:
    """Training state of one network on one data set.

    X : (n, N^0) inputs; Y : (n, N^L) targets (float64, copied to contiguous arrays).
    initial : exact starting (weights, biases) for the first seed, e.g. from ``--init``;
    ``reseed`` draws random ones from then on. ``initial_from_file``: whether they come
    from a file (the default) or are another Session's kept (``initial_from_file`` then
    says False, and a front end may draw new ones for another activation).
    specialized : use a kernel generated for this architecture (True), the general one
    (False), or decide by size (None); the results are the same bit for bit.
    """

    def __init__(
        self,
        spec: NetworkSpec,
        X: ArrayLike,
        Y: ArrayLike,
        settings: TrainingConfig,
        initial: tuple[Sequence[ArrayLike], Sequence[ArrayLike] | None] | None = None,
        specialized: bool | None = None,
        initial_from_file: bool = True,
    ) -> None:
        self.spec = spec
        self.settings = settings
        X = np.asarray(X, dtype=np.float64)
        Y = np.asarray(Y, dtype=np.float64)
        if X.shape[1] != spec.sizes[0] or Y.shape[1] != spec.sizes[-1]:
            raise ValueError(
                f"data has {X.shape[1]} inputs and {Y.shape[1]} outputs, network is {spec.label}"
            )
        settings.check_data_size(len(X))
        self.network = Network(spec)
        self._buffer = self.network.buffer
        self._specialized = specialized
        # What one update needs lives in three arrays, so that a single step from Python
        # (``kernels.dense.step``) costs little more than the update: the network's buffer
        # and the step state's two (``step_state``), which hold the counters, alpha,
        # momentum, the example orders and X and Y (self.X and self.Y are views of them).
        block_epochs = EpochOrders(len(X), None, settings.shuffle).block_epochs
        self._packed = StepState(self.network, X, Y, block_epochs)
        self._state, self._data = self._packed.state, self._packed.data
        self.X, self.Y = self._packed.X, self._packed.Y
        self._rule = settings.rule
        #: (updates, the last update's change d, flat) when the rule changed since that
        #: update (``rule``'s setter); the Snapshot shows it until the next.
        self._change_made: tuple[int, Floats] | None = None
        self._momentum_path = momentum_path(self._rule)
        self._single_step: Callable[..., Any] | None = None
        self._packed.set_rule(self._rule)
        self._packed.batch_size = settings.batch_size
        self.outputs = np.zeros((len(self.X), spec.sizes[-1]))
        self.costs = np.zeros(len(self.X))
        #: The kernels' epoch costs, a call's worth (at most a block of orders), reused:
        #: stepping calls once per update, and a fresh block-sized array each call would
        #: be fresh pages each time.
        self._epoch_costs = np.zeros(1)
        # evaluate() works in buffers of its own: the network's z, a and delta keep the
        # last trained example's values, which the display shows.
        self._eval_z = np.zeros_like(self.network.z)
        self._eval_a = np.zeros_like(self.network.a)
        self._loss = float("nan")
        self._eval_seconds = 0.0
        self._eval_time = -np.inf
        self._history = LossHistory()
        self._epoch_losses: list[float] | None = None
        self._file_weights = initial
        self._initial_from_file = initial_from_file
        #: False while a front end gets this Session's kernels compiled or loaded in the
        #: background (see ``warm_kernels``): until then evaluating, for a Snapshot, uses
        #: the NumPy reference (the same numbers to within rounding) and nothing may train.
        self.kernels_ready = True
        self.reseed(settings.seed)

    # -- the kernels ----------------------------------------------------------------------
    @functools.cached_property
    def _kernels(self) -> tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]:
        """(train_batches, step, evaluate) for this network, looked up on first use: numba
        is imported, and a generated module loaded, only when something trains or evaluates
        with them, so a Session can be built and shown (``kernels_ready`` False) first."""
        layers, cost = self.network.layers, self.network.cost_code
        train_batches, _ = kernels.trainers(layers, cost, self._specialized)
        online = self.batch_size == 1
        return (
            train_batches,
            kernels.stepper(layers, cost, self._specialized, online),
            kernels.evaluator(layers, cost, self._specialized),
        )

    @functools.cached_property
    def _rule_kernels(self) -> tuple[Callable[..., Any], Callable[..., Any]]:
        """(train_rule, step_rule) for this network: the kernels of the update rules other
        than plain momentum and sgd, looked up (and compiled) on the first use of one."""
        layers, cost = self.network.layers, self.network.cost_code
        train_rule, _ = kernels.rule_trainers(layers, cost, self._specialized)
        return train_rule, kernels.rule_stepper(layers, cost, self._specialized)

    @functools.cached_property
    def _drawing_trainer(self) -> Callable[..., Any] | None:
        """The online kernel that draws the epochs' orders as it trains
        (``kernels.drawing_trainer``), used for shuffled runs of batches of one on the
        momentum path; None for the general kernels, which take the orders drawn."""
        if self.batch_size != 1:
            return None
        net = self.network
        return kernels.drawing_trainer(net.layers, net.cost_code, self._specialized)

    @property
    def _train_batches(self) -> Callable[..., Any]:
        return self._kernels[0]

    @_train_batches.setter
    def _train_batches(self, kernel: Callable[..., Any]) -> None:
        """Train with ``kernel`` from now on, orders drawn before each call (a test moving
        a run between kernels that give the same bits)."""
        self._kernels = (kernel, *self._kernels[1:])
        self._drawing_trainer = None
        self._single_step = None

    @property
    def _step(self) -> Callable[..., Any]:
        return self._kernels[1]

    @property
    def _evaluate(self) -> Callable[..., Any]:
        return self._kernels[2]

    @property
    def _one_step(self) -> Callable[..., Any]:
        """The kernel of one update on the packed arrays, for the rule in use."""
        return self._step if self._momentum_path else self._rule_kernels[1]

    def _choose_single_step(self) -> Callable[..., Any]:
        """``_one_step``'s compiled function for the packed arrays, kept in ``_single_step``
        (None again whenever the rule changes), so that a single step from Python is one
        attribute read and the call.

        The packed arrays are made with the Session and never replaced, so their types
        never change; calling the function numba compiled for them skips its dispatcher's
        matching of the arguments' types to its compiled versions, 0.4 us of a 1.1 us
        step. Until the kernel has that version (a first step that compiles), the kernel
        itself is used, and not kept. The compiled versions are read, not compiled here:
        ``Dispatcher.compile`` would wait for numba's compiler lock, which a warm-up in
        another thread may hold for seconds."""
        step = self._one_step
        # A numba dispatcher's type of a value, and its compiled versions (not a fake's).
        typeof = getattr(step, "typeof_pyval", None)
        overloads = getattr(step, "overloads", None)
        if typeof is None or overloads is None:
            self._single_step = step
            return step
        types = tuple(typeof(array) for array in (self._state, self._buffer, self._data))
        compiled = overloads.get(types)
        if compiled is None:
            return step
        self._single_step = compiled.entry_point
        return compiled.entry_point

    # -- settings that change while running ----------------------------------------------
    @property
    def rule(self) -> UpdateRule:
        """The update rule: the optimizer, alpha and the rest (``core.config.UpdateRule``).

        Setting a rule with another optimizer starts its state afresh (velocity, second
        and t zero) and keeps the weights; one with the same optimizer and other numbers
        keeps the state, as changing alpha or momentum does. (A TrainingConfig gives its
        rule.)"""
        return self._rule

    @rule.setter
    def rule(self, rule: UpdateRule) -> None:
        if not isinstance(rule, UpdateRule):
            raise TypeError(f"an update rule must be an UpdateRule, got {rule!r}")
        rule = rule.rule  # the rule alone, of a TrainingConfig too
        if self._change_made is None or self._change_made[0] != self.updates:
            # The last change shown is the one the last update made, until the next one:
            # worked out now, with the rule that made it (adam's from m, s and t with its
            # alpha and betas), before another optimizer's state starts from zero.
            net = self.network
            made = last_change(self._rule, net.velocity, net.second, self.optimizer_steps)
            self._change_made = (self.updates, made)
        if rule.optimizer != self._rule.optimizer:
            self.network.clear_state()
        self._rule = rule
        self._momentum_path = momentum_path(rule)
        self._single_step = None
        self._packed.set_rule(rule)

    @property
    def optimizer(self) -> str:
        """The update rule's optimizer (``core.config.OPTIMIZERS``)."""
        return self._rule.optimizer

    @property
    def alpha(self) -> float:
        return self._rule.alpha

    @alpha.setter
    def alpha(self, value: float) -> None:
        self.rule = dataclasses.replace(self._rule, alpha=check_alpha(value))

    @property
    def momentum(self) -> float:
        return self._rule.momentum

    @momentum.setter
    def momentum(self, value: float) -> None:
        self.rule = dataclasses.replace(self._rule, momentum=check_momentum(value))

    @property
    def optimizer_steps(self) -> int:
        """t, the updates since the update rule's state was zero (Adam's bias corrections
        use it); set it with the state when resuming a saved run."""
        return int(self.network.steps[0])

    @optimizer_steps.setter
    def optimizer_steps(self, value: int) -> None:
        if not (isinstance(value, (int, np.integer)) and not isinstance(value, bool)):
            raise TypeError(f"optimizer_steps must be a whole number, got {value!r}")
        if not 0 <= value <= 2**53:
            raise ValueError(f"optimizer_steps must be from 0 to 2**53, got {value}")
        self.network.steps[0] = float(value)

    # -- counters: kept in the step state, where the kernels advance them -----------------
    #: Completed epochs.
    epoch = _InStepState[int]()
    #: Batches done in the current epoch.
    batch_in_epoch = _InStepState[int]()
    #: Updates (batches) run.
    updates = _InStepState[int]()
    #: Examples trained on (an example in k batches counts k).
    examples_seen = _InStepState[int]()
    #: The example whose z, a and delta are in the network's buffers (None: none yet).
    last_example = _InStepState[int | None]()

    @property
    def batch_size(self) -> int:
        """Examples per update, from the settings: fixed for the Session's life, since its
        single-step kernel is chosen for it (``kernels.stepper``)."""
        return self._packed.batch_size

    @property
    def history(self) -> LossHistory:
        """The loss curve: (epoch, mean loss) of finished epochs, thinned."""
        self._flush()
        return self._history

    @property
    def epoch_losses(self) -> list[float] | None:
        """When a list, every finished epoch's mean loss is appended to it, unthinned."""
        self._flush()
        return self._epoch_losses

    @epoch_losses.setter
    def epoch_losses(self, value: list[float] | None) -> None:
        self._flush()
        self._epoch_losses = value

    def _flush(self) -> None:
        """Record the epochs that single steps finished (their costs wait in the step
        state)."""
        if self._packed.pending_epochs:
            costs = self._packed.take_pending()
            self._record(self.epoch - len(costs) + 1, costs / self.n_examples)

    def _record(self, first_epoch: int, means: Floats) -> None:
        self._history.extend(first_epoch, means)
        if self._epoch_losses is not None:
            self._epoch_losses.extend(means.tolist())

    #: The run has diverged (a loss or a parameter is no longer finite).
    diverged = _InStepState[bool]()
    #: Summed cost of the current epoch so far.
    _partial_cost = _InStepState[float]("partial_cost")

    @property
    def n_examples(self) -> int:
        return len(self.X)

    @property
    def batches_per_epoch(self) -> int:
        return -(-self.n_examples // self.batch_size)

    # -- starting over --------------------------------------------------------------------
    def reseed(self, seed: int) -> None:
        """New seed: new initial weights (the ``--init`` file's only for the first seed)
        and new shuffle orders; counters and history cleared."""
        self.seed = check_seed(seed)
        init_rng, _ = seed_streams(seed)
        self.initial_from_file = self._file_weights is not None and self._initial_from_file
        if self._file_weights is not None:
            self.network.set_parameters(*self._file_weights)
            self._file_weights = None
        else:
            self.network.initialize(init_rng)
        self._initial_params = self.network.params.copy()
        self.restart()

    def initial_parameters(self) -> tuple[list[Floats], list[Floats]]:
        """Copies of this seed's initial (W^1..W^L, b^1..b^L)."""
        net = self.network
        saved = net.params.copy()
        net.params[...] = self._initial_params
        weights, biases = net.weights(), net.biases()
        net.params[...] = saved
        return weights, biases

    def restart(self) -> None:
        """Back to this seed's initial weights and example orders, counters cleared."""
        self.network.params[...] = self._initial_params
        self.network.clear_state()
        self._orders = EpochOrders(
            self.n_examples, seed_streams(self.seed)[1], self.settings.shuffle
        )
        self._packed.drop_orders()  # the step state's orders are the old seed's
        self.epoch = 0  # completed epochs
        self.batch_in_epoch = 0  # batches done in the current epoch
        self.updates = 0
        self.examples_seen = 0
        self._partial_cost = 0.0  # summed cost of the current epoch so far
        self.last_example = None  # the example whose z, a, delta are in net
        self._change_made = None  # no update yet: no last change
        self._packed.drop_pending()  # epochs of the old run not yet recorded: dropped
        self._history.clear()
        self.diverged = False

    # -- going back ------------------------------------------------------------------------
    def checkpoint(self) -> Checkpoint:
        """Everything the run goes on from, copied: replaying the same updates from a
        restored checkpoint gives the same bits (the orders come from the same stream)."""
        return Checkpoint(
            self.updates,
            self.epoch,
            self.seed,
            self.alpha,
            self.momentum,
            self._buffer.copy(),
            self._packed.saved(),
            self._orders.saved(),
            self._history.saved(),
            None if self._epoch_losses is None else list(self._epoch_losses),
            self._rule,
        )

    def restore(self, point: Checkpoint) -> None:
        """Back to ``point`` (taken from this Session, since its last reseed)."""
        self._buffer[...] = point.buffer  # with the rule's state, second and t
        self._packed.restore(point.step_state)  # with the rule's numbers the kernels read
        self._change_made = None  # the point's state, made with its rule
        if point.rule is not None:
            self._rule = point.rule
            self._momentum_path = momentum_path(point.rule)
            self._single_step = None
        self._orders.restore(point.orders)
        self._history.restore(point.history)
        self._epoch_losses = None if point.epoch_losses is None else list(point.epoch_losses)
        self._eval_time = -np.inf  # the outputs and the loss are evaluated afresh

    # -- training -------------------------------------------------------------------------
    def _position(self) -> int:
        """Examples into the run so far, from the epoch and batch counters."""
        return self.epoch * self.n_examples + min(
            self.batch_in_epoch * self.batch_size, self.n_examples
        )

    def run_batches(self, count: int) -> int:
        """Run up to ``count`` updates (batches); returns how many ran. Stops at divergence."""
        if count == 1:
            # A single step (the app's `n` key): one kernel call on the packed arrays, and
            # mostly no Python work at all: finished epochs wait in ``_data`` to be recorded
            # in bulk (by ``_flush``, before anything reads the history).
            step = self._single_step or self._choose_single_step()
            status = step(self._state, self._buffer, self._data)
            if status == STEP_RAN:
                return 1
            return self._after_step(status)
        self._flush()
        net = self.network
        done = 0
        per_epoch = self.batches_per_epoch
        block_epochs = self._orders.block_epochs
        while done < count and not self.diverged:
            # Each call ends where the block of orders in hand does: ``take`` then hands
            # out a view of the block, where a longer call would have its blocks copied
            # into one array (a few percent of a small network's training).
            in_block = block_epochs - self.epoch % block_epochs
            want = min(count - done, in_block * per_epoch - self.batch_in_epoch)
            first = self.batch_in_epoch
            spanned = -(-(first + want) // per_epoch)
            drawing = self._drawing_trainer if self._momentum_path else None
            if drawing is not None:
                order, stream, drawn = self._orders.take_drawing(self.epoch, spanned, first > 0)
            else:
                order = self._orders.take(self.epoch, spanned)
            if len(self._epoch_costs) < spanned:
                self._epoch_costs = np.zeros(block_epochs)
            epoch_cost = self._epoch_costs[:spanned]
            epoch_cost[:] = 0.0
            epoch_cost[0] = self._partial_cost
            before = self._position()
            if drawing is not None:
                ran = drawing(
                    net.betas,
                    net.params,
                    net.velocity,
                    net.z,
                    net.a,
                    net.delta,
                    self.X,
                    self.Y,
                    order,
                    first,
                    want,
                    self.alpha,
                    self._packed.momentum,  # 0 for sgd
                    epoch_cost,
                    stream,
                    drawn,
                )
                self._orders.drawn_by_kernel(self.epoch, stream, drawn)
                net.steps[0] += ran
            elif self._momentum_path:
                ran = self._train_batches(
                    net.layers,
                    net.betas,
                    net.cost_code,
                    net.params,
                    net.velocity,
                    net.grad,
                    net.z,
                    net.a,
                    net.delta,
                    self.X,
                    self.Y,
                    order,
                    self.batch_size,
                    first,
                    want,
                    self.alpha,
                    self._packed.momentum,  # 0 for sgd
                    epoch_cost,
                )
                net.steps[0] += ran
            else:
                ran = self._rule_kernels[0](
                    net.layers,
                    net.betas,
                    net.cost_code,
                    net.params,
                    net.velocity,
                    net.second,
                    net.grad,
                    net.z,
                    net.a,
                    net.delta,
                    self.X,
                    self.Y,
                    order,
                    self.batch_size,
                    first,
                    want,
                    self._packed.rule,
                    net.steps,
                    epoch_cost,
                )
            if ran:
                # The last example of the last batch run: its z, a and delta are the ones
                # left in the network's work buffers.
                last_batch = first + ran - 1
                e, k = divmod(last_batch, per_epoch)
                self.last_example = int(
                    order[e, min((k + 1) * self.batch_size, self.n_examples) - 1]
                )
            reached = first + ran
            finished = reached // per_epoch
            if finished:
                # The means in place: the epoch costs are scratch, zeroed before each call;
                # a fresh array of a block's epochs (128 kB for XOR) each call was about
                # half a percent of XOR's training.
                means = epoch_cost[:finished]
                means /= self.n_examples
                self._record(self.epoch + 1, means)
            self.epoch += finished
            self.batch_in_epoch = reached % per_epoch
            self._partial_cost = float(epoch_cost[finished]) if self.batch_in_epoch else 0.0
            self.updates += ran
            self.examples_seen += self._position() - before
            done += ran
            if ran < want:
                self.diverged = True
        return done

    def next_batch(self) -> Ints:
        """int64 (B,): the examples the next update trains on, in the order it takes them
        (the rest of this epoch's order when the last batch is short)."""
        order = self._orders.take(self.epoch, 1)[0]
        start = self.batch_in_epoch * self.batch_size
        return order[start : start + self.batch_size].copy()

    def _after_step(self, status: int) -> int:
        """The rarer outcomes of a single step: new orders needed, epoch costs to record,
        or nothing ran."""
        while True:
            if status & STEP_PENDING_FULL:
                self._flush()
            if status == STEP_NEEDS_ORDERS:
                self._packed.load_orders(self._orders, self.epoch)
            if status & STEP_RAN or status == 0:  # 0: the run had diverged
                return status & STEP_RAN
            status = self._one_step(self._state, self._buffer, self._data)

    def warm_up(
        self, single_steps: bool = False, every_path: bool = False, batch_size: int | None = None
    ) -> None:
        """Compile (or load from the cache) the training kernels, changing nothing, so
        that timing a run measures training alone; with ``single_steps`` also the kernel
        behind ``run_batches(1)``.

        The paths of the update are kernels of their own, each compiled only when used
        (``kernels.general_train_batches`` and the generated modules' ``train_batches``):
        this compiles those a run of ``settings.epochs`` epochs (``run_epochs``) takes from
        here, or, with ``every_path``, every one that calls of any length may take: at
        ``batch_size`` (online or mini-batches), or at any batch size if that is None (what
        ``cache --warm`` readies for later runs); ``batch_size`` counts only with
        ``every_path``. A rule other than
        plain momentum or sgd runs one kernel at every batch size (``train_rule``, and
        ``step_rule`` for single steps): that one is compiled. So is the kernel that draws
        example orders (``orders.use_kernel_draws``), for every path or a run that draws
        more than one block of orders: NumPy draws a block (2^16 indices) about a
        millisecond slower than the kernel, which takes a second to compile (a quarter of
        a short ``train``'s first start) and about 15 ms to load from the cache."""
        # Counted from epoch 0: a resumed run draws the blocks before its epoch too.
        if every_path or self._orders.blocks_in(self.epoch + self.settings.epochs) > 1:
            use_kernel_draws()
        net = self.network
        if not self._momentum_path:
            order = np.arange(self.n_examples, dtype=np.int64)[None, :]
            self._rule_kernels[0](
                net.layers,
                net.betas,
                net.cost_code,
                net.params.copy(),
                net.velocity.copy(),
                net.second.copy(),
                net.grad.copy(),
                net.z.copy(),
                net.a.copy(),
                net.delta.copy(),
                self.X,
                self.Y,
                order,
                self.batch_size,
                0,
                0,
                self._packed.rule.copy(),
                net.steps.copy(),
                np.zeros(1),
            )
            if single_steps:
                self._one_step(self._state.copy(), self._buffer.copy(), self._data.copy())
            return
        # (batch size, updates): the kernel each one takes. Batches of one train online,
        # larger ones on ``train_minibatches`` (generated or general kernels alike).
        calls = [(1, 0), (2, 0)] if every_path else [(self.batch_size, 0)]
        if self._train_batches is kernels.general_train_batches:
            # run_epochs' calls are COLUMNS_MIN_UPDATES updates or more (``chunk_end``) but
            # for a run of fewer, epochs of fewer, or a first call that ends this epoch in
            # fewer; online calls of fewer run by rows, longer ones by columns.
            columns = kernels.COLUMNS_MIN_UPDATES
            per_epoch = self.batches_per_epoch
            first = per_epoch - self.batch_in_epoch
            total = self.settings.epochs * per_epoch - self.batch_in_epoch
            if every_path:
                calls = [(1, 0), (1, columns), (2, 0)]
            elif self.batch_size == 1:
                calls = [(1, 0)] if first < columns else []
                if total >= columns:
                    calls.append((1, columns))
        if every_path and batch_size is not None:  # that batch size's paths only
            calls = [call for call in calls if (call[0] == 1) == (batch_size == 1)]
        # The data's own order (the session's orders are drawn forwards only).
        epochs = -(-max(*(count for _, count in calls), 1) // self.batches_per_epoch)
        order = np.tile(np.arange(self.n_examples, dtype=np.int64), (epochs, 1))
        for size, count in calls:
            # On copies, to change nothing: a run by columns of no updates still does the
            # first forward pass, and this one runs a few updates.
            self._train_batches(
                net.layers,
                net.betas,
                net.cost_code,
                net.params.copy(),
                net.velocity.copy(),
                net.grad.copy(),
                net.z.copy(),
                net.a.copy(),
                net.delta.copy(),
                self.X,
                self.Y,
                order,
                size,
                0,
                count,
                self.alpha,
                self.momentum,
                np.zeros(len(order)),
            )
        if single_steps:  # the step kernel of each batch size asked for (as the paths)
            sizes = [self.batch_size] if not every_path else [1, 2]
            if every_path and batch_size is not None:
                sizes = [batch_size]
            net = self.network
            for online in {each == 1 for each in sizes}:
                step = kernels.stepper(net.layers, net.cost_code, self._specialized, online)
                step(self._state.copy(), self._buffer.copy(), self._data.copy())

    def run_epochs(
        self,
        count: int,
        progress: EpochProgress | None = None,
        chunk_seconds: float = 0.1,
        stop: Callable[[], bool] | None = None,
    ) -> int:
        """Train until ``count`` more epochs are complete; returns the epochs finished.

        Work is done in chunks of about ``chunk_seconds`` (``chunk_end``), within an epoch
        too when one takes longer, so that ``progress(done, count)`` is called regularly
        on long runs, ``done`` the epochs done so far with a fraction for the batches of
        the current one; and ``stop()``, if given, is asked between two chunks: when it
        answers True the run ends there, maybe within an epoch (a saved Session resumes
        there, ``io.resume``). It is not asked once all the epochs are done, so a run
        that ends short of ``count`` (not diverged) is one that ``stop`` ended.
        """
        per_epoch = self.batches_per_epoch
        start = self._position_in_batches()
        target = (self.epoch + count) * per_epoch
        # The least updates in a chunk, and the first chunk's, timed to size the next: few
        # enough for the largest networks to take a fraction of chunk_seconds, and as many
        # as an online call of the general kernels takes by columns, so that a run's calls
        # keep to that path (``warm_up`` compiles the paths a run takes).
        least = kernels.COLUMNS_MIN_UPDATES
        chunk = least
        while (position := self._position_in_batches()) < target and not self.diverged:
            if position > start and stop is not None and stop():
                break
            end = min(chunk_end(position, chunk, per_epoch, least), target)
            started = time.perf_counter()
            ran = self.run_batches(end - position)
            elapsed = time.perf_counter() - started
            if progress is not None:
                progress((self._position_in_batches() - start) / per_epoch, count)
            # Grow (or shrink) chunks towards chunk_seconds, at most 4x at a time.
            growth = min(4.0, chunk_seconds / elapsed) if elapsed > 0 else 4.0
            chunk = max(least, int(max(ran, 1) * growth))
        return self.epoch - start // per_epoch

    def _position_in_batches(self) -> int:
        """Batches into the run so far, from the epoch and batch counters."""
        return self.epoch * self.batches_per_epoch + self.batch_in_epoch

    # -- measuring ------------------------------------------------------------------------
    def evaluate(self) -> float:
        """Loss = mean cost over the data set with the current weights; fills
        ``outputs`` (n, N^L) and ``costs`` (n,). Non-finite results mark divergence."""
        net = self.network
        started = time.perf_counter()
        if not self.kernels_ready:
            return self._evaluate_reference()
        loss = self._evaluate(
            net.layers,
            net.betas,
            net.cost_code,
            net.params,
            self._eval_z,
            self._eval_a,
            self.X,
            self.Y,
            self.outputs,
            self.costs,
        )
        self._eval_time = time.perf_counter()
        self._eval_seconds = self._eval_time - started
        self._loss = loss
        if not math.isfinite(loss):
            self.diverged = True
        return loss

    def _reference(self) -> ReferenceNetwork:
        """The NumPy reference holding a copy of the current weights."""
        spec, net = self.spec, self.network
        return ReferenceNetwork(
            net.weights(), net.biases(), spec.activations, spec.cost, spec.beta, spec.bias
        )

    def _evaluate_reference(self) -> float:
        """``evaluate`` by the NumPy reference, for before the kernels are ready."""
        reference = self._reference()
        with np.errstate(over="ignore", invalid="ignore"):
            for k, (x, y) in enumerate(zip(self.X, self.Y, strict=True)):
                self.outputs[k] = reference.forward(x)
                self.costs[k] = reference.cost(y)
        loss = float(self.costs.mean())
        self._loss = loss
        if not math.isfinite(loss):
            self.diverged = True
        return loss

    def _recent_loss(self, fresh: bool) -> float:
        """The loss for a display: evaluated afresh when ``fresh``, or unless that is slow
        (a large data set) and the last evaluation is recent; then reused, so that while
        training runs evaluating takes at most about 2% of the time."""
        if (
            not fresh
            and self._eval_seconds > 0.002
            and time.perf_counter() - self._eval_time < 50 * self._eval_seconds
        ):
            return self._loss
        return self.evaluate()

    def snapshot(self, problem: str = "", fresh: bool = True) -> Snapshot:
        """Copies of everything a display shows (evaluates the loss on the way). A run's
        frames pass ``fresh`` False: on a large data set they may reuse a loss and outputs
        evaluated a moment before (``_recent_loss``); a step, a key's change or a test's
        frame shows them as they are, whatever the time it took."""
        net = self.network
        L = self.spec.n_layers
        if self.last_example is None and not self.kernels_ready:
            reference = self._reference()
            with np.errstate(over="ignore", invalid="ignore"):
                reference.forward(self.X[0])
            net.layer_values(net.a, 0)[...] = reference.a[0]
            for m in range(1, L + 1):
                net.layer_values(net.z, m)[...] = reference.z[m]
                net.layer_values(net.a, m)[...] = reference.a[m]
            net.delta[...] = 0.0
        elif self.last_example is None:
            # Nothing trained yet: show example 0's forward pass (and no deltas, below).
            self._evaluate(
                net.layers,
                net.betas,
                net.cost_code,
                net.params,
                net.z,
                net.a,
                self.X[:1],
                self.Y[:1],
                np.zeros((1, self.spec.sizes[-1])),
                np.zeros(1),
            )
            net.delta[...] = 0.0
        z: PerLayer = [None]
        a: PerLayer = [net.layer_values(net.a, 0).copy()]
        delta: PerLayer = [None]
        # No backward pass yet, no delta: None, "not computed" (zeros would read "no error").
        backward = self.last_example is not None
        for m in range(1, L + 1):
            z.append(net.layer_values(net.z, m).copy())
            a.append(net.layer_values(net.a, m).copy())
            delta.append(net.layer_values(net.delta, m).copy() if backward else None)
        loss = self._recent_loss(fresh)
        epochs, losses = self.history.points()
        made = self._change_made
        if made is not None and made[0] == self.updates:
            changes = made[1].copy()
        else:
            changes = last_change(self._rule, net.velocity, net.second, self.optimizer_steps)
        weight_changes, bias_changes = net.layer_views(changes)
        return Snapshot(
            spec=self.spec,
            problem=problem,
            inputs=self.X,
            targets=self.Y,
            weights=[None, *net.weights()],
            biases=[None, *net.biases()],
            weight_changes=weight_changes,
            bias_changes=bias_changes,
            z=z,
            a=a,
            delta=delta,
            example=self.last_example,
            outputs=self.outputs.copy(),
            costs=self.costs.copy(),
            loss=loss,
            epoch=self.epoch,
            batch_in_epoch=self.batch_in_epoch,
            updates=self.updates,
            examples_seen=self.examples_seen,
            alpha=self.alpha,
            momentum=self.momentum,
            batch_size=self.batch_size,
            seed=self.seed,
            diverged=self.diverged,
            history_epochs=epochs,
            history_losses=losses,
            rule=self._rule,
            weight_seconds=[None, *(s.copy() for s in layer_arrays(net.sW)[1:])],
            bias_seconds=[None, *(s.copy() for s in layer_arrays(net.sb)[1:])],
            optimizer_steps=self.optimizer_steps,
        )

    def parameters_finite(self) -> bool:
        return bool(np.isfinite(self.network.params).all())


def warm_kernels(
    spec: NetworkSpec,
    X: ArrayLike,
    Y: ArrayLike,
    settings: TrainingConfig,
    every_batch_size: bool = True,
) -> None:
    """Compile, or load from the cache, every kernel a Session of ``spec`` evaluates and
    trains with, on a throwaway Session of one example: a front end runs this in a thread
    while its own Session (``kernels_ready`` False) stays usable. Its update's paths are
    those of every batch size, or with ``every_batch_size`` False of settings.batch_size
    only (a Session's batch size does not change: the app's warm-up)."""
    one = dataclasses.replace(settings, batch_size=1)
    X = np.asarray(X, dtype=np.float64)[:1]
    Y = np.asarray(Y, dtype=np.float64)[:1]
    session = Session(spec, X, Y, one)
    session.evaluate()
    session.snapshot()
    only = None if every_batch_size else settings.batch_size
    session.warm_up(single_steps=True, every_path=True, batch_size=only)
