"""The restarts scene while it trains: a progress bar that follows the worker thread, then
the best seed selected so that enter opens it."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import threading

import numpy as np
from textual.widgets import OptionList, ProgressBar

from tests.test_scenes import lesson_app, lesson_config
from tui_backprop.app.app import BackpropApp
from tui_backprop.app.screens import restarts as restarts_screen
from tui_backprop.app.screens.restarts import LossHistogram, RestartsScreen
from tui_backprop.io.build import build_setup
from tui_backprop.io.lessons import load_lesson
from tui_backprop.teach.restarts import train_restarts


def run(coro):
    return asyncio.run(coro)


def test_report_every_reports_often_and_changes_nothing():
    setup = build_setup(load_lesson("restarts").run, make_session=False)
    X, Y, settings = setup.problem.X, setup.problem.Y, setup.settings
    settings = dataclasses.replace(settings, epochs=200)
    plain = train_restarts(setup.spec, X, Y, settings, 12)
    reports: list[tuple[int, int]] = []
    often = train_restarts(
        setup.spec, X, Y, settings, 12, lambda d, t: reports.append((d, t)), report_every=20
    )
    np.testing.assert_array_equal(plain.final_losses, often.final_losses)
    done = [d for d, _ in reports]
    assert done == sorted(done) and done[-1] == 12 * 200
    assert all(t == 12 * 200 for _, t in reports)
    # Every 20 epochs of the block: no gap of more than 20 epochs of its networks.
    assert max(np.diff([0, *done])) <= 12 * 20


def test_progress_bar_moves_while_the_networks_train(monkeypatch):
    """The bar shows part of the run while the worker is held mid-run; the event loop
    answers meanwhile; at the end the bar goes and the best seed is selected."""
    reported, go = threading.Event(), threading.Event()

    def held(spec, X, Y, settings, count, progress=None, **keywords):
        def report(done, total):
            progress(done, total)  # the screen's: returns once the screen has shown it
            if done < total:
                reported.set()
                assert go.wait(30)

        return train_restarts(spec, X, Y, settings, count, report, **keywords)

    monkeypatch.setattr(restarts_screen, "train_restarts", held)

    async def scenario():
        app = BackpropApp(lesson_config("restarts"))  # not step mode: the worker trains
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RestartsScreen)
            assert await asyncio.to_thread(reported.wait, 60)
            await pilot.pause()
            bar = screen.query_one(ProgressBar)
            assert bar.total == screen.count * screen.epochs
            assert 0 < bar.progress < bar.total
            assert screen.query_one("#restarts-training").display
            assert " of " in str(screen.query_one("#restarts-stage").render())
            assert screen.result is None
            go.set()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert screen.result is not None
            assert bar.progress == bar.total
            assert not screen.query_one("#restarts-training").display
            assert screen.query_one(OptionList).highlighted == 0

    try:
        run(scenario())
    finally:
        go.set()


def test_the_best_seed_is_selected_and_enter_opens_it():
    async def scenario():
        app = lesson_app("restarts")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RestartsScreen)
            options = screen.query_one(OptionList)
            assert app.focused is options and options.highlighted == 0
            best = options.get_option_at_index(0).id
            assert best is not None and best.startswith("best-")
            await pilot.press("enter")
            await pilot.pause()
            assert type(app.screen).__name__ == "MainScreen"
            assert app.runner.session.seed == int(best.split("-")[1])

    run(scenario())


def test_counts_are_whole_numbers_and_the_opened_seed_says_what_space_does():
    async def scenario():
        app = lesson_app("restarts")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RestartsScreen)
            plot = re.sub(r"\x1b\[[0-9;]*m", "", screen.query_one(LossHistogram).plt.build())
            ticks = re.findall(r"([\d.]+)┤", plot)
            assert ticks and all(tick.isdigit() for tick in ticks), ticks
            await pilot.press("enter")
            await pilot.pause()
            assert "space trains it to epoch 2000" in app.message
            assert "e or space" not in app.message

    run(scenario())


def test_the_restarts_lessons_notes_place_the_runs_where_the_histogram_has_them():
    """The notes say the converged runs sit far left on the log10 axis, near -4, and the
    stuck ones (about a quarter) between -2 and -1: so the lesson's own restarts do."""
    lesson = load_lesson("restarts")
    assert "log10 near -4" in lesson.notes and "log10 -2 to -1" in lesson.notes
    setup = build_setup(lesson.run, make_session=False)
    threshold, _ = lesson.restarts.threshold_for(setup.spec.cost)
    result = train_restarts(
        setup.spec, setup.problem.X, setup.problem.Y, setup.settings, lesson.restarts.count
    )
    logs = np.log10(result.final_losses)
    converged = result.converged(threshold)
    assert 0.2 <= 1 - converged.mean() <= 0.3  # about a quarter stuck
    assert -4.5 < np.median(logs[converged]) < -3.5
    assert np.all((logs[~converged] >= -2) & (logs[~converged] <= -1))
