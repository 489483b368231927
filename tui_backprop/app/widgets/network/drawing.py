"""The network as rich Text: nodes with their numbers, edges, the legend, column titles.

Everything is drawn by the pure function :func:`draw_network`, so it can be tested and timed
without a terminal (the widget, :class:`.view.NetworkView`, only hands it its size).

How an edge reads (the weight w^m_jk from node k of layer m-1 to node j of layer m):

* sign: colour (blue for w > 0, orange-red for w < 0) *and* the line pattern, solid for
  w > 0 and dashed (3 dots on, 2 off) for w < 0, so the sign survives NO_COLOR, 16-colour
  terminals and washed-out projectors. NaN weights are sparse dots in magenta.
* size: fixed thresholds rather than a scale relative to the largest weight, so a weight
  looks the same from one step to the next while training rescales the others:
  |w| < 0.5 dim, 0.5 <= |w| < 2 normal, |w| >= 2 bold and two dots thick.
  Where lines cross, the cell takes the colour of the largest |w| through it.

Nodes in focus (the phase being explained, the selected weight's ends) and their edges are
drawn in the focus colour; saturated nodes carry a flag. A node whose a or δ is NaN (the
network has diverged) is marked NaN instead, in the NaN colour, never as saturated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from rich.style import Style
from rich.text import Text

from ....core.snapshot import Snapshot
from ....teach.walk import Edge, Focus, Node
from ..formatting import fit, fit_number
from ..style import FOCUS, NAN, WARNING, sign_colours
from .canvas import BrailleCanvas
from .layout import COMPACT, FULL, ROW, Form, Layout, anchor, lay_out, node_height

#: In place of a full node's bottom border when its sigma'(z) is tiny.
SATURATED_BORDER = "─! σ'≈0──"
#: In place of a full node's bottom border when its a or δ is NaN.
NAN_BORDER = "─ NaN ───"

#: In place of a number not computed yet: one the phase walk has not reached (a later
#: phase computes it: the output's a while the walk is at layer 1's forward pass), or,
#: before any update, a delta (no backward pass has run); the legend says which.
NOT_YET = "…"

#: |w| below SMALL_WEIGHT is drawn dim, from LARGE_WEIGHT on bold and thick.
SMALL_WEIGHT = 0.5
LARGE_WEIGHT = 2.0


def _style_table(dark: bool) -> list[Style | None]:
    """The cell-style grid's styles for a dark or a light theme: entry 0 means "no style";
    edge styles first (positive dim, normal, bold; negative the same; NaN), then the rest
    (their ids below)."""
    table: list[Style | None] = [None]
    for color in sign_colours(dark):
        table += [Style(color=color, dim=True), Style(color=color), Style(color=color, bold=True)]
    table.append(Style(color=NAN))
    return [
        *table,
        Style(bold=True),  # labels, titles and "bold" in the legend
        Style(italic=True),  # "+N more"
        Style(reverse=True, bold=True),  # the highlighted node
        Style(dim=True),  # "dim" in the legend
        Style(color=FOCUS, bold=True),  # nodes and edges the explained phase works on
        Style(color=WARNING, bold=True),  # a saturated node's flag
        Style(color=NAN, bold=True),  # a NaN node's mark and its number
        # The selected weight: reversed as the selected node is, so that it stands out
        # without colour (NO_COLOR, a washed-out projector) as well.
        Style(color=FOCUS, bold=True, reverse=True),
    ]


#: The style tables of a dark and a light theme.
_STYLE_TABLES = {dark: _style_table(dark) for dark in (True, False)}
_STYLES = _STYLE_TABLES[True]
_EDGE_COUNT = 8
# Edge style ids: base + 0 dim, + 1 normal, + 2 bold.
_POSITIVE, _NEGATIVE, _NAN_EDGE = 1, 4, _EDGE_COUNT - 1
_LABEL, _MARKER, _HIGHLIGHT, _DIM, _FOCUS, _FLAG, _NAN_MARK, _SELECTED_EDGE = range(
    _EDGE_COUNT, len(_STYLES)
)

# Dash patterns as (dots on, period) along a line's longer axis.
_SOLID, _DASHED, _DOTTED = (1, 1), (3, 5), (1, 4)

#: A piece of a node's row: (text, style id).
Piece = tuple[str, int]


# -- numbers -------------------------------------------------------------------------------


def _value(values: Sequence, m: int, j: int) -> float | None:
    """values[m][j] as a float; None where the layer's values are None (not computed yet,
    drawn as ``NOT_YET``); nan where a snapshot lacks them otherwise (never raises)."""
    try:
        if values[m] is None:
            return None
        return float(values[m][j])
    except (TypeError, ValueError, IndexError, KeyError):
        return math.nan


def _cell(value: float | None, width: int, sign: str = " ", strip_zero: bool = False) -> str:
    """A node's number, or ``NOT_YET`` where it stands for a value not known yet; it never
    starts with a digit (its label stands right before it: "a 2e212", not "a2e212")."""
    if value is None:
        return NOT_YET.rjust(width)
    return fit(value, width, sign, strip_zero, separated=True)


def _labelled(label: Piece, value: float | None, sign: str, style: int, width: int) -> list[Piece]:
    """A compact or one-row node's row of ``width`` cells: its label, then its number.
    A number with no form in the cells after the label (|x| of 1e100 or more in 5 cells:
    "-1e154" takes 6) takes the label's cell too rather than lose its mantissa; a's row
    above δ's still says which is which."""
    if value is None:
        return [label, (NOT_YET.rjust(width - 1), style)]
    text = fit_number(value, width - 1, sign, strip_zero=True, separated=True)
    if text is None:
        return [(fit(value, width, sign, strip_zero=True), style)]
    return [label, (text, style)]


