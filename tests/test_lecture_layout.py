"""Labels and layouts that hold: before / after update labelled, one notation (W²₁₁), the
explain panel saying what follows, the notes floating where the panels need their room,
the weights and examples paging, a resize redrawn at once, scenes guarded when too small."""

from __future__ import annotations

import asyncio
import re
from itertools import pairwise

import numpy as np
import pytest
from textual.app import App
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Static

from tests.test_app import xor_app
from tests.test_scenes import lesson_app
from tui_backprop.app.screens.help import HelpScreen, help_text
from tui_backprop.app.widgets.examples import ExamplesView
from tui_backprop.app.widgets.explain_panel import ExplainPanel
from tui_backprop.app.widgets.formatting import screen_notation, signed, weight_name
from tui_backprop.app.widgets.network.view import NetworkView
from tui_backprop.app.widgets.notes import NotesPanel
from tui_backprop.app.widgets.status import StatusLine
from tui_backprop.app.widgets.weights import WeightsView
from tui_backprop.core.arrays import layer_arrays
from tui_backprop.core.config import TrainingConfig
from tui_backprop.core.problem import REGRESSION, Problem
from tui_backprop.core.spec import NetworkSpec

PLAIN_INDEX = re.compile(r"W\^\d|W\d\[|delta\^\d")


def run(coro):
    return asyncio.run(coro)


def rendered(app, widget) -> str:
    return str(app.query_one(widget).render())


def on_screen(app) -> list[str]:
    """The screen's characters, line by line, as the terminal shows them."""
    return [
        "".join(segment.text for segment in strip)
        for strip in app.screen._compositor.render_strips()
    ]


# -- labels -------------------------------------------------------------------------------
def test_before_and_after_the_update_are_labelled():
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            assert "before update" not in rendered(app, NetworkView)  # nothing trained yet
            assert "after update" not in rendered(app, ExamplesView)
            await pilot.press("n")
            await pilot.pause()
            assert "before update" in rendered(app, NetworkView)
            table = rendered(app, ExamplesView).splitlines()
            assert "after update" in table[0]
            # The label stands over the output and cost columns.
            assert table[0].index("after update") >= table[1].index("output") - 2

    run(scenario())


def test_notation_is_w_superscript_subscript():
    assert weight_name(2, 1, 1) == "W²₁₁"
    assert screen_notation("dC/dW^2_ij = delta^2_i a^1_j") == "dC/dW²ᵢⱼ = delta²ᵢ a¹ⱼ"
    assert screen_notation("e^-(x), a^{m-1}") == "e^-(x), a^{m-1}"  # left alone
    # a power is written one way, after a bracket or a number alike
    assert screen_notation("(-0.05867)^2 + 0.06894^2") == "(-0.05867)² + 0.06894²"

    async def scenario():
        app = xor_app(settings=TrainingConfig(seed=0, momentum=0.9))
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("n", "right", "right")  # the weight W²₁₁
            await pilot.pause()
            text = app.query_one(ExplainPanel).text
            assert text.startswith("W²₁₁") and not PLAIN_INDEX.search(text)
            await pilot.press("escape", "s")  # the phase walk: formulas with indices
            await pilot.pause()
            for _ in range(6):
                text = app.query_one(ExplainPanel).text
                assert not PLAIN_INDEX.search(text), text
                await pilot.press("s")

    run(scenario())


def test_help_writes_indices_as_on_screen():
    class Keys(Screen):
        BINDINGS = [Binding("x", "nudge", "nudge", tooltip="nudge W^2_11 by 0.1")]

        def action_nudge(self) -> None:
            pass

    class HelpApp(App):
        def on_mount(self) -> None:
            self.push_screen(Keys())

    async def scenario():
        app = HelpApp()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.push_screen(HelpScreen(app.screen))
            await pilot.pause()
            text = str(app.screen.query_one(Static).render())
            assert "nudge W²₁₁ by 0.1" in text and not PLAIN_INDEX.search(text)

    run(scenario())


def test_help_wraps_each_keys_words_under_their_first_line():
    rows = [("n", "one update"), ("arrows, tab", "select a node or weight: " + "its z, a " * 6)]
    lines = help_text(rows, 40).plain.splitlines()
    assert lines[0] == "n            one update"
    assert lines[1].startswith("arrows, tab  select a node")
    assert len(lines) > 3 and all(line.startswith(" " * 13) for line in lines[2:])
    assert max(len(line) for line in lines) <= 40

    async def scenario():
        app = xor_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("question_mark")
            await pilot.pause()
            screen = on_screen(app)
            # b's words take two lines at 80 columns; the second starts under the first.
            at = next(i for i, line in enumerate(screen) if "back one update" in line)
            column = screen[at].index("back one update")
            follow = screen[at + 1]
            assert follow[column - 2 : column] == "  " and follow[column] not in " │"

    run(scenario())


