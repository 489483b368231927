"""Round tick positions for a plot's axis: what every axis of the app's plots and the
histogram of the restarts' losses share."""

from __future__ import annotations

import math


def round_ticks(
    lo: float, hi: float, most: int, least_step: float = 0.0
) -> tuple[list[float], list[str]]:
    """(positions, labels): the multiples of one round step (1, 2 or 5 times a power of
    ten, and at least ``least_step``: 1 for counts) in [lo, hi], the finest step that gives
    at most ``most`` of them, but two at least (then perhaps a few more than ``most``).
    plotext's own ticks divide its limits evenly (-2.0 -0.4 1.2 2.9 4.5 over [-2, 4.5]): a
    reader can place a point between round ticks, not between those."""
    if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
        return [lo], [f"{lo:g}"]
    most = max(2, most)
    step = 10.0 ** math.floor(math.log10(max((hi - lo) / most, least_step)))
    finer: tuple[list[float], list[str]] | None = None
    while True:
        for factor in (1, 2, 5):
            size = factor * step
            if size < least_step:
                continue
            first, last = math.ceil(lo / size - 1e-9), math.floor(hi / size + 1e-9)
            decimals = max(0, -math.floor(math.log10(size) + 1e-9))
            ticks = [k * size for k in range(first, last + 1)]
            # + 0.0: no "-0"
            labelled = ticks, [f"{round(t, decimals) + 0.0:.{decimals}f}" for t in ticks]
            if len(ticks) <= most:
                # One tick is no scale: the finer step's, one or two more than asked for,
                # rather than [-4.3, 4.5] read as "0" alone.
                return finer if len(ticks) < 2 and finer is not None else labelled
            finer = labelled
        step *= 10
