"""``tui-backprop cache --warm`` through the real command, in an empty cache of its own:
afterwards the runs people start first compile nothing. (A file of its own, collected
early: it is the longest test, about two minutes, and runs beside the others.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.helpers import run_cli

#: Run in a process of its own after ``cache --warm``: the runs people start first, each
#: update rule's kernels (momentum's and the rules'), single steps, restarts, and the
#: estimators' default path; prints what the process compiled (``kernels.compiled_here``).
AFTER_WARM = """
import dataclasses, json
import kernels
from sklearn.datasets import make_moons
from tui_backprop.core.config import RunConfig
from tui_backprop.estimators import BackpropClassifier, BackpropRegressor
from tui_backprop.io.build import build_setup
from tui_backprop.teach.restarts import train_restarts

for optimizer in ("momentum", "sgd", "adam", "rmsprop", "nesterov"):
    run = RunConfig()
    training = dataclasses.replace(run.training, optimizer=optimizer, epochs=1)
    setup = build_setup(dataclasses.replace(run, training=training))
    setup.session.run_epochs(20)
    setup.session.run_batches(1)
    train_restarts(setup.spec, setup.problem.X, setup.problem.Y, training, 2)
X, y = make_moons(200, noise=0.1, random_state=0)
BackpropClassifier((16,), max_iter=2).fit(X, y).predict(X)
BackpropClassifier(max_iter=2).fit(X, y).predict_proba(X)
BackpropRegressor((8, 8), max_iter=2).fit(X, X[:, 0]).predict(X)
print(json.dumps(kernels.compiled_here()))
"""


def test_cache_warm_compiles_the_common_set_through_the_real_command(tmp_path):
    # An empty cache of its own (XDG_CACHE_HOME), so that everything is compiled here.
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "NUMBA_CACHE_DIR": ""}
    result = run_cli("cache", "--warm", "--json", env=env, timeout=900)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    warmed = document["warmed"]
    assert "2-3-1 sigmoid/sigmoid mse" in warmed  # the default network
    assert "1-1 sigmoid mse, no biases" in warmed  # the neuron lesson's
    assert "2-2-1 sigmoid/sigmoid cross-entropy" in warmed  # xor-221's
    assert len(warmed) == len(set(warmed))
    assert document["location"] == str(tmp_path / "cache" / "tui-backprop" / "numba")
    assert document["files"] > 0
    # Then every kernel those runs take loads from the cache: nothing compiles.
    after = subprocess.run(
        [sys.executable, "-c", AFTER_WARM],
        capture_output=True,
        text=True,
        env=dict(os.environ, **env),
        timeout=300,
    )
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout) == []
