"""Predict mode's question (p, then s): type the next phase's number before it is shown."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static


class QuestionScreen(ModalScreen[str | None]):
    """Asks for one number; enter answers (the typed text), escape skips (None)."""

    DEFAULT_CSS = """
    QuestionScreen {
        align: center middle;
    }
    QuestionScreen > Vertical {
        width: 70;
        max-width: 100%;
        height: auto;
        border: round $accent;
        padding: 0 1;
        background: $surface;
    }
    QuestionScreen Static {
        width: 100%;
        height: auto;
    }
    """
    BINDINGS = [Binding("escape", "skip", "skip", tooltip="show the phase without answering")]

    def __init__(self, phase_title: str, label: str, score: str) -> None:
        super().__init__()
        self.phase_title = phase_title
        self.label = label
        self.score = score

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "predict (enter answers, escape skips)"
            yield Static(f"next: {self.phase_title}")
            yield Static(f"what is {self.label}?  {self.score}")
            yield Input(placeholder="a number, as 0.25 or -1e-3", id="answer")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#answer", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_skip(self) -> None:
        self.dismiss(None)
