"""The command line through its real entry point, as a user or a script runs it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.helpers import UPDATES_SHOWN, Typing, run_cli, run_in_terminal
from tui_backprop.core.reference import ReferenceNetwork


def strict_json(text: str):
    """json.loads that refuses NaN and Infinity, which are not JSON."""

    def refuse(token):
        raise ValueError(f"non-JSON number {token}")

    return json.loads(text, parse_constant=refuse)


def train_json(*args: str) -> dict:
    result = run_cli("train", "--json", *args)
    assert result.returncode == 0, result.stderr
    return strict_json(result.stdout)


def test_xor_231_learns_for_nine_of_ten_seeds():
    # Seeds 0-9 at once through restarts (each restart is train --seed S, bit for bit:
    # test_restarts_bench), and seed 0 through train itself.
    options = ["--problem", "xor", "--hidden", "3", "--activation", "sigmoid", "--cost", "mse"]
    options += ["--alpha", "0.1", "--momentum", "0.9", "--batch-size", "1", "--epochs", "5000"]
    result = run_cli("restarts", *options, "--count", "10", "--seed", "0", "--json")
    assert result.returncode == 0, result.stderr
    finals = json.loads(result.stdout)["final_losses"]
    assert len(finals) == 10 and sum(loss < 0.01 for loss in finals) >= 9, finals
    doc = train_json(*options, "--seed", "0")
    assert doc["seed"] == 0 and doc["epochs"] == 5000 and doc["updates"] == 20000
    assert doc["final_loss"] == finals[0]


def test_json_document_is_consistent_with_its_own_weights():
    doc = train_json(
        "--problem",
        "gauss",
        "--samples",
        "12",
        "--hidden",
        "4,3",
        "--activation",
        "tanh",
        "--epochs",
        "30",
        "--batch-size",
        "5",
    )
    assert doc["layers"] == [2, 4, 3, 1]
    assert doc["updates"] == 30 * 3 and doc["examples"] == 12
    shapes = [np.array(w).shape for w in doc["weights"]]
    assert shapes == [(4, 2), (3, 4), (1, 3)]
    assert [len(b) for b in doc["biases"]] == [4, 3, 1]
    assert doc["diverged"] is False and doc["seconds"] > 0
    # Recompute the outputs and the loss from the printed weights with the reference.
    from tui_backprop.core.problems import make_problem

    problem = make_problem("gauss", samples=12)
    ref = ReferenceNetwork(
        [np.array(w) for w in doc["weights"]],
        [np.array(b) for b in doc["biases"]],
        doc["activations"],
        doc["cost"],
    )
    outputs = np.array([ref.forward(x).copy() for x in problem.X])
    np.testing.assert_allclose(np.array(doc["outputs"]), outputs, rtol=1e-12)
    assert doc["final_loss"] == pytest.approx(ref.loss(problem.X, problem.Y), rel=1e-12)
    assert doc["initial_loss"] > doc["final_loss"]
    assert len(doc["loss_curve"]["epochs"]) == 30


def test_human_output_shows_settings_examples_and_losses():
    result = run_cli("train", "--problem", "xor", "--epochs", "200")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "2-3-1" in out and "alpha 0.1" in out and "momentum 0.9" in out
    table = [line for line in out.splitlines() if line[:1].isdigit()]
    assert [line.split()[:4] for line in table] == [
        ["1", "0", "0", "0"],
        ["2", "0", "1", "1"],
        ["3", "1", "0", "1"],
        ["4", "1", "1", "0"],
    ]
    assert "initial loss" in out and "final loss" in out and "updates       800" in out
    assert result.stderr == ""  # no progress bar when stderr is not a terminal


def test_large_data_sets_get_a_shortened_table():
    result = run_cli("train", "--problem", "moons", "--epochs", "2")
    assert result.returncode == 0, result.stderr
    assert "and 90 more examples" in result.stdout


def test_save_then_init_continues_from_the_same_weights(tmp_path):
    saved = tmp_path / "w.json"
    first = train_json("--epochs", "50", "--seed", "2", "--save", str(saved))
    on_disk = json.loads(saved.read_text())
    assert on_disk["layers"] == [2, 3, 1] and on_disk["weights"] == first["weights"]
    second = train_json("--init", str(saved), "--epochs", "1", "--alpha", "0.01")
    assert second["initial_loss"] == first["final_loss"]


def test_no_bias_and_no_hidden_layer():
    doc = train_json(
        "--problem",
        "zeros",
        "--hidden",
        "0",
        "--no-bias",
        "--alpha",
        "0.5",
        "--momentum",
        "0",
        "--epochs",
        "20",
        "--no-shuffle",
    )
    assert doc["layers"] == [1, 1] and doc["biases"] is None
    assert np.array(doc["weights"][0]).shape == (1, 1)


def test_csv_data_with_two_targets(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("x1,x2,y1,y2\n0,0,0,1\n0,1,1,0\n1,0,1,0\n1,1,0,1\n")
    doc = train_json("--data", str(data), "--targets", "2", "--epochs", "10")
    assert doc["layers"] == [2, 3, 2] and np.array(doc["outputs"]).shape == (4, 2)


def test_divergence_is_reported_as_null_never_nan():
    result = run_cli(
        "train",
        "--json",
        "--problem",
        "sine",
        "--activation",
        "relu",
        "--hidden",
        "8",
        "--alpha",
        "1e6",
        "--epochs",
        "100",
    )
    assert result.returncode == 0, result.stderr
    doc = strict_json(result.stdout)
    assert doc["diverged"] is True
    assert doc["final_loss"] is None
    assert doc["epochs"] < 100


def test_a_diverged_run_counts_its_unfinished_epoch_and_wraps_its_reason():
    import re

    out = run_cli(
        "train", "--problem", "sine", "--alpha", "100", "--epochs", "20", env={"COLUMNS": "80"}
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    epochs = next(line for line in lines if line.startswith("epochs "))
    updates = next(line for line in lines if line.startswith("updates "))
    whole, partial, per_epoch = map(
        int,
        re.fullmatch(r"epochs +(\d+), and (\d+) of the next one's (\d+) updates", epochs).groups(),
    )
    assert per_epoch == 50 and 0 < partial < per_epoch  # sine: 50 examples, online
    assert updates.split()[1] == str(whole * per_epoch + partial)
    at = next(i for i, line in enumerate(lines) if line.startswith("DIVERGED"))
    assert lines[at].startswith(f"DIVERGED in epoch {whole + 1}: ")
    assert all(len(line) <= 80 for line in lines[at:]) and len(lines) > at + 1
    assert lines[at + 1].startswith(" " * len("DIVERGED ")) and "try --alpha 10" in lines[-1]


@pytest.mark.parametrize("decay", ["1e308", "1000"])
def test_a_diverged_classifier_has_no_accuracy(decay):
    args = ("train", "--epochs", "100", "--weight-decay", decay)
    doc = strict_json(run_cli(*args, "--json").stdout)
    assert doc["diverged"] is True and not np.isfinite(np.array(doc["outputs"], float)).all()
    assert doc["accuracy"] is None
    text = run_cli(*args).stdout
    assert "accuracy      n/a (outputs not finite)" in text.splitlines()


def test_a_divergence_from_weight_decay_blames_weight_decay():
    alpha, decay = 0.1, 1000.0  # alpha * lambda = 100: (1 - alpha lambda) w flips and grows
    out = run_cli("train", "--epochs", "100", f"--weight-decay={decay:g}", f"--alpha={alpha:g}")
    reason = " ".join(out.stdout[out.stdout.index("DIVERGED") :].split())
    assert f"weight decay {decay:g} is probably too large for alpha {alpha:g}" in reason
    assert f"try --weight-decay {0.1 / alpha:g}" in reason and "--alpha" not in reason
    for command in ("explain", "gradcheck"):
        bad = run_cli(command, "--after-epochs", "100", f"--weight-decay={decay:g}")
        assert bad.returncode == 2 and bad.stdout == "", bad.stderr
        assert bad.stderr.startswith(
            f"tui-backprop {command}: error: --weight-decay is too large for --alpha"
        ), bad.stderr
        assert len(bad.stderr.splitlines()) == 1


def test_a_divergence_without_weight_decay_still_blames_alpha():
    bad = run_cli("gradcheck", "--problem", "sine", "--alpha", "10", "--after-epochs", "10")
    assert bad.returncode == 2 and "error: --alpha is too large: training diverged" in bad.stderr


def test_diverged_run_does_not_overwrite_a_saved_file(tmp_path):
    saved = tmp_path / "w.json"
    saved.write_text("keep me")
    result = run_cli(
        "train",
        "--problem",
        "sine",
        "--activation",
        "relu",
        "--hidden",
        "8",
        "--alpha",
        "1e300",
        "--epochs",
        "5",
        "--save",
        str(saved),
    )
    assert result.returncode == 2
    assert "not saving" in result.stderr and "Traceback" not in result.stderr
    assert saved.read_text() == "keep me"


def _csv(tmp_path, text):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    return str(path)


BAD_INPUTS = {
    "unknown problem": (["--problem", "xnor"], "unknown problem"),
    "unknown activation": (["--activation", "softmax"], "--activation"),
    "alpha nan": (["--alpha", "nan"], "--alpha"),
    "alpha inf": (["--alpha", "inf"], "--alpha"),
    "alpha negative": (["--alpha", "-0.1"], "--alpha"),
    "alpha garbage": (["--alpha", "fast"], "--alpha"),
    "momentum nan": (["--momentum", "nan"], "--momentum"),
    "momentum one": (["--momentum", "1"], "--momentum"),
    "momentum negative": (["--momentum", "-0.5"], "--momentum"),
    "hidden zero in list": (["--hidden", "3,0"], "--hidden"),
    "hidden negative": (["--hidden", "-3"], "--hidden"),
    "hidden garbage": (["--hidden", "three"], "--hidden"),
    "epochs zero": (["--epochs", "0"], "--epochs"),
    "batch zero": (["--batch-size", "0"], "--batch-size"),
    "batch too large": (["--batch-size", "5"], "larger than the data set"),
    "seed negative": (["--seed", "-1"], "--seed"),
    "seed too large": (["--seed", str(2**32)], "--seed"),
    "cross-entropy on linear": (
        ["--cost", "cross-entropy", "--output-activation", "linear"],
        "cross-entropy",
    ),
    "missing save dir": (["--save", "no/such/dir/w.json"], "does not exist"),
    "missing data": (["--data", "no-such.csv"], "no-such.csv"),
}


@pytest.mark.parametrize("args,expected", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_is_one_line_and_exit_code_2(args, expected, tmp_path):
    result = run_cli("train", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0] and "Traceback" not in result.stderr


BAD_CSV = {
    "non-numeric": ("1,2\n3,abc\n", "line 2"),
    "ragged": ("1,2,3\n4,5\n", "line 2"),
    "nan": ("1,2\nnan,3\n", "line 2"),
    "inf": ("1,2\n3,inf\n", "line 2"),
    "too few columns": ("1\n2\n", "column"),
    "no rows": ("a,b\n", "no data"),
}


@pytest.mark.parametrize("text,expected", BAD_CSV.values(), ids=BAD_CSV.keys())
def test_bad_csv_names_the_line(text, expected, tmp_path):
    result = run_cli("train", "--data", _csv(tmp_path, text))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.csv" in lines[0], result.stderr
    assert expected in lines[0]


def test_a_truncated_json_file_is_named_in_one_line_without_a_doubled_word(tmp_path):
    """json's "Unterminated string starting at" names the place itself: the message says
    "at" once, then where the string starts, for weights files and run files alike."""
    saved = tmp_path / "w.json"
    assert run_cli("train", "--epochs", "1", "--save", str(saved)).returncode == 0
    text = saved.read_text()
    key = text.index('"biases"')
    line_number = text.count("\n", 0, key) + 1
    column = key - text.rfind("\n", 0, key)
    truncated = tmp_path / "trunc.json"
    truncated.write_text(text[: key + 3])  # inside the key's string
    expected = (
        "trunc.json: not valid JSON: Unterminated string starting at "
        f"line {line_number}, column {column}"
    )
    for args in (["train", "--init", str(truncated)], ["replay", str(truncated)]):
        result = run_cli(*args)
        assert result.returncode == 2 and result.stdout == "", result.stderr
        (line,) = result.stderr.strip().splitlines()
        assert line.endswith(expected), line


def test_bad_init_files(tmp_path):
    not_json = tmp_path / "a.json"
    not_json.write_text("{weights: oops")
    result = run_cli("train", "--init", str(not_json))
    assert result.returncode == 2 and "not valid JSON" in result.stderr

    wrong = tmp_path / "b.json"
    wrong.write_text(json.dumps({"weights": [[[1, 2], [3, 4], [5, 6]], [[1, 2]]]}))
    result = run_cli("train", "--init", str(wrong))
    assert result.returncode == 2
    assert "W^2" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_gradcheck_passes_and_prints_json():
    result = run_cli(
        "gradcheck", "--json", "--hidden", "4,2", "--activation", "tanh", "--after-epochs", "10"
    )
    assert result.returncode == 0, result.stderr
    doc = strict_json(result.stdout)
    assert doc["passed"] is True and [c["layer"] for c in doc["per_layer"]] == [1, 2, 3]
    assert doc["max_relative_error"] <= doc["tolerance"]
    result = run_cli("gradcheck", "--example", "2")
    assert result.returncode == 0 and "PASS" in result.stdout


def test_gradcheck_exit_code_1_on_a_wrong_gradient(monkeypatch, capsys):
    """Through the real command function, with a slip planted in backprop."""
    import tui_backprop.teach.gradcheck as gradcheck
    from tui_backprop.cli.main import main

    honest = gradcheck.backprop_gradient
    monkeypatch.setattr(gradcheck, "backprop_gradient", lambda s, idx: 1.01 * honest(s, idx))
    assert main(["gradcheck"]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_gradcheck_bad_example():
    result = run_cli("gradcheck", "--example", "9")
    assert result.returncode == 2 and "--example" in result.stderr


def test_problems_lists_every_problem():
    result = run_cli("problems", "--json")
    assert result.returncode == 0
    names = [p["name"] for p in strict_json(result.stdout)]
    assert names == [
        "xor",
        "and",
        "or",
        "nand",
        "not",
        "zeros",
        "circle",
        "spiral",
        "gauss",
        "moons",
        "sine",
    ]
    assert "spiral" in run_cli("problems").stdout


def test_help_and_version():
    assert run_cli("--help").returncode == 0
    assert "--hidden" in run_cli("train", "--help").stdout
    assert run_cli("--version").stdout.startswith("tui-backprop ")


def test_unwritable_numba_cache_still_runs(tmp_path):
    """A read-only install or cache location must not break the program: it caches in a
    private temporary folder of its own for that run, and says so in one line."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    # The NOT network (one weight and a bias): everything it runs compiles, the least there is.
    result = run_cli(
        "train",
        "--problem",
        "not",
        "--hidden",
        "0",
        "--epochs",
        "1",
        env={"NUMBA_CACHE_DIR": str(blocker / "sub")},
    )
    assert result.returncode == 0, result.stderr
    assert "for this run only" in result.stderr  # one line says where it cached instead
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_app_refuses_without_a_terminal():
    for args in ([], ["tui"], ["--problem", "and"]):
        result = run_cli(*args)
        assert result.returncode == 2
        assert "terminal" in result.stderr and "tui-backprop train" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_the_app_runs_quits_and_writes_stats_in_a_terminal(tmp_path):
    stats = tmp_path / "stats.json"
    weights = tmp_path / "w.json"
    # Quit with q once the status line counts updates: however long the kernels take to
    # load or compile on a busy machine, the run has trained when it quits.
    code, screen = run_in_terminal(
        "tui",
        "--run",
        "--stats",
        str(stats),
        "--save",
        str(weights),
        "--fps",
        "20",
        timeout=300,
        type_when=Typing(UPDATES_SHOWN, b"q"),
    )
    assert code == 0, screen[-2000:]
    doc = strict_json(stats.read_text())
    assert set(doc) == {"frames", "updates", "seconds", "updates_per_s", "fps"}
    assert doc["updates"] > 0 and doc["frames"] > 0
    assert doc["updates_per_s"] == pytest.approx(doc["updates"] / doc["seconds"])
    assert b"RUNNING" in screen and b"network 2-3-1" in screen
    saved = json.loads(weights.read_text())
    assert saved["layers"] == [2, 3, 1]


