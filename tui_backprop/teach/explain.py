"""One update, phase by phase, with every formula's numbers filled in.

For a lecture: the forward pass layer by layer, the cost, the deltas from the output back
to layer 1, the gradients and the update, each as the formula in the README's
notation followed by the same formula with the current numbers and its result. It is
computed here with plain NumPy (the reference's activation functions) from the Session's
current weights, apart from the kernels, so that every number shown can be checked by hand
from the ones before it; the tests check it against the reference and against the update
the kernels make.

Notation: W^m (N^m, N^{m-1}), z^m = W^m a^{m-1} + b^m, a^m = sigma(z^m), delta^m = dC/dz^m,
d = -alpha g + mu d_prev, theta <- theta + d for momentum (the default); the other update
rules (core.optimizers) fill in their own formulas: for adam m, s, their bias corrections
m^, s^ and the step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..core.arrays import NO_LAYER, Floats, PerLayer, layer_arrays
from ..core.config import RULE_SETTINGS, UpdateRule
from ..core.optimizers import change, corrected_moments, penalised
from ..core.reference import activation, activation_slope
from ..core.session import Session
from ..core.spec import NetworkSpec
from .digits import (
    DIGITS,
    NodeNumbers,
    change_texts,
    cross_entropy_terms,
    figures,
    forward_numbers,
    node_numbers,
    operand,
    reading,
)


def val(x: float) -> str:
    """A result: 4 significant digits (and 0, not -0); large and small ones as 3e210,
    1.5e-5 (no "+" or leading zeros in the exponent); nan, inf, -inf."""
    return figures(x)


def num(x: float) -> str:
    """An operand in a formula: as ``val``, negatives in parentheses."""
    text = val(x)
    return f"({text})" if text.startswith("-") else text


@dataclass
class Phase:
    """One step of the update: its formula (general form) and one line per node or weight.

    values holds the numbers for scripts (lists per quantity, as JSON takes them)."""

    kind: str  # forward, cost, output-delta, hidden-delta, gradient, batch-mean, update
    layer: int | None  # None for the cost and batch-mean phases
    title: str
    formula: str
    lines: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    example: int | None = None  # the example (0-based) of a per-example phase


def weight_label(m: int, i: int, j: int) -> str:
    """w^m_ij in the README's plain notation for W^m's row i, column j (0-based here,
    1-based in the name), the indices split by a comma past 9: w^2_11, w^1_10,3."""
    row, col = i + 1, j + 1
    return f"w^{m}_{row}{col}" if row < 10 and col < 10 else f"w^{m}_{row},{col}"


def bias_label(m: int, i: int) -> str:
    """b^m_i in the README's plain notation for b^m's entry i (0-based here, 1-based in
    the name): b^2_1."""
    return f"b^{m}_{i + 1}"


def _sigma(name: str, z: Floats, beta: float) -> Floats:
    with np.errstate(over="ignore"):
        return activation(name, z, beta, np.empty_like(z))


def sigma_text(
    name: str,
    beta: float,
    z: float,
    a: float,
    z_name: str = "z",
    numbers: NodeNumbers | None = None,
) -> str:
    """a = sigma(z) with the numbers in, the activation ``name``'s own way; ``z_name``
    names z where the sigmoid and linear forms write it (z^1_2 in a walk's line, plain z
    under a node's heading). z and a are written as ``numbers`` (a walk's, see
    ``digits.forward_numbers``) or ``digits.node_numbers`` says: near saturation with
    the digits that recompute 1 - a, or a as 1 - 1.954e-13."""
    b = "" if beta == 1.0 else f"{num(beta)}*"
    numbers = numbers or node_numbers(name, beta, z, a)
    if name == "sigmoid":
        return f"sigma({z_name}) = 1/(1 + e^-({b}{numbers.z})) = {numbers.a}"
    if name == "tanh":
        return f"tanh({numbers.z}) = {numbers.a}"
    if name == "relu":
        return f"max(0, {numbers.z}) = {numbers.a}"
    return f"{z_name} = {numbers.a}"


def _slope(name: str, beta: float, z: Floats, a: Floats) -> Floats:
    return activation_slope(name, z, a, beta, np.empty_like(z))


def slope_text(
    name: str, beta: float, z: float, a: float, numbers: NodeNumbers | None = None
) -> str:
    """sigma'(z) written with the numbers it is computed from (a as ``sigma_text`` writes
    it, so that a(1 - a) and 1 - a^2 recompute near saturation too)."""
    b = "" if beta == 1.0 else f"{num(beta)}*"
    a_text = (numbers or node_numbers(name, beta, z, a)).a_operand
    if name == "sigmoid":
        return f"{b}{a_text}*(1 - {a_text})"
    if name == "tanh":
        return f"(1 - {a_text}^2)"
    if name == "relu":
        return f"[{num(z)} > 0]"
    return "1"


def _forward(
    spec: NetworkSpec, W: list[Floats], b: list[Floats], x: ArrayLike
) -> tuple[list[Floats], list[Floats]]:
    """z[m], a[m] for one example (index 0: z[0] empty, a[0] = x)."""
    z, a = [NO_LAYER], [np.asarray(x, dtype=np.float64)]
    for m in range(1, spec.n_layers + 1):
        z.append(W[m] @ a[m - 1] + b[m])
        a.append(_sigma(spec.activations[m - 1], z[m], spec.beta))
    return z, a


def forward_many(
    spec: NetworkSpec, W: Sequence[Floats | None], b: Sequence[Floats | None], X: ArrayLike
) -> Floats:
    """(n, N^L) outputs a^L for the rows of X (n, N^0): the same forward pass, for many
    inputs at once (the app's output map). W[m], b[m] for m = 1..L (index 0 None)."""
    weights, biases = layer_arrays(W), layer_arrays(b)
    a = np.asarray(X, dtype=np.float64)
    for m in range(1, spec.n_layers + 1):
        a = _sigma(spec.activations[m - 1], a @ weights[m].T + biases[m], spec.beta)
    return a


def _example_phases(
    spec: NetworkSpec, W: list[Floats], b: list[Floats], x: Floats, y: Floats, k: int
) -> tuple[list[Phase], list[Floats], list[Floats], list[int]]:
    """Forward, cost, deltas and gradients of example k; returns (phases, gW, gb, digits):
    gW and gb lists indexed by layer with an empty array at index 0, digits[m] the
    significant digits its forward lines wrote W^m and b^m with (4 but where a saturating
    node needs more: ``digits.forward_numbers``)."""
    L = spec.n_layers
    tag = f" (example {k + 1})"
    phases = []
    z, a = _forward(spec, W, b, x)
    # How each node's z and a are written, in every line that uses them, and the digits
    # of each layer's weights and biases in its forward lines (more than 4 only where a
    # saturating node needs them: see digits.forward_numbers).
    numbers, row_digits = forward_numbers(spec.activations, spec.beta, W, b, z, a, y)
    for m in range(1, L + 1):
        act = spec.activations[m - 1]
        phase = Phase(
            "forward",
            m,
            f"forward, layer {m}{tag}",
            f"z^{m} = W^{m} a^{m - 1}{f' + b^{m}' if spec.bias else ''},  a^{m} = {act}(z^{m})",
            values={"z": z[m].tolist(), "a": a[m].tolist()},
        )
        for i in range(spec.sizes[m]):
            digits = row_digits[m]
            terms = " + ".join(
                f"{operand(figures(W[m][i, j], digits))}*{numbers[m - 1][j].a_operand}"
                for j in range(spec.sizes[m - 1])
            )
            names = " + ".join(
                f"{weight_label(m, i, j)}*a^{m - 1}_{j + 1}" for j in range(spec.sizes[m - 1])
            )
            if spec.bias:
                names += f" + b^{m}_{i + 1}"
                terms += f" + {operand(figures(b[m][i], digits))}"
            phase.lines.append(
                f"z^{m}_{i + 1} = {names} = {terms} = {numbers[m][i].z};  a^{m}_{i + 1} = "
                + sigma_text(act, spec.beta, z[m][i], a[m][i], f"z^{m}_{i + 1}", numbers[m][i])
            )
        phases.append(phase)

    out = a[L]
    outputs = numbers[L]
    if spec.cost == "cross-entropy":
        formula, line, cost = _cross_entropy_line(spec.beta, z[L], out, y, outputs)
    else:
        cost = float(0.5 * np.sum((out - y) ** 2))
        terms = " + ".join(f"({outputs[i].a_operand} - {num(y[i])})^2" for i in range(len(y)))
        formula = "C = 1/2 |a^L - y|^2"
        line = f"C = 1/2 ({terms}) = {val(cost)}"
    phases.append(
        Phase(
            "cost",
            None,
            f"cost{tag}",
            formula,
            [line],
            {"cost": cost, "target": np.asarray(y).tolist()},
        )
    )

    delta = [NO_LAYER] * (L + 1)
    act = spec.activations[L - 1]
    if spec.cost == "cross-entropy":
        delta[L] = spec.beta * (out - y)
        beta = "" if spec.beta == 1.0 else f"{num(spec.beta)}*"
        phase = Phase(
            "output-delta",
            L,
            f"output delta, layer {L}{tag}",
            f"delta^{L} = dC/da^{L} * sigma'(z^{L}) = (a^{L} - y)/(a^{L}(1 - a^{L})) * "
            f"{beta}a^{L}(1 - a^{L}) = {beta}(a^{L} - y): the a^{L}(1 - a^{L}) cancels",
            values={"delta": delta[L].tolist()},
        )
        for i in range(spec.sizes[L]):
            phase.lines.append(
                f"delta^{L}_{i + 1} = {beta}({outputs[i].a_operand} - {num(y[i])}) = "
                f"{val(delta[L][i])}"
            )
    else:
        slope = _slope(act, spec.beta, z[L], out)
        delta[L] = (out - y) * slope
        phase = Phase(
            "output-delta",
            L,
            f"output delta, layer {L}{tag}",
            f"delta^{L} = (a^{L} - y) * sigma'(z^{L})",
            values={"delta": delta[L].tolist()},
        )
        for i in range(spec.sizes[L]):
            phase.lines.append(
                f"delta^{L}_{i + 1} = ({outputs[i].a_operand} - {num(y[i])}) * "
                f"{slope_text(act, spec.beta, z[L][i], out[i], outputs[i])} = "
                f"{val(delta[L][i])}"
            )
    phases.append(phase)

    for m in range(L - 1, 0, -1):
        act = spec.activations[m - 1]
        back = W[m + 1].T @ delta[m + 1]
        slope = _slope(act, spec.beta, z[m], a[m])
        delta[m] = back * slope
        phase = Phase(
            "hidden-delta",
            m,
            f"hidden delta, layer {m}{tag}",
            f"delta^{m}_j = (sum_k W^{m + 1}_kj delta^{m + 1}_k) * sigma'(z^{m}_j)",
            values={"delta": delta[m].tolist()},
        )
        for j in range(spec.sizes[m]):
            terms = " + ".join(
                f"{num(W[m + 1][k, j])}*{num(delta[m + 1][k])}" for k in range(spec.sizes[m + 1])
            )
            phase.lines.append(
                f"delta^{m}_{j + 1} = ({terms}) * "
                f"{slope_text(act, spec.beta, z[m][j], a[m][j], numbers[m][j])} = "
                f"{val(delta[m][j])}"
            )
        phases.append(phase)

    gW = [NO_LAYER] + [np.outer(delta[m], a[m - 1]) for m in range(1, L + 1)]
    gb = [NO_LAYER] + [
        delta[m].copy() if spec.bias else np.zeros_like(delta[m]) for m in range(1, L + 1)
    ]
    for m in range(1, L + 1):
        phase = Phase(
            "gradient",
            m,
            f"gradient, layer {m}{tag}",
            f"dC/dW^{m}_ij = delta^{m}_i a^{m - 1}_j"
            + (f",  dC/db^{m}_i = delta^{m}_i" if spec.bias else ""),
            values={"grad_W": gW[m].tolist(), "grad_b": gb[m].tolist()},
        )
        for i in range(spec.sizes[m]):
            # Named with their layer, as the update's lines name the same parameters:
            # layer 1's dC/dw^1_11 and layer 2's dC/dw^2_11 read apart.
            parts = [
                f"dC/d{weight_label(m, i, j)} = {num(delta[m][i])}*{numbers[m - 1][j].a_operand}"
                f" = {val(gW[m][i, j])}"
                for j in range(spec.sizes[m - 1])
            ]
            if spec.bias:
                parts.append(f"dC/d{bias_label(m, i)} = delta^{m}_{i + 1} = {val(gb[m][i])}")
            phase.lines.append(";  ".join(parts))
        phases.append(phase)
    return phases, gW, gb, row_digits


def _cross_entropy_line(
    beta: float, z: Floats, a: Floats, y: Floats, outputs: list[NodeNumbers]
) -> tuple[str, str, float]:
    """The cost phase's formula, its worked line and the cost, cross-entropy on sigmoid
    outputs. The cost is the kernels' (core/reference.py's): computed through z, as
    y ln(1 + e^-z) + (1 - y) ln(1 + e^z), which stays finite where a rounds to 0 or 1.
    The line writes it with ln a and ln(1 - a) while each output's a is written as a plain
    number between 0 and 1 (with the digits 1 - a needs); an a written as 1 - 1.954e-13,
    or as 0 or 1 (ln(1 - 1) would be ln 0), has the line written with z, whose digits give
    the cost."""
    cost = cross_entropy_terms(beta, z, y)
    formula = "C = -sum(y ln a + (1 - y) ln(1 - a))"
    if all(" " not in n.a and 0.0 < reading(n.a) < 1.0 for n in outputs):
        terms = " + ".join(
            f"{num(y[i])}*ln {n.a_operand} + (1 - {num(y[i])})*ln(1 - {n.a_operand})"
            for i, n in enumerate(outputs)
        )
        return formula, f"C = -({terms}) = {val(cost)}", cost
    b = "" if beta == 1.0 else f"{num(beta)}*"
    candidates = [[n.z for n in outputs]] + [
        [figures(v, digits) for v in z] for digits in range(5, 18)
    ]
    chosen = next(
        (
            texts
            for texts in candidates
            if val(cross_entropy_terms(beta, np.array([float(t) for t in texts]), y)) == val(cost)
        ),
        candidates[-1],
    )
    terms = " + ".join(
        f"{num(y[i])}*ln(1 + e^-({b}{t})) + (1 - {num(y[i])})*ln(1 + e^({b}{t}))"
        for i, t in enumerate(chosen)
    )
    bz = "z" if beta == 1.0 else "beta z"
    formula += (
        f", through z where a rounds near 0 or 1: ln a = -ln(1 + e^-({bz})), "
        f"ln(1 - a) = -ln(1 + e^({bz}))"
    )
    # The worked line has the numbers alone: the formula above names the symbols (a
    # line's z would be the output layer's, z^L_i, one per output).
    return formula, f"C = {terms} = {val(cost)}", cost


@dataclass
class Explanation:
    """The phases of one update, and the update's resulting parameters.

    new_W[m], new_b[m]: parameters after the update; step_W[m], step_b[m]: the change d;
    grad_W[m], grad_b[m]: the (batch-mean) gradient g; prev_W[m], prev_b[m]: the previous
    change d_prev, so that d = -alpha g + mu d_prev splits into its two parts. Each list
    is indexed by layer, m = 1..L; index 0 is None.
    """

    examples: list[int]
    phases: list[Phase]
    new_W: PerLayer
    new_b: PerLayer
    step_W: PerLayer
    step_b: PerLayer
    grad_W: PerLayer = field(default_factory=list)
    grad_b: PerLayer = field(default_factory=list)
    prev_W: PerLayer = field(default_factory=list)
    prev_b: PerLayer = field(default_factory=list)
    alpha: float = 0.0
    momentum: float = 0.0
    rule: UpdateRule = field(default_factory=UpdateRule)
    t: int = 1  # the update's number since the optimizer's state was zero
    # Per layer, each quantity of the rule for W^m and b^m (see _rule_step): g, the
    # state before and after ("velocity", "second"), and for adam m^ and s^.
    state_W: list[dict[str, Floats] | None] = field(default_factory=list)
    state_b: list[dict[str, Floats] | None] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "examples": [k + 1 for k in self.examples],
            "phases": [
                {
                    "kind": p.kind,
                    "layer": p.layer,
                    "title": p.title,
                    "formula": p.formula,
                    "lines": p.lines,
                    "values": p.values,
                }
                for p in self.phases
            ],
        }

    def text(self) -> str:
        out = []
        for p in self.phases:
            out.append(f"== {p.title}:  {p.formula}")
            out.extend(f"   {line}" for line in p.lines)
        return "\n".join(out)


