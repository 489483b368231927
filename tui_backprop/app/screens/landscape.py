"""The landscape scene: the mean cost over two parameters, mse beside cross-entropy, with
gradient descent's path drawn on each as it trains.

For a network with exactly two parameters (NOT with one weight and a bias) the maps are the
whole cost function; for a larger one they are a slice through two chosen parameters with
the others held at their starting values (``landscape.cost_grid``). Each map has its own
Session (same data, settings and start, its own cost); every update appends the two
parameters' values to its path, so the path is exactly what the Session did.

The maps (``cost_grid``, on a kernel) and both runs' kernels are computed off the event
loop when the screen opens (seconds with an empty cache); meanwhile the numbers come from
the NumPy reference, and space and n wait and say so (``LandscapeScreen._prepare``).
"""

from __future__ import annotations

import dataclasses
import threading

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Static

from ...core.config import LandscapeConfig, TrainingConfig
from ...core.model import Network
from ...core.problem import Problem
from ...core.session import Session, warm_kernels
from ...core.spec import NetworkSpec
from ...io.lessons import Lesson
from ...teach.errata import Weights
from ...teach.landscape import chosen_parameters, cost_grid, parameter_index
from ..background import in_background
from ..config import AppConfig
from ..tutorial import seed_lesson
from ..widgets.footer import WholeKeysFooter
from ..widgets.formatting import loss_text, parameter_name
from ..widgets.heatmap import Heatmap, legend, map_axes, nearest
from .errata import ErrataScreen, errata_text
from .scene import SceneScreen

FPS = 20
SPEEDS = (1, 2, 5, 10, 20, 50, 100)
DEFAULT_SPEED = 5
#: The start moves by this fraction of the range per arrow key.
MOVE = 1 / 15


def cost_specs(spec: NetworkSpec, problem: Problem) -> list[NetworkSpec]:
    """The network with mse and, where it can have it, with cross-entropy (a sigmoid
    output and targets in [0, 1])."""
    mse = dataclasses.replace(spec, cost="mse")
    targets = problem.Y
    if not ((targets >= 0) & (targets <= 1)).all():
        return [mse]
    output = spec.activations[:-1] + ("sigmoid",)
    return [mse, dataclasses.replace(spec, activations=output, cost="cross-entropy")]


class CostPanel(Vertical):
    """One cost's map, legend and numbers."""

    def compose(self) -> ComposeResult:
        yield Heatmap()
        yield Static("", classes="legend")
        yield Static("", classes="numbers")


