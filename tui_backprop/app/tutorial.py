"""The app's side of the errata view (w): which lessons have one, and the runs it compares,
computed off the event loop."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from rich.text import Text

from ..core.arrays import layer_arrays
from ..core.config import RestartsConfig
from ..core.spec import NetworkSpec
from ..io.build import build_setup, build_spec, load_problem
from ..io.lessons import LESSON_DIR, Lesson
from ..teach import errata, tutorials
from ..teach.errata import Weights
from ..teach.restarts import train_restarts
from .background import in_background
from .host import AppHost
from .screens.errata import SEEDS_COUNTED, ErrataScreen, RunsCompared, errata_text


def seed_lesson(lesson: Lesson | None) -> str | None:
    """The name of a shipped lesson that follows a tutorial, else None."""
    if lesson is None or lesson.path.parent != LESSON_DIR:
        return None
    return lesson.name if lesson.name in errata.DIFFERENCES else None


def lesson_spec(lesson: Lesson) -> NetworkSpec:
    """The lesson's own network, before keys (a, c) or options changed the app's."""
    run = lesson.run
    return build_spec(run.network, run.init, load_problem(run.data))


#: What the errata view says it waits for, by stage of ``compare_runs``.
RUNNING_CODE = "running the tutorial's code"
RUNNING_TEXT = "running its text's squared error"
COUNTING_SEEDS = "counting the seeds that learn XOR"


def compare_runs(
    lesson: Lesson, seed: int, progress: Callable[[str, int, int], None] | None = None
) -> RunsCompared:
    """The tutorial's code as written and the lesson's own run, both from the lesson's
    initial weights for ``seed``; for xor-221 also how many of SEEDS_COUNTED seeds learn
    XOR. Runs in a worker thread: it builds its own Sessions. ``progress(stage, done,
    total)`` hears how far each stage that takes a while is."""

    def told(stage: str) -> Callable[[int, int], None] | None:
        if progress is None:
            return None
        return lambda done, total: progress(stage, done, total)

    name = lesson.name
    training = dataclasses.replace(lesson.run.training, seed=seed)
    setup = build_setup(dataclasses.replace(lesson.run, training=training))
    session = setup.session
    assert session is not None
    net, bias = session.network, setup.spec.bias
    # Copies, from before the lesson's run: where every run compared starts.
    start_weights, start_biases = net.weights(), net.biases() if bias else None
    written = tutorials.run_as_written(name, start_weights, start_biases, tick=told(RUNNING_CODE))
    session.run_epochs(setup.settings.epochs)
    X, Y = setup.problem.X, setup.problem.Y
    state = Weights(net.weights(), net.biases() if bias else None, X, Y)
    outcomes = errata.compare_runs(name, written, state)
    runs = RunsCompared(setup.settings.epochs, outcomes, X, [written.outputs, state.output()])
    if name == "xor-231":
        # The code and the lesson train cross-entropy alike: the third run is the squared
        # error its text states, from the same start.
        assert start_biases is not None
        text = tutorials.xor_231_as_written(
            start_weights, start_biases, squared_error_delta=True, tick=told(RUNNING_TEXT)
        )
        text_state = Weights(text.weights, text.biases, X, Y)
        return dataclasses.replace(
            runs,
            outcomes=[*outcomes, errata.outcome(name, "its text", text_state)],
            outputs=[*runs.outputs, text.outputs],
        )
    if name != "xor-221":
        return runs
    threshold, _ = RestartsConfig().threshold_for(setup.spec.cost)
    counted = train_restarts(
        setup.spec,
        X,
        Y,
        dataclasses.replace(training, seed=0),
        SEEDS_COUNTED,
        progress=told(COUNTING_SEEDS),
    )
    learned = int(counted.converged(threshold).sum())
    return dataclasses.replace(runs, learned=learned, seeds=SEEDS_COUNTED, threshold=threshold)


class TutorialMixin(AppHost):
    """The errata view's action, mixed into BackpropApp."""

    def has_errata(self) -> bool:
        return seed_lesson(self.config.lesson) is not None

    def action_errata(self) -> None:
        """Open the errata view: the differences at the current weights at once, the two
        runs when the worker has them."""
        lesson = self.config.lesson
        name = seed_lesson(lesson)
        if name is None or lesson is None:
            which = ", ".join(errata.DIFFERENCES)
            self.message = f"no tutorial to compare: open a seed lesson ({which})"
            return
        self.set_running(False)
        snap = self.runner.latest()
        spec = snap.spec
        biases = layer_arrays(snap.biases)[1:] if spec.bias else None
        state = Weights(layer_arrays(snap.weights)[1:], biases, snap.inputs, snap.targets)
        points = [(state, f"(epoch {snap.epoch}, update {snap.updates})")]
        networks = (lesson_spec(lesson), spec)

        def text(runs: RunsCompared | None) -> Text:
            return errata_text(name, lesson.title, points, runs, networks)

        screen = ErrataScreen(name, text(None))
        self.push_screen(screen)
        if name not in tutorials.NETWORK_LESSONS:
            return

        def show(runs: RunsCompared) -> None:
            screen.show(text(runs))

        if self.config.step_mode:
            show(compare_runs(lesson, snap.seed))
            return

        def progress(stage: str, done: int, total: int) -> None:
            self.call_from_thread(
                screen.show,
                text(None) + errata_progress(stage, done, total),
            )

        in_background(self, "errata runs", lambda: compare_runs(lesson, snap.seed, progress), show)


def errata_progress(stage: str, done: int, total: int) -> Text:
    """The line under the runs' place while they are computed: which stage, how far."""
    share = done / total if total else 1.0
    return Text(f"{stage}: {share:.0%}\n", style="italic")
