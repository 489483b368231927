"""The ``race`` command's options (kept apart from ``commands.race`` so that building the
parser imports nothing of the command itself)."""

from __future__ import annotations

import argparse
from typing import Any

from ..core.config import (
    OPTIMIZERS,
    RACE_SURFACES,
    number_from_text,
    parse_parameter_pair,
    whole_from_text,
)
from .options import argparse_type


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(","))


def _numbers(text: str) -> tuple[float, ...]:
    return tuple(number_from_text(part.strip()) for part in text.split(","))


def add_race_parser(commands: Any) -> argparse.ArgumentParser:
    """The command's parser: its own options, none of them a training option."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "race",
        help="optimizers side by side on one cost surface",
        description="Several optimizers (" + ", ".join(OPTIMIZERS) + ") from the same "
        "start on one cost surface, stepping together: each one's trail and loss per "
        "step. Defaults come from --lesson's [race] section, else the race scene's.",
    )
    parser.add_argument(
        "--lesson",
        metavar="NAME|FILE.toml",
        help="start from a race lesson's settings, or race on another lesson's network with "
        "--surface network",
    )
    parser.add_argument(
        "--surface",
        dest="race_surface",
        choices=RACE_SURFACES,
        metavar="SURFACE",
        help=f"the cost surface, one of {', '.join(RACE_SURFACES)}: NOT's (w, b) under mse "
        "or cross-entropy, the quartic, a narrow valley, Rosenbrock, or the lesson's "
        "network (default: not-mse)",
    )
    parser.add_argument(
        "--params",
        dest="race_params",
        type=argparse_type(parse_parameter_pair),
        metavar="'P1,P2'",
        help="the network surface's two parameters, like 'W1[1,1],b1[1]' (default: the "
        "lesson's [race] params, else the two of a two-parameter network)",
    )
    parser.add_argument(
        "--optimizers",
        dest="race_optimizers",
        type=argparse_type(_names),
        metavar="A,B,...",
        help="the racers, for example momentum,adam",
    )
    parser.add_argument(
        "--alphas",
        dest="race_alphas",
        type=argparse_type(_numbers),
        metavar="X,Y,...",
        help="one learning rate per racer (default: each surface's own)",
    )
    parser.add_argument(
        "--momentum",
        dest="race_momentum",
        type=argparse_type(number_from_text),
        metavar="MU",
        help="mu of momentum and nesterov",
    )
    parser.add_argument(
        "--steps",
        dest="race_steps",
        type=argparse_type(whole_from_text),
        metavar="N",
        help="steps each racer takes at most (default: 500)",
    )
    parser.add_argument(
        "--x0",
        dest="race_x0",
        type=argparse_type(number_from_text),
        metavar="X",
        help="the start's first coordinate (default: the surface's own)",
    )
    parser.add_argument(
        "--y0",
        dest="race_y0",
        type=argparse_type(number_from_text),
        metavar="Y",
        help="the start's second coordinate (not for the quartic)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser
