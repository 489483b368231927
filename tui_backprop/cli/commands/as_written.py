"""``--as-written`` (on ``train --lesson NAME`` and ``lesson NAME``): run a seed lesson's
tutorial code as written, slips included, and say where it differs from the lesson.

``train --lesson NAME --as-written --json`` prints the keys ``train --json`` prints, with
the tutorial's own cost as the loss, and adds ``as_written``: the tutorial, its cost, what
its code prints, its differences from the lesson and where the transcription had to
change the code to run.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from ...core.config import UpdateRule
from ...core.errors import InputError
from ...core.history import thinned_curve
from ...core.problem import accuracy
from ...io.build import build_setup
from ...io.files import json_number, to_json_lists
from ...io.lessons import LESSON_DIR
from ...io.resume import rule_keys
from ...teach import errata, tutorials
from ..options import given, option_name
from ..report import largest_weight, network_keys
from ..wrap import fit

if TYPE_CHECKING:
    from ..main import Invocation

#: The options --as-written takes: the XOR draws' seed and the number of epochs.
TAKES = {"training.seed", "training.epochs", "app.stop_epoch"}


def check_as_written(call: Invocation) -> str:
    """The seed lesson's name, or InputError: no lesson, a lesson without tutorial code,
    or an option that would change the tutorial's own settings."""
    lesson = call.lesson
    command = call.args.command
    if lesson is None:
        raise InputError("--as-written needs a --lesson NAME")
    shipped = lesson.path.parent == LESSON_DIR
    if not shipped or lesson.name not in tutorials.AS_WRITTEN:
        which = ", ".join(tutorials.AS_WRITTEN)
        raise InputError(
            f"lesson {lesson.name} has no tutorial code to run as written (these do: {which})"
        )
    if command == "train" and lesson.name not in tutorials.NETWORK_LESSONS:
        raise InputError(
            f"lesson {lesson.name} is not a network: "
            f"`tui-backprop lesson {lesson.name} --as-written` runs its code"
        )
    for section, fields in given(call.args).items():
        for name in fields:
            field = f"{section}.{name}"
            if field not in TAKES:
                raise InputError(
                    f"--as-written runs the tutorial's own settings: {option_name(field)} "
                    "cannot change them (it takes only --epochs and --seed)"
                )
    return lesson.name


def run_as_written(call: Invocation) -> int:
    name = check_as_written(call)
    if name == "descent":
        x, steps, printed = tutorials.descent_as_written()
        print_descent(x, steps, printed)
        return 0
    setup = build_setup(call.run)
    session = setup.session
    assert session is not None
    net = session.network
    fields = given(call.args)
    epochs = fields.get("training", {}).get("epochs") or fields.get("app", {}).get("stop_epoch")
    started = time.perf_counter()
    written = tutorials.run_as_written(
        name, net.weights(), net.biases() if setup.spec.bias else None, epochs
    )
    seconds = time.perf_counter() - started
    if getattr(call.args, "json", False):
        print(json.dumps(json_document(call, written, seconds), allow_nan=False))
    else:
        print(human_text(name, written))
    return 0


def json_document(call: Invocation, written: tutorials.WrittenRun, seconds: float) -> dict:
    """``train --json``'s keys for a run as written."""
    setup = build_setup(call.run, make_session=False)
    st, problem = setup.settings, setup.problem
    # The cost after each update (epoch 1, 2, ...), thinned as train's loss_curve is.
    losses = written.losses[1:]
    epochs, curve = thinned_curve(np.arange(1, len(losses) + 1), losses)
    document: dict[str, Any] = {
        **network_keys(setup),
        # The tutorials' code makes plain gradient-descent steps: sgd at their alpha.
        **rule_keys(UpdateRule(alpha=written.alpha, momentum=0.0, optimizer="sgd")),
        "batch_size": problem.n_examples,
        "shuffle": False,
        "seed": st.seed,
        "epochs": written.epochs,
        "updates": written.epochs,
        "examples": problem.n_examples,
        "initial_loss": json_number(written.initial_loss),
        "final_loss": json_number(written.final_loss),
        "diverged": not bool(np.isfinite(written.losses).all()),
        "largest_weight": json_number(largest_weight([*written.weights, *(written.biases or [])])),
        "interrupted": False,
        "outputs": to_json_lists(written.outputs),
        "weights": [to_json_lists(w) for w in written.weights],
        "biases": None if written.biases is None else [to_json_lists(b) for b in written.biases],
        "seconds": seconds,
        "resumed": None,
        "loss_curve": {"epochs": epochs.tolist(), "losses": to_json_lists(curve)},
        "accuracy": accuracy(written.outputs, problem.Y),
        "as_written": {
            "tutorial": written.tutorial,
            "cost": written.cost,
            "printed": list(written.printed),
            "differences": [
                {
                    "kind": d.kind,
                    "where": d.where,
                    "written": d.written,
                    "correct": d.correct,
                    "why": d.why,
                }
                for d in errata.DIFFERENCES[written.name]
            ],
            "changes": list(written.changes),
        },
    }
    return document


def difference_lines(name: str) -> list[str]:
    lines = []
    for d in errata.DIFFERENCES[name]:
        lines.append(fit(f"  {d.kind}: {d.where}", indent=4, formulas=True))
        for label, words in (("tutorial", d.written), ("correct", d.correct), ("why", d.why)):
            lines.append(fit(f"    {label:<10}{words}", indent=14, formulas=True))
    return lines


def human_text(name: str, written: tutorials.WrittenRun) -> str:
    lines = [
        f"as written    {written.tutorial}, its code with its slips",
        f"settings      alpha {written.alpha:g}, full batch, {written.epochs} epochs",
        f"its cost      {written.cost}",
        "",
        "what its code prints:",
        *(f"  {line}" for line in written.printed),
        "",
        f"initial loss  {written.initial_loss!r}",
        f"final loss    {written.final_loss!r}",
        "",
        fit(
            f"where it differs from the lesson (`tui-backprop train --lesson {name}` runs "
            "the lesson; w in the app shows both):"
        ),
        *difference_lines(name),
    ]
    if written.changes:
        changes = [fit(f"  - {c}", indent=4) for c in written.changes]
        lines += ["", "changed so the code runs here:", *changes]
    return "\n".join(lines)


def print_descent(x: float, steps: int, printed: tuple[str, ...]) -> None:
    lines = [
        "as written    second tutorial: gradient descent on f(x) = x^4 - 3x^3 + 2",
        f"settings      x0 {tutorials.DESCENT_X0:g}, gamma {tutorials.DESCENT_GAMMA:g}, "
        f"precision {tutorials.DESCENT_PRECISION:g}",
        "",
        "what its code prints:",
        *(f"  {line}" for line in printed),
        f"  ({steps} steps)",
        "",
        "where it differs from the lesson (its code is right; its text is not):",
        *difference_lines("descent"),
    ]
    print("\n".join(lines))
