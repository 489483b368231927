"""Scenes: a lesson's network in the main view, and the screens of the special scenes."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from textual.screen import Screen

from ..io.build import build_setup
from ..io.lessons import Lesson
from .config import AppConfig, new_session
from .host import AppHost

if TYPE_CHECKING:
    from textual.app import SystemCommand

    from .widgets.notes import NotesPanel


def lesson_config(lesson: Lesson, base: AppConfig) -> AppConfig:
    """``base`` (fps, speed, step mode kept) with the lesson's problem, network, settings."""
    setup = build_setup(lesson.run, make_session=False)
    options = dataclasses.replace(base.options, stop_epoch=lesson.app.stop_epoch)
    return dataclasses.replace(
        base,
        problem=setup.problem,
        spec=setup.spec,
        settings=setup.settings,
        initial=setup.initial,
        options=options,
        lesson=lesson,
        run_config=lesson.run,
    )


#: Scenes that are about something other than a network: the main view behind them keeps
#: its own network and notes (a descent lesson's notes describe no network).
OWN_SUBJECT_SCENES = ("descent", "race")


def scene_screen(config: AppConfig) -> Screen[None] | None:
    """The screen of ``config``'s lesson's scene, or None for the network view itself."""
    lesson = config.lesson
    if lesson is None or lesson.scene == "network":
        return None
    if lesson.scene == "descent":
        from .screens.descent import DescentScreen

        return DescentScreen.from_lesson(lesson)
    if lesson.scene == "landscape":
        from .screens.landscape import LandscapeScreen

        return LandscapeScreen.from_config(config)
    if lesson.scene == "race":
        from .screens.race import RaceScreen

        return RaceScreen.from_config(config)
    from .screens.restarts import RestartsScreen

    return RestartsScreen.from_config(config)


class SceneMixin(AppHost):
    """The app's side of lessons and scenes: the notes panel (t), the scene a lesson opens
    at the start, every lesson in the command palette, and showing another network (a
    lesson's, or a restart's seed) in the main view. Mixed into BackpropApp (see
    :class:`.host.AppHost` for what it uses of the app)."""

    def notes_widget(self) -> NotesPanel:
        from .widgets.notes import NotesPanel

        # Floating, over the right-hand column of the main view's panels, whatever the
        # layout makes it (half the width in the compact one, 2 in 5 in the full one).
        return NotesPanel(id="notes", covers=".panel")

    def start_scene(self) -> None:
        """At mount: the lesson's notes, and its scene's screen over the network view."""
        lesson = self.config.lesson
        if lesson is not None and lesson.scene in OWN_SUBJECT_SCENES:
            lesson = None  # its notes are the scene's; the network view has none
        self._fill_notes(lesson, initially=True)
        screen = scene_screen(self.config)
        if screen is not None:
            self.push_screen(screen)

    def _fill_notes(self, lesson: Lesson | None, initially: bool = False) -> None:
        from .screens.scene import NOTES_WIDTH
        from .widgets.notes import NotesPanel

        panel = self.query_one("#notes", NotesPanel)
        if lesson is None:
            panel.show_lesson("", "")
            return
        panel.show_lesson(lesson.title, lesson.notes)
        if self.size.width < NOTES_WIDTH:
            panel.set_class(False, "-shown")
            if initially or lesson.scene == "network":
                self.message = f"lesson {lesson.name}: t shows its notes"

    def action_back_to_scene(self) -> None:
        """Escape in the network view with no panel to close: back to the scene its
        network came from (the restarts, with their result)."""
        if self.back_to_scene is not None:
            self.set_running(False)
            self.push_screen(self.back_to_scene())

    def action_notes(self) -> None:
        from .widgets.notes import NotesPanel

        panel = self.query_one("#notes", NotesPanel)
        if not panel.has_notes:
            self.say("no lecture notes: open a lesson (ctrl+p, or tui-backprop lessons)")
            return
        panel.toggle()
        self.title_explain(panel)  # which no longer says the notes stepped aside

    def lesson_commands(self) -> Iterator[SystemCommand]:
        """A palette entry for every shipped lesson."""
        from functools import partial

        from textual.app import SystemCommand

        from ..io.lessons import shipped_lessons

        for lesson in shipped_lessons():
            yield SystemCommand(
                f"lesson: {lesson.name} ({lesson.scene})",
                lesson.title,
                partial(self.open_lesson, lesson),
            )

    def open_lesson(self, lesson: Lesson) -> None:
        """The lesson's network in the main view, its notes, and its scene's screen; a
        scene about something else (``OWN_SUBJECT_SCENES``) opens over the network view
        as it is, which escape comes back to."""
        config = lesson_config(lesson, self.config)
        if lesson.scene in OWN_SUBJECT_SCENES:
            while len(self.screen_stack) > 1:
                self.pop_screen()
            self.set_running(False)
            self.back_to_scene = None
            self.refresh_bindings()
        else:
            self.open_config(config, f"lesson {lesson.name}: {lesson.title}")
        screen = scene_screen(config)
        if screen is not None:
            self.push_screen(screen)

    #: Makes the scene screen a network came from (a restarts' seed), which escape in the
    #: network view goes back to; None for a network opened otherwise.
    back_to_scene: Callable[[], Screen[None]] | None = None

    def open_config(
        self,
        config: AppConfig,
        message: str = "",
        back: Callable[[], Screen[None]] | None = None,
    ) -> None:
        """Show ``config``'s network in the main view (from its seed or initial weights),
        closing any scene screen over it; ``back`` makes the scene it came from again."""

        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.back_to_scene = back
        self.refresh_bindings()
        self.set_running(False)
        session = self.prepare(new_session(config))
        self.config = config
        self.problem = config.problem
        self.runner.problem = config.problem.name
        self.runner.stop_epoch = config.options.stop_epoch
        self.runner.replace(session)
        self.start_kernels()
        snap = self.runner.apply(lambda _session: None)  # a Snapshot of the new Session
        self.query_one("#network").border_title = f"network {config.spec.label}"
        self._fill_notes(config.lesson)
        self.restart_recording()
        self.message = message
        self.draw(snap, force=True)
