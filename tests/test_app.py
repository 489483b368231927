"""The app under Textual's Pilot, in step mode: no timer and no worker thread, so every
frame happens when the test says and every result is deterministic."""

from __future__ import annotations

import asyncio
import dataclasses

import numpy as np
import pytest

from tui_backprop.app.app import BackpropApp
from tui_backprop.app.config import AppConfig
from tui_backprop.app.screens.help import HelpScreen
from tui_backprop.app.widgets.status import StatusLine
from tui_backprop.core.config import FULL_SPEED, SPEEDS, AppOptions, TrainingConfig
from tui_backprop.core.problems import make_problem
from tui_backprop.core.spec import NetworkSpec


def xor_app(**overrides) -> BackpropApp:
    problem = make_problem(overrides.pop("problem", "xor"))
    spec = overrides.pop("spec", None) or NetworkSpec.build(
        problem.n_inputs, (3,), problem.n_outputs
    )
    settings = overrides.pop("settings", None) or TrainingConfig(seed=0)
    option_names = {f.name for f in dataclasses.fields(AppOptions)}
    options = AppOptions(**{k: overrides.pop(k) for k in list(overrides) if k in option_names})
    return BackpropApp(
        AppConfig(
            problem=problem,
            spec=spec,
            settings=settings,
            options=options,
            step_mode=True,
            **overrides,
        )
    )


def run(coro):
    return asyncio.run(coro)


def status(app: BackpropApp) -> str:
    from tui_backprop.app.widgets.status import StatusLine

    return str(app.query_one(StatusLine).render())


def test_space_runs_and_pauses():
    async def scenario():
        app = xor_app(speed=20)
        async with app.run_test(size=(100, 30)) as pilot:
            assert "PAUSED" in status(app)
            await pilot.press("space")
            assert app.running and "RUNNING" in status(app)
            app.advance_frame()
            app.advance_frame()
            assert app.runner.session.updates == 40
            await pilot.press("space")
            assert not app.running and "PAUSED" in status(app)
            app.advance_frame()  # paused: a frame trains nothing
            assert app.runner.session.updates == 40
            assert "updates 40" in status(app)

    run(scenario())


def test_n_is_one_update_and_marks_the_example():
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(100, 30)) as pilot:
            before = app.runner.session.network.params.copy()
            await pilot.press("n")
            session = app.runner.session
            assert session.updates == 1 and session.examples_seen == 1
            assert not np.array_equal(before, session.network.params)
            snap = app.runner.latest()
            assert snap.example is not None
            assert f"example {snap.example + 1}" in status(app)
            from tui_backprop.app.widgets.examples import ExamplesView

            marked = [
                line
                for line in str(app.query_one(ExamplesView).render()).splitlines()
                if line.startswith("▶")
            ]
            assert len(marked) == 1 and marked[0].split()[1] == str(snap.example + 1)

    run(scenario())


def test_n_with_minibatches_is_one_batch():
    async def scenario():
        app = xor_app(settings=TrainingConfig(batch_size=3))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("n")
            assert app.runner.session.updates == 1
            assert app.runner.session.examples_seen == 3

    run(scenario())


def test_e_finishes_the_epoch():
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("n")
            await pilot.press("e")
            session = app.runner.session
            assert (session.epoch, session.batch_in_epoch, session.updates) == (1, 0, 4)
            await pilot.press("e")
            assert (session.epoch, session.updates) == (2, 8)
            assert "epoch 2" in status(app)

    run(scenario())


def test_r_reseeds_and_i_restarts():
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(100, 30)) as pilot:
            start = app.runner.session.network.params.copy()
            await pilot.press("e", "e")
            await pilot.press("i")
            session = app.runner.session
            assert np.array_equal(session.network.params, start)
            assert session.updates == 0 and len(session.history) == 0
            await pilot.press("r")
            assert session.seed == 1 and "seed 1" in status(app)
            assert not np.array_equal(session.network.params, start)
            assert session.updates == 0

    run(scenario())


