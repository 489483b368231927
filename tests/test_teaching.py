"""The teaching views: phase stepping, selection, gradient check, output map, saturation.

Pure parts (the walk, the cursor, the drawings) without a terminal; the keys under Pilot in
step mode. Every number the panels show is checked against the NumPy reference."""

from __future__ import annotations

import asyncio
import re

import numpy as np
import pytest

from tests.helpers import reference_for
from tests.test_app import xor_app
from tui_backprop.app.lecture import PHASE, SELECT
from tui_backprop.app.screens.gradcheck import GradCheckScreen, gradcheck_text
from tui_backprop.app.widgets.explain_panel import ExplainPanel
from tui_backprop.app.widgets.network.drawing import SATURATED_BORDER, draw_network
from tui_backprop.app.widgets.output_map import (
    HIGH_GLYPH,
    LOW_GLYPH,
    OutputView,
    Scale,
    output_map_text,
    pixel_levels,
    point_cells,
)
from tui_backprop.core.config import TrainingConfig
from tui_backprop.core.problems import make_problem
from tui_backprop.core.session import Session
from tui_backprop.core.spec import NetworkSpec
from tui_backprop.teach.explain import explain_update, val
from tui_backprop.teach.gradcheck import LayerCheck, check_gradients
from tui_backprop.teach.walk import (
    SPARKS,
    Cursor,
    PhaseWalk,
    Selection,
    saturated,
    sparkline,
)


def run(coro):
    return asyncio.run(coro)


def xor_session(**settings) -> Session:
    problem = make_problem("xor")
    spec = NetworkSpec.build(2, (3,), 1)
    return Session(spec, problem.X, problem.Y, TrainingConfig(seed=0, **settings))


def panel_text(app) -> str:
    return app.query_one(ExplainPanel).text


# -- the cursor ---------------------------------------------------------------------------


@pytest.mark.parametrize("sizes", [(2, 3, 1), (1, 1), (3, 4, 2, 1)])
def test_tab_visits_every_node_and_edge_once(sizes):
    cursor = Cursor(sizes)
    start = cursor.selection
    seen = []
    while True:
        cursor.next()
        seen.append(cursor.selection)
        if cursor.selection == start:
            break
    nodes = sum(sizes)
    edges = sum(sizes[m] * sizes[m - 1] for m in range(1, len(sizes)))
    assert len(seen) == len(set(seen)) == nodes + edges
    for _ in range(len(seen)):  # shift+tab walks the same ring backwards
        expected = seen[-2] if len(seen) > 1 else seen[-1]
        cursor.previous()
        assert cursor.selection == expected
        seen.insert(0, seen.pop())


def test_arrows_move_between_nodes_and_edges_and_stop_at_the_ends():
    cursor = Cursor((2, 3, 1))
    assert cursor.selection == Selection(1, 0)  # starts on the first hidden node
    cursor.left()
    assert cursor.selection.is_edge and cursor.selection.m == 1
    cursor.left()
    assert cursor.selection == Selection(0, 0)
    cursor.left()
    assert cursor.selection == Selection(0, 0)
    cursor.down()
    cursor.down()
    assert cursor.selection == Selection(0, 1)
    for _ in range(10):
        cursor.right()
    assert cursor.selection == Selection(2, 0)
    cursor.up()
    assert cursor.selection == Selection(2, 0)


def test_sparkline_follows_the_values():
    assert sparkline(np.arange(8.0)) == SPARKS
    assert sparkline(np.full(4, 2.0)) == SPARKS[3] * 4
    assert sparkline(np.array([0.0, np.nan, 1.0])) == SPARKS[0] + "?" + SPARKS[-1]
    assert sparkline(np.array([])) == ""


# -- the walk, without a terminal ---------------------------------------------------------


