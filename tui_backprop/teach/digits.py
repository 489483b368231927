"""How a node's z and a are written in the worked lines: with the digits that let every
line using them be recomputed by hand.

Four significant digits (``figures(x)``) are enough for most numbers, but not for an
activation near where it saturates: a sigmoid's a = 0.9972 gives 1 - a = 0.0028 where the
network uses 0.002797, and a = 1 (printed for 1 - 1.954e-13) gives 1 - a = 0 and
ln(1 - a) = -inf. The lines use 1 - a (the sigmoid's slope a(1 - a), cross-entropy, the
output delta a - y for y = 1) and 1 - a^2 (tanh's slope), so a is written with up to
``MOST_DIGITS`` digits when those give its distance from 1 (a = 0.98661), and beyond that
as the distance itself, a = 1 - 1.954e-13 (for tanh also -1 + 6.106e-8): the number the
network has, as a double (from 1 - a < 1e-4 or so). Then z is written with the digits
that give that a back through the activation (1/(1 + e^-(29.2636))): near saturation a
small change of z makes a large relative change of 1 - a.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Significant digits of a number in a worked line.
DIGITS = 4
#: At most this many digits of a saturating a; closer to +-1 it is written 1 - c.
MOST_DIGITS = 7
#: How close, relatively, what a line computes from a written a (1 - a, e^-z) must come
#: to what the network has: half a unit in the last of 4 digits, at worst.
CLOSE = 5e-4
#: A double's significant digits: enough for any z.
DOUBLE_DIGITS = 17
#: The activations whose a nears +-1 and whose lines use 1 - a or 1 - a^2.
SATURATING = ("sigmoid", "tanh")


def figures(x: float, digits: int = DIGITS, zeros: bool = False) -> str:
    """x to ``digits`` significant digits (and 0, not -0); large and small ones as 3e210,
    1.5e-5 (no "+" or leading zeros in the exponent); nan, inf, -inf. With ``zeros`` its
    trailing zeros are kept (-0.149410, not -0.14941): all ``digits`` are written."""
    text = f"{x + 0.0:{'#' if zeros else ''}.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


def change_texts(old: float, new: float, d: float, least: int = DIGITS) -> tuple[str, str]:
    """A parameter before and after its change d (new = old + d) as an update's line
    writes them, ``old + (d) = new``: to ``least`` significant digits (those the forward
    lines wrote the parameter with), unless the change does not show there, the two texts
    differing by less than half of d or by more than half again (at 4 digits a weight of
    -0.1494104 and d = -4.755e-5 give -0.1494 + (-4.755e-5) = -0.1494, "no change"). Then
    both are written down to the place of d's second significant digit, trailing zeros
    kept so that both end there: -0.149410 + (-4.755e-5) = -0.149458."""
    before, after = figures(old, least), figures(new, least)
    if not (d != 0.0 and math.isfinite(d) and math.isfinite(old) and math.isfinite(new)):
        return before, after
    if abs((reading(after) - reading(before)) - d) <= 0.5 * abs(d):
        return before, after
    size = max(abs(old), abs(new))
    digits = math.floor(math.log10(size)) - math.floor(math.log10(abs(d))) + 2
    digits = min(max(digits, least + 1), DOUBLE_DIGITS)
    return figures(old, digits, zeros=True), figures(new, digits, zeros=True)


def operand(text: str) -> str:
    """A number's text as an operand in a formula: in parentheses when it is negative or
    written as a sum (1 - 1.954e-13)."""
    return f"({text})" if text.startswith("-") or " " in text else text


def reading(text: str) -> float:
    """The value of a number's text as ``figures`` or ``NodeNumbers.a`` write it (for
    "1 - c" and "-1 + c", the nearest double)."""
    if " - " in text:
        whole, _, part = text.partition(" - ")
        return float(whole) - float(part)
    if " + " in text:
        whole, _, part = text.partition(" + ")
        return float(whole) + float(part)
    return float(text)


def _sigmoid(t: float) -> float:
    """1/(1 + e^-t), without overflow."""
    if t >= 0:
        return 1.0 / (1.0 + math.exp(-t))
    e = math.exp(t)
    return e / (1.0 + e)


def distance_from_one(name: str, beta: float, z: float) -> float:
    """1 - |a| for a = sigma(z) on the side where |a| nears 1, computed from z so that it
    keeps its digits where a rounds to +-1: sigmoid 1/(1 + e^{beta z}) (for z >= 0),
    tanh 2/(1 + e^{2|z|})."""
    if name == "sigmoid":
        return _sigmoid(-beta * z)
    return 2.0 * _sigmoid(-2.0 * abs(z))


def _activation(name: str, beta: float, z: float) -> float:
    if name == "sigmoid":
        return _sigmoid(beta * z)
    if name == "tanh":
        return math.tanh(z)
    if name == "relu":
        return max(0.0, z)
    return z


@dataclass(frozen=True)
class NodeNumbers:
    """A node's z and a as the worked lines write them (see the module's docstring);
    z_digits: z's significant digits."""

    z: str
    a: str
    z_digits: int = DIGITS

    @property
    def a_operand(self) -> str:
        """a as an operand: (-0.4007), (1 - 1.954e-13)."""
        return operand(self.a)


