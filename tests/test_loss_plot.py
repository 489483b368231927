"""The loss curve at any magnitude: the finite points of a history (losses from 0 to the
largest float, inf and nan among them) are drawn with a title and y labels that read as
numbers, on a linear and on a log axis, and once the run diverged the title says so."""

from __future__ import annotations

import math
import re
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text
from textual_plotext.plot import Plot

from tui_backprop.app.widgets.loss_plot import (
    LABEL_WIDTH,
    draw_losses,
    tick_labels,
    titles,
    y_axis,
)
from tui_backprop.app.widgets.plots import plot_title
from tui_backprop.app.widgets.style import DARK_PLOTS

#: A y label as the plot prints it: fixed point or mantissa-e-exponent.
LABEL = re.compile(r"^-?(\d+(\.\d+)?|\.\d+)(e[+-]?\d+)?$")

losses = st.lists(
    st.one_of(
        st.floats(min_value=0.0, allow_infinity=True),
        st.floats(min_value=0.0, max_value=10.0),
        st.sampled_from([8.0e199, 1.7e308, math.inf, math.nan, 0.5, 5e-324, 1e-310]),
    ),
    max_size=30,
)


def drawn(history: list[float], log: bool, diverged: bool, size=(40, 18)) -> str:
    """The plot as text, drawn as the loss panel draws it, in ``size`` cells."""
    plt = Plot()
    epochs = np.arange(1, len(history) + 1)
    losses = np.array(history, dtype=float)

    heading = plot_title(size[0], *titles(log, diverged))
    draw_losses(plt, epochs, losses, log, heading, size[0], DARK_PLOTS)
    plt.plotsize(*size)
    return Text.from_ansi(plt.build()).plain


def y_labels(picture: str) -> list[str]:
    return [line.split("┤")[0].strip() for line in picture.splitlines() if "┤" in line]


@settings(max_examples=200, deadline=None)
@given(history=losses, log=st.booleans(), diverged=st.booleans())
def test_any_history_draws_its_finite_points_with_a_title_and_readable_labels(
    history, log, diverged
):
    picture = drawn(history, log, diverged)
    assert any(heading in picture for heading in titles(log, diverged)), picture
    assert ("diverged" in picture) == diverged
    finite = [v for v in history if math.isfinite(v)]
    assert ("●" in picture) == bool(finite), picture
    labels = y_labels(picture)
    for label in labels:
        assert LABEL.match(label) and len(label) <= LABEL_WIDTH, (label, picture)
    if finite and max(finite) >= 1e4:  # our own labels, the highest loss's among them
        # (as decimals: 1.8e308, the largest float rounded, is past it)
        highest = Decimal(max(finite))
        assert any(abs(Decimal(v) - highest) <= highest / 20 for v in labels), picture


def test_a_diverged_runs_curve_keeps_its_finite_points_and_says_it_diverged():
    history = [0.5, 0.4, 3.0, 8.0e199, math.inf, math.nan]
    for log in (False, True):
        for size in ((40, 18), (94, 14)):  # the loss panel at 80x24 and at 160x45
            picture = drawn(history, log, diverged=True, size=size)
            assert "diverged" in picture and "●" in picture
            assert any(math.isclose(float(v), 8.0e199) for v in y_labels(picture)), picture
    wide = drawn(history, log=True, diverged=True, size=(94, 14))
    assert "mean loss per epoch (log), diverged" in wide  # shortened only where it must be
    assert "diverged" not in drawn(history[:3], log=False, diverged=False)


def test_the_curve_says_its_losses_are_as_trained_where_it_has_room():
    """The status line's loss is at the weights now; the curve's, the epoch's mean as it
    trained: the title tells them apart where the panel has room (160x45's)."""
    wide = drawn([0.5, 0.4, 0.3], log=False, diverged=False, size=(94, 14))
    assert "mean loss per epoch, as trained" in wide
    narrow = drawn([0.5, 0.4, 0.3], log=False, diverged=False, size=(30, 14))
    assert "mean loss per epoch" in narrow


def test_large_losses_are_plotted_in_units_of_a_power_of_ten_with_their_own_labels():
    values, positions, labels = y_axis([0.5, 2.0e307, 1.7e308], log=False, count=3)
    assert max(values) < 10 and positions is not None and max(positions) < 10
    assert labels is not None and len(labels) == 3 and len(set(labels)) == 3
    for label, position in zip(labels, positions, strict=True):
        assert math.isclose(float(label), position * 1e308, rel_tol=0.1)
    # below 10 000 plotext's own ticks, on the losses as they are
    assert y_axis([0.5, 9000.0], log=False, count=5) == ([0.5, 9000.0], None, None)


def test_tick_labels_tell_close_values_apart():
    labels = tick_labels([1.0e199, 1.01e199, 1.02e199])
    assert len(set(labels)) == 3 and all(len(label) <= 9 for label in labels)


