"""The tutorials' gradient descent, exactly, and the second-derivative and Hessian tests."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.helpers import run_cli
from tui_backprop.core.config import DESCENT_FUNCTIONS, DESCENT_PRESETS
from tui_backprop.teach.descent import (
    SURFACES,
    descend,
    descend_surface,
    diverged_words,
    hessian_test,
    quartic_slope,
    second_derivative_test,
)


def test_descend_prints_the_tutorials_number():
    out = run_cli("descend", "--x0", "4", "--gamma", "0.01", "--precision", "1e-5")
    assert out.returncode == 0, out.stderr
    assert "Local minimum occurs at 2.2500325268933734" in out.stdout.splitlines()
    assert "steps: 42" in out.stdout and "a minimum" in out.stdout
    doc = json.loads(run_cli("descend", "--json").stdout)
    assert doc["point"] == [2.2500325268933734] and doc["steps"] == 42
    assert doc["verdict"] == "minimum" and doc["converged"] is True


@pytest.mark.parametrize("x0", [-1.0, -0.3, -3.0])
def test_a_start_below_0_stops_short_of_the_inflection_point_and_is_not_called_a_minimum(x0):
    result = descend(x0, 0.01, 1e-5)
    x = result.point[0]
    assert result.converged and -0.05 < x < 0
    # the trap: f'' > 0 where the run stopped, and f' is not 0 there
    assert second_derivative_test(x)[0] == "minimum" and quartic_slope(x) < 0
    assert result.verdict == "inflection" and "not a minimum" in result.test
    out = run_cli("descend", "--x0", str(x0), env={"COLUMNS": "200"}).stdout
    assert f"Stopped short of the inflection point at 0, at {x!r}" in out.splitlines()
    assert "an inflection point, not a minimum" in out and "Local minimum" not in out
    assert json.loads(run_cli("descend", "--x0", str(x0), "--json").stdout)["verdict"] == (
        "inflection"
    )


def test_the_inflection_point_itself_and_a_run_that_did_not_converge():
    at_zero = descend(0.0, 0.01, 1e-5)
    assert at_zero.point == (0.0,) and at_zero.verdict == "inflection"
    out = run_cli("descend", "--x0", "0").stdout
    assert "Inflection point occurs at 0.0" in out.splitlines()
    cut = descend(-1.0, 0.01, 1e-5, max_steps=10)
    assert not cut.converged and cut.verdict == "no verdict" and "no test" in cut.test
    out = run_cli("descend", "--x0", "-1", "--max-steps", "10").stdout
    assert f"Stopped at {cut.point[0]!r}" in out.splitlines()
    doc = json.loads(run_cli("descend", "--x0", "-1", "--max-steps", "10", "--json").stdout)
    assert (doc["converged"], doc["stopped_by"], doc["verdict"], doc["test"]) == (
        False,
        "step limit",
        None,
        None,
    )


def test_the_loop_is_the_tutorials():
    """Replays the tutorial's own code (independent of the module) step by step."""
    x_old, x_new, path = 0.0, 4.0, [4.0]
    while abs(x_new - x_old) > 1e-5:
        x_old = x_new
        x_new += -0.01 * (4 * x_old**3 - 9 * x_old**2)
        path.append(x_new)
    result = descend(4.0, 0.01, 1e-5)
    np.testing.assert_array_equal(result.path[:, 0], path)


def test_presets_show_what_they_are_named_for():
    runs = {name: descend(4.0, gamma, 1e-5) for name, gamma in DESCENT_PRESETS.items()}
    assert runs["slow"].converged and runs["slow"].steps > 5 * runs["converge"].steps
    assert runs["converge"].verdict == "minimum"
    path = runs["oscillate"].path[:, 0]
    sides = np.sign(path[1:] - 2.25)
    assert runs["oscillate"].converged and (sides[1:] != sides[:-1]).sum() >= 3
    assert abs(runs["oscillate"].point[0] - 2.25) < 1e-4
    assert runs["diverge"].diverged and not runs["diverge"].converged


@pytest.mark.parametrize(
    "name,expected", [("bowl", "minimum"), ("cap", "maximum"), ("saddle", "saddle")]
)
def test_surfaces_reach_and_classify_their_point(name, expected):
    surface = SURFACES[name]
    result = descend_surface(surface, surface.start, 0.01, 1e-6)
    assert result.converged and result.verdict == expected
    gx, gy = surface.gradient(*result.point)
    assert np.hypot(gx, gy) < 1e-3  # a critical point
    out = json.loads(run_cli("descend", "--function", name, "--json").stdout)
    assert out["verdict"] == expected


