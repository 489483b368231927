"""Kernels off the event loop: while a (deliberately slow) warm-up is in flight every key
acts at once, keys that train wait and run when the kernels are ready; before that the
Session shows the NumPy reference's numbers, which equal the kernels' to within rounding."""

from __future__ import annotations

import asyncio
import dataclasses
import threading

import numpy as np
from rich.console import Console
from textual._compositor import CompositorUpdate

from tests.helpers import held
from tests.test_scenes import lesson_config
from tui_backprop.app.app import BackpropApp
from tui_backprop.app.screens.gradcheck import GradCheckScreen
from tui_backprop.app.warm import kernel_key
from tui_backprop.app.widgets.status import StatusLine
from tui_backprop.core.session import Session, warm_kernels
from tui_backprop.io.build import build_setup
from tui_backprop.io.lessons import load_lesson


async def kernels_arrive(app: BackpropApp, pilot) -> None:
    """Wait, without blocking the app's loop, for the warm-up thread and its result."""
    if app.warming is not None:
        await asyncio.to_thread(app.warming.join, 60)
    await pilot.pause()


def held_app(lesson: str, release: threading.Event) -> BackpropApp:
    """A lesson's app whose kernels' warm-up waits for ``release`` (a compile in flight)."""
    app = BackpropApp(dataclasses.replace(lesson_config(lesson), step_mode=False))
    real = app.warm_up

    def held(session: Session, settings) -> None:
        release.wait(60)
        real(session, settings)

    app.warm_up = held
    return app


def counting_warm_ups(app, key, warmed: list, release: threading.Event) -> None:
    """Wrap the app's warm-up: each one appends ``key(session)`` to ``warmed``, and every
    one after the first waits for ``release`` (a compile still in flight) before it runs."""
    real = app.warm_up

    def counted(session: Session, settings) -> None:
        warmed.append(key(session))
        if len(warmed) > 1:
            release.wait(60)
        real(session, settings)

    app.warm_up = counted