def test_the_title_says_diverged_as_soon_as_the_run_does_without_a_new_point():
    """A run diverges within an epoch: no new point, the same history, a new title."""
    import asyncio
    import dataclasses

    from tests.test_app import xor_app
    from tui_backprop.app.widgets.loss_plot import LossPlot

    async def scenario():
        app = xor_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("e", "e")
            await pilot.pause()
            plot = app.query_one(LossPlot)
            snap = app.runner.latest()
            plot.show(snap, log=False)
            assert "diverged" not in plot.render().plain
            plot.show(dataclasses.replace(snap, diverged=True), log=False)
            assert "diverged" in plot.render().plain

    asyncio.run(scenario())


def test_the_log_scale_survives_a_resize():
    """plotext's own log axis took the logarithms of the data again when the panel was
    built again at a new size: losses below 1 raised ValueError and ended the app."""
    import asyncio

    from tests.test_app import xor_app
    from tui_backprop.app.widgets.loss_plot import LossPlot

    async def scenario():
        app = xor_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("e", "e", "e", "l")
            await pilot.pause()
            plot = app.query_one(LossPlot)
            assert "(log)" in plot._plot_text().plain
            for size in ((100, 36), (120, 30), (100, 30)):
                await pilot.resize_terminal(*size)
                await pilot.pause()
                text = plot._plot_text().plain  # built again at the new size
                assert "(log)" in text and "●" in text

    asyncio.run(scenario())


@settings(max_examples=200, deadline=None)
@given(low=st.floats(1e-12, 1e6), spread=st.floats(1.0, 1e12))
def test_a_log_axis_labels_each_tick_with_its_loss_to_two_digits(low, spread):
    """No 0.00 for 0.002 on a log axis, which has no zero: every label is its tick's loss
    to within 5% (two significant digits)."""
    losses = [low, min(low * spread, 1e300)]
    _values, positions, labels = y_axis(losses, True, 5)
    assert positions is not None and labels is not None
    for position, label in zip(positions, labels, strict=True):
        assert abs(float(label) - 10**position) <= 0.05 * 10**position, (label, position)


def test_the_epoch_axis_is_labelled_with_round_epochs():
    """2000 epochs read 500 1000 1500 2000 (not 1 501 1000 1500 2000); a short run still
    gets its two ends."""
    for count, expected in ((2000, {"500", "1000", "1500", "2000"}), (3, {"1", "3"})):
        picture = drawn([1.0 / (k + 1) for k in range(count)], False, False, size=(80, 18))
        axis = next(line for line in reversed(picture.splitlines()) if re.search(r"\d", line))
        labels = set(axis.split())
        assert expected <= labels, axis
        assert all(int(label) % 500 == 0 for label in labels) or count < 10, axis


def test_a_log_axis_labels_losses_below_1e_12_as_they_are_and_a_zero_as_0():
    """Adam drives XOR's loss to 1.5e-14: the log axis's lowest label is that loss (it
    read 1.0e-12, every loss below it drawn there). A loss of 0 has a tick of its own,
    labelled 0, below the least positive loss."""
    import asyncio
    import dataclasses

    from tests.test_app import xor_app
    from tui_backprop.app.widgets.loss_plot import LossPlot

    history = [3.7e-4, 1.0e-7, 2.0e-12, 1.54e-14]

    async def scenario():
        app = xor_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("e", "e", "e", "e")
            await pilot.pause()
            plot = app.query_one(LossPlot)
            snap = app.runner.latest()
            for losses, lowest in ((history, "1.5e-14"), ([*history, 0.0], "0")):
                shown = dataclasses.replace(
                    snap,
                    history_epochs=np.arange(1, len(losses) + 1),
                    history_losses=np.array(losses),
                )
                plot.show(shown, log=True)
                labels = y_labels(plot.render().plain)
                assert labels[-1] == lowest, labels
                assert "1.0e-12" not in labels
                if lowest == "0":
                    assert labels[-2] == "1.5e-14", labels
                # the curve's end on the lowest label's row: the last point is the lowest
                rows = [line for line in plot.render().plain.splitlines() if "┤" in line]
                assert "●" in rows[-1], rows

    asyncio.run(scenario())


@pytest.mark.parametrize("scale", [1.0, 1e4, 1e308])
def test_a_zero_under_close_losses_leaves_the_highest_its_label(scale):
    """The losses' ticks share the log axis with the decade down to the zero's: two
    losses within a fifth of each other get one tick, the highest's, not three crowded
    into two rows (which put 1.6 on the row of 1.7)."""
    labels = y_labels(drawn([0.0, 1.41 * scale, 1.7 * scale], log=True, diverged=False))
    top = "1.7" if scale == 1.0 else f"1.7e{round(math.log10(scale))}"
    assert labels == [top, "0"]