def test_hessian_test_cases():
    assert hessian_test(2, 3, 1)[0] == "minimum"
    assert hessian_test(-2, -3, 1)[0] == "maximum"
    assert hessian_test(1, -1, 0)[0] == "saddle"
    # negatives after a * or under a square in parentheses, as read aloud
    assert "= 2*(-2) - 0^2 = -4" in hessian_test(2, -2, 0)[1]
    assert "= -2*(-3) - (-1)^2 = 5" in hessian_test(-2, -3, -1)[1]
    assert hessian_test(1, 1, 1)[0] == "no verdict"


def test_descend_bad_input():
    for args, expected in (
        (["--gamma", "0"], "--gamma"),
        (["--precision", "nan"], "--precision"),
        (["--gamma", "0.1", "--preset", "slow"], "not both"),
        (["--y0", "1"], "--y0"),
        (["--max-steps", "0"], "--max-steps"),
    ):
        out = run_cli("descend", *args)
        assert out.returncode == 2 and expected in out.stderr, out.stderr


def test_the_configuration_offers_every_function():
    assert ("quartic", *SURFACES) == DESCENT_FUNCTIONS


@pytest.mark.parametrize(
    ("x0", "gamma", "precision"),
    [(1.0, 1e-7, 1e-5), (1.0, 0.01, 0.5), (5.0, 1e-9, 1e-5), (-5.0, 1e-9, 1e-5)],
)
def test_steps_too_small_to_move_reach_no_stationary_point(x0, gamma, precision):
    """Steps below the precision from the start (a tiny gamma, a loose precision) stop
    far from 0 and 9/4: neither a minimum nor the inflection point, not converged, and
    no test (--json: verdict and test null, stopped_by says what ended the run)."""
    result = descend(x0, gamma, precision)
    assert not result.converged and result.stopped_by == "precision" and result.steps == 1
    assert result.verdict == "no verdict" and "so no test" in result.test
    args = ("descend", "--x0", str(x0), "--gamma", str(gamma), "--precision", str(precision))
    out = run_cli(*args, env={"COLUMNS": "200"}).stdout
    assert f"Stopped at {result.point[0]!r}" in out.splitlines()
    assert "minimum" not in out and "inflection" not in out and "--max-steps" not in out
    doc = json.loads(run_cli(*args, "--json").stdout)
    assert doc["point"] == list(result.point) and doc["steps"] == 1
    assert (doc["converged"], doc["diverged"], doc["stopped_by"]) == (False, False, "precision")
    assert doc["verdict"] is None and doc["test"] is None


@pytest.mark.parametrize("gamma", [0.001, 0.01, 0.1, 0.4])
def test_the_saddle_leaves_along_y_for_every_gamma_and_is_called_unbounded(gamma):
    """x^2 - y^2 falls without end along y: from any y != 0 descent leaves the bounds
    whatever gamma, f falling at every step, and that is what the verdict says, not an
    overshooting gamma."""
    surface = SURFACES["saddle"]
    result = descend_surface(surface, (2.0, 0.1), gamma, 1e-5)
    values = [surface.f(x, y) for x, y in result.path]
    assert result.diverged and np.all(np.diff(values) < 0)
    assert abs(result.point[1]) > 1e6 > abs(result.point[0])
    words = diverged_words("saddle", result, "gamma", gamma)
    assert "unbounded below" in words and "along y" in words and "overshoot" not in words
    out = run_cli("descend", "--function", "saddle", "--y0", "0.1", "--gamma", str(gamma))
    text = " ".join(out.stdout.split())
    assert "unbounded below: it falls without end along y" in text and "overshoot" not in text
    doc = json.loads(
        run_cli(
            "descend", "--function", "saddle", "--y0", "0.1", "--gamma", str(gamma), "--json"
        ).stdout
    )
    assert "unbounded below" in doc["why_diverged"]


def test_a_run_that_grows_on_both_sides_of_its_point_overshoots():
    """The bowl and the cap are bounded that way: a runaway there is gamma's, and f grows
    (the objective) as the point flips side; the quartic likewise."""
    for name, gamma in (("bowl", 0.7), ("cap", 1.2), ("saddle", 1.5)):
        surface = SURFACES[name]
        result = descend_surface(surface, surface.start, gamma, 1e-5)
        assert result.diverged
        assert f"gamma {gamma:g} overshoots" in diverged_words(name, result, "gamma", gamma)
        assert "unbounded" not in diverged_words(name, result, "gamma", gamma)
    run = descend(4.0, DESCENT_PRESETS["diverge"], 1e-5)
    assert run.diverged and "overshoots" in diverged_words("quartic", run, "γ", 0.07)


