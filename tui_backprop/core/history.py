"""A loss curve that stays small however long training runs.

Holds at most ``capacity`` points of (epoch, loss). When full, every other point is
dropped and from then on only every ``stride``-th epoch (doubled) is kept, so the curve
is always an even subsample of the whole run, in O(capacity) memory. The first and the
last epoch recorded are kept besides, so that a report (``LossHistory.curve``) begins
and ends where the run did.

``thinned_steps`` thins a record kept whole (a descent's path) the same way for a report:
to a bounded number of points, evenly, the first and the last always among them;
``thinned_curve`` does it to a loss curve.
"""

from __future__ import annotations

import numpy as np

from .arrays import Floats, Ints

#: How many points a curve or path in a report holds at most (``--json``'s loss_curve, path).
REPORTED_POINTS = 2048

#: What ``LossHistory.saved`` gives and ``restore`` takes: the points kept (epochs, losses),
#: the stride, the first (epoch, loss) and the last.
SavedHistory = tuple[Ints, Floats, int, tuple[int, float], tuple[int, float]]


def thinned_steps(count: int, most: int = REPORTED_POINTS) -> Ints:
    """The indices (min(count, most),) of the points of ``count`` (0 .. count - 1) to
    report, ``most`` >= 2: all when they fit; else the first, the last and ``most`` - 2
    between, spread as evenly as whole indices can be (round((count - 1) i / (most - 1)):
    gaps of the same length give or take one, distinct as each is over 1)."""
    if count <= most:
        return np.arange(count, dtype=np.int64)
    return np.rint(np.linspace(0, count - 1, most)).astype(np.int64)


def thinned_curve(epochs: Ints, losses: Floats, most: int = REPORTED_POINTS) -> tuple[Ints, Floats]:
    """A loss curve (epochs (K,), losses (K,), epochs increasing) as a report gives it:
    every point when K <= ``most``, else ``most`` of them picked by ``thinned_steps``
    (the first and the last among them, the others evenly spread)."""
    keep = thinned_steps(len(epochs), most)
    return epochs[keep], losses[keep]


class LossHistory:
    """(epoch, mean loss) points, evenly thinned to at most ``capacity``, and the first
    and last points recorded. The default capacity is ``REPORTED_POINTS``: once thinned,
    between half of it and all of it remain (the stride doubles, and the points kept with
    it halve). Twice that would let ``curve`` always report ``REPORTED_POINTS``, but every
    rewind checkpoint copies the history, and the app's plot draws it each frame."""

    def __init__(self, capacity: int = REPORTED_POINTS) -> None:
        if capacity < 2 or capacity % 2:
            raise ValueError("capacity must be an even number >= 2")
        self.capacity = capacity
        self.stride = 1
        self._epochs = np.zeros(capacity, dtype=np.int64)
        self._losses = np.zeros(capacity)
        self._count = 0
        self.first_epoch = 0  # none recorded yet
        self.first_loss = float("nan")
        self.last_epoch = 0
        self.last_loss = float("nan")

    def __len__(self) -> int:
        return self._count

    def clear(self) -> None:
        self.stride = 1
        self._count = 0
        self.first_epoch = 0
        self.first_loss = float("nan")
        self.last_epoch = 0
        self.last_loss = float("nan")

    def append(self, epoch: int, loss: float) -> None:
        """Record the loss after ``epoch`` (1-based); kept if epoch is a multiple of stride."""
        self.extend(epoch, np.array([loss]))

    def extend(self, first_epoch: int, losses: Floats) -> None:
        """Record the losses after epochs first_epoch, first_epoch + 1, ... (K,), thinning
        as needed, without a Python loop per epoch (a headless run finishes thousands a call).
        The epochs kept are the multiples of the stride: an arithmetic sequence, so they
        are counted and sliced, not searched for among all K."""
        count = len(losses)
        if count == 0:
            return
        last = first_epoch + count - 1
        if self.first_epoch == 0:
            self.first_epoch, self.first_loss = first_epoch, float(losses[0])
        self.last_epoch, self.last_loss = last, float(losses[-1])
        while True:
            start = -(-first_epoch // self.stride) * self.stride  # first multiple >= first
            fresh = 0 if start > last else (last - start) // self.stride + 1
            if self._count + fresh <= self.capacity:
                break
            self._thin()
        end = self._count + fresh
        self._epochs[self._count : end] = np.arange(start, last + 1, self.stride)
        self._losses[self._count : end] = losses[start - first_epoch :: self.stride]
        self._count = end

    def _thin(self) -> None:
        """Double the stride and keep only the stored points on it."""
        self.stride *= 2
        kept = self._epochs[: self._count] % self.stride == 0
        n_kept = int(kept.sum())
        self._epochs[:n_kept] = self._epochs[: self._count][kept]
        self._losses[:n_kept] = self._losses[: self._count][kept]
        self._count = n_kept

    def saved(self) -> SavedHistory:
        """What ``restore`` needs, copied: the points kept (not the unused capacity),
        the stride, the first and the last point."""
        epochs, losses = self.points()
        return (
            epochs,
            losses,
            self.stride,
            (self.first_epoch, self.first_loss),
            (self.last_epoch, self.last_loss),
        )

    def restore(self, saved: SavedHistory) -> None:
        epochs, losses, self.stride, first, last = saved
        self.first_epoch, self.first_loss = first
        self.last_epoch, self.last_loss = last
        self._count = len(epochs)
        self._epochs[: self._count] = epochs
        self._losses[: self._count] = losses

    def points(self) -> tuple[Ints, Floats]:
        """Copies of (epochs, losses), each (len(self),)."""
        return self._epochs[: self._count].copy(), self._losses[: self._count].copy()

    def curve(self, most: int = REPORTED_POINTS) -> tuple[Ints, Floats]:
        """The curve a report gives, (epochs, losses) each (min(n, most),) for the n
        points there are: the first epoch recorded, the kept points (every stride-th
        epoch) and the last epoch recorded, thinned by ``thinned_curve``. So it begins
        and ends with the run: every epoch of a run of up to ``capacity`` of them, and
        from capacity / 2 points up for a longer one."""
        epochs, losses = self.points()
        if self.first_epoch == 0:
            return epochs, losses
        if not len(epochs) or epochs[0] != self.first_epoch:
            epochs = np.concatenate(([self.first_epoch], epochs))
            losses = np.concatenate(([self.first_loss], losses))
        if epochs[-1] != self.last_epoch:
            epochs = np.append(epochs, self.last_epoch)
            losses = np.append(losses, self.last_loss)
        return thinned_curve(epochs, losses, most)
