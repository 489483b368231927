"""The status line's setup line at 80 columns: long setups give up whole words, lower
priority first, and keep the seed."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from tests.test_app import xor_app
from tests.test_lecture_layout import on_screen
from tui_backprop.app.app import BackpropApp
from tui_backprop.app.config import AppConfig
from tui_backprop.app.widgets.status import status_text
from tui_backprop.core.config import TrainingConfig
from tui_backprop.core.problems import make_problem
from tui_backprop.core.spec import NetworkSpec

#: `--optimizer rmsprop --weight-decay 0.001 --batch-size 2 --cost cross-entropy
#: --activation tanh --seed 123456`
RMSPROP = TrainingConfig(seed=123456, optimizer="rmsprop", weight_decay=0.001, batch_size=2)
#: What the README's `small.show()` opens: scikit-learn's sgd with Nesterov's momentum,
#: alpha 0.0001 over batches of 32, a seed of up to ten digits.
ESTIMATOR = TrainingConfig(
    seed=4294967295, optimizer="nesterov", alpha=0.1, weight_decay=0.0001 / 32, batch_size=32
)


def rmsprop_app() -> BackpropApp:
    spec = NetworkSpec.build(2, (3,), 1, activation="tanh", cost="cross-entropy")
    return xor_app(settings=RMSPROP, spec=spec)


def estimator_app() -> BackpropApp:
    problem = dataclasses.replace(make_problem("moons"), name="BackpropClassifier")
    spec = NetworkSpec.build(2, (8,), 1, activation="relu", cost="cross-entropy")
    return BackpropApp(AppConfig(problem=problem, spec=spec, settings=ESTIMATOR, step_mode=True))


#: The short names the setup line may use: cross-entropy, sigmoid, linear.
SHORT_NAMES = {"cross-entropy": "ce", "sigmoid": "sig", "linear": "lin"}


def whole_setup(snap) -> str:
    """The setup line with room for all of it."""
    return status_text(snap, "PAUSED", 50).plain.split("\n")[0]


def whole_words(line: str, snap) -> None:
    """Every word of ``line`` is one of the whole setup line's, or a short form of one."""
    full = whole_setup(snap).split()
    rule = snap.rule
    allowed = set(full) | set(SHORT_NAMES.values()) | {f"b{snap.batch_size}"}
    allowed |= {"/".join(SHORT_NAMES.get(a, a) for a in word.split("/")) for word in full}
    if rule is not None and rule.weight_decay:
        allowed.add(f"{rule.weight_decay:.3g}")
    assert "…" not in line
    assert set(line.split()) <= allowed, (line, set(line.split()) - allowed)


@pytest.mark.parametrize("make", [rmsprop_app, estimator_app])
@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
def test_a_long_setup_keeps_its_seed_and_whole_words(make, size):
    async def scenario():
        app = make()
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            lines = on_screen(app)
            at = next(i for i, line in enumerate(lines) if " PAUSED " in line)
            setup = lines[at - 1].strip()
            snap = app.runner.latest()
            assert setup.endswith(f"seed {snap.seed}"), setup
            assert setup.startswith(snap.problem)
            whole_words(setup, snap)
            if size[0] >= 160:  # room for all of it
                assert setup == whole_setup(snap).strip()
            else:
                assert "λ" in setup and snap.rule.optimizer in setup and "α 0.1" in setup

    asyncio.run(scenario())


def test_the_setup_gives_up_its_parts_in_order_at_every_width():
    """From the whole line down to the shortest form, each width shows the longest form
    that fits: the layer sizes (the network panel's title) go before a name is shortened,
    the cost's name is shortened before the activations', the seed always stays."""
    from tui_backprop.app.widgets.status import setup_forms

    async def scenario():
        app = estimator_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            snap = app.runner.latest()
            forms = [form.plain for form in setup_forms(snap)]
            for width in range(len(forms[-1]), len(forms[0]) + 2):
                line = status_text(snap, "PAUSED", 50, width=width).plain.split("\n")[0]
                assert len(line) <= width and line.endswith(f"seed {snap.seed}"), line
                whole_words(line, snap)
                assert line == next(f for f in forms if len(f) <= width)
                words = line.split()
                # SHORTENINGS' order: each shortening shows only after those before it
                if "ce" in words:
                    assert "2-8-1" not in words and "online" not in words
                if "relu/sig" in words:
                    assert "cross-entropy" not in words
                if "b32" in words:
                    assert "relu/sigmoid" not in words
                if "λ" not in words:
                    assert not any("relu" in word for word in words)

    asyncio.run(scenario())


