"""Every example (or a window of them): input, target, current output and cost."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...core.snapshot import Snapshot
from .formatting import loss_text, vector


def examples_text(snap: Snapshot, rows: int, width: int = 80) -> Text:
    """A table of at most ``rows`` lines; the last trained example is marked with ▶.
    Columns that do not fit in ``width`` are left out from the right (cost first)."""
    n = snap.n_examples
    current = snap.example
    body_rows = max(1, rows - 1)
    if n <= body_rows:
        first = 0
    else:
        # A window that keeps the current example in view.
        centre = current if current is not None else 0
        first = min(max(0, centre - body_rows // 2), n - body_rows)
    shown = range(first, min(n, first + body_rows))
    cells: list[tuple[str, ...]] = [
        (
            f"{k + 1}",
            vector(snap.inputs[k]),
            vector(snap.targets[k]),
            vector(snap.outputs[k], 3),
            loss_text(float(snap.costs[k])),
        )
        for k in shown
    ]
    header: tuple[str, ...] = ("#", "input", "target", "output", "cost")
    widths = [max(len(header[i]), *(len(c[i]) for c in cells)) for i in range(5)]
    columns = 5
    while columns > 2 and 2 + sum(widths[:columns]) + 2 * (columns - 1) > width:
        columns -= 1
    header, widths = header[:columns], widths[:columns]
    cells = [row[:columns] for row in cells]
    text = Text(
        ("  " + "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))).rstrip(),
        style="bold",
    )
    for k, row in zip(shown, cells, strict=True):
        marker = "▶ " if k == current else "  "
        line = marker + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
        text.append("\n")
        text.append(line.rstrip(), style="reverse" if k == current else "")
    return text


class ExamplesView(Static):
    DEFAULT_CSS = """
    ExamplesView {
        height: 1fr;
        width: 1fr;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def show(self, snap: Snapshot) -> None:
        self.update(
            examples_text(
                snap, max(2, self.content_size.height or 10), self.content_size.width or 80
            )
        )
