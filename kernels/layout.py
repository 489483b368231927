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

# The *step state*: one int64 array that lets ``dense.step`` run one update from Python
# with three arguments. Header entries first, then the layer table (ROWS x N_COLUMNS,
# row-major), then a block of example orders (BLOCK_EPOCHS x N, row-major) holding the
# orders of epochs BLOCK_FIRST .. BLOCK_FIRST + BLOCK_EPOCHS - 1.
ST_EPOCH = 0  # completed epochs
ST_BATCH = 1  # batches done in the current epoch
ST_UPDATES = 2  # updates (batches) run
ST_SEEN = 3  # examples trained on
ST_LAST = 4  # the last example trained on, -1 for none
ST_DIVERGED = 5  # 1 once the run has diverged
ST_N = 6  # examples in the data set
ST_BATCH_SIZE = 7
ST_ROWS = 8  # rows of the layer table, L + 1
ST_N_PARAMS = 9
ST_N_NODES = 10
ST_BLOCK_FIRST = 11  # the first epoch whose order the block holds
ST_BLOCK_EPOCHS = 12  # epochs in the block (0: no block loaded)
ST_FIXED_ORDER = 13  # 1: every epoch takes the block's row 0 (no shuffling)
ST_COST = 14  # MSE or CROSS_ENTROPY
ST_PENDING = 15  # finished epochs whose summed costs wait in data[SD_PENDING:]
ST_HEADER = 16

# Update rule codes (the order of core.config.OPTIMIZERS; formulas: core.optimizers).
SGD = 0
MOMENTUM = 1
NESTEROV = 2
ADAGRAD = 3
RMSPROP = 4
ADAM = 5
OPTIMIZER_CODES = {
    "sgd": SGD,
    "momentum": MOMENTUM,
    "nesterov": NESTEROV,
    "adagrad": ADAGRAD,
    "rmsprop": RMSPROP,
    "adam": ADAM,
}

# The *rule*: one float64 array of RULE_SIZE numbers, what ``dense.apply_rule`` needs to
# know of an update rule. R_MOMENTUM is 0 for sgd, so that sgd without weight decay is the
# momentum step with mu = 0 (``core.step_state.momentum_path``).
R_CODE = 0  # one of the codes above
R_ALPHA = 1
R_MOMENTUM = 2
R_RHO = 3
R_BETA1 = 4
R_BETA2 = 5
R_EPS = 6
R_DECAY = 7  # lambda of the L2 weight decay, 0 for none
R_DECAY_BIASES = 8  # 1: the decay applies to the biases too
RULE_SIZE = 9

# The step's float64 data array: the rule (at SD_RULE, so alpha and mu are SD_ALPHA and
# SD_MOMENTUM), the epoch's partial cost, the summed costs of up to PENDING_EPOCHS
# finished epochs not yet recorded in the loss history (the oldest first), then X (n x N^0)
# and Y (n x N^L), row-major.
SD_RULE = 0
SD_ALPHA = SD_RULE + R_ALPHA
SD_MOMENTUM = SD_RULE + R_MOMENTUM
SD_PARTIAL_COST = SD_RULE + RULE_SIZE  # summed cost of the current epoch so far
SD_PENDING = SD_PARTIAL_COST + 1
PENDING_EPOCHS = 128
SD_HEADER = SD_PENDING + PENDING_EPOCHS

# What ``dense.step`` returns: 0 when nothing ran (the run had diverged), otherwise
# STEP_RAN plus the flags below, or STEP_NEEDS_ORDERS when the block lacks the epoch.
STEP_RAN = 1
STEP_PENDING_FULL = 2  # PENDING_EPOCHS epoch costs wait: record them before the next step
STEP_DIVERGED = 4
STEP_NEEDS_ORDERS = 8
