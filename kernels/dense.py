"""Per-example backpropagation for fully connected networks of any depth (Numba).

All kernels live in this one module on purpose: numba's on-disk cache does not notice
an edit to a jitted callee in another module (numba#8396).

Notation (README): W^m has shape (N^m, N^{m-1}), b^m has shape (N^m,),

    z^m = W^m a^{m-1} + b^m,      a^m = sigma^m(z^m),      a^0 = x,
    delta^L = dC/da^L * sigma'(z^L),
    delta^m = (W^{m+1}^T delta^{m+1}) * sigma'(z^m),          m = L-1 .. 1,
    dC/dW^m = delta^m (a^{m-1})^T,   dC/db^m = delta^m,
    d = -alpha * g + mu * d_prev,    theta += d        (momentum; sgd is mu = 0),

or another update rule (nesterov, adagrad, rmsprop, adam, any of them with L2 weight decay;
``apply_rule``, formulas in ``core.optimizers``).

Arguments that describe the network (see ``kernels.layout``):
    layers : int64 (L + 1, N_COLUMNS), the layer table
    betas  : float64 (L + 1,), sigmoid steepness per layer (unused for other activations)
    cost   : int, MSE or CROSS_ENTROPY
    params, velocity, grad : float64 (P,), flat parameter, momentum and gradient buffers
    z, a, delta : float64 (total nodes,), per-node work buffers

Kernels write into the arrays they are given and allocate nothing, except the
column-stored working copies of long online runs (``train_online_by_columns``).

The paths of the update. The same update (the formulas above; every dot product summed
from 0.0 in index order, then the bias added; the same expressions for sigma, sigma', the
costs and the momentum step; fastmath off) is written out in several places, each the
fastest for one kind of call (figures: README, Performance). All give the same numbers bit
for bit, so a run may move from one to another between any two calls:

- ``train_batches`` (here): any architecture; it is what the others are held to. It runs
  one of three kernels, each a path of its own: ``train_minibatches`` for batches of more
  than one (``forward``, ``backward`` and ``apply_update``), ``train_online_by_rows`` for
  online calls of fewer than ``COLUMNS_MIN_UPDATES`` updates (``backward_and_update``,
  which skips writing and re-reading the gradient) and ``train_online_by_columns`` for
  longer ones. Networks of more than ``specialize.MAX_PARAMETERS`` parameters train on
  those three, chosen in Python by ``kernels.general_train_batches`` (the same choice), so
  that only the kernel a run takes is compiled; compiling ``train_batches`` compiles all
  three.
- ``train_online_by_columns`` (here): the weights are stored by columns, and the next
  example's forward pass rides along with the update. It took 64-128-64-10 from about 8x
  to 10x the reference (its target).
- ``step`` (here): the next batch of ``train_batches``, with everything packed in three
  arrays, so that a single step from Python (a key press in the app) is one cheap call. It
  calls the same helpers as ``train_batches``.
- the generated ``train_batches`` and ``step`` (``kernels.specialize``), for networks of
  at most ``specialize.MAX_PARAMETERS`` parameters: every value a local variable, every
  loop unrolled; batches of one take ``train_online``, written for that case alone (no
  gradient sums, counters instead of a division, finiteness tested through z, sums from
  their first term, each epoch's order drawn beside the updates of the epoch before:
  ``kernels.drawing_trainer``). XOR 2-3-1 through ``train``'s path, drawing its orders,
  trains at 0.96-0.98 of the speed of a hand-written kernel handed them
  (``cli.yardstick``), and a single step of it costs about 0.6 us from Python (target 1 us).
- the generated ``train_lanes_online`` and ``train_lanes``, which the generated
  ``train_many`` runs for blocks of ``specialize.ONLINE_LANES`` networks (batches of one,
  ``restarts``' default) or ``specialize.LANES`` (larger batches): the networks as the
  lanes of vector registers. ``train_lanes_online`` is written for batches of one, as
  ``train_online`` is, with two copies of its update side by side (README, Performance,
  for the figures). The networks left over train in a last block, whose spare lanes train
  copies of the last network. (``train_many`` here runs this module's ``train_batches``
  for each network.)

The update rules other than plain momentum and sgd (``kernels.layout``'s rule codes) take
one path of their own, so that the momentum paths above stay as they were and a rule is
compiled only when a run uses it: ``train_rule`` (``forward``, ``backward``, then
``apply_rule`` once per batch, of one example too), ``step_rule`` (its next batch, on the
packed arrays) and ``train_many_rule``; the generated ones (``kernels.specialize``) write
the forward and backward passes out and call the same ``apply_rule`` on the arrays, so
general and generated agree bit for bit. The rule's state is ``velocity`` and ``second``
(P,), and t, the updates since the state was zero, in a one-element array ``steps`` (in a
Network's buffer after ``second``; the momentum kernels leave it to the caller, except
``step``, which advances it). tests/test_optimizer_kernels.py holds every rule to the
NumPy reference and the general and generated kernels to each other.

The tests that hold them equal: tests/test_compile_paths.py compares
``kernels.general_train_batches`` with ``train_batches``, bit for bit, on each path;
tests/test_kernels.py compares ``train_batches`` with the
NumPy reference (to 1e-12, mini-batches and online) and ``train_online_by_columns`` with
one-update calls, bit for bit, through divergence too; tests/test_restarts_bench.py the
generated ``train_batches`` with this one (bit for bit) and the reference, a run that
alternates between them, ``train_many``'s lanes with networks trained alone, and restarts
with single runs; tests/test_session.py single steps (generated and general ``step``) with
one call of ``train_batches``, through divergence too, and the two ``step`` kernels with
each other; tests/test_generate.py the generated ``train_batches``, ``step`` and
``train_many`` with this module's kernels for every activation, both costs, with and
without biases.
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from .config import HELPER_FLAGS, INNER_FLAGS, JIT_FLAGS
from .layout import (
    ACTIVATION,
    ADAGRAD,
    ADAM,
    B_OFFSET,
    CROSS_ENTROPY,
    HAS_BIAS,
    MOMENTUM,
    N_COLUMNS,
    NESTEROV,
    NODE_OFFSET,
    PENDING_EPOCHS,
    R_ALPHA,
    R_BETA1,
    R_BETA2,
    R_CODE,
    R_DECAY,
    R_DECAY_BIASES,
    R_EPS,
    R_MOMENTUM,
    R_RHO,
    RELU,
    RULE_SIZE,
    SD_ALPHA,
    SD_HEADER,
    SD_MOMENTUM,
    SD_PARTIAL_COST,
    SD_PENDING,
    SD_RULE,
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
from .shuffle import chunk_epochs, fill_orders
from .threads import run_ranges


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
_E8, _E9, _E10, _E11, _E12, _E13 = (
    1 / 40320,
    1 / 362880,
    1 / 3628800,
    1 / 39916800,
    1 / 479001600,
    1 / 6227020800,
)


@intrinsic
def fma(typingctx, x, y, c):
    """x * y + c rounded once (IEEE 754 fusedMultiplyAdd, ``llvm.fma``): one instruction
    where the CPU has FMA, the same number everywhere. It is not a fastmath contraction:
    each use is written out, so results do not depend on the compiler's choices."""

    def codegen(context, builder, signature, args):
        double = ir.DoubleType()
        fused = builder.module.declare_intrinsic(
            "llvm.fma", [double], ir.FunctionType(double, [double, double, double])
        )
        return builder.call(fused, args)

    return types.float64(types.float64, types.float64, types.float64), codegen


