"""AppHost: what the app's mixins and scene screens may use of the app.

BackpropApp is put together from mixins (``lecture.TeachingMixin``, ``scenes.SceneMixin``)
whose methods use the app's Runner, its draw() and Textual's App methods. For the type
checker each mixin derives from AppHost, a Textual App that declares those attributes, so
mypy checks the mixins' code against them, and checks BackpropApp (an AppHost through its
mixins) against the declarations. At run time AppHost is ``object``: the mixins add nothing
to the app's bases but their own methods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import App
    from textual.screen import Screen

    from ..core.problems import Problem
    from ..core.session import Session
    from ..core.snapshot import Snapshot
    from .config import AppConfig
    from .runner import Runner
    from .widgets.notes import NotesPanel

    class AppHost(App[None]):
        """The attributes and methods of BackpropApp that its mixins and the scene screens
        use (open_config is SceneMixin's; show_next_update and title_explain
        TeachingMixin's; prepare, start_kernels and kernels_needed WarmKernelsMixin's)."""

        config: AppConfig
        problem: Problem
        runner: Runner
        #: Training runs (the timer draws frames); False while paused.
        running: bool
        #: The status line's message.
        message: str

        def draw(self, snap: Snapshot, force: bool = False) -> None: ...

        def set_running(self, running: bool, message: str = "") -> None: ...

        def say(self, message: str) -> None: ...

        def show_next_update(self) -> None: ...

        def title_explain(self, notes: NotesPanel) -> None: ...

        def restart_recording(self) -> None: ...

        def open_config(
            self,
            config: AppConfig,
            message: str = "",
            back: Callable[[], Screen[None]] | None = None,
        ) -> None: ...

        def prepare(self, session: Session) -> Session: ...

        def start_kernels(self, keep_message: bool = False) -> None: ...

        def kernels_needed(self, what: str, run: Callable[[], None]) -> bool: ...

else:
    AppHost = object