def test_a_long_status_message_shows_whole_on_the_first_line_then_ends_the_second(
    monkeypatch,
):
    from tui_backprop.app.widgets import status

    async def scenario():
        app = xor_app()
        async with app.run_test(size=(80, 24)) as pilot:
            # 71 characters: too long for the second line's end, not for a line of its own
            message = "seed 165: e or space trains it to epoch 2000, the run the lecture shows"
            app.message = message
            app.draw(app.runner.latest(), force=True)
            await pilot.pause()
            lines = on_screen(app)
            at = next(i for i, line in enumerate(lines) if "PAUSED" in line)
            assert lines[at - 1].strip() == message  # whole, in the setup line's place
            assert lines[at].rstrip().endswith("speed 50/frame")
            app.query_one(StatusLine).message_to_the_end()  # its seconds are up
            await pilot.pause()
            lines = on_screen(app)
            assert lines[at - 1].strip().startswith("xor 2-3-1 sigmoid/sigmoid mse")
            # Then it ends the second line in the speed's place, cut after a whole word.
            second = lines[at].rstrip(" │")
            assert second.endswith("…") and "speed" not in second
            kept = second[second.index("seed 165") : -1]
            assert message.startswith(kept) and message[len(kept)] in " ,", kept
            assert len(second) >= 70  # the speed's room taken too: the line is full
            # Longer than a whole line: over both lines, every word of it, for its seconds.
            longer = message + ", from the seed it has now"
            app.message = longer
            app.draw(app.runner.latest(), force=True)
            await pilot.pause()
            first, second = (line.strip(" │") for line in on_screen(app)[at - 1 : at + 1])
            assert first.startswith("seed 165") and "PAUSED" not in second
            assert f"{first} {second}".split() == longer.split()
            # Longer than both: cut at the second's end, with an ellipsis.
            app.message = message + " and more" * 10
            app.draw(app.runner.latest(), force=True)
            await pilot.pause()
            first, second = (line.rstrip(" │") for line in on_screen(app)[at - 1 : at + 1])
            assert first.startswith(" seed 165") and not first.endswith("…")
            assert second.startswith("  ") and second.endswith("…") and "more" in second
            app.query_one(StatusLine).message_to_the_end()
            await pilot.pause()
            assert on_screen(app)[at].lstrip().startswith("PAUSED")  # the progress is back
            # Its seconds run out by themselves (here a hundredth).
            monkeypatch.setattr(status, "WHOLE_SECONDS", 0.01)
            app.message = message
            app.draw(app.runner.latest(), force=True)
            for _ in range(1000):  # polls for up to ten seconds
                await pilot.pause(0.01)
                if "xor 2-3-1" in on_screen(app)[at - 1]:
                    break
            assert "xor 2-3-1" in on_screen(app)[at - 1]

    run(scenario())


def test_the_explain_panel_says_how_many_lines_follow():
    async def scenario():
        app = xor_app(problem="circle", spec=NetworkSpec.build(2, (16, 16), 1))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("s", "s")  # forward, layer 2: 16 nodes, 32 lines
            await pilot.pause()
            panel = app.query_one(ExplainPanel)
            below = panel.lines_below
            assert below > 0
            assert f"… {below} more lines (pgdn)" == panel.border_subtitle
            assert any(f"{below} more lines" in line for line in on_screen(app))
            assert panel.scrollbar_size_vertical == 0  # no bare scroll bar
            await pilot.press("pagedown")
            await pilot.pause()
            assert "above (pgup)" in panel.border_subtitle
            assert panel.lines_below < below

    run(scenario())


# -- layouts ------------------------------------------------------------------------------
NUMBER_CUT = re.compile(r"[+-]?\d*\.…|[+-]\d+\.?…")


@pytest.mark.parametrize("size", [(100, 30), (120, 36)])
def test_notes_float_over_the_panels_where_they_need_the_room(size):
    async def scenario():
        app = lesson_app("xor-231")
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            notes = app.query_one(NotesPanel)
            if not notes.has_class("-shown"):
                await pilot.press("t")
                await pilot.pause()
            assert notes.display and not notes.beside
            weights, examples = app.query_one(WeightsView), app.query_one(ExamplesView)
            # The panels keep the width they have without the notes.
            assert weights.size.width >= 30 and examples.size.width >= 30
            for widget in (weights, examples):
                for line in str(widget.render()).splitlines():
                    assert not NUMBER_CUT.search(line), line
            # The notes cover the right-hand column whole (no half-covered numbers), and
            # leave the status line free.
            assert notes.region.x <= weights.region.x
            assert notes.region.bottom <= app.query_one(StatusLine).region.y
            assert all("PAUSED" in line for line in on_screen(app) if " PAUSED " in line)

    run(scenario())


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (101, 31), (120, 40), (133, 40)])
def test_floating_notes_cover_the_right_hand_panels_exactly(size):
    """At 80x24 the compact layout's right-hand column is half the width: notes of 2 in 5
    left a 6-column sliver of the loss chart beside them. Now every panel is either left
    of the notes or under them whole, in the compact and the full layout."""

    async def scenario():
        app = lesson_app("xor-231")
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            notes = app.query_one(NotesPanel)
            if not notes.has_class("-shown"):
                await pilot.press("t")
                await pilot.pause()
            assert notes.display and not notes.beside
            left = notes.region.x
            assert notes.region.right == size[0]
            panels = [panel for panel in app.query(".panel") if panel.region.width]
            covered = [panel for panel in panels if panel.region.x >= left]
            assert covered, panels
            for panel in panels:
                assert panel.region.right <= left or panel.region.x == left, (panel, left)
            # on screen: the left panel's corner, then the notes' at once
            top = on_screen(app)[0]
            assert top[left - 1 : left + 3] == "╮╭─ ", top

    run(scenario())


