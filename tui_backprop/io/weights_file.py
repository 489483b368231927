"""Saving and loading a network's weights and biases as a JSON file.

The format, for layer sizes ``[N^0, N^1, ..., N^L]``::

    {
      "format": "tui-backprop-weights",
      "version": 1,
      "layers": [N^0, ..., N^L],
      "weights": [W^1, ..., W^L],
      "biases": [b^1, ..., b^L]
    }

Each ``W^m`` is a list of ``N^m`` rows of ``N^(m-1)`` numbers, i.e. an array of
shape ``(N^m, N^(m-1))``, and each ``b^m`` a list of ``N^m`` numbers. ``"biases"``
is ``null`` for a network without biases. Other keys (for example
``"activations"`` or ``"cost"``) may be added and are ignored on load.
``"format"``, ``"version"`` and ``"layers"`` may be left out of a hand-written
file, but if present they must match.

Numbers are written with Python's shortest round-trip representation, so saving
and loading gives back bit-for-bit the same float64 values. Loading only parses
JSON; nothing in the file is ever executed. Only a regular file of at most
``io.reading.MAX_WEIGHTS_BYTES`` is read, an integer longer than
``core.config.MAX_DIGITS`` digits is read as a float (not finite past 308 digits, so
refused), and JSON nested too deeply is refused.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from tui_backprop.core.arrays import Floats
from tui_backprop.core.errors import InputError
from tui_backprop.io.files import display_path, write_text_atomic
from tui_backprop.io.reading import MAX_WEIGHTS_BYTES, json_number, read_user_text

FORMAT_NAME = "tui-backprop-weights"
FORMAT_VERSION = 1
_RESERVED_KEYS = ("format", "version", "layers", "weights", "biases")

PathArg = str | os.PathLike[str]


# ---------------------------------------------------------------------------
# Saving


def save_weights(
    path: PathArg,
    layers: Sequence[int],
    weights: Sequence[ArrayLike],
    biases: Sequence[ArrayLike] | None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Write a weights file atomically (see :func:`~tui_backprop.io.files.write_text_atomic`).

    ``layers`` is ``[N^0, ..., N^L]``; ``weights[m-1]`` is ``W^m`` of shape
    ``(N^m, N^(m-1))``; ``biases[m-1]`` is ``b^m`` of shape ``(N^m,)``, or
    ``biases`` is ``None`` for a network without biases. ``extra`` holds further
    JSON-serialisable top-level keys (e.g. ``"activations"``); it may not use
    the format's own keys.

    Raises :class:`InputError` if a value is NaN or infinite (the old file is then
    left untouched) or the file cannot be written. Inconsistent shapes are a
    programming error and raise :class:`ValueError`.
    """
    sizes = [int(n) for n in layers]
    n_layers = len(sizes) - 1
    if n_layers < 1:
        raise ValueError(f"layers must list at least two sizes, got {sizes}")
    ws = _as_float_arrays(weights, "W", [(sizes[m], sizes[m - 1]) for m in range(1, n_layers + 1)])
    bs = None if biases is None else _as_float_arrays(biases, "b", [(n,) for n in sizes[1:]])
    shown = display_path(path)
    for label, arrays in (("W", ws), ("b", bs or [])):
        for m, array in enumerate(arrays, start=1):
            if not np.isfinite(array).all():
                raise InputError(
                    f"cannot save {shown}: {label}^{m} contains NaN or infinity "
                    "(did training diverge?)"
                )
    extra = dict(extra or {})
    clash = sorted(set(extra) & set(_RESERVED_KEYS))
    if clash:
        raise ValueError(f"extra keys {clash} clash with the weights file format")

    header = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "layers": sizes, **extra}
    # Built (and so checked for JSON-serialisability) before anything is written.
    text = _format_document(header, ws, bs)
    write_text_atomic(path, text)


def _as_float_arrays(
    arrays: Sequence[ArrayLike], label: str, shapes: list[tuple[int, ...]]
) -> list[Floats]:
    if len(arrays) != len(shapes):
        raise ValueError(f"expected {len(shapes)} {label} arrays, got {len(arrays)}")
    result = []
    for m, (array, shape) in enumerate(zip(arrays, shapes, strict=True), start=1):
        values = np.asarray(array, dtype=np.float64)
        if values.shape != shape:
            raise ValueError(f"{label}^{m} has shape {values.shape}, expected {shape}")
        result.append(values)
    return result


