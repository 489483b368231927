"""Every lesson opens in the app (Pilot, step mode); the descent, landscape and restarts
scenes do what their headless commands and the Session do."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import threading

import numpy as np
import pytest
from textual.widgets import Input, OptionList

from tests.helpers import held, run_cli, run_in_terminal
from tui_backprop.app.app import BackpropApp
from tui_backprop.app.screens.descent import SURFACE_RANGE, DescentScreen
from tui_backprop.app.screens.landscape import LandscapeScreen
from tui_backprop.app.screens.race import RaceScreen
from tui_backprop.app.screens.restarts import RestartsScreen
from tui_backprop.app.screens.scene import SceneScreen
from tui_backprop.app.widgets.heatmap import sample
from tui_backprop.app.widgets.notes import NotesPanel
from tui_backprop.cli.commands.tui import build_config
from tui_backprop.cli.main import build_parser, invocation
from tui_backprop.core.config import LandscapeConfig
from tui_backprop.io.build import build_setup
from tui_backprop.io.lessons import LESSON_DIR, load_lesson
from tui_backprop.teach.descent import SURFACES, descend, quartic

SHIPPED = sorted(p.stem for p in LESSON_DIR.glob("*.toml"))
SCREENS = {
    "descent": DescentScreen,
    "landscape": LandscapeScreen,
    "restarts": RestartsScreen,
    "race": RaceScreen,
}


def lesson_config(name: str, command: str = "lesson"):
    """The app's configuration as `tui-backprop lesson NAME` (or `tui --lesson NAME`)
    builds it."""
    argv = [command, name] if command == "lesson" else [command, "--lesson", name]
    return build_config(invocation(build_parser().parse_args(argv)))


def lesson_app(name: str) -> BackpropApp:
    """The app as `tui-backprop lesson NAME` opens it, in step mode."""
    return BackpropApp(dataclasses.replace(lesson_config(name), step_mode=True))


def lesson_run(name: str, **training):
    """The lesson's run configuration, with some training settings changed."""
    run = load_lesson(name).run
    return dataclasses.replace(run, training=dataclasses.replace(run.training, **training))


def run(coro):
    return asyncio.run(coro)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_lesson_opens(name):
    lesson = load_lesson(name)

    async def scenario():
        app = lesson_app(name)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            expected = SCREENS.get(lesson.scene)
            if expected is None:
                assert type(app.screen).__name__ == "MainScreen"
                train = build_setup(lesson.run)
                assert app.runner.session.spec == train.spec
                for mine, theirs in zip(
                    app.runner.session.initial_parameters(),
                    train.session.initial_parameters(),
                    strict=True,
                ):
                    for a, b in zip(mine, theirs, strict=True):
                        np.testing.assert_array_equal(a, b)
                panel = app.query_one("#notes", NotesPanel)
            else:
                assert isinstance(app.screen, expected)
                panel = app.screen.query_one(NotesPanel)
            assert panel.title_text == lesson.title and panel.notes_text == lesson.notes
            # 100 columns: the notes start hidden; t shows them, t hides them again.
            assert not panel.has_class("-shown")
            await pilot.press("t")
            assert panel.has_class("-shown")
            await pilot.press("t")
            assert not panel.has_class("-shown")

    run(scenario())


def test_notes_show_at_the_start_on_a_wide_terminal():
    async def scenario():
        app = lesson_app("xor-221")
        async with app.run_test(size=(140, 36)) as pilot:
            await pilot.pause()
            assert app.query_one("#notes", NotesPanel).has_class("-shown")

    run(scenario())


def test_t_without_a_lesson_says_there_are_no_notes():
    from tests.test_app import xor_app

    async def scenario():
        app = xor_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("t")
            assert not app.query_one("#notes", NotesPanel).has_class("-shown")
            assert "no lecture notes" in app.message

    run(scenario())


def test_palette_lists_every_lesson_and_opens_one():
    async def scenario():
        app = lesson_app("neuron")
        async with app.run_test(size=(100, 30)) as pilot:
            commands = {c.title: c for c in app.get_system_commands(app.screen)}
            for name in SHIPPED:
                assert any(t.startswith(f"lesson: {name} ") for t in commands)
            commands["lesson: xor-221 (network)"].callback()
            await pilot.pause()
            spec = app.runner.session.spec
            assert spec.sizes == (2, 2, 1) and spec.cost == "cross-entropy"
            assert app.runner.latest().spec == spec
            assert app.query_one("#notes", NotesPanel).title_text.startswith("XOR with")
            commands["lesson: descent (descent)"].callback()
            await pilot.pause()
            assert isinstance(app.screen, DescentScreen)
            await pilot.press("escape")
            assert type(app.screen).__name__ == "MainScreen"
            # the descent is about no network: the network view is as it was, xor-221's
            assert app.runner.session.spec == spec
            assert app.query_one("#notes", NotesPanel).title_text.startswith("XOR with")

    run(scenario())


def test_a_descent_lesson_leaves_the_network_view_without_its_notes():
    async def scenario():
        app = lesson_app("descent")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, DescentScreen)
            await pilot.press("escape")
            assert not app.query_one("#notes", NotesPanel).has_notes

    run(scenario())


def _limited_network_lessons() -> list[str]:
    return [
        name
        for name in SHIPPED
        if load_lesson(name).scene == "network" and load_lesson(name).app.stop_epoch is not None
    ]


