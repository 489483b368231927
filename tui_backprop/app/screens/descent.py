"""The descent scene: gradient descent on f(x) = x^4 - 3x^3 + 2, one step at a time.

The whole run is computed by ``descent.descend`` (the tutorial's loop, the same numbers as
``tui-backprop descend``); the screen reveals it step by step: the curve, the point, its
tangent, f'(x) and the update x <- x - gamma f'(x) with its numbers, then at the stopping
point the second-derivative test. ``f`` switches to the two-variable surfaces (bowl, cap,
saddle), drawn as a heatmap with the path, classified by the Hessian test.
"""

from __future__ import annotations

import math

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Static
from textual_plotext import PlotextPlot

from ...core.config import DESCENT_FUNCTIONS, DESCENT_PRESETS, QUARTIC_START, DescentConfig
from ...core.ticks import round_ticks
from ...io.lessons import Lesson
from ...teach.descent import (
    STEP_LIMIT,
    SURFACES,
    Descent,
    descend,
    descend_surface,
    diverged_words,
    quartic,
    quartic_curvature,
    quartic_point_line,
    quartic_slope,
)
from ...teach.errata import DescentPoint
from ..widgets.footer import WholeKeysFooter
from ..widgets.heatmap import LINEAR, Heatmap, legend, map_axes, sample
from ..widgets.plots import RedrawnOnResize, plot_title
from ..widgets.style import descent_styles, plot_colours
from .errata import ErrataScreen, errata_text
from .scene import SceneScreen

#: gamma for the surfaces (the quartic's comes from the lesson or a preset).
SURFACE_GAMMA = 0.1
#: A running descent advances so that a whole run takes about this many frames.
FRAMES_PER_RUN = 120
FPS = 20
#: The surfaces are drawn over [-R, R]^2; the quartic over [-2, 4], wider for a run that
#: visits points outside it (``curve_range``).
SURFACE_RANGE = 3.0
CURVE = (-2.0, 4.0)
#: The points a run visits that widen the quartic's axis: farther out, the curve would
#: shrink to a line (a diverging run's last points are off the plot).
SHOWN = (-6.0, 8.0)
#: Room beside a point at the axis's end, for its mark and its tangent.
EDGE = 0.5
Y_RANGE = (-15.0, 70.0)
MOVE = 0.25
#: The current point and its tangent's marker: both one per cell, so that plotext rounds
#: the point to the same cell for each (the tangent passes through the point's cell).
POINT, TANGENT = "●", "▪"


def curve_range(path: np.ndarray) -> tuple[float, float]:
    """The quartic's x axis for a whole run ``path``: CURVE, widened to every point the run
    visits within SHOWN, with EDGE to spare. One axis for the run, not for its current
    point: it holds still as the run steps (the default start, x = 4, gives [-2, 4.5],
    the race's quartic axis)."""
    lo, hi = CURVE
    shown = path[np.isfinite(path) & (path >= SHOWN[0]) & (path <= SHOWN[1])]
    if shown.size:
        lo, hi = min(lo, float(shown.min()) - EDGE), max(hi, float(shown.max()) + EDGE)
    return lo, hi


