"""What every scene screen shares: the lesson's notes (t), escape back to the network, its
messages in the footer's line, and a too-small guard like the main view's."""

from __future__ import annotations

from collections.abc import Sequence

from textual import events, on
from textual.binding import Binding
from textual.geometry import Size
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from ...io.lessons import Lesson
from ..config import AppConfig
from ..widgets.notes import SCENE_OVERLAY_SHARE, NotesPanel

#: Notes show at the start from this terminal width; below it, t shows them.
NOTES_WIDTH = 120
#: Below this size (the main view's least) a scene shows a message instead of its panels.
SCENE_MIN_SIZE = (80, 24)


class SceneScreen(Screen[None]):
    """A full screen over the network view; ``lesson`` gives its notes (or None).

    Every scene lays its panels out in a Horizontal filling the screen above its Footer;
    ``scene-panel`` gives a widget the framed look of the main view's panels. The scene's
    messages (``tell``) show in the footer's line for a few seconds."""

    DEFAULT_CSS = """
    SceneScreen > Horizontal {
        height: 1fr;
    }
    SceneScreen .scene-panel {
        border: round $primary-darken-1;
        border-title-style: bold;
    }
    SceneScreen #scene-too-small {
        display: none;
        width: 1fr;
        height: 1fr;
        content-align: center middle;
        text-align: center;
    }
    SceneScreen.-too-small > Horizontal, SceneScreen.-too-small NotesPanel {
        display: none;
    }
    SceneScreen.-too-small #scene-too-small {
        display: block;
    }
    SceneScreen #scene-message {
        dock: bottom;
        height: 1;
        padding: 0 1;
        text-style: bold;
        background: $footer-background;
        display: none;
    }
    SceneScreen #scene-message.-shown {
        display: block;
    }
    SceneScreen #scene-message.-warning {
        color: $text-warning;
    }
    SceneScreen.-too-small #scene-message {
        display: none;
    }
    """

    BINDINGS = [
        Binding("t", "notes", "notes", tooltip="the lesson's notes: show / hide"),
        Binding("escape", "close", "network view", tooltip="back to the network view"),
        # The app's ? again, here, so that the footer shows it among the first: at 80
        # columns a scene's keys run past the footer's end, where the app's would be.
        Binding("question_mark", "help", "help", key_display="?", tooltip="this screen's keys"),
        # The notes scroll with these keys themselves when focused; bound here first
        # (priority), so that they scroll them whatever has the focus (the restarts' seed
        # list has them too), and the help names them.
        Binding("pageup", "scroll_notes(-1)", "notes up", show=False, priority=True),
        Binding("pagedown", "scroll_notes(1)", "notes down", show=False, priority=True),
    ]

    def __init__(self, lesson: Lesson | None = None) -> None:
        super().__init__()
        self.lesson = lesson
        #: What the message line says ("" when nothing), and the timer that clears it.
        self.message = ""
        self._message_timer: Timer | None = None

    def action_help(self) -> None:
        self.app.action_help()  # type: ignore[attr-defined]

    def tell(self, message: str, timeout: float = 2, severity: str = "information") -> None:
        """A short note in the message line for ``timeout`` seconds, in place of the one
        before: a key pressed again and again says its one thing once. The line is the
        footer's, which it takes over meanwhile: a toast lay over a panel's top right
        corner, on the very numbers (a step, a start) the key that made the note was about
        to change, and a line of its own would take a row from the panels at 80x24 (the
        race's map is 8 rows there)."""
        self.show_message(message, severity == "warning")
        if self._message_timer is not None:
            self._message_timer.stop()
        self._message_timer = self.set_timer(timeout, self.show_message)

    def show_message(self, message: str = "", warning: bool = False) -> None:
        """The message line says ``message`` (nothing: blank)."""
        self.message = message
        line = self.query_one("#scene-message", Static)
        line.update(message)
        line.set_class(warning, "-warning")
        line.set_class(bool(message), "-shown")

    @property
    def step_mode(self) -> bool:
        config = getattr(self.app, "config", None)
        return isinstance(config, AppConfig) and config.step_mode

    # Handlers of their own names: the scenes have on_mount and on_resize of theirs.
    @on(events.Mount)
    def _mount_guard(self) -> None:
        self.mount(Static("", id="scene-too-small"))
        # The message line: over the footer, while there is a message (mounted after it,
        # docked where it is, so drawn over it).
        self.mount(Static("", id="scene-message"), after=self.query_one(Footer))
        self.fit_size(self.app.size)

    @on(events.Resize)
    def _guard_size(self, event: events.Resize) -> None:
        self.fit_size(event.size)

    def fit_size(self, size: Size) -> None:
        """Below SCENE_MIN_SIZE: a message in place of the panels; they come back when the
        terminal grows."""
        too_small = size.width < SCENE_MIN_SIZE[0] or size.height < SCENE_MIN_SIZE[1]
        self.set_class(too_small, "-too-small")
        if too_small:
            for guard in self.query("#scene-too-small").results(Static):
                guard.update(
                    f"terminal too small: {size.width}x{size.height}\n"
                    f"this scene needs at least {SCENE_MIN_SIZE[0]}x{SCENE_MIN_SIZE[1]}\n"
                    "(it carries on when the terminal grows; esc goes back)"
                )

    #: Floating over the scene, the share of its width the notes cover: its right-hand
    #: panel whole (a scene whose lower panel spans the width covers it all: ``RaceScreen``).
    NOTES_OVERLAY_SHARE = SCENE_OVERLAY_SHARE

    def notes_panel(self) -> NotesPanel:
        # A scene's plot and side panel read from 80 columns: beside the notes from there.
        return NotesPanel(
            beside_width=SCENE_MIN_SIZE[0],
            overlay_share=self.NOTES_OVERLAY_SHARE,
            id="scene-notes",
        )

    def show_notes(self) -> None:
        """Fill the notes panel; shown at the start on a wide terminal."""
        panel = self.query_one(NotesPanel)
        if self.lesson is not None:
            panel.show_lesson(self.lesson.title, self.lesson.notes)
            panel.set_class(self.app.size.width >= NOTES_WIDTH, "-shown")

    def action_notes(self) -> None:
        panel = self.query_one(NotesPanel)
        if not panel.has_notes:
            self.tell("this scene has no lecture notes (open it as a lesson)", timeout=5)
            return
        panel.toggle()

    def step_speed(self, speed: int, speeds: Sequence[int], direction: int, unit: str) -> int:
        """The speed (``unit``s per frame) one step along ``speeds`` from ``speed`` in
        ``direction``, and says it: at either end, that it is already the fastest or the
        slowest (the key changes nothing)."""
        index = speeds.index(speed) if speed in speeds else 0
        new = speeds[max(0, min(len(speeds) - 1, index + direction))]
        words = f"{new} {unit}{'' if new == 1 else 's'} per frame"
        if new == speed:
            words = f"already the {'fastest' if direction > 0 else 'slowest'}: {words}"
        self.tell(words, timeout=2)
        return new

    def action_scroll_notes(self, pages: int) -> None:
        panel = self.query_one(NotesPanel)
        if panel.page(pages):
            return
        if not panel.has_notes:
            self.tell("this scene has no lecture notes (open it as a lesson)", timeout=5)
        else:
            self.tell("the notes are hidden: t shows them")

    def action_close(self) -> None:
        self.dismiss(None)