def test_walk_shows_each_value_once_it_is_computed():
    session = xor_session()
    k = int(session.next_batch()[0])
    walk = PhaseWalk(explain_update(session, [k]), 1)
    snap = session.snapshot("xor")
    ref = reference_for(session.network)
    ref.forward(session.X[k])
    ref.backward(session.Y[k])
    kinds = [p.kind for p in walk.phases]
    assert kinds == [
        "forward",
        "forward",
        "cost",
        "output-delta",
        "hidden-delta",
        "gradient",
        "gradient",
        "update",
        "update",
    ]

    shown = walk.display(snap)  # forward, layer 1
    np.testing.assert_array_equal(shown.a[0], session.X[k])
    np.testing.assert_allclose(shown.a[1], ref.a[1], rtol=1e-12)
    assert shown.a[2] is None and shown.delta[1] is None and shown.delta[2] is None
    focus = walk.focus((2, 3, 1))
    assert {(1, j, i) for j in range(3) for i in range(2)} == set(focus.edges)

    walk.advance()
    walk.advance()
    walk.advance()  # output delta
    shown = walk.display(snap)
    np.testing.assert_allclose(shown.a[2], ref.a[2], rtol=1e-12)
    np.testing.assert_allclose(shown.delta[2], ref.delta[2], rtol=1e-12)
    assert shown.delta[1] is None
    walk.advance()  # hidden delta: W^2 carries delta^2 back
    np.testing.assert_allclose(walk.display(snap).delta[1], ref.delta[1], rtol=1e-12)
    assert set(walk.focus((2, 3, 1)).edges) == {(2, 0, j) for j in range(3)}
    assert not walk.needs_update
    while walk.phase.kind != "update":
        walk.advance()
    assert not walk.needs_update  # layer 1's update: the screen keeps the old weights
    walk.advance()  # layer 2's, the last: the update is made now
    assert walk.phase.kind == "update" and walk.needs_update
    # Blank values in the view: a layer not computed yet draws no number.
    drawn = str(draw_network(PhaseWalk(walk.explanation, 1).display(snap), 100, 20))
    assert "nan" not in drawn


def test_saturated_nodes_are_flagged_except_where_the_slope_cancels():
    problem = make_problem("xor")
    spec = NetworkSpec.build(2, (3,), 1)
    big = [np.full((3, 2), 20.0), np.full((1, 3), 20.0)]
    session = Session(
        spec,
        problem.X,
        problem.Y,
        TrainingConfig(seed=0),
        initial=(big, [np.zeros(3), np.zeros(1)]),
    )
    session.run_batches(1)
    snap = session.snapshot("xor")
    flagged = saturated(snap)
    x = snap.a[0]
    # z = 20 (x1 + x2): saturated unless both inputs are 0; the output (z = 60) too.
    assert flagged >= {(2, 0)}
    assert ({(1, j) for j in range(3)} <= flagged) == bool(x.sum() > 0)
    assert SATURATED_BORDER in str(draw_network(snap, 100, 20, flagged=flagged))
    assert "saturated" in str(draw_network(snap, 100, 20, flagged=flagged))

    ce = NetworkSpec.build(2, (3,), 1, cost="cross-entropy")
    ce_session = Session(
        ce, problem.X, problem.Y, TrainingConfig(seed=0), initial=(big, [np.zeros(3), np.zeros(1)])
    )
    ce_session.run_batches(1)
    assert (2, 0) not in saturated(ce_session.snapshot("xor"))


# -- drawings -----------------------------------------------------------------------------


def test_output_map_colours_follow_the_network_and_glyphs_the_classes():
    session = xor_session(alpha=0.5)
    session.run_epochs(2000)
    snap = session.snapshot("xor")
    levels = pixel_levels(snap, 30, 20)
    (x_lo, x_hi) = (-0.1, 1.1)
    # Pixel centres near the four corners carry the trained answers: 0 1 / 1 0.
    corners = {(0, 0): 1, (0, 29): 0, (19, 0): 0, (19, 29): 1}  # (row from top, column)
    for (r, c), target in corners.items():
        assert (levels[r, c] > 0) == bool(target), (r, c, x_lo, x_hi)
    cells = point_cells(snap, 30, 10)
    high = {(c, r) for c, r, h in cells if h}
    low = {(c, r) for c, r, h in cells if not h}
    assert len(high) == 2 and len(low) == 2
    text = output_map_text(snap, 30, 11)
    lines = text.plain.splitlines()
    assert len(lines) == 11
    assert sum(line.count(HIGH_GLYPH) for line in lines[:10]) == 2
    assert sum(line.count(LOW_GLYPH) for line in lines[:10]) == 2
    for c, r in high:
        assert lines[r][c] == HIGH_GLYPH


