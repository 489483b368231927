"""Tests for the built-in data sets (core.problem, core.problems) and CSV loading
(io.csv_data)."""

from __future__ import annotations

import math
import operator
import os
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_backprop.core.errors import ConfigError, InputError
from tui_backprop.core.problem import Problem
from tui_backprop.core.problems import PROBLEM_NAMES, make_problem, problem_catalog
from tui_backprop.io.csv_data import load_csv

CATALOG = {entry["name"]: entry for entry in problem_catalog()}
GENERATED = [name for name, entry in CATALOG.items() if entry["takes_samples"]]
FIXED = [name for name, entry in CATALOG.items() if not entry["takes_samples"]]
TWO_CLASS = ["circle", "spiral", "gauss", "moons"]
BIT_PAIRS = [(0, 0), (0, 1), (1, 0), (1, 1)]


def assert_one_line(message: str) -> None:
    """An InputError message must be non-empty and fit on one line."""
    assert message.strip()
    assert "\n" not in message and "\r" not in message


def raises_input_error(fn, *args, **kwargs) -> str:
    """Call fn, require an InputError with a one-line message, return the message."""
    with pytest.raises(InputError) as info:
        fn(*args, **kwargs)
    message = str(info.value)
    assert_one_line(message)
    return message


def write(tmp_path, text: str, name: str = "data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def same_data(a: Problem, b: Problem) -> bool:
    """Bitwise equality of both arrays, shapes included."""
    return (
        a.X.shape == b.X.shape
        and a.Y.shape == b.Y.shape
        and a.X.tobytes() == b.X.tobytes()
        and a.Y.tobytes() == b.Y.tobytes()
    )


# ---------------------------------------------------------------------------
# Fixed problems
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "op"),
    [
        ("xor", operator.xor),
        ("and", operator.and_),
        ("or", operator.or_),
        ("nand", lambda a, b: 1 - (a & b)),
    ],
)
def test_logic_truth_tables(name, op):
    problem = make_problem(name)
    assert problem.X.tolist() == [list(map(float, pair)) for pair in BIT_PAIRS]
    assert problem.Y.tolist() == [[float(op(a, b))] for a, b in BIT_PAIRS]
    assert problem.kind == "classification"
    assert problem.name == name


def test_not_table():
    problem = make_problem("not")
    assert problem.X.tolist() == [[0.0], [1.0]]
    assert problem.Y.tolist() == [[1.0], [0.0]]


def test_zeros_table():
    problem = make_problem("zeros")
    assert problem.X[:, 0].tolist() == [0.1, 0.25, 0.5, 0.75, 1.0]
    assert not problem.Y.any()
    assert problem.kind == "classification"
    assert problem.default_output_activation == "sigmoid"


def test_name_is_case_and_space_insensitive():
    assert same_data(make_problem(" XOR "), make_problem("xor"))
    assert make_problem("Xor").name == "xor"


# ---------------------------------------------------------------------------
# Catalog and the Problem object
# ---------------------------------------------------------------------------


def test_catalog_order_matches_problem_names():
    assert [entry["name"] for entry in problem_catalog()] == list(PROBLEM_NAMES)
    assert len(set(PROBLEM_NAMES)) == len(PROBLEM_NAMES)


@pytest.mark.parametrize("name", PROBLEM_NAMES)
def test_catalog_matches_make_problem(name):
    entry = CATALOG[name]
    problem = make_problem(name)
    assert problem.X.shape == (entry["examples"], entry["inputs"])
    assert problem.Y.shape == (entry["examples"], entry["outputs"])
    assert (problem.n_examples, problem.n_inputs, problem.n_outputs) == (
        entry["examples"],
        entry["inputs"],
        entry["outputs"],
    )
    assert problem.kind == entry["kind"]
    assert entry["takes_noise"] == entry["takes_samples"] == (name in GENERATED)
    for text in (entry["description"], problem.description):
        assert_one_line(text)


