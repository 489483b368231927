"""Every scene, seeded and paused, compared with a saved SVG (pytest-textual-snapshot).

Update the pictures after an intended change with ``pytest --snapshot-update``.
"""

from __future__ import annotations

import pytest

from tests.test_scenes import lesson_app


@pytest.mark.parametrize("name", ["neuron", "not", "xor-231", "xor-221"])
def test_network_lesson_with_its_notes(snap_compare, name):
    async def notes_and_a_few_updates(pilot):
        await pilot.pause()
        await pilot.press("t", "n", "n", "n")

    assert snap_compare(
        lesson_app(name), terminal_size=(100, 30), run_before=notes_and_a_few_updates
    )


def test_descent_three_steps(snap_compare):
    async def steps(pilot):
        await pilot.pause()
        await pilot.press("n", "n", "n")

    assert snap_compare(lesson_app("descent"), terminal_size=(100, 30), run_before=steps)


def test_descent_stopped_and_classified(snap_compare):
    async def to_the_end(pilot):
        await pilot.pause()
        await pilot.press("e")

    assert snap_compare(lesson_app("descent"), terminal_size=(100, 30), run_before=to_the_end)


def test_descent_saddle(snap_compare):
    async def saddle(pilot):
        await pilot.pause()
        await pilot.press("f", "f", "f", "e")

    assert snap_compare(lesson_app("descent"), terminal_size=(100, 30), run_before=saddle)


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
def test_landscape_after_twenty_updates(snap_compare, size):
    async def updates(pilot):
        await pilot.pause()
        for _ in range(20):
            await pilot.press("n")

    assert snap_compare(lesson_app("landscape"), terminal_size=size, run_before=updates)


def test_landscape_with_notes(snap_compare):
    async def notes(pilot):
        await pilot.pause()
        await pilot.press("t")

    assert snap_compare(lesson_app("landscape"), terminal_size=(120, 36), run_before=notes)


def test_restarts(snap_compare):
    async def done(pilot):
        await pilot.pause()

    assert snap_compare(lesson_app("restarts"), terminal_size=(100, 30), run_before=done)
