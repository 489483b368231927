"""restarts in blocks: the same bits as one block, memory bounded by the block, partial
results on Ctrl-C."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import time
import tracemalloc

import numpy as np
import pytest

from tests.helpers import entry_point
from tui_backprop.cli.commands.restarts import run_restarts
from tui_backprop.cli.main import build_parser, invocation
from tui_backprop.core.config import TrainingConfig
from tui_backprop.core.problems import make_problem
from tui_backprop.core.spec import NetworkSpec
from tui_backprop.teach import restarts
from tui_backprop.teach.restarts import RestartsInterrupted, train_restarts

XOR = make_problem("xor")
SPEC = NetworkSpec.build(2, (2,), 1)


@pytest.mark.parametrize("chunked", [False, True], ids=["one-call", "many-calls"])
def test_blocks_give_the_bits_of_one_block(monkeypatch, chunked):
    """37 networks in blocks of 8 (the last one of 5) come out as in one block; and so when
    each block takes several parallel calls."""
    settings = TrainingConfig(epochs=150, seed=3, alpha=4.0, momentum=0.9)
    whole = train_restarts(SPEC, XOR.X, XOR.Y, settings, 37, block=37)
    if chunked:  # 8 networks x 4 examples x 17 epochs: 9 calls a block, generators kept
        monkeypatch.setattr(restarts, "_MAX_CALL_VISITS", 8 * 4 * 17)
    done = []
    blocks = train_restarts(
        SPEC, XOR.X, XOR.Y, settings, 37, block=8, progress=lambda d, t: done.append((d, t))
    )
    assert np.unique(whole.final_losses).size == 37
    assert np.array_equal(blocks.final_losses, whole.final_losses, equal_nan=True)
    assert np.array_equal(blocks.seeds, whole.seeds) and not blocks.interrupted
    # progress counts network-epochs over all the blocks, and ends at the total
    assert done[-1] == (37 * 150, 37 * 150)
    assert [d for d, _ in done] == sorted(d for d, _ in done)
    assert (8 * 150, 37 * 150) in done and (32 * 150, 37 * 150) in done


def _peak_bytes(count: int, block: int) -> int:
    settings = TrainingConfig(epochs=40, seed=0)
    tracemalloc.start()
    try:
        train_restarts(SPEC, XOR.X, XOR.Y, settings, count, block=block)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_count():
    """numpy's arrays are traced by tracemalloc: with blocks of 32 networks, 512 networks
    take 448 networks' results more than 64 do (a seed and a final loss, 16 bytes each, and
    what the arrays that grow with them leave in the allocator: 48-75 bytes a network
    measured, more when other tests ran first in the process, so the bound is 96); in one
    block each network costs its parameters, buffers,
    generator state and epoch costs (about 700 bytes on XOR 2-2-1 for 40 epochs). No example
    orders are held: the kernel draws them."""
    train_restarts(SPEC, XOR.X, XOR.Y, TrainingConfig(epochs=2), 2)  # compiled first
    small, large = _peak_bytes(64, 32), _peak_bytes(512, 32)
    assert large - small < 96 * (512 - 64), (small, large)
    one_block = _peak_bytes(512, 512)
    assert one_block - small > 256 * (512 - 32), (small, one_block)  # the measure sees it


def test_block_size_is_bounded_by_its_budget():
    assert restarts.block_size(9, 5) == restarts.MAX_BLOCK  # XOR 2-2-1: a few hundred bytes
    wide = restarts.block_size(79510, 894)  # 784-100-10: about 2 MB each
    assert 50 < wide < restarts.MAX_BLOCK
    assert wide * 3 * 8 * 79510 < restarts.BLOCK_BYTES
    assert restarts.block_size(79510, 894, second=True) < wide
    assert restarts.block_size(79510, 894, budget=1) == 1


def test_stop_ends_the_run_between_blocks_with_the_networks_finished():
    settings = TrainingConfig(epochs=60, seed=11)
    full = train_restarts(SPEC, XOR.X, XOR.Y, settings, 20)
    asked = []
    part = train_restarts(
        SPEC, XOR.X, XOR.Y, settings, 20, block=6, stop=lambda: asked.append(1) or len(asked) == 2
    )
    assert part.interrupted and part.seeds.tolist() == list(range(11, 23))
    assert np.array_equal(part.final_losses, full.final_losses[:12], equal_nan=True)


def test_keyboard_interrupt_carries_the_networks_finished():
    settings = TrainingConfig(epochs=60, seed=11)
    full = train_restarts(SPEC, XOR.X, XOR.Y, settings, 20)

    def progress(done, total):
        if done >= 2 * 4 * 60:  # the second block of 4 is kept
            raise KeyboardInterrupt

    with pytest.raises(RestartsInterrupted) as caught:
        train_restarts(SPEC, XOR.X, XOR.Y, settings, 20, progress=progress, block=4)
    part = caught.value.result
    assert isinstance(caught.value, KeyboardInterrupt)
    assert part.interrupted and len(part.seeds) == 8
    assert np.array_equal(part.final_losses, full.final_losses[:8], equal_nan=True)


def _call(*options):
    return invocation(build_parser().parse_args(["restarts", "--hidden", "2", *options]))


def _interrupt_after_first_block(done, total):
    raise KeyboardInterrupt


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
def test_command_reports_the_networks_finished_when_interrupted(monkeypatch, capsys, as_json):
    monkeypatch.setattr(restarts, "MAX_BLOCK", 16)
    options = ["--count", "50", "--epochs", "30", "--seed", "7"]
    code = run_restarts(
        _call(*options, *(["--json"] if as_json else [])), progress=_interrupt_after_first_block
    )
    out = capsys.readouterr().out
    assert code == 130
    first = train_restarts(SPEC, XOR.X, XOR.Y, TrainingConfig(epochs=30, seed=7), 16)
    if as_json:
        doc = json.loads(out)
        assert doc["interrupted"] is True and doc["count"] == 16 and doc["first_seed"] == 7
        assert doc["final_losses"] == first.final_losses.tolist()
    else:
        assert out.rstrip().splitlines()[-1] == "interrupted: 16 of 50 networks trained"
        assert out.startswith("16 restarts of 2-2-1 on xor, seeds 7..22")
    assert run_restarts(_call(*options, "--json")) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["interrupted"] is False and doc["count"] == 50


def test_command_interrupted_before_any_network_finished(monkeypatch, capsys):
    monkeypatch.setattr(restarts, "_MAX_CALL_VISITS", 5 * 4 * 2)  # calls of 2 epochs

    def interrupt(done, total):
        assert done == 5 * 2  # after the first call, within the first block
        raise KeyboardInterrupt

    code = run_restarts(_call("--count", "5", "--epochs", "10"), progress=interrupt)
    assert code == 130 and capsys.readouterr().out == "interrupted: 0 of 5 networks trained\n"
    code = run_restarts(_call("--count", "5", "--epochs", "10", "--json"), progress=interrupt)
    doc = json.loads(capsys.readouterr().out)
    assert code == 130 and doc["count"] == 0 and doc["final_losses"] == []
    assert doc["interrupted"] is True and doc["converged_fraction"] is None


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_on_a_real_run_prints_the_partial_result(signum):
    """SIGINT (Ctrl-C) or SIGTERM to ``restarts --count 100000 --json`` once its progress
    bar is drawn (on a terminal, after the first block): exit code 128 + the signal and the
    blocks finished."""
    import pty

    master, slave = pty.openpty()
    env = dict(os.environ, TERM="xterm-256color")
    env.pop("NUMBA_DISABLE_JIT", None)
    args = ["restarts", "--hidden", "2", "--count", "100000", "--epochs", "100", "--json"]
    process = subprocess.Popen(
        [*entry_point(), *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
        env=env,
        # as from a shell: Ctrl-C raises KeyboardInterrupt even if this run ignores SIGINT
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    os.close(slave)
    try:
        deadline = time.monotonic() + 120
        drawn = b""
        while b"network-updates/s" not in drawn:  # the bar's rate column, drawn in full
            assert time.monotonic() < deadline, drawn
            if select.select([master], [], [], 0.1)[0]:
                drawn += os.read(master, 65536)
            assert process.poll() is None, "it ended before drawing its progress"
        process.send_signal(signum)
        out, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    assert process.returncode == 128 + signum
    doc = json.loads(out)
    assert doc["interrupted"] is True and 0 < doc["count"] < 100000
    block = restarts.block_size(9, 5)
    assert doc["count"] % block == 0
    first = train_restarts(SPEC, XOR.X, XOR.Y, TrainingConfig(epochs=100), doc["count"])
    assert doc["final_losses"] == first.final_losses.tolist()


def test_an_interrupted_runs_rate_leaves_out_the_block_it_threw_away(monkeypatch):
    """The time of the networks kept ends where their block ended: a stop in the middle
    of the next block throws that block's work away, and its time with it. A fake clock
    that ticks one second per reading makes the times exact."""
    import types

    from tui_backprop.teach import restarts as module

    settings = TrainingConfig(epochs=60, seed=11)
    train_restarts(SPEC, XOR.X, XOR.Y, settings, 2)  # compiled before the clock is faked
    readings: list[int] = []

    def perf_counter() -> int:
        readings.append(len(readings))
        return readings[-1]

    monkeypatch.setattr(module, "time", types.SimpleNamespace(perf_counter=perf_counter))
    asked: list[int] = []  # the clock's last reading when stop() was asked

    def stop() -> bool:  # asked after each call of 20 epochs but a block's last, and
        asked.append(readings[-1])  # after each block
        return len(asked) == 5  # block 1: 2 calls and its end; block 2: 2 calls

    part = train_restarts(SPEC, XOR.X, XOR.Y, settings, 20, block=6, stop=stop, report_every=20)
    assert part.interrupted and len(part.seeds) == 6
    # block 1 kept when stop() was asked the third time; block 2 ran on after it
    assert part.kept_seconds == asked[2] - readings[0]
    assert part.seconds > asked[4] - readings[0] > part.kept_seconds
    assert part.training_seconds == max(part.kept_seconds - part.setup_seconds, 0.0)
    whole = train_restarts(SPEC, XOR.X, XOR.Y, settings, 6, block=6)
    assert whole.kept_seconds is None and whole.training_seconds == max(
        whole.seconds - whole.setup_seconds, 0.0
    )
