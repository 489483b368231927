"""Predict mode: before a phase is shown the student types its number; right or wrong within
the lesson's tolerance, then the phase as usual; a score at the end of the update."""

from __future__ import annotations

import asyncio
import re

import numpy as np
import pytest

from tests.helpers import run_cli
from tests.test_app import xor_app
from tui_backprop.app.screens.question import QuestionScreen
from tui_backprop.core.config import ConfigError, QuizConfig, TrainingConfig
from tui_backprop.core.session import Session
from tui_backprop.core.spec import NetworkSpec
from tui_backprop.io.lessons import LessonError, load_lesson
from tui_backprop.teach.explain import explain_update
from tui_backprop.teach.quiz import check_asks, judge, parse_ask, questions


def test_asks_are_read_as_the_readme_writes_them():
    assert parse_ask("delta^L").layer is None
    ask = parse_ask("w^2_13 after")
    assert (ask.name, ask.layer, ask.i, ask.j) == ("W", 2, 1, 3)
    assert parse_ask("a^1_2").i == 2 and parse_ask("C").name == "C"
    assert parse_ask("dC/dw^1_12") == parse_ask("dC/dW^1_12")  # as the walk writes it
    wide = parse_ask("dC/dw^1_10,3")  # past 9, with the walk's comma
    # named as the walk writes an entry of W: w^m_ij
    assert (wide.i, wide.j) == (10, 3) and wide.text(2) == "dC/dw^1_10,3"
    assert parse_ask("w^2_11 after").text(2) == "w^2_11 after the update"
    for bad in ("W^2_11", "delta after", "foo", "a^0", "dC/dW^1_1", "C^2", "cost_1", "a^1_1,2"):
        with pytest.raises(ValueError):
            parse_ask(bad)


def test_judging_is_relative_to_the_values_own_size():
    assert judge(0.0937, 0.09368) and not judge(0.095, 0.09368)
    assert judge(0.0, 0.0) and not judge(0.00005, 0.0) and not judge(-1e-12, 0.0)
    assert not judge(float("nan"), 0.5)
    # NOT's saturated numbers: tiny, but judged at their own size, sign and all
    assert not judge(0.00009, -6.73116e-07) and not judge(0.00005, 3.37e-7)
    assert not judge(0.0, -6.73116e-07) and not judge(6.73116e-07, -6.73116e-07)
    assert judge(-6.7e-7, -6.73116e-07) and not judge(-6.6e-7, -6.73116e-07)
    # as the walk writes it is right, whatever the tolerance
    assert judge(-6.731e-7, -6.73116e-07, tolerance=1e-6)
    with pytest.raises(ConfigError):
        QuizConfig(tolerance=0.0)


def test_a_lesson_names_its_questions_and_a_bad_one_is_refused(tmp_path):
    path = tmp_path / "q.toml"
    path.write_text(
        'title = "q"\nscene = "network"\n[data]\nproblem = "xor"\n'
        '[quiz]\nask = ["delta^L", "w^2_11 after"]\ntolerance = 0.05\n'
    )
    quiz = load_lesson(path).quiz
    assert quiz.ask == ("delta^L", "w^2_11 after") and quiz.tolerance == 0.05
    path.write_text(path.read_text().replace('"delta^L"', '"delta"x"'))
    with pytest.raises(LessonError):
        load_lesson(path)
    path.write_text(path.read_text().replace('"delta"x"', '"W^2_11"'))
    with pytest.raises(LessonError, match=r"\[quiz\] ask"):
        load_lesson(path)


def test_predict_mode_asks_judges_and_scores():
    async def scenario() -> None:
        app = xor_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("p")
            assert app.predict and "predict mode" in app.message
            await pilot.press("s")
            # It says what it does: a few questions an update (in a batch, not one before
            # each phase: the first example's and the update's).
            assert "each phase" not in app.message and "a few each update" in app.message
            screen = app.screen
            assert isinstance(screen, QuestionScreen) and screen.label == "a¹₁"
            value = app._quiz[1][0].value
            await pilot.press(*f"{value:.5g}", "enter")
            assert not isinstance(app.screen, QuestionScreen)
            assert app.message.startswith("score 1/1 · right: a¹₁") and app.walk.index == 0
            await pilot.press("s")  # the next phase's question
            assert isinstance(app.screen, QuestionScreen) and app.screen.label == "a²₁"
            await pilot.press(*"123", "enter")
            assert app.message.startswith("score 1/2 · not quite: a²₁") and app.walk.index == 1
            assert app.score == [1, 2]
            await pilot.press("s")  # the cost: skip it
            assert isinstance(app.screen, QuestionScreen)
            await pilot.press("escape")
            assert app.message.startswith("score 1/2 · skipped: C")  # the score first
            while not app.walk.at_end:
                await pilot.press("s")
                if isinstance(app.screen, QuestionScreen):
                    await pilot.press("escape")
            assert app.message.startswith("score 1/2 · ") and "update done" in app.message
            assert app.runner.session.updates == 1  # the update was made as without questions
            await pilot.press("p", "s")  # off: no question
            assert not isinstance(app.screen, QuestionScreen)

    asyncio.run(scenario())


