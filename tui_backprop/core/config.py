"""The one configuration of a run: frozen dataclasses, each validated where it is defined.

Every front end (the command line, lesson files, the app's keys, the estimators) builds
these objects, and nothing below the front ends sees how the values were given. A bad value
raises :class:`ConfigError` with the field (``"training.alpha"``) and the problem (``"must be
a finite number > 0, got -1.0"``); each front end words the field in its own terms: the
command line says ``--alpha``, a lesson ``[training] alpha``, an estimator ``learning_rate``.

The defaults live here and nowhere else; ``--help`` quotes them from here.

=================  =========================================================================
type               what it holds
=================  =========================================================================
DataConfig         the examples: a built-in problem (with samples, noise, seed) or a CSV file
NetworkConfig      hidden sizes, activations, sigmoid steepness beta, cost, biases
InitConfig         initial weights: how a seed draws them, or a weights file
UpdateRule         alpha and the optimizer: momentum (the default), sgd, nesterov, adagrad,
                   rmsprop or adam, its settings, and L2 weight decay
TrainingConfig     an UpdateRule, batch size, epochs, seed, shuffling
RunConfig          the four above: everything that makes a training run
MomentConfig       the moment explain and gradcheck look at: epochs trained first, example
AppOptions         the app: frame rate, speed, when to pause or quit, files written at exit
DescentConfig      the descent scene: function, start, gamma or a preset, precision
LandscapeConfig    the landscape scene: two parameters, range, grid
RaceConfig         the race scene: surface, start, the optimizers racing, step cap, grid
RestartsConfig     the restarts scene: how many networks, the converged threshold (by cost)
QuizConfig         predict mode: the quantities asked for, the tolerance of an answer
=================  =========================================================================

Every count that sizes a run's memory or time has a maximum (MAX_EPOCHS, MAX_STEPS,
MAX_RESTARTS, MAX_GRID; core.problems.MAX_SAMPLES, core.spec.MAX_PARAMETERS), and every
number a scene computes with a range (a descent's start within MAX_START), so a bad value
is refused where it is given. Numbers given as text are read by whole_from_text and
number_from_text: ASCII digits only, at most MAX_DIGITS of them. (The size limits of the
files a user gives are in io.reading.)

Only the standard library is imported, so the command line can quote defaults in its help
at once.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field, fields
from typing import TypeGuard

from .errors import ConfigError, quoted
from .spec import (
    COSTS,
    HIDDEN_ACTIVATIONS,
    INIT_SCHEMES,
    OUTPUT_ACTIVATIONS,
    check_cost_and_output,
)

MAX_SEED = 2**32 - 1
#: Epochs a fixed-length run (``train``, ``restarts``) takes unless told otherwise.
DEFAULT_EPOCHS = 5000
#: Updates per frame the app steps through with > and <; FULL_SPEED (no limit) comes last.
SPEEDS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
FULL_SPEED = 0
#: The functions of the descent scene: the tutorials' quartic and three surfaces.
DESCENT_FUNCTIONS = ("quartic", "bowl", "cap", "saddle")
#: gamma presets for the quartic from x0 = 4. Near the minimum f''(2.25) = 20.25, so a step
#: past 1/20.25 overshoots it each time (oscillates) and one past 2/20.25 would grow; but
#: from x0 = 4, where f'(4) = 112, the first step already decides: 0.055 lands in the basin
#: and oscillates in, 0.07 is thrown out and diverges.
DESCENT_PRESETS = {"slow": 0.001, "converge": 0.01, "oscillate": 0.055, "diverge": 0.07}
MAX_GRID = 401
#: The update rules, in the order the app's key cycles them (see core.optimizers).
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
#: The settings each update rule uses besides alpha (UpdateRule's fields), in the order
#: reports and formulas write them.
RULE_SETTINGS: dict[str, tuple[str, ...]] = {
    "sgd": (),
    "momentum": ("momentum",),
    "nesterov": ("momentum",),
    "adagrad": ("eps",),
    "rmsprop": ("rho", "eps"),
    "adam": ("beta1", "beta2", "eps"),
}
#: The cost surfaces of the race scene (see teach.race), in the order its key cycles them.
RACE_SURFACES = ("not-mse", "not-cross-entropy", "quartic", "valley", "rosenbrock", "network")
#: Steps a race keeps (every racer's path is held in memory).
MAX_RACE_STEPS = 100_000
#: Upper bounds of the counts that size a run's memory or time; a value past one is
#: refused where it is given, not when it runs out of memory hours later.
MAX_EPOCHS = 10_000_000
MAX_STEPS = 10_000_000
MAX_RESTARTS = 1_000_000
#: Where a descent may start: |x0|, |y0| at most this (the run counts as diverged once
#: it passes 1e6, and f(x) of the quartic stays far inside a double's range).
MAX_START = 1e6
#: The largest half range of a cost map (landscape, the race's network surface): past it the
#: grid's spacing, 2 * half_range / (grid - 1), is no longer a finite double (at 1e308), and
#: long before that every weight saturates its unit, so the map shows nothing more.
MAX_HALF_RANGE = 1e6
#: --quit-after: at least 0.1 s (the app needs a moment to start and draw; a shorter
#: time, down to 1e-8, would fire before its first frame), at most 1e6 s (11.5 days).
MIN_QUIT_AFTER = 0.1
MAX_QUIT_AFTER = 1e6
#: The most digits a whole number may have, wherever it is read (options, lessons, weights
#: files). Python's int() stops at 4300 digits with a traceback; no setting needs 31.
MAX_DIGITS = 30
#: The largest relative error between backprop's gradient and finite differences that
#: passes the gradient check.
GRADCHECK_TOLERANCE = 1e-5
#: Where the quartic's descent starts unless told (the tutorial's x0), and its step size.
QUARTIC_START = 4.0
DEFAULT_GAMMA = 0.01


# -- checks shared by the types below -----------------------------------------------------
def is_whole(value: object) -> TypeGuard[int]:
    """A whole number: Python's or numpy's ints, not bools (a likely mistake)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _finite(value: int | float) -> bool:
    """math.isfinite, but False for an int too large for a float (not OverflowError)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


#: A float that is a whole number below this is shown as one (digits a double holds exactly).
_WHOLE_SHOWN_BELOW = 1e16


def _got(value: object) -> str:
    """A value as a message shows it, close to how it was typed: a float that is a whole
    number as that number ("--fps 99999999999" got 99999999999, not 99999999999.0), a
    whole number too long to print in full (repr of an int past 4300 digits raises) by
    its length."""
    if is_whole(value) and abs(value) >= 10**MAX_DIGITS:
        return f"a number of more than {MAX_DIGITS} digits"
    if isinstance(value, float) and value.is_integer() and abs(value) < _WHOLE_SHOWN_BELOW:
        return str(int(value))
    text = repr(value)
    return text if len(text) <= 40 else text[:36] + "..."


def _g(x: float) -> str:
    """A bound as messages show it: 0.1, 1e6, 1e-05."""
    return f"{x:g}".replace("e+0", "e").replace("e+", "e")


def _whole(where: str, value: object, least: int, most: int | None = None) -> int:
    if is_whole(value) and value >= least and (most is None or value <= most):
        return int(value)
    bound = f"at least {least}" if most is None else f"a whole number from {least} to {most}"
    prefix = "a whole number " if most is None else ""
    raise ConfigError(where, f"must be {prefix}{bound}, got {_got(value)}")


def _number_in(where: str, value: object, least: float, most: float) -> float:
    if not (_is_number(value) and _finite(value) and least <= value <= most):
        raise ConfigError(
            where, f"must be a number from {_g(least)} to {_g(most)}, got {_got(value)}"
        )
    return float(value)


def _positive(where: str, value: object) -> float:
    if not (_is_number(value) and _finite(value) and value > 0):
        raise ConfigError(where, f"must be a finite number > 0, got {_got(value)}")
    return float(value)


def _half_range(where: str, value: object) -> float:
    """A cost map's half range: finite, > 0 and at most MAX_HALF_RANGE."""
    if not (_is_number(value) and _finite(value) and 0 < value <= MAX_HALF_RANGE):
        raise ConfigError(
            where, f"must be a number > 0 and at most {_g(MAX_HALF_RANGE)}, got {_got(value)}"
        )
    return float(value)


