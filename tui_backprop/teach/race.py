"""Optimizers racing on one cost surface: every racer starts from the same point and takes
its steps with ``core.optimizers`` on the surface's gradient.

The surfaces (``core.config.RACE_SURFACES``):

- ``not-mse``, ``not-cross-entropy``: NOT's mean cost over its one weight and its bias
  (w, b), a = sigma(w x + b), under either cost (a slice of a network, below).
- ``quartic``: the tutorial's f(x) = x^4 - 3x^3 + 2 in one variable (``teach.descent``).
- ``valley``: a narrow quadratic valley f = (x^2 + 50 y^2) / 2: steep across, flat along.
- ``rosenbrock``: f = (1 - x)^2 + 100 (y - x^2)^2, a curved valley with its minimum at (1, 1).
- ``network``: the mean cost of any network through two of its parameters, the others
  held at their values (the landscape scene's slice, ``teach.landscape``).

A network's cost and gradient come from the NumPy reference (``core.reference``), its map
from the kernels (``landscape.cost_grid``).

The regimes (Goh, "Why Momentum Really Works", Distill 2017): on f = (lambda/2) x^2, with
g = lambda x, sgd, momentum and nesterov (as ``core.optimizers`` writes them) are linear
iterations, and the error shrinks by the spectral radius of their matrix per step (the
larger |root| r of the characteristic polynomial r^2 - T r + D = 0), or grows once that
is above 1. With a = alpha lambda:

- sgd: x_{k+1} = (1 - a) x_k, so r = 1 - a (T = 1 - a, D = 0).
- momentum (heavy ball): v_{k+1} = mu v_k - a x_k, x_{k+1} = x_k + v_{k+1}, so
  x_{k+1} = (1 + mu - a) x_k - mu x_{k-1}: T = 1 + mu - a, D = mu.
- nesterov (d = mu v_{k+1} - a x_k, the gradient at theta itself): x_{k+1} =
  (1 - a) x_k + mu v_{k+1} and v_{k+1} = mu v_k - a x_k, the matrix
  [[1 - a (1 + mu), mu^2], [-a, mu]] on (x, v): T = (1 + mu)(1 - a), D = mu (1 - a).
  It converges for 0 < a < 2 (1 + mu) / (1 + 2 mu) (at most 2; momentum: 2 (1 + mu)), and
  at a = 1 both roots are 0: x is 0 after two steps.

Complex roots (T^2 < 4 D) have |r| = sqrt(D): the iterate rings, decaying by sqrt(mu)
a step under momentum, sqrt(mu (1 - a)) under nesterov. Real roots: the larger |root| has
the sign of T, so x ends up keeping its sign (T > 0) or flipping it every step (T < 0).
adagrad, rmsprop and adam divide g by a running root of g^2: their step is not linear in
x, and they have no fixed rate on a quadratic.

lambda is the Hessian's eigenvalue of largest |value| at a point (:func:`curvature`): the
steepest direction. Where it is negative the surface curves down there (a cap or a saddle),
there is no bowl to converge in, and every rule's linearised iterate grows away from the
top of that curve (by the same formulas, a < 0).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..core.arrays import Floats
from ..core.config import RaceConfig, TrainingConfig, UpdateRule
from ..core.model import Network
from ..core.optimizers import OptimizerState, corrected_moments
from ..core.problem import Problem
from ..core.problems import make_problem
from ..core.reference import ReferenceNetwork
from ..core.session import Session
from ..core.spec import NetworkSpec
from .descent import DIVERGED_BEYOND, LEFT_BOUNDS, quartic, quartic_slope
from .landscape import chosen_indices, chosen_parameters, cost_grid

#: One glyph per optimizer: its current point (and, lower case, its trail) on the map,
#: its marker on the loss plot, its row in the table.
GLYPHS = {
    "sgd": "S",
    "momentum": "M",
    "nesterov": "N",
    "adagrad": "G",
    "rmsprop": "R",
    "adam": "A",
}

#: The narrow valley's curvatures across (y) and along (x).
VALLEY_STEEP, VALLEY_FLAT = 50.0, 1.0


@dataclass(frozen=True)
class RaceSurface:
    """A cost over one or two parameters, with its gradient.

    loss, gradient : of theta (dims,)
    lo, hi         : the map (or the curve) covers [lo, hi] in every parameter
    start          : where the racers start unless told
    alphas         : each optimizer's learning rate unless told
    names          : the parameters' names
    grid           : (points) -> (axis (points,), costs (points, points)) with
                     costs[i, j] at (axis[i], axis[j]); None for one parameter
    """

    name: str
    formula: str
    dims: int
    loss: Callable[[Floats], float]
    gradient: Callable[[Floats], Floats]
    lo: float
    hi: float
    start: tuple[float, ...]
    alphas: dict[str, float]
    names: tuple[str, ...]
    grid: Callable[[int], tuple[Floats, Floats]] | None = None


def _analytic_grid(f: Callable[[Floats, Floats], Floats], lo: float, hi: float):
    def grid(points: int) -> tuple[Floats, Floats]:
        axis = np.linspace(lo, hi, points)
        return axis, np.asarray(f(axis[:, None], axis[None, :]), dtype=np.float64)

    return grid


def _valley(x, y):
    return 0.5 * (VALLEY_FLAT * x * x + VALLEY_STEEP * y * y)


def _rosenbrock(x, y):
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


def quartic_surface() -> RaceSurface:
    return RaceSurface(
        "quartic",
        "f(x) = x^4 - 3x^3 + 2",
        1,
        lambda t: quartic(float(t[0])),
        lambda t: np.array([quartic_slope(float(t[0]))]),
        -2.0,
        4.5,
        (4.0,),
        {
            "sgd": 0.01,
            "momentum": 0.005,
            "nesterov": 0.005,
            "adagrad": 0.5,
            "rmsprop": 0.05,
            "adam": 0.1,
        },
        ("x",),
    )


def valley_surface() -> RaceSurface:
    return RaceSurface(
        "valley",
        f"f = (x^2 + {VALLEY_STEEP:g} y^2) / 2",
        2,
        lambda t: float(_valley(t[0], t[1])),
        lambda t: np.array([VALLEY_FLAT * t[0], VALLEY_STEEP * t[1]]),
        -10.0,
        10.0,
        (-9.0, 1.5),
        {
            "sgd": 0.035,
            "momentum": 0.02,
            "nesterov": 0.02,
            "adagrad": 2.0,
            "rmsprop": 0.3,
            "adam": 0.5,
        },
        ("x", "y"),
        _analytic_grid(_valley, -10.0, 10.0),
    )


def rosenbrock_surface() -> RaceSurface:
    return RaceSurface(
        "rosenbrock",
        "f = (1 - x)^2 + 100 (y - x^2)^2",
        2,
        lambda t: float(_rosenbrock(t[0], t[1])),
        lambda t: np.array(
            [-2.0 * (1.0 - t[0]) - 400.0 * t[0] * (t[1] - t[0] ** 2), 200.0 * (t[1] - t[0] ** 2)]
        ),
        -2.0,
        2.0,
        (-1.2, 1.0),
        {
            "sgd": 0.001,
            "momentum": 0.0005,
            "nesterov": 0.0005,
            "adagrad": 0.1,
            "rmsprop": 0.01,
            "adam": 0.02,
        },
        ("x", "y"),
        _analytic_grid(_rosenbrock, -2.0, 2.0),
    )


@dataclass
class NetworkSlice:
    """The mean cost of a network on its data through two of its parameters (flat indices
    ``indices``), every other one held at ``base``'s value."""

    spec: NetworkSpec
    X: Floats
    Y: Floats
    base: Floats
    names: list[str]
    indices: tuple[int, int]
    scratch: Network = field(init=False)

    def __post_init__(self) -> None:
        self.scratch = Network(self.spec)

    def _reference(self, theta: Floats) -> ReferenceNetwork:
        net = self.scratch
        net.params[...] = self.base
        net.params[list(self.indices)] = theta
        spec = self.spec
        return ReferenceNetwork(
            net.weights(), net.biases(), spec.activations, spec.cost, spec.beta, spec.bias
        )

    def loss(self, theta: Floats) -> float:
        return self._reference(theta).loss(self.X, self.Y)

    def gradient(self, theta: Floats) -> Floats:
        """(dC/dtheta_1, dC/dtheta_2): backprop's mean gradient at the two indices."""
        grads_w, grads_b = self._reference(theta).mean_gradient(self.X, self.Y)
        net = self.scratch
        net.params[...] = 0.0
        for m in range(1, self.spec.n_layers + 1):
            net.W[m][...] = grads_w[m - 1]  # type: ignore[index]
            net.b[m][...] = grads_b[m - 1]  # type: ignore[index]
        return net.params[list(self.indices)].copy()

    def grid(self, half_range: float, points: int) -> tuple[Floats, Floats]:
        net = self.scratch
        net.params[...] = self.base
        session = Session(
            self.spec,
            self.X,
            self.Y,
            TrainingConfig(),
            initial=(net.weights(), net.biases() if self.spec.bias else None),
        )
        return cost_grid(session, self.names, half_range, points)


