"""The status line: what is being trained, how, how far, and the state."""

from __future__ import annotations

from rich.text import Text
from textual.timer import Timer
from textual.widget import Widget

from ...core.config import FULL_SPEED
from ...core.problem import CLASSIFICATION, accuracy, targets_kind
from ...core.snapshot import DIVERGED, PAUSED, RUNNING, Snapshot
from ...core.wrapping import hanging
from .changes import ChangedLines
from .formatting import loss_text
from .style import BAD, BAD_TEXT, GOOD, IDLE

STATE_STYLES = {
    RUNNING: f"bold black on {GOOD}",
    PAUSED: f"bold black on {IDLE}",
    DIVERGED: f"bold white on {BAD}",
}


#: Between the progress (its bold loss, or the speed) and a message that ends the line:
#: the " · " the app joins a message's parts with, after the line's double gap. A bold
#: message right after the bold loss read as one run of bold, "0.1252  new seed 1"; the
#: dot sets it apart without colour or bold. The gap itself is unstyled.
MESSAGE_GAP = "  · "


def speed_text(speed: int) -> str:
    return "full speed" if speed == FULL_SPEED else f"{speed}/frame"


def rule_text(snap: Snapshot, gap: str = "  ", short: bool = False) -> str:
    """The update rule as the status line names it: "α 0.1  μ 0.9" for momentum (the
    default), else the optimizer first, e.g. "adam α 0.001 β 0.9/0.999", "λ" for decay.
    ``gap``: the space before μ and λ; ``short``: λ to three significant digits, and
    without the settings no key changes (adam's β, rmsprop's ρ; μ stays, ``m`` changes it)."""
    rule = snap.rule
    if rule is None or rule.optimizer == "momentum":
        text = f"α {snap.alpha:g}{gap}μ {snap.momentum:g}"
    else:
        settings = {
            "sgd": "",
            "nesterov": f" μ {rule.momentum:g}",
            "adagrad": "",
            "rmsprop": "" if short else f" ρ {rule.rho:g}",
            "adam": "" if short else f" β {rule.beta1:g}/{rule.beta2:g}",
        }[rule.optimizer]
        text = f"{rule.optimizer} α {snap.alpha:g}{settings}"
    if rule is not None and rule.weight_decay:
        decay = f"{rule.weight_decay:.3g}" if short else f"{rule.weight_decay:g}"
        text += f"{gap}λ {decay}" + (" (b too)" if rule.decay_biases else "")
    return text


#: The setup line's shortenings, the first given up first: each form of the line applies
#: one more of them, and the line is the longest form that fits (``setup_forms``). Every
#: one shortens or leaves out whole words and numbers; the problem and the seed (what makes
#: the run go the same way again) stay.
SHORTENINGS = (
    "gaps",  # two spaces between the groups, one
    "online",  # the default batch size, said by nothing
    "sizes",  # 2-3-1: the network panel's title says it
    "cost",  # cross-entropy: ce
    "activations",  # sigmoid: sig, linear: lin
    "batch",  # batch 32: b32
    "rule",  # λ to 3 digits; adam's β and rmsprop's ρ go (no key changes them)
    "activations go",  # the network panel's column titles name them where they fit
    "decay",  # λ goes
    "cost goes",
)
SHORT_NAMES = {"cross-entropy": "ce", "sigmoid": "sig", "linear": "lin"}


