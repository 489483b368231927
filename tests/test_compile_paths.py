"""Each path of the update is a kernel of its own, chosen in Python and compiled only when a
run takes it. For the general kernels (``kernels.general_train_batches``): a short online
run does not compile the column-stored path, a long one not the row-stored one, mini-batches
neither. For a small network's generated kernels (the module's ``train_batches``): an online
run compiles ``train_online_unit`` (or ``train_online``, for betas other than 1) and not
``train_minibatches``, and the other way round. ``Session.warm_up`` compiles the paths its
run will take, and the kernel that draws example orders only for a run that draws more than
one block of them (or every path). And the choice made in Python gives the bits of the one
made inside ``dense.train_batches``.

What compiled is read from the dispatchers' ``signatures`` in a fresh process (in this one,
other tests may have compiled any path already)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import kernels
from kernels import dense
from tui_backprop.core.model import Network
from tui_backprop.core.spec import NetworkSpec

PATHS = ("train_online_by_rows", "train_online_by_columns", "train_minibatches")
GENERATED_PATHS = ("train_online_unit", "train_online", "train_minibatches", "step_online", "step")

SCRIPT = """
import json, sys
import numpy as np
import kernels
from kernels import dense, shuffle, specialize
from tui_backprop.core.config import TrainingConfig
from tui_backprop.core.session import Session, warm_kernels
from tui_backprop.core.spec import NetworkSpec

n, batch, epochs, count, hidden = (int(a) for a in sys.argv[1:6])
action, beta = sys.argv[6], float(sys.argv[7])
rng = np.random.default_rng(0)
X = rng.uniform(-1.0, 1.0, (n, 2))
Y = (X[:, :1] * X[:, 1:] > 0).astype(float)
spec = NetworkSpec.build(2, (hidden,), 1, beta=beta)
session = Session(spec, X, Y, TrainingConfig(batch_size=batch, epochs=epochs))
if session._train_batches is kernels.general_train_batches:
    module, names = dense, PATHS
else:
    net = session.network
    module = specialize.load_module(*kernels._arch(net.layers, net.cost_code))
    assert session._train_batches is module.train_batches
    names = GENERATED_PATHS
if action == "run":
    assert session.run_batches(count) == count
elif action == "app":  # the app's warm-up: its Session's batch size only
    warm_kernels(spec, X, Y, session.settings, every_batch_size=False)
elif action == "cache":  # cache --warm's: every batch size
    warm_kernels(spec, X, Y, session.settings)
else:
    session.warm_up(every_path=action == "every")
compiled = {name: len(getattr(module, name).signatures) for name in names}
compiled["draw_orders"] = len(shuffle.draw_orders.signatures)
print(json.dumps(compiled))
""".replace("GENERATED_PATHS", repr(GENERATED_PATHS)).replace("PATHS", repr(PATHS))


def compiled_after(
    n: int, batch: int, epochs: int, count: int, action: str, hidden: int = 16, beta: float = 1.0
) -> set[str]:
    """The paths compiled (or loaded from the cache), and ``draw_orders`` if it was, by a
    fresh process that trains a
    2-``hidden``-1 network on ``n`` examples: ``count`` updates (``run``),
    ``Session.warm_up`` (``warm``), ``Session.warm_up(every_path=True)`` (``every``) or
    the app's warm-up, ``warm_kernels(..., every_batch_size=False)`` (``app``), or
    ``cache --warm``'s, ``warm_kernels`` (``cache``).
    With 16 hidden units it has more than ``specialize.MAX_PARAMETERS`` parameters (the
    general kernels), with 3 fewer (kernels generated for it)."""
    args = [str(v) for v in (n, batch, epochs, count, hidden, action, beta)]
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return {name for name, count in json.loads(result.stdout).items() if count}


def test_the_general_kernels_are_chosen_in_python():
    spec = NetworkSpec.build(2, (16,), 1)
    net = Network(spec)
    train, _ = kernels.trainers(net.layers, net.cost_code)
    assert train is kernels.general_train_batches


@pytest.mark.parametrize(
    ("n", "batch", "count", "paths"),
    [
        (20, 1, dense.COLUMNS_MIN_UPDATES - 1, {"train_online_by_rows"}),
        (20, 1, dense.COLUMNS_MIN_UPDATES, {"train_online_by_columns"}),
        (20, 4, 40, {"train_minibatches"}),
    ],
    ids=["short-online", "long-online", "mini-batches"],
)
def test_a_run_compiles_only_the_path_it_takes(n, batch, count, paths):
    assert compiled_after(n, batch, 1, count, "run") == paths


@pytest.mark.parametrize(
    ("n", "epochs", "paths"),
    [
        (4, 1, {"train_online_by_rows"}),  # 4 updates: by rows
        (20, 3, {"train_online_by_columns"}),  # every call of run_epochs: 20 updates or more
        (4, 50, {"train_online_by_rows", "train_online_by_columns"}),  # 4, then 16 and more
    ],
    ids=["short", "long-epochs", "short-epochs-long-run"],
)
def test_warm_up_compiles_the_paths_its_run_takes(n, epochs, paths):
    assert compiled_after(n, 1, epochs, 0, "warm") == paths


def test_warm_up_of_every_path_compiles_all_three():
    # What ``cache --warm`` asks for (``warm_kernels``); the app, its batch size's alone.
    assert compiled_after(4, 1, 1, 0, "every") == {*PATHS, "draw_orders"}


@pytest.mark.parametrize(
    ("batch", "beta", "action", "paths"),
    [
        (1, 1.0, "run", {"train_online_unit"}),
        (1, 2.0, "run", {"train_online"}),
        (2, 1.0, "run", {"train_minibatches"}),
        (1, 1.0, "warm", {"train_online_unit"}),
        (2, 1.0, "warm", {"train_minibatches"}),
        (1, 1.0, "every", {"train_online_unit", "train_minibatches", "draw_orders"}),
        (1, 2.0, "every", {"train_online", "train_minibatches", "draw_orders"}),
    ],
    ids=[
        "online",
        "online-beta-2",
        "mini-batches",
        "warm-online",
        "warm-mini-batches",
        "every",
        "every-beta-2",
    ],
)
def test_a_generated_module_compiles_only_the_path_a_run_takes(batch, beta, action, paths):
    assert compiled_after(4, batch, 1, 4, action, hidden=3, beta=beta) == paths


@pytest.mark.parametrize(
    ("hidden", "batch", "paths"),
    [
        (3, 1, {"train_online_unit", "step_online"}),
        (3, 2, {"train_minibatches", "step"}),
        (16, 1, {"train_online_by_rows", "train_online_by_columns"}),
        (16, 2, {"train_minibatches"}),
    ],
    ids=["generated-online", "generated-batches", "general-online", "general-batches"],
)
def test_the_apps_warm_up_compiles_the_paths_of_its_batch_size(hidden, batch, paths):
    """A Session's batch size does not change: the app readies its paths, for calls of any
    length, and its single step (a generated module's ``step_online`` for batches of one),
    and not the other batch sizes' (``cache --warm`` does those)."""
    assert compiled_after(4, batch, 1, 0, "app", hidden=hidden) == {*paths, "draw_orders"}


def test_cache_warm_readies_every_batch_sizes_paths_and_steps():
    # Every path but ``train_online``, whose betas (other than 1) this network has not.
    every = {"train_online_unit", "train_minibatches", "step_online", "step", "draw_orders"}
    assert compiled_after(4, 1, 1, 0, "cache", hidden=3) == every


def test_warm_up_compiles_the_draws_for_a_run_of_more_than_one_block():
    """XOR's 4 examples: 16384 epochs to a block of 2^16 indices."""
    assert compiled_after(4, 1, 16384, 0, "warm", hidden=3) == {"train_online_unit"}
    assert compiled_after(4, 1, 16385, 0, "warm", hidden=3) == {
        "train_online_unit",
        "draw_orders",
    }


def run_alone(train, spec, X, Y, order, batch, first, count, params):
    """One call of ``train`` on fresh copies of everything; its result and every array."""
    net = Network(spec)
    net.params[...] = params
    epoch_cost = np.zeros(len(order))
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
        batch,
        first,
        count,
        0.5,
        0.9,
        epoch_cost,
    )
    return ran, [net.params, net.velocity, net.grad, net.z, net.a, net.delta, epoch_cost]