@njit(**HELPER_FLAGS)
def exp(x):
    """e^x within 1 ulp of libm's, without a call: it vectorises, and a loop that calls it
    keeps its values in registers (a libm call clobbers every vector register).

    e^x = 2^k e^r with k = round(x / ln 2), r = x - k ln 2 in [-ln2/2, ln2/2]; e^r from
    its Taylor series (Estrin's scheme with fused multiply-adds: a short dependency chain,
    since one e^x or two lie on the path from one example's update to the next), 2^k built
    from its bits in two halves so that results down to the subnormals come out right.
    Beyond where e^x goes to inf or 0 those are returned, chosen at the end, off the
    chain; nan stays nan.
    """
    t = fma(x, _INV_LN2, _ROUND)
    kd = t - _ROUND
    k = float_bits(t) - float_bits(_ROUND)
    r = fma(-kd, _LN2_LO, fma(-kd, _LN2_HI, x))
    r2 = r * r
    r4 = r2 * r2
    q0 = fma(fma(_E5, r, _E4), r2, fma(_E3, r, _E2))
    q1 = fma(fma(_E9, r, _E8), r2, fma(_E7, r, _E6))
    q2 = fma(fma(_E13, r, _E12), r2, fma(_E11, r, _E10))
    q = fma(q2, r4 * r4, fma(q1, r4, q0))
    p = 1.0 + fma(r2, q, r)  # one rounding of the sum near 1, at the end
    k1 = k >> 1
    e = p * bits_float((k1 + 1023) << 52) * bits_float((k - k1 + 1023) << 52)
    e = math.inf if x > 709.8 else e
    return 0.0 if x < -745.2 else e


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


@njit(**INNER_FLAGS)
def slope(code, beta, z, a):
    """sigma'(z), written with a = sigma(z): beta a(1 - a), 1 - a^2, [z > 0] or 1."""
    if code == SIGMOID:
        return beta * a * (1.0 - a)
    if code == TANH:
        return 1.0 - a * a
    if code == RELU:
        return 1.0 if z > 0.0 else 0.0
    return 1.0


@njit(**INNER_FLAGS)
def softplus(t):
    """ln(1 + e^t) without overflow."""
    if t > 0.0:
        return t + math.log1p(exp(-t))
    return math.log1p(exp(t))


@njit(**INNER_FLAGS)
def layer_geometry(layers, m):
    """Layer m's (N^m, N^{m-1}, W^m offset, b^m offset, its first node, the first node of
    layer m-1, whether it has biases), from the layer table."""
    return (
        layers[m, SIZE],
        layers[m - 1, SIZE],
        layers[m, W_OFFSET],
        layers[m, B_OFFSET],
        layers[m, NODE_OFFSET],
        layers[m - 1, NODE_OFFSET],
        layers[m, HAS_BIAS] != 0,
    )


class _IR:
    """What the vector kernels written in LLVM IR (``_row_blocks``, ``update_tiles``,
    ``tile_blocks``) share: their types, and a builder's index constants, lane orders, a
    double broadcast to four lanes and element addresses."""

    double, i32, i64 = ir.DoubleType(), ir.IntType(32), ir.IntType(64)
    quad, pair = ir.VectorType(double, 4), ir.VectorType(double, 2)
    undefined = ir.Constant(quad, ir.Undefined)

    def __init__(self, builder: ir.IRBuilder) -> None:
        self.builder = builder

    def const(self, k: int) -> ir.Constant:
        """k as a 64-bit index."""
        return ir.Constant(self.i64, k)

    def lanes(self, *order: int) -> ir.Constant:
        """A shuffle mask: the lanes ``order`` picks."""
        return ir.Constant(ir.VectorType(self.i32, len(order)), order)

    def splat(self, value: ir.Value) -> ir.Value:
        """A double in all four lanes."""
        one = self.builder.insert_element(self.undefined, value, ir.Constant(self.i32, 0))
        return self.builder.shuffle_vector(one, self.undefined, self.lanes(0, 0, 0, 0))

    def at(self, ptr: ir.Value, k: ir.Value) -> ir.Value:
        """The address of element k of ``ptr``."""
        return self.builder.gep(ptr, [k])


#: Rows of w that ``rows_dot`` sums side by side: ``ROW_GROUP`` blocks of four.
ROW_GROUP = 4


def _row_blocks(group):
    """An intrinsic ``f(w, first, n_groups, n_cols, x, out)``: for the rows r = first ..
    first + 4 group n_groups - 1 of a row-major (n_rows, n_cols) matrix w (flat),
    out[r] = sum_j w[r, j] x[j], each summed from 0.0 in index order j = 0, 1, ... as a
    lone dot product is (a separate multiply and add per term, no reassociation).

    Row r's sum runs in one lane of a 4-wide vector, so four rows add their j-th terms
    in one instruction: a 4 x 4 tile of w (rows r..r+3, columns j..j+3) is loaded in
    halves and transposed in registers (two half-rows per vector, then unpack low and
    high), which gives the column vectors w[r..r+3, j], ... , w[r..r+3, j+3] in turn.
    ``group`` such tiles are in flight at once, so that the additions of one wait on
    the latency of nothing but their own. Columns past the last multiple of four are
    gathered one element at a time. LLVM's vectorisers cannot do this themselves: the
    terms of a row are a chain, and the vector runs across rows.

    No bounds are checked: the caller passes w of at least (first + 4 group n_groups)
    n_cols elements, x of n_cols and out of first + 4 group n_groups.
    """

    @intrinsic
    def row_blocks(typingctx, w, first, n_groups, n_cols, x, out):
        def codegen(context, builder, signature, args):
            w_arr, first_v, groups_v, cols_v, x_arr, out_arr = args
            w_ptr = context.make_array(signature.args[0])(context, builder, w_arr).data
            x_ptr = context.make_array(signature.args[4])(context, builder, x_arr).data
            out_ptr = context.make_array(signature.args[5])(context, builder, out_arr).data
            i32, quad, pair, undefined = _IR.i32, _IR.quad, _IR.pair, _IR.undefined
            ir_ = _IR(builder)
            const, lanes, splat, at = ir_.const, ir_.lanes, ir_.splat, ir_.at

            sums = [cgutils.alloca_once(builder, quad) for _ in range(group)]
            quads = builder.udiv(cols_v, const(4))
            with cgutils.for_range(builder, groups_v) as grp:
                row0 = builder.add(first_v, builder.mul(grp.index, const(4 * group)))
                # starts[b][r]: where row r of tile b begins in w
                starts = []
                for b in range(group):
                    builder.store(ir.Constant(quad, [0.0] * 4), sums[b])
                    top = builder.add(row0, const(4 * b))
                    starts.append(
                        [builder.mul(builder.add(top, const(r)), cols_v) for r in range(4)]
                    )
                with cgutils.for_range(builder, quads) as blk:
                    j0 = builder.mul(blk.index, const(4))
                    xs = [
                        splat(builder.load(at(x_ptr, builder.add(j0, const(k))))) for k in range(4)
                    ]
                    for b in range(group):

                        def half(r, k, b=b):
                            ptr = at(w_ptr, builder.add(starts[b][r], builder.add(j0, const(k))))
                            return builder.load(builder.bitcast(ptr, pair.as_pointer()), align=8)

                        # (w[r, j], w[r, j+1], w[r+2, j], w[r+2, j+1]) and so on
                        both = lanes(0, 1, 2, 3)
                        low02 = builder.shuffle_vector(half(0, 0), half(2, 0), both)
                        low13 = builder.shuffle_vector(half(1, 0), half(3, 0), both)
                        high02 = builder.shuffle_vector(half(0, 2), half(2, 2), both)
                        high13 = builder.shuffle_vector(half(1, 2), half(3, 2), both)
                        columns = (
                            builder.shuffle_vector(low02, low13, lanes(0, 4, 2, 6)),
                            builder.shuffle_vector(low02, low13, lanes(1, 5, 3, 7)),
                            builder.shuffle_vector(high02, high13, lanes(0, 4, 2, 6)),
                            builder.shuffle_vector(high02, high13, lanes(1, 5, 3, 7)),
                        )
                        total = builder.load(sums[b])
                        for k in range(4):  # j, j+1, j+2, j+3: index order
                            total = builder.fadd(total, builder.fmul(columns[k], xs[k]))
                        builder.store(total, sums[b])
                rest = builder.mul(quads, const(4))
                with cgutils.for_range_slice(builder, rest, cols_v, const(1)) as (j, _):
                    xj = splat(builder.load(at(x_ptr, j)))
                    for b in range(group):
                        column = undefined
                        for r in range(4):
                            wj = builder.load(at(w_ptr, builder.add(starts[b][r], j)))
                            column = builder.insert_element(column, wj, ir.Constant(i32, r))
                        total = builder.fadd(builder.load(sums[b]), builder.fmul(column, xj))
                        builder.store(total, sums[b])
                for b in range(group):
                    dst = at(out_ptr, builder.add(row0, const(4 * b)))
                    builder.store(
                        builder.load(sums[b]), builder.bitcast(dst, quad.as_pointer()), align=8
                    )
            return context.get_dummy_value()

        return types.none(w, first, n_groups, n_cols, x, out), codegen

    return row_blocks