@pytest.mark.parametrize("name", ["neuron", "not", "xor-231", "xor-221"])
def test_the_examples_title_is_whole_beside_the_notes(name):
    """At 160x45 with the notes beside, the examples panel is 51 columns wide: its title,
    47 characters, was cut ("outputs after upda…")."""

    async def scenario():
        app = lesson_app(name)
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            assert app.query_one(NotesPanel).beside
            examples = app.query_one(ExamplesView)
            region = examples.region
            top = on_screen(app)[region.y][region.x : region.right]
            assert "…" not in top and str(examples.border_title) in top, top
            assert str(examples.border_title).startswith("examples")

    run(scenario())


@pytest.mark.parametrize("batch_size", [1, 4])
def test_the_examples_title_fits_its_width_whole(batch_size):
    """The longest title the border shows whole, at any width; ▶ named only where the
    table marks an example (not in full batch)."""
    from tui_backprop.app.widgets.examples import FULL_BATCH_TITLES, TITLES

    async def scenario():
        app = xor_app(settings=TrainingConfig(seed=0, batch_size=batch_size))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("n")
            for width in range(100, 170, 3):
                await pilot.resize_terminal(width, 36)
                await pilot.pause()
                examples = app.query_one(ExamplesView)
                region = examples.region
                top = on_screen(app)[region.y][region.x : region.right]
                title = str(examples.border_title)
                assert "…" not in top and f"─ {title} ─" in top, top
                assert ("▶" in title) == (batch_size == 1) or title == "examples"
                titles = TITLES if batch_size == 1 else FULL_BATCH_TITLES
                assert title in titles
                longer = [t for t in titles if len(t) > len(title)]
                assert all(len(t) > region.width - 6 for t in longer), (title, width)

    run(scenario())


def test_notes_sit_beside_the_panels_on_a_wide_screen():
    async def scenario():
        app = lesson_app("xor-231")
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            notes = app.query_one(NotesPanel)
            assert notes.display and notes.beside
            assert app.query_one("#main").region.right <= notes.region.x

    run(scenario())


def test_the_weights_panel_uses_its_width_and_pages():
    async def scenario():
        app = xor_app(spec=NetworkSpec.build(2, (32, 32), 1))
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            weights = app.query_one(WeightsView)
            text = str(weights.render()).splitlines()
            # W¹ (32×2) is too tall for the panel, so it flows into groups side by side:
            # the width is used. Each group after the first names the matrix and its rows,
            # which run on in order from group to group.
            assert text[0].count("W¹") >= 2
            assert text[0].lstrip().startswith("W¹ 32×2")
            groups = [(int(a), int(b)) for a, b in re.findall(r"W¹ rows (\d+)–(\d+)", text[0])]
            assert groups and groups[0][0] > 1 and groups[-1][1] == 32
            assert all(first == last + 1 for (_, last), (first, _) in pairwise(groups))
            assert max(len(line) for line in text) > weights.size.width - 12
            above, below = weights.more
            assert above == 0 and below > 0
            assert weights.border_subtitle.startswith("lines 1–")
            weights.page(1)
            await pilot.pause()
            assert weights.more[0] > 0
            assert "W²" in str(weights.render())
            while weights.more[1]:
                weights.page(1)
            assert "W³" in str(weights.render())

    run(scenario())


def test_a_matrix_that_fits_the_panels_height_is_not_split():
    """At 160x45 the panel is wide enough for two groups of W¹ (3×2) side by side, but tall
    enough for its three rows one under another: it shows one matrix, rows in order, each
    row on a line of its own, not rows 1–2 with row 3 beside row 1."""

    async def scenario():
        app = xor_app()
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            weights = app.query_one(WeightsView)
            text = str(weights.render()).splitlines()
            assert weights.more == (0, 0)
            assert sum(line.count("W¹") for line in text) == 1
            row_lines = []
            for row in layer_arrays(app.runner.latest().weights)[1]:
                cells = " ".join(f"{signed(x):>7}" for x in row)
                [line] = [i for i, shown in enumerate(text) if cells in shown]
                assert text[line].count("│") == 1  # W¹'s row and b¹'s entry, nothing beside
                row_lines.append(line)
            assert row_lines == sorted(row_lines)

    run(scenario())