#: Batches up to this size show the mean gradient's sum term by term.
MEAN_TERMS = 4


def _mean_line(name: str, terms: Sequence[float], total: float, mean: float) -> str:
    """One parameter's batch-mean gradient, e.g. "g(w^1_11) = (0.1379 + 0)/2 = 0.06894":
    the sum with its terms (each example's gradient phase computed them) while they fit a
    line; beyond MEAN_TERMS, the sum alone."""
    batch = len(terms)
    shown = "(" + " + ".join(num(t) for t in terms) + ")" if batch <= MEAN_TERMS else num(total)
    return f"g({name}) = {shown}/{batch} = {val(mean)}"


#: Each rule's formula, in the notation of core.optimizers (g the mean gradient).
_FORMULAS = {
    "sgd": "d = -alpha*g",
    "momentum": "d = -alpha*g + mu*d_prev",
    "nesterov": "v = mu*v_prev - alpha*g, d = mu*v - alpha*g",
    "adagrad": "G = G_prev + g^2, d = -alpha*g/(sqrt(G) + eps)",
    "rmsprop": "s = rho*s_prev + (1-rho)*g^2, d = -alpha*g/(sqrt(s) + eps)",
    "adam": (
        "m = beta1*m_prev + (1-beta1)*g, s = beta2*s_prev + (1-beta2)*g^2, "
        "m^ = m/(1-beta1^t), s^ = s/(1-beta2^t), d = -alpha*m^/(sqrt(s^) + eps)"
    ),
}