@pytest.mark.parametrize("up,down", [("plus", "minus"), ("equals_sign", "underscore")])
def test_alpha_keys(up, down):
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("e")
            params = app.runner.session.network.params.copy()
            await pilot.press(up)
            assert app.runner.session.alpha == pytest.approx(0.2)
            assert "α 0.2" in status(app)
            # live: nothing was reset
            assert app.runner.session.updates == 4
            assert np.array_equal(params, app.runner.session.network.params)
            await pilot.press(down, down)
            assert app.runner.session.alpha == pytest.approx(0.05)

    run(scenario())


def test_m_cycles_momentum():
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(100, 30)) as pilot:
            seen = []
            for _ in range(4):
                await pilot.press("m")
                seen.append(app.runner.session.momentum)
            assert seen == [0.99, 0.0, 0.5, 0.9]
            assert "μ 0.9" in status(app)

    run(scenario())


def test_m_changes_mu_only_under_the_rules_that_have_one():
    """m cycles mu under momentum and nesterov, and the status line's rule shows it; under
    sgd, adagrad, rmsprop and adam mu would do nothing: m changes nothing and says so, and
    neither the help nor the palette offers it."""
    from tui_backprop.app.screens.help import help_rows
    from tui_backprop.core.config import OPTIMIZERS, RULE_SETTINGS

    async def scenario():
        app = xor_app()
        async with app.run_test(size=(100, 30)) as pilot:
            session = app.runner.session
            for _ in OPTIMIZERS:
                await pilot.press("O")
                optimizer = session.rule.optimizer
                has_mu = "momentum" in RULE_SETTINGS[optimizer]
                before = session.rule
                await pilot.press("m")
                app.query_one(StatusLine).message_to_the_end()
                rule_line = status(app).splitlines()[0]
                keys = [keys for keys, _what in help_rows(app.screen)]
                titles = [c.title for c in app.get_system_commands(app.screen)]
                if has_mu:
                    assert session.momentum != before.momentum, optimizer
                    assert f"μ {session.momentum:g}" in rule_line, optimizer
                    assert "m" in keys and "momentum (m)" in titles, optimizer
                else:
                    assert session.rule == before, optimizer
                    assert "μ" not in rule_line, optimizer
                    assert app.message.startswith(f"{optimizer} has no momentum μ")
                    assert "O changes the rule" in app.message
                    assert "m" not in keys and "momentum (m)" not in titles, optimizer
            assert session.rule.optimizer == "momentum"  # the cycle came round

    run(scenario())


def test_a_cycles_the_hidden_activation_and_reinitialises():
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("e")
            seen = []
            for _ in range(3):
                await pilot.press("a")
                spec = app.runner.session.spec
                seen.append(spec.activations)
                assert app.runner.session.updates == 0
                assert app.runner.latest().spec == spec  # the new network is what is drawn
            assert seen == [("tanh", "sigmoid"), ("relu", "sigmoid"), ("sigmoid", "sigmoid")]

    run(scenario())


def test_a_after_c_draws_the_new_activations_weights_as_the_command_line_would():
    """c keeps the initial weights (the runs compare); an a after it draws the new
    activation's from the seed, the weights --activation relu --cost cross-entropy gets,
    not the kept sigmoid ones."""
    from tui_backprop.core.problems import make_problem
    from tui_backprop.core.session import Session

    async def scenario():
        app = xor_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("c", "a", "a")  # cross-entropy, then tanh, then relu
            session = app.runner.session
            assert session.spec.activations == ("relu", "sigmoid")
            assert session.spec.cost == "cross-entropy"
            xor = make_problem("xor")
            fresh = Session(session.spec, xor.X, xor.Y, TrainingConfig(seed=session.seed))
            assert np.array_equal(session.network.params, fresh.network.params)

    run(scenario())