def _a_text(name: str, a: float, least: int, target: float | None) -> tuple[str, int]:
    """a's text, at least ``least`` digits, and its significant digits (0 for the form
    1 - c). Its distance from +-1 (a saturating a past 0.5) and from the ``target`` y
    (an output's) come out within CLOSE of the network's, so that a(1 - a), 1 - a^2 and
    a - y, computed from it, come out right to their 4 digits, or nearly (up to
    a = 0.9, 4 digits always do)."""
    near_one = name in SATURATING and abs(a) >= 0.5
    anchors = ([1.0 if a > 0 else -1.0] if near_one else []) + (
        [target] if target is not None else []
    )
    if not anchors:
        return figures(a, least), least
    most = MOST_DIGITS if near_one else DOUBLE_DIGITS
    for digits in range(least, max(least, most) + 1):
        text = figures(a, digits)
        shown = reading(text)
        if all(abs((shown - t) - (a - t)) <= CLOSE * abs(a - t) for t in anchors):
            return text, digits
    if not near_one:
        return figures(a, DOUBLE_DIGITS), DOUBLE_DIGITS
    rest = 1.0 - abs(a)  # exact for |a| >= 0.5: the distance the network's a has
    if rest == 0.0:
        return ("1" if a > 0 else "-1"), 0
    return (f"1 - {figures(rest)}" if a > 0 else f"-1 + {figures(rest)}"), 0


def node_numbers(
    name: str,
    beta: float,
    z: float,
    a: float,
    least: int = DIGITS,
    target: float | None = None,
) -> NodeNumbers:
    """The texts of z and a = sigma(z) for an activation ``name`` (see the module's
    docstring): a with the digits its distance from +-1 and from an output's ``target``
    need (and at least ``least``, which a line using it may need), z with the digits that
    give that a (4 each, mostly)."""
    if not (math.isfinite(z) and math.isfinite(a)):
        return NodeNumbers(figures(z), figures(a))
    a_text, digits = _a_text(name, a, least, target)
    if name not in SATURATING:  # a = z, or relu's 0
        if a == z:
            return NodeNumbers(a_text, a_text, digits)
        return NodeNumbers(figures(z), a_text)
    if digits == 0:  # a written as 1 - c: z must give c
        distance = figures(distance_from_one(name, beta, z))

        def gives(text: str) -> bool:
            return figures(distance_from_one(name, beta, float(text))) == distance

    elif digits > DIGITS:

        def gives(text: str) -> bool:
            return figures(_activation(name, beta, float(text)), digits) == a_text

    else:  # 4 digits: as close as they are (e^-z of a z near -30 needs z to more)

        def gives(text: str) -> bool:
            return abs(_activation(name, beta, float(text)) - a) <= CLOSE * abs(a)

    for z_digits in range(DIGITS, DOUBLE_DIGITS + 1):
        z_text = figures(z, z_digits)
        if gives(z_text):
            return NodeNumbers(z_text, a_text, z_digits)
    return NodeNumbers(figures(z, DOUBLE_DIGITS), a_text, DOUBLE_DIGITS)


def forward_numbers(
    activations: tuple[str, ...],
    beta: float,
    W: list[np.ndarray],
    b: list[np.ndarray],
    z: list[np.ndarray],
    a: list[np.ndarray],
    targets: np.ndarray | None = None,
) -> tuple[list[list[NodeNumbers]], list[int]]:
    """Every node's texts (layer 0: the inputs, z and a both x) for one example's forward
    pass, and the digits of each layer's W^m and b^m in its lines (index 0 unused).

    A z written with more than 4 digits (a saturating node's a needs them) must come out
    of its line z = W a + b to all of them, so that line's weights, bias and inputs a^{m-1}
    get the digits for it, and an a^{m-1} written with more digits needs its own z to more:
    the requirement goes back layer by layer (W, z, a: lists indexed by layer, W[0]
    unused). The outputs' a also give a - y for ``targets`` y that their 4 digits write
    exactly. Without saturation, or an output next to its target, everything is written
    to 4 digits."""
    n_layers = len(activations)
    least = [[DIGITS] * len(a[m]) for m in range(n_layers + 1)]
    numbers: list[list[NodeNumbers]] = [[] for _ in range(n_layers + 1)]
    row_digits = [DIGITS] * (n_layers + 1)

    def texts(m: int, digits: list[int]) -> list[NodeNumbers]:
        if m == 0:
            return [
                NodeNumbers(figures(x, d), figures(x, d), d)
                for x, d in zip(a[0], digits, strict=True)
            ]
        act = activations[m - 1]
        return [
            node_numbers(act, beta, z[m][i], a[m][i], d, goal(m, i)) for i, d in enumerate(digits)
        ]

    def goal(m: int, i: int) -> float | None:
        if m != n_layers or targets is None:
            return None
        y = float(targets[i])
        return y if float(figures(y)) == y else None

    for m in range(n_layers, 0, -1):
        numbers[m] = texts(m, least[m])
        exact = [i for i, n in enumerate(numbers[m]) if n.z_digits > DIGITS]
        if not exact:
            continue
        for digits in range(DIGITS, DOUBLE_DIGITS + 1):
            inputs = texts(m - 1, [max(d, digits) for d in least[m - 1]])
            shown = np.array([reading(n.a) for n in inputs])
            weights = np.array([[float(figures(w, digits)) for w in row] for row in W[m]])
            biases = np.array([float(figures(v, digits)) for v in b[m]])
            sums = weights @ shown + biases
            if all(figures(sums[i], numbers[m][i].z_digits) == numbers[m][i].z for i in exact):
                break
        row_digits[m] = digits
        least[m - 1] = [max(d, digits) for d in least[m - 1]]
    numbers[0] = texts(0, least[0])
    return numbers, row_digits


def cross_entropy_terms(beta: float, z: np.ndarray, y: np.ndarray) -> float:
    """-sum(y ln a + (1 - y) ln(1 - a)) as the kernels compute it, through z:
    sum(y ln(1 + e^-(beta z)) + (1 - y) ln(1 + e^(beta z)))."""
    t = beta * np.asarray(z, dtype=np.float64)
    return float(np.sum(y * np.logaddexp(0.0, -t) + (1.0 - y) * np.logaddexp(0.0, t)))
