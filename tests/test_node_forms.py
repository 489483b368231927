"""Every number the network's nodes can show fits its cells and reads as the right order of
magnitude: values from -1e308 to 1e308 (tiny ones too), nan, inf and -inf, in each node
form's width and sign, and never run into the label before them."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_backprop.app.widgets.formatting import fit
from tui_backprop.app.widgets.network.drawing import _cell

FORM = re.compile(r"^(?P<sign>[+-]?)(?P<mantissa>\d*\.?\d*)(?:e(?P<exponent>-?\d+))?$")

#: (width, sign, strip_zero) of the network's numbers: full nodes' a (6), δ and b (6, +),
#: compact and one-row nodes' a (5, strip_zero) and δ (5, +, strip_zero).
NODE_CELLS = [(6, " ", False), (6, "+", False), (5, " ", True), (5, "+", True)]

values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e-99, max_value=1e-99),  # tiny, 3-digit negative exponents
    st.sampled_from([3e210, -3e210, 2e212, -2e-212, 1e308, -1e308, 5e-324, -5e-324, 0.0]),
)


def parsed(text: str) -> tuple[float, float]:
    """(sign, log10 of the magnitude) of the number a form stands for, (nan, nan) for nan,
    (sign, inf) for an infinity and (sign, -inf) for zero; a mantissa left out is 1: e210
    is 10^210. In logarithms, so 2e308 (past the largest float) still reads."""
    text = text.strip()
    if text == "nan":
        return math.nan, math.nan
    if text in ("inf", "+inf", "-inf"):
        return (-1.0 if text[0] == "-" else 1.0), math.inf
    match = FORM.match(text)
    assert match is not None and (match["mantissa"] or match["exponent"]), text
    sign = -1.0 if match["sign"] == "-" else 1.0
    mantissa = float(match["mantissa"]) if match["mantissa"] not in ("", ".") else 1.0
    if mantissa == 0.0:
        return sign, -math.inf
    return sign, math.log10(mantissa) + int(match["exponent"] or 0)


def reads_right(x: float, text: str) -> bool:
    """The form stands for x: nan for nan, the same infinity, or a finite number of the
    same sign within a factor of 10 (the zero it rounds to where even the order of
    magnitude does not fit: |x| below 1e-99)."""
    sign, magnitude = parsed(text)
    if math.isnan(x):
        return math.isnan(magnitude)
    if math.isinf(x):
        return magnitude == math.inf and sign == math.copysign(1.0, x)
    if magnitude == -math.inf:
        return abs(x) < 1e-99 or x == 0.0
    if x == 0.0 or (sign < 0) != (x < 0) or magnitude == math.inf:
        return False
    return abs(magnitude - math.log10(abs(x))) < 1


@settings(max_examples=600, deadline=None)
@given(x=values)
def test_every_value_fits_each_node_cell_and_reads_right(x):
    for width, sign, strip_zero in NODE_CELLS:
        text = _cell(x, width, sign, strip_zero)
        assert len(text) == width, (x, width, text)
        assert "#" not in text, (x, width, text)
        # the label before it ("a", "δ", "b") never runs into a digit or an "e"
        assert text[0] in " +-" or text[0] == ".", (x, width, text)
        assert reads_right(x, text), (x, width, sign, text)


@settings(max_examples=400, deadline=None)
@given(x=values, width=st.integers(min_value=5, max_value=9), sign=st.sampled_from([" ", "+"]))
def test_fit_respects_any_width_from_five(x, width, sign):
    for strip_zero in (False, True):
        for separated in (False, True):
            text = fit(x, width, sign, strip_zero, separated)
            assert len(text) == width, (x, width, text)
            assert reads_right(x, text), (x, width, sign, strip_zero, separated, text)


@pytest.mark.parametrize(
    ("x", "width", "sign", "expected"),
    [
        (-3e210, 5, " ", "-e210"),  # was -####
        (2e212, 5, " ", " e212"),  # was 2e212, printed "a2e212"
        (3e210, 6, "+", "+3e210"),
        (-2e-212, 6, "+", "-e-212"),
        (np.nan, 5, " ", "  nan"),
        (-np.inf, 5, "+", " -inf"),
    ],
)
def test_examples_of_the_compact_forms(x, width, sign, expected):
    assert _cell(x, width, sign, width == 5) == expected


def test_a_one_row_node_keeps_a_space_after_its_label():
    from tui_backprop.app.widgets.network.drawing import _node_lines
    from tui_backprop.app.widgets.network.layout import COMPACT, ROW

    class Snap:
        a = [np.array([1.0]), np.array([2e212]), np.array([-3e210])]
        delta = [None, np.array([-2e-212]), np.array([5e-324])]

    for form in (ROW, COMPACT):
        for m, j in ((1, 0), (2, 0)):
            rows = ["".join(t for t, _ in pieces) for pieces in _node_lines(Snap, form, m, j)]
            for row in rows:
                assert len(row) == form.width, row
                assert row[1] in " +-.", row