def test_a_and_c_while_running_say_what_they_changed():
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(100, 30)) as pilot:
            for key, words in (("a", "hidden activation tanh"), ("c", "cost cross-entropy")):
                await pilot.press("space")
                assert app.running
                await pilot.press(key)
                await pilot.pause()
                assert app.running and words in app.message, (key, app.message)
                await pilot.press("space")

    run(scenario())


def test_c_cycles_the_cost_from_the_same_start():
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(100, 30)) as pilot:
            start = app.runner.session.network.params.copy()
            await pilot.press("e")
            await pilot.press("c")
            session = app.runner.session
            assert session.spec.cost == "cross-entropy"
            assert np.array_equal(session.network.params, start)
            assert "cross-entropy" in status(app)
            await pilot.press("c")
            assert app.runner.session.spec.cost == "mse"

    run(scenario())


def test_c_refuses_cross_entropy_for_targets_outside_0_1():
    async def scenario():
        app = xor_app(
            problem="sine", spec=NetworkSpec.build(1, (3,), 1, output_activation="linear")
        )
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("c")
            assert app.runner.session.spec.cost == "mse"

    run(scenario())


def test_speed_keys():
    async def scenario():
        app = xor_app(speed=SPEEDS[-2])
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("greater_than_sign")
            assert app.runner.speed == SPEEDS[-1]
            await pilot.press("greater_than_sign")
            assert app.runner.speed == FULL_SPEED and "full speed" in status(app)
            await pilot.press("less_than_sign", "less_than_sign")
            assert app.runner.speed == SPEEDS[-2]
            assert f"{SPEEDS[-2]}/frame" in status(app)

    run(scenario())


def test_speed_keys_at_either_end_say_they_change_nothing():
    async def scenario():
        app = xor_app(speed=FULL_SPEED)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("greater_than_sign")
            assert app.runner.speed == FULL_SPEED and "already full speed" in app.message
            for _ in range(len(SPEEDS) + 1):
                await pilot.press("less_than_sign")
            assert app.runner.speed == SPEEDS[0] and "already the slowest" in app.message

    run(scenario())


def test_l_toggles_the_log_scale():
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("e", "e", "l")
            assert app.log_scale and "log scale" in status(app)
            await pilot.press("l")
            assert not app.log_scale

    run(scenario())


def test_question_mark_opens_help_and_q_quits():
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            text = str(app.screen.query_one("Static").render())
            for key in ("space", "reseed", "momentum", "log", "quit"):
                assert key in text
            await pilot.press("escape")
            assert not isinstance(app.screen, HelpScreen)
            await pilot.press("q")
        assert app.return_code == 0

    run(scenario())


def test_every_key_is_in_the_command_palette():
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(100, 30)):
            titles = " ".join(c.title for c in app.get_system_commands(app.screen))
            for key in (
                "(space)",
                "(n)",
                "(e)",
                "(r)",
                "(i)",
                "(+)",
                "(-)",
                "(m)",
                "(a)",
                "(c)",
                "(>)",
                "(<)",
                "(l)",
                "(?)",
            ):
                assert key in titles

    run(scenario())


def test_divergence_pauses_with_an_explanation_and_minus_recovers():
    async def scenario():
        problem = make_problem("sine")
        spec = NetworkSpec.build(1, (8,), 1, activation="relu", output_activation="linear")
        app = xor_app(problem="sine", spec=spec, settings=TrainingConfig(alpha=1e5), speed=500)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("space")
            for _ in range(5):
                app.advance_frame()
            assert not app.running
            assert "DIVERGED" in status(app) and "too large" in status(app)
            await pilot.press("space")  # refuses to run a diverged network, and says why
            assert not app.running and "press - (halve alpha)" in status(app)
            app.message = ""
            updates = app.runner.session.updates
            await pilot.press("n")  # so does a step
            assert app.runner.session.updates == updates
            assert "press - (halve alpha)" in status(app)
            assert not app._notifications  # in the status line, not in stacking toasts
            await pilot.press("minus")
            session = app.runner.session
            assert session.alpha == pytest.approx(5e4)
            assert not session.diverged and session.updates == 0
            assert "PAUSED" in status(app)
            assert problem.n_examples == session.n_examples

    run(scenario())


