"""tui-backprop: watch backpropagation and gradient descent train a neural network.

The layers, each a subpackage whose ``__init__`` says what its modules hold; imports run
downward only (``tests/test_layers.py`` checks it, imports inside functions included):

- ``kernels`` (beside this package): Numba kernels, arrays in and out; imports nothing of
  this package.
- ``core``: the typed configuration, the network's spec, its parameters, the Session that
  trains it, Snapshots, the loss history, example orders, the problems and the NumPy
  reference. Knows neither Textual nor the command line.
- ``teach``: what the lessons compute from a Session: one update explained phase by phase,
  the gradient check, cost landscapes, gradient descent on the tutorials' functions,
  restarts, and the phase walk the app steps through.
- ``io``: files: weights, CSV data, lessons (TOML read into the configuration), and the
  assembly of a configuration into a ready Session.
- ``app``: the Textual app; renders Snapshots and sends commands to a Runner.
- ``estimators``: scikit-learn style classes on the same Session.
- ``cli``: the command line, the only layer that knows argparse.

``__version__`` is read from the installed package's metadata, so the version is written
once, in pyproject.toml. Run from a source tree that was never installed (not even with
``pip install -e .``) there is no metadata, and it is ``"0+unknown"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    __version__: str

#: What ``__version__`` is when the package is not installed.
UNKNOWN_VERSION = "0+unknown"


def _read_version() -> str:
    # importlib.metadata takes a few tens of milliseconds to import: only when asked.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tui-backprop")
    except PackageNotFoundError:
        return UNKNOWN_VERSION


def __getattr__(name: str) -> Any:
    if name == "__version__":
        globals()["__version__"] = value = _read_version()  # read once
        return value
    # The estimators need scikit-learn (an optional extra) and the kernels: import them
    # only when asked for, so the command line starts fast without either.
    if name in ("BackpropClassifier", "BackpropRegressor"):
        from . import estimators

        return getattr(estimators, name)
    raise AttributeError(f"module 'tui_backprop' has no attribute {name!r}")
