"""The race scene: several optimizers descend one cost surface from the same start, each
with its own glyph and trail over the cost's heat map, their losses per step side by side,
and the regime map of momentum or nesterov on the quadratic that matches the surface at
the start (``teach.race``).

Every racer steps with ``core.optimizers`` on the surface's gradient; ``n`` steps them all
together, space runs them. A setting changed from the keys (which optimizers race, the
selected one's alpha or momentum, the surface) starts the race again from the start, so a
race is always a fair one. The cost map of a network surface is computed off the event
loop (the kernels may compile on a first run); the regime map is a closed form, computed
as it is drawn.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from rich.segment import Segment
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.geometry import Region
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import Static
from textual_plotext import PlotextPlot

from ...core.arrays import Floats
from ...core.config import OPTIMIZERS, RACE_SURFACES, RaceConfig, UpdateRule
from ...core.history import thinned_steps
from ...core.problem import Problem
from ...core.session import Session
from ...core.spec import NetworkSpec
from ...core.ticks import round_ticks, row_ticks
from ...io.lessons import Lesson
from ...teach.race import (
    ALPHA_LAMBDA_TOP,
    GLYPHS,
    Race,
    Racer,
    RaceSurface,
    curvature_and_shape,
    make_surface,
    race_rules,
    regime_map,
    regime_of,
    step_formula,
)
from ..background import in_background
from ..config import AppConfig
from ..widgets.changes import fitting_title, set_subtitle, set_title
from ..widgets.footer import WholeKeysFooter
from ..widgets.formatting import parameter_name
from ..widgets.heatmap import NOW, START, Heatmap, legend, map_axes, nearest
from ..widgets.plots import RedrawnOnResize, plot_title
from ..widgets.style import PlotColours, plot_colours
from .scene import SceneScreen

#: Frames a second while running: a frame of the widest layout takes some 50 ms to draw.
FPS = 12
#: Steps per frame while running (> and <).
SPEEDS = (1, 2, 5, 10, 20, 50)
DEFAULT_SPEED = 1
#: m cycles the selected racer's momentum-like setting through these.
MOMENTA = (0.0, 0.5, 0.9, 0.99)
#: From this width the loss plot and the regime map show side by side; below it v
#: switches between them.
WIDE = 140
#: Where each setting m cycles lives in an UpdateRule, by optimizer.
MOMENTUM_FIELD = {"momentum": "momentum", "nesterov": "momentum", "adam": "beta1", "rmsprop": "rho"}
FIELD_SYMBOL = {"momentum": "μ", "beta1": "β1", "rho": "ρ"}


def racer_colour(optimizer: str, colours: PlotColours) -> int:
    """The loss plot's colour of an optimizer (its glyph says which one without it)."""
    return {
        "sgd": colours.data,
        "momentum": colours.high,
        "nesterov": colours.function,
        "adagrad": colours.tangent,
        "rmsprop": colours.low,
        "adam": colours.mark,
    }[optimizer]


def thinned(values: list[float], most: int) -> tuple[list[int], list[float]]:
    """(steps, values) with at most ``most`` (>= 2) points, the first and the last kept."""
    steps = thinned_steps(len(values), most).tolist()
    return steps, [values[k] for k in steps]


def tick_labels(values: list[float]) -> list[str]:
    """The values with as few digits (3 at least) as tell them apart: a plateau's losses
    differ in their sixth digit."""
    for digits in range(3, 11):
        labels = [f"{v:.{digits}g}" for v in values]
        if len(set(labels)) == len(labels):
            return labels
    return labels


#: Where the map draws a racer whose cell others took, as (rows, columns) from it,
#: nearest first: right, left, above, the cells beside that, below, then a cell farther
#: out: room for all six racers at one start.
BESIDE = sorted(
    ((dr, dc) for dr in range(-2, 3) for dc in range(-2, 3)),
    key=lambda d: (max(abs(d[0]), abs(d[1])), abs(d[0]), d[0], abs(d[1]), -d[1]),
)