def setup_forms(snap: Snapshot) -> list[Text]:
    """The setup line (problem, sizes, activations, cost, update rule, batch size, seed),
    whole first, then with one more of ``SHORTENINGS`` at a time."""
    spec, forms = snap.spec, []
    names = (spec.hidden_activation, spec.output_activation)
    for applied in range(len(SHORTENINGS) + 1):
        short = set(SHORTENINGS[:applied])
        gap = " " if "gaps" in short else "  "

        def name(word: str, shortening: str, short: set[str] = short) -> str:
            return SHORT_NAMES.get(word, word) if shortening in short else word

        acts = "/".join(name(a, "activations") for a in names if a)
        if spec.beta != 1.0 and "sigmoid" in names:  # the sigmoid's steepness, with it
            acts += f" β {spec.beta:g}"
        cost = name(spec.cost, "cost")
        rule = rule_text(snap, gap, "rule" in short)
        if "decay" in short:
            rule = rule.split(f"{gap}λ ")[0]
        batch = f"b{snap.batch_size}" if "batch" in short else f"batch {snap.batch_size}"
        if snap.batch_size == 1:
            batch = "" if "online" in short else "online"
        head = [
            "" if "sizes" in short else spec.label,
            "" if "activations go" in short else acts,
            "" if "cost goes" in short else cost,
        ]
        tail = [rule, batch, f"seed {snap.seed}"]
        forms.append(
            Text.assemble(
                (snap.problem, "bold"),
                "".join(f" {part}" for part in head if part),
                "".join(f"{gap}{part}" for part in tail if part),
            )
        )
    return forms


def setup_line(snap: Snapshot, width: int | None) -> Text:
    """The longest of ``setup_forms`` that fits ``width`` cells (None: the whole line).
    Where even the shortest does not, the problem's name (a file's can be long) is cut
    with "…" before the seed."""
    forms = setup_forms(snap)
    fitting = (form for form in forms if width is None or form.cell_len <= width)
    if (line := next(fitting, None)) is not None:
        return line
    line = forms[-1]
    over = line.cell_len - width  # type: ignore[operator]
    name = snap.problem
    kept = max(1, len(name) - over - 1)
    return Text.assemble((name[:kept] + "…", "bold"), line.plain[len(name) :])


def accuracy_text(snap: Snapshot) -> str:
    """ "  acc 75%" for 0/1 targets: the share of examples whose outputs are on their
    targets' side of 0.5 (``core.problem.accuracy``, as ``train`` reports it); nothing
    for other targets, or outputs not finite."""
    if targets_kind(snap.targets) != CLASSIFICATION:
        return ""
    share = accuracy(snap.outputs, snap.targets)
    return "" if share is None else f"  acc {share:.0%}"


def status_text(
    snap: Snapshot,
    state: str,
    speed: int,
    message: str = "",
    earliest: int | None = None,
    width: int | None = None,
    message_first: bool = False,
) -> Text:
    """Two lines: the setup, then the progress and the state (plus a message if any).
    ``earliest``: the first update going back (b, B) can reach, shown when it is behind;
    ``width``: the cells the lines have (None: as many as they take).

    With ``message_first``, a message too long for the end of the second line (80 columns
    leave it about twenty) takes the first line's place instead, whole, and both lines'
    if it is longer than one: a message cut short (an answer to a question, what waits
    for the kernels) says nothing, and the setup and progress are back a few seconds later
    (``StatusLine``). Otherwise it ends the second line, in the accuracy's place, then the
    speed's, if it must be, and cut after a word if even that is too short."""
    line1 = setup_line(snap, width)
    progress = Text.assemble(
        (f" {state} ", STATE_STYLES[state]),
        f" epoch {snap.epoch}  updates {snap.updates}  ",
        ("loss ", ""),
        (loss_text(snap.loss), "bold"),
    )
    accuracy = Text(accuracy_text(snap))
    speed_words = Text(f"  speed {speed_text(speed)}")
    line2 = progress + accuracy + speed_words
    if earliest is not None and earliest < snap.updates:
        # The longest form that fits the setup line's end (a long setup, as adam's
        # settings at 80 columns, leaves room for the shortest only), else the progress
        # line's end unless a message needs it; never cut to a word that says nothing.
        forms = (f"  b back to update {earliest}", f"  b back to {earliest}", "  b back")

        def longest(line: Text, choices: tuple[str, ...]) -> str | None:
            room = None if width is None else width - line.cell_len
            return next((form for form in choices if room is None or len(form) <= room), None)

        if (hint := longest(line1, forms)) is not None:
            line1.append(hint, style="dim")
        elif not message and (hint := longest(line2, forms[1:])) is not None:
            line2.append(hint, style="dim")
    if message:
        style = "bold" if state != DIVERGED else f"bold {BAD_TEXT}"

        def fits_after(line: Text) -> bool:
            return (
                width is None or line.cell_len + len(MESSAGE_GAP) + Text(message).cell_len <= width
            )

        # The accuracy gives way to a message first (it is back when the message goes):
        # at 80 columns a key's short note, "stepped: example 4", keeps its place.
        if accuracy and not fits_after(line2):
            line2 = progress + speed_words
        fits = fits_after(line2)
        if message_first and not fits:
            line1 = Text(message, style=style)
            if width is not None and line1.cell_len > width:
                # Longer than a line of its own: over both, for its few seconds (the
                # progress is back with the setup), cut only past the second.
                first, *rest = hanging(message, width, 1)
                line1 = Text(first, style=style)
                line2 = Text(" " + " ".join(part.strip() for part in rest), style=style)
        elif fits:
            line2.append(MESSAGE_GAP)
            line2.append(message, style=style)
        else:
            line2 = _message_ending(progress, speed_words, message, style, width)
    return Text("\n").join([line1, line2])


