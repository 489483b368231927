"""A lesson's lecture notes, in a side panel (``t`` shows or hides it).

Beside the other panels only where the screen leaves them BESIDE_WIDTH columns; on a
narrower screen the notes float over the right of the screen instead (above the status
line and footer), so the panels keep their width and never cut their numbers: over the
right-hand column of panels exactly where the screen says which its panels are (the main
view's, in each of its layouts), else over a share of the width.
"""

from __future__ import annotations

from rich.text import Text
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

#: Columns the panels beside the notes need (the main view's full layout).
BESIDE_WIDTH = 100
#: The notes' width beside the panels, and their least width floating over them.
WIDTH = 34
#: Floating, the share of the screen's width they take where no ``covers`` panels say
#: where the right-hand column is: 2 of 5 parts; a scene's is half (``SCENE_OVERLAY_SHARE``).
OVERLAY_SHARE = 0.4
SCENE_OVERLAY_SHARE = 0.5


def reflow(notes: str) -> str:
    """Paragraphs (separated by blank lines) with their lines joined, so the panel wraps
    them to its own width; a line that starts with "- " starts a list item on a line of
    its own (the lines after it, up to the next item, join it)."""
    paragraphs = []
    for block in notes.strip().split("\n\n"):
        lines: list[str] = []
        for line in block.splitlines():
            text = line.strip()
            if not text:
                continue
            if lines and not text.startswith("- "):
                lines[-1] += " " + text
            else:
                lines.append(text)
        if lines:
            paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


