"""Draw only what changed: a widget whose picture is one rich Text refreshes just the cells
that differ from the picture it showed before.

Textual sends the terminal only the regions a widget marks as changed (``refresh(*regions)``);
a plain ``refresh()`` resends the whole widget, every cell with its colours, every frame.
While training runs most of a panel stays the same from one frame to the next (the network's
edges, the labels, the weights' leading digits), so comparing the new picture with the old
one, line by line, cuts what a frame sends to the few numbers that moved, and a picture
that did not change at all sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size

#: A line's characters and each one's style.
Cells = tuple[str, tuple[Style | str | None, ...]]


def line_cells(line: Text) -> Cells:
    """The characters of one line of Text and the style of each (the spans applied in order,
    as Rich does)."""
    plain = line.plain
    base: Style | str | None = line.style or None
    styles: list[Style | str | None] = [base] * len(plain)
    for span in line.spans:
        end = min(span.end, len(plain))
        for i in range(max(span.start, 0), end):
            current = styles[i]
            if current is None:
                styles[i] = span.style
            else:
                styles[i] = _combine(current, span.style)
    return plain, tuple(styles)


def _combine(first: Style | str, second: Style | str) -> Style:
    a = first if isinstance(first, Style) else Style.parse(first)
    b = second if isinstance(second, Style) else Style.parse(second)
    return a + b


#: Unchanged cells between two changed runs of a line below which the runs are sent as one
#: (moving the cursor costs about as much as resending a few cells).
GAP = 8


def changed_columns(old: Cells, new: Cells) -> list[tuple[int, int]]:
    """The runs of cell columns, (first, end), where two lines differ; runs closer than
    GAP cells are joined. Empty where the lines are the same."""
    if old == new:
        return []
    old_text, old_styles = old
    new_text, new_styles = new
    if cell_len(old_text) != len(old_text) or cell_len(new_text) != len(new_text):
        return [(0, max(cell_len(old_text), cell_len(new_text)))]  # wide characters: all
    length = max(len(old_text), len(new_text))
    common = min(len(old_text), len(new_text))
    runs: list[tuple[int, int]] = []
    start = -1
    last = -GAP - 1
    for i in range(length):
        same = i < common and old_text[i] == new_text[i] and old_styles[i] == new_styles[i]
        if same:
            continue
        if start >= 0 and i - last > GAP:
            runs.append((start, last + 1))
            start = i
        elif start < 0:
            start = i
        last = i
    if start >= 0:
        runs.append((start, last + 1))
    return runs


def changed_regions(old: list[Cells], new: list[Cells], width: int) -> list[Region]:
    """Regions (relative to the content) of the cells that differ between two pictures:
    each run of changed cells of a line as one region."""
    regions = []
    for y in range(max(len(old), len(new))):
        both = y < len(old) and y < len(new)  # else a line appeared or went: all of it
        for first, end in changed_columns(old[y], new[y]) if both else [(0, width)]:
            if first < width:
                regions.append(Region(first, y, min(end, width) - first, 1))
    return regions


def theme_is_dark(widget: object) -> bool:
    """Whether the app showing ``widget`` has a dark theme (dark when it has no app yet)."""
    try:
        return bool(widget.app.current_theme.dark)  # type: ignore[attr-defined]
    except Exception:  # not mounted, or no theme yet
        return True


def set_title(widget: Any, title: str) -> None:
    """Set a widget's border title only when it changes, as ``set_subtitle`` does."""
    if str(widget.border_title or "") != title:
        widget.border_title = title
        widget.call_after_refresh(widget.refresh)


def set_subtitle(widget: Any, subtitle: str) -> None:
    """Set a widget's border subtitle only when it changes (setting it redraws the whole
    widget, border and all).

    A panel works its subtitle out where it draws, and it draws in ``render`` too, when it
    first has its size. Textual clears a widget's dirty regions once ``render`` returns, so
    the redraw that setting the subtitle asks for there is lost and the border would keep
    the old one (worked out before the layout, at no size); it is asked for again after
    the refresh."""
    if str(widget.border_subtitle or "") != subtitle:
        widget.border_subtitle = subtitle
        widget.call_after_refresh(widget.refresh)


#: Columns of a panel's round border that its title leaves to the panel: the corners, a
#: line beside each of them and a space each side of the title (``╭─ title ─╮``).
TITLE_MARGIN = 6


