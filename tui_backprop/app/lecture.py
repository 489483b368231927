"""The app's teaching keys: phase stepping, selection, gradient check, output map.

A mixin for :class:`BackpropApp`, kept apart so the app module stays about running and
changing the network. The state it adds is UI state only: the walk through one update
(:class:`PhaseWalk`), the cursor, which panel shows, and the recent weights for sparklines.
The numbers all come from :mod:`tui_backprop.teach.explain` and the Snapshots.
"""

from __future__ import annotations

import numpy as np
from textual.actions import SkipAction
from textual.binding import Binding

from ..core.arrays import layer_arrays
from ..core.config import QuizConfig
from ..core.session import Session
from ..core.snapshot import Snapshot
from ..teach.explain import Explanation, Phase, explain_update
from ..teach.gradcheck import LayerCheck, check_gradients
from ..teach.quiz import Question, judge, questions, rule_text
from ..teach.walk import Cursor, Focus, Node, ParameterHistory, PhaseWalk, saturated
from .background import in_background
from .host import AppHost
from .screens.gradcheck import GradCheckScreen, gradcheck_text
from .screens.question import QuestionScreen
from .widgets.explain_panel import (
    EXPLAIN_NOTES_ASIDE_TITLE,
    EXPLAIN_TITLE,
    ExplainPanel,
    batch_text,
    example_text,
    phase_text,
    selection_text,
)
from .widgets.formatting import screen_notation
from .widgets.notes import NotesPanel
from .widgets.output_map import OutputView
from .widgets.weights import WeightsView

PHASE, SELECT = "phase", "select"
#: The kernels' update and the explanation's agree to rounding (their sums run in
#: another order); anything more means the explanation is wrong.
AGREEMENT_RTOL = 1e-9
AGREEMENT_ATOL = 1e-12

TEACHING_BINDINGS = [
    Binding(
        "s",
        "app.phase_step",
        "phase",
        show=True,
        tooltip="explain the next update phase by phase: forward, cost, deltas, gradients, update",
    ),
    Binding(
        "g",
        "app.gradcheck",
        "gradient check",
        show=False,
        tooltip="backprop against finite differences, per layer",
    ),
    Binding(
        "p",
        "app.predict",
        "predict",
        show=False,
        tooltip="predict mode: s asks for a number of each phase before showing it",
    ),
    Binding(
        "o",
        "app.output_map",
        "output map",
        show=False,
        tooltip="the network's answer over the inputs / the loss curve",
    ),
    # Priority: before any focused widget's scrolling or the screen's tab-to-focus. They
    # are the main screen's bindings, so other screens never see them.
    Binding("up", "app.select('up')", "select up", show=False, priority=True),
    Binding("down", "app.select('down')", "select down", show=False, priority=True),
    Binding("left", "app.select('left')", "select left", show=False, priority=True),
    Binding("right", "app.select('right')", "select right", show=False, priority=True),
    Binding("tab", "app.select('next')", "select next", show=False, priority=True),
    Binding("shift+tab", "app.select('previous')", "select previous", show=False, priority=True),
    # Shown while the panel is open (check_action hides it otherwise): the way out of the
    # phase walk or a selection is in the footer, not only at the panel's last line.
    Binding(
        "escape",
        "app.close_explain",
        "close",
        key_display="esc",
        tooltip="close the explain panel (the phase walk or the selection)",
    ),
    # With no panel to close, a seed opened from the restarts goes back to them.
    Binding(
        "escape",
        "app.back_to_scene",
        "back",
        tooltip="back to the restarts scene this seed was opened from",
    ),
    # Priority over the notes panel's own paging while the explain panel is open.
    Binding("pageup", "app.scroll_explain(-1)", "scroll the panel up", show=False, priority=True),
    Binding(
        "pagedown", "app.scroll_explain(1)", "scroll the panel down", show=False, priority=True
    ),
]


#: What a key that trains says after a divergence.
DIVERGED_KEYS = "training diverged: press - (halve alpha), i (restart) or r (reseed) first"


def _frozen_copy(session: Session) -> Session:
    """A Session of the same network, data and weights, to check apart from the live one."""
    net = session.network
    biases = net.biases() if session.spec.bias else None
    return Session(
        session.spec, session.X, session.Y, session.settings, initial=(net.weights(), biases)
    )


def _state_key(snap: Snapshot) -> tuple:
    """What an explanation of the next update depends on."""
    return (
        snap.seed,
        snap.spec,
        snap.updates,
        snap.alpha,
        snap.momentum,
        snap.rule,  # O: another optimizer (and its state from zero), or its settings
        snap.batch_size,
        layer_arrays(snap.weights)[1].tobytes() if snap.spec.n_layers else b"",
    )