def _choice(where: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(where, f"must be one of {', '.join(choices)}, got {value!r}")


def _optional_path(where: str, value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise ConfigError(where, f"must be a file name, got {value!r}")
    if not value:
        raise ConfigError(where, "must be a file name, got an empty one")


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


def check_alpha(alpha: object) -> float:
    """alpha, the learning rate: finite and > 0."""
    return _positive("training.alpha", alpha)


def check_momentum(momentum: object) -> float:
    """mu, the momentum: 0 <= mu < 1 (mu >= 1 never forgets and does not converge)."""
    if not (_is_number(momentum) and _finite(momentum) and 0 <= momentum < 1):
        raise ConfigError(
            "training.momentum", f"must be at least 0 and below 1, got {_got(momentum)}"
        )
    return float(momentum)


def check_decay_rate(where: str, rate: object) -> float:
    """rho, beta1 or beta2, the decay of a running mean: 0 <= rate < 1 (at 1 it never
    learns anything new; Adam's bias correction divides by 1 - rate^t)."""
    if not (_is_number(rate) and _finite(rate) and 0 <= rate < 1):
        raise ConfigError(where, f"must be at least 0 and below 1, got {_got(rate)}")
    return float(rate)


def check_weight_decay(weight_decay: object) -> float:
    """lambda, the L2 penalty's weight: finite and >= 0."""
    if not (_is_number(weight_decay) and _finite(weight_decay) and weight_decay >= 0):
        raise ConfigError(
            "training.weight_decay", f"must be a finite number >= 0, got {_got(weight_decay)}"
        )
    return float(weight_decay)


def check_seed(seed: object, where: str = "training.seed") -> int:
    """A seed numpy's default_rng takes and the restarts can count up from: 0..MAX_SEED."""
    return _whole(where, seed, 0, MAX_SEED)


def check_data_seed(seed: object) -> int:
    """The seed of a generated problem's data: any whole number >= 0 (numpy's default_rng
    takes them all)."""
    return _whole("data.seed", seed, 0)


def whole_from_text(text: str) -> int:
    """A whole number written in ASCII digits, with an optional sign: "12", "-3".

    Unlike int(), not "٣" or "３" (other scripts' digits), "1_000" or " 7 ", and at most
    MAX_DIGITS digits. Raises ConfigError without a field (the caller names it).
    """
    body = text[1:] if text[:1] in "+-" else text
    if not (body.isascii() and body.isdigit()):
        raise ConfigError("", f"must be a whole number in digits 0-9, got {quoted(text)}")
    if len(body) > MAX_DIGITS:
        raise ConfigError("", f"must have at most {MAX_DIGITS} digits, got {len(body)}")
    return int(text)


def number_from_text(text: str) -> float:
    """A number written in ASCII: "0.5", "-1e-3", "inf" (refused later where a finite
    number is needed). Unlike float(), not "٣" or "３", "1_0" or surrounding blanks."""
    if not text.isascii() or "_" in text or text != text.strip():
        raise ConfigError("", f"must be a number in digits 0-9, got {quoted(text)}")
    try:
        return float(text)
    except ValueError:
        raise ConfigError("", f"must be a number, got {quoted(text)}") from None


def parse_hidden(text: str, where: str = "network.hidden") -> tuple[int, ...]:
    """Hidden layer sizes from text: "3" -> (3,), "16,16" -> (16, 16), "0" -> () (none)."""
    sizes = []
    for part in str(text).split(","):
        part = part.strip()
        if not (part.isascii() and part.isdigit() and len(part) <= MAX_DIGITS):
            raise ConfigError(
                where,
                f"{quoted(text)} is not a list of layer sizes in digits 0-9 "
                "(examples: 3, 16,16, 0)",
            )
        sizes.append(int(part))
    if sizes == [0]:
        return ()
    if 0 in sizes:
        raise ConfigError(
            where, f"{text!r}: layer sizes must be at least 1 (0 alone means no hidden layer)"
        )
    return tuple(sizes)


# -- the types ----------------------------------------------------------------------------
@dataclass(frozen=True)
class DataConfig:
    """The examples.

    problem : a built-in problem's name (see ``core.problems``); used when csv is None
    csv     : a CSV file of numbers whose last ``targets`` columns are the targets
    samples : examples a generated problem draws (None: the problem's own default; its
              bounds are the problem's, checked when it is made)
    noise   : noise of a generated problem (None: its default; checked likewise)
    seed    : seed of a generated problem's data, separate from the training seed
    """

    problem: str = "xor"
    csv: str | None = None
    targets: int = 1
    samples: int | None = None
    noise: float | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.problem, str):
            raise ConfigError("data.problem", f"must be a problem's name, got {self.problem!r}")
        _optional_path("data.csv", self.csv)
        _whole("data.targets", self.targets, 1)
        # samples and noise are checked by the problem that takes them (core.problems).
        check_data_seed(self.seed)
        if self.csv is not None:
            if self.samples is not None or self.noise is not None:
                given = "data.samples" if self.samples is not None else "data.noise"
                raise ConfigError(given, "applies to built-in problems, not to <data.csv>")
        elif self.targets != 1:
            raise ConfigError("data.targets", "applies to <data.csv> only")


@dataclass(frozen=True)
class NetworkConfig:
    """The network's shape; its input and output sizes come from the data.

    hidden            : sizes of the hidden layers, () for none
    activation        : sigma of the hidden layers
    output_activation : sigma of the output layer (None: sigmoid, or linear when the
                        targets leave [0, 1])
    beta              : steepness of every sigmoid, 1/(1 + e^{-beta z})
    cost              : mse (1/2 |a - y|^2) or cross-entropy (sigmoid output only)
    bias              : whether layers have biases b^m
    """

    hidden: tuple[int, ...] = (3,)
    activation: str = "sigmoid"
    output_activation: str | None = None
    beta: float = 1.0
    cost: str = "mse"
    bias: bool = True

    def __post_init__(self) -> None:
        hidden = self.hidden
        if is_whole(hidden):
            hidden = () if hidden == 0 else (hidden,)
        if not isinstance(hidden, (tuple, list)) or not all(is_whole(s) and s >= 1 for s in hidden):
            raise ConfigError(
                "network.hidden", f"must be layer sizes of at least 1, got {self.hidden!r}"
            )
        _set(self, "hidden", tuple(hidden))
        _choice("network.activation", self.activation, HIDDEN_ACTIVATIONS)
        if self.output_activation is not None:
            _choice("network.output_activation", self.output_activation, OUTPUT_ACTIVATIONS)
        _set(self, "beta", _positive("network.beta", self.beta))
        _choice("network.cost", self.cost, COSTS)
        if not isinstance(self.bias, bool):
            raise ConfigError("network.bias", f"must be true or false, got {self.bias!r}")
        if self.output_activation is not None:
            check_cost_and_output(self.cost, self.output_activation)


@dataclass(frozen=True)
class InitConfig:
    """Initial weights.

    scheme : how a seed draws them: auto (Glorot uniform; He normal for relu layers) or
             tutorial (0.5 sqrt(6 / (n_in + n_out)) N(0, 1))
    file   : a weights file with the exact initial weights (the seed then only orders the
             examples)
    """

    scheme: str = "auto"
    file: str | None = None

    def __post_init__(self) -> None:
        _choice("init.scheme", self.scheme, INIT_SCHEMES)
        _optional_path("init.file", self.file)


@dataclass(frozen=True)
class UpdateRule:
    """How one update turns the batch's mean gradient g into the change d of every parameter
    (``core.optimizers`` writes each rule out; the README gives them in full, with sources).

    optimizer    : one of OPTIMIZERS
    alpha        : the learning rate (every rule)
    momentum     : mu of momentum and nesterov, 0 <= mu < 1
    rho          : RMSProp's decay of its mean of g^2, 0 <= rho < 1
    beta1, beta2 : Adam's decays of its means of g and g^2, 0 <= beta < 1
    eps          : AdaGrad's, RMSProp's and Adam's guard in alpha g / (sqrt(s) + eps), > 0
    weight_decay : lambda of an L2 penalty lambda/2 |W|^2: g + lambda W is used for g
                   (every rule); 0 for none
    decay_biases : the penalty also applies to the biases (usually it does not: a bias
                   scales no input)
    """

    alpha: float = 0.1
    momentum: float = 0.9
    optimizer: str = "momentum"
    rho: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 0.0
    decay_biases: bool = False

    def __post_init__(self) -> None:
        _set(self, "alpha", check_alpha(self.alpha))
        _set(self, "momentum", check_momentum(self.momentum))
        _choice("training.optimizer", self.optimizer, OPTIMIZERS)
        for name in ("rho", "beta1", "beta2"):
            _set(self, name, check_decay_rate(f"training.{name}", getattr(self, name)))
        _set(self, "eps", _positive("training.eps", self.eps))
        _set(self, "weight_decay", check_weight_decay(self.weight_decay))
        if not isinstance(self.decay_biases, bool):
            raise ConfigError(
                "training.decay_biases", f"must be true or false, got {self.decay_biases!r}"
            )

    def decay_bound(self) -> float | None:
        """The alpha * lambda past which weight decay alone grows every weight, whatever the
        gradient: the linear part of the update, g set aside (g + lambda w for g).

        sgd: w <- (1 - alpha lambda) w, of size > 1 past alpha lambda = 2. momentum (mu):
        (w, v) has the roots of r^2 - (1 + mu - alpha lambda) r + mu, one past -1 beyond
        2 (1 + mu). nesterov: r^2 - (1 + mu)(1 - alpha lambda) r + mu (1 - alpha lambda),
        past -1 beyond (2 + 2 mu) / (1 + 2 mu). adagrad, rmsprop and adam divide g + lambda
        w by its own running size: no such bound (None)."""
        mu = self.momentum
        if self.optimizer == "sgd":
            return 2.0
        if self.optimizer == "momentum":
            return 2.0 * (1.0 + mu)
        if self.optimizer == "nesterov":
            return (2.0 + 2.0 * mu) / (1.0 + 2.0 * mu)
        return None

    def divergence_suspect(self) -> tuple[str, float]:
        """(the field a divergence most likely comes from, a value of it to try instead):
        "training.weight_decay" once alpha * lambda is past ``decay_bound`` (try a lambda
        with alpha * lambda = 0.1), else "training.alpha" (try a tenth of it)."""
        bound = self.decay_bound()
        if bound is not None and self.alpha * self.weight_decay >= bound:
            return "training.weight_decay", 0.1 / self.alpha
        return "training.alpha", self.alpha / 10

    def decay_words(self) -> str | None:
        """Why weight decay is the suspect, as every front end says it: "alpha * lambda
        = 100 >= 3.8, past which weight decay alone grows every weight"; None where it is
        not (``divergence_suspect`` names alpha)."""
        bound = self.decay_bound()
        if bound is None or self.divergence_suspect()[0] != "training.weight_decay":
            return None
        return (
            f"alpha * lambda = {self.alpha * self.weight_decay:g} >= {bound:g}, past which "
            "weight decay alone grows every weight"
        )

    @property
    def rule(self) -> UpdateRule:
        """The update rule alone (a TrainingConfig is one, with more)."""
        return UpdateRule(**{name: getattr(self, name) for name in _RULE_FIELDS})


_RULE_FIELDS = tuple(f.name for f in fields(UpdateRule))


@dataclass(frozen=True)
class TrainingConfig(UpdateRule):
    """How to train: the update rule (alpha, momentum, the optimizer and its settings; see
    :class:`UpdateRule`), and

    batch_size : examples per update; 1 is online learning, n is full batch
    epochs     : passes over the data of a run with a fixed length (at most MAX_EPOCHS)
    seed       : initial weights and shuffle orders come from it
    shuffle    : a new example order every epoch, or the data's own order
    """

    batch_size: int = 1
    epochs: int = DEFAULT_EPOCHS
    seed: int = 0
    shuffle: bool = True

    def __post_init__(self) -> None:
        super().__post_init__()
        _whole("training.batch_size", self.batch_size, 1)
        _whole("training.epochs", self.epochs, 1, MAX_EPOCHS)
        check_seed(self.seed)
        if not isinstance(self.shuffle, bool):
            raise ConfigError("training.shuffle", f"must be true or false, got {self.shuffle!r}")

    def updates_per_epoch(self, n_examples: int) -> int:
        """ceil(n_examples / batch_size): an epoch's batches, each one update."""
        return -(-n_examples // self.batch_size)

    def check_data_size(self, n_examples: int) -> None:
        """A batch cannot hold more examples than the data set has."""
        if self.batch_size > n_examples:
            raise ConfigError(
                "training.batch_size",
                f"{self.batch_size} is larger than the data set ({n_examples} examples)",
            )


@dataclass(frozen=True)
class MomentConfig:
    """The moment of a run that ``explain`` and ``gradcheck`` look at.

    after_epochs : epochs trained first
    example      : one example, 1-based (explain: the first of its batch), or None: every
                   example (gradcheck's mean cost; explain takes the first)
    """

    after_epochs: int = 0
    example: int | None = None

    def __post_init__(self) -> None:
        _whole("moment.after_epochs", self.after_epochs, 0, MAX_EPOCHS)
        if self.example is not None:
            _whole("moment.example", self.example, 1)


@dataclass(frozen=True)
class RunConfig:
    """Everything that makes a training run."""

    data: DataConfig = field(default_factory=DataConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    init: InitConfig = field(default_factory=InitConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)


@dataclass(frozen=True)
class AppOptions:
    """How the app runs.

    fps        : frames drawn per second (1..60); lower it on slow links
    speed      : updates per frame, one of SPEEDS, or FULL_SPEED for no limit
    run        : start running at once
    quit_after : seconds until the app exits by itself (MIN_QUIT_AFTER to MAX_QUIT_AFTER),
                 or None
    stop_epoch : pause when this many epochs are done (at most MAX_EPOCHS), or None
    stats      : a JSON file of frames, updates and rates written at exit, or None
    save       : a weights file written at exit, or None
    record     : a run file written at exit (settings, initial weights, the keys that
                 changed the run; ``tui-backprop replay`` plays it back), or None
    """

    fps: float = 15.0
    speed: int = 50
    run: bool = False
    quit_after: float | None = None
    stop_epoch: int | None = None
    stats: str | None = None
    save: str | None = None
    record: str | None = None

    def __post_init__(self) -> None:
        if not (_is_number(self.fps) and _finite(self.fps) and 1 <= self.fps <= 60):
            raise ConfigError("app.fps", f"must be from 1 to 60, got {_got(self.fps)}")
        _set(self, "fps", float(self.fps))
        if not is_whole(self.speed) or (self.speed != FULL_SPEED and self.speed not in SPEEDS):
            raise ConfigError(
                "app.speed",
                f"must be one of {', '.join(map(str, SPEEDS))} or max, got {self.speed!r}",
            )
        if not isinstance(self.run, bool):
            raise ConfigError("app.run", f"must be true or false, got {self.run!r}")
        if self.quit_after is not None:
            _set(
                self,
                "quit_after",
                _number_in("app.quit_after", self.quit_after, MIN_QUIT_AFTER, MAX_QUIT_AFTER),
            )
        if self.stop_epoch is not None:
            _whole("app.stop_epoch", self.stop_epoch, 1, MAX_EPOCHS)
        _optional_path("app.stats", self.stats)
        _optional_path("app.save", self.save)
        _optional_path("app.record", self.record)


def speed_from_text(text: str) -> int:
    """An updates-per-frame speed from text: a number of SPEEDS, or "max"."""
    if text == "max":
        return FULL_SPEED
    if text.isascii() and text.isdigit() and int(text) in SPEEDS:
        return int(text)
    raise ConfigError(
        "app.speed", f"must be one of {', '.join(map(str, SPEEDS))} or max, got {text!r}"
    )


@dataclass(frozen=True)
class DescentConfig:
    """The descent scene and ``descend``.

    function  : quartic (f(x) = x^4 - 3x^3 + 2), or a bowl, cap or saddle in (x, y)
    x0, y0    : the start, at most MAX_START from 0 (None: 4 for the quartic, each
                surface's own start)
    gamma     : the step size in x <- x - gamma f'(x) (None: the preset's, or 0.01)
    preset    : a gamma for the quartic that shows slow, converge, oscillate or diverge
    precision : stop when a step moves the point by at most this
    max_steps : give up after this many steps (at most MAX_STEPS)
    """

    function: str = "quartic"
    x0: float | None = None
    y0: float | None = None
    gamma: float | None = None
    preset: str | None = None
    precision: float = 1e-5
    max_steps: int = 100_000

    def __post_init__(self) -> None:
        _choice("descent.function", self.function, DESCENT_FUNCTIONS)
        for name in ("x0", "y0"):
            value = getattr(self, name)
            if value is not None:
                _set(self, name, _number_in(f"descent.{name}", value, -MAX_START, MAX_START))
        if self.gamma is not None:
            _set(self, "gamma", _positive("descent.gamma", self.gamma))
        if self.preset is not None:
            _choice("descent.preset", self.preset, tuple(DESCENT_PRESETS))
            if self.gamma is not None:
                raise ConfigError(
                    "descent.gamma", "cannot be given with <descent.preset>: give one, not both"
                )
        _set(self, "precision", _positive("descent.precision", self.precision))
        _whole("descent.max_steps", self.max_steps, 1, MAX_STEPS)
        if self.function == "quartic" and self.y0 is not None:
            raise ConfigError("descent.y0", "is for the two-variable functions (bowl, cap, saddle)")

    @property
    def step_size(self) -> float:
        """gamma: the one given, else the preset's, else 0.01."""
        if self.gamma is not None:
            return self.gamma
        return DESCENT_PRESETS[self.preset] if self.preset else DEFAULT_GAMMA


@dataclass(frozen=True)
class LandscapeConfig:
    """The landscape scene and ``landscape``.

    params     : two parameter names, like ("W1[1,1]", "b1[1]"), or () for the two of a
                 two-parameter network (checked against the network when it is built)
    half_range : each parameter from -half_range to half_range (at most MAX_HALF_RANGE)
    grid       : points per axis
    """

    params: tuple[str, ...] = ()
    half_range: float = 15.0
    grid: int = 61

    def __post_init__(self) -> None:
        if not isinstance(self.params, (tuple, list)) or not all(
            isinstance(p, str) for p in self.params
        ):
            raise ConfigError("landscape.params", f"must be parameter names, got {self.params!r}")
        _set(self, "params", tuple(p.strip() for p in self.params))
        if self.params and len(self.params) != 2:
            raise ConfigError("landscape.params", "takes two parameter names, like 'W1[1,1],b1[1]'")
        if len(set(self.params)) != len(self.params):
            raise ConfigError("landscape.params", "must name two different parameters")
        _set(self, "half_range", _half_range("landscape.half_range", self.half_range))
        _whole("landscape.grid", self.grid, 2, MAX_GRID)


@dataclass(frozen=True)
class RaceConfig:
    """The race scene: several optimizers descend one cost surface from the same start.

    surface    : one of RACE_SURFACES: NOT's (w, b) under mse or cross-entropy, the
                 tutorial's quartic (1-D), a narrow quadratic valley, Rosenbrock, or a
                 slice of the lesson's network through two parameters
    x0, y0     : the start, at most MAX_START from 0 (None: the surface's own; y0 is not
                 for the quartic)
    optimizers : the racers, names of OPTIMIZERS, each at most once
    alphas     : one learning rate per racer, or () for each surface's own
    momentum   : mu of momentum and nesterov, 0 <= mu < 1
    steps      : a racer stops after this many steps (at most MAX_RACE_STEPS)
    grid       : points per axis of the cost map (2..MAX_GRID)
    params     : the network surface's two parameters, like ("W1[1,1]", "b1[1]"), or ()
                 for the two of a two-parameter network
    half_range : the network surface's map: each parameter from -half_range to half_range
    """

    surface: str = "not-mse"
    x0: float | None = None
    y0: float | None = None
    optimizers: tuple[str, ...] = ("sgd", "momentum", "adam")
    alphas: tuple[float, ...] = ()
    momentum: float = 0.9
    steps: int = 500
    grid: int = 61
    params: tuple[str, ...] = ()
    half_range: float = 15.0

    def __post_init__(self) -> None:
        _choice("race.surface", self.surface, RACE_SURFACES)
        for name in ("x0", "y0"):
            value = getattr(self, name)
            if value is not None:
                _set(self, name, _number_in(f"race.{name}", value, -MAX_START, MAX_START))
        if self.surface == "quartic" and self.y0 is not None:
            raise ConfigError("race.y0", "is for the surfaces of two parameters, not the quartic")
        optimizers = self.optimizers
        if not isinstance(optimizers, (tuple, list)) or not optimizers:
            raise ConfigError(
                "race.optimizers", f"must be a list of optimizers, got {optimizers!r}"
            )
        for name in optimizers:
            _choice("race.optimizers", name, OPTIMIZERS)
        if len(set(optimizers)) != len(optimizers):
            raise ConfigError("race.optimizers", "must name each optimizer at most once")
        _set(self, "optimizers", tuple(optimizers))
        if not isinstance(self.alphas, (tuple, list)):
            raise ConfigError("race.alphas", f"must be a list of numbers, got {self.alphas!r}")
        alphas = tuple(_positive("race.alphas", a) for a in self.alphas)
        if alphas and len(alphas) != len(optimizers):
            raise ConfigError(
                "race.alphas",
                f"must give one alpha per optimizer ({len(optimizers)}), got {len(alphas)}",
            )
        _set(self, "alphas", alphas)
        _set(self, "momentum", check_decay_rate("race.momentum", self.momentum))
        _whole("race.steps", self.steps, 1, MAX_RACE_STEPS)
        _whole("race.grid", self.grid, 2, MAX_GRID)
        if not isinstance(self.params, (tuple, list)) or not all(
            isinstance(p, str) for p in self.params
        ):
            raise ConfigError("race.params", f"must be parameter names, got {self.params!r}")
        _set(self, "params", tuple(p.strip() for p in self.params))
        if self.params and (len(self.params) != 2 or len(set(self.params)) != 2):
            raise ConfigError("race.params", "takes two different parameter names")
        _set(self, "half_range", _half_range("race.half_range", self.half_range))


def parse_parameter_pair(text: str) -> tuple[str, ...]:
    """Two parameter names from text: 'W1[1,1],b1[1]' or 'W1[1,1];b1[1]'."""
    names = [n.strip() for n in text.split(";")]
    if len(names) == 1 and names[0].count("]") == 2:  # "W1[1,1],b1[1]" without ';'
        first = names[0]
        cut = first.index("]") + 1
        names = [first[:cut], first[cut:].lstrip(",").strip()]
    if len(names) != 2 or not all(names):
        raise ConfigError("landscape.params", "takes two parameter names, like 'W1[1,1],b1[1]'")
    return tuple(names)


#: The converged threshold of ``restarts`` when none is given, by cost: a final loss
#: below it means the same closeness of fit whatever the cost. mse's 0.01 is
#: 1/2 e^2 with e = sqrt(0.02) = 0.141: a 0/1 target's output within 0.14 of it. The
#: cross-entropy of an output that close, -ln(1 - sqrt(0.02)) = 0.153, rounded to 0.15,
#: says the same. (A threshold relative to the initial loss would depend on the seed's
#: luck; one fixed value for every cost counts a cross-entropy run that learned, whose
#: loss ends near 0.1, as stuck.)
DEFAULT_THRESHOLDS = {"mse": 0.01, "cross-entropy": 0.15}


@dataclass(frozen=True)
class RestartsConfig:
    """The restarts scene and ``restarts``.

    count     : networks, from seeds seed, seed + 1, ..., seed + count - 1 (at most
                MAX_RESTARTS: each holds its own weights in memory)
    threshold : a run converged if its final loss is below this; None: by the network's
                cost, DEFAULT_THRESHOLDS (see :meth:`threshold_for`)
    """

    count: int = 100
    threshold: float | None = None

    def __post_init__(self) -> None:
        _whole("restarts.count", self.count, 1, MAX_RESTARTS)
        if self.threshold is not None:
            _set(self, "threshold", _positive("restarts.threshold", self.threshold))

    def threshold_for(self, cost: str) -> tuple[float, str]:
        """The threshold for a network with this cost, and where it comes from: ("given")
        or ("the default for <cost>")."""
        if self.threshold is not None:
            return self.threshold, "given"
        return DEFAULT_THRESHOLDS[cost], f"the default for {cost}"

    def check_seeds(self, first_seed: int) -> None:
        """The seeds first_seed .. first_seed + count - 1 must all be valid seeds."""
        last = first_seed + self.count - 1
        if last > MAX_SEED:
            raise ConfigError(
                "restarts.count",
                f"{self.count} is too many: seeds "
                f"{first_seed}..{last} go past the last seed, {MAX_SEED}",
            )


@dataclass(frozen=True)
class QuizConfig:
    """Predict mode (p in the app; ``teach.quiz``).

    ask       : the quantities asked for, as ``delta^L``, ``a^1_2``, ``C``, ``dC/dW^1_12``,
                ``W^2_11 after`` (checked by ``teach.quiz.parse_ask`` where they are read,
                and against the network by ``teach.quiz.check_asks``);
                empty: one a phase
    tolerance : an answer is right within this fraction of the value's own size
                (``teach.quiz.judge``: the sign too; or as the walk writes the value)
    """

    ask: tuple[str, ...] = ()
    tolerance: float = 0.01

    def __post_init__(self) -> None:
        if not (isinstance(self.ask, tuple) and all(isinstance(a, str) for a in self.ask)):
            raise ConfigError("quiz.ask", 'must be a list of quantities, as ["delta^L"]')
        value = _positive("quiz.tolerance", self.tolerance)
        if value >= 1:
            raise ConfigError("quiz.tolerance", f"must be below 1, got {value:g}")
        _set(self, "tolerance", value)
