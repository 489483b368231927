"""Tests for tui_backprop.io.files and tui_backprop.io.weights_file."""

from __future__ import annotations

import json
import math
import os
import re
import stat

import numpy as np
import pytest

from tui_backprop.core.errors import InputError
from tui_backprop.io import files
from tui_backprop.io.files import (
    check_writable_target,
    json_number,
    to_json_lists,
    write_text_atomic,
)
from tui_backprop.io.weights_file import FORMAT_NAME, FORMAT_VERSION, load_weights, save_weights

ARCHITECTURES = [[1, 1], [2, 3, 1], [4, 5, 6, 3], [3, 1, 1, 2], [7, 2]]


def random_params(layers, rng, with_bias=True):
    """Random W^m of shape (N^m, N^(m-1)) and b^m of shape (N^m,), with awkward values."""
    weights = [rng.normal(size=(layers[m], layers[m - 1])) for m in range(1, len(layers))]
    biases = [rng.normal(size=layers[m]) for m in range(1, len(layers))]
    # Values whose decimal form is hard to round-trip: subnormal, huge, -0.0, 0.1.
    weights[0].flat[0] = 5e-324
    weights[-1].flat[-1] = -0.0
    biases[0][0] = 1.7976931348623157e308
    biases[-1][-1] = 0.1
    return weights, (biases if with_bias else None)


