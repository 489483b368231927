"""The errata view (w): its numbers are those of the two runs it compares and of the
formulas at the network's current weights; it opens only on the seed lessons."""

from __future__ import annotations

import asyncio
import dataclasses
import re

import numpy as np
import pytest
from textual.binding import Binding

from tests.test_app import xor_app
from tests.test_scenes import lesson_app
from tui_backprop.app import tutorial as tutorial_view
from tui_backprop.app.screens.errata import ErrataScreen
from tui_backprop.io.build import build_setup
from tui_backprop.io.lessons import load_lesson
from tui_backprop.teach import errata, tutorials
from tui_backprop.teach.errata import tutorial_cost


def _row(text: str, label: str) -> tuple[float, float]:
    """The first two numbers (as written, this lesson) of the runs table's row ``label``."""
    match = re.search(rf"^  {re.escape(label)}\s+(\S+)\s+(\S+)(\s+\S+)?$", text, re.M)
    assert match, f"no row {label!r} in:\n{text}"
    return float(match[1].rstrip("%")), float(match[2].rstrip("%"))


def _errata_text(name: str, presses: tuple[str, ...] = ()) -> str:
    async def scenario() -> str:
        app = lesson_app(name)
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.press(*presses, "w")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ErrataScreen)
            text = screen.body.plain
            await pilot.press("escape")
            assert not isinstance(app.screen, ErrataScreen)
            return text

    return asyncio.run(scenario())


def _lesson_run(name: str):
    setup = build_setup(load_lesson(name).run)
    setup.session.run_epochs(setup.settings.epochs)
    return setup


def test_neuron_errata_shows_both_runs_numbers():
    text = _errata_text("neuron")
    written = tutorials.neuron_as_written()
    setup = _lesson_run("neuron")
    w_written, w_lesson = _row(text, "W¹₁₁")
    assert w_written == pytest.approx(written.weights[0][0, 0], rel=1e-7)
    assert w_lesson == pytest.approx(setup.session.network.W[1][0, 0], rel=1e-7)
    loss_written, loss_lesson = _row(text, "loss")
    assert loss_written == pytest.approx(written.final_loss, rel=1e-7)
    setup.session.evaluate()  # fills the outputs; the lesson's loss in the tutorial's cost
    lesson_loss = tutorial_cost("neuron", setup.session.outputs, setup.problem.Y)
    assert loss_lesson == pytest.approx(lesson_loss, rel=1e-7)


def test_not_errata_evaluates_the_formulas_at_the_current_weights():
    text = _errata_text("not", presses=("n", "n", "n"))
    assert "update 3" in text
    setup = build_setup(load_lesson("not").run)
    setup.session.run_epochs(3)  # full batch: one update an epoch
    w, b = setup.session.network.W[1][0, 0], setup.session.network.b[1][0]
    x, y = np.array([0.0, 1.0]), np.array([1.0, 0.0])
    a = 1 / (1 + np.exp(-(w * x + b)))
    delta = (a - y) * a * (1 - a)
    block = text.split("costD2")[1]
    written, correct = re.findall(r"= ([+-]\S+)", block)[:2]
    assert float(written) == pytest.approx(np.sum(delta), rel=1e-5)  # the bias gradient
    assert float(correct) == pytest.approx(np.sum(delta * x), rel=1e-5)
    w_written, w_lesson = _row(text, "W¹₁₁")
    assert w_written == pytest.approx(tutorials.not_as_written().weights[0][0, 0], rel=1e-7)


def test_xor_231_errata_runs_from_the_same_draw():
    text = _errata_text("xor-231")
    setup = build_setup(load_lesson("xor-231").run)
    net = setup.session.network
    written = tutorials.xor_231_as_written(net.weights(), net.biases())
    setup.session.run_epochs(setup.settings.epochs)
    setup.session.evaluate()
    lesson_outputs = setup.session.outputs
    for k, label in enumerate(["a(0,0)", "a(0,1)", "a(1,0)", "a(1,1)"]):
        shown_written, shown_lesson = _row(text, label)
        assert shown_written == pytest.approx(written.outputs[k, 0], abs=1e-6)
        assert shown_lesson == pytest.approx(lesson_outputs[k, 0], abs=1e-6)
    assert "delta3 = a3 - y" in text


