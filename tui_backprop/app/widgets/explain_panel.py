"""The explain panel: the phase being walked, or the selected node or weight, in numbers.

Every formula is written first in the README's notation (its indices as on screen, W²₁₁
for the README's W^2_11, see ``formatting.screen_notation``), then with the numbers it is
computed from, so a student can recompute each result from numbers already on screen.
The numbers come from :mod:`tui_backprop.teach.explain` (phases) and from the Snapshot (the
selected node's z, a, delta); nothing is computed twice in different ways.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from ...core.arrays import Floats, layer_arrays
from ...core.snapshot import Snapshot
from ...teach.digits import change_texts
from ...teach.explain import (
    Explanation,
    bias_label,
    num,
    parameter_quantities,
    rule_state,
    rule_steps,
    sigma_text,
    slope_text,
    val,
    weight_label,
)
from ...teach.walk import (
    SATURATION,
    ParameterHistory,
    PhaseWalk,
    Selection,
    cancels_slope,
    slopes,
    sparkline,
)
from .formatting import (
    hanging_text,
    lines_off_screen,
    screen_notation,
    scroll_subtitle,
    vector,
    weight_name,
)
from .style import FOCUS, WARNING

FORMULA = "bold"
EXPLAIN_TITLE = "explain"
#: Where the notes step aside for the panel (``NotesPanel.make_room``).
EXPLAIN_NOTES_ASIDE_TITLE = "explain · notes hidden for it, t shows them"
HINT = "dim italic"
SATURATED = f"bold {WARNING}"
#: In place of "= value" after a delta before any update: no backward pass has run.
NOT_COMPUTED = ": not computed yet (the first update computes it)"


class NotationText(Text):
    """Text whose appended strings are written in the screen's notation (W²₁₁)."""

    def append(self, text, style=None):  # type: ignore[no-untyped-def]  # as Text's
        if isinstance(text, str):
            text = screen_notation(text)
        return super().append(text, style)


def example_text(snap: Snapshot, k: int) -> str:
    return f"example {k + 1}: x = ({vector(snap.inputs[k])}), y = ({vector(snap.targets[k])})"


def _node_name(snap: Snapshot, m: int, j: int) -> str:
    spec = snap.spec
    if m == 0:
        return f"input {j + 1}"
    where = "the output" if m == spec.n_layers else f"hidden layer {m}"
    return f"node {j + 1} of {where} ({spec.activations[m - 1]})"


def _lines(text: Text, lines: list[str], continued: bool = True) -> None:
    """A phase's lines; a line's parts (split at ';') go on lines of their own, indented
    further when they continue the first (``continued``: a node's z, then its a), at the
    same indent when they are its siblings (a node's gradients, dC/dw then dC/db)."""
    for line in lines:
        for i, part in enumerate(line.split(";  ")):
            text.append(("  " if i == 0 or not continued else "      ") + part + "\n")


def batch_text(examples: list[int]) -> str:
    """ "batch of 2: examples 3, 1" for a batch's 0-based example indices."""
    return f"batch of {len(examples)}: examples " + ", ".join(str(k + 1) for k in examples)


def phase_text(walk: PhaseWalk, snap: Snapshot) -> Text:
    """The phase on screen: where it is in the walk, its formula, its numbers."""
    phase = walk.phase
    examples = walk.explanation.examples
    which = example_text(snap, examples[0]) if len(examples) == 1 else batch_text(examples)
    text = NotationText()
    text.append(
        f"update {walk.update_number} · {which} · phase {walk.index + 1} of {len(walk.phases)}\n",
        style=HINT,
    )
    if phase.example is not None and len(examples) > 1:
        text.append(example_text(snap, phase.example) + "\n", style=HINT)
    text.append(f"{phase.title}:  ", style="bold")
    text.append(phase.formula + "\n", style=FORMULA)
    _lines(text, phase.lines, continued=phase.kind != "gradient")
    if phase.kind == "update" and walk.applied:
        text.append("made: the network now has the new weights\n", style=HINT)
    text.append("s: next update" if walk.at_end else "s: next phase", style=HINT)
    text.append(" · arrows: select · esc: close", style=HINT)
    return text


def _example_values(explanation: Explanation, k: int) -> tuple[dict, dict]:
    """a[m] and delta[m] of example k from the phases (a[0] is not among them)."""
    a, delta = {}, {}
    for phase in explanation.phases:
        if phase.example != k:
            continue
        if phase.kind == "forward":
            a[phase.layer] = phase.values["a"]
        elif phase.kind in ("output-delta", "hidden-delta"):
            delta[phase.layer] = phase.values["delta"]
    return a, delta


def _node_lines(ex: Explanation, m: int, j: int) -> list[str]:
    """Node j of layer m in the explained update's walk (one example): its forward line
    (z = W a + b, a = sigma(z)) and its delta line (with sigma'(z)), as the walk writes
    them."""
    lines = []
    for phase in ex.phases:
        if phase.layer == m and phase.kind in ("forward", "output-delta", "hidden-delta"):
            lines.append(phase.lines[j])
    return lines