#: Learning rates on a network's cost (NOT's, or any network's slice).
NETWORK_ALPHAS = {
    "sgd": 1.0,
    "momentum": 1.0,
    "nesterov": 1.0,
    "adagrad": 1.0,
    "rmsprop": 0.1,
    "adam": 0.1,
}
#: NOT's start: both outputs saturated near 1, so x = 1 (target 0) is badly wrong and
#: mse's gradient there is nearly 0 (the landscape lesson's start).
NOT_START = (6.0, 6.0)
NOT_RANGE = 15.0


def network_surface(
    name: str,
    formula: str,
    spec: NetworkSpec,
    problem: Problem,
    base: Floats,
    names: list[str],
    half_range: float,
) -> RaceSurface:
    """A slice through parameters ``names`` of ``spec`` on ``problem``'s data, the others
    at ``base`` (flat, in the Network's order); starts at their values in ``base``."""
    network = Network(spec)
    indices = chosen_indices(names, network)
    piece = NetworkSlice(spec, problem.X, problem.Y, base.copy(), names, indices)
    return RaceSurface(
        name,
        formula,
        2,
        piece.loss,
        piece.gradient,
        -half_range,
        half_range,
        (float(base[indices[0]]), float(base[indices[1]])),
        dict(NETWORK_ALPHAS),
        tuple(names),
        lambda points: piece.grid(half_range, points),
    )