row_groups = _row_blocks(ROW_GROUP)
row_quads = _row_blocks(1)


@njit(**INNER_FLAGS)
def rows_dot(w, n_rows, n_cols, x, out):
    """out[r] = sum_j w[r, j] x[j] for the rows of a row-major (n_rows, n_cols) matrix w
    (flat), each summed in index order from 0.0 as one dot product alone would be.

    The rows four to a vector (``_row_blocks``): ``4 ROW_GROUP`` rows at a time, then
    four, then the last few one by one. The same result bit for bit as a dot product per
    row, without fastmath: each row's terms are added in order, only the rows run side by
    side.
    """
    groups = n_rows // (4 * ROW_GROUP)
    row_groups(w, 0, groups, n_cols, x, out)
    first = 4 * ROW_GROUP * groups
    quads = (n_rows - first) // 4
    row_quads(w, first, quads, n_cols, x, out)
    for rest in range(first + 4 * quads, n_rows):
        # Slices, not offsets: indices known to be >= 0 need no wraparound test.
        w_r = w[rest * n_cols : (rest + 1) * n_cols]
        s = 0.0
        for j in range(n_cols):
            s += w_r[j] * x[j]
        out[rest] = s


@njit(**INNER_FLAGS)
def forward(layers, betas, params, x, z, a):
    """Forward pass for one example x (N^0,): fills z^m and a^m for m = 1..L."""
    n_layers = layers.shape[0] - 1
    for j in range(layers[0, SIZE]):
        a[j] = x[j]
    for m in range(1, n_layers + 1):
        n_out, n_in, w0, b0, out, inp, _ = layer_geometry(layers, m)
        code = layers[m, ACTIVATION]
        beta = betas[m]
        z_out = z[out : out + n_out]
        rows_dot(params[w0 : w0 + n_out * n_in], n_out, n_in, a[inp : inp + n_in], z_out)
        b = params[b0 : b0 + n_out]
        for i in range(n_out):
            z_out[i] += b[i]  # z = (W a) + b, rounded as s + b
        activate_all(code, beta, z_out, a[out : out + n_out])


@njit(**INNER_FLAGS)
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


