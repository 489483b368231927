"""The scikit-learn style estimators: scikit-learn's own checks with every solver, and loss
curves and weights equal to scikit-learn's sgd and adam solvers from the same start."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.utils.estimator_checks import parametrize_with_checks

from tui_backprop import BackpropClassifier, BackpropRegressor
from tui_backprop.estimators import SOLVERS, optimizer_for

#: every update rule a solver reaches: sgd plain, with momentum, with Nesterov's; the rest.
#: The step sizes let each learn the estimator checks' data in 50 epochs without diverging
#: on their unscaled regression targets: smaller for momentum, larger for AdaGrad (whose
#: steps only shrink), more updates for plain sgd.
SOLVER_SETTINGS = [
    {"solver": "sgd", "momentum": 0.0, "learning_rate_init": 0.002, "batch_size": 4},
    {"solver": "sgd", "nesterovs_momentum": False, "learning_rate_init": 0.001},
    {"solver": "sgd", "learning_rate_init": 0.001},
    {"solver": "adam"},
    {"solver": "adagrad", "learning_rate_init": 0.05},
    {"solver": "rmsprop"},
]


def test_solver_settings_reach_every_update_rule():
    from tui_backprop.core.config import OPTIMIZERS

    reached = {
        optimizer_for(s["solver"], s.get("momentum", 0.9), s.get("nesterovs_momentum", True))
        for s in SOLVER_SETTINGS
    }
    assert reached == set(OPTIMIZERS) and {s["solver"] for s in SOLVER_SETTINGS} == set(SOLVERS)


# Small networks keep the checks quick (they fit dozens of times), seeded so that each
# run is the same; the defaults' own are the first two.
@parametrize_with_checks(
    [BackpropClassifier(), BackpropRegressor()]
    + [
        Estimator(hidden_layer_sizes=(8,), max_iter=50, random_state=0, **settings)
        for settings in SOLVER_SETTINGS
        for Estimator in (BackpropClassifier, BackpropRegressor)
    ]
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def _data(n=40, seed=0, classes=2):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int) if classes == 2 else rng.integers(0, classes, n)
    return X, y


def _start(shapes, seed=1):
    rng = np.random.default_rng(seed)
    coefs = [rng.uniform(-0.8, 0.8, size=s) for s in shapes]
    intercepts = [rng.uniform(-0.3, 0.3, size=s[1]) for s in shapes]
    return coefs, intercepts


def _sklearn_from(model, X, y, coefs, intercepts, epochs):
    """scikit-learn's sgd from the given weights (warm start), for ``epochs`` epochs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.set_params(max_iter=1).fit(X, y)  # builds its internals
        model.coefs_ = [c.copy() for c in coefs]
        model.intercepts_ = [b.copy() for b in intercepts]
        model.loss_curve_ = []
        model.set_params(max_iter=epochs).fit(X, y)
    return model


