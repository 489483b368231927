"""The examples table's numbers: each column's entries aligned on their decimal points,
row under row, and no rounded zero with a minus sign ("-0.0")."""

from __future__ import annotations

import asyncio

import pytest

from tests.test_app import xor_app
from tests.test_lecture_layout import rendered
from tui_backprop.app.widgets.examples import ExamplesView


@pytest.mark.parametrize("size, digits", [((100, 30), 1), ((160, 45), 2)])
def test_inputs_stand_on_their_decimal_points_and_no_zero_is_negative(size, digits):
    """The moons' inputs, paged through with }: at 100x30 to one decimal where two do not
    fit (some of them small negatives, -0.04 reading 0.0), at 160x45 to two. On every page
    each input's decimal point is in the same column on every row, and each number is its
    input to the page's decimals, a zero without a minus."""

    async def scenario():
        app = xor_app(problem="moons")
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            view = app.query_one(ExamplesView)
            inputs = app.runner.latest().inputs
            rounded_negative = 0
            for _ in range(len(inputs)):
                lines = rendered(app, ExamplesView).splitlines()
                header = next(i for i, line in enumerate(lines) if "input" in line)
                start, end = lines[header].index("input"), lines[header].index("target")
                cells = [line[start:end] for line in lines[header + 1 :]]
                points = {tuple(i for i, c in enumerate(cell) if c == ".") for cell in cells}
                assert len(points) == 1, cells  # the same columns on every row
                for k, cell in zip(view.shown, cells, strict=True):
                    for x, shown in zip(inputs[k], cell.split(), strict=True):
                        decimals = len(shown.split(".")[1])  # the page's layout's
                        written = f"{x:.{decimals}f}"
                        assert float(shown) == float(written), (x, shown)
                        assert not (shown.startswith("-") and float(shown) == 0.0), cell
                        if decimals == digits and written.startswith("-"):
                            rounded_negative += float(written) == 0.0
                if view.shown.stop == len(inputs):
                    break
                await pilot.press("right_curly_bracket")
            if digits == 1:
                assert rounded_negative  # the case that read -0.0 shows

    asyncio.run(scenario())


@pytest.mark.parametrize("digits", [1, 2])
@pytest.mark.parametrize("sign", ["", " ", "+"])
def test_a_value_that_rounds_to_zero_reads_as_zero_without_a_minus(digits, sign):
    """-0.04 to one decimal is 0.0 (" 0.0", "+0.0" with a sign), as 0.04 is; a value that
    does not round to zero keeps its minus."""
    from tui_backprop.app.widgets.formatting import number

    zero = f"{0.0:{sign}.{digits}f}"
    for x in (-0.0, -0.4 * 10.0**-digits, -0.001):  # fixed point from 0.001 up
        assert number(x, digits, sign) == zero, x
    below = -0.6 * 10.0**-digits
    assert number(below, digits, sign) == f"{below:.{digits}f}"