def test_scale_is_two_sided_around_the_middle_of_the_targets():
    snap = xor_session().snapshot("xor")
    scale = Scale.for_snapshot(snap)
    assert (scale.middle, scale.half) == (0.5, 0.5)
    assert scale.level(np.array([0.0, 0.5, 1.0, 2.0])).tolist() == [-12, 0, 12, 12]


def test_gradcheck_text_makes_a_failure_stand_out():
    good = [LayerCheck(1, 1e-9, 2e-9, 9, 0), LayerCheck(2, 3e-10, None, 3, 0)]
    bad = [LayerCheck(1, 1e-9, 2e-9, 9, 0), LayerCheck(2, 0.3, None, 3, 0)]
    assert "agrees" in gradcheck_text(0, good, good, 4).plain
    text = gradcheck_text(0, good, bad, 4)
    assert "FAIL" in text.plain and "layer(s) 2" in text.plain
    assert any("on #c0392b" in str(span.style) for span in text.spans)


def test_gradcheck_of_a_network_without_biases_names_no_b():
    """The neuron lesson has no bias: its table has no b column and no "b¹" in its rows."""
    unbiased = [LayerCheck(1, 1e-9, None, 1, 0)]
    plain = gradcheck_text(0, unbiased, unbiased, 5).plain
    assert "b error" not in plain and "b¹" not in plain
    rows = [line.split() for line in plain.splitlines() if line.strip().startswith("W¹")]
    assert rows and all(row[:3] == ["W¹", "1.0e-09", "1"] for row in rows), rows
    biased = gradcheck_text(0, *[[LayerCheck(1, 1e-9, 2e-9, 3, 0)]] * 2, 4).plain
    assert "b error" in biased and "W¹, b¹" in biased


# -- the keys -----------------------------------------------------------------------------


def test_s_walks_one_update_phase_by_phase_and_makes_it():
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(120, 36)) as pilot:
            session = app.runner.session
            k = int(session.next_batch()[0])
            expected = explain_update(session, [k])
            ref = reference_for(session.network)
            ref.forward(session.X[k])
            ref.backward(session.Y[k])
            ref.update(1, session.alpha, session.momentum)
            titles = []
            for _ in expected.phases:
                await pilot.press("s")
                assert app.panel == PHASE
                text = panel_text(app)
                titles.append(app.walk.phase.title)
                assert app.walk.phase.title in text
                if app.walk.phase.kind == "forward" and app.walk.phase.layer == 1:
                    for j in range(3):  # each z of layer 1 with the reference's value
                        assert f"= {val(ref.z[1][j])};" not in text  # split onto two lines
                        assert f"= {val(ref.z[1][j])}" in text
                if app.walk.phase.kind == "gradient":  # named with the phase's layer
                    m = "¹²"[app.walk.phase.layer - 1]
                    assert f"dC/dw{m}₁₁ = " in text and f"dC/db{m}₁ = delta{m}₁ = " in text
                    assert "dC/dw11" not in text and "dC/db1 " not in text
                if app.walk.phase.kind != "update":
                    assert session.updates == 0
            assert titles == [p.title for p in expected.phases]
            assert session.updates == 1  # made at the first update phase
            for m in (1, 2):
                np.testing.assert_allclose(session.network.W[m], ref.W[m], rtol=1e-12)
                np.testing.assert_allclose(session.network.b[m], ref.b[m], rtol=1e-12)
            assert "s: next update" in panel_text(app)
            await pilot.press("s")  # past the end: the next update's first phase
            assert app.walk.index == 0 and app.walk.update_number == 2
            assert "update 2" in panel_text(app)

    run(scenario())