def test_a_tiny_value_with_the_wrong_sign_is_not_quite_and_the_box_says_how_it_judges():
    """NOT's lesson is its tiny saturated gradients: an answer of their size but of the
    wrong sign was marked right (judged as if the value were 0.01 in size)."""
    from textual.widgets import Static

    from tests.test_scenes import lesson_app

    async def scenario() -> None:
        app = lesson_app("not")
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("p", "s")
            tiny, hints = 0, []
            while isinstance(app.screen, QuestionScreen):
                hints.append(str(app.screen.query_one("#question-hint", Static).render()))
                value = app._quiz[1][app.walk.index + 1 if app.walk else 0].value
                if 0 < abs(value) < 5e-5:  # within the old floor of 1e-4 either way
                    tiny += 1
                    await pilot.press(*f"{-value:.4g}", "enter")
                    assert "not quite" in app.message, app.message
                else:
                    await pilot.press("escape")
                while not isinstance(app.screen, QuestionScreen) and not app.walk.at_end:
                    await pilot.press("s")
            assert tiny >= 2 and app.score == [0, tiny]
            assert all("within 1% of its own size, sign too" in hint for hint in hints)

    asyncio.run(scenario())


def test_a_typo_is_not_an_answer_and_does_not_give_the_value_away():
    from textual.widgets import Input, Static

    async def scenario() -> None:
        app = xor_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("p", "s")
            screen = app.screen
            assert isinstance(screen, QuestionScreen)
            value = app._quiz[1][0].value
            before = app.message
            await pilot.press(*"xyz", "enter")
            assert app.screen is screen and app.message == before  # still asking
            hint = str(screen.query_one("#question-hint", Static).render())
            assert "'xyz' is not a number" in hint and f"{value:.6g}" not in hint
            assert app.score == [0, 0]
            assert screen.query_one("#answer", Input).value == ""  # cleared for the next try
            await pilot.press(*"[b]1", "enter")  # shown as typed, not read as markup
            assert "'[b]1' is not a number" in str(screen.query_one("#question-hint").render())
            screen.query_one("#answer", Input).value = ""
            await pilot.press(*f"{value:.5g}", "enter")
            assert not isinstance(app.screen, QuestionScreen)
            assert app.message.startswith("score 1/1 · right: a¹₁") and app.score == [1, 1]

    asyncio.run(scenario())


def test_the_question_leaves_the_network_in_view_at_80x24():
    from tests.test_lecture_layout import on_screen

    async def scenario() -> None:
        app = xor_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("p")
            await pilot.pause()
            before = on_screen(app)
            node = re.compile(r" [ax] [-+.0-9]")  # a node's label and number: "a .500", "x 1.0"
            nodes = sum(len(node.findall(line)) for line in before)
            await pilot.press("s")
            await pilot.pause()
            assert isinstance(app.screen, QuestionScreen)
            asked = on_screen(app)
            assert sum(len(node.findall(line)) for line in asked) == nodes == 6
            assert any("what is a¹₁?" in line for line in asked)
            # the example asked about, in words: the network still shows the one before
            walk = app._quiz[0]
            k = walk.explanation.examples[0]
            snap = app.runner.latest()
            x = " ".join(f"{v:g}" for v in snap.inputs[k])
            shown = next(line for line in asked if f"example {k + 1}: x = (" in line)
            assert f"x = ({x})" in shown.replace("1.000", "1").replace("0.000", "0")

    asyncio.run(scenario())


def _candidate_asks() -> list[str]:
    """Well-formed asks around and past the edges of small networks: layers 1..4 and L,
    nodes 1..4, weights' rows and columns 1..4, every name."""
    layers = ["", "^L", *(f"^{m}" for m in range(1, 5))]
    texts = ["C"]
    for layer in layers:
        for index in ["", *(f"_{i}" for i in range(1, 5))]:
            texts += [f"{name}{layer}{index}" for name in ("a", "z", "delta", "dC/db")]
            texts.append(f"b{layer}{index} after")
        for index in ["", *(f"_{i}{j}" for i in range(1, 5) for j in range(1, 5))]:
            texts += [f"dC/dW{layer}{index}", f"W{layer}{index} after"]
    return texts