def _is_nan(value: float | None) -> bool:
    return value is not None and math.isnan(value)


def nan_nodes(snapshot: Snapshot) -> frozenset[tuple[int, int]]:
    """Nodes (m, j), m >= 1, whose a or δ is NaN."""
    found: set[tuple[int, int]] = set()
    for m in range(1, len(snapshot.spec.sizes)):
        for values in (snapshot.a, snapshot.delta):
            try:
                layer = values[m]
                if layer is None:
                    continue
                found.update((m, int(j)) for j in np.flatnonzero(np.isnan(np.asarray(layer))))
            except (TypeError, ValueError, IndexError, KeyError):
                continue
    return frozenset(found)


# -- the picture ---------------------------------------------------------------------------


class _Grid:
    """Characters and style ids of the whole picture, written over the braille edges."""

    def __init__(self, chars: list[list[str]], styles: np.ndarray) -> None:
        self.chars = chars
        self.styles = styles
        self.height = len(chars)
        self.width = len(chars[0]) if chars else 0

    def put(self, x: int, y: int, text: str, style: int = 0) -> None:
        """Write text at (x, y), clipped to the grid."""
        if not 0 <= y < self.height:
            return
        for i, ch in enumerate(text):
            if 0 <= x + i < self.width:
                self.chars[y][x + i] = ch
                self.styles[y, x + i] = style

    def restyle(self, x: int, y: int, length: int, style: int) -> None:
        """Give length cells from (x, y) another style, keeping their characters."""
        if 0 <= y < self.height:
            self.styles[y, max(x, 0) : max(x + length, 0)] = style

    def text(self, dark: bool = True) -> Text:
        """The grid as rich Text, one span per run of equally styled cells, in the styles
        of a dark or a light theme."""
        styles = _STYLE_TABLES[dark]
        out = Text(no_wrap=True, overflow="crop", end="")
        for y, row in enumerate(self.chars):
            if y:
                out.append("\n")
            line = "".join(row)
            ids = self.styles[y]
            starts = [0, *(np.flatnonzero(np.diff(ids)) + 1).tolist(), len(row)]
            for a, b in zip(starts[:-1], starts[1:], strict=True):
                out.append(line[a:b], styles[ids[a]])
        return out


# -- nodes ---------------------------------------------------------------------------------


