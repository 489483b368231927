"""Going back in a run: checkpoints of a Session, and replay of the updates after one.

Training is deterministic: from the same state, the same updates with the same settings
give the same bits, however the run is chopped into calls (the kernels' paths agree bit for
bit, and the example orders come from one stream). So the past needs no record of every
update: a :class:`Rewind` keeps checkpoints (after each chunk of training, and after every
key that changes a setting, so that between two checkpoints the settings never change) and
reaches any update from the last checkpoint at or before it by replaying the updates in
between. Memory is bounded by a byte budget: the oldest checkpoints go first, and how far
back one can go is the oldest one kept.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from .checkpoint import Checkpoint

if TYPE_CHECKING:
    from .session import Session

#: Bytes of checkpoints kept per run, by default.
DEFAULT_BUDGET = 64 << 20
#: A checkpoint this close after the last one, with the same settings, is not needed:
#: replaying at most this many updates is quick (a key stepping one update at a time
#: would otherwise fill the budget with a checkpoint an update).
MIN_SPACING = 256


class Rewind:
    """Checkpoints of one run (one seed from its start), oldest first, within ``budget``
    bytes. ``note`` after training or a change; ``back_to`` to go to an earlier update."""

    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self.budget = budget
        self._points: deque[Checkpoint] = deque()
        self._bytes = 0
        self._session: Session | None = None

    def clear(self) -> None:
        """A new run (restart, reseed, another network): nothing before it is kept."""
        self._points.clear()
        self._bytes = 0

    def note(self, session: Session) -> None:
        """Keep a checkpoint of the Session as it is now. Another Session, another seed or
        fewer updates than the last checkpoint (a restart) begin a new run: the old one's
        checkpoints go."""
        if self._points and session is self._session:
            last = self._points[-1]
            same = (session.seed, session.rule) == (last.seed, last.rule)
            if same and 0 <= session.updates - last.updates < MIN_SPACING:
                return
        point = session.checkpoint()
        if self._points:
            last = self._points[-1]
            other_run = session is not self._session or point.seed != last.seed
            if other_run or point.updates < last.updates:
                self.clear()
        self._session = session
        self._points.append(point)
        self._bytes += point.nbytes
        while self._bytes > self.budget and len(self._points) > 1:
            self._bytes -= self._points.popleft().nbytes

    @property
    def earliest(self) -> int | None:
        """The first update one can go back to (None: no checkpoint yet)."""
        return self._points[0].updates if self._points else None

    def back_to(self, session: Session, updates: int) -> int:
        """Put the Session at ``updates`` updates (no earlier than ``earliest``): restore the
        last checkpoint at or before it, replay the updates after it; the checkpoints after
        it are dropped (what is trained from here on is a new branch). Returns the update
        reached, which is ``updates`` unless the run diverged on the way."""
        earliest = self.earliest
        if earliest is None or updates < earliest:
            raise ValueError(f"cannot go back before update {earliest}")
        while self._points[-1].updates > updates:
            self._bytes -= self._points.pop().nbytes
        point = self._points[-1]
        session.restore(point)
        if updates > point.updates:
            session.run_batches(updates - point.updates)
        return session.updates