@pytest.mark.parametrize("sizes,bias", [((2, 3, 1), True), ((3, 2, 2), True), ((1, 1), False)])
def test_an_ask_is_accepted_exactly_when_the_network_has_it(sizes, bias):
    """check_asks accepts an ask if and only if predict mode finds its number in an
    update's phases, except a bias on a network without biases (always 0): refused."""
    spec = NetworkSpec(sizes, ("sigmoid",) * (len(sizes) - 1), bias=bias)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(2, sizes[0])), rng.uniform(0.1, 0.9, size=(2, sizes[-1]))
    session = Session(spec, X, Y, TrainingConfig(batch_size=1, shuffle=False), specialized=False)
    explanation = explain_update(session, [0])
    verdicts = []
    for text in _candidate_asks():
        try:
            check_asks((text,), spec)
            accepted = True
        except ConfigError as error:
            assert error.field == "quiz.ask" and repr(text) in error.problem
            accepted = False
        asked = bool(questions(explanation, (text,), spec.n_layers))
        is_bias = parse_ask(text).name in ("b", "dC/db")
        assert accepted == (asked and (bias or not is_bias)), text
        verdicts.append(accepted)
    assert any(verdicts) and not all(verdicts)


def _quiz_lesson(path, network: str, ask: str) -> str:
    """An XOR lesson with this [network] section that asks for ``ask``."""
    path.write_text(
        f'title = "q"\nscene = "network"\n[data]\nproblem = "xor"\n[network]\n{network}\n'
        f'[quiz]\nask = ["{ask}"]\n'
    )
    return str(path)


@pytest.mark.parametrize(
    "network,ask,problem",
    [
        ("hidden = 3", "delta^3", "the network 2-3-1 has no layer 3 (it has layers 1..2)"),
        ("hidden = 3", "a^1_4", "layer 1 of the network 2-3-1 has no node 4 (it has nodes 1..3)"),
        ("hidden = 3", "z^L_2", "layer 2 of the network 2-3-1 has no node 2 (it has node 1 only)"),
        ("hidden = 3", "w^2_21 after", "has no weight w^2_21 (W^2 is 1x3: row 1 only, columns"),
        ("hidden = 3", "dC/dW^1_13", "has no weight w^1_13 (W^1 is 3x2: rows 1..3, columns 1..2)"),
        ("hidden = 3\nno-bias = true", "b^1_1 after", "the network 2-3-1 has no biases"),
        ("hidden = 3\nno-bias = true", "dC/db^L", "the network 2-3-1 has no biases"),
        ("hidden = 0", "C_1", "the cost C has no layer or index"),
    ],
)
def test_a_lesson_asking_for_what_its_network_lacks_is_refused(tmp_path, network, ask, problem):
    path = _quiz_lesson(tmp_path / "q.toml", network, ask)
    with pytest.raises(LessonError) as error:
        load_lesson(path)
    message = str(error.value)
    assert message.startswith(f"lesson {path}: [quiz] ask: {ask!r}: ") and problem in message