def test_xor_231_errata_adds_the_squared_error_run_its_text_states():
    """The code and the lesson both train cross-entropy (their columns agree); the third
    column is the tutorial's code with the squared error's delta, from the same draw."""
    text = _errata_text("xor-231")
    net = build_setup(load_lesson("xor-231").run).session.network
    stated = tutorials.xor_231_as_written(net.weights(), net.biases(), squared_error_delta=True)
    assert re.search(r"as written\s+this lesson\s+its text", text)
    for k, label in enumerate(["a(0,0)", "a(0,1)", "a(1,0)", "a(1,1)"]):
        row = re.search(rf"^  {re.escape(label)}\s+(\S+)\s+(\S+)\s+(\S+)$", text, re.M)
        assert row, text
        assert float(row[1]) == pytest.approx(float(row[2]), abs=1e-6)
        assert float(row[3]) == pytest.approx(stated.outputs[k, 0], abs=1e-6)
        assert abs(float(row[3]) - float(row[1])) > 0.1  # a run of its own, stuck near 0.5
    loss = re.search(r"^  loss\s+\S+\s+\S+\s+(\S+)$", text, re.M)
    assert loss and float(loss[1]) == pytest.approx(stated.final_loss, rel=1e-7)


@pytest.mark.parametrize("name", ["neuron", "not"])
def test_a_convention_is_labelled_its_way_and_this_apps_not_tutorial_and_correct(name):
    """A convention is right both ways, and its step row uses the mended gradient: neither
    side is labelled as the tutorial's code or as the correct one; the slips are."""
    text = _errata_text(name)
    blocks = re.split(r"\n(?=slip: |convention: )", text)
    conventions = [b for b in blocks if b.startswith("convention: ")]
    slips = [b for b in blocks if b.startswith("slip: ")]
    assert conventions and slips
    for block in conventions:
        assert "  its way  " in block and "  this app  " in block, block
        assert "  tutorial  " not in block and "  correct   " not in block, block
    step = [b for b in conventions if b.startswith("convention: the step")]
    assert step and "not what its code steps" in step[0]
    for block in slips:
        assert "  tutorial  " in block and "  correct   " in block, block


def test_xor_221_counts_the_seeds_that_learn(monkeypatch):
    monkeypatch.setattr(tutorial_view, "SEEDS_COUNTED", 8)
    lesson = load_lesson("xor-221")
    runs = tutorial_view.compare_runs(lesson, seed=0)
    learned = 0
    for seed in range(8):  # one Session per seed, not the restarts kernel
        training = dataclasses.replace(lesson.run.training, seed=seed)
        setup = build_setup(dataclasses.replace(lesson.run, training=training))
        setup.session.run_epochs(setup.settings.epochs)
        learned += setup.session.evaluate() < runs.threshold
    assert runs.seeds == 8 and runs.learned == learned


def test_the_restarts_lesson_names_the_one_draw_slip():
    text = _errata_text("restarts", presses=("escape",))  # from the scene to the network
    assert "one random draw" in text and "after" not in text  # no runs to compare


def test_w_does_nothing_but_say_why_off_the_seed_lessons():
    async def scenario() -> None:
        app = xor_app()  # no lesson
        async with app.run_test(size=(100, 40)):
            assert not app.check_action("errata", ())
            app.action_errata()
            assert "no tutorial to compare" in app.message
            assert not isinstance(app.screen, ErrataScreen)

    asyncio.run(scenario())


def _descent_errata(*presses: str) -> tuple[str, list[float]]:
    """The descent scene's errata text after ``presses``, and the scene's path's x."""
    from tui_backprop.app.screens.descent import DescentScreen

    async def scenario() -> tuple[str, list[float]]:
        app = lesson_app("descent")
        async with app.run_test(size=(100, 40)) as pilot:
            scene = app.screen
            assert isinstance(scene, DescentScreen)
            await pilot.press(*presses, "w")
            screen = app.screen
            assert isinstance(screen, ErrataScreen)
            path = [float(x) for x in scene.descent.path[: scene.k + 1, 0]]
            text = screen.body.plain
            await pilot.press("escape")
            return text, path

    return asyncio.run(scenario())


