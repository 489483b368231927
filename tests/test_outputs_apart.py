"""A file a command writes is never one it reads, nor another file it writes: refused in
one line, exit code 2, before anything runs, and every file is left as it was."""

from __future__ import annotations

import asyncio
import os

import pytest

from tests.helpers import run_cli
from tests.test_app import xor_app
from tests.test_inputs import refused
from tests.test_replay import XOR_RUN

XOR_CSV = "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"


def unchanged(path, text: str) -> None:
    assert path.read_text() == text


def test_train_does_not_save_over_its_data(tmp_path):
    data = tmp_path / "data2.csv"
    data.write_text(XOR_CSV)
    refused(
        run_cli("train", "--data", str(data), "--save", str(data), "--epochs", "2"),
        "--save",
        "same file as --data",
    )
    unchanged(data, XOR_CSV)


def test_another_name_for_the_same_file_is_the_same_file(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text(XOR_CSV)
    (tmp_path / "link.csv").symlink_to(data)
    os.link(data, tmp_path / "hard.csv")
    (tmp_path / "sub").mkdir()
    for saved in ("link.csv", "hard.csv", "sub/../data.csv"):
        bad = run_cli("train", "--data", "data.csv", "--save", saved, cwd=tmp_path)
        refused(bad, f"--save {saved}", "same file as --data")
    unchanged(data, XOR_CSV)


def test_train_goes_on_with_a_checkpoint_in_place(tmp_path):
    """--init and --save one file: the run resumes from it and replaces it whole (read
    before the run, written atomically after): 2 epochs, then 2 more, in place."""
    import json

    weights = tmp_path / "res.json"
    assert run_cli("train", "--epochs", "2", "--save", str(weights)).returncode == 0
    again = run_cli("train", "--init", str(weights), "--save", str(weights), "--epochs", "2")
    assert again.returncode == 0, again.stderr
    straight = tmp_path / "four.json"
    assert run_cli("train", "--epochs", "4", "--save", str(straight)).returncode == 0
    assert json.loads(weights.read_text())["weights"] == json.loads(straight.read_text())["weights"]


def test_nor_over_its_lesson_or_the_lessons_data(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text(XOR_CSV)
    lesson = tmp_path / "l.toml"
    text = 'title = "t"\nscene = "network"\n[data]\ndata = "d.csv"\n'
    lesson.write_text(text)
    refused(run_cli("train", "--lesson", str(lesson), "--save", str(lesson)), "the lesson file")
    refused(run_cli("lesson", str(lesson), "--save", str(data)), "the lesson's data file")
    unchanged(lesson, text)
    unchanged(data, XOR_CSV)


@pytest.mark.parametrize(
    ("options", "first", "second"),
    [
        (
            ("--save", "same.json", "--stats", "same.json", "--record", "same.json"),
            "--stats",
            "--save",
        ),
        (("--stats", "a.json", "--record", "a.json"), "--stats", "--record"),
    ],
)
def test_the_apps_outputs_are_three_different_files(tmp_path, options, first, second):
    # Refused before the app would look for a terminal (the tests have none).
    bad = run_cli("tui", *options, cwd=tmp_path)
    refused(bad, f"{second} ", f"same file as {first}", "only one of them would be kept")
    assert os.listdir(tmp_path) == []


def test_replay_does_not_write_over_its_run_file(tmp_path):
    path = tmp_path / "run.json"

    async def record() -> None:
        app = xor_app(run_config=XOR_RUN)
        async with app.run_test(size=(100, 30)):
            app.save_record(str(path))

    asyncio.run(record())
    before = path.read_text()
    refused(run_cli("replay", str(path), "--save", str(path)), "same file as the run file")
    unchanged(path, before)
