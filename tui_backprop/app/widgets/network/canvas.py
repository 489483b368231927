"""A braille canvas: lines drawn in dots, 2 wide and 4 high per character cell."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

# Braille dot bit for sub-pixel (row 0..3, column 0..1) of a cell (Unicode U+2800 block).
_DOTS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.int32)


class BrailleCanvas:
    """A grid of braille characters, each cell 2 dots wide and 4 high.

    Besides the dots, every cell remembers the highest ``key`` of the lines through it,
    which the caller maps to that cell's style (so the strongest weight owns the colour).
    """

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self.bits = np.zeros((height, width), dtype=np.int32)
        self.key = np.full((height, width), -1, dtype=np.int64)

    def lines(
        self,
        x0: ArrayLike,
        y0: ArrayLike,
        x1: ArrayLike,
        y1: ArrayLike,
        *,
        on: ArrayLike,
        period: ArrayLike,
        thick: ArrayLike,
        key: ArrayLike,
    ) -> None:
        """Draw straight lines from (x0, y0) to (x1, y1), in dots, all at once.

        The dot at step s along a line's longer axis is drawn when s % period < on; thick
        lines get a second dot beside each one. Done with numpy because a big network has
        thousands of lines and a Python loop over their dots would take far too long.
        """
        xa, ya, xb, yb = (np.asarray(v, dtype=np.int64) for v in (x0, y0, x1, y1))
        if xa.size == 0:
            return
        dx, dy = xb - xa, yb - ya
        steps = np.maximum(np.abs(dx), np.abs(dy)) + 1
        line = np.repeat(np.arange(xa.size), steps)
        step = np.arange(line.size) - np.repeat(np.cumsum(steps) - steps, steps)
        denom = np.maximum(steps - 1, 1)[line]
        # Integer rounding of step * dx / denom, so every line ends exactly on its end point.
        x = xa[line] + (2 * step * dx[line] + denom) // (2 * denom)
        y = ya[line] + (2 * step * dy[line] + denom) // (2 * denom)
        keep = step % np.asarray(period)[line] < np.asarray(on)[line]
        x, y, line = x[keep], y[keep], line[keep]
        fat = np.asarray(thick, dtype=bool)[line]
        if fat.any():
            steep = (np.abs(dy) > np.abs(dx))[line[fat]]
            # A second dot across the line: below a shallow one, beside a steep one
            # (but not past the line's end, where the next node's box begins).
            x_end = np.maximum(xa, xb)[line[fat]]
            fx = np.where(steep, np.minimum(x[fat] + 1, x_end), x[fat])
            fy = np.where(steep, y[fat], y[fat] + 1)
            x, y, line = (
                np.concatenate([x, fx]),
                np.concatenate([y, fy]),
                np.concatenate([line, line[fat]]),
            )
        inside = (x >= 0) & (x < 2 * self.width) & (y >= 0) & (y < 4 * self.height)
        x, y, line = x[inside], y[inside], line[inside]
        cells = (y // 4, x // 2)
        np.bitwise_or.at(self.bits, cells, _DOTS[y % 4, x % 2])
        np.maximum.at(self.key, cells, np.asarray(key, dtype=np.int64)[line])

    def rows(self) -> list[list[str]]:
        """The characters, one list per row (blank where no dot is set)."""
        codes = np.where(self.bits > 0, 0x2800 + self.bits, 0x20)
        return [[chr(c) for c in row] for row in codes.tolist()]