def _descent_steps(text: str) -> dict[tuple[str, int], float]:
    """{(side, step): x_{i+1}}: each side's (tutorial, correct) values, by the step each
    line names."""
    values = {}
    for side, block in zip(("tutorial", "correct"), re.split(r"\n  correct ", text), strict=True):
        for value, step in re.findall(r"= ([+-]\S+)  \(step (\d+), x = ", block):
            values[side, int(step)] = float(value)
    return values


def test_descent_scene_errata_steps_both_ways_from_the_current_point():
    text, path = _descent_errata("n")
    assert len(path) == 2  # one step taken
    gamma = tutorials.DESCENT_GAMMA
    steps = _descent_steps(text)
    for k, x in enumerate(path):  # from the start, and from where it is
        slope = 4 * x**3 - 9 * x**2
        assert steps["tutorial", k] == pytest.approx(x + gamma * slope, rel=1e-5)
        assert steps["correct", k] == pytest.approx(x - gamma * slope, rel=1e-5)
    assert "x_i + alpha v_i" in text


def test_descent_errata_after_the_run_shows_the_first_step_where_the_slip_shows():
    """At the run's end the slope is nearly 0 and the two steps agree to 5 digits: the
    view also shows them from the start, where one climbs and the other descends."""
    text, path = _descent_errata("e")
    last = len(path) - 1
    assert last > 1
    steps = _descent_steps(text)
    assert set(steps) == {(side, k) for side in ("tutorial", "correct") for k in (0, last)}
    x0, gamma = path[0], tutorials.DESCENT_GAMMA
    slope = 4 * x0**3 - 9 * x0**2
    assert steps["tutorial", 0] == pytest.approx(x0 + gamma * slope, rel=1e-5)
    assert steps["correct", 0] == pytest.approx(path[1], rel=1e-5)  # the scene's own step
    assert steps["tutorial", 0] > x0 > steps["correct", 0]  # climbs against descends
    assert abs(steps["tutorial", last] - steps["correct", last]) < 1e-3  # where it ends


def test_landscape_scene_errata_evaluates_not_at_the_mse_paths_point():
    async def scenario() -> tuple[str, float, float]:
        app = lesson_app("landscape")
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.press("n", "w")
            screen = app.screen
            assert isinstance(screen, ErrataScreen)
            net = app.screen_stack[-2].sessions[0].network
            return screen.body.plain, float(net.W[1][0, 0]), float(net.b[1][0])

    text, w, b = asyncio.run(scenario())
    x, y = np.array([0.0, 1.0]), np.array([1.0, 0.0])
    a = 1 / (1 + np.exp(-(w * x + b)))
    delta = (a - y) * a * (1 - a)
    written, correct = (float(v) for v in re.findall(r"= ([+-]\S+)", text)[:2])
    assert written == pytest.approx(np.sum(delta), rel=1e-5)
    assert correct == pytest.approx(np.sum(delta * x), rel=1e-5)
    assert "update 1" in text


