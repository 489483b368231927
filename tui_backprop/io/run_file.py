"""Run files (``tui --record FILE.json``, ``replay FILE.json``): a lecture's run, kept.

A run file is JSON::

    {"format": "tui-backprop run", "version": 1,
     "run": {"data": {...}, "network": {...}, "init": {...}, "training": {...}},
     "initial": {"layers": [...], "weights": [...], "biases": [...]},
     "events": [{"updates": 40, "action": "alpha_up"}, ...],
     "end": 120}

``run`` is the typed configuration (``core.config``) field by field (the update rule's
settings besides alpha and momentum, ``NEWER_TRAINING_FIELDS``, only where they differ from
their defaults, so that a run with the default rule reads in a version that predates them;
a field left out takes its default, which is what those versions did); ``initial`` the exact
starting weights, as a weights file holds them; ``events`` the keys that changed the run,
in order, each with the update count of the network at the moment it was pressed; ``end``
the update count at which the recording stopped. Training is deterministic, so training
from ``initial`` and pressing the same keys at the same counts gives the same bits: that is
the replay. Reading one never runs anything; a bad file, or one of another format or
version, is refused in one line.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, TypeGuard

import numpy as np

from ..core.arrays import Floats
from ..core.config import DataConfig, InitConfig, NetworkConfig, RunConfig, TrainingConfig
from ..core.errors import ConfigError, InputError
from .files import display_path, to_json_lists, write_text_atomic
from .weights_file import MAX_STEPS_DONE, read_json, weights_from_document

FORMAT = "tui-backprop run"
VERSION = 1
#: The keys a run file records: the app's actions that change the run.
ACTIONS = (
    "alpha_up",
    "alpha_down",
    "momentum",
    "optimizer",
    "reseed",
    "restart",
    "activation",
    "cost",
    "back_update",
    "back_epoch",
)
#: At most this many events (a lecture presses keys hundreds of times, not millions).
MAX_EVENTS = 100_000
#: The keys that leave the run where it is: the next key comes at this update or later.
#: Every other one may take it back: b one update, B to an epoch's start, and the keys
#: that start it again (a new seed, a restart, another activation or cost; alpha on a
#: run that diverged).
KEEP_PLACE = ("momentum", "optimizer")
#: An update count a run can reach: Adam's t is kept in a float64, whole up to 2^53.
MAX_UPDATES = MAX_STEPS_DONE
#: The training fields that came after version 1's first files (the optimizers): written
#: only when not at their defaults. A file without them is a momentum run, as before.
NEWER_TRAINING_FIELDS = (
    "optimizer",
    "rho",
    "beta1",
    "beta2",
    "eps",
    "weight_decay",
    "decay_biases",
)
_SECTIONS = {
    "data": DataConfig,
    "network": NetworkConfig,
    "init": InitConfig,
    "training": TrainingConfig,
}


@dataclass(frozen=True)
class Event:
    """A key that changed the run (one of ACTIONS), pressed after ``updates`` updates."""

    updates: int
    action: str


@dataclass(frozen=True)
class RunRecord:
    """A run file's content: the configuration (its initial weights are ``initial``, so
    ``run.init.file`` is None), the events in order, the update count at the end."""

    run: RunConfig
    initial: tuple[list[Floats], list[Floats] | None]
    events: tuple[Event, ...]
    end: int


def save_run(path: str, record: RunRecord, sizes: list[int]) -> None:
    """Write ``record`` (for a network of layer ``sizes``) atomically."""
    weights, biases = record.initial
    run = {name: dataclasses.asdict(getattr(record.run, name)) for name in _SECTIONS}
    defaults = dataclasses.asdict(TrainingConfig())
    for field in NEWER_TRAINING_FIELDS:
        if run["training"][field] == defaults[field]:
            del run["training"][field]
    document = {
        "format": FORMAT,
        "version": VERSION,
        "run": run,
        "initial": {
            "layers": sizes,
            "weights": [to_json_lists(w) for w in weights],
            "biases": None if biases is None else [to_json_lists(b) for b in biases],
        },
        "events": [{"updates": e.updates, "action": e.action} for e in record.events],
        "end": record.end,
    }
    write_text_atomic(path, json.dumps(document, indent=1) + "\n")


def _whole(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _too_large(value: Any) -> bool:
    """A number past MAX_UPDATES (a whole number of more digits than JSON's reader keeps
    as one arrives as a float)."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return number and value > MAX_UPDATES