def test_a_session_before_its_kernels_shows_the_references_numbers():
    setup = build_setup(load_lesson("xor-231").run, make_session=False)
    spec, X, Y = setup.spec, setup.problem.X, setup.problem.Y
    before = Session(spec, X, Y, setup.settings)
    before.kernels_ready = False
    waiting = before.snapshot()
    after = Session(spec, X, Y, setup.settings)
    ready = after.snapshot()
    np.testing.assert_allclose(waiting.outputs, ready.outputs, rtol=1e-13)
    np.testing.assert_allclose(waiting.costs, ready.costs, rtol=1e-12)
    assert abs(waiting.loss - ready.loss) <= 1e-13 * ready.loss
    for m in range(1, spec.n_layers + 1):
        np.testing.assert_allclose(waiting.z[m], ready.z[m], rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(waiting.a[m], ready.a[m], rtol=1e-13)


def test_warm_kernels_leaves_the_real_session_alone():
    setup = build_setup(load_lesson("xor-221").run)
    session = setup.session
    params = session.network.params.copy()
    warm_kernels(session.spec, session.X, session.Y, session.settings)
    np.testing.assert_array_equal(session.network.params, params)
    assert session.updates == 0


def test_keys_act_at_once_while_the_kernels_compile():
    release = threading.Event()
    calls: list[str] = []

    async def scenario() -> None:
        app = BackpropApp(dataclasses.replace(lesson_config("xor-231"), step_mode=False))
        real = app.warm_up

        def slow_warm_up(session: Session, settings) -> None:
            calls.append(session.spec.label)
            release.wait(60)
            real(session, settings)

        app.warm_up = slow_warm_up
        async with app.run_test(size=(100, 30)) as pilot:
            session = app.runner.session
            assert not session.kernels_ready
            assert "compiling the kernels for 2-3-1" in app.message
            alpha = session.alpha
            await pilot.press("plus")  # does not train: acts now
            assert session.alpha == 2 * alpha
            status = str(app.query_one(StatusLine).render())
            assert "compiling kernels" in status  # still said, beside the key's message
            await pilot.press("n")  # trains: waits
            assert session.updates == 0 and "then: n" in app.message
            await pilot.press("space", "space")  # a run queued, then taken back
            assert "run cancelled" in app.message and not app.running
            await pilot.press("r")  # reseeds now
            assert session.seed == 1
            release.set()
            await kernels_arrive(app, pilot)
            assert session.kernels_ready
            assert session.updates == 1  # the waiting n ran, once
            assert app.runner.latest().updates == 1
        assert calls == ["2-3-1"]

    asyncio.run(scenario())


def test_the_warm_up_starts_once_the_screen_saying_so_is_drawn():
    """numba's import and the kernels' loading hold the GIL: the warm-up thread waits until
    the first frame, which says the kernels are compiling, has gone to the terminal."""
    console = Console(color_system=None, force_terminal=True, width=100)
    frames: list[str] = []
    seen_at_start: list[int] = []

    async def scenario() -> None:
        app = BackpropApp(dataclasses.replace(lesson_config("xor-231"), step_mode=False))
        app.warm_up = lambda session, settings: seen_at_start.append(len(frames))

        def display(screen, renderable) -> None:
            if isinstance(renderable, CompositorUpdate):
                with console.capture() as capture:
                    console.print(renderable)
                frames.append(capture.get())

        app._display = display  # type: ignore[method-assign]
        async with app.run_test(size=(100, 30)) as pilot:
            await kernels_arrive(app, pilot)
            assert app.runner.session.kernels_ready

    asyncio.run(scenario())
    assert seen_at_start and seen_at_start[0] >= 1
    assert "compiling the kernels for 2-3-1" in frames[0]


def test_quitting_does_not_wait_for_a_compile():
    started, release = threading.Event(), threading.Event()

    def compiling(session: Session, settings) -> None:
        started.set()
        release.wait(60)

    async def scenario() -> None:
        app = BackpropApp(dataclasses.replace(lesson_config("xor-231"), step_mode=False))
        app.warm_up = compiling
        async with app.run_test(size=(100, 30)) as pilot:
            await asyncio.to_thread(started.wait, 60)  # the compile is under way
            await pilot.press("q")
        assert app.warming is not None and app.warming.is_alive()  # still "compiling"

    asyncio.run(scenario())
    release.set()


def test_a_network_the_process_has_kernels_for_starts_ready():
    warmed: list[str] = []
    release = threading.Event()

    async def scenario() -> None:
        app = BackpropApp(dataclasses.replace(lesson_config("xor-231"), step_mode=False))
        counting_warm_ups(app, lambda session: session.spec.cost, warmed, release)
        async with app.run_test(size=(100, 30)) as pilot:
            await kernels_arrive(app, pilot)
            assert app.runner.session.kernels_ready
            await pilot.press("r")  # same network: same kernels
            assert app.runner.session.kernels_ready
            await pilot.press("c")  # another cost: other kernels, warmed again
            assert not app.runner.session.kernels_ready
            release.set()
            await kernels_arrive(app, pilot)
            assert app.runner.session.kernels_ready
            await pilot.press("c")  # back to the first cost: already here
            assert app.runner.session.kernels_ready
        assert warmed == ["cross-entropy", "mse"]

    asyncio.run(scenario())


def test_a_session_of_another_batch_size_needs_its_own_warm_up():
    """The app's warm-up readies the paths of its Session's batch size only (online, or
    mini-batches): a Session of the same network at another batch size is not ready."""
    setup = build_setup(load_lesson("xor-231").run, make_session=False)
    spec, X, Y, settings = setup.spec, setup.problem.X, setup.problem.Y, setup.settings
    settings = dataclasses.replace(settings, batch_size=1)
    online = kernel_key(Session(spec, X, Y, settings))
    assert online == kernel_key(Session(spec, X, Y, dataclasses.replace(settings, seed=9)))
    two = kernel_key(Session(spec, X, Y, dataclasses.replace(settings, batch_size=2)))
    four = kernel_key(Session(spec, X, Y, dataclasses.replace(settings, batch_size=4)))
    assert online != two == four


def test_a_rule_changed_during_a_warm_up_waits_for_its_own_kernels():
    """O while the start's warm-up (momentum) is still compiling: when that one arrives the
    Session, now nesterov, is not ready; it is when its own warm-up arrives."""
    first, second = threading.Event(), threading.Event()
    warmed: list[str] = []

    async def scenario() -> None:
        app = BackpropApp(dataclasses.replace(lesson_config("xor-231"), step_mode=False))

        def held(session: Session, settings) -> None:
            warmed.append(settings.optimizer)
            (first if settings.optimizer == "momentum" else second).wait(60)

        app.warm_up = held
        async with app.run_test(size=(100, 30)) as pilot:
            session = app.runner.session
            start = app.warming
            assert start is not None
            await pilot.press("O")  # momentum -> nesterov, the start's warm-up in flight
            assert session.rule.optimizer == "nesterov" and not session.kernels_ready
            first.set()  # the momentum warm-up ends, and hands its result over
            await asyncio.to_thread(start.join, 60)
            await pilot.pause()
            assert not session.kernels_ready
            second.set()
            await kernels_arrive(app, pilot)
            assert session.kernels_ready
        assert sorted(warmed) == ["momentum", "nesterov"]

    asyncio.run(scenario())


def test_another_optimizer_warms_its_kernels_off_the_event_loop():
    # O to nesterov needs the rules' kernels: they are warmed in the background with the
    # new rule while keys act; sgd (the momentum kernels) is ready at once.
    release = threading.Event()
    warmed: list[str] = []

    async def scenario() -> None:
        app = BackpropApp(dataclasses.replace(lesson_config("xor-231"), step_mode=False))
        counting_warm_ups(app, lambda session: session.rule.optimizer, warmed, release)
        async with app.run_test(size=(100, 30)) as pilot:
            await kernels_arrive(app, pilot)
            session = app.runner.session
            await pilot.press("O")  # momentum -> nesterov: the rules' kernels
            assert session.rule.optimizer == "nesterov" and not session.kernels_ready
            await pilot.press("n")  # waits for them
            assert session.updates == 0 and "then: n" in app.message
            release.set()
            await kernels_arrive(app, pilot)
            assert session.kernels_ready and session.updates == 1
            await pilot.press("O", "O", "O", "O")  # adagrad, rmsprop, adam, sgd
            assert session.rule.optimizer == "sgd" and session.kernels_ready
        assert warmed == ["momentum", "nesterov"]

    asyncio.run(scenario())


def test_a_long_warm_up_says_once_how_to_compile_ahead():
    release = threading.Event()

    async def scenario() -> list[str]:
        app = held_app("xor-231", release)
        async with app.run_test(size=(100, 30)) as pilot:
            session = app.runner.session
            app._hint(session)  # what the timer calls COMPILE_HINT_AFTER seconds in
            app._hint(session)
            await pilot.pause()
            said = app.message
            assert not app._notifications  # in the status line, over no panel
            release.set()
            await kernels_arrive(app, pilot)
            # The note on the compile is done (the lesson's own message is back before it).
            assert app.message.endswith("kernels ready") and "cache --warm" not in app.message
            return [said]

    messages = asyncio.run(scenario())
    assert sum(m.count("cache --warm") for m in messages) == 1
    assert "compiling the kernels for" in messages[0]


def test_a_scenes_compile_hint_is_in_its_message_line_until_the_kernels_arrive():
    from tui_backprop.app.screens.scene import SceneScreen

    release = threading.Event()

    async def scenario() -> None:
        app = held_app("restarts", release)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SceneScreen)
            app._hint(app.runner.session)
            assert "cache --warm" in screen.message and not app._notifications
            release.set()
            await kernels_arrive(app, pilot)
            assert "cache --warm" not in screen.message

    asyncio.run(scenario())


