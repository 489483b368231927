"""A heatmap of a function of two variables, two pixels per character (▀ with a foreground
and a background colour), with a path drawn over it: readable at 80x24.

Values are shown between their smallest and largest finite value, dark (low) to bright
(high): costs on a log scale (``LOG``), so a flat plateau reads as one even colour and the
valleys keep their detail; functions of any sign, as the descent scene's cap and saddle,
on a linear one (``LINEAR``), where a log would press everything but the lowest values
into one colour. The colours follow the
terminal (see :mod:`.style`): truecolor and 256 colours draw two pixels per character with
a ramp of their own; 16 colours and NO_COLOR draw one shading character per cell
(" ░▒▓█", low to high), so the map reads without colour.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from .style import (
    HEATMAP_16,
    HEATMAP_256,
    HEATMAP_NONFINITE,
    HEATMAP_NONFINITE_256,
    HEATMAP_NOW,
    HEATMAP_NOW_16,
    HEATMAP_NOW_256,
    HEATMAP_PALETTE,
    MAP_BACKGROUND_16,
    MARK_16,
    NONFINITE_GLYPH,
    SHADES,
    ColourMode,
    app_colour_mode,
    mark_on,
    xterm_rgb,
)

#: The ramps, low to high: truecolor's palette and 256 colours' cube colours.
RAMPS: dict[str, list[tuple[int, int, int]]] = {
    "truecolor": list(HEATMAP_PALETTE),
    "256": [xterm_rgb(n) for n in HEATMAP_256],
}
NONFINITE_RGB = {"truecolor": HEATMAP_NONFINITE, "256": xterm_rgb(HEATMAP_NONFINITE_256)}
NOW_COLOR = {
    "truecolor": Color.parse(HEATMAP_NOW),
    "256": Color.from_rgb(*xterm_rgb(HEATMAP_NOW_256)),
    "16": Color.from_rgb(*xterm_rgb(HEATMAP_NOW_16)),
}
COLORS = [Color.from_rgb(*rgb) for rgb in HEATMAP_PALETTE]
PATH, START, NOW = "•", "○", "●"
_BLACK_16 = Color.from_rgb(*xterm_rgb(MAP_BACKGROUND_16))
#: 16 colours: the shading characters' style, and the marks' style.
SHADE_STYLE_16 = Style(color=Color.from_rgb(*xterm_rgb(HEATMAP_16)), bgcolor=_BLACK_16)
MARK_STYLE_16 = Style(color=Color.from_rgb(*xterm_rgb(MARK_16)), bgcolor=_BLACK_16, bold=True)


def shade_index(t: float | np.ndarray, count: int = len(SHADES)) -> np.ndarray:
    """The level (0..count-1) of fractions ``t`` in [0, 1], count levels of equal width."""
    return np.clip((np.asarray(t) * count).astype(int), 0, count - 1)


def ramp_rgb(t: float, mode: ColourMode) -> tuple[int, int, int]:
    """(r, g, b) of fraction ``t`` (0 low, 1 high; nan: not finite) on a colour mode's ramp
    (truecolor or 256)."""
    if not math.isfinite(t):
        return NONFINITE_RGB[mode]
    ramp = RAMPS[mode]
    return ramp[int(shade_index(t, len(ramp)))]


def shade(t: float) -> str:
    """The shading character of fraction ``t`` (nan: not finite)."""
    return SHADES[int(shade_index(t))] if math.isfinite(t) else NONFINITE_GLYPH


def log_fractions(values: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(t, low, high): every value's place in [0, 1] (nan where not finite) on a log scale
    from the smallest positive to the largest value (values <= 0 count as the smallest)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.full(values.shape, math.nan), math.nan, math.nan
    high = float(finite.max())
    positive = finite[finite > 0]
    low = float(positive.min()) if positive.size else high
    low = max(low, high * 1e-6) if high > 0 else low
    t = np.zeros(values.shape)
    if high > low > 0:
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (np.log(np.clip(values, low, None)) - math.log(low)) / (
                math.log(high) - math.log(low)
            )
    t = np.clip(np.nan_to_num(t, nan=0.0, posinf=1.0, neginf=0.0), 0.0, 1.0)
    t[~np.isfinite(values)] = math.nan
    return t, float(finite.min()), high


def linear_fractions(values: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(t, low, high): every value's place in [0, 1] (nan where not finite) on a linear
    scale from the smallest to the largest finite value (0 everywhere when they are equal)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.full(values.shape, math.nan), math.nan, math.nan
    low, high = float(finite.min()), float(finite.max())
    t = np.zeros(values.shape)
    if high > low:
        with np.errstate(invalid="ignore"):
            t = (values - low) / (high - low)
    t = np.clip(np.nan_to_num(t, nan=0.0), 0.0, 1.0)
    t[~np.isfinite(values)] = math.nan
    return t, low, high


#: The scales a heat map can take, by the word its legend shows.
LOG, LINEAR = "log", "linear"
SCALES = {LOG: log_fractions, LINEAR: linear_fractions}


def log_levels(values: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(levels, low, high): every value's truecolor palette index (-1 where not finite) on
    the log scale of :func:`log_fractions`."""
    t, low, high = log_fractions(values)
    levels = shade_index(np.nan_to_num(t, nan=0.0), len(COLORS))
    levels[~np.isfinite(t)] = -1
    return levels, low, high


