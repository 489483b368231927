"""Every screen owns its keys: the main view's keys act on the network view only; each
screen's footer, help (?) and command palette show that screen's keys (Pilot, step mode)."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tests.test_app import xor_app
from tests.test_scenes import SCREENS, lesson_app
from tui_backprop.app.app import MAIN_BINDINGS, BackpropApp, MainScreen
from tui_backprop.app.screens.gradcheck import GradCheckScreen
from tui_backprop.app.screens.help import HelpScreen, help_rows, screen_bindings

#: Every key of the main view that changes or shows its network.
MAIN_KEYS = (
    "r", "m", "a", "c", "g", "space", "n", "e", "plus", "minus", "i", "s", "o",
    "up", "down", "left", "right", "tab",
)  # fmt: skip
SCENES = ("descent", "landscape", "restarts", "race")


def run(coro):
    return asyncio.run(coro)


def session_state(app: BackpropApp) -> tuple:
    session = app.runner.session
    return (
        session.seed,
        session.alpha,
        session.momentum,
        session.spec.activations,
        session.spec.cost,
        session.updates,
        app.running,
        app.panel,
        app.output_map,
    )


def screen_keys(screen) -> set[str]:
    """The keys ``screen`` binds itself (a key of several names by its first)."""
    return {key for key, _binding in screen._bindings}


def footer_actions(app: BackpropApp) -> set[str]:
    """The actions of the keys the active screen's footer shows."""
    footer = app.screen.query_one(Footer)
    return {key.action for key in footer.query(FooterKey) if "-command-palette" not in key.classes}


def shown_actions(app: BackpropApp) -> set[str]:
    """The actions of the active screen's bindings meant for its footer."""
    return {
        active.binding.action
        for active in app.screen.active_bindings.values()
        if active.binding.show and active.binding.action != "command_palette"
    }


@pytest.mark.parametrize("scene", SCENES)
def test_main_view_keys_leave_the_hidden_network_alone_on_a_scene(scene):
    async def scenario():
        app = lesson_app(scene)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SCREENS[scene])
            before = session_state(app)
            own = screen_keys(screen)
            for key in MAIN_KEYS:
                if key in own:
                    continue
                await pilot.press(key)
                await pilot.pause()
                assert app.screen is screen, f"{key} left the {scene} scene"
                assert session_state(app) == before, f"{key} changed the hidden network"
            app.screen.set_focus(None)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, MainScreen)
            assert session_state(app) == before

    run(scenario())


def test_the_main_views_keys_are_the_main_screens():
    assert not any(
        b.action.startswith("app.") for b in BackpropApp.BINDINGS if hasattr(b, "action")
    )
    assert {b.action for b in BackpropApp.BINDINGS if hasattr(b, "action")} == {"help", "quit"}
    assert MainScreen.BINDINGS is MAIN_BINDINGS


@pytest.mark.parametrize("scene", (None, *SCENES))
def test_the_footer_shows_the_screens_own_keys(scene):
    async def scenario():
        app = xor_app() if scene is None else lesson_app(scene)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            assert footer_actions(app) == shown_actions(app)
            if scene is None:
                assert {"app.toggle_run", "app.reseed", "help", "quit"} <= footer_actions(app)
            else:
                assert not any(a.startswith("app.") for a in footer_actions(app))
                assert {"close", "help", "quit"} <= footer_actions(app)

    run(scenario())


def test_the_main_footer_shows_help_and_quit_at_80_columns():
    from tests.test_lecture_layout import on_screen

    async def scenario():
        app = xor_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            footer = on_screen(app)[-1]
            assert "? help" in footer and "q quit" in footer and "+ α×2" in footer

    run(scenario())


@pytest.mark.parametrize("scene", SCENES)
def test_a_scenes_footer_shows_its_help_key_at_80_columns(scene):
    """A scene's keys run past the footer's end at 80 columns: ? comes among the first
    three, where it shows, and leads to the rest."""
    from tests.test_lecture_layout import on_screen

    async def scenario():
        app = lesson_app(scene)
        async with app.run_test(size=(80, 24)) as pilot:
            footer = app.screen.query_one(Footer)
            # The footer composes its keys a few messages after mount, and they reach the
            # screen at a later refresh: wait for both (bounded), however loaded the machine.
            for _ in range(1000):
                await pilot.pause(0.01)
                keys = [key.action for key in footer.query(FooterKey)]
                if keys and on_screen(app)[-1].strip():
                    break
            assert "help" in keys[:3]
            assert "? help" in on_screen(app)[-1]
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)

    run(scenario())


def test_landscape_footer_offers_no_reseed_or_alpha():
    async def scenario():
        app = lesson_app("landscape")
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            shown = {key.key for key in app.screen.query_one(Footer).query(FooterKey)}
            assert not shown & {"r", "plus", "minus"}

    run(scenario())


