"""BackpropClassifier's defaults against MLPClassifier's, as a scikit-learn user would try
them: held-out quarters of four data sets, the features raw and standardised, five splits
each. The goal: every mean accuracy within 2 points of MLPClassifier()'s, or above it.

Both are seeded (the split, the initial weights, the example order), so the numbers are the
same on every run; no clock is read."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris, make_circles, make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tui_backprop import BackpropClassifier

SPLITS = range(5)
#: how far below MLPClassifier()'s mean held-out accuracy ours may be
MARGIN = 0.02

DATA = {
    "moons": lambda: make_moons(600, noise=0.2, random_state=0),
    "circles": lambda: make_circles(600, noise=0.1, factor=0.5, random_state=0),
    "iris": lambda: load_iris(return_X_y=True),
    "breast cancer": lambda: load_breast_cancer(return_X_y=True),
}


def mean_accuracy(make_estimator, X, y, scaled: bool) -> float:
    scores = []
    for split in SPLITS:
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.25, random_state=split, stratify=y
        )
        estimator = make_estimator(split)
        model = make_pipeline(StandardScaler(), estimator) if scaled else estimator
        with warnings.catch_warnings():
            # MLPClassifier() often stops at max_iter unconverged: that is its default
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_train, y_train)
        scores.append(model.score(X_test, y_test))
    return float(np.mean(scores))


@pytest.mark.parametrize("scaled", [False, True], ids=["raw", "standardised"])
@pytest.mark.parametrize("name", list(DATA))
def test_defaults_within_two_points_of_mlpclassifier(name, scaled):
    X, y = DATA[name]()
    ours = mean_accuracy(lambda split: BackpropClassifier(random_state=split), X, y, scaled)
    theirs = mean_accuracy(lambda split: MLPClassifier(random_state=split), X, y, scaled)
    assert ours >= theirs - MARGIN, f"{name}: ours {ours:.3f}, MLPClassifier() {theirs:.3f}"