def _node_lines(
    snapshot: Snapshot, form: Form, m: int, j: int, flagged: bool = False
) -> list[list[Piece]]:
    """A node's rows as (text, style id) pieces: labels bold, numbers and borders plain.

    flagged: the node is saturated; a full node says so in its bottom border, the smaller
    forms put "!" in place of the "a" label. A NaN node (a or δ NaN, see ``nan_nodes``) is
    marked NaN instead: in its bottom border, and its numbers in the NaN colour."""
    a = _value(snapshot.a, m, j)
    d = _value(snapshot.delta, m, j) if m > 0 else None
    is_nan = m > 0 and (_is_nan(a) or _is_nan(d))
    flagged = flagged and not is_nan
    number = _NAN_MARK if is_nan else 0
    if form is FULL:
        inner = form.width - 2
        body: list[list[Piece]]
        if m == 0:
            body = [[("│ ", 0), ("x", _LABEL), (_cell(a, 6) + " │", 0)]]
        else:
            body = [
                [("│ ", 0), ("a", _LABEL), (_cell(a, 6), number), (" │", 0)],
                [("│ ", 0), ("δ", _LABEL), (_cell(d, 6, "+"), number), (" │", 0)],
            ]
        if m > 0 and snapshot.spec.bias:
            b = _value(snapshot.biases, m, j)
            border = [("╭─", 0), ("b", _LABEL), (_cell(b, 6, "+") + "─" * (inner - 8) + "╮", 0)]
        else:
            border = [("╭" + "─" * inner + "╮", 0)]
        if is_nan:
            bottom = [("╰", 0), (NAN_BORDER[:inner].ljust(inner, "─"), _NAN_MARK), ("╯", 0)]
        elif flagged:
            bottom = [("╰", 0), (SATURATED_BORDER[:inner].ljust(inner, "─"), _FLAG), ("╯", 0)]
        else:
            bottom = [("╰" + "─" * inner + "╯", 0)]
        return [border, *body, bottom]
    if m == 0:
        return [_labelled(("x", _LABEL), a, " ", 0, form.width)]
    label = ("!", _FLAG) if flagged else ("a", _LABEL)
    lines = [_labelled(label, a, " ", number, form.width)]
    if form is COMPACT:
        lines.append(_labelled(("δ", _LABEL), d, "+", number, form.width))
    return lines


# -- edges ---------------------------------------------------------------------------------


def _edges(
    snapshot: Snapshot,
    layout: Layout,
    canvas: BrailleCanvas,
    focus: frozenset[Edge] = frozenset(),
    selected: Edge | None = None,
) -> np.ndarray:
    """Draw every edge between shown nodes; returns each key's style id.

    focus: edges (m, j, k) drawn in the focus colour, over any other edge they cross;
    selected: the one of them drawn reversed too (the cursor's weight)."""
    form = layout.form
    parts = []
    for m in range(1, len(layout.tops)):
        src, dst = layout.tops[m - 1], layout.tops[m]
        if not src or not dst:
            continue
        f_dst, f_src = layout.first_of(m), layout.first_of(m - 1)
        try:
            w = np.asarray(snapshot.weights[m], dtype=np.float64)
            w = w[f_dst : f_dst + len(dst), f_src : f_src + len(src)]
        except (TypeError, ValueError, IndexError):
            w = np.empty((0, 0))
        if w.shape != (len(dst), len(src)):
            w = np.full((len(dst), len(src)), np.nan)
        ys = np.array([anchor(form, t) for t in src])
        yd = np.array([anchor(form, t) for t in dst])
        start = 2 * (layout.lefts[m - 1] + form.width + form.margin)
        end = 2 * (layout.lefts[m] - form.margin) - 1
        jj, kk = np.meshgrid(
            np.arange(f_dst, f_dst + len(dst)), np.arange(f_src, f_src + len(src)), indexing="ij"
        )
        in_focus = np.zeros(w.size, dtype=bool)
        is_selected = np.zeros(w.size, dtype=bool)
        if focus:
            in_focus[:] = [
                (m, j, k) in focus
                for j, k in zip(jj.ravel().tolist(), kk.ravel().tolist(), strict=True)
            ]
        if selected is not None and selected[0] == m:
            is_selected[:] = (jj.ravel() == selected[1]) & (kk.ravel() == selected[2])
        parts.append(
            (
                np.full(w.size, start),
                ys[kk.ravel() - f_src],
                np.full(w.size, end),
                yd[jj.ravel() - f_dst],
                w.ravel(),
                in_focus,
                is_selected,
            )
        )
    if not parts:
        return np.zeros(0, dtype=np.int64)
    x0, y0, x1, y1, weights, on_focus, on_selected = (
        np.concatenate(p) for p in zip(*parts, strict=True)
    )
    size = np.abs(weights)
    bucket = (size >= SMALL_WEIGHT).astype(np.int64) + (size >= LARGE_WEIGHT)
    nan = np.isnan(weights)
    style = np.where(nan, _NAN_EDGE, np.where(weights < 0, _NEGATIVE, _POSITIVE) + bucket)
    style = np.where(on_focus, _FOCUS, style)
    style = np.where(on_selected, _SELECTED_EDGE, style)
    pattern = np.where(nan[:, None], _DOTTED, np.where((weights < 0)[:, None], _DASHED, _SOLID))
    # Keys rank the lines by |w| (NaN lowest), so the largest weight owns a shared cell;
    # edges in focus rank above all others, and the selected one above them.
    rank = np.where(nan, -1.0, size)
    order = np.lexsort((rank, on_focus | on_selected, on_selected))
    key = np.empty(weights.size, dtype=np.int64)
    key[order] = np.arange(weights.size)
    canvas.lines(x0, y0, x1, y1, on=pattern[:, 0], period=pattern[:, 1], thick=bucket == 2, key=key)
    key_style = np.empty(weights.size, dtype=np.int64)
    key_style[key] = style
    return key_style


