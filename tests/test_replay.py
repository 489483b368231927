"""Keep a run: --record writes the settings, the initial weights and the keys that changed
the run; replay plays it back, bit for bit; a bad or future file gets one line, exit 2."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import numpy as np
import pytest

from tests.helpers import run_cli
from tests.test_app import xor_app
from tui_backprop.app.app import BackpropApp
from tui_backprop.core.config import (
    DataConfig,
    InitConfig,
    NetworkConfig,
    RunConfig,
    TrainingConfig,
)
from tui_backprop.io.build import build_setup
from tui_backprop.io.run_file import load_run

#: The configuration xor_app's network comes from.
XOR_RUN = RunConfig(
    DataConfig(problem="xor"), NetworkConfig(hidden=(3,)), InitConfig(), TrainingConfig(seed=0)
)
KEYS = ["n", "n", "n", "plus", "n", "n", "m", "e", "r", "n", "n", "c", "e", "b", "n", "a", "n"]


def _replay_app(path) -> BackpropApp:
    record = load_run(str(path))
    setup = build_setup(record.run, make_session=False)
    config = xor_app().config
    return BackpropApp(
        dataclasses.replace(
            config,
            problem=setup.problem,
            spec=setup.spec,
            settings=setup.settings,
            initial=record.initial,
            run_config=record.run,
            replay=record,
        )
    )


def test_a_recorded_run_replays_bit_for_bit(tmp_path):
    path = tmp_path / "lecture.json"

    async def record() -> tuple[np.ndarray, tuple, int]:
        app = xor_app(run_config=XOR_RUN)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press(*KEYS)
            session = app.runner.session
            app.save_record(str(path))
            epochs, losses = session.history.points()
            return session.network.params.copy(), (epochs, losses), session.updates

    async def replay(keys: list[str]) -> tuple[np.ndarray, tuple, str]:
        app = _replay_app(path)
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(200):
                if "replay done" in app.message:
                    break
                await pilot.press(*keys)
            session = app.runner.session
            epochs, losses = session.history.points()
            return session.network.params.copy(), (epochs, losses), app.message

    params, history, updates = asyncio.run(record())
    document = json.loads(path.read_text())
    assert [e["action"] for e in document["events"]] == [
        "alpha_up",
        "momentum",
        "reseed",
        "cost",
        "back_update",
        "activation",
    ]
    for keys in (["n"], ["e"]):  # step by step, or an epoch at a time: the same run
        got, got_history, message = asyncio.run(replay(keys))
        assert "replay done" in message
        np.testing.assert_array_equal(got, params)
        np.testing.assert_array_equal(got_history[0], history[0])
        np.testing.assert_array_equal(got_history[1], history[1])


def test_replay_plays_while_running(tmp_path):
    path = tmp_path / "run.json"

    async def record() -> np.ndarray:
        app = xor_app(run_config=XOR_RUN)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("n", "plus", "e", "e", "m", "n")
            app.save_record(str(path))
            return app.runner.session.network.params.copy()

    async def replay() -> np.ndarray:
        app = _replay_app(path)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("space")
            for _ in range(100):
                if "replay done" in app.message:
                    break
                app.advance_frame()
                await pilot.pause()
            assert not app.running
            return app.runner.session.network.params.copy()

    recorded = asyncio.run(record())
    np.testing.assert_array_equal(asyncio.run(replay()), recorded)


def recorded_xor_run(tmp_path) -> dict:
    """A run file recorded of XOR_RUN (no key pressed), as JSON, to change."""

    async def record() -> None:
        app = xor_app(run_config=XOR_RUN)
        async with app.run_test(size=(100, 30)):
            app.save_record(str(tmp_path / "good.json"))

    asyncio.run(record())
    return json.loads((tmp_path / "good.json").read_text())


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(version=2), "version 2"),
        (lambda d: d.update(format="x"), "not a tui-backprop run file"),
        (lambda d: d["events"].append({"updates": 1, "action": "rm -rf"}), "event 1"),
        (lambda d: d["run"]["training"].update(alpha=-1), "training.alpha"),
        (lambda d: d["initial"]["weights"].pop(), "weights"),
        (lambda d: d.update(end=-3), '"end"'),
        (lambda d: d.update(end=10**30), '"end" is too large: a run counts at most 2^53'),
        (
            lambda d: d["events"].append({"updates": 2**60, "action": "cost"}),
            "event 1's updates is too large",
        ),
        (
            lambda d: d.update(
                end=5,
                events=[
                    {"updates": 5, "action": "momentum"},
                    {"updates": 3, "action": "alpha_up"},
                ],
            ),
            "event 2 (alpha_up at update 3) is out of order: event 1 before it (momentum at "
            "update 5) leaves the run at update 5 or later",
        ),
        (
            lambda d: d.update(end=4, events=[{"updates": 6, "action": "optimizer"}]),
            '"end" (4) comes before the last event (optimizer at update 6)',
        ),
    ],
)
def test_bad_run_files_get_one_line_and_exit_2(tmp_path, change, expected):
    document = recorded_xor_run(tmp_path)
    document["events"] = []
    change(document)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    result = run_cli("replay", str(bad))
    assert result.returncode == 2 and result.stdout == ""
    assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_record_through_the_real_command_writes_a_run_file_replay_reads(tmp_path):
    from tests.helpers import run_in_terminal

    path = tmp_path / "lecture.json"
    code, _ = run_in_terminal("--record", str(path), "--quit-after", "2", size=(100, 30))
    assert code == 0
    record = load_run(str(path))
    assert record.run.data.problem == "xor" and record.run.network.hidden == (3,)
    assert record.events == () and record.end == 0
    assert [w.shape for w in record.initial[0]] == [(3, 2), (1, 3)]


def test_a_recorded_run_with_its_events_out_of_order_is_refused(tmp_path):
    """A run recorded through the real command, its first two keys swapped: the replay
    would press the second at the first's update and end saying "as recorded". It is
    refused in one line; the file as recorded loads."""
    from tests.helpers import Typing, run_in_terminal

    path = tmp_path / "lecture.json"
    # Typed once the kernels are ready: n waits for them, and + would not.
    keys = Typing(rb"kernels ready", b"nnn+nnmnbnneOnnq", then_wait=0.5)
    code, _ = run_in_terminal("--record", str(path), size=(100, 30), type_when=keys)
    assert code == 0
    recorded = load_run(str(path))
    assert [(e.updates, e.action) for e in recorded.events[:3]] == [
        (3, "alpha_up"),
        (5, "momentum"),
        (6, "back_update"),
    ]
    document = json.loads(path.read_text())
    events = document["events"]
    events[0], events[1] = events[1], events[0]
    swapped = tmp_path / "swapped.json"
    swapped.write_text(json.dumps(document))
    result = run_cli("replay", str(swapped))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        f"tui-backprop replay: error: {swapped}: event 2 (alpha_up at update 3) is out of "
        "order: event 1 before it (momentum at update 5) leaves the run at update 5 or later\n"
    )


def test_keys_that_take_the_run_back_may_be_followed_by_earlier_updates(tmp_path):
    """b goes one update back, B an epoch, a new seed, a restart, another activation or
    cost (and alpha on a diverged run) start again: the next key may come earlier."""

    document = recorded_xor_run(tmp_path)
    for first, second in (
        ({"updates": 6, "action": "back_update"}, {"updates": 5, "action": "momentum"}),
        ({"updates": 9, "action": "back_epoch"}, {"updates": 4, "action": "momentum"}),
        ({"updates": 9, "action": "reseed"}, {"updates": 0, "action": "cost"}),
        ({"updates": 9, "action": "alpha_up"}, {"updates": 2, "action": "optimizer"}),
    ):
        document.update(events=[first, second], end=second["updates"])
        path = tmp_path / "run.json"
        path.write_text(json.dumps(document))
        assert [e.updates for e in load_run(str(path)).events] == [
            first["updates"],
            second["updates"],
        ]
    document.update(
        events=[{"updates": 6, "action": "back_update"}, {"updates": 4, "action": "momentum"}]
    )
    path.write_text(json.dumps(document))
    result = run_cli("replay", str(path))
    assert result.returncode == 2 and "event 2 (momentum at update 4) is out of order" in (
        result.stderr
    )
