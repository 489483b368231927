"""A loss curve that stays small however long training runs.

Holds at most ``capacity`` points of (epoch, loss). When full, every other point is
dropped and from then on only every ``stride``-th epoch (doubled) is kept, so the curve
is always an even subsample of the whole run, in O(capacity) memory.
"""

from __future__ import annotations

import numpy as np


class LossHistory:
    """(epoch, mean loss) points, evenly thinned to at most ``capacity``."""

    def __init__(self, capacity: int = 2048) -> None:
        if capacity < 2 or capacity % 2:
            raise ValueError("capacity must be an even number >= 2")
        self.capacity = capacity
        self.stride = 1
        self._epochs = np.zeros(capacity, dtype=np.int64)
        self._losses = np.zeros(capacity)
        self._count = 0
        self.last_epoch = 0
        self.last_loss = float("nan")

    def __len__(self) -> int:
        return self._count

    def clear(self) -> None:
        self.stride = 1
        self._count = 0
        self.last_epoch = 0
        self.last_loss = float("nan")

    def append(self, epoch: int, loss: float) -> None:
        """Record the loss after ``epoch`` (1-based); kept if epoch is a multiple of stride."""
        self.last_epoch, self.last_loss = epoch, loss
        if epoch % self.stride:
            return
        if self._count == self.capacity:
            # Keep the points whose epoch is a multiple of the doubled stride.
            self.stride *= 2
            keep = self._epochs[: self._count] % self.stride == 0
            kept = int(keep.sum())
            self._epochs[:kept] = self._epochs[: self._count][keep]
            self._losses[:kept] = self._losses[: self._count][keep]
            self._count = kept
            if epoch % self.stride:
                return
        self._epochs[self._count] = epoch
        self._losses[self._count] = loss
        self._count += 1

    def extend(self, first_epoch: int, losses: np.ndarray) -> None:
        """``append`` for epochs first_epoch, first_epoch + 1, ... with ``losses`` (K,),
        without a Python loop per epoch (long headless runs finish thousands a call)."""
        if len(losses) == 0:
            return
        epochs = np.arange(first_epoch, first_epoch + len(losses), dtype=np.int64)
        self.last_epoch, self.last_loss = int(epochs[-1]), float(losses[-1])
        while True:
            keep = epochs % self.stride == 0
            fresh = int(keep.sum())
            if self._count + fresh <= self.capacity:
                break
            # Too many: thin what is stored to the doubled stride and try again.
            self.stride *= 2
            kept = self._epochs[: self._count] % self.stride == 0
            n_kept = int(kept.sum())
            self._epochs[:n_kept] = self._epochs[: self._count][kept]
            self._losses[:n_kept] = self._losses[: self._count][kept]
            self._count = n_kept
        self._epochs[self._count : self._count + fresh] = epochs[keep]
        self._losses[self._count : self._count + fresh] = losses[keep]
        self._count += fresh

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """Copies of (epochs, losses), each (len(self),)."""
        return self._epochs[: self._count].copy(), self._losses[: self._count].copy()
