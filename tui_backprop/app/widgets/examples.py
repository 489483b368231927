"""Every example (or a window of them): input, target, current output and cost.

The outputs and costs are those after the last update (the network view shows the trained
example's a and δ from before it): once an update has been made, a line over their columns
says so. The window follows the last trained example unless it has been paged (``page``,
the mouse wheel). A narrow table first drops digits and the # column (``LAYOUTS``) so that
its inputs are shown whole; columns that still do not fit give way input first (cut with
…), so that many inputs or outputs leave room for output and cost.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widget import Widget

from ...core.snapshot import Snapshot
from .changes import ChangedLines, fitting_title, set_subtitle, set_title
from .formatting import loss_text, vectors

HEADER = ("#", "input", "target", "output", "cost")
#: Fewest cells a column cut with … keeps.
MIN_CUT = 5
AFTER = "after update"
#: The panel's titles, longest first: the longest its border shows whole is shown. With
#: training example by example or in batches, ▶ marks the last trained example; the line
#: over the output and cost columns says "after update" too, where the panel has room.
TITLES = (
    "examples (▶ last trained, outputs after update)",
    "examples (▶ trained, outputs after update)",
    "examples (▶ last trained)",
    "examples",
)
#: In full batch every example is trained at once, and none is marked.
FULL_BATCH_TITLES = ("examples (outputs after update)", "examples")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def window(n: int, rows: int, current: int | None, first: int | None = None) -> range:
    """The examples shown in ``rows`` lines: from ``first`` if given (kept in range), else
    a window that keeps the current example in view."""
    if n <= rows:
        return range(n)
    if first is None:
        centre = current if current is not None else 0
        first = centre - rows // 2
    first = min(max(0, first), n - rows)
    return range(first, first + rows)


def fit_widths(widths: list[int], width: int) -> list[int]:
    """Column widths within ``width`` cells (2 for the marker, 2 between columns): the input
    column is cut first, then the target; then columns are left out from the right."""
    widths = list(widths)

    def total(ws: list[int]) -> int:
        return 2 + sum(ws) + 2 * (len(ws) - 1)

    for column in (1, 2):  # input, then target
        over = total(widths) - width
        if over > 0 and column < len(widths):
            widths[column] = max(min(widths[column], MIN_CUT), widths[column] - over)
    while len(widths) > 2 and total(widths) > width:
        widths.pop()
    return widths


#: The table's layouts, best first: (# column shown, input decimals, output decimals).
#: A narrow table loses an output decimal, then the # column (the border's subtitle still
#: numbers the window), then an input decimal, before any input is cut.
LAYOUTS = ((True, 2, 3), (True, 2, 2), (False, 2, 3), (False, 2, 2), (False, 1, 3), (False, 1, 2))


#: A table's header, its rows' cells and its column widths.
Layout = tuple[tuple[str, ...], list[tuple[str, ...]], list[int]]


def _fitting_columns(snap: Snapshot, shown: range, width: int) -> Layout:
    """The header, the cells and the column widths of the rows ``shown``, in the first
    layout of ``LAYOUTS`` that fits ``width`` whole. When none does, the # column stays and
    columns give way as ``fit_widths`` says, with outputs to 2 decimals only where that
    keeps the cost column."""
    layouts: list[Layout] = []
    for numbered, input_digits, output_digits in LAYOUTS:
        # Each column's numbers aligned on their decimal points, row under row.
        inputs = vectors(snap.inputs[list(shown)], input_digits)
        targets = vectors(snap.targets[list(shown)])
        outputs = vectors(snap.outputs[list(shown)], output_digits)
        rows: list[tuple[str, ...]] = [
            (f"{k + 1}", inputs[j], targets[j], outputs[j], loss_text(float(snap.costs[k])))
            for j, k in enumerate(shown)
        ]
        header: tuple[str, ...] = HEADER if numbered else HEADER[1:]
        cells = rows if numbered else [row[1:] for row in rows]
        full = [max(len(header[i]), *(len(c[i]) for c in cells)) for i in range(len(header))]
        widths = fit_widths(full, width)
        if widths == full:
            return header, cells, widths
        layouts.append((header, cells, widths))
    numbered_layouts = layouts[:2]
    for header, cells, widths in numbered_layouts:
        if len(widths) == len(header):
            return header, cells, widths
    return numbered_layouts[-1]


def examples_text(
    snap: Snapshot, rows: int, width: int = 80, first: int | None = None
) -> tuple[Text, range]:
    """A table of at most ``rows`` lines (header included) and the examples it shows; the
    last trained example is marked with ▶ (none in full batch: every example was trained).
    See the module's docstring for the columns."""
    n = snap.n_examples
    current = snap.example
    full_batch = current is not None and snap.batch_size >= n
    labelled = current is not None and rows >= 4
    if full_batch:
        current = None
    body_rows = max(1, rows - (2 if labelled else 1))
    shown = window(n, body_rows, current, first)
    header, cells, widths = _fitting_columns(snap, shown, width)
    columns = len(widths)
    text = Text(no_wrap=True, overflow="ellipsis")
    before = len(header) - 2  # the columns left of output
    if labelled and columns > before:
        x = 2 + sum(widths[:before]) + 2 * before
        span = sum(widths[before:]) + 2 * (columns - before - 1)
        after = "after full-batch update" if full_batch else AFTER
        label = f" {after} ".center(span, "─") if span >= len(after) + 2 else after
        text.append(" " * x + label, style="dim")
        text.append("\n")
    text.append(
        (
            "  " + "  ".join(_cut(h, w).ljust(w) for h, w in zip(header, widths, strict=False))
        ).rstrip(),
        style="bold",
    )
    for k, row in zip(shown, cells, strict=True):
        marker = "▶ " if k == current else "  "
        line = marker + "  ".join(_cut(c, w).ljust(w) for c, w in zip(row, widths, strict=False))
        text.append("\n")
        text.append(line.rstrip(), style="reverse" if k == current else "")
    return text, shown


