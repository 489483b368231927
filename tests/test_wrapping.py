"""core.wrapping with formulas: a line that mixes words and formulas breaks between the
words, and a formula longer than a line between its terms."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tui_backprop.core.wrapping import hanging

TERMS = ["(1/2)(a3 - y)^2", "(1/2)(b3 - y)^2", "(1/2)(c3 - y)^2", "(1/2)(d3 - y)^2"]


def test_a_formula_longer_than_a_line_breaks_before_its_terms_operators():
    line = "  why: the cost is C = " + " + ".join(TERMS) + ", summed over the outputs"
    lines = hanging(line, 40, 6, formulas=True)
    assert " ".join(" ".join(lines).split()) == " ".join(line.split())  # nothing lost
    assert all(len(piece) <= 40 for piece in lines)
    formula = [piece for piece in lines[1:] if "(1/2)" in piece]
    assert formula and all(piece.strip().startswith("+ (1/2)") for piece in formula[1:])
    for piece in lines:  # no term cut inside its brackets
        assert piece.count("(") == piece.count(")"), lines


def test_words_and_a_formula_break_between_the_words():
    line = "  correct   delta3 = (a3 - y) a3 (1 - a3), for its squared error C = (1/2)(a3 - y)^2"
    lines = hanging(line, 70, 12, formulas=True)
    assert lines[1].strip() == "C = (1/2)(a3 - y)^2"
    assert hanging(line, 70, 12)[1].strip() == "(1/2)(a3 - y)^2"  # words alone: after "C ="


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(["C", "=", "(1/2)(a3", "-", "y)^2", "+", "sum", "(a", "ln", "cost", "w,"]),
        min_size=1,
        max_size=14,
    ),
    width=st.integers(0, 30),
    indent=st.integers(0, 8),
)
def test_formulas_wrap_ends_and_keeps_every_word_at_any_width_and_indent(words, width, indent):
    """Like the plain wrap (tests/test_cli_width.py), the formulas' wrap ends for any
    width and indent, a width under the indent included, with the words in order."""
    line = " ".join(words)
    lines = hanging(line, width, indent, formulas=True)
    assert " ".join(" ".join(lines).split()) == line, (width, indent, lines)
