"""The restarts scene: N networks from consecutive seeds, trained in a worker thread
(``restarts.train_restarts``) under a progress bar, their final losses as a histogram, the
converged fraction, and the best and worst seeds (the best one selected, so enter opens
it); any seed opens in the main view, where it trains exactly as ``train --seed S`` does and
pauses where the restart stopped.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

import numpy as np
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker
from textual_plotext import PlotextPlot

from ...core.config import DEFAULT_EPOCHS, RestartsConfig, check_seed, whole_from_text
from ...core.errors import ConfigError
from ...core.session import ProgressCallback
from ...io.lessons import Lesson
from ...teach.restarts import RestartsResult, loss_histogram, train_restarts
from ..config import AppConfig
from ..tutorial import seed_lesson
from ..widgets.footer import WholeKeysFooter
from ..widgets.formatting import loss_text
from ..widgets.ordered_input import OrderedInput
from ..widgets.plots import RedrawnOnResize, plot_title
from ..widgets.style import PLOT_DATA, PLOT_MARK
from .errata import ErrataScreen, errata_text
from .scene import SceneScreen

if TYPE_CHECKING:
    from ..host import AppHost

LISTED = 5
#: Progress reports over a run (each network trains in as many parallel calls).
REPORTS = 50
STARTING = "starting (a network shape's first run compiles its kernels) ..."


class LossHistogram(RedrawnOnResize, PlotextPlot):
    """Final losses, log10, with the threshold as a vertical line."""

    def show(self, losses: np.ndarray, threshold: float) -> None:
        self.shown_with(losses, threshold)
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        histogram = loss_histogram(losses)
        if histogram is not None:
            plt.hist(histogram.logs, bins=histogram.bins, color=PLOT_DATA)
            plt.vline(math.log10(threshold), color=PLOT_MARK)
            plt.xticks(*histogram.log_ticks(threshold, max(2, self.size.width // 8)))
            plt.yticks(histogram.count_ticks, [str(int(c)) for c in histogram.count_ticks])
        # The threshold is a vertical line (│), the bars are blocks: named by their look.
        plt.title(
            plot_title(
                self.size.width,
                "log10 of the final losses   │ the threshold",
                "log10 final loss   │ threshold",
                "log10 final loss",
            )
        )
        self.refresh()


class SeedInput(OrderedInput):
    """The seed to open: digits only, and a key that is not one says so (Textual's Input
    only rings the bell, which a terminal over SSH may not sound)."""

    def restricted(self) -> None:
        screen = self.screen
        if isinstance(screen, SceneScreen):
            screen.tell("a seed is a whole number: type digits, then enter")


class RestartsScreen(SceneScreen):
    DEFAULT_CSS = """
    #restarts-plot {
        width: 1fr;
    }
    #restarts-side {
        width: 40;
    }
    #restarts-summary {
        height: auto;
        padding: 0 1;
    }
    #restarts-seeds {
        height: 1fr;
    }
    #restarts-seed {
        height: 3;
        /* the panels' frame, invalid or not (what was wrong is said in the message line) */
        border: round $primary-darken-1;
    }
    #restarts-training {
        height: auto;
        padding: 0 1;
    }
    #restarts-training.-done {
        display: none;
    }
    #restarts-progress Bar {
        width: 1fr;
    }
    #restarts-progress {
        width: 1fr;
    }
    """
    BINDINGS = [
        Binding("slash", "type_seed", "type a seed", key_display="/"),
        # The seed list's own keys, where it has the focus; from the seed box they move
        # its highlight too. Help shows them on one row (help.JOINED).
        Binding("down", "choose_seed(1)", "next seed", show=False),
        Binding("up", "choose_seed(-1)", "previous seed", show=False),
        Binding(
            "w",
            "errata",
            "tutorial vs correct",
            show=False,
            tooltip="the second tutorial's one-draw XOR table, against what these seeds show",
        ),
    ]

    def __init__(
        self,
        lesson: Lesson | None,
        config: AppConfig,
        count: int,
        epochs: int,
        threshold: float,
        result: RestartsResult | None = None,
    ) -> None:
        """``result``: the restarts' result when known (shown at once, not trained again)."""
        super().__init__(lesson)
        self.config = config
        self.count = count
        self.epochs = epochs
        self.threshold = threshold
        #: Where the threshold comes from: "the lesson's" or "<cost>'s default" (from_config).
        self.threshold_source = "given"
        self.result: RestartsResult | None = result

    @classmethod
    def from_config(cls, config: AppConfig) -> RestartsScreen:
        """The network of ``config``; count and threshold from its lesson's [restarts]; as
        many epochs as the network view would run (its pause epoch), or DEFAULT_EPOCHS."""
        scene = config.lesson.restarts if config.lesson is not None else RestartsConfig()
        threshold, source = scene.threshold_for(config.spec.cost)
        epochs = config.options.stop_epoch or DEFAULT_EPOCHS
        screen = cls(config.lesson, config, scene.count, epochs, threshold)
        cost = config.spec.cost
        screen.threshold_source = "the lesson's" if source == "given" else f"{cost}'s default"
        return screen

    @property
    def settings(self):
        return dataclasses.replace(self.config.settings, epochs=self.epochs)

    def compose(self) -> ComposeResult:
        yield self.notes_panel()
        with Horizontal():
            yield LossHistogram(id="restarts-plot", classes="scene-panel")
            with Vertical(id="restarts-side"):
                with Vertical(id="restarts-training", classes="scene-panel"):
                    yield Static(STARTING, id="restarts-stage")
                    yield ProgressBar(id="restarts-progress", show_eta=True)
                yield Static("", id="restarts-summary", classes="scene-panel")
                yield OptionList(id="restarts-seeds", classes="scene-panel")
                yield SeedInput(
                    placeholder="a seed, then enter",
                    id="restarts-seed",
                    classes="scene-panel",
                    type="integer",
                )
        yield WholeKeysFooter()

    def on_mount(self) -> None:
        spec, st = self.config.spec, self.settings
        self.query_one(
            "#restarts-plot"
        ).border_title = f"{self.count} restarts of {spec.label} on {self.config.problem.name}"
        self.query_one("#restarts-summary").border_title = "restarts"
        self.query_one("#restarts-training").border_title = "training"
        self.query_one("#restarts-seeds").border_title = "open a seed (enter)"
        self.query_one("#restarts-seed").border_title = "or type one"
        self.query_one("#restarts-summary", Static).update(
            f"training {self.count} networks, seeds {st.seed}..{st.seed + self.count - 1}, "
            f"{self.epochs} epochs each ..."
        )
        self.show_notes()
        if self.result is not None:
            self.show_result(self.result)
        elif self.step_mode:
            self.show_result(self._train())
        else:
            self.train_in_background()

    def again(self) -> RestartsScreen:
        """A new screen of these restarts, with their result if it is known: where escape
        in the network view goes back to from a seed opened here."""
        screen = RestartsScreen(
            self.lesson, self.config, self.count, self.epochs, self.threshold, self.result
        )
        screen.threshold_source = self.threshold_source
        return screen

    def _train(
        self,
        progress: ProgressCallback | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> RestartsResult:
        problem = self.config.problem
        return train_restarts(
            self.config.spec,
            problem.X,
            problem.Y,
            self.settings,
            self.count,
            progress,
            stop=stop,
            report_every=max(1, self.epochs // REPORTS),
        )

    @work(thread=True, exclusive=True, group="restarts")
    def train_in_background(self) -> None:
        """Train off the event loop; the bar follows each parallel call. Leaving the screen
        cancels the worker, which stops the training at its next report."""
        worker = get_current_worker()

        def report(done: int, total: int) -> None:
            if not worker.is_cancelled:
                self.app.call_from_thread(self.show_progress, done, total)

        try:
            result = self._train(report, stop=lambda: worker.is_cancelled)
            if not worker.is_cancelled:
                self.app.call_from_thread(self.show_result, result)
        except RuntimeError:  # the app closed while it trained: nobody to show it to
            if not worker.is_cancelled:
                raise

    def show_progress(self, done: int, total: int) -> None:
        """``done`` of ``total`` network-epochs trained."""
        self.query_one("#restarts-stage", Static).update(
            f"trained {done:,} of {total:,} network-epochs ({self.count} networks)"
        )
        self.query_one(ProgressBar).update(total=total, progress=done)

    def show_result(self, result: RestartsResult) -> None:
        self.result = result
        self.query_one("#restarts-training").add_class("-done")
        losses = result.final_losses
        converged = result.converged(self.threshold)
        finite = np.isfinite(losses)
        st = self.settings
        self.query_one(LossHistogram).show(losses, self.threshold)
        lines = [
            f"{converged.sum()} of {len(losses)} converged ({converged.mean():.0%})",
            f"final loss < {self.threshold:g} after {self.epochs} epochs",
            f"threshold: {self.threshold_source}",
            f"α {st.alpha:g}  μ {st.momentum:g}  batch {st.batch_size}",
        ]
        if (~finite).any():
            lines.append(f"{(~finite).sum()} diverged")
        if finite.any():
            lines.append(f"median final loss {loss_text(float(np.median(losses[finite])))}")
        self.query_one("#restarts-summary", Static).update("\n".join(lines))
        order = np.argsort(np.where(finite, losses, np.inf), kind="stable")
        options = self.query_one(OptionList)
        options.clear_options()
        for title, picks in (("best", order[:LISTED]), ("worst", order[::-1][:LISTED])):
            for r in picks:
                loss = losses[r]
                text = (
                    f"{title:5} seed {result.seeds[r]:<6} loss {loss_text(float(loss))}"
                    if (np.isfinite(loss))
                    else f"{title:5} seed {result.seeds[r]:<6} diverged"
                )
                options.add_option(Option(text, id=f"{title}-{result.seeds[r]}"))
        if options.option_count:
            options.highlighted = 0  # the best seed: enter opens it
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:  # every option has one: best-<seed>, worst-<seed>
            self.open_seed(int(event.option.id.split("-")[1]))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            seed = check_seed(whole_from_text(event.value.strip()))
        except ConfigError as error:  # the number as typed, or the seed's range
            self.tell(f"seed {error.problem}", timeout=5, severity="warning")
            return
        self.open_seed(seed)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "errata":  # the shipped lesson, which counts what the table hides
            return seed_lesson(self.lesson) == "restarts"
        return True

    def action_errata(self) -> None:
        """The one-draw slip, with this scene's own count of the draws that learn."""
        title = self.lesson.title if self.lesson is not None else "restarts"
        body = errata_text("restarts", title, [], None)
        if self.result is not None:
            threshold, source = self.threshold, self.threshold_source
            learned = int(self.result.converged(threshold).sum())
            count = len(self.result.seeds)
            body.append(
                f"Here: {learned} of {count} seeds ({learned / count:.0%}) end below "
                f"{threshold:g} ({source}); the tutorial printed one of them.\n",
                style="bold",
            )
        self.app.push_screen(ErrataScreen("restarts", body))

    def action_type_seed(self) -> None:
        self.query_one(Input).focus()

    def action_choose_seed(self, step: int) -> None:
        """The seed list's next (1) or previous (-1) seed, the list given the focus, where
        enter opens it."""
        seeds = self.query_one("#restarts-seeds", OptionList)
        if not seeds.option_count:
            self.tell("no seeds yet: the restarts are still training")
            return
        seeds.focus()
        if step > 0:
            seeds.action_cursor_down()
        else:
            seeds.action_cursor_up()

    def open_seed(self, seed: int) -> None:
        """Seed ``seed`` in the main view: the restarts' network and settings, paused at the
        epoch the restarts stopped at."""
        config = dataclasses.replace(
            self.config,
            settings=dataclasses.replace(self.settings, seed=seed),
            initial=None,
            options=dataclasses.replace(self.config.options, stop_epoch=self.epochs),
        )
        loss = None
        if self.result is not None:
            hits = np.nonzero(self.result.seeds == seed)[0]
            if hits.size:
                loss = self.result.final_losses[hits[0]]
        note = f" (its final loss here: {loss_text(float(loss))})" if loss is not None else ""
        host = cast("AppHost", self.app)  # scenes are screens of BackpropApp
        host.open_config(
            config,
            f"seed {seed}: space trains it to epoch {self.epochs}{note}; esc: the restarts",
            back=self.again,
        )