@pytest.mark.parametrize("name", _limited_network_lessons())
def test_a_lessons_epoch_limit_pauses_there_and_space_trains_on_past_it(name):
    """Running pauses at the lesson's [training] epochs and says so, naming them and what
    space does; space there (or after n stepped past) trains on; a run from below, after
    a restart, pauses there again."""
    limit = load_lesson(name).app.stop_epoch

    async def run_until_paused(app, pilot):
        await pilot.press("space")
        for _ in range(10):
            app.advance_frame()
        assert not app.running

    async def scenario():
        app = lesson_app(name)
        async with app.run_test(size=(100, 30)) as pilot:
            session = app.runner.session
            app.runner.speed = limit * session.batches_per_epoch // 3 + 1  # three frames
            for _ in range(2):
                await run_until_paused(app, pilot)
                assert session.epoch == limit and session.batch_in_epoch == 0
                assert f"stops at epoch {limit}" in app.message and "space" in app.message
                await pilot.press("space")  # again, at the limit: it trains on
                app.advance_frame()
                assert app.running and session.updates > limit * session.batches_per_epoch
                assert f"past epoch {limit}" in app.message
                app.advance_frame()
                assert app.running
                await pilot.press("space", "i")  # pause; restart, from below the limit
                assert session.updates == 0
            await run_until_paused(app, pilot)
            await pilot.press("n", "space")  # the reported way: one step past, then space
            app.advance_frame()
            assert app.running and session.updates > limit * session.batches_per_epoch + 1
            assert f"past epoch {limit}" in app.message

    run(scenario())


# -- descent ------------------------------------------------------------------------------
def test_descent_steps_stops_and_classifies():
    async def scenario():
        app = lesson_app("descent")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            expected = descend(4.0, 0.01, 1e-5)
            assert screen.result.steps == expected.steps
            await pilot.press("n", "n")
            assert screen.k == 2 and "step 2 of 42" in str(screen.info())
            np.testing.assert_array_equal(screen.result.path, expected.path)
            await pilot.press("e")
            info = str(screen.info())
            assert screen.finished and "f''(x) = 20.25" in info and "a minimum" in info
            assert "Local minimum occurs at 2.2500325268933734" in info

    run(scenario())


def test_descent_from_below_0_names_the_inflection_point_it_stops_short_of():
    async def scenario():
        app = lesson_app("descent")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            await pilot.press(*["left"] * 17, "e")  # from 4 to -0.25, to the end
            expected = descend(-0.25, 0.01, 1e-5)
            np.testing.assert_array_equal(screen.result.path, expected.path)
            info = " ".join(str(screen.info()).split())
            x = expected.point[0]
            assert f"Stopped short of the inflection point at 0, at {x!r}" in info
            assert "an inflection point, not a minimum" in info
            assert "Local minimum" not in info and "a minimum" not in info.replace(
                "not a minimum", ""
            )

    run(scenario())


@pytest.mark.parametrize("presses", [1, 2, 3], ids=["bowl", "cap", "saddle"])
def test_descent_surfaces_fill_their_map_on_a_linear_scale_from_the_first_frame(presses):
    """The map is sampled at its laid-out size as soon as f shows it, on a linear scale:
    a log one pressed the cap and the saddle (negative values) into one colour."""
    from tui_backprop.app.widgets.heatmap import Heatmap

    async def scenario():
        app = lesson_app("descent")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press(*["f"] * presses)
            await pilot.pause()
            heatmap = app.screen.query_one(Heatmap)
            width, height = heatmap.size
            assert heatmap.levels is not None and heatmap.levels.shape == (2 * height, width)
            t = heatmap.levels
            surface = SURFACES[app.screen.function]
            values = sample(
                lambda x, y: surface.f(x, y) + 0 * x * y, -SURFACE_RANGE, SURFACE_RANGE, width,
                2 * height,
            )  # fmt: skip
            np.testing.assert_allclose(
                t, (values - values.min()) / (values.max() - values.min()), atol=1e-12
            )
            counts = np.histogram(t, bins=5, range=(0, 1))[0]
            assert counts.max() < 0.6 * t.size  # no shade takes most of the map
            legend = str(app.screen.query_one("#descent-legend").render())
            assert f"{values.min():.2g}▕" in legend and f"▏{values.max():.2g} linear" in legend

    run(scenario())


@pytest.mark.parametrize(
    "presses,verdict",
    [(["f"], "a minimum"), (["f", "f"], "a maximum"), (["f", "f", "f"], "a saddle point")],
)
def test_descent_surfaces_classify_with_the_hessian(presses, verdict):
    async def scenario():
        app = lesson_app("descent")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press(*presses, "e")
            screen = app.screen
            assert screen.function == list(SURFACES)[len(presses) - 1]
            assert screen.has_class("-surface")
            info = str(screen.info())
            assert "D = f_xx f_yy - f_xy^2" in info and verdict in info

    run(scenario())


def test_descent_presets_and_start_point():
    async def scenario():
        app = lesson_app("descent")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            await pilot.press("p")  # slow
            assert screen.preset == "slow" and screen.gamma == 0.001
            await pilot.press("p", "p", "p", "e")  # diverge
            assert screen.preset == "diverge" and screen.result.diverged
            assert "diverged" in str(screen.info())
            await pilot.press("left", "left")
            assert screen.starts["quartic"][0] == 3.5 and screen.k == 0
            assert screen.result.path[0, 0] == 3.5
            # the name was what its γ does from x = 4: from here it is just that γ
            assert screen.preset is None and "(diverge)" not in str(screen.info())
            assert "γ 0.07" in str(screen.info())

    run(scenario())