def test_stop_epoch_pauses_exactly_there():
    async def scenario():
        app = xor_app(stop_epoch=3, speed=5)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("space")
            for _ in range(10):
                app.advance_frame()
            assert not app.running
            assert app.runner.session.epoch == 3 and app.runner.session.updates == 12
            assert "stops at epoch 3" in app.message
            await pilot.press("space")  # pressed there again: it trains on past epoch 3
            app.advance_frame()
            assert app.running and app.runner.session.updates == 17

    run(scenario())


def test_resize_to_too_small_and_back():
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.resize_terminal(40, 12)
            await pilot.pause()
            assert app.screen.has_class("-too-small")
            assert "too small" in str(app.query_one("#too-small").render())
            await pilot.press("n")  # keys still work
            await pilot.resize_terminal(80, 24)
            await pilot.pause()
            assert not app.screen.has_class("-too-small")
            assert app.screen.has_class("-compact")
            assert "updates 1" in status(app)
            await pilot.resize_terminal(120, 36)
            await pilot.pause()
            assert not app.screen.has_class("-compact")

    run(scenario())


def test_l_on_an_empty_history_does_not_crash():
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("l")  # no epoch finished yet: no points to draw
            await pilot.pause()
            assert app.log_scale and "log scale" in status(app)
            await pilot.press("n", "r")
            await pilot.pause()
            assert app.is_running and app.runner.session.seed == 1

    run(scenario())


def test_cost_change_keeps_weights_from_a_file():
    weights = [np.full((3, 2), 0.25), np.full((1, 3), -0.5)]
    biases = [np.array([0.1, 0.2, 0.3]), np.array([0.4])]

    async def scenario():
        app = xor_app(initial=(weights, biases))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("e", "c")
            assert app.runner.session.spec.cost == "cross-entropy"
            np.testing.assert_array_equal(app.runner.session.network.W[1], weights[0])
            await pilot.press("a", "e", "i")
            np.testing.assert_array_equal(app.runner.session.network.W[2], weights[1])

    run(scenario())


def test_runner_budget_and_chunk_stay_bounded():
    from tui_backprop.app.runner import MAX_CHUNK, Runner
    from tui_backprop.core.session import Session

    xor = make_problem("xor")
    session = Session(NetworkSpec.build(2, (3,), 1), xor.X, xor.Y, TrainingConfig())
    runner = Runner(session, "xor", speed=5)
    for _ in range(100):
        runner.request_frame()
    assert runner._budget == 10  # two frames' worth at most
    chunk = runner._chunk
    spent = iter(range(3))
    runner.work(lambda: next(spent, None) is None)  # a few worker rounds, in this thread
    assert session.updates == 10 and runner.total_updates == 10
    assert runner._chunk == chunk  # budget-limited chunks do not resize it
    runner.speed = 50
    assert runner._budget == 0
    runner.step(3)
    assert runner.total_updates == session.updates == 13
    assert 1 <= runner._chunk <= MAX_CHUNK


