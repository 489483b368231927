"""Text wrapped with a hanging indent: a line broken at its spaces, its later lines under
the first one's text rather than under what it begins with (a key, a label, a table's
first columns). Shared by the command line's reports and the app's help, status line and
panels (``app.widgets.formatting.hanging_text`` breaks styled text at the same places).
A line that mixes words and formulas (the errata view's) can keep its formulas whole:
``formula_spaces`` says which of its spaces are inside one."""

from __future__ import annotations

import re

#: Columns a wrapped line's later lines keep for text: an indent that leaves fewer (a
#: table's last column on a narrow terminal) gives way to ``SHORT_INDENT``.
TEXT_COLUMNS = 24
SHORT_INDENT = 4


#: Spaces inside a formula, as ``formula_spaces`` marks them, one character for one (so a
#: break found in the marked line is a break in the line itself): outside its brackets,
#: and inside them (broken at last).
FORMULA_SPACE = "\x01"
BRACKETED_SPACE = "\x02"
_SPACES = (" ", FORMULA_SPACE, BRACKETED_SPACE)

#: Tokens that join the terms on either side of them: "a - y", "w x", "C = ...".
OPERATORS = frozenset({"=", "+", "-", "*", "/", "x", "×", "·", "<", ">", "≈"})
#: Words that take the term after them: "sum (a - y)", "ln a3", "alpha 0.5".
PREFIXES = frozenset({"sum", "sum_k", "ln", "alpha"})
#: Words of three letters or more that are a formula's symbols, not its prose.
FORMULA_WORDS = frozenset({"sum", "alpha", "delta", "sigma", "mean", "exp"})
_OPENING, _CLOSING = "([{", ")]}"
_WORD = re.compile(r"[A-Za-z]{3,}(?:'s?)?")


def _before_operator(space: str) -> re.Pattern[str]:
    """A formula's ``space`` before an operator: where its lines end on an operand and
    the next starts with the operator."""
    operators = "|".join(map(re.escape, sorted(OPERATORS)))
    return re.compile(f"{space}(?=(?:{operators}){space})")


#: Where a formula longer than a line breaks, best first: between its terms (before an
#: operator outside its brackets), at its other spaces outside them, then inside them.
_FORMULA_BREAKS = [
    _before_operator(FORMULA_SPACE),
    re.compile(FORMULA_SPACE),
    _before_operator(BRACKETED_SPACE),
    re.compile(BRACKETED_SPACE),
]


def _is_word(token: str) -> bool:
    """Whether ``token`` is a word of prose ("cost", "tutorial's)"), not a formula's
    symbol ("a3", "sum", "v_i", "(1/m)")."""
    stem = token.strip(_OPENING + _CLOSING + ",;:.")
    return _WORD.fullmatch(stem) is not None and stem.lower() not in FORMULA_WORDS


def _in_formula_brackets(line: str) -> list[bool]:
    """For each character of ``line``, whether it stands inside brackets that hold a
    formula ("(a - y)", "[y ln a3 + ...]"), not words ("(not what its code steps)",
    whose own formulas count on their own); unmatched brackets hold nothing."""
    inside = [False] * len(line)
    opened: list[int] = []
    for at, char in enumerate(line):
        if char in _OPENING:
            opened.append(at)
        elif char in _CLOSING and opened:
            start = opened.pop()
            if not any(_is_word(token) for token in line[start + 1 : at].split()):
                inside[start + 1 : at] = [True] * (at - start - 1)
    return inside


def _joins(left: str, right: str, in_brackets: bool) -> bool:
    """Whether a space between the tokens ``left`` and ``right`` (``in_brackets``: inside
    a formula's brackets) is inside a formula (see ``formula_spaces``)."""
    if in_brackets or left in OPERATORS or right in OPERATORS or left in PREFIXES:
        return True
    # A bracket beside the term it multiplies: "a (1 - a)", "(a - y) a", "(1/2) sum_k".
    if right[0] in _OPENING and left[-1] not in ",;:" and not _is_word(left):
        return True
    return left[-1] in _CLOSING and right[0] not in _OPENING and not _is_word(right)