@pytest.mark.parametrize(
    ("batch", "first", "count"),
    [(1, 3, dense.COLUMNS_MIN_UPDATES - 1), (1, 5, 3 * dense.COLUMNS_MIN_UPDATES), (3, 2, 9)],
    ids=["online-by-rows", "online-by-columns", "mini-batches"],
)
def test_the_choice_in_python_gives_the_bits_of_the_kernels(batch, first, count):
    spec = NetworkSpec.build(2, (16, 5), 2, activation="tanh")
    rng = np.random.default_rng(7)
    n = 10
    X = rng.uniform(-1.0, 1.0, (n, 2))
    Y = rng.uniform(0.0, 1.0, (n, 2))
    order = np.stack([rng.permutation(n) for _ in range(8)]).astype(np.int64)
    net = Network(spec)
    net.initialize(rng)
    params = net.params.copy()
    ran_py, ours = run_alone(
        kernels.general_train_batches, spec, X, Y, order, batch, first, count, params
    )
    ran_nb, theirs = run_alone(dense.train_batches, spec, X, Y, order, batch, first, count, params)
    assert ran_py == ran_nb == count
    for mine, other in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(mine, other)
        assert mine.tobytes() == other.tobytes()


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("cost", ["mse", "cross-entropy"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
def test_the_generated_evaluate_gives_the_general_ones_bits(activation, cost, bias):
    """Small networks evaluate on a generated kernel (``kernels.evaluator``), which compiles
    in a fraction of the general one's time: the same outputs, costs, loss, z and a."""
    spec = NetworkSpec.build(
        2,
        (3,),
        1,
        activation=activation,
        output_activation="sigmoid",
        cost=cost,
        bias=bias,
        beta=1.5,
    )
    rng = np.random.default_rng(3)
    net = Network(spec)
    net.initialize(rng)
    net.params[...] *= 4.0  # outputs near 0 and 1 too, where the costs are delicate
    X = rng.uniform(-2.0, 2.0, (25, 2))
    Y = (rng.uniform(size=(25, 1)) > 0.5).astype(float)
    generated = kernels.evaluator(net.layers, net.cost_code)
    assert generated is not dense.evaluate
    assert kernels.evaluator(net.layers, net.cost_code, specialized=False) is dense.evaluate
    results = []
    for evaluate in (generated, dense.evaluate):
        z, a = np.full_like(net.z, 7.0), np.full_like(net.a, 7.0)
        outputs, costs = np.zeros((25, 1)), np.zeros(25)
        args = (net.layers, net.betas, net.cost_code, net.params, z, a, X, Y, outputs, costs)
        loss = evaluate(*args)
        results.append([np.array([loss]), z, a, outputs, costs])
    for ours, theirs in zip(*results, strict=True):
        assert ours.tobytes() == theirs.tobytes()