@pytest.mark.parametrize("height", [6, 9, 14, 23])
def test_every_weights_page_starts_with_its_matrix_header_and_the_pages_cover_every_line(height):
    """Paged with ] from the top, each page opens with a matrix's header ("W² 16×16 cols
    1–5", repeated when the page starts inside the matrix), starts at a row's values,
    ends at a row's changes (never with values whose changes are on the next page), and
    the pages together show every line, the last one included."""
    from tests.test_network_view import random_snapshot
    from tui_backprop.app.widgets.weights import _place, page_step, weights_lines, weights_text

    snap = random_snapshot(2, 16, 16, 1)
    seen: set[int] = set()
    first = 0
    for _ in range(100):  # a page moves on by at least one line: fewer pages than lines
        text, shown, total = weights_text(snap, width=60, height=height, first=first)
        lines = text.plain.splitlines()
        assert re.match(r"W[¹²³]", lines[0]), lines[0]
        index = _place(weights_lines(snap, 60, height)[0], shown.start)[1]
        assert index == 0 or index % 2 == 1, "a page starts at a header or a row's values"
        end = _place(weights_lines(snap, 60, height)[0], shown.stop - 1)[1]
        assert shown.stop == total or (end > 0 and end % 2 == 0), "it ends at a row's changes"
        assert len(lines) <= height  # the header, the rows and the legend fit
        seen.update(shown)
        if shown.stop == total:
            break
        first = shown.start + page_step(shown)  # as WeightsView.page(1) moves
    else:
        raise AssertionError("paging never reached the last line")
    assert seen == set(range(total))


@pytest.mark.parametrize(
    "sizes, width, height",
    [
        ((2, 16, 16, 1), 60, 9),
        ((2, 16, 16, 1), 34, 9),  # W² paged sideways too: "W² rows 10–15 cols 1–2"
        ((2, 32, 1), 120, 9),
        ((2, 3, 1), 60, 5),
        ((2, 24, 1), 60, 23),
    ],
)
def test_a_page_inside_a_matrix_says_which_of_its_rows_it_shows(sizes, width, height):
    """Paged with ] from the top, a page that starts inside W^m repeats its header with the
    rows it shows ("W¹ rows 4–7", per group when its rows are flowed side by side, "b¹ rows
    4–7" after a single group): the rows named are exactly those whose values are on the
    page."""
    from tests.test_network_view import random_snapshot
    from tui_backprop.app.widgets.weights import _place, page_step, weights_lines, weights_text

    snap = random_snapshot(*sizes)
    W = layer_arrays(snap.weights)
    first, repeated = 0, 0
    for _ in range(100):
        text, shown, total = weights_text(snap, width=width, height=height, first=first)
        lines = text.plain.splitlines()
        layer, index = _place(weights_lines(snap, width, height)[0], shown.start)
        if index > 0:
            repeated += 1
            named: set[int] = set()
            # "W¹ rows 4–7", or with the columns where the block is narrow "W² 2–5 cols 1–2"
            for a, b in re.findall(r"(?:rows? |W[¹²³] )(\d+)(?:–(\d+))?", lines[0]):
                named.update(range(int(a), int(b or a) + 1))
            # A row's shown weights and its bias (one weight alone, where the panel is
            # narrow, may stand in another row too).
            columns, b = layer.shown_cols, layer_arrays(snap.biases)[layer.m]
            cells = [
                (" ".join(f"{signed(x):>7}" for x in row[:columns]), f"│ {signed(b[i]):>7}")
                for i, row in enumerate(W[layer.m])
            ]
            on_page = {
                i + 1
                for i, (row, bias) in enumerate(cells)
                for line in lines[1:]
                if row in line and bias in line
            }
            assert named == on_page, (lines[0], sorted(on_page))
            assert len(lines[0]) <= width, lines[0]  # whole in the panel, not cut
            # Its "│" before b stands over the rows' (a space before it).
            bars = [i for i, char in enumerate(lines[0]) if char == "│"]
            assert bars and all(lines[0][i - 1] == " " for i in bars), lines[0]
            assert bars[0] == lines[1].index("│"), (lines[0], lines[1])
        if shown.stop == total:
            break
        first = shown.start + page_step(shown)  # as WeightsView.page(1) moves
    assert repeated


