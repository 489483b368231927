"""Per-example backpropagation for fully connected networks of any depth (Numba).

All kernels live in this one module on purpose: numba's on-disk cache does not notice
an edit to a jitted callee in another module (numba#8396).

Notation (README): W^m has shape (N^m, N^{m-1}), b^m has shape (N^m,),

    z^m = W^m a^{m-1} + b^m,      a^m = sigma^m(z^m),      a^0 = x,
    delta^L = dC/da^L * sigma'(z^L),
    delta^m = (W^{m+1}^T delta^{m+1}) * sigma'(z^m),          m = L-1 .. 1,
    dC/dW^m = delta^m (a^{m-1})^T,   dC/db^m = delta^m,
    d = -alpha * g + mu * d_prev,    theta += d.

Arguments that describe the network (see ``kernels.layout``):
    layers : int64 (L + 1, N_COLUMNS), the layer table
    betas  : float64 (L + 1,), sigmoid steepness per layer (unused for other activations)
    cost   : int, MSE or CROSS_ENTROPY
    params, velocity, grad : float64 (P,), flat parameter, momentum and gradient buffers
    z, a, delta : float64 (total nodes,), per-node work buffers

Kernels write into the arrays they are given and allocate nothing.
"""

from __future__ import annotations

import math

from llvmlite import ir
from numba import njit, prange, types
from numba.extending import intrinsic

from .config import HELPER_FLAGS, JIT_FLAGS
from .layout import (
    ACTIVATION,
    B_OFFSET,
    CROSS_ENTROPY,
    HAS_BIAS,
    N_COLUMNS,
    NODE_OFFSET,
    PENDING_EPOCHS,
    RELU,
    SD_ALPHA,
    SD_HEADER,
    SD_MOMENTUM,
    SD_PARTIAL_COST,
    SD_PENDING,
    SIGMOID,
    SIZE,
    ST_BATCH,
    ST_BATCH_SIZE,
    ST_BLOCK_EPOCHS,
    ST_BLOCK_FIRST,
    ST_COST,
    ST_DIVERGED,
    ST_EPOCH,
    ST_FIXED_ORDER,
    ST_HEADER,
    ST_LAST,
    ST_N,
    ST_N_NODES,
    ST_N_PARAMS,
    ST_PENDING,
    ST_ROWS,
    ST_SEEN,
    ST_UPDATES,
    STEP_DIVERGED,
    STEP_NEEDS_ORDERS,
    STEP_PENDING_FULL,
    STEP_RAN,
    TANH,
    W_OFFSET,
)


@intrinsic
def float_bits(typingctx, x):
    """The IEEE-754 bits of a float64, as an int64 (a reinterpretation, not a conversion)."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))
    return types.int64(types.float64), codegen


@intrinsic
def bits_float(typingctx, bits):
    """The float64 whose IEEE-754 bits are the int64 ``bits``."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())
    return types.float64(types.int64), codegen


_INV_LN2 = 1.4426950408889634  # 1 / ln 2
# ln 2 split in two: _LN2_HI has its last 21 bits zero, so k * _LN2_HI is exact for the
# |k| <= 1075 used here, and x - k * _LN2_HI loses nothing.
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_ROUND = 6755399441055744.0  # 1.5 * 2^52: x + _ROUND rounds x to an integer
# 1/n! for n = 2..13: the Taylor series of e^r, whose first neglected term is below
# 2^-57 for |r| <= ln(2) / 2.
_E2, _E3, _E4, _E5, _E6, _E7 = (1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040)
_E8, _E9, _E10, _E11, _E12, _E13 = (1 / 40320, 1 / 362880, 1 / 3628800, 1 / 39916800,
                                    1 / 479001600, 1 / 6227020800)


