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

A file saved by ``train --save`` (or ``io.resume.save_session``) also holds the run's
training state, so that ``--init`` resumes it exactly (see ``io.resume``)::

      "rule": {"alpha": 0.1, "momentum": 0.9, "optimizer": "adam", "rho": 0.9,
               "beta1": 0.9, "beta2": 0.999, "eps": 1e-08, "weight_decay": 0.0,
               "decay_biases": false},
      "state": {"version": 1, "t": 400, "seed": 0, "shuffle": true, "batch_size": 1,
                "epochs": 100, "batch_in_epoch": 0,
                "velocity": {"weights": [...], "biases": [...]},
                "second": {"weights": [...], "biases": [...]}}

``rule`` is the update rule the run trained with (``core.config.UpdateRule``, field by
field); ``state`` its optimizer's state (``velocity``: v, m or the last change d;
``second``: G or s, never negative; each shaped as the weights and biases are, biases
null for a network without; ``t``: the updates the state has seen) and where the run
was: the seed and the settings its example orders come from, the epochs done and the
batches done in the epoch after them. ``state`` has a version of its own: one this
program does not know is refused, not misread. A file without them (one written before
they were, or by hand) holds weights only.

Numbers are written with Python's shortest round-trip representation, so saving
and loading gives back bit-for-bit the same float64 values. Loading only parses
JSON; nothing in the file is ever executed. Only a regular file of at most
``io.reading.MAX_WEIGHTS_BYTES`` is read, an integer longer than
``core.config.MAX_DIGITS`` digits is read as a float (not finite past 308 digits, so
refused), and JSON nested too deeply is refused.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from tui_backprop.core.arrays import Floats
from tui_backprop.core.config import MAX_EPOCHS, MAX_SEED, UpdateRule
from tui_backprop.core.errors import ConfigError, InputError
from tui_backprop.io.files import display_path, write_text_atomic
from tui_backprop.io.reading import MAX_WEIGHTS_BYTES, json_number, read_user_text

FORMAT_NAME = "tui-backprop-weights"
FORMAT_VERSION = 1
_RESERVED_KEYS = ("format", "version", "layers", "weights", "biases")

PathArg = str | os.PathLike[str]
#: The version of a file's "state" this program writes and reads.
STATE_VERSION = 1
#: Adam's t is kept in a float64 in the network's buffer: whole numbers up to 2^53.
MAX_STEPS_DONE = 2**53
#: Per-layer arrays: (W^1..W^L, b^1..b^L or None).
LayerArrays = tuple[list[Floats], list[Floats] | None]


@dataclass(frozen=True)
class SavedState:
    """A weights file's training state (see the module's docstring).

    rule           : the update rule the run trained with
    t              : updates the optimizer's state has seen (Adam's bias corrections)
    seed, shuffle, batch_size : what the run's example orders come from
    epochs         : epochs done
    batch_in_epoch : batches done in the epoch after them
    velocity, second : the optimizer's state, per layer as the weights and biases
    """

    rule: UpdateRule
    t: int
    seed: int
    shuffle: bool
    batch_size: int
    epochs: int
    batch_in_epoch: int
    velocity: LayerArrays
    second: LayerArrays


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


def load_weights_and_state(
    path: PathArg, layers: Sequence[int], bias: bool
) -> tuple[LayerArrays, SavedState | None]:
    """``load_weights``, and the file's training state (None when it has none)."""
    sizes = [int(n) for n in layers]
    name = display_path(path)
    data = read_json(path, name)
    initial = weights_from_document(data, name, sizes, bias)
    return initial, state_from_document(data, name, sizes, bias)