# -- legend and titles ---------------------------------------------------------------------


def _sample(pattern: tuple[int, int]) -> str:
    """A 4-cell piece of line in a dash pattern, drawn the same way as the edges."""
    canvas = BrailleCanvas(4, 1)
    canvas.lines([0], [1], [7], [1], on=[pattern[0]], period=[pattern[1]], thick=[False], key=[0])
    return "".join(canvas.rows()[0])


def _pending(snapshot: Snapshot, deltas: bool) -> bool:
    """Whether a node's a (or, where the nodes show it, its δ) is not computed yet: the
    phase walk has not reached the phase that computes it, or no update has been made."""
    layers = range(1, len(snapshot.spec.sizes))
    kinds = (snapshot.a, snapshot.delta) if deltas else (snapshot.a,)
    return any(_value(values, m, 0) is None for values in kinds for m in layers)


def _length(pieces: list[Piece]) -> int:
    return sum(len(text) for text, _ in pieces)


def _legend(
    snapshot: Snapshot, width: int, flagged: bool = False, nan: bool = False, form: Form = FULL
) -> list[Piece]:
    """The key to the picture as (text, style id) pieces, as many items as fit in width.
    The two line patterns come first, whatever the width: without colour they alone tell
    an edge's sign. Then with NaN nodes their mark, with saturated nodes their flag, with
    numbers not computed yet their mark (in a later phase of the walk, or before any
    update; in a short wording where the long one does not fit), and, once an example has
    been trained, that its a and δ are those it had before that update. Only what the
    nodes' ``form`` draws is named: δ not where a node is one row (a alone), b only in the
    boxes."""
    deltas = form is not ROW
    #: An item's shorter wording (by its index), for where the longer one does not fit.
    shorter: dict[int, list[Piece]] = {}
    items: list[list[Piece]] = [
        [(_sample(_SOLID), _POSITIVE + 1), (" w>0", 0)],
        [(_sample(_DASHED), _NEGATIVE + 1), (" w<0", 0)],
    ]
    if nan:
        items.append([("nan", _NAN_MARK), (" diverged: not a number", 0)])
    if flagged:
        items.append([("!", _FLAG), (" saturated σ'≈0", 0)])
    if _pending(snapshot, deltas):
        # Before any update (example None) no phase walk is under way to compute them.
        # A narrow legend takes the short wording rather than leave "…" unexplained.
        wording, short = (
            (" not computed yet", " not yet")
            if snapshot.example is None
            else (" in a later phase", " later phase")
        )
        shorter[len(items)] = [(NOT_YET, _LABEL), (short, 0)]
        items.append([(NOT_YET, _LABEL), (wording, 0)])
    before = snapshot.example is not None
    if before and deltas:
        # At 80 columns the long wording does not fit beside the line patterns: a and δ
        # would go unexplained, as would every item after them.
        shorter[len(items)] = [("a δ", _LABEL), (" pre-update", 0)]
        items.append([("a δ", _LABEL), (" before update", 0)])
    # a alone: one item for both, not "a before update  a activation"
    items.append(
        [
            ("a", _LABEL),
            (" activation, before update" if before and not deltas else " activation", 0),
        ]
    )
    if deltas:
        items.append([("δ", _LABEL), (" delta dC/dz", 0)])
    if snapshot.spec.bias and form is FULL:
        items.append([("b", _LABEL), (" bias", 0)])
    items += [
        [("x", _LABEL), (" input", 0)],
        [("bold", _LABEL), (f" |w|≥{LARGE_WEIGHT:g}", 0)],
        [("dim", _DIM), (f" |w|<{SMALL_WEIGHT:g}", 0)],
    ]
    out: list[Piece] = []
    used = 0
    for i, item in enumerate(items):
        gap = 2 if out else 0
        if used + gap + _length(item) > width and i in shorter:
            item = shorter[i]
        length = gap + _length(item)
        if used + length > width:
            break
        if out:
            out.append(("  ", 0))
        out += item
        used += length
    return out