@njit(**HELPER_FLAGS)
def exp(x):
    """e^x within 1 ulp of libm's, without a call: it vectorises, and a loop that calls it
    keeps its values in registers (a libm call clobbers every vector register).

    e^x = 2^k e^r with k = round(x / ln 2), r = x - k ln 2 in [-ln2/2, ln2/2]; e^r from
    its Taylor series (Estrin's scheme: a short dependency chain), 2^k built from its bits
    in two halves so that results down to the subnormals come out right. Inputs are
    clamped to where e^x goes from 0 to inf; nan stays nan.
    """
    x = 709.8 if x > 709.8 else x
    x = -745.2 if x < -745.2 else x
    t = x * _INV_LN2 + _ROUND
    kd = t - _ROUND
    k = float_bits(t) - float_bits(_ROUND)
    r = (x - kd * _LN2_HI) - kd * _LN2_LO
    r2 = r * r
    r4 = r2 * r2
    q0 = (_E2 + _E3 * r) + (_E4 + _E5 * r) * r2
    q1 = (_E6 + _E7 * r) + (_E8 + _E9 * r) * r2
    q2 = (_E10 + _E11 * r) + (_E12 + _E13 * r) * r2
    q = (q0 + q1 * r4) + q2 * (r4 * r4)
    p = 1.0 + (r + r2 * q)  # one rounding of the sum near 1, at the end
    k1 = k >> 1
    return p * bits_float((k1 + 1023) << 52) * bits_float((k - k1 + 1023) << 52)


@njit(**HELPER_FLAGS)
def activate(code, beta, z):
    """sigma(z): sigmoid 1/(1 + e^{-beta z}), tanh, relu max(0, z) or linear z."""
    if code == SIGMOID:
        # For very negative z, e^{-beta z} overflows to inf and the result is exactly 0,
        # the correct limit: no branch needed, and the relative error stays at rounding.
        return 1.0 / (1.0 + exp(-beta * z))
    if code == TANH:
        return math.tanh(z)
    if code == RELU:
        return z if z > 0.0 else 0.0
    return z


@njit(**HELPER_FLAGS)
def activate_all(code, beta, z, a):
    """a[i] = sigma(z[i]) for a layer: one loop per activation, each without a branch
    inside, so that LLVM vectorises it (``exp`` is inlined)."""
    if code == SIGMOID:
        for i in range(z.shape[0]):
            a[i] = 1.0 / (1.0 + exp(-beta * z[i]))
    else:
        for i in range(z.shape[0]):
            a[i] = activate(code, beta, z[i])


@njit(**HELPER_FLAGS)
def slope(code, beta, z, a):
    """sigma'(z), written with a = sigma(z): beta a(1 - a), 1 - a^2, [z > 0] or 1."""
    if code == SIGMOID:
        return beta * a * (1.0 - a)
    if code == TANH:
        return 1.0 - a * a
    if code == RELU:
        return 1.0 if z > 0.0 else 0.0
    return 1.0


@njit(**HELPER_FLAGS)
def softplus(t):
    """ln(1 + e^t) without overflow."""
    if t > 0.0:
        return t + math.log1p(exp(-t))
    return math.log1p(exp(t))


@njit(**HELPER_FLAGS)
def layer_geometry(layers, m):
    """Layer m's (N^m, N^{m-1}, W^m offset, b^m offset, its first node, the first node of
    layer m-1, whether it has biases), from the layer table."""
    return (layers[m, SIZE], layers[m - 1, SIZE], layers[m, W_OFFSET], layers[m, B_OFFSET],
            layers[m, NODE_OFFSET], layers[m - 1, NODE_OFFSET], layers[m, HAS_BIAS] != 0)


