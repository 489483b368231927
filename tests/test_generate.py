"""The kernels that kernels.specialize generates: their source, and their bits against the
general kernels of kernels.dense."""

from __future__ import annotations

import numpy as np
import pytest

from kernels import dense, specialize
from kernels.layout import (
    ACTIVATION,
    B_OFFSET,
    CROSS_ENTROPY,
    HAS_BIAS,
    LINEAR,
    MSE,
    N_COLUMNS,
    NODE_OFFSET,
    RELU,
    SD_ALPHA,
    SD_HEADER,
    SD_MOMENTUM,
    SIGMOID,
    SIZE,
    ST_BATCH_SIZE,
    ST_BLOCK_EPOCHS,
    ST_COST,
    ST_DIVERGED,
    ST_HEADER,
    ST_LAST,
    ST_N,
    ST_N_NODES,
    ST_N_PARAMS,
    ST_ROWS,
    STEP_DIVERGED,
    STEP_RAN,
    TANH,
    W_OFFSET,
)
from tui_backprop.core.orders import EpochOrders, seed_streams, stream_words

N_EXAMPLES = 5  # batches of 3 leave a last batch of 2
EPOCHS = 4
ARRAYS = ("params", "velocity", "grad", "z", "a", "delta")  # a network's, in kernel order
NODE_ARRAYS = ("z", "a", "delta")


class Arch:
    """An architecture as generate_source takes it: sizes, activation codes (the input
    layer's first, unused), cost code, bias."""

    def __init__(self, sizes, codes, cost, bias, beta=1.0):
        self.sizes, self.codes, self.cost, self.bias = tuple(sizes), (0, *codes), cost, bias
        self.beta = beta

    @property
    def args(self):
        return self.sizes, self.codes, self.cost, self.bias

    def kernel_args(self):
        """The first three arguments of every training kernel: layers, betas, cost."""
        return self.layers(), self.betas(), self.cost

    def __repr__(self):
        names = {SIGMOID: "sigmoid", TANH: "tanh", RELU: "relu", LINEAR: "linear"}
        cost = "ce" if self.cost == CROSS_ENTROPY else "mse"
        acts = "-".join(names[c] for c in self.codes[1:])
        return f"{'-'.join(map(str, self.sizes))}:{acts}:{cost}:{'bias' if self.bias else 'nobias'}"

    def layers(self):
        """The layer table (kernels.layout): W^m then b^m for each layer, nodes in order."""
        table = np.zeros((len(self.sizes), N_COLUMNS), dtype=np.int64)
        table[0, SIZE] = self.sizes[0]
        offset, node = 0, self.sizes[0]
        for m in range(1, len(self.sizes)):
            n_out, n_in = self.sizes[m], self.sizes[m - 1]
            table[m, SIZE], table[m, ACTIVATION] = n_out, self.codes[m]
            table[m, W_OFFSET], table[m, B_OFFSET] = offset, offset + n_out * n_in
            table[m, NODE_OFFSET], table[m, HAS_BIAS] = node, int(self.bias)
            offset += n_out * (n_in + 1)
            node += n_out
        return table

    @property
    def n_params(self):
        return sum(n * (m + 1) for m, n in zip(self.sizes[:-1], self.sizes[1:], strict=True))

    @property
    def n_nodes(self):
        return sum(self.sizes)

    def betas(self):
        return np.full(len(self.sizes), self.beta)

    def start(self, rng):
        """Random parameters; biases 0 without biases (they stay 0), random with."""
        params = rng.normal(scale=0.8, size=self.n_params)
        if not self.bias:
            table = self.layers()
            for m in range(1, len(self.sizes)):
                params[table[m, B_OFFSET] : table[m, B_OFFSET] + self.sizes[m]] = 0.0
        return params

    def data(self, rng, scale):
        X = scale * rng.normal(size=(N_EXAMPLES, self.sizes[0]))
        Y = rng.uniform(0.05, 0.95, size=(N_EXAMPLES, self.sizes[-1]))
        return X, Y


