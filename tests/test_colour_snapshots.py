"""The output map and the landscape as a terminal of 256 or 16 colours (or NO_COLOR) shows
them, compared with saved SVG snapshots (pytest-textual-snapshot).

The colour system is forced as Textual reads it from TEXTUAL_COLOR_SYSTEM; the SVG shows
the colours the app chose for it (the cube's colours in 256, the shading characters on
black in 16). Update the pictures after an intended change with ``pytest --snapshot-update``.
"""

from __future__ import annotations

import pytest
from textual import constants

from tests.test_app import xor_app
from tests.test_scenes import lesson_app
from tui_backprop.core.config import TrainingConfig


@pytest.fixture
def colour_system(request, monkeypatch):
    system = request.param
    monkeypatch.delenv("NO_COLOR", raising=False)
    if system == "mono":
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.setattr(constants, "COLOR_SYSTEM", system)
    return system


@pytest.mark.parametrize("colour_system", ["256", "standard", "mono"], indirect=True)
def test_output_map(snap_compare, colour_system):
    async def train(pilot):
        # 299 epochs trained straight away (4 updates each), the 300th by its key.
        pilot.app.runner.apply(lambda session: session.run_batches(299 * 4))
        await pilot.press("e")
        await pilot.press("o")

    app = xor_app(settings=TrainingConfig(seed=0, alpha=0.5))
    assert snap_compare(app, terminal_size=(120, 36), run_before=train)


@pytest.mark.parametrize("colour_system", ["256", "standard"], indirect=True)
def test_landscape_after_twenty_updates(snap_compare, colour_system):
    async def updates(pilot):
        await pilot.pause()
        for _ in range(20):
            await pilot.press("n")

    assert snap_compare(lesson_app("landscape"), terminal_size=(80, 24), run_before=updates)
