"""The worked lines recompute by hand where the activations saturate: a near 0 or 1
(sigmoid), near +-1 (tanh), where 4 digits of a give 1 - a = 0 and ln(1 - a) = ln 0.

Each statement's numeric expression is evaluated exactly from its printed numbers
(tests/recompute.py). A statement of the forward pass, the cost or the output delta whose
result is a saturated number (a as 1 - 1.954e-13, or with more than 4 digits where 1 - a
needs them, and the z that gives it) gives it to within one unit of its last digit. Any
other gives it to within the 2e-3 that rounding its factors to 4 significant digits can
make: a slope written from a = -1 as 1 - (-1)^2 = 0, or a cost through ln(1 - 1), misses
by far.
"""

from __future__ import annotations

import asyncio
import json
import re
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import run_cli
from tests.recompute import Recomputed, recompute, statements
from tests.test_app import xor_app
from tui_backprop.app.widgets.explain_panel import ExplainPanel
from tui_backprop.core.config import TrainingConfig
from tui_backprop.core.session import Session
from tui_backprop.core.spec import NetworkSpec
from tui_backprop.teach.explain import explain_update

#: The phases whose statements that write a saturated number are exact.
EXACT = ("forward", "cost", "output delta")
#: How far 4-digit factors can take a product of a few of them.
ROUNDED = Decimal("2e-3")


def writes_saturation(statement: str) -> bool:
    """Whether a statement's result is a saturated number: written as 1 - c or -1 + c, or
    with more than 4 significant digits (an a whose 1 - a needs them, the z giving it)."""
    result = statement.rsplit(" = ", 1)[-1]
    if " " in result:
        return True
    return len(result.split("e")[0].lstrip("-").replace(".", "").lstrip("0")) > 4


#: The reported walk: after 200000 epochs of Adam, tanh hidden units and the sigmoid
#: output of example 2 sit at 1 - 6e-8 and 1 - 2e-13.
REPORTED = [
    "--problem",
    "xor",
    "--cost",
    "cross-entropy",
    "--optimizer",
    "adam",
    "--alpha",
    "0.2",
    "--activation",
    "tanh",
    "--after-epochs",
    "200000",
    "--example",
    "2",
]

#: Weights that saturate a 2-3-1 network on XOR's four inputs (|z| up to 40).
SATURATING = {
    "layers": [2, 3, 1],
    "weights": [[[19.0, -19.0], [-22.0, 21.0], [16.0, 16.5]], [[34.0, -33.0, 32.0]]],
    "biases": [[1.0, -1.5, -9.0], [2.5]],
}


def _kind(title: str) -> str:
    """A phase's kind from its title: "hidden delta, layer 1 (example 2)" -> "hidden delta"."""
    return title.split(",")[0].split(" (")[0].strip()


def check_lines(
    titled: list[tuple[str, str]], kinds: tuple[str, ...] | None = None, sums: bool = True
) -> list:
    """Recompute every numeric statement of (phase title, line) pairs, of the phase
    ``kinds`` (all when None; the sums z = W a + b only with ``sums``) and every one that
    writes a saturated number; assert each gives its printed result (see the module's
    docstring); return them."""
    checked = []
    for title, line in titled:
        kind = _kind(title)
        for statement in statements(line):
            result = recompute(statement)
            if result is None:
                continue
            if kind in EXACT and writes_saturation(statement):
                assert result.off_by() <= 1, (title, statement, result.value)
            elif (kinds is None or kind in kinds) and (sums or not statement.startswith("z^")):
                assert result.relative_error() <= ROUNDED, (title, statement, result.value)
            else:
                continue
            checked.append(result)
    return checked


def text_lines(text: str) -> list[tuple[str, str]]:
    """(phase title, line) pairs of ``explain``'s text, its wrapped lines joined."""
    pairs: list[tuple[str, str]] = []
    title = ""
    for line in text.splitlines():
        if line.startswith("== "):
            title = line[3:]
        elif line.startswith("   "):
            pairs.append((title, line.strip()))
    return pairs


def _names(checked: list[Recomputed]) -> set[str]:
    return {r.statement.split(" = ")[0] for r in checked}