def test_restarts_scene_errata_counts_the_draws_beside_the_slip():
    from tui_backprop.app.screens.restarts import RestartsScreen

    async def scenario() -> tuple[str, object]:
        app = lesson_app("restarts")
        async with app.run_test(size=(100, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, RestartsScreen)
            while screen.result is None:
                await pilot.pause()
            await pilot.press("w")
            assert isinstance(app.screen, ErrataScreen)
            return app.screen.body.plain, screen

    text, screen = asyncio.run(scenario())
    learned = int(screen.result.converged(screen.threshold).sum())
    assert "one random draw" in text
    assert f"Here: {learned} of {len(screen.result.seeds)} seeds" in text


@pytest.mark.parametrize("name", ["descent", "xor-231"])  # xor-231's text scrolls
def test_the_errata_view_breaks_long_lines_under_their_indent_at_80_columns(name):
    from tests.test_lecture_layout import on_screen

    async def scenario():
        app = lesson_app(name)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("w")
            for _ in range(200):  # the runs' numbers come from a worker: until they show
                await pilot.pause(0.05)
                if "after" in " ".join(on_screen(app)) or name == "descent":
                    break
            lines = on_screen(app)
            at = next(i for i, line in enumerate(lines) if "why: " in line)
            column = lines[at].index("why:")
            follow = [line for line in lines[at + 1 : at + 3] if line.strip(" │")]
            assert follow  # the why wraps at 80 columns
            for line in follow[:1] if name == "descent" else follow:  # then a blank line
                assert line[: column + 4].strip(" │") == "" and line[column + 4] != " "

    asyncio.run(scenario())


# -- every formula against the cost it states, by finite differences ---------------------
H = 1e-6


def _slope(f, x: float) -> float:
    """df/dx by central differences."""
    return (f(x + H) - f(x - H)) / (2 * H)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _blocks(name: str) -> dict[str, tuple[str, list[np.ndarray]]]:
    """The errata text of lesson ``name`` at its initial weights, as {where: (the block's
    text, [its value rows' numbers])}, and the state they were evaluated at."""
    from tui_backprop.app.screens.errata import errata_text
    from tui_backprop.teach.errata import DescentPoint, Weights

    if name == "descent":
        state = DescentPoint(tutorials.DESCENT_X0, tutorials.DESCENT_GAMMA)
    else:
        setup = build_setup(load_lesson(name).run)
        net = setup.session.network
        state = Weights(net.weights(), net.biases(), setup.problem.X, setup.problem.Y)
    text = errata_text(name, name, [(state, "(at the start)")], None).plain
    blocks = {}
    for block in re.split(r"\n(?=slip: |convention: )", text):
        head = block.split("\n")[0]
        rows = [
            np.array(r.split(), dtype=float) for r in re.findall(r"^ +=  ?([+-].*)$", block, re.M)
        ]
        blocks[head.split(": ", 1)[1] if ": " in head else head] = (block, rows)
    return blocks, state


def test_neuron_errata_formulas_are_the_derivatives_of_its_stated_cost():
    blocks, state = _blocks("neuron")
    x, y = state.X[:, 0], state.Y[:, 0]

    def its_cost(w):  # the tutorial's, as its view states it
        return np.mean((_sigmoid(w * x) - y) ** 2)

    w = float(state.weights[0][0, 0])
    block, (_, correct) = blocks["the gradient, in its code"]
    assert "(2/m) sum" in block
    assert correct[0] == pytest.approx(_slope(its_cost, w), rel=1e-5)
    block, (its_way, this_app) = blocks["the cost"]
    assert f"C = {tutorials.FIRST_COST}" in block and "C = (1/2m) sum (a - y)^2" in block
    assert its_way[0] == pytest.approx(its_cost(w), rel=1e-5)
    assert this_app[0] == pytest.approx(its_cost(w) / 2, rel=1e-5)
    step = next(k for k in blocks if k.startswith("the step size"))
    _, (its_way, this_app) = blocks[step]
    assert its_way[0] == pytest.approx(0.5 * _slope(its_cost, w), rel=1e-5)
    assert this_app[0] == pytest.approx(1.0 * _slope(lambda v: its_cost(v) / 2, w), rel=1e-5)


def test_not_errata_formulas_are_the_derivatives_of_its_stated_cost():
    blocks, state = _blocks("not")
    x, y = state.X[:, 0], state.Y[:, 0]
    w, b = float(state.weights[0][0, 0]), float(state.biases[0][0])

    def its_cost(w, b):
        return np.mean((_sigmoid(w * x + b) - y) ** 2)

    block, (written, correct) = blocks["the input weight's gradient, costD2"]
    assert tutorials.FIRST_COST in block
    assert written[0] == pytest.approx(_slope(lambda v: its_cost(w, v), b), rel=1e-5)  # b's
    assert correct[0] == pytest.approx(_slope(lambda v: its_cost(v, b), w), rel=1e-5)
    step = next(k for k in blocks if k.startswith("the step size"))
    block, (its_way, this_app) = blocks[step]
    assert "(1/2m) sum (a - y)^2" in block
    slope = _slope(lambda v: its_cost(v, b), w)
    assert its_way[0] == pytest.approx(0.05 * slope, rel=1e-5)
    assert this_app[0] == pytest.approx(0.1 * slope / 2, rel=1e-5)


def test_xor_231_errata_deltas_are_the_derivatives_of_the_costs_they_state():
    """delta3 = dC/dz3 of one example's cost, C its squared error (1/2)(a3 - y)^2 (a3 - y
    is cross-entropy's); the tutorial's printed cost (1/m) sum (a - y)^2 is (2/m) sum C,
    its gradient (2/m) times the summed deltas."""
    blocks, state = _blocks("xor-231")
    (block, (written, correct)) = blocks[
        "the output delta, delta3 = dC/dz3 of one example's cost C"
    ]
    assert "C = (1/2)(a3 - y)^2" in block and "C = -[y ln a3 + (1 - y) ln(1 - a3)]" in block
    assert tutorials.FIRST_COST in block and "(2/m) sum C" in block
    W1, W2 = (np.asarray(W) for W in state.weights)
    b1, b2 = (np.asarray(b) for b in state.biases)
    y = state.Y[:, 0]

    def output(shift):  # a3 per example, with z3 (the output's bias) moved by shift
        return _sigmoid(_sigmoid(state.X @ W1.T + b1) @ W2.T + b2 + shift)[:, 0]

    def half_square(shift):
        return 0.5 * (output(shift) - y) ** 2

    def cross_entropy(shift):
        a = output(shift)
        return -(y * np.log(a) + (1 - y) * np.log(1 - a))

    assert correct == pytest.approx(_slope(half_square, 0.0), rel=1e-5)
    assert written == pytest.approx(_slope(cross_entropy, 0.0), rel=1e-5)
    printed = _slope(lambda s: np.mean((output(s) - y) ** 2), 0.0)
    assert printed == pytest.approx(2 / len(y) * np.sum(correct), abs=1e-5)  # 6 digits shown


def test_xor_221_errata_slopes_are_the_derivatives_of_the_costs_they_state():
    blocks, state = _blocks("xor-221")
    a, y = state.output()[:, 0], state.Y[:, 0]
    block, (written, correct) = blocks["the squared error's dC/da^L, in its table"]
    assert "C = (1/2)(a^L - y)^2" in block
    assert correct == pytest.approx(_slope(lambda v: 0.5 * (v - y) ** 2, a), rel=1e-5)
    assert written == pytest.approx(-correct)
    block, (written, correct) = blocks["the MLP section's dE/dy_k"]
    assert "E = (1/2) sum_k (y_k - t_k)^2" in block
    assert correct == pytest.approx(_slope(lambda v: 0.5 * (v - y) ** 2, a), rel=1e-5)


def test_descent_errata_step_uses_the_slope_of_the_function_it_states():
    blocks, state = _blocks("descent")
    block, (written, correct) = blocks["the gradient-descent step, in its text"]
    assert "f(x) = x^4 - 3x^3 + 2" in block

    def f(x):
        return x**4 - 3 * x**3 + 2

    slope = _slope(f, state.x)
    assert correct[0] == pytest.approx(state.x - state.gamma * slope, rel=1e-5)
    assert written[0] == pytest.approx(state.x + state.gamma * slope, rel=1e-5)


@pytest.mark.parametrize("size", [(100, 50), (80, 24)])
def test_the_errata_footer_shows_the_scroll_keys_only_where_the_text_overflows(size):
    """The neuron's errata fits a tall terminal: ↓, ↑, pgdn and pgup would do nothing
    there, and neither the footer nor the help shows them; at 80x24 it scrolls, and they do."""
    from textual.containers import VerticalScroll

    from tests.test_lecture_layout import on_screen
    from tui_backprop.app.screens.help import help_rows

    async def scenario() -> tuple[bool, str, list[str], float]:
        app = lesson_app("neuron")
        async with app.run_test(size=size) as pilot:
            await pilot.press("w")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ErrataScreen) and "after" in screen.body.plain
            scroll = screen.query_one(VerticalScroll)
            overflows = scroll.max_scroll_y > 0
            footer = on_screen(app)[-1]
            keys = [keys for keys, _ in help_rows(screen)]
            await pilot.press("down", "pagedown")
            return overflows, footer, keys, scroll.scroll_y

    overflows, footer, keys, scrolled = asyncio.run(scenario())
    assert overflows == (size == (80, 24))
    for key in ("↓", "↑", "pgdn", "pgup"):
        assert (key in footer) == overflows, footer
        assert any(key in row.split(" / ") for row in keys) == overflows, keys
    assert (scrolled > 0) == overflows


