"""What a training problem is: a fixed table of examples.

A :class:`Problem` holds inputs ``X`` with shape ``(n_examples, n_inputs)`` and targets
``Y`` with shape ``(n_examples, n_outputs)``, both float64, C-contiguous and read-only, so
the training code can hand them to compiled kernels as they are and nothing can change
the data under a running net. The built-in problems come from ``core.problems``; a CSV
file becomes one through ``io.csv_data``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .arrays import Floats

CLASSIFICATION = "classification"
REGRESSION = "regression"


@dataclass(frozen=True, eq=False)
class Problem:
    """One training data set.

    ``X`` is ``(n_examples, n_inputs)`` and ``Y`` is ``(n_examples, n_outputs)``;
    both are stored as read-only, C-contiguous float64 copies. ``kind`` is
    ``'classification'`` (every target is 0 or 1) or ``'regression'``.
    """

    name: str
    X: Floats
    Y: Floats
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
        if self.kind == CLASSIFICATION and targets_kind(y) != CLASSIFICATION:
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


def accuracy(outputs: np.ndarray, targets: np.ndarray) -> float | None:
    """Fraction of examples whose every output is on its target's side of the middle of
    the targets: per output, (min + max) / 2 of that output's target values (0.5 for 0/1
    targets, whatever the output activation; a tanh output that learned 0/1 targets is
    judged at 0.5, not at 0, the middle of its range). An output above the middle predicts
    the larger target value, one at or below it the smaller.

    None when an output is not finite (a diverged run): NaN is above no middle, so it
    would count as predicting the smaller target, and score half of 0/1 targets."""
    if not np.isfinite(outputs).all():
        return None
    low, high = targets.min(axis=0), targets.max(axis=0)
    # A column of one value (every target 0, as the neuron lesson's) has no middle of its
    # own: judged at 0.5, as 0/1 targets are, not at that value (which every output then
    # "predicted", 100% at any weights).
    middle = np.where(low < high, (low + high) / 2, 0.5)
    return float(((outputs > middle) == (targets > middle)).all(axis=1).mean())


def targets_kind(y: Floats) -> str:
    """``'classification'`` when every entry of ``y`` (any shape) is exactly 0 or 1,
    else ``'regression'``."""
    return CLASSIFICATION if bool(np.all((y == 0.0) | (y == 1.0))) else REGRESSION


def _frozen_matrix(a: ArrayLike, what: str) -> Floats:
    """Return a read-only, C-contiguous float64 copy of the 2-D array ``a``."""
    out = np.array(a, dtype=np.float64, order="C", copy=True)
    if out.ndim != 2:
        raise ValueError(f"{what} must be 2-D, got shape {out.shape}")
    out.flags.writeable = False
    return out
