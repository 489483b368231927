"""The race scene, seeded and paused after a few steps, compared with a saved SVG
(pytest-textual-snapshot). Update it after an intended change with
``pytest tests/test_race_snapshot.py --snapshot-update``."""

from __future__ import annotations

from tests.test_scenes import lesson_app


def test_race_momentum_against_adam_after_eight_steps(snap_compare):
    async def steps(pilot):
        await pilot.pause()
        await pilot.press(*["n"] * 8)

    assert snap_compare(lesson_app("race"), terminal_size=(100, 30), run_before=steps)
