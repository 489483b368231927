"""Training problems: the built-in data sets and CSV files.

A :class:`Problem` is a fixed table of examples: inputs ``X`` with shape
``(n_examples, n_inputs)`` and targets ``Y`` with shape ``(n_examples, n_outputs)``,
both float64, C-contiguous and read-only, so the training code can hand them to
compiled kernels as they are and nothing can change the data under a running net.

Built-in problems come from :func:`make_problem`; :func:`problem_catalog` lists
them. Generated sets draw all their randomness from ``np.random.default_rng(seed)``,
so the same ``(name, samples, noise, seed)`` always gives bitwise identical data.
:func:`load_csv` reads a user's own numeric CSV file. Every problem with user
input raises :class:`~tui_backprop.core.errors.InputError` with a one-line message.
"""

from __future__ import annotations

import csv
import math
import numbers
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tui_backprop.core.errors import ConfigError, InputError

CLASSIFICATION = "classification"
REGRESSION = "regression"

# Big enough for any data set a terminal can show; small enough that a typo such
# as an extra zero is a clear error instead of a MemoryError deep in numpy.
MAX_SAMPLES = 1_000_000


@dataclass(frozen=True, eq=False)
class Problem:
    """One training data set.

    ``X`` is ``(n_examples, n_inputs)`` and ``Y`` is ``(n_examples, n_outputs)``;
    both are stored as read-only, C-contiguous float64 copies. ``kind`` is
    ``'classification'`` (every target is 0 or 1) or ``'regression'``.
    """

    name: str
    X: np.ndarray
    Y: np.ndarray
    kind: str
    description: str

    def __post_init__(self) -> None:
        # Copy, so that a caller keeping a writable reference to its own array
        # cannot change the problem behind the network's back.
        x = _frozen_matrix(self.X, "X")
        y = _frozen_matrix(self.Y, "Y")
        if x.shape[0] != y.shape[0]:
            raise ValueError(f"X has {x.shape[0]} rows but Y has {y.shape[0]}")
        if x.shape[0] < 1:
            raise ValueError("a problem needs at least one example")
        if self.kind not in (CLASSIFICATION, REGRESSION):
            raise ValueError(f"kind must be 'classification' or 'regression', not {self.kind!r}")
        if self.kind == CLASSIFICATION and not _all_zero_one(y):
            raise ValueError("a classification problem needs every target to be 0 or 1")
        if "\n" in self.description or "\r" in self.description:
            raise ValueError("description must be one line")
        # The dataclass is frozen; this is the documented way to set fields in
        # __post_init__.
        object.__setattr__(self, "X", x)
        object.__setattr__(self, "Y", y)

    @property
    def n_examples(self) -> int:
        """Number of rows of ``X`` and ``Y``."""
        return int(self.X.shape[0])

    @property
    def n_inputs(self) -> int:
        """Number of columns of ``X``."""
        return int(self.X.shape[1])

    @property
    def n_outputs(self) -> int:
        """Number of columns of ``Y``."""
        return int(self.Y.shape[1])

    @property
    def default_output_activation(self) -> str:
        """``'sigmoid'`` when every target lies in [0, 1] (a sigmoid can reach
        them), else ``'linear'``."""
        in_unit_range = bool(np.all((self.Y >= 0.0) & (self.Y <= 1.0)))
        return "sigmoid" if in_unit_range else "linear"


def _frozen_matrix(a: np.ndarray, what: str) -> np.ndarray:
    """Return a read-only, C-contiguous float64 copy of the 2-D array ``a``."""
    out = np.array(a, dtype=np.float64, order="C", copy=True)
    if out.ndim != 2:
        raise ValueError(f"{what} must be 2-D, got shape {out.shape}")
    out.flags.writeable = False
    return out


def _all_zero_one(y: np.ndarray) -> bool:
    """True when every entry of ``y`` (any shape) is exactly 0 or 1."""
    return bool(np.all((y == 0.0) | (y == 1.0)))


# ---------------------------------------------------------------------------
# Built-in problems
# ---------------------------------------------------------------------------

