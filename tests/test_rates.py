"""Rates in the reports: given only for a run long enough to time (SHORTEST_TIMED
seconds), "too short to time" in text and null in JSON below it; restarts' progress bar
counts the report's unit, network-updates."""

from __future__ import annotations

import json
import re

import pytest

from .helpers import run_cli

#: The shortest time given a rate, as the README documents it.
SHORTEST_TIMED = 0.05
UPDATES = re.compile(r"updates +(\d+) in ([0-9.]+) s \((.*)\)")


@pytest.mark.parametrize("epochs", [1, 400_000])  # XOR: 4 and 1.6 M updates
def test_train_gives_a_rate_only_for_a_run_long_enough_to_time(epochs):
    result = run_cli("train", "--epochs", str(epochs))
    assert result.returncode == 0, result.stderr
    (updates, seconds, rate) = UPDATES.search(result.stdout).groups()
    assert int(updates) == 4 * epochs
    if epochs == 1:  # four updates take microseconds, whatever the machine
        assert float(seconds) < SHORTEST_TIMED and rate == "too short to time"
    else:  # and 1.6 M of them a tenth of a second at least, at 10 M/s
        assert float(seconds) >= SHORTEST_TIMED
        shown = float(rate.removesuffix(" M updates/s")) * 1e6
        assert shown == pytest.approx(int(updates) / float(seconds), rel=0.02)


@pytest.mark.parametrize(("count", "epochs"), [(2, 1), (4096, 500)])
def test_restarts_gives_a_rate_only_for_training_long_enough_to_time(count, epochs):
    args = ("restarts", "--count", str(count), "--epochs", str(epochs))
    doc = json.loads(run_cli(*args, "--json").stdout)
    training = doc["seconds"] - doc["setup_seconds"]
    if training < SHORTEST_TIMED:
        assert doc["network_updates_per_s"] is None
    else:
        updates = count * epochs * 4  # networks, epochs, XOR's updates per epoch
        assert doc["network_updates_per_s"] == pytest.approx(updates / training)
    # The text, of a run of its own: the seconds it gives tell which it says.
    speed = run_cli(*args).stdout.splitlines()[-1]
    short = re.fullmatch(r"speed {9}too short to time: ([0-9.]+) s of training", speed)
    timed = re.fullmatch(
        r"speed {9}[0-9.]+ M network-updates/s in the ([0-9.]+) s of training", speed
    )
    assert short or timed, speed
    if short:
        assert float(short.group(1)) <= SHORTEST_TIMED  # to 3 decimals
    else:
        assert float(timed.group(1)) >= SHORTEST_TIMED - 0.005
