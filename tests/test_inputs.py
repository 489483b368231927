"""Bad input gets one clear line and exit code 2: never a traceback, a runaway read or a hang.

Each case runs the real ``tui-backprop`` command (``run_cli``) with a timeout, so a read
that blocks or grows without end fails the test instead of stalling the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers import run_cli, run_in_terminal
from tui_backprop.io.reading import MAX_CSV_BYTES, MAX_LESSON_BYTES, MAX_WEIGHTS_BYTES
from tui_backprop.teach.descent import descend

#: Seconds a bad input may take to be refused (start-up included).
LIMIT = 60

HUGE = "1" * 5000  # past Python's 4300-digit guard of int()
DEEP = 50_000  # past the recursion limit of any recursive parser


def refused(result: subprocess.CompletedProcess, *words: str) -> str:
    """Exit code 2 and one line on stderr, holding each of ``words``, without a traceback."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr[-3000:]
    assert "Traceback" not in result.stderr and len(lines) == 1, result.stderr[-3000:]
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return run_cli(*args, cwd=cwd, timeout=LIMIT)


def lesson(tmp_path: Path, body: str, scene: str = "network", name: str = "l.toml") -> Path:
    path = tmp_path / name
    path.write_text(f'title = "t"\nscene = "{scene}"\n{body}\n', encoding="utf-8")
    return path


# -- only regular files are read ----------------------------------------------------------
def test_dev_zero_as_data_is_refused_not_read():
    refused(cli("train", "--data", "/dev/zero"), "/dev/zero", "is a device", "CSV file")


def test_dev_zero_as_initial_weights_is_refused_not_read():
    refused(cli("train", "--init", "/dev/zero"), "/dev/zero", "is a device", "weights file")


def test_dev_zero_as_a_lessons_data_is_refused_not_read(tmp_path):
    path = lesson(tmp_path, '[data]\ndata = "/dev/zero"')
    refused(cli("train", "--lesson", str(path)), "[data] data", "/dev/zero", "is a device")


def test_dev_zero_as_a_lessons_weights_is_refused_not_read(tmp_path):
    path = lesson(tmp_path, '[network]\ninit = "/dev/zero"')
    refused(cli("train", "--lesson", str(path)), "[network] init", "/dev/zero", "is a device")


def test_dev_zero_as_the_lesson_file_is_refused_not_read():
    refused(cli("lesson", "/dev/zero"), "/dev/zero", "is a device", "lesson file")
    refused(cli("train", "--lesson", "/dev/zero"), "/dev/zero", "is a device")