# A generator gets (rng, samples, noise) and returns (X, Y) with shapes
# (samples, n_inputs) and (samples, n_outputs).
Generator = Callable[[np.random.Generator, int, float], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class _Spec:
    """How to build one built-in problem.

    Fixed problems have ``table`` (rows of inputs followed by targets) and no
    defaults; generated ones have ``generate`` plus default samples and noise.
    """

    name: str
    n_inputs: int
    n_outputs: int
    kind: str
    description: str
    table: tuple[tuple[float, ...], ...] | None = None
    generate: Generator | None = None
    default_samples: int | None = None
    default_noise: float | None = None
    two_class: bool = False

    @property
    def generated(self) -> bool:
        return self.generate is not None


def _truth_table(fn: Callable[[int, int], bool]) -> tuple[tuple[float, ...], ...]:
    """Rows (a, b, fn(a, b)) for the inputs (0,0), (0,1), (1,0), (1,1) in that order."""
    return tuple((a, b, float(fn(a, b))) for a in (0, 1) for b in (0, 1))


def _shuffled_two_class(
    rng: np.random.Generator, points0: np.ndarray, points1: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
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


def _gen_circle(rng: np.random.Generator, samples: int, noise: float):
    """Points uniform in [-1, 1]^2; class 1 inside the circle of radius
    ``CIRCLE_RADIUS``. Returns X ``(samples, 2)``, Y ``(samples, 1)``."""
    n0, n1 = _class_sizes(samples)
    inside: list[np.ndarray] = []
    outside: list[np.ndarray] = []
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


def _spiral_arm(rng: np.random.Generator, n: int, phase: float) -> np.ndarray:
    """``n`` points ``(n, 2)`` along one spiral arm of radius up to 1, rotated by ``phase``."""
    t = rng.uniform(0.0, 1.0, size=n)
    # Radius grows with the angle, so the two arms (half a turn apart) interleave.
    angle = 2.0 * math.pi * SPIRAL_TURNS * t + phase
    return np.column_stack([t * np.cos(angle), t * np.sin(angle)])


def _gen_spiral(rng: np.random.Generator, samples: int, noise: float):
    """Two interleaved spiral arms, class 0 and class 1.
    Returns X ``(samples, 2)``, Y ``(samples, 1)``."""
    n0, n1 = _class_sizes(samples)
    points0 = _spiral_arm(rng, n0, 0.0)
    points1 = _spiral_arm(rng, n1, math.pi)
    points0 = points0 + noise * rng.standard_normal(points0.shape)
    points1 = points1 + noise * rng.standard_normal(points1.shape)
    return _shuffled_two_class(rng, points0, points1)


GAUSS_CENTERS = ((-0.5, -0.5), (0.5, 0.5))


def _gen_gauss(rng: np.random.Generator, samples: int, noise: float):
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


def _gen_moons(rng: np.random.Generator, samples: int, noise: float):
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


def _gen_sine(rng: np.random.Generator, samples: int, noise: float):
    """x evenly spaced on [-pi, pi], y = sin(x) + noise * N(0, 1).
    Returns X ``(samples, 1)``, Y ``(samples, 1)``; rows stay in x order so a
    plot of them is a curve."""
    x = np.linspace(-math.pi, math.pi, samples)
    y = np.sin(x) + noise * rng.standard_normal(samples)
    return x[:, None], y[:, None]


_SPECS: tuple[_Spec, ...] = (
    _Spec(
        name="xor",
        n_inputs=2,
        n_outputs=1,
        kind=CLASSIFICATION,
        description="exclusive or: 1 when exactly one input is 1",
        table=_truth_table(lambda a, b: a != b),
    ),
    _Spec(
        name="and",
        n_inputs=2,
        n_outputs=1,
        kind=CLASSIFICATION,
        description="logical and: 1 when both inputs are 1",
        table=_truth_table(lambda a, b: a and b),
    ),
    _Spec(
        name="or",
        n_inputs=2,
        n_outputs=1,
        kind=CLASSIFICATION,
        description="logical or: 1 when either input is 1",
        table=_truth_table(lambda a, b: a or b),
    ),
    _Spec(
        name="nand",
        n_inputs=2,
        n_outputs=1,
        kind=CLASSIFICATION,
        description="not and: 0 only when both inputs are 1",
        table=_truth_table(lambda a, b: not (a and b)),
    ),
    _Spec(
        name="not",
        n_inputs=1,
        n_outputs=1,
        kind=CLASSIFICATION,
        description="logical not: 1 when the input is 0",
        table=((0.0, 1.0), (1.0, 0.0)),
    ),
    _Spec(
        name="zeros",
        n_inputs=1,
        n_outputs=1,
        kind=CLASSIFICATION,
        description="the tutorial's set: x = 0.1, 0.25, 0.5, 0.75, 1.0, every target 0",
        table=((0.1, 0.0), (0.25, 0.0), (0.5, 0.0), (0.75, 0.0), (1.0, 0.0)),
    ),
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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

_SPEC_BY_NAME: dict[str, _Spec] = {spec.name: spec for spec in _SPECS}

PROBLEM_NAMES: tuple[str, ...] = tuple(spec.name for spec in _SPECS)


def problem_catalog() -> list[dict]:
    """One dict per built-in problem, in ``PROBLEM_NAMES`` order.

    Keys: ``name``, ``inputs``, ``outputs``, ``examples`` (with the default
    samples), ``kind``, ``description``, ``takes_samples``, ``takes_noise``,
    ``default_samples`` and ``default_noise`` (both None for fixed problems).
    """
    return [
        {
            "name": spec.name,
            "inputs": spec.n_inputs,
            "outputs": spec.n_outputs,
            "examples": spec.default_samples if spec.generated else len(spec.table),
            "kind": spec.kind,
            "description": spec.description,
            "takes_samples": spec.generated,
            "takes_noise": spec.generated,
            "default_samples": spec.default_samples,
            "default_noise": spec.default_noise,
        }
        for spec in _SPECS
    ]


def make_problem(
    name: str, *, samples: int | None = None, noise: float | None = None, seed: int = 0
) -> Problem:
    """Build the built-in problem ``name``.

    ``samples`` and ``noise`` apply only to generated problems (None means the
    problem's default); ``seed`` seeds the only random generator used.
    """
    spec = _lookup(name)
    if not spec.generated:
        return _fixed_problem(spec, samples, noise)
    samples = _check_samples(spec, spec.default_samples if samples is None else samples)
    noise = _check_noise(spec.default_noise if noise is None else noise)
    rng = np.random.default_rng(_check_seed(seed))
    x, y = spec.generate(rng, samples, noise)
    description = f"{spec.description} ({samples} samples, noise {noise:g}, seed {seed})"
    return Problem(spec.name, x, y, spec.kind, description)


def _lookup(name: str) -> _Spec:
    """The spec for ``name`` (case and surrounding spaces ignored)."""
    key = name.strip().lower() if isinstance(name, str) else None
    if key not in _SPEC_BY_NAME:
        raise ConfigError(
            "data.problem",
            f"names an unknown problem {_quote(str(name))}; known problems: "
            f"{', '.join(PROBLEM_NAMES)}",
        )
    return _SPEC_BY_NAME[key]


def _fixed_problem(spec: _Spec, samples: object, noise: object) -> Problem:
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


def _is_int(value: object) -> bool:
    """True for ints (numpy ones too) but not bools, which are a likely mistake."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _check_samples(spec: _Spec, samples: object) -> int:
    """``samples`` as an int in [2, MAX_SAMPLES], or InputError.

    Two is the least that still gives a two-class problem one example per class.
    """
    if not _is_int(samples):
        raise ConfigError("data.samples", f"must be a whole number, got {samples!r}")
    samples = int(samples)
    least = 2
    if samples < least:
        why = " so that both classes appear" if spec.two_class else ""
        raise ConfigError(
            "data.samples",
            f"must be at least {least} for problem '{spec.name}'{why}, got {samples}",
        )
    if samples > MAX_SAMPLES:
        raise ConfigError("data.samples", f"must be at most {MAX_SAMPLES}, got {samples}")
    return samples


def _check_noise(noise: object) -> float:
    """``noise`` as a finite float >= 0, or InputError."""
    if not isinstance(noise, numbers.Real) or isinstance(noise, (bool, np.bool_)):
        raise ConfigError("data.noise", f"must be a number, got {noise!r}")
    noise = float(noise)
    if not math.isfinite(noise) or noise < 0.0:
        raise ConfigError("data.noise", f"must be a finite number >= 0, got {noise!r}")
    return noise


def _check_seed(seed: object) -> int:
    """``seed`` as an int >= 0 (what ``default_rng`` accepts), or InputError."""
    if not _is_int(seed) or int(seed) < 0:
        raise ConfigError("data.seed", f"must be a whole number >= 0, got {seed!r}")
    return int(seed)


# ---------------------------------------------------------------------------
# CSV files
# ---------------------------------------------------------------------------


def load_csv(path: str | os.PathLike, targets: int = 1) -> Problem:
    """Read a numeric CSV file into a Problem.

    The last ``targets`` columns are the targets ``Y (n, targets)``; the rest
    are the inputs ``X (n, columns - targets)``. The first non-blank row is a
    header when none of its cells is a number; blank rows are skipped.
    """
    shown = _display_path(path)
    if not _is_int(targets) or int(targets) < 1:
        raise InputError(f"{shown}: targets must be a whole number >= 1, got {targets!r}")
    targets = int(targets)
    rows = _read_rows(path, shown)
    header, data, width = _split_header(rows, shown)
    if width < targets + 1:
        first_line = header[0] if header else data[0][0]
        raise InputError(
            f"{shown} line {first_line}: need at least {targets + 1} columns ({targets} "
            f"{_plural(targets, 'target')} and at least 1 input), found {width}"
        )
    table = _parse_numbers(data, width, header, shown)
    x, y = table[:, :-targets], table[:, -targets:]
    kind = CLASSIFICATION if _all_zero_one(y) else REGRESSION
    name = os.path.basename(os.fsdecode(path))
    description = (
        f"{_one_line(name)}: {len(table)} {_plural(len(table), 'example')}, "
        f"{x.shape[1]} {_plural(x.shape[1], 'input')}, {targets} {_plural(targets, 'target')}"
    )
    return Problem(name, x, y, kind, description)


# A row as read: (1-based line number, stripped cells).
Row = tuple[int, list[str]]


def _read_rows(path: str | os.PathLike, shown: str) -> list[Row]:
    """All non-blank rows of the file as ``(line number, stripped cells)``."""
    text = _read_text(path, shown)
    # csv.reader wants an iterable of lines; keepends lets it see quoted line
    # breaks, and line_num then gives the physical line a row ends on.
    reader = csv.reader(text.splitlines(keepends=True))
    rows: list[Row] = []
    try:
        for cells in reader:
            stripped = [cell.strip() for cell in cells]
            # A row of empty cells (",,," from a spreadsheet) is as blank as "".
            if any(stripped):
                rows.append((reader.line_num, stripped))
    except csv.Error as err:
        raise InputError(f"{shown} line {reader.line_num}: not valid CSV ({err})") from None
    return rows


def _read_text(path: str | os.PathLike, shown: str) -> str:
    """The whole file as text, or InputError when it cannot be read as text."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            text = f.read()
    except FileNotFoundError:
        raise InputError(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{shown}: is a directory, not a CSV file") from None
    except UnicodeDecodeError:
        raise InputError(f"{shown}: not a text file (it is not valid UTF-8)") from None
    except OSError as err:
        reason = _one_line(err.strerror or str(err))
        raise InputError(f"{shown}: cannot read it ({reason})") from None
    # Valid UTF-8 can still hold NUL bytes, the usual sign of a binary file.
    if "\x00" in text:
        raise InputError(f"{shown}: not a text file (it contains NUL bytes)")
    return text


def _split_header(rows: list[Row], shown: str) -> tuple[Row | None, list[Row], int]:
    """Split off a header row; return ``(header or None, data rows, column count)``.

    The column count comes from the header when there is one, else from the
    first data row.
    """
    if not rows:
        raise InputError(f"{shown}: no data rows (the file is empty)")
    first = rows[0]
    is_header = not any(_parses(cell) for cell in first[1])
    header = first if is_header else None
    data = rows[1:] if is_header else rows
    if not data:
        raise InputError(f"{shown}: no data rows (only a header on line {first[0]})")
    return header, data, len(first[1])


def _number(cell: str) -> float:
    """float(cell), but not Python's own literal forms such as 1_000 (a typo in data)."""
    if "_" in cell:
        raise ValueError(cell)
    return float(cell)


def _parses(cell: str) -> bool:
    """True when ``cell`` reads as a number (NaN and inf included)."""
    try:
        _number(cell)
    except ValueError:
        return False
    return True


def _parse_numbers(data: list[Row], width: int, header: Row | None, shown: str) -> np.ndarray:
    """The data rows as a float64 array ``(len(data), width)``, or InputError
    at the first ragged row or bad cell."""
    table = np.empty((len(data), width), dtype=np.float64)
    for i, (line, cells) in enumerate(data):
        if len(cells) != width:
            first_line = header[0] if header else data[0][0]
            source = f"as in the {'header' if header else 'first row'} on line {first_line}"
            raise InputError(
                f"{shown} line {line}: expected {width} columns ({source}), found {len(cells)}"
            )
        for j, cell in enumerate(cells):
            table[i, j] = _cell_value(cell, line, j + 1, shown)
    return table


def _cell_value(cell: str, line: int, column: int, shown: str) -> float:
    """The finite float in ``cell``, or InputError naming the line and 1-based column."""
    where = f"{shown} line {line}"
    if not cell:
        raise InputError(f"{where}: column {column} is empty")
    try:
        value = _number(cell)
    except ValueError:
        message = f"{where}: cell {_quote(cell)} in column {column} is not a number"
        raise InputError(message) from None
    if not math.isfinite(value):
        # NaN or inf would silently poison every weight during training.
        raise InputError(f"{where}: cell {_quote(cell)} in column {column} is not a finite number")
    return value


# ---------------------------------------------------------------------------
# Message helpers: every message must stay one line, whatever the user typed.
# ---------------------------------------------------------------------------


def _one_line(text: str) -> str:
    """``text`` with control characters (newlines included) escaped."""
    if text.isprintable():
        return text
    return text.encode("unicode_escape").decode("ascii")


def _quote(text: str, limit: int = 40) -> str:
    """``text`` in single quotes, shortened past ``limit`` characters, on one line."""
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"'{_one_line(text)}'"


def _display_path(path: str | os.PathLike) -> str:
    """The path as the user gave it, safe to put in a one-line message."""
    try:
        return _one_line(os.fsdecode(path))
    except TypeError:
        raise InputError(f"not a file path: {_one_line(repr(path))}") from None


def _plural(n: int, word: str) -> str:
    """``word`` with an ``s`` unless ``n`` is 1."""
    return word if n == 1 else word + "s"
