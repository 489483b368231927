"""explain: every number equals the reference's, and the update is the kernels' update."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.helpers import random_data, reference_for, run_cli
from tests.test_kernels import networks
from tui_backprop.core.config import OPTIMIZERS, TrainingConfig
from tui_backprop.core.session import Session
from tui_backprop.core.spec import NetworkSpec
from tui_backprop.teach.explain import explain_update, num, val


@settings(max_examples=40, deadline=None)
@given(
    spec=networks(),
    n=st.integers(1, 6),
    batch=st.integers(1, 3),
    seed=st.integers(0, 2**31),
    warm=st.integers(0, 3),
)
def test_explained_numbers_are_the_reference_and_the_kernel_update(spec, n, batch, seed, warm):
    batch = min(batch, n)
    X, Y = random_data(spec, n, np.random.default_rng(seed))
    # The general kernels: one compile serves every architecture drawn (the generated
    # ones, a compile per architecture, are the general ones' bits: test_generate).
    session = Session(
        spec,
        X,
        Y,
        TrainingConfig(
            batch_size=batch, seed=seed % 2**32, shuffle=False, alpha=0.05, momentum=0.5
        ),
        specialized=False,
    )
    session.run_batches(warm)  # a non-zero momentum term from earlier updates
    first = session.batch_in_epoch * batch
    examples = list(range(first, min(first + batch, n)))
    explanation = explain_update(session, examples)

    ref = reference_for(session.network)
    k = examples[0]
    ref.forward(X[k])
    forward = [p for p in explanation.phases if p.kind == "forward"]
    for m in range(1, spec.n_layers + 1):
        np.testing.assert_allclose(forward[m - 1].values["z"], ref.z[m], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(forward[m - 1].values["a"], ref.a[m], rtol=1e-12, atol=1e-12)
    cost = next(p for p in explanation.phases if p.kind == "cost")
    if spec.cost == "mse":  # the explained cross-entropy uses the log form, same value
        assert cost.values["cost"] == pytest.approx(ref.cost(Y[k]), rel=1e-12, abs=1e-12)
    else:
        assert cost.values["cost"] == pytest.approx(ref.cost(Y[k]), rel=1e-9, abs=1e-12)

    # The explained update is the update the kernels make on the same batch.
    session.run_batches(1)
    assert session.last_example == examples[-1]
    for m in range(1, spec.n_layers + 1):
        np.testing.assert_allclose(
            explanation.new_W[m], session.network.W[m], rtol=1e-12, atol=1e-12
        )
        np.testing.assert_allclose(
            explanation.new_b[m], session.network.b[m], rtol=1e-12, atol=1e-12
        )
        np.testing.assert_allclose(
            explanation.step_W[m], session.network.dW[m], rtol=1e-12, atol=1e-12
        )


def test_numbers_read_as_written():
    assert num(-0.5) == "(-0.5)" and val(-0.5) == "-0.5" and val(-0.0) == "0"
    assert num(0.123456) == "0.1235"


def test_explain_cli_text_and_json():
    out = run_cli("explain", "--problem", "xor", "--example", "2", env={"COLUMNS": "200"})
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert ", example 2, after 0 epochs" in text.splitlines()[0]
    two = run_cli("explain", "--batch-size", "2", env={"COLUMNS": "200"}).stdout
    assert ", examples 1, 2, after 0 epochs" in two.splitlines()[0]
    for title in (
        "forward, layer 1",
        "cost",
        "output delta",
        "hidden delta",
        "gradient",
        "update, layer 2",
    ):
        assert title in text
    doc = json.loads(
        run_cli(
            "explain", "--problem", "xor", "--example", "2", "--json", "--cost", "cross-entropy"
        ).stdout
    )
    assert doc["examples"] == [2]
    kinds = [p["kind"] for p in doc["phases"]]
    assert kinds == [
        "forward",
        "forward",
        "cost",
        "output-delta",
        "hidden-delta",
        "gradient",
        "gradient",
        "update",
        "update",
    ]
    assert "cancels" in doc["phases"][3]["formula"]  # why delta^L = a - y
    batch = json.loads(run_cli("explain", "--batch-size", "3", "--example", "3", "--json").stdout)
    assert batch["examples"] == [3, 4, 1]
    assert "batch-mean" in [p["kind"] for p in batch["phases"]]
    bad = run_cli("explain", "--example", "5")
    assert bad.returncode == 2 and "--example" in bad.stderr


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_rule_is_explained_with_the_kernels_numbers(optimizer):
    # A few updates first, so the rule's state (velocity, second, t) is not zero; weight
    # decay on, so that its term shows too.
    spec = NetworkSpec.build(2, (2,), 1)
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    Y = np.array([[0.0], [1.0], [1.0], [0.0]])
    settings = TrainingConfig(
        optimizer=optimizer, alpha=0.05, weight_decay=0.01, batch_size=2, shuffle=False
    )
    session = Session(spec, X, Y, settings)
    session.run_batches(3)
    first = session.batch_in_epoch * 2
    explanation = explain_update(session, [first, first + 1])
    update = next(p for p in explanation.phases if p.kind == "update")
    assert ("g = dC/dw + lambda*w" in update.formula) and (
        optimizer in update.formula or (optimizer == "momentum" and "mu*d_prev" in update.formula)
    )
    assert f"t {session.optimizer_steps + 1}" in update.formula or optimizer != "adam"
    session.run_batches(1)
    for m in (1, 2):
        np.testing.assert_allclose(explanation.new_W[m], session.network.W[m], rtol=1e-12)
        np.testing.assert_allclose(explanation.new_b[m], session.network.b[m], rtol=1e-12)
    # Each line's numbers give its result: d on the line is the kernels' change.
    line = update.lines[0]
    d = float(line.split(" -> ")[0].rsplit(" = ", 1)[1])
    assert d == pytest.approx(explanation.step_W[1][0, 0], rel=1e-3)
    state = explanation.state_W[1]
    assert state is not None
    velocity, second = session.network.velocity, session.network.second
    w0 = 0  # W^1 starts the flat buffers
    np.testing.assert_allclose(state["velocity"].ravel(), velocity[w0 : w0 + 4], rtol=1e-12)
    np.testing.assert_allclose(state["second"].ravel(), second[w0 : w0 + 4], rtol=1e-12)


@pytest.mark.parametrize("batch", [2, 4, 6])
def test_the_mean_gradient_shows_its_sum_term_by_term_in_small_batches(batch):
    """g = (sum of each example's gradient)/B: for B <= 4 the terms are written out, each
    the gradient its example's phase gave; beyond, the sum alone."""
    import re

    spec = NetworkSpec.build(2, (3,), 1)
    X, Y = random_data(spec, 8, np.random.default_rng(3))
    session = Session(spec, X, Y, TrainingConfig(batch_size=batch, seed=1, shuffle=False))
    explanation = explain_update(session, list(range(batch)))
    mean = next(p for p in explanation.phases if p.kind == "batch-mean")
    per_example = [p for p in explanation.phases if p.kind == "gradient"]
    assert len(per_example) == batch * spec.n_layers and mean.lines  # a phase per layer
    for line in mean.lines:
        name, terms, shown = re.fullmatch(r"g\((\S+)\) = (.+)/\d+ = (\S+)", line).groups()
        if batch <= 4:
            parts = terms.removeprefix("(").removesuffix(")").split(" + ")
            assert len(parts) == batch
            values = [float(part.strip("()")) for part in parts]
            assert sum(values) / batch == pytest.approx(float(shown), rel=1e-3, abs=1e-6)
        else:
            assert "+" not in terms


@pytest.mark.parametrize("bias", [True, False])
def test_every_worked_line_names_its_layer_and_a_network_without_biases_has_none(bias):
    """The worked lines name each quantity with its layer (z^1_1 = w^1_11*a^0_1 + b^1_1,
    delta^2_1, w^2_11: ...), so the output's delta^2_1 and a hidden delta^1_1 read apart;
    without biases neither the formula nor a line adds a b."""
    import re

    from tui_backprop.core.problems import make_problem
    from tui_backprop.core.spec import NetworkSpec
    from tui_backprop.teach.explain import explain_update

    problem = make_problem("xor")
    spec = NetworkSpec.build(2, (3,), 1, bias=bias)
    session = Session(spec, problem.X, problem.Y, TrainingConfig(seed=0))
    explanation = explain_update(session, [1])
    named = {
        "forward": r"z\^\d_\d = ",
        "output-delta": r"delta\^2_\d = ",
        "hidden-delta": r"delta\^1_\d = ",
        "update": r"[wb]\^\d_\d+: ",
    }
    seen = set()
    for phase in explanation.phases:
        if phase.kind not in named:
            continue
        seen.add(phase.kind)
        for line in phase.lines:
            assert re.match(named[phase.kind], line), line
            assert re.search(r"\b[wb]\d", line) is None, line  # no layerless w11, b1
            if phase.kind == "forward":
                assert ("b^" in line) == bias, line
        if phase.kind == "forward":
            assert ("+ b^" in phase.formula) == bias
    assert seen == set(named)


#: A quantity's name in a worked line: w, b, z, a, delta, W, also as dC/dw, dC/db; group 2
#: is its layer (w^2_11, dC/db^1_3, sigma(z^1_2)), None where the name has none (w11, dC/dw11).
_NAME = re.compile(r"(?:dC/d|(?<![A-Za-z]))(w|b|z|a|delta|W)(?![A-Za-z])(\^\d+_[\d,]+)?")


def _explained(spec, batch, optimizer, decay, seed):
    """The explained first update of a fresh Session (so its optimizer state is 0, as
    the walk's first update shows it) on a batch of ``batch``."""
    X, Y = random_data(spec, 3, np.random.default_rng(seed))
    rule = TrainingConfig(batch_size=batch, optimizer=optimizer, weight_decay=decay, seed=1)
    session = Session(spec, X, Y, rule, specialized=False)
    return explain_update(session, list(range(batch)))


_walks = given(
    spec=networks(),
    batch=st.integers(1, 2),
    optimizer=st.sampled_from(OPTIMIZERS),
    decay=st.sampled_from([0.0, 0.01]),
    seed=st.integers(0, 2**31),
)


@settings(max_examples=60, deadline=None)
@_walks
@example(  # a saturated cross-entropy output: its cost line is written through z
    spec=NetworkSpec(
        (4, 3, 1, 2, 3), ("linear", "linear", "linear", "sigmoid"), "cross-entropy", 2.5, False
    ),
    batch=1,
    optimizer="sgd",
    decay=0.0,
    seed=3727232,
)
def test_every_line_of_every_phase_names_its_layer(spec, batch, optimizer, decay, seed):
    """Each line of each phase names every w, b, z, a, delta (and dC/dw, dC/db) with its
    layer: layer 1's dC/dw^1_11 and layer 2's dC/dw^2_11 read apart, as their w^1_11 and
    w^2_11 do in the update phases."""
    explanation = _explained(spec, batch, optimizer, decay, seed)
    for phase in explanation.phases:
        for line in phase.lines:
            layerless = [m.group(0) for m in _NAME.finditer(line) if m.group(2) is None]
            assert not layerless, (phase.title, line)


#: A number as the lines write it (0.1379, (-0.1066), 1.295e-6), without its sign: the
#: steps write subtraction as 1-0.9, and a sign is not what this test is about.
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e-?\d+)?")
#: Names in a line (w^1_11, beta1) hold digits that are not numbers.
_NAMED = re.compile(r"(?<![\d.])[A-Za-z]+\d*(?:\^\d+_[\d,]+)?")