def fitting_title(width: int, *titles: str) -> str:
    """The first of ``titles`` (longest first) that the border of a panel ``width`` columns
    wide shows whole; the last (the shortest) where none does."""
    room = width - TITLE_MARGIN
    return next((title for title in titles if cell_len(title) <= room), titles[-1])


def joined_runs(text: Text, cells: list[Cells]) -> Text:
    """``text`` again with one span per run of equally styled characters: Rich writes a
    colour code for every span, so neighbouring numbers of one colour cost one code, not
    one each."""
    out = Text(justify=text.justify, overflow=text.overflow, no_wrap=text.no_wrap, end=text.end)
    for y, (plain, styles) in enumerate(cells):
        if y:
            out.append("\n")
        i = 0
        while i < len(plain):
            j = i + 1
            while j < len(plain) and styles[j] == styles[i]:
                j += 1
            out.append(plain[i:j], styles[i])
            i = j
    return out


class ChangedLines:
    """Mixin for a Textual Widget that draws one rich Text: ``set_picture`` keeps the Text
    for ``render`` and refreshes only the cells that changed since the last picture (all of
    them after a resize, a theme change or the first time)."""

    _picture: Text | None = None
    _picture_cells: list[Cells] | None = None
    _picture_size: Size | None = None

    def set_picture(self, text: Text) -> None:
        widget = self  # a Widget, see the class docstring
        size: Size = widget.size  # type: ignore[attr-defined]
        cells = [line_cells(line) for line in text.split("\n", allow_blank=True)]
        old, old_size = self._picture_cells, self._picture_size
        self._picture = joined_runs(text, cells)
        self._picture_cells = cells
        self._picture_size = size
        if old is None or old_size != size or not size:
            widget.refresh()  # type: ignore[attr-defined]
            return
        regions = changed_regions(old, cells, size.width)
        if regions:
            widget.refresh(*regions)  # type: ignore[attr-defined]

    def current_picture(self, draw: Callable[[], Text]) -> Text:
        """The picture for ``render``: the last one set, or ``draw()`` where there is none
        yet or the widget's size has changed since (kept as the picture to compare with)."""
        size: Size = self.size  # type: ignore[attr-defined]
        if self._picture is None or self._picture_size != size:
            text = draw()
            cells = [line_cells(line) for line in text.split("\n", allow_blank=True)]
            self._picture = joined_runs(text, cells)
            self._picture_cells = cells
            self._picture_size = size
        return self._picture

    def forget_picture(self) -> None:
        """Draw the whole picture again next time (a theme change, new colours)."""
        self._picture = None
        self._picture_cells = None
        self._picture_size = None


# -- sending only the changed cells --------------------------------------------------------
def _cropped_render_segments(self: Any, console: Any) -> str:
    """Textual's ChopsUpdate.render_segments, cropped at both ends of each changed span.

    Textual sends a changed span of a line from the left edge of the widget it lies in (it
    crops only the span's end), so a number that changes in the middle of the network view
    resends everything left of it, edges and colours included. This sends the span alone."""
    from rich.control import Control

    sequences: list[str] = []
    append = sequences.append
    move_to = Control.move_to
    chops, chop_ends = self.chops, self.chop_ends
    last_y = self.spans[-1][0]
    for y, x1, x2 in self.spans:
        line = chops[y]
        ends = chop_ends[y]
        for end, (x, strip) in zip(ends, line.items(), strict=False):
            if strip is None or x > x2 or end <= x1:
                continue
            start = max(x, x1)
            if start > x or end > x2:
                strip = strip.crop(start - x, min(end, x2) - x)
            append(move_to(start, y).segment.text)
            append(strip.render(console))
        if y != last_y:
            append("\n")
    return "".join(sequences)


def send_changed_cells_only() -> None:
    """Make Textual send a changed span of a line without the unchanged cells left of it
    (see :func:`_cropped_render_segments`); done once, when the widgets are imported."""
    from textual._compositor import ChopsUpdate

    if getattr(ChopsUpdate, "_crops_both_ends", False):
        return
    ChopsUpdate.render_segments = _cropped_render_segments  # type: ignore[method-assign]
    ChopsUpdate._crops_both_ends = True  # type: ignore[attr-defined]


send_changed_cells_only()
