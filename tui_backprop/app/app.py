"""The tui-backprop app: watch a network train, step it, change it, one key at a time.

Widgets only draw Snapshots; every key becomes a command on the Runner, which applies
it between training chunks. A timer draws the latest Snapshot ``fps`` times a second
while running; while paused the timer stops and each command redraws once.

SIGTERM, SIGHUP (the terminal closed) and SIGQUIT stop the app as ``q`` does, so that
Textual restores the terminal; ``stopped_by`` then names the signal and the return code
is 128 + its number, and the caller still writes ``--save`` and ``--stats``. Once the
terminal has gone, what is drawn is dropped, so that leaving does not wait for a
terminal that is not there.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import get_current_worker

from ..core.config import FULL_SPEED, MAX_SEED, OPTIMIZERS, RULE_SETTINGS, SPEEDS
from ..core.errors import InputError
from ..core.session import Session
from ..core.snapshot import DIVERGED, PAUSED, RUNNING, Snapshot
from ..core.spec import NetworkSpec
from ..io.files import write_text_atomic
from ..teach.errata import DIFFERENCES
from .background import in_background
from .config import AppConfig, first_session
from .lecture import DIVERGED_KEYS, TEACHING_BINDINGS, TeachingMixin
from .replay import ReplayMixin
from .runner import Runner
from .scenes import SceneMixin
from .screens.help import HelpScreen, screen_bindings
from .screens.scene import SceneScreen
from .tutorial import TutorialMixin
from .warm import WarmKernelsMixin
from .widgets.examples import ExamplesView
from .widgets.explain_panel import EXPLAIN_TITLE, ExplainPanel
from .widgets.footer import WholeKeysFooter
from .widgets.formatting import loss_text
from .widgets.loss_plot import LossPlot
from .widgets.network.view import NetworkView
from .widgets.output_map import OutputView
from .widgets.status import StatusLine
from .widgets.weights import WeightsView

MOMENTUM_STEPS = (0.0, 0.5, 0.9, 0.99)
#: How often the loss curve is redrawn while running (frames are counted, not seconds).
PLOT_HZ = 3.0
ACTIVATION_CYCLE = ("sigmoid", "tanh", "relu")
COST_CYCLE = ("mse", "cross-entropy")
#: Below this the compact layout; below MIN_SIZE a "too small" message.
FULL_SIZE = (100, 30)
MIN_SIZE = (80, 24)
MIN_ALPHA = 1e-12
MAX_ALPHA = 1e6
#: Signals that stop the app cleanly: kill's default, the terminal closing, Ctrl+backslash
#: (those of them the platform has: Windows has no SIGHUP or SIGQUIT).
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGQUIT") if hasattr(signal, name)
)


#: The main view's keys: bound on MainScreen, so they act on the network view only.
MAIN_BINDINGS: list[BindingType] = [
    Binding("space", "app.toggle_run", "run/pause", tooltip="run or pause training"),
    Binding(
        "n",
        "app.step_update",
        "step",
        tooltip="one update (one example online, one batch otherwise)",
    ),
    Binding(
        "e",
        "app.step_epoch",
        "epoch",
        show=False,
        tooltip="finish this epoch (one whole epoch from its start)",
    ),
    Binding(
        "r",
        "app.reseed",
        "reseed",
        tooltip="reseed: next seed, new initial weights, history cleared",
    ),
    Binding(
        "plus,equals_sign", "app.alpha_up", "α×2", key_display="+", tooltip="double alpha (live)"
    ),
    Binding(
        "minus,underscore",
        "app.alpha_down",
        "α/2",
        key_display="-",
        # + stands for the pair in the footer, whose 80 columns then hold q quit too
        show=False,
        tooltip="halve alpha (after divergence: also restart)",
    ),
    Binding(
        "b",
        "app.back_update",
        "back",
        show=False,
        tooltip="back one update (the explain panel shows it again; s walks it)",
    ),
    Binding(
        "B",
        "app.back_epoch",
        "epoch back",
        show=False,
        key_display="B",
        tooltip="back to the start of this epoch, or of the one before",
    ),
    Binding(
        "i",
        "app.restart",
        "restart",
        show=False,
        tooltip="restart from the same initial weights (same seed)",
    ),
    Binding(
        "m", "app.momentum", "momentum", show=False, tooltip="momentum cycles 0, 0.5, 0.9, 0.99"
    ),
    # m under a rule without mu (check_action turns the binding above off, so help and the
    # palette leave m out): it says why nothing changes. A system binding is listed nowhere.
    Binding("m", "app.no_momentum", "no momentum", show=False, system=True),
    Binding(
        "O",
        "app.optimizer",
        "optimizer",
        show=False,
        key_display="O",
        tooltip="optimizer cycles sgd, momentum, nesterov, adagrad, rmsprop, adam (live: the "
        "weights stay, its state starts from zero)",
    ),
    Binding(
        "a",
        "app.activation",
        "activation",
        show=False,
        tooltip="hidden activation cycles sigmoid, tanh, relu (re-initialises)",
    ),
    Binding(
        "c",
        "app.cost",
        "cost",
        show=False,
        tooltip="cost cycles mse, cross-entropy (restarts from the seed's initial weights)",
    ),
    Binding(
        "greater_than_sign,full_stop",
        "app.faster",
        "faster",
        show=False,
        key_display=">",
        tooltip="more updates per frame, up to full speed",
    ),
    Binding(
        "less_than_sign,comma",
        "app.slower",
        "slower",
        show=False,
        key_display="<",
        tooltip="fewer updates per frame",
    ),
    Binding("l", "app.log_scale", "log scale", show=False, tooltip="loss curve log / linear"),
    Binding(
        "right_square_bracket",
        "app.page_weights(1)",
        "weights ↓",
        key_display="]",
        show=False,
        tooltip="page the weights panel down ([ up)",
    ),
    Binding(
        "left_square_bracket",
        "app.page_weights(-1)",
        "weights ↑",
        key_display="[",
        show=False,
        tooltip="page the weights panel up",
    ),
    Binding(
        "right_parenthesis",
        "app.page_weight_columns(1)",
        "weights →",
        key_display=")",
        show=False,
        tooltip="the weights panel's next columns, in matrices too wide for it (( back)",
    ),
    Binding(
        "left_parenthesis",
        "app.page_weight_columns(-1)",
        "weights ←",
        key_display="(",
        show=False,
        tooltip="the weights panel's columns before",
    ),
    Binding(
        "right_curly_bracket",
        "app.page_examples(1)",
        "examples ↓",
        key_display="}",
        show=False,
        tooltip="page the examples table down ({ up)",
    ),
    Binding(
        "left_curly_bracket",
        "app.page_examples(-1)",
        "examples ↑",
        key_display="{",
        show=False,
        tooltip="page the examples table up",
    ),
    *TEACHING_BINDINGS,
    Binding("t", "app.notes", "notes", show=False, tooltip="a lesson's notes: show / hide"),
    Binding(
        "w",
        "app.errata",
        "tutorial vs correct",
        show=False,
        tooltip="where the lesson's tutorial is wrong: its formulas and the correct ones, "
        "with numbers, and both runs' results",
    ),
    # Keys whose panel or view is not there (check_action turns the bindings above off, so
    # help and the palette leave them out): they say why nothing happens, as m does.
    *(
        Binding(key, f"app.not_here('{what}')", "not here", show=False, system=True)
        for key, what in (
            ("right_square_bracket", "weights"),
            ("left_square_bracket", "weights"),
            ("right_parenthesis", "weights"),
            ("left_parenthesis", "weights"),
            ("right_curly_bracket", "examples"),
            ("left_curly_bracket", "examples"),
            ("w", "errata"),
        )
    ),
]

#: Why a key of ``not_here`` does nothing.
NOT_HERE = {
    "weights": f"the weights panel shows from {FULL_SIZE[0]}x{FULL_SIZE[1]} (and in predict "
    "mode, p): [ ] ( ) page it",
    "examples": f"the examples table shows from {FULL_SIZE[0]}x{FULL_SIZE[1]}: {{ }} page it",
    "errata": "w compares a lesson with its tutorial: open one from ctrl+p ("
    + ", ".join(DIFFERENCES)
    + ")",
}


def diverged_why(snap: Snapshot) -> str:
    """What a divergence most likely comes from (``UpdateRule.divergence_suspect``) and the
    keys that act on it: weight decay past its bound (no key changes lambda; halving alpha
    brings alpha * lambda under it, in a halving or more), else alpha."""
    rule = snap.rule
    words = None if rule is None else rule.decay_words()
    if rule is not None and words is not None:
        return (
            f"weight decay {rule.weight_decay:g} most likely ({words}); "
            "- halves alpha and restarts, i restarts, r reseeds"
        )
    return f"alpha {snap.alpha:g} is too large; - halves it and restarts, i restarts, r reseeds"


#: Actions the palette has already (Textual's Quit, keys (?)).
PALETTE_LEFT_OUT = ("quit", "help")


#: Greek letters in the keys' descriptions, by name: the palette matches what is typed
#: against the titles only, and "alpha" is what a keyboard types.
GREEK_NAMES = {"α": "alpha", "β": "beta", "γ": "gamma", "μ": "mu", "ρ": "rho", "λ": "lambda"}


def palette_title(description: str, key: str) -> str:
    """A key's palette title: its description and key, then the names of the Greek
    letters in it ("α×2 (+) alpha"), so that typing the name finds it."""
    names = [name for letter, name in GREEK_NAMES.items() if letter in description]
    return " ".join([f"{description} ({key})", *names])


class MainScreen(Screen[None]):
    """The network view, the app's first screen: its keys act on the app's network."""

    BINDINGS = MAIN_BINDINGS

    @property
    def footer_gives_way(self) -> tuple[str, ...]:
        """Footer keys that make room first when not all fit (``WholeKeysFooter``): while
        the explain panel is open, r reseed, for its esc close, so that at 80 columns ?
        help and q quit stay."""
        return ("app.reseed",) if getattr(self.app, "panel", None) is not None else ()


class HangupSafeStream:
    """The stream Textual draws on (stderr), dropping what it cannot write.

    When the terminal closes, writes fail (EIO); Textual's output thread dies on the
    first failure, and leaving the app then waits for it forever. Nobody can see the
    drawing any more, so it is dropped instead and the app leaves as on SIGTERM."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            written: int = self._stream.write(text)
        except OSError:
            return len(text)
        return written

    def flush(self) -> None:
        with contextlib.suppress(OSError):
            self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class BackpropApp(
    SceneMixin, TeachingMixin, TutorialMixin, WarmKernelsMixin, ReplayMixin, App[None]
):
    """The main app. See ``AppConfig`` for how it starts."""

    CSS_PATH = "app.tcss"
    TITLE = "tui-backprop"
    #: Global keys, on every screen: the main view's own are MainScreen's.
    BINDINGS = [
        Binding("question_mark", "help", "help", key_display="?", tooltip="this screen's keys"),
        Binding("q", "quit", "quit", tooltip="quit tui-backprop"),
    ]

    def __init__(self, config: AppConfig) -> None:
        super().__init__()
        #: Screenshots being written (``screenshot_here``), their names taken.
        self._screenshots_writing: set[Path] = set()
        self.config = config
        self.problem = config.problem
        self.running = False
        self.log_scale = False
        self.message = ""
        self.frames = 0
        self.started = time.perf_counter()
        self.stopped_by: int | None = None  # the signal that stopped the app, if one did
        self._init_kernels()
        first, self.message = first_session(config)
        session = self.prepare(first)
        self.runner = Runner(session, config.problem.name, config.options.speed)
        self.runner.stop_epoch = config.options.stop_epoch
        self._shown: Snapshot | None = None
        self._timer: Timer | None = None
        self._init_teaching()
        self._init_replay()

    # -- layout ---------------------------------------------------------------------------
    def get_default_screen(self) -> Screen:
        return MainScreen(id="_default")

    def compose(self) -> ComposeResult:
        yield self.notes_widget()
        with Vertical(id="main"):
            with Horizontal(id="top"):
                yield NetworkView(id="network", classes="panel")
                yield WeightsView(id="weights", classes="panel")
            with Horizontal(id="bottom"):
                yield ExplainPanel(id="explain", classes="panel")
                yield LossPlot(id="loss", classes="panel")
                yield OutputView(id="outmap", classes="panel")
                yield ExamplesView(id="examples", classes="panel")
        yield StatusLine(id="status")
        yield Static("", id="too-small")
        yield WholeKeysFooter()

    def on_mount(self) -> None:
        self.started = time.perf_counter()  # --stats times the app, not its start-up
        self.query_one("#network").border_title = f"network {self.config.spec.label}"
        self.query_one("#weights").border_title = "weights W, biases b, last change d"
        self.query_one("#loss").border_title = "loss"
        self.query_one("#explain").border_title = EXPLAIN_TITLE
        self.query_one("#outmap").border_title = "output map"
        self.query_one("#examples").border_title = "examples (▶ last trained, outputs after update)"
        self._apply_size(self.size.width, self.size.height)
        if not self.config.step_mode:
            self._timer = self.set_interval(1.0 / self.config.options.fps, self._frame, pause=True)
        self.start_scene()
        self.start_kernels()  # after the scene's message: what compiles matters more
        self.draw(self.runner.latest(), force=True)
        if self.config.options.run:
            self.set_running(True)
        if self.config.options.quit_after is not None:
            self.set_timer(self.config.options.quit_after, self.exit)

    def on_resize(self, event: events.Resize) -> None:
        self._apply_size(event.size.width, event.size.height)
        # Redraw once the new layout has sizes; read the Snapshot then, not now.
        self.call_after_refresh(self._redraw)

    def _redraw(self) -> None:
        self.draw(self.runner.latest(), force=True)

    def _apply_size(self, width: int, height: int) -> None:
        too_small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        compact = not too_small and (width < FULL_SIZE[0] or height < FULL_SIZE[1])
        # The main view's layout, whatever screen is on top (help opened at 160x45 and
        # the terminal made 80x24 under it: escape comes back to the compact layout).
        main = self.screen_stack[0]
        main.set_class(too_small, "-too-small")
        main.set_class(compact, "-compact")
        if too_small:
            main.query_one("#too-small", Static).update(
                f"terminal too small: {width}x{height}\n"
                f"tui-backprop needs at least {MIN_SIZE[0]}x{MIN_SIZE[1]}\n"
                "(it carries on when the terminal grows; q quits)"
            )

    # -- drawing --------------------------------------------------------------------------
    @property
    def state(self) -> str:
        snap = self.runner.latest()
        if snap.diverged:
            return DIVERGED
        return RUNNING if self.running else PAUSED

    def draw(self, snap: Snapshot, force: bool = False) -> None:
        """Render ``snap`` in every widget (skipped if it is the one already shown)."""
        if snap is self._shown and not force:
            return
        self._shown = snap
        shown, focus, flagged = self.teaching_view(snap)
        self.query_one(NetworkView).show(shown, focus, flagged)
        self.update_teaching_panels(snap, shown)
        # The curve moves little from one frame to the next but costs much to send (a
        # braille plot in colour): while running it is redrawn PLOT_HZ times a second.
        every = max(1, round(self.config.options.fps / PLOT_HZ))
        if force or not self.running or self.frames % every == 0:
            self.query_one(LossPlot).show(snap, self.log_scale)
        message = self.kernel_note(self.message)
        earliest = self.runner.rewind.earliest
        self.query_one(StatusLine).show(snap, self.state, self.runner.speed, message, earliest)
        main = self.screen_stack[0]
        compact = main.has_class("-compact")
        if not compact or main.has_class("-predict"):
            self.query_one(WeightsView).show(snap)
        if not compact:
            self.query_one(ExamplesView).show(snap)

    def _frame(self) -> None:
        """One frame while running: grant the frame's updates, draw the latest Snapshot."""
        self.frames += 1
        if self.config.step_mode:
            self.runner.frame_in_step_mode()
        else:
            self.runner.request_frame()
        self.replay_due()
        snap = self.runner.latest()
        if snap.diverged:
            # One message in the status line (a toast would cover it, and stack).
            self.message = f"diverged in epoch {snap.epoch + 1}: {diverged_why(snap)}"
            self.set_running(False)
        elif self.runner.stopped_at_stop_epoch(snap):
            stop = self.runner.stop_epoch
            self.message = f"{self._stop_owner()} stops at epoch {stop}: space trains on past it"
            self.set_running(False)
        self.draw(snap)

    def _stop_owner(self) -> str:
        """Who set the epoch running stops at: a lesson (its epochs), or the command line."""
        return "the lesson" if self.config.lesson is not None else "this run"

    def advance_frame(self) -> None:
        """Step mode (tests): what one timer tick does while running."""
        if self.running:
            self._frame()

    # -- running --------------------------------------------------------------------------
    def set_running(self, running: bool, message: str = "") -> None:
        """Run or pause. A run that starts clears the status line's message, or shows
        ``message`` (a key that paused to change the rule says what it changed); one that
        starts at or past the epoch running stops at trains on past it, and says so."""
        if running and self.runner.latest().diverged:
            self.say(DIVERGED_KEYS)
            return
        if running and not self.runner.session.kernels_ready:
            # space again before the kernels are ready takes the waiting run back
            if not self.cancel_waiting("run"):
                self.kernels_needed("run", lambda: self.set_running(True, message))
            return
        self.running = running
        if running:
            if self.runner.start_run() and not message:
                stop, owner = self.runner.stop_epoch, self._stop_owner()
                message = f"training on past epoch {stop}, where {owner} stops"
            self.message = message
            if not self.config.step_mode:
                self.run_worker(
                    self._train, thread=True, exclusive=True, group="training", name="training"
                )
                if self._timer is not None:
                    self._timer.resume()
        else:
            self.workers.cancel_group(self, "training")
            self.runner.pause()
            if self._timer is not None:
                self._timer.pause()
        self.draw(self.runner.latest(), force=True)

    def _train(self) -> None:
        worker = get_current_worker()
        self.runner.work(lambda: worker.is_cancelled)

    def say(self, message: str) -> None:
        """A message in the status line (keys that cannot act say why here)."""
        self.message = message
        self.draw(self.runner.latest(), force=True)

    def _command(self, change: Callable[[Session], object], message: str = "") -> None:
        """Apply a change to the Session between chunks, then redraw."""
        snap = self.runner.apply(change)
        self.message = message
        self.draw(snap, force=True)

    # -- actions --------------------------------------------------------------------------
    def action_toggle_run(self) -> None:
        self.set_running(not self.running)

    def action_step_update(self) -> None:
        self.set_running(False)
        if self.runner.latest().diverged:
            self.say(DIVERGED_KEYS)
            return
        if not self.kernels_needed("n", self.action_step_update):
            return
        self.replay_due()
        self.runner.step(self.runner.until_stop(1) if self.replaying else 1)
        snap = self.runner.latest()
        if snap.batch_size == 1 and snap.example is not None:
            self.message = f"stepped: example {snap.example + 1}"
        else:
            self.message = f"stepped: one batch of {snap.batch_size}"
        self.draw(snap, force=True)
        self.replay_due()  # a recorded key at this count is pressed now

    def action_step_epoch(self) -> None:
        self.set_running(False)
        if self.runner.latest().diverged:
            self.say(DIVERGED_KEYS)
            return
        if not self.kernels_needed("e", self.action_step_epoch):
            return
        if self.replaying and self.runner.stop_update is not None:
            self.replay_due()
            session = self.runner.session
            left = session.batches_per_epoch - session.batch_in_epoch
            self.runner.step(self.runner.until_stop(left))
            self.replay_due()
            self.draw(self.runner.latest(), force=True)
            return
        self._command(lambda s: s.run_epochs(1), "one epoch")
        snap = self.runner.latest()
        self.message = f"epoch {snap.epoch} done, loss {loss_text(snap.loss)}"
        self.draw(snap, force=True)

    def action_page_weights(self, pages: int) -> None:
        moved = self.query_one(WeightsView).page(pages)
        self._paged("weights", "lines " + ("below" if pages > 0 else "above"), moved)

    def action_page_weight_columns(self, pages: int) -> None:
        moved = self.query_one(WeightsView).page_columns(pages)
        self._paged("weights", "columns to the " + ("right" if pages > 0 else "left"), moved)

    def action_page_examples(self, pages: int) -> None:
        moved = self.query_one(ExamplesView).page(pages)
        self._paged("examples", "below" if pages > 0 else "above", moved)

    def _paged(self, panel: str, way: str, moved: bool) -> None:
        """Say when a page key found nothing more that way; once it moves, such a note
        (now untrue) goes."""
        if not moved:
            self.say(f"{panel}: no more {way}")
        elif self.message.startswith(f"{panel}: no more"):
            self.say("")

    def _go_back(self, target: int, what: str, key: str) -> None:
        """Back to update ``target``, at the earliest kept one; say where, and what next."""
        self.set_running(False)
        if not self.kernels_needed(key, lambda: self._go_back(target, what, key)):
            return
        earliest = self.runner.rewind.earliest
        now = self.runner.latest().updates
        if earliest is None or now <= earliest:
            self.say(f"at update {now}, the earliest kept: nothing before it to go back to")
            return
        snap = self.runner.back(max(target, earliest))
        self.show_next_update()
        self.say(
            f"{what}: from update {now} to {snap.updates} (earliest {earliest}); s shows "
            "it again; n, space: a new branch"
        )

    def _do_back_update(self) -> None:
        now = self.runner.latest().updates
        self._go_back(now - 1, "one update back", "b")

    def _do_back_epoch(self) -> None:
        snap = self.runner.latest()
        session = self.runner.session
        start = snap.updates - snap.batch_in_epoch
        if snap.batch_in_epoch:  # within an epoch: back to where it began
            self._go_back(start, "back to the epoch's start", "B")
        else:
            self._go_back(start - session.batches_per_epoch, "one epoch back", "B")

    def _do_reseed(self) -> None:
        seed = (self.runner.session.seed + 1) % (MAX_SEED + 1)
        self._command(lambda s: s.reseed(seed), f"new seed {seed}: new initial weights")

    def _do_restart(self) -> None:
        self._command(
            lambda s: s.restart(),
            f"restarted from seed {self.runner.session.seed}'s initial weights",
        )

    def _set_alpha(self, alpha: float) -> None:
        if not MIN_ALPHA <= alpha <= MAX_ALPHA:
            self.say(f"alpha stays within {MIN_ALPHA:g}..{MAX_ALPHA:g}")
            return
        diverged = self.runner.latest().diverged

        def change(session: Session) -> None:
            session.alpha = alpha
            if diverged:
                session.restart()

        self._command(change, f"alpha {alpha:g}" + (", restarted" if diverged else ""))

    def _do_alpha_up(self) -> None:
        self._set_alpha(self.runner.session.alpha * 2)

    def _do_alpha_down(self) -> None:
        self._set_alpha(self.runner.session.alpha / 2)

    def _has_momentum(self) -> bool:
        """Whether the update rule has a momentum mu for m to change: momentum and
        nesterov do; sgd, adagrad, rmsprop and adam would ignore it."""
        return "momentum" in RULE_SETTINGS[self.runner.session.rule.optimizer]

    def action_not_here(self, what: str) -> None:
        """A key whose panel is hidden, or that needs a lesson: why nothing happens."""
        self.say(NOT_HERE[what])

    def action_no_momentum(self) -> None:
        """m under a rule without mu: nothing changes, and the status line says why."""
        optimizer = self.runner.session.rule.optimizer
        self.say(
            f"{optimizer} has no momentum μ (only momentum and nesterov do): O changes the rule"
        )

    def _do_momentum(self) -> None:
        if not self._has_momentum():  # m replayed from an older run file (the key is off here)
            self.action_no_momentum()
            return
        current = self.runner.session.momentum
        following = [mu for mu in MOMENTUM_STEPS if mu > current + 1e-12]
        mu = following[0] if following else MOMENTUM_STEPS[0]

        def change(session: Session) -> None:
            session.momentum = mu

        self._command(change, f"momentum {mu:g}")

    def _do_optimizer(self) -> None:
        rule = self.runner.session.rule
        following = OPTIMIZERS[(OPTIMIZERS.index(rule.optimizer) + 1) % len(OPTIMIZERS)]
        new = replace(rule, optimizer=following)

        def change(session: Session) -> None:
            session.rule = new

        running = self.running
        if running:
            self.set_running(False)  # a rule whose kernels are not ready must wait for them
        message = f"optimizer {following}: the weights stay, its state starts from zero"
        self._command(change, message)
        self.prepare(self.runner.session)  # another family of kernels may need compiling
        if not self.runner.session.kernels_ready:
            self.start_kernels(keep_message=True)
            self.draw(self.runner.latest(), force=True)  # with the compile's note
        if running:
            self.set_running(True, message)

    def _rebuild(self, spec: NetworkSpec, message: str) -> None:
        """A different network: a new Session from the same seed, live settings kept."""
        old = self.runner.session
        settings = replace(
            self.config.settings, **asdict(old.rule), batch_size=old.batch_size, seed=old.seed
        )
        # The cost alone changes nothing about the initial weights: keep them exactly (they
        # may come from --init). A new activation draws its own, unless they came from a file.
        keep = spec.activations == old.spec.activations or old.initial_from_file
        session = self.prepare(
            Session(
                spec,
                self.problem.X,
                self.problem.Y,
                settings,
                initial=old.initial_parameters() if keep else None,
                # Kept, they are from a file only if they were: after c, an a draws the new
                # activation's weights from the seed (as --activation would), not the old.
                initial_from_file=old.initial_from_file,
            )
        )
        running = self.running
        self.set_running(False)
        snap = self.runner.replace(session)
        self.start_kernels()
        self.query_one("#network").border_title = f"network {spec.label}"
        self.message = message
        self.draw(snap, force=True)
        if running:
            self.set_running(True, message)  # the message stays: what changed, and how

    def _do_activation(self) -> None:
        spec = self.runner.session.spec
        if spec.hidden_activation is None:
            self.say("no hidden layer: no activation to change")
            return
        index = (
            ACTIVATION_CYCLE.index(spec.hidden_activation)
            if (spec.hidden_activation in ACTIVATION_CYCLE)
            else -1
        )
        activation = ACTIVATION_CYCLE[(index + 1) % len(ACTIVATION_CYCLE)]
        new = NetworkSpec(
            (spec.sizes),
            (activation,) * (spec.n_layers - 1) + (spec.output_activation,),
            cost=spec.cost,
            beta=spec.beta,
            bias=spec.bias,
            init_scheme=spec.init_scheme,
        )
        self._rebuild(
            new,
            f"hidden activation {activation}: re-initialised from seed {self.runner.session.seed}",
        )

    def _do_cost(self) -> None:
        spec = self.runner.session.spec
        cost = COST_CYCLE[(COST_CYCLE.index(spec.cost) + 1) % len(COST_CYCLE)]
        output = spec.output_activation
        if cost == "cross-entropy":
            targets = self.problem.Y
            if not ((targets >= 0) & (targets <= 1)).all():
                self.say("cross-entropy needs targets in [0, 1]: the cost stays mse")
                return
            output = "sigmoid"
        new = NetworkSpec(
            spec.sizes,
            spec.activations[:-1] + (output,),
            cost=cost,
            beta=spec.beta,
            bias=spec.bias,
            init_scheme=spec.init_scheme,
        )
        self._rebuild(
            new,
            f"cost {cost}: restarted from seed {self.runner.session.seed}'s "
            "initial weights, the other cost's start",
        )

    # -- the keys a run file records (see replay.py) -------------------------------------
    def action_alpha_up(self) -> None:
        self.recorded("alpha_up", self._do_alpha_up)

    def action_alpha_down(self) -> None:
        self.recorded("alpha_down", self._do_alpha_down)

    def action_momentum(self) -> None:
        self.recorded("momentum", self._do_momentum)

    def action_optimizer(self) -> None:
        self.recorded("optimizer", self._do_optimizer)

    def action_reseed(self) -> None:
        self.recorded("reseed", self._do_reseed)

    def action_restart(self) -> None:
        self.recorded("restart", self._do_restart)

    def action_activation(self) -> None:
        self.recorded("activation", self._do_activation)

    def action_cost(self) -> None:
        self.recorded("cost", self._do_cost)

    def action_back_update(self) -> None:
        self.recorded("back_update", self._do_back_update)

    def action_back_epoch(self) -> None:
        self.recorded("back_epoch", self._do_back_epoch)

    def _set_speed(self, speed: int) -> None:
        self.runner.speed = speed
        self.message = ""  # the status line shows the new speed
        self.draw(self.runner.latest(), force=True)

    def action_faster(self) -> None:
        speed = self.runner.speed
        if speed == FULL_SPEED:
            self.say("already full speed: every update the machine can make, a frame at a time")
            return
        following = [s for s in SPEEDS if s > speed]
        self._set_speed(following[0] if following else FULL_SPEED)

    def action_slower(self) -> None:
        speed = self.runner.speed
        if speed == FULL_SPEED:
            self._set_speed(SPEEDS[-1])
            return
        earlier = [s for s in SPEEDS if s < speed]
        if earlier:
            self._set_speed(earlier[-1])
        else:
            self.say(f"already the slowest: {speed} update a frame (n steps one at a time)")

    def action_log_scale(self) -> None:
        self.log_scale = not self.log_scale
        self.message = "loss curve: " + ("log scale" if self.log_scale else "linear scale")
        self.draw(self.runner.latest(), force=True)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            # A scene's last note (a toast, as "10 updates per frame") would lie over the
            # help's text: it has been read, or is said again by the key that made it.
            self.clear_notifications()
            self.push_screen(HelpScreen(self.screen))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "activation":
            return self.runner.session.spec.hidden_activation is not None
        if action == "momentum":
            return self._has_momentum()
        if action == "no_momentum":
            return not self._has_momentum()
        if action == "errata":
            return self.has_errata()
        if action in ("page_weights", "page_weight_columns"):
            # The compact layout hides the panel (but in predict mode).
            return self.screen_stack[0].query_one(WeightsView).display
        if action == "page_examples":
            return not self.screen_stack[0].has_class("-compact")  # the table is hidden then
        if action == "close_explain":
            return self.panel is not None
        if action == "back_to_scene":
            return self.panel is None and self.back_to_scene is not None
        if action == "not_here":
            what = parameters[0]
            if what == "errata":
                return not self.has_errata()
            shown = (
                self.screen_stack[0]
                .query_one(WeightsView if what == "weights" else ExamplesView)
                .display
            )
            return not shown
        return True

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's own commands, the keys of ``screen`` by what they do, every lesson.

        Not Textual's "Keys": its panel lists Textual's own bindings (ctrl+pgup, ...) and
        squeezes the view beside it; "keys (?)" below shows this screen's."""
        for command in super().get_system_commands(screen):
            if command.title == "Screenshot":
                # Textual's saves to ~/Downloads, which a lab account often lacks: it
                # failed there without saying why.
                yield SystemCommand(
                    "Screenshot",
                    "save an SVG picture of this screen in the current folder",
                    lambda: self.set_timer(0.1, self.screenshot_here),  # the palette closed
                )
            elif command.title != "Keys":
                yield command
        seen: set[str] = set()
        for binding in screen_bindings(screen):
            action = binding.action
            if action in seen or action in PALETTE_LEFT_OUT:
                continue
            if action.startswith(("app.select(", "app.scroll_explain(")):
                continue
            seen.add(action)
            key = binding.key_display or binding.key.split(",")[0]
            yield SystemCommand(
                palette_title(binding.description, key),
                binding.tooltip or binding.description,
                partial(self.run_action, action, screen),
            )
        if isinstance(screen, MainScreen):
            yield SystemCommand(
                "select a node or weight (arrows, tab)",
                "the explain panel shows its numbers",
                lambda: self.action_select("next"),
            )
        yield from self.lesson_commands()
        yield SystemCommand("keys (?)", "this screen's keys and what they do", self.action_help)

    def announce(self, message: str) -> None:
        """Say ``message`` where the screen on top says things: the main view's status
        line, a scene's message line, or (over another screen: help, a box) a toast."""
        screen = self.screen
        if isinstance(screen, SceneScreen):
            screen.tell(message, timeout=6)
        elif screen is self.screen_stack[0]:
            self.say(message)
        else:
            self.notify(message)

    def screenshot_here(self) -> threading.Thread:
        """An SVG picture of the screen, saved in the current folder under a name with the
        date and time (written whole or not at all, off the event loop: the thread is
        returned); ``announce`` says where, or why not."""
        svg = self.export_screenshot()
        stem = f"tui-backprop {datetime.now():%Y-%m-%d %H-%M-%S}"
        path = Path.cwd() / f"{stem}.svg"
        count = 1
        # Two in one second keep both: the name is chosen here, one at a time, past the
        # files there and those still being written.
        while path.exists() or path in self._screenshots_writing:
            count += 1
            path = path.with_name(f"{stem} ({count}).svg")
        self._screenshots_writing.add(path)

        def save() -> str | None:
            try:
                write_text_atomic(path, svg)
            except InputError as error:
                return str(error)
            return None

        def saved(error: str | None) -> None:
            self._screenshots_writing.discard(path)
            self.announce(f"screenshot not saved: {error}" if error else f"saved {path}")

        return in_background(self, "screenshot", save, saved)

    # -- leaving --------------------------------------------------------------------------
    async def run_async(self, *args: Any, **kwargs: Any) -> Any:
        """Run the app (as ``run`` does) with STOP_SIGNALS handled by the event loop from
        before the terminal is taken over until after it is given back; the handlers in
        place before are put back afterwards. Tests' ``run_test`` does not come here.

        Textual's terminal driver draws on ``sys.__stderr__`` (read as it starts): that is
        a HangupSafeStream while the app runs."""
        stderr = sys.__stderr__
        if stderr is not None:
            setattr(sys, "__stderr__", HangupSafeStream(stderr))  # noqa: B010 (typed Final)
        try:
            return await self._run_with_stop_signals(*args, **kwargs)
        finally:
            setattr(sys, "__stderr__", stderr)  # noqa: B010

    async def _run_with_stop_signals(self, *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        previous: dict[signal.Signals, Any] = {}
        for signum in STOP_SIGNALS:
            try:
                handler = signal.getsignal(signum)
                loop.add_signal_handler(signum, self.stop_by_signal, signum)
            except (RuntimeError, ValueError, NotImplementedError):
                continue  # not the main thread, or a loop without signals: leave them be
            previous[signum] = handler
        try:
            return await super().run_async(*args, **kwargs)  # what run returns
        finally:
            for signum, handler in previous.items():
                loop.remove_signal_handler(signum)
                if handler is not None:
                    with contextlib.suppress(OSError, ValueError, TypeError):
                        signal.signal(signum, handler)

    def stop_by_signal(self, signum: int) -> None:
        """Leave as ``q`` does, with return code 128 + ``signum`` (the first signal's)."""
        if self.stopped_by is None:
            self.stopped_by = signum
        self.exit(return_code=128 + self.stopped_by)

    def stats(self) -> dict:
        seconds = time.perf_counter() - self.started
        return {
            "frames": self.frames,
            "updates": self.runner.total_updates,
            "seconds": seconds,
            "updates_per_s": self.runner.total_updates / seconds if seconds > 0 else 0.0,
            "fps": self.frames / seconds if seconds > 0 else 0.0,
        }

    def save_weights(self, path: str) -> None:
        """Write the current weights and training state (for --save at exit: a later
        --init resumes the run, ``io.resume``); refuses non-finite ones."""
        from ..io.resume import save_session

        with self.runner.lock:
            save_session(path, self.runner.session)

    def on_unmount(self) -> None:
        self.workers.cancel_group(self, "training")
