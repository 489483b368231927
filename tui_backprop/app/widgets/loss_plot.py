"""The loss curve: mean loss per epoch, linear or log scale (plotext).

Points that are not finite are left out (plotext cannot place them), so a run that
diverged keeps its curve up to the divergence, and the title says it diverged. The log
scale is the losses' log10 on a linear axis, ticks labelled with the losses (a loss of 0
a decade below the least positive one, at a tick labelled 0): plotext's own takes the
logarithms again whenever the figure is built again, as on a resize. On a linear
axis, losses of 10 000 or more (or all below 0.001) get tick labels of our own too, 8.0e199:
plotext writes all 200 digits of 8e199, which leaves no room for the plot, and draws
nothing at all, not even the title; they are plotted in units of a power of ten, since
plotext's arithmetic overflows near the largest float.
"""

from __future__ import annotations

import math

import numpy as np
from rich.text import Text
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

from ...core.snapshot import Snapshot
from ...core.ticks import round_ticks
from .changes import ChangedLines
from .formatting import FIXED_HIGH, FIXED_LOW, sci
from .plots import RedrawnOnResize, plot_title
from .style import PlotColours, plot_colours

#: On a log axis, which has no zero, a loss of 0 is drawn this many decades below the
#: least positive loss, at a tick labelled 0.
ZERO_DECADES = 1.0
#: How many y ticks label losses too large for plotext's own.
Y_TICKS = 5
#: The widest y label of our own: the title's room (``plots.PLOT_TITLE_MARGIN``)
#: counts on it.
LABEL_WIDTH = 8


def plot_points(epochs: np.ndarray, losses: np.ndarray, width: int):
    """Finite points, at most about 2x ``width`` of them (evenly picked): what plotext can
    draw quickly and without raising (``y_axis`` places them, a zero on a log axis too)."""
    keep = np.isfinite(losses)
    epochs, losses = epochs[keep], losses[keep]
    limit = max(2, 2 * width)
    if len(epochs) > limit:
        pick = np.linspace(0, len(epochs) - 1, limit).round().astype(int)
        epochs, losses = epochs[pick], losses[pick]
    return epochs.tolist(), losses.tolist()


def _significant(value: float, digits: int) -> str:
    """``value`` to ``digits`` + 1 significant digits, as ``sci(value, digits)`` writes
    them: fixed point where it reads (0.0020, 0.13, 150), 8.0e199 where not; 0 as 0.
    (Decimals counted from the point, 0.00 for 0.002, labelled a log axis with a zero it
    cannot have.)"""
    if value == 0.0:
        return "0"
    if not FIXED_LOW <= abs(value) < FIXED_HIGH:
        return sci(value, digits)
    decimals = max(0, digits - math.floor(math.log10(abs(value))))
    return f"{value:.{decimals}f}"


def tick_labels(values: list[float]) -> list[str]:
    """Short labels, fixed point where it reads and 8.0e199 where not, with as few digits
    (one to three) as tell the values apart where three do."""
    labels: list[str] = []
    for digits in (1, 2, 3):
        longer = [_significant(v, digits) for v in values]
        if labels and max(map(len, longer)) > LABEL_WIDTH:
            break  # values alike to two digits (subnormals): ticks that share a label merge
        labels = longer
        if len(set(labels)) == len(labels):
            break
    return labels


def y_axis(
    losses: list[float], log: bool, count: int
) -> tuple[list[float], list[float] | None, list[str] | None]:
    """What the y axis plots for the finite ``losses`` (>= 0): (values, tick positions,
    tick labels).

    On a log axis: the losses' log10 on plotext's linear axis, with up to ``count`` ticks
    from the lowest loss to the highest, labelled with the losses, however small (1.5e-14
    where the loss is 1.5e-14). A loss of 0, which a log axis cannot place, is drawn
    ZERO_DECADES below the least positive loss, at a tick of its own labelled 0, so it is
    never read as a loss it is not. plotext's own log axis takes the logarithms of a
    figure's data again each time it is built, and the loss panel builds it again on a
    resize: the logarithms of logarithms below 1 raised ValueError, which ended the app.

    On a linear axis, where plotext's own labels read (the axis within
    FIXED_LOW..FIXED_HIGH) the losses as they are and plotext's ticks (None, None); else
    ``count`` ticks of our own, and the values and the positions divided by a power of ten
    (plotext writes every digit: 8e199 takes 200 characters)."""
    if not losses:
        return losses, None, None
    low, high = min(losses), max(losses)
    if not log and high < FIXED_HIGH and (high >= FIXED_LOW or high == 0):
        return losses, None, None  # plotext's own labels are short enough
    zero_at: float | None = None
    if log:
        positive = [y for y in losses if y > 0]
        low = min(positive) if positive else 1.0
        high = max(positive) if positive else 1.0
        if len(positive) < len(losses):  # zeros: below the rest, one tick fewer for them
            zero_at = math.log10(low) - ZERO_DECADES
            # The losses' ticks share the axis with the decades down to the zero's: as
            # many as their part of it holds, so that none is crowded out of its row
            # (1.41 and 1.7 over a zero: 1.7 alone, not a 1.6 on the row of 1.7).
            decades = math.log10(high) - math.log10(low)
            count = max(1, round((count - 1) * decades / (decades + ZERO_DECADES)))
        with np.errstate(over="ignore"):  # at the largest float; its ends are exact
            if not positive:
                values = None
            elif count > 1 and high > low:
                values = np.geomspace(low, high, count)
            else:
                values = np.array([high])  # one tick: the highest loss's

        def place(y: float) -> float:
            return math.log10(y) if y > 0 else zero_at  # type: ignore[return-value]
    else:
        values = np.linspace(low, high, count if high > low else 1)
        # 10^-308 and below are not normal doubles (10^-324 is 0): a subnormal loss is
        # scaled by 10^-300, which leaves it small but not zero.
        scale = 10.0 ** max(-300, math.floor(math.log10(high)))

        def place(y: float) -> float:
            return y / scale

    ticks: dict[str, float] = {} if zero_at is None else {"0": zero_at}
    if values is not None:
        for label, value in zip(tick_labels(values.tolist()), values.tolist(), strict=True):
            ticks.setdefault(label, place(value))
    return [place(y) for y in losses], list(ticks.values()), list(ticks)


