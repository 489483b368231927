"""The race scene: its surfaces' gradients against finite differences, a race's steps
against core.optimizers' updates, each rule's regime against its own update iterated, the
[race] configuration, and the screen's keys (Pilot, step mode; NO_COLOR and 16 colours)."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import math
import re

import numpy as np
import pytest
from rich.cells import cell_len

from tests.test_colour import forced_mode  # noqa: F401 - a fixture
from tests.test_keys import MAIN_KEYS, screen_keys, session_state
from tests.test_scenes import lesson_app, lesson_config
from tui_backprop.app.app import BackpropApp
from tui_backprop.app.screens.race import RaceMap, RaceScreen, RegimeMap
from tui_backprop.app.widgets.heatmap import Heatmap
from tui_backprop.app.widgets.style import SHADES, app_colour_mode
from tui_backprop.core.config import OPTIMIZERS, RACE_SURFACES, RaceConfig, UpdateRule
from tui_backprop.core.errors import ConfigError
from tui_backprop.core.model import Network
from tui_backprop.core.optimizers import OptimizerState
from tui_backprop.core.problems import make_problem
from tui_backprop.core.spec import NetworkSpec
from tui_backprop.io.build import build_setup
from tui_backprop.io.lessons import LessonError, load_lesson
from tui_backprop.teach.race import (
    GLYPHS,
    LINEAR_RULES,
    Race,
    characteristic,
    curvature,
    linear_rate,
    make_surface,
    network_surface,
    race_json,
    race_rules,
    regime_axes,
    regime_map,
    regime_of,
    shape_at,
    step_formula,
)

FIXED = [s for s in RACE_SURFACES if s != "network"]


def xor_slice():
    """A 2-3-1 network on XOR, sliced through W^1_21 and b^2_1 (seeded weights)."""
    problem = make_problem("xor")
    spec = NetworkSpec.build(2, (3,), 1, cost="cross-entropy")
    net = Network(spec)
    net.initialize(np.random.default_rng(3))
    return network_surface("network", "xor", spec, problem, net.params, ["W1[2,1]", "b2[1]"], 5.0)


def surfaces():
    return [make_surface(RaceConfig(surface=name)) for name in FIXED] + [xor_slice()]


def run(coro):
    return asyncio.run(coro)


# -- the surfaces -------------------------------------------------------------------------
@pytest.mark.parametrize("surface", surfaces(), ids=lambda s: s.name)
def test_gradients_equal_finite_differences(surface):
    rng = np.random.default_rng(0)
    span = surface.hi - surface.lo
    points = [np.array(surface.start)] + [
        surface.lo + 0.1 * span + 0.8 * span * rng.random(surface.dims) for _ in range(4)
    ]
    for point in points:
        grad = surface.gradient(point)
        numeric = np.empty(surface.dims)
        for k in range(surface.dims):
            h = 1e-6 * max(1.0, abs(point[k]))
            up, down = point.copy(), point.copy()
            up[k] += h
            down[k] -= h
            numeric[k] = (surface.loss(up) - surface.loss(down)) / (2 * h)
        # Differences of f near f's size lose about 1e-16 |f| / h to rounding.
        rounding = 1e-9 * max(1.0, abs(surface.loss(point)))
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=rounding, err_msg=point)


@pytest.mark.parametrize("surface", [s for s in surfaces() if s.grid], ids=lambda s: s.name)
def test_the_cost_map_is_the_loss(surface):
    axis, costs = surface.grid(7)
    for i in (0, 3, 6):
        for j in (1, 5):
            point = np.array([axis[i], axis[j]])
            assert costs[i, j] == pytest.approx(surface.loss(point), rel=1e-12, abs=1e-14)


def test_the_not_surfaces_are_nots_cost():
    """NOT: a = sigma(w x + b) at x = 0 (y = 1) and x = 1 (y = 0), mean cost."""
    w, b = 0.7, -1.3
    a0, a1 = 1 / (1 + math.exp(-b)), 1 / (1 + math.exp(-(w + b)))
    mse = make_surface(RaceConfig(surface="not-mse"))
    ce = make_surface(RaceConfig(surface="not-cross-entropy"))
    assert mse.loss(np.array([w, b])) == pytest.approx(((a0 - 1) ** 2 + a1**2) / 4)
    assert ce.loss(np.array([w, b])) == pytest.approx((-math.log(a0) - math.log(1 - a1)) / 2)
    assert mse.start == ce.start == (6.0, 6.0)


# -- the race -----------------------------------------------------------------------------
@pytest.mark.parametrize("surface", surfaces(), ids=lambda s: s.name)
def test_a_race_steps_each_racer_by_its_rule_on_the_gradient(surface):
    config = RaceConfig(surface="quartic", optimizers=OPTIMIZERS)
    rules = race_rules(dataclasses.replace(config, surface=surface.name), surface)
    race = Race(surface, rules, max_steps=25)
    race.step(10)
    race.step(15)
    race.step(5)  # past the cap: nothing more
    for racer, rule in zip(race.racers, rules, strict=True):
        theta = np.array(surface.start, dtype=np.float64)
        state = OptimizerState.zeros(surface.dims)
        path = [theta.copy()]
        for _ in range(25):
            d = state.update(rule, theta, surface.gradient(theta))
            path.append(theta.copy())
        assert racer.steps == 25 and not racer.diverged
        np.testing.assert_array_equal(np.array(racer.path), np.array(path))
        np.testing.assert_array_equal(racer.change, d)
        assert racer.losses == [surface.loss(p) for p in path]


def test_a_racer_that_diverges_stops_and_says_so():
    surface = make_surface(RaceConfig(surface="valley"))
    race = Race(surface, [UpdateRule(alpha=1.0, optimizer="sgd")], max_steps=100)
    race.step(100)
    (racer,) = race.racers
    assert racer.diverged and racer.steps < 100 and race.finished


def test_adams_first_step_is_alpha_a_parameter_whatever_the_gradient():
    """At t = 1, m^ = g and s^ = g^2: d = -alpha g / (|g| + eps); on NOT's mse plateau
    w's gradient is 3e-6 and the step is alpha; b's 2e-8 is near eps, and the step is
    alpha * 2/3."""
    surface = make_surface(RaceConfig(surface="not-mse"))
    g = surface.gradient(np.array(surface.start))
    race = Race(surface, [UpdateRule(alpha=0.1, optimizer="adam")], 10)
    race.step(1)
    (racer,) = race.racers
    np.testing.assert_allclose(racer.change, -0.1 * g / (np.abs(g) + 1e-8), rtol=1e-12)
    assert racer.change[0] == pytest.approx(-0.1, rel=1e-2)
    assert 1e-6 < g[0] < 1e-5 and 1e-8 < g[1] < 1e-7
    text = step_formula(racer)
    assert "adam t=1" in text and "m̂ = g, ŝ = g²" in text and "-0.09" in text


# -- the regime map -----------------------------------------------------------------------
def iterated(optimizer: str, alpha: float, mu: float, lam: float, steps: int = 3000):
    """core.optimizers' own update on f = (lam/2) x^2 from x = 1, v = 0, the state (x and
    what the rule carries to its next step) scaled back to norm 1 after each step, as the
    iteration is linear: (the growth per step over the last half of the run, the signs of
    x over its last 600 steps)."""
    rule = UpdateRule(alpha=alpha, momentum=mu, optimizer=optimizer)
    state = OptimizerState.zeros(1)
    theta = np.array([1.0])
    logs, signs = [], []
    for _ in range(steps):
        state.update(rule, theta, lam * theta)
        norm = math.hypot(theta[0], state.velocity[0])
        if norm == 0.0:
            return 0.0, signs
        logs.append(math.log(norm))
        theta /= norm
        state.velocity /= norm
        signs.append(np.sign(theta[0]))
    half = len(logs) // 2
    return math.exp(sum(logs[half:]) / (len(logs) - half)), signs[-600:]


def seen_kind(signs) -> str:
    changes = sum(a != b for a, b in zip(signs, signs[1:], strict=False))
    return "monotone" if changes == 0 else "flips" if changes == len(signs) - 1 else "rings"


#: alpha lambda past which each rule diverges, at momentum mu.
STABLE_UP_TO = {
    "sgd": lambda mu: 2.0,
    "momentum": lambda mu: 2.0 * (1 + mu),
    "nesterov": lambda mu: 2.0 * (1 + mu) / (1 + 2 * mu),
}


def regime_grid(optimizer: str):
    """(alpha lambda, mu) over a grid, without the pairs at a regime's edge (a double
    root, two roots of nearly one size, a rate of 1), where a finite run cannot tell the
    regimes."""
    for a in (0.05, 0.3, 0.7, 1.2, 1.3, 1.5, 1.8, 2.5, 3.5, 3.9, 4.3):
        for mu in (0.0, 0.3, 0.5, 0.9, 0.99):
            trace, det = characteristic(optimizer, a, mu)
            disc = float(trace * trace - 4 * det)
            roots = sorted(abs(np.roots([1.0, -float(trace), float(det)])))
            if (
                abs(disc) < 0.02
                or (disc > 0 and roots[0] > 0.97 * roots[1] > 0)
                or abs(roots[1] - 1) < 1e-3
            ):
                continue
            yield a, mu


@pytest.mark.parametrize("optimizer", LINEAR_RULES)
@pytest.mark.parametrize("lam", [2.0, 50.0])
def test_the_regime_is_what_the_rules_own_update_does_on_a_quadratic(optimizer, lam):
    """Rate and words against core.optimizers iterated on f = (lam/2) x^2."""
    pairs = list(regime_grid(optimizer))
    assert len(pairs) > 30
    kinds = set()
    for a, mu in pairs:
        alpha = a / lam
        rate = float(linear_rate(optimizer, alpha, mu, lam))
        measured, signs = iterated(optimizer, alpha, mu, lam)
        assert rate == pytest.approx(measured, rel=2e-3), (a, mu)
        assert (rate < 1) == (a < STABLE_UP_TO[optimizer](mu)), (a, mu)
        words = regime_of(UpdateRule(alpha=alpha, momentum=mu, optimizer=optimizer), lam, "convex")
        kind = seen_kind(signs)
        kinds.add(kind if rate < 1 else "diverges")
        if rate > 1:
            assert "diverges" in words, (a, mu, words)
        else:
            assert "diverges" not in words and kind in words.replace("flips sign", "flips")
        assert f"rate {rate:.3g} per step" in words, (a, mu, words)
    expected = {"monotone", "flips", "diverges"} | ({"rings"} if optimizer != "sgd" else set())
    assert kinds == expected


@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9])
def test_nesterov_reaches_the_minimum_in_two_steps_at_alpha_lambda_one(mu):
    lam = 4.0
    rule = UpdateRule(alpha=1 / lam, momentum=mu, optimizer="nesterov")
    state, theta = OptimizerState.zeros(1), np.array([1.0])
    for _ in range(2):
        state.update(rule, theta, lam * theta)
    assert abs(theta[0]) < 1e-12 and abs(state.velocity[0]) < 1e-12
    assert float(linear_rate("nesterov", 1 / lam, mu, lam)) < 1e-6
    assert "rate ≈ 0" in regime_of(rule, lam, "convex")


def test_nesterovs_regime_at_the_lecturers_pair_diverges():
    """alpha lambda = 2, mu = 0.9: r^2 + 1.9 r - 0.9 = 0, |r| = (1.9 + sqrt(7.21)) / 2."""
    rate = float(linear_rate("nesterov", 0.04, 0.9, 50.0))
    assert rate == pytest.approx((1.9 + math.sqrt(7.21)) / 2, rel=1e-12)
    assert "diverges" in regime_of(
        UpdateRule(alpha=0.04, momentum=0.9, optimizer="nesterov"), 50, "convex"
    )
    # heavy-ball momentum at that pair rings down at sqrt(mu)
    assert float(linear_rate("momentum", 0.04, 0.9, 50.0)) == pytest.approx(math.sqrt(0.9))


@pytest.mark.parametrize(
    ("optimizer", "matrix"),
    [
        ("momentum", lambda a, mu: [[1 + mu - a, -mu], [1.0, 0.0]]),  # on (x_k, x_{k-1})
        ("nesterov", lambda a, mu: [[1 - a * (1 + mu), mu * mu], [-a, mu]]),  # on (x, v)
    ],
)
def test_the_rate_is_the_iterations_matrix_spectral_radius(optimizer, matrix):
    for a in (0.1, 0.9, 1.5, 2.5, 3.9):
        for mu in (0.0, 0.5, 0.9, 0.99):
            radius = max(abs(np.linalg.eigvals(np.array(matrix(a, mu)))))
            assert float(linear_rate(optimizer, a / 3.0, mu, 3.0)) == pytest.approx(
                radius, rel=1e-9, abs=1e-12
            )


@pytest.mark.parametrize("optimizer", ["adagrad", "rmsprop", "adam"])
def test_the_adaptive_rules_claim_no_rate(optimizer):
    """Their step divides g by a running root of g^2: ten times the start is not ten
    times the path, so no linear rate exists; none is shown."""
    lam = 2.0
    paths = []
    for x0 in (1.0, 10.0):
        rule = UpdateRule(alpha=0.1, optimizer=optimizer)
        state, theta, path = OptimizerState.zeros(1), np.array([x0]), []
        for _ in range(20):
            state.update(rule, theta, lam * theta)
            path.append(theta[0] / x0)
        paths.append(path)
    assert not np.allclose(paths[0], paths[1], rtol=1e-3)
    words = regime_of(UpdateRule(alpha=0.1, optimizer=optimizer), lam, "convex")
    assert "no fixed rate" in words and "converge" not in words and "diverge" not in words
    with pytest.raises(ValueError):
        linear_rate(optimizer, 0.1, 0.9, lam)


def test_a_concave_curvature_claims_no_convergence():
    """lambda < 0: every linear rule's iterate grows away from the top, and the words say
    concave, not a rate of convergence."""
    for optimizer in LINEAR_RULES:
        for mu in (0.0, 0.9):
            rule = UpdateRule(alpha=0.5, momentum=mu, optimizer=optimizer)
            measured, signs = iterated(optimizer, 0.5, mu, -0.01)
            assert measured > 1 and seen_kind(signs) == "monotone"
            words = regime_of(rule, -0.01, "concave")
            assert "concave" in words and "rate" not in words and "converge" not in words
            shown = float(linear_rate(optimizer, 0.5, mu, -0.01))
            assert shown == pytest.approx(measured, rel=2e-3)


def shown_rate(words: str) -> float | None:
    """The rate or growth factor a regime line gives (1 + 0.00042 read as a sum)."""
    import re

    match = re.search(r"(?:×\(?|rate )(1 [+-] [0-9.e+-]+|[0-9.e+-]+)", words)
    if match is None:
        return None
    text = match.group(1)
    if " " in text:
        one, sign, rest = text.split()
        return 1.0 + float(rest) if sign == "+" else 1.0 - float(rest)
    return float(text)


@pytest.mark.parametrize("lam", [-4.354e-6, -0.01, 2.0])
def test_a_rate_near_1_is_written_on_its_side_of_1(lam):
    """At NOT's start momentum at alpha 4, mu 0.99 grows by 1.00151 a step: three digits
    made that "x(1)". A growth reads as above 1 and a rate below 1 as below, close to it."""
    if lam < 0:
        alphas = np.geomspace(1e-3, 1e5, 400) / abs(lam) * 1e-4
    else:
        alphas = np.linspace(0.001, 4.5, 1500) / lam
    checked = 0
    for optimizer in LINEAR_RULES:
        for mu in (0.0, 0.5, 0.9, 0.99):
            for alpha in alphas:
                rate = float(linear_rate(optimizer, alpha, mu, lam))
                words = regime_of(
                    UpdateRule(alpha=float(alpha), momentum=mu, optimizer=optimizer), lam, "saddle"
                )
                value = shown_rate(words)
                if value is None or abs(rate - 1) < 1e-12:
                    continue
                checked += 1
                assert (value > 1) == (rate > 1) and (value < 1) == (rate < 1), (rate, words)
                assert value == pytest.approx(rate, rel=5e-3), (rate, words)
    assert checked > 1000
    words = regime_of(
        UpdateRule(alpha=4.0, momentum=0.99, optimizer="momentum"), -4.354e-6, "saddle"
    )
    assert "×1.002 a step" in words


@pytest.mark.parametrize("optimizer", ["momentum", "nesterov"])
def test_the_regime_map_spans_converging_and_diverging_pairs(optimizer):
    rates = regime_map(optimizer, 2.0, 40, 20)
    assert rates.shape == (20, 40)
    assert (rates < 1).any() and (rates >= 1).any()
    # mu falls down the rows; the rightmost column (10% past the stable edge) diverges.
    assert (rates[:, -1] >= 1).all()
    alphas, mus = regime_axes(optimizer, 2.0, 40, 20)
    edge = STABLE_UP_TO[optimizer](mus[:, None]) / 2.0
    np.testing.assert_array_equal(rates < 1, alphas[None, :] < edge)


def test_curvature_is_the_hessians_eigenvalue_of_largest_size_with_its_sign():
    valley = make_surface(RaceConfig(surface="valley"))
    assert curvature(valley, (1.0, 2.0)) == pytest.approx(50.0, rel=1e-6)
    quartic = make_surface(RaceConfig(surface="quartic"))
    assert curvature(quartic, (4.0,)) == pytest.approx(120.0, rel=1e-6)
    # f'' = 12 x^2 - 18 x < 0 between the inflection points: the cap's side curves down.
    assert curvature(quartic, (0.75,)) == pytest.approx(12 * 0.75**2 - 18 * 0.75, rel=1e-6)


def test_curvature_at_nots_start_is_negative():
    """NOT's mse surface at (6, 6): the Hessian's eigenvalues are about -4.35e-6 and
    +4.29e-6 (from the loss by central differences here); lambda is the negative one."""
    surface = make_surface(RaceConfig(surface="not-mse"))
    x, h = np.array(surface.start), 1e-2
    hessian = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            e_i, e_j = np.eye(2)[i] * h, np.eye(2)[j] * h
            hessian[i, j] = (
                surface.loss(x + e_i + e_j)
                - surface.loss(x + e_i - e_j)
                - surface.loss(x - e_i + e_j)
                + surface.loss(x - e_i - e_j)
            ) / (4 * h * h)
    eigenvalues = np.linalg.eigvalsh(hessian)
    assert eigenvalues[0] < 0 < eigenvalues[1] and -eigenvalues[0] > eigenvalues[1]
    assert curvature(surface, surface.start) == pytest.approx(eigenvalues[0], rel=1e-2)
    # Eigenvalues of both signs: a saddle, not a cap.
    assert shape_at(surface, surface.start) == "saddle"


def test_the_shape_at_a_point_follows_the_hessians_signs():
    valley = make_surface(RaceConfig(surface="valley"))
    assert shape_at(valley, (1.0, 2.0)) == "convex"
    quartic = make_surface(RaceConfig(surface="quartic"))
    assert shape_at(quartic, (0.75,)) == "concave" and shape_at(quartic, (4.0,)) == "convex"
    rosenbrock = make_surface(RaceConfig(surface="rosenbrock"))
    # f_xx = 2 - 400 (y - 3 x^2), f_yy = 200, f_xy = -400 x: at (0, 1) f_xx = -398 < 0.
    assert shape_at(rosenbrock, (0.0, 1.0)) == "saddle"


# -- the configuration --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"surface": "moon"}, "race.surface"),
        ({"optimizers": ("adam", "adam")}, "race.optimizers"),
        ({"optimizers": ("lbfgs",)}, "race.optimizers"),
        ({"optimizers": ()}, "race.optimizers"),
        ({"alphas": (0.1,)}, "race.alphas"),
        ({"alphas": (0.1, -1.0, 0.1)}, "race.alphas"),
        ({"momentum": 1.0}, "race.momentum"),
        ({"steps": 0}, "race.steps"),
        ({"grid": 1}, "race.grid"),
        ({"surface": "quartic", "y0": 1.0}, "race.y0"),
        ({"x0": 1e9}, "race.x0"),
        ({"params": ("W1[1,1]",)}, "race.params"),
    ],
)
def test_a_bad_race_setting_is_refused_by_name(values, field):
    with pytest.raises(ConfigError) as error:
        RaceConfig(**values)
    assert error.value.field == field


def test_the_race_lesson_reads_its_section(tmp_path):
    race = load_lesson("race").race
    assert race.surface == "not-mse" and race.optimizers == ("momentum", "adam")
    assert race.alphas == (1.0, 0.1)
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "t"\nscene = "race"\n[race]\noptimizers = ["adam", "sgd"]\n')
    assert load_lesson(bad).race.optimizers == ("adam", "sgd")
    bad.write_text('title = "t"\nscene = "race"\n[race]\nalphas = [1.0]\n')
    with pytest.raises(LessonError, match=r"\[race\] alphas: must give one alpha per optimizer"):
        load_lesson(bad)
    bad.write_text(
        'title = "t"\nscene = "race"\n[data]\nproblem = "xor"\n[race]\nsurface = "network"\n'
    )
    with pytest.raises(LessonError, match=r"\[race\] params"):
        load_lesson(bad)


# -- the screen ---------------------------------------------------------------------------
def race_state(screen: RaceScreen) -> tuple:
    return (
        screen.surface_name,
        tuple(screen.active),
        screen.selected,
        tuple(sorted((n, r.alpha, r.momentum, r.beta1, r.rho) for n, r in screen.rules.items())),
        screen.race.steps,
        screen.running,
        screen.show_regime,
        screen.speed,
    )


def test_the_race_scenes_keys():
    async def scenario():
        app = lesson_app("race")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RaceScreen)
            assert screen.active == ["momentum", "adam"] and screen.selected == "momentum"
            # n: every racer one step, together, as a headless race does.
            await pilot.press("n", "n", "n")
            config = load_lesson("race").race
            surface = make_surface(config)
            headless = Race(surface, race_rules(config, surface), config.steps)
            headless.step(3)
            for mine, theirs in zip(screen.race.racers, headless.racers, strict=True):
                assert mine.steps == 3
                np.testing.assert_array_equal(np.array(mine.path), np.array(theirs.path))
            text = str(screen.query_one("#race-table").render())
            assert "adam" in text and "momentum" in text and "step 3 of 400" in text
            # The map shows each racer's glyph.
            marks = set(screen.query_one(RaceMap).marks.values())
            assert {"A", "M"} <= marks
            # + doubles the selected racer's alpha and starts the race again.
            await pilot.press("plus")
            assert screen.rules["momentum"].alpha == 2.0 and screen.race.steps == 0
            assert screen.race.racers[0].rule.alpha == 2.0
            await pilot.press("minus", "minus")
            assert screen.rules["momentum"].alpha == 0.5
            # m cycles mu: 0.9 -> 0.99 -> 0.
            await pilot.press("m", "m")
            assert screen.rules["momentum"].momentum == 0.0
            # x takes the selected racer out; down, x puts nesterov in.
            await pilot.press("x")
            assert screen.active == ["adam"]
            await pilot.press("x")  # the last racer stays
            assert screen.active == ["momentum", "adam"]
            await pilot.press("down", "x", "n")
            assert screen.active == ["momentum", "nesterov", "adam"]
            assert [r.optimizer for r in screen.race.racers] == ["momentum", "nesterov", "adam"]
            assert all(r.steps == 1 for r in screen.race.racers)
            await pilot.press("up", "x", "n")
            assert screen.active == ["nesterov", "adam"]
            assert all(r.steps == 1 for r in screen.race.racers)
            # space runs and pauses (step mode: no timer, the flag only).
            await pilot.press("space")
            assert screen.running
            await pilot.press("space")
            assert not screen.running
            # v shows the regime map in place of the loss plot.
            await pilot.press("v")
            await pilot.pause()
            assert screen.query_one(RegimeMap).display
            # NOT's start curves down (lambda < 0): no rates to map.
            assert screen.query_one(RegimeMap).levels is None
            # f: every surface in turn, back to the first.
            for name in FIXED[1:] + FIXED[:1]:
                await pilot.press("f", "n")
                await pilot.pause()
                assert screen.surface_name == name and screen.race.steps == 1
                if name == "valley":
                    assert screen.query_one(RegimeMap).marks  # nesterov's (alpha, mu)
            assert screen.rules["adam"].alpha == 0.1  # the lesson's alphas again

    run(scenario())


def test_keys_of_other_screens_do_nothing_on_the_race():
    async def scenario():
        app = lesson_app("race")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RaceScreen)
            await pilot.press("n")
            before, network = race_state(screen), session_state(app)
            own = screen_keys(screen)
            for key in (*MAIN_KEYS, "r", "c", "e", "s", "o", "g", "w", "p", "b", "l"):
                if key in own:
                    continue
                await pilot.press(key)
                await pilot.pause()
                assert app.screen is screen, key
                assert race_state(screen) == before, key
                assert session_state(app) == network, key

    run(scenario())


def test_space_runs_the_race_on_its_timer_and_pauses_it():
    async def scenario():
        app = BackpropApp(lesson_config("race"))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RaceScreen)
            await pilot.press("space")
            for _ in range(50):
                await pilot.pause(0.05)
                if screen.race.steps >= 3:
                    break
            await pilot.press("space")
            await pilot.pause()
            steps = screen.race.steps
            assert steps >= 3 and not screen.running
            await pilot.pause(0.3)
            assert screen.race.steps == steps
            # The cost map came from the background: drawn with the racers on it.
            for _ in range(100):
                if screen.grids.get("not-mse") is not None:
                    break
                await pilot.pause(0.1)
            screen.draw()
            assert screen.query_one(RaceMap).levels is not None

    run(scenario())


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
def test_the_race_reads_at_both_sizes(size):
    async def scenario():
        app = lesson_app("race")
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await pilot.press("n", "n")
            await pilot.pause()
            screen = app.screen
            heatmap = screen.query_one(RaceMap)
            assert heatmap.size.width >= 30 and heatmap.size.height >= 8
            table = screen.query_one("#race-table")
            assert table.region.bottom <= size[1] - 1  # above the footer
            wide = size[0] >= 140
            assert screen.query_one(RegimeMap).display == wide or not wide
            if wide:
                assert screen.query_one(RegimeMap).size.width >= 30
                # The notes show beside the race; the arrows still select racers.
                assert screen.query_one("#scene-notes").has_class("-shown")
            await pilot.press("down")
            assert screen.selected == "nesterov"

    run(scenario())


def test_the_race_in_16_colours_and_under_no_color(forced_mode):  # noqa: F811
    async def scenario():
        app = lesson_app("race")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert app_colour_mode(app) == forced_mode
            # f f f: the valley, a bowl (NOT's start curves down: no regime map there).
            await pilot.press("f", "f", "f", "n", "n", "v")
            await pilot.pause()
            screen = app.screen
            for heatmap in screen.query(Heatmap):
                drawn = "".join(heatmap.render_line(y).text for y in range(heatmap.size.height))
                assert drawn and "▀" not in drawn
                assert set(SHADES.strip()) & set(drawn)
            regime = "".join(
                screen.query_one(RegimeMap).render_line(y).text
                for y in range(screen.query_one(RegimeMap).size.height)
            )
            assert "×" in regime and "?" not in regime  # diverging pairs by their glyph
            race = "".join(
                screen.query_one(RaceMap).render_line(y).text
                for y in range(screen.query_one(RaceMap).size.height)
            )
            assert "A" in race and "M" in race  # each racer by its glyph

    run(scenario())


def every_racer_in(screen: RaceScreen) -> None:
    """x on every optimizer not racing yet (the selection moves to the last one added)."""
    for name in OPTIMIZERS:
        if name not in screen.active:
            screen.selected = name
            screen.action_toggle_racer()


def regime_line(screen: RaceScreen) -> str:
    return str(screen.query_one("#race-table").render()).splitlines()[-1]


def test_nesterovs_regime_line_says_it_diverges_as_it_does():
    """The lecturer's steps: the valley (lambda 50), nesterov in at alpha 0.04 (alpha
    lambda = 2), twelve steps. Its y grows by the rate the line gives, and the line says it
    diverges, whole at 80 columns."""

    async def scenario():
        app = lesson_app("race")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RaceScreen)
            await pilot.press("f", "f", "f", "down", "x", "plus", *["n"] * 12)
            await pilot.pause()
            assert screen.surface_name == "valley" and screen.selected == "nesterov"
            assert screen.rules["nesterov"].alpha == pytest.approx(0.04)
            line = regime_line(screen)
            assert line.startswith("regime (nesterov): rate ") and line.endswith("diverges")
            rate = float(line.split("rate ")[1].split()[0])
            (racer,) = [r for r in screen.race.racers if r.optimizer == "nesterov"]
            growth = abs(racer.path[-1][1] / racer.path[-2][1])
            assert rate > 1 and rate == pytest.approx(growth, rel=0.02)
            assert len(line) <= screen.query_one("#race-table").content_region.width
            # The map is nesterov's, its pair in the diverging region.
            regime = screen.query_one(RegimeMap)
            await pilot.press("v")
            await pilot.pause()
            assert "nesterov" in str(screen.query_one("#race-regime-box").border_subtitle)
            (cell,) = [c for c, mark in regime.marks.items()]
            assert not math.isfinite(regime.levels[2 * cell[0], cell[1]])  # drawn as ×

    run(scenario())


def test_at_nots_start_the_regime_says_saddle_not_a_rate_of_convergence():
    """NOT's mse surface at (6, 6) curves down most steeply: lambda < 0, no bowl; it curves
    up the other way (a saddle), and nothing on screen calls it concave."""

    async def scenario():
        app = lesson_app("race")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RaceScreen)
            assert screen.lam < 0
            line = regime_line(screen)
            assert "saddle" in line and "converge" not in line and "monotone" not in line
            await pilot.press("v")
            await pilot.pause()
            box = screen.query_one("#race-regime-box")
            assert str(box.border_subtitle).startswith("saddle")
            assert "concave" not in str(box.border_subtitle) + line
            assert "concave" not in screen.lesson.notes and "a saddle" in screen.lesson.notes
            assert "eig" in str(box.border_title) and f"{screen.lam:.3g}" in str(box.border_title)
            assert screen.query_one(RegimeMap).levels is None  # no rates to map
            assert "moves away" in str(screen.query_one("#race-regime-legend").render())

    run(scenario())


def test_the_race_as_data_is_every_racers_trail():
    import json

    surface = make_surface(RaceConfig(surface="valley"))
    race = Race(surface, race_rules(RaceConfig(surface="valley"), surface), 5)
    race.step(5)
    doc = json.loads(json.dumps(race_json(race)))
    assert doc["surface"] == "valley" and doc["start"] == [-9.0, 1.5]
    assert [r["optimizer"] for r in doc["racers"]] == ["sgd", "momentum", "adam"]
    for entry, racer in zip(doc["racers"], race.racers, strict=True):
        assert entry["steps"] == 5 and entry["rule"]["alpha"] == racer.rule.alpha
        np.testing.assert_array_equal(np.array(entry["path"]), np.array(racer.path))


def test_a_race_on_a_slice_of_the_lessons_network(tmp_path):
    lesson = tmp_path / "slice.toml"
    lesson.write_text(
        'title = "XOR through two parameters"\nscene = "race"\nnotes = "n"\n'
        '[data]\nproblem = "xor"\n[network]\nhidden = 2\n[training]\nseed = 4\n'
        '[race]\nsurface = "network"\nparams = "W1[1,2],b2[1]"\nrange = 4.0\n'
        'optimizers = ["momentum", "rmsprop"]\nsteps = 50\n'
    )

    async def scenario():
        app = BackpropApp(dataclasses.replace(lesson_config(str(lesson)), step_mode=True))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RaceScreen)
            assert screen.surface.names == ("W1[1,2]", "b2[1]")
            assert screen.surfaces[-1] == "network"
            net = app.runner.session.network
            start = (float(net.W[1][0, 1]), float(net.b[2][0]))  # type: ignore[index]
            assert screen.surface.start == start
            await pilot.press("n", "n")
            assert all(r.steps == 2 for r in screen.race.racers)
            assert screen.query_one(RaceMap).levels is not None

    run(scenario())


# -- the command --------------------------------------------------------------------------
def test_race_command_prints_every_racers_trail():
    import json

    from tests.helpers import run_cli

    result = run_cli("race", "--lesson", "race", "--steps", "6", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    config = dataclasses.replace(load_lesson("race").race, steps=6)
    surface = make_surface(config)
    race = Race(surface, race_rules(config, surface), 6)
    race.step(6)
    assert [r["optimizer"] for r in doc["racers"]] == ["momentum", "adam"]
    for entry, racer in zip(doc["racers"], race.racers, strict=True):
        np.testing.assert_array_equal(np.array(entry["path"]), np.array(racer.path))
    text = run_cli("race", "--surface", "valley", "--optimizers", "sgd,adam", "--steps", "9")
    assert text.returncode == 0 and "sgd" in text.stdout and "9 steps" in text.stdout
    bad = run_cli("race", "--optimizers", "adam,lbfgs")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "--optimizers must be one of" in bad.stderr


def test_race_refuses_a_lesson_it_cannot_use_and_says_what_opens_it():
    """race takes race lessons, and another lesson's network only on the network surface:
    a descent lesson, or a network lesson on NOT's surface, is refused as train refuses
    a descent lesson, never raced on the default surface as if no lesson were given."""
    from tests.helpers import run_cli

    descent = run_cli("race", "--lesson", "descent")
    assert descent.returncode == 2 and descent.stdout == ""
    assert descent.stderr == run_cli("train", "--lesson", "descent").stderr.replace(
        "tui-backprop train:", "tui-backprop race:"
    )
    for name, scene, users in (
        ("xor-231", "network", ["train"]),
        ("landscape", "landscape", ["train", "landscape"]),
    ):
        refused = run_cli("race", "--lesson", name)
        assert refused.returncode == 2 and refused.stdout == ""
        (line,) = refused.stderr.splitlines()
        assert line.startswith(
            f"tui-backprop race: error: lesson {name} is a {scene} scene: open it with "
            f"`tui-backprop lesson {name}`, or use its network with "
        )
        for user in users:
            assert f"`tui-backprop {user} --lesson {name}`" in line
        assert line.endswith(
            f"`tui-backprop race --lesson {name} --surface network --params P1,P2`"
        )
    assert run_cli("race", "--lesson", "race", "--steps", "2").returncode == 0


def test_race_params_choose_the_network_surfaces_two_parameters():
    """--params picks the slice through a lesson's network, as landscape's does; it is
    needed for a network of more than two parameters, and only on the network surface."""
    import json

    from tests.helpers import run_cli

    needed = run_cli("race", "--lesson", "xor-231", "--surface", "network")
    assert needed.returncode == 2 and needed.stderr == (
        "tui-backprop race: error: --params is needed: the network 2-3-1 has 13 parameters; "
        "choose two, for example 'W1[1,1],b1[1]'\n"
    )
    args = ["race", "--lesson", "xor-231", "--surface", "network", "--steps", "3"]
    result = run_cli(*args, "--params", "W1[1,2],b2[1]", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    lesson = load_lesson("xor-231")
    setup = build_setup(lesson.run)
    config = RaceConfig(surface="network", params=("W1[1,2]", "b2[1]"), steps=3)
    network = (setup.spec, setup.problem, setup.session.network.params.copy())
    surface = make_surface(config, network)
    assert surface.names == ("W1[1,2]", "b2[1]")
    race = Race(surface, race_rules(config, surface), 3)
    race.step(3)
    for entry, racer in zip(doc["racers"], race.racers, strict=True):
        np.testing.assert_array_equal(np.array(entry["path"]), np.array(racer.path))
    elsewhere = run_cli("race", "--params", "W1[1,1],b1[1]")
    assert elsewhere.returncode == 2 and elsewhere.stderr == (
        "tui-backprop race: error: --params is for the network surface (--surface network), "
        "not not-mse\n"
    )
    missing = run_cli(*args, "--params", "W1[1,1],b3[1]")
    assert missing.returncode == 2 and missing.stderr.endswith(
        "error: --params b3[1] is not in the network 2-3-1\n"
    )


def test_the_race_says_when_the_terminal_is_too_small_and_carries_on():
    async def scenario():
        app = lesson_app("race")
        async with app.run_test(size=(70, 20)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RaceScreen) and screen.has_class("-too-small")
            await pilot.press("n")
            await pilot.resize_terminal(100, 30)
            await pilot.pause()
            assert not screen.has_class("-too-small") and screen.race.steps == 1
            assert screen.query_one(RaceMap).size.width > 20

    run(scenario())


def test_the_loss_plots_ticks_tell_a_plateaus_losses_apart():
    from tui_backprop.app.screens.race import tick_labels

    assert tick_labels([0.01, 0.1, 1.0]) == ["0.01", "0.1", "1"]
    labels = tick_labels([0.2499985, 0.2499975, 0.2499965])
    assert len(set(labels)) == 3 and all(len(label) == 8 for label in labels)  # 6 digits


def test_the_regime_names_no_axis():
    """lambda's direction may be the surface's x or its y (the valley's 50 is y): the
    regime line's words name neither."""
    import re

    from tui_backprop.core.config import OPTIMIZERS, UpdateRule
    from tui_backprop.teach.race import regime_of

    for optimizer in OPTIMIZERS:
        for alpha, lam in ((0.01, 50.0), (0.02, 50.0), (1.0, -4e-6), (0.1, 2.0), (0.04, 50)):
            shape = "convex" if lam > 0 else "saddle"
            words = regime_of(UpdateRule(alpha=alpha, optimizer=optimizer), lam, shape)
            assert not re.search(r"\b[xy]\b", words), words


def test_the_racers_table_keeps_its_height_and_the_map_its_size_as_the_numbers_change():
    """At 80x24, every optimizer racing and selected in turn, from step 0 on: the step
    formula is two lines whatever its numbers, so the table never grows a line and the map
    above it is never sampled again at another size (its scale would change)."""

    async def scenario():
        app = lesson_app("race")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RaceScreen)
            every_racer_in(screen)
            await pilot.pause()
            table = screen.query_one("#race-table")
            heatmap = screen.query_one(RaceMap)
            sizes = {(table.size.height, heatmap.size)}
            width = table.content_region.width
            for _ in OPTIMIZERS:
                for _ in range(3):
                    await pilot.press("n")
                    await pilot.pause()
                    sizes.add((table.size.height, heatmap.size))
                    lines = str(table.render()).splitlines()
                    assert all(len(line) <= width for line in lines), lines
                await pilot.press("down")
                await pilot.pause()
                sizes.add((table.size.height, heatmap.size))
            assert len(screen.race.racers) == len(OPTIMIZERS)
            assert len(sizes) == 1, sizes

    run(scenario())


