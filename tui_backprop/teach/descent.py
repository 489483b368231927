"""Gradient descent on functions of one and two variables: the tutorials' first scene.

One variable: f(x) = x^4 - 3x^3 + 2, f'(x) = 4x^3 - 9x^2, f''(x) = 12x^2 - 18x. The step is
x <- x - gamma f'(x), written as the tutorial writes it (x_new += -gamma * df(x_old)) so
that IEEE doubles reproduce its printed result exactly; it stops when
|x_new - x_old| <= precision, and the second-derivative test classifies the stationary
point reached: the minimum at 9/4, or (f'' = 0, no verdict) the inflection point at 0, which
a start below 0 creeps up to and stops short of (``quartic_verdict``).

Two variables: a bowl (a minimum), a cap (a maximum, reached by gradient ascent) and a
saddle (reached from a start on its stable line), classified by the Hessian test:
D = f_xx f_yy - f_xy^2; D > 0 and f_xx > 0 a minimum, D > 0 and f_xx < 0 a maximum,
D < 0 a saddle, D = 0 no verdict.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..core.arrays import Floats
from ..core.config import DescentConfig
from .digits import figures

#: A run stops as diverged once |x| passes this (a start is at most
#: ``core.config.MAX_START`` from 0; one past a double's range diverges at once).
DIVERGED_BEYOND = 1e6
#: What a run (or a racer) that passed it did, in words.
LEFT_BOUNDS = "the point left [-{0}, {0}]".format(figures(DIVERGED_BEYOND))


def quartic(x: float) -> float:
    return x**4 - 3 * x**3 + 2


def quartic_value(x: float) -> float:
    """f(x), or inf where x**4 would overflow a double (|x| >= 1e75, or x not finite):
    f grows without bound both ways."""
    return quartic(x) if abs(x) < 1e75 else math.inf


def quartic_slope(x: float) -> float:
    """f'(x) = 4x^3 - 9x^2, as the tutorial's df."""
    return 4 * x**3 - 9 * x**2


def quartic_curvature(x: float) -> float:
    """f''(x) = 12x^2 - 18x."""
    return 12 * x**2 - 18 * x


@dataclass(frozen=True)
class Descent:
    """Where a run ended and how: path (steps + 1, dims) holds every point visited."""

    point: tuple[float, ...]
    steps: int
    #: The run reached a stationary point: its steps fell to the precision there.
    converged: bool
    diverged: bool
    path: Floats
    value: float
    verdict: str  # "minimum", "maximum", "saddle", "no verdict" (or "" when diverged)
    test: str  # the test with its numbers
    #: A run that reached a saddle point: how it could (``saddle_reach``); "" otherwise.
    reach: str = ""
    #: What ended the run: ``PRECISION`` (a step at most the precision, at a stationary
    #: point or, when gamma is tiny or the precision loose, far from one), ``STEP_LIMIT``
    #: or ``DIVERGED``.
    stopped_by: str = ""


#: Descent.stopped_by's values.
PRECISION, STEP_LIMIT, DIVERGED = "precision", "step limit", "diverged"


def stopped_by(diverged: bool, step: float, precision: float) -> str:
    """What ended a run whose last step was ``step``: a divergence, a step at most the
    precision, else the step limit."""
    if diverged:
        return DIVERGED
    return PRECISION if step <= precision else STEP_LIMIT


#: The quartic's stationary points, where f'(x) = x^2 (4x - 9) is 0: its minimum, 9/4
#: (f'' = 81/4 > 0), and 0, where f'' = 0 too and f' is negative on both sides: an
#: inflection point, a flat step on the way down, not a minimum.
MINIMUM = 9 / 4
INFLECTION = 0.0


def second_derivative_test(x: float) -> tuple[str, str]:
    """The test at x: the sign of f''(x) = 12x^2 - 18x. It classifies a stationary point
    only (``quartic_verdict`` says which one a run stopped at)."""
    c = quartic_curvature(x)
    if c > 0:
        return "minimum", f"f''(x) = {c:.6g} > 0: a minimum"
    if c < 0:
        return "maximum", f"f''(x) = {c:.6g} < 0: a maximum"
    return "no verdict", "f''(x) = 0: the test gives no verdict"


#: How near a stationary point a run that converged must stop to have reached it: its
#: steps, gamma f'(x), also fall below the precision far from one when gamma is tiny or
#: the precision loose (from x0 = 5 with gamma 1e-9, at once). The two points are 9/4 apart.
NEAR = 0.05


def reached_stationary(x: float) -> bool:
    """x is next to one of the quartic's two stationary points (within ``NEAR``)."""
    return min(abs(x - MINIMUM), abs(x - INFLECTION)) <= NEAR


