"""A heatmap of a function of two variables, two pixels per character (▀ with a foreground
and a background colour), with a path drawn over it: readable at 80x24.

Values are shown on a log scale between their smallest and largest finite value, dark
(low) to bright (high), so a flat plateau reads as one even colour.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

from .style import HEATMAP_NONFINITE, HEATMAP_NOW, HEATMAP_PALETTE, MARK

COLORS = [Color.from_rgb(*rgb) for rgb in HEATMAP_PALETTE]
NONFINITE = Color.from_rgb(*HEATMAP_NONFINITE)
PATH, START, NOW = "•", "○", "●"


def log_levels(values: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(levels, low, high): every value's palette index (-1 where not finite) on a log scale
    from the smallest positive to the largest value (values <= 0 count as the smallest)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.full(values.shape, -1), math.nan, math.nan
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
    t = np.nan_to_num(t, nan=0.0, posinf=1.0, neginf=0.0)
    levels = np.clip((t * len(COLORS)).astype(int), 0, len(COLORS) - 1)
    levels[~np.isfinite(values)] = -1
    return levels, float(finite.min()), high


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
        self.levels: np.ndarray | None = None
        self.low = self.high = math.nan
        self.lo, self.hi = -1.0, 1.0
        self.marks: dict[tuple[int, int], str] = {}

    @property
    def pixel_size(self) -> tuple[int, int]:
        """(columns, pixel rows) the widget draws now (at least 1 x 2)."""
        return max(1, self.size.width), 2 * max(1, self.size.height)

    def show(
        self,
        values: np.ndarray,
        lo: float,
        hi: float,
        path: Sequence[Sequence[float]] | np.ndarray = (),
    ) -> None:
        self.levels, self.low, self.high = log_levels(values)
        self.lo, self.hi = lo, hi
        self.marks = {}
        path = list(path)
        for k, point in enumerate(path):
            cell = self.cell_of(point)
            if cell is None:
                continue
            mark = NOW if k == len(path) - 1 else START if k == 0 else PATH
            if self.marks.get(cell) != NOW:
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

    def render_line(self, y: int) -> Strip:
        if self.levels is None or 2 * y + 1 >= self.levels.shape[0]:
            return Strip.blank(self.size.width)
        top, bottom = self.levels[2 * y], self.levels[2 * y + 1]
        segments = []
        for x in range(min(self.size.width, self.levels.shape[1])):
            fg = COLORS[top[x]] if top[x] >= 0 else NONFINITE
            bg = COLORS[bottom[x]] if bottom[x] >= 0 else NONFINITE
            mark = self.marks.get((y, x))
            if mark is None:
                segments.append(Segment("▀", Style(color=fg, bgcolor=bg)))
            else:
                color = HEATMAP_NOW if mark == NOW else MARK
                segments.append(Segment(mark, Style(color=color, bgcolor=bg, bold=True)))
        return Strip(segments, len(segments))


def legend(low: float, high: float, width: int = 6) -> Text:
    """``low ▕████▏ high log  ○ start ● now``: the palette and what the marks mean."""
    text = Text()
    text.append(f"{low:.2g}▕" if math.isfinite(low) else "-▕")
    for k in range(width):
        color = COLORS[min(len(COLORS) - 1, k * len(COLORS) // width)]
        text.append("█", Style(color=color))
    text.append(f"▏{high:.2g} log" if math.isfinite(high) else "▏-")
    text.append(f"  {START} start ", "bold")
    text.append(NOW, Style(color=HEATMAP_NOW, bold=True))
    text.append(" now", "bold")
    return text