def _numbers(text: str) -> list[str]:
    return _NUMBER.findall(_NAMED.sub(" ", text))


def _operands(step: str) -> list[str]:
    """The numbers a step "x = expression = result" is computed from (its expression's)."""
    parts = step.split(" = ")
    return _numbers(" = ".join(parts[1:-1])) if len(parts) > 2 else []


@settings(max_examples=60, deadline=None)
@_walks
# A hidden a of 0.94584 is written with 6 digits, so are the weights of its z's line: the
# decay step uses w as written there (0.562955), not to 4 digits (0.563, never shown).
@example(
    spec=NetworkSpec(sizes=(2, 1, 1), activations=("sigmoid", "sigmoid"), beta=2.5, bias=False),
    batch=1,
    optimizer="sgd",
    decay=0.01,
    seed=27894,
)
def test_every_update_uses_numbers_already_shown(spec, batch, optimizer, decay, seed):
    """The README: "every number is one that is already on screen or one computed a line
    before it". The gradient each update line uses, a weight's or a bias's, is the one its
    parameter's gradient line (one example) or mean line (a batch) showed under the same
    name; and every operand of the mean and update lines' steps is a number shown before
    (by an earlier line, the update's formula, or a step before it)."""
    explanation = _explained(spec, batch, optimizer, decay, seed)
    # What each parameter's gradient is shown as, by name, before the update phases.
    gradients: dict[str, str] = {}
    for phase in explanation.phases:
        if phase.kind == "gradient" and batch == 1:
            for line in phase.lines:
                for part in line.split(";  "):
                    name = re.match(r"dC/d(\S+) = ", part).group(1)
                    gradients[name] = part.rsplit(" = ", 1)[1]
        elif phase.kind == "batch-mean":
            for line in phase.lines:
                name, shown = re.fullmatch(r"g\((\S+)\) = .+ = (\S+)", line).groups()
                gradients[name] = shown
    for m in range(1, spec.n_layers + 1):
        state_W, state_b = explanation.state_W[m], explanation.state_b[m]
        for i in range(spec.sizes[m]):
            expected = [
                (f"w^{m}_{i + 1}{j + 1}", state_W["grad"][i, j]) for j in range(spec.sizes[m - 1])
            ]
            if spec.bias:
                expected.append((f"b^{m}_{i + 1}", state_b["grad"][i]))
            for name, grad in expected:
                assert gradients.get(name) == val(grad), name

    shown: set[str] = set()
    for phase in explanation.phases:
        shown.update(_numbers(phase.formula))
        for line in phase.lines:
            if phase.kind in ("batch-mean", "update"):
                tail = line.partition(": ")[2]
                steps = tail.split(" -> ")[0].split("; ") if phase.kind == "update" else [line]
                known = shown | {"0", "1", "2"}  # as in 1-0.9 and g^2
                for step in steps:
                    missing = [x for x in _operands(step) if x not in known]
                    assert not missing, (phase.title, line, missing)
                    known.add(_numbers(step.rsplit(" = ", 1)[1])[0])  # its result
            shown.update(_numbers(line))
