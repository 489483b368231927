"""What the plotext plots share: a title plotext draws at the plot's width, and a plot drawn
again when its width changes."""

from __future__ import annotations

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