@pytest.mark.parametrize("name", PROBLEM_NAMES)
def test_arrays_are_float64_contiguous_and_read_only(name):
    problem = make_problem(name)
    for a in (problem.X, problem.Y):
        assert a.dtype == np.float64
        assert a.flags.c_contiguous
        assert not a.flags.writeable
        with pytest.raises(ValueError):
            a[0, 0] = 42.0


def test_problem_copies_its_arrays():
    x = np.array([[1.0, 2.0]])
    y = np.array([[1.0]])
    problem = Problem("p", x, y, "classification", "one example")
    x[0, 0] = 99.0
    assert problem.X[0, 0] == 1.0
    assert x.flags.writeable  # the caller's array is left alone


def test_problem_rejects_inconsistent_construction():
    with pytest.raises(ValueError):
        Problem("p", np.zeros((2, 1)), np.zeros((3, 1)), "classification", "rows differ")
    with pytest.raises(ValueError):
        Problem("p", np.zeros((2, 1)), np.full((2, 1), 0.5), "classification", "not 0/1")
    with pytest.raises(ValueError):
        Problem("p", np.zeros((2, 1)), np.zeros((2, 1)), "ranking", "bad kind")


@pytest.mark.parametrize(
    ("targets", "expected"),
    [
        ([0.0, 1.0], "sigmoid"),
        ([0.0, 0.5], "sigmoid"),
        ([-0.1, 1.0], "linear"),
        ([0.0, 1.5], "linear"),
    ],
)
def test_default_output_activation(targets, expected):
    y = np.array(targets)[:, None]
    problem = Problem("p", np.zeros((2, 1)), y, "regression", "two examples")
    assert problem.default_output_activation == expected


# ---------------------------------------------------------------------------
# Generated problems
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", GENERATED)
def test_same_seed_gives_identical_data(name):
    assert same_data(make_problem(name, seed=7), make_problem(name, seed=7))


@pytest.mark.parametrize("name", GENERATED)
def test_different_seed_gives_different_data(name):
    assert not same_data(make_problem(name, seed=1), make_problem(name, seed=2))


@pytest.mark.parametrize("name", GENERATED)
def test_global_numpy_random_state_is_not_used(name):
    np.random.seed(1)
    a = make_problem(name, seed=3)
    np.random.seed(2)
    b = make_problem(name, seed=3)
    assert same_data(a, b)


@pytest.mark.parametrize("name", GENERATED)
def test_noise_that_overflows_the_data_is_refused_without_warnings(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ConfigError) as error:
            make_problem(name, noise=1e308)
    assert error.value.field == "data.noise" and "not finite" in error.value.problem
    largest = make_problem(name, noise=1e300)  # large, but its data are still numbers
    assert np.isfinite(largest.X).all() and np.isfinite(largest.Y).all()


@pytest.mark.parametrize("name", GENERATED)
def test_noise_zero_is_reproducible_and_noise_changes_data(name):
    clean = make_problem(name, noise=0.0, seed=5)
    assert same_data(clean, make_problem(name, noise=0.0, seed=5))
    assert not same_data(clean, make_problem(name, noise=0.2, seed=5))


@pytest.mark.parametrize("name", GENERATED)
@pytest.mark.parametrize("samples", [2, 3, 10, 101])
def test_samples_sets_the_number_of_examples(name, samples):
    problem = make_problem(name, samples=samples)
    assert problem.n_examples == samples
    assert problem.n_inputs == CATALOG[name]["inputs"]
    assert np.all(np.isfinite(problem.X)) and np.all(np.isfinite(problem.Y))


@pytest.mark.parametrize("name", TWO_CLASS)
@pytest.mark.parametrize("samples", [2, 3, 100, 501])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_two_class_sets_are_balanced(name, samples, seed):
    problem = make_problem(name, samples=samples, seed=seed)
    assert problem.kind == "classification"
    assert set(np.unique(problem.Y)) == {0.0, 1.0}
    ones = int(problem.Y.sum())
    assert abs(ones - (samples - ones)) <= 1