def same_bits(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def assert_one_line(message):
    assert "\n" not in message and "\r" not in message and message


def write(tmp_path, document, name="w.json"):
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def good_document(layers=(2, 3, 1), bias=True):
    """A valid file as a dict: W^m full of 0.5, b^m full of 0.25."""
    layers = list(layers)
    doc = {
        "layers": layers,
        "weights": [[[0.5] * layers[m - 1]] * layers[m] for m in range(1, len(layers))],
        "biases": [[0.25] * layers[m] for m in range(1, len(layers))] if bias else None,
    }
    return doc


# ---------------------------------------------------------------------------
# Round trip


@pytest.mark.parametrize("layers", ARCHITECTURES)
@pytest.mark.parametrize("with_bias", [True, False])
def test_round_trip_is_bit_exact(tmp_path, layers, with_bias):
    rng = np.random.default_rng(sum(layers) * 10 + with_bias)
    weights, biases = random_params(layers, rng, with_bias)
    path = tmp_path / "w.json"
    save_weights(path, layers, weights, biases)
    loaded_w, loaded_b = load_weights(path, layers, bias=with_bias)
    assert len(loaded_w) == len(weights)
    for original, loaded in zip(weights, loaded_w, strict=True):
        assert same_bits(original, loaded)
        assert loaded.flags.c_contiguous and loaded.flags.writeable
    if with_bias:
        assert len(loaded_b) == len(biases)
        for original, loaded in zip(biases, loaded_b, strict=True):
            assert same_bits(original, loaded)
    else:
        assert loaded_b is None
    assert math.copysign(1.0, loaded_w[-1].flat[-1]) == -1.0  # -0.0 kept its sign


def test_round_trip_of_arbitrary_bit_patterns(tmp_path):
    rng = np.random.default_rng(7)
    layers = [9, 8, 7]
    bits = rng.integers(0, 2**64, size=9 * 8 + 8 * 7 + 8 + 7, dtype=np.uint64)
    values = bits.view(np.float64)
    values = np.where(np.isfinite(values), values, 1.0)
    w1, w2 = values[:72].reshape(8, 9), values[72:128].reshape(7, 8)
    b1, b2 = values[128:136], values[136:]
    save_weights(tmp_path / "w.json", layers, [w1, w2], [b1, b2])
    loaded_w, loaded_b = load_weights(tmp_path / "w.json", layers, bias=True)
    assert all(same_bits(a, b) for a, b in zip([w1, w2], loaded_w, strict=True))
    assert all(same_bits(a, b) for a, b in zip([b1, b2], loaded_b, strict=True))


def test_loaded_arrays_are_float64_c_contiguous_copies(tmp_path):
    path = write(tmp_path, good_document())
    weights, biases = load_weights(path, [2, 3, 1], bias=True)
    for array in weights + biases:
        assert array.dtype == np.float64
        assert array.flags.c_contiguous and array.flags.owndata
    weights[0][0, 0] = 99.0  # rows were written identically; a copy must not alias
    assert weights[0][1, 0] == 0.5


def test_saved_file_is_readable_json_with_header_and_extra_keys(tmp_path):
    layers = [2, 3, 1]
    weights, biases = random_params(layers, np.random.default_rng(0))
    extra = {"activations": ["sigmoid", "linear"], "cost": "mse"}
    save_weights(tmp_path / "w.json", layers, weights, biases, extra=extra)
    doc = json.loads((tmp_path / "w.json").read_text())
    assert doc["format"] == FORMAT_NAME and doc["version"] == FORMAT_VERSION
    assert doc["layers"] == layers
    assert doc["activations"] == ["sigmoid", "linear"] and doc["cost"] == "mse"
    assert np.array(doc["weights"][1]).shape == (1, 3)
    assert doc["biases"][0] == biases[0].tolist()


def test_saving_without_biases_writes_null(tmp_path):
    layers = [2, 2]
    weights, _ = random_params(layers, np.random.default_rng(1))
    save_weights(tmp_path / "w.json", layers, weights, None)
    assert json.loads((tmp_path / "w.json").read_text())["biases"] is None


def test_extra_may_not_override_format_keys(tmp_path):
    weights, biases = random_params([1, 1], np.random.default_rng(2))
    with pytest.raises(ValueError, match="clash"):
        save_weights(tmp_path / "w.json", [1, 1], weights, biases, extra={"layers": [5, 5]})
    assert not (tmp_path / "w.json").exists()


def test_save_rejects_inconsistent_shapes(tmp_path):
    with pytest.raises(ValueError, match=r"W\^1 has shape \(2, 3\), expected \(3, 2\)"):
        save_weights(tmp_path / "w.json", [2, 3], [np.zeros((2, 3))], None)


# ---------------------------------------------------------------------------
# Saving: refusals and atomicity


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", ["W", "b"])
def test_save_refuses_non_finite_values_and_keeps_old_file(tmp_path, bad, where):
    path = write(tmp_path, "old content")
    layers = [2, 3, 1]
    weights, biases = random_params(layers, np.random.default_rng(3))
    (weights if where == "W" else biases)[1][0] = bad
    with pytest.raises(InputError) as info:
        save_weights(path, layers, weights, biases)
    assert f"{where}^2" in str(info.value) and "w.json" in str(info.value)
    assert_one_line(str(info.value))
    assert path.read_text() == "old content"
    assert os.listdir(tmp_path) == ["w.json"]


def test_failed_replace_keeps_old_file_and_removes_temp(tmp_path, monkeypatch):
    path = write(tmp_path, "old content")

    def failing_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    weights, biases = random_params([2, 2], np.random.default_rng(4))
    with pytest.raises(InputError, match="cannot write .*w.json: No space left on device"):
        save_weights(path, [2, 2], weights, biases)
    assert path.read_text() == "old content"
    assert os.listdir(tmp_path) == ["w.json"]


def test_failed_fsync_keeps_old_file_and_removes_temp(tmp_path, monkeypatch):
    path = write(tmp_path, "old content")

    def failing_fsync(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(InputError, match="Input/output error"):
        write_text_atomic(path, "new content")
    assert path.read_text() == "old content"
    assert os.listdir(tmp_path) == ["w.json"]


def test_interrupt_during_write_removes_temp_and_propagates(tmp_path, monkeypatch):
    path = write(tmp_path, "old content")

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_text_atomic(path, "new content")
    assert path.read_text() == "old content"
    assert os.listdir(tmp_path) == ["w.json"]


def test_unserialisable_extra_keeps_old_file(tmp_path):
    path = write(tmp_path, "old content")
    weights, biases = random_params([2, 2], np.random.default_rng(5))
    with pytest.raises(TypeError):
        save_weights(path, [2, 2], weights, biases, extra={"note": object()})
    assert path.read_text() == "old content"
    assert os.listdir(tmp_path) == ["w.json"]


def test_write_text_atomic_creates_and_replaces(tmp_path):
    path = tmp_path / "out.txt"
    write_text_atomic(path, "first\n")
    assert path.read_text() == "first\n"
    write_text_atomic(str(path), "second: \u03b4\n")
    assert path.read_text(encoding="utf-8") == "second: \u03b4\n"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_write_text_atomic_keeps_mode_of_existing_file(tmp_path):
    path = write(tmp_path, "old")
    os.chmod(path, 0o640)
    write_text_atomic(path, "new")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


def test_write_text_atomic_new_file_is_not_private(tmp_path):
    # mkstemp makes 0o600 files; a new output should get the usual umask-based mode.
    path = tmp_path / "new.txt"
    write_text_atomic(path, "x")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~files._UMASK


def test_write_in_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_text_atomic("plain.txt", "x")
    assert (tmp_path / "plain.txt").read_text() == "x"


# ---------------------------------------------------------------------------
# Unwritable targets


def test_missing_directory_is_an_input_error(tmp_path):
    target = tmp_path / "out" / "w.json"
    message = f"cannot write {target}: directory '{tmp_path / 'out'}' does not exist"
    with pytest.raises(InputError) as info:
        check_writable_target(target)
    assert str(info.value) == message
    weights, biases = random_params([1, 1], np.random.default_rng(6))
    with pytest.raises(InputError) as info:
        save_weights(target, [1, 1], weights, biases)
    assert str(info.value) == message
    assert not (tmp_path / "out").exists()


def test_missing_relative_directory_message(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as info:
        write_text_atomic("out/w.json", "x")
    assert str(info.value) == "cannot write out/w.json: directory 'out' does not exist"


def test_parent_is_a_file(tmp_path):
    write(tmp_path, "", name="out")
    with pytest.raises(InputError, match="'.*out' is not a directory"):
        check_writable_target(tmp_path / "out" / "w.json")


def test_target_is_a_directory(tmp_path):
    (tmp_path / "w.json").mkdir()
    with pytest.raises(InputError, match="w.json: it is a directory"):
        write_text_atomic(tmp_path / "w.json", "x")


def test_unwritable_directory_message(tmp_path, monkeypatch):
    # Permissions do not stop root, so os.access is made to refuse.
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(InputError) as info:
        write_text_atomic(tmp_path / "w.json", "x")
    assert str(info.value) == (
        f"cannot write {tmp_path / 'w.json'}: directory '{tmp_path}' is not writable"
    )
    assert os.listdir(tmp_path) == []


def test_check_writable_target_writes_nothing(tmp_path):
    check_writable_target(tmp_path / "w.json")
    assert os.listdir(tmp_path) == []


def test_newline_in_path_is_escaped_in_message(tmp_path):
    with pytest.raises(InputError) as info:
        check_writable_target(tmp_path / "no\ndir" / "w.json")
    assert_one_line(str(info.value))
    assert "does not exist" in str(info.value)


# ---------------------------------------------------------------------------
# Loading: what is accepted


def test_hand_written_file_without_format_version_or_layers(tmp_path):
    path = write(tmp_path, '{"weights": [[[1, 2]], [[3], [4]]], "biases": [[0.5], [1, -1]]}')
    weights, biases = load_weights(path, [2, 1, 2], bias=True)
    assert weights[0].tolist() == [[1.0, 2.0]] and weights[1].tolist() == [[3.0], [4.0]]
    assert biases[0].tolist() == [0.5] and biases[1].tolist() == [1.0, -1.0]
    assert all(a.dtype == np.float64 for a in weights + biases)


def test_extra_keys_are_ignored(tmp_path):
    doc = good_document() | {"activations": ["relu", "linear"], "cost": "mse", "x": {"y": 1}}
    weights, _ = load_weights(write(tmp_path, doc), [2, 3, 1], bias=True)
    assert weights[1].shape == (1, 3)


def test_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "w.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(good_document()).encode())
    weights, _ = load_weights(path, [2, 3, 1], bias=True)
    assert weights[0].shape == (3, 2)


@pytest.mark.parametrize("biases", ["absent", None])
def test_missing_biases_give_zeros_when_network_has_biases(tmp_path, biases):
    doc = good_document()
    if biases == "absent":
        del doc["biases"]
    else:
        doc["biases"] = None
    weights, loaded_b = load_weights(write(tmp_path, doc), [2, 3, 1], bias=True)
    assert [b.tolist() for b in loaded_b] == [[0.0, 0.0, 0.0], [0.0]]
    assert all(b.dtype == np.float64 and b.flags.c_contiguous for b in loaded_b)


@pytest.mark.parametrize("biases", ["absent", None, [[0, 0.0, -0.0], [0]]])
def test_no_bias_network_accepts_absent_null_or_zero_biases(tmp_path, biases):
    doc = good_document()
    if biases == "absent":
        del doc["biases"]
    else:
        doc["biases"] = biases
    weights, loaded_b = load_weights(write(tmp_path, doc), [2, 3, 1], bias=False)
    assert loaded_b is None
    assert weights[0].tolist() == [[0.5, 0.5]] * 3


def test_integer_entries_are_numbers(tmp_path):
    doc = {"weights": [[[1, -2]]], "biases": [[3]]}
    weights, biases = load_weights(write(tmp_path, doc), [2, 1], bias=True)
    assert weights[0].tolist() == [[1.0, -2.0]] and biases[0].tolist() == [3.0]


# ---------------------------------------------------------------------------
# Loading: errors


def load_error(tmp_path, document, layers=(2, 3, 1), bias=True):
    """Load ``document`` and return the InputError's message (checked to be one line)."""
    path = write(tmp_path, document)
    with pytest.raises(InputError) as info:
        load_weights(path, list(layers), bias=bias)
    message = str(info.value)
    assert_one_line(message)
    assert "w.json" in message
    return message


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as info:
        load_weights(tmp_path / "nope.json", [1, 1], bias=True)
    assert str(info.value) == f"{tmp_path / 'nope.json'}: no such file"


def test_directory_instead_of_file(tmp_path):
    (tmp_path / "w.json").mkdir()
    with pytest.raises(InputError, match="w.json: is a directory, not a weights file"):
        load_weights(tmp_path / "w.json", [1, 1], bias=True)


def test_binary_file(tmp_path):
    path = tmp_path / "w.json"
    path.write_bytes(b'{"weights": "\xff\xfe"}')
    with pytest.raises(InputError, match=r"w.json: not a text file \(invalid UTF-8 at byte 13\)"):
        load_weights(path, [1, 1], bias=True)


def test_empty_file(tmp_path):
    assert load_error(tmp_path, "  \n").endswith(
        "w.json: the file is empty, expected a JSON object"
    )


def test_invalid_json_reports_line_and_column(tmp_path):
    message = load_error(tmp_path, '{\n  "weights": [\n    [1, 2,]\n  ]\n}\n')
    assert re.search(r"w\.json: not valid JSON: .* at line 3, column 11$", message), message


def test_deeply_nested_json(tmp_path):
    message = load_error(tmp_path, "[" * 100_000 + "]" * 100_000)
    assert "nested too deeply" in message


@pytest.mark.parametrize(
    ("document", "kind"), [("[1, 2]", "an array"), ('"w"', "a string"), ("3", "a number")]
)
def test_top_level_not_an_object(tmp_path, document, kind):
    message = load_error(tmp_path, document)
    assert message.endswith(f"the top level must be a JSON object {{...}}, found {kind}")


def test_missing_weights(tmp_path):
    doc = good_document()
    del doc["weights"]
    assert 'missing "weights"' in load_error(tmp_path, doc)


def test_weights_not_a_list(tmp_path):
    doc = good_document() | {"weights": {"W1": []}}
    assert '"weights" must be a list of matrices, found an object' in load_error(tmp_path, doc)


def test_layers_differ(tmp_path):
    message = load_error(tmp_path, good_document([2, 2, 1]), layers=[2, 3, 1])
    assert message == (
        f"{tmp_path / 'w.json'}: the file is for layers [2, 2, 1] but the network is [2, 3, 1]"
    )


@pytest.mark.parametrize("layers", ["2-3-1", [2, 3.0, 1], [2, True, 1]])
def test_layers_not_a_list_of_integers(tmp_path, layers):
    doc = good_document() | {"layers": layers}
    assert '"layers" must be a list of integers' in load_error(tmp_path, doc)


@pytest.mark.parametrize(("key", "value"), [("format", "something-else"), ("version", 2)])
def test_wrong_format_or_version(tmp_path, key, value):
    message = load_error(tmp_path, good_document() | {key: value})
    assert f'"{key}" is {json.dumps(value)}' in message


def test_right_format_and_version_are_accepted(tmp_path):
    doc = good_document() | {"format": FORMAT_NAME, "version": FORMAT_VERSION}
    weights, _ = load_weights(write(tmp_path, doc), [2, 3, 1], bias=True)
    assert len(weights) == 2


def test_version_true_is_not_one(tmp_path):
    assert '"version" is true' in load_error(tmp_path, good_document() | {"version": True})


def test_wrong_number_of_layers(tmp_path):
    doc = good_document()
    del doc["layers"]
    doc["weights"] = doc["weights"][:1]
    message = load_error(tmp_path, doc)
    assert '"weights" has 1 matrices but the network [2, 3, 1] has 2 layers' in message


def test_wrong_shape_names_the_layer(tmp_path):
    doc = good_document([2, 2, 1])
    del doc["layers"]
    message = load_error(tmp_path, doc, layers=[2, 3, 1])
    # W^1 is checked first: it has 2 rows where the network's has 3.
    assert message.endswith("W^1 has shape (2, 2), expected (3, 2)")
    doc["weights"][0] = [[0.5, 0.5]] * 3
    message = load_error(tmp_path, doc, layers=[2, 3, 1])
    assert message == f"{tmp_path / 'w.json'}: W^2 has shape (1, 2), expected (1, 3)"


def test_transposed_matrix_is_a_shape_error(tmp_path):
    doc = good_document()
    doc["weights"][0] = np.full((2, 3), 0.5).tolist()
    assert load_error(tmp_path, doc).endswith("W^1 has shape (2, 3), expected (3, 2)")


def test_ragged_matrix_names_the_layer_and_row(tmp_path):
    doc = good_document()
    doc["weights"][0] = [[1, 2], [3, 4], [5]]
    assert load_error(tmp_path, doc).endswith("W^1 is ragged: row 1 has 2 entries but row 3 has 1")


@pytest.mark.parametrize(("matrix", "kind"), [([1, 2, 3], "a number"), ("abc", "a string")])
def test_matrix_not_a_list_of_rows(tmp_path, matrix, kind):
    doc = good_document()
    doc["weights"][1] = matrix
    message = load_error(tmp_path, doc)
    assert "W^2" in message and kind in message


@pytest.mark.parametrize(
    ("entry", "shown"),
    [("0.5", '"0.5"'), (True, "true"), (None, "null"), ([0.5], "[0.5]"), ({"a": 1}, '{"a": 1}')],
)
def test_non_numeric_entry_names_layer_row_and_entry(tmp_path, entry, shown):
    doc = good_document()
    doc["weights"][1] = [[0.5, 0.5, entry]]
    message = load_error(tmp_path, doc)
    assert message.endswith(f"W^2 row 1, entry 3 is not a number: {shown}")


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e999", "1" + "0" * 400])
def test_non_finite_entry_names_the_layer(tmp_path, token):
    text = json.dumps(good_document()).replace("0.5", token, 1)
    assert "W^1 row 1, entry 1 is not finite" in load_error(tmp_path, text)


def test_long_values_are_shortened_in_messages(tmp_path):
    doc = good_document()
    doc["weights"][0][2] = [0.5, "x" * 1000]
    message = load_error(tmp_path, doc)
    assert "W^1 row 3, entry 2 is not a number" in message and len(message) < 200 + len(
        str(tmp_path)
    )


def test_biases_wrong_count(tmp_path):
    doc = good_document()
    doc["biases"] = doc["biases"] + [[0.0]]
    assert '"biases" has 3 vectors but the network [2, 3, 1] has 2 layers' in load_error(
        tmp_path, doc
    )


def test_biases_wrong_shape_names_the_layer(tmp_path):
    doc = good_document()
    doc["biases"][1] = [0.1, 0.2]
    assert load_error(tmp_path, doc).endswith("b^2 has 2 entries, expected 1")


def test_bias_column_vector_is_rejected(tmp_path):
    doc = good_document()
    doc["biases"][0] = [[0.1], [0.2], [0.3]]
    assert "b^1, entry 1 is not a number: [0.1]" in load_error(tmp_path, doc)


def test_biases_not_a_list(tmp_path):
    doc = good_document() | {"biases": 0}
    assert '"biases" must be a list of vectors or null, found a number' in load_error(tmp_path, doc)


def test_bias_vector_not_a_list(tmp_path):
    doc = good_document()
    doc["biases"][1] = 0.5
    assert "b^2 must be a list of numbers, found a number" in load_error(tmp_path, doc)


def test_non_finite_bias_names_the_layer(tmp_path):
    text = json.dumps(good_document()).replace("0.25]]", "NaN]]")
    assert "b^2, entry 1 is not finite: NaN" in load_error(tmp_path, text)


def test_non_zero_biases_for_network_without_biases(tmp_path):
    doc = good_document()
    doc["biases"][0] = [0.0, 0.0, 0.0]
    message = load_error(tmp_path, doc, bias=False)
    assert "the network has no biases" in message and "(b^2)" in message


def test_bias_shape_still_checked_without_biases(tmp_path):
    doc = good_document()
    doc["biases"][0] = [0.0]
    assert "b^1 has 1 entries, expected 3" in load_error(tmp_path, doc, bias=False)


def test_load_never_evaluates_content(tmp_path):
    # Python-literal or code-looking content is simply invalid JSON.
    message = load_error(tmp_path, "{'weights': __import__('os').getcwd()}")
    assert "not valid JSON" in message and "line 1, column 2" in message


# ---------------------------------------------------------------------------
# JSON numbers


def test_json_number():
    assert json_number(1.5) == 1.5 and type(json_number(np.float32(0.5))) is float
    assert type(json_number(np.int64(3))) is float
    assert json_number(-0.0) == 0.0
    for bad in (math.nan, math.inf, -math.inf, np.float64("nan")):
        assert json_number(bad) is None


def test_to_json_lists():
    array = np.array([[1.0, np.nan], [-np.inf, 2.5]])
    result = to_json_lists(array)
    assert result == [[1.0, None], [None, 2.5]]
    assert json.dumps(result, allow_nan=False) == "[[1.0, null], [null, 2.5]]"
    assert all(type(x) is float for x in (result[0][0], result[1][1]))


def test_to_json_lists_finite_and_other_shapes():
    assert to_json_lists(np.arange(3, dtype=np.int32)) == [0.0, 1.0, 2.0]
    assert to_json_lists(np.float64(np.inf)) is None
    assert to_json_lists(2.5) == 2.5
    assert to_json_lists(np.zeros((2, 0))) == [[], []]
    nested = to_json_lists(np.full((2, 2, 2), np.nan))
    assert nested == [[[None, None], [None, None]], [[None, None], [None, None]]]