@pytest.mark.parametrize("sizes", [(1, 24, 1), (2, 32, 1), (2, 3, 1)])
def test_a_flowed_matrix_keeps_its_columns_under_its_headers(sizes):
    """However long the header of a continued group ("W¹ rows 13–24"), each group's
    "│" before b stands in the same column on every line, with a space before it."""
    from tests.test_network_view import random_snapshot
    from tui_backprop.app.widgets.weights import weights_text

    text, _, _ = weights_text(random_snapshot(*sizes), width=60, height=23)
    lines = text.plain.splitlines()
    header = lines[0]
    bars = [i for i, char in enumerate(header) if char == "│"]
    assert all(header[i - 1] == " " for i in bars)
    rows = lines[1 : 1 + 2 * sizes[1]]
    for line in rows:
        if line.startswith("W"):  # the next matrix
            break
        line_bars = [i for i, char in enumerate(line) if char == "│"]
        assert line_bars == bars[: len(line_bars)], line


def test_the_bottom_borders_say_which_lines_the_panels_show():
    """The subtitle worked out when a panel first renders at its size (the lines that fit)
    reaches the screen: not one from before the layout, when the size was not known."""

    async def scenario():
        problem = "circle"  # 100 examples: the table is paged too
        spec = NetworkSpec.build(2, (32, 32), 1)
        app = xor_app(problem=problem, spec=spec)
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            screen = on_screen(app)
            weights, examples = app.query_one(WeightsView), app.query_one(ExamplesView)
            shown = len(str(weights.render()).splitlines()) - 1  # the legend is the last
            assert weights.border_subtitle.startswith(f"lines 1–{shown} of ")
            rows = len(str(examples.render()).splitlines()) - 1  # under the header
            assert examples.border_subtitle.startswith(f"1–{rows} of ")
            for panel in (weights, examples):
                bottom = screen[panel.region.bottom - 1][panel.region.x : panel.region.right]
                assert f" {panel.border_subtitle} " in bottom

    run(scenario())


def test_the_examples_table_pages_and_keeps_output_and_cost_for_many_columns():
    rng = np.random.default_rng(0)
    problem = Problem(
        "wide", rng.normal(size=(40, 5)), rng.uniform(size=(40, 3)), REGRESSION, "5 in, 3 out"
    )

    async def scenario():
        from tui_backprop.app.app import BackpropApp
        from tui_backprop.app.config import AppConfig
        from tui_backprop.core.config import AppOptions

        app = BackpropApp(
            AppConfig(
                problem=problem,
                spec=NetworkSpec.build(5, (4,), 3),
                settings=TrainingConfig(seed=0),
                options=AppOptions(),
                step_mode=True,
            )
        )
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("n")
            await pilot.pause()
            examples = app.query_one(ExamplesView)
            header = [line for line in str(examples.render()).splitlines() if "#" in line][0]
            assert "output" in header and "cost" in header
            assert examples.more[1] > 0
            first = examples.shown.start
            examples.page(1)
            await pilot.pause()
            assert examples.shown.start > first
            await pilot.press("n")  # paged: the window stays
            await pilot.pause()
            assert examples.shown.start > first

    run(scenario())


def test_a_resize_redraws_the_examples_at_once():
    async def scenario():
        app = xor_app(problem="circle")
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            examples = app.query_one(ExamplesView)
            rows_before = len(str(examples.render()).splitlines())
            await pilot.resize_terminal(120, 45)
            await pilot.pause()
            await pilot.pause()
            rows_after = len(str(examples.render()).splitlines())
            assert rows_after > rows_before
            assert rows_after == examples.content_size.height

    run(scenario())


