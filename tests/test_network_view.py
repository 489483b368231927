"""The network diagram: its size, the numbers it prints, how edges show a weight's sign."""

from __future__ import annotations

import asyncio
import dataclasses
import re

import numpy as np
import pytest
from rich.cells import cell_len
from rich.style import Style
from textual.app import App, ComposeResult

from tui_backprop.app.widgets.formatting import fit
from tui_backprop.app.widgets.network.drawing import draw_network
from tui_backprop.app.widgets.network.view import NetworkView
from tui_backprop.app.widgets.style import NEGATIVE, POSITIVE
from tui_backprop.core.config import TrainingConfig
from tui_backprop.core.problems import make_problem
from tui_backprop.core.session import Session
from tui_backprop.core.spec import NetworkSpec

BRAILLE = re.compile("[\u2800-\u28ff]")


def train(spec: NetworkSpec, X: np.ndarray, Y: np.ndarray, batches: int = 5):
    session = Session(spec, X, Y, TrainingConfig(seed=0))
    session.run_batches(batches)
    return session.snapshot("test")


def random_snapshot(*sizes: int, bias: bool = True):
    rng = np.random.default_rng(1)
    spec = NetworkSpec.build(sizes[0], tuple(sizes[1:-1]), sizes[-1], bias=bias)
    X = rng.normal(size=(6, sizes[0]))
    Y = rng.uniform(0.1, 0.9, size=(6, sizes[-1]))
    return train(spec, X, Y)


@pytest.fixture(scope="module")
def xor():
    p = make_problem("xor")
    return train(NetworkSpec.build(2, (3,), 1), p.X, p.Y)


@pytest.fixture(scope="module")
def big():
    return random_snapshot(64, 128, 64, 10)


def one_to_one(weight: float):
    """A 1-1 network whose only weight is ``weight``."""
    snap = train(NetworkSpec.build(1, (), 1), np.array([[0.0], [1.0]]), np.array([[0.2], [0.8]]))
    return dataclasses.replace(snap, weights=[None, np.array([[weight]])])


def lines_of(text) -> list[str]:
    return text.plain.split("\n")


def edge_columns(text) -> list[str]:
    """For a 1-1 network: each column strictly between the two boxes, its non-blank cells
    joined (legend row excluded)."""
    rows = lines_of(text)[:-1]
    box = [r for r in rows if "│ x" in r][0]
    start = box.index("│ x") + box[box.index("│ x") + 1 :].index("│") + 2
    end = [r for r in rows if "│ a" in r][0].index("│ a")
    return ["".join(r[x] for r in rows if r[x] != " ") for x in range(start, end)]


def dots(columns: list[str]) -> int:
    return sum(bin(ord(ch) - 0x2800).count("1") for col in columns for ch in col)


def braille_styles(text) -> list[Style]:
    """The style of every braille cell above the legend row."""
    plain = text.plain
    limit = plain.rindex("\n")
    styles = []
    for span in text.spans:
        if span.start < limit and BRAILLE.search(plain[span.start : min(span.end, limit)]):
            styles.append(Style.parse(span.style) if isinstance(span.style, str) else span.style)
    return styles


def color_of(style: Style) -> str | None:
    return style.color.triplet.hex if style.color and style.color.triplet else style.color.name


@pytest.mark.parametrize(
    "size", [(80, 12), (100, 20), (160, 40), (5, 2), (1, 1), (30, 3), (200, 7), (12, 60)]
)
@pytest.mark.parametrize("net", ["xor", "big"])
def test_exact_height_and_width(size, net, request):
    width, height = size
    text = draw_network(request.getfixturevalue(net), width, height)
    lines = lines_of(text)
    assert len(lines) == height
    assert max(cell_len(line) for line in lines) <= width


def test_box_numbers_are_the_snapshots(xor):
    text = draw_network(xor, 100, 20)
    plain = text.plain
    assert "╭─b" in plain  # the 4-row box form
    for j, x in enumerate(xor.a[0]):
        assert f"x{x: .3f}" in plain, j
    for m in (1, 2):
        for j in range(xor.spec.sizes[m]):
            assert f"a{xor.a[m][j]: .3f}" in plain
            assert f"δ{xor.delta[m][j]:+.3f}" in plain
            assert f"b{xor.biases[m][j]:+.3f}" in plain