ARCHS = [
    Arch((2, 3, 1), (SIGMOID, SIGMOID), MSE, True),  # XOR 2-3-1
    Arch((2, 2, 1), (TANH, SIGMOID), CROSS_ENTROPY, True, beta=0.75),
    Arch((3, 4, 2), (RELU, LINEAR), MSE, False),
    Arch((2, 2, 3, 2), (LINEAR, RELU, TANH), MSE, True),
    Arch((1, 3, 2, 1), (SIGMOID, TANH, RELU), MSE, False, beta=1.5),
    Arch((2, 4, 1), (RELU, SIGMOID), CROSS_ENTROPY, False),
    Arch((1, 1), (LINEAR,), MSE, True),
]
# (alpha, scale of the inputs): one that trains, and two that test the divergence check
# (test_both_divergence_checks_are_tested): with "overflows" the cost of several networks
# stops being finite after a few updates; with "blows-up" several updates make a weight
# infinite while the cost it was computed from is finite.
REGIMES = {"trains": (0.1, 1.0), "overflows": (1e150, 1.0), "blows-up": (1e300, 1e10)}
RUNS = [(arch, batch, regime) for arch in ARCHS for batch in (1, 3) for regime in REGIMES]
RUN_IDS = [f"{arch!r}-batch{batch}-{regime}" for arch, batch, regime in RUNS]


def bits(x):
    """An array's IEEE-754 bit patterns: equal exactly when the numbers are the same bits,
    but every NaN one pattern: a NaN's sign and payload depend on which operand of an
    operation was the NaN, which the kernels need not agree on (IEEE 754 leaves it open)."""
    x = np.array(x, dtype=np.float64)
    x[np.isnan(x)] = np.nan
    return x.view(np.int64)


def assert_same_bits(ours, theirs, what=""):
    assert np.array_equal(bits(ours), bits(theirs)), what


def orders_for(rng, count=None):
    """Example orders for EPOCHS epochs: (EPOCHS, n), or (count, EPOCHS, n)."""

    def one():
        return np.stack([rng.permutation(N_EXAMPLES) for _ in range(EPOCHS)])

    return one() if count is None else np.stack([one() for _ in range(count)])


def zeros(arch, name, *lead):
    """Zeros for the network array ``name`` (ARRAYS), after leading dimensions ``lead``."""
    return np.zeros((*lead, arch.n_nodes if name in NODE_ARRAYS else arch.n_params))


