"""What every scene screen shares: the lesson's notes (t), escape back to the network."""

from __future__ import annotations

from textual.binding import Binding
from textual.screen import Screen

from ...io.lessons import Lesson
from ..config import AppConfig
from ..widgets.notes import NotesPanel

#: Notes show at the start from this terminal width; below it, t shows them.
NOTES_WIDTH = 120


class SceneScreen(Screen[None]):
    """A full screen over the network view; ``lesson`` gives its notes (or None).

    Every scene lays its panels out in a Horizontal filling the screen; ``scene-panel``
    gives a widget the framed look of the main view's panels."""

    DEFAULT_CSS = """
    SceneScreen > Horizontal {
        height: 1fr;
    }
    SceneScreen .scene-panel {
        border: round $primary-darken-1;
        border-title-style: bold;
    }
    """

    BINDINGS = [
        Binding("t", "notes", "notes", tooltip="the lesson's notes: show / hide"),
        Binding("escape", "close", "network view", tooltip="back to the network view"),
    ]

    def __init__(self, lesson: Lesson | None = None) -> None:
        super().__init__()
        self.lesson = lesson

    @property
    def step_mode(self) -> bool:
        config = getattr(self.app, "config", None)
        return isinstance(config, AppConfig) and config.step_mode

    def notes_panel(self) -> NotesPanel:
        return NotesPanel(id="scene-notes")

    def show_notes(self) -> None:
        """Fill the notes panel; shown at the start on a wide terminal."""
        panel = self.query_one(NotesPanel)
        if self.lesson is not None:
            panel.show_lesson(self.lesson.title, self.lesson.notes)
            panel.set_class(self.app.size.width >= NOTES_WIDTH, "-shown")

    def action_notes(self) -> None:
        panel = self.query_one(NotesPanel)
        if not panel.has_notes:
            self.notify("this scene has no lecture notes (open it as a lesson)")
            return
        panel.toggle()

    def action_close(self) -> None:
        self.dismiss(None)
