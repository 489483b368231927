"""A saved run resumes exactly: weights files that hold the training state, and putting a
Session back where such a file says the run was.

``save_session`` writes the weights with the update rule, the optimizer's state (velocity,
second, t) and the run's place (the seed, shuffling and batch size its example orders come
from, the epochs and batches done): see ``io.weights_file``. ``resume`` puts a Session
built on that file's weights (``--init FILE``) back there, so that training N epochs,
saving, and training M more from the file gives the same bits as N + M epochs in one run.
It restores

- the optimizer's state when the file's optimizer is the run's (its other settings, such
  as alpha, may differ: they act from the next update on, as a key in the app does);
  otherwise the run's optimizer starts from zero state and a note says so;
- the place in the run (epochs done, so the next epoch's example order, and the loss
  curve's epoch numbers) when the example orders come from the same settings: the same
  seed (unless the file's run did not shuffle), shuffling and batch size, and fewer
  batches done than an epoch of this data has; otherwise the run starts at epoch 1 of its
  own orders and a note says which options would resume them.

A run stopped within an epoch (an interrupted ``train``) resumes within it too: the same
updates follow, but that epoch's mean loss in the curve counts only the examples trained
after the resume.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from ..core.config import UpdateRule
from ..core.errors import InputError
from ..core.model import B_OFFSET, W_OFFSET, Network
from ..core.session import Session
from ..core.words import counted
from .files import display_path, to_json_lists
from .weights_file import STATE_VERSION, LayerArrays, PathArg, SavedState, save_weights


def rule_keys(rule: UpdateRule) -> dict[str, Any]:
    """Every field of an update rule, by name: alpha, momentum, optimizer, rho, beta1,
    beta2, eps, weight_decay, decay_biases (``train --json`` and weights files)."""
    return {f.name: getattr(rule, f.name) for f in fields(UpdateRule)}


def _views(net: Network, flat: np.ndarray) -> LayerArrays:
    """Per-layer copies of a parameter-shaped (P,) array: (W^1..W^L, b^1..b^L or None)."""
    spec = net.spec
    weights, biases = [], []
    for m in range(1, spec.n_layers + 1):
        rows, cols = spec.sizes[m], spec.sizes[m - 1]
        w0, b0 = int(net.layers[m, W_OFFSET]), int(net.layers[m, B_OFFSET])
        weights.append(flat[w0 : w0 + rows * cols].reshape(rows, cols).copy())
        biases.append(flat[b0 : b0 + rows].copy())
    return weights, biases if spec.bias else None


def _put(net: Network, flat: np.ndarray, arrays: LayerArrays) -> None:
    """The inverse of ``_views``: write per-layer arrays into a (P,) array."""
    spec = net.spec
    weights, biases = arrays
    for m in range(1, spec.n_layers + 1):
        rows, cols = spec.sizes[m], spec.sizes[m - 1]
        w0, b0 = int(net.layers[m, W_OFFSET]), int(net.layers[m, B_OFFSET])
        flat[w0 : w0 + rows * cols] = weights[m - 1].ravel()
        flat[b0 : b0 + rows] = biases[m - 1] if biases is not None else 0.0


def _layer_document(arrays: LayerArrays) -> dict[str, Any]:
    weights, biases = arrays
    return {
        "weights": [to_json_lists(w) for w in weights],
        "biases": None if biases is None else [to_json_lists(b) for b in biases],
    }


def state_keys(session: Session) -> dict[str, Any]:
    """The "rule" and "state" keys of a weights file for ``session`` as it stands."""
    net = session.network
    return {
        "rule": rule_keys(session.rule),
        "state": {
            "version": STATE_VERSION,
            "t": session.optimizer_steps,
            "seed": session.seed,
            "shuffle": session.settings.shuffle,
            "batch_size": session.batch_size,
            "epochs": session.epoch,
            "batch_in_epoch": session.batch_in_epoch,
            "velocity": _layer_document(_views(net, net.velocity)),
            "second": _layer_document(_views(net, net.second)),
        },
    }


def save_session(path: PathArg, session: Session) -> None:
    """Write ``session``'s weights, its network's settings and its training state to a
    weights file, atomically (InputError when a weight or the state is not finite)."""
    net, spec = session.network, session.spec
    if not (np.isfinite(net.velocity).all() and np.isfinite(net.second).all()):
        raise InputError(
            f"cannot save {display_path(path)}: the optimizer's state is not finite "
            "(did training diverge?)"
        )
    save_weights(
        path,
        spec.sizes,
        net.weights(),
        net.biases() if spec.bias else None,
        extra={
            "activations": list(spec.activations),
            "cost": spec.cost,
            "beta": spec.beta,
            **state_keys(session),
        },
    )


@dataclass(frozen=True)
class Resumed:
    """What ``resume`` restored from a weights file.

    file     : the file, as messages name it
    state    : the optimizer's state (velocity, second, t) was restored
    position : the place in the run (epochs and batches done) was restored
    epochs, batch_in_epoch, t : the file's
    notes    : one line each on what was not restored, and why
    """

    file: str
    state: bool
    position: bool
    epochs: int
    batch_in_epoch: int
    t: int
    notes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "optimizer_state": self.state,
            "position": self.position,
            "epochs": self.epochs,
            "batch_in_epoch": self.batch_in_epoch,
            "t": self.t,
        }


def resume(session: Session, saved: SavedState, file: str) -> Resumed:
    """Put ``session`` (just built on the file's weights) where ``saved`` says the run
    was, as far as the run's settings allow (see the module's docstring)."""
    notes = []
    rule = session.rule
    state = saved.rule.optimizer == rule.optimizer
    net = session.network
    if state:
        _put(net, net.velocity, saved.velocity)
        _put(net, net.second, saved.second)
        session.optimizer_steps = saved.t
    else:
        notes.append(
            f"{file}: its {saved.rule.optimizer} state is not used: this run's optimizer is "
            f"{rule.optimizer}, whose state starts at zero (give --optimizer "
            f"{saved.rule.optimizer} to resume it)"
        )
    shuffle = session.settings.shuffle
    wanted = {
        "--seed": (saved.seed, session.seed, saved.shuffle),
        "--batch-size": (saved.batch_size, session.batch_size, True),
    }
    resume_with = [
        f"{flag} {theirs}"
        for flag, (theirs, ours, matters) in wanted.items()
        if matters and theirs != ours
    ]
    if saved.shuffle != shuffle:
        resume_with.append("--no-shuffle" if not saved.shuffle else "")
    position = not resume_with and saved.batch_in_epoch < session.batches_per_epoch
    if position:
        session.epoch = saved.epochs
        session.batch_in_epoch = saved.batch_in_epoch
    elif resume_with:
        given = " and ".join(option for option in resume_with if option)
        how = f"give {given}" if given else ""
        if "" in resume_with:  # the file's run shuffled, this one does not
            how = "leave out --no-shuffle" + (f" and {how}" if how else "")
        notes.append(
            f"{file}: saved after {counted(saved.epochs, 'epoch')}; its example orders are not "
            f"resumed (this run starts at epoch 1 of its own): {how} to resume them"
        )
    else:
        notes.append(
            f"{file}: saved {saved.batch_in_epoch} batches into an epoch, but an epoch of "
            f"this data has {session.batches_per_epoch}: this run starts at epoch 1"
        )
    return Resumed(
        file,
        state,
        position,
        saved.epochs,
        saved.batch_in_epoch,
        saved.t,
        tuple(notes),
    )
