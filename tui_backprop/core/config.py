"""Training settings (alpha, momentum, batch size, epochs, seed, shuffling), validated."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import InputError

MAX_SEED = 2**32 - 1


def check_alpha(alpha: float) -> float:
    """alpha, the learning rate: finite and > 0."""
    if not (isinstance(alpha, (int, float)) and math.isfinite(alpha) and alpha > 0):
        raise InputError(f"--alpha must be a finite number > 0, got {alpha!r}")
    return float(alpha)


def check_momentum(momentum: float) -> float:
    """mu, the momentum: 0 <= mu < 1 (mu >= 1 never forgets and does not converge)."""
    if not (isinstance(momentum, (int, float)) and math.isfinite(momentum)) or not (
        0.0 <= momentum < 1.0
    ):
        raise InputError(f"--momentum must be at least 0 and below 1, got {momentum!r}")
    return float(momentum)


def check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise InputError(f"--seed must be a whole number from 0 to {MAX_SEED}, got {seed!r}")
    return seed


@dataclass(frozen=True)
class TrainSettings:
    """How to train.

    alpha      : learning rate in d = -alpha g + mu d_prev
    momentum   : mu in the same formula, 0 <= mu < 1
    batch_size : examples per update; 1 is online learning, n is full batch
    epochs     : passes over the data (for runs with a fixed length)
    seed       : initial weights and shuffle orders come from it
    shuffle    : a new example order every epoch, or the data's own order
    """

    alpha: float = 0.1
    momentum: float = 0.9
    batch_size: int = 1
    epochs: int = 5000
    seed: int = 0
    shuffle: bool = True

    def __post_init__(self) -> None:
        check_alpha(self.alpha)
        check_momentum(self.momentum)
        check_seed(self.seed)
        if isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int) or (
            self.batch_size < 1
        ):
            raise InputError(f"--batch-size must be at least 1, got {self.batch_size!r}")
        if isinstance(self.epochs, bool) or not isinstance(self.epochs, int) or self.epochs < 1:
            raise InputError(f"--epochs must be at least 1, got {self.epochs!r}")

    def check_data_size(self, n_examples: int) -> None:
        """A batch cannot hold more examples than the data set has."""
        if self.batch_size > n_examples:
            raise InputError(
                f"--batch-size {self.batch_size} is larger than the data set "
                f"({n_examples} examples)"
            )