def test_every_surfaces_map_title_gives_its_axes_and_range_whole_at_160x45():
    """f through every surface at 160x45 (the map beside the loss plot and the regime map):
    the map's border keeps the axes and their range whole (the surface's name goes first
    when the border is too short for both), and the table's first line names the
    surface."""

    async def scenario():
        app = lesson_app("race")
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RaceScreen)
            seen = set()
            for _ in screen.surfaces:
                await pilot.pause()
                screen.draw()
                surface = screen.surface
                first_line = str(screen.query_one("#race-table").render()).splitlines()[0]
                assert f"on {surface.name} (f: next surface)" in first_line
                box = screen.query_one("#race-map-box")
                title = str(box.border_title)
                if surface.dims == 2:
                    assert title.endswith(f"{surface.lo:g}..{surface.hi:g}"), title
                    assert cell_len(title) <= box.size.width - 4, title
                seen.add(surface.name)
                await pilot.press("f")
            assert "not-cross-entropy" in seen and len(seen) == len(screen.surfaces)

    run(scenario())


def test_v_at_a_width_that_shows_both_panels_is_off_the_footer_and_says_why():
    """From WIDE columns the loss plot and the regime map both show: v has nothing to swap,
    leaves the footer and the help, and says so; narrower, it swaps them."""
    from tui_backprop.app.screens.help import help_rows
    from tui_backprop.app.screens.race import WIDE

    async def scenario():
        app = lesson_app("race")
        async with app.run_test(size=(WIDE + 20, 45)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RaceScreen)
            assert "v" not in dict(help_rows(screen))
            assert "regime map" not in str(screen.query_one("Footer").render())
            shown = [b.binding.action for b in screen.active_bindings.values() if b.binding.show]
            assert "view" not in shown and "toggle_run" in shown
            await pilot.press("v")
            assert not screen.show_regime and "both show" in screen.message
            await pilot.resize_terminal(100, 30)
            await pilot.pause()
            assert "v" in dict(help_rows(screen))
            await pilot.press("v")
            assert screen.show_regime

    run(scenario())