def _weights_used(phase: Phase) -> int | None:
    """The layer m whose W^m a phase's numbers are worked out from: the forward pass and
    the update of layer m use W^m, layer m's hidden delta W^{m+1}; the cost, the output
    delta and the gradients (delta^m a^{m-1}) none."""
    if phase.layer is None:
        return None
    if phase.kind in ("forward", "update"):
        return phase.layer
    return phase.layer + 1 if phase.kind == "hidden-delta" else None


class TeachingMixin(AppHost):
    """Adds the teaching views to the app (which provides runner, draw, set_running: see
    :class:`.host.AppHost`)."""

    _panel: str | None = None  # PHASE, SELECT or None (closed): see ``panel``

    @property
    def panel(self) -> str | None:
        """The explain panel's content: PHASE, SELECT, or None (closed)."""
        return self._panel

    @panel.setter
    def panel(self, panel: str | None) -> None:
        if panel != self._panel:
            if (panel is None) != (self._panel is None):
                self._explain_room(panel is not None)
            self._panel = panel
            self.refresh_bindings()  # escape closes the panel, or goes back to a scene

    def _explain_room(self, opening: bool) -> None:
        """Floating notes would cover the explain panel's lines (on screens narrower than
        the notes need beside the panels): they step aside while it is open, and its
        border says so and how to have them back."""
        main = self.screen_stack[0]
        notes = main.query_one("#notes", NotesPanel)
        notes.make_room(opening)
        self.title_explain(notes)

    def title_explain(self, notes: NotesPanel) -> None:
        """The explain panel's border title: whether the notes stepped aside for it."""
        aside = notes.stepped_aside
        self.screen_stack[0].query_one("#explain").border_title = (
            EXPLAIN_NOTES_ASIDE_TITLE if aside else EXPLAIN_TITLE
        )

    def _init_teaching(self) -> None:
        self.walk: PhaseWalk | None = None
        self._walk_key: tuple | None = None
        self.cursor: Cursor | None = None
        self._panel = None
        self.output_map = False
        self.history = ParameterHistory()
        self._next: tuple[tuple, Explanation] | None = None
        self.predict = False
        #: The walk the questions are of, its questions by phase, and the score so far.
        self._quiz: tuple[PhaseWalk, dict[int, Question]] | None = None
        self.score = [0, 0]  # right, asked

    # -- what the views show --------------------------------------------------------------
    def _drop_stale_walk(self, snap: Snapshot) -> None:
        """Another key changed the network or its next update: the walk no longer applies."""
        if self.walk is not None and _state_key(snap) != self._walk_key:
            walked = self.walk
            self.walk = None
            if self.panel == PHASE:
                self.panel = SELECT
                self._ensure_cursor(snap)
                # A setting changed under the walk (+, m, O: no update ran): it explained
                # an update that will not be made; said, not left to be noticed. (n, e and
                # space end a walk by making updates, as they say.)
                key = self._walk_key
                same = key is not None and key[0] == snap.seed and key[2] == snap.updates
                if same and not walked.applied:
                    note = "the walk's update changed: s explains the new one"
                    self.message = f"{self.message} · {note}" if self.message else note

    def _ensure_cursor(self, snap: Snapshot) -> None:
        if self.cursor is None:
            self.cursor = Cursor(snap.spec.sizes)
        else:
            self.cursor.resize(snap.spec.sizes)

    def teaching_view(self, snap: Snapshot) -> tuple[Snapshot, Focus | None, frozenset[Node]]:
        """(Snapshot to draw, focus, saturated nodes) for the network view."""
        self.history.record(snap)
        self._drop_stale_walk(snap)
        shown, focus = snap, None
        if self.panel == PHASE and self.walk is not None:
            shown = self.walk.display(snap)
            focus = self.walk.focus(snap.spec.sizes)
        elif self.panel == SELECT and self.cursor is not None:
            self.cursor.resize(snap.spec.sizes)
            focus = self.cursor.selection.focus()
        return shown, focus, saturated(shown)

    def _next_update(self, snap: Snapshot) -> Explanation | None:
        """The explained next update, while paused (cached until something changes)."""
        if self.running:
            return None
        key = _state_key(snap)
        if self._next is None or self._next[0] != key:
            explanation = self.runner.read(lambda s: explain_update(s, s.next_batch().tolist()))
            self._next = (key, explanation)
        return self._next[1]

    def update_teaching_panels(self, snap: Snapshot, shown: Snapshot) -> None:
        """The explain panel's text and the output map, for the Snapshot just drawn."""
        self._set_teaching_classes()
        if self.panel == PHASE and self.walk is not None:
            about = (self.walk.serial, self.walk.index)
            self.query_one(ExplainPanel).update(phase_text(self.walk, shown), about)
        elif self.panel == SELECT and self.cursor is not None:
            selection = self.cursor.selection
            self.query_one(ExplainPanel).update(
                selection_text(snap, selection, self._next_update(snap), self.history), selection
            )
        if self.output_map:
            self.query_one(OutputView).show(
                snap, throttle=self.running and not self.config.step_mode
            )

    def _set_teaching_classes(self) -> None:
        screen = self.screen_stack[0]  # the main view's, with a question or help over it
        screen.set_class(self.panel is not None, "-explain")
        screen.set_class(self.output_map, "-outmap")
        # Predict mode's answers are worked out from W and b: the compact layout shows
        # the weights panel beside the network meanwhile (app.tcss).
        screen.set_class(self.predict, "-predict")

    def _check_main_screen(self) -> None:
        """The keys are the main screen's, but an action may come another way (the
        palette): over another screen it steps aside."""
        if self.screen is not self.screen_stack[0]:
            raise SkipAction()

    # -- actions --------------------------------------------------------------------------
    def action_phase_step(self) -> None:
        """One phase of one update; past the last phase, the next update's first."""
        self._check_main_screen()
        self.set_running(False)
        snap = self.runner.latest()
        if snap.diverged:
            self.say(DIVERGED_KEYS)
            return
        if not self.kernels_needed("s", self.action_phase_step):
            return
        self._drop_stale_walk(snap)
        new = self.walk is None or self.walk.at_end or self.panel != PHASE
        if new:
            explanation = self.runner.read(lambda s: explain_update(s, s.next_batch().tolist()))
            walk = PhaseWalk(explanation, snap.updates + 1)
            target = 0
        else:
            assert self.walk is not None
            walk, target = self.walk, self.walk.index + 1
        question = self._question(walk, target) if self.predict else None
        if question is None:
            self._reveal(walk, new, snap)
            return

        def answered(answer: float | None) -> None:
            self._judge(question, answer)
            self._reveal(walk, new, snap, keep_message=True)

        phase = walk.phases[target]
        examples = walk.explanation.examples
        if phase.example is not None or len(examples) == 1:
            # The network may still show the example before (a new update's first question
            # comes before its phase is shown): the one asked about, in words.
            about = example_text(snap, examples[0] if phase.example is None else phase.example)
        else:  # the batch's mean and update: the whole batch's
            about = batch_text(examples)
        weights = self.query_one(WeightsView)
        layer = _weights_used(phase)
        if layer is not None and weights.display:
            weights.show_layer(layer)  # the W the answer is worked out from, in view
        self.push_screen(
            QuestionScreen(
                phase.title,
                screen_notation(question.label),
                self._score_text(),
                about,
                rule_text(self._quiz_config().tolerance),
            ),
            answered,
        )

    def _reveal(
        self, walk: PhaseWalk, new: bool, snap: Snapshot, keep_message: bool = False
    ) -> None:
        """Show the walk's next phase (the first, for a new walk)."""
        if new:
            self.walk = walk
            self._walk_key = _state_key(snap)
        else:
            walk.advance()
        self.panel = PHASE
        if walk.needs_update:
            self._make_update(walk)
        shown = f"phase {walk.index + 1}/{len(walk.phases)}: {walk.phase.title}"
        if keep_message:
            shown = f"{self.message} · {shown}"
        if self.predict and self.score[1]:
            # First: the end of a long message is cut after a while; the score stays.
            shown = f"{self._score_text()} · {shown}"
            if walk.at_end:
                shown += " · update done"
        self.message = shown
        self.draw(self.runner.latest(), force=True)

    # -- predict mode ---------------------------------------------------------------------
    def _quiz_config(self) -> QuizConfig:
        lesson = self.config.lesson
        return lesson.quiz if lesson is not None else QuizConfig()

    def _question(self, walk: PhaseWalk, index: int) -> Question | None:
        """The question asked before phase ``index`` of ``walk`` is shown, if any."""
        if self._quiz is None or self._quiz[0] is not walk:
            asks = self._quiz_config().ask
            layers = self.runner.latest().spec.n_layers
            self._quiz = (walk, questions(walk.explanation, asks, layers))
            self.score = [0, 0]
        return self._quiz[1].get(index)

    def _judge(self, question: Question, answer: float | None) -> None:
        """Mark an answer (None: skipped) and say so in the status line."""
        value = f"{question.value + 0.0:.6g}"  # + 0.0: 0, not -0
        label = screen_notation(question.label)
        if answer is None:
            self.message = f"skipped: {label} = {value}"
            return
        self.score[1] += 1
        if judge(answer, question.value, self._quiz_config().tolerance):
            self.score[0] += 1
            self.message = f"right: {label} = {value}"
        else:
            self.message = f"not quite: {label} = {value}, not {answer:g}"

    def _score_text(self) -> str:
        right, asked = self.score
        return f"score {right}/{asked}" if asked else ""

    def action_predict(self) -> None:
        self._check_main_screen()
        self.predict = not self.predict
        self.say(
            # Not before every phase: each of the update's asked numbers (quiz.questions)
            # at the first phase that computes it.
            "predict mode: s asks for a phase's number before showing it, a few each "
            "update (p turns it off)"
            if self.predict
            else "predict mode off"
        )

    def show_next_update(self) -> None:
        """The explain panel on the next update's first phase (s walks on through it):
        after going back, the update just undone, shown again."""
        snap = self.runner.latest()
        explanation = self.runner.read(lambda s: explain_update(s, s.next_batch().tolist()))
        self.walk = PhaseWalk(explanation, snap.updates + 1)
        self._walk_key = _state_key(snap)
        self.panel = PHASE

    def _make_update(self, walk: PhaseWalk) -> None:
        """Make the explained update in the Session, and check it is the one explained."""
        self.runner.step(1)
        ex = walk.explanation

        def agrees(session: Session) -> bool:
            net = session.network
            made = zip(
                net.weights(),
                net.biases(),
                layer_arrays(ex.new_W)[1:],
                layer_arrays(ex.new_b)[1:],
                strict=True,
            )
            return all(
                np.allclose(W, new_W, rtol=AGREEMENT_RTOL, atol=AGREEMENT_ATOL)
                and np.allclose(b, new_b, rtol=AGREEMENT_RTOL, atol=AGREEMENT_ATOL)
                for W, b, new_W, new_b in made
            )

        if not self.runner.read(agrees):
            self.say("the update made differs from the one explained")
        walk.applied = True
        self._walk_key = _state_key(self.runner.latest())

    def action_select(self, direction: str) -> None:
        """Open the selection (first press) or move the cursor."""
        self._check_main_screen()
        snap = self.runner.latest()
        opening = self.panel != SELECT or self.cursor is None
        self._ensure_cursor(snap)
        if not opening:
            getattr(self.cursor, direction)()
        self.panel = SELECT
        self.message = ""
        self.draw(snap, force=True)

    def action_close_explain(self) -> None:
        self._check_main_screen()
        if self.panel is None:
            raise SkipAction()
        self.panel = None
        self.walk = None
        self.message = ""
        self.draw(self.runner.latest(), force=True)

    def action_scroll_explain(self, pages: int) -> None:
        """Long phases (wide layers) run past the panel: page through them. With the
        panel closed, the notes page instead, or it says what these keys page."""
        self._check_main_screen()
        if self.panel is None:
            from .widgets.notes import NotesPanel

            if not self.query_one("#notes", NotesPanel).page(pages):
                self.say("pgup / pgdn page the explain panel (s opens it) or the notes (t)")
            return
        panel = self.query_one(ExplainPanel)
        panel.scroll_to(y=panel.scroll_y + pages * max(1, panel.size.height - 1), animate=False)

    def action_output_map(self) -> None:
        self.output_map = not self.output_map
        self.message = "output map" if self.output_map else "loss curve"
        self.draw(self.runner.latest(), force=True)

    def action_gradcheck(self) -> None:
        """Backprop against finite differences for the last example and for all of them."""
        self.set_running(False)
        snap = self.runner.latest()
        if snap.diverged:
            self.say(DIVERGED_KEYS)
            return
        if not self.kernels_needed("g", self.action_gradcheck):
            return
        example = snap.example if snap.example is not None else 0
        # The check runs on a copy of the network as it is now, outside the Runner's lock:
        # keys keep acting meanwhile, and the result says which moment it describes.
        copy = self.runner.read(_frozen_copy)
        moment = _state_key(self.runner.latest())
        where = f"epoch {snap.epoch}, update {snap.updates}"

        def check() -> tuple[list[LayerCheck], list[LayerCheck], int]:
            return (
                check_gradients(copy, np.array([example])),
                check_gradients(copy),
                copy.n_examples,
            )

        def show(result: tuple[list[LayerCheck], list[LayerCheck], int]) -> None:
            self._show_gradcheck(example, *result, where=where, moment=moment)

        if self.config.step_mode:
            show(check())
            return
        self.message = "checking gradients…"
        self.draw(snap, force=True)
        in_background(self, "gradient check", check, show)

    def _show_gradcheck(
        self,
        example: int,
        one: list[LayerCheck],
        every: list[LayerCheck],
        n_examples: int,
        where: str,
        moment: tuple,
    ) -> None:
        latest = self.runner.latest()
        moved = _state_key(latest) != moment
        self.message = "gradient check of an earlier moment: g checks now" if moved else ""
        self.draw(latest, force=True)
        text = gradcheck_text(example, one, every, n_examples)
        title = f"gradient check at {where}"
        if moved:
            title += f" (now update {latest.updates}: g checks again)"
        self.push_screen(GradCheckScreen(text, title))
