"""The help screen: every key, what it does."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = (
    ("space", "run / pause"),
    ("n", "one update (one example online, one batch otherwise)"),
    ("e", "finish this epoch (one whole epoch from its start)"),
    ("r", "reseed: next seed, new initial weights, history cleared"),
    ("i", "restart from the same initial weights (same seed)"),
    ("+ / =", "alpha x2 (live, no reset)"),
    ("- / _", "alpha /2 (after divergence: also restart)"),
    ("m", "momentum cycles 0, 0.5, 0.9, 0.99"),
    ("a", "hidden activation cycles sigmoid, tanh, relu (re-initialises)"),
    ("c", "cost cycles mse, cross-entropy (re-initialises where needed)"),
    ("> / <", "faster / slower: updates per frame, up to full speed"),
    ("l", "loss curve log / linear"),
    ("s", "explain the next update phase by phase: forward, cost, deltas, gradients, update"),
    ("arrows, tab", "select a node or weight: its z, a, sigma'(z), delta, next update"),
    ("escape", "close the explain panel"),
    ("pgup / pgdn", "scroll the explain panel"),
    ("g", "gradient check: backprop against finite differences, per layer"),
    ("o", "output map (the network's answer over the inputs) / loss curve"),
    ("t", "a lesson's notes: show / hide"),
    ("?", "this help"),
    ("ctrl+p", "command palette: every action by name"),
    ("q", "quit"),
)


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: auto;
        max-width: 90%;
        height: auto;
        max-height: 90%;
        border: round $accent;
        padding: 0 1;
        background: $surface;
    }
    /* A Static is 1fr wide by default: inside an auto-sized box that is nothing. */
    HelpScreen Static {
        width: auto;
        height: auto;
        max-width: 100%;
    }
    """
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "close", show=True),
    ]

    def compose(self) -> ComposeResult:
        width = max(len(key) for key, _ in KEYS) + 2
        lines = Text()
        for key, what in KEYS:
            lines.append(key.ljust(width), style="bold")
            lines.append(what + "\n")
        lines.rstrip()
        with VerticalScroll() as scroll:
            scroll.border_title = "keys (escape closes)"
            yield Static(lines)