def test_the_reported_saturated_walk_recomputes_from_the_command_line():
    out = run_cli("explain", *REPORTED, env={"COLUMNS": "2000"})
    assert out.returncode == 0, out.stderr
    assert "ln(1 - 1)" not in out.stdout and "ln 1 " not in out.stdout
    checked = check_lines(text_lines(out.stdout))
    # every a, z, the cost and every delta were among them
    names = _names(checked)
    for m, size in ((1, 3), (2, 1)):
        for i in range(1, size + 1):
            assert {f"z^{m}_{i}", f"a^{m}_{i}", f"delta^{m}_{i}"} <= names
    assert "C" in names
    # the output is within 1e-12 of 1: written as its distance from 1
    assert "a^2_1 = sigma(z^2_1) = 1/(1 + e^-(" in out.stdout
    assert " = 1 - 1.95" in out.stdout


def test_an_updated_weight_keeps_the_digits_it_was_written_with():
    """A step of 4e-8 on a weight of 7.80019: the new weight is written to as many digits as
    the old (7.80019, not 7.8, which read as a drop of 2e-4)."""
    import re

    out = run_cli("explain", *REPORTED, env={"COLUMNS": "2000"})
    assert out.returncode == 0, out.stderr
    found = re.findall(r"-> \S+ = (\S+) \+ \S+ = (\S+)", out.stdout)
    assert found
    for before, after in found:
        assert len(after.lstrip("-")) >= len(before.lstrip("-")), (before, after)


@pytest.mark.parametrize("cost", ["mse", "cross-entropy"])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_saturated_walks_of_every_example_recompute(tmp_path, cost, activation):
    """Sigmoid outputs near 0 and 1 (a(1 - a) near 0 under mse), hidden units near
    0, 1 or +-1, on each of XOR's four examples (a batch of 4 walks them all)."""
    weights = tmp_path / "saturating.json"
    weights.write_text(json.dumps(SATURATING))
    out = run_cli(
        "explain",
        "--problem",
        "xor",
        "--hidden",
        "3",
        "--cost",
        cost,
        "--activation",
        activation,
        "--init",
        str(weights),
        "--batch-size",
        "4",
        env={"COLUMNS": "2000"},
    )
    assert out.returncode == 0, out.stderr
    checked = check_lines(text_lines(out.stdout))
    assert sum(r.statement.startswith("delta^2_1 = ") for r in checked) == 4
    assert sum(r.statement.startswith("C = ") for r in checked) == 4


def _walk_session(spec: NetworkSpec, weights, biases, batch: int = 1) -> Session:
    from tui_backprop.core.problems import make_problem

    problem = make_problem("xor")
    return Session(
        spec,
        problem.X,
        problem.Y,
        TrainingConfig(batch_size=batch, shuffle=False, seed=0),
        initial=(weights, biases),
    )


@settings(max_examples=60, deadline=None)
@given(
    hidden=st.sampled_from(["sigmoid", "tanh", "relu"]),
    output=st.sampled_from(["sigmoid", "linear"]),
    cost=st.sampled_from(["mse", "cross-entropy"]),
    beta=st.sampled_from([1.0, 2.0]),
    scale=st.floats(5.0, 60.0),
    seed=st.integers(0, 2**31),
)
def test_any_saturated_walk_recomputes(hidden, output, cost, beta, scale, seed):
    """Large random weights (|z| up to a few hundred): every a near its limits."""
    if cost == "cross-entropy":
        output = "sigmoid"
    rng = np.random.default_rng(seed)
    spec = NetworkSpec.build(
        2, (3, 2), 1, activation=hidden, output_activation=output, cost=cost, beta=beta
    )
    weights = [rng.normal(0, scale, size=(spec.sizes[m], spec.sizes[m - 1])) for m in (1, 2, 3)]
    biases = [rng.normal(0, scale / 4, size=spec.sizes[m]) for m in (1, 2, 3)]
    session = _walk_session(spec, weights, biases, batch=4)
    explanation = explain_update(session, [0, 1, 2, 3])
    titled = [(p.title, line) for p in explanation.phases for line in p.lines]
    # the lines of a; the sums z = W a + b and the hidden deltas' sums, of numbers
    # rounded to 4 digits, may cancel where nothing saturates
    checked = check_lines(titled, ("forward", "cost", "output delta"), sums=False)
    assert any(r.statement.startswith("a^") for r in checked)
    assert sum(r.statement.startswith("C = ") for r in checked) == 4