@njit(**HELPER_FLAGS)
def forward(layers, betas, params, x, z, a):
    """Forward pass for one example x (N^0,): fills z^m and a^m for m = 1..L."""
    n_layers = layers.shape[0] - 1
    for j in range(layers[0, SIZE]):
        a[j] = x[j]
    for m in range(1, n_layers + 1):
        n_out, n_in, w0, b0, out, inp, _ = layer_geometry(layers, m)
        code = layers[m, ACTIVATION]
        beta = betas[m]
        # Eight (then four) rows at a time, each summed in index order from 0.0 as one row
        # alone would be: the same result bit for bit, but eight independent additions in
        # flight instead of one chain waiting on the last (no reassociation, so no
        # fastmath).
        # Slices, not offsets: indices known to be >= 0 need no wraparound test, which
        # lets LLVM vectorise the inner loops.
        a_in = a[inp:inp + n_in]
        b = params[b0:b0 + n_out]
        z_out = z[out:out + n_out]
        i = 0
        while i + 8 <= n_out:
            w_0 = params[w0 + i * n_in:w0 + (i + 1) * n_in]
            w_1 = params[w0 + (i + 1) * n_in:w0 + (i + 2) * n_in]
            w_2 = params[w0 + (i + 2) * n_in:w0 + (i + 3) * n_in]
            w_3 = params[w0 + (i + 3) * n_in:w0 + (i + 4) * n_in]
            w_4 = params[w0 + (i + 4) * n_in:w0 + (i + 5) * n_in]
            w_5 = params[w0 + (i + 5) * n_in:w0 + (i + 6) * n_in]
            w_6 = params[w0 + (i + 6) * n_in:w0 + (i + 7) * n_in]
            w_7 = params[w0 + (i + 7) * n_in:w0 + (i + 8) * n_in]
            s0 = 0.0
            s1 = 0.0
            s2 = 0.0
            s3 = 0.0
            s4 = 0.0
            s5 = 0.0
            s6 = 0.0
            s7 = 0.0
            for j in range(n_in):
                aj = a_in[j]
                s0 += w_0[j] * aj
                s1 += w_1[j] * aj
                s2 += w_2[j] * aj
                s3 += w_3[j] * aj
                s4 += w_4[j] * aj
                s5 += w_5[j] * aj
                s6 += w_6[j] * aj
                s7 += w_7[j] * aj
            z_out[i] = s0 + b[i]
            z_out[i + 1] = s1 + b[i + 1]
            z_out[i + 2] = s2 + b[i + 2]
            z_out[i + 3] = s3 + b[i + 3]
            z_out[i + 4] = s4 + b[i + 4]
            z_out[i + 5] = s5 + b[i + 5]
            z_out[i + 6] = s6 + b[i + 6]
            z_out[i + 7] = s7 + b[i + 7]
            i += 8
        while i + 4 <= n_out:
            w_0 = params[w0 + i * n_in:w0 + (i + 1) * n_in]
            w_1 = params[w0 + (i + 1) * n_in:w0 + (i + 2) * n_in]
            w_2 = params[w0 + (i + 2) * n_in:w0 + (i + 3) * n_in]
            w_3 = params[w0 + (i + 3) * n_in:w0 + (i + 4) * n_in]
            s0 = 0.0
            s1 = 0.0
            s2 = 0.0
            s3 = 0.0
            for j in range(n_in):
                aj = a_in[j]
                s0 += w_0[j] * aj
                s1 += w_1[j] * aj
                s2 += w_2[j] * aj
                s3 += w_3[j] * aj
            z_out[i] = s0 + b[i]
            z_out[i + 1] = s1 + b[i + 1]
            z_out[i + 2] = s2 + b[i + 2]
            z_out[i + 3] = s3 + b[i + 3]
            i += 4
        for rest in range(i, n_out):
            w_r = params[w0 + rest * n_in:w0 + (rest + 1) * n_in]
            s = 0.0
            for j in range(n_in):
                s += w_r[j] * a_in[j]
            z_out[rest] = s + b[rest]
        activate_all(code, beta, z_out, a[out:out + n_out])


@njit(**HELPER_FLAGS)
def example_cost(layers, betas, cost, z, a, y):
    """Cost of one example after ``forward``: mse 1/2 |a^L - y|^2, or cross-entropy.

    Cross-entropy -sum(y ln a + (1 - y) ln(1 - a)) is evaluated from z^L with
    ln a = -softplus(-beta z) and ln(1 - a) = -softplus(beta z), which is the same
    number but stays finite when a rounds to exactly 0 or 1.
    """
    top = layers.shape[0] - 1
    out = layers[top, NODE_OFFSET]
    beta = betas[top]
    c = 0.0
    for i in range(layers[top, SIZE]):
        if cost == CROSS_ENTROPY:
            t = beta * z[out + i]
            c += y[i] * softplus(-t) + (1.0 - y[i]) * softplus(t)
        else:
            diff = a[out + i] - y[i]
            c += 0.5 * diff * diff
    return c


