"""The cost as a function of two parameters: the landscape gradient descent walks on.

For a network with exactly two parameters (NOT with one weight and a bias, or the one-
weight neuron with a bias) the grid covers the whole cost function; for larger networks
it is a slice through two chosen parameters with every other one held at its value.
Parameters are named as the formulas name them, 1-based: ``W1[1,1]`` is W^1_11, ``b1[1]``
is b^1_1.
"""

from __future__ import annotations

import re

import numpy as np

import kernels

from ..core.arrays import Floats
from ..core.errors import ConfigError
from ..core.model import Network
from ..core.session import Session

_NAME = re.compile(r"^\s*(W|b)(\d+)\[(\d+)(?:,\s*(\d+))?\]\s*$")


def parameter_names(network: Network) -> list[str]:
    """Every trainable parameter's name, in the flat buffer's order."""
    spec = network.spec
    names = []
    for m in range(1, spec.n_layers + 1):
        names += [
            f"W{m}[{i + 1},{j + 1}]" for i in range(spec.sizes[m]) for j in range(spec.sizes[m - 1])
        ]
        names += [f"b{m}[{i + 1}]" for i in range(spec.sizes[m])]
    return names


def parameter_index(network: Network, name: str) -> int:
    """The flat index of a parameter named like W1[1,2] or b2[1]."""
    match = _NAME.match(name)
    spec = network.spec
    if not match:
        raise ConfigError(
            "landscape.params", f"{name!r} is not a parameter name like W1[1,1] or b1[1]"
        )
    kind, m, i, j = match.group(1), int(match.group(2)), int(match.group(3)), match.group(4)
    if not 1 <= m <= spec.n_layers or not 1 <= i <= spec.sizes[m]:
        raise ConfigError("landscape.params", f"{name} is not in the network {spec.label}")
    net = network
    if kind == "W":
        if j is None or not 1 <= int(j) <= spec.sizes[m - 1]:
            raise ConfigError("landscape.params", f"{name} is not in the network {spec.label}")
        return int(net.layers[m, kernels.W_OFFSET]) + (i - 1) * spec.sizes[m - 1] + int(j) - 1
    if j is not None:
        raise ConfigError("landscape.params", f"{name}: a bias has one index, like b{m}[{i}]")
    if not spec.bias:
        raise ConfigError("landscape.params", f"{name}: the network has no biases")
    return int(net.layers[m, kernels.B_OFFSET]) + i - 1


def chosen_parameters(
    params: tuple[str, ...], network: Network, field: str = "landscape.params"
) -> list[str]:
    """The two parameters a LandscapeConfig (or a RaceConfig, ``field`` "race.params")
    names, or, if none, the two of a two-parameter network, each checked against the
    network: [first, second]."""
    names = list(params) if params else default_parameters(network, field)
    chosen_indices(names, network)
    return names


def chosen_indices(names: list[str], network: Network) -> tuple[int, int]:
    """The flat indices of the two parameters ``names``, which must differ."""
    first, second = (parameter_index(network, name) for name in names)
    if first == second:
        raise ConfigError("landscape.params", "must name two different parameters")
    return first, second


def trainable_names(network: Network) -> list[str]:
    """The names of the parameters the network has: its weights, and its biases if it
    has them (``parameter_names`` names the biases' places either way)."""
    return [n for n in parameter_names(network) if network.spec.bias or n.startswith("W")]


#: What takes two parameters, by the configuration field that names them.
_MAPS = {"landscape.params": "a landscape", "race.params": "the race's network surface"}


def default_parameters(network: Network, field: str = "landscape.params") -> list[str]:
    """The two parameters of a two-parameter network; otherwise a ConfigError of ``field``
    that says why none can be taken for granted: one parameter is too few for a map over
    two (the network says which it has), more than two need choosing (the example names
    two the network has)."""
    names = trainable_names(network)
    label = network.spec.label
    if len(names) == 1:
        raise ConfigError(
            field,
            f"cannot name two parameters of the network {label}: it has one, {names[0]}, "
            f"and {_MAPS.get(field, 'a landscape')} needs two (biases or a hidden layer "
            "give it more)",
        )
    if len(names) > 2:
        weight = names[0]
        bias = next((n for n in names if n.startswith("b")), names[1])
        raise ConfigError(
            field,
            f"is needed: the network {label} has {len(names)} parameters; choose two, "
            f"for example '{weight},{bias}'",
        )
    return names


def cost_grid(
    session: Session, names: list[str], half_range: float, points: int
) -> tuple[Floats, Floats]:
    """(axis (points,), costs (points, points)): costs[i, j] is the mean cost with the first
    parameter at axis[i] and the second at axis[j], the others as they are now."""
    first, second = chosen_indices(names, session.network)
    axis = np.linspace(-half_range, half_range, points)
    net = session.network
    params = net.params.copy()
    indices = np.arange(session.n_examples, dtype=np.int64)
    z, a = np.zeros_like(net.z), np.zeros_like(net.a)
    costs = np.empty((points, points))
    for i, u in enumerate(axis):
        params[first] = u
        for j, v in enumerate(axis):
            params[second] = v
            costs[i, j] = kernels.mean_cost(
                net.layers, net.betas, net.cost_code, params, z, a, session.X, session.Y, indices
            )
    return axis, costs


SHADES = " .:-=+*#%@"


def shaded_map(axis: Floats, costs: Floats, names: list[str], width: int = 61) -> str:
    """A character picture of the grid: denser characters for higher cost (SHADES, ' '
    lowest); rows are the second
    parameter (top = largest), columns the first."""
    finite = costs[np.isfinite(costs)]
    low, high = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    scale = (high - low) or 1.0
    step = max(1, len(axis) // width)
    rows = []
    for j in range(len(axis) - 1, -1, -step):
        row = ""
        for i in range(0, len(axis), step):
            c = costs[i, j]
            level = int((c - low) / scale * (len(SHADES) - 1)) if np.isfinite(c) else -1
            row += SHADES[level]
        rows.append(row)
    return "\n".join(rows) + (
        f"\ncolumns: {names[0]} from {axis[0]:g} to {axis[-1]:g}; rows: "
        f"{names[1]} from {axis[-1]:g} (top) to {axis[0]:g}"
        f"\n'{SHADES[0]}' low ... '{SHADES[-1]}' high"
    )