# -- landscape ----------------------------------------------------------------------------
def test_landscape_path_is_what_the_session_does():
    async def scenario():
        app = lesson_app("landscape")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert [s.cost for s in screen.specs] == ["mse", "cross-entropy"]
            assert screen.start == (6.0, 6.0)
            for _ in range(7):
                await pilot.press("n")
            for spec, path in zip(screen.specs, screen.paths, strict=True):
                run = load_lesson("landscape").run
                setup = build_setup(
                    dataclasses.replace(
                        run, network=dataclasses.replace(run.network, cost=spec.cost)
                    )
                )
                session = setup.session
                expected = [(6.0, 6.0)]
                for _ in range(7):
                    session.run_batches(1)
                    expected.append(tuple(session.network.params[:2]))
                assert path == expected
            mse, ce = screen.paths
            # mse sits on its plateau; cross-entropy walks off it.
            assert np.hypot(*np.subtract(mse[-1], mse[0])) < 1e-3
            assert np.hypot(*np.subtract(ce[-1], ce[0])) > 1.0

    run(scenario())


def test_landscape_grid_is_cost_grid_and_keys_move_the_start():
    from tui_backprop.teach.landscape import cost_grid

    async def scenario():
        app = lesson_app("landscape")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            session = build_setup(load_lesson("landscape").run).session
            axis, costs = cost_grid(session, ["W1[1,1]", "b1[1]"], 15.0, 61)
            np.testing.assert_array_equal(screen.grids[0][1], costs)
            await pilot.press("n", "left", "up", "up")
            assert screen.start == (5.0, 8.0)
            assert all(path == [(5.0, 8.0)] for path in screen.paths)
            assert screen.sessions[0].network.W[1][0, 0] == 5.0
            assert screen.sessions[1].network.b[1][0] == 8.0

    run(scenario())


def test_landscape_keys_act_while_its_maps_and_kernels_are_prepared(monkeypatch):
    """Off step mode the maps and both runs' kernels are prepared in a thread (seconds with
    an empty cache; here held until released): the screen shows at once, with the
    reference's numbers, the start moves at once, and n waits, says so, and runs once they
    are in."""
    release = threading.Event()
    monkeypatch.setattr(LandscapeScreen, "_prepare", held(release, LandscapeScreen._prepare))

    async def scenario():
        app = BackpropApp(dataclasses.replace(lesson_config("landscape"), step_mode=False))
        app.warm_up = lambda session, settings: None  # the network view's: not this test's
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, LandscapeScreen)
            assert not screen.ready and screen.grids is None
            assert not any(session.kernels_ready for session in screen.sessions)
            await pilot.press("n")
            assert screen.waiting == "step"
            assert all(session.updates == 0 for session in screen.sessions)
            legend = str(screen.query(".legend").first().render())
            assert "compiling the kernels" in legend and "then: n" in legend
            await pilot.press("left")  # the start moves at once; n still waits
            assert screen.start == (5.0, 6.0) and screen.waiting == "step"
            release.set()
            assert screen.preparing is not None
            await asyncio.to_thread(screen.preparing.join, 120)
            await pilot.pause()
            assert screen.ready and screen.grids is not None and screen.waiting is None
            assert all(session.kernels_ready for session in screen.sessions)
            assert all(session.updates == 1 for session in screen.sessions)
            assert all(len(path) == 2 and path[0] == (5.0, 6.0) for path in screen.paths)

    run(scenario())


def test_landscape_slice_of_a_larger_network():
    lesson = load_lesson("xor-221")

    async def scenario():
        config = dataclasses.replace(lesson_config(lesson.name, "tui"), step_mode=True, lesson=None)
        app = BackpropApp(config)
        async with app.run_test(size=(100, 30)) as pilot:
            with pytest.raises(Exception, match="choose two"):
                LandscapeScreen.from_config(config)
            screen = LandscapeScreen(
                None,
                config.problem,
                config.spec,
                config.settings,
                scene=LandscapeConfig(params=("W1[1,1]", "b2[1]"), half_range=5.0, grid=11),
            )
            app.push_screen(screen)
            await pilot.pause()
            await pilot.press("n")
            assert screen.names == ["W1[1,1]", "b2[1]"]
            assert screen.shown == ["W¹₁₁", "b²₁"]  # as the screen writes them
            assert len(screen.paths[0]) == 2

    run(scenario())


# -- restarts -----------------------------------------------------------------------------
def _initial_of_train(seed: int):
    return build_setup(lesson_run("restarts", seed=seed)).session.initial_parameters()


def _assert_same(mine, theirs):
    for a_list, b_list in zip(mine, theirs, strict=True):
        for a, b in zip(a_list, b_list, strict=True):
            np.testing.assert_array_equal(a, b)


def test_restarts_open_a_seed_with_train_seeds_weights():
    async def scenario():
        app = lesson_app("restarts")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RestartsScreen)
            result = screen.result
            assert len(result.seeds) == 200
            converged = result.converged(0.01).sum()
            assert f"{converged} of 200 converged" in str(
                screen.query_one("#restarts-summary").render()
            )
            options = screen.query_one(OptionList)
            worst = options.get_option_at_index(5).id
            assert worst.startswith("worst-")
            seed = int(worst.split("-")[1])
            options.highlighted = 5
            await pilot.press("enter")
            await pilot.pause()
            assert type(app.screen).__name__ == "MainScreen"
            session = app.runner.session
            assert session.seed == seed and app.runner.latest().seed == seed
            _assert_same(session.initial_parameters(), _initial_of_train(seed))
            # Trained as far as the restart was, it ends where the restart ended.
            session.run_epochs(2000)
            final = result.final_losses[list(result.seeds).index(seed)]
            assert session.evaluate() == final

    run(scenario())