#: How the formulas name a rule's settings (see RULE_SETTINGS), where not by their field.
_WORDS = {"momentum": "mu"}


def update_formula(rule: UpdateRule, t: int) -> str:
    """The update phase's formula with the rule's settings, e.g. for momentum
    "d = -alpha*g + mu*d_prev, w <- w + d  (alpha 0.1, mu 0.9)"."""
    name = rule.optimizer
    settings = [f"alpha {num(rule.alpha)}"]
    for setting in RULE_SETTINGS[name]:
        value = getattr(rule, setting)
        shown = f"{value:g}" if setting == "eps" else num(value)
        settings.append(f"{_WORDS.get(setting, setting)} {shown}")
    if name == "adam":
        settings.append(f"t {t}")
    formula = _FORMULAS[name]
    if rule.weight_decay:
        where = "w and b" if rule.decay_biases else "w"
        formula = f"g = dC/dw + lambda*w ({where}), " + formula
        settings.append(f"lambda {num(rule.weight_decay)}")
    label = "" if name == "momentum" else f"{name}: "
    return f"{label}{formula}, w <- w + d  ({', '.join(settings)})"


def _rule_step(
    rule: UpdateRule,
    theta: Floats,
    grad: Floats,
    velocity: Floats,
    second: Floats,
    t: int,
    decays: bool,
) -> dict[str, Floats]:
    """Every quantity of one update of ``theta`` by ``rule`` (see core.optimizers), on
    copies: the gradient "grad" (dC/dtheta), "g" (with weight decay), the state before
    ("velocity_prev", "second_prev") and after, adam's "m_hat" and "s_hat", and "d"."""
    g = penalised(rule, theta, grad, decays)
    v, s = velocity.copy(), second.copy()
    d = change(rule, theta, g, v, s, t)
    parts = {
        "grad": grad,
        "g": np.asarray(g),
        "velocity_prev": velocity,
        "second_prev": second,
        "velocity": v,
        "second": s,
        "d": d,
    }
    if rule.optimizer == "adam":
        parts["m_hat"], parts["s_hat"] = corrected_moments(rule, v, s, t)
    return parts