@pytest.mark.parametrize("name", TWO_CLASS)
def test_two_class_rows_are_shuffled(name):
    # Not all of one class first: online training would see a single class for a while.
    y = make_problem(name, samples=100).Y[:, 0]
    assert not np.array_equal(y, np.sort(y))


@pytest.mark.parametrize("name", TWO_CLASS)
def test_two_d_sets_stay_near_the_unit_square(name):
    for seed in range(5):
        x = make_problem(name, seed=seed).X
        assert np.abs(x).max() < 2.0
        # Most points well within [-1.5, 1.5], where sigmoid nets train easily.
        assert np.mean(np.abs(x) <= 1.5) > 0.97


def test_circle_labels_follow_the_radius():
    problem = make_problem("circle", samples=400, noise=0.0, seed=3)
    radius = np.hypot(problem.X[:, 0], problem.X[:, 1])
    inside = radius < math.sqrt(2.0 / math.pi)
    np.testing.assert_array_equal(problem.Y[:, 0], inside.astype(float))
    assert np.abs(problem.X).max() <= 1.0


def test_spiral_arms_wind_together_half_a_turn_apart():
    problem = make_problem("spiral", samples=200, noise=0.0, seed=4)
    radius = np.hypot(problem.X[:, 0], problem.X[:, 1])
    angle = np.arctan2(problem.X[:, 1], problem.X[:, 0])
    assert radius.max() <= 1.0
    fits = {}
    for label in (0.0, 1.0):
        mask = problem.Y[:, 0] == label
        order = np.argsort(radius[mask])
        r, a = radius[mask][order], np.unwrap(angle[mask][order])
        slope, offset = np.polyfit(r, a, 1)
        # A spiral arm: the angle grows in proportion to the radius.
        np.testing.assert_allclose(a, slope * r + offset, atol=1e-9)
        fits[label] = (slope, offset)
    assert fits[0.0][0] == pytest.approx(fits[1.0][0])
    # More than a full turn, so each arm passes between the turns of the other.
    assert fits[0.0][0] > 2 * math.pi
    assert (fits[1.0][1] - fits[0.0][1]) % (2 * math.pi) == pytest.approx(math.pi)


def test_gauss_without_noise_is_two_points():
    problem = make_problem("gauss", samples=10, noise=0.0)
    centers = {label: np.unique(problem.X[problem.Y[:, 0] == label], axis=0) for label in (0, 1)}
    assert centers[0].shape == (1, 2) and centers[1].shape == (1, 2)
    assert not np.array_equal(centers[0], centers[1])


def test_gauss_noise_is_the_spread():
    problem = make_problem("gauss", samples=4000, noise=0.25, seed=1)
    for label in (0.0, 1.0):
        points = problem.X[problem.Y[:, 0] == label]
        assert points.std(axis=0) == pytest.approx([0.25, 0.25], rel=0.1)


def test_moons_without_noise_lie_on_two_equal_half_circles():
    problem = make_problem("moons", samples=60, noise=0.0)
    radii = []
    for label in (0.0, 1.0):
        points = problem.X[problem.Y[:, 0] == label]
        # Every point of a moon is at the same distance from that moon's centre.
        distances = np.hypot(*(points - _circle_center(points)).T)
        np.testing.assert_allclose(distances, distances[0], rtol=1e-9)
        radii.append(distances[0])
    assert radii[0] == pytest.approx(radii[1])
    upper = problem.X[problem.Y[:, 0] == 0.0]
    lower = problem.X[problem.Y[:, 0] == 1.0]
    # make_moons: the class-0 moon opens downwards, the class-1 moon upwards,
    # and the two interleave (each reaches into the other's x range).
    assert upper[:, 1].mean() > lower[:, 1].mean()
    assert upper[:, 0].max() > lower[:, 0].min()
    # Each moon is a half circle: its points span a full diameter in x.
    assert np.ptp(upper[:, 0]) == pytest.approx(2 * radii[0])
    assert np.ptp(lower[:, 0]) == pytest.approx(2 * radii[1])


