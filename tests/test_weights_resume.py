"""A saved run resumes exactly: ``train --save`` writes the optimizer, its settings and its
state with the weights, and ``train --init FILE`` goes on from there, bit for bit."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.helpers import run_cli
from tui_backprop.core.config import OPTIMIZERS, InitConfig, NetworkConfig, RunConfig
from tui_backprop.core.config import TrainingConfig as Training
from tui_backprop.core.errors import InputError
from tui_backprop.io.build import build_setup
from tui_backprop.io.resume import save_session

#: Per optimizer, settings away from the defaults, so that each of them is carried.
SETTINGS = {
    "sgd": ["--batch-size", "3", "--weight-decay", "0.01"],
    "momentum": ["--momentum", "0.5"],
    "nesterov": ["--batch-size", "2", "--momentum", "0.8", "--no-shuffle"],
    "adagrad": ["--eps", "1e-6", "--weight-decay", "0.05", "--decay-biases"],
    "rmsprop": ["--rho", "0.8", "--alpha", "0.01", "--batch-size", "3"],
    "adam": ["--beta1", "0.8", "--beta2", "0.99", "--alpha", "0.01"],
}
COMMON = ["--problem", "xor", "--hidden", "3", "--seed", "7"]


def _train(*args: str) -> dict:
    result = run_cli("train", "--json", *COMMON, *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_save_then_resume_is_one_run_bit_for_bit(tmp_path, optimizer):
    settings = ["--optimizer", optimizer, *SETTINGS[optimizer]]
    saved = tmp_path / "w.json"
    first = _train(*settings, "--epochs", "13", "--save", str(saved))
    assert first["resumed"] is None
    document = json.loads(saved.read_text())
    assert document["rule"]["optimizer"] == optimizer
    assert document["state"]["epochs"] == 13 and document["state"]["t"] == first["updates"]

    resumed = _train(*settings, "--epochs", "8", "--init", str(saved))
    whole = _train(*settings, "--epochs", "21")
    assert resumed["weights"] == whole["weights"] and resumed["biases"] == whole["biases"]
    assert resumed["final_loss"] == whole["final_loss"]
    assert resumed["resumed"] == {
        "file": str(saved),
        "optimizer_state": True,
        "position": True,
        "epochs": 13,
        "batch_in_epoch": 0,
        "t": first["updates"],
    }
    # The loss curve goes on from epoch 14, with the one run's numbers.
    assert resumed["loss_curve"]["epochs"] == list(range(14, 22))
    assert resumed["loss_curve"]["losses"] == whole["loss_curve"]["losses"][13:]
    # Without its state the same weights train otherwise (the test means something).
    fresh = _train(*settings, "--epochs", "8", "--init", str(saved), "--no-resume")
    assert fresh["resumed"] is None and fresh["weights"] != whole["weights"]


def test_a_run_stopped_within_an_epoch_resumes_within_it(tmp_path):
    """In-process: a Session saved after 5 updates into an epoch of 2 batches."""
    run = RunConfig(
        network=NetworkConfig(hidden=(2,)),
        training=Training(optimizer="adam", alpha=0.05, batch_size=3, seed=11),
    )
    one = build_setup(run).session
    assert one is not None
    one.run_batches(13)
    half = build_setup(run).session
    assert half is not None
    half.run_batches(5)
    path = tmp_path / "half.json"
    save_session(path, half)
    again = build_setup(RunConfig(run.data, run.network, InitConfig(file=str(path)), run.training))
    assert again.resumed is not None and again.resumed.position and again.resumed.state
    assert again.resumed.batch_in_epoch == 1
    session = again.session
    assert session is not None and (session.epoch, session.batch_in_epoch) == (2, 1)
    session.run_batches(8)
    np.testing.assert_array_equal(session.network.params, one.network.params)
    assert session.optimizer_steps == one.optimizer_steps == 13


def test_another_optimizer_starts_from_zero_state_with_a_note(tmp_path):
    saved = tmp_path / "w.json"
    _train("--optimizer", "adam", "--epochs", "5", "--save", str(saved))
    result = run_cli("train", "--json", *COMMON, "--epochs", "3", "--init", str(saved))
    assert result.returncode == 0
    assert result.stderr == (
        f"tui-backprop train: note: {saved}: its adam state is not used: this run's optimizer "
        "is momentum, whose state starts at zero (give --optimizer adam to resume it)\n"
    )
    doc = json.loads(result.stdout)
    assert doc["resumed"]["optimizer_state"] is False and doc["resumed"]["position"] is True
    # The same as the weights alone, momentum from zero, from epoch 6's orders on.
    assert doc["loss_curve"]["epochs"] == [6, 7, 8]


def test_other_example_orders_start_at_epoch_one_with_a_note(tmp_path):
    saved = tmp_path / "w.json"
    _train("--epochs", "5", "--save", str(saved))
    result = run_cli(
        "train", "--json", "--problem", "xor", "--hidden", "3", "--seed", "8",
        "--batch-size", "2", "--epochs", "3", "--init", str(saved),
    )  # fmt: skip
    assert result.returncode == 0
    assert result.stderr == (
        f"tui-backprop train: note: {saved}: saved after 5 epochs; its example orders are not "
        "resumed (this run starts at epoch 1 of its own): give --seed 7 and --batch-size 1 to "
        "resume them\n"
    )
    doc = json.loads(result.stdout)
    assert doc["resumed"]["optimizer_state"] is True and doc["resumed"]["position"] is False
    assert doc["loss_curve"]["epochs"] == [1, 2, 3]


def test_a_refused_resume_is_one_line_without_its_notes(tmp_path):
    # A run that would resume with a note (another seed), from weights so large that the
    # loss is not finite: the refusal alone, not the note first.
    saved = tmp_path / "big.json"
    regression = ("--problem", "sine", "--hidden", "4", "--output-activation", "linear")
    trained = run_cli("train", *regression, "--epochs", "3", "--seed", "1", "--save", str(saved))
    assert trained.returncode == 0, trained.stderr
    doc = json.loads(saved.read_text())
    doc["weights"] = [(np.array(w) * 0 + 1e200).tolist() for w in doc["weights"]]
    saved.write_text(json.dumps(doc))
    result = run_cli("train", *regression, "--init", str(saved))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "tui-backprop train: error: the loss is not finite before any training: the data or "
        "the initial weights are too large for this network"
    ]


def test_the_text_report_says_what_was_resumed(tmp_path):
    saved = tmp_path / "w.json"
    _train("--optimizer", "rmsprop", "--epochs", "4", "--save", str(saved))
    result = run_cli("train", *COMMON, "--optimizer", "rmsprop", "--epochs", "2", "--init",
                     str(saved))  # fmt: skip
    assert f"resumed       {saved}: after 4 epochs, rmsprop state (t = 16)" in result.stdout


def test_a_weights_file_without_a_state_gives_weights_only(tmp_path):
    """A file written before the state was (or by hand): weights, nothing resumed."""
    path = tmp_path / "old.json"
    path.write_text(
        '{"format": "tui-backprop-weights", "version": 1, "layers": [2, 3, 1],\n'
        ' "weights": [[[1, 2], [3, 4], [5, 6]], [[0.5, -0.5, 0.25]]],\n'
        ' "biases": [[0, 0, 0], [0.1]]}\n'
    )
    doc = _train("--epochs", "2", "--init", str(path))
    assert doc["resumed"] is None and doc["loss_curve"]["epochs"] == [1, 2]
    assert doc["optimizer"] == "momentum"


def _saved_document(tmp_path) -> dict:
    run = RunConfig(training=Training(optimizer="adam"))
    setup = build_setup(run)
    assert setup.session is not None
    setup.session.run_batches(6)
    path = tmp_path / "good.json"
    save_session(path, setup.session)
    return json.loads(path.read_text())


def _second_weight(doc: dict) -> None:
    doc["state"]["second"]["weights"][0][0][0] = -1.0


BAD_STATES = {
    "future-state": (lambda d: d["state"].update(version=2), '"state" is of version 2; this'),
    "rule-unknown": (
        lambda d: d["rule"].update(optimizer="adamw"),
        "rule.optimizer: must be one of sgd",
    ),
    "rule-beta2": (lambda d: d["rule"].update(beta2=1), "rule.beta2: must be at least 0"),
    "rule-extra": (lambda d: d["rule"].update(lookahead=3), '"rule" has unknown lookahead'),
    "state-alone": (lambda d: d.pop("rule"), '"state" without "rule"'),
    "no-t": (lambda d: d["state"].pop("t"), '"state" has no t'),
    "t-negative": (lambda d: d["state"].update(t=-1), "state.t must be a whole number"),
    "t-float": (lambda d: d["state"].update(t=1.5), "state.t must be a whole number"),
    "shuffle": (lambda d: d["state"].update(shuffle=1), "state.shuffle must be true or false"),
    "second-negative": (_second_weight, "state.second, W^1 is negative"),
    "velocity-shape": (
        lambda d: d["state"]["velocity"]["weights"][0].pop(),
        "state.velocity, W^1 has shape (2, 2), expected (3, 2)",
    ),
    "velocity-nan": (
        lambda d: d["state"]["velocity"]["biases"][1].__setitem__(0, 1e999),
        "state.velocity, b^2, entry 1 is not finite",
    ),
}


@pytest.mark.parametrize("change,expected", BAD_STATES.values(), ids=BAD_STATES.keys())
def test_a_bad_or_future_state_is_one_line_and_exit_2(tmp_path, change, expected):
    document = _saved_document(tmp_path)
    change(document)
    path = tmp_path / "bad.json"
    text = json.dumps(document).replace("Infinity", "1e999")
    path.write_text(text)
    with pytest.raises(InputError) as error:
        build_setup(RunConfig(init=InitConfig(file=str(path))))
    assert expected in str(error.value), str(error.value)
    if change is BAD_STATES["future-state"][0]:
        result = run_cli("train", "--init", str(path), "--epochs", "1")
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.count("\n") == 1 and expected in result.stderr


def test_a_state_that_is_not_finite_is_not_saved(tmp_path):
    setup = build_setup(RunConfig(training=Training(optimizer="adagrad")))
    session = setup.session
    assert session is not None
    path = tmp_path / "w.json"
    path.write_text("before")
    session.network.second[0] = np.inf
    with pytest.raises(InputError, match="the optimizer's state is not finite"):
        save_session(path, session)
    assert path.read_text() == "before"


@pytest.mark.parametrize("optimizer", ["adagrad", "rmsprop", "adam", "nesterov"])
def test_a_negative_second_state_is_refused_only_where_it_holds_squares(tmp_path, optimizer):
    """adagrad's, rmsprop's and adam's second state are (means of) squares: a negative one
    is a damaged file, one clear line and exit 2. nesterov keeps its last change there,
    which is negative as often as not: its files load."""
    saved = tmp_path / "w.json"
    _train("--optimizer", optimizer, "--epochs", "3", "--save", str(saved))
    doc = json.loads(saved.read_text())
    doc["state"]["second"]["weights"][0][0][0] = -0.5
    saved.write_text(json.dumps(doc))
    result = run_cli("train", "--json", *COMMON, "--optimizer", optimizer, "--init", str(saved))
    if optimizer == "nesterov":
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode == 2 and "is negative somewhere" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