def not_surface(cost: str) -> RaceSurface:
    """NOT's mean cost over (w, b) under ``cost``."""
    problem = make_problem("not")
    spec = NetworkSpec.build(1, (), 1, cost=cost)
    base = Network(spec)
    base.set_parameters([np.array([[NOT_START[0]]])], [np.array([NOT_START[1]])])
    formula = "NOT, a = σ(w x + b), " + ("mse" if cost == "mse" else "cross-entropy")
    return network_surface(
        f"not-{cost}",
        formula,
        spec,
        problem,
        base.params,
        ["W1[1,1]", "b1[1]"],
        NOT_RANGE,
    )


def make_surface(
    config: RaceConfig,
    network: tuple[NetworkSpec, Problem, Floats] | None = None,
) -> RaceSurface:
    """The surface ``config`` names, started where it says. ``network``: (spec, problem,
    flat parameters) of the lesson's network, for the ``network`` surface."""
    name = config.surface
    if name.startswith("not-"):
        surface = not_surface(name[4:])
    elif name == "quartic":
        surface = quartic_surface()
    elif name == "valley":
        surface = valley_surface()
    elif name == "rosenbrock":
        surface = rosenbrock_surface()
    else:
        if network is None:
            raise ValueError("the network surface needs a network")
        spec, problem, params = network
        names = chosen_parameters(config.params, Network(spec), "race.params")
        surface = network_surface(
            "network",
            f"network {spec.label}, {spec.cost}",
            spec,
            problem,
            params,
            names,
            config.half_range,
        )
    start = list(surface.start)
    for k, given in enumerate((config.x0, config.y0)[: surface.dims]):
        if given is not None:
            start[k] = given
    return dataclasses.replace(surface, start=tuple(start))


