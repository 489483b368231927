"""Lessons: small TOML files that name a scene, its settings and short lecture notes.

A lesson file::

    title = "NOT with one input and a bias"
    scene = "network"              # network, descent, landscape, restarts or race
    notes = '''...'''              # shown beside the scene (t toggles them)

    [data]                         # the settings, by section; keys as the options of
    problem = "not"                # `tui-backprop tui` without their dashes
    [network]
    hidden = 0
    [training]
    alpha = 1.0
    [descent]                      # or [landscape], [restarts], [race]: the scene's own
    ...
    [quiz]                         # predict mode (p): what to ask, how close is right
    ask = ["delta^L", "w^2_11 after"]
    tolerance = 0.01

Each key is read straight into the typed configuration (``core.config``): :data:`KEYS`
says which field it sets and what kind of value it takes. The values are then checked by
the configuration's own rules, and against the data (a batch no larger than the data set,
initial weights that fit the network, quiz quantities the network has). A bad file raises
:class:`LessonError`, one line naming the file, the key and the problem.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...core.config import (
    MAX_DIGITS,
    AppOptions,
    DescentConfig,
    LandscapeConfig,
    QuizConfig,
    RaceConfig,
    RestartsConfig,
    RunConfig,
    parse_hidden,
    parse_parameter_pair,
    speed_from_text,
)
from ...core.errors import ConfigError, InputError
from ..reading import MAX_LESSON_BYTES, UnreadableFile, read_user_text

if TYPE_CHECKING:
    from ...core.spec import NetworkSpec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

SCENES = ("network", "descent", "landscape", "restarts", "race")
#: Where the shipped lessons are, and their order in `tui-backprop lessons`.
LESSON_DIR = Path(__file__).parent
ORDER = ("descent", "neuron", "not", "landscape", "race", "xor-231", "xor-221", "restarts")
TOP_KEYS = ("title", "scene", "notes")


# -- what a key's value may be, and what it becomes --------------------------------------
def _type_name(value: object) -> str:
    return {
        bool: "true/false",
        int: "a whole number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


#: Reads a key's TOML value (and the lesson's folder) into the field's value, or raises
#: ValueError with the problem.
Reader = Callable[[Any, Path], Any]


def _whole(value: Any, _: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be a whole number, got {_type_name(value)}")
    return value


def _number(value: Any, _: Path) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"must be a number, got {_type_name(value)}")
    return float(value)


def _flag(value: Any, _: Path) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {_type_name(value)}")
    return value


def _text(value: Any, _: Path) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, got {_type_name(value)}")
    return value


def _path(value: Any, folder: Path) -> str:
    """A file name; a relative one is taken from the lesson's folder."""
    text = _text(value, folder)
    return text if not text or Path(text).is_absolute() else str(folder / text)


def _hidden(value: Any, _: Path) -> tuple[int, ...]:
    """hidden = 3, "16,16" or [16, 16]; 0, [0] or [] for none: read as the command line's
    --hidden text is, so both accept the same sizes."""
    if isinstance(value, list) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        return parse_hidden(",".join(map(str, value)) or "0")
    if isinstance(value, int) and not isinstance(value, bool):
        return parse_hidden(str(value))
    if isinstance(value, str):
        return parse_hidden(value)
    raise ValueError(f"must be a size, a list of sizes or a string, got {_type_name(value)}")


def _speed(value: Any, _: Path) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return speed_from_text(str(value))
    return speed_from_text(_text(value, _))


def _params(value: Any, _: Path) -> tuple[str, ...]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return parse_parameter_pair(_text(value, _))


def _asks(value: Any, _: Path) -> tuple[str, ...]:
    """ask = ["delta^L", "w^2_11 after"]: each checked as predict mode reads it."""
    from ...teach.quiz import parse_ask

    if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise ValueError(f"must be a list of strings, got {_type_name(value)}")
    for text in value:
        parse_ask(text)
    return tuple(value)


def _names(value: Any, _: Path) -> tuple[str, ...]:
    if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise ValueError(f"must be a list of strings, got {_type_name(value)}")
    return tuple(value)