def titles(log: bool, diverged: bool) -> list[str]:
    """The plot's title, longest first (``plot_title`` takes the first that plotext draws
    at the plot's width): what it shows, and once the run diverged, that it did (the curve
    ends before the loss stopped being finite)."""
    scale = " (log)" if log else ""
    if not diverged:
        # "as trained": the mean of each example's cost when it was trained on, not the
        # status line's loss at the weights now (which an epoch's updates have lowered).
        return [f"mean loss per epoch{scale}, as trained", f"mean loss per epoch{scale}"]
    return [
        f"mean loss per epoch{scale}, diverged",
        f"loss per epoch{scale}, diverged",
        f"loss{scale}, diverged",
        "diverged",
    ]


def draw_losses(
    plt: Plot,
    epochs: np.ndarray,
    losses: np.ndarray,
    log: bool,
    heading: str,
    width: int,
    colours: PlotColours,
) -> None:
    """The loss curve in plotext's ``plt`` (its figure cleared first) with the title
    ``heading``, for a plot ``width`` cells wide: the finite points, the end marked, whole
    epochs on the x axis."""
    plt.clear_data()
    plt.clear_figure()
    plt.title(heading)
    x, finite = plot_points(epochs, losses, max(10, width))
    y, yticks, ylabels = y_axis(finite, log, Y_TICKS)
    plt.xlabel("epoch")
    if x:
        plt.plot(x, y, marker="braille", color=colours.data)
        # Where the run is now (after going back with b or B, the curve ends there too).
        plt.scatter([x[-1]], [y[-1]], marker="●", color=colours.mark)
        # Round epochs (500 1000 1500, not plotext's 153.8 or 1 501 1000), whole numbers.
        count = max(2, min(5, width // 12))
        ticks, _ = round_ticks(x[0], x[-1], count)
        whole = sorted({int(round(t)) for t in ticks})
        if len(whole) < 2:  # a few epochs: both ends
            whole = sorted({int(round(x[0])), int(round(x[-1]))})
        plt.xticks([float(t) for t in whole], [str(t) for t in whole])
        if yticks is not None:
            plt.yticks(yticks, ylabels)


class LossPlot(RedrawnOnResize, ChangedLines, PlotextPlot):
    """Replots from a Snapshot's bounded history; ``log`` switches the y axis. A replot
    refreshes only the cells that changed (the curve's end, the labels that moved)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown: tuple | None = None

    def on_mount(self) -> None:
        # The curve's colour depends on the theme (dark or light): draw it again on a change.
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme) -> None:
        self._register_theme(theme.name)  # plotext's colours for it, before drawing with them
        self.forget_picture()
        self._shown = None
        self.redraw()

    def _plot_text(self) -> Text:
        text = PlotextPlot.render(self)
        return text if isinstance(text, Text) else Text(str(text))

    def render(self) -> Text:
        return self.current_picture(self._plot_text)

    def show(self, snap: Snapshot, log: bool) -> None:
        self.shown_with(snap, log)
        key = (
            snap.history_epochs.size,
            snap.history_epochs[-1:].tobytes(),
            snap.seed,
            log,
            self.size.width,
            self.app.current_theme.dark,
            snap.updates == 0,
            snap.diverged,  # in the title, usually within an epoch: no new point
        )
        if key == self._shown:
            return  # nothing new: skip the (relatively costly) plotext rebuild
        self._shown = key
        colours = plot_colours(self.app.current_theme.dark)
        heading = plot_title(self.size.width, *titles(log, snap.diverged))
        draw_losses(
            self.plt,
            snap.history_epochs,
            snap.history_losses,
            log,
            heading,
            self.size.width,
            colours,
        )
        if self.size.width and self.size.height:
            self.set_picture(self._plot_text())
        else:  # drawn for when it has a size
            self.forget_picture()
            self.refresh()