def sample(
    f: Callable[[np.ndarray, np.ndarray], np.ndarray],
    lo: float,
    hi: float,
    columns: int,
    pixel_rows: int,
) -> np.ndarray:
    """f at the centres of a (pixel_rows, columns) grid over [lo, hi]^2; row 0 is the top
    (largest y), column 0 the left (smallest x)."""
    xs = lo + (np.arange(columns) + 0.5) / columns * (hi - lo)
    ys = hi - (np.arange(pixel_rows) + 0.5) / pixel_rows * (hi - lo)
    return f(xs[None, :], ys[:, None])


def nearest(axis: np.ndarray, grid: np.ndarray, columns: int, pixel_rows: int) -> np.ndarray:
    """A cost grid (``grid[i, j]``: x = axis[i], y = axis[j]) resampled to
    (pixel_rows, columns) by nearest point, row 0 at the top."""
    lo, hi = float(axis[0]), float(axis[-1])
    xs = lo + (np.arange(columns) + 0.5) / columns * (hi - lo)
    ys = hi - (np.arange(pixel_rows) + 0.5) / pixel_rows * (hi - lo)

    def index(values: np.ndarray) -> np.ndarray:
        return np.clip(
            np.rint((values - lo) / (hi - lo) * (len(axis) - 1)).astype(int), 0, len(axis) - 1
        )

    return grid[index(xs)[None, :], index(ys)[:, None]]


