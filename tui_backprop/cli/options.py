"""The command line's options, and how their values become the typed configuration.

Each option is one :class:`Option`: its flag, the configuration field it sets
(``"training.alpha"``), how its text becomes the field's value, and its help. The options
have no argparse defaults (``SUPPRESS``): a parsed command line holds only what was given,
and :func:`configure` lays that over a base configuration (the defaults of
``core.config``, or a lesson's values), so defaults live once, in the config types, and
options given on the command line win over a lesson's.

Numbers are read by ``core.config``'s whole_from_text and number_from_text, not int()
and float(): only ASCII digits (int() takes "٣" and "３" too) and at most MAX_DIGITS of
them.

A :class:`~tui_backprop.core.errors.ConfigError` is worded here in the command line's
terms (``--alpha must be ...``) by :func:`option_name`.

Only argparse, the standard library and ``core.config`` (itself standard library only)
are imported here, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..core.config import (
    DEFAULT_GAMMA,
    DEFAULT_THRESHOLDS,
    DESCENT_FUNCTIONS,
    DESCENT_PRESETS,
    MAX_GRID,
    MAX_HALF_RANGE,
    MIN_QUIT_AFTER,
    OPTIMIZERS,
    QUARTIC_START,
    AppOptions,
    DataConfig,
    DescentConfig,
    InitConfig,
    LandscapeConfig,
    MomentConfig,
    NetworkConfig,
    RestartsConfig,
    RunConfig,
    TrainingConfig,
    number_from_text,
    parse_hidden,
    parse_parameter_pair,
    speed_from_text,
    whole_from_text,
)
from ..core.errors import ConfigError
from ..core.spec import COSTS, HIDDEN_ACTIVATIONS, INIT_SCHEMES, OUTPUT_ACTIVATIONS
from ..teach.digits import figures

_DATA, _NET, _INIT = DataConfig(), NetworkConfig(), InitConfig()
_TRAIN, _APP = TrainingConfig(), AppOptions()
_DESCENT, _LANDSCAPE, _RESTARTS = DescentConfig(), LandscapeConfig(), RestartsConfig()
_MOMENT = MomentConfig()


@dataclass(frozen=True)
class Option:
    """One option: ``flag`` sets configuration field ``field`` to ``convert(text)``
    (``const`` instead for a flag without a value)."""

    flag: str
    field: str
    help: str
    convert: Callable[[str], Any] | None = str
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    const: Any = None

    @property
    def dest(self) -> str:
        return self.field.replace(".", "__")

    def add_to(self, group: argparse._ActionsContainer) -> None:
        if self.convert is None:
            group.add_argument(
                self.flag,
                dest=self.dest,
                action="store_const",
                const=self.const,
                default=argparse.SUPPRESS,
                help=self.help,
            )
        else:
            metavar = self.metavar
            if metavar is None and self.choices is None:
                metavar = self.flag.lstrip("-").replace("-", "_").upper()
            group.add_argument(
                self.flag,
                dest=self.dest,
                type=self._typed(self.convert),
                default=argparse.SUPPRESS,
                metavar=metavar,
                choices=self.choices,
                help=self.help,
            )

    @staticmethod
    def _typed(convert: Callable[[str], Any]) -> Callable[[str], Any]:
        return argparse_type(convert)


def argparse_type(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """``convert`` for argparse's ``type=``: a ConfigError's problem becomes argparse's
    one-line message (``argument --x: PROBLEM``)."""
    if convert is str:
        return convert

    def typed(text: str) -> Any:
        try:
            return convert(text)
        except ConfigError as error:
            raise argparse.ArgumentTypeError(error.problem) from None

    typed.__name__ = convert.__name__
    return typed


def file_name(text: str) -> str:
    """A file to write, as given; not an empty name."""
    if not text:
        raise ConfigError("", "must be a file name, got an empty one")
    return text


def _hidden_text(sizes: tuple[int, ...]) -> str:
    return ",".join(map(str, sizes)) or "0"


DATA_OPTIONS = [
    Option(
        "--problem",
        "data.problem",
        f"built-in problem (see `tui-backprop problems`; default: {_DATA.problem})",
        metavar="NAME",
    ),
    Option(
        "--data", "data.csv", "your own data: numeric CSV, optional header row", metavar="FILE.csv"
    ),
    Option(
        "--targets",
        "data.targets",
        f"with --data: the last K columns are targets (default: {_DATA.targets})",
        whole_from_text,
        "K",
    ),
    Option(
        "--samples",
        "data.samples",
        "examples to generate for circle, spiral, gauss, moons, sine",
        whole_from_text,
        "N",
    ),
    Option("--noise", "data.noise", "noise of the generated problems", number_from_text, "F"),
    Option(
        "--data-seed",
        "data.seed",
        f"seed of the generated data, separate from --seed (default: {_DATA.seed})",
        whole_from_text,
        "S",
    ),
]
NETWORK_OPTIONS = [
    Option(
        "--hidden",
        "network.hidden",
        f"hidden layer sizes: 3, or 16,16; 0 for none (default: {_hidden_text(_NET.hidden)})",
        parse_hidden,
        "SIZES",
    ),
    Option(
        "--activation",
        "network.activation",
        f"activation of the hidden layers (default: {_NET.activation})",
        choices=HIDDEN_ACTIVATIONS,
    ),
    Option(
        "--output-activation",
        "network.output_activation",
        "activation of the output layer (default: sigmoid, or linear when targets leave [0, 1])",
        choices=OUTPUT_ACTIVATIONS,
    ),
    Option(
        "--beta",
        "network.beta",
        f"sigmoid steepness: 1/(1 + e^(-beta z)) (default: {_NET.beta:g})",
        number_from_text,
    ),
    Option(
        "--cost",
        "network.cost",
        f"mse = 1/2 |a - y|^2, or cross-entropy (sigmoid output only) (default: {_NET.cost})",
        choices=COSTS,
    ),
    Option("--no-bias", "network.bias", "layers without biases", None, const=False),
    Option("--init", "init.file", "exact initial weights from a weights file", metavar="FILE.json"),
    Option(
        "--init-scheme",
        "init.scheme",
        "how a seed draws initial weights: auto (Glorot "
        "uniform; He normal for relu) or tutorial (0.5 sqrt(6/(n_in + n_out)) N(0,1)) "
        f"(default: {_INIT.scheme})",
        choices=INIT_SCHEMES,
    ),
]
TRAINING_OPTIONS = [
    Option(
        "--alpha",
        "training.alpha",
        f"learning rate alpha (default: {_TRAIN.alpha:g})",
        number_from_text,
    ),
    Option(
        "--momentum",
        "training.momentum",
        f"momentum mu of momentum and nesterov, 0 <= mu < 1 (default: {_TRAIN.momentum:g})",
        number_from_text,
    ),
    Option(
        "--optimizer",
        "training.optimizer",
        "the update rule: sgd, momentum, nesterov (look-ahead momentum), adagrad, rmsprop, "
        f"adam (default: {_TRAIN.optimizer})",
        metavar="RULE",  # the help lists them: a usage line of them all passes 80 columns
        choices=OPTIMIZERS,
    ),
    Option(
        "--rho",
        "training.rho",
        f"rmsprop's decay of its mean of g^2, 0 <= rho < 1 (default: {_TRAIN.rho:g})",
        number_from_text,
    ),
    Option(
        "--beta1",
        "training.beta1",
        f"adam's decay of its mean of g, 0 <= beta1 < 1 (default: {_TRAIN.beta1:g})",
        number_from_text,
    ),
    Option(
        "--beta2",
        "training.beta2",
        f"adam's decay of its mean of g^2, 0 <= beta2 < 1 (default: {_TRAIN.beta2:g})",
        number_from_text,
    ),
    Option(
        "--eps",
        "training.eps",
        "adagrad's, rmsprop's and adam's eps in alpha g / (sqrt(s) + eps), > 0 "
        f"(default: {_TRAIN.eps:g})",
        number_from_text,
    ),
    Option(
        "--weight-decay",
        "training.weight_decay",
        "lambda of an L2 penalty lambda/2 |W|^2: every rule uses g + lambda W "
        f"(default: {_TRAIN.weight_decay:g}, none)",
        number_from_text,
        "LAMBDA",
    ),
    Option(
        "--decay-biases",
        "training.decay_biases",
        "apply --weight-decay to the biases too (default: weights only)",
        None,
        const=True,
    ),
    Option(
        "--batch-size",
        "training.batch_size",
        f"examples per update: 1 is online (default: {_TRAIN.batch_size}), N is full batch",
        whole_from_text,
        "B",
    ),
    Option(
        "--seed",
        "training.seed",
        f"seed of the initial weights and example order (default: {_TRAIN.seed})",
        whole_from_text,
    ),
    Option(
        "--no-shuffle",
        "training.shuffle",
        "visit examples in the data's own order every epoch",
        None,
        const=False,
    ),
]
RUN_EPOCHS = Option(
    "--epochs",
    "training.epochs",
    f"passes over the data (default: {_TRAIN.epochs})",
    whole_from_text,
)
PAUSE_EPOCHS = Option(
    "--epochs",
    "app.stop_epoch",
    "pause when this many epochs are done (default: never)",
    whole_from_text,
)
APP_OPTIONS = [
    Option(
        "--fps",
        "app.fps",
        f"frames drawn per second; lower it on slow links (default: {_APP.fps:g})",
        number_from_text,
    ),
    Option(
        "--speed",
        "app.speed",
        f"updates per frame: 1, 2, 5, ... 10000, or max (default: {_APP.speed})",
        speed_from_text,
    ),
    Option("--run", "app.run", "start running at once", None, const=True),
    Option(
        "--quit-after",
        "app.quit_after",
        f"exit by itself after this many seconds ({MIN_QUIT_AFTER:g} or more)",
        number_from_text,
        "SECONDS",
    ),
    Option(
        "--stats",
        "app.stats",
        "write frames, updates, seconds, updates_per_s, fps at exit",
        metavar="FILE.json",
    ),
    Option("--save", "app.save", "write the weights at exit", metavar="FILE.json"),
    Option(
        "--record",
        "app.record",
        "write the run at exit (settings, initial weights, the keys that changed it), "
        "for `tui-backprop replay`",
        metavar="FILE.json",
    ),
]
DESCENT_OPTIONS = [
    Option(
        "--function",
        "descent.function",
        f"what to descend (default: {_DESCENT.function})",
        choices=DESCENT_FUNCTIONS,
    ),
    Option(
        "--x0",
        "descent.x0",
        f"start (default: {QUARTIC_START:g} for the quartic)",
        number_from_text,
    ),
    Option("--y0", "descent.y0", "start's y, for the surfaces", number_from_text),
    Option("--gamma", "descent.gamma", f"step size (default: {DEFAULT_GAMMA:g})", number_from_text),
    Option(
        "--preset",
        "descent.preset",
        "a gamma for the quartic that shows that behaviour",
        choices=tuple(DESCENT_PRESETS),
    ),
    Option(
        "--precision",
        "descent.precision",
        f"stop when a step is at most this (default: {_DESCENT.precision:g})",
        number_from_text,
    ),
    Option(
        "--max-steps",
        "descent.max_steps",
        f"give up after this many steps (default: {_DESCENT.max_steps})",
        whole_from_text,
    ),
]
LANDSCAPE_OPTIONS = [
    Option(
        "--params",
        "landscape.params",
        "two parameters, like 'W1[1,1],b1[1]' (default: the two of a two-parameter network)",
        parse_parameter_pair,
        "'P1,P2'",
    ),
    Option(
        "--range",
        "landscape.half_range",
        f"each parameter from -R to R, R at most {figures(MAX_HALF_RANGE)} (default: "
        f"{_LANDSCAPE.half_range:g})",
        number_from_text,
    ),
    Option(
        "--grid",
        "landscape.grid",
        f"points per axis, 2 to {MAX_GRID} (default: {_LANDSCAPE.grid})",
        whole_from_text,
    ),
]
RESTARTS_OPTIONS = [
    Option(
        "--count",
        "restarts.count",
        f"number of networks (default: {_RESTARTS.count})",
        whole_from_text,
    ),
    Option(
        "--threshold",
        "restarts.threshold",
        "a run converged if its final loss is below this (default: by cost, "
        + ", ".join(f"{cost} {value:g}" for cost, value in DEFAULT_THRESHOLDS.items())
        + ")",
        number_from_text,
    ),
]

AFTER_EPOCHS = Option(
    "--after-epochs",
    "moment.after_epochs",
    f"train N epochs first (default: {_MOMENT.after_epochs})",
    whole_from_text,
    "N",
)
CHECK_EXAMPLE = Option(
    "--example",
    "moment.example",
    "check the cost of example K (1-based) alone, not the mean",
    whole_from_text,
    "K",
)
EXPLAIN_EXAMPLE = Option(
    "--example",
    "moment.example",
    "the example to update on (1-based; with --batch-size B, K and the B-1 after it) (default: 1)",
    whole_from_text,
    "K",
)

#: Every option that sets a configuration field (--epochs as the length of a run; the app's
#: --epochs, PAUSE_EPOCHS, sets app.stop_epoch).
ALL_OPTIONS = [
    *DATA_OPTIONS,
    *NETWORK_OPTIONS,
    *TRAINING_OPTIONS,
    RUN_EPOCHS,
    *APP_OPTIONS,
    *DESCENT_OPTIONS,
    *LANDSCAPE_OPTIONS,
    *RESTARTS_OPTIONS,
    AFTER_EPOCHS,
    CHECK_EXAMPLE,
]


def option_name(field: str) -> str:
    """The flag that sets ``field`` ("training.alpha" -> "--alpha")."""
    for option in (*ALL_OPTIONS, PAUSE_EPOCHS):
        if option.field == field:
            return option.flag
    return "--" + field.rpartition(".")[2].replace("_", "-")


def add_options(parser: argparse.ArgumentParser, title: str, options: Iterable[Option]) -> None:
    group = parser.add_argument_group(title)
    for option in options:
        option.add_to(group)


def add_run_options(parser: argparse.ArgumentParser, epochs: Option | None) -> None:
    """The data, network and training options (``epochs``: what --epochs means, if any)."""
    group = parser.add_argument_group("data")
    source = group.add_mutually_exclusive_group()
    DATA_OPTIONS[0].add_to(source)
    DATA_OPTIONS[1].add_to(source)
    for option in DATA_OPTIONS[2:]:
        option.add_to(group)
    add_options(parser, "network", NETWORK_OPTIONS)
    add_options(parser, "training", TRAINING_OPTIONS + ([epochs] if epochs else []))


#: (section, a field given on the command line) -> fields of the base (a lesson's) it
#: replaces unless they are given too: an option overrides the lesson's way of saying the
#: same thing, not only the same key.
_REPLACES: dict[tuple[str, str], dict[str, Any]] = {
    ("data", "problem"): {"csv": None, "targets": _DATA.targets},
    ("data", "csv"): {"problem": _DATA.problem, "samples": None, "noise": None},
    ("descent", "preset"): {"gamma": None},
    ("descent", "gamma"): {"preset": None},
}


def given(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """The configuration fields the command line gave, by section ({"training": {"alpha":
    0.5}, ...}), with what each replaces in a lesson's settings."""
    sections: dict[str, dict[str, Any]] = {}
    for dest, value in vars(args).items():
        if "__" in dest:
            section, name = dest.split("__", 1)
            sections.setdefault(section, {})[name] = value
    for (section, name), replaced in _REPLACES.items():
        fields = sections.get(section, {})
        if name in fields:
            for other, value in replaced.items():
                fields.setdefault(other, value)
    return sections


def configure(base: Any, changes: dict[str, Any]) -> Any:
    """``base`` (a config object) with ``changes``, validated again."""
    return dataclasses.replace(base, **changes) if changes else base


def run_config(changes: dict[str, dict[str, Any]], base: RunConfig) -> RunConfig:
    """``base`` with the data, network, initial-weights and training fields of ``changes``
    (see ``given``)."""
    return RunConfig(
        data=configure(base.data, changes.get("data", {})),
        network=configure(base.network, changes.get("network", {})),
        init=configure(base.init, changes.get("init", {})),
        training=configure(base.training, changes.get("training", {})),
    )