def _numbers(value: Any, _: Path) -> tuple[float, ...]:
    if not (isinstance(value, list) and all(isinstance(v, (int, float)) for v in value)):
        raise ValueError(f"must be a list of numbers, got {_type_name(value)}")
    if any(isinstance(v, bool) for v in value):
        raise ValueError("must be a list of numbers, got true/false in it")
    return tuple(float(v) for v in value)


def _negated(read: Reader) -> Reader:
    return lambda value, folder: not read(value, folder)


#: section -> key -> (the configuration field it sets, the kind of value it takes).
KEYS: dict[str, dict[str, tuple[str, Reader]]] = {
    "data": {
        "problem": ("data.problem", _text),
        "data": ("data.csv", _path),
        "targets": ("data.targets", _whole),
        "samples": ("data.samples", _whole),
        "noise": ("data.noise", _number),
        "data-seed": ("data.seed", _whole),
    },
    "network": {
        "hidden": ("network.hidden", _hidden),
        "activation": ("network.activation", _text),
        "output-activation": ("network.output_activation", _text),
        "beta": ("network.beta", _number),
        "cost": ("network.cost", _text),
        "no-bias": ("network.bias", _negated(_flag)),
        "init": ("init.file", _path),
        "init-scheme": ("init.scheme", _text),
    },
    "training": {
        "alpha": ("training.alpha", _number),
        "momentum": ("training.momentum", _number),
        "optimizer": ("training.optimizer", _text),
        "rho": ("training.rho", _number),
        "beta1": ("training.beta1", _number),
        "beta2": ("training.beta2", _number),
        "eps": ("training.eps", _number),
        "weight-decay": ("training.weight_decay", _number),
        "decay-biases": ("training.decay_biases", _flag),
        "batch-size": ("training.batch_size", _whole),
        "epochs": ("training.epochs", _whole),
        "seed": ("training.seed", _whole),
        "no-shuffle": ("training.shuffle", _negated(_flag)),
    },
    "app": {
        "fps": ("app.fps", _number),
        "speed": ("app.speed", _speed),
        "run": ("app.run", _flag),
    },
    "descent": {
        "function": ("descent.function", _text),
        "x0": ("descent.x0", _number),
        "y0": ("descent.y0", _number),
        "gamma": ("descent.gamma", _number),
        "preset": ("descent.preset", _text),
        "precision": ("descent.precision", _number),
        "max-steps": ("descent.max_steps", _whole),
    },
    "landscape": {
        "params": ("landscape.params", _params),
        "range": ("landscape.half_range", _number),
        "grid": ("landscape.grid", _whole),
    },
    "restarts": {
        "count": ("restarts.count", _whole),
        "threshold": ("restarts.threshold", _number),
    },
    "race": {
        "surface": ("race.surface", _text),
        "x0": ("race.x0", _number),
        "y0": ("race.y0", _number),
        "optimizers": ("race.optimizers", _names),
        "alphas": ("race.alphas", _numbers),
        "momentum": ("race.momentum", _number),
        "steps": ("race.steps", _whole),
        "grid": ("race.grid", _whole),
        "params": ("race.params", _params),
        "range": ("race.half_range", _number),
    },
    "quiz": {
        "ask": ("quiz.ask", _asks),
        "tolerance": ("quiz.tolerance", _number),
    },
}


def key_name(config_field: str) -> str:
    """How a lesson names a configuration field: "training.alpha" -> "[training] alpha"."""
    for section, keys in KEYS.items():
        for key, (target, _) in keys.items():
            if target == config_field:
                return f"[{section}] {key}"
    if config_field == "app.stop_epoch":
        return "[training] epochs"
    return config_field


class LessonError(InputError):
    """A bad lesson file, in one line: ``lesson FILE: KEY: PROBLEM``."""

    def __init__(self, path: Path | str, key: str | None, problem: str) -> None:
        where = f"lesson {path}: " + (f"{key}: " if key else "")
        super().__init__(where + problem)


@dataclass(frozen=True)
class Lesson:
    """A parsed, checked lesson: its scene, notes and the configuration it sets.

    ``app.stop_epoch`` is the lesson's ``[training] epochs``: the network view pauses there.
    """

    name: str
    path: Path
    title: str
    scene: str
    notes: str
    run: RunConfig = field(default_factory=RunConfig)
    app: AppOptions = field(default_factory=AppOptions)
    descent: DescentConfig = field(default_factory=DescentConfig)
    landscape: LandscapeConfig = field(default_factory=LandscapeConfig)
    restarts: RestartsConfig = field(default_factory=RestartsConfig)
    quiz: QuizConfig = field(default_factory=QuizConfig)
    race: RaceConfig = field(default_factory=RaceConfig)