@pytest.mark.parametrize("batch_size", [1, 7])
def test_classifier_loss_curve_equals_scikit_learn(batch_size):
    X, y = _data()
    coefs, intercepts = _start([(2, 3), (3, 1)])
    epochs = 40
    theirs = _sklearn_from(
        MLPClassifier(
            hidden_layer_sizes=(3,),
            activation="logistic",
            solver="sgd",
            learning_rate="constant",
            learning_rate_init=0.3,
            momentum=0.9,
            nesterovs_momentum=False,
            alpha=0.0,
            batch_size=batch_size,
            shuffle=False,
            tol=0.0,
            n_iter_no_change=10_000,
            warm_start=True,
            random_state=0,
        ),
        X,
        y,
        coefs,
        intercepts,
        epochs,
    )
    ours = BackpropClassifier(
        hidden_layer_sizes=(3,),
        activation="sigmoid",
        solver="sgd",
        nesterovs_momentum=False,
        alpha=0.0,
        learning_rate_init=0.3,
        momentum=0.9,
        batch_size=batch_size,
        max_iter=epochs,
        shuffle=False,
        tol=0.0,
        n_iter_no_change=10_000,
        warm_start=True,
    )
    ours.coefs_ = [c.copy() for c in coefs]
    ours.intercepts_ = [b.copy() for b in intercepts]
    ours.fit(X, y)
    assert ours.n_iter_ == epochs and len(theirs.loss_curve_) == epochs
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9, atol=1e-12)
    for a, b in zip(ours.coefs_, theirs.coefs_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    # and the loss did go down: the comparison is not between two stuck runs
    assert ours.loss_curve_[-1] < 0.8 * ours.loss_curve_[0]


@pytest.mark.parametrize(
    "settings",
    [
        {"solver": "sgd", "momentum": 0.9, "nesterovs_momentum": True, "alpha": 0.0},
        {"solver": "sgd", "momentum": 0.0, "alpha": 0.0},
        {"solver": "adam", "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-12, "alpha": 0.0},
        {"solver": "sgd", "momentum": 0.5, "nesterovs_momentum": False, "alpha": 0.05},
        {"solver": "adam", "epsilon": 1e-12, "alpha": 0.05},
    ],
    ids=["nesterov", "plain-sgd", "adam", "momentum-l2", "adam-l2"],
)
def test_solvers_follow_scikit_learns(settings):
    """The same weights as scikit-learn's solver from the same start: Nesterov's momentum,
    Adam (scikit-learn folds the bias corrections into the step, which moves epsilon by a
    factor sqrt(1 - beta_2^t): negligible with epsilon 1e-12) and alpha, the L2 penalty
    (a batch of 8 divides the 40 examples: scikit-learn's alpha / batch size each time)."""
    X, y = _data()
    coefs, intercepts = _start([(2, 3), (3, 1)])
    epochs = 30
    rate = 0.05 if settings["solver"] == "adam" else 0.3
    common = {"hidden_layer_sizes": (3,), "batch_size": 8, "learning_rate_init": rate}
    common.update(shuffle=False, tol=0.0, n_iter_no_change=10_000, warm_start=True)
    theirs = _sklearn_from(
        MLPClassifier(activation="logistic", random_state=0, **common, **settings),
        X,
        y,
        coefs,
        intercepts,
        epochs,
    )
    ours = BackpropClassifier(activation="sigmoid", max_iter=epochs, **common, **settings)
    ours.coefs_ = [c.copy() for c in coefs]
    ours.intercepts_ = [b.copy() for b in intercepts]
    ours.fit(X, y)
    pairs = zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_, strict=True)
    for a, b in pairs:
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-10)
    if settings["alpha"] == 0.0:
        np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-7, atol=1e-10)
    else:  # the penalty did change the weights
        plain = BackpropClassifier(
            activation="sigmoid", max_iter=epochs, **common, **{**settings, "alpha": 0.0}
        )
        plain.coefs_ = [c.copy() for c in coefs]
        plain.intercepts_ = [b.copy() for b in intercepts]
        plain.fit(X, y)
        assert np.abs(plain.coefs_[0] - ours.coefs_[0]).max() > 1e-3
    assert ours.loss_curve_[-1] < ours.loss_curve_[0] - 1e-3


def test_regressor_loss_curve_equals_scikit_learn():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(30, 3))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1]
    coefs, intercepts = _start([(3, 4), (4, 1)])
    theirs = _sklearn_from(
        MLPRegressor(
            hidden_layer_sizes=(4,),
            activation="tanh",
            solver="sgd",
            learning_rate="constant",
            learning_rate_init=0.02,
            momentum=0.5,
            nesterovs_momentum=False,
            alpha=0.0,
            batch_size=1,
            shuffle=False,
            tol=0.0,
            n_iter_no_change=10_000,
            warm_start=True,
            random_state=0,
        ),
        X,
        y,
        coefs,
        intercepts,
        25,
    )
    ours = BackpropRegressor(
        hidden_layer_sizes=(4,),
        activation="tanh",
        solver="sgd",
        nesterovs_momentum=False,
        alpha=0.0,
        batch_size=1,
        learning_rate_init=0.02,
        momentum=0.5,
        max_iter=25,
        shuffle=False,
        tol=0.0,
        n_iter_no_change=10_000,
        warm_start=True,
    )
    ours.coefs_ = [c.copy() for c in coefs]
    ours.intercepts_ = [b.copy() for b in intercepts]
    ours.fit(X, y)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-9, atol=1e-12)


