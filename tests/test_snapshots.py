"""Seeded, paused screens compared with saved SVG snapshots (pytest-textual-snapshot).

The app runs in step mode, so each picture depends only on the seed and the keys pressed.
Update the pictures after an intended change with ``pytest --snapshot-update``.
"""

from __future__ import annotations

import pytest

from tests.test_app import xor_app
from tui_backprop.core.config import TrainingConfig


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_start_screen(snap_compare, size):
    assert snap_compare(xor_app(), terminal_size=size)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_after_fifty_epochs_and_one_update(snap_compare, size):
    async def train(pilot):
        for _ in range(50):
            await pilot.press("e")
        await pilot.press("n")

    assert snap_compare(xor_app(), terminal_size=size, run_before=train)


def test_help_screen(snap_compare):
    assert snap_compare(xor_app(), terminal_size=(100, 30), press=["question_mark"])


def test_too_small(snap_compare):
    assert snap_compare(xor_app(), terminal_size=(60, 16))


def test_explain_view_mid_update(snap_compare):
    """The hidden-delta phase of update 11: the panel's formula with its numbers, the
    layer being worked on highlighted, the deltas not yet computed left blank."""

    async def walk(pilot):
        for _ in range(10):
            await pilot.press("n")
        for _ in range(5):
            await pilot.press("s")

    assert snap_compare(xor_app(), terminal_size=(120, 36), run_before=walk)


def test_selected_weight(snap_compare):
    async def select(pilot):
        for _ in range(30):
            await pilot.press("e")
        await pilot.press("right", "right")

    assert snap_compare(xor_app(), terminal_size=(120, 36), run_before=select)


def test_output_map(snap_compare):
    async def train(pilot):
        # 299 epochs trained straight away (4 updates each), the 300th by its key.
        pilot.app.runner.apply(lambda session: session.run_batches(299 * 4))
        await pilot.press("e")
        await pilot.press("o")

    assert snap_compare(
        xor_app(settings=TrainingConfig(seed=0, alpha=0.5)),
        terminal_size=(120, 36),
        run_before=train,
    )
