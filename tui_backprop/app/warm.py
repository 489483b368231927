"""Kernels off the event loop: the app's Session is usable before its kernels are.

Compiling a network's kernels takes seconds with an empty cache, and loading them from
the cache a few tenths of a second: both too long for a key press. So every new Session
(at the start, after ``a`` or ``c``, a lesson or a restart's seed) starts with
``kernels_ready`` False and its kernels are compiled or loaded in a daemon thread (see
``background``: quitting never waits for a compile)
(``core.session.warm_kernels``, on a throwaway Session). Meanwhile the Session evaluates
with the NumPy reference, so the network, the outputs and the loss show and every key
that does not train acts at once; a key that trains (space, n, e, s, g) is queued, the
status line says what is compiling and what waits, and the queue runs when the kernels
are ready. A network whose kernels this process already has starts ready.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict, replace

from ..core.config import TrainingConfig
from ..core.session import Session, warm_kernels
from ..core.step_state import momentum_path
from .background import in_background
from .host import AppHost
from .screens.scene import SceneScreen

#: At most this many key presses wait for the kernels; more are dropped, and said so.
MAX_WAITING = 16
#: A warm-up still going after this many seconds is a compile, not a load from the cache:
#: the app says once how to compile ahead of time.
COMPILE_HINT_AFTER = 2.0
COMPILE_HINT = "first use: `tui-backprop cache --warm` compiles ahead of time"

#: A warm-up waits at most this long (seconds) for the screen that says it is compiling to
#: be drawn (``start_kernels``).
DRAWN_FIRST_WAIT = 1.0

#: What decides which kernels a run uses: the network's layer sizes, activations, cost
#: and biases, whether its update rule takes the momentum kernels or the rules' ones, and
#: whether it trains online or on mini-batches (a Session's batch size does not change, so
#: the warm-up readies only the paths of its own).
KernelKey = tuple[tuple[int, ...], tuple[str, ...], str, bool, bool, bool]


def kernel_key(session: Session) -> KernelKey:
    spec = session.spec
    return (
        tuple(spec.sizes),
        tuple(spec.activations),
        spec.cost,
        spec.bias,
        momentum_path(session.rule),
        session.batch_size > 1,
    )


class WarmKernelsMixin(AppHost):
    """The app's side of getting kernels ready: mixed into BackpropApp."""

    def _init_kernels(self) -> None:
        self._warm: set[KernelKey] = set()
        self._waiting: list[tuple[str, Callable[[], None]]] = []
        #: The thread getting the latest Session's kernels ready (None before the first).
        self.warming: threading.Thread | None = None
        self._hinted = False
        #: The last message about the compile (``say_compiling``): while it is the status
        #: line's, that line speaks of the compile already; a key's own message does not.
        self._compile_message = ""
        #: A message the compile's replaced, to show again when the kernels are ready.
        self._replaced_message = ""
        #: The warm-up itself, of a Session with the settings it had when the warm-up was
        #: asked for: ``warm_kernels`` (a test puts a slow fake here).
        self.warm_up: Callable[[Session, TrainingConfig], None] = lambda session, settings: (
            warm_kernels(session.spec, session.X, session.Y, settings, every_batch_size=False)
        )

    def prepare(self, session: Session) -> Session:
        """Mark a new Session's kernels as not ready unless this process has them (in step
        mode, for tests, kernels load on first use, as headless)."""
        if not self.config.step_mode and kernel_key(session) not in self._warm:
            session.kernels_ready = False
        return session

    def start_kernels(self, keep_message: bool = False) -> None:
        """Compile or load the current Session's kernels in a thread worker, if needed; the
        status line says so, or with ``keep_message`` keeps the key's message that asked
        for them, the compile noted beside it (``kernel_note``)."""
        session = self.runner.session
        if session.kernels_ready:
            return
        if not keep_message:
            # What it replaces (at start-up, the lesson's "t shows its notes") comes back
            # with the kernels: replaced for good, it was never seen.
            if self.message and self.message != self._compile_message:
                self._replaced_message = self.message
            self.say_compiling(f"compiling the kernels for {session.spec.label}…")
        # What the kernels depend on, read now: a key that changes it meanwhile (O, a rule
        # with kernels of its own) starts a warm-up of its own, and this one must not make
        # the Session ready for kernels it did not compile.
        key = kernel_key(session)
        settings = replace(session.settings, **asdict(session.rule))
        # Importing numba and loading kernels hold the GIL most of the time: begun at once,
        # they slowed the drawing of the screen that says so (at start-up, by about a third
        # of the first frame's time), so the thread waits for that screen to be drawn.
        drawn = threading.Event()
        self.call_after_refresh(drawn.set)

        def warm_up() -> None:
            drawn.wait(DRAWN_FIRST_WAIT)
            if self.is_running:  # not after a quit during the wait
                self.warm_up(session, settings)

        self.warming = in_background(
            self,
            f"kernels {session.spec.label}",
            warm_up,
            lambda _: self._kernels_arrived(session, key),
        )
        if not self._hinted:
            self.set_timer(COMPILE_HINT_AFTER, lambda: self._hint(session))

    def _hint(self, session: Session) -> None:
        """Once, if a warm-up takes long: how to compile ahead of time. In the status line,
        beside the compile's note, which the kernels' arrival replaces; over a scene, in
        its message line, which their arrival clears (a toast lay over a panel)."""
        if self._hinted or session.kernels_ready or session is not self.runner.session:
            return
        self._hinted = True
        screen = self.screen
        if isinstance(screen, SceneScreen):
            screen.tell(f"compiling the kernels · {COMPILE_HINT}", timeout=30)
        if self.message == self._compile_message:
            self.say_compiling(f"{self._compile_message} · {COMPILE_HINT}")
            self.draw(self.runner.latest(), force=True)

    def _kernels_arrived(self, session: Session, key: KernelKey) -> None:
        self._warm.add(key)
        # What the compile's note replaced comes back now or never: not after a later,
        # unrelated compile.
        back, self._replaced_message = self._replaced_message, ""
        if session is not self.runner.session or kernel_key(session) != key:
            return  # replaced or changed meanwhile: that has its own warm-up

        def ready(current: Session) -> None:
            current.kernels_ready = True

        snap = self.runner.apply(ready)
        for screen in self.screen_stack:  # a scene's compile note is done with too
            if isinstance(screen, SceneScreen) and COMPILE_HINT in screen.message:
                screen.show_message()
        waiting, self._waiting = self._waiting, []
        # Said where something waited or the message was about the compile; a key's own
        # message (O's, a's: what changed and how) stays, its compiling note gone.
        if waiting or not self.message or self.message == self._compile_message:
            # for the network the status line names
            self.message = f"{back} · kernels ready" if back and not waiting else "kernels ready"
        self.draw(snap, force=True)
        for _, run in waiting:
            run()

    def say_compiling(self, message: str) -> None:
        """The status line's message, one about the kernels' compile."""
        self.message = self._compile_message = message

    def kernel_note(self, message: str) -> str:
        """The status line's message, with a word on the kernels while they compile."""
        if self.runner.session.kernels_ready or (message and message == self._compile_message):
            return message
        return f"{message} · compiling kernels…" if message else "compiling kernels…"

    def kernels_needed(self, what: str, run: Callable[[], None]) -> bool:
        """True if the kernels are ready; else ``run`` waits for them (as ``what``), the
        status line says so, and False."""
        if self.runner.session.kernels_ready:
            return True
        if len(self._waiting) < MAX_WAITING:
            self._waiting.append((what, run))
        label = self.runner.session.spec.label
        waits = ", ".join(name for name, _ in self._waiting)
        # What waits first: at 80 columns the status line's end is cut off.
        self.say_compiling(f"then: {waits} · compiling the kernels for {label}…")
        self.draw(self.runner.latest(), force=True)
        return False

    def cancel_waiting(self, what: str) -> bool:
        """Drop a waiting ``what`` (space pressed again: no run after all); True if one was."""
        for index, (name, _) in enumerate(self._waiting):
            if name == what:
                del self._waiting[index]
                label = self.runner.session.spec.label
                self.say_compiling(f"{what} cancelled · compiling the kernels for {label}…")
                self.draw(self.runner.latest(), force=True)
                return True
        return False