def test_compact_numbers_are_the_snapshots(xor):
    def compact(v: float, sign: str) -> str:
        text = f"{v:{sign}.3f}"
        return text[0] + text[2:] if text[1:3] == "0." else text

    plain = draw_network(xor, 60, 10).plain
    assert "╭" not in plain  # no boxes at this size
    for m in (1, 2):
        for j in range(xor.spec.sizes[m]):
            assert "a" + compact(xor.a[m][j], " ") in plain
            assert "δ" + compact(xor.delta[m][j], "+") in plain


def test_edges_join_the_boxes(xor):
    for size in ((100, 20), (60, 10), (40, 6)):
        assert len(BRAILLE.findall("\n".join(lines_of(draw_network(xor, *size))[:-1]))) > 20


@pytest.mark.parametrize("magnitude", [0.1, 1.0, 3.0])
def test_sign_reads_without_colour(magnitude):
    pos = edge_columns(draw_network(one_to_one(magnitude), 60, 12))
    neg = edge_columns(draw_network(one_to_one(-magnitude), 60, 12))
    assert len(pos) == len(neg) > 10
    assert all(pos), "a positive edge is a solid line"
    assert sum(1 for col in neg if not col) >= len(neg) // 6, "a negative edge has gaps"
    assert dots(neg) < 0.8 * dots(pos)


def test_large_weights_are_thicker():
    thin = edge_columns(draw_network(one_to_one(1.0), 60, 12))
    thick = edge_columns(draw_network(one_to_one(3.0), 60, 12))
    assert dots(thick) > 1.5 * dots(thin)


@pytest.mark.parametrize(
    ("weight", "color", "attr"),
    [
        (3.0, POSITIVE, "bold"),
        (1.0, POSITIVE, None),
        (0.1, POSITIVE, "dim"),
        (-3.0, NEGATIVE, "bold"),
        (-1.0, NEGATIVE, None),
        (-0.1, NEGATIVE, "dim"),
    ],
)
def test_edge_styles_carry_sign_and_size(weight, color, attr):
    styles = braille_styles(draw_network(one_to_one(weight), 60, 12))
    assert styles
    assert {color_of(s) for s in styles} == {color}
    for name in ("bold", "dim"):
        assert all(bool(getattr(s, name)) == (name == attr) for s in styles), name


def test_legend_uses_the_edge_styles(xor):
    text = draw_network(xor, 100, 20)
    legend = lines_of(text)[-1]
    assert "w>0" in legend and "w<0" in legend and "δ delta" in legend and "b bias" in legend
    start = text.plain.rindex("\n") + 1
    colors = {
        text.plain[span.start : span.end]: color_of(span.style)
        for span in text.spans
        if span.start >= start and BRAILLE.search(text.plain[span.start : span.end])
    }
    assert sorted(colors.values()) == sorted([POSITIVE, NEGATIVE])
    solid = next(s for s, c in colors.items() if c == POSITIVE)
    dashed = next(s for s, c in colors.items() if c == NEGATIVE)
    assert " " not in solid and solid != dashed


def test_layers_that_do_not_fit_say_how_many_are_left_out():
    snap = random_snapshot(2, 40, 1)
    text = draw_network(snap, 80, 12)
    found = re.findall(r"\+(\d+) more", text.plain)
    assert len(found) == 1
    hidden_shown = "\n".join(lines_of(text)[:-1]).count("δ") - 1  # minus the output node
    assert hidden_shown >= 3
    assert hidden_shown + int(found[0]) == 40
    # the other layers fit, and the marker still shows on a single-row layout
    assert re.search(r"\+\d+ more", draw_network(snap, 40, 6).plain)
    assert "more" not in draw_network(snap, 80, 100).plain


