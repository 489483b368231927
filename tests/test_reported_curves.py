"""The loss curve ``train --json`` reports, trained or as written: every epoch of a run of
up to REPORTED_POINTS epochs, else from half that many to that many, the first and the
last epoch among them and the others evenly spread, each loss the one of its epoch."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.helpers import run_cli
from tui_backprop.core.history import REPORTED_POINTS
from tui_backprop.io.build import build_setup
from tui_backprop.io.lessons import load_lesson
from tui_backprop.teach import tutorials


def _json(*args: str) -> dict:
    result = run_cli(*args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def assert_reported_evenly(curve: dict, every: list[float] | np.ndarray) -> None:
    """``curve`` is ``every`` (the loss of epoch 1, 2, ..., unthinned) as a report gives
    it: all of it, or from half of REPORTED_POINTS to all of them, from epoch 1 to the
    last, no gap between neighbours over twice the even spacing."""
    epochs = np.array(curve["epochs"])
    total = len(every)
    assert len(epochs) == len(curve["losses"])
    if total <= REPORTED_POINTS:
        assert len(epochs) == total
    else:
        assert REPORTED_POINTS // 2 <= len(epochs) <= REPORTED_POINTS
    assert epochs[0] == 1 and epochs[-1] == total
    gaps = np.diff(epochs)
    assert gaps.min() >= 1
    assert gaps.max() <= max(1.0, 2 * (total - 1) / (REPORTED_POINTS - 1))
    np.testing.assert_array_equal(curve["losses"], np.asarray(every)[epochs - 1])


@pytest.mark.parametrize("epochs", [2048, 2049, 4097, 100_000])
def test_train_json_loss_curve_keeps_both_ends_and_the_point_budget(epochs):
    doc = _json("train", "--lesson", "xor-221", "--epochs", str(epochs))
    session = build_setup(load_lesson("xor-221").run).session
    assert session is not None
    session.epoch_losses = []  # every epoch's loss, unthinned: the reference
    session.run_epochs(epochs)
    assert_reported_evenly(doc["loss_curve"], session.epoch_losses)


def test_as_written_json_loss_curve_is_thinned_the_same_way():
    doc = _json("train", "--lesson", "xor-231", "--as-written")
    session = build_setup(load_lesson("xor-231").run).session
    assert session is not None
    net = session.network
    written = tutorials.run_as_written("xor-231", net.weights(), net.biases())
    assert doc["epochs"] == written.epochs > REPORTED_POINTS
    assert_reported_evenly(doc["loss_curve"], written.losses[1:])
    assert doc["loss_curve"]["losses"][-1] == doc["final_loss"]
