"""The core: what a network is, the data it learns and the Session that trains it.

- ``config``: the typed configuration of a run (frozen dataclasses, validated where defined)
  and its defaults.
- ``errors``: InputError and ConfigError, the one-line errors of bad input, and the helpers
  that keep a message on one line.
- ``spec``: NetworkSpec, a network's sizes, activations, cost, beta and biases.
- ``arrays``: the array types (Floats, Ints, Bools) and per-layer lists (None at index 0).
- ``model``: the Network, one flat parameter buffer with W[m], b[m] views, and its
  initial weights.
- ``orders``: the example order of every epoch, drawn from a seed.
- ``step_state``: the packed int64 state and float64 data a single kernel step takes.
- ``session``: the Session, the trainer every front end shares.
- ``history``: the loss curve, thinned to a bounded size.
- ``snapshot``: Snapshot, the copies a display reads.
- ``problem``: Problem, a fixed table of examples X and targets Y.
- ``problems``: the built-in problems (logic gates, circle, spiral, ...) and their catalog.
- ``reference``: the same math in plain NumPy, the oracle the kernels are tested against.

Imports: ``kernels`` and this package only; never the layers above (teach, io, app,
estimators, cli), nor Textual, rich or argparse.
"""