def parameter_quantities(
    parts: dict[str, Floats], index: int | tuple[int, int]
) -> dict[str, float]:
    """One parameter's quantities out of a layer's (see ``_rule_step``)."""
    return {key: float(value[index]) for key, value in parts.items()}


def rule_steps(
    rule: UpdateRule, t: int, old: float, q: dict[str, float], digits: int = DIGITS
) -> list[str]:
    """One parameter's update by ``rule`` as formulas with the numbers in, one per step,
    ending with d; ``old`` is the parameter, written to ``digits`` significant digits (as
    the forward lines wrote it), ``q`` its quantities (``parameter_quantities``). For
    momentum: ["d = -0.1*0.25 + 0.9*0.02 = -0.007"]."""
    alpha, g, d = num(rule.alpha), num(q["g"]), q["d"]
    steps = []
    if rule.weight_decay and q["g"] != q["grad"]:
        theta = operand(figures(old, digits))
        steps.append(f"g = {num(q['grad'])} + {num(rule.weight_decay)}*{theta} = {val(q['g'])}")
    name = rule.optimizer
    if name == "sgd":
        steps.append(f"d = -{alpha}*{g} = {val(d)}")
    elif name == "momentum":
        mu, d_prev = num(rule.momentum), num(q["velocity_prev"])
        steps.append(f"d = -{alpha}*{g} + {mu}*{d_prev} = {val(d)}")
    elif name == "nesterov":
        mu = num(rule.momentum)
        steps.append(f"v = {mu}*{num(q['velocity_prev'])} - {alpha}*{g} = {val(q['velocity'])}")
        steps.append(f"d = {mu}*{num(q['velocity'])} - {alpha}*{g} = {val(d)}")
    elif name == "adagrad":
        steps.append(f"G = {num(q['second_prev'])} + {g}^2 = {val(q['second'])}")
        steps.append(f"d = -{alpha}*{g}/(sqrt({num(q['second'])}) + eps) = {val(d)}")
    elif name == "rmsprop":
        rho = num(rule.rho)
        steps.append(f"s = {rho}*{num(q['second_prev'])} + (1-{rho})*{g}^2 = {val(q['second'])}")
        steps.append(f"d = -{alpha}*{g}/(sqrt({num(q['second'])}) + eps) = {val(d)}")
    else:  # adam
        b1, b2 = num(rule.beta1), num(rule.beta2)
        steps.append(f"m = {b1}*{num(q['velocity_prev'])} + (1-{b1})*{g} = {val(q['velocity'])}")
        steps.append(f"s = {b2}*{num(q['second_prev'])} + (1-{b2})*{g}^2 = {val(q['second'])}")
        steps.append(f"m^ = {num(q['velocity'])}/(1-{b1}^{t}) = {val(q['m_hat'])}")
        steps.append(f"s^ = {num(q['second'])}/(1-{b2}^{t}) = {val(q['s_hat'])}")
        steps.append(f"d = -{alpha}*{num(q['m_hat'])}/(sqrt({num(q['s_hat'])}) + eps) = {val(d)}")
    return steps