def per_epoch(batch):
    return -(-N_EXAMPLES // batch)


# The source.


def test_same_arguments_give_the_same_text():
    for arch in ARCHS:
        assert specialize.generate_source(*arch.args) == specialize.generate_source(*arch.args)


def test_different_architectures_give_different_texts():
    variants = [
        ((2, 3, 1), (0, SIGMOID, SIGMOID), MSE, True),
        ((2, 3, 1), (0, SIGMOID, SIGMOID), MSE, False),
        ((2, 3, 1), (0, SIGMOID, SIGMOID), CROSS_ENTROPY, True),
        ((2, 3, 1), (0, TANH, SIGMOID), MSE, True),
        ((2, 3, 1), (0, SIGMOID, LINEAR), MSE, True),
        ((2, 3, 1), (0, SIGMOID, RELU), MSE, True),
        ((2, 2, 1), (0, SIGMOID, SIGMOID), MSE, True),
        ((2, 3, 2), (0, SIGMOID, SIGMOID), MSE, True),
    ]
    texts = {specialize.generate_source(*v) for v in variants}
    assert len(texts) == len(variants)


@pytest.mark.parametrize("arch", ARCHS, ids=repr)
def test_source_compiles_and_loads(arch):
    source = specialize.generate_source(*arch.args)
    compile(source, f"<generated {arch!r}>", "exec")
    module = specialize.load_module(*arch.args)
    kernels = ("train_minibatches", "train_online", "train_lanes", "train_lanes_online")
    kernels += ("step", "step_online")
    for name in (*kernels, "train_rule", "train_networks_rule", "step_rule"):
        assert hasattr(getattr(module, name), "py_func"), name  # a numba dispatcher
    for name in ("train_batches", "train_many", "train_many_rule"):  # Python, calling those
        assert not hasattr(getattr(module, name), "py_func"), name
    assert module.__file__ is not None
    with open(module.__file__) as f:
        assert f.read() == source


@pytest.mark.parametrize(
    "args",
    [
        ((2, 3, 1), (0, SIGMOID, 7), MSE, True),
        ((2, 3, 1), (0, -1, SIGMOID), MSE, True),
        ((2, 3, 1), (0, SIGMOID, SIGMOID), 2, True),
        ((2, 3, 1), (0, SIGMOID), MSE, True),
    ],
)
def test_unknown_codes_are_refused(args):
    with pytest.raises(ValueError):
        specialize.generate_source(*args)


# The bits.


def train_alone(train, arch, X, Y, params, order, batch, alpha, updates=None):
    """One network through ``updates`` batches (None: EPOCHS epochs) of ``train`` (a
    train_batches); every array."""
    out = {name: zeros(arch, name) for name in ARRAYS}
    out["params"][:] = params
    out["epoch_cost"] = cost = np.zeros(EPOCHS)
    network = [out[name] for name in ARRAYS]
    updates = EPOCHS * per_epoch(batch) if updates is None else updates
    ran = train(*arch.kernel_args(), *network, X, Y, order, batch, 0, updates, alpha, 0.9, cost)
    return ran, out


@pytest.mark.parametrize(("arch", "batch", "regime"), RUNS, ids=RUN_IDS)
def test_train_batches_gives_the_general_kernels_bits(arch, batch, regime):
    rng = np.random.default_rng(1)
    alpha, scale = REGIMES[regime]
    X, Y = arch.data(rng, scale)
    params, order = arch.start(rng), orders_for(rng)
    generated = specialize.load_module(*arch.args).train_batches
    ran_g, ours = train_alone(generated, arch, X, Y, params, order, batch, alpha)
    ran_d, theirs = train_alone(dense.train_batches, arch, X, Y, params, order, batch, alpha)
    assert ran_g == ran_d
    for name in ours:
        assert_same_bits(ours[name], theirs[name], name)
    if regime == "trains":
        assert ran_g == EPOCHS * per_epoch(batch)


def train_in_calls(train, arch, X, Y, params, order, alpha, counts):
    """One network through online calls of ``counts`` updates in turn (each from where the
    last stopped, its epoch's cost so far in epoch_cost), until one stops early; returns
    (updates run, every array, epoch_cost)."""
    out = {name: zeros(arch, name) for name in ARRAYS}
    out["params"][:] = params
    cost = np.zeros(EPOCHS)
    network = [out[name] for name in ARRAYS]
    done = 0
    for count in counts:
        count = min(count, EPOCHS * N_EXAMPLES - done)
        ran = train(*arch.kernel_args(), *network, X, Y, order, 1, done, count, alpha, 0.9, cost)
        done += ran
        if ran < count:
            break
    return done, out, cost


@pytest.mark.parametrize(("arch", "regime"), [(a, r) for a in ARCHS for r in REGIMES], ids=repr)
def test_online_calls_from_any_point_give_the_general_kernels_bits(arch, regime):
    """The generated online kernel (train_batches with batches of one) started mid-epoch,
    with a partial epoch cost already in epoch_cost, for calls of 0, 1 and several updates
    (the general kernel's row and column paths): the same bits, through divergence too."""
    rng = np.random.default_rng(2)
    alpha, scale = REGIMES[regime]
    X, Y = arch.data(rng, scale)
    params, order = arch.start(rng), orders_for(rng)
    generated = specialize.load_module(*arch.args).train_batches
    counts = (3, 0, 1, 7, 2, 17, EPOCHS * N_EXAMPLES)
    ran_g, ours, cost_g = train_in_calls(generated, arch, X, Y, params, order, alpha, counts)
    ran_d, theirs, cost_d = train_in_calls(
        dense.train_batches, arch, X, Y, params, order, alpha, counts
    )
    assert ran_g == ran_d
    for name in ARRAYS:
        assert_same_bits(ours[name], theirs[name], name)
    assert_same_bits(cost_g, cost_d, "epoch_cost")


def test_both_divergence_checks_are_tested():
    """Of the runs above, several stop where the cost stops being finite, and several where
    only the test of the new parameters can stop them: every cost finite."""
    stopped_by = {"overflows": 0, "blows-up": 0}
    for arch in ARCHS:
        for regime, (alpha, scale) in REGIMES.items():
            rng = np.random.default_rng(1)
            X, Y = arch.data(rng, scale)
            params, order = arch.start(rng), orders_for(rng)
            ran, out = train_alone(dense.train_batches, arch, X, Y, params, order, 1, alpha)
            if regime != "trains" and ran < EPOCHS * per_epoch(1):
                costs_finite = np.isfinite(out["epoch_cost"]).all()
                stopped_by[regime] += costs_finite == (regime == "blows-up")
    assert stopped_by["overflows"] >= 3 and stopped_by["blows-up"] >= 3


def step_arrays(arch, X, Y, params, order, batch, alpha):
    """The step kernels' three packed arrays (kernels.layout) at the start of a run, with
    the orders of all EPOCHS epochs in the state's block."""
    layers, P, nodes = arch.layers(), arch.n_params, arch.n_nodes
    rows = layers.shape[0]
    state = np.zeros(ST_HEADER + layers.size + order.size, dtype=np.int64)
    state[ST_N], state[ST_BATCH_SIZE], state[ST_ROWS] = N_EXAMPLES, batch, rows
    state[ST_N_PARAMS], state[ST_N_NODES], state[ST_COST] = P, nodes, arch.cost
    state[ST_LAST], state[ST_BLOCK_EPOCHS] = -1, EPOCHS
    state[ST_HEADER : ST_HEADER + layers.size] = layers.ravel()
    state[ST_HEADER + layers.size :] = order.ravel()
    # A Network's buffer: params, velocity, grad, z, a, delta, betas, second, t.
    buffer = np.zeros(4 * P + 3 * nodes + rows + 1)
    buffer[:P] = params
    buffer[3 * P + 3 * nodes : 3 * P + 3 * nodes + rows] = arch.betas()
    data = np.zeros(SD_HEADER + X.size + Y.size)
    data[SD_ALPHA], data[SD_MOMENTUM] = alpha, 0.9
    data[SD_HEADER : SD_HEADER + X.size] = X.ravel()
    data[SD_HEADER + X.size :] = Y.ravel()
    return state, buffer, data


@pytest.mark.parametrize(("arch", "batch", "regime"), RUNS, ids=RUN_IDS)
def test_step_gives_the_general_kernels_bits(arch, batch, regime):
    """Step by step, the generated and the general step (and for batches of one the
    generated ``step_online``) leave every array the same, return the same statuses, and
    end where train_batches ends."""
    rng = np.random.default_rng(2)
    alpha, scale = REGIMES[regime]
    X, Y = arch.data(rng, scale)
    params, order = arch.start(rng), orders_for(rng)
    module = specialize.load_module(*arch.args)
    steps = [module.step, dense.step] + ([module.step_online] if batch == 1 else [])
    runs = []
    for step in steps:
        state, buffer, data = step_arrays(arch, X, Y, params, order, batch, alpha)
        statuses = [int(step(state, buffer, data)) for _ in range(EPOCHS * per_epoch(batch))]
        runs.append((statuses, state, buffer, data))
    statuses, state, buffer, data = runs[0]
    for statuses_d, state_d, buffer_d, data_d in runs[1:]:
        assert statuses == statuses_d
        assert np.array_equal(state, state_d)
        assert_same_bits(buffer, buffer_d, "buffer")
        assert_same_bits(data, data_d, "data")
    ran = sum(1 for s in statuses if s & STEP_RAN)
    if state[ST_DIVERGED]:  # it ran up to the step that diverged, and nothing after
        first = next(k for k, s in enumerate(statuses) if s & STEP_DIVERGED)
        assert ran == first + 1 and not any(statuses[first + 1 :])
    ran_d, whole = train_alone(dense.train_batches, arch, X, Y, params, order, batch, alpha)
    assert ran == ran_d
    assert_same_bits(buffer[: arch.n_params], whole["params"], "params")


# train_many's lanes kernels are two templates whatever the architecture (the expressions in
# them are train_batches', tested above for every one), and compiling them takes seconds per
# architecture: four cover sigmoid, tanh, relu and linear, both costs, biases or none,
# deeper networks and betas other than 1. tests/test_restarts_bench.py trains the first
# three (LANE_ARCHS), so that the suite compiles them once.
LANE_ARCHS = [ARCHS[0], ARCHS[1], ARCHS[4], ARCHS[3]]
MANY = [k for k, (arch, _, _) in enumerate(RUNS) if arch in LANE_ARCHS]


def train_many_from(arch, X, Y, starts, first_seed, batch, alpha):
    """The generated train_many on networks starting from ``starts`` (R, P), seeds
    first_seed, first_seed + 1, ..., shuffled, EPOCHS epochs: (every array by name,
    epoch_cost too; the orders EpochOrders gives each seed, (R, EPOCHS, n); ran)."""
    count = len(starts)
    seeds = range(first_seed, first_seed + count)
    streams = np.stack([stream_words(seed_streams(seed)[1]) for seed in seeds])
    orders = np.stack([EpochOrders(N_EXAMPLES, seed_streams(s)[1]).take(0, EPOCHS) for s in seeds])
    stack = {name: zeros(arch, name, count) for name in ARRAYS}
    stack["params"][:] = starts
    stack["epoch_cost"] = cost = np.zeros((count, EPOCHS))
    ran = np.zeros(count, dtype=np.int64)
    many = specialize.load_module(*arch.args).train_many
    networks = [stack[name] for name in ARRAYS]
    many(*arch.kernel_args(), *networks, X, Y, streams, True, batch, EPOCHS, alpha, 0.9, cost, ran)
    return stack, orders, ran


@pytest.mark.parametrize(
    ("arch", "batch", "regime"), [RUNS[k] for k in MANY], ids=[RUN_IDS[k] for k in MANY]
)
def test_train_many_gives_the_general_kernels_bits(arch, batch, regime):
    """2 blocks of networks in train_lanes_online (batches of one) or train_lanes, and 11
    more in a last block, each drawing its example orders from its generator: each as the
    general train_batches leaves it alone on the orders EpochOrders draws from that
    generator. One network starts with an infinite weight and stops at its first update."""
    rng = np.random.default_rng(3)
    alpha, scale = REGIMES[regime]
    X, Y = arch.data(rng, scale)
    lanes = specialize.block_lanes(batch)
    count = 2 * lanes + 11  # the last block: its second group of lanes partly spare
    starts = np.stack([arch.start(rng) for _ in range(count)])
    starts[lanes + 1, 0] = np.inf
    stack, orders, ran = train_many_from(arch, X, Y, starts, 7, batch, alpha)
    for r in range(count):
        alone, theirs = train_alone(
            dense.train_batches, arch, X, Y, starts[r], orders[r], batch, alpha
        )
        assert ran[r] == alone, r
        if alone < EPOCHS * per_epoch(batch):
            continue  # diverged: alone stops there, a lane runs on (its result unused)
        for name, values in stack.items():
            assert_same_bits(values[r], theirs[name], (r, name))
    assert ran[lanes + 1] == 1


@pytest.mark.parametrize("batch", [1, 3])
def test_lanes_with_finite_parameters_summing_past_the_largest_double_train_on(batch):
    """train_lanes_online flags a lane by the sum of its new parameters, which overflows
    for finite ones too; such a lane must be found finite parameter by parameter and train
    on to the end, as it does alone. Two weights of 1.5e308 on an input that is always 0
    stay as they are."""
    arch = ARCHS[0]  # 2-3-1: w1_0_0 and w1_1_0 are parameters 0 and 2
    rng = np.random.default_rng(8)
    X, Y = arch.data(rng, 1.0)
    X[:, 0] = 0.0
    count = specialize.block_lanes(batch) + 1
    starts = np.stack([arch.start(rng) for _ in range(count)])
    starts[1, [0, 2]] = 1.5e308
    stack, orders, ran = train_many_from(arch, X, Y, starts, 30, batch, 0.1)
    assert ran.tolist() == [EPOCHS * per_epoch(batch)] * count
    assert float(stack["params"][1, 0]) + float(stack["params"][1, 2]) == float("inf")
    for r in range(count):
        alone, theirs = train_alone(
            dense.train_batches, arch, X, Y, starts[r], orders[r], batch, 0.1
        )
        assert alone == ran[r]
        for name, values in stack.items():
            assert_same_bits(values[r], theirs[name], (r, name))


@pytest.mark.parametrize("arch", [a for a in ARCHS if len(a.sizes) > 2], ids=repr)
@pytest.mark.parametrize("updates", [1, 3])
def test_online_deltas_summed_from_their_first_term_keep_the_bits(arch, updates):
    """train_online sums each hidden delta from its first term, not from 0.0: the sums
    differ in the sign of a zero only, which the gradients and the stored deltas must not
    show. With the last layer's weights 0.0, every hidden sum is a zero, -0.0 where the
    next layer's delta is negative; after one update the stored deltas are those zeros'."""
    rng = np.random.default_rng(5)
    X, Y = arch.data(rng, 1.0)
    params, order = arch.start(rng), orders_for(rng)
    table = arch.layers()
    last = len(arch.sizes) - 1
    w = table[last, W_OFFSET]
    params[w : w + arch.sizes[last] * arch.sizes[last - 1]] = 0.0
    generated = specialize.load_module(*arch.args).train_batches
    _, ours = train_alone(generated, arch, X, Y, params, order, 1, 0.1, updates)
    _, theirs = train_alone(dense.train_batches, arch, X, Y, params, order, 1, 0.1, updates)
    for name in ours:  # every array, epoch_cost too
        assert_same_bits(ours[name], theirs[name], name)
