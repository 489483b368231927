"""W^m and b^m per layer: each value, and under it (dim) the last change d applied."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.widgets import Static

from ...core.arrays import layer_arrays
from ...core.snapshot import Snapshot
from .formatting import change, fit, signed, sup
from .style import sign_style

CELL = 8  # one number (7 cells) and a space
BIAS_GAP = "│ "


def _number(x: float, as_change: bool) -> tuple[str, str]:
    """(text, style) of one cell: a value in its sign's colour, or a change in dim."""
    text = change(x) if as_change else signed(x)
    if len(text) > CELL - 1:  # 3.0e210: the same form in fewer digits
        text = fit(x, CELL - 1, "+")
    return f"{text:>{CELL - 1}} ", "dim" if as_change else sign_style(x)


def _row(values: np.ndarray, shown: int, block: int, as_change: bool) -> Text:
    """One row of a matrix (its first ``shown`` entries), padded to ``block`` cells."""
    line = Text()
    for x in values[:shown]:
        line.append(*_number(x, as_change))
    if len(values) > shown and not as_change:
        line.append(f"…+{len(values) - shown}", style="dim")
    line.pad_right(block - line.cell_len)
    return line


def weights_text(snap: Snapshot, width: int = 60, height: int = 100) -> Text:
    """Every layer's W^m rows with b^m beside them, changes underneath, cut to fit
    ``width`` x ``height`` cells (with … and counts where something is left out)."""
    spec = snap.spec
    lines: list[Text] = []
    bias_width = len(BIAS_GAP) + CELL if spec.bias else 0
    budget = height - 1  # the last line explains the dim numbers
    weights, weight_changes, biases, bias_changes = (
        layer_arrays(values)
        for values in (snap.weights, snap.weight_changes, snap.biases, snap.bias_changes)
    )
    for m in range(1, spec.n_layers + 1):
        W, dW = weights[m], weight_changes[m]
        b, db = biases[m], bias_changes[m]
        rows, cols = W.shape
        if budget - len(lines) < 3:
            lines.append(Text(f"… W{sup(m)} to W{sup(spec.n_layers)} need more room", style="dim"))
            break
        if cols * CELL + bias_width <= width:
            shown_cols = cols
        else:  # leave room for the "…+N" that says how many are not shown
            shown_cols = max(1, min(cols, (width - bias_width - 4) // CELL))
        block = shown_cols * CELL + (4 if cols > shown_cols else 0)
        header = Text.assemble((f"W{sup(m)}", "bold"), (f" {rows}×{cols}", "dim"))
        header.pad_right(block - header.cell_len)
        if spec.bias:
            header.append(BIAS_GAP)
            header.append(f"b{sup(m)}", style="bold")
        lines.append(header)
        shown_rows = min(rows, max(1, (budget - len(lines) - 1) // 2))
        for i in range(shown_rows):
            for as_change, values, bias in ((False, W[i], b[i]), (True, dW[i], db[i])):
                line = _row(values, shown_cols, block, as_change)
                if spec.bias:
                    line.append(BIAS_GAP)
                    line.append(*_number(bias, as_change))
                lines.append(line)
        if rows > shown_rows:
            lines.append(Text(f"… {rows - shown_rows} more rows", style="dim"))
    lines.append(Text("under each value: its last change d", style="dim italic"))
    for line in lines:
        line.rstrip()
    return Text("\n").join(lines)


class WeightsView(Static):
    DEFAULT_CSS = """
    WeightsView {
        height: 1fr;
        width: 1fr;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def show(self, snap: Snapshot) -> None:
        width = self.content_size.width or 60
        height = self.content_size.height or 100
        self.update(weights_text(snap, width, height))