@njit(**HELPER_FLAGS)
def deltas(layers, betas, cost, params, z, a, y, delta):
    """delta^L .. delta^1 for one example after ``forward``.

    Output layer: delta^L = (a^L - y) * sigma'(z^L) for mse. For cross-entropy on a
    sigmoid output, dC/da = (a - y) / (a (1 - a)) and sigma' = beta a (1 - a), so
    delta^L = beta (a^L - y): the a(1 - a) factor cancels exactly.
    """
    top = layers.shape[0] - 1
    out = layers[top, NODE_OFFSET]
    code = layers[top, ACTIVATION]
    beta = betas[top]
    for i in range(layers[top, SIZE]):
        k = out + i
        if cost == CROSS_ENTROPY:
            delta[k] = beta * (a[k] - y[i])
        else:
            delta[k] = (a[k] - y[i]) * slope(code, beta, z[k], a[k])

    for m in range(top - 1, 0, -1):
        # delta^m = (W^{m+1}^T delta^{m+1}) * sigma'(z^m), summed row by row of W^{m+1}
        # so that W is read contiguously.
        n_here = layers[m, SIZE]
        n_next = layers[m + 1, SIZE]
        here = layers[m, NODE_OFFSET]
        nxt = layers[m + 1, NODE_OFFSET]
        w0 = layers[m + 1, W_OFFSET]
        d_here = delta[here:here + n_here]
        d_next = delta[nxt:nxt + n_next]
        for j in range(n_here):
            d_here[j] = 0.0
        for i in range(n_next):
            d = d_next[i]
            w_i = params[w0 + i * n_here:w0 + (i + 1) * n_here]
            for j in range(n_here):
                d_here[j] += w_i[j] * d
        code = layers[m, ACTIVATION]
        beta = betas[m]
        z_here = z[here:here + n_here]
        a_here = a[here:here + n_here]
        for j in range(n_here):
            d_here[j] *= slope(code, beta, z_here[j], a_here[j])


@njit(**HELPER_FLAGS)
def backward(layers, betas, cost, params, z, a, y, delta, grad):
    """Backward pass for one example after ``forward``; adds dC/dtheta into ``grad``."""
    deltas(layers, betas, cost, params, z, a, y, delta)
    top = layers.shape[0] - 1
    for m in range(1, top + 1):
        # dC/dW^m_ij = delta^m_i a^{m-1}_j and dC/db^m_i = delta^m_i.
        n_out, n_in, w0, b0, out, inp, with_bias = layer_geometry(layers, m)
        a_in = a[inp:inp + n_in]
        d_out = delta[out:out + n_out]
        for i in range(n_out):
            d = d_out[i]
            g_i = grad[w0 + i * n_in:w0 + (i + 1) * n_in]
            for j in range(n_in):
                g_i[j] += d * a_in[j]
            if with_bias:
                grad[b0 + i] += d


@njit(**HELPER_FLAGS)
def backward_and_update(layers, betas, cost, params, velocity, z, a, y, delta, alpha,
                        momentum):
    """Online learning (batches of one) in one pass: deltas, then for every parameter
    g = dC/dtheta (delta^m_i a^{m-1}_j or delta^m_i), d = -alpha g + mu d_prev, theta += d.

    The same numbers as ``backward`` then ``apply_update`` with batch_len 1 (g / 1 is g),
    without writing and re-reading a gradient buffer. Returns False if anything stopped
    being finite."""
    deltas(layers, betas, cost, params, z, a, y, delta)
    top = layers.shape[0] - 1
    bad = False
    for m in range(1, top + 1):
        n_out, n_in, w0, b0, out, inp, with_bias = layer_geometry(layers, m)
        a_in = a[inp:inp + n_in]
        d_out = delta[out:out + n_out]
        for i in range(n_out):
            di = d_out[i]
            w_i = params[w0 + i * n_in:w0 + (i + 1) * n_in]
            v_i = velocity[w0 + i * n_in:w0 + (i + 1) * n_in]
            for j in range(n_in):
                step = -alpha * (di * a_in[j]) + momentum * v_i[j]
                v_i[j] = step
                p = w_i[j] + step
                w_i[j] = p
                bad |= (p - p) != 0.0
            # Without biases the gradient is 0 and so is the velocity: b stays 0.
            g = di if with_bias else 0.0
            step = -alpha * g + momentum * velocity[b0 + i]
            velocity[b0 + i] = step
            p = params[b0 + i] + step
            params[b0 + i] = p
            bad |= (p - p) != 0.0
    return not bad


