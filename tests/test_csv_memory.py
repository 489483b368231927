"""load_csv reads a large file within a few times the size of its table of floats."""

from __future__ import annotations

import tracemalloc

import numpy as np

from tui_backprop.io.csv_data import load_csv

ROWS, COLUMNS = 200_000, 3


def test_large_csv_is_read_within_a_few_times_its_floats(tmp_path):
    """The peak while reading, above the file's text itself, stays under 4x the float64
    table: rows are converted as they are read, not kept as lists of strings first."""
    values = np.arange(ROWS * COLUMNS, dtype=np.float64).reshape(ROWS, COLUMNS) / 8
    path = tmp_path / "big.csv"
    with path.open("w", encoding="ascii") as file:
        file.write("x1,x2,y\n")
        file.writelines(f"{a!r},{b!r},{c!r}\n" for a, b, c in values.tolist())
    text_bytes = path.stat().st_size
    floats_bytes = ROWS * COLUMNS * 8

    tracemalloc.start()
    try:
        problem = load_csv(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert problem.X.shape == (ROWS, COLUMNS - 1) and problem.Y.shape == (ROWS, 1)
    assert np.array_equal(problem.X, values[:, :-1]) and np.array_equal(problem.Y, values[:, -1:])
    growth = peak - text_bytes
    assert growth < 4 * floats_bytes, (
        f"peak {peak / 1e6:.1f} MB is {growth / 1e6:.1f} MB above the text "
        f"({text_bytes / 1e6:.1f} MB); the floats are {floats_bytes / 1e6:.1f} MB"
    )
