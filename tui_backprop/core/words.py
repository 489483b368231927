"""Counts in words: "1 step", "2 steps", for every front end's messages."""

from __future__ import annotations


def plural(n: int, word: str) -> str:
    """``word`` with an ``s`` unless ``n`` is 1."""
    return word if n == 1 else word + "s"


def counted(n: int, word: str) -> str:
    """``n`` and ``word``, singular for 1: ``counted(1, "step")`` is "1 step"."""
    return f"{n} {plural(n, word)}"