def _titles(snapshot: Snapshot, m: int) -> list[str]:
    """Column titles for layer m, longest first."""
    spec = snapshot.spec
    if m == 0:
        return [f"input ({spec.sizes[0]})", "input", "in"]
    name = "output" if m == spec.n_layers else f"hidden {m}"
    short = "out" if m == spec.n_layers else f"h{m}"
    act = spec.activations[m - 1]
    return [f"{name} ({spec.sizes[m]}, {act})", f"{name} {act}", name, short]


def _put_titles(grid: _Grid, snapshot: Snapshot, layout: Layout, row: int, width: int) -> None:
    """Each layer's title in ``row`` above its column, centred where possible, within the
    half-way points to its neighbours so titles never run into each other."""
    centres = [left + layout.form.width // 2 for left in layout.lefts]
    for m, centre in enumerate(centres):
        lo = 0 if m == 0 else (centres[m - 1] + centre) // 2 + 1
        hi = width if m == len(centres) - 1 else (centre + centres[m + 1]) // 2
        title = next((t for t in _titles(snapshot, m) if len(t) <= hi - lo), "")
        x = min(max(centre - len(title) // 2, lo), hi - len(title))
        grid.put(x, row, title, _LABEL)


def _too_small(width: int, height: int) -> Text:
    """The longest apology that fits, then blank lines."""
    for message in ("network needs more room", "needs more room", "more room", "…"):
        if len(message) <= width:
            break
    lines = [message[:width]] + [""] * (height - 1)
    return Text("\n".join(lines), style=Style(italic=True), no_wrap=True, end="")


# -- all of it -----------------------------------------------------------------------------


def draw_network(
    snapshot: Snapshot,
    width: int,
    height: int,
    highlight: Node | None = None,
    focus: Focus | None = None,
    flagged: frozenset[Node] = frozenset(),
    dark: bool = True,
) -> Text:
    """The network as exactly ``height`` lines of at most ``width`` cells.

    highlight: (layer, node) to draw reversed, e.g. the one selected; ignored when not shown.
    focus: nodes and edges to draw in the focus colour (its ``selected`` node is drawn
    reversed, like ``highlight``). flagged: saturated nodes (m, j), marked as such.
    dark: the theme is dark (else the sign colours of a light theme).
    """
    focus = focus or Focus()
    if highlight is None:
        highlight = focus.selected
    width, height = int(width), int(height)
    if width < 1 or height < 1:
        return Text("", end="")
    sizes = snapshot.spec.sizes
    legend = height >= 3
    # The cursor's node, or its weight's two ends, stay on screen in a layer too long to show.
    keep = dict([highlight] if highlight else [])
    if focus.selected_edge is not None:
        m, j, k = focus.selected_edge
        keep.update({m: j, m - 1: k})
    layout = lay_out(sizes, width, height, legend, keep)
    if layout is None:
        return _too_small(width, height)
    form = layout.form

    nans = nan_nodes(snapshot)
    flagged = flagged - nans
    canvas = BrailleCanvas(width, height)
    key_style = np.concatenate(
        [_edges(snapshot, layout, canvas, focus.edges, focus.selected_edge), [0]]
    )
    # canvas.key is -1 where no line passes, which picks the appended "no style" entry.
    grid = _Grid(canvas.rows(), key_style[canvas.key])

    for m, tops in enumerate(layout.tops):
        left = layout.lefts[m]
        for j, top in enumerate(tops, start=layout.first_of(m)):
            for dy, pieces in enumerate(_node_lines(snapshot, form, m, j, (m, j) in flagged)):
                x = left
                for text, style in pieces:
                    if (m, j) in focus.nodes and style not in (_FLAG, _NAN_MARK):
                        style = _FOCUS
                    grid.put(x, top + dy, text, style)
                    x += len(text)
            if highlight == (m, j):
                for dy in range(node_height(form, m)):
                    grid.restyle(left, top + dy, form.width, _HIGHLIGHT)
        if layout.hidden[m] and tops:
            start = layout.first_of(m)
            # Scrolled to the cursor: which nodes these are; else how many more follow.
            marker = (
                f"{start + 1}–{start + len(tops)} of {sizes[m]}"
                if start
                else f"+{layout.hidden[m]} more"
            )
            x = min(max(left + (form.width - len(marker)) // 2, 0), max(width - len(marker), 0))
            grid.put(x, tops[-1] + node_height(form, m), marker, _MARKER)

    if layout.header_row is not None:
        _put_titles(grid, snapshot, layout, layout.header_row, width)

    if legend:
        x = 0
        for text, style in _legend(snapshot, width, bool(flagged), bool(nans), form):
            grid.put(x, height - 1, text, style)
            x += len(text)
    return grid.text(dark)
