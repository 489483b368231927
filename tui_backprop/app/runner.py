"""Runs a Session in a background thread for the app, and serialises every change to it.

The app never touches the Session directly. Commands (a key press) run under the
Runner's lock, so they never interleave with a training chunk in the worker thread.
The worker trains in chunks of about ``CHUNK_SECONDS``, so a paused or changed setting
takes effect within that time, and hands the UI a fresh Snapshot when asked.

Speed is a number of updates per frame: each frame the UI adds that many updates to a
budget the worker spends. ``FULL_SPEED`` means no budget: train as fast as the kernels go.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from ..core.config import FULL_SPEED
from ..core.rewind import Rewind
from ..core.session import Session
from ..core.snapshot import Snapshot

T = TypeVar("T")
CHUNK_SECONDS = 0.01
MAX_CHUNK = 1 << 20


class Runner:
    """The Session plus the lock, the update budget and the latest Snapshot."""

    def __init__(self, session: Session, problem: str, speed: int = 50) -> None:
        self.session = session
        self.problem = problem
        self.lock = threading.Lock()  # held while the Session changes
        self._flags = threading.Lock()  # held briefly, for the budget and requests
        self._commands_waiting = 0
        self._resume = threading.Event()
        self._speed = speed
        self.total_updates = 0  # across restarts and reseeds, for --stats
        #: Running pauses on reaching this many epochs from below (see ``start_run``).
        self.stop_epoch: int | None = None
        #: The run started at or past ``stop_epoch`` and trains on; back below it, running
        #: pauses there again. Set by the UI thread, cleared by whichever thread trains.
        self.past_stop = False
        self.stop_update: int | None = None  # and once this many updates are (a replay)
        self._budget = 0
        self._chunk = 64
        self._wake = threading.Event()
        self._snapshot_wanted = False
        #: Checkpoints of the run, for going back (b, B); kept under ``lock``.
        self.rewind = Rewind()
        self.rewind.note(session)
        self._snapshot = session.snapshot(problem)

    # -- the UI thread's side -----------------------------------------------------------
    @property
    def speed(self) -> int:
        return self._speed

    @speed.setter
    def speed(self, value: int) -> None:
        """A new speed starts from an empty budget (no backlog from the old one)."""
        with self._flags:
            self._speed = value
            self._budget = 0

    @property
    def full_speed(self) -> bool:
        return self._speed == FULL_SPEED

    def pause(self) -> None:
        """Forget the unspent budget, so running again starts afresh."""
        with self._flags:
            self._budget = 0

    def latest(self) -> Snapshot:
        """The newest Snapshot (from the worker's last chunk, or the last command)."""
        return self._snapshot

    def request_frame(self) -> None:
        """One frame passed while running: grant the frame's updates, ask for a Snapshot."""
        with self._flags:
            if not self.full_speed:
                # At most two frames' worth: a worker that falls behind does not build up a
                # backlog that would run on after a slow-down or a pause.
                self._budget = min(self._budget + self._speed, 2 * self._speed)
            self._snapshot_wanted = True
        self._wake.set()

    def apply(self, change: Callable[[Session], object]) -> Snapshot:
        """Run ``change(session)`` between training chunks; return the resulting Snapshot.

        The worker sees ``_commands_waiting`` and stands aside before its next chunk, so
        a key press waits for at most one chunk, however busy the worker is."""

        def change_and_snap(session: Session) -> Snapshot:
            change(session)
            # A checkpoint after every command: between two, the settings never change.
            self.rewind.note(self.session)
            # self.session, not session: the change may have swapped in another one.
            self._snapshot = self.session.snapshot(self.problem)
            return self._snapshot

        return self.read(change_and_snap)

    def read(self, look: Callable[[Session], T]) -> T:
        """Run ``look(session)`` between training chunks and return what it returns (for
        what needs the Session itself, such as explaining the next update)."""
        with self._flags:
            self._commands_waiting += 1
        try:
            with self.lock:
                with self._flags:
                    self._commands_waiting -= 1
                    self._budget = 0
                return look(self.session)
        finally:
            self._resume.set()

    def replace(self, session: Session) -> Snapshot:
        """Swap in a new Session (a different network), between chunks."""

        def swap(_old: Session) -> None:
            self.session = session

        return self.apply(swap)

    def step(self, updates: int) -> int:
        """Train ``updates`` updates now, in this thread (a key press, or a test's frame)."""
        done = 0

        def run(session: Session) -> None:
            nonlocal done
            done = session.run_batches(updates)
            self.total_updates += done  # under the lock, like the worker's count

        self.apply(run)
        return done

    def back(self, updates: int) -> Snapshot:
        """Go back to ``updates`` updates (no earlier than ``rewind.earliest``)."""
        return self.apply(lambda session: self.rewind.back_to(session, updates))

    def start_run(self) -> bool:
        """Running starts. At or past ``stop_epoch`` (it stopped there, or a step went past
        it) it trains on past it rather than stopping at once: returns whether it does. A
        run from below stops there."""

        def past(session: Session) -> bool:
            self.past_stop = self.stop_epoch is not None and session.epoch >= self.stop_epoch
            return self.past_stop

        return self.read(past)

    def stopped_at_stop_epoch(self, snap: Snapshot) -> bool:
        """Whether running has reached ``stop_epoch`` from below, where it stops."""
        stop = self.stop_epoch
        return stop is not None and not self.past_stop and snap.epoch >= stop

    def _until_stop(self, count: int) -> int:
        """``count`` cut so that running stops exactly at ``stop_epoch`` (unless it trains
        on past it) and at ``stop_update``."""
        s = self.session
        if self.stop_update is not None:
            count = max(0, min(count, self.stop_update - s.updates))
        if self.stop_epoch is None:
            return count
        left = self.stop_epoch * s.batches_per_epoch - (
            s.epoch * s.batches_per_epoch + s.batch_in_epoch
        )
        if left > 0:
            self.past_stop = False  # below it again (r, i, a new rule...): it stops there
        if self.past_stop:
            return count
        return max(0, min(count, left))

    def until_stop(self, count: int) -> int:
        """``count`` updates, or fewer so as to stop at the next stop."""
        return self._until_stop(count)

    def frame_in_step_mode(self) -> None:
        """What one frame of running does, synchronously: for deterministic tests."""
        self.step(self._until_stop(self.speed if not self.full_speed else self._chunk))

    # -- the worker thread's side -------------------------------------------------------
    def work(self, cancelled: Callable[[], bool]) -> None:
        """Train until cancelled or diverged: the body of the app's thread worker."""
        while not cancelled():
            if self._commands_waiting:
                self._resume.wait(0.01)
                self._resume.clear()
                continue
            if not self.full_speed and self._budget <= 0:
                self._wake.wait(0.05)
                self._wake.clear()
                continue
            with self.lock:
                with self._flags:
                    budget = self._budget
                count = self._chunk if self.full_speed else min(budget, self._chunk)
                count = self._until_stop(count)
                if count == 0:
                    self._snapshot = self.session.snapshot(self.problem)
                    return
                started = time.perf_counter()
                done = self.session.run_batches(count)
                elapsed = time.perf_counter() - started
                self.rewind.note(self.session)
                self.total_updates += done
                if count == self._chunk and elapsed > 0:
                    # Keep full chunks near CHUNK_SECONDS: at most 2x larger or smaller at
                    # once. Chunks cut short by the budget say nothing about the rate.
                    scale = min(2.0, max(0.5, CHUNK_SECONDS / elapsed))
                    self._chunk = max(1, min(MAX_CHUNK, int(self._chunk * scale)))
                diverged = self.session.diverged
                with self._flags:
                    self._budget = max(0, self._budget - count)
                    wanted = self._snapshot_wanted or diverged
                    self._snapshot_wanted = False
                if wanted:  # a running frame's: may reuse a moment-old evaluation
                    self._snapshot = self.session.snapshot(self.problem, fresh=False)
            if diverged:
                return
