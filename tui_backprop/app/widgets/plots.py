"""What the plotext plots share: a title plotext draws at the plot's width, and a plot drawn
again when its width changes."""

from __future__ import annotations

import math
from typing import Any

#: Columns a plotext plot keeps beside its title: plotext draws a title over the plot's
#: area only (the width less the y axis's labels, up to 8 characters, and its line) and
#: drops a title longer than that altogether, leaving an empty line.
PLOT_TITLE_MARGIN = 10


def plot_title(width: int, *titles: str) -> str:
    """The first of ``titles`` (longest first: the whole title, then shorter ones) that a
    plot ``width`` columns wide draws; the last, cut with "…", if none fits."""
    if width <= 0:  # hidden, or not laid out yet: drawn again at its size (RedrawnOnResize)
        return titles[-1]
    room = max(1, width - PLOT_TITLE_MARGIN)
    for title in titles:
        if len(title) <= room:
            return title
    return titles[-1][: room - 1] + "…"


def round_ticks(lo: float, hi: float, most: int) -> tuple[list[float], list[str]]:
    """(positions, labels): the multiples of one round step (1, 2 or 5 times a power of
    ten) in [lo, hi], the finest step that gives at most ``most`` of them, but two at
    least (then perhaps a few more than ``most``). plotext's own
    ticks divide its limits evenly (-2.0 -0.4 1.2 2.9 4.5 over [-2, 4.5]): a reader can
    place a point between round ticks, not between those."""
    if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
        return [lo], [f"{lo:g}"]
    most = max(2, most)
    step = 10.0 ** math.floor(math.log10((hi - lo) / most))
    finer: tuple[list[float], list[str]] | None = None
    while True:
        for factor in (1, 2, 5):
            size = factor * step
            first, last = math.ceil(lo / size - 1e-9), math.floor(hi / size + 1e-9)
            decimals = max(0, -math.floor(math.log10(size) + 1e-9))
            ticks = [k * size for k in range(first, last + 1)]
            # + 0.0: no "-0"
            labelled = ticks, [f"{round(t, decimals) + 0.0:.{decimals}f}" for t in ticks]
            if len(ticks) <= most:
                # One tick is no scale: the finer step's, one or two more than asked for,
                # rather than [-4.3, 4.5] read as "0" alone.
                return finer if len(ticks) < 2 and finer is not None else labelled
            finer = labelled
        step *= 10


class RedrawnOnResize:
    """A plot drawn by ``show(...)``, drawn again with the arguments it was last shown with
    when its size changes: its title and ticks are chosen for its width, and a plot shown
    while hidden (a scene's curve before ``f`` brings it back) had none. ``show`` calls
    ``shown_with`` with its arguments."""

    _shown_with: tuple[Any, ...] | None = None

    def shown_with(self, *args: Any) -> None:
        self._shown_with = args

    def redraw(self) -> None:
        """Show again what was shown last (a new size, a new theme's colours)."""
        if self._shown_with is not None:
            self.show(*self._shown_with)  # type: ignore[attr-defined]

    def on_resize(self) -> None:
        self.redraw()
