"""Command-line options shared by every command that builds a network and trains it.

Only argparse and the standard library are imported here, so ``--help`` stays fast.
Values are parsed as plain types; their meaning is checked where it is defined
(``spec``, ``settings``, ``problems``) so that the same rules apply to every front end.
"""

from __future__ import annotations

import argparse

# spec imports only the standard library, so this keeps --help fast.
from ..core.spec import COSTS, HIDDEN_ACTIVATIONS, INIT_SCHEMES, OUTPUT_ACTIVATIONS


def add_problem_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("data")
    source = group.add_mutually_exclusive_group()
    source.add_argument("--problem", default="xor", metavar="NAME",
                        help="built-in problem (see `tui-backprop problems`; default: xor)")
    source.add_argument("--data", metavar="FILE.csv",
                        help="your own data: numeric CSV, optional header row")
    group.add_argument("--targets", type=int, default=1, metavar="K",
                       help="with --data: the last K columns are targets (default: 1)")
    group.add_argument("--samples", type=int, metavar="N",
                       help="examples to generate for circle, spiral, gauss, moons, sine")
    group.add_argument("--noise", type=float, metavar="F",
                       help="noise of the generated problems")
    group.add_argument("--data-seed", type=int, default=0, metavar="S",
                       help="seed of the generated data, separate from --seed (default: 0)")


def add_network_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("network")
    group.add_argument("--hidden", default="3", metavar="SIZES",
                       help="hidden layer sizes: 3, or 16,16; 0 for none (default: 3)")
    group.add_argument("--activation", choices=HIDDEN_ACTIVATIONS, default="sigmoid",
                       help="activation of the hidden layers (default: sigmoid)")
    group.add_argument("--output-activation", choices=OUTPUT_ACTIVATIONS,
                       help="activation of the output layer (default: sigmoid, or linear "
                            "when targets leave [0, 1])")
    group.add_argument("--beta", type=float, default=1.0,
                       help="sigmoid steepness: 1/(1 + e^(-beta z)) (default: 1)")
    group.add_argument("--cost", choices=COSTS, default="mse",
                       help="mse = 1/2 |a - y|^2, or cross-entropy (sigmoid output only)")
    group.add_argument("--no-bias", action="store_true", help="layers without biases")
    group.add_argument("--init", metavar="FILE.json",
                       help="exact initial weights from a weights file")
    group.add_argument("--init-scheme", choices=INIT_SCHEMES, default="auto",
                       help="how a seed draws initial weights: auto (Glorot uniform; He "
                            "normal for relu) or tutorial (0.5 sqrt(6/(n_in + n_out)) "
                            "N(0,1)) (default: auto)")


def add_training_options(parser: argparse.ArgumentParser, epochs: int | None,
                         epochs_help: str | None = None) -> None:
    """``epochs`` is the default of --epochs, or None for commands without it (unless
    ``epochs_help`` describes what --epochs means there, with no default)."""
    group = parser.add_argument_group("training")
    group.add_argument("--alpha", type=float, default=0.1,
                       help="learning rate alpha (default: 0.1)")
    group.add_argument("--momentum", type=float, default=0.9,
                       help="momentum mu, 0 <= mu < 1 (default: 0.9)")
    group.add_argument("--batch-size", type=int, default=1, metavar="B",
                       help="examples per update: 1 is online (default), N is full batch")
    if epochs is not None:
        group.add_argument("--epochs", type=int, default=epochs,
                           help=f"passes over the data (default: {epochs})")
    elif epochs_help:
        group.add_argument("--epochs", type=int, default=None, help=epochs_help)
    group.add_argument("--seed", type=int, default=0,
                       help="seed of the initial weights and example order (default: 0)")
    group.add_argument("--no-shuffle", action="store_true",
                       help="visit examples in the data's own order every epoch")