@njit(**HELPER_FLAGS)
def apply_update(params, velocity, grad, alpha, momentum, batch_len):
    """Momentum step with the batch's mean gradient g = grad / batch_len:
    d = -alpha g + mu d_prev, theta += d. Clears ``grad``. Returns False if any
    parameter or velocity is no longer finite (the run diverged)."""
    # Non-finite x is exactly when x - x != 0 (inf - inf and nan - nan are nan): a compare,
    # not a call, ORed into an integer, so the loop has no branch and vectorises. The new
    # parameter alone is tested: p = old + d is not finite whenever d is not.
    bad = False
    if batch_len == 1:  # g = grad / 1 is grad itself: skip the division, same bits
        for k in range(params.shape[0]):
            d = -alpha * grad[k] + momentum * velocity[k]
            velocity[k] = d
            p = params[k] + d
            params[k] = p
            grad[k] = 0.0
            bad |= (p - p) != 0.0
    else:
        for k in range(params.shape[0]):
            g = grad[k] / batch_len
            d = -alpha * g + momentum * velocity[k]
            velocity[k] = d
            p = params[k] + d
            params[k] = p
            grad[k] = 0.0
            bad |= (p - p) != 0.0
    return not bad


@njit(**JIT_FLAGS)
def train_batches(layers, betas, cost, params, velocity, grad, z, a, delta,
                  X, Y, order, batch_size, first_batch, n_batches, alpha, momentum,
                  epoch_cost):
    """Run ``n_batches`` mini-batch updates; return how many ran before divergence.

    X : (n, N^0) inputs, Y : (n, N^L) targets.
    order : int64 (E, n), the example order of E consecutive epochs.
    Batches are numbered epoch by epoch: each epoch has ceil(n / B) batches, all of
    size B except possibly the last. Batch b is in epoch b // ceil(n / B) of ``order``.
    epoch_cost : float64 (E,), adds each example's cost (measured in the forward pass,
    before that batch's update) to its epoch's entry.

    Stops early, after the batch where the cost or a parameter stopped being finite.
    ``grad`` must be zero on entry and is zero on return.
    """
    n = order.shape[1]
    per_epoch = (n + batch_size - 1) // batch_size
    for t in range(n_batches):
        b = first_batch + t
        e = b // per_epoch
        start = (b - e * per_epoch) * batch_size
        stop = min(start + batch_size, n)
        batch_cost = 0.0
        if batch_size == 1:
            idx = order[e, start]
            forward(layers, betas, params, X[idx], z, a)
            batch_cost = example_cost(layers, betas, cost, z, a, Y[idx])
            epoch_cost[e] += batch_cost
            finite = backward_and_update(layers, betas, cost, params, velocity, z, a, Y[idx],
                                         delta, alpha, momentum)
            if not (finite and math.isfinite(batch_cost)):
                return t + 1
            continue
        for k in range(start, stop):
            idx = order[e, k]
            forward(layers, betas, params, X[idx], z, a)
            batch_cost += example_cost(layers, betas, cost, z, a, Y[idx])
            backward(layers, betas, cost, params, z, a, Y[idx], delta, grad)
        epoch_cost[e] += batch_cost
        finite = apply_update(params, velocity, grad, alpha, momentum, stop - start)
        if not (finite and math.isfinite(batch_cost)):
            return t + 1
    return n_batches


@njit(**HELPER_FLAGS)
def step_order_row(state):
    """The row of the step state's orders block that holds the current epoch's order, or
    -1 - s when the step cannot run and must return status s: 0 once the run has diverged,
    STEP_PENDING_FULL while finished epochs' costs wait, STEP_NEEDS_ORDERS when the block
    lacks the epoch."""
    if state[ST_DIVERGED] != 0:
        return -1
    if state[ST_PENDING] >= PENDING_EPOCHS:
        return -1 - STEP_PENDING_FULL
    row = 0 if state[ST_FIXED_ORDER] != 0 else state[ST_EPOCH] - state[ST_BLOCK_FIRST]
    if row < 0 or row >= state[ST_BLOCK_EPOCHS]:
        return -1 - STEP_NEEDS_ORDERS
    return row


