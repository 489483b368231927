"""Before any update no backward pass has computed a delta: the network view marks each δ
"…" with the legend "… not computed yet" (not δ+.000, which reads "no error"), and the
selected node's panel says so, until an update computes them; a reseed or a restart
brings that back."""

from __future__ import annotations

import asyncio
import re

from tests.test_lecture_layout import rendered
from tests.test_scenes import lesson_app
from tests.test_teaching import panel_text
from tui_backprop.app.widgets.network.view import NetworkView

NOT_COMPUTED = "… not computed yet"


def not_computed(app) -> None:
    """Every node past the input shows δ as not computed, and nothing says otherwise."""
    snap = app.runner.latest()
    assert snap.updates == 0 and all(d is None for d in snap.delta)
    picture = rendered(app, NetworkView)
    nodes = sum(snap.spec.sizes[1:])
    assert len(re.findall(r"δ\s*…", picture)) == nodes, picture
    assert not re.search(r"δ\s*[-+]?\d|δ\s*[-+]?\.\d", picture), picture
    assert NOT_COMPUTED in picture, picture


def computed(app) -> None:
    """Each δ shows the last update's delta, and the legend no longer says "…"."""
    snap = app.runner.latest()
    picture = rendered(app, NetworkView)
    assert "…" not in picture.replace(NOT_COMPUTED, ""), picture
    assert NOT_COMPUTED not in picture
    for m in range(1, snap.spec.n_layers + 1):
        for d in snap.delta[m]:
            assert f"δ{d:+.3f}" in picture.replace(" ", ""), (d, picture)


def test_deltas_read_not_computed_until_an_update_computes_them():
    async def scenario():
        app = lesson_app("xor-221")
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("r")  # a new seed, epoch 0
            not_computed(app)
            await pilot.press("right")  # the node panel: no delta number either
            assert "delta = dC/dz: not computed yet" in panel_text(app)
            await pilot.press("escape")
            await pilot.press("n")
            computed(app)
            await pilot.press("r")
            not_computed(app)
            await pilot.press("n", "i")  # restart from the same seed
            not_computed(app)

    asyncio.run(scenario())


def test_a_narrow_network_view_still_says_what_its_dots_mean():
    """At 80x24 "… not computed yet" does not fit beside the line patterns: the legend
    says "… not yet" rather than leave the δ's "…" unexplained."""

    async def scenario():
        app = lesson_app("xor-221")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            picture = rendered(app, NetworkView)
            assert re.search(r"δ\s*…", picture), picture
            assert NOT_COMPUTED not in picture
            assert "… not yet" in picture.splitlines()[-1], picture

    asyncio.run(scenario())