# -- the race -----------------------------------------------------------------------------
@dataclass
class Racer:
    """One optimizer on the surface: its rule, where it is, and everything it did.

    path   : every point visited, from the start (steps + 1, dims)
    losses : the loss at each of them
    grad   : the gradient its last step used (None before the first)
    change : its last step d (None before the first)
    """

    rule: UpdateRule
    theta: Floats
    state: OptimizerState
    path: list[Floats]
    losses: list[float]
    grad: Floats | None = None
    change: Floats | None = None
    #: Why the racer stopped early: it left the bounds (``LEFT_BOUNDS``), or its loss is
    #: not finite there; "" while it goes on.
    diverged_why: str = ""

    @property
    def diverged(self) -> bool:
        return bool(self.diverged_why)

    @property
    def optimizer(self) -> str:
        return self.rule.optimizer

    @property
    def glyph(self) -> str:
        return GLYPHS[self.rule.optimizer]

    @property
    def steps(self) -> int:
        return len(self.path) - 1


class Race:
    """Every racer from ``surface.start``; :meth:`step` moves each one step, together."""

    def __init__(self, surface: RaceSurface, rules: list[UpdateRule], max_steps: int) -> None:
        self.surface = surface
        self.max_steps = max_steps
        start = np.array(surface.start, dtype=np.float64)
        first = surface.loss(start)
        self.racers = [
            Racer(rule, start.copy(), OptimizerState.zeros(surface.dims), [start.copy()], [first])
            for rule in rules
        ]

    @property
    def steps(self) -> int:
        return max((r.steps for r in self.racers), default=0)

    @property
    def finished(self) -> bool:
        return all(r.diverged or r.steps >= self.max_steps for r in self.racers)

    def step(self, count: int = 1) -> None:
        """``count`` steps of every racer still going: g at theta, d from its rule."""
        for _ in range(count):
            for racer in self.racers:
                if racer.diverged or racer.steps >= self.max_steps:
                    continue
                grad = self.surface.gradient(racer.theta)
                with np.errstate(all="ignore"):
                    racer.change = racer.state.update(racer.rule, racer.theta, grad)
                racer.grad = grad
                racer.path.append(racer.theta.copy())
                finite = bool(np.all(np.isfinite(racer.theta)))
                # The loss where it is finite, out of the bounds too (NOT's mse is 0.25
                # far out, Rosenbrock's some 1e40 at x = -4e9): it is what the racer has.
                loss = _loss_or_inf(self.surface, racer.theta) if finite else math.inf
                racer.losses.append(loss)
                if not finite or float(np.max(np.abs(racer.theta))) > DIVERGED_BEYOND:
                    racer.diverged_why = LEFT_BOUNDS
                elif not math.isfinite(loss):
                    racer.diverged_why = "its loss is not finite there"

    def paths(self) -> list[Floats]:
        return [np.array(r.path) for r in self.racers]


def _loss_or_inf(surface: RaceSurface, theta: Floats) -> float:
    """``surface``'s loss at ``theta``, or inf where it overflows (the quartic's x^4 of a
    Python float raises rather than giving inf) or is not finite."""
    try:
        with np.errstate(all="ignore"):
            loss = float(surface.loss(theta))
    except OverflowError:
        return math.inf
    return loss if math.isfinite(loss) else math.inf


def race_rules(config: RaceConfig, surface: RaceSurface) -> list[UpdateRule]:
    """Each racer's rule: its alpha (given, or the surface's), the config's momentum."""
    alphas = config.alphas or tuple(surface.alphas[name] for name in config.optimizers)
    return [
        UpdateRule(alpha=alpha, momentum=config.momentum, optimizer=name)
        for name, alpha in zip(config.optimizers, alphas, strict=True)
    ]


def race_json(race: Race) -> dict:
    """The race as data: the surface, and every racer's rule and trail."""
    return {
        "surface": race.surface.name,
        "formula": race.surface.formula,
        "parameters": list(race.surface.names),
        "start": list(race.surface.start),
        "racers": [
            {
                "optimizer": r.optimizer,
                "rule": dataclasses.asdict(r.rule),
                "steps": r.steps,
                "diverged": r.diverged,
                "diverged_why": r.diverged_why or None,
                "path": [[float(v) for v in point] for point in r.path],
                "losses": [float(v) for v in r.losses],
            }
            for r in race.racers
        ],
    }