def _block(items: list[str], level: int) -> str:
    """A JSON array with one item per line, its closing bracket at ``level``."""
    if not items:
        return "[]"
    pad = "  " * level
    return "[\n" + ",\n".join(f"{pad}  {item}" for item in items) + f"\n{pad}]"


def _format_document(
    header: dict[str, Any], weights: list[Floats], biases: list[Floats] | None
) -> str:
    """The file's text: one matrix row per line, so it can be read and edited by hand."""
    # json.dumps writes floats with repr(), the shortest string that reads back
    # as the same float64, which is what makes save/load bit-exact.
    entries = [f"  {json.dumps(k)}: {json.dumps(v, allow_nan=False)}" for k, v in header.items()]
    matrices = [
        _block([json.dumps(row, allow_nan=False) for row in w.tolist()], 2) for w in weights
    ]
    entries.append(f'  "weights": {_block(matrices, 1)}')
    if biases is None:
        entries.append('  "biases": null')
    else:
        vectors = [json.dumps(b.tolist(), allow_nan=False) for b in biases]
        entries.append(f'  "biases": {_block(vectors, 1)}')
    return "{\n" + ",\n".join(entries) + "\n}\n"


# ---------------------------------------------------------------------------
# Loading


def load_weights(
    path: PathArg, layers: Sequence[int], bias: bool
) -> tuple[list[Floats], list[Floats] | None]:
    """Read a weights file for a network with layer sizes ``layers``.

    Returns ``(weights, biases)``: ``weights[m-1]`` is ``W^m`` with shape
    ``(N^m, N^(m-1))``; ``biases[m-1]`` is ``b^m`` with shape ``(N^m,)``, or
    ``biases`` is ``None`` when ``bias`` is false. All arrays are new float64,
    C-contiguous arrays. A file without biases gives zero biases when ``bias`` is
    true; with ``bias`` false the file's biases must be absent, null or all zero.

    Raises :class:`InputError`, naming the file (and the layer, or the line for a
    JSON syntax error), for anything wrong with the file.
    """
    sizes = [int(n) for n in layers]
    n_layers = len(sizes) - 1
    if n_layers < 1:
        raise ValueError(f"layers must list at least two sizes, got {sizes}")
    name = display_path(path)
    return weights_from_document(read_json(path, name), name, sizes, bias)


def weights_from_document(
    data: Any, name: str, sizes: list[int], bias: bool
) -> tuple[list[Floats], list[Floats] | None]:
    """``load_weights`` for a document already read (a run file holds one); ``name`` says
    where it came from in messages."""
    n_layers = len(sizes) - 1
    if not isinstance(data, dict):
        raise InputError(
            f"{name}: the top level must be a JSON object {{...}}, found {_kind(data)}"
        )
    _check_header(data, name, sizes)

    if "weights" not in data:
        raise InputError(f'{name}: missing "weights" (a list with one matrix per layer)')
    raw_weights = data["weights"]
    if not isinstance(raw_weights, list):
        raise InputError(
            f'{name}: "weights" must be a list of matrices, found {_kind(raw_weights)}'
        )
    if len(raw_weights) != n_layers:
        raise InputError(
            f'{name}: "weights" has {len(raw_weights)} matrices but the network {sizes} '
            f"has {n_layers} layers (W^1..W^{n_layers})"
        )
    weights = [
        _matrix(raw, name, f"W^{m}", (sizes[m], sizes[m - 1]))
        for m, raw in enumerate(raw_weights, start=1)
    ]

    raw_biases = data.get("biases")
    if raw_biases is None:
        return weights, ([np.zeros(n) for n in sizes[1:]] if bias else None)
    if not isinstance(raw_biases, list):
        raise InputError(
            f'{name}: "biases" must be a list of vectors or null, found {_kind(raw_biases)}'
        )
    if len(raw_biases) != n_layers:
        raise InputError(
            f'{name}: "biases" has {len(raw_biases)} vectors but the network {sizes} '
            f"has {n_layers} layers (b^1..b^{n_layers})"
        )
    biases = [_vector(raw, name, f"b^{m}", sizes[m]) for m, raw in enumerate(raw_biases, start=1)]
    if bias:
        return weights, biases
    for m, b in enumerate(biases, start=1):
        if np.any(b != 0):
            raise InputError(
                f"{name}: the network has no biases but the file has non-zero biases "
                f"(b^{m}); set them to 0 or null, or use a network with biases"
            )
    return weights, None


