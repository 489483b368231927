"""Numbers as text, the same way in every widget and screen.

Signs are always printed where a sign matters (+0.310, -0.720), so numbers read without
colour (the colours are in :mod:`.style`). Values that are not finite are spelled nan,
inf, -inf (+inf where signs are printed), never as a number. Numbers too large or too small
for fixed point take one compact scientific form everywhere: 3.0e210, -1.2e-5 (no "+" in
the exponent, no leading zeros), with fewer mantissa digits only where the room is short.

Formulas on screen write indices as the formulas do, W²₁₁ (``screen_notation`` turns the
README's plain-text W^2_11 into that).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterable
from typing import Any, SupportsFloat

from rich.text import Span, Text

from ...core.wrapping import breaks

#: Fixed point reads from here up to FIXED_HIGH (and 0); scientific outside.
FIXED_LOW = 1e-3
FIXED_HIGH = 1e4


def nonfinite(x: float, plus: bool = False) -> str:
    """nan, inf or -inf for a value that is not finite; +inf with ``plus``."""
    if math.isnan(x):
        return "nan"
    return "-inf" if x < 0 else ("+inf" if plus else "inf")


def sci(x: float, digits: int = 1, sign: str = "") -> str:
    """Compact scientific notation: 3.0e210, -1.2e-5 (``digits`` after the point; sign "+"
    or " " as in a format spec). Non-finite values spelled out."""
    if not math.isfinite(x):
        return nonfinite(x, plus=sign == "+")
    mantissa, exponent = f"{x:{sign}.{digits}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def number(x: float, digits: int = 3, sign: str = "") -> str:
    """Fixed point with ``digits`` decimals where it reads (0, or |x| from 0.001 to 10 000),
    else ``sci`` with one decimal: 0.310, 3.0e210, nan. A value that rounds to zero reads
    as zero, 0.0, never -0.0 (-0.04 at one decimal): the minus would say "below zero" of a
    number shown as none."""
    x = float(x)
    if not math.isfinite(x):
        return nonfinite(x, plus=sign == "+")
    if x == 0.0 or FIXED_LOW <= abs(x) < FIXED_HIGH:
        text = f"{x:{sign}.{digits}f}"
        return f"{0.0:{sign}.{digits}f}" if float(text) == 0.0 else text
    return sci(x, 1, sign)


def significant(x: float, digits: int = 6, sign: str = "") -> str:
    """``digits`` significant digits, for numbers read digit by digit beside each other
    (+0.0414853, -24.342884), trailing zeros dropped as the "g" format does; small and
    large ones in the compact scientific form (+4.75525e-5), never a rounded zero."""
    x = float(x)
    if not math.isfinite(x):
        return nonfinite(x, plus=sign == "+")
    text = f"{x:{sign}.{digits}g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return f"{mantissa}e{int(exponent)}"


def signed(x: float, digits: int = 3) -> str:
    """+0.310 / -0.720 / +3.0e210; nan and inf spelled out."""
    return number(x, digits, "+")


def plain(x: float, digits: int = 3) -> str:
    return number(x, digits)


def loss_text(x: float) -> str:
    """A loss in as few characters as stay meaningful: 0.1337, 1.23e-5, 3.00e210."""
    if not math.isfinite(x):
        return nonfinite(x)
    return f"{x:.4f}" if FIXED_LOW <= x < FIXED_HIGH else sci(x, 2)


def fit(
    value: SupportsFloat | str,
    width: int,
    sign: str = " ",
    strip_zero: bool = False,
    separated: bool = False,
) -> str:
    """``value`` in exactly ``width`` characters, right-aligned, with up to 3 decimals: the
    number as :func:`fit_number` writes it or, where no number fits (-1e154 in 5
    characters), a spreadsheet's "-####", which says so rather than print something that
    is not the number."""
    text = fit_number(value, width, sign, strip_zero, separated)
    if text is not None:
        return text
    try:
        negative = float(value) < 0
    except (TypeError, ValueError, OverflowError):
        negative = False
    return ("-" if negative else "+") + "#" * (width - 1) if width > 1 else "#"


def fit_number(
    value: SupportsFloat | str,
    width: int,
    sign: str = " ",
    strip_zero: bool = False,
    separated: bool = False,
) -> str | None:
    """``value`` as a number in exactly ``width`` characters, right-aligned, with up to 3
    decimals; None where no number fits.

    sign is a format-spec sign: " " (space for positives) or "+". strip_zero drops the
    leading zero (".982") for the network's compact nodes. Values too wide for fixed point
    fall back to the compact scientific form ("3.0e210", "+3e210" where the room is short;
    a positive's sign is dropped before its digits), non-finite ones print as nan / inf.
    Every form keeps at least one mantissa digit ("-e210" would not read as a number): a
    value too small for its exponent to fit is printed as the zero it rounds to ("-.000",
    "-0"), and a value too large for it has no form in ``width``: None.

    ``separated``: the text never starts with a digit (a label stands right before it, as
    in the network's "a 2e212"), so a positive keeps its sign's space or "+".
    """
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        v = math.nan
    if not math.isfinite(v):
        return nonfinite(v, plus=sign == "+").rjust(width)[-width:]
    if v == 0.0 or abs(v) >= FIXED_LOW:  # below, fixed point would print only zeros
        for decimals in (3, 2, 1, 0):
            text = _fixed(v, sign, decimals, strip_zero)
            # fewer decimals, but not so few that only zeros are left (0.004 as 0.00)
            if len(text) <= width and (v == 0.0 or float(text) != 0.0):
                return text.rjust(width)
    candidates = [sci(v, 1, sign), sci(v, 0, sign)]
    if not separated:  # a positive reads without its sign, if it must
        candidates += [text[1:] for text in candidates if text[0] in " +"]
    for text in candidates:
        if len(text) <= width:
            return text.rjust(width)
    if abs(v) < 1:  # tiny: the zero it rounds to, signed
        for decimals in (3, 2, 1, 0):
            text = _fixed(v, sign, decimals, strip_zero)
            if len(text) <= width:
                return text.rjust(width)
    return None


def _fixed(v: float, sign: str, decimals: int, strip_zero: bool) -> str:
    text = f"{v:{sign}.{decimals}f}"
    if strip_zero and text[1:3] == "0.":
        text = text[0] + text[2:]
    return text


def change(x: float) -> str:
    """A small signed change in 7 cells: +0.012, or +1.2e-4 below 0.01."""
    if not math.isfinite(x):
        return signed(x)
    if x == 0.0 or 0.01 <= abs(x) < FIXED_HIGH:
        return f"{x:+.3f}"
    return sci(x, 1, "+")


_SUPERSCRIPTS = str.maketrans("0123456789+-()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾")
_SUBSCRIPTS = str.maketrans("0123456789,ijk", "₀₁₂₃₄₅₆₇₈₉,ᵢⱼₖ")


def sup(m: int | str) -> str:
    """Layer index as a superscript: W¹, b², as the formulas write it."""
    return str(m).translate(_SUPERSCRIPTS)


def sub(index: int | str) -> str:
    """Indices as subscripts: ₁₁, ᵢⱼ."""
    return str(index).translate(_SUBSCRIPTS)


def weight_name(m: int, j: int, k: int) -> str:
    """W²₁₁: the weight of layer m from node k to node j (1-based); W²₁₀,₃ past 9."""
    indices = f"{j}{k}" if j < 10 and k < 10 else f"{j},{k}"
    return f"W{sup(m)}{sub(indices)}"


_PARAMETER = re.compile(r"^(W|b)(\d+)\[(\d+)(?:,(\d+))?\]$")


def parameter_name(name: str) -> str:
    """A parameter as the command line names it (W1[2,1], b2[1]) as the screen writes it
    (W¹₂₁, b²₁); other text unchanged."""
    match = _PARAMETER.match(name)
    if match is None:
        return name
    kind, m, i, j = match.groups()
    if kind == "W" and j is not None:
        return weight_name(int(m), int(i), int(j))
    return f"b{sup(int(m))}{sub(int(i))}"


# A name with a plain-text index, as the README writes it: W^2_11, delta^{m-1}_j, b^2;
# and a power of a number or a bracket, (-0.05)^2 and 0.068^2 alike.
_PLAIN_INDEX = re.compile(
    r"(?<=[A-Za-z0-9)])\^(\{[0-9+\- ]+\}|[0-9]+)(?:_([0-9]+(?:,[0-9]+)?|[ijk]{1,2})\b)?"
)


def screen_notation(text: str) -> str:
    """The README's plain-text indices as on screen: W^2_11 -> W²₁₁, w^1_10,3 -> w¹₁₀,₃,
    a^{m-1} -> a⁽ᵐ⁻¹⁾ is left alone (letters), W^{3} -> W³, delta^2_j -> delta²ⱼ."""

    def written(match: re.Match[str]) -> str:
        layer = match.group(1).strip("{}").replace(" ", "")
        if not re.fullmatch(r"[0-9+\-]+", layer):
            return match.group(0)
        layer_text = sup(layer) if layer.isdigit() else sup(f"({layer})")
        return layer_text + (sub(match.group(2)) if match.group(2) else "")

    return _PLAIN_INDEX.sub(written, text)


def _entry(v: float, digits: int) -> str:
    v = float(v)
    if math.isfinite(v) and v.is_integer() and abs(v) < FIXED_HIGH:
        return str(int(v))
    return number(v, digits)


def vector(values: Iterable, digits: int = 2) -> str:
    """Compact vector: 0 1 for integers, else 0.12 -0.50 (3.0e210, nan where they are)."""
    return vectors([values], digits)[0]


def vectors(rows: Iterable[Iterable], digits: int = 2) -> list[str]:
    """Vectors one under another, as a table's column writes them: each as ``vector``
    does (integers where every entry of every row is one), each position's entries
    right-aligned to its widest, so that numbers of the same decimals stand on their
    decimal point whatever their signs (" 0.5 -0.3" over "-1.2  0.0")."""
    values = [[float(v) for v in row] for row in rows]
    whole = all(
        math.isfinite(v) and v.is_integer() and abs(v) < FIXED_HIGH for row in values for v in row
    )
    cells = [[str(int(v)) if whole else number(v, digits) for v in row] for row in values]
    widths = [max(len(cell) for cell in column) for column in zip(*cells, strict=True)]
    return [" ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells]


#: Columns a wrapped line's later lines start further in than its first.
HANGING = 4
#: A line's label, up to the text after it: a word or two, then two spaces or more.
_LABEL = re.compile(r" *\S+(?: \S+)? {2,}(?=\S)")


def hanging_text(text: Text, width: int, formulas: bool = False) -> Text:
    """``text`` with every line longer than ``width`` cells broken at its spaces, its later
    lines indented ``HANGING`` past the line's own indent (as a step's statements are
    indented under the phase's heading), or under the text of a labelled line
    ("why       the text"), styles kept: a terminal's wrap starts them at the left edge,
    where they read as lines of their own. The breaks are ``core.wrapping.breaks``'s,
    as the command line's reports and the help have them; ``formulas``: its lines mix
    words and formulas, kept whole where they fit (``core.wrapping.formula_spaces``).

    The breaks are found in the plain text and the spans moved onto the new one: a big
    layer's phase has thousands of long lines, and a Text cut line by line took a quarter
    of a second (the characters here are one cell each)."""
    plain = text.plain
    cuts: list[int] = []  # where a line's text ends at a break, and where the next resumes
    pads: list[int] = []  # the indent of the line that follows each break
    start = 0
    for line in plain.split("\n"):
        if len(line) > width:
            lead = len(line) - len(line.lstrip(" "))
            pad = lead + HANGING if width - lead - HANGING >= 20 else min(lead, HANGING)
            # A label and its text ("why       adding the slope..."): under the text.
            label = _LABEL.match(line)
            if label is not None and pad < label.end() <= width // 2:
                pad = label.end()
            for end, resume in breaks(line, width, pad, formulas):
                cuts += [start + end, start + resume]
                pads.append(pad)
        start += len(line) + 1
    if not cuts:
        return text
    # The kept stretches of the old text, (old start, old end, new start), and the spans
    # moved onto them (split where a break falls inside one): Text's own divide and join
    # make a Text per piece, a few tens of milliseconds for a big layer.
    bounds = [0, *cuts, len(plain)]
    parts: list[str] = []
    stretches: list[tuple[int, int, int]] = []
    at = 0
    for k in range(0, len(bounds), 2):
        if k:
            indent = "\n" + " " * pads[k // 2 - 1]
            parts.append(indent)
            at += len(indent)
        old_start, old_end = bounds[k], bounds[k + 1]
        stretches.append((old_start, old_end, at))
        parts.append(plain[old_start:old_end])
        at += old_end - old_start
    firsts = [stretch[0] for stretch in stretches]
    spans: list[Span] = []
    for span in text.spans:
        for old_start, old_end, new_start in stretches[
            max(0, bisect_right(firsts, span.start) - 1) : bisect_right(firsts, span.end - 1)
        ]:
            lo, hi = max(span.start, old_start), min(span.end, old_end)
            if lo < hi:
                spans.append(
                    Span(new_start + lo - old_start, new_start + hi - old_start, span.style)
                )
    out = Text(
        "".join(parts),
        style=text.style,
        justify=text.justify,
        overflow=text.overflow,
        no_wrap=text.no_wrap,
        end=text.end,
    )
    out.spans = spans
    return out


def lines_off_screen(view: Any) -> tuple[int, int]:
    """(below, above): the lines of a scrolled view's content (a Textual scroll view)
    under its bottom edge and over its top."""
    above = max(0, round(view.scroll_y))
    shown = view.scrollable_content_region.height
    return max(0, view.virtual_size.height - above - shown), above


def scroll_subtitle(view: Any, down: str = "pgdn", up: str = "pgup") -> str:
    """A scrolled view's bottom border, in place of a scroll bar (which does not show
    without colour): "… 3 more lines (pgdn) · 2 above (pgup)", or "" when it all shows."""
    below, above = lines_off_screen(view)
    parts = []
    if below:
        parts.append(f"… {below} more line{'' if below == 1 else 's'} ({down})")
    if above:
        parts.append(f"{above} above ({up})")
    return " · ".join(parts)