def formula_spaces(line: str) -> str:
    """``line`` with each space inside a formula replaced by ``FORMULA_SPACE``
    (``BRACKETED_SPACE`` within the formula's brackets): a space within them, beside an
    operator (=, +, -, *, /, x), after a word that takes the term after it (sum, ln,
    alpha), or between a bracket and the term it multiplies. The spaces left are between
    words, and after a comma, semicolon or colon: where a line mixing words and formulas
    breaks without cutting a formula ("its squared error C = (1/2)(a3 - y)^2" breaks
    before the C, not after the =)."""
    chars = list(line)
    in_brackets = _in_formula_brackets(line)
    at = 0
    while at < len(line):
        if line[at] != " ":
            at += 1
            continue
        end = at
        while end < len(line) and line[end] == " ":
            end += 1
        left = line[:at].rsplit(" ", 1)[-1]
        right = line[end:].split(" ", 1)[0]
        # Not the line's own indent, nor the spaces that end it.
        if left and right and _joins(left, right, in_brackets[at]):
            chars[at:end] = (BRACKETED_SPACE if in_brackets[at] else FORMULA_SPACE) * (end - at)
        at = end
    return "".join(chars)


def _formula_cut(marked: str, low: int, high: int) -> int:
    """The last place in ``marked[low:high]`` to break a formula at (``_FORMULA_BREAKS``,
    best first); -1 where it has none."""
    for pattern in _FORMULA_BREAKS:
        found = [match.start() for match in pattern.finditer(marked, low, high)]
        if found:
            return found[-1]
    return -1


def breaks(line: str, width: int, indent: int, formulas: bool = False) -> list[tuple[int, int]]:
    """Where ``line`` breaks to fit ``width`` columns, its later lines starting with
    ``indent`` spaces: (end of a line's text, start of the next line's text) for each
    break, the spaces between them dropped. A line breaks at its last space that leaves
    it within the width; a word longer than the room stays whole, its line too long. The
    first line's own leading spaces are kept, and never broken at.

    formulas: the line mixes words and formulas (``formula_spaces``): it breaks between
    words where it can, inside a formula only where one is longer than the room."""
    marked = formula_spaces(line) if formulas else line
    found: list[tuple[int, int]] = []
    at = 0
    # A line keeps a column at least: a width under the indent (a message cut to a few
    # cells) would otherwise search back before the line's start, and never move on.
    room = max(1, width)
    low = len(line) - len(line.lstrip(" "))  # the first line's indent: not a place to break
    while len(line) - at > room:
        high = at + room + 1
        cut = marked.rfind(" ", at + low + 1, high)
        if formulas:
            # What the next line would start with, up to its first space between words:
            # a formula longer than a line of its own breaks inside, filling this one.
            after = marked.find(" ", high)
            if cut < 0 or (len(line) if after < 0 else after) - cut - 1 > width - indent:
                inside = _formula_cut(marked, max(cut + 1, at + low + 1), high)
                cut = max(cut, inside)
        if cut < 0:  # a word longer than the room: it ends its line
            later = [marked.find(space, at + room + 1) for space in _SPACES]
            cut = min((c for c in later if c >= 0), default=-1)
            if cut < 0:
                break
        end = cut
        while end > at and marked[end - 1] in _SPACES:
            end -= 1
        start = cut + 1
        while start < len(line) and marked[start] in _SPACES:
            start += 1
        if start == len(line):
            break  # only spaces after it
        found.append((end, start))
        at, room, low = start, max(1, width - indent), 0
    return found


def hanging(line: str, width: int, indent: int, formulas: bool = False) -> list[str]:
    """``line`` as lines within ``width`` columns, broken at its spaces (``breaks``, which
    ``formulas`` keeps whole where it can); the later lines start with ``indent`` spaces,
    or ``SHORT_INDENT`` where that would leave them fewer than ``TEXT_COLUMNS``."""
    if len(line) <= width:
        return [line]
    if width - indent < TEXT_COLUMNS:
        indent = SHORT_INDENT
    lines, start = [], 0
    for end, resume in breaks(line, width, indent, formulas):
        lines.append(line[start:end])
        start = resume
    lines.append(line[start:].rstrip(" "))
    return [lines[0], *(" " * indent + text for text in lines[1:])]