class LandscapeScreen(SceneScreen):
    DEFAULT_CSS = """
    LandscapeScreen CostPanel {
        width: 1fr;
        border: round $primary-darken-1;
        border-title-style: bold;
    }
    LandscapeScreen CostPanel > .legend {
        height: 1;
    }
    LandscapeScreen CostPanel > .numbers {
        height: 2;
    }
    """
    BINDINGS = [
        Binding("space", "toggle_run", "run/pause", tooltip="run or pause both descents"),
        Binding("n", "step", "step", tooltip="one update on both maps"),
        Binding("i", "restart", "restart", tooltip="both paths back to the start"),
        Binding("left", "move(-1, 0)", "start left", show=False),
        Binding("right", "move(1, 0)", "start right", show=False),
        Binding("up", "move(0, 1)", "start up", show=False),
        Binding("down", "move(0, -1)", "start down", show=False),
        Binding(
            "greater_than_sign,full_stop",
            "speed(1)",
            "faster",
            show=False,
            key_display=">",
            tooltip="more updates per frame",
        ),
        Binding(
            "less_than_sign,comma",
            "speed(-1)",
            "slower",
            show=False,
            key_display="<",
            tooltip="fewer updates per frame",
        ),
        Binding(
            "w",
            "errata",
            "tutorial vs correct",
            show=False,
            tooltip="the tutorial's NOT gradient for w against the correct one, here",
        ),
    ]

    def __init__(
        self,
        lesson: Lesson | None,
        problem: Problem,
        spec: NetworkSpec,
        settings: TrainingConfig,
        initial=None,
        scene: LandscapeConfig | None = None,
    ) -> None:
        super().__init__(lesson)
        self.problem = problem
        self.specs = cost_specs(spec, problem)
        self.settings = settings
        scene = scene or LandscapeConfig()
        self.half_range = scene.half_range
        self.grid = scene.grid
        self.running = False
        self.speed = DEFAULT_SPEED
        self._timer: Timer | None = None
        # The starting parameters: the seed's (or the file's) initial ones.
        first = Session(self.specs[0], problem.X, problem.Y, settings, initial=initial)
        self.names = chosen_parameters(scene.params, first.network)
        self.indices = [parameter_index(first.network, name) for name in self.names]
        #: The names as the screen writes them (W¹₁₁, b¹₁).
        self.shown = [parameter_name(name) for name in self.names]
        self.base = first.network.params.copy()
        self.start = (float(self.base[self.indices[0]]), float(self.base[self.indices[1]]))
        self.initial = initial
        #: (axis, costs) of each cost's map, from ``_prepare`` with both runs' kernels:
        #: None until they arrive (``ready``); meanwhile space and n wait, in ``waiting``
        #: ("run" or "step").
        self.grids: list[tuple[np.ndarray, np.ndarray]] | None = None
        self.waiting: str | None = None
        #: The thread computing the maps and kernels (``_prepare``), once mounted.
        self.preparing: threading.Thread | None = None
        self.sessions: list[Session] = []
        self.paths: list[list[tuple[float, float]]] = []
        self.restart()

    @classmethod
    def from_config(cls, config: AppConfig) -> LandscapeScreen:
        """The network of ``config``, the [landscape] values of its lesson."""
        lesson = config.lesson
        scene = lesson.landscape if lesson is not None else None
        return cls(lesson, config.problem, config.spec, config.settings, config.initial, scene)

    # -- the runs -------------------------------------------------------------------------
    def initial_parameters(self):
        """(weights, biases) of the start: the base parameters with the two moved."""
        net = Network(self.specs[0])
        net.params[...] = self.base
        net.params[self.indices[0]], net.params[self.indices[1]] = self.start
        return net.weights(), net.biases() if self.specs[0].bias else None

    def restart(self) -> None:
        """Both runs back to the start, paths cleared."""
        initial = self.initial_parameters()
        self.sessions = [
            Session(spec, self.problem.X, self.problem.Y, self.settings, initial=initial)
            for spec in self.specs
        ]
        for session in self.sessions:
            session.kernels_ready = self.ready  # before: the reference's numbers
        self.paths = [[self.start] for _ in self.specs]
        self.set_running(False)

    def step(self, updates: int) -> None:
        """``updates`` updates on each run, every one's parameters appended to its path."""
        for session, path in zip(self.sessions, self.paths, strict=True):
            params = session.network.params
            for _ in range(updates):
                if not session.run_batches(1):
                    break
                path.append((float(params[self.indices[0]]), float(params[self.indices[1]])))
        self.draw()

    def set_running(self, running: bool) -> None:
        self.running = running
        if self._timer is not None:
            (self._timer.resume if running else self._timer.pause)()
        self.draw()

    # -- screen ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield self.notes_panel()
        with Horizontal():
            for spec in self.specs:
                yield CostPanel(id=f"cost-{spec.cost}")
        yield WholeKeysFooter()

    def on_mount(self) -> None:
        r = self.half_range
        for spec in self.specs:
            panel = self.query_one(f"#cost-{spec.cost}")
            panel.border_title = spec.cost
            panel.border_subtitle = map_axes(self.shown[0], self.shown[1], -r, r)
        self.show_notes()
        if not self.step_mode:
            self._timer = self.set_interval(1 / FPS, lambda: self.step(self.speed), pause=True)
            self.preparing = in_background(
                self.app, "landscape maps", self._prepare, self._prepared
            )
        else:  # tests: at once, kernels loaded on first use (as headless)
            self._prepared(self._prepare(warm=False))
        self.call_after_refresh(self.draw)

    @property
    def ready(self) -> bool:
        """The maps are in, and both runs' kernels ready."""
        return self.grids is not None

    def _prepare(self, warm: bool = True) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each cost's map from the screen's start (``cost_grid``) and, with ``warm``,
        both runs' kernels compiled or loaded (``warm_kernels``): in a thread, on Sessions
        of its own."""
        X, Y = self.problem.X, self.problem.Y
        grids = []
        for spec in self.specs:
            session = Session(spec, X, Y, self.settings, initial=self.initial)
            grids.append(cost_grid(session, self.names, self.half_range, self.grid))
            if warm:
                warm_kernels(spec, X, Y, self.settings, every_batch_size=False)
        return grids

    def _prepared(self, grids: list[tuple[np.ndarray, np.ndarray]]) -> None:
        """The maps and kernels are in: the runs use the kernels, and a waiting key runs."""
        self.grids = grids
        for session in self.sessions:
            session.kernels_ready = True
        waiting, self.waiting = self.waiting, None
        if waiting == "run":
            self.set_running(True)
        elif waiting == "step":
            self.step(1)
        else:
            self.draw()

    def on_resize(self) -> None:
        self.call_after_refresh(self.draw)

    def draw(self) -> None:
        if not self.is_mounted:
            return
        for index, (spec, session, path) in enumerate(
            zip(self.specs, self.sessions, self.paths, strict=True)
        ):
            panel = self.query_one(f"#cost-{spec.cost}", CostPanel)
            if self.grids is not None:
                axis, costs = self.grids[index]
                heatmap = panel.query_one(Heatmap)
                columns, rows = heatmap.pixel_size
                heatmap.show(
                    nearest(axis, costs, columns, rows), -self.half_range, self.half_range, path
                )
                panel.query_one(".legend", Static).update(
                    legend(heatmap.low, heatmap.high, mode=heatmap.mode)
                )
            else:
                # Short: a panel is 38 columns wide at 80.
                then = f" then: {'run' if self.waiting == 'run' else 'n'}" if self.waiting else ""
                panel.query_one(".legend", Static).update(f"compiling the kernels…{then}")
            u, v = path[-1]
            state = "RUNNING" if self.running else "PAUSED"
            if session.diverged:
                state = "DIVERGED"
            numbers = Text.assemble(
                (f"{state} ", "bold"),
                f"update {session.updates}  ",
                ("loss ", ""),
                (loss_text(session.evaluate()), "bold"),
                f"\n{self.shown[0]} = {u:.4g}  {self.shown[1]} = {v:.4g}",
            )
            panel.query_one(".numbers", Static).update(numbers)

    # -- keys -----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "errata":  # the shipped lesson, whose surface is the tutorial's NOT
            return seed_lesson(self.lesson) == "landscape"
        return True

    def action_errata(self) -> None:
        """The tutorial's costD2 against dC/dw, at the mse path's current point."""
        self.set_running(False)
        net = self.sessions[0].network
        biases = net.biases() if self.specs[0].bias else None
        state = Weights(net.weights(), biases, self.problem.X, self.problem.Y)
        title = self.lesson.title if self.lesson is not None else "landscape"
        where = f"(the mse path, update {self.sessions[0].updates})"
        body = errata_text("landscape", title, [(state, where)], None)
        self.app.push_screen(ErrataScreen("landscape", body))

    def action_toggle_run(self) -> None:
        if not self.ready:  # waits for the kernels; pressed again, it does not
            self.waiting = None if self.waiting == "run" else "run"
            self.draw()
            return
        self.set_running(not self.running)

    def action_step(self) -> None:
        if not self.ready:
            self.waiting = "step"
            self.draw()
            return
        self.set_running(False)
        self.step(1)

    def action_restart(self) -> None:
        self.restart()

    def action_move(self, dx: int, dy: int) -> None:
        step = MOVE * self.half_range
        r = self.half_range
        u, v = self.start
        self.start = (float(np.clip(u + dx * step, -r, r)), float(np.clip(v + dy * step, -r, r)))
        self.restart()
        self.tell(
            f"start {self.shown[0]} = {self.start[0]:.3g}, {self.shown[1]} = {self.start[1]:.3g}",
            timeout=2,
        )

    def action_speed(self, direction: int) -> None:
        self.speed = self.step_speed(self.speed, SPEEDS, direction, "update")