def test_s_with_a_batch_accumulates_and_averages():
    async def scenario():
        app = xor_app(settings=TrainingConfig(seed=0, batch_size=4))
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("s")
            phases = app.walk.phases
            assert [p.kind for p in phases].count("cost") == 4
            while app.walk.phase.kind != "batch-mean":
                await pilot.press("s")
            text = panel_text(app)
            assert "mean gradient over the batch of 4" in text
            for bias in ("b¹₁", "b¹₂", "b¹₃", "b²₁"):  # the biases' g too, the update uses it
                assert f"g({bias}) = (" in text
            while app.walk.phase.kind != "update":
                await pilot.press("s")
            assert app.runner.session.updates == 0  # layer 1's: the old weights still
            while not app.walk.at_end:
                await pilot.press("s")
            assert app.runner.session.updates == 1  # made at the last update phase

    run(scenario())


def test_n_and_escape_during_a_walk():
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("s", "s")
            await pilot.press("n")  # n keeps its meaning: one whole update
            assert app.runner.session.updates == 1 and app.walk is None
            await pilot.press("s")
            assert app.walk.update_number == 2 and app.walk.index == 0
            await pilot.press("escape")
            assert app.panel is None and not app.screen.has_class("-explain")
            assert app.runner.session.updates == 1  # closing a walk changes nothing

    run(scenario())


def test_selecting_a_weight_shows_its_next_update_split_in_two():
    async def scenario():
        app = xor_app(settings=TrainingConfig(seed=0, momentum=0.9))
        async with app.run_test(size=(120, 36)) as pilot:
            for _ in range(5):
                await pilot.press("n")  # a non-zero momentum term
            await pilot.press("right")  # opens the selection on hidden node 1
            assert app.panel == SELECT and app.screen.has_class("-explain")
            await pilot.press("right")  # the edges into the output
            selection = app.cursor.selection
            assert selection == Selection(2, 0, 0)
            session = app.runner.session
            k = int(session.next_batch()[0])
            ref = reference_for(session.network)
            ref.dW[2][...] = session.network.dW[2]
            ref.forward(session.X[k])
            ref.backward(session.Y[k])
            g = ref.gW[2][0, 0]
            d_prev = session.network.dW[2][0, 0]
            text = panel_text(app)
            assert f"= {val(g)}" in text
            assert f"= {val(-session.alpha * g)} (gradient part)" in text
            assert f"{val(session.momentum * d_prev).lstrip('-')}" in text
            ref.update(1, session.alpha, session.momentum)
            assert f"= {val(ref.W[2][0, 0])}" in text
            await pilot.press("n")
            assert session.network.W[2][0, 0] == pytest.approx(ref.W[2][0, 0], rel=1e-12)
            assert "course" in panel_text(app)  # a sparkline once there is a history
            await pilot.press("left")
            assert app.cursor.selection == Selection(1, 0)
            text = panel_text(app)
            snap = app.runner.latest()
            assert f"z = W a + b = {val(snap.z[1][0])}" in text
            assert f"delta = dC/dz = {val(snap.delta[1][0])}" in text
            await pilot.press("tab")
            assert app.cursor.selection == Selection(1, 1)

    run(scenario())


def test_selecting_a_weight_under_adam_shows_its_steps_and_state():
    async def scenario():
        app = xor_app(settings=TrainingConfig(seed=0, optimizer="adam", alpha=0.01))
        async with app.run_test(size=(120, 36)) as pilot:
            for _ in range(5):
                await pilot.press("n")  # adam's m and s are not zero
            await pilot.press("right", "right")
            assert app.cursor.selection == Selection(2, 0, 0)
            session = app.runner.session
            t = session.optimizer_steps + 1
            text = panel_text(app)
            assert "gradient part" not in text  # that split is momentum's
            power = str(t).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
            assert "m^ = " in text and f"/(1-0.9{power})" in text
            assert f"/(1-0.999{power})" in text
            await pilot.press("n")
            w = session.network.W[2][0, 0]
            m, s = session.network.dW[2][0, 0], session.network.second[session.network.layers[2, 2]]
            assert f"= {val(w)}" in text  # the new weight, as the kernels made it
            assert f"adam keeps for w²₁₁: m = {val(m)}, s = {val(s)}, t = {t}" in text

    run(scenario())


