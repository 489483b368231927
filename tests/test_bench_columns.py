"""bench's two added columns: the ratio against the hand-written XOR 2-3-1 kernel (the
yardstick) and the fraction of the FMA flop limit. Speeds are not asserted (the machines are
shared); what is checked is that the yardstick trains exactly as the product does, that the
flop count is the one counted by hand, and that the columns reach the table and the JSON."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from tests.helpers import run_cli
from tui_backprop.cli.benchmark import add_flop_fractions
from tui_backprop.cli.commands.bench import table
from tui_backprop.cli.yardstick import flop_limit, flops_per_update, train_231, yardstick_fits
from tui_backprop.core.config import TrainingConfig
from tui_backprop.core.orders import EpochOrders, seed_streams
from tui_backprop.core.problems import make_problem
from tui_backprop.core.session import Session
from tui_backprop.core.spec import NetworkSpec


@pytest.mark.parametrize("specialized", [True, False])
@pytest.mark.parametrize(
    ("seed", "alpha", "momentum", "updates"),
    [(0, 0.1, 0.9, 4_000), (7, 0.5, 0.0, 1_003), (123, 2.0, 0.95, 2_501)],
)
def test_yardstick_gives_the_products_weights_bit_for_bit(
    specialized, seed, alpha, momentum, updates
):
    """The same arithmetic in the same order (the product's extra operations are + 0.0 and
    1.0 *, exact), so the weights, velocities and epoch losses are equal, not just close;
    also over a partial last epoch and for the general kernel, which matches the generated."""
    xor = make_problem("xor")
    spec = NetworkSpec.build(2, (3,), 1)
    assert yardstick_fits(spec)
    settings = TrainingConfig(alpha=alpha, momentum=momentum, seed=seed)
    session = Session(spec, xor.X, xor.Y, settings, specialized=specialized)
    session.epoch_losses = []
    params = session.network.params.copy()
    start = params.copy()
    velocity = np.zeros_like(params)
    n = len(xor.X)
    order = EpochOrders(n, seed_streams(seed)[1]).take(0, -(-updates // n))
    epoch_cost = np.zeros(len(order))

    assert session.run_batches(updates) == updates
    train_231(params, velocity, xor.X, xor.Y, order, updates, alpha, momentum, epoch_cost)

    assert np.array_equal(params, session.network.params)
    assert np.array_equal(velocity, session.network.velocity)
    finished = updates // n
    assert np.array_equal(epoch_cost[:finished] / n, np.array(session.epoch_losses))
    # the run moved the weights: equality is not that of two untouched arrays
    assert not np.array_equal(params, start)


def test_yardstick_fits_only_its_network():
    assert yardstick_fits(NetworkSpec.build(2, (3,), 1))
    assert not yardstick_fits(NetworkSpec.build(2, (4,), 1))
    assert not yardstick_fits(NetworkSpec.build(2, (3,), 1, activation="tanh"))
    assert not yardstick_fits(NetworkSpec.build(2, (3,), 1, cost="cross-entropy"))
    assert not yardstick_fits(NetworkSpec.build(2, (3,), 1, beta=2.0))
    assert not yardstick_fits(NetworkSpec.build(2, (3,), 1, bias=False))


def test_flops_per_update_counted_by_hand():
    # 2-2-1, with biases. Layer 1's 4 weights: forward multiply-add (2), gradient
    # delta * a (1), update d = -alpha g + mu d (multiply 1 + multiply-add 2), w += d (1):
    # 7 each, no backward below layer 1. Layer 2's 2 weights: the same 7 plus the backward
    # multiply-add delta^1 += w delta^2 (2): 9 each. 3 biases: the forward add (1) and
    # the update (4): 5 each.
    layer1 = 4 * (2 + 1 + 1 + 2 + 1)
    layer2 = 2 * (2 + 2 + 1 + 1 + 2 + 1)
    biases = 3 * (1 + 1 + 2 + 1)
    assert flops_per_update((2, 2, 1)) == layer1 + layer2 + biases == 61
    assert flops_per_update((2, 2, 1), bias=False) == 46
    # one neuron with one input: w (7) and b (5)
    assert flops_per_update((1, 1)) == 12
    assert flops_per_update((2, 3, 1)) == 89
    assert flops_per_update((64, 128, 64, 10)) == 137_842


def test_flop_limit_is_a_rate():
    limit = flop_limit(repeats=1, seconds=0.002)
    assert math.isfinite(limit) and limit > 1e6  # any machine with numba does more


def _doc() -> dict:
    """A bench document as run_bench makes it, with made-up numbers."""
    rates = {"median": 2e6, "min": 1e6, "max": 3e6}
    return {
        "quick": True,
        "machine": {"cpu": "a CPU", "cores": 2, "numba_threads": 2},
        "flop_limit": {"flops_per_second": 4e10, "measurements": [4e10, 3e10]},
        "cases": [
            {
                "name": "xor-2-3-1",
                "unit": "updates/s",
                "agrees": True,
                "kernel": rates,
                "reference": {"median": 1e4, "min": 1e4, "max": 1e4},
                "ratio": {"median": 200.0, "min": 100.0, "max": 300.0},
                "target_ratio": 250.0,
                "meets_target": False,
                "yardstick": {"median": 4e6, "min": 4e6, "max": 4e6},
                "yardstick_ratio": {"median": 0.625, "min": 0.25, "max": 0.75},
                "yardstick_target": 0.95,
                "meets_yardstick_target": False,
                "yardstick_agrees": True,
                "flops_per_update": 89,
            },
            {
                "name": "restarts",
                "unit": "network-updates/s",
                "agrees": True,
                "kernel": {"median": 3e7, "min": 2.5e7, "max": 3.5e7},
                "kernel_all_threads": {"median": 5e7, "min": 5e7, "max": 5e7},
                "threads": 2,
                "target_per_thread": 2.5e7,
                "meets_target": True,
                "yardstick_ratio": None,
                "flops_per_update": 89,
            },
            {
                "name": "single-step",
                "unit": "seconds/call",
                "agrees": True,
                "kernel": {"median": 1e-6},
                "reference": {"median": 5e-5},
                "ratio": {"median": 50.0},
                "meets_target": True,
                "yardstick_ratio": None,
            },
        ],
        "startup": {
            "compile_seconds": 1.0,
            "train_epoch_seconds": {"median": 0.5},
            "help_seconds": {"median": 0.1},
        },
    }


def test_flop_fractions_are_rate_times_flops_over_the_limit():
    doc = _doc()
    add_flop_fractions(doc["cases"], 4e10)
    xor, restarts, single = doc["cases"]
    assert xor["flop_fraction"] == pytest.approx(
        {"median": 2e6 * 89 / 4e10, "min": 1e6 * 89 / 4e10, "max": 3e6 * 89 / 4e10}
    )
    # restarts' one-thread spread as every case's (not its median three times)
    assert restarts["flop_fraction"] == pytest.approx(
        {"median": 3e7 * 89 / 4e10, "min": 2.5e7 * 89 / 4e10, "max": 3.5e7 * 89 / 4e10}
    )
    assert single["flop_fraction"] is None


def test_the_flop_fraction_target_is_met_by_the_median_alone():
    from tui_backprop.cli.benchmark import FLOP_FRACTION_TARGETS

    def big(median: float) -> dict:
        rates = {"median": median, "min": median / 2, "max": median * 2}
        return {
            "name": "64-128-64-10",
            "unit": "updates/s",
            "agrees": True,
            "kernel": rates,
            "reference": {"median": 1e3},
            "ratio": {"median": 1.0, "min": 1.0, "max": 1.0},
            "target_ratio": 10.0,
            "meets_target": False,
            "yardstick_ratio": None,
            "flops_per_update": 100,
        }

    target = FLOP_FRACTION_TARGETS["64-128-64-10"]
    cases = [big(target * 1e8), big(target * 1e8 * 0.99), big(1e8) | {"name": "2-16-16-1"}]
    add_flop_fractions(cases, 1e10)  # updates/s x 100 / 1e10: the fraction is median / 1e8
    assert cases[0]["flop_fraction_target"] == target and cases[0]["meets_flop_fraction_target"]
    assert cases[1]["meets_flop_fraction_target"] is False  # its max is over, its median not
    assert "flop_fraction_target" not in cases[2]  # no target for that row
    text = table(_doc() | {"cases": cases[:2]})
    said = text[text.index("targets:") : text.index("(vs hand")]
    assert " ".join(said.split()) == (
        "targets: 64-128-64-10 of flops 0.450 (target 0.45), met; "
        "64-128-64-10 of flops 0.446 (target 0.45), missed"
    )


def test_table_shows_both_columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")  # the one-table layout (80 columns: test_cli_width)
    doc = _doc()
    add_flop_fractions(doc["cases"], 4e10)
    text = table(doc)
    assert "FMA flop limit, one thread: 40.0 GFLOP/s" in text
    header = next(line for line in text.splitlines() if line.startswith("case"))
    assert header.split()[-4:] == ["vs", "hand", "of", "flops"]
    rows = {line.split()[0]: line for line in text.splitlines() if line.strip()}
    assert rows["xor-2-3-1"].split()[-3:] == ["0.62x", "0.004", "missed"]
    assert rows["restarts"].split()[-4:] == ["25", "M/s", "-", "0.067"]
    assert rows["single-step"].split()[-2:] == ["-", "-"]
    assert rows["targets:"] == "targets: xor-2-3-1 vs hand 0.62x (target 0.95x), missed"
    doc["cases"][0]["yardstick_agrees"] = False
    xor_row = next(line for line in table(doc).splitlines() if line.startswith("xor"))
    assert xor_row.split()[-3] == "NO"
    said = next(line for line in table(doc).splitlines() if line.startswith("targets:"))
    assert said.endswith("not comparable: the weights differ")


def test_the_table_says_what_the_compile_time_is(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    lines = table(_doc()).splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("compile (empty cache)"))
    said = " ".join(" ".join(lines[at + 1 : at + 4]).split())
    assert said.startswith("(compile: the kernels `train --problem xor --epochs 1` needs")
    assert all(len(line) <= 80 for line in lines[at : at + 4])


def test_bench_through_the_entry_point(tmp_path, monkeypatch):
    """The real command with the shortest budget it has (--quick), run once for all its
    checks (it takes half a minute): the JSON on stdout and in the file, its schema, every
    case agreeing with the reference, the yardstick agreeing bit for bit, and the table
    made of that document."""
    output = tmp_path / "bench.json"
    out = run_cli("bench", "--quick", "--json", "--output", str(output), timeout=300)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc == json.loads(output.read_text())
    assert doc["schema_version"] == 2 and doc["quick"] is True
    assert {"cpu", "cores", "numba_threads"} <= set(doc["machine"])
    assert {"python", "numpy", "numba", "llvmlite", "tui_backprop"} <= set(doc["versions"])
    names = [c["name"] for c in doc["cases"]]
    # the test extras install scikit-learn
    assert names == [
        "xor-2-3-1",
        "2-16-16-1",
        "64-128-64-10",
        "single-step",
        "restarts",
        "sklearn-mlp",
    ]
    for case in doc["cases"]:
        assert case["agrees"] is True
        assert isinstance(case["meets_target"], bool)
        # One shape for every case's figures, so .cases[].kernel.median reads them all.
        assert set(case["kernel"]) == {"median", "min", "max"}
        assert case["kernel"]["min"] <= case["kernel"]["median"] <= case["kernel"]["max"]
        if case["unit"] == "updates/s":
            assert case["max_abs_weight_difference"] <= 1e-12
    assert {"compile_seconds", "train_epoch_seconds", "help_seconds"} <= set(doc["startup"])
    limit = doc["flop_limit"]["flops_per_second"]
    assert limit > 0 and limit == max(doc["flop_limit"]["measurements"])
    cases = {case["name"]: case for case in doc["cases"]}
    xor = cases["xor-2-3-1"]
    assert xor["yardstick_agrees"] is True and xor["yardstick_max_abs_weight_difference"] == 0
    assert set(xor["yardstick_ratio"]) == {"median", "min", "max"}
    assert 0 < xor["yardstick_ratio"]["median"] < math.inf  # whatever the speed
    for name in ("xor-2-3-1", "2-16-16-1", "64-128-64-10", "restarts", "sklearn-mlp"):
        case = cases[name]
        assert case["flops_per_update"] > 0
        assert 0 < case["flop_fraction"]["median"] < math.inf
    for name in ("2-16-16-1", "64-128-64-10", "single-step", "restarts", "sklearn-mlp"):
        assert cases[name]["yardstick_ratio"] is None
    assert cases["single-step"]["flop_fraction"] is None
    restarts = cases["restarts"]
    assert restarts["threads"] == doc["machine"]["numba_threads"]
    for name in ("kernel_all_threads", "whole_run", "whole_run_all_threads"):
        assert set(restarts[name]) == {"median", "min", "max"}
    assert cases["64-128-64-10"]["flops_per_update"] == 137_842
    big = cases["64-128-64-10"]
    assert big["flop_fraction"]["median"] == pytest.approx(
        big["kernel"]["median"] * 137_842 / limit
    )
    assert xor["yardstick_target"] == 0.95
    assert xor["meets_yardstick_target"] is (xor["yardstick_ratio"]["median"] >= 0.95)
    big = cases["64-128-64-10"]
    assert big["flop_fraction_target"] == 0.45
    assert big["meets_flop_fraction_target"] is (big["flop_fraction"]["median"] >= 0.45)
    # fits as long as a full run's: at 20 epochs their fixed costs made most of ours
    assert cases["sklearn-mlp"]["config"]["epochs"] == 200
    monkeypatch.setenv("COLUMNS", "160")  # the one-table layout
    lines = table(doc).splitlines()
    assert any(line.startswith("FMA flop limit, one thread:") for line in lines)
    xor_row = next(line for line in lines if line.startswith("xor-2-3-1"))
    assert f"{xor['yardstick_ratio']['median']:.2f}x" in xor_row
    assert f"{xor['flop_fraction']['median']:.3f}" in xor_row