def _next_update(
    text: Text,
    snap: Snapshot,
    ex: Explanation,
    q: dict[str, float],
    old: float,
    new: float,
    name: str,
    product: str | None,
    worked: list[str] | None = None,
) -> None:
    """The coming update of one parameter by the run's update rule, every step with its
    numbers, and the state the rule keeps for it; for momentum, the gradient part and the
    momentum part apart. ``q``: the parameter's quantities (``parameter_quantities``).

    product: how g comes about for one example (e.g. "delta^2_1 * a^1_3 = 0.1*0.5"),
    None for a batch (g is then the batch's mean); worked: the walk's lines that give
    the numbers g is made of, when they are not those shown above it (the node's z, a,
    sigma'(z) and delta in this update's forward pass, with the weights as they are now)."""
    rule = ex.rule
    # Numbered, as the node's part above numbers the update its numbers come from: both
    # may be of the same example, with other weights.
    number = f"update {snap.updates + 1}"
    if len(ex.examples) == 1:
        head = f"next update of {name} ({number}, {example_text(snap, ex.examples[0])}):"
    else:
        head = f"next update of {name} ({number}, mean over the batch of {len(ex.examples)}):"
    text.append(head + "\n", style="bold")
    if worked:
        text.append("  its own forward pass, with the weights as they are now:\n", style=HINT)
        _lines(text, [f"  {line}" for line in worked])
    g, d = q["grad"], q["d"]
    if product is not None:
        text.append(f"  g = dC/d{name} = {product} = {val(g)}\n")
    else:
        text.append(f"  g = (1/{len(ex.examples)}) sum over the batch of dC/d{name} = {val(g)}\n")
    if rule.optimizer == "momentum" and not rule.weight_decay:
        grad_part = -rule.alpha * g
        momentum_part = rule.momentum * q["velocity_prev"]
        text.append(
            f"  d = -alpha*g + mu*d_prev = -{num(rule.alpha)}*{num(g)} + "
            f"{num(rule.momentum)}*{num(q['velocity_prev'])}\n"
        )
        text.append(
            f"    = {val(grad_part)} (gradient part) + {num(momentum_part)} (momentum part)"
            f" = {val(d)}\n"
        )
    else:
        text.append(f"  {rule.optimizer}:\n", style=HINT)
        for step in rule_steps(rule, ex.t, old, q):
            text.append(f"  {step}\n")
    before, after = change_texts(old, new, d)  # more digits where d would not show
    text.append(f"  {name} <- {before} + {num(d)} = {after}\n")
    state = rule_state(rule, ex.t, q)
    if state:
        text.append(f"  {rule.optimizer} keeps for {name}: {state}\n", style=HINT)


def _layer_state(states: list[dict[str, Floats] | None], m: int) -> dict[str, Floats]:
    state = states[m]
    assert state is not None  # entries 1..L are filled
    return state


def node_text(snap: Snapshot, m: int, j: int, ex: Explanation | None) -> Text:
    """A node: its z, a, sigma'(z) and delta for the Snapshot's example; its bias's next
    update (when ``ex``, the explained next update, is given)."""
    spec = snap.spec
    text = NotationText()
    text.append(_node_name(snap, m, j), style="bold")
    # Before any update the Snapshot holds example 1's forward pass (and no deltas).
    k = snap.example if snap.example is not None else 0
    text.append(
        f" · {example_text(snap, k)}, in update {snap.updates}, before it\n"
        if snap.example is not None
        else " · no update yet: example 1's forward pass\n",
        style=HINT,
    )
    if m == 0:  # a^0 is the example's input
        text.append(f"  x{j + 1} = {val(float(snap.inputs[k][j]))}\n")
        return text
    act = spec.activations[m - 1]
    z, a = float(layer_arrays(snap.z)[m][j]), float(layer_arrays(snap.a)[m][j])
    slope = float(layer_arrays(slopes(snap))[m][j])
    # None before any update: no backward pass has computed a delta yet.
    deltas = snap.delta[m]
    delta = None if deltas is None else float(deltas[j])
    sum_formula = "W a + b" if spec.bias else "W a"  # as the walk's z^m line: no b without biases
    text.append(f"  z = {sum_formula} = {val(z)};  a = {sigma_text(act, spec.beta, z, a)}\n")
    target = f";  target y = {val(float(snap.targets[k][j]))}" if m == spec.n_layers else ""
    text.append(
        f"  sigma'(z) = {slope_text(act, spec.beta, z, a)} = {val(slope)};  "
        f"delta = dC/dz{NOT_COMPUTED if delta is None else ' = ' + val(delta)}{target}\n"
    )
    if act != "linear" and slope < SATURATION:
        if cancels_slope(snap, m):
            text.append(
                "  sigma'(z) is tiny, but with cross-entropy it cancels: "
                "delta = a - y still carries the error\n",
                style=HINT,
            )
        else:
            text.append(
                f"  ! saturated: sigma'(z) = {val(slope)} < {SATURATION:g}, so delta, "
                "a product with it, nearly vanishes: this node and the weights "
                "into it nearly stop learning\n",
                style=SATURATED,
            )
    if ex is not None and spec.bias:
        b = float(layer_arrays(snap.biases)[m][j])
        new = float(layer_arrays(ex.new_b)[m][j])
        q = parameter_quantities(_layer_state(ex.state_b, m), j)
        product, worked = None, None
        if len(ex.examples) == 1:
            product = f"delta^{m}_{j + 1}"
            # The next update's delta comes from its own forward pass: another example,
            # or the same one after the weights changed. Its z, a and sigma'(z) then
            # differ from those above: show them, or its g cannot be followed.
            next_z = next(
                p.values["z"][j] for p in ex.phases if p.kind == "forward" and p.layer == m
            )
            if ex.examples[0] != k or val(next_z) != val(z):
                worked = _node_lines(ex, m, j)
        _next_update(text, snap, ex, q, b, new, bias_label(m, j), product, worked)
    return text