def test_the_apps_walk_and_node_panel_recompute_where_the_output_saturates():
    """The s walk's explain panel (its text as on screen, W²₁₁ and 0.9²), phase by
    phase, and the selected output node's lines."""
    spec = NetworkSpec.build(2, (3,), 1, activation="tanh", cost="cross-entropy")
    weights = [np.array(w) for w in SATURATING["weights"]]
    biases = [np.array(b) for b in SATURATING["biases"]]
    app = xor_app(spec=spec, initial=(weights, biases))
    titled: list[tuple[str, str]] = []
    node_text = ""

    async def scenario():
        nonlocal node_text
        async with app.run_test(size=(160, 50)) as pilot:
            await pilot.press("s")
            await pilot.pause()
            for _ in range(40):
                text = app.query_one(ExplainPanel).text
                lines = text.splitlines()
                title = next(line for line in lines if ":  " in line).split(":  ")[0]
                titled.extend((title, line) for line in lines[1:])
                if "s: next update" in text:
                    break
                await pilot.press("s")
                await pilot.pause()
            await pilot.press("escape")
            for _ in range(6):  # right, to the output node
                await pilot.press("right")
                await pilot.pause()
                node_text = app.query_one(ExplainPanel).text
                if node_text.startswith("node 1 of the output"):
                    break

    asyncio.run(scenario())
    checked = check_lines(titled)
    assert "C" in _names(checked) and "delta²₁" not in _names(checked)
    assert any(r.statement.startswith("delta") for r in checked)
    # the node's a and sigma'(z), as forward lines
    assert node_text.startswith("node 1 of the output"), node_text
    node = [("forward", line) for line in node_text.splitlines()]
    assert len(check_lines(node)) >= 2, node_text


#: An update's "name = old + (d) = new" (the walk's "-> w^1_11 = ...", the panel's "<-").
_CHANGE = re.compile(r"(\S+) (?:=|<-) (\S+) \+ \(?(-?[\d.e-]+)\)? = (\S+)$")


def _shown_changes(lines: list[str]) -> list[tuple[str, str, str, str]]:
    return [m.groups() for line in lines if (m := _CHANGE.search(line.strip()))]


def _change_shows(before: str, d: str, after: str) -> bool:
    """The written change new - old is d to within half of it: it shows, sign and size."""
    return abs((float(after) - float(before)) - float(d)) <= 0.5 * abs(float(d))


def test_a_change_below_the_weights_digits_shows_in_the_walk_and_the_selection_panel():
    """NOT's saturated update: d = -4.755e-5 on w = -0.1494 was written
    -0.1494 + (-4.755e-5) = -0.1494, as if nothing changed. Old and new get the digits
    that show the change; the line still recomputes."""
    from tests.test_scenes import lesson_app, lesson_run
    from tui_backprop.io.build import build_setup

    session = build_setup(lesson_run("not")).session
    explanation = explain_update(session, session.next_batch().tolist())
    lines = [line for phase in explanation.phases if phase.kind == "update" for line in phase.lines]
    changes = _shown_changes(lines)
    assert len(changes) == 2  # w^1_11 and b^1_1
    for name, before, d, after in changes:
        assert abs(float(d)) < 1e-4 and _change_shows(before, d, after), (name, before, after)
    assert check_lines([("update", line) for line in lines])

    async def scenario() -> str:
        app = lesson_app("not")
        async with app.run_test(size=(160, 45)) as pilot:
            for _ in range(4):  # right, to the output node
                await pilot.press("right")
                text = app.query_one(ExplainPanel).text
                if text.startswith("node 1 of the output"):
                    return text
        return ""

    text = asyncio.run(scenario())
    (found,) = _shown_changes([line for line in text.splitlines() if " <- " in line])
    assert found[0] == "b¹₁" and _change_shows(*found[1:]), found
