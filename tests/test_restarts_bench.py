"""restarts reproduce single runs exactly; every kernel variant matches; bench's report."""

from __future__ import annotations

import json

import numpy as np
import pytest

import kernels
from tests.helpers import random_data, reference_for, run_cli
from tui_backprop.core.config import TrainingConfig
from tui_backprop.core.model import Network
from tui_backprop.core.orders import EpochOrders, seed_streams, stream_words
from tui_backprop.core.problems import make_problem
from tui_backprop.core.session import Session
from tui_backprop.core.spec import NetworkSpec
from tui_backprop.teach.restarts import train_restarts

SMALL_SPECS = [
    NetworkSpec.build(2, (3,), 1),
    NetworkSpec.build(2, (2,), 1, cost="cross-entropy", beta=1.5),
    NetworkSpec.build(1, (), 1, bias=False),
    NetworkSpec.build(3, (4, 2), 2, activation="tanh", output_activation="linear"),
    NetworkSpec.build(2, (5,), 1, activation="relu", output_activation="tanh", bias=False),
]


@pytest.mark.parametrize("spec", SMALL_SPECS, ids=lambda s: f"{s.label}-{s.activations}")
@pytest.mark.parametrize("batch_size", [1, 3])
def test_generated_kernel_equals_general_kernel_and_reference(spec, batch_size):
    rng = np.random.default_rng(3)
    X, Y = random_data(spec, 7, rng)
    generated, _ = kernels.trainers(Network(spec).layers, Network(spec).cost_code, specialized=True)
    assert generated is not kernels.train_batches
    nets = []
    start = Network(spec)
    start.initialize(rng)
    order = EpochOrders(7, rng).take(0, 6)
    per_epoch = -(-7 // batch_size)
    for train in (generated, kernels.train_batches):
        net = Network(spec)
        net.params[...] = start.params
        cost = np.zeros(6)
        ran = train(
            net.layers,
            net.betas,
            net.cost_code,
            net.params,
            net.velocity,
            net.grad,
            net.z,
            net.a,
            net.delta,
            X,
            Y,
            order,
            batch_size,
            0,
            6 * per_epoch,
            0.1,
            0.9,
            cost,
        )
        assert ran == 6 * per_epoch
        nets.append((net, cost))
    (special, cost_s), (general, cost_g) = nets
    # bit for bit: the same operations in the same order
    assert np.array_equal(special.params, general.params)
    assert np.array_equal(special.velocity, general.velocity)
    assert np.array_equal(special.a, general.a) and np.array_equal(special.delta, general.delta)
    assert np.array_equal(cost_s, cost_g)
    ref = reference_for(start)
    ref.train(X, Y, order, batch_size, 0.1, 0.9)
    for m in range(1, spec.n_layers + 1):
        np.testing.assert_allclose(special.W[m], ref.W[m], rtol=1e-12, atol=1e-12)


def test_generated_kernel_continues_a_general_run():
    """Chunks may alternate between the two kernels without changing anything."""
    spec = SMALL_SPECS[0]
    xor = make_problem("xor")
    generated, _ = kernels.trainers(Network(spec).layers, 0, specialized=True)
    a, b = (Session(spec, xor.X, xor.Y, TrainingConfig(seed=2)) for _ in range(2))
    a.run_batches(100)
    b._train_batches = kernels.train_batches
    b.run_batches(37)
    b._train_batches = generated
    b.run_batches(63)
    assert np.array_equal(a.network.params, b.network.params)


def _streams(seeds):
    """uint64 (R, STREAM_WORDS): the shuffle generators of these seeds, as kernels take them."""
    return np.stack([stream_words(seed_streams(seed)[1]) for seed in seeds])


#: The architectures of tests/test_generate.py's LANE_ARCHS: compiling train_many's lanes
#: kernel takes seconds per architecture, and the suite then compiles each once. Sigmoid,
#: tanh and relu, both costs, biases or none, a deeper network and betas other than 1.
LANE_SPECS = [
    NetworkSpec.build(2, (3,), 1),
    NetworkSpec.build(2, (2,), 1, activation="tanh", cost="cross-entropy", beta=0.75),
    NetworkSpec((1, 3, 2, 1), ("sigmoid", "tanh", "relu"), beta=1.5, bias=False),
]


@pytest.mark.parametrize("spec", LANE_SPECS, ids=lambda s: f"{s.label}-{s.activations}")
@pytest.mark.parametrize("batch_size", [1, 3])
@pytest.mark.parametrize("shuffle", [True, False], ids=["shuffled", "data-order"])
def test_networks_in_lanes_equal_networks_alone(spec, batch_size, shuffle):
    """train_many advances blocks of networks as vector lanes, each drawing its own
    example orders in the kernel: each must come out bit for bit as train_batches leaves it
    alone on the orders EpochOrders gives its seed, including where one diverges. The run
    is split into two calls (the generators carry on), and the general train_many (one
    network at a time) must give the same bits."""
    rng = np.random.default_rng(11)
    X, Y = random_data(spec, 5, rng)
    # 120 epochs in calls of 70 and 50: each network draws its orders 51 epochs at a time
    # (kernels.shuffle.chunk_epochs for 5 examples), so the first call crosses a block's end.
    count, epochs, first = 2 * kernels.specialize.block_lanes(batch_size) + 1, 120, 70
    per_epoch = -(-5 // batch_size)
    seeds = range(100, 100 + count)
    template = Network(spec)
    nets = [Network(spec) for _ in range(count)]
    for net in nets:
        net.initialize(rng)
    nets[3].params[-1] = np.inf  # this one has diverged at its first update
    names = ("params", "velocity", "grad", "z", "a", "delta")
    results = []
    for specialized in (True, False):
        stack = {name: np.stack([getattr(net, name) for net in nets]) for name in names}
        streams = _streams(seeds)
        epoch_cost, ran = np.zeros((count, epochs)), np.zeros(count, dtype=np.int64)
        _, many = kernels.trainers(template.layers, template.cost_code, specialized)
        for begin, end in ((0, first), (first, epochs)):
            done = ran.copy()
            many(
                template.layers,
                template.betas,
                template.cost_code,
                *(stack[name] for name in names),
                X,
                Y,
                streams,
                shuffle,
                batch_size,
                end - begin,
                0.1,
                0.9,
                epoch_cost[:, begin:end],
                ran,
            )
            ran += done
        results.append((stack, epoch_cost, ran))
    single, _ = kernels.trainers(template.layers, template.cost_code, specialized=True)
    (stack, epoch_cost, ran), (general, general_cost, general_ran) = results
    for r, net in enumerate(nets):
        cost = np.zeros(epochs)
        orders = EpochOrders(5, seed_streams(seeds[r])[1], shuffle).take(0, epochs)
        alone = single(
            net.layers,
            net.betas,
            net.cost_code,
            net.params,
            net.velocity,
            net.grad,
            net.z,
            net.a,
            net.delta,
            X,
            Y,
            orders,
            batch_size,
            0,
            epochs * per_epoch,
            0.1,
            0.9,
            cost,
        )
        if alone < epochs * per_epoch:
            # diverged: both see it (a lane runs on, its result unused, and each call
            # counts the batches it ran until the network was seen not finite)
            assert ran[r] < epochs * per_epoch and general_ran[r] < epochs * per_epoch
            continue
        assert ran[r] == general_ran[r] == alone
        for name in stack:
            assert np.array_equal(stack[name][r], getattr(net, name)), (r, name)
            assert np.array_equal(general[name][r], getattr(net, name)), (r, name)
        assert np.array_equal(epoch_cost[r], cost) and np.array_equal(general_cost[r], cost)
    assert (ran == epochs * per_epoch).sum() == count - 1


@pytest.mark.parametrize("batch_size", [1, 3])
@pytest.mark.parametrize("block", [None, 3], ids=["one-block", "blocks-of-3"])
def test_each_restart_is_the_single_run_with_its_seed(batch_size, block):
    xor = make_problem("xor")
    spec = NetworkSpec.build(2, (2,), 1)
    settings = TrainingConfig(epochs=300, seed=40, batch_size=batch_size)
    count = kernels.specialize.block_lanes(batch_size) + 2  # a block, and a last one of two
    # blocks of 3 networks: every network in a block of its own size, across boundaries
    result = train_restarts(spec, xor.X, xor.Y, settings, count, block=block)
    assert result.seeds.tolist() == list(range(40, 40 + count))
    for r, seed in enumerate(result.seeds):
        single = Session(
            spec, xor.X, xor.Y, TrainingConfig(epochs=300, seed=int(seed), batch_size=batch_size)
        )
        single.run_epochs(300)
        assert single.evaluate() == result.final_losses[r]


def test_restarts_command_matches_train_seed():
    out = run_cli(
        "restarts",
        "--problem",
        "xor",
        "--hidden",
        "2",
        "--count",
        "8",
        "--seed",
        "100",
        "--epochs",
        "400",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["count"] == 8 and len(doc["final_losses"]) == 8
    assert 0 <= doc["converged_fraction"] <= 1
    assert set(doc["quantiles"]) == {"0", "0.1", "0.25", "0.5", "0.75", "0.9", "1"}
    # each a run's own final loss, the least with at least that share at or below it
    losses = sorted(doc["final_losses"])
    for share, value in doc["quantiles"].items():
        assert value in losses
        assert sum(loss <= value for loss in losses) >= float(share) * len(losses)
    # the rate is the training's: the seconds spent loading or compiling kernels left out
    assert 0 <= doc["setup_seconds"] < doc["seconds"]
    # (null for a training too short to time: tests/test_rates.py)
    updates = 8 * 400 * 4  # networks, epochs, XOR's updates per epoch
    training = doc["seconds"] - doc["setup_seconds"]
    rate = updates / training if training >= 0.05 else None
    assert doc["network_updates_per_s"] == pytest.approx(rate)
    worst = doc["worst_seeds"][0]
    single = run_cli(
        "train",
        "--problem",
        "xor",
        "--hidden",
        "2",
        "--seed",
        str(worst),
        "--epochs",
        "400",
        "--json",
    )
    assert json.loads(single.stdout)["final_loss"] == doc["final_losses"][worst - 100]
    human = run_cli("restarts", "--count", "5", "--epochs", "50")
    assert human.returncode == 0 and "converged" in human.stdout and "\x1b[" not in human.stdout
    assert "loading or compiling the kernels" in human.stdout
    speed = human.stdout.splitlines()[-1]  # a rate, or too short to time (test_rates.py)
    assert "network-updates/s in the" in speed or "too short to time" in speed


def test_restarts_bad_input():
    for args, expected in (
        (["--count", "0"], "--count"),
        (["--threshold", "0"], "--threshold"),
        (["--seed", str(2**32 - 2), "--count", "5"], "go past"),
    ):
        out = run_cli("restarts", *args)
        assert out.returncode == 2 and expected in out.stderr


def test_the_printed_train_command_reproduces_the_worst_restart():
    """restarts prints the whole command that trains its worst seed alone (abbreviated
    and --flag=value options read as argparse reads them; restarts' own left out)."""
    import shlex

    words = ["--cou", "6", "--epochs=40", "--hidden", "2", "--alp", "0.5", "--seed=11"]
    words += ["--threads", "1", "--thresh", "0.05", "--problem", "circle", "--sa", "40"]
    out = run_cli("restarts", *words, env={"COLUMNS": "60"})
    assert out.returncode == 0, out.stderr
    # Broken between options, each line continued: copied together, one command.
    text = out.stdout[out.stdout.index("train one") :].removeprefix("train one")
    lines = text.splitlines()
    last = next(k for k, line in enumerate(lines) if not line.endswith(" \\"))
    assert last > 0 and all(len(line) <= 60 for line in lines[: last + 1])
    # as a shell reads it: a backslash before a newline joins the lines
    command = shlex.split("\n".join(lines[: last + 1]).replace("\\\n", ""))
    doc = json.loads(run_cli("restarts", *words, "--json").stdout)
    worst = doc["worst_seeds"][0]
    assert command == [
        "tui-backprop",
        "train",
        "--epochs=40",
        "--hidden",
        "2",
        "--alpha",
        "0.5",
        "--problem",
        "circle",
        "--samples",
        "40",
        "--seed",
        str(worst),
    ]  # fmt: skip  (--sa is ambiguous for train: --save too)
    trained = json.loads(run_cli(*command[1:], "--json").stdout)
    assert trained["final_loss"] == doc["final_losses"][worst - doc["first_seed"]]
