"""From parsed command-line options to a ready Session (data, network, settings)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from ..core.errors import InputError
from ..core.problems import Problem, load_csv, make_problem
from ..core.session import Session
from ..core.config import TrainSettings
from ..core.spec import NetworkSpec, parse_hidden
from .weights_file import load_weights


@dataclass(frozen=True)
class Setup:
    problem: Problem
    spec: NetworkSpec
    settings: TrainSettings
    initial: tuple | None
    session: Session | None


def load_problem(args: argparse.Namespace) -> Problem:
    if args.data is not None:
        if args.samples is not None or args.noise is not None:
            raise InputError("--samples and --noise apply to built-in problems, not --data")
        if args.targets < 1:
            raise InputError(f"--targets must be at least 1, got {args.targets}")
        return load_csv(args.data, targets=args.targets)
    return make_problem(args.problem, samples=args.samples, noise=args.noise,
                        seed=args.data_seed)


def build_spec(args: argparse.Namespace, problem: Problem) -> NetworkSpec:
    output = args.output_activation or problem.default_output_activation
    spec = NetworkSpec.build(
        problem.n_inputs, parse_hidden(args.hidden), problem.n_outputs,
        activation=args.activation, output_activation=output, cost=args.cost,
        beta=args.beta, bias=not args.no_bias, init_scheme=args.init_scheme,
    )
    if spec.cost == "cross-entropy" and not ((problem.Y >= 0) & (problem.Y <= 1)).all():
        raise InputError("cross-entropy needs every target in [0, 1]; use --cost mse")
    return spec


def build_settings(args: argparse.Namespace, problem: Problem) -> TrainSettings:
    settings = TrainSettings(
        alpha=args.alpha, momentum=args.momentum, batch_size=args.batch_size,
        epochs=1 if getattr(args, "epochs", None) is None else args.epochs,
        seed=args.seed, shuffle=not args.no_shuffle,
    )
    settings.check_data_size(problem.n_examples)
    return settings


def build_setup(args: argparse.Namespace, make_session: bool = True) -> Setup:
    """Everything a command needs; raises InputError for any bad option.

    ``make_session=False`` leaves the Session to the caller (the app builds its own)."""
    problem = load_problem(args)
    spec = build_spec(args, problem)
    settings = build_settings(args, problem)
    initial = load_weights(args.init, spec.sizes, spec.bias) if args.init else None
    session = (Session(spec, problem.X, problem.Y, settings, initial=initial)
               if make_session else None)
    return Setup(problem, spec, settings, initial, session)


def build_trained_setup(args: argparse.Namespace) -> Setup:
    """``build_setup``, with ``--example K`` checked against the data and the Session
    trained ``--after-epochs N`` first (the commands that look at one moment of a run)."""
    if args.after_epochs < 0:
        raise InputError(f"--after-epochs must be at least 0, got {args.after_epochs}")
    setup = build_setup(args)
    session = setup.session
    n = session.n_examples
    if args.example is not None and not 1 <= args.example <= n:
        raise InputError(f"--example must be from 1 to {n}, got {args.example}")
    if args.after_epochs:
        session.run_epochs(args.after_epochs)
        if session.diverged:
            raise InputError(f"training diverged within {args.after_epochs} epochs; "
                             "lower --alpha")
    return setup
