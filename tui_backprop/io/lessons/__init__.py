"""Lessons: small TOML files that name a scene, its settings and short lecture notes.

A lesson file::

    title = "NOT with one input and a bias"
    scene = "network"              # network, descent, landscape or restarts
    notes = '''...'''              # shown beside the scene (t toggles them)

    [data]                         # the options of `tui-backprop tui`, without the dashes
    problem = "not"
    [network]
    hidden = 0
    [training]
    alpha = 1.0
    [descent]                      # the options of `descend`, `landscape` or `restarts`
    ...

Every key is a command-line option of the command that owns its section, and is checked
as that option is: its type and choices here, its value by the same code the command line
runs (``configure.build_setup`` and the commands' ``check_options``). A bad file raises
:class:`LessonError`, one line naming the file, the key and the problem.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ...core.errors import InputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

SCENES = ("network", "descent", "landscape", "restarts")
#: Where the shipped lessons are, and their order in `tui-backprop lessons`.
LESSON_DIR = Path(__file__).parent
ORDER = ("descent", "neuron", "not", "landscape", "xor-231", "xor-221", "restarts")
#: section -> (command whose options it holds, that parser's argument group or None for
#: the command's own options, outside the data, network and training groups).
SECTIONS = {
    "data": ("tui", "data"),
    "network": ("tui", "network"),
    "training": ("tui", "training"),
    "app": ("tui", "app"),
    "descent": ("descend", None),
    "landscape": ("landscape", None),
    "restarts": ("restarts", None),
}
#: Options that belong to one run from the command line, not to a lesson.
NOT_IN_LESSONS = {"help", "json", "lesson", "quit_after", "stats", "save", "threads",
                  "version"}
SHARED_GROUPS = ("data", "network", "training")
#: Options whose value is a file: relative paths are taken from the lesson's folder.
PATH_OPTIONS = {"data", "init"}


class LessonError(InputError):
    """A bad lesson file, in one line: ``lesson FILE: KEY: PROBLEM``."""

    def __init__(self, path: Path | str, key: str | None, problem: str) -> None:
        where = f"lesson {path}: " + (f"{key}: " if key else "")
        super().__init__(where + problem)


@dataclass(frozen=True)
class Lesson:
    """A parsed, checked lesson. ``values`` maps (section, argparse dest) to the value."""

    name: str
    path: Path
    title: str
    scene: str
    notes: str
    values: dict[tuple[str, str], object] = field(default_factory=dict)

    def defaults_for(self, parser: argparse.ArgumentParser) -> dict[str, object]:
        """The lesson's values for the options ``parser`` has, by dest (set_defaults)."""
        dests = {action.dest for action in parser._actions}
        return {dest: value for (_, dest), value in self.values.items() if dest in dests}

    def namespace(self, command: str) -> argparse.Namespace:
        """``command``'s options as if run with this lesson and nothing else."""
        from ...cli.main import build_parser

        parser = build_parser()
        sub = parser.command_parsers[command]
        sub.set_defaults(**self.defaults_for(sub))
        args = parser.parse_args([command] + ([self.name] if command == "lesson" else []))
        args.lesson = self
        return args


def shipped_lessons() -> list[Lesson]:
    """Every lesson shipped in this package, in teaching order."""
    paths = sorted(LESSON_DIR.glob("*.toml"),
                   key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else len(ORDER),
                                  p.stem))
    return [load_lesson(path) for path in paths]


def find_lesson(ref: str | Path) -> Path:
    """A shipped lesson's name, or a path to a lesson file."""
    shipped = LESSON_DIR / f"{ref}.toml"
    if isinstance(ref, str) and "/" not in ref and not ref.endswith(".toml") and (
        shipped.is_file()
    ):
        return shipped
    path = Path(ref)
    if not path.is_file():
        names = ", ".join(p.stem for p in sorted(LESSON_DIR.glob("*.toml")))
        if not str(ref).endswith(".toml") and "/" not in str(ref):
            raise InputError(f"no lesson named {str(ref)!r} (shipped lessons: {names}; "
                             "or give a FILE.toml)")
        raise LessonError(path, None, "no such file")
    return path


def load_lesson(ref: str | Path) -> Lesson:
    """Read and check a lesson (a shipped name or a file); raises LessonError."""
    path = find_lesson(ref)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise LessonError(path, None, f"cannot read it ({error})") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise LessonError(path, None, f"not valid TOML: {error}") from None
    lesson = _parse(path, document)
    _check_values(lesson)
    return lesson


def _type_name(value: object) -> str:
    return {bool: "true/false", int: "a whole number", float: "a number", str: "a string",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)