def state_from_document(
    data: dict[str, Any], name: str, sizes: list[int], bias: bool
) -> SavedState | None:
    """The "rule" and "state" of a weights document already checked by
    ``weights_from_document``, or None when it has neither; InputError, naming the file
    and the key, when they are bad, when one comes without the other, or when the state
    is of another version."""
    if "rule" not in data and "state" not in data:
        return None
    if "rule" not in data or "state" not in data:
        missing, present = ("rule", "state") if "rule" not in data else ("state", "rule")
        raise InputError(f'{name}: "{present}" without "{missing}": a training state needs both')
    rule = _rule(data["rule"], name)
    raw = data["state"]
    if not isinstance(raw, dict):
        raise InputError(f'{name}: "state" must be an object {{...}}, found {_kind(raw)}')
    version = raw.get("version")
    if not _is_int(version) or version != STATE_VERSION:
        raise InputError(
            f'{name}: "state" is of version {_show(version)}; this program reads version '
            f"{STATE_VERSION} (a newer tui-backprop may have written it)"
        )
    expected = {
        "version",
        "t",
        "seed",
        "shuffle",
        "batch_size",
        "epochs",
        "batch_in_epoch",
        "velocity",
        "second",
    }
    if set(raw) != expected:
        unknown, absent = sorted(set(raw) - expected), sorted(expected - set(raw))
        problem = f"unknown {', '.join(unknown)}" if unknown else f"no {', '.join(absent)}"
        raise InputError(f'{name}: "state" has {problem}')
    shuffle = raw["shuffle"]
    if not isinstance(shuffle, bool):
        raise InputError(f"{name}: state.shuffle must be true or false, found {_show(shuffle)}")
    second = _layer_arrays(raw["second"], name, "state.second", sizes, bias)
    # adagrad's sums of squares and rmsprop's and adam's means of them are never negative;
    # nesterov keeps its last change there, which may be (core.optimizers)
    squares = rule.optimizer in ("adagrad", "rmsprop", "adam")
    for label, arrays in (("W", second[0]), ("b", second[1] or [])):
        for m, array in enumerate(arrays, start=1):
            if squares and (array < 0).any():
                raise InputError(
                    f"{name}: state.second, {label}^{m} is negative somewhere: it holds "
                    "means or sums of squares"
                )
    return SavedState(
        rule=rule,
        t=_count(raw["t"], name, "state.t", 0, MAX_STEPS_DONE),
        seed=_count(raw["seed"], name, "state.seed", 0, MAX_SEED),
        shuffle=shuffle,
        batch_size=_count(raw["batch_size"], name, "state.batch_size", 1, None),
        epochs=_count(raw["epochs"], name, "state.epochs", 0, MAX_EPOCHS * 1000),
        batch_in_epoch=_count(raw["batch_in_epoch"], name, "state.batch_in_epoch", 0, None),
        velocity=_layer_arrays(raw["velocity"], name, "state.velocity", sizes, bias),
        second=second,
    )


def _rule(raw: Any, name: str) -> UpdateRule:
    known = {f.name for f in dataclasses.fields(UpdateRule)}
    if not isinstance(raw, dict):
        raise InputError(f'{name}: "rule" must be an object {{...}}, found {_kind(raw)}')
    unknown = sorted(set(raw) - known)
    if unknown:
        raise InputError(f'{name}: "rule" has unknown {", ".join(unknown)}')
    try:
        return UpdateRule(**raw)
    except ConfigError as error:
        field = error.field.removeprefix("training.")
        raise InputError(f"{name}: rule.{field}: {error.problem}") from None


def _count(value: Any, name: str, label: str, least: int, most: int | None) -> int:
    if _is_int(value) and value >= least and (most is None or value <= most):
        return int(value)
    bound = f"at least {least}" if most is None else f"from {least} to {most}"
    raise InputError(f"{name}: {label} must be a whole number {bound}, found {_show(value)}")


def _layer_arrays(raw: Any, name: str, label: str, sizes: list[int], bias: bool) -> LayerArrays:
    """{"weights": [...], "biases": [...] or null}, shaped as the network's parameters."""
    if not isinstance(raw, dict) or set(raw) != {"weights", "biases"}:
        raise InputError(f'{name}: {label} must be {{"weights": [...], "biases": [...]}}')
    n_layers = len(sizes) - 1
    weights, biases = raw["weights"], raw["biases"]
    if not isinstance(weights, list) or len(weights) != n_layers:
        raise InputError(f"{name}: {label}.weights must be {n_layers} matrices, one per layer")
    ws = [
        _matrix(w, name, f"{label}, W^{m}", (sizes[m], sizes[m - 1]))
        for m, w in enumerate(weights, start=1)
    ]
    if biases is None:
        return ws, ([np.zeros(n) for n in sizes[1:]] if bias else None)
    if not isinstance(biases, list) or len(biases) != n_layers:
        raise InputError(f"{name}: {label}.biases must be {n_layers} vectors or null")
    bs = [_vector(b, name, f"{label}, b^{m}", sizes[m]) for m, b in enumerate(biases, start=1)]
    return ws, bs if bias else None


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
        raise InputError(f"{name}: not valid JSON: {json_error_text(exc)}") from None
    except RecursionError:
        raise InputError(f"{name}: not valid JSON: nested too deeply") from None


def json_error_text(error: json.JSONDecodeError) -> str:
    """What is wrong and where, in words: ``Expecting value at line 3, column 7``. Some of
    json's messages end in "at" already ("Unterminated string starting at"), naming the
    place themselves; the others get it after an "at"."""
    where = f"line {error.lineno}, column {error.colno}"
    message = error.msg.rstrip()
    if message.endswith(" at"):
        return f"{message} {where}"
    return f"{message} at {where}"


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
