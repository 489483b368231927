"""The optimizers' front ends: command-line options on every command that trains, their
help, their errors through the real entry point, train's reports, lesson keys and run
files."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from tests.helpers import run_cli
from tui_backprop.cli.main import build_parser, invocation
from tui_backprop.core.config import OPTIMIZERS, NetworkConfig, RunConfig, TrainingConfig
from tui_backprop.io.lessons import LessonError, load_lesson
from tui_backprop.io.run_file import RunRecord, load_run, save_run

DEFAULT = TrainingConfig()
#: Every new option with a value that is not its default, and the field it sets.
GIVEN = [
    ("--optimizer", "adam", "optimizer", "adam"),
    ("--rho", "0.5", "rho", 0.5),
    ("--beta1", "0.8", "beta1", 0.8),
    ("--beta2", "0.99", "beta2", 0.99),
    ("--eps", "1e-6", "eps", 1e-6),
    ("--weight-decay", "0.01", "weight_decay", 0.01),
]
#: The commands that take the training options (lesson takes its lesson first).
TRAINING_COMMANDS = [
    ["train"],
    ["tui"],
    ["lesson", "xor-221"],
    ["gradcheck"],
    ["explain"],
    ["landscape"],
    ["restarts"],
]


def _training(*argv: str) -> TrainingConfig:
    args = build_parser().parse_args(list(argv))
    return invocation(args).run.training


@pytest.mark.parametrize("command", TRAINING_COMMANDS, ids=lambda c: c[0])
def test_every_training_command_takes_the_optimizer_options(command):
    argv = [*command]
    for flag, text, _, _ in GIVEN:
        argv += [flag, text]
    training = _training(*argv, "--decay-biases")
    for _, _, field, value in GIVEN:
        assert getattr(training, field) == value, field
    assert training.decay_biases is True
    # Not given: the defaults of the configuration (or the lesson's).
    assert _training(*command).optimizer == DEFAULT.optimizer
    assert _training(*command).decay_biases is False


def test_help_quotes_the_defaults_from_the_configuration():
    result = run_cli("train", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    text = text[text.index("training:") :]  # the options, past the usage line
    rules = text[text.index("--optimizer RULE") :][:200]
    assert all(name in rules for name in OPTIMIZERS), rules  # the choices, named
    for flag, default in [
        ("--optimizer", DEFAULT.optimizer),
        ("--rho", f"{DEFAULT.rho:g}"),
        ("--beta1", f"{DEFAULT.beta1:g}"),
        ("--beta2", f"{DEFAULT.beta2:g}"),
        ("--eps", f"{DEFAULT.eps:g}"),
        ("--weight-decay", f"{DEFAULT.weight_decay:g}"),
    ]:
        after = text[text.index(flag + " ") :]
        assert f"(default: {default}" in after[:260], flag


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--optimizer", "adamw"], "argument --optimizer: invalid choice: 'adamw'"),
        (["--rho", "1"], "--rho must be at least 0 and below 1, got 1"),
        (["--beta1", "1.5"], "--beta1 must be at least 0 and below 1, got 1.5"),
        (["--beta2", "-0.1"], "--beta2 must be at least 0 and below 1, got -0.1"),
        (["--eps", "0"], "--eps must be a finite number > 0, got 0"),
        (["--eps", "nan"], "--eps must be a finite number > 0, got nan"),
        (["--weight-decay", "-1"], "--weight-decay must be a finite number >= 0, got -1"),
        (["--beta1", "0,9"], "argument --beta1: must be a number, got '0,9'"),
        (["--decay-biases", "yes"], "unrecognized arguments: yes"),
    ],
)
def test_bad_values_are_one_line_and_exit_2(argv, expected):
    result = run_cli("train", *argv)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert lines[0].startswith("tui-backprop") and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["tui", "gradcheck", "explain", "restarts"])
def test_bad_values_are_refused_by_every_command_that_trains(command):
    result = run_cli(command, "--beta1", "1.5")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        f"tui-backprop {command}: error: --beta1 must be at least 0 and below 1, got 1.5\n"
    )


def test_train_reports_name_the_optimizer_and_its_settings():
    common = ["--epochs", "2", "--optimizer", "adam", "--beta1", "0.8", "--weight-decay", "0.5"]
    result = run_cli("train", "--json", *common)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    expected = dataclasses.asdict(
        TrainingConfig(optimizer="adam", beta1=0.8, weight_decay=0.5).rule
    )
    assert {key: doc[key] for key in expected} == expected
    text = run_cli("train", *common).stdout
    line = next(line for line in text.splitlines() if line.startswith("training"))
    assert "alpha 0.1, adam beta1 0.8 beta2 0.999 eps 1e-08, weight decay 0.5," in line
    assert "momentum" not in line  # mu is not adam's setting

    text = run_cli("train", "--epochs", "2", "--optimizer", "rmsprop", "--decay-biases",
                   "--weight-decay", "0.1").stdout  # fmt: skip
    assert "alpha 0.1, rmsprop rho 0.9 eps 1e-08, weight decay 0.1 (biases too)," in text
    text = run_cli("train", "--epochs", "2").stdout
    assert "training  alpha 0.1, momentum 0.9, online (batch 1)" in text


def test_restarts_report_names_the_optimizer():
    args = ["--count", "3", "--epochs", "2", "--optimizer", "nesterov", "--momentum", "0.5"]
    doc = json.loads(run_cli("restarts", "--json", *args).stdout)
    assert doc["optimizer"] == "nesterov" and doc["momentum"] == 0.5 and doc["eps"] == 1e-8
    words = " ".join(run_cli("restarts", *args).stdout.split())  # however it is wrapped
    assert "alpha 0.1, nesterov momentum 0.5, batch 1" in words


# -- lessons ---------------------------------------------------------------------------------
def _lesson(tmp_path, training: str):
    path = tmp_path / "mine.toml"
    path.write_text(f'title = "mine"\nscene = "network"\n[training]\n{training}\n')
    return path


def test_lesson_training_keys_set_the_optimizer(tmp_path):
    path = _lesson(
        tmp_path,
        'optimizer = "rmsprop"\nrho = 0.95\nbeta1 = 0.5\nbeta2 = 0.9\neps = 1e-7\n'
        "weight-decay = 0.001\ndecay-biases = true",
    )
    training = load_lesson(str(path)).run.training
    assert training.rule == TrainingConfig(
        optimizer="rmsprop", rho=0.95, beta1=0.5, beta2=0.9, eps=1e-7, weight_decay=0.001,
        decay_biases=True,
    ).rule  # fmt: skip
    # The command line overrides the lesson's.
    assert _training("train", "--lesson", str(path), "--optimizer", "sgd").optimizer == "sgd"


@pytest.mark.parametrize(
    ("training", "expected"),
    [
        ('optimizer = "adamw"', "[training] optimizer: must be one of sgd, momentum, nesterov"),
        ("optimizer = 3", "[training] optimizer: must be a string"),
        ("beta2 = 1.0", "[training] beta2: must be at least 0 and below 1, got 1"),
        ("rho = -0.5", "[training] rho: must be at least 0 and below 1"),
        ("eps = 0", "[training] eps: must be a finite number > 0"),
        ("weight-decay = -0.1", "[training] weight-decay: must be a finite number >= 0"),
        ('decay-biases = "yes"', "[training] decay-biases: must be true or false"),
    ],
)
def test_bad_lesson_training_keys_are_refused_in_one_line(tmp_path, training, expected):
    path = _lesson(tmp_path, training)
    with pytest.raises(LessonError) as error:
        load_lesson(str(path))
    assert str(error.value).startswith(f"lesson {path}: {expected}"), str(error.value)


def test_bad_lesson_optimizer_through_the_entry_point(tmp_path):
    path = _lesson(tmp_path, 'optimizer = "adamw"')
    result = run_cli("train", "--lesson", str(path))
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"lesson {path}: [training] optimizer: must be one of" in lines[0]


# -- run files -------------------------------------------------------------------------------
_INITIAL = ([np.array([[0.5, -0.25], [1.0, 2.0]]), np.array([[0.125, -1.5]])], None)


def _record(training: TrainingConfig) -> RunRecord:
    run = RunConfig(network=NetworkConfig(hidden=(2,), bias=False), training=training)
    return RunRecord(run, _INITIAL, (), 7)


def test_run_files_carry_the_optimizer(tmp_path):
    training = TrainingConfig(
        optimizer="adam", beta1=0.5, beta2=0.75, eps=1e-4, weight_decay=0.25, decay_biases=True
    )
    path = tmp_path / "run.json"
    save_run(str(path), _record(training), [2, 2, 1])
    loaded = load_run(str(path))
    assert loaded.run.training == training
    assert json.loads(path.read_text())["run"]["training"]["optimizer"] == "adam"


def test_a_run_with_the_default_rule_is_written_as_before(tmp_path):
    """Only settings away from their defaults are written: a momentum run's file is the
    one the version before the optimizers wrote, and reads there."""
    path = tmp_path / "run.json"
    save_run(str(path), _record(TrainingConfig(optimizer="sgd")), [2, 2, 1])
    training = json.loads(path.read_text())["run"]["training"]
    assert set(training) == {"alpha", "momentum", "optimizer", "batch_size", "epochs", "seed",
                             "shuffle"}  # fmt: skip
    save_run(str(path), _record(TrainingConfig()), [2, 2, 1])
    training = json.loads(path.read_text())["run"]["training"]
    assert set(training) == {"alpha", "momentum", "batch_size", "epochs", "seed", "shuffle"}
    assert load_run(str(path)).run.training == TrainingConfig()


def test_a_run_file_recorded_before_the_optimizers_still_loads(tmp_path):
    """A file as the version before the optimizers wrote it (version 1, no rule fields):
    it was a momentum run, and it loads as one."""
    document = {
        "format": "tui-backprop run",
        "version": 1,
        "run": {
            "data": {
                "problem": "xor",
                "csv": None,
                "targets": 1,
                "samples": None,
                "noise": None,
                "seed": 0,
            },
            "network": {
                "hidden": [2],
                "activation": "sigmoid",
                "output_activation": None,
                "beta": 1.0,
                "cost": "mse",
                "bias": False,
            },
            "init": {"scheme": "auto", "file": None},
            "training": {
                "alpha": 0.5,
                "momentum": 0.25,
                "batch_size": 1,
                "epochs": 5000,
                "seed": 3,
                "shuffle": True,
            },
        },  # fmt: skip
        "initial": {
            "layers": [2, 2, 1],
            "weights": [[[0.5, -0.25], [1.0, 2.0]], [[0.125, -1.5]]],
            "biases": None,
        },  # fmt: skip
        "events": [{"updates": 3, "action": "alpha_up"}],
        "end": 9,
    }
    path = tmp_path / "old.json"
    path.write_text(json.dumps(document))
    record = load_run(str(path))
    assert record.run.training == TrainingConfig(alpha=0.5, momentum=0.25, seed=3)
    assert record.run.training.optimizer == "momentum"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"optimizer": "adamw"}, "run: training.optimizer: must be one of"),
        ({"beta1": 1.0}, "run: training.beta1: must be at least 0 and below 1"),
        ({"decay_biases": "yes"}, "run: training.decay_biases: must be true or false"),
        ({"lookahead": 5}, "run.training: unknown or missing fields"),
    ],
)
def test_bad_rule_in_a_run_file_is_one_line_and_exit_2(tmp_path, change, expected):
    path = tmp_path / "run.json"
    save_run(str(path), _record(TrainingConfig()), [2, 2, 1])
    document = json.loads(path.read_text())
    document["run"]["training"].update(change)
    path.write_text(json.dumps(document))
    result = run_cli("replay", str(path))
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr


def test_explain_json_names_the_rule():
    result = run_cli("explain", "--json", "--optimizer", "rmsprop", "--rho", "0.5")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["optimizer"], doc["rho"], doc["alpha"]) == ("rmsprop", 0.5, 0.1)


# -- bench -----------------------------------------------------------------------------------
def test_bench_times_another_rule_against_the_reference_running_it():
    from tui_backprop.cli.benchmark import Case, time_case
    from tui_backprop.core.problems import make_problem
    from tui_backprop.core.spec import NetworkSpec

    xor = make_problem("xor")
    spec = NetworkSpec.build(2, (3,), 1)
    for optimizer in ("adam", "nesterov"):
        case = Case("xor-2-3-1", spec, xor.X, xor.Y, 4_000, 200, 250.0, 0.001, optimizer=optimizer)
        row = time_case(case, repeats=1)
        assert row["name"] == f"xor-2-3-1 {optimizer}"
        assert row["config"]["optimizer"] == optimizer
        assert row["agrees"] and row["max_abs_weight_difference"] <= 1e-12
        assert row["kernel"]["median"] > 0 and row["reference"]["median"] > 0
        # momentum's yardstick, flop count and target are not this rule's
        assert row["yardstick_ratio"] is None and row["flops_per_update"] is None
        assert row["target_ratio"] is None and row["meets_target"] is True


def test_bench_table_has_a_row_per_rule(monkeypatch):
    from tui_backprop.cli.commands.bench import table

    monkeypatch.setenv("COLUMNS", "160")  # the one-table layout

    def row(name: str, target: float | None) -> dict:
        return {
            "name": name,
            "unit": "updates/s",
            "agrees": True,
            "kernel": {"median": 2e6},
            "reference": {"median": 1e4},
            "ratio": {"median": 200.0, "min": 100.0, "max": 300.0},
            "target_ratio": target,
            "meets_target": True,
            "yardstick_ratio": None,
            "flop_fraction": None,
        }

    doc = {
        "quick": True,
        "machine": {"cpu": "a CPU", "cores": 2, "numba_threads": 2},
        "cases": [row("64-128-64-10", 10.0), row("64-128-64-10 rmsprop", None)],
        "startup": {
            "compile_seconds": 1.0,
            "train_epoch_seconds": {"median": 0.5},
            "help_seconds": {"median": 0.1},
        },
    }
    lines = table(doc).splitlines()
    ours = next(line for line in lines if line.startswith("64-128-64-10 rmsprop"))
    theirs = next(line for line in lines if line.startswith("64-128-64-10 "))
    assert ours.split()[2:] == ["yes", "2.00", "M/s", "10.0", "k/s", "200x", "(100-300)", "-",
                                "-", "-"]  # fmt: skip
    assert theirs.split()[-3:] == ["10x", "-", "-"]
    assert ours.index("yes") == theirs.index("yes")  # the columns line up


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--optimizer", "adamw"], "argument --optimizer: invalid choice: 'adamw'"),
        (["--optimizer", "all", "--optimizer", "adam"], "--optimizer all times every rule"),
    ],
)
def test_bench_refuses_a_bad_optimizer(argv, expected):
    result = run_cli("bench", *argv)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and expected in result.stderr


@pytest.mark.parametrize("optimizer", [o for o in OPTIMIZERS if o != "momentum"])
def test_bench_rows_of_every_rule_agree_with_the_reference(optimizer):
    """At the step sizes the bench gives each rule, the widest case's kernel and reference
    agree as the momentum rows do (at momentum's alpha adam and rmsprop turn it chaotic)."""
    from tui_backprop.cli.benchmark import AGREEMENT, RULE_ALPHAS, agreement, throughput_cases

    case = next(case for case in throughput_cases(True) if case.name == "64-128-64-10")
    case = dataclasses.replace(case, optimizer=optimizer, alpha=RULE_ALPHAS[optimizer])
    assert agreement(case) <= AGREEMENT


def test_the_optimizer_key_is_recorded_in_run_files(tmp_path):
    """The app's key that cycles the optimizer changes the run: a run file keeps it."""
    from tui_backprop.io.run_file import ACTIONS, Event

    assert "optimizer" in ACTIONS
    path = tmp_path / "run.json"
    events = (Event(3, "optimizer"), Event(5, "momentum"), Event(9, "optimizer"))
    # ends at its last key's update, as a recording does at the earliest
    record = dataclasses.replace(_record(TrainingConfig(optimizer="sgd")), events=events, end=9)
    save_run(str(path), record, [2, 2, 1])
    assert load_run(str(path)).events == events
