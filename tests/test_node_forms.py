"""Every number the network's nodes can show fits its cells and reads as a number of the
right order of magnitude: values from -1e308 to 1e308 (tiny ones too), nan, inf and -inf,
in each node form's width and sign, never run into the label before them, and never lose
their mantissa ("-e154" is not a number): a small node's number that needs its label's
cell takes it."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_backprop.app.widgets.formatting import fit, fit_number
from tui_backprop.app.widgets.network.drawing import _cell, _labelled

FORM = re.compile(r"^(?P<sign>[+-]?)(?P<mantissa>\d*\.?\d*)(?:e(?P<exponent>-?\d+))?$")

#: Signs of the network's numbers: a and x (" "), δ and b ("+").
SIGNS = (" ", "+")
#: Width of a compact or one-row node's row: its label and 5 cells.
ROW_WIDTH = 6

values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e-99, max_value=1e-99),  # tiny, 3-digit negative exponents
    st.sampled_from([3e210, -3e210, 2e212, -2e-212, 1e308, -1e308, 5e-324, -5e-324, 0.0]),
)


def parsed(text: str) -> tuple[float, float]:
    """(sign, log10 of the magnitude) of the number a form stands for, (nan, nan) for nan,
    (sign, inf) for an infinity and (sign, -inf) for zero. The form must be a number: a
    mantissa with at least one digit, then maybe an exponent. In logarithms, so 2e308
    (past the largest float) still reads."""
    text = text.strip()
    if text == "nan":
        return math.nan, math.nan
    if text in ("inf", "+inf", "-inf"):
        return (-1.0 if text[0] == "-" else 1.0), math.inf
    match = FORM.match(text)
    assert match is not None and any(c.isdigit() for c in match["mantissa"]), text
    sign = -1.0 if match["sign"] == "-" else 1.0
    mantissa = float(match["mantissa"])
    if mantissa == 0.0:
        return sign, -math.inf
    return sign, math.log10(mantissa) + int(match["exponent"] or 0)


def reads_right(x: float, text: str) -> bool:
    """The form stands for x: nan for nan, the same infinity, or a finite number of the
    same sign within a factor of 10, or the zero x rounds to at the form's decimals (where
    a tiny x's exponent does not fit)."""
    sign, magnitude = parsed(text)
    if math.isnan(x):
        return math.isnan(magnitude)
    if math.isinf(x):
        return magnitude == math.inf and sign == math.copysign(1.0, x)
    if magnitude == -math.inf:
        decimals = len(text.partition(".")[2])
        return x == 0.0 or (abs(x) < 0.5 * 10.0**-decimals and (sign < 0) == (x < 0))
    if x == 0.0 or (sign < 0) != (x < 0) or magnitude == math.inf:
        return False
    return abs(magnitude - math.log10(abs(x))) < 1


def row_text(pieces) -> str:
    return "".join(text for text, _ in pieces)


@settings(max_examples=600, deadline=None)
@given(x=values)
def test_every_value_fits_each_node_form_and_reads_right(x):
    for sign in SIGNS:
        # a full node: its label, then 6 cells, which every value fits
        text = _cell(x, 6, sign)
        assert len(text) == 6, (x, text)
        # the label before it ("a", "δ", "b") never runs into a digit or an "e"
        assert text[0] in " +-.", (x, text)
        assert reads_right(x, text), (x, sign, text)
        # a compact or one-row node: its label and 5 cells, or the number in all 6
        row = row_text(_labelled(("a", 0), x, sign, 0, ROW_WIDTH))
        assert len(row) == ROW_WIDTH, (x, row)
        if row[0] == "a":
            assert row[1] in " +-.", (x, row)
            assert reads_right(x, row[1:]), (x, sign, row)
        else:  # only where no number fits 5 cells with its sign: 1e100 and up
            assert abs(x) >= 9.5e99, (x, row)
            assert reads_right(x, row), (x, sign, row)


@settings(max_examples=400, deadline=None)
@given(x=values, width=st.integers(min_value=5, max_value=9), sign=st.sampled_from(SIGNS))
def test_fit_respects_any_width_from_five(x, width, sign):
    for strip_zero in (False, True):
        for separated in (False, True):
            text = fit_number(x, width, sign, strip_zero, separated)
            if text is None:  # only 1e100 and up, in 5 cells
                assert width == 5 and abs(x) >= 9.5e99, (x, width, sign, separated)
                text = fit(x, width, sign, strip_zero, separated)
                assert text == ("-" if x < 0 else "+") + "####", (x, text)
                continue
            assert len(text) == width, (x, width, text)
            assert text == fit(x, width, sign, strip_zero, separated)
            assert reads_right(x, text), (x, width, sign, strip_zero, separated, text)
            if separated:
                assert not text[0].isdigit(), (x, width, text)


@pytest.mark.parametrize(
    ("x", "sign", "expected"),
    [
        (-3e210, " ", "-3e210"),  # was a-e210
        (2e212, " ", " 2e212"),  # was a e212
        (3e210, "+", "+3e210"),
        (-1.2e154, "+", "-1e154"),  # was δ-e154
        (3e99, " ", "a 3e99"),
        (-2e-212, "+", "a-.000"),
        (np.nan, " ", "a  nan"),
        (-np.inf, "+", "a -inf"),
    ],
)
def test_examples_of_the_compact_rows(x, sign, expected):
    assert row_text(_labelled(("a", 0), x, sign, 0, ROW_WIDTH)) == expected


@pytest.mark.parametrize(
    ("x", "sign", "expected"),
    [
        (-2e-212, "+", "-0.000"),  # was -e-212
        (1.7e308, " ", " 2e308"),
        (-1.2e154, "+", "-1e154"),
    ],
)
def test_examples_of_the_full_nodes_cells(x, sign, expected):
    assert _cell(x, 6, sign) == expected


def test_a_one_row_node_keeps_a_space_after_its_label_or_gives_it_to_its_number():
    from tui_backprop.app.widgets.network.drawing import _node_lines
    from tui_backprop.app.widgets.network.layout import COMPACT, ROW

    class Snap:
        a = [np.array([1.0]), np.array([2e212]), np.array([-3e210])]
        delta = [None, np.array([-2e-212]), np.array([5e-324])]

    for form in (ROW, COMPACT):
        for m, j in ((1, 0), (2, 0)):
            for row, value in zip(
                map(row_text, _node_lines(Snap, form, m, j)),
                (Snap.a[m][j], Snap.delta[m][j]),
                strict=False,
            ):
                assert len(row) == form.width, row
                if row[0] in "aδ":
                    assert row[1] in " +-.", row
                    assert reads_right(value, row[1:]), row
                else:
                    assert reads_right(value, row), row
