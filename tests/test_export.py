"""explain --format markdown / latex: a table per phase, whose numbers are explain --json's."""

from __future__ import annotations

import json
import re

import pytest

from tests.helpers import run_cli
from tui_backprop.teach.export import phase_tables

ARGS = ("explain", "--hidden", "3,2", "--batch-size", "2", "--after-epochs", "3")


def _json() -> dict:
    result = run_cli(*ARGS, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _markdown_sections(text: str) -> list[tuple[str, list[list[list[str]]]]]:
    """(title, tables) per '## ' section; a table is its rows of cells, header first."""
    sections = []
    for block in text.split("\n## ")[1:]:
        title, _, body = block.partition("\n")
        tables: list[list[list[str]]] = []
        current: list[list[str]] | None = None
        in_code = False
        for line in body.splitlines():
            if line.startswith("```"):
                in_code = not in_code
                continue
            if not in_code and line.startswith("|"):
                cells = [c.strip() for c in line.strip("|").split("|")]
                if set("".join(cells)) <= {"-"}:
                    continue  # the separator row
                if current is None:
                    current = []
                    tables.append(current)
                current.append(cells)
            else:
                current = None
        sections.append((title, tables))
    return sections


def _numbers(values) -> list[float]:
    """Every number of a phase's values, in the order the tables list them."""
    out: list[float] = []
    for value in values:
        if isinstance(value, list):
            out.extend(_numbers(value))
        elif isinstance(value, (int, float)):
            out.append(float(value))
    return out


def test_markdown_has_a_table_per_phase_with_the_json_numbers():
    document = _json()
    result = run_cli(*ARGS, "--format", "markdown")
    assert result.returncode == 0, result.stderr
    sections = _markdown_sections(result.stdout)
    assert [title for title, _ in sections] == [p["title"] for p in document["phases"]]
    for (_, tables), phase in zip(sections, document["phases"], strict=True):
        assert tables, phase["title"]
        shown = [
            float(cell)
            for table in tables
            for row in table[1:]
            for cell in row[1:]
            if cell and re.fullmatch(r"[-+0-9.e]+", cell)
        ]
        expected = sorted(_numbers(phase["values"].values()))
        assert sorted(shown) == pytest.approx(expected, rel=1e-5, abs=1e-12)


def test_latex_has_a_tabular_per_table_and_escapes_its_text():
    document = _json()
    result = run_cli(*ARGS, "--format", "latex")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    tables = sum(len(phase_tables(phase)) for phase in document["phases"])
    assert text.count(r"\begin{tabular}") == text.count(r"\end{tabular}") == tables
    outside = re.sub(r"\\begin\{verbatim\}.*?\\end\{verbatim\}", "", text, flags=re.S)
    assert not re.search(r"(?<!\\)[_^]", outside.replace(r"\textasciicircum{}", ""))


def test_json_and_format_json_agree():
    assert json.loads(run_cli(*ARGS, "--format", "json").stdout) == _json()


def test_the_mean_phase_gives_every_bias_its_mean_gradient_in_markdown_and_latex():
    """With a batch, the mean phase's worked lines give each bias's g too, its terms
    written out, as the weights' (the update lines use them): in both formats, with the
    JSON's value."""
    from tui_backprop.teach.explain import val

    mean = next(p for p in _json()["phases"] if p["kind"] == "batch-mean")
    for form in ("markdown", "latex"):
        text = run_cli(*ARGS, "--format", form).stdout
        for m, grad_b in enumerate(mean["values"]["grad_b"], start=1):
            for i, g in enumerate(grad_b, start=1):
                line = rf"^g\(b\^{m}_{i}\) = \(\S+ \+ \S+\)/2 = {re.escape(val(g))}$"
                assert re.search(line, text, re.MULTILINE), (form, m, i)


@pytest.mark.parametrize("form", ["markdown", "latex"])
def test_a_zero_is_written_0_not_minus_0(form):
    """XOR's first example is (0, 0): the first layer's weight gradients are delta * 0,
    -0.0 where delta < 0, and the tables write them 0, as the worked lines do."""
    document = json.loads(run_cli("explain", "--json").stdout)
    signed = [
        v
        for phase in document["phases"]
        for v in _numbers(phase["values"].values())
        if v == 0 and str(v) == "-0.0"
    ]
    assert signed, "the case no longer has a -0.0 to write"
    text = run_cli("explain", "--format", form).stdout
    cells = re.split(r"\s*(?:\||&|\\\\)\s*", text)
    assert "-0" not in cells and "0" in cells