def rule_state(rule: UpdateRule, t: int, q: dict[str, float]) -> str:
    """The state the rule keeps for one parameter after its update, e.g. for adam
    "m = 0.0034, s = 3.97e-7, t = 4"; "" for sgd (it keeps none)."""
    velocity, second = val(q["velocity"]), val(q["second"])
    return {
        "sgd": "",
        "momentum": f"d_prev = {velocity} (the next update's)",
        "nesterov": f"v = {velocity}",
        "adagrad": f"G = {second}",
        "rmsprop": f"s = {second}",
        "adam": f"m = {velocity}, s = {second}, t = {t}",
    }[rule.optimizer]


def _rule_line(
    rule: UpdateRule, t: int, name: str, old: float, new: float, q: dict[str, float], digits: int
) -> str:
    """One parameter's update with the numbers in, e.g. for momentum
    "w^1_11: d = -0.1*0.25 + 0.9*0.02 = -0.007 -> w^1_11 = 0.5 + (-0.007) = 0.493"; the
    parameter as the forward lines wrote it, and its new value, to ``digits`` significant
    digits, or to more where the step would not show in those (``change_texts``)."""
    steps = "; ".join(rule_steps(rule, t, old, q, digits))
    before, after = change_texts(old, new, q["d"], digits)
    return f"{name}: {steps} -> {name} = {before} + {num(q['d'])} = {after}"


