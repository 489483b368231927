"""Lesson files: the shipped ones load, values go through the command line's checks, and a
bad file gets one line naming the file, the key and the problem (exit code 2)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from tests.helpers import run_cli
from tui_backprop.core.errors import InputError
from tui_backprop.io.build import build_setup
from tui_backprop.io.lessons import LESSON_DIR, ORDER, LessonError, load_lesson, shipped_lessons

SHIPPED = sorted(p.stem for p in LESSON_DIR.glob("*.toml"))


def test_every_shipped_lesson_is_listed_in_teaching_order():
    assert sorted(ORDER) == SHIPPED
    assert [lesson.name for lesson in shipped_lessons()] == list(ORDER)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_lesson_loads_with_title_scene_and_notes(name):
    lesson = load_lesson(name)
    assert (
        lesson.title
        and lesson.notes
        and lesson.scene in ("network", "descent", "landscape", "restarts", "race")
    )
    assert lesson.path == LESSON_DIR / f"{name}.toml"


def _setup(name: str):
    return build_setup(load_lesson(name).run)


def test_neuron_starts_at_five_without_bias_on_zeros():
    setup = _setup("neuron")
    assert setup.problem.name == "zeros" and setup.spec.sizes == (1, 1)
    st = setup.settings
    assert not setup.spec.bias and (st.alpha, st.batch_size, st.epochs) == (1.0, 5, 2000)
    assert st.momentum == 0.0 and not st.shuffle
    assert setup.session.network.W[1][0, 0] == 5.0
    setup.session.run_epochs(200)
    assert setup.session.network.W[1][0, 0] < 0  # the weight runs negative
    assert (setup.session.outputs < 0.5).all()


def test_not_has_two_parameters():
    setup = _setup("not")
    assert setup.spec.sizes == (1, 1) and setup.spec.bias and setup.problem.name == "not"
    st = setup.settings
    assert (st.alpha, st.batch_size, st.epochs, st.shuffle) == (0.1, 2, 12000, False)
    net = setup.session.network
    assert (net.W[1][0, 0], net.b[1][0]) == (-0.14935895, 7.10444213)  # the printed draw


def test_xor_231_is_the_first_tutorials_network():
    setup = _setup("xor-231")
    spec, st = setup.spec, setup.settings
    assert spec.sizes == (2, 3, 1) and spec.init_scheme == "tutorial"
    assert spec.cost == "cross-entropy"  # its code's delta3 = a3 - y
    assert (st.alpha, st.momentum, st.batch_size, st.epochs) == (0.1, 0.0, 4, 10000)


def test_xor_221_is_the_second_tutorials_network():
    setup = _setup("xor-221")
    spec, st = setup.spec, setup.settings
    assert spec.sizes == (2, 2, 1) and spec.cost == "cross-entropy"
    assert (st.alpha, st.momentum, st.batch_size, st.epochs) == (1.0, 0.0, 4, 1000)


def test_scene_sections_reach_their_commands():
    descent = load_lesson("descent").descent
    assert (descent.function, descent.x0, descent.gamma) == ("quartic", 4.0, 0.01)
    restarts = load_lesson("restarts")
    assert (restarts.restarts.count, restarts.restarts.threshold, restarts.run.training.epochs) == (
        200,
        0.01,
        2000,
    )
    landscape = load_lesson("landscape").landscape
    assert (landscape.half_range, landscape.grid) == (15.0, 61)


def test_command_line_options_override_the_lesson():
    doc = json.loads(
        run_cli("train", "--lesson", "xor-221", "--alpha", "0.5", "--epochs", "3", "--json").stdout
    )
    assert doc["alpha"] == 0.5 and doc["epochs"] == 3
    assert doc["layers"] == [2, 2, 1] and doc["cost"] == "cross-entropy"


#: The xor-221 lesson's options, written out (its 1000 epochs apart: explain and gradcheck
#: take --after-epochs).
XOR_221 = (
    "--problem",
    "xor",
    "--hidden",
    "2",
    "--cost",
    "cross-entropy",
    "--alpha",
    "1",
    "--momentum",
    "0",
    "--batch-size",
    "4",
    "--no-shuffle",
)


def test_train_with_a_lesson_equals_train_with_its_options():
    with_lesson = json.loads(run_cli("train", "--lesson", "xor-221", "--json").stdout)
    by_hand = json.loads(run_cli("train", *XOR_221, "--epochs", "1000", "--json").stdout)
    assert with_lesson["weights"] == by_hand["weights"]
    assert with_lesson["final_loss"] == by_hand["final_loss"]


@pytest.mark.parametrize("command", ["explain", "gradcheck"])
def test_explain_and_gradcheck_take_a_lesson_as_its_options(command):
    """Slides for a lesson need not retype its options: --lesson is its settings."""
    with_lesson = run_cli(command, "--lesson", "xor-221", "--json")
    assert with_lesson.returncode == 0, with_lesson.stderr
    by_hand = run_cli(command, *XOR_221, "--json")
    assert json.loads(with_lesson.stdout) == json.loads(by_hand.stdout)
    refused = run_cli(command, "--lesson", "descent")
    assert refused.returncode == 2 and "descend --lesson descent" in refused.stderr


def test_lessons_command_lists_every_lesson():
    text = run_cli("lessons")
    assert text.returncode == 0
    for name in SHIPPED:
        assert name in text.stdout
    doc = json.loads(run_cli("lessons", "--json").stdout)
    assert [d["name"] for d in doc] == list(ORDER)
    assert all(d["title"] and d["scene"] for d in doc)


def test_relative_paths_are_taken_from_the_lessons_folder(tmp_path):
    (tmp_path / "w.json").write_text('{"layers": [1, 1], "weights": [[[-2.5]]], "biases": [[0.5]]}')
    (tmp_path / "mine.toml").write_text(
        'title = "mine"\nscene = "network"\n[data]\nproblem = "not"\n'
        '[network]\nhidden = 0\ninit = "w.json"\n'
    )
    setup = build_setup(load_lesson(str(tmp_path / "mine.toml")).run)
    assert setup.session.network.W[1][0, 0] == -2.5 and setup.session.network.b[1][0] == 0.5


def test_hidden_takes_a_number_a_string_or_a_list(tmp_path):
    for value, sizes in (("4", (2, 4, 1)), ('"3,2"', (2, 3, 2, 1)), ("[5, 2]", (2, 5, 2, 1))):
        path = tmp_path / "h.toml"
        path.write_text(f'title = "h"\nscene = "network"\n[network]\nhidden = {value}\n')
        assert build_setup(load_lesson(str(path)).run).spec.sizes == sizes


BAD = {
    "unknown-key": ("[training]\nalpah = 1\n", "[training] alpah: unknown key"),
    "unknown-top-key": ('colour = "red"\n', "colour: unknown key"),
    "wrong-type": ('[training]\nalpha = "big"\n', "[training] alpha: must be a number"),
    "bool-for-int": ("[training]\nseed = true\n", "[training] seed: must be a whole number"),
    "bad-value": ("[training]\nalpha = -1\n", "[training] alpha: must be a finite number > 0"),
    "bad-choice": (
        '[network]\nactivation = "swish"\n',
        "[network] activation: must be one of sigmoid, tanh, relu, got 'swish'",
    ),
    "unknown-problem": (
        '[data]\nproblem = "xxor"\n',
        "[data] problem: 'xxor' is an unknown problem",
    ),
    "cross-entropy-linear": (
        '[data]\nproblem = "sine"\n[network]\ncost = "cross-entropy"\n',
        "[network] cost: cross-entropy needs",
    ),
    "scene-value": ("[descent]\ngamma = 0\n", "[descent] gamma: must be a finite number > 0"),
    "landscape-grid": (
        "[landscape]\ngrid = 1\n",
        "[landscape] grid: must be a whole number from 2",
    ),
    "not-a-table": ("training = 3\n", "training: must be a table [training]"),
    "missing-file": (None, "no such file"),
}


@pytest.mark.parametrize("body,expected", BAD.values(), ids=BAD.keys())
def test_bad_lesson_file_is_one_line_and_exit_code_2(tmp_path, body, expected):
    path = tmp_path / "bad.toml"
    if body is not None:
        path.write_text('title = "bad"\nscene = "network"\n' + body)
    result = run_cli("--lesson", str(path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0] and expected in lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    "text,expected",
    [
        ('title = "x"\nscene = \n', "not valid TOML: Invalid value (at line 2, column 9)"),
        ('title = "x"\n', "scene: missing"),
        ('title = "x"\nscene = "movie"\n', "scene: unknown scene 'movie'"),
        ('title = 3\nscene = "network"\n', "title: must be a string"),
        # Escape sequences would reach the terminal as commands to it.
        (
            'title = "x \\u001b[2J"\nscene = "network"\n',
            "title: holds a control character ('\\x1b'), not text",
        ),
        (
            'title = "x"\nscene = "network"\nnotes = "a\\nb \\u009b2J"\n',
            "notes: holds a control character ('\\x9b'), not text",
        ),
    ],
)
def test_bad_lesson_structure(tmp_path, text, expected):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(LessonError) as error:
        load_lesson(str(path))
    assert str(error.value).startswith(f"lesson {path}: {expected}")


@pytest.mark.parametrize("command", ["tui", "lesson", "train", "restarts"])
def test_bad_lesson_through_every_entry(tmp_path, command):
    path = tmp_path / "bad.toml"
    path.write_text('title = "x"\nscene = "network"\n[training]\nmomentum = 1.5\n')
    args = [command, str(path)] if command == "lesson" else [command, "--lesson", str(path)]
    result = run_cli(*args)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert f"lesson {path}: [training] momentum: must be at least 0" in result.stderr


def test_unknown_lesson_name_lists_the_shipped_ones():
    result = run_cli("lesson", "nope")
    assert result.returncode == 2 and "no lesson named 'nope'" in result.stderr
    assert "xor-221" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_lesson_keys_are_the_command_line_options():
    """Every lesson key is the command line's option of the same name without its dashes,
    and sets the same configuration field; the [training] keys are all of its options."""
    from tui_backprop.cli.options import ALL_OPTIONS, PAUSE_EPOCHS
    from tui_backprop.io.lessons import KEYS

    flags = {option.flag: option.field for option in ALL_OPTIONS}
    for section, keys in KEYS.items():
        if section in ("quiz", "race"):  # predict mode's and the race's: lessons only
            continue
        for key, (field, _) in keys.items():
            assert flags[f"--{key}"] == field, (section, key)
    assert set(KEYS["training"]) == {
        "alpha",
        "momentum",
        "optimizer",
        "rho",
        "beta1",
        "beta2",
        "eps",
        "weight-decay",
        "decay-biases",
        "batch-size",
        "epochs",
        "seed",
        "no-shuffle",
    }
    assert "init-scheme" in KEYS["network"]
    assert set(KEYS["restarts"]) == {"count", "threshold"}
    assert PAUSE_EPOCHS.flag == "--epochs"


def test_lesson_error_is_an_input_error():
    assert issubclass(LessonError, InputError)


def test_a_lessons_notes_keep_their_lines_and_tabs(tmp_path):
    path = tmp_path / "ok.toml"
    path.write_text('title = "x"\nscene = "network"\nnotes = "one\\n\\ttwo"\n')
    assert load_lesson(str(path)).notes == "one\n\ttwo"


@pytest.mark.parametrize("cost", ["mse", "cross-entropy"])
def test_the_landscape_path_goes_down_the_mean_cost_it_is_drawn_on(cost):
    """The landscape lesson's path is drawn over the mean cost: each of its steps is a
    full-batch step, and lowers that mean cost (an online step on one example can climb
    it: from the lesson's start, example x = 0's first step does)."""
    import dataclasses
    import itertools

    lesson = load_lesson("landscape")
    network = dataclasses.replace(lesson.run.network, cost=cost)
    setup = build_setup(dataclasses.replace(lesson.run, network=network))
    session = setup.session
    assert session.batch_size == session.X.shape[0]
    costs = []
    for _ in range(20):
        costs.append(session.evaluate())
        session.run_batches(1)
    assert all(b < a for a, b in itertools.pairwise(costs)), costs


def test_the_readmes_lesson_table_is_in_teaching_order():
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text().splitlines()
    start = readme.index("| lesson | scene | what it shows |")
    rows = []
    for line in readme[start + 2 :]:
        if not line.startswith("| `"):
            break
        rows.append(line.split("`")[1])
    assert rows == list(ORDER)


def test_the_neuron_notes_numbers_are_what_the_two_costs_reach():
    """The notes say where w ends after the lesson's 2000 epochs with mse and, after c,
    with cross-entropy: train both and read the notes' numbers back."""
    import re

    from tui_backprop.core.session import Session

    lesson = load_lesson("neuron")
    notes = " ".join(lesson.notes.split())
    found = re.search(r"w is near (-[\d.]+) there, against (-[\d.]+) with mse", notes)
    assert found, notes
    claimed = {"cross-entropy": found.group(1), "mse": found.group(2)}
    for cost, text in claimed.items():
        run = lesson.run
        setup = build_setup(run)
        spec = dataclasses.replace(setup.spec, cost=cost)
        session = Session(
            spec, setup.problem.X, setup.problem.Y, setup.settings, initial=setup.initial
        )
        session.run_epochs(run.training.epochs)
        w = float(session.network.weights()[0][0, 0])
        decimals = len(text.split(".")[1])
        assert f"{w:.{decimals}f}" == text, (cost, w, text)
