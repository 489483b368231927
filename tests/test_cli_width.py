"""Human-readable output fits the terminal: at 80 columns (a student's SSH session) no line
is longer, and at 160 (a projector) nothing is wrapped that fits."""

from __future__ import annotations

import pytest

from tui_backprop.cli import main as cli
from tui_backprop.cli.wrap import fit

REPORTS = [
    ["train", "--epochs", "2"],
    ["train", "--problem", "spiral", "--hidden", "4", "--epochs", "1"],
    ["restarts", "--count", "8", "--epochs", "20"],
    ["restarts", "--count", "8", "--epochs", "20", "--seed", "4000000000"],
    ["restarts", "--count", "1000", "--epochs", "20", "--cost", "cross-entropy"],
    ["explain"],
    ["explain", "--hidden", "16"],
    ["lessons"],
    ["problems"],
    ["landscape", "--params", "W1[1,1],b1[1]", "--grid", "21"],
    ["gradcheck"],
    ["train", "--lesson", "xor-231", "--as-written"],
    ["train", "--lesson", "xor-221", "--as-written"],
    ["train", "--lesson", "neuron", "--as-written"],
    ["train", "--lesson", "not", "--as-written"],
    ["lesson", "descent", "--as-written"],
    ["descend", "--x0", "-1"],
]


def report(monkeypatch, capsys, argv: list[str], columns: int) -> list[str]:
    monkeypatch.setenv("COLUMNS", str(columns))
    assert cli.main(argv) == 0
    return capsys.readouterr().out.splitlines()


@pytest.mark.parametrize("argv", REPORTS, ids=" ".join)
def test_reports_fit_80_columns(monkeypatch, capsys, argv):
    lines = report(monkeypatch, capsys, argv, 80)
    assert lines and max(len(line) for line in lines) <= 80


def test_a_wide_terminal_keeps_statements_on_one_line(monkeypatch, capsys):
    wide = report(monkeypatch, capsys, ["explain"], 160)
    assert any("z^1_1 = " in line and "a^1_1 = " in line for line in wide)
    narrow = report(monkeypatch, capsys, ["explain"], 80)
    z = next(i for i, line in enumerate(narrow) if "z^1_1 = " in line)
    assert narrow[z + 1].strip().startswith("a^1_1 = ")  # its own line, under z's
    assert len(narrow) > len(wide)


def test_fit_wraps_at_spaces_under_the_text():
    line = "quantiles     " + "  ".join(f"0.{k}: 0.12{k}" for k in range(9))
    wrapped = fit(line, indent=14, width=40).splitlines()
    assert wrapped[0].startswith("quantiles     0.0: 0.120")
    assert all(w.startswith(" " * 14) and w[14] != " " for w in wrapped[1:])
    assert max(len(w) for w in wrapped) <= 40
    assert fit("short", width=40) == "short"
    long_word = "x" * 60
    assert fit(f"a {long_word}", width=40) == f"a\n{long_word}"  # whole, not cut


def test_a_wide_data_sets_inputs_are_cut_at_a_value_to_fit(tmp_path, monkeypatch, capsys):
    rows = [[round(0.123 * (i + 1) * (j + 1), 3) for j in range(12)] + [i % 2] for i in range(6)]
    path = tmp_path / "wide.csv"
    path.write_text("\n".join(",".join(str(v) for v in row) for row in rows) + "\n")
    argv = ["train", "--data", str(path), "--targets", "1", "--hidden", "2", "--epochs", "1"]
    narrow = report(monkeypatch, capsys, argv, 80)
    assert max(len(line) for line in narrow) <= 80
    first = next(line for line in narrow if line.startswith("1 "))
    assert first.split()[1:4] == ["0.123", "0.246", "0.369"] and " … " in first
    assert "(inputs cut to fit the terminal; --json lists them all)" in narrow
    wide = report(monkeypatch, capsys, argv, 160)
    first = next(line for line in wide if line.startswith("1 "))
    assert "…" not in first and "1.476" in first  # the twelfth input, whole
    assert not any("inputs cut" in line for line in wide)


def test_bench_splits_its_table_at_80_columns_and_keeps_it_whole_at_160(monkeypatch):
    from tests.test_bench_columns import _doc
    from tui_backprop.cli.benchmark import add_flop_fractions
    from tui_backprop.cli.commands.bench import table

    doc = _doc()
    add_flop_fractions(doc["cases"], 4e10)
    names = [case["name"] for case in doc["cases"]]
    monkeypatch.setenv("COLUMNS", "80")
    lines = table(doc).splitlines()
    assert max(len(line) for line in lines) <= 80
    headers = [line.split() for line in lines if line.startswith("case")]
    assert headers == [
        ["case", "agrees", "kernel", "reference", "ratio", "(min-max)", "target"],
        ["case", "vs", "hand", "of", "flops", "all", "threads"],
    ]
    rows = [line.split() for line in lines if line.startswith(tuple(names))]
    assert [row[0] for row in rows] == names + names  # every case in both tables
    first, second = rows[: len(names)], rows[len(names) :]
    assert first[0][1:] == [
        "yes",
        "2.00",
        "M/s",
        "10.0",
        "k/s",
        "200x",
        "(100-300)",
        "250x",
        "missed",
    ]
    assert second[0][1:] == ["0.62x", "0.004", "-"]  # xor: vs hand, of flops
    assert second[1][1:] == ["-", "0.067", "2", "threads:", "50.00", "M/s"]  # restarts
    assert first[1][1:] == ["yes", "30.00", "M/s", "25", "M/s"]  # its ratio cell empty
    notes = [line for line in lines if line.startswith(("(", " ", "rates"))]
    assert len(notes) >= 6
    monkeypatch.setenv("COLUMNS", "160")
    lines = table(doc).splitlines()
    rows = [line for line in lines if line.startswith(tuple(names))]
    assert len(rows) == len(names) and max(len(row) for row in rows) > 80  # one table
    assert rows[1].split()[-6:] == ["50.00", "M/s", "25", "M/s", "-", "0.067"]