def _one_error_line(result) -> str:
    """The one line a refused command prints: exit code 2, no traceback, no output."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr and result.stdout == ""
    return lines[0]


@pytest.mark.parametrize("command", [("train", "--lesson"), ("lesson",), ("tui", "--lesson")])
def test_a_layer_the_network_lacks_is_one_line_and_exit_code_2(tmp_path, command):
    path = tmp_path / "bad6.toml"
    path.write_text(
        'title = "q"\nscene = "network"\n[data]\nproblem = "not"\n[network]\nhidden = 0\n'
        '[quiz]\nask = ["delta^9"]\n'
    )
    line = _one_error_line(run_cli(*command, str(path)))
    assert line == (
        f"tui-backprop {command[0]}: error: lesson {path}: [quiz] ask: 'delta^9': "
        "the network 1-1 has no layer 9 (it has layer 1 only)"
    )


@pytest.mark.parametrize(
    "options,problem",
    [
        (
            ("--hidden", "0"),
            "'delta^2': the network 2-1 (as the options given make it) has no layer 2",
        ),
        (("--hidden", "2"), "'b^1_3 after': layer 1 of the network 2-2-1 (as the options given"),
        (("--no-bias",), "'b^1_3 after': the network 2-3-1 (as the options given make it) has no"),
    ],
)
def test_asks_are_checked_against_the_network_the_options_build(tmp_path, options, problem):
    """The lesson's own network has what it asks for; the one the app would open with,
    as options given on the command line change it, may not: the app is not opened."""
    path = tmp_path / "ok.toml"
    path.write_text(
        'title = "q"\nscene = "network"\n[data]\nproblem = "xor"\n[network]\nhidden = 3\n'
        '[quiz]\nask = ["delta^2", "b^1_3 after"]\n'
    )
    # Without the options the lesson is fine: only the missing terminal stops the app.
    assert "the app needs a terminal" in _one_error_line(run_cli("lesson", str(path)))
    for command in (("lesson", str(path)), ("tui", "--lesson", str(path))):
        line = _one_error_line(run_cli(*command, *options))
        assert line.startswith(f"tui-backprop {command[0]}: error: lesson {path}: [quiz] ask: ")
        assert problem in line
    # train asks nothing: the quiz is not its concern.
    assert run_cli("train", "--lesson", str(path), *options, "--epochs", "1").returncode == 0


def test_the_question_box_covers_the_screens_width_so_nothing_shows_beside_it():
    """At the bottom, over the status line: as wide as the screen, so no end of the status
    line shows to its left or right."""
    from textual.containers import Vertical

    async def scenario() -> None:
        app = xor_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("p", "s")
            await pilot.pause()
            box = app.screen.query_one(Vertical)
            assert box.region.x == 0 and box.region.width == 80

    asyncio.run(scenario())


def test_at_80_columns_predict_mode_shows_the_weights_the_answer_needs():
    """The compact layout has no weights panel; in predict mode it has one, beside the
    network, paged to the W the question's phase uses (W² for layer 2's forward pass)."""
    from tests.test_lecture_layout import rendered
    from tui_backprop.app.widgets.weights import WeightsView

    async def scenario() -> None:
        app = xor_app()
        async with app.run_test(size=(80, 24)) as pilot:
            weights = app.query_one(WeightsView)
            assert not weights.display
            await pilot.press("p")
            await pilot.pause()
            assert weights.display and weights.region.width >= 40
            await pilot.press("s")  # layer 1's forward pass: W¹
            assert isinstance(app.screen, QuestionScreen)
            assert rendered(app, WeightsView).startswith("W¹")
            await pilot.press("escape", "s")  # layer 2's: W²
            assert isinstance(app.screen, QuestionScreen) and app.screen.label == "a²₁"
            await pilot.pause()
            shown = rendered(app, WeightsView)  # W² whole, on the panel's last page
            w2 = app.runner.latest().weights[2]
            assert "W² 1×3" in shown and all(f"{w:+.3f}" in shown for w in w2[0])
            await pilot.press("escape", "p")  # predict mode off: the compact layout again
            await pilot.pause()
            assert not weights.display

    asyncio.run(scenario())


def test_a_question_on_w_after_the_update_finds_only_the_old_w_on_screen():
    """The update is made at the walk's last update phase: while "w²₁₁ after the
    update?" is asked, the weights on screen (panel and network) are the ones before it."""
    from tui_backprop.app.widgets.weights import WeightsView

    async def scenario() -> None:
        app = xor_app()
        async with app.run_test(size=(160, 45)) as pilot:
            before = app.runner.latest().weights[2][0, 0]
            await pilot.press("p")
            while True:
                await pilot.press("s")
                if isinstance(app.screen, QuestionScreen) and app.screen.label.startswith("w²"):
                    break
                if isinstance(app.screen, QuestionScreen):
                    await pilot.press("escape")
                assert not app.walk.at_end, "no W² question came"
            assert app.runner.session.updates == 0
            assert app.runner.latest().weights[2][0, 0] == before
            panel = str(app.query_one(WeightsView).render())
            answer = app._quiz[1][app.walk.index + 1].value
            assert f"{answer:+.3f}" not in panel and f"{before:+.3f}" in panel

    asyncio.run(scenario())


def test_a_question_on_a_batchs_update_names_the_batch():
    async def scenario() -> None:
        app = xor_app(settings=TrainingConfig(seed=0, batch_size=2))
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.press("p")
            while True:
                await pilot.press("s")
                if isinstance(app.screen, QuestionScreen) and "after" in app.screen.label:
                    break
                if isinstance(app.screen, QuestionScreen):
                    await pilot.press("escape")
                assert not app.walk.at_end, "no update question came"
            assert app.screen.example.startswith("batch of 2: examples ")

    asyncio.run(scenario())