def test_restarts_open_a_typed_seed():
    async def scenario():
        app = lesson_app("restarts")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press("slash")
            assert isinstance(app.focused, Input)
            await pilot.press("x", "enter")  # not a number: the Input refuses the letter
            await pilot.press("1", "2", "3", "4", "enter")
            await pilot.pause()
            assert app.runner.session.seed == 1234
            _assert_same(app.runner.session.initial_parameters(), _initial_of_train(1234))

    run(scenario())


def test_restarts_arrows_choose_a_seed_from_the_seed_box_too_and_help_says_so():
    from tui_backprop.app.screens.help import HelpScreen, help_rows

    async def scenario():
        app = lesson_app("restarts")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RestartsScreen) and screen.result is not None
            rows = dict(help_rows(screen))
            assert "enter opens it" in rows["↑ / ↓, enter"]
            # Textual's focus keys in this help's words, after the screen's own keys.
            assert rows["tab / shift+tab"] == "move the focus to the next / previous box"
            assert list(rows)[-2:] == ["tab / shift+tab", "ctrl+p"]
            assert not any("Focus" in what for what in rows.values())
            options = screen.query_one(OptionList)
            await pilot.press("slash")  # the focus in the seed box
            assert options.highlighted == 0
            await pilot.press("down")  # from the seed box: the list's next seed, and focus
            assert app.focused is options and options.highlighted == 1
            await pilot.press("down")  # the list's own key
            assert options.highlighted == 2
            seed = int(options.get_option_at_index(options.highlighted).id.split("-")[1])
            await pilot.press("enter")
            await pilot.pause()
            assert app.runner.session.seed == seed
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)

    run(scenario())


# -- the command line ---------------------------------------------------------------------
def test_lesson_without_a_terminal_is_refused_after_the_file_is_checked():
    result = run_cli("lesson", "landscape")
    assert result.returncode == 2 and "needs a terminal" in result.stderr


def test_lesson_opens_in_a_terminal():
    code, output = run_in_terminal("lesson", "landscape", "--quit-after", "2")
    assert code == 0
    assert b"cross-entropy" in output and "W¹₁₁".encode() in output


def test_plot_titles_fall_back_to_shorter_ones_that_plotext_draws():
    from tui_backprop.app.widgets.plots import PLOT_TITLE_MARGIN, plot_title

    assert plot_title(60, "a long title, with more", "short") == "a long title, with more"
    assert plot_title(30, "a long title, with more", "short") == "short"
    assert plot_title(13, "a long title", "shorter one") == "sh…"  # 3 columns: 2 and …
    # plotext itself: what plot_title picks is drawn, at the widths that take the y labels
    import plotext as plt

    for width in (20, 38, 60):
        title = plot_title(width, "f(x) = x^4 - 3x^3 + 2   ▪▪ tangent", "f(x) = x^4 - 3x^3 + 2")
        plt.clf()
        plt.plotsize(width, 8)
        plt.plot([1, 2, 3], [1e-7, 4e-7, 9e-7])  # y labels of 8 characters, the widest
        plt.title(title)
        assert title in plt.build(), (width, PLOT_TITLE_MARGIN)


@pytest.mark.parametrize(
    ("lesson", "presses", "title"),
    [
        ("descent", [], "f(x) = x^4 - 3x^3 + 2"),
        ("race", ["f", "f"], "f(x) = x^4 - 3x^3 + 2"),
    ],
)
def test_plot_titles_show_at_80_columns(lesson, presses, title):
    """plotext drops a title too long for its plot, leaving a blank line: at 80 columns the
    scenes' plots name what they show all the same."""
    from tests.test_lecture_layout import on_screen

    async def scenario():
        app = lesson_app(lesson)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press(*presses)
            await pilot.pause()
            assert any(title in line for line in on_screen(app)[:3])
            if lesson == "race":  # the box's own words are the curve's, not the last map's
                box = app.screen.query_one("#race-map-box")
                assert box.border_subtitle == "x -2..4.5  X now"

    run(scenario())


def test_the_race_loss_plot_counts_whole_steps_from_0():
    from tui_backprop.app.screens.race import LossPlot

    async def scenario():
        app = lesson_app("race")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            plot = app.screen.query_one(LossPlot)

            def x_labels() -> list[str]:
                lines = str(plot.render()).splitlines()
                axis = next(i for i, line in enumerate(lines) if "└" in line)
                return lines[axis + 1].split()

            assert x_labels() == ["0", "1"]  # one point, at step 0: no -1..1 around it
            await pilot.press("n", "n", "n")
            await pilot.pause()
            assert x_labels() == ["0", "1", "2", "3"]

    run(scenario())


def test_up_and_down_on_the_quartic_say_why_they_do_nothing():
    async def scenario():
        app = lesson_app("descent")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            start = dict(app.screen.starts)
            await pilot.press("up", "up", "down")
            assert app.screen.starts == start
            assert "one variable" in app.screen.message
            # said once, in place of itself, not stacked
            assert sum("one variable" in line for line in on_screen(app)) == 1

    run(scenario())


