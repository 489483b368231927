"""The typed configuration: every field checked where it is defined, and each front end (the
command line, a lesson, the estimators) wording the same bad value in its own terms."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tests.helpers import run_cli
from tui_backprop.cli.main import build_parser, invocation
from tui_backprop.cli.options import option_name
from tui_backprop.core.config import (
    AppOptions,
    DataConfig,
    DescentConfig,
    InitConfig,
    LandscapeConfig,
    MomentConfig,
    NetworkConfig,
    QuizConfig,
    RaceConfig,
    RestartsConfig,
    RunConfig,
    TrainingConfig,
    UpdateRule,
    parse_hidden,
    parse_parameter_pair,
    speed_from_text,
)
from tui_backprop.core.errors import ConfigError
from tui_backprop.io.lessons import key_name

#: (config type, field, a bad value, words the problem contains)
BAD_FIELDS = [
    (DataConfig, "problem", 3, "must be a problem's name"),
    (DataConfig, "csv", "", "must be a file name"),
    (DataConfig, "targets", 0, "must be a whole number at least 1"),
    (DataConfig, "seed", -1, "must be a whole number at least 0"),
    (NetworkConfig, "hidden", (3, 0), "layer sizes of at least 1"),
    (NetworkConfig, "activation", "swish", "must be one of sigmoid, tanh, relu"),
    (NetworkConfig, "output_activation", "relu", "must be one of sigmoid, tanh, linear"),
    (NetworkConfig, "beta", float("nan"), "must be a finite number > 0"),
    (NetworkConfig, "cost", "hinge", "must be one of mse, cross-entropy"),
    (NetworkConfig, "bias", 1, "must be true or false"),
    (InitConfig, "scheme", "he", "must be one of auto, tutorial"),
    (InitConfig, "file", "", "must be a file name"),
    (TrainingConfig, "alpha", 0.0, "must be a finite number > 0"),
    (TrainingConfig, "momentum", 1.0, "must be at least 0 and below 1"),
    (TrainingConfig, "batch_size", 0, "must be a whole number at least 1"),
    (TrainingConfig, "epochs", True, "must be a whole number from 1 to 10000000"),
    (TrainingConfig, "seed", 2**32, "from 0 to 4294967295"),
    (TrainingConfig, "shuffle", "yes", "must be true or false"),
    (TrainingConfig, "optimizer", "adamw", "must be one of sgd, momentum, nesterov"),
    (TrainingConfig, "rho", 1.0, "must be at least 0 and below 1"),
    (TrainingConfig, "beta1", -0.5, "must be at least 0 and below 1"),
    (TrainingConfig, "beta2", float("inf"), "must be at least 0 and below 1"),
    (TrainingConfig, "eps", 0.0, "must be a finite number > 0"),
    (TrainingConfig, "weight_decay", -1.0, "must be a finite number >= 0"),
    (TrainingConfig, "decay_biases", "no", "must be true or false"),
    (AppOptions, "fps", 0.5, "must be from 1 to 60"),
    (AppOptions, "speed", 3, "must be one of 1, 2, 5"),
    (AppOptions, "run", 1, "must be true or false"),
    (AppOptions, "quit_after", 0.0, "must be a number from 0.1 to 1e6"),
    (AppOptions, "stop_epoch", 0, "must be a whole number from 1 to 10000000"),
    (AppOptions, "stats", "", "must be a file name"),
    (AppOptions, "save", "", "must be a file name"),
    (AppOptions, "record", "", "must be a file name"),
    (QuizConfig, "ask", "delta^L", "must be a list"),
    (QuizConfig, "tolerance", 0.0, "must be a finite number > 0"),
    (DescentConfig, "function", "ridge", "must be one of quartic, bowl, cap, saddle"),
    (DescentConfig, "x0", float("inf"), "must be a number from -1e6 to 1e6"),
    (DescentConfig, "gamma", -0.1, "must be a finite number > 0"),
    (DescentConfig, "preset", "fast", "must be one of slow, converge"),
    (DescentConfig, "precision", 0, "must be a finite number > 0"),
    (DescentConfig, "max_steps", 0, "must be a whole number from 1 to 10000000"),
    (LandscapeConfig, "params", ("W1[1,1]",), "takes two parameter names"),
    (LandscapeConfig, "half_range", -1.0, "must be a number > 0 and at most 1e6"),
    (LandscapeConfig, "half_range", 1e308, "must be a number > 0 and at most 1e6"),
    (RaceConfig, "half_range", 1e308, "must be a number > 0 and at most 1e6"),
    (LandscapeConfig, "grid", 402, "from 2 to 401"),
    (RestartsConfig, "count", 0, "must be a whole number from 1 to 1000000"),
    (RestartsConfig, "threshold", 0.0, "must be a finite number > 0"),
    (MomentConfig, "after_epochs", -1, "must be a whole number from 0 to 10000000"),
    (MomentConfig, "example", 0, "must be a whole number at least 1"),
]


@pytest.mark.parametrize(
    "config_type,name,value,words",
    BAD_FIELDS,
    ids=[f"{t.__name__}.{n}" for t, n, _, _ in BAD_FIELDS],
)
def test_each_field_is_checked_where_it_is_defined(config_type, name, value, words):
    config_type()  # the defaults are valid
    with pytest.raises(ConfigError) as error:
        config_type(**{name: value})
    section = str(error.value.field).split(".")[0]
    assert error.value.field.endswith(f".{name}") and section
    assert words in error.value.problem


#: (config type, field, the largest value taken, what it is limited to)
UPPER_BOUNDS = [
    (TrainingConfig, "epochs", 10_000_000, "from 1 to 10000000"),
    (MomentConfig, "after_epochs", 10_000_000, "from 0 to 10000000"),
    (AppOptions, "stop_epoch", 10_000_000, "from 1 to 10000000"),
    (AppOptions, "quit_after", 1e6, "from 0.1 to 1e6"),
    (DescentConfig, "x0", 1e6, "from -1e6 to 1e6"),
    (DescentConfig, "y0", -1e6, "from -1e6 to 1e6"),
    (DescentConfig, "max_steps", 10_000_000, "from 1 to 10000000"),
    (RestartsConfig, "count", 1_000_000, "from 1 to 1000000"),
]


@pytest.mark.parametrize(
    "config_type,name,most,words",
    UPPER_BOUNDS,
    ids=[f"{t.__name__}.{n}" for t, n, _, _ in UPPER_BOUNDS],
)
def test_counts_and_starts_have_an_upper_bound(config_type, name, most, words):
    extra = {"function": "bowl"} if name == "y0" else {}
    assert getattr(config_type(**extra, **{name: most}), name) == most
    for beyond in (most * 2, 10**40, -(10**400)):
        with pytest.raises(ConfigError) as error:
            config_type(**extra, **{name: beyond})
        assert words in error.value.problem and len(error.value.problem) < 120


def test_every_field_of_every_type_is_checked():
    checked = {(t.__name__, n) for t, n, _, _ in BAD_FIELDS}
    for config_type in (
        DataConfig,
        NetworkConfig,
        InitConfig,
        TrainingConfig,
        AppOptions,
        DescentConfig,
        LandscapeConfig,
        RestartsConfig,
    ):
        for field in dataclasses.fields(config_type):
            if (config_type.__name__, field.name) in checked:
                continue
            assert (config_type.__name__, field.name) in {
                ("DescentConfig", "y0"),  # checked as x0 is, by the same loop
                ("DataConfig", "samples"),  # bounds of the problem: see the test below
                ("DataConfig", "noise"),
            }, f"{config_type.__name__}.{field.name} has no bad-value test"


def test_samples_and_noise_are_checked_by_the_problem_that_takes_them():
    from tui_backprop.core.problems import make_problem

    for kwargs, field, words in (
        ({"samples": 1}, "data.samples", "must be at least 2"),
        ({"samples": 2.5}, "data.samples", "must be a whole number"),
        ({"noise": -0.5}, "data.noise", "must be a finite number >= 0"),
        ({"seed": -1}, "data.seed", "must be a whole number at least 0"),
    ):
        with pytest.raises(ConfigError) as error:
            make_problem("circle", **kwargs)
        assert error.value.field == field and words in error.value.problem
    with pytest.raises(ConfigError) as error:
        make_problem("xor", samples=10)
    assert error.value.field == "data.samples" and "fixed data set" in error.value.problem


def test_fields_that_depend_on_each_other():
    with pytest.raises(ConfigError, match="applies to built-in problems"):
        DataConfig(csv="a.csv", samples=10)
    with pytest.raises(ConfigError, match="applies to data.csv only"):
        DataConfig(targets=2)
    with pytest.raises(ConfigError, match="cross-entropy needs a sigmoid output"):
        NetworkConfig(cost="cross-entropy", output_activation="tanh")
    with pytest.raises(ConfigError, match="cannot be given with descent.preset"):
        DescentConfig(gamma=0.1, preset="slow")
    with pytest.raises(ConfigError, match="for the two-variable functions"):
        DescentConfig(y0=1.0)
    with pytest.raises(ConfigError, match="two different"):
        LandscapeConfig(params=("b1[1]", "b1[1]"))
    with pytest.raises(ConfigError, match="past the last seed"):
        RestartsConfig(count=10).check_seeds(2**32 - 5)
    with pytest.raises(ConfigError, match="larger than the data set"):
        TrainingConfig(batch_size=5).check_data_size(4)


def test_values_are_normalised():
    assert NetworkConfig(hidden=[4, 2]).hidden == (4, 2)
    assert NetworkConfig(hidden=0).hidden == ()
    assert TrainingConfig(alpha=1).alpha == 1.0 and isinstance(TrainingConfig(alpha=1).alpha, float)
    assert parse_hidden("16, 16") == (16, 16) and parse_hidden("0") == ()
    assert parse_parameter_pair("W1[1,1],b1[1]") == ("W1[1,1]", "b1[1]")
    assert parse_parameter_pair("W1[1,1]; W2[1,2]") == ("W1[1,1]", "W2[1,2]")
    assert speed_from_text("max") == 0 and speed_from_text("50") == 50
    for bad in ("3,x", "٣", "-1"):
        with pytest.raises(ConfigError):
            parse_hidden(bad)


def test_references_to_other_fields_are_worded_by_each_front_end():
    error = ConfigError("descent.gamma", "cannot be given with <descent.preset>")
    assert error.worded(option_name) == "--gamma cannot be given with --preset"
    assert error.parts(key_name) == ("[descent] gamma", "cannot be given with [descent] preset")


# -- the same bad value through every front end -------------------------------------------
#: (CLI arguments, lesson section and key = value, estimator keyword, the problem)
SAME_BAD_VALUE = [
    (
        ["--alpha", "-1"],
        "[training]\nalpha = -1",
        {"learning_rate_init": -1},
        ("--alpha", "[training] alpha", "learning_rate_init"),
        "must be a finite number > 0",
    ),
    (
        ["--momentum", "1.5"],
        "[training]\nmomentum = 1.5",
        {"momentum": 1.5},
        ("--momentum", "[training] momentum", "momentum"),
        "must be at least 0 and below 1",
    ),
    (
        ["--optimizer", "adam", "--beta1", "1"],
        '[training]\noptimizer = "adam"\nbeta1 = 1.0',
        {"solver": "adam", "beta_1": 1.0},
        ("--beta1", "[training] beta1", "beta_1"),
        "must be at least 0 and below 1",
    ),
    (
        ["--beta", "0"],
        "[network]\nbeta = 0",
        {"beta": 0.0},
        ("--beta", "[network] beta", "beta"),
        "must be a finite number > 0",
    ),
    (
        ["--activation", "linear"],
        '[network]\nactivation = "linear"',
        {"activation": "linear"},
        ("--activation", "[network] activation", "activation"),
        "must be one of",
    ),
]


def _cli_error(argv: list[str]) -> str:
    result = run_cli("train", "--epochs", "1", *argv)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    return lines[0]


@pytest.mark.parametrize(
    "argv,lesson,estimator,names,problem",
    SAME_BAD_VALUE,
    ids=[names[0] for _, _, _, names, _ in SAME_BAD_VALUE],
)
def test_the_same_bad_value_in_each_front_ends_words(
    tmp_path, argv, lesson, estimator, names, problem
):
    from tui_backprop import BackpropClassifier

    cli_name, lesson_name, estimator_name = names
    if cli_name != "--activation":  # argparse refuses an unknown choice itself
        assert f"error: {cli_name} {problem}" in _cli_error(argv)
    path = tmp_path / "bad.toml"
    path.write_text(f'title = "bad"\nscene = "network"\n{lesson}\n')
    line = _cli_error(["--lesson", str(path)])
    assert f"lesson {path}: {lesson_name}: {problem}" in line
    X, y = np.array([[0.0, 0], [0, 1], [1, 0], [1, 1]]), np.array([0, 1, 1, 0])
    with pytest.raises(ValueError) as error:
        BackpropClassifier(**estimator).fit(X, y)
    assert str(error.value).startswith(f"{estimator_name} {problem}")
    assert "--" not in str(error.value) and "[" not in str(error.value)


def test_a_bad_value_reached_through_argparse_names_the_option():
    assert "argument --hidden: '3,x' is not a list of layer sizes" in _cli_error(
        ["--hidden", "3,x"]
    )


def test_a_command_line_without_options_is_the_default_configuration():
    call = invocation(build_parser().parse_args(["train"]))
    assert call.run == RunConfig() and call.app == AppOptions()
    assert (call.descent, call.landscape, call.restarts) == (
        DescentConfig(),
        LandscapeConfig(),
        RestartsConfig(),
    )


def test_help_quotes_the_defaults_of_the_configuration():
    help_text = " ".join(build_parser().command_parsers["train"].format_help().split())
    defaults = TrainingConfig()
    assert f"(default: {defaults.alpha:g})" in help_text
    assert f"(default: {defaults.epochs})" in help_text
    assert f"default: {DataConfig().problem})" in help_text


def test_options_win_over_a_lesson_and_the_lesson_over_the_defaults():
    call = invocation(
        build_parser().parse_args(["train", "--lesson", "xor-221", "--alpha", "0.25"])
    )
    assert call.run.training.alpha == 0.25  # the option
    assert call.run.training.batch_size == 4  # the lesson
    assert call.run.training.shuffle is False  # the lesson (no-shuffle)
    assert call.run.training.momentum == 0.0  # the lesson
    assert call.run.network.beta == 1.0  # the default
    assert call.run.network.hidden == (2,) and call.run.network.cost == "cross-entropy"


@pytest.mark.parametrize(
    "optimizer, momentum, bound",
    [("sgd", 0.0, 2.0), ("momentum", 0.9, 3.8), ("nesterov", 0.9, 3.8 / 2.8), ("adam", 0.9, None)],
)
def test_a_divergence_is_blamed_on_weight_decay_past_the_rules_bound(optimizer, momentum, bound):
    """Weight decay alone grows the weights past alpha * lambda = the bound: checked by
    iterating the rule's linear part (g set aside) just under and just over it."""
    rule = UpdateRule(optimizer=optimizer, momentum=momentum, alpha=0.1)
    assert rule.decay_bound() == (None if bound is None else pytest.approx(bound))
    if bound is None:
        assert (
            UpdateRule(optimizer=optimizer, alpha=0.1, weight_decay=1e4).divergence_suspect()[0]
            == "training.alpha"
        )
        return
    for product, grows in ((bound * 0.98, False), (bound * 1.02, True)):
        w, v = 1.0, 0.0
        for _ in range(3000):  # w <- update of a pure decay gradient lambda w
            lam_w = product / 0.1 * w
            if optimizer == "nesterov":
                lam_w = product / 0.1 * (w + momentum * v)
            v = momentum * v - 0.1 * lam_w
            w = w + v
        assert (abs(w) > 1.0) == grows, (optimizer, product, w)
        suspect = UpdateRule(
            optimizer=optimizer, momentum=momentum, alpha=0.1, weight_decay=product / 0.1
        ).divergence_suspect()
        assert suspect[0] == ("training.weight_decay" if grows else "training.alpha")


def test_no_weight_decay_blames_alpha():
    assert UpdateRule(alpha=0.1).divergence_suspect()[0] == "training.alpha"
