"""Numbers as text, the same way in every widget and screen.

Signs are always printed where a sign matters (+0.310, -0.720), so numbers read without
colour (the colours are in :mod:`.style`). Values that are not finite are spelled nan,
inf, -inf (+inf where signs are printed), never as a number.
"""

from __future__ import annotations

import math
from typing import SupportsFloat


def nonfinite(x: float, plus: bool = False) -> str:
    """nan, inf or -inf for a value that is not finite; +inf with ``plus``."""
    if math.isnan(x):
        return "nan"
    return "-inf" if x < 0 else ("+inf" if plus else "inf")


def signed(x: float, digits: int = 3) -> str:
    """+0.310 / -0.720; nan and inf spelled out."""
    if not math.isfinite(x):
        return nonfinite(x, plus=True)
    return f"{x:+.{digits}f}"


def plain(x: float, digits: int = 3) -> str:
    if not math.isfinite(x):
        return nonfinite(x)
    return f"{x:.{digits}f}"


def loss_text(x: float) -> str:
    """A loss in as few characters as stay meaningful: 0.1337, 1.23e-05."""
    if not math.isfinite(x):
        return nonfinite(x)
    return f"{x:.4f}" if 1e-3 <= x < 1e4 else f"{x:.2e}"


def fit(value: SupportsFloat | str, width: int, sign: str = " ", strip_zero: bool = False) -> str:
    """``value`` in exactly ``width`` characters, right-aligned, with up to 3 decimals.

    sign is a format-spec sign: " " (space for positives) or "+". strip_zero drops the
    leading zero (".982") for the network's compact nodes. Values too wide for fixed point
    fall back to short scientific notation ("+1.2e5"), non-finite ones print as nan / inf.
    """
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        v = math.nan
    if not math.isfinite(v):
        return nonfinite(v, plus=sign == "+").rjust(width)[-width:]
    for decimals in (3, 2, 1, 0):
        text = f"{v:{sign}.{decimals}f}"
        if strip_zero and text[1:3] == "0.":
            text = text[0] + text[2:]
        if len(text) <= width:
            return text.rjust(width)
    for digits in (2, 1, 0):
        mantissa, exponent = f"{v:{sign}.{digits}e}".split("e")
        text = f"{mantissa}e{int(exponent)}"
        if len(text) <= width:
            return text.rjust(width)
    # Like a spreadsheet: say that the number does not fit rather than print a wrong one.
    return ("-" if v < 0 else "+") + "#" * (width - 1) if width > 1 else "#"


def change(x: float) -> str:
    """A small signed change in 7 cells: +0.012, or +1.2e-4 below 0.01."""
    if not math.isfinite(x):
        return signed(x)
    if x == 0.0 or abs(x) >= 0.01:
        return f"{x:+.3f}"
    mantissa, exponent = f"{x:+.1e}".split("e")
    return f"{mantissa}e{int(exponent)}"


_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def sup(m: int) -> str:
    """Layer index as a superscript: W¹, b², as the formulas write it."""
    return str(m).translate(_SUPERSCRIPTS)


def vector(values, digits: int = 2) -> str:
    """Compact vector: 0 1 for integers, else 0.12 -0.50."""
    if all(float(v).is_integer() for v in values):
        return " ".join(str(int(v)) for v in values)
    return " ".join(f"{v:.{digits}f}" for v in values)