def sharing(points: list[tuple[float, float]]) -> list[list[int]]:
    """The indices of ``points`` grouped by point, in order of their first index: racers
    at one point (all of them at the start) are a group of several."""
    groups: dict[tuple[float, float], list[int]] = {}
    for k, point in enumerate(points):
        groups.setdefault(point, []).append(k)
    return list(groups.values())


def _on_row(
    point: tuple[float, float], limits: tuple[float, float] | None, rows: int
) -> tuple[float, float]:
    """``point`` with its y moved to the value of the row plotext draws it on (the nearest
    of ``rows`` over ``limits``), so points in one cell compare equal; as it is without
    limits."""
    if limits is None or rows < 2 or limits[1] <= limits[0]:
        return point
    lo, hi = limits
    row = math.floor(round(0.5 + (rows - 1) * (point[1] - lo) / (hi - lo), 8))
    return point[0], lo + row * (hi - lo) / (rows - 1)


def glyphs_together(
    plt, x: float, y: float, glyphs: list[str], colours: list[int], lo: float, hi: float
) -> None:
    """Several racers' ``glyphs`` at one point (x, y) of a plotext plot over x in
    [lo, hi], side by side in the point's row, each in its colour: from the point
    rightwards, or, in the plot's right half, leftwards up to it, so they stay on the
    plot. plotext places a text by its first or last character only: each glyph is a
    text padded to its place, drawn so that no padding covers a glyph drawn before."""
    n = len(glyphs)
    if (x - lo) <= (hi - x):  # glyph k at k cells right of the point, the last drawn first
        for k in reversed(range(n)):
            plt.text(" " * k + glyphs[k], x, y, color=colours[k], alignment="left")
    else:  # glyph k at n - 1 - k cells left of the point, the first drawn first
        for k in range(n):
            text = glyphs[k] + " " * (n - 1 - k)
            plt.text(text, x, y, color=colours[k], alignment="right")


def scale_text(low: float, high: float, mode) -> Text:
    """The heat map's scale alone (the shared legend without its start/now marks)."""
    text = legend(low, high, mode=mode)
    cut = text.plain.find("  " + START)
    return text[:cut] if cut >= 0 else text


class RaceMap(Heatmap):
    """The cost's heat map with every racer's trail (its glyph in lower case), its current
    point (upper case) and the common start (○)."""

    def show_race(
        self, values: Floats | None, lo: float, hi: float, trails: list[tuple[str, Floats]]
    ) -> None:
        """New ``values`` (pixel_rows, columns), or None to keep the map and redraw only
        the rows whose marks change (a frame of a running race)."""
        old: dict[tuple[int, int], str] | None = None
        if values is not None:
            self.show(values, lo, hi)
        else:
            old = self.marks
        marks: dict[tuple[int, int], str] = {}
        for glyph, path in trails:
            for point in path[1:-1]:
                cell = self.cell_of(point)
                if cell is not None:
                    marks.setdefault(cell, glyph.lower())
        if trails:
            cell = self.cell_of(trails[0][1][0])
            if cell is not None:
                marks[cell] = START
        taken: set[tuple[int, int]] = set()
        for glyph, path in trails:
            cell = self.cell_of(path[-1])
            if cell is None:
                continue
            # Racers in one cell (all of them at the start): each after the first beside
            # it, so every glyph shows.
            row, column = cell
            for near in ((row + dr, column + dc) for dr, dc in BESIDE):
                if near not in taken and self._inside(near):
                    marks[near] = glyph
                    taken.add(near)
                    break
        self.marks = marks
        if old is None:
            return
        changed = {cell for cell in old.keys() | marks.keys() if old.get(cell) != marks.get(cell)}
        for row in sorted({row for row, _ in changed}):
            self.refresh(Region(0, row, self.size.width, 1))

    def _inside(self, cell: tuple[int, int]) -> bool:
        if self.levels is None:
            return False
        rows, columns = self.levels.shape
        return 0 <= cell[0] < rows // 2 and 0 <= cell[1] < columns