def test_capital_o_cycles_the_optimizer_keeping_the_weights():
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("e")
            session = app.runner.session
            weights = session.network.params.copy()
            assert session.rule.optimizer == "momentum" and session.network.velocity.any()
            seen = []
            for _ in range(6):
                await pilot.press("O")
                seen.append(session.rule.optimizer)
                assert np.array_equal(session.network.params, weights)
                assert not session.network.velocity.any() and session.optimizer_steps == 0
            assert seen == ["nesterov", "adagrad", "rmsprop", "adam", "sgd", "momentum"]
            await pilot.press("O", "O", "O", "O")  # adam
            message = "optimizer adam: the weights stay, its state starts from zero"
            assert status(app).splitlines()[0].strip() == message  # whole, for a while
            app.query_one(StatusLine).message_to_the_end()
            assert "adam α 0.1 β 0.9/0.999" in status(app).splitlines()[0]
            await pilot.press("e")
            assert session.optimizer_steps == 4 and session.network.second.any()

    run(scenario())


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_the_app_saves_a_run_that_it_resumes_exactly(tmp_path, optimizer):
    # --save at exit writes the training state; --init from that file resumes it: the
    # same updates as an uninterrupted run, to the bit.
    from tui_backprop.core.config import InitConfig
    from tui_backprop.io.build import load_initial_and_state

    settings = TrainingConfig(seed=3, optimizer=optimizer, alpha=0.05)
    path = tmp_path / "run.json"

    async def scenario():
        first = xor_app(settings=settings)
        async with first.run_test(size=(100, 30)) as pilot:
            await pilot.press("e", "e", "n")
            first.save_weights(str(path))
            await pilot.press("e", "e")
            expected = first.runner.session.network.params.copy()
        spec = first.runner.session.spec
        initial, saved = load_initial_and_state(InitConfig(file=str(path)), spec)
        assert saved is not None
        resumed = BackpropApp(
            AppConfig(
                problem=make_problem("xor"),
                spec=spec,
                settings=settings,
                initial=initial,
                step_mode=True,
                saved=saved,
                saved_file="run.json",
            )
        )
        async with resumed.run_test(size=(100, 30)) as pilot:
            assert "resumed run.json after 2 epochs" in status(resumed)
            await pilot.press("e", "e")
            assert np.array_equal(resumed.runner.session.network.params, expected)

    run(scenario())


def test_the_palettes_screenshot_is_saved_in_the_current_folder(tmp_path, monkeypatch):
    """Textual's own saved to ~/Downloads, which a lab account may not have; this one
    saves in the current folder, twice in a second without overwriting, and says where."""
    import asyncio
    import datetime

    import tui_backprop.app.app as app_module

    class OneSecond(datetime.datetime):  # both screenshots in the same second
        @classmethod
        def now(cls, tz=None):
            return cls(2026, 12, 5, 10, 30, 0)

    monkeypatch.setattr(app_module, "datetime", OneSecond)
    monkeypatch.chdir(tmp_path)

    async def scenario() -> None:
        app = xor_app()
        async with app.run_test(size=(100, 30)) as pilot:
            titles = [c.title for c in app.get_system_commands(app.screen)]
            assert titles.count("Screenshot") == 1
            writers = [app.screenshot_here(), app.screenshot_here()]  # in the same second
            for writer in writers:  # written off the event loop
                await asyncio.to_thread(writer.join, 60)
            for _ in range(20):  # then said on it
                await pilot.pause()
                if not app._screenshots_writing:
                    break
            files = sorted(tmp_path.glob("tui-backprop *.svg"))
            assert len(files) == 2 and all(f.read_text().startswith("<svg") for f in files)
            # said in the status line (over no panel): the last one's path
            assert app.message.startswith("saved ") and app.message[6:] in map(str, files)
            assert not app._notifications

    asyncio.run(scenario())


def test_a_scenes_screenshot_is_said_in_its_message_line(tmp_path, monkeypatch):
    import asyncio

    from tests.test_scenes import lesson_app

    monkeypatch.chdir(tmp_path)

    async def scenario() -> None:
        app = lesson_app("descent")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await asyncio.to_thread(app.screenshot_here().join, 60)  # off the event loop
            for _ in range(20):  # then said on it
                await pilot.pause()
                if not app._screenshots_writing:
                    break
            [saved] = tmp_path.glob("*.svg")
            assert app.screen.message == f"saved {saved}" and not app._notifications

    asyncio.run(scenario())
