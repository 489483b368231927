"""An immutable picture of a training session, for anything that displays it.

The app's worker thread trains while the UI draws; the UI only ever reads Snapshots,
which are copies, so it never sees an update half-applied. Lists indexed by layer keep
the formulas' numbering: entry m is layer m, and entry 0 of the weight lists is None.
"""

from __future__ import annotations

from dataclasses import dataclass

from .arrays import Floats, Ints, PerLayer
from .config import UpdateRule
from .spec import NetworkSpec

RUNNING = "RUNNING"
PAUSED = "PAUSED"
DIVERGED = "DIVERGED"


@dataclass(frozen=True, eq=False)
class Snapshot:
    """State after the most recent update.

    weights[m] (N^m, N^{m-1}), biases[m] (N^m,), m = 1..L (index 0 is None);
    weight_changes[m], bias_changes[m]: the last change d the update rule applied
    (``core.optimizers.last_change``), whatever the rule.
    weight_seconds[m], bias_seconds[m]: its second state, G (adagrad) or s (rmsprop,
    adam), zero for the others; rule the update rule, optimizer_steps its t (None, 0 where
    a Snapshot is made without them).
    z[m], a[m], delta[m] (N^m,): the last trained example's forward and backward values
    (a[0] is its input; z[0] and delta[0] are None). Before any update z and a come from a
    forward pass of example 0, and every delta[m] is None: no backward pass has computed
    one yet. (A phase walk's Snapshot has None wherever the walk has not computed a value
    yet.)
    example: index of that example (None before any update).
    outputs (n, N^L), costs (n,): every example with the current weights; loss their mean.
    history: (epochs, losses), the bounded loss curve.
    """

    spec: NetworkSpec
    problem: str
    inputs: Floats
    targets: Floats
    weights: PerLayer
    biases: PerLayer
    weight_changes: PerLayer
    bias_changes: PerLayer
    z: PerLayer
    a: PerLayer
    delta: PerLayer
    example: int | None
    outputs: Floats
    costs: Floats
    loss: float
    epoch: int
    batch_in_epoch: int
    updates: int
    examples_seen: int
    alpha: float
    momentum: float
    batch_size: int
    seed: int
    diverged: bool
    history_epochs: Ints
    history_losses: Floats
    rule: UpdateRule | None = None
    weight_seconds: PerLayer | None = None
    bias_seconds: PerLayer | None = None
    optimizer_steps: int = 0

    @property
    def n_examples(self) -> int:
        return len(self.inputs)