def _same_start_pair(regressor: bool, **settings):
    """Ours and scikit-learn's sgd from the same weights, as the loss-curve tests above,
    with their training history cleared: each has seen nothing yet."""
    X, y = _data()
    common = dict(
        hidden_layer_sizes=(3,),
        solver="sgd",
        learning_rate_init=0.3,
        momentum=0.9,
        nesterovs_momentum=False,
        alpha=0.0,
        batch_size=4,
        shuffle=False,
        warm_start=True,
        **settings,
    )
    activation = "tanh" if regressor else "logistic"
    if regressor:
        y = y.astype(float)
        common["learning_rate_init"] = 0.05
    coefs, intercepts = _start([(2, 3), (3, 1)])
    Theirs, Ours = (
        (MLPRegressor, BackpropRegressor) if regressor else (MLPClassifier, BackpropClassifier)
    )
    theirs = Theirs(activation=activation, learning_rate="constant", random_state=0, **common)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs.set_params(max_iter=1).fit(X, y)  # builds its internals
    theirs.set_params(max_iter=common.get("max_iter", 200))
    theirs.coefs_ = [c.copy() for c in coefs]
    theirs.intercepts_ = [b.copy() for b in intercepts]
    theirs.loss_curve_, theirs.t_ = [], 0
    theirs.best_loss_, theirs._no_improvement_count = np.inf, 0
    ours = Ours(activation="sigmoid" if activation == "logistic" else activation, **common)
    ours.coefs_ = [c.copy() for c in coefs]
    ours.intercepts_ = [b.copy() for b in intercepts]
    return X, y, ours, theirs


def _history(model):
    """(n_iter_, len(loss_curve_), t_); t_ None where the model has none."""
    return model.n_iter_, len(model.loss_curve_), getattr(model, "t_", None)


@pytest.mark.parametrize("regressor", [False, True], ids=["classifier", "regressor"])
def test_warm_start_and_partial_fit_extend_the_history_as_scikit_learns(regressor):
    """With warm_start, a second fit goes on with loss_curve_ and t_ (samples seen), and
    n_iter_ counts that fit's epochs; partial_fit adds one epoch; a fit without warm_start
    starts both afresh: each as scikit-learn's own estimators do."""
    X, y, ours, theirs = _same_start_pair(regressor, max_iter=5, tol=0.0, n_iter_no_change=10_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for model in (ours, theirs):
            model.fit(X, y)
            model.fit(X, y)
        assert _history(ours) == _history(theirs) == (5, 10, 10 * len(X))
        np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9, atol=1e-12)
        for model in (ours, theirs):
            model.partial_fit(X, y)
        assert _history(ours) == _history(theirs) == (1, 11, 11 * len(X))
        np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9, atol=1e-12)
        for model in (ours, theirs):
            model.set_params(warm_start=False, max_iter=3).fit(X, y)
        assert _history(ours) == _history(theirs) == (3, 3, 3 * len(X))


def test_warm_start_goes_on_with_the_stopping_rule_as_scikit_learns():
    """The stopping rule's count carries over a warm start: a fit after one that stopped
    runs a single epoch when that epoch does not improve either, as scikit-learn's."""
    X, y, ours, theirs = _same_start_pair(False, max_iter=300, tol=1e-2, n_iter_no_change=2)
    for model in (ours, theirs):
        model.fit(X, y)
    first = _history(theirs)
    assert first[0] < 300  # it stopped by the rule
    assert _history(ours) == first
    for model in (ours, theirs):
        model.fit(X, y)
    assert _history(ours) == _history(theirs) == (1, first[1] + 1, (first[1] + 1) * len(X))
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9, atol=1e-12)


