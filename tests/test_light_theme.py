"""On a light theme the network's edges and the weights take the light theme's sign colours
(dark enough for light grey), and switching the theme redraws them at once."""

from __future__ import annotations

import asyncio

from rich.color import Color
from rich.text import Text

from tests.test_app import xor_app
from tui_backprop.app.widgets.network.view import NetworkView
from tui_backprop.app.widgets.style import (
    NEGATIVE,
    NEGATIVE_LIGHT,
    POSITIVE,
    POSITIVE_LIGHT,
)
from tui_backprop.app.widgets.weights import WeightsView

DARK = {Color.parse(POSITIVE), Color.parse(NEGATIVE)}
LIGHT = {Color.parse(POSITIVE_LIGHT), Color.parse(NEGATIVE_LIGHT)}


def colours(text: Text) -> set[Color]:
    """Every foreground colour the text's spans use (styles given as text parsed too)."""
    from rich.style import Style

    found = set()
    for span in text.spans:
        style = span.style if isinstance(span.style, Style) else Style.parse(str(span.style))
        if style.color is not None:
            found.add(style.color)
    return found


def sign_colours_of(app) -> tuple[set[Color], set[Color]]:
    network = app.query_one(NetworkView).render()
    weights = app.query_one(WeightsView).render()
    return colours(network) & (DARK | LIGHT), colours(weights) & (DARK | LIGHT)


def test_switching_to_a_light_theme_redraws_the_sign_colours():
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(120, 36)) as pilot:
            for _ in range(3):
                await pilot.press("e")  # weights of both signs
            await pilot.pause()
            network, weights = sign_colours_of(app)
            assert network == DARK and weights == DARK
            app.theme = "textual-light"
            await pilot.pause()
            network, weights = sign_colours_of(app)
            assert network == LIGHT, network
            assert weights == LIGHT, weights
            await pilot.press("e")  # and it stays so while training goes on
            await pilot.pause()
            assert sign_colours_of(app) == (LIGHT, LIGHT)
            app.theme = "textual-dark"
            await pilot.pause()
            assert sign_colours_of(app) == (DARK, DARK)

    asyncio.run(scenario())


def test_an_app_started_on_a_light_theme_draws_light_sign_colours():
    async def scenario():
        app = xor_app()
        app.theme = "textual-light"
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("e")
            await pilot.pause()
            assert sign_colours_of(app) == (LIGHT, LIGHT)

    asyncio.run(scenario())


def test_the_screen_shows_the_light_colours_after_a_switch():
    """What reaches the terminal, not only the widgets' pictures: every cell drawn in a
    sign colour is in the light theme's."""

    async def scenario():
        app = xor_app()
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("e")
            await pilot.pause()
            app.theme = "textual-light"
            await pilot.pause()
            seen = set()
            for strip in app.screen._compositor.render_strips():
                for segment in strip:
                    if segment.style is not None and segment.style.color is not None:
                        seen.add(segment.style.color.get_truecolor())
            dark = {c.get_truecolor() for c in DARK}
            light = {c.get_truecolor() for c in LIGHT}
            assert not seen & dark
            assert seen & light

    asyncio.run(scenario())
