"""The commands' --json documents describe the run they report under ``train --json``'s
names for the same ideas, and name in text what they checked."""

from __future__ import annotations

import json

import pytest

from tui_backprop.cli.report import network_keys
from tui_backprop.core.config import RunConfig, UpdateRule
from tui_backprop.io.build import build_setup
from tui_backprop.io.resume import rule_keys

from .helpers import run_cli

# Not the defaults anywhere, so a value taken from elsewhere would show.
RUN = (
    *("--problem", "and", "--hidden", "2", "--activation", "tanh", "--cost", "cross-entropy"),
    *("--optimizer", "adam", "--batch-size", "2", "--seed", "5"),
)


def json_of(*args: str) -> dict:
    result = run_cli(*args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def described() -> dict:
    """What ``train --json`` says of the run RUN: its run-description keys and values."""
    setup = build_setup(RunConfig(), make_session=False)
    names = [*network_keys(setup), *rule_keys(UpdateRule()), "batch_size", "shuffle", "seed"]
    train = json_of("train", *RUN, "--epochs", "1")
    return {name: train[name] for name in names}


@pytest.mark.parametrize(
    "command", [("gradcheck",), ("explain",), ("restarts", "--count", "2", "--epochs", "1")]
)
def test_each_report_describes_its_run_as_train_does(described, command):
    document = json_of(*command, *RUN)
    if command[0] == "restarts":  # its seeds start at the run's seed
        described = described | {"first_seed": described.pop("seed")}
    assert {name: document.get(name) for name in described} == described


def test_gradcheck_names_the_activations_and_cost_it_checked():
    header = run_cli("gradcheck", *RUN).stdout.splitlines()[0]
    assert "2-2-1 (tanh, sigmoid, cross-entropy) on and" in header