def _parse(path: Path, document: dict) -> Lesson:
    from ...cli.main import build_parser

    def text(key: str, required: bool) -> str:
        value = document.get(key)
        if value is None and not required:
            return ""
        if value is None:
            raise LessonError(path, key, "missing (every lesson has a title and a scene)")
        if not isinstance(value, str):
            raise LessonError(path, key, f"must be a string, got {_type_name(value)}")
        return value.strip()

    for key, value in document.items():
        if key not in ("title", "scene", "notes") and key not in SECTIONS:
            known = ", ".join(["title", "scene", "notes"] + [f"[{s}]" for s in SECTIONS])
            raise LessonError(path, key, f"unknown key (known: {known})")
        if key in SECTIONS and not isinstance(value, dict):
            raise LessonError(path, key, f"must be a table [{key}], got {_type_name(value)}")
    title, scene, notes = text("title", True), text("scene", True), text("notes", False)
    if scene not in SCENES:
        raise LessonError(path, "scene", f"unknown scene {scene!r} (choose from "
                                         f"{', '.join(SCENES)})")
    parsers = build_parser().command_parsers
    values: dict[tuple[str, str], object] = {}
    for section, table in document.items():
        if section not in SECTIONS:
            continue
        options = _section_options(parsers, section)
        for key, value in table.items():
            where = f"[{section}] {key}"
            if key not in options:
                raise LessonError(path, where, "unknown key (known: "
                                               f"{', '.join(sorted(options))})")
            action = options[key]
            values[(section, action.dest)] = _convert(path, where, action, value)
    if ("data", "problem") in values and ("data", "data") in values:
        raise LessonError(path, "[data] data", "give problem or data, not both")
    return Lesson(path.stem, path, title, scene, notes, values)


def _section_options(parsers: dict, section: str) -> dict[str, argparse.Action]:
    """key (the option without its dashes) -> argparse action, for one section."""
    command, group = SECTIONS[section]
    parser = parsers[command]
    actions = []
    for each in parser._action_groups:
        wanted = each.title == group if group is not None else (
            each.title not in SHARED_GROUPS)
        if wanted:
            actions += each._group_actions
    return {action.option_strings[-1][2:]: action for action in actions
            if action.option_strings and action.dest not in NOT_IN_LESSONS}


def _convert(path: Path, where: str, action: argparse.Action, value: object) -> object:
    """The value as argparse would have produced it from the command line, or an error."""
    if isinstance(action, argparse._StoreTrueAction):
        if not isinstance(value, bool):
            raise LessonError(path, where, f"must be true or false, got {_type_name(value)}")
        return value
    if action.type is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise LessonError(path, where, f"must be a whole number, got {_type_name(value)}")
    elif action.type is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise LessonError(path, where, f"must be a number, got {_type_name(value)}")
        value = float(value)
    else:  # a string option; numbers and (for --hidden) lists of numbers are written as-is
        if action.dest == "hidden" and isinstance(value, list) and all(
                isinstance(v, int) and not isinstance(v, bool) for v in value):
            value = ",".join(map(str, value)) if value else "0"
        elif isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        elif not isinstance(value, str):
            raise LessonError(path, where, f"must be a string, got {_type_name(value)}")
        if action.dest in PATH_OPTIONS:
            value = str((path.parent / value) if not Path(value).is_absolute() else value)
    if action.choices is not None and value not in action.choices:
        raise LessonError(path, where, f"{value!r} is not one of "
                                       f"{', '.join(map(str, action.choices))}")
    return value


def _key_of(lesson: Lesson, message: str) -> tuple[str | None, str]:
    """(section and key, message) for an error from the command line's checks, in lesson
    terms: the key is the first ``--option`` the message names that the lesson sets, or
    else the lesson's value the message quotes."""
    keys = {dest: f"[{section}] {dest.replace('_', '-')}"
            for (section, dest) in lesson.values}
    options = re.findall(r"--([a-z0-9-]+)", message)
    key = next((keys[o.replace("-", "_")] for o in options if o.replace("-", "_") in keys),
               None)
    if key is None:
        key = next((keys[dest] for (_, dest), value in lesson.values.items()
                    if isinstance(value, str) and repr(value) in message), None)
    if key is not None and options and message.startswith(f"--{options[0]} ") and (
            keys.get(options[0].replace("-", "_")) == key):
        message = message[len(options[0]) + 3:]
    return key, re.sub(r"--([a-z0-9-]+)", r"\1", message)


def _check_values(lesson: Lesson) -> None:
    """Every value through the command line's own checks, in lesson terms."""
    from ...cli.commands import descend, landscape, restarts
    from ...cli.commands.tui import build_config

    checks = [("tui", build_config), ("descend", descend.check_options),
              ("landscape", landscape.check_options), ("restarts", restarts.check_options)]
    for command, check in checks:
        try:
            check(lesson.namespace(command))
        except LessonError:
            raise
        except InputError as error:
            key, problem = _key_of(lesson, str(error))
            raise LessonError(lesson.path, key, problem) from None
