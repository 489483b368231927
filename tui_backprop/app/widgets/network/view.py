"""NetworkView: the network diagram as a Textual widget."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from ....core.snapshot import Snapshot
from ....teach.walk import Focus, Node
from ..changes import ChangedLines, theme_is_dark
from .drawing import draw_network


class NetworkView(ChangedLines, Widget):
    """Draws the latest Snapshot's network; all the drawing is in :func:`draw_network`.
    Each frame refreshes only the cells that changed (the numbers that moved), and the
    picture takes the sign colours of the theme, dark or light."""

    DEFAULT_CSS = """
    NetworkView {
        height: 1fr;
        width: 1fr;
    }
    """

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._snapshot: Snapshot | None = None
        self._focus: Focus | None = None
        self._flagged: frozenset[Node] = frozenset()

    def show(
        self, snapshot: Snapshot, focus: Focus | None = None, flagged: frozenset[Node] = frozenset()
    ) -> None:
        """Draw this snapshot from now on, with ``focus`` and ``flagged`` as in
        :func:`draw_network`."""
        self._snapshot = snapshot
        self._focus = focus
        self._flagged = flagged
        self.set_picture(self._draw())

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._theme_changed())

    def _theme_changed(self) -> None:
        self.forget_picture()
        self.refresh()

    def _draw(self) -> Text:
        if self._snapshot is None:
            return Text("no network yet", style=Style(italic=True))
        return draw_network(
            self._snapshot,
            max(self.size.width, 1),
            max(self.size.height, 1),
            focus=self._focus,
            flagged=self._flagged,
            dark=theme_is_dark(self),
        )

    def render(self) -> Text:
        return self.current_picture(self._draw)
