"""What a network is: layer sizes, activations, cost, sigmoid steepness and biases.

A :class:`NetworkSpec` validates itself on construction, so every later stage (the
Network, the kernels, the reference) can trust it. Notation: sizes (N^0, ..., N^L),
activation sigma^m of layer m = 1..L.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import ConfigError, InputError

ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")
HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu")
OUTPUT_ACTIVATIONS = ("sigmoid", "tanh", "linear")
COSTS = ("mse", "cross-entropy")
#: How initial weights are drawn (see ``model.init_scale``): "auto" is Glorot uniform, or He
#: normal for relu layers; "tutorial" is the first tutorial's 0.5 sqrt(6 / (fan_in + fan_out))
#: times a standard normal.
INIT_SCHEMES = ("auto", "tutorial")

#: Refuse networks whose buffers would not fit comfortably in memory.
MAX_PARAMETERS = 20_000_000


def check_cost_and_output(cost: str, output_activation: str) -> None:
    """Cross-entropy needs a sigmoid output: its formula takes a^L as a probability."""
    if cost == "cross-entropy" and output_activation != "sigmoid":
        raise ConfigError(
            "network.cost",
            f"cross-entropy needs a sigmoid output layer (got {output_activation}); "
            "use <network.output_activation> sigmoid or <network.cost> mse",
        )


@dataclass(frozen=True)
class NetworkSpec:
    """A fully connected network.

    sizes       : (N^0, N^1, ..., N^L), L >= 1
    activations : (sigma^1, ..., sigma^L), names from ACTIVATIONS
    cost        : "mse" (1/2 |a^L - y|^2) or "cross-entropy" (needs a sigmoid output)
    beta        : steepness of every sigmoid, 1/(1 + e^{-beta z})
    bias        : whether layers have biases b^m (False keeps every b^m at 0)
    init_scheme : how a seed's initial weights are drawn, one of INIT_SCHEMES
    """

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    cost: str = "mse"
    beta: float = 1.0
    bias: bool = True
    init_scheme: str = "auto"

    def __post_init__(self) -> None:
        object.__setattr__(self, "sizes", tuple(int(s) for s in self.sizes))
        object.__setattr__(self, "activations", tuple(self.activations))
        if len(self.sizes) < 2:
            raise InputError("a network needs at least an input and an output layer")
        if any(s < 1 for s in self.sizes):
            raise InputError(f"layer sizes must be at least 1, got {list(self.sizes)}")
        if len(self.activations) != len(self.sizes) - 1:
            raise InputError(
                f"{len(self.sizes) - 1} layers need {len(self.sizes) - 1} activations, "
                f"got {len(self.activations)}"
            )
        for name in self.activations:
            if name not in ACTIVATIONS:
                raise ConfigError(
                    "network.activation",
                    f"must be one of {', '.join(ACTIVATIONS)}, got {name!r}",
                )
        if self.init_scheme not in INIT_SCHEMES:
            raise ConfigError(
                "init.scheme", f"must be one of {', '.join(INIT_SCHEMES)}, got {self.init_scheme!r}"
            )
        if self.cost not in COSTS:
            raise ConfigError(
                "network.cost", f"must be one of {', '.join(COSTS)}, got {self.cost!r}"
            )
        check_cost_and_output(self.cost, self.activations[-1])
        if not (isinstance(self.beta, (int, float)) and math.isfinite(self.beta) and self.beta > 0):
            raise ConfigError("network.beta", f"must be a finite number > 0, got {self.beta!r}")
        object.__setattr__(self, "beta", float(self.beta))
        if self.n_parameters > MAX_PARAMETERS:
            raise ConfigError(
                "network.hidden",
                f"gives the network {self.label} {self.n_parameters} parameters; "
                f"the limit is {MAX_PARAMETERS}",
            )

    @classmethod
    def build(
        cls,
        n_inputs: int,
        hidden: tuple[int, ...],
        n_outputs: int,
        *,
        activation: str = "sigmoid",
        output_activation: str = "sigmoid",
        cost: str = "mse",
        beta: float = 1.0,
        bias: bool = True,
        init_scheme: str = "auto",
    ) -> NetworkSpec:
        """The usual shape: hidden layers use ``activation``, the last ``output_activation``."""
        sizes = (n_inputs, *hidden, n_outputs)
        activations = (activation,) * len(hidden) + (output_activation,)
        return cls(sizes, activations, cost=cost, beta=beta, bias=bias, init_scheme=init_scheme)

    @property
    def n_layers(self) -> int:
        """L, the number of layers with weights."""
        return len(self.sizes) - 1

    @property
    def n_parameters(self) -> int:
        """Weights plus biases (biases counted even when disabled: they stay 0)."""
        return sum(n * (m + 1) for m, n in zip(self.sizes[:-1], self.sizes[1:], strict=True))

    @property
    def label(self) -> str:
        """Layer sizes as the tutorials write them, for example "2-3-1"."""
        return "-".join(str(s) for s in self.sizes)

    @property
    def summary(self) -> str:
        """Sizes, each layer's activation and the cost, as report headers name a network:
        "2-3-1 (sigmoid, sigmoid, mse)"."""
        return f"{self.label} ({', '.join(self.activations)}, {self.cost})"

    @property
    def hidden_activation(self) -> str | None:
        return self.activations[0] if self.n_layers > 1 else None

    @property
    def output_activation(self) -> str:
        return self.activations[-1]
