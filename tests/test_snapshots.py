"""Seeded, paused screens compared with saved SVG snapshots (pytest-textual-snapshot).

The app runs in step mode, so each picture depends only on the seed and the keys pressed.
Update the pictures after an intended change with ``pytest --snapshot-update``.
"""

from __future__ import annotations

import pytest

from tests.test_app import xor_app


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