def test_the_errata_runs_never_print_a_small_output_as_zero():
    """The neuron's run as written ends with a(0.75) = 1.2e-8 and a(1) smaller: each shown
    as itself, not as 0.000000."""
    text = _errata_text("neuron")
    written = tutorials.neuron_as_written()
    for k, x in enumerate(tutorials.NEURON_X):
        shown, _ = _row(text, f"a({x:g})")
        assert shown != 0.0
        assert shown == pytest.approx(written.outputs[k, 0], rel=0.05)  # 2 digits at least


@pytest.mark.parametrize("x", [4.75525123e-05, -1.2e-8, 0.0414853, -24.3428836, 3.2e210])
def test_significant_keeps_its_digits_in_the_compact_form(x):
    from tui_backprop.app.widgets.formatting import significant

    text = significant(x, 6, "+")
    assert float(text) == pytest.approx(x, rel=1e-6)
    assert text[0] in "+-" and "e+" not in text and "e-0" not in text


def test_the_errata_view_names_every_scroll_key_that_works():
    """Where the text overflows (80x24), every scroll key the view binds moves it its
    way, and each is named: the footer shows a key of every scroll action (↑ and pgup as
    well as ↓ and pgdn), the help every key on its action's row (j, k and space too), the
    palette a command per action."""
    from textual.containers import VerticalScroll

    from tests.test_lecture_layout import on_screen
    from tui_backprop.app.screens.help import help_rows

    async def scenario() -> None:
        app = lesson_app("neuron")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("w")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ErrataScreen) and "after" in screen.body.plain
            scroll = screen.query_one(VerticalScroll)
            assert scroll.max_scroll_y > 0
            footer = on_screen(app)[-1]
            rows = {what: keys.split(" / ") for keys, what in help_rows(screen)}
            palette = [command.title for command in app.get_system_commands(screen)]
            bindings = [b for _, b in screen._bindings if b.action.startswith(("scroll", "page"))]
            for action in {b.action for b in bindings}:
                shown = [b for b in bindings if b.action == action and b.show]
                assert shown, f"{action} has no key in the footer"
                display = app.get_key_display(shown[0])
                assert f"{display} {shown[0].description}" in footer, (action, footer)
                assert f"{shown[0].description} ({display})" in palette, (action, palette)
            for binding in bindings:
                for key in binding.key.split(","):
                    name = app.get_key_display(Binding(key, ""))
                    assert {key, name} & set(rows[binding.tooltip]), (key, rows)
                    scroll.scroll_to(y=scroll.max_scroll_y // 2, animate=False)
                    await pilot.pause()
                    before = scroll.scroll_y
                    await pilot.press(key)
                    way = 1 if binding.action.endswith("(1)") else -1
                    assert (scroll.scroll_y - before) * way > 0, (key, before, scroll.scroll_y)

    asyncio.run(scenario())


def _broken(lines: list[str], shown: list[str]) -> list[list[str]]:
    """Each of ``lines`` as the pieces ``shown`` breaks it into (``shown`` is ``lines``
    with some of their spaces made line breaks and indents)."""
    pieces, at = [], 0
    for line in lines:
        taken = [shown[at]]
        at += 1
        while " ".join(" ".join(taken).split()) != " ".join(line.split()):
            taken.append(shown[at])
            at += 1
        pieces.append(taken)
    return pieces


@pytest.mark.parametrize("name", sorted(errata.DIFFERENCES))
def test_the_errata_view_breaks_no_formula_at_80_columns(name):
    """At 80x24 a line of the errata breaks between words, or between a formula's terms
    (before an operator), never after an operator ("C =" / "(1/2)(a3 - y)^2") nor inside
    brackets ("ln(1 -" / "a3)")."""

    async def scenario() -> tuple[str, str]:
        app = lesson_app(name)
        async with app.run_test(size=(80, 24)) as pilot:
            if name == "restarts":  # from the scene to the network below it
                await pilot.press("escape")
            await pilot.press("w")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ErrataScreen)
            return screen.body.plain, str(screen.query_one("#errata-body").render())

    body, shown = asyncio.run(scenario())
    broken = [p for p in _broken(body.split("\n"), shown.split("\n")) if len(p) > 1]
    assert broken  # the whys at least are longer than a line
    for pieces in broken:
        line = " ".join(" ".join(pieces).split())
        at = 0
        for piece in pieces[:-1]:
            at += len(" ".join(piece.split())) + 1  # the break: a space of the line
            assert piece.split()[-1] not in ("=", "+", "-", "*", "/"), pieces
            assert not _in_formula_brackets(line, at), pieces