def test_a_long_error_wraps_under_its_text_on_a_terminal_and_is_one_line_in_a_pipe():
    from tests.helpers import run_cli, run_in_terminal

    code, drawn = run_in_terminal("lesson", "nope", size=(60, 24))
    lines = drawn.decode().replace("\r\n", "\n").strip("\n").split("\n")
    assert code == 2 and len(lines) > 1 and max(len(line) for line in lines) <= 60
    head = "tui-backprop lesson: error: "
    assert lines[0].startswith(head + "no lesson named 'nope'")
    assert all(line.startswith(" " * len(head)) and line[len(head)] != " " for line in lines[1:])
    assert " ".join(line.strip() for line in lines).endswith("or give a FILE.toml)")
    piped = run_cli("lesson", "nope")
    assert piped.returncode == 2 and piped.stderr.count("\n") == 1
    assert piped.stderr.startswith(head) and len(piped.stderr) > 60


@pytest.mark.parametrize("columns", [50, 60, 70, 80])
def test_restarts_keeps_each_quantile_with_its_value(monkeypatch, capsys, columns):
    import re

    lines = report(monkeypatch, capsys, ["restarts", "--count", "8", "--epochs", "20"], columns)
    at = next(i for i, line in enumerate(lines) if line.startswith("quantiles"))
    block = lines[at : next(i for i in range(at + 1, len(lines)) if lines[i][:1] != " ")]
    assert all(len(line) <= columns and not line.rstrip().endswith(":") for line in block)
    pairs = re.findall(r"(?:^| )(0|0\.1|0\.25|0\.5|0\.75|0\.9|1): \S+", " ".join(block[0:]))
    assert pairs == ["0", "0.1", "0.25", "0.5", "0.75", "0.9", "1"]


def test_the_restarts_histogram_counts_networks_in_whole_numbers(monkeypatch, capsys):
    import numpy as np

    from tui_backprop.teach.restarts import loss_histogram

    losses = np.array([1e-3] * 14 + [0.05] * 3 + [np.inf])
    histogram = loss_histogram(losses)
    assert histogram is not None and len(histogram.logs) == 17
    ticks = histogram.count_ticks
    step = ticks[1] - ticks[0]
    assert ticks[0] == 0 and ticks[-1] <= 14 < ticks[-1] + step  # none past the tallest bar
    assert all(c.is_integer() for c in ticks) and step in (1, 2, 5, 10)
    assert loss_histogram(np.array([np.nan])) is None
    lines = report(monkeypatch, capsys, ["restarts", "--count", "30", "--epochs", "20"], 80)
    labels = [line.split("┤")[0].strip() for line in lines if "┤" in line]
    assert labels and all(label.isdigit() for label in labels)


def test_hanging_ends_and_keeps_every_word_at_any_width_and_indent():
    """A width under the indent (a message cut to a few cells) once searched back before
    the line's start and never ended: every width from 0 and indent to 6 ends, with the
    words in order."""
    from tui_backprop.core.wrapping import hanging

    line = "seed 154: space trains it, escape goes back"
    for width in range(0, 12):
        for indent in range(0, 7):
            lines = hanging(line, width, indent)
            assert " ".join(" ".join(lines).split()) == line, (width, indent, lines)


@pytest.mark.parametrize("lesson", ["xor-231", "xor-221", "neuron", "not"])
def test_as_written_breaks_no_formula_at_80_columns(monkeypatch, capsys, lesson):
    """The differences `train --as-written` lists break as the errata view's do: between
    words or a formula's terms, never after an operator nor inside a formula's brackets
    ("ln(1" / "- a3)]")."""
    from tests.test_errata_view import _in_formula_brackets

    lines = report(monkeypatch, capsys, ["train", "--lesson", lesson, "--as-written"], 80)
    start = next(k for k, line in enumerate(lines) if line.startswith("where it differs"))
    entries: list[list[str]] = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        continued = line.startswith(" " * 14) and entries
        if continued:
            entries[-1].append(line)
        else:
            entries.append([line])
    assert any(len(entry) > 1 for entry in entries)  # some are longer than a line
    for entry in entries:
        whole = " ".join(" ".join(entry).split())
        at = 0
        for piece in entry[:-1]:
            at += len(" ".join(piece.split())) + 1
            assert piece.split()[-1] not in ("=", "+", "-", "*", "/"), entry
            assert not _in_formula_brackets(whole, at), entry