# -- what a step did, in words -----------------------------------------------------------
def _vec(values: Floats, digits: int = 4) -> str:
    parts = [f"{float(v):+.{digits}g}" for v in values]
    return parts[0] if len(parts) == 1 else "(" + ", ".join(parts) + ")"


def step_formula(racer: Racer) -> str:
    """The racer's last step as its rule writes it, then the numbers, on two lines whatever
    the numbers (the racers' table keeps its height from step to step, and the map above it
    its size): the rule and its formula; d and g (adam: m^, sqrt(s^), d). Each line fits
    76 columns (the table at 80) for a surface of two parameters."""
    rule, g, d = racer.rule, racer.grad, racer.change
    name = rule.optimizer
    if g is None or d is None:
        return f"{name}: no step yet\n"
    a = f"α {rule.alpha:g}"
    numbers = f"d = {_vec(d)}   g = {_vec(g, 3)}"
    if name == "sgd":
        return f"sgd ({a}): d = -α g\nd = -{rule.alpha:g}·{_vec(g, 3)} = {_vec(d)}"
    if name in ("momentum", "nesterov"):
        head = "v ← μv - αg, d = v" if name == "momentum" else "v ← μv - αg, d = μv - αg"
        return f"{name} ({a}, μ {rule.momentum:g}): {head}\n{numbers}"
    if name == "adagrad":
        return f"adagrad ({a}): G ← G + g², d = -αg/(√G+ε), so |d| ≤ α\n{numbers}"
    if name == "rmsprop":
        return f"rmsprop ({a}, ρ {rule.rho:g}): s ← ρs + (1-ρ)g², d = -αg/(√s+ε)\n{numbers}"
    t = racer.state.t
    if t == 1:
        return (
            f"adam t=1: m̂ = g, ŝ = g², d = -αg/(|g|+ε), |d| = α unless |g| ≈ ε {rule.eps:g}"
            f"\n{numbers}"
        )
    m_hat, s_hat = corrected_moments(rule, racer.state.velocity, racer.state.second, t)
    size = float(np.max(np.abs(d)))
    return (
        f"adam t={t}: m̂ = {_vec(m_hat, 3)}, √ŝ = {_vec(np.sqrt(s_hat), 3)}\n"
        f"d = -αm̂/(√ŝ+ε) = {_vec(d)}: |d| max {size:.3g} ≤~ α {rule.alpha:g}"
    )


# -- the regimes on a quadratic -----------------------------------------------------------
#: The rules whose iteration on f = (lambda/2) x^2 is linear: they have a rate.
LINEAR_RULES = ("sgd", "momentum", "nesterov")
#: alpha lambda at the right edge of a rule's regime map: a tenth past the largest at which
#: any mu in [0, 1) converges (momentum 2 (1 + mu) < 4; nesterov 2 (1 + mu) / (1 + 2 mu) <= 2).
ALPHA_LAMBDA_TOP = {"sgd": 2.2, "momentum": 4.4, "nesterov": 2.2}
#: Rates below this are 0 as far as the numbers allow: nesterov's both roots are 0 at
#: alpha lambda = 1, where the rate is sqrt(mu (1 - alpha lambda)) and a lambda from finite
#: differences (to some 1e-10) leaves some 1e-5.
ZERO_RATE = 1e-4
#: What a rule's root modulus is when its roots are complex (the iterate rings).
RING_MODULUS = {"momentum": "√μ", "nesterov": "√(μ(1-αλ))"}
#: What an adaptive rule divides g by.
ADAPTIVE_SCALE = {"adagrad": "√G", "rmsprop": "√s", "adam": "√ŝ"}