def read_json(path: PathArg, name: str, what: str = "weights file") -> Any:
    """A JSON file's document, or InputError in one line naming the file.

    Only a regular file of at most MAX_WEIGHTS_BYTES (see io.reading); utf-8-sig also
    accepts a file that an editor saved with a byte-order mark."""
    text = read_user_text(path, MAX_WEIGHTS_BYTES, what)
    if not text.strip():
        raise InputError(f"{name}: the file is empty, expected a JSON object")
    try:
        # json_number reads an integer of more than MAX_DIGITS digits as a float, not with
        # int() (a 5000-digit one would raise a ValueError there).
        return json.loads(text, parse_int=json_number)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{name}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise InputError(f"{name}: not valid JSON: nested too deeply") from None


def _check_header(data: dict[str, Any], name: str, sizes: list[int]) -> None:
    if "format" in data and data["format"] != FORMAT_NAME:
        raise InputError(f'{name}: "format" is {_show(data["format"])}, expected "{FORMAT_NAME}"')
    if "version" in data:
        version = data["version"]
        if not _is_int(version) or version != FORMAT_VERSION:
            raise InputError(
                f'{name}: "version" is {_show(version)}; this program reads version '
                f"{FORMAT_VERSION}"
            )
    if "layers" in data:
        file_layers = data["layers"]
        if not isinstance(file_layers, list) or not all(_is_int(n) for n in file_layers):
            raise InputError(
                f'{name}: "layers" must be a list of integers, found {_show(file_layers)}'
            )
        if file_layers != sizes:
            raise InputError(
                f"{name}: the file is for layers {file_layers} but the network is {sizes}"
            )


def _matrix(raw: Any, name: str, label: str, shape: tuple[int, int]) -> Floats:
    """Check that ``raw`` is a list of rows of finite numbers with ``shape``; return it."""
    if not isinstance(raw, list):
        raise InputError(f"{name}: {label} must be a list of rows, found {_kind(raw)}")
    for i, row in enumerate(raw, start=1):
        if not isinstance(row, list):
            raise InputError(
                f"{name}: {label} row {i} must be a list of numbers, found {_kind(row)}"
            )
    width = len(raw[0]) if raw else 0
    for i, row in enumerate(raw, start=1):
        if len(row) != width:
            raise InputError(
                f"{name}: {label} is ragged: row 1 has {width} entries but row {i} has {len(row)}"
            )
    if (len(raw), width) != shape:
        raise InputError(f"{name}: {label} has shape {(len(raw), width)}, expected {shape}")
    result = np.zeros(shape)  # float64, C order, owns its data
    for i, row in enumerate(raw):
        result[i] = _numbers(row, name, f"{label} row {i + 1}")
    return result


def _vector(raw: Any, name: str, label: str, size: int) -> Floats:
    """Check that ``raw`` is a list of ``size`` finite numbers; return it."""
    if not isinstance(raw, list):
        raise InputError(f"{name}: {label} must be a list of numbers, found {_kind(raw)}")
    if len(raw) != size:
        raise InputError(f"{name}: {label} has {len(raw)} entries, expected {size}")
    return np.array(_numbers(raw, name, label), dtype=np.float64)


def _numbers(values: list[Any], name: str, where: str) -> list[float]:
    result = []
    for j, value in enumerate(values, start=1):
        # bool is a subclass of int, but true/false in a weights file is a mistake.
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError(f"{name}: {where}, entry {j} is not a number: {_show(value)}")
        try:
            number = float(value)
        except OverflowError:  # an integer too large for a float
            number = math.inf
        if not math.isfinite(number):
            raise InputError(f"{name}: {where}, entry {j} is not finite: {_show(value)}")
        result.append(number)
    return result


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    """How a JSON value is described in messages ("an array", "a string", ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _show(value: Any, limit: int = 40) -> str:
    """A JSON value as short one-line text for a message."""
    text = json.dumps(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
