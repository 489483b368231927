"""Where the network goes: the node form that fits, the columns, the nodes' rows.

Nodes come in three forms, the most detailed that fits (see :func:`choose_form`): a 4-row
box with the bias in its top border, a, and δ; a 2-row compact form without the bias; a
single row with a only. Layers with more nodes than fit show the first ones and leave a row
for a ``+N more`` marker; edges join only the nodes shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Fewest cells of edges between two columns of nodes (besides the forms' margins).
MIN_EDGE_GAP = 2


@dataclass(frozen=True)
class Form:
    """How nodes are drawn.

    width: cells; input_height, height: rows of input and other nodes; gap: fewest rows
    between nodes; margin: blank cells between a node and its edges; a_row: the row of a
    (or x), where the edges meet the node.
    """

    name: str
    width: int
    input_height: int
    height: int
    gap: int
    margin: int
    a_row: int


# Boxes need no gap (their borders separate them) and no margin (edges join the border).
FULL = Form("full", 11, 3, 4, 0, 0, 1)
# Bare text: a blank row so each δ stays with its a, a blank cell so edges don't touch digits.
COMPACT = Form("compact", 6, 1, 2, 1, 1, 0)
ROW = Form("row", 6, 1, 1, 0, 1, 0)
FORMS = (FULL, COMPACT, ROW)


@dataclass(frozen=True)
class Layout:
    """Where everything goes: node column lefts, node tops per layer, the title row."""

    form: Form
    lefts: list[int]
    tops: list[list[int]]  # tops[m][i] of the nodes shown of layer m, node first[m] + i
    hidden: list[int]  # how many nodes of layer m are not shown
    header_row: int | None
    first: list[int] | None = None  # the first node shown of each layer (None: all 0)

    def first_of(self, m: int) -> int:
        """The index of layer m's first node shown."""
        return self.first[m] if self.first else 0


def node_height(form: Form, m: int) -> int:
    """Rows of a node of layer m (the input layer's nodes have no δ)."""
    return form.input_height if m == 0 else form.height


def anchor(form: Form, top: int) -> int:
    """The dot row where edges meet a node: the middle of its a (or x) row, so the line
    leaves at the value it carries forward."""
    return 4 * (top + form.a_row) + 1


def _shown(n: int, h: int, gap: int, rows: int) -> int:
    """How many of n nodes of height h fit in rows (leaving a row for "+N more" if needed)."""
    if n * h + (n - 1) * gap <= rows:
        return n
    return max((rows - 1 + gap) // (h + gap), 0)


def choose_form(sizes: tuple[int, ...], width: int, rows: int) -> Form | None:
    """The most detailed form that shows every node; failing that, the most detailed one
    that shows at least three nodes of every layer (a box with numbers teaches more than a
    longer list of bare values), then single rows showing anything at all."""
    columns = len(sizes)
    fitting = [
        f
        for f in FORMS
        if columns * f.width + (columns - 1) * (MIN_EDGE_GAP + 2 * f.margin) <= width
    ]

    def shown(f: Form) -> list[int]:
        return [_shown(n, node_height(f, m), f.gap, rows) for m, n in enumerate(sizes)]

    for f in fitting:
        if shown(f) == list(sizes):
            return f
    for f in fitting:
        if f is not ROW and all(k >= min(n, 3) for k, n in zip(shown(f), sizes, strict=True)):
            return f
    if ROW in fitting and all(k >= 1 for k in shown(ROW)):
        return ROW
    return None


def _stack(heights: list[int], gap: int, top: int, rows: int) -> list[int]:
    """Tops of items stacked in rows: free space spread evenly around them, at least gap
    rows between two items."""
    n = len(heights)
    free = rows - sum(heights)
    between = max(float(gap), free / (n + 1))
    edge = max((free - (n - 1) * between) / 2, 0.0)
    tops, used = [], 0
    for i, h in enumerate(heights):
        tops.append(top + math.floor(edge + i * between) + used)
        used += h
    return tops


def lay_out(
    sizes: tuple[int, ...],
    width: int,
    height: int,
    legend: bool,
    keep: dict[int, int] | None = None,
) -> Layout | None:
    """Place the layers' columns and nodes in width x height cells (a title row on top
    from 8 rows, the legend's row at the bottom), or None when nothing sensible fits.

    A layer with more nodes than fit shows its first ones, or, where ``keep`` names one
    of its nodes ({m: j}, the cursor's) past those, the ones that end with it."""
    header = height >= 8
    top = 1 if header else 0
    rows = height - top - (1 if legend else 0)
    form = choose_form(sizes, width, rows) if rows >= 1 else None
    if form is None:
        return None
    columns = len(sizes)
    lefts = [round(i * (width - form.width) / (columns - 1)) for i in range(columns)]
    tops, hidden, first = [], [], []
    for m, n in enumerate(sizes):
        h = node_height(form, m)
        k = _shown(n, h, form.gap, rows)
        heights = [h] * k
        if k < n:
            heights[-1] += 1  # the "+N more" row sits right under the last node shown
        tops.append(_stack(heights, form.gap, top, rows))
        hidden.append(n - k)
        first.append(min(max(0, (keep or {}).get(m, 0) - k + 1), n - k) if k else 0)
    return Layout(form, lefts, tops, hidden, 0 if header else None, first)
