"""Everything the app needs to start: what to train, how the app runs, and the lesson."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core.config import AppOptions, RunConfig, TrainingConfig
from ..core.problem import Problem
from ..core.session import Session
from ..core.spec import NetworkSpec
from ..io.lessons import Lesson
from ..io.resume import resume
from ..io.run_file import RunRecord
from ..io.weights_file import SavedState


@dataclass(frozen=True, eq=False)
class AppConfig:
    """problem, spec, settings: what to train; initial: exact starting weights or None.

    options: frame rate, speed, when to pause or quit, files written at exit;
    step_mode: no timer and no worker thread, frames advance only when a test calls
    ``app.advance_frame()`` (deterministic Pilot tests);
    lesson: the lesson this run comes from (its scene opens, its notes show), or None;
    run_config: the configuration it was built from (a run file records it), or None;
    replay: a recorded run to play back (``tui-backprop replay``), or None;
    saved, saved_file: the training state an ``--init`` weights file holds (written by
    ``--save``), which the app's first Session resumes (``io.resume``), and that file's
    name as messages give it; None, "" for none.
    """

    problem: Problem
    spec: NetworkSpec
    settings: TrainingConfig
    initial: tuple[list[np.ndarray], list[np.ndarray] | None] | None = None
    options: AppOptions = field(default_factory=AppOptions)
    step_mode: bool = False
    lesson: Lesson | None = None
    run_config: RunConfig | None = None
    replay: RunRecord | None = None
    saved: SavedState | None = None
    saved_file: str = ""


def new_session(config: AppConfig) -> Session:
    """A Session of ``config``'s network on its data, from its initial weights (or seed)."""
    return Session(
        config.spec, config.problem.X, config.problem.Y, config.settings, initial=config.initial
    )


def first_session(config: AppConfig) -> tuple[Session, str]:
    """The app's first Session: ``new_session``, resuming the training state of the
    ``--init`` file if it holds one. Returns it and a message on what was not resumed
    ("" when nothing needs saying)."""
    session = new_session(config)
    if config.saved is None:
        return session, ""
    resumed = resume(session, config.saved, config.saved_file)
    if resumed.notes:
        return session, " ".join(resumed.notes)
    return session, f"resumed {config.saved_file} after {resumed.epochs} epochs"