def on_screen(app) -> list[str]:
    """The screen's lines as the terminal shows them (test_lecture_layout's; imported
    here, as that module imports this one)."""
    from tests.test_lecture_layout import on_screen as lines

    return lines(app)


def quartic_x_axis(app) -> tuple[str, str]:
    """The quartic plot's x axis as drawn: its line with the ticks, and their labels."""
    from tui_backprop.app.screens.descent import QuarticPlot

    lines = str(app.screen.query_one(QuarticPlot).render()).splitlines()
    axis = next(i for i, line in enumerate(lines) if "└" in line)
    return lines[axis], lines[axis + 1]


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
@pytest.mark.parametrize("presets", [0, 3])  # the lesson's run; oscillate, past [-2, 4]
def test_the_quartics_axis_holds_still_over_a_run_on_round_ticks(size, presets):
    async def scenario():
        app = lesson_app("descent")
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await pilot.press(*["p"] * presets)
            await pilot.pause()
            first = quartic_x_axis(app)
            for keys in (["n"], ["n", "n"], ["e"]):
                await pilot.press(*keys)
                await pilot.pause()
                # the same labels at the same places: the same range
                assert quartic_x_axis(app) == first, app.screen.k
            ticks = [float(label) for label in first[1].split()]
            # round: one step apart, a multiple of it, the step 1, 2 or 5 times 10^k
            steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:], strict=False)}
            assert len(steps) == 1
            (step,) = steps
            assert round(step / 10 ** np.floor(np.log10(step)), 9) in (1, 2, 5)
            assert all(abs(t / step - round(t / step)) < 1e-9 for t in ticks)
            # over the README's [-2, 4] at least
            assert ticks[0] <= -2 + step and ticks[-1] >= 4 - step and len(ticks) >= 3

    run(scenario())


def test_the_quartics_axis_covers_every_point_its_run_shows():
    from tui_backprop.app.screens.descent import CURVE, SHOWN, curve_range

    path = np.array([4.0, -2.5, 7.0, -30.0, np.inf])
    lo, hi = curve_range(path)
    assert lo < -2.5 and hi > 7.0 and lo >= SHOWN[0] - 1 and hi <= SHOWN[1] + 1
    assert curve_range(np.array([1.0, 2.0])) == CURVE


@pytest.mark.parametrize(
    ("lesson", "presses", "axes"),
    [
        ("descent", ["f"], ("x", "y", -SURFACE_RANGE, SURFACE_RANGE)),
        ("descent", ["f", "f", "f"], ("x", "y", -SURFACE_RANGE, SURFACE_RANGE)),
        ("landscape", [], ("W¹₁₁", "b¹₁", -15, 15)),
        ("race", [], ("W¹₁₁", "b¹₁", -15, 15)),
    ],
)
@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
def test_every_heat_map_says_its_axes_and_their_range(lesson, presses, axes, size):
    """A point's numbers, as (x, y) = (2, 1.5), can be found on the map: every scene's map
    says what runs along it and up it, and over which range, in one form."""
    from tui_backprop.app.widgets.heatmap import map_axes

    async def scenario():
        app = lesson_app(lesson)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await pilot.press(*presses)
            await pilot.pause()
            assert any(map_axes(*axes) in line for line in on_screen(app))

    run(scenario())


#: A key that makes each scene say something, after keys that set it up.
TELLS = [
    ("descent", ["e"], ["up"], "one variable"),
    ("descent", ["f"], ["p"], "presets are for the quartic"),
    ("landscape", ["n"], ["greater_than_sign"], "updates per frame"),
    ("race", ["up"], ["m"], "has no momentum"),
    ("restarts", ["slash"], ["enter"], "seed must be"),
    ("restarts", ["slash"], ["x"], "type digits"),
]


@pytest.mark.parametrize(("lesson", "before", "keys", "words"), TELLS)
@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
def test_a_scenes_message_covers_none_of_its_panels(lesson, before, keys, words, size):
    """A message goes in the scene's message line, whole: every other line of the screen
    stays as it was (a toast lay over the right panel's step and x)."""

    async def scenario():
        app = lesson_app(lesson)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await pilot.press(*before)
            await pilot.pause()
            shown = on_screen(app)
            await pilot.press(*keys)
            await pilot.pause()
            now = on_screen(app)
            changed = [k for k, (a, b) in enumerate(zip(shown, now, strict=True)) if a != b]
            assert len(changed) == 1 and words in now[changed[0]], changed
            assert app.screen.message in now[changed[0]]
            assert not app._notifications

    run(scenario())


def test_a_surfaces_step_shows_its_numbers_as_the_quartics_does():
    async def scenario():
        app = lesson_app("descent")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("f", "n")  # the bowl, one step
            await pilot.pause()
            screen = app.screen
            (x, y), (nx, ny) = screen.result.path[1], screen.result.path[2]
            gx, gy = SURFACES["bowl"].gradient(x, y)
            info = str(screen.info())
            assert f"= ({x:.4g}, {y:.4g}) - {screen.gamma:g}*({gx:.4g}, {gy:.4g})" in info
            assert f"= ({nx:.4g}, {ny:.4g})" in info

    run(scenario())


def test_round_ticks_give_a_scale_of_two_ticks_at_least():
    from tui_backprop.core.ticks import round_ticks

    for lo, hi, most in ((-4.34, 4.5, 4), (-2.0, 4.5, 2), (0.1, 0.9, 2), (-15.0, 70.0, 3)):
        ticks, labels = round_ticks(lo, hi, most)
        assert len(ticks) >= 2 and all(lo <= t <= hi for t in ticks), (lo, hi, ticks)
        steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
        assert len(steps) == 1 and len(labels) == len(ticks)