class Heatmap(Widget):
    """Draws ``values`` (pixel_rows, columns) as half blocks; ``path`` (k, 2) in the same
    coordinates as the square [lo, hi]^2 the values cover is drawn over it."""

    DEFAULT_CSS = """
    Heatmap {
        width: 1fr;
        height: 1fr;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        #: Every pixel's place on the scale, in [0, 1] (nan: not finite).
        self.levels: np.ndarray | None = None
        self.low = self.high = math.nan
        self.lo, self.hi = -1.0, 1.0
        self.marks: dict[tuple[int, int], str] = {}

    @property
    def pixel_size(self) -> tuple[int, int]:
        """(columns, pixel rows) the widget draws now (at least 1 x 2)."""
        return max(1, self.size.width), 2 * max(1, self.size.height)

    class Resized(Message):
        """The map's size changed: its owner samples its function again at the new one
        (a map shown before its first layout was sampled at 1 x 2 pixels)."""

    def on_resize(self) -> None:
        self.post_message(self.Resized())

    def show(
        self,
        values: np.ndarray,
        lo: float,
        hi: float,
        path: Sequence[Sequence[float]] | np.ndarray = (),
        scale: str = LOG,
    ) -> None:
        self.levels, self.low, self.high = SCALES[scale](values)
        self.lo, self.hi = lo, hi
        self.marks = {}
        path = list(path)
        for k, point in enumerate(path):
            cell = self.cell_of(point)
            if cell is None:
                continue
            mark = NOW if k == len(path) - 1 else START if k == 0 else PATH
            # now over start over the trail: a path that passes its start again (or stays
            # in its cell for the first steps) keeps the start's mark the legend names
            if mark == NOW or self.marks.get(cell) not in (NOW, START):
                self.marks[cell] = mark
        self.refresh()

    def cell_of(self, point: Sequence[float]) -> tuple[int, int] | None:
        """The (row, column) of the character that shows ``point``, or None off the map."""
        if self.levels is None:
            return None
        pixel_rows, columns = self.levels.shape
        x, y = point
        if not (math.isfinite(x) and math.isfinite(y)):
            return None
        u = (x - self.lo) / (self.hi - self.lo)
        v = (self.hi - y) / (self.hi - self.lo)
        if not (0 <= u <= 1 and 0 <= v <= 1):
            return None
        column = min(columns - 1, int(u * columns))
        row = min(pixel_rows - 1, int(v * pixel_rows)) // 2
        return row, column

    @property
    def mode(self) -> ColourMode:
        """The colour design the terminal allows."""
        return app_colour_mode(self.app)

    def render_line(self, y: int) -> Strip:
        # Every segment carries a style: Textual's NO_COLOR filter fails on one without.
        base = self.rich_style
        if self.levels is None or 2 * y + 1 >= self.levels.shape[0]:
            return Strip.blank(self.size.width, base)
        segments = heatmap_row(
            self.levels[2 * y],
            self.levels[2 * y + 1],
            {x: mark for (row, x), mark in self.marks.items() if row == y},
            self.mode,
            base,
        )
        return Strip(segments[: self.size.width])


def heatmap_row(
    top: np.ndarray,
    bottom: np.ndarray,
    marks: dict[int, str],
    mode: ColourMode,
    base: Style | None = None,
) -> list[Segment]:
    """One row of characters: pixel fractions ``top`` and ``bottom`` (nan: not finite),
    ``marks`` (column: glyph) drawn over them. Truecolor and 256 colours: ▀ with the upper
    pixel's colour over the lower's; 16 colours and mono: one shading character per cell
    for the two pixels' mean."""
    base = base or Style()
    segments = []
    for x in range(top.shape[0]):
        mark = marks.get(x)
        if mode in ("truecolor", "256"):
            upper = ramp_rgb(float(top[x]), mode)
            lower = ramp_rgb(float(bottom[x]), mode)
            if mark is None:
                style = Style(color=Color.from_rgb(*upper), bgcolor=Color.from_rgb(*lower))
                segments.append(Segment("▀", base + style))
            else:
                color = NOW_COLOR[mode] if mark == NOW else Color.parse(mark_on(lower))
                style = Style(color=color, bgcolor=Color.from_rgb(*lower), bold=True)
                segments.append(Segment(mark, base + style))
            continue
        pair = [float(v) for v in (top[x], bottom[x]) if math.isfinite(v)]
        t = sum(pair) / len(pair) if pair else math.nan
        if mode == "16":
            if mark is None:
                segments.append(Segment(shade(t), base + SHADE_STYLE_16))
            else:
                style = MARK_STYLE_16
                if mark == NOW:
                    style += Style(color=NOW_COLOR["16"])
                segments.append(Segment(mark, base + style))
        else:
            if mark is None:
                segments.append(Segment(shade(t), base))
            else:
                segments.append(Segment(mark, base + Style(bold=True)))
    return segments


def map_axes(
    first: str,
    second: str,
    lo: float,
    hi: float,
    second_range: tuple[float, float] | None = None,
) -> str:
    """``→ x  ↑ y  -3..3``: what runs along a square map and what up it, and the range both
    cover, for a border of the map's panel: a point's numbers, as (x, y) = (2, 1.5), can
    be found on the map. With ``second_range`` (lo, hi) other than the first's, each its
    own: ``→ x1 -1.3..2.3  ↑ x2 -0.75..1.3``."""
    if second_range is None or second_range == (lo, hi):
        return f"→ {first}  ↑ {second}  {lo:g}..{hi:g}"
    return f"→ {first} {lo:g}..{hi:g}  ↑ {second} {second_range[0]:g}..{second_range[1]:g}"


def legend(
    low: float, high: float, width: int = 6, mode: ColourMode = "truecolor", scale: str = LOG
) -> Text:
    """``low ▕████▏ high log  ○ start ● now``: the scale (``LOG`` or ``LINEAR``, named) and
    what the marks mean (in 16 colours and mono the shading characters, low to high)."""
    text = Text()
    text.append(f"{low:.2g}▕" if math.isfinite(low) else "-▕")
    if mode in ("truecolor", "256"):
        ramp = RAMPS[mode]
        for k in range(width):
            rgb = ramp[min(len(ramp) - 1, k * len(ramp) // width)]
            text.append("█", Style(color=Color.from_rgb(*rgb)))
    else:
        text.append(SHADES, SHADE_STYLE_16 if mode == "16" else "")
    text.append(f"▏{high:.2g} {scale}" if math.isfinite(high) else "▏-")
    text.append(f"  {START} start ", "bold")
    if mode == "mono":
        text.append(NOW, "bold")
    else:
        text.append(NOW, Style(color=NOW_COLOR[mode], bold=True))
    text.append(" now", "bold")
    return text