def shipped_lessons() -> list[Lesson]:
    """Every lesson shipped in this package, in teaching order."""
    paths = sorted(
        LESSON_DIR.glob("*.toml"),
        key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else len(ORDER), p.stem),
    )
    return [load_lesson(path) for path in paths]


def find_lesson(ref: str | Path) -> Path:
    """A shipped lesson's name, or a path to a lesson file."""
    shipped = LESSON_DIR / f"{ref}.toml"
    if (
        isinstance(ref, str)
        and "/" not in ref
        and not ref.endswith(".toml")
        and (shipped.is_file())
    ):
        return shipped
    path = Path(ref)
    if not os.path.lexists(path):
        names = ", ".join(p.stem for p in sorted(LESSON_DIR.glob("*.toml")))
        if not str(ref).endswith(".toml") and "/" not in str(ref):
            raise InputError(
                f"no lesson named {str(ref)!r} (shipped lessons: {names}; or give a FILE.toml)"
            )
        raise LessonError(path, None, "no such file")
    return path  # a directory, FIFO or device is refused by name when it is read


def load_lesson(ref: str | Path) -> Lesson:
    """Read and check a lesson (a shipped name or a file); raises LessonError.

    Only a regular file of at most MAX_LESSON_BYTES is read (see ``io.reading``); a whole
    number may have at most MAX_DIGITS digits; a value nested too deeply for the TOML
    reader is refused.
    """
    path = find_lesson(ref)
    try:
        text = read_user_text(path, MAX_LESSON_BYTES, "lesson file")
    except UnreadableFile as error:
        raise LessonError(path, None, error.problem) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise LessonError(path, None, f"not valid TOML: {error}") from None
    except RecursionError:
        raise LessonError(path, None, "not valid TOML: nested too deeply") from None
    except ValueError:  # int() of a number past 4300 digits, inside tomllib
        raise LessonError(
            path, None, f"a whole number in it has more than {MAX_DIGITS} digits"
        ) from None
    _check_digits(path, document)
    try:
        lesson = _parse(path, document)
        _check_against_data(lesson, set(document) & set(KEYS))
    except ConfigError as error:
        where, problem = error.parts(key_name)
        raise LessonError(path, where, problem) from None
    return lesson


