"""One explained update as Markdown or LaTeX, for lecture notes and slides.

Both are made from the same document ``explain --json`` prints (``Explanation.to_json``
plus the run's header), so their numbers are the JSON's, rounded to DIGITS significant
digits. Each phase gives a heading, its formula, a table of its quantities (a row per
node: z, a, delta, the gradient's row of W and b, the step and the new values), and the
worked lines as the app and ``explain`` print them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .digits import figures

DIGITS = 6

#: How a quantity of a phase's values is headed in its table.
HEADINGS = {
    "z": "z",
    "a": "a",
    "delta": "δ",
    "grad_W": "dC/dW",
    "grad_b": "dC/db",
    "step_W": "d (W)",
    "step_b": "d (b)",
    "W": "new W",
    "b": "new b",
    "target": "y",
    "cost": "C",
}


def number(x: float | None) -> str:
    """A table's number as the worked lines write theirs (``figures``: 0, not -0), to
    DIGITS digits; nan for a JSON null."""
    return "nan" if x is None else figures(x, DIGITS)


def _columns(values: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """A phase's per-node quantities as (headers, rows): row i holds node i's value of
    each vector quantity and, for a matrix quantity, its row i spread over columns j."""
    headers = ["node"]
    columns: list[list[str]] = []
    size = 0
    for key, value in values.items():
        if not isinstance(value, list) or not value:
            continue
        if isinstance(value[0], list):  # a matrix: one column per j
            for j in range(len(value[0])):
                headers.append(f"{HEADINGS.get(key, key)}[·,{j + 1}]")
                columns.append([number(row[j]) for row in value])
        else:
            headers.append(HEADINGS.get(key, key))
            columns.append([number(v) for v in value])
        size = max(size, len(value))
    rows = [[str(i + 1)] + [c[i] if i < len(c) else "" for c in columns] for i in range(size)]
    return headers, rows


def phase_tables(phase: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """(caption, headers, rows) for each table of a phase: one, but a batch mean has one a
    layer, and the cost phase one of its scalars."""
    values = phase["values"]
    if phase["kind"] == "cost":
        rows = [["C", number(values["cost"])]]
        rows += [[f"y{k + 1}", number(v)] for k, v in enumerate(values.get("target", []))]
        return [("", ["quantity", "value"], rows)]
    if phase["kind"] == "batch-mean":
        tables = []
        for m, (grad_W, grad_b) in enumerate(
            zip(values["grad_W"], values["grad_b"], strict=True), start=1
        ):
            headers, rows = _columns({"grad_W": grad_W, "grad_b": grad_b})
            tables.append((f"layer {m}", headers, rows))
        return tables
    headers, rows = _columns(values)
    return [("", headers, rows)]


def header_line(document: dict[str, Any]) -> str:
    layers = "-".join(str(n) for n in document["layers"])
    examples = ", ".join(str(k) for k in document["examples"])
    return (
        f"One update of a {layers} network ({', '.join(document['activations'])}, "
        f"{document['cost']}), alpha {document['alpha']:g}, momentum "
        f"{document['momentum']:g}, examples {examples}, after {document['after_epochs']} "
        "epochs"
    )


def _markdown_table(headers: Sequence[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def to_markdown(document: dict[str, Any]) -> str:
    """The update as Markdown: a section per phase, each with a table."""
    out = [f"# {header_line(document)}", ""]
    for phase in document["phases"]:
        out += [f"## {phase['title']}", "", f"`{phase['formula']}`", ""]
        for caption, headers, rows in phase_tables(phase):
            if caption:
                out += [f"{caption}:", ""]
            out += [*_markdown_table(headers, rows), ""]
        if phase["lines"]:
            out += ["```", *phase["lines"], "```", ""]
    return "\n".join(out)


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "δ": r"$\delta$",
    "·": r"$\cdot$",
}


def latex_text(text: str) -> str:
    """``text`` with LaTeX's special characters escaped."""
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def to_latex(document: dict[str, Any]) -> str:
    """The update as a LaTeX fragment: a subsection per phase, each with a tabular."""
    out = [f"\\section*{{{latex_text(header_line(document))}}}", ""]
    for phase in document["phases"]:
        out += [
            f"\\subsection*{{{latex_text(phase['title'])}}}",
            f"\\texttt{{{latex_text(phase['formula'])}}}",
            "",
        ]
        for caption, headers, rows in phase_tables(phase):
            if caption:
                out += [f"{latex_text(caption)}:", ""]
            out.append(f"\\begin{{tabular}}{{l{'r' * (len(headers) - 1)}}}")
            out.append(" & ".join(latex_text(h) for h in headers) + r" \\ \hline")
            out += [" & ".join(latex_text(c) for c in row) + r" \\" for row in rows]
            out += [r"\end{tabular}", ""]
        if phase["lines"]:
            out.append(r"\begin{verbatim}")
            out += phase["lines"]
            out += [r"\end{verbatim}", ""]
    return "\n".join(out)