class NotesPanel(VerticalScroll):
    """Title and notes of a lesson; empty and hidden without one. It never takes the focus:
    the arrows are the screen's (a hidden panel given the focus back after the help
    closed took them silently), and pgup / pgdn page it from the screen."""

    can_focus = False

    DEFAULT_CSS = """
    NotesPanel {
        width: 34;
        height: 1fr;
        border: round $accent;
        border-title-style: bold;
        /* the right-hand space inside the text (below): between it and the scroll
           bar where the notes scroll, before the border where they do not */
        padding: 0 0 0 1;
        display: none;
        background: $surface;
    }
    NotesPanel.-beside {
        dock: right;
    }
    NotesPanel.-overlay {
        dock: none;
        position: absolute;
        overlay: screen;
    }
    NotesPanel.-shown {
        display: block;
    }
    NotesPanel #notes-text {
        height: auto;
        padding-right: 1;
    }
    NotesPanel #notes-text Static {
        width: 1fr;
        height: auto;
    }
    NotesPanel #notes-text .after-gap {
        margin-top: 1;
    }
    NotesPanel .item {
        height: auto;
    }
    NotesPanel #notes-text .item > .dash {
        width: 2;
    }
    """

    def __init__(
        self,
        beside_width: int = BESIDE_WIDTH,
        overlay_share: float = OVERLAY_SHARE,
        covers: str | None = None,
        **kwargs,
    ) -> None:
        """beside_width: the columns the screen's panels need beside the notes;
        overlay_share: floating, the share of the width they cover, the screen's right-hand
        column whole (a panel half covered shows the ends of its lines beside them);
        covers: a selector of the screen's panels, to cover the right-hand column of them
        as laid out (``right_column``) in place of the share, wherever it has one."""
        super().__init__(**kwargs)
        self.beside_width = beside_width
        self.overlay_share = overlay_share
        self.covers = covers
        self.title_text = ""
        self.notes_text = ""
        self.add_class("-overlay")  # until the screen's size is known: squeeze nothing
        #: Hidden by ``make_room`` (not by t), to come back when the room is given back.
        self.stepped_aside = False
        self._placed: tuple[bool, int, int, int] | None = None

    def on_mount(self) -> None:
        self.screen.screen_layout_refresh_signal.subscribe(self, self.place)
        self.place()

    @property
    def beside(self) -> bool:
        return self.has_class("-beside")

    def right_column(self, screen: Screen) -> int | None:
        """Where the screen's right-hand column of panels begins: the leftmost edge of the
        shown ``covers`` panels that reach the screen's right edge from right of its left
        one, as they are laid out (floating, the notes take no room from them); None where
        no panel stands there (a layout of full-width rows) or ``covers`` is None."""
        if self.covers is None:
            return None
        width = screen.size.width
        lefts = [
            panel.region.x
            for panel in screen.query(self.covers)
            if panel.display and panel.region.width and panel.region.right == width
        ]
        left = min(lefts, default=0)
        return left if left > 0 else None

    def place(self, screen: Screen | None = None) -> None:
        """Beside the panels where the screen is wide enough, else floating over them."""
        screen = screen or self.screen
        width, height = screen.size
        beside = width - WIDTH >= self.beside_width
        # Floating, it covers the right-hand column whole, rather than half a number: as
        # laid out where the screen's panels say (a share of 2 in 5 left a sliver of the
        # compact layout's half-width loss panel beside it), else the share.
        column = None if beside else self.right_column(screen)
        own = (
            width - column if column is not None else max(WIDTH, round(width * self.overlay_share))
        )
        placed = (beside, width, height, own)
        if placed == self._placed:  # restyling refreshes the layout, which calls this
            return
        self._placed = placed
        self.set_class(beside, "-beside")
        self.set_class(not beside, "-overlay")
        if beside:
            self.styles.clear_rule("offset")
            self.styles.clear_rule("width")
            # Above the footer: docked at the screen's full height, its bottom border
            # was under the footer's line.
            self.styles.height = max(3, height - 1)
        else:
            self.styles.width = own
            self.styles.offset = (max(0, width - own), 0)
            status = 2 if screen.query("StatusLine") else 0  # the main view's
            self.styles.height = max(3, height - 1 - status)

    def compose(self):
        yield Vertical(id="notes-text")

    def show_lesson(self, title: str, notes: str) -> None:
        self.title_text, self.notes_text = title, notes
        self.border_title = "notes (t hides)"
        text = self.query_one("#notes-text", Vertical)
        text.remove_children()
        text.mount_all(note_blocks(title, notes))
        self.set_class(bool(notes or title), "-shown")

    @property
    def has_notes(self) -> bool:
        return bool(self.title_text or self.notes_text)

    def page(self, pages: int) -> bool:
        """Scroll ``pages`` pages down (negative: up); False if hidden or empty (nothing
        to page: the screen says why, in its own words)."""
        if not self.has_notes or not self.has_class("-shown"):
            return False
        if pages > 0:
            self.scroll_page_down()
        else:
            self.scroll_page_up()
        return True

    def toggle(self) -> bool:
        """Show or hide; returns whether it is shown now."""
        self.stepped_aside = False  # shown or hidden by hand: as t leaves them
        self.set_class(not self.has_class("-shown"), "-shown")
        return self.has_class("-shown")

    def make_room(self, needed: bool) -> None:
        """While a panel the notes would float over is open (``needed``), floating notes
        step aside; when it closes, notes that stepped aside come back (unless t showed
        or hid them meanwhile). Beside the panels, they cover nothing and stay."""
        if needed:
            if self.has_class("-shown") and not self.beside:
                self.set_class(False, "-shown")
                self.stepped_aside = True
        elif self.stepped_aside:
            self.stepped_aside = False
            self.set_class(True, "-shown")


def note_blocks(title: str, notes: str) -> list[Widget]:
    """The title, then the notes (``reflow``) a widget per line: a list item is its "-"
    beside its text, so that the text's wrapped lines stand under the text, not under the
    dash; the first line of each paragraph after the title has a blank line above it."""
    blocks: list[Widget] = [Static(Text(title, style="bold"))] if title else []
    for paragraph in reflow(notes).split("\n\n") if notes else []:
        for k, line in enumerate(paragraph.split("\n")):
            if line.startswith("- "):
                block: Widget = Horizontal(
                    Static("-", classes="dash"), Static(Text(line[2:])), classes="item"
                )
            else:
                block = Static(Text(line))
            block.set_class(k == 0 and bool(blocks), "after-gap")
            blocks.append(block)
    return blocks