class QuarticPlot(RedrawnOnResize, PlotextPlot):
    """The curve, the points visited, the current point and its tangent."""

    def show(self, path: np.ndarray, k: int) -> None:
        self.shown_with(path, k)
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        colours = plot_colours(self.app.current_theme.dark)
        x = float(path[k])
        lo, hi = curve_range(path)
        visible = math.isfinite(x) and lo <= x <= hi
        xs = np.linspace(lo, hi, max(50, 2 * self.size.width))
        # quartic is annotated for a float; being plain arithmetic, it takes an array too.
        ys = np.asarray(quartic(xs))  # type: ignore[arg-type]
        plt.plot(xs.tolist(), ys.tolist(), marker="braille", color=colours.function)
        bottom, top = Y_RANGE
        before = [p for p in path[:k] if lo <= p <= hi and bottom <= quartic(p) <= top]
        if before:
            plt.scatter(before, [quartic(p) for p in before], marker="•", color=colours.data)
        if visible:
            fx, slope = quartic(x), quartic_slope(x)
            if bottom <= fx <= top:
                h = min(0.8, 20.0 / max(abs(slope), 1e-9))
                # Through the point itself, in whole cells as the point: plotext rounds a
                # point to a cell by the resolution of its marker, and a tangent in half
                # blocks (two rows a cell) landed a row below the point at the minimum.
                plt.plot(
                    [x - h, x, x + h],
                    [fx - slope * h, fx, fx + slope * h],
                    marker=TANGENT,
                    color=colours.tangent,
                )
                plt.scatter([x], [fx], marker=POINT, color=colours.mark)
            else:  # f(x) above (or below) the plot: an arrow at its edge, over x
                edge, arrow = (top, "▲") if fx > top else (bottom, "▼")
                plt.scatter([x], [edge], marker=arrow, color=colours.mark)
        plt.xlim(lo, hi)
        plt.ylim(*Y_RANGE)
        # Round ticks, as many as the plot's size has room for (labels up to 5 wide).
        plt.xticks(*round_ticks(lo, hi, self.size.width // 8))
        plt.yticks(*round_ticks(*Y_RANGE, self.size.height // 4))
        # The tangent is drawn in squares, the curve in braille: the title names it by
        # its look, which holds without colour.
        formula = "f(x) = x^4 - 3x^3 + 2"
        plt.title(plot_title(self.size.width, f"{formula}   {TANGENT * 2} tangent", formula))
        self.refresh()


class DescentScreen(SceneScreen):
    DEFAULT_CSS = """
    #descent-plot, #descent-map-box {
        width: 1fr;
    }
    #descent-map-box {
        display: none;
    }
    DescentScreen.-surface #descent-plot {
        display: none;
    }
    DescentScreen.-surface #descent-map-box {
        display: block;
    }
    #descent-map {
        height: 1fr;
    }
    #descent-legend {
        height: 1;
    }
    #descent-info {
        width: 40;
        padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("space", "toggle_run", "run/pause", tooltip="run or pause the descent"),
        Binding("n", "step", "step", tooltip="one step of gradient descent"),
        Binding("e", "finish", "to the end", tooltip="every remaining step at once"),
        Binding("p", "preset", "preset", tooltip="the next preset step size γ (the quartic)"),
        Binding("f", "function", "function", tooltip="the next function to descend"),
        Binding(
            "plus,equals_sign",
            "gamma(2.0)",
            "γ×2",
            key_display="+",
            show=False,
            tooltip="double the step size γ",
        ),
        Binding(
            "minus,underscore",
            "gamma(0.5)",
            "γ/2",
            key_display="-",
            show=False,
            tooltip="halve the step size γ",
        ),
        Binding("left", "move(-1, 0)", "start left", show=False, tooltip="move the start left"),
        Binding("right", "move(1, 0)", "start right", show=False, tooltip="move the start right"),
        # Up and down move the start of a surface (two variables) only (check_action).
        Binding("up", "move(0, 1)", "start up", show=False, tooltip="move the start up (y)"),
        Binding("down", "move(0, -1)", "start down", show=False, tooltip="move the start down (y)"),
        # On the quartic they say why they do nothing.
        Binding("up,down", "one_variable", "one variable", show=False, system=True),
        Binding("i", "restart", "restart", show=False, tooltip="back to the start point"),
        Binding(
            "w",
            "errata",
            "tutorial vs correct",
            show=False,
            tooltip="the tutorial's step formula against the correct one, at this point",
        ),
    ]

    def __init__(self, lesson: Lesson | None = None, config: DescentConfig | None = None) -> None:
        super().__init__(lesson)
        config = config or DescentConfig()
        function, x0, y0, preset = config.function, config.x0, config.y0, config.preset
        self.function = function
        self.starts = {name: surface.start for name, surface in SURFACES.items()}
        self.starts["quartic"] = (QUARTIC_START, 0.0)
        if x0 is not None or y0 is not None:
            old = self.starts[function]
            self.starts[function] = (old[0] if x0 is None else x0, old[1] if y0 is None else y0)
        self.preset = preset
        self.gammas = {name: SURFACE_GAMMA for name in SURFACES}
        self.gammas[function] = config.step_size
        self.precision = config.precision
        self.max_steps = config.max_steps
        self.running = False
        self._timer: Timer | None = None
        self.result: Descent | None = None
        self.k = 0

    @classmethod
    def from_lesson(cls, lesson: Lesson | None) -> DescentScreen:
        """The scene with the lesson's [descent] values (checked when it was loaded)."""
        return cls(lesson, lesson.descent if lesson is not None else None)

    def compose(self) -> ComposeResult:
        yield self.notes_panel()
        with Horizontal():
            yield QuarticPlot(id="descent-plot", classes="scene-panel")
            with Vertical(id="descent-map-box", classes="scene-panel"):
                yield Heatmap(id="descent-map")
                yield Static("", id="descent-legend")
            yield Static("", id="descent-info", classes="scene-panel")
        yield WholeKeysFooter()

    def on_mount(self) -> None:
        # The plot's colours depend on the theme (dark or light): draw again on a change.
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.draw())
        self.query_one("#descent-info").border_title = "gradient descent"
        self.show_notes()
        if not self.step_mode:
            self._timer = self.set_interval(1 / FPS, self._tick, pause=True)
        self.compute()

    def on_resize(self) -> None:
        self.call_after_refresh(self.draw)

    def on_heatmap_resized(self) -> None:
        # The map is laid out only once a surface shows it (f): sample it at its size.
        self.draw()

    # -- the run --------------------------------------------------------------------------
    @property
    def gamma(self) -> float:
        return self.gammas[self.function]

    def compute(self) -> None:
        """The whole run from the current start (shown from step 0)."""
        x0, y0 = self.starts[self.function]
        if self.function == "quartic":
            self.result = descend(x0, self.gamma, self.precision, self.max_steps)
        else:
            self.result = descend_surface(
                SURFACES[self.function], (x0, y0), self.gamma, self.precision, self.max_steps
            )
        self.k = 0
        self.set_running(False)

    @property
    def descent(self) -> Descent:
        """The run on screen (there is one from mount on)."""
        if self.result is None:
            raise RuntimeError("the descent scene has not computed its run yet")
        return self.result

    @property
    def finished(self) -> bool:
        return self.result is not None and self.k >= self.result.steps

    def advance(self, steps: int) -> None:
        self.k = min(self.descent.steps, self.k + steps)
        if self.finished:
            self.set_running(False)
        self.draw()

    def _tick(self) -> None:
        self.advance(max(1, math.ceil(self.descent.steps / FRAMES_PER_RUN)))

    def set_running(self, running: bool) -> None:
        self.running = running and not self.finished
        if self._timer is not None:
            (self._timer.resume if self.running else self._timer.pause)()
        self.draw()

    # -- drawing --------------------------------------------------------------------------
    def draw(self) -> None:
        if self.result is None or not self.is_mounted:
            return
        surface = self.function != "quartic"
        self.set_class(surface, "-surface")
        if surface:
            self._draw_surface()
        else:
            self.query_one(QuarticPlot).show(self.result.path[:, 0], self.k)
        info = self.query_one("#descent-info", Static)
        info.border_title = "gradient ascent" if self.function == "cap" else "gradient descent"
        info.update(self.info())

    def _draw_surface(self) -> None:
        heatmap = self.query_one(Heatmap)
        surface = SURFACES[self.function]
        columns, rows = heatmap.pixel_size
        # surface.f is annotated for floats; being plain arithmetic, it takes arrays too
        # (+ 0 * x * y makes a constant term a full grid).
        values = sample(
            lambda x, y: surface.f(x, y) + 0 * x * y,  # type: ignore[arg-type]
            -SURFACE_RANGE,
            SURFACE_RANGE,
            columns,
            rows,
        )
        # Linear: the surfaces take both signs, and their shapes (a bowl's ellipses, a
        # saddle's crossing bands) are a quadratic's, which a linear scale shows as they are.
        heatmap.show(values, -SURFACE_RANGE, SURFACE_RANGE, self.descent.path[: self.k + 1], LINEAR)
        box = self.query_one("#descent-map-box")
        box.border_title = f"{surface.name}: f(x, y) = {surface.formula}"
        box.border_subtitle = map_axes("x", "y", -SURFACE_RANGE, SURFACE_RANGE)
        text = legend(heatmap.low, heatmap.high, mode=heatmap.mode, scale=LINEAR)
        self.query_one("#descent-legend", Static).update(text)

    def info(self) -> Text:
        """The numbers of the current step, and the verdict at the end."""
        result, k = self.descent, self.k
        styles = descent_styles(self.app.current_theme.dark)
        text = Text()
        what = "ascent" if self.function == "cap" else "descent"
        # A preset names what its γ does from the tutorial's start (x = 4): from another,
        # "diverge" may converge, and the name is left out.
        named = self.function == "quartic" and self.starts["quartic"][0] == QUARTIC_START
        preset = f" ({self.preset})" if self.preset and named else ""
        # "descent", not "gradient descent": the panel's title says that, and at 80
        # columns "γ 0.055 (oscillate)" wrapped and pushed the keys' line out of the panel.
        text.append(f"{what}, γ {self.gamma:g}{preset}\n", "bold")
        text.append(f"stop when a step <= {self.precision:g}\n")
        text.append(f"step {k} of {result.steps}" + ("  RUNNING" if self.running else "") + "\n\n")
        point = result.path[k]
        if self.function == "quartic":
            x = float(point[0])
            if math.isfinite(x) and abs(x) < 1e6:
                slope = quartic_slope(x)
                text.append(
                    f"x      = {x:.10g}\nf(x)   = {quartic(x):.6g}\n"
                    f"f'(x)  = 4x^3 - 9x^2 = {slope:.6g}\n"
                )
                if not self.finished:
                    new = float(result.path[k + 1][0])
                    # x and the new x to the digits the x line gives them: 2.67098112, not
                    # the 2.67098 that reads as another number.
                    text.append(
                        f"\nx <- x - γ f'(x)\n   = {x:.10g} - {self.gamma:g}*"
                        f"({slope:.6g})\n   = {new:.10g}\n",
                        styles.update,
                    )
            else:
                text.append(f"x = {x:.4g}\n")
        else:
            x, y = map(float, point)
            surface = SURFACES[self.function]
            gx, gy = surface.gradient(x, y)
            text.append(
                f"(x, y) = ({x:.6g}, {y:.6g})\nf      = {surface.f(x, y):.6g}\n"
                f"grad f = ({gx + 0.0:.4g}, {gy + 0.0:.4g})\n"  # + 0.0: no -0
            )
            if not self.finished:
                sign = "+" if surface.ascent else "-"
                nx, ny = map(float, result.path[k + 1])
                text.append(
                    f"\n(x, y) <- (x, y) {sign} γ grad f\n"
                    f"   = ({x:.4g}, {y:.4g}) {sign} {self.gamma:g}*({gx + 0.0:.4g}, "
                    f"{gy + 0.0:.4g})\n   = ({nx:.4g}, {ny:.4g})\n",
                    styles.update,
                )
        if self.finished:
            text.append("\n")
            if result.diverged:
                why = diverged_words(self.function, result, "γ", self.gamma)
                text.append(f"diverged: {why}\n", styles.diverged)
            elif result.stopped_by == STEP_LIMIT:
                text.append("stopped at the step limit\n", styles.step_limit)
            else:
                last = abs(float(np.linalg.norm(result.path[-1] - result.path[-2])))
                text.append(f"stopped: step {last:.3g} <= {self.precision:g}\n", "bold")
            if result.verdict:
                text.append(f"{result.test}\n", styles.verdict)
                if result.reach:
                    text.append(f"{result.reach}\n", styles.verdict)
                if self.function == "quartic":
                    text.append(quartic_point_line(float(point[0]), result.verdict) + "\n", "bold")
                    if result.verdict == "minimum":
                        text.append(f"(f''(x) = 12x^2 - 18x = {quartic_curvature(x):.6g})\n")
        # The arrows that move the start: up and down too on a surface (two variables).
        arrows = "← →" if self.function == "quartic" else "← → ↑ ↓"
        text.append(
            f"\nn step  e end  space run  p preset\n{arrows} start  + - γ  f function", "dim"
        )
        return text

    # -- keys -----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        quartic = self.function == "quartic"
        if action == "move" and parameters[1:] != (0,):  # up and down: y, a surface's only
            return not quartic
        if action == "one_variable":
            return quartic
        return True

    def action_errata(self) -> None:
        """The tutorial's step (its text's x + alpha v) against the correct one, from the
        start and here: near the minimum the slope is nearly 0 and the two steps barely
        differ (+2.25004 against +2.25003), from the start they go opposite ways. On the
        tutorial's quartic; on another surface, it says so (as p does)."""
        if self.function != "quartic":
            self.tell("w compares the tutorial's step on its quartic (f switches back)", timeout=5)
            return
        self.set_running(False)
        steps = [0] if self.k == 0 else [0, self.k]
        points = [
            (DescentPoint(x, self.gamma), f"(step {k}, x = {x:.6g})")
            for k, x in ((k, float(self.descent.path[k, 0])) for k in steps)
        ]
        title = self.lesson.title if self.lesson is not None else "gradient descent"
        body = errata_text("descent", title, points, None)
        self.app.push_screen(ErrataScreen("descent", body))

    def action_toggle_run(self) -> None:
        if self.finished:
            self.k = 0
        self.set_running(not self.running)

    def action_step(self) -> None:
        self.set_running(False)
        self.advance(1)

    def action_finish(self) -> None:
        self.set_running(False)
        self.advance(self.descent.steps)

    def action_restart(self) -> None:
        self.k = 0
        self.set_running(False)

    def action_preset(self) -> None:
        if self.function != "quartic":
            self.tell("the presets are for the quartic (f switches back)", timeout=5)
            return
        names = list(DESCENT_PRESETS)
        self.preset = (
            names[(names.index(self.preset) + 1) % len(names)]
            if (self.preset in names)
            else names[0]
        )
        self.gammas["quartic"] = DESCENT_PRESETS[self.preset]
        if self.starts["quartic"][0] != QUARTIC_START:
            self.tell(f"the presets are named for x = {QUARTIC_START:g}: from here, γ alone")
        self.compute()

    def action_function(self) -> None:
        self.function = DESCENT_FUNCTIONS[
            (DESCENT_FUNCTIONS.index(self.function) + 1) % len(DESCENT_FUNCTIONS)
        ]
        self.compute()

    def action_gamma(self, factor: float) -> None:
        self.gammas[self.function] = self.gamma * factor
        if self.function == "quartic":
            self.preset = None
        self.compute()

    def action_one_variable(self) -> None:
        self.tell("the quartic has one variable: ← → move its start", timeout=2)

    def action_move(self, dx: int, dy: int) -> None:
        x, y = self.starts[self.function]
        self.starts[self.function] = (x + dx * MOVE, y + dy * MOVE)
        if self.function == "quartic":
            # A preset names what its γ does from the lesson's start ("diverge" from x = 4
            # converges from 2.75): from another start it is just that γ.
            self.preset = None
        self.compute()
