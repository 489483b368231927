"""The output map's legend and border at 80 and 160 columns, in every colour design: the
scale keeps both its ends labelled, and the border says what runs along and what up."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from textual import constants

from tests.test_app import xor_app
from tests.test_lecture_layout import on_screen
from tui_backprop.app.widgets.heatmap import map_axes
from tui_backprop.app.widgets.output_map import OutputView, output_map_text
from tui_backprop.app.widgets.style import app_colour_mode
from tui_backprop.core.config import TrainingConfig

MODES = {"truecolor": "truecolor", "256": "256", "standard": "16", "mono": "mono"}


@pytest.fixture(params=list(MODES))
def colour_system(request, monkeypatch):
    """The colour system as the terminal reports it (NO_COLOR=1 for mono)."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    if request.param == "mono":
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.setattr(constants, "COLOR_SYSTEM", request.param)
    return request.param


def panel_lines(app, view: OutputView) -> list[str]:
    """The output panel's rows on screen, its borders included."""
    region = view.region
    return [line[region.x : region.right] for line in on_screen(app)[region.y : region.bottom]]


@pytest.mark.parametrize("size", [(80, 24), (120, 36), (160, 45)])
def test_the_legend_keeps_both_ends_of_its_scale_and_the_border_names_the_axes(colour_system, size):
    async def scenario():
        app = xor_app(settings=TrainingConfig(seed=0, alpha=0.5))
        async with app.run_test(size=size) as pilot:
            app.runner.apply(lambda session: session.run_batches(299 * 4))
            await pilot.press("e", "o")
            await pilot.pause()
            assert app_colour_mode(app) == MODES[colour_system]
            view = app.query_one(OutputView)
            lines = panel_lines(app, view)
            legend = lines[-2].strip("│")
            assert legend.startswith("o y<0.5") and "a 0 " in legend, legend
            assert legend.rstrip().endswith(" 1"), legend
            assert "a=0.5" in legend  # room for all of it from 80 columns
            bottom = lines[-1]
            assert map_axes("x1", "x2", -0.1, 1.1) in bottom, bottom
            assert "…" not in lines[0] and "…" not in bottom

    asyncio.run(scenario())


def test_the_legend_gives_up_blocks_then_words_whole_at_any_width():
    from tests.test_colour import boundary_snapshot

    snap = boundary_snapshot()
    for mode in MODES.values():
        for width in range(18, 60):
            legend = output_map_text(snap, width, 4, mode).plain.splitlines()[-1]
            assert len(legend) <= width and legend.startswith(("o y<0.5", "a 0 ")), legend
            assert legend.endswith(" 1"), (mode, width, legend)
            for word in ("y<0.5", "y>0.5", "a=0.5"):
                assert word in legend or word[:-1] not in legend, legend


def test_different_ranges_are_both_given():
    """moons' inputs cover other ranges along and up: the border gives each its own."""

    async def scenario():
        app = xor_app(problem="moons", settings=TrainingConfig(seed=0))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("e", "o")
            await pilot.pause()
            view = app.query_one(OutputView)
            bottom = panel_lines(app, view)[-1]
            assert "→ x1 " in bottom and "↑ x2 " in bottom and bottom.count("..") == 2, bottom
            assert "…" not in bottom

    asyncio.run(scenario())


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
def test_the_one_input_curve_has_round_ticks_and_names_its_glyphs(size):
    """The neuron's curve: its x ticks are multiples of one round step (1, 2 or 5 times a
    power of ten), not plotext's even division of its limits (0.01 0.28 0.55 ...), and its
    title says what o and x mark, as the map's legend does."""
    import re
    from itertools import pairwise

    from tests.test_scenes import lesson_app

    async def scenario():
        app = lesson_app("neuron")
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await pilot.press("escape", "o")
            await pilot.pause()
            lines = panel_lines(app, app.query_one(OutputView))
            assert "o y<0.5  x y>0.5" in lines[1], lines[1]
            axis = next(i for i, line in enumerate(lines) if "└" in line)
            ticks = [float(t) for t in re.findall(r"-?\d+\.?\d*", lines[axis + 1])]
            assert len(ticks) >= 2, lines[axis + 1]
            steps = {round(b - a, 9) for a, b in pairwise(ticks)}
            assert len(steps) == 1, ticks  # evenly spaced
            (step,) = steps
            mantissa = step / 10 ** np.floor(np.log10(step))
            assert round(mantissa, 6) in (1, 2, 5), ticks
            assert all(abs(t / step - round(t / step)) < 1e-6 for t in ticks), ticks

    asyncio.run(scenario())
