"""Predict mode: before a phase of an explained update is shown, ask for one of its numbers.

A question names a quantity the way the README writes it (``delta^2_1``, ``a^1_2``, ``C``,
``dC/dW^1_12``, ``W^2_11 after``) and is answered right when the typed number is within
``tolerance`` of the value, relative to the value, but never stricter than that tolerance
times 0.01 (so a value near 0 is not asked to 10 digits).

Which quantities: a lesson's ``[quiz] ask`` list (see :func:`parse_ask`), each asked at the
first phase of the update that computes it; without one, one per phase: the first node's
a^m of each forward layer, the cost, each delta^m, dC/dW^m_11 and W^m_11 after the update.
A lesson's list is checked against the network (:func:`check_asks`): a quantity it does not
have would never be asked, and predict mode would say nothing of it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..core.errors import ConfigError
from ..core.spec import NetworkSpec
from .digits import figures
from .explain import Explanation, Phase

#: Relative tolerance of an answer unless a lesson sets one.
DEFAULT_TOLERANCE = 0.01

_QUANTITY = re.compile(
    r"^(?P<name>a|z|delta|dC/dW|dC/dw|dC/db|W|w|b|C|cost)"
    r"(?:\^(?P<layer>L|\d+))?(?:_(?P<index>\d+(?:,\d+)?))?(?P<after>\s+after)?$"
)


@dataclass(frozen=True)
class Ask:
    """A quantity to ask for: its name (a, z, delta, dC/dW, dC/db, W, b or C), its layer
    (None: the output layer, written L, or none for C), its node i and, for W and dC/dW,
    column j (1-based), and whether it is the value after the update (W, b)."""

    name: str
    layer: int | None
    i: int
    j: int

    def text(self, layers: int) -> str:
        """How the question names it, in the README's notation."""
        if self.name == "C":
            return "C, this example's cost"
        m = layers if self.layer is None else self.layer
        if self.name in ("W", "dC/dW"):
            pair = f"{self.i}{self.j}" if self.i < 10 and self.j < 10 else f"{self.i},{self.j}"
            where = f"^{m}_{pair}"
        else:
            where = f"^{m}_{self.i}"
        after = " after the update" if self.name in ("W", "b") else ""
        # One entry of W^m is w^m_ij, as the walk writes it (dC/dw^1_11, not dC/dW^1_11).
        name = {"W": "w", "dC/dW": "dC/dw"}.get(self.name, self.name)
        return f"{name}{where}{after}"


def parse_ask(text: str) -> Ask:
    """``delta^L``, ``delta^1_2``, ``a^2``, ``z^1_3``, ``C``, ``dC/dW^1_12``, ``dC/db^2_1``,
    ``w^2_11 after``, ``b^1_2 after`` (a weight past 9 with a comma: ``W^1_10,3``);
    raises ValueError for anything else."""
    match = _QUANTITY.match(text.strip())
    if match is None:
        raise ValueError(
            f"not a quantity: {text!r} (like delta^L, a^1_2, C, dC/dW^1_12, w^2_11 after)"
        )
    # w and dC/dw as the explain walk writes them, W and dC/dW as the README's formulas
    name = {"w": "W", "dC/dw": "dC/dW", "cost": "C"}.get(match["name"], match["name"])
    layer_text, index = match["layer"], match["index"] or ""
    if name in ("W", "b") and not match["after"]:
        raise ValueError(f"{text!r}: a weight is asked for after the update: add ' after'")
    if match["after"] and name not in ("W", "b"):
        raise ValueError(f"{text!r}: only W and b are asked for after the update")
    if name == "C" and (layer_text or index):
        raise ValueError(f"{text!r}: the cost C has no layer or index")
    layer = None if layer_text in (None, "L") else int(layer_text)
    if layer == 0:
        raise ValueError(f"{text!r}: layers are numbered from 1")
    if name in ("W", "dC/dW"):
        if "," in index:  # past 9, as the walk writes them: w^1_10,3
            row, column = index.split(",")
            i, j = int(row), int(column)
        elif len(index) in (0, 2):
            i, j = (int(index[0]), int(index[1])) if index else (1, 1)
        else:
            raise ValueError(f"{text!r}: a weight takes two indices, as W^2_11 or W^2_10,3")
    elif "," in index:
        raise ValueError(f"{text!r}: a node takes one index, as a^1_2")
    else:
        i, j = (int(index) if index else 1), 0
    if i == 0 or (name in ("W", "dC/dW") and j == 0):
        raise ValueError(f"{text!r}: nodes are numbered from 1")
    return Ask(name, layer, i, j)