def weight_text(
    snap: Snapshot, m: int, j: int, k: int, ex: Explanation | None, history: ParameterHistory
) -> Text:
    """The weight W^m_jk: its value, last change, recent course, and its next update split
    into the gradient part and the momentum part."""
    w = float(layer_arrays(snap.weights)[m][j, k])
    text = NotationText()
    text.append(weight_name(m, j + 1, k + 1), style="bold")
    text.append(f": from {_node_name(snap, m - 1, k)} to {_node_name(snap, m, j)}\n", style=HINT)
    last = float(layer_arrays(snap.weight_changes)[m][j, k])
    text.append(f"  w = {val(w)}   last change d = {val(last)}\n")
    course = history.weight(m, j, k)
    if course.size > 1:
        text.append(f"  course {sparkline(course)}", style=FOCUS)
        text.append(
            f"  {val(float(np.nanmin(course)))} .. {val(float(np.nanmax(course)))}, "
            f"over the last {course.size} frames\n",
            style=HINT,
        )
    if ex is None:
        text.append("  (pause to see the next update)\n", style=HINT)
        return text
    product = None
    if len(ex.examples) == 1:
        e = ex.examples[0]
        acts, deltas = _example_values(ex, e)
        a_in = float(snap.inputs[e][k]) if m == 1 else float(acts[m - 1][k])
        product = f"delta^{m}_{j + 1} * a^{m - 1}_{k + 1} = {num(deltas[m][j])}*{num(a_in)}"
    new = float(layer_arrays(ex.new_W)[m][j, k])
    q = parameter_quantities(_layer_state(ex.state_W, m), (j, k))
    # Named with its layer, as the bias's update and the walk's lines name theirs.
    _next_update(text, snap, ex, q, w, new, weight_label(m, j, k), product)
    return text


def selection_text(
    snap: Snapshot, selection: Selection, ex: Explanation | None, history: ParameterHistory
) -> Text:
    if selection.k is not None:  # an edge: the weight W^m_jk
        text = weight_text(snap, selection.m, selection.j, selection.k, ex, history)
    else:
        text = node_text(snap, selection.m, selection.j, ex)
    text.append("arrows/tab: move · s: walk through the next update · esc: close", style=HINT)
    return text


class ExplainPanel(VerticalScroll, can_focus=False):
    """Shows whatever text the app hands it, wrapped; pgup/pgdn (the app's keys) scroll
    it, so it never takes the focus (the arrow keys belong to the cursor). No scroll bar:
    its bottom border says how many lines follow ("… 3 more lines, pgdn"), its top border
    how many are above."""

    DEFAULT_CSS = """
    ExplainPanel {
        height: 1fr;
        width: 1fr;
        scrollbar-size-vertical: 0;
        border-subtitle-align: right;
    }
    ExplainPanel > Static {
        width: 1fr;
        height: auto;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="explain-text")

    def on_mount(self) -> None:
        self.watch(self, "scroll_y", self.show_more, init=False)
        self.watch(self, "virtual_size", self.show_more, init=False)

    _text = Text()

    def on_resize(self) -> None:
        self._show()
        self.show_more()

    _about: object = None

    def update(self, text: Text, about: object = None) -> None:
        """Show ``text``, which explains ``about`` (a phase, a selection): something new to
        explain opens at its first line, not where the last one was scrolled to; the same
        thing redrawn (each frame of a run) stays where the reader scrolled it."""
        self._text = text
        self._show()
        if about != self._about:
            self._about = about
            self.scroll_home(animate=False)
        self.call_after_refresh(self.show_more)

    def _show(self) -> None:
        """The text, its long lines broken under their own indent at the panel's width
        (``hanging_text``); before the layout, as it is."""
        width = self.scrollable_content_region.width
        shown = hanging_text(self._text, width) if width > 0 else self._text
        self.query_one("#explain-text", Static).update(shown)

    @property
    def lines_below(self) -> int:
        """Lines of the text below the panel's bottom edge."""
        return lines_off_screen(self)[0]

    def show_more(self, *_: object) -> None:
        self.border_subtitle = scroll_subtitle(self)
        self.set_class(self.lines_below > 0, "-more")

    @property
    def text(self) -> str:
        """The text shown, its lines whole (as handed over, before the panel breaks them)."""
        return self._text.plain
