"""The weights panel paged down, up and sideways: each page shows rows not shown on the
page before, paging up goes back through the pages paging down showed, and a matrix too
wide for the panel says on both sides how many of its columns are left out ("+N…" and
"…+N"), neither marker touching what follows it."""

from __future__ import annotations

import asyncio
import re

import pytest

from tests.test_app import xor_app
from tests.test_lecture_layout import on_screen, rendered
from tui_backprop.app.widgets.formatting import signed
from tui_backprop.app.widgets.status import StatusLine
from tui_backprop.app.widgets.weights import WeightsView
from tui_backprop.core.arrays import layer_arrays
from tui_backprop.core.spec import NetworkSpec


def rows_on(text: str, weights: list) -> set[tuple[int, int]]:
    """The rows (m, i) whose first two weights stand on a line of ``text``."""
    lines = text.splitlines()
    return {
        (m, i)
        for m, W in enumerate(weights)
        if W is not None
        for i, row in enumerate(W)
        if any(" ".join(f"{signed(x):>7}" for x in row[:2]) in line for line in lines)
    }


@pytest.mark.parametrize("size", [(100, 30), (160, 45)])
def test_paging_down_shows_each_row_on_one_page_only(size):
    """] from the top to the end (the last page shorter than the panel where the rows
    left are fewer): no row shown twice, every row shown once, none twice."""

    async def scenario():
        app = xor_app(spec=NetworkSpec.build(2, (16, 16), 1))
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            weights = app.query_one(WeightsView)
            W = layer_arrays(app.runner.latest().weights)
            pages = [rows_on(rendered(app, WeightsView), W)]
            lines = [weights.shown]
            for _ in range(50):
                await pilot.press("right_square_bracket")
                if weights.shown == lines[-1]:
                    break
                pages.append(rows_on(rendered(app, WeightsView), W))
                lines.append(weights.shown)
            assert "no more lines below" in rendered(app, StatusLine)
            assert len(pages) > 2
            every = {(m, i) for m in range(1, len(W)) for i in range(len(W[m]))}
            assert sum(len(page) for page in pages) == len(every), pages
            assert set().union(*pages) == every
            assert sum(len(shown) for shown in lines) == weights.total

    asyncio.run(scenario())


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("size", [(100, 30), (160, 45)])
def test_columns_left_out_are_counted_on_both_sides_with_a_gap(bias, size):
    """Paged right with ), a row of W² (16 columns) starts with "+N…" for the N columns
    left of it and ends with "…+M" for those right of it, N + shown + M = 16; a space
    follows each marker, before the values, the "│" before b or the panel's edge."""

    async def scenario():
        app = xor_app(spec=NetworkSpec.build(2, (16, 16), 1, bias=bias))
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            while "W²" not in rendered(app, WeightsView):
                await pilot.press("right_square_bracket")
            await pilot.press("right_parenthesis")
            W2 = layer_arrays(app.runner.latest().weights)[2]
            text = rendered(app, WeightsView)
            first, last = map(int, re.search(r"cols (\d+)–(\d+)", text).groups())
            assert first > 1 and last < 16, text
            shown = [f"{signed(x):>7}" for x in W2[0, first - 1 : last]]
            row = next(line for line in on_screen(app) if " ".join(shown) in line)
            values = re.escape(" ".join(shown).strip())
            marked = rf"\+{first - 1}… +{values} …\+{16 - last} "
            assert re.search(marked, row), (marked, row)

    asyncio.run(scenario())


@pytest.mark.parametrize("size", [(100, 30), (160, 45)])
def test_paging_up_retraces_the_pages_paging_down_showed(size):
    """[ from any page ] reached goes back through the same pages, the same lines and
    rows on each, in reverse, to the top: on the way back too each row is shown once."""

    async def scenario():
        app = xor_app(spec=NetworkSpec.build(2, (16, 16), 1))
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            weights = app.query_one(WeightsView)
            W = layer_arrays(app.runner.latest().weights)
            down = [(weights.shown, rows_on(rendered(app, WeightsView), W))]
            while weights.shown.stop < weights.total:
                await pilot.press("right_square_bracket")
                down.append((weights.shown, rows_on(rendered(app, WeightsView), W)))
            assert len(down) > 2
            for start in range(1, len(down)):
                await pilot.press(*["left_square_bracket"] * len(down))  # to the top
                await pilot.press(*["right_square_bracket"] * start)
                assert weights.shown == down[start][0]
                up = [down[start]]
                for _ in range(start):
                    await pilot.press("left_square_bracket")
                    up.append((weights.shown, rows_on(rendered(app, WeightsView), W)))
                assert up == down[start::-1], (start, up)
                await pilot.press("left_square_bracket")
                assert "no more lines above" in rendered(app, StatusLine)

    asyncio.run(scenario())