class RegimeMap(Heatmap):
    """Momentum's or nesterov's rate over (alpha, mu): the diverging region drawn with ×;
    empty where the surface curves down along lambda's direction (no bowl, no rate to
    map)."""

    def clear(self) -> None:
        self.levels = None
        self.marks = {}
        self.refresh()

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        return Strip(
            [
                Segment("×", s.style) if s.text in ("?",) else s
                for s in strip  # the shared map's not-finite glyph: here, rate >= 1
            ]
        )


class LossPlot(RedrawnOnResize, PlotextPlot):
    """Every racer's loss per step, one line (and glyph) each; on a log scale when every
    loss is above 0.

    The log scale is drawn as log10 of the losses on a linear axis, its ticks labelled
    with the losses: plotext's own log scale takes the log of its data again each time
    the same figure is drawn again (a resize), and fails."""

    TICKS = 5
    #: The rows around the canvas: the title, the frame's two lines, the step labels.
    CHROME_ROWS = 4

    def show(self, race: Race, active: list[str]) -> None:
        self.shown_with(race, active)
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        colours = plot_colours(self.app.current_theme.dark)
        racers = [r for r in race.racers if r.optimizer in active]
        finite = [v for r in racers for v in r.losses if math.isfinite(v)]
        log = bool(finite) and min(finite) > 0
        most = max(10, self.size.width)
        last = max(1, max((len(r.losses) - 1 for r in racers), default=0))
        ends: list[tuple[float, float]] = []
        ending: list[Racer] = []
        for racer in racers:
            steps, losses = thinned(racer.losses, most)
            pairs = [(k, v) for k, v in zip(steps, losses, strict=True) if math.isfinite(v)]
            if not pairs:
                continue
            xs, ys = zip(*pairs, strict=True)
            shown = [math.log10(y) for y in ys] if log else list(ys)
            colour = racer_colour(racer.optimizer, colours)
            plt.plot(list(xs), shown, marker=racer.glyph, color=colour)
            ends.append((float(xs[-1]), shown[-1]))
            ending.append(racer)
        rows = self.size.height - self.CHROME_ROWS
        limits: tuple[float, float] | None = None
        if log:
            low, high = math.log10(min(finite)), math.log10(max(finite))
            ticks = [float(t) for t in np.linspace(low, high, self.TICKS if high > low else 1)]
            plt.yticks(ticks, tick_labels([10**t for t in ticks]))
            if high > low:
                limits = (low, high)
                plt.ylim(*limits)
        elif finite:
            # Round ticks on the rows that stand for them: plotext's own divide the limits
            # evenly and land on rows of other values (66.0 53.9 29.7 17.6 -6.5).
            axis = row_ticks(min(finite), max(finite), rows, self.TICKS)
            if axis is not None:
                limits, positions, labels = axis
                plt.ylim(*limits)
                plt.yticks(positions, labels)
        # Lines that end in one cell (every racer's at step 0; several near a minimum)
        # show the last one's glyph there alone: their glyphs side by side instead, so
        # each racer's letter shows.
        for group in sharing([_on_row(end, limits, rows) for end in ends]):
            if len(group) > 1:
                x, y = _on_row(ends[group[0]], limits, rows)
                glyphs = [ending[k].glyph for k in group]
                tints = [racer_colour(ending[k].optimizer, colours) for k in group]
                glyphs_together(plt, x, y, glyphs, tints, 0.0, float(last))
        # Steps are whole and start at 0: plotext would span -1..1 around a first point
        # alone, and label steps 0.25 apart.
        plt.xlim(0, last)
        whole = sorted({round(float(t)) for t in np.linspace(0, last, min(self.TICKS, last + 1))})
        plt.xticks([float(step) for step in whole], [str(step) for step in whole])
        plt.title(plot_title(self.size.width, "loss per step" + (" (log)" if log else "")))
        self.refresh()


