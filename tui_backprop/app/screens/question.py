"""Predict mode's question (p, then s): type the next phase's number before it is shown."""

from __future__ import annotations

import math

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ...core.config import number_from_text
from ...core.errors import ConfigError, one_line
from ..widgets.footer import WholeKeysFooter
from ..widgets.ordered_input import OrderedInput


class QuestionScreen(ModalScreen[float | None]):
    """Asks for one number; enter answers (the number typed), escape skips (None). Text
    that is not a number is not an answer: the box says so and waits for another try,
    rather than showing the value asked for."""

    # At the bottom, over the legend and the status line, and short (a one-line input):
    # the network above, whose numbers the answer is worked out from, stays in view. As
    # wide as the screen: a narrower box left the status line's ends showing beside it.
    DEFAULT_CSS = """
    QuestionScreen {
        align: center bottom;
    }
    QuestionScreen > Vertical {
        width: 100%;
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

    def __init__(
        self, phase_title: str, label: str, score: str, example: str = "", rule: str = ""
    ) -> None:
        super().__init__()
        self.phase_title = phase_title
        self.label = label
        self.score = score
        self.example = example  # "example 3: x = (1 0), y = (1)"
        self.rule = rule  # how an answer is judged (teach.quiz.rule_text)

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "predict (enter answers, escape skips)"
            if self.example:
                yield Static(self.example)
            yield Static(f"next: {self.phase_title}: what is {self.label}?  {self.score}")
            yield OrderedInput(placeholder="a number, as 0.25 or -1e-3", id="answer", compact=True)
            # How an answer is marked, until a typo needs the line.
            yield Static(self.rule, id="question-hint")
        yield WholeKeysFooter()

    def on_mount(self) -> None:
        self.query_one("#answer", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        try:
            answer = number_from_text(text)
        except ConfigError:
            answer = math.nan
        if not math.isfinite(answer):
            what = f"{one_line(text)[:20]!r} is not a number: type one" if text else "type a number"
            # A Text, not markup: what was typed is shown as typed, brackets and all.
            self.query_one("#question-hint", Static).update(
                Text(f"{what}, as 0.25 or -1e-3 (escape skips)", style="bold")
            )
            event.input.clear()  # ready for the next try; the hint says what was typed
            return
        self.dismiss(answer)

    def action_skip(self) -> None:
        self.dismiss(None)
