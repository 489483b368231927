"""Number formatting and colours shared by the widgets.

Signs are always printed (+0.310, -0.720), so they read without colour; colour only
repeats what the sign says. The two hues are a blue and an orange-red that stay apart
in 256 and 16 colours and for the common colour-vision deficiencies.
"""

from __future__ import annotations

import math

POSITIVE = "#3b8eea"
NEGATIVE = "#e5734b"


def signed(x: float, digits: int = 3) -> str:
    """+0.310 / -0.720; nan and inf spelled out."""
    if not math.isfinite(x):
        return "nan" if math.isnan(x) else ("+inf" if x > 0 else "-inf")
    return f"{x:+.{digits}f}"


def plain(x: float, digits: int = 3) -> str:
    if not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return f"{x:.{digits}f}"


def loss_text(x: float) -> str:
    """A loss in as few characters as stay meaningful: 0.1337, 1.23e-05."""
    if not math.isfinite(x):
        return "nan" if math.isnan(x) else "inf"
    return f"{x:.4f}" if 1e-3 <= x < 1e4 else f"{x:.2e}"


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


def sign_style(x: float) -> str:
    if not math.isfinite(x):
        return "bold reverse"
    return POSITIVE if x >= 0 else NEGATIVE


def vector(values, digits: int = 2) -> str:
    """Compact vector: 0 1 for integers, else 0.12 -0.50."""
    if all(float(v).is_integer() for v in values):
        return " ".join(str(int(v)) for v in values)
    return " ".join(f"{v:.{digits}f}" for v in values)
