"""A lesson's lecture notes, in a side panel (``t`` shows or hides it)."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widgets import Static


def reflow(notes: str) -> str:
    """Paragraphs (separated by blank lines) with their lines joined, so the panel wraps
    them to its own width."""
    paragraphs = [
        " ".join(line.strip() for line in block.splitlines() if line.strip())
        for block in notes.strip().split("\n\n")
    ]
    return "\n\n".join(p for p in paragraphs if p)


class NotesPanel(VerticalScroll):
    """Title and notes of a lesson; empty and hidden without one."""

    DEFAULT_CSS = """
    NotesPanel {
        dock: right;
        width: 34;
        height: 1fr;
        border: round $accent;
        border-title-style: bold;
        padding: 0 1;
        display: none;
    }
    NotesPanel.-shown {
        display: block;
    }
    NotesPanel > Static {
        width: 1fr;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.title_text = ""
        self.notes_text = ""

    def compose(self):
        yield Static("", id="notes-text")

    def show_lesson(self, title: str, notes: str) -> None:
        self.title_text, self.notes_text = title, notes
        self.border_title = "notes (t hides)"
        self.query_one("#notes-text", Static).update(
            f"[b]{_escape(title)}[/b]\n\n{_escape(reflow(notes))}"
        )
        self.set_class(bool(notes or title), "-shown")

    @property
    def has_notes(self) -> bool:
        return bool(self.title_text or self.notes_text)

    def toggle(self) -> bool:
        """Show or hide; returns whether it is shown now."""
        self.set_class(not self.has_class("-shown"), "-shown")
        return self.has_class("-shown")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