def test_g_checks_gradients_for_the_example_and_the_data_set():
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("n", "g")
            assert isinstance(app.screen, GradCheckScreen)
            text = app.screen.body.plain
            session = app.runner.session
            k = app.runner.latest().example
            one = check_gradients(session, np.array([k]))
            every = check_gradients(session)
            assert f"example {k + 1} alone" in text and "all 4 examples" in text
            assert text.count(" pass ") == len(one) + len(every)
            assert f"{every[0].weights_error:.1e}" in text
            assert "agrees" in text
            await pilot.press("escape")
            assert not isinstance(app.screen, GradCheckScreen)

    run(scenario())


def test_o_swaps_the_loss_curve_for_the_output_map():
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(120, 36)) as pilot:
            assert not app.query_one(OutputView).display
            await pilot.press("o")
            await pilot.pause()
            view = app.query_one(OutputView)
            assert view.display and not app.query_one("#loss").display
            assert view.has_class("-map") and "x1" in str(view.border_title)
            await pilot.press("o")
            await pilot.pause()
            assert app.query_one("#loss").display

    run(scenario())


def test_one_input_problems_get_the_output_curve():
    async def scenario():
        spec = NetworkSpec.build(1, (4,), 1, output_activation="linear")
        app = xor_app(problem="sine", spec=spec)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("o")
            await pilot.pause()
            view = app.query_one(OutputView)
            assert view.has_class("-curve") and not view.has_class("-map")

    run(scenario())


def test_teaching_keys_at_80x24_keep_the_network_and_the_panel():
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("s")
            await pilot.pause()
            assert app.query_one("#network").display and app.query_one(ExplainPanel).display
            assert app.query_one(ExplainPanel).size.height >= 8

    run(scenario())


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_modal_panels_show_their_text(size):
    """The help and gradient-check boxes size themselves to their text (not to nothing)."""
    from textual.widgets import Static

    async def scenario():
        app = xor_app()
        async with app.run_test(size=size) as pilot:
            for key in ("question_mark", "g"):
                await pilot.press(key)
                await pilot.pause()
                body = app.screen.query_one(Static)
                assert body.size.width >= min(60, size[0] - 10)
                assert body.size.height >= (len(app.screen.rows) if key == "question_mark" else 8)
                await pilot.press("escape")

    run(scenario())


def test_a_new_phase_or_selection_opens_at_its_first_line_and_a_redraw_keeps_the_scroll():
    async def scenario():
        app = xor_app(problem="circle", spec=NetworkSpec.build(2, (16, 16), 1))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("s", "s")  # forward, layer 2: longer than the panel
            await pilot.pause()
            panel = app.query_one(ExplainPanel)
            await pilot.press("pagedown")
            await pilot.pause()
            assert panel.scroll_y > 0
            app.draw(app.runner.latest(), force=True)  # the same phase drawn again
            await pilot.pause()
            assert panel.scroll_y > 0
            await pilot.press("s")  # the next phase
            await pilot.pause()
            assert panel.scroll_y == 0 and panel.text.startswith("update 1 ")
            await pilot.press("escape", "down", "down")  # select a wide layer's node
            await pilot.pause()
            assert panel.max_scroll_y > 0
            await pilot.press("pagedown")
            await pilot.pause()
            assert panel.scroll_y > 0
            await pilot.press("down")  # another node
            await pilot.pause()
            assert panel.scroll_y == 0

    run(scenario())


def test_page_keys_scroll_a_long_phase():
    async def scenario():
        problem = make_problem("circle")
        app = xor_app(problem="circle", spec=NetworkSpec.build(2, (16, 16), 1))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("s", "s")  # forward, layer 2: 16 nodes, 32 lines
            await pilot.pause()
            panel = app.query_one(ExplainPanel)
            assert panel.max_scroll_y > 0 and panel.scroll_y == 0
            await pilot.press("pagedown")
            await pilot.pause()
            assert panel.scroll_y > 0
            await pilot.press("pageup")
            await pilot.pause()
            assert panel.scroll_y == 0
            assert problem.n_inputs == 2

    run(scenario())


@pytest.mark.parametrize("lesson", ["neuron", None])
def test_a_selected_nodes_sum_has_a_bias_exactly_when_the_network_has_biases(lesson):
    """The neuron lesson has no bias: its node's panel wrote z = W a + b."""
    from tests.test_scenes import lesson_app

    async def scenario():
        app = lesson_app(lesson) if lesson else xor_app()
        bias = app.config.spec.bias
        assert bias == (lesson is None)
        seen = 0
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(8):  # right: over every node and the weights between
                await pilot.press("right")
                text = app.query_one(ExplainPanel).text
                if text.startswith("node "):
                    seen += 1
                    assert "z = W a" in text and ("+ b" in text) == bias, text
        assert seen >= 1

    run(scenario())


