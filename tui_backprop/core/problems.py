"""The built-in training problems: their generators and the catalog that lists them.

:func:`make_problem` builds one by name as a :class:`~tui_backprop.core.problem.Problem`;
:func:`problem_catalog` and ``PROBLEM_NAMES`` list them. Fixed problems (the logic gates,
the tutorial's set) are small truth tables; generated ones draw all their randomness from
``np.random.default_rng(seed)``, so the same ``(name, samples, noise, seed)`` always gives
bitwise identical data. A bad name, sample count, noise or seed raises
:class:`~tui_backprop.core.errors.ConfigError` with a one-line message.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

import numpy as np

from .arrays import Floats
from .config import check_data_seed, is_whole
from .errors import ConfigError, quoted
from .problem import CLASSIFICATION, REGRESSION, Problem

# Big enough for any data set a terminal can show; small enough that a typo such
# as an extra zero is a clear error instead of a MemoryError deep in numpy.
MAX_SAMPLES = 1_000_000

# A generator gets (rng, samples, noise) and returns (X, Y) with shapes
# (samples, n_inputs) and (samples, n_outputs).
DataGenerator = Callable[[np.random.Generator, int, float], tuple[Floats, Floats]]


@dataclass(frozen=True)
class _Spec:
    """What every built-in problem has: a name, sizes, a kind and a one-line description."""

    name: str
    n_inputs: int
    n_outputs: int
    kind: str
    description: str


@dataclass(frozen=True)
class _Fixed(_Spec):
    """A fixed problem: ``table`` holds rows of inputs followed by targets."""

    table: tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class _Generated(_Spec):
    """A generated problem: ``generate`` draws it, with default samples and noise."""

    generate: DataGenerator
    default_samples: int
    default_noise: float
    two_class: bool = False


class CatalogEntry(TypedDict):
    """One built-in problem as :func:`problem_catalog` lists it."""

    name: str
    inputs: int
    outputs: int
    examples: int  # with the default samples
    kind: str
    description: str
    takes_samples: bool
    takes_noise: bool
    default_samples: int | None  # None for fixed problems
    default_noise: float | None  # None for fixed problems


def _truth_table(fn: Callable[[int, int], int]) -> tuple[tuple[float, ...], ...]:
    """Rows (a, b, fn(a, b)) for the inputs (0,0), (0,1), (1,0), (1,1) in that order."""
    return tuple((a, b, float(fn(a, b))) for a in (0, 1) for b in (0, 1))


def _shuffled_two_class(
    rng: np.random.Generator, points0: Floats, points1: Floats
) -> tuple[Floats, Floats]:
    """Stack class-0 points ``(n0, d)`` and class-1 points ``(n1, d)`` into
    ``X (n0+n1, d)`` and ``Y (n0+n1, 1)``, rows shuffled.

    Shuffling matters for online and mini-batch training, which would otherwise
    see one whole class and then the other.
    """
    x = np.concatenate([points0, points1])
    y = np.concatenate([np.zeros(len(points0)), np.ones(len(points1))])[:, None]
    order = rng.permutation(len(x))
    return x[order], y[order]


def _class_sizes(samples: int) -> tuple[int, int]:
    """Split ``samples`` into (class 0, class 1) counts that differ by at most one."""
    return samples // 2, samples - samples // 2


# A circle of this radius has area 2, half of the [-1, 1]^2 square, so points
# drawn uniformly from the square fall inside it half the time.
CIRCLE_RADIUS = math.sqrt(2.0 / math.pi)


def _gen_circle(rng: np.random.Generator, samples: int, noise: float) -> tuple[Floats, Floats]:
    """Points uniform in [-1, 1]^2; class 1 inside the circle of radius
    ``CIRCLE_RADIUS``. Returns X ``(samples, 2)``, Y ``(samples, 1)``."""
    n0, n1 = _class_sizes(samples)
    inside: list[Floats] = []
    outside: list[Floats] = []
    have_in = have_out = 0
    # Rejection sampling from the square keeps each class uniform in its region
    # and makes the classes exactly balanced, so even samples=2 shows both.
    while have_in < n1 or have_out < n0:
        batch = rng.uniform(-1.0, 1.0, size=(2 * samples + 16, 2))
        is_in = np.hypot(batch[:, 0], batch[:, 1]) < CIRCLE_RADIUS
        inside.append(batch[is_in])
        outside.append(batch[~is_in])
        have_in += int(is_in.sum())
        have_out += int((~is_in).sum())
    points1 = np.concatenate(inside)[:n1]
    points0 = np.concatenate(outside)[:n0]
    # Jitter after labelling: noise blurs the boundary without relabelling.
    points0 = points0 + noise * rng.standard_normal(points0.shape)
    points1 = points1 + noise * rng.standard_normal(points1.shape)
    return _shuffled_two_class(rng, points0, points1)


SPIRAL_TURNS = 1.5


def _spiral_arm(rng: np.random.Generator, n: int, phase: float) -> Floats:
    """``n`` points ``(n, 2)`` along one spiral arm of radius up to 1, rotated by ``phase``."""
    t = rng.uniform(0.0, 1.0, size=n)
    # Radius grows with the angle, so the two arms (half a turn apart) interleave.
    angle = 2.0 * math.pi * SPIRAL_TURNS * t + phase
    return np.column_stack([t * np.cos(angle), t * np.sin(angle)])


def _gen_spiral(rng: np.random.Generator, samples: int, noise: float) -> tuple[Floats, Floats]:
    """Two interleaved spiral arms, class 0 and class 1.
    Returns X ``(samples, 2)``, Y ``(samples, 1)``."""
    n0, n1 = _class_sizes(samples)
    points0 = _spiral_arm(rng, n0, 0.0)
    points1 = _spiral_arm(rng, n1, math.pi)
    points0 = points0 + noise * rng.standard_normal(points0.shape)
    points1 = points1 + noise * rng.standard_normal(points1.shape)
    return _shuffled_two_class(rng, points0, points1)


GAUSS_CENTERS = ((-0.5, -0.5), (0.5, 0.5))


def _gen_gauss(rng: np.random.Generator, samples: int, noise: float) -> tuple[Floats, Floats]:
    """Two Gaussian blobs around ``GAUSS_CENTERS``; ``noise`` is the standard
    deviation of each blob. Returns X ``(samples, 2)``, Y ``(samples, 1)``."""
    n0, n1 = _class_sizes(samples)
    points0 = np.asarray(GAUSS_CENTERS[0]) + noise * rng.standard_normal((n0, 2))
    points1 = np.asarray(GAUSS_CENTERS[1]) + noise * rng.standard_normal((n1, 2))
    return _shuffled_two_class(rng, points0, points1)


# sklearn's moons span x in [-1, 2] and y in [-0.5, 1]. Shifting by this centres
# them on the origin, and scaling shrinks them to [-1.2, 1.2] x [-0.6, 0.6] so
# that noise at the tips still leaves nearly every point inside [-1.5, 1.5].
MOONS_SHIFT = (0.5, 0.25)
MOONS_SCALE = 0.8


def _gen_moons(rng: np.random.Generator, samples: int, noise: float) -> tuple[Floats, Floats]:
    """Two interleaving half circles, as sklearn's ``make_moons`` but centred and
    scaled by ``MOONS_SCALE``; ``noise`` is in the scaled units.
    Returns X ``(samples, 2)``, Y ``(samples, 1)``."""
    n0, n1 = _class_sizes(samples)
    t0 = np.linspace(0.0, math.pi, n0)
    t1 = np.linspace(0.0, math.pi, n1)
    points0 = np.column_stack([np.cos(t0), np.sin(t0)])  # upper moon
    points1 = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])  # lower moon
    shift = np.asarray(MOONS_SHIFT)
    points0 = MOONS_SCALE * (points0 - shift) + noise * rng.standard_normal(points0.shape)
    points1 = MOONS_SCALE * (points1 - shift) + noise * rng.standard_normal(points1.shape)
    return _shuffled_two_class(rng, points0, points1)


def _gen_sine(rng: np.random.Generator, samples: int, noise: float) -> tuple[Floats, Floats]:
    """x evenly spaced on [-pi, pi], y = sin(x) + noise * N(0, 1).
    Returns X ``(samples, 1)``, Y ``(samples, 1)``; rows stay in x order so a
    plot of them is a curve."""
    x = np.linspace(-math.pi, math.pi, samples)
    y = np.sin(x) + noise * rng.standard_normal(samples)
    return x[:, None], y[:, None]


_SPECS: tuple[_Fixed | _Generated, ...] = (
    _Fixed(
        name="xor",
        n_inputs=2,
        n_outputs=1,
        kind=CLASSIFICATION,
        description="exclusive or: 1 when exactly one input is 1",
        table=_truth_table(lambda a, b: a != b),
    ),
    _Fixed(
        name="and",
        n_inputs=2,
        n_outputs=1,
        kind=CLASSIFICATION,
        description="logical and: 1 when both inputs are 1",
        table=_truth_table(lambda a, b: a and b),
    ),
    _Fixed(
        name="or",
        n_inputs=2,
        n_outputs=1,
        kind=CLASSIFICATION,
        description="logical or: 1 when either input is 1",
        table=_truth_table(lambda a, b: a or b),
    ),
    _Fixed(
        name="nand",
        n_inputs=2,
        n_outputs=1,
        kind=CLASSIFICATION,
        description="not and: 0 only when both inputs are 1",
        table=_truth_table(lambda a, b: not (a and b)),
    ),
    _Fixed(
        name="not",
        n_inputs=1,
        n_outputs=1,
        kind=CLASSIFICATION,
        description="logical not: 1 when the input is 0",
        table=((0.0, 1.0), (1.0, 0.0)),
    ),
    _Fixed(
        name="zeros",
        n_inputs=1,
        n_outputs=1,
        kind=CLASSIFICATION,
        description="the tutorial's set: x = 0.1, 0.25, 0.5, 0.75, 1.0, every target 0",
        table=((0.1, 0.0), (0.25, 0.0), (0.5, 0.0), (0.75, 0.0), (1.0, 0.0)),
    ),
    _Generated(
        name="circle",
        n_inputs=2,
        n_outputs=1,
        kind=CLASSIFICATION,
        description="points in a square, 1 inside a central circle holding half of them",
        generate=_gen_circle,
        default_samples=100,
        default_noise=0.0,
        two_class=True,
    ),
    _Generated(
        name="spiral",
        n_inputs=2,
        n_outputs=1,
        kind=CLASSIFICATION,
        description="two interleaved spiral arms, one per class",
        generate=_gen_spiral,
        default_samples=100,
        default_noise=0.0,
        two_class=True,
    ),
    _Generated(
        name="gauss",
        n_inputs=2,
        n_outputs=1,
        kind=CLASSIFICATION,
        description="two Gaussian blobs, one per class; noise is each blob's spread",
        generate=_gen_gauss,
        default_samples=100,
        default_noise=0.3,
        two_class=True,
    ),
    _Generated(
        name="moons",
        n_inputs=2,
        n_outputs=1,
        kind=CLASSIFICATION,
        description="two interleaving half-moons, one per class",
        generate=_gen_moons,
        default_samples=100,
        default_noise=0.1,
        two_class=True,
    ),
    _Generated(
        name="sine",
        n_inputs=1,
        n_outputs=1,
        kind=REGRESSION,
        description="regression: y = sin(x) plus noise, x evenly on [-pi, pi]",
        generate=_gen_sine,
        default_samples=50,
        default_noise=0.1,
    ),
)

_SPEC_BY_NAME: dict[str, _Fixed | _Generated] = {spec.name: spec for spec in _SPECS}

PROBLEM_NAMES: tuple[str, ...] = tuple(spec.name for spec in _SPECS)


def problem_catalog() -> list[CatalogEntry]:
    """One dict per built-in problem, in ``PROBLEM_NAMES`` order.

    Keys: ``name``, ``inputs``, ``outputs``, ``examples`` (with the default
    samples), ``kind``, ``description``, ``takes_samples``, ``takes_noise``,
    ``default_samples`` and ``default_noise`` (both None for fixed problems).
    """
    return [_catalog_entry(spec) for spec in _SPECS]


def _catalog_entry(spec: _Fixed | _Generated) -> CatalogEntry:
    samples: int | None = None
    noise: float | None = None
    if isinstance(spec, _Generated):
        examples = samples = spec.default_samples
        noise = spec.default_noise
    else:
        examples = len(spec.table)
    return {
        "name": spec.name,
        "inputs": spec.n_inputs,
        "outputs": spec.n_outputs,
        "examples": examples,
        "kind": spec.kind,
        "description": spec.description,
        "takes_samples": samples is not None,
        "takes_noise": samples is not None,
        "default_samples": samples,
        "default_noise": noise,
    }


def make_problem(
    name: str, *, samples: int | None = None, noise: float | None = None, seed: int = 0
) -> Problem:
    """Build the built-in problem ``name``.

    ``samples`` and ``noise`` apply only to generated problems (None means the
    problem's default); ``seed`` seeds the only random generator used. A noise so large
    that an example is no longer a finite number raises ConfigError.
    """
    spec = _lookup(name)
    if isinstance(spec, _Fixed):
        return _fixed_problem(spec, samples, noise)
    n = _check_samples(spec, spec.default_samples if samples is None else samples)
    spread = _check_noise(spec.default_noise if noise is None else noise)
    rng = np.random.default_rng(check_data_seed(seed))
    # A noise near a double's limit overflows to inf (and inf - inf to NaN): that is
    # refused below, as a CSV cell of inf is, so numpy's warnings about it say nothing new.
    with np.errstate(over="ignore", invalid="ignore"):
        x, y = spec.generate(rng, n, spread)
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ConfigError(
            "data.noise",
            f"is too large: {spread:g} makes examples that are not finite numbers",
        )
    description = f"{spec.description} ({n} samples, noise {spread:g}, seed {seed})"
    return Problem(spec.name, x, y, spec.kind, description)


def _lookup(name: str) -> _Fixed | _Generated:
    """The spec for ``name`` (case and surrounding spaces ignored)."""
    key = name.strip().lower() if isinstance(name, str) else None
    if key is None or key not in _SPEC_BY_NAME:
        raise ConfigError(
            "data.problem",
            f"{quoted(str(name))} is an unknown problem; known problems: "
            f"{', '.join(PROBLEM_NAMES)}",
        )
    return _SPEC_BY_NAME[key]


def _fixed_problem(spec: _Fixed, samples: object, noise: object) -> Problem:
    """A problem from its fixed table; it takes neither samples nor noise."""
    given = [
        f"{label}={value!r}"
        for label, value in (("samples", samples), ("noise", noise))
        if value is not None
    ]
    if given:
        raise ConfigError(
            "data.samples" if samples is not None else "data.noise",
            f"applies to generated problems; '{spec.name}' is a fixed data set and takes no "
            f"samples or noise (got {', '.join(given)})",
        )
    table = np.asarray(spec.table, dtype=np.float64)
    x, y = table[:, : spec.n_inputs], table[:, spec.n_inputs :]
    return Problem(spec.name, x, y, spec.kind, spec.description)


def _check_samples(spec: _Generated, samples: object) -> int:
    """``samples`` as an int in [2, MAX_SAMPLES], or InputError.

    Two is the least that still gives a two-class problem one example per class.
    """
    if not is_whole(samples):
        raise ConfigError("data.samples", f"must be a whole number, got {samples!r}")
    n = int(samples)
    least = 2
    if n < least:
        why = " so that both classes appear" if spec.two_class else ""
        raise ConfigError(
            "data.samples",
            f"must be at least {least} for problem '{spec.name}'{why}, got {n}",
        )
    if n > MAX_SAMPLES:
        raise ConfigError("data.samples", f"must be at most {MAX_SAMPLES}, got {n}")
    return n


def _check_noise(noise: object) -> float:
    """``noise`` as a finite float >= 0, or InputError."""
    if not isinstance(noise, numbers.Real) or isinstance(noise, (bool, np.bool_)):
        raise ConfigError("data.noise", f"must be a number, got {noise!r}")
    spread = float(noise)
    if not math.isfinite(spread) or spread < 0.0:
        raise ConfigError("data.noise", f"must be a finite number >= 0, got {spread!r}")
    return spread
