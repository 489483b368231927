"""The footer: Textual's, showing only the keys that fit whole.

At 80 columns a scene has more keys than the footer has room for, and Textual's footer cuts
the last one it reaches mid-word ("e to th"). This one leaves out every key past the first
that does not fit whole; help (``?``, which every screen puts among its first keys) and the
palette list them all. Where a key shows only now and then (escape while the main view's
explain panel is open), keys the screen names in its ``footer_gives_way`` make room for
it first, so that ``?`` stays.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

#: Cells around a key's text: a space before the key, one between key and description,
#: one after (FooterKey's paddings). The palette's key ("▏^p palette ") takes as many: its
#: left border stands where the space before the key would.
KEY_PADDING = 3


def key_width(widget: Widget) -> int:
    """The cells a footer key takes, from its texts (it is not laid out yet)."""
    if not isinstance(widget, FooterKey):
        return 0
    width = cell_len(widget.key_display)
    if widget.description:
        width += cell_len(widget.description) + KEY_PADDING
    return width


class WholeKeysFooter(Footer):
    """Textual's footer, composed again when its width changes, with the keys that do not
    fit whole left out (the palette's key, on the right, always shown)."""

    _composed_for = -1

    def compose(self) -> ComposeResult:
        items = list(super().compose())
        if any(item.has_class("-grouped") for item in items):
            # Grouped bindings (none in this app) are composed inside a KeyGroup, which
            # this filter does not handle: Textual's footer as it is.
            yield from items
            return
        width = self.size.width
        self._composed_for = width
        palette = [item for item in items if item.has_class("-command-palette")]
        room = width - sum(key_width(item) for item in palette)
        keys = [item for item in items if item not in palette]
        # The screen's keys that give way first, in its order, while not all fit.
        for action in getattr(self.screen, "footer_gives_way", ()):
            if not width or sum(key_width(item) for item in keys) <= room:
                break
            keys = [item for item in keys if getattr(item, "action", None) != action]
        used = 0
        for item in keys:
            used += key_width(item)
            if width and used > room:
                break
            yield item
        yield from palette

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._composed_for:
            self.call_after_refresh(self.recompose)
