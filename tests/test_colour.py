"""Colours that survive lab terminals: the ramps of each colour mode, the shading characters
of 16 colours and NO_COLOR, the output map's contour, plot colours apart from the sign
colours, and every lesson opened under NO_COLOR and in 16 colours."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from rich.color import Color, ColorSystem
from textual import constants

from tests.test_scenes import SHIPPED, lesson_app
from tui_backprop.app.screens.descent import DescentScreen
from tui_backprop.app.widgets.heatmap import Heatmap, heatmap_row, ramp_rgb, shade
from tui_backprop.app.widgets.output_map import (
    HIGH_GLYPH,
    LOW_GLYPH,
    MapCanvas,
    map_rgb,
    map_shade,
    output_map_text,
)
from tui_backprop.app.widgets.style import (
    CONTOUR_GLYPH,
    DARK_PLOTS,
    HEATMAP_256,
    LIGHT_PLOTS,
    MAP_HIGH_256,
    MAP_LOW_256,
    MAP_MIDDLE_256,
    NEGATIVE,
    NONFINITE_GLYPH,
    POSITIVE,
    SHADES,
    app_colour_mode,
    colour_mode,
    luminance,
    plot_colours,
    rgb,
    sign_colours,
    sign_style,
    xterm_rgb,
)
from tui_backprop.core.config import TrainingConfig
from tui_backprop.core.problems import make_problem
from tui_backprop.core.session import Session
from tui_backprop.core.spec import NetworkSpec

MODES = ("truecolor", "256", "16", "mono")
#: The shading characters, empty to full, as the design asks for them.
ORDER = [" ", "░", "▒", "▓", "█"]


def on_terminal(rgb_: tuple[int, int, int], system: ColorSystem) -> int:
    """The colour number a terminal of ``system`` is sent for ``rgb_`` (Rich's rounding)."""
    number = Color.from_rgb(*rgb_).downgrade(system).number
    assert number is not None
    return number


# -- the modes ----------------------------------------------------------------------------


def test_the_colour_mode_follows_the_console_and_no_color():
    assert colour_mode("truecolor") == "truecolor"
    assert colour_mode("256") == "256"
    assert colour_mode("standard") == "16"
    assert colour_mode("windows") == "16"
    assert colour_mode(None) == "mono"
    assert colour_mode("truecolor", no_color=True) == "mono"


# -- 256 colours --------------------------------------------------------------------------


def test_256_colour_ramps_are_cube_colours_the_terminal_shows_as_they_are():
    for number in (*HEATMAP_256, *MAP_LOW_256, *MAP_HIGH_256, MAP_MIDDLE_256):
        assert on_terminal(xterm_rgb(number), ColorSystem.EIGHT_BIT) == number


def test_256_colour_heatmap_ramp_is_monotone_in_luminance():
    steps = [luminance(ramp_rgb(t, "256")) for t in np.linspace(0, 1, 200)]
    assert all(b >= a for a, b in zip(steps, steps[1:], strict=False))
    assert len(set(steps)) == len(HEATMAP_256)


def test_256_colour_output_scale_rises_from_a_dark_middle_on_each_side():
    middle = luminance(map_rgb(0.0, "256"))
    for side, ramp in ((-1, MAP_LOW_256), (1, MAP_HIGH_256)):
        colours = [map_rgb(side * t, "256") for t in np.linspace(0, 1, 100)]
        steps = [luminance(c) for c in colours]
        assert steps[0] == middle
        assert all(b >= a for a, b in zip(steps, steps[1:], strict=False)), side
        # One side's hue only: every colour but the middle is of that side's ramp.
        assert {c for c in colours[1:] if luminance(c) > middle} <= {xterm_rgb(n) for n in ramp}
    # The middle is the darkest colour of the scale: the boundary is a dark band.
    assert middle < min(luminance(xterm_rgb(n)) for n in (*MAP_LOW_256, *MAP_HIGH_256))


# -- 16 colours and mono ------------------------------------------------------------------


def test_shading_characters_run_in_order_from_low_to_high():
    heat = [shade(t) for t in np.linspace(0, 1, 101)]
    assert [c for k, c in enumerate(heat) if k == 0 or c != heat[k - 1]] == ORDER
    output = [map_shade(t) for t in np.linspace(-1, 1, 101)]
    assert [c for k, c in enumerate(output) if k == 0 or c != output[k - 1]] == ORDER
    assert shade(float("nan")) == NONFINITE_GLYPH


@pytest.mark.parametrize("mode", ["16", "mono"])
def test_heatmap_rows_in_16_colours_and_mono_are_shades_one_per_cell(mode):
    t = np.linspace(0, 1, 10)
    row = heatmap_row(t, t, {}, mode)
    assert "".join(s.text for s in row) == "".join(shade(v) for v in t)
    assert all(s.style is not None for s in row)


@pytest.mark.parametrize("mode", ["truecolor", "256"])
def test_heatmap_rows_in_colour_are_half_blocks(mode):
    t = np.linspace(0, 1, 10)
    row = heatmap_row(t, t[::-1], {3: "●"}, mode)
    assert "".join(s.text for s in row) == "▀▀▀●▀▀▀▀▀▀"
    assert all(s.style is not None and s.style.bgcolor is not None for s in row)


# -- the output map -----------------------------------------------------------------------


def boundary_snapshot(where: float = 0.5):
    """XOR's data, a 2-1 sigmoid network whose output crosses 0.5 on the line
    x1 = ``where``."""
    problem = make_problem("xor")
    spec = NetworkSpec.build(2, (), 1)
    weights = [np.array([[40.0, 0.0]])]
    biases = [np.array([-40.0 * where])]
    session = Session(spec, problem.X, problem.Y, TrainingConfig(seed=0), initial=(weights, biases))
    return session.snapshot("xor")


@pytest.mark.parametrize("mode", MODES)
def test_the_contour_glyph_is_drawn_where_the_output_crosses_the_middle(mode):
    width, rows = 24, 8
    for where in (0.5, 0.2):
        lines = output_map_text(boundary_snapshot(where), width, rows + 1, mode).plain
        lines = lines.splitlines()[:rows]
        # The map covers x1 from -0.1 to 1.1: the boundary is at this column's right edge.
        column = int((where + 0.1) / 1.2 * width - 0.5)
        for line in lines:
            contour = [c for c, char in enumerate(line) if char == CONTOUR_GLYPH]
            assert contour == [column], (mode, where, line)


@pytest.mark.parametrize("mode", ["16", "mono"])
def test_output_map_in_16_colours_and_mono_is_shades_glyphs_and_the_contour(mode):
    text = output_map_text(boundary_snapshot(), 50, 9, mode)
    body = "".join(text.plain.splitlines()[:8])
    assert set(body) <= set(SHADES) | {CONTOUR_GLYPH, LOW_GLYPH, HIGH_GLYPH}
    # Low output (left of the boundary) is the lightest shade, high the full block.
    assert body[0] == SHADES[0] and body[-1] == SHADES[-1]
    legend = text.plain.splitlines()[-1]
    assert SHADES in legend


def test_output_map_in_colour_keeps_half_blocks():
    for mode in ("truecolor", "256"):
        body = output_map_text(boundary_snapshot(), 24, 9, mode).plain.splitlines()[0]
        assert "▀" in body and not set(body) & set(SHADES.strip())


# -- plots --------------------------------------------------------------------------------


@pytest.mark.parametrize("plots", [DARK_PLOTS, LIGHT_PLOTS], ids=["dark", "light"])
def test_plot_colours_stay_apart_from_the_sign_colours_in_16_colours(plots):
    signs = {on_terminal(rgb(POSITIVE), ColorSystem.STANDARD)} | {
        on_terminal(rgb(NEGATIVE), ColorSystem.STANDARD)
    }
    curves = [plots.data, plots.function, plots.tangent, plots.mark]
    sixteen = [on_terminal(xterm_rgb(n), ColorSystem.STANDARD) for n in curves]
    assert not set(sixteen) & signs, sixteen
    assert len(set(sixteen)) == len(sixteen)
    # The output curve's data points take the sides' hues (low red, high blue).
    assert on_terminal(xterm_rgb(plots.high), ColorSystem.STANDARD) in (4, 12)
    assert on_terminal(xterm_rgb(plots.low), ColorSystem.STANDARD) in (1, 9)


def test_plot_colours_are_readable_on_a_light_theme():
    from textual.theme import BUILTIN_THEMES

    background = rgb(BUILTIN_THEMES["textual-light"].background.lower())
    assert plot_colours(dark=False) is LIGHT_PLOTS
    for number in (LIGHT_PLOTS.data, LIGHT_PLOTS.function, LIGHT_PLOTS.mark):
        fg = luminance(xterm_rgb(number))
        ratio = (luminance(background) + 0.05) / (fg + 0.05)
        assert ratio >= 3, (number, ratio)


# -- every lesson under NO_COLOR and in 16 colours ----------------------------------------

KEYS = {
    "descent": ["n", "n", "f", "n", "n", "f", "f", "e"],
    "landscape": ["n", "n", "n", "right", "n"],
    "restarts": ["down", "down"],
    "race": ["f", "f", "f", "n", "n", "v"],  # the valley; v: the regime map beside its map
}


@pytest.fixture(params=["mono", "16"])
def forced_mode(request, monkeypatch):
    """The colour system as the terminal would report it: NO_COLOR=1, or 16 colours
    (TEXTUAL_COLOR_SYSTEM=standard, which Textual reads when it is imported)."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    if request.param == "mono":
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.setattr(constants, "COLOR_SYSTEM", "standard")
    return request.param


@pytest.mark.parametrize("name", SHIPPED)
def test_every_lesson_runs_in_16_colours_and_under_no_color(name, forced_mode):
    async def scenario():
        app = lesson_app(name)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app_colour_mode(app) == forced_mode
            for key in KEYS.get(name, ["n", "e", "o", "n", "o"]):
                await pilot.press(key)
                await pilot.pause()
            if isinstance(app.screen, DescentScreen):
                assert app.screen.function != "quartic"  # f showed a surface's heatmap
            for heatmap in app.screen.query(Heatmap):
                drawn = "".join(heatmap.render_line(y).text for y in range(heatmap.size.height))
                assert drawn and "▀" not in drawn
                assert set(SHADES.strip()) & set(drawn)
            if not app.screen.query(Heatmap) and name.startswith("xor"):
                await pilot.press("o")
                await pilot.pause()
                canvas = app.screen.query_one(MapCanvas)
                assert canvas.snapshot is not None
                assert "▀" not in canvas.render().plain

    asyncio.run(scenario())


def test_sign_colours_for_a_light_theme_keep_their_hues_and_read_on_light_grey():
    from textual.theme import BUILTIN_THEMES

    background = luminance(rgb(BUILTIN_THEMES["textual-light"].background.lower()))
    assert sign_colours(dark=True) == (POSITIVE, NEGATIVE)
    positive, negative = sign_colours(dark=False)
    for colour in (positive, negative):
        assert (background + 0.05) / (luminance(rgb(colour)) + 0.05) >= 3.5, colour
    assert on_terminal(rgb(positive), ColorSystem.STANDARD) in (4, 12)
    assert on_terminal(rgb(negative), ColorSystem.STANDARD) in (1, 9)
    assert sign_style(-1.0, dark=False) == negative and sign_style(2.0) == POSITIVE


def test_the_loss_curve_takes_the_light_theme_colour_when_the_theme_changes():
    from tests.test_app import xor_app
    from tui_backprop.app.widgets.loss_plot import LossPlot

    def curve_colours(plot) -> set[int]:
        text = plot.render()
        return {
            span.style.color.number
            for span in text.spans
            if not isinstance(span.style, str) and span.style.color is not None
            if span.style.color.number is not None
            and any(0x2800 < ord(c) <= 0x28FF for c in text.plain[span.start : span.end])
        }

    async def scenario():
        app = xor_app()
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(10):
                await pilot.press("e")
            await pilot.pause()
            plot = app.query_one(LossPlot)
            assert curve_colours(plot) == {DARK_PLOTS.data}
            app.theme = "textual-light"
            await pilot.pause()
            assert curve_colours(plot) == {LIGHT_PLOTS.data}

    asyncio.run(scenario())


def test_descent_text_reads_on_its_theme_and_keeps_its_hue_in_16_colours():
    from rich.style import Style
    from textual.theme import BUILTIN_THEMES

    from tui_backprop.app.widgets.style import DARK_DESCENT, LIGHT_DESCENT, descent_styles

    light = luminance(rgb(BUILTIN_THEMES["textual-light"].background.lower()))
    dark = luminance(rgb("#121212"))  # textual-dark's background
    assert descent_styles(dark=False) is LIGHT_DESCENT
    for styles, background in ((DARK_DESCENT, dark), (LIGHT_DESCENT, light)):
        colours = [styles.update, styles.diverged, styles.step_limit, styles.verdict]
        sixteen = []
        for style in colours:
            color = Style.parse(style).color
            assert color is not None and color.triplet is not None, style
            fg = luminance(tuple(color.triplet))
            ratio = (max(fg, background) + 0.05) / (min(fg, background) + 0.05)
            assert ratio >= 3, (style, ratio)
            sixteen.append(on_terminal(tuple(color.triplet), ColorSystem.STANDARD))
        # cyan, red, yellow, green (dark or bright) in 16 colours
        assert [n % 8 for n in sixteen] == [6, 1, 3, 2], sixteen


def test_a_path_keeps_its_start_mark_under_its_trail_and_its_end_over_both():
    from tui_backprop.app.widgets.heatmap import NOW, PATH, START

    heatmap = Heatmap()
    values = np.arange(16.0).reshape(4, 4) + 1
    # the first steps stay in the start's cell, the path crosses it again, and ends there
    path = [(0.1, 0.9), (0.12, 0.88), (0.6, 0.4), (0.11, 0.91), (0.9, 0.1)]
    heatmap.show(values, 0.0, 1.0, path)
    assert heatmap.marks == {(0, 0): START, (1, 2): PATH, (1, 3): NOW}
    heatmap.show(values, 0.0, 1.0, path[:4])  # now back at the start: now wins
    assert heatmap.marks[(0, 0)] == NOW