def check_asks(asks: tuple[str, ...], spec: NetworkSpec, built: str = "") -> None:
    """Each of ``asks`` must be well formed (:func:`parse_ask`) and name what the network
    ``spec`` has: a layer of 1..L, a node of that layer, a weight of W^m's rows and
    columns, a bias only when it has biases. Predict mode would never ask for anything
    else, and say nothing of it. Raises ConfigError("quiz.ask") naming the first that
    fails; ``built``, if given, says after the network's layer sizes how it was built."""
    network = f"the network {spec.label}" + (f" ({built})" if built else "")
    for text in asks:
        try:
            ask = parse_ask(text)
        except ValueError as error:
            raise ConfigError("quiz.ask", str(error)) from None
        problem = _absent(ask, spec, network)
        if problem:
            raise ConfigError("quiz.ask", f"{text!r}: {problem}")


def _numbered(count: int, what: str) -> str:
    """``what`` 1 only, or ``what``s 1..count."""
    return f"{what} 1 only" if count == 1 else f"{what}s 1..{count}"


def _absent(ask: Ask, spec: NetworkSpec, network: str) -> str:
    """What of ``ask`` the network ``spec`` lacks, in words; "" if it has it all."""
    if ask.name == "C":
        return ""
    L = spec.n_layers
    m = L if ask.layer is None else ask.layer
    if m > L:
        return f"{network} has no layer {m} (it has {_numbered(L, 'layer')})"
    if ask.name in ("b", "dC/db") and not spec.bias:
        return f"{network} has no biases"
    rows, columns = spec.sizes[m], spec.sizes[m - 1]
    if ask.name in ("W", "dC/dW"):
        if ask.i > rows or ask.j > columns:
            return (
                f"{network} has no weight w^{m}_{ask.i}{ask.j} (W^{m} is {rows}x{columns}: "
                f"{_numbered(rows, 'row')}, {_numbered(columns, 'column')})"
            )
    elif ask.i > rows:
        return f"layer {m} of {network} has no node {ask.i} (it has {_numbered(rows, 'node')})"
    return ""


#: The phase kind that computes each quantity, and the key of its values.
_WHERE = {
    "a": ("forward", "a"),
    "z": ("forward", "z"),
    "delta": ("delta", "delta"),
    "C": ("cost", "cost"),
    "dC/dW": ("gradient", "grad_W"),
    "dC/db": ("gradient", "grad_b"),
    "W": ("update", "W"),
    "b": ("update", "b"),
}

DEFAULT_ASKS = (
    "a^1",
    "a^2",
    "a^3",
    "a^4",
    "C",
    "delta^4",
    "delta^3",
    "delta^2",
    "delta^1",
    "dC/dW^1_11",
    "dC/dW^2_11",
    "W^1_11 after",
    "W^2_11 after",
)


@dataclass(frozen=True)
class Question:
    """Asked before phase ``phase`` is shown: what (``label``) and the right ``value``."""

    phase: int
    label: str
    value: float


def _value(ask: Ask, phase: Phase, layers: int) -> float | None:
    kind, key = _WHERE[ask.name]
    if kind == "delta":
        if phase.kind not in ("output-delta", "hidden-delta"):
            return None
    elif phase.kind != kind:
        return None
    m = layers if ask.layer is None else ask.layer
    if kind != "cost" and phase.layer != m:
        return None
    values = phase.values.get(key)
    if values is None:
        return None
    if kind == "cost":
        return float(values)
    try:
        if ask.name in ("W", "dC/dW"):
            return float(values[ask.i - 1][ask.j - 1])
        return float(values[ask.i - 1])
    except IndexError:
        return None


def questions(
    explanation: Explanation, asks: tuple[str, ...] = (), layers: int | None = None
) -> dict[int, Question]:
    """Phase index -> its question, each ask at the first phase that computes it (at most
    one question a phase); ``asks`` empty: DEFAULT_ASKS, those the network has."""
    phases = explanation.phases
    L = layers if layers is not None else max(p.layer or 0 for p in phases)
    found: dict[int, Question] = {}
    for text in asks or DEFAULT_ASKS:
        ask = parse_ask(text)
        for index, phase in enumerate(phases):
            value = _value(ask, phase, L)
            if value is not None:
                if index not in found:
                    found[index] = Question(index, ask.text(L), value)
                break
    return found


def judge(answer: float, value: float, tolerance: float = DEFAULT_TOLERANCE) -> bool:
    """Right if |answer - value| <= tolerance |value| (relative to the value's own size,
    however small), or if the answer is the value as the walk writes it, figures(value)
    (4 significant digits: what is on screen is always right, whatever the tolerance).

    So the sign must be right (a tolerance is below 1), and a value of exactly 0 is
    answered only by 0: a tiny value is a number like any other, not "about 0"."""
    if not math.isfinite(answer):
        return False
    if answer * value < 0:  # a wrong sign, however close in size
        return False
    return abs(answer - value) <= tolerance * abs(value) or figures(answer) == figures(value)


def rule_text(tolerance: float = DEFAULT_TOLERANCE) -> str:
    """How :func:`judge` marks an answer, in words, for the question box."""
    return (
        f"right: within {100 * tolerance:.3g}% of its own size, sign too, or as the walk writes it"
    )