def characteristic(
    optimizer: str, alpha_lam: Floats | float, mu: Floats | float
) -> tuple[Floats, Floats]:
    """(T, D): ``optimizer``'s iteration on f = (lambda/2) x^2 has characteristic
    polynomial r^2 - T r + D, at alpha lambda ``alpha_lam`` and momentum ``mu`` (see the
    module's docstring for the derivations)."""
    a = np.asarray(alpha_lam, dtype=np.float64)
    m = np.asarray(mu, dtype=np.float64)
    if optimizer == "sgd":
        return 1.0 - a, np.zeros(np.broadcast(a, m).shape)
    if optimizer == "momentum":
        return 1.0 + m - a, np.broadcast_to(m, np.broadcast(a, m).shape).copy()
    if optimizer == "nesterov":
        return (1.0 + m) * (1.0 - a), m * (1.0 - a)
    raise ValueError(f"{optimizer} is not linear on a quadratic: it has no fixed rate")


def linear_rate(optimizer: str, alpha: Floats | float, mu: Floats | float, lam: float) -> Floats:
    """The spectral radius of ``optimizer``'s iteration on f = (lam/2) x^2: its rate per
    step (above 1: |x| grows)."""
    trace, det = characteristic(optimizer, np.asarray(alpha, dtype=np.float64) * lam, mu)
    root = np.sqrt((trace * trace - 4.0 * det).astype(np.complex128))
    return np.maximum(np.abs((trace + root) / 2), np.abs((trace - root) / 2))


def regime_axes(optimizer: str, lam: float, columns: int, rows: int) -> tuple[Floats, Floats]:
    """(alphas (columns,), mus (rows,)) of ``optimizer``'s regime map (lam > 0): alpha
    from 0 to ``ALPHA_LAMBDA_TOP`` / lam, mu from 0 to 1, at the cells' centres; mus run
    top (near 1) to bottom (near 0)."""
    alphas = (np.arange(columns) + 0.5) / columns * (ALPHA_LAMBDA_TOP[optimizer] / lam)
    mus = 1.0 - (np.arange(rows) + 0.5) / rows
    return alphas, mus


def regime_map(optimizer: str, lam: float, columns: int, rows: int) -> Floats:
    """``optimizer``'s rate (rows, columns) over :func:`regime_axes`, row 0 at the top."""
    alphas, mus = regime_axes(optimizer, lam, columns, rows)
    return linear_rate(optimizer, alphas[None, :], mus[:, None], lam)


def _rate_text(rate: float) -> str:
    """A rate with the digits that tell it from 1: within a thousandth of 1 as 1 - 0.00042
    or 1 + 0.00042; else with as few significant digits (3 at least) as keep it on its
    side of 1 (1.0015 to 3 digits is 1, to 4 1.002)."""
    if 0.999 < rate < 1:
        return f"1 - {1 - rate:.2g}"
    if 1 < rate < 1.001:
        return f"1 + {rate - 1:.2g}"
    for digits in range(3, 18):
        shown = f"{rate:.{digits}g}"
        if (float(shown) > 1) == (rate > 1) and (float(shown) < 1) == (rate < 1):
            break
    return shown


def _factor_text(rate: float) -> str:
    """×rate, in parentheses when it is a sum (×(1 + 0.00042), ×1.002)."""
    shown = _rate_text(rate)
    return f"×({shown})" if " " in shown else f"×{shown}"


def regime_of(rule: UpdateRule, lam: float, shape: str) -> str:
    """In words, short enough for one line at 80 columns: what ``rule`` does on
    f = (lam/2) x^2, lam the curvature :func:`curvature` found, along its direction (the
    words name no axis: the surfaces' own are called x and y, and lam's may be either).
    ``shape`` is :func:`shape_at` there: where lam < 0 the line names it (a saddle, or
    concave), and where lam is nan (a Hessian not finite) it says so."""
    name = rule.optimizer
    if name not in LINEAR_RULES:
        return f"no fixed rate: d is g over {ADAPTIVE_SCALE[name]}, not a multiple of it"
    if not math.isfinite(lam):
        return f"no rate: the Hessian at ○ is {shape}, no λ to tell one"
    rate = float(linear_rate(name, rule.alpha, rule.momentum, lam))
    shown = _rate_text(rate)
    if lam < 0:
        return f"{shape} at ○, λ < 0: no bowl, away {_factor_text(rate)} a step"
    if rate > 1.0 + 1e-12:
        return f"rate {shown} per step > 1: diverges"
    if rate >= 1.0 - 1e-12:
        return "rate 1 per step: neither converges nor diverges"
    if rate < ZERO_RATE:
        return "rate ≈ 0: at the minimum along λ's direction in two steps"
    trace, det = characteristic(name, rule.alpha * lam, rule.momentum)
    if trace * trace < 4.0 * det:
        return f"rate {shown} per step: rings (complex roots, {RING_MODULUS[name]})"
    return f"rate {shown} per step: " + ("monotone" if trace > 0 else "flips sign each step")