def quartic_verdict(x: float, stop: str) -> tuple[str, str]:
    """What a run that stopped at x (by ``stop``, not a divergence) reached, and the test
    that says so.

    A run whose steps fell to the precision next to one of the two stationary points
    (``reached_stationary``): next to 9/4 the test at x is the test at 9/4 (f'' > 0 all
    around it). Next to 0 it is not: a run from x0 < 0 creeps up to 0 (f' vanishes there
    as x^2) and stops short of it, where f''(x) > 0 would call a minimum what is an
    inflection point; f''(0) = 0 gives no verdict, and the signs of f' on either side
    decide. Anywhere else (the step limit, or steps too small to move far) no stationary
    point was reached, and the test does not apply: "no verdict", and why.
    """
    if stop != PRECISION or not reached_stationary(x):
        why = (
            "the run stopped at its step limit"
            if stop == STEP_LIMIT
            else "its steps, gamma f'(x), fell below the precision (gamma tiny, or the "
            "precision loose)"
        )
        return (
            "no verdict",
            f"f'(x) = {quartic_slope(x):.3g}, not 0: {why} before a stationary point, so no test",
        )
    if abs(x - MINIMUM) <= NEAR:
        return second_derivative_test(x)
    return "inflection", (
        "f''(0) = 0: the test gives no verdict; f'(x) = x^2 (4x - 9) < 0 on both sides "
        "of 0: an inflection point, not a minimum"
    )


def quartic_point_line(x: float, verdict: str) -> str:
    """The tutorial's last line, "Local minimum occurs at x", as true for where the run
    stopped (``quartic_verdict``'s verdict)."""
    if verdict == "minimum":
        return f"Local minimum occurs at {x!r}"
    if verdict == "inflection":
        if x == INFLECTION:
            return f"Inflection point occurs at {x!r}"
        return f"Stopped short of the inflection point at 0, at {x!r}"
    return f"Stopped at {x!r}"


def descend(
    x0: float, gamma: float, precision: float, max_steps: int = DescentConfig.max_steps
) -> Descent:
    """The tutorial's loop on the quartic, from x0."""
    x_old, x_new = math.inf, float(x0)
    path = [x_new]
    steps = 0
    diverged = False
    while abs(x_new - x_old) > precision and steps < max_steps:
        x_old = x_new
        try:
            x_new += -gamma * quartic_slope(x_old)
        except OverflowError:  # x**3 past a double's range (a start far out): diverged
            x_new = math.copysign(math.inf, -x_old)
        steps += 1
        path.append(x_new)
        if not (math.isfinite(x_new) and abs(x_new) <= DIVERGED_BEYOND):
            diverged = True
            break
    stop = stopped_by(diverged, abs(x_new - x_old), precision)
    converged = stop == PRECISION and reached_stationary(x_new)
    verdict, test = ("", "") if diverged else quartic_verdict(x_new, stop)
    value = quartic_value(x_new)
    path_array = np.array(path)[:, None]
    return Descent((x_new,), steps, converged, diverged, path_array, value, verdict, test, "", stop)


@dataclass(frozen=True)
class Surface:
    """f(x, y) with its gradient and Hessian, and the direction that reaches its point."""

    name: str
    formula: str
    f: Callable[[float, float], float]
    gradient: Callable[[float, float], tuple[float, float]]
    hessian: Callable[[float, float], tuple[float, float, float]]  # f_xx, f_yy, f_xy
    ascent: bool
    start: tuple[float, float]


