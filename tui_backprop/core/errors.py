"""The exception types for bad input from a user.

Every check of user input (command-line values, lesson files, CSV files, weight files)
raises :class:`InputError` with a message that reads as one complete line. The command
line turns it into ``tui-backprop: error: <message>`` on stderr and exit code 2; no
traceback is ever shown for it. A bad configuration value raises :class:`ConfigError`,
which names the field, so that each front end can word it in its own terms.
:func:`one_line` and :func:`quoted` keep what a user typed on one line inside a message.
"""

from __future__ import annotations

import re
from collections.abc import Callable


class InputError(ValueError):
    """A user-facing, one-line description of what is wrong with the input."""


_REFERENCE = re.compile(r"<([a-z]+\.[a-z0-9_]+)>")


class ConfigError(InputError):
    """A bad configuration value.

    field   : "section.name", for example "training.alpha"
    problem : what is wrong, worded to follow the field's name ("must be ... , got -1.0");
              it may name other fields as "<section.name>"

    ``str(error)`` uses the configuration's own names; front ends call :meth:`worded`.
    """

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(self.worded(lambda name: name))

    def parts(self, name: Callable[[str], str]) -> tuple[str, str]:
        """(the field, the problem), every field named by ``name``."""
        return name(self.field), _REFERENCE.sub(lambda m: name(m.group(1)), self.problem)

    def worded(self, name: Callable[[str], str]) -> str:
        """One line: the field as ``name`` calls it, then the problem."""
        where, problem = self.parts(name)
        return f"{where} {problem}"


def one_line(text: str) -> str:
    """``text`` with control characters (newlines included) escaped."""
    if text.isprintable():
        return text
    return text.encode("unicode_escape").decode("ascii")


def quoted(text: str, limit: int = 40) -> str:
    """``text`` in single quotes, shortened past ``limit`` characters, on one line."""
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"'{one_line(text)}'"
