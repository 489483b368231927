"""Integer codes and the layer-table layout shared by the kernels and the Python model.

Kernels take no Python objects, so a network's structure travels as one small int64
array, the *layer table*, of shape (L + 1, N_COLUMNS): row m describes layer m
(row 0 is the input layer, whose only meaningful entries are SIZE and NODE_OFFSET).

Parameters live in one flat float64 buffer. For m = 1..L, W^m (shape (N^m, N^{m-1}),
row-major) starts at ``W_OFFSET`` and b^m (shape (N^m,)) at ``B_OFFSET``. Per-node
work buffers z, a and delta are flat float64 arrays over all layers; layer m's nodes
start at ``NODE_OFFSET`` (a holds the input a^0 = x at offset 0).
"""

# Activation codes (column ACTIVATION of the layer table).
SIGMOID = 0
TANH = 1
RELU = 2
LINEAR = 3
ACTIVATION_CODES = {"sigmoid": SIGMOID, "tanh": TANH, "relu": RELU, "linear": LINEAR}

# Cost codes.
MSE = 0
CROSS_ENTROPY = 1
COST_CODES = {"mse": MSE, "cross-entropy": CROSS_ENTROPY}

# Columns of the layer table.
SIZE = 0
ACTIVATION = 1
W_OFFSET = 2
B_OFFSET = 3
NODE_OFFSET = 4
HAS_BIAS = 5
N_COLUMNS = 6