def test_count_ticks_are_whole_numbers_from_0_at_most_five_above_it():
    """The restarts' histogram counts networks: its ticks are whole, from 0, none past the
    tallest bar, at most three above 0 (its plots are 10 to 20 rows high), on one round
    step."""
    from tui_backprop.teach.restarts import loss_histogram

    for tallest in (1, 2, 3, 7, 11, 26, 130, 999):
        losses = np.concatenate([np.full(tallest, 1e-4), np.geomspace(1e-3, 1e-1, 4)])
        histogram = loss_histogram(losses)
        assert histogram is not None
        ticks = histogram.count_ticks
        top = int(np.histogram(histogram.logs, bins=histogram.bins)[0].max())
        assert ticks[0] == 0 and all(t == int(t) for t in ticks) and max(ticks) <= top
        assert 2 <= len(ticks) <= 4, (tallest, ticks)
        assert len({b - a for a, b in itertools.pairwise(ticks)}) == 1


def test_the_restarts_report_labels_its_log_axis_on_round_ticks():
    from tui_backprop.cli.commands.restarts import histogram_text

    losses = np.concatenate([np.full(150, 6.9e-5), np.geomspace(0.01, 0.0862, 50)])
    axis = histogram_text(losses, 0.01).splitlines()[-1].split()
    values = [float(label) for label in axis]
    assert len(values) >= 3
    steps = {round(b - a, 9) for a, b in itertools.pairwise(values)}
    assert len(steps) == 1 and next(iter(steps)) in (0.1, 0.2, 0.5, 1.0, 2.0)


def test_a_point_above_the_quartics_plot_is_an_arrow_at_its_edge():
    """The diverge preset's first step lands at x = -3.84, f = 389, far above the plot's
    top (70): an arrow marks where it went, over its x."""
    from tui_backprop.app.screens.descent import QuarticPlot

    async def scenario():
        app = lesson_app("descent")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("p", "p", "p", "p", "n")  # diverge, one step
            await pilot.pause()
            screen = app.screen
            assert quartic(float(np.ravel(screen.result.path)[1])) > 70
            plot = str(screen.query_one(QuarticPlot).render())
            assert "▲" in plot and "●" not in plot

    run(scenario())


async def notes_shown(app, pilot):
    """The scene's notes panel, shown (t, at a width that starts with it hidden)."""
    from tui_backprop.app.widgets.notes import NotesPanel

    await pilot.pause()
    notes = app.screen.query_one(NotesPanel)
    if not notes.has_class("-shown"):
        await pilot.press("t")
    await pilot.pause()
    assert notes.has_class("-shown")
    return notes


@pytest.mark.parametrize("lesson", ["descent", "landscape", "restarts"])  # side by side
def test_a_scenes_notes_over_its_panels_cover_the_right_hand_one_whole(lesson):
    """At 80x24 the notes float over the scene: over its right-hand panel whole, not its
    middle, where the panel's line starts showed beside them ('│ grad│')."""
    from textual.containers import Horizontal

    async def scenario():
        app = lesson_app(lesson)
        async with app.run_test(size=(80, 24)) as pilot:
            notes = await notes_shown(app, pilot)
            row = app.screen.query_one(Horizontal)
            right = [w for w in row.children if w.display][-1]
            assert notes.region.x <= right.region.x and notes.region.right == 80

    run(scenario())


def test_a_preset_is_named_only_from_the_start_it_is_named_for():
    """The presets name what their γ does from x = 4: chosen from x = 1, "diverge" converges,
    and the panel gives the γ alone (and says why); the cap's panel says ascent."""

    async def scenario():
        app = lesson_app("descent")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = app.screen
            await pilot.press(*["left"] * 12, "p", "p", "p", "p", "e")
            assert screen.preset == "diverge" and not screen.result.diverged
            info = str(screen.info())
            assert "γ 0.07" in info and "(diverge)" not in info
            assert "named for x = 4" in screen.message
            await pilot.press(*["right"] * 12, "p", "p", "p", "p")  # x = 4 again
            await pilot.pause()
            assert screen.starts["quartic"][0] == 4.0 and "(diverge)" in str(screen.info())
            await pilot.press("f", "f")  # bowl, cap
            await pilot.pause()
            assert screen.query_one("#descent-info").border_title == "gradient ascent"

    run(scenario())


def test_the_race_notes_at_80_columns_cover_the_scene_not_half_its_table():

    async def scenario():
        app = lesson_app("race")
        async with app.run_test(size=(80, 24)) as pilot:
            notes = await notes_shown(app, pilot)
            table = app.screen.query_one("#race-table")
            assert notes.region.x == 0 and notes.region.right >= table.region.right

    run(scenario())


@pytest.mark.parametrize("lesson", ["xor-221", "descent"])
def test_notes_beside_the_panels_end_above_the_footer(lesson):
    """Docked beside the panels at 160x45, the notes stop above the footer's line, their
    bottom border whole (they ran under it)."""
    from textual.widgets import Footer

    from tui_backprop.app.widgets.notes import NotesPanel

    async def scenario():
        app = lesson_app(lesson)
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            notes = app.screen.query_one(NotesPanel)
            assert notes.has_class("-shown") and notes.has_class("-beside")
            footer = app.screen.query_one(Footer)
            assert notes.region.bottom <= footer.region.y

    run(scenario())


