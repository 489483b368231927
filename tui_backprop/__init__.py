"""tui-backprop: watch backpropagation and gradient descent train a neural network.

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