def test_gradient_check_runs_on_a_copy_and_says_when_the_network_moved_on(monkeypatch):
    import tui_backprop.app.lecture as lecture

    release = threading.Event()
    monkeypatch.setattr(lecture, "check_gradients", held(release, lecture.check_gradients))

    async def scenario() -> tuple[str, str]:
        app = BackpropApp(dataclasses.replace(lesson_config("xor-231"), step_mode=False))
        async with app.run_test(size=(120, 36)) as pilot:
            await kernels_arrive(app, pilot)
            await pilot.press("g")  # the check waits on `release`, on a copy
            assert app.message == "checking gradients…"
            await pilot.press("n")  # acts at once: the Runner is not held
            assert app.runner.session.updates == 1
            release.set()
            while not isinstance(app.screen, GradCheckScreen):
                await pilot.pause()
            return app.screen.title_text, app.message

    title, message = asyncio.run(scenario())
    assert "at epoch 0, update 0" in title and "now update 1" in title
    assert "earlier moment" in message


def test_a_paused_app_writes_nothing():
    """Once drawn and its kernels ready, a paused app sends no byte until it quits."""
    from tests.helpers import Typing, run_in_terminal

    chunks: list[tuple[float, bytes]] = []
    # q five seconds after the status line says the kernels are ready, however long
    # they took to load or compile: past the seconds a message too long for its line
    # shows whole (status.WHOLE_SECONDS, 4 s), whose end redraws it. At 100 columns the
    # ready message fits, so nothing at all is due.
    code, output = run_in_terminal(
        size=(100, 30),
        chunks=chunks,
        timeout=300,
        type_when=Typing(rb"kernels ready", b"q", then_wait=5.0),
    )
    assert code == 0
    ready = output.find(b"kernels ready")
    assert ready >= 0, "the status line never said the kernels were ready"
    end = ready + len(b"kernels ready")
    seen = 0
    after = b""
    for _, chunk in chunks:  # what arrived after the chunk that ended the message
        if seen >= end:
            after += chunk
        seen += len(chunk)
    # Only the app leaving the screen at quit may follow: no redraw of its panels.
    assert b"PAUSED" not in after and b"network" not in after, after[:300]
    assert len(after) < 200, len(after)