@pytest.mark.parametrize("lesson", ["descent", "race", "restarts", "landscape"])
def test_pgdn_scrolls_a_scenes_notes_whatever_has_the_focus_and_help_says_so(lesson):
    """At 80x24 the notes float over the scene, longer than its height: pgdn and pgup
    scroll them (in the race, where ↑ ↓ select racers, and in the restarts, whose seed list
    has the focus and pages with them too), help lists the keys, and with the notes hidden
    pgdn says how to show them."""
    from tui_backprop.app.screens.help import help_rows

    async def scenario():
        app = lesson_app(lesson)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SceneScreen)
            panel = screen.query_one(NotesPanel)
            assert dict(help_rows(screen))["pgup / pgdn"] == "scroll the lesson's notes"
            if not panel.has_class("-shown"):
                await pilot.press("pagedown")
                assert "t shows them" in screen.message
                await pilot.press("t")
            await pilot.pause()
            assert panel.max_scroll_y > 0
            if lesson == "restarts":
                assert isinstance(app.focused, OptionList)
            await pilot.press("pagedown")
            await pilot.pause()
            assert panel.scroll_y > 0
            await pilot.press("pageup")
            await pilot.pause()
            assert panel.scroll_y == 0

    run(scenario())


def test_a_lessons_list_items_start_lines_of_their_own_in_the_notes():
    """xor-221's slips are a list in its file: on screen at 160x45 each item starts a line
    with its "- ", its wrapped lines under its text (a hanging indent), not under the dash
    nor run into the text before it."""

    async def scenario():
        app = lesson_app("xor-221")
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            panel = app.query_one("#notes", NotesPanel)
            assert panel.has_class("-shown")
            panel.scroll_end(animate=False)  # the list ends the notes
            await pilot.pause()
            region = panel.content_region
            lines = [
                line[region.x : region.right].rstrip(" ▁▂▃▄▅▆▇█")
                for line in on_screen(app)[region.y : region.bottom]
            ]
            starts = [i for i, line in enumerate(lines) if line.startswith("- ")]
            assert len(starts) == 4, lines
            assert lines[starts[0]].startswith("- its printed XOR table")
            for first, after in zip(starts, [*starts[1:], len(lines)], strict=True):
                rest = [line for line in lines[first + 1 : after] if line.strip()]
                assert rest and all(line.startswith("  ") and line[2] != " " for line in rest), (
                    lines
                )
            assert any("1/(1+e^{-z})" in line for line in lines)  # a formula kept whole

    run(scenario())


def test_pgdn_in_the_network_view_scrolls_the_notes_while_the_explain_panel_is_closed():
    """The neuron lesson's notes run past 160x45: pgdn scrolls them (the explain panel is
    closed), and the help says pgup / pgdn do that."""
    from tui_backprop.app.screens.help import help_rows

    async def scenario():
        app = lesson_app("neuron")
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            panel = app.query_one("#notes", NotesPanel)
            assert panel.has_class("-shown") and panel.max_scroll_y > 0
            assert "the notes" in dict(help_rows(app.screen))["pgup / pgdn"]
            await pilot.press("pagedown")
            await pilot.pause()
            assert panel.scroll_y > 0
            await pilot.press("t")  # hidden: pgdn says what it pages
            await pilot.press("pagedown")
            assert "s opens it" in app.message and "notes (t)" in app.message

    run(scenario())


def test_escape_in_the_network_view_goes_back_to_the_restarts_a_seed_came_from():
    """A seed opened from the restarts: the message and the footer say esc goes back; with
    the explain panel open escape closes it first; then it brings the restarts back with
    their result (not trained again), the seed list in focus."""

    async def scenario():
        app = lesson_app("restarts")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            restarts = app.screen
            assert isinstance(restarts, RestartsScreen) and restarts.result is not None
            result = restarts.result
            await pilot.press("enter")  # the best seed
            await pilot.pause()
            assert not isinstance(app.screen, SceneScreen)
            assert "esc: the restarts" in app.message
            shown = [
                b.binding.action for b in app.screen.active_bindings.values() if b.binding.show
            ]
            assert "app.back_to_scene" in shown
            await pilot.press("s")  # the explain panel opens: escape is its first
            await pilot.pause()
            assert app.panel is not None
            await pilot.press("escape")
            await pilot.pause()
            assert app.panel is None and not isinstance(app.screen, SceneScreen)
            await pilot.press("escape")
            await pilot.pause()
            again = app.screen
            assert isinstance(again, RestartsScreen) and again is not restarts
            assert again.result is result
            assert again.query_one(OptionList).option_count > 0

    run(scenario())


def test_escape_in_the_network_view_of_an_ordinary_run_goes_nowhere():
    from tests.test_app import xor_app

    async def scenario():
        app = xor_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("escape")
            await pilot.pause()
            assert len(app.screen_stack) == 1
            shown = [
                b.binding.action for b in app.screen.active_bindings.values() if b.binding.show
            ]
            assert "app.back_to_scene" not in shown

    run(scenario())


@pytest.mark.parametrize("name", ["descent", "landscape"])
def test_the_arrows_stay_the_scenes_after_the_notes_and_the_help(name):
    """t t ? escape gave the hidden notes panel the focus back, and it took ↑ ↓ silently:
    the arrows must move the start whatever was shown and closed before."""

    async def scenario():
        app = lesson_app(name)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("t", "t", "question_mark")
            await pilot.press("escape")
            if name == "descent":
                await pilot.press("f")  # the bowl: two variables, ↑ ↓ move y
            screen = app.screen
            before = dict(screen.starts) if name == "descent" else screen.start
            await pilot.press("up")
            after = dict(screen.starts) if name == "descent" else screen.start
            assert after != before

    run(scenario())