def test_app_options_are_checked_before_it_starts():
    for args, expected in (
        (["--fps", "0"], "--fps"),
        (["--speed", "7"], "--speed"),
        (["--quit-after", "-1"], "--quit-after"),
        (["--epochs", "0"], "--epochs"),
        (["--alpha", "nan"], "--alpha"),
    ):
        code, screen = run_in_terminal("tui", *args)
        assert code == 2 and expected.encode() in screen


def test_data_too_large_for_the_network_is_bad_input(tmp_path):
    data = tmp_path / "huge.csv"
    data.write_text("x,y\n1e300,1\n-1e300,0\n")
    result = run_cli(
        "train", "--data", str(data), "--activation", "relu", "--output-activation", "linear"
    )
    assert result.returncode == 2 and "not finite before any training" in result.stderr


def test_a_count_of_one_is_singular():
    diverged = run_cli("descend", "--x0", "1000000", "--gamma", "1")
    assert diverged.returncode == 0 and "diverged after 1 step: gamma 1" in diverged.stdout
    stopped = run_cli("descend", "--max-steps", "1")
    assert "stopped after 1 step (--max-steps)" in stopped.stdout
    race = run_cli("race", "--steps", "1")
    assert race.returncode == 0 and ", 1 step at most" in race.stdout
    assert "1 steps" not in diverged.stdout + stopped.stdout + race.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["race", "--alphas", "-1,0.1"], "--alphas must be a finite number > 0, got -1"),
        (["race", "--alp", "-inf,0.1"], "--alphas must be a finite number > 0, got -inf"),
        (["train", "--alpha", "-1e-3"], "--alpha must be a finite number > 0, got -0.001"),
    ],
)
def test_a_value_with_a_minus_sign_gets_the_options_own_check(args, expected):
    """argparse took "-1,0.1" (not a plain negative number) for an option: the option
    "expected one argument". It is the option's value, and its own check answers."""
    result = run_cli(*args)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == f"tui-backprop {args[0]}: error: {expected}\n"