#: An eigenvalue of the Hessian below this in size counts as flat.
FLAT = 1e-9
#: The shape at a point whose Hessian is not finite (the words the race uses for a loss
#: that is not finite): the signs of its eigenvalues cannot tell one.
NOT_FINITE = "not finite"


def hessian_eigenvalues(surface: RaceSurface, point: tuple[float, ...] | Floats) -> Floats:
    """The Hessian's eigenvalues (dims,), ascending, at ``point``, by central differences
    of the gradient; nan where the Hessian is not finite (numpy's eigvalsh takes a
    matrix of nan for one of 0: flat)."""
    x = np.array(point, dtype=np.float64)
    n = x.size
    hessian = np.empty((n, n))
    for k in range(n):
        h = 1e-5 * max(1.0, abs(x[k]))
        up, down = x.copy(), x.copy()
        up[k] += h
        down[k] -= h
        with np.errstate(all="ignore"):
            hessian[:, k] = (surface.gradient(up) - surface.gradient(down)) / (2 * h)
    if not np.all(np.isfinite(hessian)):
        return np.full(n, math.nan)
    return np.asarray(np.linalg.eigvalsh((hessian + hessian.T) / 2), dtype=np.float64)


def curvature_of(eigenvalues: Floats) -> float:
    """The eigenvalue (of the Hessian's ``eigenvalues``) of largest |value|, with its
    sign: the lambda of the quadratic that matches the surface there most steeply
    (negative: it curves down that way). FLAT where it is flat; nan where they are not
    finite (no lambda to tell)."""
    if not np.all(np.isfinite(eigenvalues)):
        return math.nan
    lam = float(eigenvalues[np.argmax(np.abs(eigenvalues))])
    return lam if abs(lam) > FLAT else FLAT


def shape_of(eigenvalues: Floats) -> str:
    """What the surface is where the Hessian has ``eigenvalues``, by their signs (each
    within FLAT of 0 counts as 0): "saddle" where they take both signs, "concave" where
    all are negative, "convex" where all are positive, "flat" (all 0), "ridge" (the rest
    negative: a cap along a line) or "trough" (the rest positive); NOT_FINITE where they
    are not finite, which tells no shape."""
    if not np.all(np.isfinite(eigenvalues)):
        return NOT_FINITE
    below = bool(np.any(eigenvalues < -FLAT))
    above = bool(np.any(eigenvalues > FLAT))
    if below and above:
        return "saddle"
    if np.all(np.abs(eigenvalues) <= FLAT):
        return "flat"
    if np.all(eigenvalues < -FLAT):
        return "concave"
    if np.all(eigenvalues > FLAT):
        return "convex"
    return "ridge" if below else "trough"


def curvature_and_shape(
    surface: RaceSurface, point: tuple[float, ...] | Floats
) -> tuple[float, str]:
    """(:func:`curvature_of`, :func:`shape_of`) at ``point``, from one Hessian."""
    eigenvalues = hessian_eigenvalues(surface, point)
    return curvature_of(eigenvalues), shape_of(eigenvalues)


def curvature(surface: RaceSurface, point: tuple[float, ...] | Floats) -> float:
    """:func:`curvature_of` the Hessian at ``point``."""
    return curvature_of(hessian_eigenvalues(surface, point))


def shape_at(surface: RaceSurface, point: tuple[float, ...] | Floats) -> str:
    """:func:`shape_of` the Hessian at ``point``."""
    return shape_of(hessian_eigenvalues(surface, point))
