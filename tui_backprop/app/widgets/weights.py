"""W^m and b^m per layer: each value, and under it (dim) the last change d applied.

A matrix too tall for the panel's height is flowed into side-by-side groups of rows, so the
panel's width is used (a 32×2 W¹ in two groups of 16 rows, not one column of 32 with the
rest of the panel empty): into as few groups as make it fit the height, or as many as fit
the width. Each group after the first is headed with the matrix and its rows ("W¹ rows
17–32"), so it reads as the same matrix continued. A matrix that fits the height stays one
column, its rows one under another, however wide the panel: split up, a 3×2 W¹ would look
like two matrices with its rows out of order. What does not fit in the panel's height is
paged (``page``, the mouse wheel); the bottom border says which lines are shown, and a
page paged on to shows only lines not shown yet (the last one may be short), and paged
back the same pages come back in reverse. Columns that do not fit are left out, "+N…" on
the left and "…+N" on the right saying how many (``Layer.mark``), and paged sideways
(``page_columns``); the bottom border names the app's keys for both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from rich.text import Text
from textual import events
from textual.widget import Widget

from ...core.arrays import layer_arrays
from ...core.snapshot import Snapshot
from .changes import ChangedLines, fitting_title, set_subtitle, theme_is_dark
from .formatting import change, fit, signed, sup
from .style import sign_style

CELL = 8  # one number (7 cells) and a space
BIAS_GAP = "│ "
#: Between side-by-side groups of rows of one matrix.
GROUP_GAP = "   "
LEGEND = "under each value: its last change d"


def _number(x: float, as_change: bool, dark: bool = True) -> tuple[str, str]:
    """(text, style) of one cell: a value in its sign's colour (of a dark or a light
    theme), or a change in dim."""
    text = change(x) if as_change else signed(x)
    if len(text) > CELL - 1:  # 3.0e210: the same form in fewer digits
        text = fit(x, CELL - 1, "+")
    return f"{text:>{CELL - 1}} ", "dim" if as_change else sign_style(x, dark)


def _row(values: np.ndarray, layer: Layer, as_change: bool, dark: bool = True) -> Text:
    """One row of a matrix (its layer's shown columns), padded to the layer's block; where
    columns are left out, "+N…" before them and "…+N" after say how many (a change line
    leaves those cells blank, its numbers under the values')."""
    start, shown, mark = layer.col_start, layer.shown_cols, layer.mark
    right = len(values) - start - shown
    line = Text()
    if mark:
        left = f"+{start}…" if start and not as_change else ""
        line.append(f"{left:>{mark}} ", style="dim")
    for x in values[start : start + shown]:
        line.append(*_number(x, as_change, dark))
    if right > 0 and not as_change:
        line.append(f"…+{right}", style="dim")
    line.pad_right(layer.block - line.cell_len)
    return line


def _room(height: int) -> int:
    """The lines a panel ``height`` lines high has for the matrices: the last one is the
    legend."""
    return max(1, height - 1)


def _rows(first: int, last: int, word: str = "row") -> str:
    """The rows a group after a matrix's first holds, 1-based, for its header (with
    ``word`` "col", the columns a matrix too wide for the panel shows)."""
    return f" {word} {first}" if first == last else f" {word}s {first}–{last}"


@dataclass(frozen=True)
class Layer:
    """How layer m's W^m (rows × cols) and b^m are laid out: shown_cols columns in a block
    of ``block`` cells, rows flowed into ``groups`` groups of ``per_group`` rows (one group
    unless the matrix is too tall for the panel)."""

    m: int
    rows: int
    cols: int
    shown_cols: int
    block: int
    groups: int
    per_group: int
    col_start: int = 0  # the first column shown (paged sideways)

    @property
    def mark(self) -> int:
        """The cells each of "+N…" and "…+N" (the columns left out on either side) has in
        a matrix too wide for the panel, 0 in one shown whole. Each is followed by a
        space, so that neither touches a value, the "│" before b or the panel's edge."""
        return len(f"…+{self.cols}") if self.shown_cols < self.cols else 0

    @property
    def lines(self) -> int:
        return 1 + 2 * self.per_group  # the header, then a value and a change line per row


def lay_out(snap: Snapshot, width: int, height: int, first_col: int = 0) -> list[Layer]:
    """Every layer's layout in a panel of ``width`` x ``height`` cells: its columns from
    ``first_col`` on where they do not all fit the width, its rows in one group unless
    they do not fit the height."""
    spec = snap.spec
    bias_width = len(BIAS_GAP) + CELL if spec.bias else 0
    room = _room(height)
    layers = []
    for m in range(1, spec.n_layers + 1):
        rows, cols = spec.sizes[m], spec.sizes[m - 1]
        # Room for "+N…" and "…+N", with a space after each, where not all columns fit.
        marks = 2 * (len(f"…+{cols}") + 1)
        if cols * CELL + bias_width <= width:
            shown_cols = cols
        else:
            shown_cols = max(1, min(cols, (width - bias_width - marks) // CELL))
        block = shown_cols * CELL + (marks if cols > shown_cols else 0)
        groups = 1
        if 1 + 2 * rows > room:  # too tall in one column: flow its rows side by side
            # Wide enough for every continuation header and a space before the "│": none
            # is wider than "rows N-1–N" (a group of one row is headed "row N"). A page
            # that starts inside the matrix repeats its header so, "W¹ rows 4–7", too.
            header = len(f"W{sup(m)}{_rows(rows - 1, rows)}") + 1
            if shown_cols < cols:  # and which columns, as in "W² rows 10–15 cols 1–2"
                header += len(f" cols {cols - 1}–{cols}")
            flowed = max(block, header)
            if flowed + bias_width <= width:
                block = flowed
            side_by_side = (width + len(GROUP_GAP)) // (flowed + bias_width + len(GROUP_GAP))
            needed = math.ceil(rows / max(1, (room - 1) // 2))  # a header, then 2 per row
            groups = max(1, min(rows, side_by_side, needed))
            if groups > 1:
                block = flowed
        per_group = math.ceil(rows / groups)
        groups = math.ceil(rows / per_group)  # no empty group
        col_start = min(max(0, first_col), cols - shown_cols)
        layers.append(Layer(m, rows, cols, shown_cols, block, groups, per_group, col_start))
    return layers


def _line(
    snap: Snapshot,
    layer: Layer,
    index: int,
    arrays: tuple,
    dark: bool = True,
    page_rows: tuple[int, int] | None = None,
) -> Text:
    """Line ``index`` of a layer's lines: 0 the header, then value and change lines.

    ``page_rows`` (lo, hi), for the header a page repeats when it starts inside the matrix:
    the page shows rows lo..hi (0-based) of each group, and each group's header says which,
    as a group after the first says its rows ("W¹ rows 4–7")."""
    weights, weight_changes, biases, bias_changes = arrays
    m, bias = layer.m, snap.spec.bias
    line = Text()
    for g in range(layer.groups):
        first = g * layer.per_group
        if g:
            line.append(GROUP_GAP)
        if index == 0:
            last = min(layer.rows, first + layer.per_group)
            continued = g > 0
            if page_rows is not None:
                first, last = first + page_rows[0], min(last, first + page_rows[1] + 1)
                continued = True
                if first >= last:  # the group's last rows are above this page
                    continue
            size = _rows(first + 1, last) if continued else f" {layer.rows}×{layer.cols}"
            if g == 0 and layer.shown_cols < layer.cols:
                start = layer.col_start
                columns = _rows(start + 1, start + layer.shown_cols, "col")
                # Rows and columns where the block has room for both (lay_out widens it
                # where the panel can), else the columns with the rows' range alone.
                room = layer.block - 1 - len(f"W{sup(m)}") - len(columns)
                if continued and len(size) > room:
                    size = size.replace(" rows", "").replace(" row", "")
                size += columns
            header = Text.assemble((f"W{sup(m)}", "bold"), (size, "dim"))
            header.pad_right(layer.block - header.cell_len)
            line.append_text(header)
            if bias:
                line.append(BIAS_GAP)
                line.append(f"b{sup(m)}", style="bold")
                line.append(" " * (CELL - len(f"b{sup(m)}")))
            continue
        i = first + (index - 1) // 2
        as_change = (index - 1) % 2 == 1
        if i >= min(layer.rows, first + layer.per_group):
            continue
        W = (weight_changes if as_change else weights)[m]
        line.append_text(_row(W[i], layer, as_change, dark))
        if bias:
            b = (bias_changes if as_change else biases)[m]
            line.append(BIAS_GAP)
            line.append(*_number(b[i], as_change, dark))
    line.rstrip()
    return line


def _place(layers: list[Layer], line: int) -> tuple[Layer, int]:
    """The layer that line ``line`` of the panel's lines belongs to, and its index there
    (0 the header, then odd a row's values, even its changes)."""
    start = 0
    for layer in layers:
        if line < start + layer.lines:
            return layer, line - start
        start += layer.lines
    return layers[-1], layers[-1].lines - 1


def _last_page(layers: list[Layer], total: int, room: int) -> int:
    """The first line of the last page: the earliest line, a header or a row's values,
    from which a page of ``room`` lines (one of them the repeated header, when it starts
    inside a matrix) reaches the end."""
    for first in range(max(0, total - room), total):
        index = _place(layers, first)[1]
        if index == 0 or (index % 2 == 1 and first + room - (room > 2) >= total):
            return first
    return max(0, total - 1)


def page_step(shown: range) -> int:
    """How far a page moves from the page ``shown``: its length, as it ends with a whole
    row (the next one starts under a repeated header); 2 at least, so that a page of one
    line (a row's values) goes on to the next row, not back to the same one."""
    return max(2, len(shown))


def page_at(
    layers: list[Layer], total: int, room: int, first: int, paged_on: bool = False
) -> tuple[range, bool]:
    """The lines a page of ``room`` lines starting near line ``first`` shows, and whether
    it first repeats the header of the matrix it starts inside (which takes one of its
    lines).

    ``first`` is kept to the last page, the page that reaches the end, unless ``paged_on``:
    then the page starts there even past the last page's start, a short page rather than
    one that shows the page before's rows again. A page starts at a header or a row's
    values (a matrix's first row: at its header) and ends with a row's changes."""
    last_page = total - 1 if paged_on else _last_page(layers, total, room)
    first = min(max(0, first), last_page)
    index = _place(layers, first)[1]
    if index > 0 and index % 2 == 0:  # a change line: start at its row's value line
        first -= 1
    if _place(layers, first)[1] == 1:
        # A matrix's first row: from its header, the same lines as its repeat would show.
        first -= 1
    index = _place(layers, first)[1]
    repeat = index > 0 and room > 2
    shown = range(first, min(total, first + room - repeat))
    # A page ends with a row's changes: a row's values without their changes under them,
    # or a header without its rows, start the next page instead.
    while len(shown) > 1 and shown.stop < total:
        last = _place(layers, shown.stop - 1)[1]
        if last > 0 and last % 2 == 0:
            break
        shown = range(shown.start, shown.stop - 1)
    return shown, repeat


def page_starts(layers: list[Layer], total: int, room: int) -> list[int]:
    """The first lines of the pages paging down from the top shows, each page starting
    where the one before ended (``page_step``): the pages paging up goes back through, so
    that it shows the same rows on the same pages, each once."""
    starts = [page_at(layers, total, room, 0)[0].start]
    while True:
        shown = page_at(layers, total, room, starts[-1], paged_on=True)[0]
        if shown.stop >= total:
            return starts
        starts.append(page_at(layers, total, room, shown.start + page_step(shown), True)[0].start)


def weights_lines(
    snap: Snapshot, width: int, height: int, first_col: int = 0
) -> tuple[list[Layer], int]:
    """The layers' layout and how many lines they take in all."""
    layers = lay_out(snap, width, height, first_col)
    return layers, sum(layer.lines for layer in layers)


def weights_text(
    snap: Snapshot,
    width: int = 60,
    height: int = 100,
    first: int = 0,
    first_col: int = 0,
    dark: bool = True,
    paged_on: bool = False,
) -> tuple[Text, range, int]:
    """Lines ``first`` on of every layer's W^m rows with b^m beside them and changes
    underneath, in ``width`` x ``height`` cells, the last line a legend; returns the text,
    the lines shown and the lines in all. Matrices wider than the panel show their columns
    from ``first_col`` on, and values in the sign colours of a dark or a light theme.
    Which lines a page from ``first`` shows, and what ``paged_on`` changes: ``page_at``."""
    layers, total = weights_lines(snap, width, height, first_col)
    shown, repeat = page_at(layers, total, _room(height), first, paged_on)
    layer, index = _place(layers, shown.start)
    arrays = tuple(
        layer_arrays(values)
        for values in (snap.weights, snap.weight_changes, snap.biases, snap.bias_changes)
    )
    lines: list[Text] = []
    if repeat:
        # The rows of each group this page shows of the matrix it starts in.
        last_index = min(layer.lines - 1, index + len(shown) - 1)
        page_rows = ((index - 1) // 2, (last_index - 1) // 2)
        lines.append(_line(snap, layer, 0, arrays, dark, page_rows))
    start = 0
    for layer in layers:
        for index in range(layer.lines):
            if start + index in shown:
                lines.append(_line(snap, layer, index, arrays, dark))
        start += layer.lines
    lines.append(Text(LEGEND, style="dim italic"))
    return Text("\n").join(lines), shown, total


class WeightsView(ChangedLines, Widget):
    """The weights panel; pages with ``page`` and the mouse wheel, redraws at once when
    resized; each frame refreshes only the cells that changed."""

    DEFAULT_CSS = """
    WeightsView {
        height: 1fr;
        width: 1fr;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.snapshot: Snapshot | None = None
        self.first = 0
        self.first_col = 0
        self.shown: range = range(0)
        self.total = 0
        #: The page was paged to (``page``): it starts at ``first`` even below the start
        #: of the whole last page (a short last page).
        self.paged_on = False

    def show(self, snap: Snapshot) -> None:
        self.snapshot = snap
        self._draw()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._theme_changed())

    def _theme_changed(self) -> None:
        self.forget_picture()
        self._draw()

    def render(self) -> Text:
        return self.current_picture(self._text)

    def _draw(self) -> None:
        if self.snapshot is not None:
            self.set_picture(self._text())

    def _text(self) -> Text:
        if self.snapshot is None:
            return Text()
        width = self.content_size.width or 60
        height = self.content_size.height or 100
        text, self.shown, self.total = weights_text(
            self.snapshot,
            width,
            height,
            self.first,
            self.first_col,
            theme_is_dark(self),
            self.paged_on,
        )
        widest = max(
            layer.cols - layer.shown_cols for layer in lay_out(self.snapshot, width, height)
        )
        self.first_col = min(self.first_col, widest)
        self.first = self.shown.start if self.shown else 0
        # The keys that page the panel, where it has more to show (the mouse is not a given),
        # in the longest wording the border shows whole.
        lines = sideways = ""
        if self.shown and len(self.shown) < self.total:
            lines = f"{self.shown.start + 1}–{self.shown.stop} of {self.total}, [ ]"
        if widest:
            sideways = "( )"
        named = f"lines {lines}" if lines else ""
        wordings = [
            (named, f"columns {sideways}" if sideways else ""),
            (named, f"cols {sideways}" if sideways else ""),
            (lines, sideways),
        ]
        subtitles = (" · ".join(part for part in parts if part) for parts in wordings)
        set_subtitle(self, fitting_title(self.outer_size.width, *subtitles))
        return text

    @property
    def more(self) -> tuple[int, int]:
        """(lines above the panel, lines below it)."""
        if not self.shown:
            return 0, 0
        return self.shown.start, self.total - self.shown.stop

    def page(self, pages: int) -> bool:
        """Move ``pages`` pages down (negative: up); False if there was no more that way.
        Down, the page starts where the one before ended: a last page shorter than the
        panel shows only rows not shown yet. Up, it goes back through the pages paging
        down from the top shows (``page_starts``), to the last one that starts above this
        page, so each row is shown once on the way back too."""
        before = self.shown
        if pages > 0:
            if self.shown.stop >= self.total:
                return False
            self.first = self.first + pages * page_step(self.shown)
        elif self.snapshot is not None:
            width = self.content_size.width or 60
            height = self.content_size.height or 100
            layers, total = weights_lines(self.snapshot, width, height, self.first_col)
            starts = page_starts(layers, total, _room(height))
            above = [start for start in starts if start < self.shown.start]
            self.first = above[max(0, len(above) + pages)] if above else 0
        # Drawn from its start as paging down drew it, even where that is below the start
        # of the whole last page.
        self.paged_on = True
        self._draw()
        return self.shown != before

    def show_layer(self, m: int) -> None:
        """Page so that W^m's header is the panel's first line (as far as the last page
        lets it be)."""
        if self.snapshot is None:
            return
        width = self.content_size.width or 60
        height = self.content_size.height or 100
        layers = lay_out(self.snapshot, width, height, self.first_col)
        self.first = sum(layer.lines for layer in layers if layer.m < m)
        self.paged_on = False
        self._draw()

    def page_columns(self, pages: int) -> bool:
        """Show the columns ``pages`` panel widths to the right (negative: left) in the
        matrices too wide for the panel; False if there were none that way."""
        if self.snapshot is None:
            return False
        width = self.content_size.width or 60
        height = self.content_size.height or 100
        cut = [
            layer.shown_cols
            for layer in lay_out(self.snapshot, width, height)
            if layer.col_start or layer.shown_cols < layer.cols
        ]
        step = min(cut) if cut else 1
        before = self.first_col
        self.first_col = max(0, self.first_col + pages * step)
        self._draw()  # which clamps first_col to the widest matrix's last page
        return self.first_col != before

    def on_mouse_scroll_right(self, event: events.MouseScrollRight) -> None:
        event.stop()
        self.page_columns(1)

    def on_mouse_scroll_left(self, event: events.MouseScrollLeft) -> None:
        event.stop()
        self.page_columns(-1)

    def on_resize(self, event: events.Resize) -> None:
        self.paged_on = False  # other pages: back to a whole last page
        self._draw()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.first += 2
        self.paged_on = False
        self._draw()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.first = max(0, self.first - 2)
        self.paged_on = False
        self._draw()
