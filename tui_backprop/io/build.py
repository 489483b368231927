"""From a RunConfig to what it names: the examples read or generated, the network's spec,
the initial weights read, and a Session ready to train.

Each step is a function of its own, so that a front end can tell which of its settings a
file's error belongs to (a lesson names ``[data] data`` for a bad CSV file and
``[network] init`` for a bad weights file).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.arrays import Floats
from ..core.config import (
    DataConfig,
    InitConfig,
    MomentConfig,
    NetworkConfig,
    RunConfig,
    TrainingConfig,
)
from ..core.errors import ConfigError
from ..core.problem import Problem
from ..core.problems import make_problem
from ..core.session import Session
from ..core.spec import NetworkSpec
from ..core.words import counted
from .csv_data import load_csv
from .files import display_path
from .resume import Resumed, resume
from .weights_file import SavedState, load_weights_and_state

#: Initial weights: (W^1..W^L, b^1..b^L or None), as ``weights_file.load_weights`` gives.
Initial = tuple[list[Floats], list[Floats] | None]


@dataclass(frozen=True)
class Setup:
    """A run's parts: the problem, the network's spec, the training settings, the exact
    initial weights (or None: drawn from the seed) and the Session (or None when the
    caller builds its own)."""

    problem: Problem
    spec: NetworkSpec
    settings: TrainingConfig
    initial: Initial | None
    session: Session | None
    #: The weights file's training state, if it holds one (see ``io.resume``).
    saved: SavedState | None = None
    #: What of it the Session was put back to (None: no state, or no Session built).
    resumed: Resumed | None = None


def load_problem(data: DataConfig) -> Problem:
    """The examples: the CSV file's, or the built-in problem's."""
    if data.csv is not None:
        return load_csv(data.csv, targets=data.targets)
    return make_problem(data.problem, samples=data.samples, noise=data.noise, seed=data.seed)


def build_spec(network: NetworkConfig, init: InitConfig, problem: Problem) -> NetworkSpec:
    """The network for ``problem``'s input and output sizes."""
    spec = NetworkSpec.build(
        problem.n_inputs,
        network.hidden,
        problem.n_outputs,
        activation=network.activation,
        output_activation=network.output_activation or problem.default_output_activation,
        cost=network.cost,
        beta=network.beta,
        bias=network.bias,
        init_scheme=init.scheme,
    )
    if network.cost == "cross-entropy" and not ((problem.Y >= 0) & (problem.Y <= 1)).all():
        raise ConfigError("network.cost", "cross-entropy needs every target in [0, 1]; use mse")
    return spec


def load_initial(init: InitConfig, spec: NetworkSpec) -> Initial | None:
    """The weights file's weights for ``spec``, or None to draw them from the seed."""
    return load_initial_and_state(init, spec)[0]


def load_initial_and_state(
    init: InitConfig, spec: NetworkSpec
) -> tuple[Initial | None, SavedState | None]:
    """The weights file's weights for ``spec`` and its training state (None when it holds
    none), or (None, None) to draw the weights from the seed."""
    if not init.file:
        return None, None
    return load_weights_and_state(init.file, spec.sizes, spec.bias)


def build_setup(run: RunConfig, make_session: bool = True, resume_run: bool = True) -> Setup:
    """Everything a command needs; raises InputError (ConfigError for a bad setting).

    ``make_session=False`` leaves the Session to the caller (the app builds its own).
    When the ``--init`` file holds a training state, the Session resumes it (``io.resume``)
    unless ``resume_run`` is False: then it only starts from the file's weights."""
    problem = load_problem(run.data)
    spec = build_spec(run.network, run.init, problem)
    run.training.check_data_size(problem.n_examples)
    initial, saved = load_initial_and_state(run.init, spec)
    session = (
        Session(spec, problem.X, problem.Y, run.training, initial=initial) if make_session else None
    )
    resumed = None
    if session is not None and saved is not None and resume_run:
        assert run.init.file is not None
        resumed = resume(session, saved, display_path(run.init.file))
    return Setup(problem, spec, run.training, initial, session, saved, resumed)


def build_trained_setup(run: RunConfig, moment: MomentConfig) -> Setup:
    """``build_setup``, with ``moment.example`` checked against the data and the Session
    trained ``moment.after_epochs`` first (for the commands that look at one moment of a
    run)."""
    setup = build_setup(run)
    session = setup.session
    assert session is not None
    n = session.n_examples
    if moment.example is not None and moment.example > n:
        raise ConfigError("moment.example", f"must be from 1 to {n}, got {moment.example}")
    if moment.after_epochs:
        session.run_epochs(moment.after_epochs)
        if session.diverged:
            suspect, instead = run.training.divergence_suspect()
            words = run.training.decay_words()
            why = "" if words is None else f" for <training.alpha> ({words})"
            raise ConfigError(
                suspect,
                f"is too large{why}: training diverged within "
                f"{counted(moment.after_epochs, 'epoch')}; try {instead:g}",
            )
    return setup