@njit(**HELPER_FLAGS)
def finish_step(state, data, seen, last, batch_cost, finite):
    """Advance the step state's counters past one batch of ``seen`` examples, the last one
    example ``last``, that cost ``batch_cost``; on an epoch's last batch move its summed
    cost to the pending ones. Returns the step's status (``kernels.layout``)."""
    data[SD_PARTIAL_COST] += batch_cost
    state[ST_UPDATES] += 1
    state[ST_SEEN] += seen
    state[ST_LAST] = last
    status = STEP_RAN
    batch_size = state[ST_BATCH_SIZE]
    batch = state[ST_BATCH]
    if batch + 1 == (state[ST_N] + batch_size - 1) // batch_size:
        state[ST_EPOCH] += 1
        state[ST_BATCH] = 0
        pending = state[ST_PENDING]
        data[SD_PENDING + pending] = data[SD_PARTIAL_COST]
        data[SD_PARTIAL_COST] = 0.0
        state[ST_PENDING] = pending + 1
        if pending + 1 == PENDING_EPOCHS:
            status |= STEP_PENDING_FULL
    else:
        state[ST_BATCH] = batch + 1
    if not (finite and math.isfinite(batch_cost)):
        state[ST_DIVERGED] = 1
        status |= STEP_DIVERGED
    return status


@njit(**JIT_FLAGS)
def step(state, buffer, data):
    """One update (the next batch) of ``train_batches``, with everything packed in three
    arrays, so that a call from Python costs little more than the update itself.

    state : int64, the step state (``kernels.layout``: counters, layer table, orders);
    buffer : float64, a Network's buffer (params, velocity, grad, z, a, delta, betas);
    data : float64, alpha, momentum, the epoch's partial cost and the last finished
    epoch's cost, then X and Y.

    The same operations in the same order as ``train_batches`` (so the same bits), and
    the counters advanced as a Session advances them. Returns 0 if the run had already
    diverged (nothing runs), STEP_NEEDS_ORDERS if the orders block lacks the current
    epoch (nothing runs), otherwise STEP_RAN, plus STEP_DIVERGED when the cost or a
    parameter stopped being finite. A finished epoch's summed cost is appended to the
    pending costs in data (``kernels.layout``); STEP_PENDING_FULL says that those must be
    taken out before the next step.
    """
    row = step_order_row(state)
    if row < 0:
        return -1 - row
    n = state[ST_N]
    rows = state[ST_ROWS]
    layers = state[ST_HEADER:ST_HEADER + rows * N_COLUMNS].reshape((rows, N_COLUMNS))
    order = state[ST_HEADER + rows * N_COLUMNS + row * n:ST_HEADER + rows * N_COLUMNS
                  + (row + 1) * n]
    n_params = state[ST_N_PARAMS]
    nodes = state[ST_N_NODES]
    params = buffer[:n_params]
    velocity = buffer[n_params:2 * n_params]
    grad = buffer[2 * n_params:3 * n_params]
    z = buffer[3 * n_params:3 * n_params + nodes]
    a = buffer[3 * n_params + nodes:3 * n_params + 2 * nodes]
    delta = buffer[3 * n_params + 2 * nodes:3 * n_params + 3 * nodes]
    betas = buffer[3 * n_params + 3 * nodes:3 * n_params + 3 * nodes + rows]
    n_in = layers[0, SIZE]
    n_out = layers[rows - 1, SIZE]
    X = data[SD_HEADER:SD_HEADER + n * n_in]
    Y = data[SD_HEADER + n * n_in:SD_HEADER + n * (n_in + n_out)]
    alpha = data[SD_ALPHA]
    momentum = data[SD_MOMENTUM]
    cost = state[ST_COST]

    batch_size = state[ST_BATCH_SIZE]
    start = state[ST_BATCH] * batch_size
    stop = min(start + batch_size, n)
    batch_cost = 0.0
    if batch_size == 1:
        idx = order[start]
        y = Y[idx * n_out:(idx + 1) * n_out]
        forward(layers, betas, params, X[idx * n_in:(idx + 1) * n_in], z, a)
        batch_cost = example_cost(layers, betas, cost, z, a, y)
        finite = backward_and_update(layers, betas, cost, params, velocity, z, a, y, delta,
                                     alpha, momentum)
    else:
        for k in range(start, stop):
            idx = order[k]
            y = Y[idx * n_out:(idx + 1) * n_out]
            forward(layers, betas, params, X[idx * n_in:(idx + 1) * n_in], z, a)
            batch_cost += example_cost(layers, betas, cost, z, a, y)
            backward(layers, betas, cost, params, z, a, y, delta, grad)
        finite = apply_update(params, velocity, grad, alpha, momentum, stop - start)
    return finish_step(state, data, stop - start, order[stop - 1], batch_cost, finite)


