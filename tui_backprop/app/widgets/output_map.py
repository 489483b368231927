"""The output map: what the network answers over the whole input space, with the data.

Two inputs: a heatmap of the first output over the input square, two pixels per cell
(the upper half block "▀" takes the upper pixel's colour, its background the lower's).
The colour scale is two-sided around the middle of the targets' range (0.5 for 0/1
targets): orange below, blue above, dark at the middle, so the decision boundary is the
dark band; where the output crosses the middle a contour glyph ("·") is drawn as well. Data
points are drawn as glyphs whose shape gives their class ("o" below the middle, "x"
above), so the map reads without colour too.

The colours follow the terminal (see :mod:`.style`): truecolor blends the sign colours
from the dark middle; 256 colours take each side's ramp of the xterm cube (one hue, rising
in luminance from the middle); 16 colours and NO_COLOR draw one shading character per cell,
" " for the lowest output to "█" for the highest (in 16 colours in the sign colours).

One input: the output curve against x (plotext), with the data points.

The map is computed with the plain NumPy forward pass of :mod:`tui_backprop.teach.explain` from
a Snapshot's weights, for every pixel at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container
from textual.widget import Widget
from textual_plotext import PlotextPlot

from ...core.snapshot import Snapshot
from ...core.ticks import round_ticks
from ...teach.explain import forward_many
from . import heatmap
from .changes import fitting_title, set_subtitle
from .plots import RedrawnOnResize, plot_title
from .style import (
    CONTOUR_GLYPH,
    MAP_BACKGROUND_16,
    MAP_CONTOUR,
    MAP_CONTOUR_256,
    MAP_HIGH_16,
    MAP_HIGH_256,
    MAP_LOW_16,
    MAP_LOW_256,
    MAP_MIDDLE,
    MAP_MIDDLE_256,
    MARK_16,
    NEGATIVE,
    POSITIVE,
    SHADES,
    ColourMode,
    app_colour_mode,
    mark_on,
    plot_colours,
    rgb,
    xterm_rgb,
)

LOW_RGB = rgb(NEGATIVE)
HIGH_RGB = rgb(POSITIVE)
#: Colour steps on each side of the middle: few distinct styles, and the map stays calm.
LEVELS = 12
LOW_GLYPH, HIGH_GLYPH = "o", "x"
#: Fraction of the data's range added on each side, so edge points are not on the border.
PAD = 0.1
#: At most this often (seconds) while running: the map costs a forward pass per pixel.
REFRESH_SECONDS = 0.2
#: Range of each output activation, used for the scale when the targets are all equal.
OUTPUT_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}


@dataclass(frozen=True)
class Scale:
    """Output values map to t = (v - middle) / half in [-1, 1]."""

    middle: float
    half: float

    @classmethod
    def for_snapshot(cls, snap: Snapshot) -> Scale:
        targets = np.asarray(snap.targets[:, 0], dtype=np.float64)
        lo, hi = float(np.min(targets)), float(np.max(targets))
        if hi <= lo:
            lo, hi = OUTPUT_RANGE.get(snap.spec.output_activation, (lo - 1.0, lo + 1.0))
        return cls((lo + hi) / 2, (hi - lo) / 2)

    def fraction(self, values: np.ndarray) -> np.ndarray:
        """t = (v - middle) / half clipped to [-1, 1] (nan: 0, the middle)."""
        with np.errstate(invalid="ignore"):
            t = np.clip((np.asarray(values, dtype=np.float64) - self.middle) / self.half, -1, 1)
        return np.where(np.isfinite(t), t, 0.0)

    def level(self, values: np.ndarray) -> np.ndarray:
        """Integer colour level in -LEVELS..LEVELS (nan: 0, the middle)."""
        return np.round(self.fraction(values) * LEVELS).astype(np.int64)


def level_color(level: int) -> str:
    """#rrggbb of a colour level: the middle's dark grey blended toward orange or blue."""
    end = HIGH_RGB if level > 0 else LOW_RGB
    f = abs(level) / LEVELS
    mixed = [round(m + (e - m) * f) for m, e in zip(MAP_MIDDLE, end, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*mixed)


def ramp_256(t: float) -> int:
    """The xterm colour number of t in [-1, 1] in 256 colours: the middle, or a step of
    the low (t < 0) or high side's ramp, by |t|."""
    side = MAP_HIGH_256 if t > 0 else MAP_LOW_256
    step = int(round(abs(t) * len(side)))
    return MAP_MIDDLE_256 if step == 0 else side[min(step, len(side)) - 1]


def map_rgb(t: float, mode: ColourMode) -> tuple[int, int, int]:
    """(r, g, b) of t in [-1, 1] on the truecolor or 256-colour scale."""
    if mode == "256":
        return xterm_rgb(ramp_256(t))
    return rgb(level_color(int(round(t * LEVELS))))


def map_shade(t: float) -> str:
    """The shading character of t in [-1, 1]: " " lowest to "█" highest."""
    u = (t + 1) / 2
    return SHADES[min(len(SHADES) - 1, max(0, int(u * len(SHADES))))]


_BLACK_16 = Color.from_rgb(*xterm_rgb(MAP_BACKGROUND_16))
_SIDES_16 = (Color.from_rgb(*xterm_rgb(MAP_LOW_16)), Color.from_rgb(*xterm_rgb(MAP_HIGH_16)))
_MARK_16 = Style(color=Color.from_rgb(*xterm_rgb(MARK_16)), bgcolor=_BLACK_16, bold=True)
_CONTOUR_COLOR = {
    "truecolor": Color.parse(MAP_CONTOUR),
    "256": Color.from_rgb(*xterm_rgb(MAP_CONTOUR_256)),
}


def cell(
    t_top: float, t_bottom: float, mode: ColourMode, glyph: str | None = None
) -> tuple[str, Style]:
    """(character, style) of a cell whose upper and lower pixels are at t_top, t_bottom
    (in [-1, 1]), with ``glyph`` (a data point, the contour) drawn over it if given."""
    if mode in ("truecolor", "256"):
        if glyph is None:
            upper, lower = map_rgb(t_top, mode), map_rgb(t_bottom, mode)
            return "▀", Style(color=Color.from_rgb(*upper), bgcolor=Color.from_rgb(*lower))
        back = map_rgb((t_top + t_bottom) / 2, mode)
        color = _CONTOUR_COLOR[mode] if glyph == CONTOUR_GLYPH else Color.parse(mark_on(back))
        return glyph, Style(color=color, bgcolor=Color.from_rgb(*back), bold=True)
    t = (t_top + t_bottom) / 2
    if mode == "16":
        if glyph is not None:
            return glyph, _MARK_16
        return map_shade(t), Style(color=_SIDES_16[t >= 0], bgcolor=_BLACK_16)
    if glyph is not None:
        return glyph, Style(bold=True)
    return map_shade(t), Style()


def contour_cells(above: np.ndarray) -> np.ndarray:
    """bool (rows, columns) from ``above`` (pixel_rows, columns; pixel_rows = 2 rows): the
    cells where the output crosses the middle, a line one cell thin: toward the right
    neighbour along the cell's upper pixels, between its two pixels, or toward the lower
    neighbour."""
    rows = above.shape[0] // 2
    top, bottom = above[0 : 2 * rows : 2], above[1 : 2 * rows : 2]
    crossing = top != bottom
    crossing[:, :-1] |= top[:, :-1] != top[:, 1:]
    crossing[:-1, :] |= bottom[:-1, :] != top[1:, :]
    return crossing


def _axis(values: np.ndarray) -> tuple[float, float]:
    lo, hi = float(np.min(values)), float(np.max(values))
    span = hi - lo if hi > lo else 1.0
    return lo - PAD * span, hi + PAD * span


def map_axes(snap: Snapshot) -> tuple[tuple[float, float], tuple[float, float]]:
    """(x1 range, x2 range) of the map: the data's, padded."""
    return _axis(snap.inputs[:, 0]), _axis(snap.inputs[:, 1])


def _rounded(lo: float, hi: float) -> tuple[float, float]:
    """A range's ends to two significant digits, as its border writes them."""
    return float(f"{lo:.2g}"), float(f"{hi:.2g}")


def pixel_outputs(snap: Snapshot, columns: int, pixel_rows: int) -> np.ndarray:
    """float (pixel_rows, columns): output 1 at pixel centres, row 0 at the top (largest
    x2)."""
    (x_lo, x_hi), (y_lo, y_hi) = map_axes(snap)
    xs = x_lo + (np.arange(columns) + 0.5) * (x_hi - x_lo) / columns
    ys = y_hi - (np.arange(pixel_rows) + 0.5) * (y_hi - y_lo) / pixel_rows
    gx, gy = np.meshgrid(xs, ys)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    with np.errstate(all="ignore"):
        out = forward_many(snap.spec, snap.weights, snap.biases, grid)[:, 0]
    return out.reshape(pixel_rows, columns)


def pixel_levels(snap: Snapshot, columns: int, pixel_rows: int) -> np.ndarray:
    """int (pixel_rows, columns): colour levels of output 1 at pixel centres, row 0 at the
    top (largest x2)."""
    return Scale.for_snapshot(snap).level(pixel_outputs(snap, columns, pixel_rows))


def point_cells(snap: Snapshot, columns: int, rows: int) -> list[tuple[int, int, bool]]:
    """(column, row, high) of each data point's cell; high: its target is above the middle."""
    (x_lo, x_hi), (y_lo, y_hi) = map_axes(snap)
    scale = Scale.for_snapshot(snap)
    cells = []
    for (x1, x2), y in zip(snap.inputs[:, :2], snap.targets[:, 0], strict=True):
        col = min(columns - 1, max(0, int((x1 - x_lo) / (x_hi - x_lo) * columns)))
        row = min(rows - 1, max(0, int((y_hi - x2) / (y_hi - y_lo) * rows)))
        cells.append((col, row, bool(y > scale.middle)))
    return cells


def legend_scale(mode: ColourMode, count: int | None = None) -> list[tuple[str, Style]]:
    """The scale's characters, lowest output first: colour blocks (``count`` of them, evenly
    picked from lowest to highest; None: every step), or the shades (all of them: each is
    a step of the map)."""
    if mode == "truecolor":
        steps = [k / LEVELS for k in range(-LEVELS, LEVELS + 1, 3)]
    elif mode == "256":
        side = len(MAP_LOW_256)
        steps = [k / side for k in range(-side, side + 1, 2)]
    else:
        steps = [2 * (k + 0.5) / len(SHADES) - 1 for k in range(len(SHADES))]
    if mode in ("truecolor", "256"):
        if count is not None and count < len(steps):
            picked = np.linspace(0, len(steps) - 1, max(2, count)).round().astype(int)
            steps = [steps[i] for i in picked]
        return [("█", Style(color=Color.from_rgb(*map_rgb(t, mode)))) for t in steps]
    return [cell(t, t, mode) for t in steps]


#: Fewest blocks a colour scale in the legend keeps: its two ends and the middle.
MIN_SCALE = 3


def _legend(snap: Snapshot, width: int, mode: ColourMode = "truecolor") -> Text:
    """``o y<0.5  x y>0.5  · a=0.5  a 0 █████ 1`` in ``width`` cells: the glyphs' meaning
    and the scale with both its ends labelled. Where that does not fit, a colour scale
    gives up blocks (down to MIN_SCALE), then the gaps narrow, then the contour's and the
    glyphs' words go, whole: the ends' numbers stay."""
    scale = Scale.for_snapshot(snap)
    lo, hi = scale.middle - scale.half, scale.middle + scale.half
    mid = f"{scale.middle:g}"
    glyphs = [(LOW_GLYPH, f" y<{mid}"), (HIGH_GLYPH, f" y>{mid}"), (CONTOUR_GLYPH, f" a={mid}")]
    full = len(legend_scale(mode))
    least = MIN_SCALE if mode in ("truecolor", "256") else full
    forms = [(glyphs, "  "), (glyphs, " "), (glyphs[:2], " "), ([], " ")]
    for shown, gap in forms:
        words = sum(len(glyph) + len(word) + len(gap) for glyph, word in shown)
        ends = len(f"a {lo:g} ") + len(f" {hi:g}")
        count = min(full, width - words - ends)
        if count >= least:
            break
    text = Text(no_wrap=True, overflow="crop")
    for glyph, word in shown:
        text.append(glyph, style="bold")
        text.append(word + gap)
    text.append(f"a {lo:g} ")
    for char, style in legend_scale(mode, max(least, count)):
        text.append(char, style=style)
    text.append(f" {hi:g}")
    text.truncate(width)  # narrower than any form: cut at the end (no panel is)
    return text


def output_map_text(
    snap: Snapshot, width: int, height: int, mode: ColourMode = "truecolor"
) -> Text:
    """The heatmap in ``height`` rows of ``width`` cells, the last row its legend, in the
    colour design ``mode``."""
    rows = max(height - 1, 1)
    out = pixel_outputs(snap, width, 2 * rows)
    scale = Scale.for_snapshot(snap)
    t = scale.fraction(out)
    with np.errstate(invalid="ignore"):
        contour = contour_cells(out > scale.middle)
    glyphs = {(c, r): high for c, r, high in point_cells(snap, width, rows)}
    text = Text(no_wrap=True, overflow="crop", end="")
    for r in range(rows):
        for c in range(width):
            glyph = None
            if (c, r) in glyphs:
                glyph = HIGH_GLYPH if glyphs[(c, r)] else LOW_GLYPH
            elif contour[r, c]:
                glyph = CONTOUR_GLYPH
            text.append(*cell(float(t[2 * r, c]), float(t[2 * r + 1, c]), mode, glyph))
        text.append("\n")
    text.append_text(_legend(snap, width, mode))
    return text


class MapCanvas(Widget):
    """Renders :func:`output_map_text` at the widget's size."""

    DEFAULT_CSS = """
    MapCanvas { height: 1fr; width: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.snapshot: Snapshot | None = None

    def render(self) -> Text:
        if self.snapshot is None:
            return Text("")
        return output_map_text(
            self.snapshot,
            max(self.size.width, 1),
            max(self.size.height, 2),
            app_colour_mode(self.app),
        )


class OutputCurve(RedrawnOnResize, PlotextPlot):
    """One input: the output against x over the data's range, and the data points."""

    def on_mount(self) -> None:
        # The colours depend on the theme (dark or light): draw again on a change.
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.redraw())

    def show(self, snap: Snapshot) -> None:
        self.shown_with(snap)
        lo, hi = _axis(snap.inputs[:, 0])
        xs = np.linspace(lo, hi, max(20, 2 * self.size.width))
        with np.errstate(all="ignore"):
            ys = forward_many(snap.spec, snap.weights, snap.biases, xs[:, None])[:, 0]
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        colours = plot_colours(self.app.current_theme.dark)
        # The data's glyphs as the map's legend names them: "o y<0.5  x y>0.5", the
        # curve's name too where it fits.
        mid = f"{Scale.for_snapshot(snap).middle:g}"
        glyphs = f"{LOW_GLYPH} y<{mid}  {HIGH_GLYPH} y>{mid}"
        plt.title(
            plot_title(
                self.size.width,
                f"output a against x, data {glyphs}",
                glyphs,  # the border says what the curve is
            )
        )
        plt.xlabel("x")
        keep = np.isfinite(ys)
        if keep.any():
            plt.plot(xs[keep].tolist(), ys[keep].tolist(), marker="braille", color=colours.data)
        scale = Scale.for_snapshot(snap)
        x, y = snap.inputs[:, 0], snap.targets[:, 0]
        for high, glyph in ((False, LOW_GLYPH), (True, HIGH_GLYPH)):
            pick = (y > scale.middle) == high
            if pick.any():
                plt.scatter(
                    x[pick].tolist(),
                    y[pick].tolist(),
                    marker=glyph,
                    color=colours.high if high else colours.low,
                )
        # Round ticks, as the other plots have (plotext's own divide the limits evenly:
        # 0.01 0.28 0.55 ...), as many as the plot has room for.
        plt.xticks(*round_ticks(lo, hi, self.size.width // 8))
        shown = np.concatenate([ys[keep], y])
        plt.yticks(*round_ticks(float(shown.min()), float(shown.max()), self.size.height // 4))
        self.refresh()


class OutputView(Container):
    """The map for two inputs, the curve for one; a note otherwise. Throttled while running."""

    DEFAULT_CSS = """
    OutputView { height: 1fr; }
    OutputView > #output-note { display: none; }
    OutputView.-note > #output-note { display: block; }
    OutputView.-note > MapCanvas, OutputView.-note > OutputCurve { display: none; }
    OutputView.-curve > MapCanvas { display: none; }
    OutputView.-map > OutputCurve { display: none; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._last = 0.0
        self._shown: Snapshot | None = None

    def compose(self) -> ComposeResult:
        from textual.widgets import Static

        yield MapCanvas()
        yield OutputCurve()
        yield Static("the output map needs a problem with one or two inputs", id="output-note")

    def show(self, snap: Snapshot, throttle: bool = False) -> None:
        """Redraw for ``snap``; with ``throttle``, at most every REFRESH_SECONDS."""
        now = time.monotonic()
        if snap is self._shown or (throttle and now - self._last < REFRESH_SECONDS):
            return
        self._last, self._shown = now, snap
        inputs = snap.spec.sizes[0]
        self.set_class(inputs == 2, "-map")
        self.set_class(inputs == 1, "-curve")
        self.set_class(inputs not in (1, 2), "-note")
        if inputs == 2:
            canvas = self.query_one(MapCanvas)
            canvas.snapshot = snap
            canvas.refresh()
        elif inputs == 1:
            self.query_one(OutputCurve).show(snap)
        self._label(snap)

    def on_resize(self) -> None:
        if self._shown is not None:
            self._label(self._shown)

    def _label(self, snap: Snapshot) -> None:
        """The border: what the panel shows, and for a map, as every heat map's border
        says, what runs along it and what up it, over which ranges (fitted to the width)."""
        inputs = snap.spec.sizes[0]
        self.border_title = {1: "output a against x", 2: "output a over x1, x2"}.get(
            inputs, "output map"
        )
        if inputs != 2:
            set_subtitle(self, "")
            return
        x_range, y_range = (_rounded(*ends) for ends in map_axes(snap))
        set_subtitle(
            self,
            fitting_title(
                self.outer_size.width,
                heatmap.map_axes("x1", "x2", *x_range, second_range=y_range),
                "→ x1  ↑ x2",
            ),
        )