@pytest.mark.parametrize("scene", SCENES)
def test_help_on_a_scene_lists_the_scenes_keys(scene):
    async def scenario():
        app = lesson_app(scene)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            scene_screen = app.screen
            expected = help_rows(scene_screen)
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            assert app.screen.rows == expected
            text = str(app.screen.query_one("Static").render())
            assert "network view" in text  # escape closes the scene
            assert "reseed" not in text and "momentum" not in text
            for binding in scene_screen.BINDINGS:
                # Keys that cannot act here (the quartic's up and down) are left out; a
                # system binding only says why a key does nothing.
                if binding.system or not app._check_action_state(binding.action, scene_screen):
                    continue
                assert binding.description in text or (binding.tooltip or "") in text
            assert footer_actions(app) == {"dismiss"}
            # tab moves the focus only between two widgets or more (restarts: its seeds
            # and the seed box); elsewhere it does nothing, and the help does not offer it
            focusable = len(scene_screen.focus_chain)
            assert ("move the focus" in text) is (focusable > 1) and (focusable > 1) is (
                scene == "restarts"
            )
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is scene_screen

    run(scenario())


def test_modal_screens_take_only_their_own_keys():
    async def scenario():
        app = xor_app()
        async with app.run_test(size=(120, 36)) as pilot:
            before = session_state(app)
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            assert footer_actions(app) == {"dismiss"}
            for key in MAIN_KEYS:
                await pilot.press(key)
                await pilot.pause()
                assert isinstance(app.screen, HelpScreen), key
            assert session_state(app) == before
            await pilot.press("q")  # closes the help, does not quit
            await pilot.pause()
            assert isinstance(app.screen, MainScreen)
            await pilot.press("g")
            await pilot.pause()
            assert isinstance(app.screen, GradCheckScreen)
            assert footer_actions(app) == {"dismiss"}
            for key in MAIN_KEYS:
                if key == "g":
                    continue
                await pilot.press(key)
                await pilot.pause()
                assert isinstance(app.screen, GradCheckScreen), key
            assert session_state(app)[:6] == before[:6]
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, MainScreen)
        assert app.return_code is None or app.return_code == 0

    run(scenario())


def test_the_palette_offers_the_screens_commands_by_what_they_do():
    async def scenario():
        app = lesson_app("landscape")
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            titles = {c.title: c.help for c in app.get_system_commands(app.screen)}
            assert not any("same as the" in help for help in titles.values())
            assert not any(t.startswith(("reseed", "α×2", "momentum")) for t in titles)
            assert "run/pause (space)" in titles
            assert not any(t.startswith("Focus") for t in titles)  # nothing to focus here
            await pilot.press("escape")
            await pilot.pause()
            titles = {c.title: c.help for c in app.get_system_commands(app.screen)}
            assert titles["reseed (r)"].startswith("reseed: next seed")
            assert not any("same as the" in help for help in titles.values())
            assert "start left (left)" not in titles
            # Textual's "Keys" panel lists Textual's keys, not this screen's: "keys (?)" does
            assert "Keys" not in titles and "keys (?)" in titles and "Theme" in titles

    run(scenario())


def test_help_opens_over_no_toast():
    async def scenario():
        app = lesson_app("landscape")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("greater_than_sign")
            scene = app.screen
            assert "updates per frame" in scene.message  # in the scene's message line
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen) and not list(app._notifications)

    run(scenario())


def test_help_says_how_many_lines_are_below_and_above_at_80x24():
    """Without colour the scroll bar does not show: the border says what is off screen."""
    from textual.containers import VerticalScroll

    async def scenario():
        app = xor_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("question_mark")
            await pilot.pause()
            scroll = app.screen.query_one(VerticalScroll)
            below = scroll.virtual_size.height - scroll.scrollable_content_region.height
            assert below > 0 and scroll.border_subtitle == f"… {below} more lines (↓ pgdn)"
            await pilot.press("end")
            await pilot.pause()
            assert scroll.border_subtitle == f"{below} above (↑ pgup)"

    run(scenario())


@pytest.mark.parametrize("scene", (None, *SCENES))
@pytest.mark.parametrize("width", [80, 100])
def test_the_footer_shows_whole_keys_only(scene, width):
    """Keys past the footer's room are left out, not cut mid-word ("e to th"): every key
    the footer shows is on screen whole, left of the palette's key, and at least one key
    more than fits is left out at 80 columns (help and the palette list them)."""
    from tests.test_lecture_layout import on_screen

    async def scenario():
        app = xor_app() if scene is None else lesson_app(scene)
        async with app.run_test(size=(width, 24 if width == 80 else 30)) as pilot:
            footer = app.screen.query_one(Footer)
            for _ in range(100):  # the footer composes its keys a few messages after mount
                await pilot.pause()
                keys = list(footer.query(FooterKey))
                line = on_screen(app)[-1]
                if len(keys) > 1 and "^p palette" in line:
                    break
            [palette] = [k for k in keys if k.has_class("-command-palette")]
            assert "^p palette" in line
            for key in keys:
                if key is palette:
                    continue
                assert f"{key.key_display} {key.description}" in line, line
                assert key.region.right <= palette.region.x, (key.description, line)
            shown = {key.action for key in keys}
            bindings = [b for _, b, _, _ in app.screen.active_bindings.values() if b.show]
            if width == 80 and scene == "descent":  # more keys than room: some left out
                assert {b.action for b in bindings} - shown

    run(scenario())


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("right_square_bracket", "weights panel shows from 100x30"),
        ("left_parenthesis", "weights panel shows from 100x30"),
        ("right_curly_bracket", "examples table shows from 100x30"),
        ("w", "compares a lesson with its tutorial"),
    ],
)
def test_a_key_whose_panel_is_hidden_says_so_and_help_leaves_it_out(key, words):
    """At 80x24 the weights and examples panels are hidden, and without a lesson there is
    no tutorial to compare: their keys say why nothing happens (as m under adam does), and
    help lists them nowhere."""

    async def scenario():
        app = xor_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(key)
            assert words in app.message
            listed = {b.action for b in screen_bindings(app.screen)}
            assert not any(a.startswith(("app.not_here", "app.page_")) for a in listed)
            assert "app.errata" not in listed

    run(scenario())