@pytest.mark.parametrize("name", ["descent", "landscape", "restarts"])
def test_scenes_have_a_too_small_guard(name):
    async def scenario():
        app = lesson_app(name)
        async with app.run_test(size=(40, 12)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert screen.has_class("-too-small")
            assert "too small" in str(screen.query_one("#scene-too-small").render())
            await pilot.resize_terminal(100, 30)
            await pilot.pause()
            assert not screen.has_class("-too-small")
            assert not screen.query_one("#scene-too-small").display

    run(scenario())


def test_a_scene_keeps_its_notes_beside_from_80_columns_left_and_floats_them_below():
    async def scenario():
        app = lesson_app("descent")
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            notes = app.screen.query_one(NotesPanel)
            assert notes.display and notes.beside
            plot = app.screen.query_one("#descent-plot")
            side = app.screen.query_one(Horizontal)
            assert side.region.right <= notes.region.x
            await pilot.resize_terminal(100, 30)
            await pilot.pause()
            assert notes.display and not notes.beside
            assert side.size.width == 100
            assert plot.size.width > 40

    run(scenario())


def test_a_full_batch_update_marks_no_single_example():
    async def scenario():
        app = xor_app(settings=TrainingConfig(seed=0, batch_size=4))
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("n")
            await pilot.pause()
            table = rendered(app, ExamplesView)
            assert "▶" not in table and "after full-batch update" in table

    run(scenario())


def test_the_weights_panel_pages_sideways_through_wide_matrices():
    async def scenario():
        app = xor_app(spec=NetworkSpec.build(2, (32, 32), 1))
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            weights = app.query_one(WeightsView)
            while "W²" not in str(weights.render()):
                weights.page(1)
            text = str(weights.render())
            assert "cols 1–" in text and "…+" in text
            weights.page_columns(100)  # as far as there are columns
            await pilot.pause()
            text = str(weights.render())
            assert "–32" in text.split("W²")[1].splitlines()[0]
            snap = app.runner.latest()
            last = float(snap.weights[2][0, 31])
            from tui_backprop.app.widgets.formatting import signed

            assert signed(last) in text
            weights.page_columns(-100)
            assert "cols 1–" in str(weights.render())

    run(scenario())


def test_bracket_keys_page_the_weights_and_the_examples():
    import asyncio

    from tests.test_app import xor_app
    from tui_backprop.app.widgets.examples import ExamplesView
    from tui_backprop.app.widgets.weights import WeightsView
    from tui_backprop.core.problems import make_problem
    from tui_backprop.core.spec import NetworkSpec

    async def scenario() -> None:
        problem = make_problem("gauss")
        spec = NetworkSpec.build(problem.n_inputs, (32, 32), problem.n_outputs)
        app = xor_app(problem="gauss", spec=spec)
        async with app.run_test(size=(160, 45)) as pilot:
            weights, examples = app.query_one(WeightsView), app.query_one(ExamplesView)
            before = (str(weights.render()), str(examples.render()))
            await pilot.press("right_square_bracket")
            assert str(weights.render()) != before[0]
            await pilot.press("left_square_bracket")
            assert str(weights.render()) == before[0]
            await pilot.press("right_curly_bracket")
            assert str(examples.render()) != before[1]
            await pilot.press("left_curly_bracket")
            assert str(examples.render()) == before[1]

    asyncio.run(scenario())


def test_parenthesis_keys_page_the_weights_sideways_and_the_borders_name_the_keys():
    async def scenario():
        app = xor_app(problem="spiral", spec=NetworkSpec.build(2, (16, 16), 1))
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            weights = app.query_one(WeightsView)
            # W² (16 x 16) is too wide for the panel and the panel too short for all lines
            assert "columns ( )" in str(weights.border_subtitle)
            assert ", [ ]" in str(weights.border_subtitle)
            assert ", { }" in str(app.query_one(ExamplesView).border_subtitle)
            await pilot.press("right_square_bracket")  # down to W²
            before = rendered(app, WeightsView)
            # The page starts inside W²: its header repeated, with the rows it shows.
            assert re.search(r"W² rows \d+–\d+ cols 1–", before), before
            await pilot.press("right_parenthesis")
            after = rendered(app, WeightsView)
            assert after != before and " cols 1–" not in after
            assert re.search(r"W² rows \d+–\d+ cols", after), after
            for _ in range(5):
                await pilot.press("right_parenthesis")
            assert "no more columns to the right" in rendered(app, StatusLine)
            assert "–16" in rendered(app, WeightsView).split("W²")[1].splitlines()[0]
            for _ in range(6):
                await pilot.press("left_parenthesis")
            assert rendered(app, WeightsView) == before
            assert "no more columns to the left" in rendered(app, StatusLine)
            await pilot.press("right_parenthesis")  # it moves: the note, now untrue, goes
            assert "no more" not in rendered(app, StatusLine)
            for _ in range(10):
                await pilot.press("right_square_bracket")
            assert "weights: no more lines below" in rendered(app, StatusLine)

    run(scenario())


def test_the_weights_border_names_no_keys_when_everything_shows():
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            assert app.query_one(WeightsView).border_subtitle in ("", None)
            await pilot.press("right_parenthesis")
            assert "no more columns to the right" in rendered(app, StatusLine)

    run(scenario())


def test_the_explain_panel_breaks_a_long_step_under_its_own_indent():
    from rich.text import Text

    from tui_backprop.app.widgets.formatting import HANGING, hanging_text

    line = "  w¹₁₁: d = -0.1*0.03188 + 0.9*0 = -0.003188 -> w¹₁₁ = 0.9704 + (-0.003188) = 0.9672"
    text = Text("heading\n" + line)
    text.stylize("bold", 10, 20)
    out = hanging_text(text, 40)
    rows = out.plain.split("\n")
    assert rows[0] == "heading" and all(len(row) <= 40 for row in rows)
    assert all(row.startswith(" " * (2 + HANGING)) for row in rows[2:])
    assert " ".join(row.strip() for row in rows[1:]) == line.strip()  # every word, in order
    assert [out.plain[span.start : span.end] for span in out.spans] == [text.plain[10:20]]
    whole = Text(line)
    whole.stylize("bold")  # one span over every break: split, each piece still styled
    out = hanging_text(whole, 40)
    assert " ".join(out.plain[span.start : span.end] for span in out.spans) == line
    assert len(out.spans) == len(out.plain.split("\n"))
    labelled = "  why       adding the slope climbs: it is gradient ascent, not descent at all"
    rows = hanging_text(Text(labelled), 50).plain.split("\n")
    assert len(rows) == 2 and rows[1].startswith(" " * 12) and rows[1][12] != " "

    async def scenario():
        app = xor_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(*["s"] * 8)  # phase 8: layer 1's updates, long lines
            await pilot.pause()
            lines = on_screen(app)
            at = next(i for i, line in enumerate(lines) if "w¹₁₁: d =" in line)
            step = lines[at][lines[at].index("w¹₁₁") - 2 :]
            follow = lines[at + 1][lines[at].index("w¹₁₁") - 2 :]
            assert step.startswith("  w¹₁₁") and len(step.rstrip(" │")) > 60
            # The step's arithmetic goes on under its indent (no new parameter's line).
            assert (
                follow.startswith(" " * (2 + HANGING)) and follow.strip(" │")[0] in "=-0123456789"
            )

    run(scenario())


def test_the_selection_panel_follows_a_new_optimizer():
    """O changes the rule (its state from zero): the next update the panel explains is
    the new rule's, at once, not the one before's."""
    from tui_backprop.app.widgets.explain_panel import ExplainPanel

    async def scenario():
        app = xor_app()
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("right", "n")
            await pilot.pause()
            panel = app.query_one(ExplainPanel)
            assert "mu*d_prev" in panel.text and "nesterov" not in panel.text
            await pilot.press("O")
            await pilot.pause()
            assert app.runner.session.rule.optimizer == "nesterov"
            assert "nesterov" in panel.text
            await pilot.press("O")  # adagrad: no velocity, a sum of squares
            await pilot.pause()
            assert "adagrad" in panel.text and "mu*d_prev" not in panel.text

    run(scenario())


def test_lines_fitted_to_a_width_are_fitted_again_when_it_changes():
    """The status line's b hint and a plot's title are chosen for the width: a resize, or
    a panel shown again after the explain panel took its place, fits them again."""
    from tui_backprop.app.widgets.loss_plot import LossPlot

    async def scenario():
        app = xor_app()
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.press("n", "n", "n")
            app.message = ""
            app.draw(app.runner.latest(), force=True)
            await pilot.pause()
            setup = next(line for line in on_screen(app) if "seed 0" in line)
            assert "b back to update 0" in setup
            await pilot.resize_terminal(80, 24)
            await pilot.pause()
            setup = next(line for line in on_screen(app) if "seed 0" in line)
            assert "…" not in setup and setup.rstrip(" │").endswith(("b back to 0", "b back"))
            # the compact layout: the explain panel (b) takes the loss panel's place
            await pilot.press("e", "e", "b")
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
            title = LossPlot.render(app.query_one(LossPlot)).plain.splitlines()[0]
            assert "mean loss per epoch" in title

    run(scenario())

    async def scene():  # the descent's curve, hidden while f shows the surfaces
        from tests.test_scenes import lesson_app

        app = lesson_app("descent")
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.press("f", "f", "f", "f")  # bowl, cap, saddle, the quartic again
            await pilot.pause()  # the whole title: the plot was drawn again at its width
            assert "f(x) = x^4 - 3x^3 + 2   ▪▪ tangent" in on_screen(app)[1]

    run(scene())


def test_a_resize_under_help_gives_the_main_view_the_layout_of_its_new_size():
    """Help open at 160x45, the terminal made 80x24 under it: escape comes back to the
    compact layout (the size's classes went to the help screen on top)."""

    async def scenario():
        app = xor_app()
        async with app.run_test(size=(160, 45)) as pilot:
            main = app.screen
            await pilot.press("question_mark")
            assert app.screen is not main
            await pilot.resize_terminal(80, 24)
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is main and main.has_class("-compact")
            assert not app.query_one(WeightsView).display

    run(scenario())


def test_a_narrow_examples_table_shows_its_inputs_whole():
    """At 100x30 the spiral's two inputs do not fit beside the # column at 2 decimals: the
    table gives up the # column and a decimal rather than cutting them; at 160x45 it keeps
    both."""
    from tui_backprop.app.widgets.formatting import vector

    async def scenario(size, numbered, digits):
        app = xor_app(problem="spiral")
        async with app.run_test(size=size) as pilot:
            await pilot.press("n")
            view = app.query_one(ExamplesView)
            lines = rendered(app, ExamplesView).splitlines()
            header = next(i for i, line in enumerate(lines) if "input" in line)
            assert lines[header].split()[0] == ("#" if numbered else "input")
            assert "…" not in "".join(lines)
            inputs = app.runner.latest().inputs
            start, end = lines[header].index("input"), lines[header].index("target")
            for k, line in zip(view.shown, lines[header + 1 :], strict=True):
                if numbered:
                    assert line[2:start].strip() == str(k + 1)
                # its entries aligned with the other rows': the same numbers, whole
                assert line[start:end].split() == vector(inputs[k], digits).split()
            marked = [line for line in lines if line.startswith("▶")]
            assert len(marked) == 1

    run(scenario((100, 30), numbered=False, digits=1))
    run(scenario((160, 45), numbered=True, digits=2))


def test_the_weights_border_names_both_paging_keys_whole_at_100x30():
    from rich.cells import cell_len

    from tui_backprop.app.widgets.changes import TITLE_MARGIN

    async def scenario():
        app = xor_app(problem="spiral", spec=NetworkSpec.build(2, (16, 16), 1))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            weights = app.query_one(WeightsView)
            subtitle = str(weights.border_subtitle)
            assert cell_len(subtitle) <= weights.outer_size.width - TITLE_MARGIN, subtitle
            assert re.fullmatch(r"lines 1–\d+ of \d+, \[ \] · cols \( \)", subtitle), subtitle

    run(scenario())


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_floating_notes_step_aside_for_the_explain_panel_and_come_back(size):
    """Where the notes float, they would cover the explain panel's lines: s hides them and
    the panel's border says so; escape brings them back. t in between is the user's
    choice, and escape then leaves the notes as t left them."""

    async def scenario():
        app = lesson_app("xor-231")
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            notes, explain = app.query_one(NotesPanel), app.query_one(ExplainPanel)
            if not notes.has_class("-shown"):
                await pilot.press("t")
            assert notes.display and not notes.beside
            await pilot.press("s")
            assert explain.display and not notes.display
            assert "notes hidden" in str(explain.border_title)
            assert "t shows them" in str(explain.border_title)
            await pilot.press("escape")
            assert notes.display and not explain.display
            assert str(explain.border_title) == "explain"
            await pilot.press("s", "t")  # shown over the panel, by hand
            assert notes.display and str(explain.border_title) == "explain"
            await pilot.press("t")
            assert not notes.display
            await pilot.press("escape")
            assert not notes.display  # as t left them

    run(scenario())


def test_notes_beside_the_panels_stay_when_the_explain_panel_opens():
    async def scenario():
        app = lesson_app("xor-231")
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            notes, explain = app.query_one(NotesPanel), app.query_one(ExplainPanel)
            assert notes.display and notes.beside
            await pilot.press("s")
            assert explain.display and notes.display
            assert str(explain.border_title) == "explain"
            assert explain.region.right <= notes.region.x

    run(scenario())


def test_the_examples_page_keys_say_when_there_is_no_more_that_way():
    async def scenario():
        app = xor_app()  # XOR's four examples all show
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.press("right_curly_bracket")
            assert "examples: no more below" in rendered(app, StatusLine)
        app = xor_app(problem="spiral")
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.press("left_curly_bracket")
            assert "examples: no more above" in rendered(app, StatusLine)
            before = rendered(app, ExamplesView)
            await pilot.press("right_curly_bracket")  # it moves: the note, now untrue, goes
            assert rendered(app, ExamplesView) != before
            assert "no more" not in rendered(app, StatusLine)

    run(scenario())


def test_the_too_small_message_shows_whole_over_shown_notes():
    async def scenario():
        app = lesson_app("xor-231")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            notes = app.query_one(NotesPanel)
            if not notes.has_class("-shown"):
                await pilot.press("t")
            await pilot.resize_terminal(70, 20)
            await pilot.pause()
            assert not notes.display
            lines = on_screen(app)
            assert any("terminal too small: 70x20" in line for line in lines), lines
            assert any("q quits)" in line for line in lines), lines
            await pilot.resize_terminal(100, 30)
            await pilot.pause()
            assert notes.display  # still shown, as t left them

    run(scenario())


def test_the_notes_text_keeps_a_space_before_the_scroll_bar():
    """The neuron's notes scroll at 160x45: no word touches the scroll bar's thumb
    ("(1 -▃▃"): the column before the bar is blank on every line."""

    async def scenario():
        app = lesson_app("neuron")
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            notes = app.query_one(NotesPanel)
            assert notes.display and notes.max_scroll_y > 0  # it scrolls: a bar shows
            region = notes.content_region  # the bar's columns included
            bar = region.right - notes.scrollbar_size_vertical
            lines = on_screen(app)[region.y : region.bottom]
            assert all(line[bar - 1] == " " for line in lines), [
                line[region.x : region.right + 2] for line in lines
            ]

    run(scenario())
