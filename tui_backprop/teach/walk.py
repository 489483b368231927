"""What the teaching views show, apart from how they draw it: the phase walk and the cursor.

A :class:`PhaseWalk` goes through one update phase by phase (forward through layer 1..L,
the cost, the deltas from L back to 1, the gradients, the update), using the phases of
:func:`tui_backprop.teach.explain.explain_update`. While it walks, the network view shows the
explained example's values as far as they have been computed (:meth:`PhaseWalk.display`),
and the layer, nodes and edges the phase works on (:meth:`PhaseWalk.focus`).

A :class:`Cursor` moves over nodes and edges: columns alternate between a layer's nodes
and the edges into the next layer (left/right), and up/down moves within a column.

Nothing here imports Textual, so it is tested without a terminal.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..core.arrays import Floats, PerLayer, layer_arrays
from ..core.snapshot import Snapshot
from .explain import Explanation, Phase

#: A node (m, j): node j of layer m; an edge (m, j, k): the weight W^m_jk.
Node = tuple[int, int]
Edge = tuple[int, int, int]

#: sigma'(z) below this flags a node as saturated: its delta, and its learning, fade.
SATURATION = 0.01


@dataclass(frozen=True)
class Focus:
    """What to emphasise in the network view.

    nodes: (m, j) pairs; edges: (m, j, k) triples, the weight W^m_jk from node k of layer
    m-1 to node j of layer m; selected: the one node drawn reversed (the cursor), if any;
    selected_edge: the one edge drawn reversed (the cursor on a weight), if any.
    """

    nodes: frozenset[Node] = frozenset()
    edges: frozenset[Edge] = frozenset()
    selected: Node | None = None
    selected_edge: Edge | None = None


def layer_edges(sizes: tuple[int, ...], m: int) -> frozenset[Edge]:
    """Every edge into layer m."""
    return frozenset((m, j, k) for j in range(sizes[m]) for k in range(sizes[m - 1]))


def layer_nodes(sizes: tuple[int, ...], m: int) -> frozenset[Node]:
    return frozenset((m, j) for j in range(sizes[m]))


#: Numbers for PhaseWalk.serial.
_WALK_SERIALS = itertools.count()


class PhaseWalk:
    """One update explained phase by phase; ``index`` is the phase on screen.

    ``applied`` turns True once the walk reaches the last update phase and the app has
    made the update in the Session (the update phases show old w + d = new w throughout).
    ``serial`` tells walks apart, one made after another (an object's id can be reused).
    """

    def __init__(self, explanation: Explanation, update_number: int) -> None:
        self.serial = next(_WALK_SERIALS)
        self.explanation = explanation
        self.update_number = update_number
        self.index = 0
        self.applied = False

    @property
    def phases(self) -> list[Phase]:
        return self.explanation.phases

    @property
    def phase(self) -> Phase:
        return self.phases[self.index]

    @property
    def at_end(self) -> bool:
        return self.index == len(self.phases) - 1

    @property
    def last_update(self) -> int:
        """Index of the last update phase (layer L's): where the update is made. Until
        then the screen shows the weights before it, so the update phases before it, and
        predict mode's questions on any of them, are not answered on screen already."""
        return max(i for i, p in enumerate(self.phases) if p.kind == "update")

    def advance(self) -> bool:
        """Move to the next phase; False when the walk is already at its last phase."""
        if self.at_end:
            return False
        self.index += 1
        return True

    @property
    def needs_update(self) -> bool:
        """The phase on screen shows the update, and the Session has not made it yet."""
        return self.index >= self.last_update and not self.applied

    def example_in_view(self) -> int | None:
        """The example whose values the network view shows: the one being walked, or after
        the per-example phases, the batch's last one."""
        for phase in reversed(self.phases[: self.index + 1]):
            if phase.example is not None:
                return phase.example
        return None

    def display(self, snap: Snapshot) -> Snapshot:
        """``snap`` with its z, a and delta replaced by the walked example's values as far
        as the walk has computed them (None where not yet: the view leaves those blank).

        Once the update is made the Snapshot itself is right (it holds the last trained
        example's values and the new weights), so it is returned unchanged."""
        if self.applied:
            return snap
        k = self.example_in_view()
        L = snap.spec.n_layers
        z: PerLayer = [None] * (L + 1)
        a: PerLayer = [None] * (L + 1)
        delta: PerLayer = [None] * (L + 1)
        if k is not None:
            a[0] = np.asarray(snap.inputs[k], dtype=np.float64)
            for phase in self.phases[: self.index + 1]:
                m = phase.layer
                if phase.example != k or m is None:
                    continue
                if phase.kind == "forward":
                    z[m] = np.asarray(phase.values["z"])
                    a[m] = np.asarray(phase.values["a"])
                elif phase.kind in ("output-delta", "hidden-delta"):
                    delta[m] = np.asarray(phase.values["delta"])
        return dataclasses.replace(snap, z=z, a=a, delta=delta, example=k)

    def focus(self, sizes: tuple[int, ...]) -> Focus:
        """The nodes and edges the phase on screen works on."""
        phase, L = self.phase, len(sizes) - 1
        if phase.kind in ("cost", "output-delta"):
            return Focus(layer_nodes(sizes, L))
        m = phase.layer
        if m is None:  # the batch mean: no one layer
            return Focus()
        if phase.kind == "forward":  # W^m carries a^{m-1} forward into z^m
            return Focus(layer_nodes(sizes, m) | layer_nodes(sizes, m - 1), layer_edges(sizes, m))
        if phase.kind == "hidden-delta":  # W^{m+1} carries delta^{m+1} back to layer m
            return Focus(
                layer_nodes(sizes, m) | layer_nodes(sizes, m + 1), layer_edges(sizes, m + 1)
            )
        if phase.kind in ("gradient", "update"):
            return Focus(layer_nodes(sizes, m) | layer_nodes(sizes, m - 1), layer_edges(sizes, m))
        return Focus()


# -- the cursor ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """A node (m, j) when k is None; else the edge W^m_jk (node k of layer m-1 to node j)."""

    m: int
    j: int
    k: int | None = None

    @property
    def is_edge(self) -> bool:
        return self.k is not None

    def focus(self) -> Focus:
        k = self.k
        if k is not None:  # an edge
            edge = (self.m, self.j, k)
            return Focus(
                frozenset({(self.m, self.j), (self.m - 1, k)}), frozenset({edge}), None, edge
            )
        return Focus(selected=(self.m, self.j))


class Cursor:
    """Moves a Selection over a network of layer sizes ``sizes``.

    Columns: 2m is layer m's nodes, 2m - 1 the edges into layer m (ordered by j, then k).
    Tab order goes column by column, top to bottom.
    """

    def __init__(self, sizes: tuple[int, ...]) -> None:
        self.sizes = tuple(sizes)
        self.column = min(2, 2 * (len(sizes) - 1))  # start on the first layer past the input
        self.row = 0

    def _items(self, column: int) -> list[Selection]:
        if column % 2 == 0:
            m = column // 2
            return [Selection(m, j) for j in range(self.sizes[m])]
        m = (column + 1) // 2
        return [Selection(m, j, k) for j in range(self.sizes[m]) for k in range(self.sizes[m - 1])]

    @property
    def columns(self) -> int:
        return 2 * len(self.sizes) - 1

    @property
    def selection(self) -> Selection:
        return self._items(self.column)[self.row]

    def resize(self, sizes: tuple[int, ...]) -> None:
        """A new network: keep the place where it still exists."""
        self.sizes = tuple(sizes)
        self.column = min(self.column, self.columns - 1)
        self.row = min(self.row, len(self._items(self.column)) - 1)

    def up(self) -> None:
        self.row = max(0, self.row - 1)

    def down(self) -> None:
        self.row = min(len(self._items(self.column)) - 1, self.row + 1)

    def _to_column(self, column: int) -> None:
        """Keep the same height in the picture, roughly: the row scaled to the new column."""
        before = len(self._items(self.column))
        after = len(self._items(column))
        self.row = min(after - 1, self.row * after // max(before, 1))
        self.column = column

    def left(self) -> None:
        if self.column > 0:
            self._to_column(self.column - 1)

    def right(self) -> None:
        if self.column < self.columns - 1:
            self._to_column(self.column + 1)

    def next(self) -> None:
        if self.row + 1 < len(self._items(self.column)):
            self.row += 1
        else:
            self.column = (self.column + 1) % self.columns
            self.row = 0

    def previous(self) -> None:
        if self.row > 0:
            self.row -= 1
        else:
            self.column = (self.column - 1) % self.columns
            self.row = len(self._items(self.column)) - 1


# -- history of the weights, for sparklines ----------------------------------------------


class ParameterHistory:
    """The last ``length`` values of every weight and bias, one entry per Snapshot drawn
    with new updates (so a sparkline shows the weight's recent course as it was seen)."""

    def __init__(self, length: int = 48) -> None:
        self.length = length
        self._key: tuple | None = None
        self._rows: list[tuple[list[Floats], list[Floats]]] = []

    def record(self, snap: Snapshot) -> None:
        key = (snap.seed, snap.spec.sizes, snap.spec.activations, snap.updates)
        if self._key is not None and key[:3] != self._key[:3]:
            self._rows.clear()  # another network or seed: its weights start a new course
        if key == self._key:
            return
        if self._key is not None and snap.updates < self._key[3]:
            self._rows.clear()  # restarted
        self._key = key
        self._rows.append((layer_arrays(snap.weights), layer_arrays(snap.biases)))
        del self._rows[: -self.length]

    def weight(self, m: int, j: int, k: int) -> Floats:
        return np.array([w[m][j, k] for w, _ in self._rows])

    def bias(self, m: int, j: int) -> Floats:
        return np.array([b[m][j] for _, b in self._rows])


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: ArrayLike) -> str:
    """One character per value, its height the value's place between min and max."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return ""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return "?" * values.size
    lo, hi = finite.min(), finite.max()
    if hi == lo:
        return SPARKS[3] * values.size
    scaled = np.clip((values - lo) / (hi - lo), 0, 1)
    idx = np.where(np.isfinite(values), np.round(scaled * (len(SPARKS) - 1)), -1)
    return "".join("?" if i < 0 else SPARKS[int(i)] for i in idx)


def slopes(snap: Snapshot) -> PerLayer:
    """sigma'(z^m) per layer (index 0 None) for the Snapshot's example; None where z is."""
    from ..core.reference import activation_slope

    out: PerLayer = [None]
    for m in range(1, snap.spec.n_layers + 1):
        z_m, a_m = snap.z[m], snap.a[m]
        if z_m is None or a_m is None:
            out.append(None)
            continue
        z, a = np.asarray(z_m, dtype=np.float64), np.asarray(a_m, dtype=np.float64)
        out.append(
            activation_slope(snap.spec.activations[m - 1], z, a, snap.spec.beta, np.empty_like(z))
        )
    return out


def cancels_slope(snap: Snapshot, m: int) -> bool:
    """Cross-entropy on a sigmoid output: delta^L = a - y, the slope cancels out."""
    spec = snap.spec
    return (
        m == spec.n_layers and spec.cost == "cross-entropy" and spec.output_activation == "sigmoid"
    )


def saturated(snap: Snapshot) -> frozenset[Node]:
    """Nodes (m, j) whose sigma'(z) < SATURATION for the Snapshot's example, leaving out
    linear nodes (slope 1) and a sigmoid output under cross-entropy (its slope cancels)."""
    found: set[Node] = set()
    for m, slope in enumerate(slopes(snap)):
        if slope is None or cancels_slope(snap, m):
            continue
        if snap.spec.activations[m - 1] == "linear":
            continue
        for j in np.flatnonzero(slope < SATURATION):
            found.add((m, int(j)))
    return frozenset(found)