def test_non_finite_values_do_not_crash(xor):
    nan_list = [None] + [np.full_like(w, np.nan) for w in xor.weights[1:]]
    broken = dataclasses.replace(
        xor,
        weights=nan_list,
        biases=[None] + [np.full_like(b, np.inf) for b in xor.biases[1:]],
        a=[np.full_like(a, np.nan) for a in xor.a],
        delta=[None] + [np.full_like(d, -np.inf) for d in xor.delta[1:]],
    )
    for width, height in ((100, 20), (60, 10), (40, 6), (3, 3)):
        text = draw_network(broken, width, height)
        assert len(lines_of(text)) == height
    plain = draw_network(broken, 100, 20).plain
    assert "nan" in plain and "+inf" in plain and "-inf" in plain


def test_numbers_too_wide_still_fit():
    for value in (123456.789, -9.87e12, 1e300, -1e300, 0.0004, -0.0004):
        for width in (5, 6):
            assert len(fit(value, width, "+")) == width
    assert fit(123.4567, 6) == " 123.5"
    assert fit(float("nan"), 6) == "   nan"


def test_no_bias_network_shows_no_b():
    plain = draw_network(random_snapshot(2, 3, 1, bias=False), 100, 20).plain
    assert "╭" in plain
    assert not re.search(r"b[+-]", plain) and "b bias" not in plain
    assert re.search(r"b[+-]\d", draw_network(random_snapshot(2, 3, 1), 100, 20).plain)


def test_big_network_draws(big):
    for width, height in ((160, 40), (100, 20), (60, 8)):
        text = draw_network(big, width, height)
        assert len(lines_of(text)) == height
        assert re.search(r"\+\d+ more", text.plain)


def test_highlight_reverses_the_node(xor):
    def reversed_text(text) -> str:
        return "".join(text.plain[s.start : s.end] for s in text.spans if s.style.reverse)

    assert reversed_text(draw_network(xor, 100, 20)) == ""
    marked = reversed_text(draw_network(xor, 100, 20, highlight=(1, 2)))
    assert f"a{xor.a[1][2]: .3f}" in marked and f"a{xor.a[1][0]: .3f}" not in marked
    assert reversed_text(draw_network(xor, 100, 20, highlight=(1, 7))) == ""


def test_too_small_says_so(xor):
    assert "room" in draw_network(xor, 20, 3).plain  # three columns need 26 cells
    assert draw_network(xor, 1, 1).plain in (" ", "…")


def test_widget_renders_a_snapshot(xor):
    class Demo(App):
        def compose(self) -> ComposeResult:
            yield NetworkView()

    async def run() -> tuple[str, str, tuple[int, int]]:
        app = Demo()
        async with app.run_test(size=(100, 20)) as pilot:
            view = app.query_one(NetworkView)
            before = view.render().plain
            view.show(xor)
            await pilot.pause()
            return before, view.render().plain, (view.size.width, view.size.height)

    before, after, size = asyncio.run(run())
    assert "a " not in before
    assert size == (100, 20)
    assert f"a{xor.a[2][0]: .3f}" in after
    assert len(after.split("\n")) == 20


@pytest.mark.parametrize("size", [(60, 16), (140, 30)])
def test_the_selected_weight_is_reversed_so_it_shows_without_colour(xor, size):
    """The cursor on a weight reverses that edge's cells (as a selected node's box is),
    and only its: under NO_COLOR the focus colour is gone but the reversal is not."""
    from tui_backprop.teach.walk import Selection

    def reversed_cells(focus) -> list[str]:
        text = draw_network(xor, *size, focus=focus)
        cells = []
        for span in text.spans:
            style = span.style if isinstance(span.style, Style) else Style.parse(span.style)
            if style.reverse:
                cells += text.plain[span.start : span.end]
        return cells

    assert reversed_cells(Selection(2, 0, None).focus())  # a node: its box
    before = reversed_cells(None)
    assert before == []
    for k in range(3):
        cells = reversed_cells(Selection(2, 0, k).focus())
        assert len(cells) >= 3  # a line's worth of cells
        assert all("\u2800" <= c <= "\u28ff" or c == " " for c in cells)  # edge, no box