def _circle_center(points: np.ndarray) -> np.ndarray:
    """Least-squares centre (2,) of a circle through points (n, 2)."""
    a = np.column_stack([2 * points, np.ones(len(points))])
    b = (points**2).sum(axis=1)
    solution, *_ = np.linalg.lstsq(a, b, rcond=None)
    return solution[:2]


def test_sine_is_evenly_spaced_and_exact_without_noise():
    problem = make_problem("sine", samples=25, noise=0.0)
    x = problem.X[:, 0]
    assert x[0] == pytest.approx(-math.pi) and x[-1] == pytest.approx(math.pi)
    np.testing.assert_allclose(np.diff(x), 2 * math.pi / 24)
    np.testing.assert_allclose(problem.Y[:, 0], np.sin(x), atol=1e-12)
    assert problem.kind == "regression"
    assert problem.default_output_activation == "linear"


def test_sine_noise_has_roughly_the_requested_size():
    problem = make_problem("sine", samples=5000, noise=0.2, seed=2)
    residual = problem.Y[:, 0] - np.sin(problem.X[:, 0])
    assert residual.std() == pytest.approx(0.2, rel=0.1)


def test_generated_description_mentions_settings():
    description = make_problem("moons", samples=30, noise=0.05, seed=9).description
    assert "30" in description and "0.05" in description and "9" in description


# ---------------------------------------------------------------------------
# make_problem errors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["xr", "", "circles", None, 3])
def test_unknown_name_lists_known_names(name):
    message = raises_input_error(make_problem, name)
    for known in PROBLEM_NAMES:
        assert known in message


@pytest.mark.parametrize("name", FIXED)
@pytest.mark.parametrize("kwargs", [{"samples": 10}, {"noise": 0.1}, {"samples": 4, "noise": 0.0}])
def test_fixed_problems_take_no_samples_or_noise(name, kwargs):
    message = raises_input_error(make_problem, name, **kwargs)
    assert name in message and "takes no" in message


@pytest.mark.parametrize("name", GENERATED)
@pytest.mark.parametrize("samples", [1, 0, -5, 2.5, True, "10", 10**9])
def test_bad_samples(name, samples):
    message = raises_input_error(make_problem, name, samples=samples)
    assert "samples" in message


@pytest.mark.parametrize("name", GENERATED)
@pytest.mark.parametrize("noise", [-0.1, math.nan, math.inf, -math.inf, "0.1", True])
def test_bad_noise(name, noise):
    message = raises_input_error(make_problem, name, noise=noise)
    assert "noise" in message


@pytest.mark.parametrize("seed", [-1, 1.5, "3", False])
def test_bad_seed(seed):
    message = raises_input_error(make_problem, "circle", seed=seed)
    assert "seed" in message


def test_numpy_integers_are_accepted():
    a = make_problem("circle", samples=np.int64(20), noise=np.float32(0.0), seed=np.int32(3))
    b = make_problem("circle", samples=20, noise=0.0, seed=3)
    assert same_data(a, b)


# ---------------------------------------------------------------------------
# CSV: happy paths
# ---------------------------------------------------------------------------