def test_at_full_size_the_page_keys_page_and_say_nothing():
    async def scenario():
        app = xor_app(problem="spiral")
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.press("right_curly_bracket")
            assert app.message == ""
            assert any(b.action == "app.page_examples(1)" for b in screen_bindings(app.screen))

    run(scenario())


@pytest.mark.parametrize("found", ["α×2 (+)", "α/2 (-)"])
def test_the_palette_finds_a_greek_lettered_key_by_its_name(found):
    """The palette matches what is typed against its titles: "alpha" finds α×2."""
    from textual.command import CommandList, CommandPalette

    async def scenario():
        app = xor_app()
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("ctrl+p")
            await pilot.press(*"alpha")
            palette = app.screen
            assert isinstance(palette, CommandPalette)
            results = palette.query_one(CommandList)
            for _ in range(500):  # the search runs in the background: poll, bounded
                await pilot.pause(0.01)
                prompts = [
                    str(results.get_option_at_index(i).prompt) for i in range(results.option_count)
                ]
                if any(found in prompt for prompt in prompts):
                    break
            assert any(found in prompt for prompt in prompts), prompts

    run(scenario())


@pytest.mark.parametrize(
    "burst, typed",
    [
        ((("4", "4"), ("backspace", "\x7f"), ("5", "5")), "5"),
        ((("0", "0"), ("7", "7"), ("left", None), ("backspace", "\x7f"), ("1", "1")), "17"),
    ],
)
@pytest.mark.parametrize("box", ["answer", "seed"])
def test_keys_typed_in_one_burst_edit_in_order(burst, typed, box):
    """A slow link delivers keys in bursts: "4 ⌫ 5" must read 5, not 4 (the backspace
    acted after the 5 was typed), in predict mode's answer and in the restarts' seed box."""
    from textual import events
    from textual.widgets import Input

    from tui_backprop.app.screens.question import QuestionScreen

    async def scenario():
        app = xor_app() if box == "answer" else lesson_app("restarts")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            if box == "answer":
                await pilot.press("p", "s")
                assert isinstance(app.screen, QuestionScreen)
            else:
                await pilot.press("slash")
            field = app.focused
            assert isinstance(field, Input)
            for key, character in burst:  # all queued before any is handled
                app.post_message(events.Key(key, character))
            await pilot.pause()
            assert field.value == typed

    run(scenario())


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_the_phase_walk_says_in_the_footer_help_and_palette_how_to_leave_it(size):
    """While the phase walk is open, escape's action (close) is in the footer, beside ?
    help, in ? help and in the palette; the palette's command closes the walk; closed,
    the footer no longer offers it."""
    from textual.command import CommandList, CommandPalette

    from tests.test_lecture_layout import on_screen

    async def scenario():
        app = xor_app()
        async with app.run_test(size=size) as pilot:
            await pilot.press("s")
            assert app.walk is not None
            footer = on_screen(app)[-1]
            assert "esc close" in footer and "? help" in footer, footer
            assert "app.close_explain" in footer_actions(app)
            assert ("esc", "close the explain panel (the phase walk or the selection)") in (
                help_rows(app.screen)
            )
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")  # closes the help, not the walk
            assert app.walk is not None
            titles = {c.title for c in app.get_system_commands(app.screen)}
            assert "close (esc)" in titles, titles
            await pilot.press("ctrl+p")
            await pilot.press(*"close")
            palette = app.screen
            assert isinstance(palette, CommandPalette)
            results = palette.query_one(CommandList)
            for _ in range(500):  # the search runs in the background: poll, bounded
                await pilot.pause(0.01)
                if results.option_count:
                    break
            prompts = [
                str(results.get_option_at_index(i).prompt) for i in range(results.option_count)
            ]
            assert any("close (esc)" in prompt for prompt in prompts), prompts
            await pilot.press("enter")
            await pilot.pause()
            assert app.walk is None and app.panel is None
            footer = on_screen(app)[-1]
            assert "esc" not in footer and "? help" in footer, footer

    run(scenario())