#: Fewest cells a message cut at the progress line's end keeps: with less room it would
#: say nothing ("s…"), and the speed keeps its place instead.
MESSAGE_ROOM = 8


def _message_ending(
    progress: Text, speed_words: Text, message: str, style: str, width: int | None
) -> Text:
    """The progress line ending with a message too long to follow the speed: in the
    speed's place (the latest news before the setting), and where it is longer still, cut
    after a whole word, with "…"; with less than MESSAGE_ROOM cells for it, not at all."""
    room = None if width is None else width - progress.cell_len - len(MESSAGE_GAP)
    if room is not None and room < MESSAGE_ROOM:
        return progress + speed_words
    if room is not None and Text(message).cell_len > room:
        words = hanging(message, max(1, room - 1), 0)[0][: max(1, room - 1)]
        message = words.rstrip(" ,;:·") + "…"
    return progress + Text.assemble(MESSAGE_GAP, (message, style))


#: Seconds a new message too long for the second line's end shows whole, in the first
#: line's place, before the setup line is back and the message ends the second line.
WHOLE_SECONDS = 4.0


class StatusLine(ChangedLines, Widget):
    """The status line; each frame refreshes only the cells that changed.

    A new message that does not fit the end of the second line shows whole in the first
    line's place for ``WHOLE_SECONDS`` (``status_text``), then moves to the second line's
    end: read in full when it comes, without hiding the setup for longer."""

    _text = Text()
    _shown: tuple[Snapshot, str, int, str, int | None] | None = None
    _message_first = False
    _message_timer: Timer | None = None

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
        if message != (self._shown[3] if self._shown is not None else ""):
            self._message_first = bool(message)
            if self._message_timer is not None:
                self._message_timer.stop()
            self._message_timer = (
                self.set_timer(WHOLE_SECONDS, self.message_to_the_end) if message else None
            )
        self._shown = (snap, state, speed, message, earliest)
        self._draw()

    def on_resize(self) -> None:
        # The lines are fitted to the width (the b hint's form, a long message's place).
        if self._shown is not None:
            self._draw()

    def message_to_the_end(self) -> None:
        """The setup line back; the message, if any, ends the second line."""
        self._message_first = False
        self._message_timer = None
        if self._shown is not None:
            self._draw()

    def _draw(self) -> None:
        assert self._shown is not None
        # Before the first layout the width is 0: the line spans the screen, less its
        # padding (the first frame's message placed, not cut by the edge), else unknown.
        width = self.content_size.width or max(0, self.app.size.width - 2) or None
        self._text = status_text(*self._shown, width=width, message_first=self._message_first)
        self.set_picture(self._text)

    def render(self) -> Text:
        return self.current_picture(lambda: self._text)


__all__ = ["PAUSED", "StatusLine", "rule_text", "setup_forms", "setup_line", "status_text"]