def test_the_racers_losses_line_up_whatever_their_size():
    """Six digits of a loss can be 11 characters (0.000512326): the d after it starts in
    one column on every racer's line."""

    async def scenario():
        app = lesson_app("race")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RaceScreen)
            every_racer_in(screen)
            for _ in range(screen.race.max_steps):  # until a loss takes 11 characters
                screen.race.step(1)
                lines = [line for line in screen.table().plain.splitlines() if " loss " in line]
                losses = [line.split(" loss ")[1].split()[0] for line in lines]
                if max(len(loss) for loss in losses) == 11:
                    break
            assert max(len(loss) for loss in losses) == 11, losses
            assert len({line.index(" d (") for line in lines}) == 1, lines

    run(scenario())


def test_a_scenes_speed_keys_name_the_speed_and_say_when_it_cannot_change():
    async def scenario():
        app = lesson_app("race")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RaceScreen) and screen.speed == 1
            await pilot.press("less_than_sign")
            assert screen.speed == 1 and screen.message == "already the slowest: 1 step per frame"
            await pilot.press("greater_than_sign")
            assert screen.speed == 2 and screen.message == "2 steps per frame"

    run(scenario())


@pytest.mark.parametrize(
    "args",
    [
        ("--surface", "rosenbrock", "--alphas", "1,1,1"),
        ("--surface", "quartic", "--alphas", "10,10,10"),
        ("--optimizers", "adam", "--alphas", "1e10"),
        ("--alphas", "1e308,1e308,1e308"),
    ],
)
def test_a_racer_that_diverges_is_recorded_in_valid_json_with_its_true_loss(args):
    """A racer that leaves [-1e6, 1e6] is recorded as diverged, with why, and with its
    loss where that is finite (NOT's mse is 0.25 far out, Rosenbrock's some 1e40), the
    same the surface computes there; the text says the point left the bounds."""
    import json

    from tests.helpers import run_cli

    result = run_cli("race", *args, "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    surface = make_surface(RaceConfig(surface=doc["surface"]))
    diverged = [r for r in doc["racers"] if r["diverged"]]
    assert diverged
    for racer in diverged:
        assert racer["diverged_why"] == "the point left [-1e6, 1e6]"
        last = np.array(racer["path"][-1], dtype=np.float64)
        assert np.max(np.abs(last)) > 1e6
        with np.errstate(all="ignore"):
            expected = surface.loss(last)
        assert racer["losses"][-1] == pytest.approx(expected, rel=1e-12)
    text = run_cli("race", *args, env={"COLUMNS": "200"}).stdout
    lines = [line for line in text.splitlines() if "diverged at step" in line]
    assert len(lines) == len(diverged)
    assert all("loss inf" not in line and "the point left [-1e6, 1e6]" in line for line in lines)


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
def test_every_racer_shows_at_the_start_where_they_all_are(size):
    """All six racers start at one point: the map draws each glyph (the later ones
    beside the first), and the loss plot and the quartic's curve draw their glyphs side
    by side, in the racers' order, where one glyph covered the others."""
    from tui_backprop.app.screens.race import CurvePlot, LossPlot

    glyphs = "".join(GLYPHS[name] for name in OPTIMIZERS)

    def plot_lines(plot) -> list[str]:
        return str(plot.render()).splitlines()

    async def scenario():
        app = lesson_app("race")
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            screen = app.screen
            await pilot.press("up", "x", "down", "down", "x", "down", "x", "down", "x")
            await pilot.pause()
            assert screen.active == list(OPTIMIZERS) and screen.race.steps == 0
            marks = screen.query_one(RaceMap).marks
            assert sorted(mark for mark in marks.values() if mark.isupper()) == sorted(glyphs)
            assert any(glyphs in line for line in plot_lines(screen.query_one(LossPlot)))
            await pilot.press("f", "f")  # the quartic, one variable: a curve
            await pilot.pause()
            assert screen.surface_name == "quartic" and screen.race.steps == 0
            assert any(glyphs in line for line in plot_lines(screen.query_one(CurvePlot)))
            assert any(glyphs in line for line in plot_lines(screen.query_one(LossPlot)))

    run(scenario())


def test_a_hessian_that_is_not_finite_tells_no_shape_and_no_rate():
    """Where the gradient is not finite around a point, the Hessian tells nothing: the
    shape is "not finite" (as the race says of a loss), not "flat", and the regime line
    claims no rate."""
    valley = make_surface(RaceConfig(surface="valley"))
    for bad in (math.nan, math.inf):
        surface = dataclasses.replace(valley, gradient=lambda t, bad=bad: np.full(2, bad))
        assert shape_at(surface, surface.start) == "not finite"
        assert math.isnan(curvature(surface, surface.start))
        rule = UpdateRule(alpha=0.1, momentum=0.9, optimizer="momentum")
        words = regime_of(rule, curvature(surface, surface.start), "not finite")
        assert "not finite" in words and "rate" in words and "per step" not in words


def test_the_race_reads_the_hessian_at_its_start_once_per_surface(monkeypatch):
    """One Hessian gives the start's lambda and its shape: read once when the race
    opens and once for each surface f brings."""
    import tui_backprop.teach.race as teach

    calls = []
    original = teach.hessian_eigenvalues

    def counted(surface, point):
        calls.append(surface.name)
        return original(surface, point)

    monkeypatch.setattr(teach, "hessian_eigenvalues", counted)

    async def scenario():
        app = lesson_app("race")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert calls == ["not-mse"]
            await pilot.press("f", "n", "f")
            await pilot.pause()
            assert calls == ["not-mse", "not-cross-entropy", "quartic"]

    run(scenario())


def test_the_race_says_when_the_hessian_at_its_start_is_not_finite(monkeypatch):
    """A surface whose gradient is not finite at the start: the regime map and line say
    the Hessian there is not finite, and map no rates."""
    import tui_backprop.app.screens.race as screen_module

    def broken(config, network=None):
        surface = make_surface(config, network)
        return dataclasses.replace(surface, gradient=lambda t: np.full(surface.dims, np.nan))

    monkeypatch.setattr(screen_module, "make_surface", broken)

    async def scenario():
        app = lesson_app("race")
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert screen.shape == "not finite" and math.isnan(screen.lam)
            box = screen.query_one("#race-regime-box")
            assert "not finite" in str(box.border_subtitle)
            assert screen.query_one(RegimeMap).levels is None
            table = str(screen.query_one("#race-table").render())
            assert "regime (momentum): no rate: the Hessian at ○ is not finite" in table

    run(scenario())


def _y_labels(lines: list[str]) -> list[tuple[int, float]]:
    """(row, value) of each labelled row of a plotext plot's left axis."""
    labelled = [(row, re.match(r"\s*(-?[\d.]+)\s*┤", line)) for row, line in enumerate(lines)]
    return [(row, float(match[1])) for row, match in labelled if match]


def _quartic_loss_plot(size: tuple[int, int]) -> list[str]:
    """The loss plot's lines after every racer's 40 steps on the quartic (losses below 0:
    a linear axis; the lines end in one cell near the minimum)."""
    from tui_backprop.app.screens.race import LossPlot

    async def scenario() -> list[str]:
        app = lesson_app("race")
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            screen = app.screen
            every_racer_in(screen)
            await pilot.press("f", "f")
            assert screen.surface_name == "quartic"
            await pilot.press(*["n"] * 40)
            await pilot.pause()
            assert min(min(r.losses) for r in screen.race.racers) < 0
            return str(screen.query_one(LossPlot).render()).splitlines()

    return run(scenario())


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (160, 45)])
def test_the_quartics_loss_plot_labels_its_rows_truly(size):
    """Each y label is the value of the row it sits on: labels linear in the row, one
    round step apart."""
    lines = _quartic_loss_plot(size)
    labels = _y_labels(lines)
    assert len(labels) >= 2, lines
    (top, high), (bottom, low) = labels[0], labels[-1]
    per_row = (low - high) / (bottom - top)
    for row, value in labels:
        assert value == pytest.approx(high + (row - top) * per_row, abs=1e-9), lines
    steps = {round(b - a, 9) for (_, a), (_, b) in itertools.pairwise(labels)}
    assert len(steps) == 1  # one round step between labels


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (160, 45)])
def test_the_quartics_loss_plot_shows_every_racers_letter(size):
    """Lines that end in one cell show their letters side by side: each racer's shows."""
    plot = "\n".join(_quartic_loss_plot(size))
    assert all(GLYPHS[name] in plot for name in OPTIMIZERS), plot
