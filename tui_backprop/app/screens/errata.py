"""The errata view (w): a seed lesson's tutorial against the lesson, formula by formula.

Each difference (``teach.errata``) with the tutorial's formula and the correct one, both
evaluated at the network's weights when the view opened; then what each whole run gives
at its end (the tutorial's code as written against the lesson's own run), in the
tutorial's cost; for xor-221 also how many seeds learn XOR, beside its one lucky draw.
The runs are computed off the event loop; until they arrive the view says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...core.arrays import Floats
from ...core.spec import NetworkSpec
from ...teach import errata, tutorials
from ...teach.errata import DescentPoint, Difference, Outcome, Weights
from ..widgets.footer import WholeKeysFooter
from ..widgets.formatting import hanging_text, number, significant, sub, sup

#: Seeds counted for xor-221's "how many draws learn XOR".
SEEDS_COUNTED = 100


@dataclass(frozen=True)
class RunsCompared:
    """What the worker computes: both runs' ends, the inputs, each run's outputs (m, N^L)
    and (xor-221 only) how many of ``seeds`` learned XOR under ``threshold``."""

    epochs: int
    outcomes: list[Outcome]
    inputs: Floats
    outputs: list[Floats]
    learned: int | None = None
    seeds: int = 0
    threshold: float = 0.0


def _values(values: Floats) -> str:
    return "  ".join(significant(v, 6, "+") for v in np.asarray(values).ravel())


#: A state the differences are evaluated at, and where it is: "(epoch 3, update 6)".
Point = tuple[Weights | DescentPoint, str]


def _difference(text: Text, difference: Difference, points: Sequence[Point]) -> None:
    """One difference: its two formulas, each with its values at every point (each line
    named by its point's where, when there is more than one), and why."""
    text.append(f"{difference.kind}: ", style="bold")
    text.append(difference.where + "\n", style="bold")
    evaluated: list[tuple[str, Floats, Floats]] = []
    if difference.evaluate is not None:
        evaluated = [(where, *difference.evaluate(state)) for state, where in points]
    # A convention is right both ways: its sides are the tutorial's way and this app's.
    slip = difference.kind == errata.SLIP
    labels = ("tutorial", "correct ") if slip else ("its way ", "this app")
    for side, (label, formula) in enumerate(
        ((labels[0], difference.written), (labels[1], difference.correct))
    ):
        text.append(f"  {label}  ", style="dim")
        text.append(formula)
        for where, *values in evaluated:
            text.append(f"\n            = {_values(values[side])}")
            if len(evaluated) > 1:
                text.append(f"  {where}", style="dim")
        text.append("\n")
    text.append(f"  why: {difference.why}\n\n", style="italic")


def _parameter_names(weights: Sequence[Floats], biases: Sequence[Floats] | None) -> list[str]:
    names = []
    for m, W in enumerate(weights, start=1):
        rows, cols = np.asarray(W).shape
        names += [f"W{sup(m)}{sub(i + 1)}{sub(j + 1)}" for i in range(rows) for j in range(cols)]
    if biases is not None:
        for m, b in enumerate(biases, start=1):
            names += [f"b{sup(m)}{sub(i + 1)}" for i in range(len(b))]
    return names


def _parameters(outcome: Outcome) -> list[float]:
    values = [float(v) for W in outcome.weights for v in np.asarray(W).ravel()]
    if outcome.biases is not None:
        values += [float(v) for b in outcome.biases for v in np.asarray(b).ravel()]
    return values


def runs_text(name: str, runs: RunsCompared) -> Text:
    """The runs' ends side by side (as written, this lesson, and for xor-231 the squared
    error its text states), in the tutorial's cost."""
    outcomes = runs.outcomes
    cost = tutorials.SECOND_COST if name == "xor-221" else tutorials.FIRST_COST
    text = Text()
    text.append(f"after {runs.epochs} epochs, in the tutorial's cost {cost}:\n", style="bold")
    heads = "".join(f"{outcome.label:>16}" for outcome in outcomes)
    text.append(f"  {'':<12}{heads}\n", style="dim")
    rows: list[tuple[str, list[str]]] = []
    if len(_parameters(outcomes[0])) <= 4:
        names = _parameter_names(outcomes[0].weights, outcomes[0].biases)
        values = [_parameters(outcome) for outcome in outcomes]
        rows += [
            (label, [significant(v[i], 8, "+") for v in values]) for i, label in enumerate(names)
        ]
    for k, x in enumerate(runs.inputs):
        label = "a(" + ",".join(f"{v:g}" for v in x) + ")"
        rows.append((label, [number(out[k, 0], 6) for out in runs.outputs]))
    rows.append(("loss", [significant(outcome.loss, 8) for outcome in outcomes]))
    rows.append(
        (
            "accuracy",
            ["n/a" if o.accuracy is None else f"{o.accuracy:.0%}" for o in outcomes],
        )
    )
    for label, cells in rows:
        text.append(f"  {label:<12}{''.join(f'{cell:>16}' for cell in cells)}\n")
    if name == "xor-231":
        text.append(
            "\nAs written and this lesson agree: both train cross-entropy (its delta3 = a3 -"
            " y). Its text states the squared error: that run, delta3 = (a3 - y) a3 (1 - a3),"
            " from the same start, is its text's column.\n",
            style="bold",
        )
    if runs.learned is not None:
        text.append(
            f"\nThe tutorial's table is one draw. Of seeds 0-{runs.seeds - 1}, "
            f"{runs.learned} ({runs.learned / runs.seeds:.0%}) learn XOR in {runs.epochs} "
            f"iterations (final cost < {runs.threshold:g}); the rest get stuck.\n",
            style="bold",
        )
    return text


def _computed_with(lesson: NetworkSpec) -> str:
    """The lesson's activations and cost, which the numbers use: "sigmoid layers and
    cross-entropy cost"."""
    layers = set(lesson.activations)
    activations = lesson.activations[0] if len(layers) == 1 else ", ".join(lesson.activations)
    return f"{activations} layers and {lesson.cost} cost"


def errata_text(
    name: str,
    title: str,
    points: Sequence[Point],
    runs: RunsCompared | None,
    networks: tuple[NetworkSpec, NetworkSpec] | None = None,
) -> Text:
    """The whole view: the differences at each of ``points`` (the network's weights now;
    the descent's start and its point now), then the runs (or a line saying they are
    being computed). ``networks`` (the lesson's spec, the one on screen): the header says
    the numbers use the lesson's activations and cost, and what the network on screen
    now does otherwise (after a, c or options)."""
    text = Text()
    text.append(f"lesson {name}: {title}\n", style="bold")
    if points:
        at = (
            ("the descent's points" if len(points) > 1 else "the descent's point")
            if isinstance(points[0][0], DescentPoint)
            else "the network's weights"
        )
        wheres = " and ".join(where for _, where in points)
        text.append(f"numbers at {at} {wheres}", style="dim")
        if networks is not None:
            lesson, now = networks
            text.append(f", with the lesson's {_computed_with(lesson)}", style="dim")
            changes = errata.network_changes(lesson, now)
            if changes:
                text.append(
                    "\nthe network on screen now differs from the lesson: "
                    + "; ".join(changes)
                    + " (the numbers and the runs below use the lesson's)",
                    style="bold",
                )
        text.append("\n\n")
    else:
        text.append("\n")
    for difference in errata.DIFFERENCES[name]:
        _difference(text, difference, points)
    if name in tutorials.NETWORK_LESSONS:
        if runs is None:
            text.append("running the tutorial's code and the lesson…\n", style="italic")
        else:
            text.append_text(runs_text(name, runs))
    return text


class ErrataScreen(ModalScreen[None]):
    """The errata view over the network view; escape (or w) closes it."""

    DEFAULT_CSS = """
    ErrataScreen {
        align: center middle;
    }
    ErrataScreen > VerticalScroll {
        /* the scroll bar's columns kept whether it shows or not: the text is broken
           under its indent (hanging_text) at a width that does not change under it */
        scrollbar-gutter: stable;
        width: 100%;
        max-width: 110;
        height: auto;
        max-height: 100%;
        border: round $accent;
        padding: 0 1;
        background: $surface;
    }
    ErrataScreen Static {
        width: 100%;
        height: auto;
    }
    """
    # Each scroll key shown in the footer by its arrow or short name, the other keys of its
    # action bound apart (show=False): the help puts them on its row ("↓ / j"), where a
    # key_display of "down,j" would have named only the arrow.
    BINDINGS = [
        Binding("escape,w,q", "dismiss", "close", tooltip="close the errata view"),
        Binding("down", "scroll(1)", "line down", key_display="↓", tooltip="scroll down a line"),
        Binding("j", "scroll(1)", "line down", show=False, tooltip="scroll down a line"),
        Binding("up", "scroll(-1)", "line up", key_display="↑", tooltip="scroll up a line"),
        Binding("k", "scroll(-1)", "line up", show=False, tooltip="scroll up a line"),
        Binding("pagedown", "page(1)", "page down", key_display="pgdn", tooltip="next page"),
        Binding("space", "page(1)", "page down", show=False, tooltip="next page"),
        Binding("pageup", "page(-1)", "page up", key_display="pgup", tooltip="previous page"),
    ]

    def __init__(self, name: str, body: Text) -> None:
        super().__init__()
        self.lesson_name = name
        self.body = body

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = f"the tutorial against lesson {self.lesson_name} (escape closes)"
            scroll.can_focus = False
            yield Static(self.body, id="errata-body")
        yield WholeKeysFooter()

    def on_mount(self) -> None:
        # The scroll keys act only where the text overflows the box: the footer and the
        # help follow the box's content and size (check_action).
        scroll = self.query_one(VerticalScroll)
        self.watch(scroll, "virtual_size", lambda _size: self.refresh_bindings(), init=False)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)
        self.call_after_refresh(self.refresh_bindings)  # the box's height, the text's

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("scroll", "page"):
            return self.query_one(VerticalScroll).max_scroll_y > 0
        return True

    def show(self, body: Text) -> None:
        """Replace the text (the runs have arrived); before the screen is composed, its
        compose shows the new text."""
        self.body = body
        self._fit()

    def _fit(self) -> None:
        """The text with its long lines broken under their text (``hanging_text``) at the
        box's width, between a formula's words and the formula rather than inside it;
        before the layout, as it is."""
        for scroll in self.query(VerticalScroll).results(VerticalScroll):
            width = scroll.scrollable_content_region.width
            body = hanging_text(self.body, width, formulas=True) if width > 0 else self.body
            for static in self.query("#errata-body").results(Static):
                static.update(body)

    def action_scroll(self, lines: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_page(self, pages: int) -> None:
        scroll = self.query_one(VerticalScroll)
        scroll.scroll_relative(y=pages * max(1, scroll.size.height - 2), animate=False)
