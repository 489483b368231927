"""Predict mode's question (p, then s): type the next phase's number before it is shown."""

from __future__ import annotations

import math

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ...core.config import number_from_text
from ...core.errors import ConfigError, one_line
from ..widgets.footer import WholeKeysFooter


class AnswerInput(Input):
    """An Input whose editing keys act in the order they were typed. Textual runs a key's
    binding (backspace: delete_left) only once the key has bubbled up to the app, by when
    the keys typed after it in one burst (a slow SSH link delivers them so) have been
    inserted already: "4 ⌫ 5" left "4". Here the editing keys act on arrival."""

    #: Input's own bindings, by key: "home,ctrl+a" under both.
    EDITING = {
        key: binding.action
        for binding in Input.BINDINGS
        if isinstance(binding, Binding) and binding.action not in ("submit", "copy", "paste", "cut")
        for key in binding.key.split(",")
    }

    async def _on_key(self, event: events.Key) -> None:
        action = self.EDITING.get(event.key)
        if action is None:
            await super()._on_key(event)
            return
        event.stop()
        event.prevent_default()
        await self.run_action(action)


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
            yield AnswerInput(placeholder="a number, as 0.25 or -1e-3", id="answer", compact=True)
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