def test_a_cursor_past_the_nodes_shown_brings_its_node_on_screen():
    """In a layer too long to show, the selected node (or a selected weight's ends) is
    drawn, the column showing the nodes that end with it and saying which they are."""
    from tui_backprop.teach.walk import Selection

    snap = random_snapshot(2, 64, 1)
    plain = draw_network(snap, 80, 20).plain
    assert "more" in plain and "of 64" not in plain  # the first nodes, "+N more"

    def reversed_text(text) -> str:
        return "".join(text.plain[s.start : s.end] for s in text.spans if s.style.reverse)

    for j in (7, 40, 63):
        text = draw_network(snap, 80, 20, focus=Selection(1, j, None).focus())
        assert f"{snap.a[1][j]:.3f}".lstrip("0") in reversed_text(text)
        assert re.search(rf"\d+–{j + 1} of 64", text.plain)
    text = draw_network(snap, 80, 20, focus=Selection(2, 0, 40).focus())  # W²₁,₄₁
    assert re.search(r"\d+–41 of 64", text.plain) and reversed_text(text)


@pytest.mark.parametrize("width", [30, 38, 60])
def test_the_legend_keeps_the_sign_patterns_first_at_any_width(xor, width):
    """Without colour the line patterns alone tell an edge's sign: the legend names them
    first, even once an example's values and a saturated node claim their items."""
    from tui_backprop.app.widgets.network.drawing import _legend

    assert xor.example is not None
    pieces = _legend(xor, width, flagged=True)
    text = "".join(t for t, _ in pieces)
    assert text.index(" w>0") < text.index(" w<0") < 20


def test_a_narrow_legend_still_says_its_a_and_delta_are_before_the_update(xor):
    """After an update the nodes' a and δ are the ones before it: a legend too narrow
    for "a δ before update" beside the line patterns (the panel at 80 columns) says it
    shorter rather than drop it and everything after it."""
    from tui_backprop.app.widgets.network.drawing import _legend

    assert xor.example is not None
    for width in (34, 36):
        text = "".join(t for t, _ in _legend(xor, width))
        assert "a δ pre-update" in text, (width, text)
    assert "a δ before update" in "".join(t for t, _ in _legend(xor, 60))


def test_the_legend_names_only_what_the_nodes_draw(xor):
    """Boxes draw b, a and δ; the compact form a and δ; a single row a alone: the legend
    names no label the nodes in view do not carry."""
    from tui_backprop.app.widgets.network.drawing import _legend
    from tui_backprop.app.widgets.network.layout import COMPACT, FULL, ROW

    def named(form) -> str:
        return "".join(t for t, _ in _legend(xor, 400, form=form))

    assert " bias" in named(FULL) and "δ delta" in named(FULL) and "a δ before" in named(FULL)
    assert " bias" not in named(COMPACT) and "δ delta" in named(COMPACT)
    assert "δ" not in named(ROW) and " bias" not in named(ROW)
    assert named(ROW).count("a ") == 1 and "a activation, before update" in named(ROW)


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
def test_a_value_the_walk_has_not_reached_is_marked_and_the_legend_says_why(size):
    """In phase 1 (layer 1's forward pass) the output's a is not computed yet: its node
    shows the mark a later phase fills, not a bare "a", and the legend names the mark;
    the next phase (the output's forward pass) shows the number it computes."""
    from tests.test_app import xor_app
    from tests.test_lecture_layout import rendered
    from tui_backprop.app.widgets.network.drawing import NOT_YET

    async def scenario() -> tuple[str, str, float, str]:
        app = xor_app()
        async with app.run_test(size=size) as pilot:
            await pilot.press("s")
            assert app.walk is not None and app.walk.phase.kind == "forward"
            first = rendered(app, NetworkView)
            await pilot.press("s")
            output = float(np.asarray(app.walk.phase.values["a"]).ravel()[0])
            return first, rendered(app, NetworkView), output, app.walk.phase.title

    first, second, output, title = asyncio.run(scenario())
    assert title.startswith("forward, layer 2")
    lines = first.split("\n")
    assert re.search(rf"a +{NOT_YET}", first), first  # the output's a, not known yet
    assert f"{NOT_YET} in a later phase" in lines[-1], lines[-1]
    # After it every a is known: the mark stays only where the nodes show δ, still to come.
    deltas = "δ" in first
    assert (f"{NOT_YET} in a later phase" in second.split("\n")[-1]) == deltas
    shown = [float(v) for v in re.findall(r"a +(-?\d*\.\d+)", second)]
    assert any(abs(v - output) < 0.001 for v in shown), (output, second)