def _update_count(value: Any, name: str, what: str) -> int:
    """``value`` as an update count from 0 to MAX_UPDATES, or InputError naming ``what``."""
    if _too_large(value):
        raise InputError(
            f"{name}: {what} is too large: a run counts at most 2^53 = {MAX_UPDATES} updates"
        )
    if not _whole(value):
        raise InputError(f"{name}: {what} must be a whole number of updates >= 0")
    return int(value)


def load_run(path: str) -> RunRecord:
    """Read and check a run file; InputError (one line, naming the file) if it is bad."""
    name = display_path(path)
    document = read_json(path, name, "run file")
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InputError(f'{name}: not a tui-backprop run file (no "format": "{FORMAT}")')
    version = document.get("version")
    if version != VERSION:
        raise InputError(
            f"{name}: a run file of version {version!r}; this tui-backprop reads version "
            f"{VERSION} (a newer one may have written it)"
        )
    run = _run_config(document.get("run"), name)
    from .build import build_spec, load_problem

    try:
        problem = load_problem(run.data)
        spec = build_spec(run.network, run.init, problem)
    except ConfigError as error:
        raise InputError(f"{name}: run: {error.field}: {error.problem}") from None
    initial = weights_from_document(document.get("initial"), name, list(spec.sizes), spec.bias)
    events = _events(document.get("events"), name)
    end = _update_count(document.get("end"), name, '"end"')
    if events and end < _earliest_after(events[-1]):
        last = events[-1]
        raise InputError(
            f'{name}: "end" ({end}) comes before the last event ({last.action} at update '
            f"{last.updates}), which leaves the run at update {_earliest_after(last)} or later"
        )
    return RunRecord(run, initial, events, end)


def _run_config(raw: Any, name: str) -> RunConfig:
    if not isinstance(raw, dict) or set(raw) != set(_SECTIONS):
        raise InputError(f'{name}: "run" must hold data, network, init and training')
    sections = {}
    for section, kind in _SECTIONS.items():
        values = raw[section]
        fields = {f.name for f in dataclasses.fields(kind)}
        if not isinstance(values, dict) or not set(values) <= fields:
            raise InputError(f"{name}: run.{section}: unknown or missing fields")
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
        if section == "init":
            values["file"] = None  # the run file holds the initial weights itself
        try:
            sections[section] = kind(**values)
        except ConfigError as error:
            raise InputError(f"{name}: run: {error.field}: {error.problem}") from None
        except TypeError as error:
            raise InputError(f"{name}: run.{section}: {error}") from None
    return RunConfig(**sections)


def _events(raw: Any, name: str) -> tuple[Event, ...]:
    """The recorded keys, each checked, in the order they were pressed: an event at an
    earlier update than the run can be at after the one before it is out of order."""
    if not isinstance(raw, list) or len(raw) > MAX_EVENTS:
        raise InputError(f'{name}: "events" must be a list of at most {MAX_EVENTS} events')
    events: list[Event] = []
    for k, item in enumerate(raw, start=1):
        ok = (
            isinstance(item, dict)
            and set(item) == {"updates", "action"}
            and (_whole(item["updates"]) or _too_large(item["updates"]))
            and item["action"] in ACTIONS
        )
        if not ok:
            raise InputError(
                f'{name}: event {k}: must be {{"updates": N, "action": A}} with A one of '
                f"{', '.join(ACTIONS)}"
            )
        event = Event(_update_count(item["updates"], name, f"event {k}'s updates"), item["action"])
        if events and event.updates < _earliest_after(events[-1]):
            before = events[-1]
            raise InputError(
                f"{name}: event {k} ({event.action} at update {event.updates}) is out of "
                f"order: event {k - 1} before it ({before.action} at update "
                f"{before.updates}) leaves the run at update {_earliest_after(before)} or later"
            )
        events.append(event)
    return tuple(events)


def _earliest_after(event: Event) -> int:
    """The lowest update count the run can be at once ``event``'s key was pressed: where it
    was for a key that keeps its place (KEEP_PLACE), one update back for b, and 0 for the
    others, which may start it again or go back an epoch."""
    if event.action in KEEP_PLACE:
        return event.updates
    if event.action == "back_update":
        return max(0, event.updates - 1)
    return 0


def initial_arrays(
    weights: list[Floats], biases: list[Floats] | None
) -> tuple[list[Floats], list[Floats] | None]:
    """Copies, as the record keeps them."""
    return [np.array(w) for w in weights], None if biases is None else [np.array(b) for b in biases]