class ExamplesView(ChangedLines, Widget):
    """The examples table; redraws itself at its new size when resized; each frame
    refreshes only the cells that changed."""

    DEFAULT_CSS = """
    ExamplesView {
        height: 1fr;
        width: 1fr;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.snapshot: Snapshot | None = None
        #: The first example shown once paged; None: follow the last trained example.
        self.first: int | None = None
        self.shown: range = range(0)

    def show(self, snap: Snapshot) -> None:
        self.snapshot = snap
        self._draw()

    def render(self) -> Text:
        return self.current_picture(self._text)

    def _draw(self) -> None:
        if self.snapshot is not None:
            self.set_picture(self._text())

    def _text(self) -> Text:
        if self.snapshot is None:
            return Text()
        text, self.shown = examples_text(
            self.snapshot,
            max(2, self.content_size.height or 10),
            self.content_size.width or 80,
            self.first,
        )
        if self.first is not None and self.shown:
            self.first = self.shown.start  # kept in range
        n = self.snapshot.n_examples
        titles = FULL_BATCH_TITLES if self.snapshot.batch_size >= n else TITLES
        set_title(self, fitting_title(self.outer_size.width, *titles))
        partial = self.shown and len(self.shown) < n
        set_subtitle(
            self, f"{self.shown.start + 1}–{self.shown.stop} of {n}, {{ }}" if partial else ""
        )
        return text

    def page(self, pages: int) -> bool:
        """Move the window ``pages`` pages (negative: up); it stays there while training
        goes on, until ``follow``. False if there was no more that way."""
        if self.snapshot is None:
            return False
        before = self.shown
        step = max(1, len(self.shown) - 1)
        start = self.shown.start if self.shown else 0
        self.first = max(0, start + pages * step)
        self._draw()
        return self.shown != before

    def follow(self) -> None:
        """Follow the last trained example again."""
        self.first = None
        self._draw()

    @property
    def more(self) -> tuple[int, int]:
        """(examples above the window, examples below it)."""
        if self.snapshot is None or not self.shown:
            return 0, 0
        return self.shown.start, self.snapshot.n_examples - self.shown.stop

    def on_resize(self, event: events.Resize) -> None:
        self._draw()  # at once, with the new size: not at the next key or frame

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._scroll(3, event)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._scroll(-3, event)

    def _scroll(self, lines: int, event: events.Event) -> None:
        if self.snapshot is None or not self.shown:
            return
        event.stop()
        self.first = max(0, self.shown.start + lines)
        self._draw()