def _check_digits(path: Path, document: dict[str, Any]) -> None:
    """Refuse a whole number of more than MAX_DIGITS digits anywhere in the document,
    naming its key (float() of one past 308 digits would raise OverflowError)."""
    limit = 10**MAX_DIGITS
    stack: list[tuple[str, Any]] = list(document.items())
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((f"{where}.{key}", item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((where, item) for item in value)
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= limit:
            section, _, key = where.partition(".")
            shown = f"[{section}] {key}" if key else section
            raise LessonError(path, shown, f"has more than {MAX_DIGITS} digits")


def _parse(path: Path, document: dict[str, Any]) -> Lesson:
    def text(key: str, required: bool) -> str:
        value = document.get(key)
        if value is None and not required:
            return ""
        if value is None:
            raise LessonError(path, key, "missing (every lesson has a title and a scene)")
        if not isinstance(value, str):
            raise LessonError(path, key, f"must be a string, got {_type_name(value)}")
        # A lesson file may come from someone else: an escape sequence in its words would
        # reach the terminal as a command to it, through the app and the reports alike.
        allowed = "\n\t" if key == "notes" else ""
        bad = next((c for c in value if not (c.isprintable() or c in allowed)), None)
        if bad is not None:
            raise LessonError(path, key, f"holds a control character ({bad!r}), not text")
        return value.strip()

    for key, value in document.items():
        if key not in TOP_KEYS and key not in KEYS:
            known = ", ".join([*TOP_KEYS, *(f"[{s}]" for s in KEYS)])
            raise LessonError(path, key, f"unknown key (known: {known})")
        if key in KEYS and not isinstance(value, dict):
            raise LessonError(path, key, f"must be a table [{key}], got {_type_name(value)}")
    title, scene, notes = text("title", True), text("scene", True), text("notes", False)
    if scene not in SCENES:
        raise LessonError(
            path, "scene", f"unknown scene {scene!r} (choose from {', '.join(SCENES)})"
        )
    values: dict[str, dict[str, Any]] = {}  # config section -> field -> value
    for section, table in document.items():
        if section not in KEYS:
            continue
        for key, value in table.items():
            where = f"[{section}] {key}"
            if key not in KEYS[section]:
                raise LessonError(
                    path, where, f"unknown key (known: {', '.join(sorted(KEYS[section]))})"
                )
            target, read = KEYS[section][key]
            try:
                converted = read(value, path.parent)
            except ConfigError as error:
                raise LessonError(path, where, error.problem) from None
            except ValueError as error:
                raise LessonError(path, where, str(error)) from None
            config_section, name = target.split(".")
            values.setdefault(config_section, {})[name] = converted
    data = values.get("data", {})
    if "problem" in data and "csv" in data:
        raise LessonError(path, "[data] data", "give problem or data, not both")
    return _build(path, title, scene, notes, values)


def _build(
    path: Path, title: str, scene: str, notes: str, values: dict[str, dict[str, Any]]
) -> Lesson:
    """The configuration objects from the values read, checked by their own rules."""

    def made(config: Any, section: str) -> Any:
        return dataclasses.replace(config, **values.get(section, {}))

    base = RunConfig()
    run = RunConfig(
        made(base.data, "data"),
        made(base.network, "network"),
        made(base.init, "init"),
        made(base.training, "training"),
    )
    app = made(AppOptions(), "app")
    if "epochs" in values.get("training", {}):
        app = dataclasses.replace(app, stop_epoch=run.training.epochs)
    return Lesson(
        path.stem,
        path,
        title,
        scene,
        notes,
        run,
        app,
        made(DescentConfig(), "descent"),
        made(LandscapeConfig(), "landscape"),
        made(RestartsConfig(), "restarts"),
        made(QuizConfig(), "quiz"),
        race=made(RaceConfig(), "race"),
    )


def _check_against_data(lesson: Lesson, sections: set[str]) -> None:
    """What can only be checked with the data read: the network fits it, a batch is no
    larger than it, the initial weights file fits the network, the quiz asks for what the
    network has (options given with the lesson may build another: :func:`check_quiz`);
    and for the scene that uses them (or a file that sets them), the landscape's
    parameters and the restarts' seeds."""
    from ...core.model import Network
    from ...teach.landscape import chosen_parameters
    from ...teach.quiz import check_asks
    from ..build import build_spec, load_initial, load_problem

    run = lesson.run
    try:
        problem = load_problem(run.data)
    except ConfigError:
        raise
    except InputError as error:  # the CSV file itself
        raise LessonError(lesson.path, key_name("data.csv"), str(error)) from None
    spec = build_spec(run.network, run.init, problem)
    run.training.check_data_size(problem.n_examples)
    try:
        load_initial(run.init, spec)
    except ConfigError:
        raise
    except InputError as error:  # the weights file itself
        raise LessonError(lesson.path, key_name("init.file"), str(error)) from None
    check_asks(lesson.quiz.ask, spec)
    if lesson.scene == "landscape" or "landscape" in sections:
        chosen_parameters(lesson.landscape.params, Network(spec))
    if lesson.scene == "restarts" or "restarts" in sections:
        lesson.restarts.check_seeds(run.training.seed)
    if lesson.race.surface == "network":
        try:
            chosen_parameters(lesson.race.params, Network(spec), "race.params")
        except ConfigError as error:  # a name checked as a landscape's is the race's here
            raise ConfigError("race.params", error.problem) from None


def check_quiz(lesson: Lesson, spec: NetworkSpec) -> None:
    """The lesson's ``[quiz] ask`` against the network ``spec`` it is opened with, which
    options given with it (``--hidden``, ``--no-bias``, ``--data`` ...) may have made
    other than its own, against which loading checked it; raises LessonError."""
    from ...teach.quiz import check_asks

    try:
        check_asks(lesson.quiz.ask, spec, built="as the options given make it")
    except ConfigError as error:
        where, problem = error.parts(key_name)
        raise LessonError(lesson.path, where, problem) from None
