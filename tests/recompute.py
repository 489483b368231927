"""Recomputing a worked line by hand, as a student would: its printed numbers, evaluated
exactly (400-digit decimals), against its printed result.

A statement ``name = ... = expression = result`` (the walk's lines, split at ";  ", and an
update's steps, split at "; " and " -> ") is checked when its expression is made of
numbers only: +, -, *, /, ^, parentheses (1/2 (x) a product), ln, e^(...), e^-(...),
tanh, max and [x > 0].
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, localcontext

#: Superscript digits on screen (0.06894² for 0.06894^2).
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_NUMBER = re.compile(r"(?<![\w.^])(\d+(?:\.\d+)?(?:e-?\d+)?)")
#: A result: a number, or a number near +-1 written as its distance, 1 - c or -1 + c.
_RESULT = re.compile(r"(?:(-?1) ([-+]) )?(-?\d+(?:\.\d+)?(?:e-?\d+)?)")
#: A double's spacing just below 1 (twice that just above): how far a computed a near
#: +-1 can be from the exact sigma(z).
DOUBLE_NEAR_ONE = Decimal(2) ** -52
#: A result written to 15 to 17 digits is a double computed from doubles (z = W a + b
#: where the terms cancel): it agrees with the exact value to about this, relatively.
DOUBLE_ROUNDING = Decimal("1e-14")
#: Below this a double is 0: a cost of 1e-367 is computed as 0.
SMALLEST_DOUBLE = Decimal("5e-324")
#: Below this doubles are subnormal: spaced 5e-324 apart, whatever their size, so a
#: result there is as close to the exact value as that spacing allows, not as 4 digits;
#: and a printed 0 may stand for one (sigma(-740) is 0: e^740 overflows to inf).
SMALLEST_NORMAL = Decimal("2.2250738585072014e-308")


def plain(text: str) -> str:
    """Screen notation back to the README's: 0.06894² -> 0.06894^2."""
    return re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+", lambda m: "^" + m.group(0).translate(_SUPERSCRIPTS), text)


def _exp(x: Decimal) -> Decimal:
    return Decimal(x).exp()


def _ln(x: Decimal) -> Decimal:
    if x <= 0:
        raise ValueError(f"ln of {x}: not a number")
    return Decimal(x).ln()


def _tanh(x: Decimal) -> Decimal:
    e = (-2 * abs(x)).exp()
    t = (1 - e) / (1 + e)
    return t if x >= 0 else -t


def _positive(x: Decimal) -> Decimal:
    return Decimal(1) if x > 0 else Decimal(0)


def _python(expression: str) -> str:
    e = re.sub(r"e\^-\(([^()]*)\)", r"exp(-(\1))", expression)
    e = re.sub(r"e\^\(([^()]*)\)", r"exp((\1))", e)
    e = re.sub(r"ln (\d[\d.e-]*|\([^()]*\))", r"ln(\1)", e)
    e = re.sub(r"\[([^\]]*) > 0\]", r"positive(\1)", e)
    e = re.sub(r"([\d)]) \(", r"\1*(", e)  # 1/2 (x): a product
    e = _NUMBER.sub(lambda m: f"D('{m.group(1)}')", e)
    return re.sub(r"\^(\d+)", r"**\1", e)


def evaluate(expression: str) -> Decimal:
    """The exact value of a worked line's numeric expression (ValueError for ln of 0)."""
    with localcontext() as context:
        context.prec = 400  # 1 - 1e-308 keeps its digits
        names = {
            "D": Decimal,
            "exp": _exp,
            "ln": _ln,
            "tanh": _tanh,
            "max": max,
            "positive": _positive,
        }
        return eval(_python(expression), {"__builtins__": {}}, names)  # noqa: S307


def numeric(expression: str) -> bool:
    """Whether an expression is numbers and operations only (no names like w^1_11)."""
    rest = _NUMBER.sub("", expression)
    rest = re.sub(r"\b(ln|tanh|max)\b|e\^", "", rest)
    return not re.search(r"[A-Za-z]", rest)


def _unit(number: str) -> Decimal:
    """One unit in the last printed digit of a number written to at least 4 significant
    digits (1 is 1.000, as the lines write it)."""
    value = Decimal(number)
    digits = len(value.as_tuple().digits)
    return Decimal(10) ** (value.adjusted() - max(digits, 4) + 1)


@dataclass(frozen=True)
class Recomputed:
    statement: str
    printed: str
    value: Decimal

    def off_by(self) -> Decimal:
        """How far the recomputed value is from the printed result, in units of its last
        printed digit (for 1 - c, of c's; the spacing of doubles near 1 forgiven)."""
        match = _RESULT.fullmatch(self.printed)
        assert match, self.printed
        whole, sign, number = match.groups()
        if whole is None:
            if Decimal(number) == 0:
                return Decimal(0) if abs(self.value) < SMALLEST_NORMAL else Decimal("Infinity")
            gap = abs(self.value - Decimal(number)) - DOUBLE_ROUNDING * abs(self.value)
            return max(gap, Decimal(0)) / _unit(number)
        distance = self.value - Decimal(whole)
        printed = Decimal(number) if sign == "+" else -Decimal(number)
        gap = max(abs(distance - printed) - DOUBLE_NEAR_ONE, Decimal(0))
        return gap / _unit(number)

    def relative_error(self) -> Decimal:
        """|recomputed - printed| / |printed| (for 1 - c: c's)."""
        match = _RESULT.fullmatch(self.printed)
        assert match, self.printed
        whole, sign, number = match.groups()
        printed = Decimal(number)
        if whole is not None:
            distance = abs(self.value - Decimal(whole))
            gap = max(abs(distance - printed) - DOUBLE_NEAR_ONE, Decimal(0))
            return gap / printed
        if printed == 0:
            return Decimal(0) if abs(self.value) < SMALLEST_NORMAL else Decimal("Infinity")
        gap = abs(self.value - printed)
        if abs(printed) < SMALLEST_NORMAL:  # a subnormal result: its spacing forgiven
            gap = max(gap - SMALLEST_DOUBLE, Decimal(0))
        return gap / abs(printed)


def statements(line: str) -> list[str]:
    """A worked line's statements: its parts split at ";  ", an update's steps at "; "
    and " -> ", each without the parameter's "w^1_11: " in front."""
    found = []
    for part in plain(line).strip().split(";  "):
        part = re.sub(r"^[wb]\S*: ", "", part)
        for step in part.split(" -> "):
            found.extend(s.strip() for s in step.split("; "))
    return found


def recompute(statement: str) -> Recomputed | None:
    """The statement's expression evaluated from its printed numbers, or None when it has
    no numeric expression (a formula, a restatement as dC/db = delta, a heading)."""
    parts = statement.split(" = ")
    if len(parts) < 3 or not _RESULT.fullmatch(parts[-1]) or not numeric(parts[-2]):
        return None
    return Recomputed(statement, parts[-1], evaluate(parts[-2]))
