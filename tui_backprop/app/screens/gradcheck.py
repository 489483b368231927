"""The gradient-check panel: backprop against central finite differences, layer by layer.

For the example trained last and for the whole data set, each layer's largest relative
error |g - g_fd| / max(|g|, |g_fd|, floor) between the kernels' backprop gradient g and
g_fd = (C(theta + h) - C(theta - h)) / 2h. A layer above the tolerance stands out.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...core.config import GRADCHECK_TOLERANCE as TOLERANCE
from ...teach.gradcheck import FLOOR, STEP, LayerCheck
from ..widgets.footer import WholeKeysFooter
from ..widgets.formatting import sup
from ..widgets.style import BAD, GOOD

PASS_STYLE = f"bold {GOOD}"
FAIL_STYLE = f"bold white on {BAD}"


def _error(x: float | None) -> str:
    return "-" if x is None else f"{x:.1e}"


def checks_text(title: str, checks: list[LayerCheck], tolerance: float = TOLERANCE) -> Text:
    """One table: a row per layer, its worst errors, and pass/FAIL; a network without
    biases has no b column (nor b in the layer's name)."""
    biased = any(check.biases_error is not None for check in checks)
    text = Text()
    text.append(title + "\n", style="bold")
    b_header = f"{'b error':>9}" if biased else ""
    text.append(f"  {'layer':<7}{'W error':>9}{b_header}{'checked':>9}{'kinks':>7}\n", style="dim")
    for check in checks:
        ok = check.worst <= tolerance
        name = "W" + sup(check.layer) + (", b" + sup(check.layer) if biased else "")
        b_error = f"{_error(check.biases_error):>9}" if biased else ""
        text.append(
            f"  {name:<7}{_error(check.weights_error):>9}{b_error}"
            f"{check.checked:>9}{check.kinks:>7}  "
        )
        text.append(" pass " if ok else " FAIL ", style=PASS_STYLE if ok else FAIL_STYLE)
        text.append("\n")
    return text


def gradcheck_text(
    example: int,
    one: list[LayerCheck],
    every: list[LayerCheck],
    n_examples: int,
    tolerance: float = TOLERANCE,
) -> Text:
    text = Text()
    text.append(
        f"relative error |g - g_fd| / max(|g|, |g_fd|, {FLOOR:g}), "
        f"g_fd = (C(θ+h) - C(θ-h))/2h, h = {STEP:g}; pass: ≤ {tolerance:g}\n\n",
        style="dim",
    )
    text.append_text(checks_text(f"example {example + 1} alone", one, tolerance))
    text.append("\n")
    text.append_text(checks_text(f"all {n_examples} examples (mean cost)", every, tolerance))
    failed = [c.layer for c in one + every if c.worst > tolerance]
    text.append("\n")
    if failed:
        text.append(
            f"backprop disagrees with finite differences in layer(s) "
            f"{', '.join(map(str, sorted(set(failed))))}",
            style=FAIL_STYLE,
        )
    else:
        text.append("backprop agrees with finite differences in every layer", style=PASS_STYLE)
    if any(c.kinks for c in one + every):
        text.append(
            "\nkinks: parameters whose ±h crosses a relu kink, where finite "
            "differences average two slopes; left out",
            style="dim",
        )
    return text


class GradCheckScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    GradCheckScreen {
        align: center middle;
    }
    GradCheckScreen > VerticalScroll {
        width: auto;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: round $accent;
        padding: 0 1;
        background: $surface;
    }
    /* A Static is 1fr wide by default: inside an auto-sized box that is nothing. */
    GradCheckScreen Static {
        width: auto;
        height: auto;
        max-width: 100%;
    }
    """
    BINDINGS = [Binding("escape,g,q", "dismiss", "close", show=True)]

    def __init__(self, body: Text, title: str = "gradient check") -> None:
        super().__init__()
        self.body = body
        self.title_text = title

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = f"{self.title_text} (escape closes)"
            yield Static(self.body, id="gradcheck-body")
        yield WholeKeysFooter()