def explain_update(session: Session, examples: list[int]) -> Explanation:
    """Explain the update the Session would make on the batch of ``examples`` (0-based
    indices), from its current weights and momentum. Changes nothing in the Session."""
    spec = session.spec
    net = session.network
    L = spec.n_layers
    W = [NO_LAYER] + [w.copy() for w in layer_arrays(net.W)[1:]]
    b = [NO_LAYER] + [v.copy() for v in layer_arrays(net.b)[1:]]
    dW = [NO_LAYER] + [w.copy() for w in layer_arrays(net.dW)[1:]]
    db = [NO_LAYER] + [v.copy() for v in layer_arrays(net.db)[1:]]
    phases: list[Phase] = []
    sum_W = [NO_LAYER] + [np.zeros_like(w) for w in W[1:]]
    sum_b = [NO_LAYER] + [np.zeros_like(v) for v in b[1:]]
    batch = len(examples)
    # Each example's gradients, for the mean's lines.
    terms_W: list[list[Floats]] = []
    terms_b: list[list[Floats]] = []
    # The digits each layer's parameters were written with: the most any example's
    # forward lines took, so that the update's lines use a number already shown.
    param_digits = [DIGITS] * (L + 1)
    for k in examples:
        example_phases, gW, gb, digits = _example_phases(spec, W, b, session.X[k], session.Y[k], k)
        param_digits = [max(p, d) for p, d in zip(param_digits, digits, strict=True)]
        for phase in example_phases:
            phase.example = k
        phases.extend(example_phases)
        terms_W.append(gW)
        terms_b.append(gb)
        for m in range(1, L + 1):
            sum_W[m] += gW[m]
            sum_b[m] += gb[m]
    g_W = [NO_LAYER] + [s / batch for s in sum_W[1:]]
    g_b = [NO_LAYER] + [s / batch for s in sum_b[1:]]
    if batch > 1:
        phase = Phase(
            "batch-mean",
            None,
            f"mean gradient over the batch of {batch}",
            f"g = (1/{batch}) sum over the batch of dC/dtheta",
            values={
                "grad_W": [g.tolist() for g in g_W[1:]],
                "grad_b": [g.tolist() for g in g_b[1:]],
            },
        )
        # Every parameter the update phases change, in their order (a node's weights,
        # then its bias), so that each g they use is on screen before them.
        for m in range(1, L + 1):
            for i in range(spec.sizes[m]):
                for j in range(spec.sizes[m - 1]):
                    terms = [g[m][i, j] for g in terms_W]
                    phase.lines.append(
                        _mean_line(weight_label(m, i, j), terms, sum_W[m][i, j], g_W[m][i, j])
                    )
                if spec.bias:
                    terms = [g[m][i] for g in terms_b]
                    phase.lines.append(_mean_line(bias_label(m, i), terms, sum_b[m][i], g_b[m][i]))
        phases.append(phase)
    rule = session.rule
    t = session.optimizer_steps + 1
    net = session.network
    second_W = [NO_LAYER] + [w.copy() for w in layer_arrays(net.sW)[1:]]
    second_b = [NO_LAYER] + [v.copy() for v in layer_arrays(net.sb)[1:]]
    new_W: PerLayer = [None]
    new_b: PerLayer = [None]
    step_W: PerLayer = [None]
    step_b: PerLayer = [None]
    state_W: list[dict[str, Floats] | None] = [None]
    state_b: list[dict[str, Floats] | None] = [None]
    for m in range(1, L + 1):
        parts_W = _rule_step(rule, W[m], g_W[m], dW[m], second_W[m], t, True)
        parts_b = _rule_step(rule, b[m], g_b[m], db[m], second_b[m], t, rule.decay_biases)
        step_W.append(parts_W["d"])
        step_b.append(parts_b["d"])
        state_W.append(parts_W)
        state_b.append(parts_b)
        nW, nb = W[m] + parts_W["d"], b[m] + parts_b["d"]
        new_W.append(nW)
        new_b.append(nb)
        phase = Phase(
            "update",
            m,
            f"update, layer {m}",
            update_formula(rule, t),
            values={
                "step_W": parts_W["d"].tolist(),
                "step_b": parts_b["d"].tolist(),
                "W": nW.tolist(),
                "b": nb.tolist(),
                "velocity_W": parts_W["velocity"].tolist(),
                "velocity_b": parts_b["velocity"].tolist(),
                "second_W": parts_W["second"].tolist(),
                "second_b": parts_b["second"].tolist(),
            },
        )
        for i in range(spec.sizes[m]):
            for j in range(spec.sizes[m - 1]):
                name = weight_label(m, i, j)
                q = parameter_quantities(parts_W, (i, j))
                phase.lines.append(
                    _rule_line(rule, t, name, W[m][i, j], nW[i, j], q, param_digits[m])
                )
            if spec.bias:
                q = parameter_quantities(parts_b, i)
                phase.lines.append(
                    _rule_line(rule, t, bias_label(m, i), b[m][i], nb[i], q, param_digits[m])
                )
        phases.append(phase)
    return Explanation(
        list(examples),
        phases,
        new_W,
        new_b,
        step_W,
        step_b,
        [None, *g_W[1:]],
        [None, *g_b[1:]],
        [None, *dW[1:]],
        [None, *db[1:]],
        session.alpha,
        session.momentum,
        rule,
        t,
        state_W,
        state_b,
    )