def test_warm_start_keeps_the_data_of_the_first_fit():
    """A warm start goes on with the fitted network, so X must have its features, as
    scikit-learn's requires; a network of other sizes starts afresh, history and all."""
    X, y = _data()
    clf = BackpropClassifier((3,), max_iter=4, warm_start=True, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.fit(np.hstack([X, X]), y)
    clf.set_params(hidden_layer_sizes=(4,)).fit(X, y)
    assert clf.coefs_[0].shape == (2, 4) and _history(clf) == (4, 4, 4 * len(X))


def test_fitted_attributes_and_orientation():
    X, y = _data(classes=3)
    clf = BackpropClassifier(hidden_layer_sizes=(5, 4), max_iter=20, random_state=0).fit(X, y)
    assert [c.shape for c in clf.coefs_] == [(2, 5), (5, 4), (4, 3)]  # (W^m)^T
    assert [b.shape for b in clf.intercepts_] == [(5,), (4,), (3,)]
    assert clf.n_features_in_ == 2 and list(clf.classes_) == [0, 1, 2]
    assert clf.n_iter_ == len(clf.loss_curve_) <= 20
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(clf.predict(X)) <= {0, 1, 2}
    assert 0.0 <= clf.score(X, y) <= 1.0


def test_same_random_state_same_model_and_partial_fit_is_one_epoch():
    X, y = _data()
    a = BackpropClassifier(max_iter=5, random_state=3).fit(X, y)
    b = BackpropClassifier(max_iter=5, random_state=3).fit(X, y)
    for ca, cb in zip(a.coefs_, b.coefs_, strict=True):
        np.testing.assert_array_equal(ca, cb)
    c = BackpropClassifier(random_state=3)
    for _ in range(3):
        c.partial_fit(X, y, classes=[0, 1])
    # as scikit-learn's: n_iter_ counts the last call's epochs, the curve every epoch
    assert c.n_iter_ == 1 and len(c.loss_curve_) == 3 and c.t_ == 3 * len(X)


def test_bad_input_gets_scikit_learn_errors():
    X, y = _data()
    with pytest.raises(NotFittedError):
        BackpropClassifier().predict(X)
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        BackpropClassifier().fit(bad, y)
    clf = BackpropClassifier(max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="^learning_rate_init must be a finite number > 0"):
        BackpropClassifier(learning_rate_init=-1).fit(X, y)
    for bad, words in [
        ({"solver": "lbfgs"}, "solver must be one of sgd, adam, adagrad, rmsprop"),
        ({"learning_rate": "adaptive"}, "learning_rate must be 'constant'"),
        ({"alpha": -1.0}, "alpha must be a finite number >= 0"),
        ({"beta_1": 1.0}, "beta_1 must be at least 0 and below 1"),
        ({"beta_2": -0.5}, "beta_2 must be at least 0 and below 1"),
        ({"rho": 1.0}, "rho must be at least 0 and below 1"),
        ({"epsilon": 0.0}, "epsilon must be a finite number > 0"),
        ({"nesterovs_momentum": "yes"}, "nesterovs_momentum must be True or False"),
        ({"batch_size": "big"}, "batch_size must be an integer >= 1"),
        ({"activation": "identity"}, "activation must be one of"),
    ]:
        with pytest.raises(ValueError, match=f"^{words}"):
            BackpropClassifier(**bad).fit(X, y)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        BackpropRegressor(hidden_layer_sizes=(0,)).fit(X, y.astype(float))


def test_show_says_why_it_cannot():
    X, y = _data()
    with pytest.raises(NotFittedError):
        BackpropClassifier().show()
    clf = BackpropClassifier(max_iter=2).fit(X, y)
    with pytest.raises(RuntimeError, match="terminal"):
        clf.show()  # the tests run without a terminal
    wide = BackpropRegressor(max_iter=2).fit(
        np.random.default_rng(0).normal(size=(20, 30)), np.arange(20.0)
    )
    with pytest.raises(RuntimeError, match="30 inputs"):
        wide.show()


def test_loss_curve_keeps_every_epoch_of_a_long_fit():
    """The app's loss history is thinned past 2048 epochs; loss_curve_ is not."""
    X, y = _data(n=8)
    clf = BackpropClassifier(
        (4,), max_iter=2100, tol=0.0, n_iter_no_change=10**9, random_state=0
    ).fit(X, y)
    assert clf.n_iter_ == len(clf.loss_curve_) == 2100


def test_early_stopping_follows_scikit_learns_rule():
    X, y = _data()
    clf = BackpropClassifier(max_iter=500, tol=1e-2, n_iter_no_change=3, random_state=0)
    clf.fit(X, y)
    curve = clf.loss_curve_
    assert clf.n_iter_ < 500
    # replay the rule on the recorded curve: it fires exactly at the last epoch
    best, count, stop = np.inf, 0, None
    for k, loss in enumerate(curve):
        count = count + 1 if loss > best - 1e-2 else 0
        best = min(best, loss)
        if count > 3:
            stop = k
            break
    assert stop == len(curve) - 1


def test_partial_fit_classes_then_fit_takes_the_new_labels():
    X, y = _data()
    clf = BackpropClassifier((8,), random_state=0).partial_fit(X, y, classes=[0, 1, 2])
    assert list(clf.classes_) == [0, 1, 2] and clf.coefs_[-1].shape == (8, 3)
    clf.fit(X, y)
    assert list(clf.classes_) == [0, 1] and clf.coefs_[-1].shape == (8, 1)


def test_pickled_model_leaves_the_training_data_behind():
    import pickle

    X, y = _data()
    clf = BackpropClassifier(max_iter=3, random_state=0).fit(X, y)
    copy = pickle.loads(pickle.dumps(clf))
    assert not hasattr(copy, "_fit_data")
    np.testing.assert_array_equal(copy.predict_proba(X), clf.predict_proba(X))


def test_a_number_as_learning_rate_is_still_the_step_size():
    """learning_rate was the step size before the solvers came; it is now scikit-learn's
    schedule, and a number there still works, with a FutureWarning."""
    X, y = _data()
    new = BackpropClassifier((3,), learning_rate_init=0.05, max_iter=5, random_state=0)
    with pytest.warns(FutureWarning, match="learning_rate_init"):
        old = BackpropClassifier((3,), learning_rate=0.05, max_iter=5, random_state=0).fit(X, y)
    new.fit(X, y)
    np.testing.assert_array_equal(old.loss_curve_, new.loss_curve_)
    with (
        pytest.raises(ValueError, match="^learning_rate must be a finite number > 0"),
        pytest.warns(FutureWarning),
    ):
        BackpropClassifier(learning_rate=-1).fit(X, y)


def test_logistic_is_scikit_learns_name_of_sigmoid():
    X, y = _data()
    a = BackpropClassifier((3,), activation="logistic", max_iter=5, random_state=0).fit(X, y)
    b = BackpropClassifier((3,), activation="sigmoid", max_iter=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


@pytest.mark.parametrize("solver", ["adam", "rmsprop", "sgd"])
def test_partial_fit_goes_on_with_the_optimizers_state(solver):
    """As scikit-learn's partial_fit keeps its optimizer: epochs one call at a time give
    the same network as those epochs in one fit (Adam's t and means carry over)."""
    X, y = _data()
    settings = {"solver": solver, "shuffle": False, "random_state": 0, "tol": 0.0}
    whole = BackpropClassifier((5,), max_iter=4, n_iter_no_change=100, **settings).fit(X, y)
    steps = BackpropClassifier((5,), **settings)
    for _ in range(4):
        steps.partial_fit(X, y, classes=[0, 1])
    np.testing.assert_array_equal(steps.loss_curve_, whole.loss_curve_)
    for a, b in zip(steps.coefs_, whole.coefs_, strict=True):
        np.testing.assert_array_equal(a, b)
