"""Option values that begin with a minus sign: ``--alphas -1,0.1``, ``--x0 -1e3``.

argparse takes a word that starts with "-" for an option unless it is a plain negative
number (``-3``, ``-0.5``): ``-1,0.1``, ``-1e3`` or ``-inf`` after an option left that option
"expected one argument", and the value's own check, which says what is wrong with it, never
ran. No option of this command starts with a minus and a digit, so such a word is always a
value: it is attached to the option before it (``--alphas=-1,0.1``), as argparse reads any
value."""

from __future__ import annotations

import re
from collections.abc import Sequence

#: A word that reads as a number, or a list of numbers, with a minus sign in front.
_NEGATIVE = re.compile(r"-(\.?\d|inf|nan)", re.IGNORECASE)


def attach_negative_values(words: Sequence[str]) -> list[str]:
    """``words`` with each negative-number word joined to the long option before it
    (``["--x0", "-1e3"]`` -> ``["--x0=-1e3"]``); words after ``--`` are left alone."""
    joined: list[str] = []
    for at, word in enumerate(words):
        if word == "--":  # what follows is positional, whatever it looks like
            return joined + list(words[at:])
        previous = joined[-1] if joined else ""
        takes_value = previous.startswith("--") and "=" not in previous
        if takes_value and _NEGATIVE.match(word):
            joined[-1] = f"{previous}={word}"
        else:
            joined.append(word)
    return joined