@njit(**JIT_FLAGS)
def evaluate(layers, betas, cost, params, z, a, X, Y, outputs, costs):
    """Forward every example with the current weights.

    outputs : (n, N^L) receives a^L per example; costs : (n,) each example's cost.
    Returns the mean cost over the data set (the loss).
    """
    top = layers.shape[0] - 1
    out = layers[top, NODE_OFFSET]
    total = 0.0
    for idx in range(X.shape[0]):
        forward(layers, betas, params, X[idx], z, a)
        for i in range(layers[top, SIZE]):
            outputs[idx, i] = a[out + i]
        c = example_cost(layers, betas, cost, z, a, Y[idx])
        costs[idx] = c
        total += c
    return total / X.shape[0]


@njit(**JIT_FLAGS)
def mean_gradient(layers, betas, cost, params, z, a, delta, X, Y, indices, grad):
    """grad = mean over X[indices] of dC/dtheta; returns the mean cost of those examples."""
    for k in range(grad.shape[0]):
        grad[k] = 0.0
    total = 0.0
    for t in range(indices.shape[0]):
        idx = indices[t]
        forward(layers, betas, params, X[idx], z, a)
        total += example_cost(layers, betas, cost, z, a, Y[idx])
        backward(layers, betas, cost, params, z, a, Y[idx], delta, grad)
    for k in range(grad.shape[0]):
        grad[k] /= indices.shape[0]
    return total / indices.shape[0]


@njit(**JIT_FLAGS)
def mean_cost(layers, betas, cost, params, z, a, X, Y, indices):
    """Mean cost over X[indices] with the current weights (for finite differences)."""
    total = 0.0
    for t in range(indices.shape[0]):
        idx = indices[t]
        forward(layers, betas, params, X[idx], z, a)
        total += example_cost(layers, betas, cost, z, a, Y[idx])
    return total / indices.shape[0]


@njit(**JIT_FLAGS)
def relu_pattern(layers, betas, params, z, a, X, indices, pattern):
    """pattern (len(indices), total nodes) uint8: 1 where a relu node has z > 0.

    Finite differences are only valid where a perturbation does not move any relu
    pre-activation across its kink at 0; comparing patterns finds the places where it does.
    """
    n_layers = layers.shape[0] - 1
    for t in range(indices.shape[0]):
        forward(layers, betas, params, X[indices[t]], z, a)
        for m in range(1, n_layers + 1):
            if layers[m, ACTIVATION] == RELU:
                out = layers[m, NODE_OFFSET]
                for i in range(layers[m, SIZE]):
                    pattern[t, out + i] = 1 if z[out + i] > 0.0 else 0


@njit(parallel=True, **JIT_FLAGS)
def train_many(layers, betas, cost, params, velocity, grad, z, a, delta, X, Y, orders,
               batch_size, first_batch, n_batches, alpha, momentum, epoch_cost, ran):
    """``train_batches`` for R independent networks of one architecture, in parallel.

    params, velocity, grad : (R, P); z, a, delta : (R, total nodes);
    orders : (R, E, n), each network's own example orders; epoch_cost : (R, E);
    ran : (R,) receives each network's number of batches run (less where it diverged).
    """
    for r in prange(params.shape[0]):
        ran[r] = train_batches(layers, betas, cost, params[r], velocity[r], grad[r], z[r],
                               a[r], delta[r], X, Y, orders[r], batch_size, first_batch,
                               n_batches, alpha, momentum, epoch_cost[r])


def all_kernels():
    """The dispatchers a caller runs directly (for checks that they really compiled)."""
    return {
        "train_batches": train_batches,
        "evaluate": evaluate,
        "mean_gradient": mean_gradient,
        "mean_cost": mean_cost,
        "relu_pattern": relu_pattern,
    }


