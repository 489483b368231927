"""scikit-learn style estimators on the same kernels: BackpropClassifier, BackpropRegressor.

They follow scikit-learn's conventions (parameters stored unchanged by ``__init__`` and
checked in ``fit``; fitted attributes end in ``_``) and pass its estimator checks. Names
differ from ``MLPClassifier`` where the meaning differs:

- ``learning_rate`` is the app's alpha, the step size in d = -alpha g + mu d_prev
  (scikit-learn's ``learning_rate_init``; its ``alpha`` is an L2 penalty, which these do not
  have);
- ``coefs_[m - 1]`` is (W^m)^T, shape (N^{m-1}, N^m), scikit-learn's orientation, and
  ``intercepts_[m - 1]`` is b^m: the README's W^m is ``coefs_[m - 1].T``.

The classifier uses sigmoid outputs with cross-entropy: one output for two classes, one per
class (one-vs-rest) for more, whose ``predict_proba`` is the outputs normalised to sum to 1.
The regressor uses a linear output with mse. ``loss_curve_`` holds, per epoch, the mean cost
of the examples as they were trained on, exactly as scikit-learn's sgd solver computes it.

scikit-learn is an optional dependency: ``pip install tui-backprop[sklearn]``.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

import kernels

from .core.config import MAX_SEED, NetworkConfig, TrainingConfig
from .core.errors import ConfigError
from .core.model import Network
from .core.session import Session
from .core.spec import NetworkSpec

MAX_DRAWN_INPUTS = 16
#: configuration field -> the estimators' parameter that sets it, for the fields the
#: configuration checks (the others are checked here, in scikit-learn's words).
PARAMETERS = {
    "training.alpha": "learning_rate",
    "training.momentum": "momentum",
    "network.activation": "activation",
    "network.beta": "beta",
}


def parameter_name(config_field: str) -> str:
    """How the estimators name a configuration field: "training.alpha" -> "learning_rate"."""
    return PARAMETERS.get(config_field, config_field.rpartition(".")[2])


def _number(value: object) -> Any:
    """A real number as a Python float (numpy's too); anything else as it is, for the
    configuration to refuse by name."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    return value


class _Backprop(BaseEstimator):
    """What the classifier and the regressor share. Not for direct use."""

    _output_activation = "sigmoid"
    _cost = "mse"

    def __init__(
        self,
        hidden_layer_sizes=(8,),
        activation="sigmoid",
        learning_rate=0.01,
        momentum=0.9,
        batch_size=1,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        n_iter_no_change=10,
        beta=1.0,
        warm_start=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.beta = beta
        self.warm_start = warm_start

    # -- parameters ------------------------------------------------------------------------
    def _hidden(self) -> tuple[int, ...]:
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral):
            sizes = (sizes,)
        sizes = tuple(sizes)
        if any(not isinstance(s, numbers.Integral) or s < 1 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be positive integers, got {sizes!r}")
        return tuple(int(s) for s in sizes)

    def _check_params(self) -> None:
        def positive_int(name):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")

        positive_int("batch_size")
        positive_int("max_iter")
        positive_int("n_iter_no_change")
        if not (isinstance(self.tol, numbers.Real) and float(self.tol) >= 0):
            raise ValueError(f"tol must be a number >= 0, got {self.tol!r}")
        # activation, learning_rate, momentum and beta are checked by the configuration.

    # -- fitting ---------------------------------------------------------------------------
    def _targets(self, y, reset: bool) -> np.ndarray:
        raise NotImplementedError

    def _fit(self, X, y, incremental: bool):
        self._check_params()
        first = not (incremental and hasattr(self, "coefs_"))
        regressor = isinstance(self, RegressorMixin)
        X, y = validate_data(
            self, X, y, reset=first, multi_output=regressor, y_numeric=regressor, dtype=np.float64
        )
        Y = self._targets(y, reset=first)
        seed = int(check_random_state(self.random_state).randint(0, MAX_SEED))
        try:
            network = NetworkConfig(
                hidden=self._hidden(),
                activation=self.activation,
                output_activation=self._output_activation,
                beta=_number(self.beta),
                cost=self._cost,
            )
            spec = NetworkSpec.build(
                X.shape[1],
                network.hidden,
                Y.shape[1],
                activation=network.activation,
                output_activation=self._output_activation,
                cost=network.cost,
                beta=network.beta,
            )
            settings = TrainingConfig(
                alpha=_number(self.learning_rate),
                momentum=_number(self.momentum),
                batch_size=min(int(self.batch_size), len(X)),
                seed=seed,
                shuffle=bool(self.shuffle),
            )
        except ConfigError as error:
            raise ValueError(error.worded(parameter_name)) from None
        session = Session(spec, X, Y, settings, initial=self._start(spec, first))
        if first:
            self.loss_curve_ = []
            self.n_iter_ = 0
            self.best_loss_ = np.inf
            self._no_improvement_count = 0
        left = 1 if incremental else int(self.max_iter)
        while left > 0:
            # scikit-learn's rule stops after n_iter_no_change + 1 epochs in a row without an
            # improvement of tol over the best loss; it cannot fire before that many more
            # epochs, so that many run in one call, and the rule is applied to each after.
            chunk = (
                1
                if incremental
                else min(left, self.n_iter_no_change + 1 - self._no_improvement_count)
            )
            losses: list[float] = []
            session.epoch_losses = losses
            session.run_epochs(chunk)
            if session.diverged or len(losses) != chunk or not np.isfinite(losses).all():
                raise ValueError(
                    "training diverged (the loss is no longer finite); "
                    f"lower learning_rate (now {self.learning_rate})"
                )
            left -= chunk
            for loss in losses:
                self.loss_curve_.append(float(loss))
                self.n_iter_ += 1
                if loss > self.best_loss_ - self.tol:
                    self._no_improvement_count += 1
                else:
                    self._no_improvement_count = 0
                self.best_loss_ = min(self.best_loss_, loss)
            if not incremental and self._no_improvement_count > self.n_iter_no_change:
                break
        self.coefs_ = [w.T.copy() for w in session.network.weights()]
        self.intercepts_ = session.network.biases()
        self.loss_ = self.loss_curve_[-1]
        self._fit_data = (X, Y)
        return self

    def _start(self, spec: NetworkSpec, first: bool):
        """Initial (weights, biases) to continue from (partial_fit, warm_start), or None."""
        if not hasattr(self, "coefs_") or (first and not self.warm_start):
            return None
        weights = [np.asarray(c, dtype=np.float64).T for c in self.coefs_]
        biases = [np.asarray(b, dtype=np.float64) for b in self.intercepts_]
        shapes = [(spec.sizes[m], spec.sizes[m - 1]) for m in range(1, spec.n_layers + 1)]
        if [w.shape for w in weights] != shapes:
            return None  # a different network now: start afresh
        return weights, biases

    def fit(self, X, y):
        """Train for up to ``max_iter`` epochs (fewer if the loss stops improving)."""
        self.__dict__.pop("_partial_classes", None)  # classes come from this y
        return self._fit(X, y, incremental=False)

    # -- predicting ------------------------------------------------------------------------
    def _outputs(self, X) -> np.ndarray:
        """Network outputs a^L, (n, N^L), for X (n, n_features_in_)."""
        check_is_fitted(self, "coefs_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        sizes = (self.coefs_[0].shape[0], *(c.shape[1] for c in self.coefs_))
        activations = (self.activation,) * (len(sizes) - 2) + (self._output_activation,)
        spec = NetworkSpec(sizes, activations, cost=self._cost, beta=float(self.beta))
        net = Network(spec)
        net.set_parameters([c.T for c in self.coefs_], self.intercepts_)
        outputs = np.zeros((len(X), sizes[-1]))
        kernels.evaluate(
            net.layers,
            net.betas,
            net.cost_code,
            net.params,
            net.z,
            net.a,
            np.ascontiguousarray(X),
            np.zeros((len(X), sizes[-1])),
            outputs,
            np.zeros(len(X)),
        )
        return outputs

    def __getstate__(self):
        # The training data is kept only for show() in this process: a pickled model
        # should not carry it along.
        state = super().__getstate__()
        state.pop("_fit_data", None)
        return state

    def show(self, X=None, y=None) -> None:
        """Open the app on the fitted network and its training data (or X, y; needed after
        unpickling, since the data is not pickled).

        Raises RuntimeError, saying why, when it cannot: not fitted, too many inputs to
        draw, no data, or no terminal to draw on."""
        import sys

        from .app.app import BackpropApp
        from .app.config import AppConfig
        from .core.problem import Problem

        check_is_fitted(self, "coefs_")
        if self.n_features_in_ > MAX_DRAWN_INPUTS:
            raise RuntimeError(
                f"the network has {self.n_features_in_} inputs; the app draws "
                f"at most {MAX_DRAWN_INPUTS}"
            )
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise RuntimeError("show() needs a terminal (stdin and stdout are not one)")
        if X is None:
            if not hasattr(self, "_fit_data"):
                raise RuntimeError(
                    "show() needs X and y here (the training data is not kept in a pickled model)"
                )
            X, Y = self._fit_data
        else:
            X = validate_data(self, X, reset=False, dtype=np.float64)
            Y = self._targets(np.asarray(y), reset=False)
        kind = "classification" if isinstance(self, ClassifierMixin) else "regression"
        problem = Problem(
            type(self).__name__,
            X,
            Y,
            kind,
            f"{type(self).__name__} training data: {len(X)} examples",
        )
        sizes = (X.shape[1], *(c.shape[1] for c in self.coefs_))
        spec = NetworkSpec(
            sizes,
            (self.activation,) * (len(sizes) - 2) + (self._output_activation,),
            cost=self._cost,
            beta=float(self.beta),
        )
        settings = TrainingConfig(
            alpha=float(self.learning_rate),
            momentum=float(self.momentum),
            batch_size=min(int(self.batch_size), len(X)),
        )
        initial = ([c.T for c in self.coefs_], list(self.intercepts_))
        BackpropApp(AppConfig(problem=problem, spec=spec, settings=settings, initial=initial)).run()


class BackpropClassifier(ClassifierMixin, _Backprop):
    """A fully connected network trained by backpropagation, for class labels.

    Parameters: hidden_layer_sizes, activation ("sigmoid", "tanh", "relu"), learning_rate
    (alpha), momentum (mu), batch_size (1 = online), max_iter (epochs), shuffle,
    random_state, tol, n_iter_no_change, beta (sigmoid steepness), warm_start.
    """

    _output_activation = "sigmoid"
    _cost = "cross-entropy"

    def _targets(self, y, reset: bool) -> np.ndarray:
        """Targets (n, 1) for two classes (1 for classes_[1]), else one-hot (n, K)."""
        check_classification_targets(y)
        if reset:
            given = getattr(self, "_partial_classes", None)
            self.classes_ = given if given is not None else np.unique(y)
            if len(self.classes_) < 2:
                raise ValueError(
                    "a classifier needs at least 2 classes in y, got one class: "
                    f"{self.classes_[0]!r}"
                )
        index = np.searchsorted(self.classes_, y)
        index = np.minimum(index, len(self.classes_) - 1)
        if not np.array_equal(self.classes_[index], y):
            raise ValueError(f"y has classes not seen in the first fit ({self.classes_})")
        if len(self.classes_) == 2:
            return (index == 1).astype(np.float64)[:, None]
        one_hot = np.zeros((len(y), len(self.classes_)))
        one_hot[np.arange(len(y)), index] = 1.0
        return one_hot

    def partial_fit(self, X, y, classes=None):
        """One epoch over X, y (the first call needs ``classes``, every class in the data)."""
        if not hasattr(self, "coefs_"):
            if classes is None:
                raise ValueError("the first call to partial_fit needs classes=")
            self._partial_classes = np.unique(np.asarray(classes))
        return self._fit(X, y, incremental=True)

    def predict_proba(self, X) -> np.ndarray:
        """(n, n_classes): sigmoid outputs; for more than two classes, normalised per row."""
        out = self._outputs(X)
        if out.shape[1] == 1:
            return np.hstack([1.0 - out, out])
        total = out.sum(axis=1, keepdims=True)
        return np.divide(out, total, out=np.full_like(out, 1.0 / out.shape[1]), where=total > 0)

    def predict(self, X) -> np.ndarray:
        proba = self.predict_proba(X)  # first: it checks that the classifier is fitted
        return self.classes_[np.argmax(proba, axis=1)]


class BackpropRegressor(RegressorMixin, _Backprop):
    """A fully connected network trained by backpropagation, for numeric targets
    (linear output, mse). Parameters as BackpropClassifier's."""

    _output_activation = "linear"
    _cost = "mse"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _targets(self, y, reset: bool) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64)
        if reset:
            self._single_output = y.ndim == 1
        return y.reshape(len(y), -1)

    def partial_fit(self, X, y):
        """One epoch over X, y."""
        return self._fit(X, y, incremental=True)

    def predict(self, X) -> np.ndarray:
        out = self._outputs(X)
        return out[:, 0] if self._single_output else out
