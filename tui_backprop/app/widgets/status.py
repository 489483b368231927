"""The status line: what is being trained, how, how far, and the state."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from ...core.config import FULL_SPEED
from ...core.snapshot import DIVERGED, PAUSED, RUNNING, Snapshot
from .changes import ChangedLines
from .formatting import loss_text
from .style import BAD, BAD_TEXT, GOOD, IDLE

STATE_STYLES = {
    RUNNING: f"bold black on {GOOD}",
    PAUSED: f"bold black on {IDLE}",
    DIVERGED: f"bold white on {BAD}",
}


def speed_text(speed: int) -> str:
    return "full speed" if speed == FULL_SPEED else f"{speed}/frame"


def rule_text(snap: Snapshot) -> str:
    """The update rule as the status line names it: "α 0.1  μ 0.9" for momentum (the
    default), else the optimizer first, e.g. "adam α 0.001 β 0.9/0.999", "λ" for decay."""
    rule = snap.rule
    if rule is None or rule.optimizer == "momentum":
        text = f"α {snap.alpha:g}  μ {snap.momentum:g}"
    else:
        settings = {
            "sgd": "",
            "nesterov": f" μ {rule.momentum:g}",
            "adagrad": "",
            "rmsprop": f" ρ {rule.rho:g}",
            "adam": f" β {rule.beta1:g}/{rule.beta2:g}",
        }[rule.optimizer]
        text = f"{rule.optimizer} α {snap.alpha:g}{settings}"
    if rule is not None and rule.weight_decay:
        text += f"  λ {rule.weight_decay:g}" + (" (b too)" if rule.decay_biases else "")
    return text


def status_text(
    snap: Snapshot, state: str, speed: int, message: str = "", earliest: int | None = None
) -> Text:
    """Two lines: the setup, then the progress and the state (plus a message if any).
    ``earliest``: the first update going back (b, B) can reach, shown when it is behind."""
    spec = snap.spec
    acts = (
        f"{spec.hidden_activation}/{spec.output_activation}"
        if spec.hidden_activation
        else spec.output_activation
    )
    batch = "online" if snap.batch_size == 1 else f"batch {snap.batch_size}"
    line1 = Text.assemble(
        (f"{snap.problem} ", "bold"),
        f"{spec.label} {acts} {spec.cost}",
        f"  {rule_text(snap)}  {batch}  seed {snap.seed}",
    )
    if earliest is not None and earliest < snap.updates:
        line1.append(f"  b back to update {earliest}", style="dim")
    line2 = Text.assemble(
        (f" {state} ", STATE_STYLES[state]),
        f" epoch {snap.epoch}  updates {snap.updates}  ",
        ("loss ", ""),
        (loss_text(snap.loss), "bold"),
        f"  speed {speed_text(speed)}",
    )
    if message:
        line2.append(f"  {message}", style="bold" if state != DIVERGED else f"bold {BAD_TEXT}")
    return Text("\n").join([line1, line2])


class StatusLine(ChangedLines, Widget):
    """The status line; each frame refreshes only the cells that changed."""

    _text = Text()

    DEFAULT_CSS = """
    StatusLine {
        height: 2;
        padding: 0 1;
        background: $panel;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def show(
        self,
        snap: Snapshot,
        state: str,
        speed: int,
        message: str = "",
        earliest: int | None = None,
    ) -> None:
        self._text = status_text(snap, state, speed, message, earliest)
        self.set_picture(self._text)

    def render(self) -> Text:
        return self.current_picture(lambda: self._text)


__all__ = ["PAUSED", "StatusLine", "rule_text", "status_text"]