#: What O says when it turns the default momentum into nesterov.
O_NESTEROV = "optimizer nesterov: the weights stay, its state starts from zero"


def gated_app(release: threading.Event) -> BackpropApp:
    """The xor-231 lesson's app, its kernels warmed in the background, every warm-up after
    the first waiting for ``release`` (a compile still in flight)."""
    app = BackpropApp(dataclasses.replace(lesson_config("xor-231"), step_mode=False))
    counting_warm_ups(app, kernel_key, [], release)
    return app


def test_a_keys_message_outlasts_the_compile_it_starts():
    """O's message (what changed, and what stays) is said while its kernels load, with a
    note of the compile, and is still there once they are ready."""
    release = threading.Event()

    async def scenario() -> None:
        app = gated_app(release)
        async with app.run_test(size=(160, 45)) as pilot:
            await kernels_arrive(app, pilot)
            assert app.runner.session.kernels_ready
            await pilot.press("O")  # nesterov: its kernels load in the background
            assert not app.runner.session.kernels_ready
            said = O_NESTEROV
            status = str(app.query_one(StatusLine).render())
            assert f"{said} · compiling kernels…" in status
            release.set()
            await kernels_arrive(app, pilot)
            assert app.runner.session.kernels_ready and app.message == said
            status = str(app.query_one(StatusLine).render())
            assert said in status and "compiling" not in status

    asyncio.run(scenario())


def test_o_while_running_says_what_changed_once_the_run_resumes():
    """O pauses a run for the new rule's kernels and resumes it when they are in; the
    resumed run keeps O's message (a run that starts otherwise clears the status line's)."""
    release = threading.Event()

    async def scenario() -> None:
        app = gated_app(release)
        async with app.run_test(size=(160, 45)) as pilot:
            await kernels_arrive(app, pilot)
            await pilot.press("space")
            assert app.running
            await pilot.press("O")  # nesterov: the run waits for its kernels
            assert not app.running and "then: run" in app.message
            release.set()
            await kernels_arrive(app, pilot)
            assert app.running
            said = O_NESTEROV
            assert app.message == said
            await pilot.press("space")

    asyncio.run(scenario())


def test_only_the_compiles_own_words_give_way_to_kernels_ready():
    """A message is taken for the compile's only if it is the one the compile said: a
    key's message that merely holds the word keeps its place, and gets the compile note."""
    release = threading.Event()

    async def scenario() -> None:
        app = gated_app(release)
        async with app.run_test(size=(160, 45)) as pilot:
            await kernels_arrive(app, pilot)
            await pilot.press("O")  # nesterov: its kernels load in the background
            said = "a key's words on compiling, not the compile's"
            app.say(said)
            status = str(app.query_one(StatusLine).render())
            assert f"{said} · compiling kernels…" in status
            release.set()
            await kernels_arrive(app, pilot)
            assert app.runner.session.kernels_ready and app.message == said

    asyncio.run(scenario())


def test_the_lessons_notes_hint_comes_back_once_the_kernels_are_ready():
    """At 80x24 a lesson's notes start hidden, and the status line says t shows them; the
    compile's note replaced that, then "kernels ready" replaced the compile's, and the hint
    was never seen. It comes back with the kernels."""
    release = threading.Event()

    async def scenario() -> None:
        app = held_app("neuron", release)
        async with app.run_test(size=(80, 24)) as pilot:
            assert "compiling the kernels for 1-1" in app.message
            release.set()
            await kernels_arrive(app, pilot)
            assert app.runner.session.kernels_ready
            assert app.message == "lesson neuron: t shows its notes · kernels ready"
            await pilot.press("n")  # a key's own message replaces it, as any message
            assert "t shows its notes" not in app.message

    asyncio.run(scenario())