def test_a_fifo_without_a_writer_as_data_does_not_hang(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    refused(cli("train", "--data", str(fifo)), "pipe.csv", "FIFO", "CSV file")


def test_a_fifo_without_a_writer_as_the_lesson_does_not_hang(tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    refused(cli("lesson", str(fifo)), "pipe.toml", "FIFO", "lesson file")
    refused(cli("descend", "--lesson", str(fifo)), "pipe.toml", "FIFO")


def test_a_fifo_without_a_writer_as_weights_does_not_hang(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    refused(cli("train", "--init", str(fifo)), "pipe.json", "FIFO", "weights file")


def test_a_directory_is_named_as_one(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    refused(cli("train", "--data", str(folder)), "folder", "is a directory", "CSV file")
    refused(cli("train", "--init", str(folder)), "folder", "is a directory", "weights file")
    refused(cli("lesson", str(folder)), "folder", "is a directory", "lesson file")


@pytest.mark.parametrize(
    ("option", "name", "limit"),
    [
        ("--data", "big.csv", MAX_CSV_BYTES),
        ("--init", "big.json", MAX_WEIGHTS_BYTES),
        ("--lesson", "big.toml", MAX_LESSON_BYTES),
    ],
)
def test_a_file_over_its_size_limit_is_refused_before_it_is_read(tmp_path, option, name, limit):
    path = tmp_path / name
    with open(path, "wb") as handle:  # sparse: costs no disk and no time
        handle.truncate(limit + 1)
    refused(cli("train", option, str(path)), name, "too large", "at most")


# -- numbers: ASCII digits, not too many of them -------------------------------------------
def test_a_5000_digit_integer_in_a_weights_file(tmp_path):
    weights = tmp_path / "w.json"
    weights.write_text(json.dumps({"weights": [[[0.5]]]}).replace("0.5", HUGE))
    result = cli("train", "--problem", "not", "--hidden", "0", "--init", str(weights))
    refused(result, "w.json", "W^1 row 1, entry 1 is not finite")


def test_a_5000_digit_integer_in_a_lesson(tmp_path):
    path = lesson(tmp_path, f"[descent]\nmax-steps = {HUGE}", scene="descent")
    refused(cli("descend", "--lesson", str(path)), "l.toml", "more than 30 digits")


def test_a_40_digit_integer_in_a_lesson_names_its_key(tmp_path):
    path = lesson(tmp_path, f"[descent]\nx0 = {'9' * 40}", scene="descent")
    refused(cli("descend", "--lesson", str(path)), "[descent] x0", "more than 30 digits")


def test_a_5000_digit_option_value():
    refused(cli("train", "--epochs", HUGE), "--epochs", "at most 30 digits")
    refused(cli("train", "--hidden", HUGE), "--hidden")


def test_deep_nesting_in_a_lesson(tmp_path):
    for value in ("[" * DEEP + "]" * DEEP, "{a = " * DEEP + "1" + "}" * DEEP):
        path = lesson(tmp_path, f"[descent]\nx0 = {value}", scene="descent")
        refused(cli("descend", "--lesson", str(path)), "l.toml", "nested too deeply")


def test_deep_nesting_in_a_weights_file(tmp_path):
    weights = tmp_path / "w.json"
    weights.write_text('{"weights": ' + "[" * DEEP + "]" * DEEP + "}")
    refused(cli("train", "--init", str(weights)), "w.json", "nested too deeply")


@pytest.mark.parametrize(
    ("option", "text"),
    [
        ("--alpha", "\u0663"),  # ARABIC-INDIC DIGIT THREE
        ("--alpha", "0.\uff15"),  # FULLWIDTH DIGIT FIVE
        ("--epochs", "\uff13"),  # FULLWIDTH DIGIT THREE
        ("--hidden", "\u0663"),
        ("--seed", "\u0967"),  # DEVANAGARI DIGIT ONE
    ],
)
def test_unicode_digits_in_options_are_refused(option, text):
    refused(cli("train", option, text), f"argument {option}", "digits 0-9")


@pytest.mark.parametrize(
    ("command", "option"), [("gradcheck", "--tolerance"), ("restarts", "--threads")]
)
def test_unicode_digits_in_a_commands_own_options_are_refused(command, option):
    refused(cli(command, option, "\u0663"), f"argument {option}", "digits 0-9")


def test_unicode_digits_in_a_csv_cell_are_refused(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("x,y\n0,1\n1,\u0663\n", encoding="utf-8")
    refused(cli("train", "--data", str(data)), "d.csv line 3", "column 2", "not a number")


def test_unicode_digits_in_a_weights_file_are_refused(tmp_path):
    # Python's json (its C scanner) takes ASCII digits only: "٣" is not a JSON number.
    weights = tmp_path / "w.json"
    weights.write_text('{"weights": [[[\u0663]]]}', encoding="utf-8")
    result = cli("train", "--problem", "not", "--hidden", "0", "--init", str(weights))
    refused(result, "w.json", "not valid JSON")


def test_an_integer_written_as_a_float_is_not_a_count():
    refused(cli("train", "--epochs", "1e29"), "--epochs", "whole number")
    refused(cli("train", "--epochs", "3.0"), "--epochs", "whole number")


# -- values a scene computes with, range-checked where they are given -----------------------
def test_a_start_far_out_is_refused_on_the_command_line():
    refused(cli("descend", "--x0", "1e200"), "--x0", "from -1e6 to 1e6")
    refused(cli("descend", "--function", "bowl", "--y0=-1e200"), "--y0", "from -1e6 to 1e6")


def test_a_start_far_out_is_refused_in_a_lesson(tmp_path):
    path = lesson(tmp_path, "[descent]\nx0 = 1e200", scene="descent")
    refused(cli("descend", "--lesson", str(path)), "[descent] x0", "from -1e6 to 1e6")
    refused(cli("lesson", str(path)), "[descent] x0", "from -1e6 to 1e6")


def test_a_cost_maps_range_past_its_maximum_is_refused(tmp_path):
    args = ("landscape", "--problem", "not", "--hidden", "0")
    for extra in ((), ("--json",)):
        bad = cli(*args, "--range=1e308", *extra)
        refused(bad, "--range", "at most 1e6", "1e+308")
        assert bad.stdout == ""
    path = lesson(tmp_path, '[race]\nsurface = "network"\nrange = 1e308', scene="race")
    refused(cli("lesson", str(path)), "[race] range", "at most 1e6")
    help_text = " ".join(cli("landscape", "--help").stdout.split())
    assert "R at most 1e6" in help_text  # as the refusal writes the bound


def test_a_cost_map_at_its_largest_range_is_valid_json():
    good = cli("landscape", "--problem", "not", "--hidden", "0", "--range=1e6", "--json")
    assert good.returncode == 0 and good.stderr == "", good.stderr
    data = json.loads(good.stdout, parse_constant=pytest.fail)
    assert data["axis"][0] == -1e6 and data["axis"][-1] == 1e6


@pytest.mark.parametrize(
    ("command", "problem", "extra"),
    [
        ("train", "spiral", "--epochs=2"),
        ("restarts", "moons", "--epochs=2"),
        ("landscape", "moons", "--params=W1[1,1],b1[1]"),
        ("explain", "sine", "--example=1"),
    ],
)
def test_noise_that_overflows_the_data_is_refused(command, problem, extra):
    bad = cli(command, "--problem", problem, "--noise", "1e308", extra)
    refused(bad, "--noise", "1e+308", "not finite")
    assert bad.stdout == ""


def test_descent_from_beyond_a_doubles_range_diverges_without_overflow():
    for x0 in (1e200, -1e200):
        result = descend(x0, 0.01, 1e-5)
        assert result.diverged and not result.converged and result.steps == 1


def test_counts_that_size_memory_have_a_maximum():
    refused(cli("restarts", "--count", "4000000000"), "--count", "from 1 to 1000000")
    refused(cli("train", "--epochs", "100000000000"), "--epochs", "from 1 to 10000000")
    refused(cli("descend", "--max-steps", "100000000000"), "--max-steps", "from 1 to 10000000")
    refused(cli("explain", "--after-epochs", "100000000000"), "--after-epochs", "10000000")


def test_empty_file_names_are_refused():
    refused(cli("train", "--init", ""), "--init", "empty")
    refused(cli("train", "--data", ""), "--data", "empty")
    refused(cli("tui", "--save", ""), "--save", "empty")
    refused(cli("tui", "--stats", ""), "--stats", "empty")
    refused(cli("train", "--save", ""), "--save", "empty")
    refused(cli("bench", "--output", ""), "--output", "empty")


def test_a_quit_after_too_short_to_draw_a_frame_is_refused():
    # In a terminal, so that if it were taken the app would start (and the test would fail
    # on the timeout if it never quit).
    code, screen = run_in_terminal("tui", "--quit-after", "1e-8", timeout=LIMIT)
    assert code == 2 and b"Traceback" not in screen
    assert b"--quit-after must be a number from 0.1 to 1e6" in screen


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("99999999999", "got 99999999999"), ("0.5", "got 0.5"), ("1e300", "got 1e+300")],
)
def test_a_refused_number_is_echoed_as_typed_or_as_a_whole_number(typed, shown):
    line = refused(cli("tui", "--fps", typed), "--fps must be from 1 to 60")
    assert line.endswith(shown), line