SURFACES = {
    "bowl": Surface(
        "bowl",
        "x^2 + x y + 2 y^2",
        lambda x, y: x * x + x * y + 2 * y * y,
        lambda x, y: (2 * x + y, x + 4 * y),
        lambda x, y: (2.0, 4.0, 1.0),
        ascent=False,
        start=(2.0, 1.5),
    ),
    "cap": Surface(
        "cap",
        "-(x^2 + y^2) + x",
        lambda x, y: -(x * x + y * y) + x,
        lambda x, y: (-2 * x + 1, -2 * y),
        lambda x, y: (-2.0, -2.0, 0.0),
        ascent=True,
        start=(-1.0, 2.0),
    ),
    "saddle": Surface(
        "saddle",
        "x^2 - y^2",
        lambda x, y: x * x - y * y,
        lambda x, y: (2 * x, -2 * y),
        lambda x, y: (2.0, -2.0, 0.0),
        ascent=False,
        start=(2.0, 0.0),
    ),
}


def _factor(x: float) -> str:
    """x as a factor after another, or squared: a negative one in parentheses (2*(-2),
    (-1)^2, not 2*-2, -1^2)."""
    return f"({x:g})" if x < 0 else f"{x:g}"


#: The last steps a diverged run's path is read over (``runaway``).
LAST_STEPS = 3


def _direction(step: Floats) -> str:
    """A direction in words: an axis where the step is (nearly, 10 to 1) along one, else
    the unit vector."""
    names = ("x", "y")[: step.size]
    size = np.abs(step)
    k = int(np.argmax(size))
    if size.size == 1 or size[k] >= 10 * np.delete(size, k).max():
        return names[k]
    unit = step / np.linalg.norm(step)
    return "(" + ", ".join(f"{float(v):.2g}" for v in unit) + ")"


def runaway(
    path: Floats, f: Callable[[Floats], float], ascent: bool, gamma_name: str, gamma: float
) -> str:
    """Why a run that left the bounds did, from its path (steps + 1, dims) and f (of a
    point (dims,)): where the objective (f, -f for ascent) fell at each of the last
    ``LAST_STEPS`` steps, the function is unbounded that way (below, or above for
    ascent), whatever gamma: say along which direction, and which coordinates flip sign
    and grow as well (gamma overshoots along those). Else gamma overshoots: each step
    lands farther out on the other side, f growing (a bowl, the quartic)."""
    sign = -1.0 if ascent else 1.0
    points = path[max(0, len(path) - 1 - LAST_STEPS) :]
    with np.errstate(all="ignore"):
        objective = sign * np.array([f(point) for point in points], dtype=np.float64)
        changes = np.diff(objective)
    falling = changes.size > 0 and bool(np.all(np.isfinite(changes) & (changes < 0)))
    if not falling:
        return f"{gamma_name} {gamma:g} overshoots, {LEFT_BOUNDS}"
    way, rises = ("above", "rises") if ascent else ("below", "falls")
    words = (
        f"f is unbounded {way}: it {rises} without end along {_direction(points[-1] - points[-2])}"
    )
    flipping = [
        name
        for k, name in enumerate(("x", "y")[: path.shape[1]])
        if np.all(points[1:, k] * points[:-1, k] < 0)
        and np.all(np.abs(points[1:, k]) > np.abs(points[:-1, k]))
    ]
    if flipping:
        words += f" ({gamma_name} {gamma:g} overshoots along {', '.join(flipping)} too)"
    return f"{words}; {LEFT_BOUNDS}"


def diverged_words(function: str, result: Descent, gamma_name: str, gamma: float) -> str:
    """:func:`runaway` for a diverged run of ``descend`` (``function`` "quartic") or of
    ``descend_surface`` on ``SURFACES[function]``."""
    if function == "quartic":
        return runaway(result.path, lambda p: quartic(p[0]), False, gamma_name, gamma)
    surface = SURFACES[function]
    return runaway(result.path, lambda p: surface.f(p[0], p[1]), surface.ascent, gamma_name, gamma)


def path_values(function: str, points: Floats) -> Floats:
    """f at each of ``points`` (n, dims), points of a run's path on the quartic
    (``function`` "quartic", dims 1) or on ``SURFACES[function]`` (dims 2): shape (n,),
    inf or nan where f overflows."""
    if function == "quartic":
        return np.array([quartic_value(float(x)) for (x,) in points], dtype=np.float64)
    f = SURFACES[function].f  # Python floats: an overflow gives inf (or nan), not an error
    return np.array([f(float(x), float(y)) for x, y in points], dtype=np.float64)


