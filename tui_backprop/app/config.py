"""Everything the app needs to start, gathered from the command line (or a test)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..io.lessons import Lesson
from ..core.problems import Problem
from ..core.config import TrainSettings
from ..core.spec import NetworkSpec

DEFAULT_FPS = 15.0
DEFAULT_SPEED = 50  # updates per frame: XOR 2-3-1 learns in a few seconds at 15 fps


@dataclass(frozen=True, eq=False)
class AppConfig:
    """problem, spec, settings: what to train; initial: exact starting weights or None.

    fps: frames per second; speed: updates per frame (runner.FULL_SPEED for no limit);
    run: start running at once; quit_after: seconds until the app exits by itself;
    stop_epoch: pause when this many epochs are done; save: weights file written at exit;
    step_mode: no timer and no worker thread, frames advance only when a test calls
    ``app.advance_frame()`` (deterministic Pilot tests);
    lesson: the lesson this run comes from (its scene opens, its notes show), or None.
    """

    problem: Problem
    spec: NetworkSpec
    settings: TrainSettings
    initial: tuple[list[np.ndarray], list[np.ndarray] | None] | None = None
    fps: float = DEFAULT_FPS
    speed: int = DEFAULT_SPEED
    run: bool = False
    quit_after: float | None = None
    stop_epoch: int | None = None
    save: str | None = None
    step_mode: bool = False
    lesson: Lesson | None = None