def test_csv_without_header(tmp_path):
    path = write(tmp_path, "0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    problem = load_csv(path)
    assert problem.name == "data.csv"
    assert problem.X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert problem.Y.tolist() == [[0], [1], [1], [0]]
    assert problem.kind == "classification"
    assert problem.description == "4 examples, 2 inputs, 1 target"
    assert not problem.X.flags.writeable and problem.X.flags.c_contiguous


def test_csv_with_header_and_blank_lines(tmp_path):
    text = "\n   \nx1, x2 ,y\n\n1.5,-2,0.25\n,,\n 3 , 4e-1 ,  -1  \n\n"
    problem = load_csv(write(tmp_path, text, "reg.csv"))
    assert problem.X.tolist() == [[1.5, -2.0], [3.0, 0.4]]
    assert problem.Y.tolist() == [[0.25], [-1.0]]
    assert problem.kind == "regression"
    assert problem.default_output_activation == "linear"
    assert problem.description == "2 examples, 2 inputs, 1 target"


def test_csv_multiple_targets(tmp_path):
    path = write(tmp_path, "a,b,c,t1,t2\n1,2,3,0,1\n4,5,6,1,1\n7,8,9,1,0\n")
    problem = load_csv(path, targets=2)
    assert problem.X.shape == (3, 3) and problem.Y.shape == (3, 2)
    assert problem.Y.tolist() == [[0, 1], [1, 1], [1, 0]]
    assert problem.kind == "classification"
    assert problem.description == "3 examples, 3 inputs, 2 targets"


def test_csv_single_example_single_input(tmp_path):
    problem = load_csv(write(tmp_path, "0.5,2\n"))
    assert problem.description == "1 example, 1 input, 1 target"
    assert problem.default_output_activation == "linear"


def test_csv_crlf_and_quoted_numbers(tmp_path):
    path = tmp_path / "win.csv"
    path.write_bytes(b'x,y\r\n"1", 0\r\n2,"1"\r\n')
    problem = load_csv(path)
    assert problem.X.tolist() == [[1.0], [2.0]]
    assert problem.Y.tolist() == [[0.0], [1.0]]


def test_csv_byte_order_mark_is_ignored(tmp_path):
    # Spreadsheets on Windows often start UTF-8 files with a BOM; without a
    # header it sits right in front of the first number.
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeff1,0\n2,1\n".encode())
    assert load_csv(path).X.tolist() == [[1.0], [2.0]]


def test_csv_accepts_path_strings(tmp_path):
    path = write(tmp_path, "1,0\n")
    assert same_data(load_csv(str(path)), load_csv(path))


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=3, max_size=3),
        min_size=1,
        max_size=20,
    )
)
def test_csv_round_trips_floats_exactly(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("rt") / "rt.csv"
    path.write_text("".join(",".join(repr(v) for v in row) + "\n" for row in rows))
    problem = load_csv(path)
    expected = np.array(rows, dtype=np.float64)
    assert problem.X.tobytes() == np.ascontiguousarray(expected[:, :2]).tobytes()
    assert problem.Y.tobytes() == np.ascontiguousarray(expected[:, 2:]).tobytes()


# ---------------------------------------------------------------------------
# CSV: errors
# ---------------------------------------------------------------------------


def test_csv_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    message = raises_input_error(load_csv, path)
    assert "nope.csv" in message


def test_csv_directory(tmp_path):
    message = raises_input_error(load_csv, tmp_path)
    assert os.fspath(tmp_path) in message


def test_csv_unreadable(tmp_path, monkeypatch):
    # Permissions do not stop root, so simulate the refusal the OS gives other users.
    path = write(tmp_path, "1,2\n")

    def refuse(file, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(file))

    # The file is opened by io.reading with os.open (after os.stat, which still works).
    monkeypatch.setattr("tui_backprop.io.reading.os.open", refuse)
    message = raises_input_error(load_csv, path)
    assert "data.csv" in message and "Permission denied" in message


@pytest.mark.parametrize("content", [b"\xff\xfe\x00\x01\x89PNG", b"1,2\n3,\x004\n"])
def test_csv_binary_file(tmp_path, content):
    path = tmp_path / "blob.csv"
    path.write_bytes(content)
    message = raises_input_error(load_csv, path)
    assert "blob.csv" in message and "text" in message


@pytest.mark.parametrize("text", ["", "\n\n  \n", ",,\n", "x,y\n", "\nx,y\n\n"])
def test_csv_no_data_rows(tmp_path, text):
    message = raises_input_error(load_csv, write(tmp_path, text))
    assert "data.csv" in message and "no data" in message


@pytest.mark.parametrize(
    ("text", "line", "column", "cell"),
    [
        ("1,2,3\n4,abc,6\n", 2, 2, "abc"),
        ("x,y\n\n1,2\n\n3,4\n5,1e\n", 6, 2, "1e"),
        ("1,2\n0x10,1\n", 2, 1, "0x10"),
        # A first row with a number in it is data, so its text cell is an error.
        ("x,1\n2,3\n", 1, 1, "x"),
    ],
)
def test_csv_non_numeric_cell(tmp_path, text, line, column, cell):
    message = raises_input_error(load_csv, write(tmp_path, text))
    assert f"data.csv line {line}: " in message
    assert f"column {column}" in message and f"'{cell}'" in message
    assert "not a number" in message


def test_csv_empty_cell(tmp_path):
    message = raises_input_error(load_csv, write(tmp_path, "1,2,3\n4,,6\n"))
    assert "line 2" in message and "column 2" in message


@pytest.mark.parametrize("bad", ["nan", "NaN", "inf", "-inf", "Infinity", "1e999"])
def test_csv_non_finite_cell(tmp_path, bad):
    message = raises_input_error(load_csv, write(tmp_path, f"a,b\n1,2\n3,{bad}\n"))
    assert "line 3" in message and "column 2" in message and "finite" in message


@pytest.mark.parametrize(
    ("text", "line", "expected", "found"),
    [
        ("1,2,3\n4,5\n", 2, 3, 2),
        ("1,2\n3,4\n5,6,7\n", 3, 2, 3),
        ("a,b,c\n1,2,3,4\n", 2, 3, 4),
        ("\n\na,b\n1,2\n\n3\n", 6, 2, 1),
    ],
)
def test_csv_ragged_rows(tmp_path, text, line, expected, found):
    message = raises_input_error(load_csv, write(tmp_path, text))
    assert f"line {line}" in message
    assert f"expected {expected} columns" in message and f"found {found}" in message


@pytest.mark.parametrize(
    ("text", "targets", "line"),
    [("1\n2\n", 1, 1), ("y\n1\n", 1, 1), ("\n1,2\n3,4\n", 2, 2), ("a,b,c\n1,2,3\n", 3, 1)],
)
def test_csv_too_few_columns(tmp_path, text, targets, line):
    message = raises_input_error(load_csv, write(tmp_path, text), targets=targets)
    assert f"line {line}" in message and f"at least {targets + 1} columns" in message


@pytest.mark.parametrize("targets", [0, -1, True, 1.0, "1"])
def test_csv_bad_targets(tmp_path, targets):
    message = raises_input_error(load_csv, write(tmp_path, "1,2\n"), targets=targets)
    assert "targets" in message and "data.csv" in message


def test_csv_cell_with_line_break_keeps_message_on_one_line(tmp_path):
    message = raises_input_error(load_csv, write(tmp_path, '1,2\n"3\n4",5\n'))
    assert "line 3" in message and "column 1" in message


def test_csv_error_names_file_as_given(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    path = write(sub, "1,x\n", "odd name.csv")
    message = raises_input_error(load_csv, path)
    assert message.startswith(f"{os.fspath(path)} line 1:")


def test_csv_python_number_literals_are_not_data(tmp_path):
    path = write(tmp_path, "1,2\n1_0,3\n")
    message = raises_input_error(load_csv, path)
    assert "line 2" in message and "1_0" in message


def test_a_csv_files_control_characters_never_reach_the_terminal(tmp_path, capsys):
    from tui_backprop.cli import main as cli

    path = tmp_path / "x\x1b[2Jy.csv"
    path.write_text("0,1\n1,0\n")
    problem = load_csv(path, targets=1)
    assert problem.name == "x\\x1b[2Jy.csv" and problem.name.isprintable()
    assert cli.main(["train", "--data", str(path), "--targets", "1", "--epochs", "1"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "problem   x\\x1b[2Jy.csv: 2 examples" in out
