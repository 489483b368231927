"""What the app sends to the terminal while it trains: at most 60 KB/s at 100x30 running XOR
at the default speed, i.e. FRAME_BUDGET bytes per frame at the default fps.

The first test counts, frame by frame, the bytes Textual would write for each screen update
(what its driver sends a terminal), with the frames driven by the test: deterministic. The
second runs the program in a pseudo-terminal, as a student's SSH session would, and divides
what it wrote while running by the frames it drew (``--stats``).
"""

from __future__ import annotations

import asyncio
import json

from rich.console import Console
from textual._compositor import CompositorUpdate

from tests.helpers import CURSOR_HOME, UPDATES_SHOWN, Typing, run_in_terminal
from tests.test_app import xor_app
from tui_backprop.core.config import AppOptions

#: 60 KB/s at the default frames per second.
FRAME_BUDGET = 60_000 / AppOptions().fps
#: Frames measured: a multiple of the loss plot's redraw interval (every 5th frame at 15 fps).
FRAMES = 30


def bytes_per_frame(size: tuple[int, int] = (100, 30), frames: int = FRAMES) -> float:
    """Mean bytes a frame sends while XOR runs at the default speed, in truecolor (the
    longest colour codes), after a few frames to settle."""
    console = Console(color_system="truecolor", force_terminal=True, width=size[0])
    sent: list[int] = []

    async def scenario() -> float:
        app = xor_app()

        def display(screen, renderable) -> None:
            if isinstance(renderable, CompositorUpdate):
                sent.append(len(renderable.render_segments(console).encode()))

        app._display = display  # type: ignore[method-assign]
        async with app.run_test(size=size) as pilot:
            if app.warming is not None:
                await asyncio.to_thread(app.warming.join, 120)
            await pilot.pause()
            assert app.runner.session.kernels_ready
            await pilot.press("space")
            assert app.running
            for _ in range(5):
                app.advance_frame()
                await pilot.pause()
            sent.clear()
            for _ in range(frames):
                app.advance_frame()
                await pilot.pause()
            assert app.runner.session.updates >= frames * AppOptions().speed
            return sum(sent) / frames

    return asyncio.run(scenario())


def test_a_running_frame_stays_within_the_budget():
    per_frame = bytes_per_frame()
    assert per_frame <= FRAME_BUDGET, f"{per_frame:.0f} bytes a frame (budget {FRAME_BUDGET:.0f})"


def test_a_running_frame_at_the_lecture_size_stays_within_twice_the_budget():
    # More cells, more numbers: the same order of what changes per frame.
    per_frame = bytes_per_frame(size=(160, 45))
    assert per_frame <= 2 * FRAME_BUDGET, f"{per_frame:.0f} bytes a frame"


def test_the_program_in_a_terminal_sends_within_the_budget(tmp_path):
    stats = tmp_path / "stats.json"
    chunks: list[tuple[float, bytes]] = []
    # Quit once 30 frames' changes were drawn after the status line showed updates: many
    # running frames, however long the kernels took to load or compile.
    code, output = run_in_terminal(
        "--run",
        "--stats",
        str(stats),
        size=(100, 30),
        chunks=chunks,
        timeout=300,
        type_when=Typing(CURSOR_HOME, b"q", times=30, after=UPDATES_SHOWN),
    )
    assert code == 0
    frames = json.loads(stats.read_text())["frames"]
    seen, after, started = 0, 0, False
    for _, chunk in chunks:  # from the chunk after the one that first said RUNNING
        if started:
            after += len(chunk)
        seen += len(chunk)
        started = started or b"RUNNING" in output[:seen]
    assert frames >= 20  # (the cursor goes home more often than once a frame)
    per_frame = after / frames
    assert per_frame <= FRAME_BUDGET, f"{per_frame:.0f} bytes a frame over {frames} frames"
