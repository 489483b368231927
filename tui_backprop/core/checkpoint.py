"""A Session's state at one moment, copied: what going back (``core.rewind``) restores."""

from __future__ import annotations

from dataclasses import dataclass

from .arrays import Floats, Ints
from .config import UpdateRule
from .history import SavedHistory


@dataclass(frozen=True, eq=False)
class Checkpoint:
    """A Session's state after ``updates`` updates (``epoch`` epochs complete): the
    network's buffer (with the update rule's state: velocity, second, t), the step state's
    headers, the example orders' stream, the loss history, the update rule. Made by
    ``Session.checkpoint``, used by ``Session.restore``."""

    updates: int
    epoch: int
    seed: int
    alpha: float
    momentum: float
    buffer: Floats
    step_state: tuple[Ints, Floats]
    orders: tuple[int, dict | None]
    history: SavedHistory
    epoch_losses: list[float] | None
    rule: UpdateRule | None = None

    @property
    def nbytes(self) -> int:
        """About what it holds in memory (the orders' generator state: a few hundred)."""
        return (
            self.buffer.nbytes
            + self.step_state[0].nbytes
            + self.step_state[1].nbytes
            + self.history[0].nbytes
            + self.history[1].nbytes
            + 1024
        )