@njit(**INNER_FLAGS)
def output_delta(layers, betas, cost, z, a, y, delta):
    """delta^L for one example after ``forward``.

    mse: delta^L = (a^L - y) * sigma'(z^L). For cross-entropy on a sigmoid output,
    dC/da = (a - y) / (a (1 - a)) and sigma' = beta a (1 - a), so delta^L = beta (a^L - y):
    the a(1 - a) factor cancels exactly.
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


@njit(**INNER_FLAGS)
def times_slope(layers, betas, m, z, a, delta):
    """delta^m *= sigma'(z^m), the last step of delta^m = (W^{m+1}^T delta^{m+1}) * sigma'(z^m)."""
    here = layers[m, NODE_OFFSET]
    n_here = layers[m, SIZE]
    code = layers[m, ACTIVATION]
    beta = betas[m]
    z_here = z[here : here + n_here]
    a_here = a[here : here + n_here]
    d_here = delta[here : here + n_here]
    for j in range(n_here):
        d_here[j] *= slope(code, beta, z_here[j], a_here[j])


@njit(**INNER_FLAGS)
def deltas(layers, betas, cost, params, z, a, y, delta):
    """delta^L .. delta^1 for one example after ``forward`` (see ``output_delta``)."""
    output_delta(layers, betas, cost, z, a, y, delta)
    top = layers.shape[0] - 1
    for m in range(top - 1, 0, -1):
        # delta^m = (W^{m+1}^T delta^{m+1}) * sigma'(z^m), summed row by row of W^{m+1}
        # so that W is read contiguously.
        n_here = layers[m, SIZE]
        n_next = layers[m + 1, SIZE]
        here = layers[m, NODE_OFFSET]
        nxt = layers[m + 1, NODE_OFFSET]
        w0 = layers[m + 1, W_OFFSET]
        d_here = delta[here : here + n_here]
        d_next = delta[nxt : nxt + n_next]
        for j in range(n_here):
            d_here[j] = 0.0
        for i in range(n_next):
            d = d_next[i]
            w_i = params[w0 + i * n_here : w0 + (i + 1) * n_here]
            for j in range(n_here):
                d_here[j] += w_i[j] * d
        times_slope(layers, betas, m, z, a, delta)


@njit(**INNER_FLAGS)
def backward(layers, betas, cost, params, z, a, y, delta, grad):
    """Backward pass for one example after ``forward``; adds dC/dtheta into ``grad``."""
    deltas(layers, betas, cost, params, z, a, y, delta)
    top = layers.shape[0] - 1
    for m in range(1, top + 1):
        # dC/dW^m_ij = delta^m_i a^{m-1}_j and dC/db^m_i = delta^m_i.
        n_out, n_in, w0, b0, out, inp, with_bias = layer_geometry(layers, m)
        a_in = a[inp : inp + n_in]
        d_out = delta[out : out + n_out]
        for i in range(n_out):
            d = d_out[i]
            g_i = grad[w0 + i * n_in : w0 + (i + 1) * n_in]
            for j in range(n_in):
                g_i[j] += d * a_in[j]
            if with_bias:
                grad[b0 + i] += d


@njit(**INNER_FLAGS)
def backward_and_update(layers, betas, cost, params, velocity, z, a, y, delta, alpha, momentum):
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
        a_in = a[inp : inp + n_in]
        d_out = delta[out : out + n_out]
        for i in range(n_out):
            di = d_out[i]
            w_i = params[w0 + i * n_in : w0 + (i + 1) * n_in]
            v_i = velocity[w0 + i * n_in : w0 + (i + 1) * n_in]
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


@njit(**INNER_FLAGS)
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


@njit(**INNER_FLAGS)
def rule_range(code, rule, r1, r2, lam, theta, velocity, second, grad, inv_b):
    """The update of one run of parameters ``theta`` (a layer's weights or its biases) by
    the rule with code ``code`` (``apply_rule``), each parameter alone: g = grad inv_b +
    lam theta (inv_b = 1 / the batch's length), then the rule's d (core.optimizers), theta
    += d. ``r1``, ``r2`` are 1 / (1 - beta1^t) and 1 / (1 - beta2^t), Adam's bias
    corrections. Clears ``grad``; returns True if a parameter or a state value is not
    finite. One loop per rule, each without a branch inside, which LLVM vectorises; a
    division or a square root costs several multiplications, so each rule has as few as
    its formula needs: Adam's m^ = m / (1 - beta1^t) is m r1 (within an ulp, as g is)."""
    alpha = rule[R_ALPHA]
    mu = rule[R_MOMENTUM]
    eps = rule[R_EPS]
    bad = False
    if code <= MOMENTUM:  # sgd, momentum: v = mu v - alpha g (mu 0 for sgd); d = v
        for k in range(theta.shape[0]):
            g = grad[k] * inv_b + lam * theta[k]
            d = -alpha * g + mu * velocity[k]
            velocity[k] = d
            p = theta[k] + d
            theta[k] = p
            grad[k] = 0.0
            bad |= (p - p) != 0.0
    elif code == NESTEROV:  # v = mu v - alpha g; d = mu v - alpha g (the new v)
        for k in range(theta.shape[0]):
            g = grad[k] * inv_b + lam * theta[k]
            v = -alpha * g + mu * velocity[k]
            velocity[k] = v
            d = -alpha * g + mu * v
            second[k] = d  # unused by the rule: kept to show as the last change
            p = theta[k] + d
            theta[k] = p
            grad[k] = 0.0
            bad |= (p - p) != 0.0
    elif code == ADAM:
        beta1 = rule[R_BETA1]
        beta2 = rule[R_BETA2]
        for k in range(theta.shape[0]):
            g = grad[k] * inv_b + lam * theta[k]
            m = beta1 * velocity[k] + (1.0 - beta1) * g
            s = beta2 * second[k] + (1.0 - beta2) * g * g
            velocity[k] = m
            second[k] = s
            p = theta[k] + -alpha * (m * r1) / (math.sqrt(s * r2) + eps)
            theta[k] = p
            grad[k] = 0.0
            bad |= ((p - p) + (m - m) + (s - s)) != 0.0
    else:  # adagrad: G = G + g^2, rmsprop: s = rho s + (1 - rho) g^2; d = -alpha g / (sqrt + eps)
        rho = 1.0 if code == ADAGRAD else rule[R_RHO]
        fresh = 1.0 if code == ADAGRAD else 1.0 - rho
        for k in range(theta.shape[0]):
            g = grad[k] * inv_b + lam * theta[k]
            s = rho * second[k] + fresh * g * g
            second[k] = s
            d = -alpha * g / (math.sqrt(s) + eps)
            velocity[k] = d
            p = theta[k] + d
            theta[k] = p
            grad[k] = 0.0
            bad |= ((p - p) + (s - s)) != 0.0
    return bad


@njit(**INNER_FLAGS)
def apply_rule(layers, params, velocity, second, grad, rule, steps, batch_len):
    """One update of every parameter by the rule ``rule`` (float64 (RULE_SIZE,),
    ``kernels.layout``) from the batch's gradient sums ``grad`` over ``batch_len`` examples,
    with the state ``velocity`` and ``second`` (P,) and t in ``steps[0]`` (advanced by one
    first: Adam's bias corrections use this update's number). The weight decay lambda
    applies to the weights, and to the biases if the rule says so. Clears ``grad``. Returns
    False if a parameter or a state value is no longer finite (the run diverged).

    Every rule but plain momentum and sgd takes this path, per example and per batch, in
    the general and the generated kernels alike (which call it), so they agree bit for bit.
    """
    t = steps[0] + 1.0
    steps[0] = t
    code = int(rule[R_CODE])
    r1 = 1.0 / (1.0 - rule[R_BETA1] ** t)
    r2 = 1.0 / (1.0 - rule[R_BETA2] ** t)
    inv_b = 1.0 / batch_len
    lam = rule[R_DECAY]
    lam_b = lam if rule[R_DECAY_BIASES] != 0.0 else 0.0
    bad = False
    for m in range(1, layers.shape[0]):
        n_out, n_in, w0, b0, _, _, _ = layer_geometry(layers, m)
        w1 = w0 + n_out * n_in
        bad |= rule_range(
            code,
            rule,
            r1,
            r2,
            lam,
            params[w0:w1],
            velocity[w0:w1],
            second[w0:w1],
            grad[w0:w1],
            inv_b,
        )
        b1 = b0 + n_out
        bad |= rule_range(
            code,
            rule,
            r1,
            r2,
            lam_b,
            params[b0:b1],
            velocity[b0:b1],
            second[b0:b1],
            grad[b0:b1],
            inv_b,
        )
    return not bad


#: Online runs of at least this many updates in one call train on a copy of the weights
#: stored column by column (``train_online_by_columns``); converting costs a few updates.
COLUMNS_MIN_UPDATES = 16


#: Rows of W^m per tile in the column-stored copy (``weights_by_columns``): the fused
#: update (``update_tiles``) keeps a tile's z^m_next in two 4-wide registers.
TILE = 8


@njit(**INNER_FLAGS)
def to_tiles(src, n_rows, n_cols, dst):
    """dst = the row-major (n_rows, n_cols) src (flat) in tiles of ``TILE`` rows (the last
    one the n_rows mod TILE left over), one after the other, each stored column by
    column: the element (i, j) of the tile of h rows starting at row i0 goes to
    dst[i0 n_cols + j h + (i - i0)]. With n_rows <= TILE that is src^T, row-major.
    Written in order, read with a stride (stores that each start a new cache line cost
    more)."""
    for i0 in range(0, n_rows, TILE):
        h = min(TILE, n_rows - i0)
        tile = dst[i0 * n_cols : (i0 + h) * n_cols]
        for j in range(n_cols):
            for r in range(h):
                tile[j * h + r] = src[(i0 + r) * n_cols + j]


@njit(**INNER_FLAGS)
def from_tiles(src, n_rows, n_cols, dst):
    """The inverse of ``to_tiles``: dst (n_rows, n_cols), row-major, from its tiles."""
    for i0 in range(0, n_rows, TILE):
        h = min(TILE, n_rows - i0)
        tile = src[i0 * n_cols : (i0 + h) * n_cols]
        for r in range(h):
            row = dst[(i0 + r) * n_cols : (i0 + r + 1) * n_cols]
            for j in range(n_cols):
                row[j] = tile[j * h + r]


@njit(**INNER_FLAGS)
def weights_by_columns(layers, src, dst):
    """Copy a flat parameter buffer (P,) into ``dst`` with every W^m stored in tiles of
    ``TILE`` rows, each column by column (``to_tiles``), in the same place; biases as they
    are. ``weights_by_rows`` copies back.

    Two functions, not one with a flag: numba compiles a callee once for each constant
    value it is passed (``Literal[bool]``), so a flag would compile it twice."""
    top = layers.shape[0] - 1
    for m in range(1, top + 1):
        n_out, n_in, w0, b0, _, _, _ = layer_geometry(layers, m)
        to_tiles(src[w0 : w0 + n_out * n_in], n_out, n_in, dst[w0 : w0 + n_out * n_in])
        for i in range(b0, b0 + n_out):
            dst[i] = src[i]


@njit(**INNER_FLAGS)
def weights_by_rows(layers, src, dst):
    """The inverse of ``weights_by_columns``: every W^m back from its tiles, biases as they
    are."""
    top = layers.shape[0] - 1
    for m in range(1, top + 1):
        n_out, n_in, w0, b0, _, _, _ = layer_geometry(layers, m)
        from_tiles(src[w0 : w0 + n_out * n_in], n_out, n_in, dst[w0 : w0 + n_out * n_in])
        for i in range(b0, b0 + n_out):
            dst[i] = src[i]


@intrinsic
def update_tiles(
    typingctx, params_t, velocity_t, w0, n_in, n_tiles, a_in, a_next, d_out, z_out, alpha, mu
):
    """The fused update of ``update_and_forward_by_columns`` for the first ``n_tiles``
    whole tiles of W^m (``TILE`` = 8 rows each, stored from params_t[w0] as
    ``weights_by_columns`` stores them): for each tile, rows i = i0 .. i0 + 7, and each
    column j = 0, 1, ... of it in turn,

        step = (-alpha) (delta_i a_j) + mu v_ij,   v_ij = step,
        w_ij = w_ij + step,                         z_i = z_i + w_ij a_next_j,

    from z_i = 0.0, then z_out[i] = z_i: the operations of the scalar loop, rounded one
    by one (no fastmath contraction), four rows to a vector. The eight z_i stay in two
    registers for the whole tile instead of being stored and reloaded for every column,
    which LLVM does not do by itself (it cannot tell that z_out is not params_t).

    a_in, a_next : (n_in,) a^{m-1} and the next example's; d_out, z_out : (N^m,).
    No bounds are checked: the caller passes arrays that hold the tiles.
    """

    def codegen(context, builder, signature, args):
        (p_arr, v_arr, w0_v, n_in_v, tiles_v, a_arr, an_arr, d_arr, z_arr, alpha_v, mu_v) = args

        def data(k, value):
            return context.make_array(signature.args[k])(context, builder, value).data

        w_ptr, v_ptr = data(0, p_arr), data(1, v_arr)
        a_ptr, an_ptr, d_ptr, z_ptr = (
            data(5, a_arr),
            data(6, an_arr),
            data(7, d_arr),
            data(8, z_arr),
        )
        quad = _IR.quad
        ir_ = _IR(builder)
        const, splat = ir_.const, ir_.splat

        def address(ptr, k):
            return builder.bitcast(builder.gep(ptr, [k]), quad.as_pointer())

        def load(ptr, k):
            return builder.load(address(ptr, k), align=8)

        def store(value, ptr, k):
            builder.store(value, address(ptr, k), align=8)

        minus_alpha = splat(builder.fneg(alpha_v))
        mu_all = splat(mu_v)
        halves = TILE // 4
        sums = [cgutils.alloca_once(builder, quad) for _ in range(halves)]
        with cgutils.for_range(builder, tiles_v) as tile:
            i0 = builder.mul(tile.index, const(TILE))
            start = builder.add(w0_v, builder.mul(i0, n_in_v))
            deltas = [load(d_ptr, builder.add(i0, const(4 * h))) for h in range(halves)]
            for h in range(halves):
                builder.store(ir.Constant(quad, [0.0] * 4), sums[h])
            with cgutils.for_range(builder, n_in_v) as column:
                j = column.index
                aj = splat(builder.load(builder.gep(a_ptr, [j])))
                aj_next = splat(builder.load(builder.gep(an_ptr, [j])))
                base = builder.add(start, builder.mul(j, const(TILE)))
                for h in range(halves):
                    k = builder.add(base, const(4 * h))
                    gradient = builder.fmul(deltas[h], aj)
                    step = builder.fadd(
                        builder.fmul(minus_alpha, gradient), builder.fmul(mu_all, load(v_ptr, k))
                    )
                    store(step, v_ptr, k)
                    p = builder.fadd(load(w_ptr, k), step)
                    store(p, w_ptr, k)
                    total = builder.fadd(builder.load(sums[h]), builder.fmul(p, aj_next))
                    builder.store(total, sums[h])
            for h in range(halves):
                store(builder.load(sums[h]), z_ptr, builder.add(i0, const(4 * h)))
        return context.get_dummy_value()

    sig = types.none(params_t, velocity_t, w0, n_in, n_tiles, a_in, a_next, d_out, z_out, alpha, mu)
    return sig, codegen


@intrinsic
def tile_blocks(typingctx, w, n_rows, n_tiles, n_quads, x, out):
    """For the first 4 n_quads rows r of an (n_rows, n_cols) matrix w stored as
    ``tile_rows_dot`` describes, out[r] = sum_c w[r, c] x[c] over the columns c of its
    first ``n_tiles`` tiles (TILE = 8 columns each), summed from 0.0 in index order: a
    separate multiply and add per term, no reassociation.

    Tile by tile, and in a tile four rows at a time: a tile is row-major with rows of
    eight, so rows r..r+3 are 32 consecutive numbers, loaded in halves and transposed in
    registers (two half-rows per vector, then unpack low and high) into the column
    vectors w[r..r+3, c], ..., w[r..r+3, c+7], which add their terms to the four sums in
    column order. The sums wait in ``out`` from one tile to the next; the tile's eight
    x[c] are broadcast once for all its rows. LLVM's vectorisers cannot do this
    themselves: the terms of a row are a chain, and the vector runs across rows.

    No bounds are checked: the caller passes w of n_rows n_cols elements with
    n_cols >= 8 n_tiles, x of n_cols and out of n_rows >= 4 n_quads.
    """

    def codegen(context, builder, signature, args):
        w_arr, rows_v, tiles_v, quads_v, x_arr, out_arr = args
        w_ptr = context.make_array(signature.args[0])(context, builder, w_arr).data
        x_ptr = context.make_array(signature.args[4])(context, builder, x_arr).data
        out_ptr = context.make_array(signature.args[5])(context, builder, out_arr).data
        quad, pair = _IR.quad, _IR.pair
        ir_ = _IR(builder)
        const, lanes, splat, at = ir_.const, ir_.lanes, ir_.splat, ir_.at

        with cgutils.for_range(builder, tiles_v) as tile:
            c0 = builder.mul(tile.index, const(TILE))
            start = builder.mul(c0, rows_v)
            xs = [splat(builder.load(at(x_ptr, builder.add(c0, const(k))))) for k in range(TILE)]
            first = builder.icmp_unsigned("==", tile.index, const(0))
            with cgutils.for_range(builder, quads_v) as blk:
                r0 = builder.mul(blk.index, const(4))
                block = builder.add(start, builder.mul(r0, const(TILE)))
                sum_ptr = builder.bitcast(at(out_ptr, r0), quad.as_pointer())
                # the sums start from 0.0 in the first tile, from the last tile's after it
                total = builder.select(
                    first, ir.Constant(quad, [0.0] * 4), builder.load(sum_ptr, align=8)
                )

                def half(r, k):
                    ptr = at(w_ptr, builder.add(block, const(TILE * r + k)))
                    return builder.load(builder.bitcast(ptr, pair.as_pointer()), align=8)

                both = lanes(0, 1, 2, 3)
                for k0 in range(0, TILE, 4):
                    # (w[r, c], w[r, c+1], w[r+2, c], w[r+2, c+1]) and so on
                    low02 = builder.shuffle_vector(half(0, k0), half(2, k0), both)
                    low13 = builder.shuffle_vector(half(1, k0), half(3, k0), both)
                    high02 = builder.shuffle_vector(half(0, k0 + 2), half(2, k0 + 2), both)
                    high13 = builder.shuffle_vector(half(1, k0 + 2), half(3, k0 + 2), both)
                    columns = (
                        builder.shuffle_vector(low02, low13, lanes(0, 4, 2, 6)),
                        builder.shuffle_vector(low02, low13, lanes(1, 5, 3, 7)),
                        builder.shuffle_vector(high02, high13, lanes(0, 4, 2, 6)),
                        builder.shuffle_vector(high02, high13, lanes(1, 5, 3, 7)),
                    )
                    for k in range(4):  # c, c+1, c+2, c+3: index order
                        total = builder.fadd(total, builder.fmul(columns[k], xs[k0 + k]))
                builder.store(total, sum_ptr, align=8)
        return context.get_dummy_value()

    return types.none(w, n_rows, n_tiles, n_quads, x, out), codegen


@njit(**INNER_FLAGS)
def tile_rows_dot(w, n_rows, n_cols, x, out):
    """out[r] = sum_c w[r, c] x[c] for an (n_rows, n_cols) matrix w stored flat in tiles of
    ``TILE`` columns (the last one the n_cols mod TILE left over), one after the other,
    each row-major: the element (r, c) of the tile of h columns starting at column c0 is
    at c0 n_rows + r h + (c - c0). That is how ``weights_by_columns`` stores W^{m+1}, seen
    as (W^{m+1})^T. Each row is summed in index order from 0.0, as one dot product alone
    would be: whole tiles and rows four at a time by ``tile_blocks``, the rest here."""
    whole = n_cols // TILE
    quads = n_rows // 4
    tile_blocks(w, n_rows, whole, quads, x, out)
    c0 = whole * TILE
    h = n_cols - c0
    last = w[c0 * n_rows :]
    for r in range(4 * quads):  # the last tile's terms, after the whole tiles'
        s = out[r] if whole > 0 else 0.0
        for k in range(h):
            s += last[r * h + k] * x[c0 + k]
        out[r] = s
    for r in range(4 * quads, n_rows):  # the rows left over, every term
        s = 0.0
        for t in range(whole):
            # Slices, not offsets: indices known to be >= 0 need no wraparound test.
            w_r = w[t * TILE * n_rows + r * TILE : t * TILE * n_rows + (r + 1) * TILE]
            for k in range(TILE):
                s += w_r[k] * x[t * TILE + k]
        for k in range(h):
            s += last[r * h + k] * x[c0 + k]
        out[r] = s


@njit(**INNER_FLAGS)
def deltas_by_columns(layers, betas, cost, params_t, z, a, y, delta):
    """``deltas`` with the weights stored by columns (``weights_by_columns``): the tiles
    of W^{m+1} are those of TILE columns of (W^{m+1})^T, whose row j holds column j of
    W^{m+1}, so delta^m_j is a dot product along it (``tile_rows_dot``), summed in the
    same order (i = 0, 1, ...) as ``deltas`` sums it."""
    output_delta(layers, betas, cost, z, a, y, delta)
    top = layers.shape[0] - 1
    for m in range(top - 1, 0, -1):
        n_here, n_next = layers[m, SIZE], layers[m + 1, SIZE]
        here, nxt = layers[m, NODE_OFFSET], layers[m + 1, NODE_OFFSET]
        w0 = layers[m + 1, W_OFFSET]
        tile_rows_dot(
            params_t[w0 : w0 + n_here * n_next],
            n_here,
            n_next,
            delta[nxt : nxt + n_next],
            delta[here : here + n_here],
        )
        times_slope(layers, betas, m, z, a, delta)


@njit(**INNER_FLAGS)
def update_and_forward_by_columns(
    layers, betas, params_t, velocity_t, a, delta, x_next, z_next, a_next, alpha, momentum
):
    """The online update of every parameter (as ``backward_and_update``: g = delta^m_i
    a^{m-1}_j, d = -alpha g + mu d_prev, theta += d), with the next example's forward pass
    computed from each new weight as it is written.

    With W^m stored in tiles of TILE rows, column by column (``weights_by_columns``), a
    tile's column j holds the weights that multiply a^{m-1}_j, so z^m_next[i] +=
    W^m[i, j] a^{m-1}_next[j] for the tile's rows is one vectorised step, and going
    through the columns in order sums each z^m_next[i] in the order ``forward`` does.
    Whole tiles go through ``update_tiles``, the rows left over (N^m mod TILE) through the
    loop below. Layers go 1..L, so a^{m-1}_next is ready when layer m is updated. The
    weights are read and written once per example instead of being read once more by a
    separate forward pass.

    Returns False if a parameter stopped being finite. A non-finite weight makes the z_next
    it feeds non-finite (inf times anything is inf or nan, and sums keep them), so the
    inner loop tests nothing; only when some z_next is not finite are the parameters
    themselves checked, since z_next can also overflow from finite weights.
    """
    top = layers.shape[0] - 1
    for j in range(layers[0, SIZE]):
        a_next[j] = x_next[j]
    suspect = False
    alpha = float(alpha)
    momentum = float(momentum)
    for m in range(1, top + 1):
        n_out, n_in, w0, b0, out, inp, with_bias = layer_geometry(layers, m)
        a_in = a[inp : inp + n_in]
        a_in_next = a_next[inp : inp + n_in]
        d_out = delta[out : out + n_out]
        z_out = z_next[out : out + n_out]
        whole = n_out // TILE
        update_tiles(
            params_t, velocity_t, w0, n_in, whole, a_in, a_in_next, d_out, z_out, alpha, momentum
        )
        # The last tile, of h < TILE rows, as update_tiles does a whole one.
        i0 = whole * TILE
        h = n_out - i0
        start = w0 + i0 * n_in
        d_rest = d_out[i0:]
        z_rest = z_out[i0:]
        for r in range(h):
            z_rest[r] = 0.0
        for j in range(n_in):
            aj = a_in[j]
            aj_next = a_in_next[j]
            w_j = params_t[start + j * h : start + (j + 1) * h]
            v_j = velocity_t[start + j * h : start + (j + 1) * h]
            for r in range(h):
                step = -alpha * (d_rest[r] * aj) + momentum * v_j[r]
                v_j[r] = step
                p = w_j[r] + step
                w_j[r] = p
                z_rest[r] += p * aj_next
        b = params_t[b0 : b0 + n_out]
        v_b = velocity_t[b0 : b0 + n_out]
        for i in range(n_out):
            # Without biases the gradient is 0 and so is the velocity: b stays 0.
            g = d_out[i] if with_bias else 0.0
            step = -alpha * g + momentum * v_b[i]
            v_b[i] = step
            p = b[i] + step
            b[i] = p
            zi = z_out[i] + p
            z_out[i] = zi
            suspect |= (zi - zi) != 0.0
        activate_all(layers[m, ACTIVATION], betas[m], z_out, a_next[out : out + n_out])
    if not suspect:
        return True
    bad = False
    for k in range(params_t.shape[0]):
        bad |= (params_t[k] - params_t[k]) != 0.0
    return not bad


@njit(**JIT_FLAGS)
def train_online_by_columns(
    layers,
    betas,
    cost,
    params,
    velocity,
    z,
    a,
    delta,
    X,
    Y,
    order,
    first_batch,
    n_batches,
    alpha,
    momentum,
    epoch_cost,
):
    """``train_batches`` for batches of one, on copies of the weights and velocities
    stored by columns (in tiles of ``TILE`` rows, ``weights_by_columns``), copied back at
    the end; one of the paths of the update (module docstring), the same numbers bit for
    bit.

    Without reassociation, a row of W^m a^{m-1} is a chain of additions, which runs one
    scalar at a time while a column update runs four lanes at a time. Stored by columns,
    the forward pass is the vectorised one (fused into the update, see
    ``update_and_forward_by_columns``) and only the deltas go by dot products, through the
    smaller matrices W^2..W^L. The copies (2P numbers, and two node buffers) are
    allocated once per call; numba frees them on return.
    """
    params_t = np.empty_like(params)
    velocity_t = np.empty_like(velocity)
    z_next = np.empty_like(z)
    a_next = np.empty_like(a)
    weights_by_columns(layers, params, params_t)
    weights_by_columns(layers, velocity, velocity_t)
    n = order.shape[1]
    first_node = layers[0, SIZE]
    e = first_batch // n
    forward(layers, betas, params, X[order[e, first_batch - e * n]], z, a)
    ran = n_batches
    for t in range(n_batches):
        b = first_batch + t
        e = b // n
        idx = order[e, b - e * n]
        last = t + 1 == n_batches
        # The next example's forward pass rides along with this update; after the last
        # update it is this example again, and the result is dropped.
        idx_next = idx
        if not last:
            e_next = (b + 1) // n
            idx_next = order[e_next, b + 1 - e_next * n]
        c = example_cost(layers, betas, cost, z, a, Y[idx])
        epoch_cost[e] += c
        deltas_by_columns(layers, betas, cost, params_t, z, a, Y[idx], delta)
        finite = update_and_forward_by_columns(
            layers,
            betas,
            params_t,
            velocity_t,
            a,
            delta,
            X[idx_next],
            z_next,
            a_next,
            alpha,
            momentum,
        )
        if not (finite and math.isfinite(c)):
            ran = t + 1
            break
        if not last:  # z, a and delta are left as those of the last example trained on
            # Loops, not slice assignments: those compile a shape-mismatch error message
            # (string formatting), seconds of a cold compile for nothing.
            for k in range(first_node, z.shape[0]):
                z[k] = z_next[k]
            for k in range(a.shape[0]):
                a[k] = a_next[k]
    weights_by_rows(layers, params_t, params)
    weights_by_rows(layers, velocity_t, velocity)
    return ran


@njit(**INNER_FLAGS)
def batch_bounds(b, per_epoch, batch_size, n):
    """(epoch row e of the orders, first and one-past-last position in it) of batch b:
    epochs of n examples have per_epoch = ceil(n / B) batches, all of size B except
    possibly the last."""
    e = b // per_epoch
    start = (b - e * per_epoch) * batch_size
    return e, start, min(start + batch_size, n)


@njit(**JIT_FLAGS)
def train_batches(
    layers,
    betas,
    cost,
    params,
    velocity,
    grad,
    z,
    a,
    delta,
    X,
    Y,
    order,
    batch_size,
    first_batch,
    n_batches,
    alpha,
    momentum,
    epoch_cost,
):
    """Run ``n_batches`` mini-batch updates; return how many ran before divergence.

    X : (n, N^0) inputs, Y : (n, N^L) targets.
    order : int64 (E, n), the example order of E consecutive epochs.
    Batches are numbered epoch by epoch: each epoch has ceil(n / B) batches, all of
    size B except possibly the last. Batch b is in epoch b // ceil(n / B) of ``order``.
    epoch_cost : float64 (E,), adds each example's cost (measured in the forward pass,
    before that batch's update) to its epoch's entry.

    Stops early, after the batch where the cost or a parameter stopped being finite.
    ``grad`` must be zero on entry and is zero on return. Batches of more than one go
    through ``train_minibatches``, online runs of at least ``COLUMNS_MIN_UPDATES`` updates
    through ``train_online_by_columns``, shorter ones through ``train_online_by_rows`` (the
    module docstring lists the paths of the update, which all give the same bits).
    Compiling it compiles all three; from Python, ``kernels.general_train_batches`` makes
    the same choice and compiles only the kernel it takes.
    """
    if batch_size == 1 and n_batches >= COLUMNS_MIN_UPDATES:
        return train_online_by_columns(
            layers,
            betas,
            cost,
            params,
            velocity,
            z,
            a,
            delta,
            X,
            Y,
            order,
            first_batch,
            n_batches,
            alpha,
            momentum,
            epoch_cost,
        )
    if batch_size == 1:
        return train_online_by_rows(
            layers,
            betas,
            cost,
            params,
            velocity,
            z,
            a,
            delta,
            X,
            Y,
            order,
            first_batch,
            n_batches,
            alpha,
            momentum,
            epoch_cost,
        )
    return train_minibatches(
        layers,
        betas,
        cost,
        params,
        velocity,
        grad,
        z,
        a,
        delta,
        X,
        Y,
        order,
        batch_size,
        first_batch,
        n_batches,
        alpha,
        momentum,
        epoch_cost,
    )


@njit(**JIT_FLAGS)
def train_online_by_rows(
    layers,
    betas,
    cost,
    params,
    velocity,
    z,
    a,
    delta,
    X,
    Y,
    order,
    first_batch,
    n_batches,
    alpha,
    momentum,
    epoch_cost,
):
    """``train_batches`` for batches of one (the arguments of ``train_online_by_columns``),
    with the weights stored by rows: ``forward``, then ``backward_and_update``, which skips
    writing and re-reading the gradient."""
    n = order.shape[1]
    for t in range(n_batches):
        b = first_batch + t
        e = b // n
        idx = order[e, b - e * n]
        forward(layers, betas, params, X[idx], z, a)
        c = example_cost(layers, betas, cost, z, a, Y[idx])
        epoch_cost[e] += c
        finite = backward_and_update(
            layers, betas, cost, params, velocity, z, a, Y[idx], delta, alpha, momentum
        )
        if not (finite and math.isfinite(c)):
            return t + 1
    return n_batches


@njit(**JIT_FLAGS)
def train_minibatches(
    layers,
    betas,
    cost,
    params,
    velocity,
    grad,
    z,
    a,
    delta,
    X,
    Y,
    order,
    batch_size,
    first_batch,
    n_batches,
    alpha,
    momentum,
    epoch_cost,
):
    """``train_batches`` (the same arguments) through ``forward``, ``backward`` and
    ``apply_update``, for any batch size; ``train_batches`` runs it for batches of more
    than one."""
    n = order.shape[1]
    per_epoch = (n + batch_size - 1) // batch_size
    for t in range(n_batches):
        e, start, stop = batch_bounds(first_batch + t, per_epoch, batch_size, n)
        batch_cost = 0.0
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


@njit(**INNER_FLAGS)
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


@njit(**INNER_FLAGS)
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
    buffer : float64, a Network's buffer (params, velocity, grad, z, a, delta, betas,
    second, t; t is advanced by one);
    data : float64, alpha, momentum, the epoch's partial cost and the last finished
    epoch's cost, then X and Y.

    The same bits as ``train_batches`` (one of the paths of the update, module docstring),
    and the counters advanced as a Session advances them. Returns 0 if the run had already
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
    layers = state[ST_HEADER : ST_HEADER + rows * N_COLUMNS].reshape((rows, N_COLUMNS))
    order = state[
        ST_HEADER + rows * N_COLUMNS + row * n : ST_HEADER + rows * N_COLUMNS + (row + 1) * n
    ]
    n_params = state[ST_N_PARAMS]
    nodes = state[ST_N_NODES]
    params = buffer[:n_params]
    velocity = buffer[n_params : 2 * n_params]
    grad = buffer[2 * n_params : 3 * n_params]
    z = buffer[3 * n_params : 3 * n_params + nodes]
    a = buffer[3 * n_params + nodes : 3 * n_params + 2 * nodes]
    delta = buffer[3 * n_params + 2 * nodes : 3 * n_params + 3 * nodes]
    betas = buffer[3 * n_params + 3 * nodes : 3 * n_params + 3 * nodes + rows]
    n_in = layers[0, SIZE]
    n_out = layers[rows - 1, SIZE]
    X = data[SD_HEADER : SD_HEADER + n * n_in]
    Y = data[SD_HEADER + n * n_in : SD_HEADER + n * (n_in + n_out)]
    alpha = data[SD_ALPHA]
    momentum = data[SD_MOMENTUM]
    buffer[4 * n_params + 3 * nodes + rows] += 1.0  # t, the updates since the state was 0
    cost = state[ST_COST]

    batch_size = state[ST_BATCH_SIZE]
    start = state[ST_BATCH] * batch_size
    stop = min(start + batch_size, n)
    batch_cost = 0.0
    if batch_size == 1:
        idx = order[start]
        y = Y[idx * n_out : (idx + 1) * n_out]
        forward(layers, betas, params, X[idx * n_in : (idx + 1) * n_in], z, a)
        batch_cost = example_cost(layers, betas, cost, z, a, y)
        finite = backward_and_update(
            layers, betas, cost, params, velocity, z, a, y, delta, alpha, momentum
        )
    else:
        for k in range(start, stop):
            idx = order[k]
            y = Y[idx * n_out : (idx + 1) * n_out]
            forward(layers, betas, params, X[idx * n_in : (idx + 1) * n_in], z, a)
            batch_cost += example_cost(layers, betas, cost, z, a, y)
            backward(layers, betas, cost, params, z, a, y, delta, grad)
        finite = apply_update(params, velocity, grad, alpha, momentum, stop - start)
    return finish_step(state, data, stop - start, order[stop - 1], batch_cost, finite)


@njit(**JIT_FLAGS)
def train_rule(
    layers,
    betas,
    cost,
    params,
    velocity,
    second,
    grad,
    z,
    a,
    delta,
    X,
    Y,
    order,
    batch_size,
    first_batch,
    n_batches,
    rule,
    steps,
    epoch_cost,
):
    """``train_batches`` for every update rule (``apply_rule``): the arguments of
    ``train_batches`` with ``second`` (P,) after ``velocity``, and ``rule`` (RULE_SIZE,)
    and ``steps`` (1,), t, advanced by every update, in place of alpha and momentum. Each
    batch, of one example too, goes ``forward``, ``backward``, ``apply_rule``."""
    n = order.shape[1]
    per_epoch = (n + batch_size - 1) // batch_size
    for t in range(n_batches):
        e, start, stop = batch_bounds(first_batch + t, per_epoch, batch_size, n)
        batch_cost = 0.0
        for k in range(start, stop):
            idx = order[e, k]
            forward(layers, betas, params, X[idx], z, a)
            batch_cost += example_cost(layers, betas, cost, z, a, Y[idx])
            backward(layers, betas, cost, params, z, a, Y[idx], delta, grad)
        epoch_cost[e] += batch_cost
        finite = apply_rule(layers, params, velocity, second, grad, rule, steps, stop - start)
        if not (finite and math.isfinite(batch_cost)):
            return t + 1
    return n_batches


@njit(**JIT_FLAGS)
def step_rule(state, buffer, data):
    """``step`` for every update rule: the next batch of ``train_rule``, with the rule at
    data[SD_RULE:] and the state (second, t) in the buffer after betas."""
    row = step_order_row(state)
    if row < 0:
        return -1 - row
    n = state[ST_N]
    rows = state[ST_ROWS]
    layers = state[ST_HEADER : ST_HEADER + rows * N_COLUMNS].reshape((rows, N_COLUMNS))
    orders_at = ST_HEADER + rows * N_COLUMNS
    order = state[orders_at + row * n : orders_at + (row + 1) * n]
    n_params = state[ST_N_PARAMS]
    nodes = state[ST_N_NODES]
    params = buffer[:n_params]
    velocity = buffer[n_params : 2 * n_params]
    grad = buffer[2 * n_params : 3 * n_params]
    z = buffer[3 * n_params : 3 * n_params + nodes]
    a = buffer[3 * n_params + nodes : 3 * n_params + 2 * nodes]
    delta = buffer[3 * n_params + 2 * nodes : 3 * n_params + 3 * nodes]
    end = 3 * n_params + 3 * nodes + rows
    betas = buffer[end - rows : end]
    second = buffer[end : end + n_params]
    steps = buffer[end + n_params : end + n_params + 1]
    n_in = layers[0, SIZE]
    n_out = layers[rows - 1, SIZE]
    X = data[SD_HEADER : SD_HEADER + n * n_in]
    Y = data[SD_HEADER + n * n_in : SD_HEADER + n * (n_in + n_out)]
    rule = data[SD_RULE : SD_RULE + RULE_SIZE]
    cost = state[ST_COST]
    start = state[ST_BATCH] * state[ST_BATCH_SIZE]
    stop = min(start + state[ST_BATCH_SIZE], n)
    batch_cost = 0.0
    for k in range(start, stop):
        idx = order[k]
        y = Y[idx * n_out : (idx + 1) * n_out]
        forward(layers, betas, params, X[idx * n_in : (idx + 1) * n_in], z, a)
        batch_cost += example_cost(layers, betas, cost, z, a, y)
        backward(layers, betas, cost, params, z, a, y, delta, grad)
    finite = apply_rule(layers, params, velocity, second, grad, rule, steps, stop - start)
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


def train_many(
    layers,
    betas,
    cost,
    params,
    velocity,
    grad,
    z,
    a,
    delta,
    X,
    Y,
    streams,
    shuffle,
    batch_size,
    epochs,
    alpha,
    momentum,
    epoch_cost,
    ran,
):
    """``train_batches`` for R independent networks of one architecture, on numba's number
    of threads, for ``epochs`` whole epochs, each network shuffling its own examples.

    params, velocity, grad : (R, P); z, a, delta : (R, total nodes);
    streams : uint64 (R, shuffle.STATE_WORDS), each network's PCG64 generator of example
    orders, advanced past the epochs drawn (``shuffle.fill_orders``: with ``shuffle`` the
    orders NumPy's ``EpochOrders`` draws from that state, else the data's order);
    epoch_cost : (R, epochs); ran : (R,) receives each network's number of batches run
    (less where it diverged: its results, stream included, then say nothing; this kernel
    stops drawing there, the generated one's lanes draw on).
    Each network draws ``shuffle.chunk_epochs`` epochs of orders at a time into a block of
    its own, then trains them with one call of ``train_batches``.

    Plain Python: each thread's share of the networks is one call of ``train_networks``
    (``threads.run_ranges``), which releases the GIL. A ``parallel=True`` kernel did the
    same, and its compile (numba's parfor passes, a gufunc and its wrappers, each
    optimising the whole again) was a large part of a cold ``restarts``.
    """
    arguments = (
        *(layers, betas, cost, params, velocity, grad, z, a, delta, X, Y, streams, shuffle),
        *(batch_size, epochs, alpha, momentum, epoch_cost, ran),
    )
    run_ranges(train_networks, params.shape[0], arguments)


@njit(**JIT_FLAGS)
def train_networks(
    layers,
    betas,
    cost,
    params,
    velocity,
    grad,
    z,
    a,
    delta,
    X,
    Y,
    streams,
    shuffle,
    batch_size,
    epochs,
    alpha,
    momentum,
    epoch_cost,
    ran,
    first,
    stop,
):
    """``train_many`` for networks first .. stop - 1 (one thread's share)."""
    n = X.shape[0]
    per_epoch = (n + batch_size - 1) // batch_size
    chunk = chunk_epochs(n, epochs)
    orders = np.empty((chunk, n), dtype=np.int64)
    for r in range(first, stop):
        done = 0
        ran[r] = 0
        while done < epochs:
            count = min(chunk, epochs - done)
            fill_orders(streams, r, shuffle, orders[:count])
            trained = train_batches(
                layers,
                betas,
                cost,
                params[r],
                velocity[r],
                grad[r],
                z[r],
                a[r],
                delta[r],
                X,
                Y,
                orders[:count],
                batch_size,
                0,
                count * per_epoch,
                alpha,
                momentum,
                epoch_cost[r, done : done + count],
            )
            ran[r] += trained
            done += count
            if trained < count * per_epoch:
                break


def train_many_rule(
    layers,
    betas,
    cost,
    params,
    velocity,
    second,
    grad,
    z,
    a,
    delta,
    X,
    Y,
    streams,
    shuffle,
    batch_size,
    epochs,
    rule,
    steps,
    epoch_cost,
    ran,
):
    """``train_rule`` for R independent networks of one architecture, on numba's number of
    threads (the arguments of ``train_many``, with ``second`` (R, P), and ``rule`` and
    ``steps`` (R,), each network's t, in place of alpha and momentum): each thread's share
    is one call of ``train_networks_rule``."""
    arguments = (
        *(layers, betas, cost, params, velocity, second, grad, z, a, delta, X, Y, streams),
        *(shuffle, batch_size, epochs, rule, steps, epoch_cost, ran),
    )
    run_ranges(train_networks_rule, params.shape[0], arguments)


@njit(**JIT_FLAGS)
def train_networks_rule(
    layers,
    betas,
    cost,
    params,
    velocity,
    second,
    grad,
    z,
    a,
    delta,
    X,
    Y,
    streams,
    shuffle,
    batch_size,
    epochs,
    rule,
    steps,
    epoch_cost,
    ran,
    first,
    stop,
):
    """``train_many_rule`` for networks first .. stop - 1 (one thread's share)."""
    n = X.shape[0]
    per_epoch = (n + batch_size - 1) // batch_size
    chunk = chunk_epochs(n, epochs)
    orders = np.empty((chunk, n), dtype=np.int64)
    for r in range(first, stop):
        done = 0
        ran[r] = 0
        while done < epochs:
            count = min(chunk, epochs - done)
            fill_orders(streams, r, shuffle, orders[:count])
            trained = train_rule(
                layers,
                betas,
                cost,
                params[r],
                velocity[r],
                second[r],
                grad[r],
                z[r],
                a[r],
                delta[r],
                X,
                Y,
                orders[:count],
                batch_size,
                0,
                count * per_epoch,
                rule,
                steps[r : r + 1],
                epoch_cost[r, done : done + count],
            )
            ran[r] += trained
            done += count
            if trained < count * per_epoch:
                break


def all_kernels():
    """The dispatchers a caller runs directly (for checks that they really compiled)."""
    return {
        "train_batches": train_batches,
        "evaluate": evaluate,
        "mean_gradient": mean_gradient,
        "mean_cost": mean_cost,
        "relu_pattern": relu_pattern,
    }