def test_a_saddle_reached_from_its_ridge_says_so():
    """From y = 0 exactly the gradient has no y part: the run reaches the saddle point only
    because of that, and the output says so; a start off the ridge runs away."""
    out = run_cli("descend", "--function", "saddle")
    text = " ".join(out.stdout.split())
    assert "a saddle point" in text
    assert "reached only because the start is exactly on the ridge y = 0" in text
    assert "runs away along y" in text
    doc = json.loads(run_cli("descend", "--function", "saddle", "--json").stdout)
    assert "ridge y = 0" in doc["saddle_reached_how"]
    # A minimum is no saddle: nothing said.
    bowl = descend_surface(SURFACES["bowl"], SURFACES["bowl"].start, 0.01, 1e-6)
    assert bowl.reach == ""
    # Off the ridge by a hair the run still stops (the offset too small to grow visible).
    hair = descend_surface(SURFACES["saddle"], (2.0, 1e-300), 0.01, 1e-5)
    assert hair.converged and hair.verdict == "saddle" and "1e-300 off the ridge" in hair.reach


def _strict_json(text: str) -> dict:
    """``text`` parsed as standard JSON: NaN and Infinity, which json.loads takes, refused."""

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def _descend_json(*args: str) -> dict:
    result = run_cli("descend", *args, "--json")
    assert result.returncode == 0, result.stderr
    return _strict_json(result.stdout)


def test_json_gives_every_point_of_a_run_and_its_f():
    """The tutorial's run, replayed here as the tutorial writes it, point by point, with f
    at each; a bowl's run, with f from the surface."""
    x_old, x_new, xs = 0.0, 4.0, [4.0]
    while abs(x_new - x_old) > 1e-5:
        x_old = x_new
        x_new += -0.01 * (4 * x_old**3 - 9 * x_old**2)
        xs.append(x_new)
    path = _descend_json("--x0", "4", "--gamma", "0.01", "--precision", "1e-5")["path"]
    assert path["steps"] == list(range(len(xs)))
    assert path["points"] == [[x] for x in xs]
    assert path["values"] == [x**4 - 3 * x**3 + 2 for x in xs]

    bowl = SURFACES["bowl"]
    run = descend_surface(bowl, bowl.start, 0.05, 1e-6)
    doc = _descend_json("--function", "bowl", "--gamma", "0.05", "--precision", "1e-6")
    assert doc["path"]["steps"] == list(range(run.steps + 1))
    assert doc["path"]["points"] == run.path.tolist()
    assert doc["path"]["values"] == [bowl.f(x, y) for x, y in run.path.tolist()]
    assert doc["path"]["points"][-1] == doc["point"] and doc["path"]["values"][-1] == doc["value"]


def test_json_path_of_a_long_run_keeps_2048_points_evenly_with_both_ends():
    """A run of 5000 steps (5001 points): 2048 of them, the start and the end among them,
    the gaps between 5000 / 2047 rounded down or up."""
    run = descend(4.0, 1e-7, 1e-12, max_steps=5000)
    assert run.steps == 5000 and not run.converged
    doc = _descend_json(
        *("--x0", "4", "--gamma", "1e-7", "--precision", "1e-12"), "--max-steps", "5000"
    )
    steps = doc["path"]["steps"]
    assert len(steps) == 2048 and steps[0] == 0 and steps[-1] == 5000
    assert set(np.diff(steps).tolist()) == {5000 // 2047, 5000 // 2047 + 1}
    assert doc["path"]["points"] == run.path[steps].tolist()
    assert doc["path"]["values"] == [x**4 - 3 * x**3 + 2 for (x,) in run.path[steps].tolist()]


def test_json_path_writes_what_is_not_finite_as_null():
    """gamma 1e300 throws x = 1000 to -inf in one step: that point and its f are null, as
    the end state's are."""
    doc = _descend_json("--x0", "1000", "--gamma", "1e300")
    assert doc["diverged"] and doc["point"] == [None] and doc["value"] is None
    assert doc["path"] == {
        "steps": [0, 1],
        "points": [[1000.0], [None]],
        "values": [1000.0**4 - 3 * 1000.0**3 + 2, None],
    }