class CurvePlot(RedrawnOnResize, PlotextPlot):
    """A surface of one parameter: the curve and every racer's point, by its glyph."""

    def show(self, race: Race, active: list[str]) -> None:
        self.shown_with(race, active)
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        colours = plot_colours(self.app.current_theme.dark)
        surface = race.surface
        racers = [r for r in race.racers if r.optimizer in active]
        lo, hi = surface.lo, surface.hi
        xs = np.linspace(lo, hi, max(50, 2 * self.size.width))
        ys = [surface.loss(np.array([x])) for x in xs]
        plt.plot(xs.tolist(), ys, marker="braille", color=colours.function)
        shown = [r for r in racers if math.isfinite(float(r.theta[0])) and lo <= r.theta[0] <= hi]
        points = [(float(r.theta[0]), r.losses[-1]) for r in shown]
        # Racers at one point (all of them at the start): their glyphs side by side.
        for group in sharing(points):
            x, y = points[group[0]]
            glyphs = [shown[k].glyph for k in group]
            tints = [racer_colour(shown[k].optimizer, colours) for k in group]
            if len(group) == 1:
                plt.scatter([x], [y], marker=glyphs[0], color=tints[0])
            else:
                glyphs_together(plt, x, y, glyphs, tints, lo, hi)
        plt.xlim(lo, hi)
        # Round ticks (plotext's divide the limits evenly: 138.7 114.5 90.3 ...).
        plt.xticks(*round_ticks(lo, hi, self.size.width // 8))
        finite = [y for y in ys if math.isfinite(y)]
        if finite:
            plt.yticks(*round_ticks(min(finite), max(finite), max(2, self.size.height // 4)))
        plt.title(
            plot_title(
                self.size.width,
                f"{surface.formula}   start x = {surface.start[0]:g}",
                surface.formula,
            )
        )
        self.refresh()


class RaceScreen(SceneScreen):
    DEFAULT_CSS = """
    RaceScreen #race-top {
        height: 1fr;
    }
    RaceScreen #race-map-box, RaceScreen #race-loss, RaceScreen #race-regime-box {
        width: 1fr;
    }
    RaceScreen #race-map, RaceScreen #race-regime {
        height: 1fr;
    }
    RaceScreen #race-curve {
        display: none;
        height: 1fr;
    }
    RaceScreen.-curve #race-curve {
        display: block;
    }
    RaceScreen.-curve #race-map, RaceScreen.-curve #race-map-legend {
        display: none;
    }
    RaceScreen #race-map-legend, RaceScreen #race-regime-legend {
        height: 1;
    }
    RaceScreen #race-regime-box {
        display: none;
    }
    RaceScreen.-regime #race-regime-box {
        display: block;
    }
    RaceScreen.-regime #race-loss {
        display: none;
    }
    RaceScreen.-wide #race-regime-box, RaceScreen.-wide #race-loss {
        display: block;
    }
    RaceScreen #race-table {
        height: auto;
        padding: 0 1;
    }
    RaceScreen #race-body {
        height: 1fr;
    }
    """
    # The racers' table spans the width under the maps: notes over half of it cut its
    # numbers ("loss 0."), so floating they cover the scene whole.
    NOTES_OVERLAY_SHARE = 1.0
    BINDINGS = [
        Binding("space", "toggle_run", "run/pause", tooltip="run or pause the race"),
        Binding("n", "step", "step", tooltip="one step of every racer, together"),
        Binding("x", "toggle_racer", "in/out", tooltip="the selected optimizer races or not"),
        Binding("f", "surface", "surface", tooltip="the next cost surface"),
        Binding(
            "v",
            "view",
            "regime map",
            tooltip="the loss plot or the (α, μ) regime map (narrow widths)",
        ),
        # From WIDE columns both show, and v has nothing to swap: it says so (check_action).
        Binding("v", "both_shown", "both shown", show=False, system=True),
        # Before the notes panel's scrolling (it scrolls with pgup/pgdn and the mouse).
        Binding(
            "up",
            "select(-1)",
            "select up",
            show=False,
            priority=True,
            tooltip="select the racer above",
        ),
        Binding(
            "down",
            "select(1)",
            "select down",
            show=False,
            priority=True,
            tooltip="select the racer below",
        ),
        Binding(
            "plus,equals_sign",
            "alpha(2.0)",
            "α×2",
            key_display="+",
            show=False,
            tooltip="double the selected racer's learning rate α",
        ),
        Binding(
            "minus,underscore",
            "alpha(0.5)",
            "α/2",
            key_display="-",
            show=False,
            tooltip="halve the selected racer's learning rate α",
        ),
        Binding(
            "m",
            "momentum",
            "μ / β1 / ρ",
            show=False,
            tooltip="cycle the selected racer's μ (β1 for adam, ρ for rmsprop): 0 .5 .9 .99",
        ),
        Binding("i", "restart", "restart", show=False, tooltip="every racer back to the start"),
        Binding(
            "greater_than_sign,full_stop",
            "speed(1)",
            "faster",
            show=False,
            key_display=">",
            tooltip="more steps per frame",
        ),
        Binding(
            "less_than_sign,comma",
            "speed(-1)",
            "slower",
            show=False,
            key_display="<",
            tooltip="fewer steps per frame",
        ),
    ]

    def __init__(
        self,
        lesson: Lesson | None = None,
        config: RaceConfig | None = None,
        network: tuple[NetworkSpec, Problem, Floats] | None = None,
    ) -> None:
        super().__init__(lesson)
        self.config = config or RaceConfig()
        self.network = network
        self.surfaces = [s for s in RACE_SURFACES if s != "network"]
        if self.config.surface == "network":
            self.surfaces.append("network")
        self.surface_name = self.config.surface
        self.active = [name for name in OPTIMIZERS if name in self.config.optimizers]
        self.selected = self.active[0]
        self.running = False
        self.speed = DEFAULT_SPEED
        self.show_regime = False
        self._timer: Timer | None = None
        #: What the maps show now: drawn again only when it changes.
        self._map_key: tuple | None = None
        self._regime_key: tuple | None = None
        #: The cost maps computed so far, by surface: (axis, costs); None while computing.
        self.grids: dict[str, tuple[Floats, Floats] | None] = {}
        self.surface: RaceSurface = make_surface(self.config, network)
        self.rules: dict[str, UpdateRule] = {}
        self._set_rules(use_config=True)
        #: lambda at the start, and what the surface is there (a saddle, concave, ...),
        #: for lam < 0 (or nan: "not finite").
        self.lam, self.shape = curvature_and_shape(self.surface, self.surface.start)
        self.race = self._new_race()

    @classmethod
    def from_config(cls, config: AppConfig) -> RaceScreen:
        """The lesson's [race] values; the network surface is a slice of its network."""
        lesson = config.lesson
        race = lesson.race if lesson is not None else RaceConfig()
        network = None
        if race.surface == "network":
            session = Session(
                config.spec, config.problem.X, config.problem.Y, config.settings, config.initial
            )
            network = (config.spec, config.problem, session.network.params.copy())
        return cls(lesson, race, network)

    # -- the race -------------------------------------------------------------------------
    def _set_rules(self, use_config: bool) -> None:
        """Every optimizer's rule on this surface: the surface's alphas, and the config's
        where it gives them (at the start)."""
        all_config = dataclasses.replace(
            self.config, optimizers=OPTIMIZERS, alphas=(), surface=self.surface_name, y0=None
        )
        self.rules = {r.optimizer: r for r in race_rules(all_config, self.surface)}
        if use_config:
            for rule in race_rules(self.config, self.surface):
                self.rules[rule.optimizer] = rule

    def _new_race(self) -> Race:
        return Race(self.surface, [self.rules[name] for name in self.active], self.config.steps)

    def restart(self) -> None:
        self.race = self._new_race()
        self.set_running(False)

    def set_running(self, running: bool) -> None:
        self.running = running and not self.race.finished
        if self._timer is not None:
            (self._timer.resume if self.running else self._timer.pause)()
        self.draw()

    def _tick(self) -> None:
        self.race.step(self.speed)
        if self.race.finished:
            self.set_running(False)
        else:
            self.draw()

    # -- screen ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield self.notes_panel()
        with Horizontal(), Vertical(id="race-body"):
            with Horizontal(id="race-top"):
                with Vertical(id="race-map-box", classes="scene-panel"):
                    yield RaceMap(id="race-map")
                    yield Static("", id="race-map-legend")
                    yield CurvePlot(id="race-curve")
                yield LossPlot(id="race-loss", classes="scene-panel")
                with Vertical(id="race-regime-box", classes="scene-panel"):
                    yield RegimeMap(id="race-regime")
                    yield Static("", id="race-regime-legend")
            yield Static("", id="race-table", classes="scene-panel")
        yield WholeKeysFooter()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.draw())
        self.query_one("#race-table").border_title = "the racers (↑ ↓ select, x in/out, + - α)"
        self.show_notes()
        if not self.step_mode:
            self._timer = self.set_interval(1 / FPS, self._tick, pause=True)
        self.set_class(self.app.size.width >= WIDE, "-wide")
        self.refresh_bindings()
        self.compute_map()
        self.call_after_refresh(self.draw)

    def on_resize(self) -> None:
        self.set_class(self.app.size.width >= WIDE, "-wide")
        self.refresh_bindings()  # v swaps the panels only where one hides the other
        self.call_after_refresh(self.draw)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "view":
            return not self.has_class("-wide")
        if action == "both_shown":
            return self.has_class("-wide")
        return True

    def compute_map(self) -> None:
        """The surface's cost grid: at once in step mode, else in a thread (a network's
        map may compile the kernels first)."""
        surface, name = self.surface, self.surface_name
        if surface.grid is None or name in self.grids:
            return
        grid = surface.grid
        points = self.config.grid
        if self.step_mode:
            self.grids[name] = grid(points)
            return
        self.grids[name] = None

        def done(result: tuple[Floats, Floats]) -> None:
            self.grids[name] = result
            self.draw()

        in_background(self.app, "race map", lambda: grid(points), done)

    def draw(self) -> None:
        if not self.is_mounted:
            return
        self.set_class(self.surface.dims == 1, "-curve")
        self.set_class(self.show_regime, "-regime")
        race = self.race
        box = self.query_one("#race-map-box")
        if self.surface.dims == 1:
            box.border_title = self.surface.name
            # The curve shows each racer's point by its letter (no trails, no start mark).
            box.border_subtitle = f"x {self.surface.lo:g}..{self.surface.hi:g}  X now"
            self.query_one(CurvePlot).show(race, self.active)
        else:
            self._draw_map()
        self.query_one(LossPlot).show(race, self.active)
        self._draw_regime()
        self.query_one("#race-table", Static).update(self.table())

    def _draw_map(self) -> None:
        surface = self.surface
        heatmap = self.query_one(RaceMap)
        box = self.query_one("#race-map-box")
        first, second = (parameter_name(name) for name in surface.names)
        axes = map_axes(first, second, surface.lo, surface.hi)
        # The axes and their range before the surface's name, which the table's first line
        # gives too: a border cuts a title too long for it at its end.
        set_title(box, fitting_title(box.outer_size.width, f"{surface.name}: {axes}", axes))
        set_subtitle(box, f"{START} start  X now  x trail")
        grid = self.grids.get(self.surface_name)
        legend_line = self.query_one("#race-map-legend", Static)
        if grid is None:
            legend_line.update("computing the cost map ...")
            return
        axis, costs = grid
        columns, rows = heatmap.pixel_size
        trails = [(r.glyph, np.array(r.path)) for r in self.race.racers]
        key = (self.surface_name, columns, rows, heatmap.mode)
        values = None if key == self._map_key else nearest(axis, costs, columns, rows)
        self._map_key = key
        heatmap.show_race(values, surface.lo, surface.hi, trails)
        legend_line.update(scale_text(heatmap.low, heatmap.high, heatmap.mode))

    def regime_pair(self) -> UpdateRule | None:
        """The rule whose regime map shows, its (alpha, mu) marked: the selected racer's if
        it has momentum (momentum, nesterov), else the first such racer's."""
        rule = self.rules[self.selected]
        if rule.optimizer in ("momentum", "nesterov"):
            return rule
        for name in self.active:
            if name in ("momentum", "nesterov"):
                return self.rules[name]
        return None

    def _draw_regime(self) -> None:
        regime = self.query_one(RegimeMap)
        columns, rows = regime.pixel_size
        lam = self.lam
        rule = self.regime_pair()
        pair = None if rule is None else (rule.optimizer, rule.alpha, rule.momentum)
        key = (lam, columns, rows, regime.mode, pair)
        if key == self._regime_key:
            return  # the same map and mark: nothing to draw again
        self._regime_key = key
        box = self.query_one("#race-regime-box")
        # lambda is the Hessian's eigenvalue of largest |value| at the start (short for 80
        # columns; the help and the README say it in full).
        box.border_title = f"λ {lam:.3g}: top |eig| of H at {START}"
        legend_line = self.query_one("#race-regime-legend", Static)
        if not math.isfinite(lam):
            # No Hessian to read at the start: no lambda, no rates (and no shape).
            regime.clear()
            box.border_subtitle = f"H {self.shape} at {START}: no rates"
            legend_line.update(f"the Hessian at {START} is {self.shape}")
            return
        if lam < 0:
            # Curving down along lambda's direction (a saddle, or concave): every
            # (alpha, mu) moves away from the start that way, no rate to map.
            regime.clear()
            box.border_subtitle = f"{self.shape}: no bowl, no rates"
            legend_line.update(f"every (α, μ) moves away from {START}")
            return
        name = rule.optimizer if rule is not None else "momentum"
        rates = regime_map(name, lam, columns, rows)
        rates[rates >= 1.0] = math.inf
        top = ALPHA_LAMBDA_TOP[name] / lam
        path = []
        if rule is not None:
            path = [(min(rule.alpha / top, 0.999), rule.momentum)]
        regime.show(rates, 0.0, 1.0, path)
        box.border_subtitle = f"{name}: → α 0..{top:.3g} ↑ μ 0..1"
        text = scale_text(regime.low, regime.high, regime.mode)
        text.append("  × diverges", "bold")
        if rule is not None:
            text.append(f"  {NOW} {GLYPHS[rule.optimizer]}", "bold")
        legend_line.update(text)

    def table(self) -> Text:
        """One line per optimizer (racing or not), the selected one's last step (two lines,
        ``step_formula``) and its regime: as many lines whatever the numbers, so that the
        map above keeps its size from one step to the next."""
        race = self.race
        state = "RUNNING" if self.running else "FINISHED" if race.finished else "PAUSED"
        text = Text()
        text.append(f"{state} ", "bold")
        text.append(f"step {race.steps} of {race.max_steps}  {self.speed}/frame  ")
        text.append(f"on {self.surface.name} (f: next surface)\n")
        by_name = {r.optimizer: r for r in race.racers}
        for name in OPTIMIZERS:
            rule = self.rules[name]
            mark = "▶" if name == self.selected else " "
            field = MOMENTUM_FIELD.get(name)
            extra = f"{FIELD_SYMBOL[field]} {getattr(rule, field):g}" if field else ""
            line = f"{mark} {GLYPHS[name]} {name:<8} α {rule.alpha:<7.3g} {extra:<7} "
            racer = by_name.get(name)
            if racer is None:
                text.append(line + "off (x adds it)\n", "dim")
                continue
            text.append(line, "bold" if name == self.selected else "")
            if racer.diverged:
                text.append(f"DIVERGED at step {racer.steps}\n", "bold reverse")
                continue
            loss = racer.losses[-1]
            text.append(f"loss {loss:<11.6g}")  # 6 digits: 0.000512326 is 11 wide
            if racer.change is not None:
                step = ", ".join(f"{float(v):+.3g}" for v in racer.change)
                text.append(f" d ({step})")
            text.append("\n")
        selected = by_name.get(self.selected)
        if selected is not None:
            text.append(step_formula(selected))
        else:
            text.append(f"{self.selected} is not racing: x adds it\n", "dim")
        rule = self.rules[self.selected]
        text.append(f"\nregime ({rule.optimizer}): {regime_of(rule, self.lam, self.shape)}")
        return text

    # -- keys -----------------------------------------------------------------------------
    def action_toggle_run(self) -> None:
        if self.race.finished:
            self.race = self._new_race()
        self.set_running(not self.running)

    def action_step(self) -> None:
        self.set_running(False)
        self.race.step(1)
        self.draw()

    def action_restart(self) -> None:
        self.restart()

    def action_select(self, direction: int) -> None:
        index = OPTIMIZERS.index(self.selected)
        self.selected = OPTIMIZERS[(index + direction) % len(OPTIMIZERS)]
        self.draw()

    def action_toggle_racer(self) -> None:
        name = self.selected
        if name in self.active:
            if len(self.active) == 1:
                self.tell("the last racer stays in (x adds another first)", timeout=2)
                return
            self.active.remove(name)
        else:
            self.active = [n for n in OPTIMIZERS if n in self.active or n == name]
        self.restart()

    def action_alpha(self, factor: float) -> None:
        rule = self.rules[self.selected]
        self.rules[self.selected] = dataclasses.replace(rule, alpha=rule.alpha * factor)
        self.restart()

    def action_momentum(self) -> None:
        rule = self.rules[self.selected]
        field = MOMENTUM_FIELD.get(rule.optimizer)
        if field is None:
            self.tell(f"{rule.optimizer} has no momentum to change", timeout=2)
            return
        value = getattr(rule, field)
        later = [m for m in MOMENTA if m > value + 1e-12]
        changes: dict[str, float] = {field: later[0] if later else MOMENTA[0]}
        self.rules[self.selected] = dataclasses.replace(rule, **changes)  # type: ignore[arg-type]
        self.restart()

    def action_surface(self) -> None:
        index = self.surfaces.index(self.surface_name) if self.surface_name in self.surfaces else -1
        self.surface_name = self.surfaces[(index + 1) % len(self.surfaces)]
        config = dataclasses.replace(self.config, surface=self.surface_name, x0=None, y0=None)
        if self.surface_name == self.config.surface:
            config = self.config
        self.surface = make_surface(config, self.network)
        self._set_rules(use_config=self.surface_name == self.config.surface)
        self.lam, self.shape = curvature_and_shape(self.surface, self.surface.start)
        self.compute_map()
        self.restart()
        self.call_after_refresh(self.draw)  # a curve or a map: sized after a layout

    def action_both_shown(self) -> None:
        self.tell(f"the loss plot and the regime map both show from {WIDE} columns", timeout=3)

    def action_view(self) -> None:
        self.show_regime = not self.show_regime
        self.draw()
        self.call_after_refresh(self.draw)  # the panel shown has its size after a layout

    def action_speed(self, direction: int) -> None:
        self.speed = self.step_speed(self.speed, SPEEDS, direction, "step")
        self.draw()