def test_a_nodes_next_update_shows_the_z_a_and_delta_its_g_is_made_of():
    """After B, e, e the node's part shows the last update's z = 0.9433 and delta, and
    the next update's g = delta = 0.02892 came from z = 0.9369, never shown (both parts
    could say "example 3"): the next update shows its own forward pass, and each part
    says which update it is of."""
    from tests.recompute import recompute, statements
    from tui_backprop.teach.walk import Selection

    async def scenario():
        app = xor_app()
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.press("B", "e", "e", "right")
            await pilot.pause()
            assert app.cursor.selection == Selection(1, 0)
            snap = app.runner.latest()
            text = app.query_one(ExplainPanel).text
            explanation = app._next_update(snap)
            node, _, coming = text.partition("next update of b¹₁")
            assert f"in update {snap.updates}" in node
            assert coming.startswith(f" (update {snap.updates + 1}, example ")
            forward = next(p for p in explanation.phases if p.kind == "forward")
            z, a = forward.values["z"][0], forward.values["a"][0]
            (g,) = re.findall(r"g = dC/db¹₁ = delta¹₁ = (\S+)", coming)
            # every number g is made of, before it: z from the weights, a, delta with sigma'(z)
            worked = coming[: coming.index("  g = ")]
            assert f"= {val(z)}" in worked and f"= {val(a)}" in worked, coming
            assert worked.rstrip().endswith(f"= {g}"), coming
            for line in worked.splitlines():
                for statement in statements(line):
                    result = recompute(statement)
                    assert result is None or result.relative_error() < 2e-3, statement

    run(scenario())


def test_a_selected_nodes_bias_and_weights_update_are_named_with_their_layer():
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("right")  # the cursor: node 1 of hidden layer 1
            await pilot.pause()
            text = app.query_one(ExplainPanel).text
            assert "next update of b¹₁" in text and "dC/db¹₁" in text and "b1" not in text
            await pilot.press("right")  # the weight out of that node to the output, W²₁₁
            await pilot.pause()
            text = app.query_one(ExplainPanel).text
            assert text.startswith("W²₁₁")
            assert "next update of w²₁₁" in text and "g = dC/dw²₁₁ = " in text
            assert "  w²₁₁ <- " in text and "dC/dw =" not in text

    run(scenario())


def test_a_nodes_gradients_stand_at_one_indent_its_z_and_a_at_two():
    """dC/dw¹₁₂ is dC/dw¹₁₁'s sibling, not its continuation: one indent for a node's
    gradients; a forward line's a continues its z, indented under it."""

    async def scenario():
        app = xor_app()
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.press("s")  # forward, layer 1
            await pilot.pause()
            forward = app.query_one(ExplainPanel).text.splitlines()
            z = next(i for i, line in enumerate(forward) if line.startswith("  z¹₁ ="))
            assert forward[z + 1].startswith("      a¹₁ =")
            for _ in range(5):
                await pilot.press("s")  # on to the gradient of layer 1
            await pilot.pause()
            lines = app.query_one(ExplainPanel).text.splitlines()
            grads = [line for line in lines[2:] if "dC/d" in line]  # past the heading
            assert grads and all(line.startswith("  dC/d") for line in grads), lines

    run(scenario())


def test_a_setting_changed_under_a_walk_says_the_walk_ended():
    async def scenario():
        app = xor_app(settings=TrainingConfig(seed=0, batch_size=2))
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("s", "s", "s")
            assert app.walk is not None
            await pilot.press("plus")
            await pilot.pause()
            assert app.walk is None and "alpha" in app.message
            assert "s explains the new one" in app.message
            await pilot.press("s")
            assert app.walk is not None and app.walk.index == 0
            await pilot.press("n")  # n ends a walk by updating, as it says: no note
            assert "s explains" not in app.message

    run(scenario())
