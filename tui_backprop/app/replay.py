"""Keeping a run (``--record``) and playing it back (``tui-backprop replay``).

Recording notes, for each key that changes the run (``io.run_file.ACTIONS``), the update
count at which it was pressed. Training is deterministic and each of those keys acts on the
state alone (alpha x2 from the alpha in use, the next seed, the next activation...), so a
replay is the same start, training up to each recorded count, and the same key there: the
same bits. The Runner stops at the next recorded count (``stop_update``), so space, n and
e play on at any pace and never past a key; the key is pressed when its count is reached.
A lesson opened from the palette begins a new recording, from that lesson.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from ..core.config import RunConfig
from ..core.errors import InputError
from ..io.run_file import Event, RunRecord, save_run
from .host import AppHost


class ReplayMixin(AppHost):
    """Recording and replaying, mixed into BackpropApp."""

    def _init_replay(self) -> None:
        self.events: list[Event] = []
        self._replaying = False
        record = self.config.replay
        self._pending: list[Event] = list(record.events) if record is not None else []
        self._start = self.runner.session.initial_parameters()
        self._start_seed = self.runner.session.seed
        self._start_run: RunConfig | None = self.config.run_config
        self._stop_at_next()

    # -- recording -----------------------------------------------------------------------
    def recorded(self, action: str, act: Callable[[], None]) -> None:
        """Do ``act`` (the key ``action``), noting it with the update count it came at."""
        if not self._replaying:
            self.events.append(Event(self.runner.session.updates, action))
        act()

    def restart_recording(self) -> None:
        """Another network from the palette (a lesson, a restart's seed): record afresh."""
        self.events = []
        self._start = self.runner.session.initial_parameters()
        self._start_seed = self.runner.session.seed
        self._start_run = self.config.run_config

    def run_record(self) -> RunRecord:
        """The run so far, as a run file holds it."""
        run = self._start_run
        if run is None:
            raise InputError("this run was not started from a configuration: nothing to record")
        training = dataclasses.replace(run.training, seed=self._start_seed)
        run = dataclasses.replace(run, training=training)
        weights, biases = self._start
        spec = self.config.spec
        return RunRecord(
            run,
            (weights, biases if spec.bias else None),
            tuple(self.events),
            self.runner.session.updates,
        )

    def save_record(self, path: str) -> None:
        record = self.run_record()
        save_run(path, record, list(self.config.spec.sizes))

    # -- replaying -----------------------------------------------------------------------
    @property
    def replaying(self) -> bool:
        return self.config.replay is not None

    def _stop_at_next(self) -> None:
        """Training stops at the next recorded key, or at the recording's end."""
        record = self.config.replay
        if record is None:
            return
        self.runner.stop_update = self._pending[0].updates if self._pending else record.end

    def replay_due(self) -> None:
        """Press every recorded key whose count has come; at the end, say so."""
        record = self.config.replay
        if record is None:
            return
        was_running, pressed = self.running, False
        while self._pending and self.runner.session.updates >= self._pending[0].updates:
            event = self._pending.pop(0)
            self._replaying = True
            try:
                getattr(self, f"action_{event.action}")()
            finally:
                self._replaying = False
            self._stop_at_next()
            pressed = True
        if not self._pending and self.runner.session.updates >= record.end:
            if self.runner.stop_update is not None:
                self.runner.stop_update = None  # from here on, training is the viewer's
                self.set_running(False)
                self.say(f"replay done: update {record.end}, as recorded; training on is new")
        elif pressed and was_running:
            self.set_running(True)  # a key may have paused it; the replay plays on
