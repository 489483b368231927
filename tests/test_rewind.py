"""Going back: any kept update reached again bit for bit, by a checkpoint and replay."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tui_backprop.core.config import TrainingConfig
from tui_backprop.core.problems import make_problem
from tui_backprop.core.rewind import Rewind
from tui_backprop.core.session import Session
from tui_backprop.core.spec import NetworkSpec


def _session(hidden=(3,), problem="xor", batch_size=1, momentum=0.9) -> Session:
    data = make_problem(problem)
    spec = NetworkSpec.build(data.n_inputs, hidden, data.n_outputs)
    settings = TrainingConfig(alpha=0.5, momentum=momentum, batch_size=batch_size, seed=3)
    return Session(spec, data.X, data.Y, settings)


def _record(session: Session, rewind: Rewind, chunks: list[int]) -> dict[int, tuple]:
    """Train in ``chunks``, a checkpoint after each; the state after every update."""
    states = {session.updates: _state(session)}
    rewind.note(session)
    for chunk in chunks:
        for _ in range(chunk):  # one update at a time, to see each state
            session.run_batches(1)
            states[session.updates] = _state(session)
        rewind.note(session)
    return states


def _state(session: Session) -> tuple:
    epochs, losses = session.history.points()
    return (
        session.network.params.copy(),
        session.network.velocity.copy(),
        session.epoch,
        session.batch_in_epoch,
        epochs.copy(),
        losses.copy(),
    )


def _same(a: tuple, b: tuple) -> None:
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize(
    ("hidden", "batch_size"), [((3,), 1), ((2,), 4), ((64, 64), 1), ((32,), 2)]
)
def test_every_kept_update_is_reached_again_bit_for_bit(hidden, batch_size):
    session = _session(hidden, batch_size=batch_size)
    rewind = Rewind()
    # chunks at and past MIN_SPACING apart make checkpoints; the others are skipped
    states = _record(session, rewind, [300, 5, 600, 1, 260])
    end = session.updates
    for target in (end - 4, 905, 906, 700, 305, 300, 299, 42, 0):
        assert rewind.back_to(session, target) == target
        _same(_state(session), states[target])
        # and forward again from there: the same updates as the first time
        session.run_batches(3)
        _same(_state(session), states[target + 3])
        assert rewind.back_to(session, target) == target


def test_going_forward_from_an_earlier_point_is_a_new_branch():
    session = _session()
    rewind = Rewind()
    states = _record(session, rewind, [50, 50])
    rewind.back_to(session, 40)
    session.alpha = 2.0  # a new branch from update 40
    rewind.note(session)
    session.run_batches(10)
    assert not np.array_equal(session.network.params, states[50][0])
    assert rewind.earliest == 0
    with pytest.raises(ValueError):
        rewind.back_to(session, -1)
    rewind.back_to(session, 45)  # within the new branch
    session.run_batches(5)
    assert session.alpha == 2.0


def test_a_setting_changed_mid_run_is_replayed_as_it_was():
    session = _session()
    rewind = Rewind()
    rewind.note(session)
    session.run_batches(100)
    rewind.note(session)
    session.momentum = 0.0  # a change: a checkpoint follows it
    rewind.note(session)
    session.run_batches(100)
    after = _state(session)
    rewind.note(session)
    rewind.back_to(session, 150)
    session.run_batches(50)
    _same(_state(session), after)


def test_the_budget_drops_the_oldest_checkpoints():
    sizes = []
    for budget in (1 << 30, None):
        session = _session()
        if budget is None:  # room for the last three only
            budget = sum(sizes[-3:])
        rewind = Rewind(budget=budget)
        rewind.note(session)
        for _ in range(10):
            session.run_batches(300)
            rewind.note(session)
            sizes.append(session.checkpoint().nbytes)
        if budget == 1 << 30:
            assert rewind.earliest == 0
    assert rewind.earliest == 2400  # the checkpoints after 2400, 2700 and 3000 updates
    assert rewind.back_to(session, 2400) == 2400


def test_a_restart_or_a_reseed_begins_a_new_run():
    session = _session()
    rewind = Rewind()
    rewind.note(session)
    session.run_batches(20)
    rewind.note(session)
    session.restart()
    rewind.note(session)
    assert rewind.earliest == 0
    session.run_batches(5)
    rewind.note(session)
    with pytest.raises(ValueError):
        rewind.back_to(session, -1)
    session.reseed(4)
    rewind.note(session)
    session.run_batches(5)
    rewind.note(session)
    rewind.back_to(session, 2)
    assert session.seed == 4 and session.updates == 2


# -- in the app -------------------------------------------------------------------------
def test_b_and_B_go_back_and_n_comes_forward_the_same_way():
    import asyncio

    from tests.test_app import status, xor_app
    from tui_backprop.app.widgets.loss_plot import LossPlot

    async def scenario() -> None:
        app = xor_app()
        async with app.run_test(size=(120, 36)) as pilot:
            params = [app.runner.session.network.params.copy()]
            for _ in range(6):
                await pilot.press("n")
                params.append(app.runner.session.network.params.copy())
            await pilot.press("b", "b", "b")
            session = app.runner.session
            assert session.updates == 3
            np.testing.assert_array_equal(session.network.params, params[3])
            assert app.panel == "phase" and app.walk is not None
            assert app.walk.explanation.examples  # the update just undone, shown again
            assert "from update 4 to 3" in app.message and "new branch" in app.message
            await pilot.press("n", "n", "n")
            np.testing.assert_array_equal(session.network.params, params[6])
            assert "b back to update 0" in status(app)  # how far back one can go
            await pilot.press("B")  # 6 updates = 1 epoch of 4 and 2: to its start
            assert session.updates == 4 and session.batch_in_epoch == 0
            assert app.message.startswith("back to the epoch's start: from update 6 to 4")
            await pilot.press("B")  # at an epoch's start: the one before
            assert session.updates == 0
            # from where the last B left it
            assert app.message.startswith("one epoch back: from update 4 to 0")
            np.testing.assert_array_equal(session.network.params, params[0])
            await pilot.press("b")
            assert session.updates == 0 and "earliest" in app.message
            await pilot.press("e", "e", "e", "B")  # the curve ends, marked, where the run is
            plot = app.query_one(LossPlot)
            assert session.epoch == 2 and "●" in plot.plt.build()

    asyncio.run(scenario())


def test_stepping_one_update_at_a_time_keeps_the_last_10000_within_reach():
    session = _session()
    rewind = Rewind()
    rewind.note(session)
    for _ in range(12000):  # a checkpoint asked for after every step, as keys do
        session.run_batches(1)
        rewind.note(session)
    end = _state(session)
    rewind.back_to(session, 12000 - 10000)
    assert session.updates == 2000
    session.run_batches(10000)
    _same(_state(session), end)


def test_the_b_hint_is_never_cut_to_a_word_that_says_nothing():
    """At 80 columns adam's setup line leaves room for "b back" alone, which shows whole;
    with no room even for that, the progress line's end says it when no message does."""
    import asyncio

    from tests.test_app import xor_app
    from tests.test_lecture_layout import on_screen
    from tui_backprop.app.widgets.status import MESSAGE_GAP, status_text
    from tui_backprop.core.config import TrainingConfig

    async def scenario() -> None:
        app = xor_app(settings=TrainingConfig(seed=0, optimizer="adam"))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("n", "n", "n")
            await pilot.pause()
            lines = on_screen(app)
            at = next(i for i, line in enumerate(lines) if "PAUSED" in line)
            setup, progress = (line.rstrip(" │") for line in lines[at - 1 : at + 1])
            assert "adam" in setup and setup.endswith("  b back") and "…" not in setup
            assert progress.endswith("stepped: example 4")
            snap = app.runner.latest()
            setup_width = len(setup) - len("  b back") - 1  # its padding
            for width, message in ((setup_width + 5, ""), (setup_width + 5, "a message")):
                first, second = status_text(snap, "PAUSED", 50, message, 0, width).plain.split("\n")
                assert "b back" not in first
                # whole forms only (the accuracy leaves "b back" room, a message gets it)
                ends = ("  b back to 0", "  b back") if not message else (MESSAGE_GAP + message,)
                assert second.endswith(ends), second
            # no room on the second line for the number either: the shortest form there
            progress = status_text(snap, "PAUSED", 50, "", None, 200).plain.split("\n")[1]
            width = len(progress) + len("  b back")
            second = status_text(snap, "PAUSED", 50, "", 0, width).plain.split("\n")[1]
            assert second == progress + "  b back"

    asyncio.run(scenario())


def test_a_long_setup_line_narrows_its_gaps_before_it_loses_the_seed():
    """A long rule's settings at 80 columns: the gaps narrow, then the default "online"
    goes, so the seed, which makes the run go the same way again, stays."""
    from tests.test_network_view import random_snapshot
    from tui_backprop.app.widgets.status import status_text

    snap = dataclasses.replace(random_snapshot(2, 64, 64, 1), seed=12345)
    full = status_text(snap, "PAUSED", 50).plain.split("\n")[0]
    assert "  online  seed 12345" in full
    for cut in (2, 5, 10):
        width = len(full) - cut
        first = status_text(snap, "PAUSED", 50, width=width).plain.split("\n")[0]
        assert len(first) <= width and first.endswith("seed 12345"), (width, first)