def test_a_steeper_sigmoid_says_its_beta_beside_the_activations():
    """--beta 2.5 scales the sigmoid's z: the setup line says β 2.5 with the activations
    (at 160 columns), and not for a network without a sigmoid."""

    async def scenario(spec: NetworkSpec) -> str:
        app = xor_app(spec=spec)
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            return whole_setup(app.runner.latest())

    steep = NetworkSpec.build(2, (3,), 1, activation="tanh", beta=2.5)
    assert "tanh/sigmoid β 2.5 " in asyncio.run(scenario(steep))
    linear = NetworkSpec.build(2, (3,), 1, activation="tanh", output_activation="linear")
    assert "β" not in asyncio.run(scenario(dataclasses.replace(linear, beta=2.5)))


@pytest.mark.parametrize("name, problem", [("xor", "xor"), ("neuron", None), ("sine", "sine")])
def test_the_status_line_gives_the_accuracy_for_zero_one_targets(name, problem):
    """XOR's and the neuron's 0/1 targets: "acc N%", the share of examples whose outputs
    are on their target's side of 0.5 (the neuron starts with every output above 0.5,
    every target 0: 0%); sine's targets are not 0/1: no accuracy. A short message takes
    the accuracy's place rather than the setup line's."""
    import numpy as np

    from tests.test_scenes import lesson_app

    async def scenario():
        if problem == "sine":
            spec = NetworkSpec.build(1, (3,), 1, output_activation="linear")
            app = xor_app(problem="sine", spec=spec)
        else:
            app = xor_app() if name == "xor" else lesson_app("neuron")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("n")
            app.say("")  # n's note gone: a message takes the accuracy's place at 80 columns
            await pilot.pause()
            snap = app.runner.latest()
            line = next(line for line in on_screen(app) if "PAUSED" in line)
            if problem == "sine":
                assert "acc" not in line
                return
            correct = (snap.outputs > 0.5) == (snap.targets > 0.5)
            share = float(np.all(correct, axis=1).mean())
            assert f"acc {share:.0%}" in line, line
            if name == "neuron":
                assert share == 0.0
            app.say("stepped: example 4")  # a key's short note, at the progress line's end
            await pilot.pause()
            lines = on_screen(app)
            at = next(i for i, line in enumerate(lines) if "PAUSED" in line)
            assert lines[at].rstrip(" │").endswith("stepped: example 4"), lines[at]
            assert "acc" not in lines[at] and "seed" in lines[at - 1]

    asyncio.run(scenario())


def test_a_message_with_no_room_to_say_anything_leaves_the_speed_in_place():
    """Cut to fit a narrow line, a message keeps whole words and at least a few cells;
    with less room than that it would say nothing ("s…"), and the speed stays instead."""
    from tests.test_network_view import random_snapshot
    from tui_backprop.app.widgets.status import MESSAGE_GAP, MESSAGE_ROOM

    snap = random_snapshot(2, 3, 1)
    message = "seed 154: space trains it, escape goes back to the restarts"
    full = status_text(snap, "PAUSED", 50, "", None, None).plain.split("\n")[1]
    progress = full[: full.index("  speed")]
    for room in range(0, 30):
        width = len(progress) + len(MESSAGE_GAP) + room
        second = status_text(snap, "PAUSED", 50, message, None, width).plain.split("\n")[1]
        if room < MESSAGE_ROOM:
            assert second == full[:width] or second == full, (room, second)
            assert "seed 154" not in second
        else:
            kept = second[len(progress) + len(MESSAGE_GAP) :]
            assert kept.endswith("…") and message.startswith(kept[:-1].rstrip(" ,;:·")), kept
            assert len(kept) >= 2


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
def test_a_message_after_the_loss_is_set_apart_without_bold_or_colour(size):
    """r's message ends the progress line: in the speed's place at 80 columns, right after
    the bold loss, and after the speed at 160. A "·" stands between them, in no bold, so
    the loss and the bold message do not read as one run of bold text."""
    from tui_backprop.app.widgets.formatting import loss_text
    from tui_backprop.app.widgets.status import StatusLine

    async def scenario():
        app = xor_app()
        async with app.run_test(size=size) as pilot:
            await pilot.press("r")
            app.query_one(StatusLine).message_to_the_end()  # as it is after a few seconds
            await pilot.pause()
            message = app.message
            assert message.startswith("new seed")
            line = next(line for line in on_screen(app) if "PAUSED" in line)
            loss = f"loss {loss_text(app.runner.latest().loss)}"
            assert loss in line and message in line, line
            between = line[line.index(loss) + len(loss) : line.index(message)]
            assert between.rstrip().endswith("·"), between
            text = app.query_one(StatusLine)._text
            dot = text.plain.rindex("·", 0, text.plain.index(message, text.plain.index("\n")))
            bold = [s for s in text.spans if "bold" in str(s.style) and s.start <= dot < s.end]
            assert not bold, bold

    asyncio.run(scenario())