def _in_formula_brackets(line: str, at: int) -> bool:
    """Whether ``line[at]`` is inside brackets that hold a formula: symbols, operators
    and formula words ("[y ln a3 + (1 - y) ln(1 - a3)]"), no word of prose ("(not what
    its code steps)", a remark that may break)."""
    opened = []
    for k, char in enumerate(line):
        if char in "([{":
            opened.append(k)
        elif char in ")]}" and opened:
            start = opened.pop()
            words = re.findall(r"[A-Za-z]{3,}", line[start:k])
            if start < at < k and not set(words) - {"sum", "alpha", "delta"}:
                return True
    return False


def _sigmoid_output_delta(app) -> np.ndarray:
    """a3 - y at the app's weights now, through sigmoid layers (the lesson's)."""
    snap = app.runner.latest()
    a = snap.inputs
    for m in range(1, snap.spec.n_layers + 1):
        W, b = app.runner.session.network.W[m], app.runner.session.network.b[m]
        a = 1 / (1 + np.exp(-(a @ W.T + b)))
    return a[:, 0] - snap.targets[:, 0]


@pytest.mark.parametrize(
    ("key", "change"),
    [("a", "hidden activation tanh, not sigmoid"), ("c", "cost mse, not cross-entropy")],
)
def test_xor_231_errata_says_its_numbers_use_the_lessons_network_not_the_changed_one(key, change):
    """After a (tanh) or c (mse) the network on screen is not the lesson's: the header says
    the numbers use the lesson's sigmoid layers and cross-entropy, and names what differs;
    the numbers are the sigmoid network's at the weights now."""

    async def scenario() -> tuple[str, np.ndarray, str]:
        app = lesson_app("xor-231")
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.press(key, "w")
            screen = app.screen
            assert isinstance(screen, ErrataScreen)
            return screen.body.plain, _sigmoid_output_delta(app), app.runner.session.spec.summary

    text, delta, summary = asyncio.run(scenario())
    assert "2-3-1" in summary and ("tanh" in summary or "mse" in summary)
    header = text.split("\n\n")[0]
    assert "with the lesson's sigmoid layers and cross-entropy cost" in header
    assert f"the network on screen now differs from the lesson: {change} " in header
    values = text.split("delta3 = a3 - y\n")[1].splitlines()[0]  # the tutorial's line
    assert [float(v) for v in values.split("=")[1].split()] == pytest.approx(delta, rel=1e-5)


def test_errata_header_names_no_difference_when_the_network_is_the_lessons():
    header = _errata_text("xor-231").split("\n\n")[0]
    assert "with the lesson's sigmoid layers and cross-entropy cost" in header
    assert "differs" not in header


@pytest.mark.parametrize("name", tutorials.NETWORK_LESSONS)
def test_the_errata_numbers_network_is_each_lessons_own(name):
    """``errata.Weights`` computes through sigmoid layers: every network lesson's are."""
    setup = build_setup(load_lesson(name).run, make_session=False)
    assert set(setup.spec.activations) == {"sigmoid"}
    assert errata.network_changes(setup.spec, setup.spec) == []