def saddle_reach(surface: Surface, start: tuple[float, float], point: tuple[float, float]) -> str:
    """How a run that stopped at ``point`` reached the saddle point near it: only from
    the line through it along which the surface curves up (its ridge for the descent),
    across the Hessian's eigenvector the run is driven away along. A start exactly on
    it has no gradient across it, so no step leaves it; a start off it by some d leaves
    it geometrically, and a run that stopped has not yet. "" where the point is no
    saddle."""
    fxx, fyy, fxy = surface.hessian(*point)
    hessian = np.array([[fxx, fxy], [fxy, fyy]])
    eigenvalues, vectors = np.linalg.eigh(hessian)
    if np.sign(eigenvalues[0]) == np.sign(eigenvalues[1]):
        return ""
    # The saddle point itself (the surfaces are quadratics: one Newton step from near it).
    point = tuple(np.subtract(point, np.linalg.solve(hessian, surface.gradient(*point))))
    # The direction the run is driven away along: downhill for descent, uphill for ascent.
    away = vectors[:, 0] if not surface.ascent else vectors[:, 1]
    offset = float(np.dot(np.subtract(start, point), away))
    # The ridge named by its equation where it is an axis's line (x^2 - y^2: y = 0).
    k = int(np.argmax(np.abs(away)))
    name = ("x", "y")[k]
    if abs(away[k]) > 1 - 1e-12:
        ridge = f"{name} = {point[k] + 0.0:g}"
        along = name
    else:
        ridge = "the line through it across " + _direction(away)
        along = _direction(away)
    what = "ascent" if surface.ascent else "descent"
    if offset == 0:
        return (
            f"reached only because the start is exactly on the ridge {ridge}: off it, {what} "
            f"runs away along {along}"
        )
    return (
        f"the start is {abs(offset):.2g} off the ridge {ridge}: too little to grow visible "
        "before the steps fell below the precision"
    )


def hessian_test(fxx: float, fyy: float, fxy: float) -> tuple[str, str]:
    d = fxx * fyy - fxy * fxy
    shown = f"D = f_xx f_yy - f_xy^2 = {fxx:g}*{_factor(fyy)} - {_factor(fxy)}^2 = {d:g}"
    if d > 0:
        kind = "minimum" if fxx > 0 else "maximum"
        return kind, f"{shown} > 0 and f_xx = {fxx:g} {'>' if fxx > 0 else '<'} 0: a {kind}"
    if d < 0:
        return "saddle", f"{shown} < 0: a saddle point"
    return "no verdict", f"{shown}: the test gives no verdict"


def descend_surface(
    surface: Surface,
    start: tuple[float, float],
    gamma: float,
    precision: float,
    max_steps: int = DescentConfig.max_steps,
) -> Descent:
    """Gradient descent (ascent for a cap) on ``surface`` until a step is <= precision."""
    sign = 1.0 if surface.ascent else -1.0
    x, y = map(float, start)
    path = [(x, y)]
    step = math.inf
    steps = 0
    diverged = False
    while step > precision and steps < max_steps:
        gx, gy = surface.gradient(x, y)
        dx, dy = sign * gamma * gx, sign * gamma * gy
        x, y = x + dx, y + dy
        step = math.hypot(dx, dy)
        steps += 1
        path.append((x, y))
        if not (math.isfinite(x) and math.isfinite(y) and max(abs(x), abs(y)) <= DIVERGED_BEYOND):
            diverged = True
            break
    stop = stopped_by(diverged, step, precision)
    converged = stop == PRECISION
    verdict, test = ("", "") if diverged else hessian_test(*surface.hessian(x, y))
    value = surface.f(x, y) if not diverged else math.inf
    reach = ""
    if converged and verdict == "saddle":
        reach = saddle_reach(surface, (float(start[0]), float(start[1])), (x, y))
    return Descent(
        (x, y), steps, converged, diverged, np.array(path), value, verdict, test, reach, stop
    )
