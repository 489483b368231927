"""The loss curve: mean loss per epoch, linear or log scale (plotext)."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual_plotext import PlotextPlot

from ...core.snapshot import Snapshot
from .changes import ChangedLines
from .formatting import plot_title
from .style import plot_colours

#: Smallest loss drawn on a log axis (plotext refuses values <= 0).
LOG_FLOOR = 1e-12


def plot_points(epochs: np.ndarray, losses: np.ndarray, width: int, log: bool):
    """Finite points, at most about 2x ``width`` of them (evenly picked), positive on a
    log axis: what plotext can draw quickly and without raising."""
    keep = np.isfinite(losses)
    epochs, losses = epochs[keep], losses[keep]
    if log:
        losses = np.maximum(losses, LOG_FLOOR)
    limit = max(2, 2 * width)
    if len(epochs) > limit:
        pick = np.linspace(0, len(epochs) - 1, limit).round().astype(int)
        epochs, losses = epochs[pick], losses[pick]
    return epochs.tolist(), losses.tolist()


class LossPlot(ChangedLines, PlotextPlot):
    """Replots from a Snapshot's bounded history; ``log`` switches the y axis. A replot
    refreshes only the cells that changed (the curve's end, the labels that moved)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown: tuple | None = None
        self._last: tuple[Snapshot, bool] | None = None

    def on_mount(self) -> None:
        # The curve's colour depends on the theme (dark or light): draw it again on a change.
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme) -> None:
        self._register_theme(theme.name)  # plotext's colours for it, before drawing with them
        self.forget_picture()
        self._shown = None
        self._redraw()

    def _redraw(self) -> None:
        if self._last is not None:
            self.show(*self._last)

    def _plot_text(self) -> Text:
        text = PlotextPlot.render(self)
        return text if isinstance(text, Text) else Text(str(text))

    def render(self) -> Text:
        return self.current_picture(self._plot_text)

    def show(self, snap: Snapshot, log: bool) -> None:
        self._last = (snap, log)
        key = (
            snap.history_epochs.size,
            snap.history_epochs[-1:].tobytes(),
            snap.seed,
            log,
            self.size.width,
            self.app.current_theme.dark,
            snap.updates == 0,
        )
        if key == self._shown:
            return  # nothing new: skip the (relatively costly) plotext rebuild
        self._shown = key
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        x, y = plot_points(snap.history_epochs, snap.history_losses, max(10, self.size.width), log)
        plt.title(plot_title(self.size.width, "mean loss per epoch" + (" (log)" if log else "")))
        plt.xlabel("epoch")
        # plotext cannot set up a log axis without points.
        plt.yscale("log" if log and x else "linear")
        if x:
            colours = plot_colours(self.app.current_theme.dark)
            plt.plot(x, y, marker="braille", color=colours.data)
            # Where the run is now (after going back with b or B, the curve ends there too).
            plt.scatter([x[-1]], [y[-1]], marker="●", color=colours.mark)
            # Epochs are whole numbers: label them so (plotext would print 153.8).
            count = max(2, min(5, self.size.width // 12))
            ends = np.linspace(x[0], x[-1], count)
            ticks: list[float] = sorted({int(round(t)) for t in ends})
            plt.xticks(ticks, [str(t) for t in ticks])
        if self.size.width and self.size.height:
            self.set_picture(self._plot_text())
        else:
            self.forget_picture()
            self.refresh()