def test_w_off_the_quartic_says_what_it_compares():
    async def scenario():
        app = lesson_app("descent")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("f", "w")  # the bowl: the tutorial has no step for it
            screen = app.screen
            assert "quartic" in screen.message and "f switches back" in screen.message
            assert sum("f switches back" in line for line in on_screen(app)) == 1

    run(scenario())


def test_the_saddles_runaway_and_its_ridge_are_told_in_the_descent_panel():
    """f three times (the saddle), e: from y = 0 the run reaches the saddle point only
    from its ridge, and the panel says so, whole at 80x24; up, e: it leaves along y, and
    the panel says f is unbounded below, not that gamma overshoots."""

    async def scenario():
        app = lesson_app("descent")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, DescentScreen)
            await pilot.press("f", "f", "f", "e")
            await pilot.pause()
            assert screen.function == "saddle"
            info = screen.query_one("#descent-info")
            shown = " ".join(
                info.render_line(y).text.strip() for y in range(info.content_region.height)
            )
            assert "a saddle point" in shown and "exactly on the ridge y = 0" in shown
            assert "f function" in shown  # the keys' lines still show
            await pilot.press("up", "e")
            await pilot.pause()
            plain = " ".join(screen.info().plain.split())
            assert screen.descent.diverged and "unbounded below" in plain
            assert "along y" in plain and "overshoot" not in plain

    run(scenario())


def test_the_descent_panel_and_help_name_the_arrows_that_move_the_start():
    """Left and right move the quartic's start; on a surface up and down move it too: the
    panel's keys line and the help list what works where."""
    from tui_backprop.app.screens.help import help_rows

    async def scenario():
        app = lesson_app("descent")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, DescentScreen)
            keys = dict(help_rows(screen))
            assert "left" in keys and "up" not in keys
            assert "← → start" in screen.info().plain and "↑" not in screen.info().plain
            await pilot.press("up")
            assert "one variable" in screen.message
            await pilot.press("f")  # the bowl
            keys = dict(help_rows(screen))
            assert {"left", "right", "up", "down"} <= keys.keys()
            assert "← → ↑ ↓ start" in screen.info().plain
            before = screen.starts["bowl"]
            await pilot.press("up")
            assert screen.starts["bowl"][1] == before[1] + 0.25

    run(scenario())


def test_the_descent_step_line_writes_x_as_the_x_line_does():
    import re

    async def scenario():
        app = lesson_app("descent")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("n", "n")
            plain = app.screen.info().plain
            x = re.search(r"^x\s+= (\S+)$", plain, re.M).group(1)
            step = re.search(r"^\s+= (\S+) - ", plain, re.M).group(1)
            assert step == x and len(x) > 8, plain  # 2.67098112, not 2.67098

    run(scenario())


def plot_cells(plot) -> list[list[tuple[str, int | None]]]:
    """A plotext plot as drawn: each cell's character and its colour's number."""
    from rich.style import Style

    cells = []
    for line in plot.render().split("\n"):
        colours: list[int | None] = [None] * len(line.plain)
        for span in line.spans:
            style = Style.parse(span.style) if isinstance(span.style, str) else span.style
            if style.color is not None and style.color.number is not None:
                colours[span.start : span.end] = [style.color.number] * (span.end - span.start)
        cells.append(list(zip(line.plain, colours, strict=True)))
    return cells


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
@pytest.mark.parametrize("keys", [[], ["n"], ["e"]])  # steep at x = 4; level at the minimum
def test_the_quartics_tangent_passes_through_the_points_cell(size, keys):
    """The tangent (its cells, in its colour) passes through the point's ●: along the
    axis it runs along more, it has a cell on either side of the ●, and the line between
    those two passes within half a cell of the ●. At the minimum, where it is level, that
    is beside the ● in its own row, not in the row below."""
    from tui_backprop.app.screens.descent import QuarticPlot
    from tui_backprop.app.widgets.style import plot_colours

    async def scenario():
        app = lesson_app("descent")
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await pilot.press(*keys)
            await pilot.pause()
            colours = plot_colours(app.current_theme.dark)
            cells = plot_cells(app.screen.query_one(QuarticPlot))
            (row, column), *others = [
                (r, c)
                for r, line in enumerate(cells)
                for c, cell in enumerate(line)
                if cell == ("●", colours.mark)
            ]
            assert not others
            tangent = {
                (r - row, c - column)
                for r, line in enumerate(cells)
                for c, (_, colour) in enumerate(line)
                if colour == colours.tangent
            }
            rows, columns = zip(*tangent, strict=True)
            # (along, across) offsets: along the axis the tangent spans more cells
            along_columns = max(columns) - min(columns) >= max(rows) - min(rows)
            offsets = {(dc, dr) if along_columns else (dr, dc) for dr, dc in tangent}
            before = {across for along, across in offsets if along == -1}
            after = {across for along, across in offsets if along == 1}
            assert any(abs(a + b) <= 1 for a in before for b in after), (before, after)
            if keys == ["e"]:  # level: beside the ● in its row
                assert {(0, -1), (0, 1)} <= tangent and set(rows) == {0}, tangent

    run(scenario())
