"""tui-backprop: watch backpropagation and gradient descent train a neural network."""

__version__ = "0.1.0"
