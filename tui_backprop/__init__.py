"""tui-backprop: watch backpropagation and gradient descent train a neural network."""

__version__ = "0.1.0"


def __getattr__(name: str):
    # The estimators need scikit-learn (an optional extra) and the kernels: import them
    # only when asked for, so the command line starts fast without either.
    if name in ("BackpropClassifier", "BackpropRegressor"):
        from . import estimators

        return getattr(estimators, name)
    raise AttributeError(f"module 'tui_backprop' has no attribute {name!r}")