def test_a_negative_value_in_exponent_form_is_taken():
    result = run_cli("race", "--x0", "-1e0", "--steps", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("NOT, a = σ(w x + b), mse, from (-1, 6), 1 step at most")


@pytest.mark.parametrize(
    ("argv", "command", "unknown"),
    [
        (["problems", "--bogus"], "problems", "--bogus"),
        (["lesson", "xor-231", "--as-written", "--json"], "lesson", "--json"),
        (["train", "--epochs", "2", "extra"], "train", "extra"),
        (["--bogus"], "tui", "--bogus"),  # no command is the app's
    ],
)
def test_an_unrecognized_argument_is_refused_by_its_command(argv, command, unknown):
    result = run_cli(*argv)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        f"tui-backprop {command}: error: unrecognized arguments: {unknown} (see --help)\n"
    )


def test_a_run_whose_weights_run_away_says_so_before_it_diverges():
    """Weight decay far past its bound grows the weights about 100-fold an update, finite
    for dozens of epochs: after 10 the report warns (a 50% accuracy of weights near 1e79
    says little) and names weight decay; an ordinary run does not; --json gives the
    largest |w| either way."""
    away = run_cli("train", "--epochs", "10", "--weight-decay", "1000")
    assert away.returncode == 0, away.stderr
    said = " ".join(away.stdout.split())
    assert "WARNING a weight has grown to" in said and "running away" in said
    assert "weight decay 1000 is probably too large" in said and "DIVERGED" not in said
    calm = run_cli("train", "--epochs", "10")
    assert "WARNING" not in calm.stdout
    doc = json.loads(run_cli("train", "--epochs", "10", "--json").stdout)
    values = [
        abs(v)
        for W in doc["weights"] + doc["biases"]
        for row in W
        for v in (row if isinstance(row, list) else [row])
    ]
    assert doc["largest_weight"] == max(values)
    runaway = json.loads(
        run_cli("train", "--epochs", "10", "--weight-decay", "1000", "--json").stdout
    )
    assert runaway["largest_weight"] >= 1e6 and runaway["diverged"] is False
