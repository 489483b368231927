"""A diverged network reads: every number in one compact form (3.0e210, nan, inf) in the
weights panel, the network, the examples and the status line; NaN nodes marked NaN, never
flagged as saturated."""

from __future__ import annotations

import asyncio
import dataclasses
import re

import numpy as np
import pytest

from tests.test_app import xor_app
from tui_backprop.app.widgets.examples import ExamplesView
from tui_backprop.app.widgets.formatting import fit, loss_text, signed, vector
from tui_backprop.app.widgets.network.drawing import draw_network
from tui_backprop.app.widgets.network.view import NetworkView
from tui_backprop.app.widgets.status import StatusLine
from tui_backprop.app.widgets.weights import WeightsView
from tui_backprop.core.config import TrainingConfig
from tui_backprop.core.spec import NetworkSpec
from tui_backprop.teach.explain import val

#: A number as the panels print it: fixed point or mantissa-e-exponent, or nan / inf.
NUMBER = re.compile(r"^[+-]?(\d+(\.\d+)?|\.\d+)(e-?[1-9]\d*)?$|^[+-]?(nan|inf)$")
TOKEN = re.compile(r"[+-]?[\d.]+(?:e[+-]?\d+)?…?|[+-]?(?:nan|inf)|[+-]?#{2,}|[+-]#")


def run(coro):
    return asyncio.run(coro)


def numbers_in(text: str) -> list[str]:
    return [t for t in TOKEN.findall(text) if any(c.isdigit() or c == "#" for c in t) or "n" in t]


def test_compact_forms():
    assert signed(2.9764127409878114e25) == "+3.0e25"
    assert signed(3e210) == "+3.0e210" and signed(-0.72) == "-0.720"
    assert fit(3e210, 7, "+") == " +3e210" and fit(3e210, 8, "+") == "+3.0e210"
    assert fit(3e210, 5, "+", strip_zero=True) == "3e210"  # the sign gives way first
    assert fit(float("nan"), 6) == "   nan" and fit(-np.inf, 6, "+") == "  -inf"
    assert loss_text(3e210) == "3.00e210" and loss_text(1.5e-5) == "1.50e-5"
    assert vector([3e210, 1.0]) == "3.0e210 1.00" and vector([1e300]) == "1.0e300"
    assert val(3e210) == "3e210" and val(-1.5e-5) == "-1.5e-5" and val(0.25) == "0.25"


def huge_app():
    """XOR on a 2-3-1 network, relu hidden, whose hidden nodes start at 1.7e308 (finite) and
    whose output adds +10 and -10 times them: inf - inf, a NaN output (and NaN deltas)."""
    spec = NetworkSpec.build(2, (3,), 1, activation="relu")
    weights = [np.full((3, 2), 2.9764127409878114e25), np.array([[10.0, -10.0, 0.0]])]
    biases = [np.full(3, 1.7e308), np.zeros(1)]
    app = xor_app(spec=spec, initial=(weights, biases), settings=TrainingConfig(seed=0))
    return app


@pytest.mark.parametrize("size", [(120, 36), (160, 45)])
def test_a_diverged_network_prints_every_number_compactly(size):
    async def scenario():
        app = huge_app()
        async with app.run_test(size=size) as pilot:
            await pilot.press("n")
            await pilot.pause()
            texts = {
                widget.__name__: str(app.query_one(widget).render())
                for widget in (WeightsView, ExamplesView, StatusLine, NetworkView)
            }
            assert "3.0e25" in texts["WeightsView"] or "3e25" in texts["WeightsView"]
            assert "nan" in texts["ExamplesView"]
            for name, text in texts.items():
                for token in numbers_in(text):
                    assert NUMBER.match(token), f"{name}: {token!r}"
                    assert len(token) <= 8, f"{name}: {token!r}"

    run(scenario())


def test_nan_nodes_are_marked_nan_not_saturated():
    async def scenario():
        app = huge_app()
        async with app.run_test(size=(160, 45)) as pilot:  # full nodes
            await pilot.press("n")
            await pilot.pause()
            snap = app.runner.latest()
            assert np.isnan(snap.a[-1]).all()
            text = str(app.query_one(NetworkView).render())
            assert "NaN" in text
            assert "saturated" not in text and "σ'≈0" not in text

    run(scenario())


def test_nan_overrides_a_saturated_flag_in_every_form():
    app = huge_app()
    snap = app.runner.latest()
    nan_a = [None if a is None else np.full_like(a, np.nan) for a in snap.a]
    nan_a[0] = np.asarray(snap.a[0])
    snap = dataclasses.replace(snap, a=nan_a)
    every = frozenset((m, j) for m in (1, 2) for j in range(snap.spec.sizes[m]))
    for width, height in ((100, 30), (60, 12), (40, 7)):  # full, compact, row
        text = draw_network(snap, width, height, flagged=every).plain
        assert "saturated" not in text and "!" not in text, (width, height)
        assert "nan" in text
    full = draw_network(snap, 100, 30, flagged=every).plain
    assert full.count("NaN") == 4  # the bottom border of each of the 4 nodes


#: An exponent without a mantissa before it ("-e154"): not a number.
BARE_EXPONENT = re.compile(r"(?<![\d.])e-?\d")


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
def test_a_run_that_diverges_keeps_readable_numbers_and_its_loss_curve(size):
    """sine, 1-3-1 sigmoid/linear, alpha 100: the output's a and δ pass 1e100 within two
    frames and the loss goes to inf in the second epoch."""
    from tui_backprop.app.widgets.loss_plot import LossPlot

    async def scenario():
        spec = NetworkSpec.build(1, (3,), 1, output_activation="linear")
        settings = TrainingConfig(seed=0, alpha=100.0)
        app = xor_app(problem="sine", spec=spec, settings=settings)
        async with app.run_test(size=size) as pilot:
            await pilot.press("space")
            for _ in range(20):
                app.advance_frame()
                if not app.running:
                    break
            await pilot.pause()
            snap = app.runner.latest()
            assert snap.diverged and not app.running
            assert abs(snap.a[-1][0]) >= 1e100 and abs(snap.delta[-1][0]) >= 1e100
            network = str(app.query_one(NetworkView).render())
            assert not BARE_EXPONENT.search(network), network
            for token in numbers_in(network):
                assert NUMBER.match(token), token
            assert np.isfinite(snap.history_losses).any()  # a curve to keep
            plot = app.query_one(LossPlot).render().plain
            assert "diverged" in plot and "●" in plot, plot

    run(scenario())


@pytest.mark.parametrize(
    "weight_decay, blamed",
    [
        (0.0, "alpha 100 is too large"),
        (1000.0, "weight decay 1000 most likely (alpha * lambda = 100 >= 3.8"),
    ],
)
def test_the_divergence_message_names_what_most_likely_caused_it(weight_decay, blamed):
    """alpha x lambda >= 1 flips every weight each update whatever alpha is alone: the
    status line blames weight decay then, not alpha (as the command line does)."""

    async def scenario():
        spec = NetworkSpec.build(1, (3,), 1, output_activation="linear")
        alpha = 100.0 if weight_decay == 0 else 0.1
        settings = TrainingConfig(seed=0, alpha=alpha, weight_decay=weight_decay)
        app = xor_app(problem="sine", spec=spec, settings=settings)
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.press("space")
            for _ in range(200):
                app.advance_frame()
                if not app.running:
                    break
            assert app.runner.latest().diverged
            assert blamed in app.message, app.message
            assert "- halves" in app.message

    run(scenario())
