"""Round tick positions for a plot's axis: what every axis of the app's plots and the
histogram of the restarts' losses share."""

from __future__ import annotations

import math

#: A row's step, times a power of ten: each has a multiple a few rows away that is a round
#: step (1.25 x 4 = 5, 4 x 5 = 20), and the plot is never filled much less than 1/1.6.
ROW_STEPS = (1, 1.25, 2, 2.5, 4, 5)


def _label(tick: float, step: float) -> str:
    """A tick with the decimals its round step needs (0.5 -> 1, 20 -> 0), never "-0"."""
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return f"{round(tick, decimals) + 0.0:.{decimals}f}"


def _is_round(step: float) -> bool:
    """1, 2 or 5 times a power of ten."""
    mantissa = step / 10.0 ** math.floor(math.log10(step) + 1e-9)
    return any(abs(mantissa - m) < 1e-9 for m in (1, 2, 5, 10))


def row_ticks(
    lo: float, hi: float, rows: int, most: int
) -> tuple[tuple[float, float], list[float], list[str]] | None:
    """(limits, positions, labels) for a linear axis ``rows`` character rows high whose
    labels are true for the rows they sit on; None when there are too few rows.

    plotext draws y on row floor(0.5 + (rows - 1)(y - lim0) / (lim1 - lim0)), the nearest,
    and its own ticks divide the limits evenly, so a tick often sits on a row that stands
    for another value (66.0 53.9 29.7 17.6 -6.5 on evenly spaced rows). Here row r stands
    for exactly lim0 + r d, with d the least of ROW_STEPS times a power of ten that fits
    [lo, hi] in the rows, and lim0 a multiple of d; the ticks are the multiples of a round
    step (a multiple of d, so each is a row) in the limits: at most ``most`` of them,
    but two at least where there is room for two."""
    if rows < 2 or not (math.isfinite(lo) and math.isfinite(hi)):
        return None
    if hi <= lo:  # one value: a span around it
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    need = (hi - lo) / (rows - 1)
    power = math.floor(math.log10(need))
    for d in (m * 10.0**p for p in (power, power + 1, power + 2) for m in ROW_STEPS):
        first = math.floor(lo / d + 1e-9)
        if d >= need * (1 - 1e-12) and (first + rows - 1) * d >= hi - 1e-9 * d:
            break
    limits = (first * d, (first + rows - 1) * d)
    chosen: list[int] = []
    for n in range(1, rows):  # a tick every n rows
        if not _is_round(n * d):
            continue
        ticks = [k for k in range(first, first + rows) if k % n == 0]
        if len(ticks) <= most:
            if len(ticks) >= 2 or not chosen:
                chosen, step = ticks, n * d
            break
        chosen, step = ticks, n * d
    if not chosen:
        return limits, [], []
    return limits, [k * d for k in chosen], [_label(k * d, step) for k in chosen]


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
            ticks = [k * size for k in range(first, last + 1)]
            labelled = ticks, [_label(t, size) for t in ticks]
            if len(ticks) <= most:
                # One tick is no scale: the finer step's, one or two more than asked for,
                # rather than [-4.3, 4.5] read as "0" alone.
                return finer if len(ticks) < 2 and finer is not None else labelled
            finer = labelled
        step *= 10
