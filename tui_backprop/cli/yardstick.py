"""Yardsticks for ``bench``: a hand-written XOR 2-3-1 kernel, the machine's FMA flop limit,
and the flops one update of a network takes.

These are measuring tools, not product code: the product's kernels live in ``kernels``, and
nothing here trains a network for the app or the CLI.

- ``train_231`` is online SGD with momentum for a 2-3-1 network of sigmoids with biases,
  beta 1 and the mse cost, written out by hand: every parameter and velocity a local
  variable (in registers) for the whole call, no gradient sums, no batch bounds, no
  per-update finiteness checks. It takes the example orders the product draws for the seed
  (``EpochOrders``) and does the product's arithmetic in the product's order, with the
  product's ``exp`` (``kernels.dense.exp``), so it ends with the product's weights *bit for
  bit* (tests/test_bench_columns.py checks it). The only operations the product does and
  this does not are additions of 0.0 (a gradient sum or a dot product starting at
  ``0.0 +``) and multiplications by beta = 1: x + 0.0 and 1.0 * x are x exactly (up to
  the sign of a zero, which no later step can tell apart here).
- ``flop_limit`` times independent chains of fused multiply-adds in one thread, in a loop
  LLVM vectorises, and gives flop/s (a multiply-add counts as two flops).
- ``flops_per_update`` counts the flops of one online update of an architecture.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from numba import njit

from kernels.dense import exp as _exp
from kernels.dense import fma as _fma

from ..core.spec import NetworkSpec

# The kernels' flags (kernels.config.JIT_FLAGS) but compiled each run, not cached: these
# are the benchmark's kernels, not the product's, and stay out of the product's cache.

#: Independent multiply-add chains in the flop-limit loop: 16 vectors of 4 doubles, more
#: than the FMA latency (4-5 cycles) times the FMA units (2) needs to keep them all busy.
CHAINS = 64


def yardstick_fits(spec: NetworkSpec) -> bool:
    """Whether ``train_231`` trains this network: 2-3-1, sigmoids, beta 1, mse, biases."""
    return (
        spec.sizes == (2, 3, 1)
        and spec.activations == ("sigmoid", "sigmoid")
        and spec.beta == 1.0
        and spec.cost == "mse"
        and spec.bias
    )


@njit(nogil=True, fastmath=False, error_model="numpy", cache=False)
def train_231(params, velocity, X, Y, order, updates, alpha, momentum, epoch_cost):
    """``updates`` online updates of a 2-3-1 sigmoid network (mse, momentum) in place.

    params and velocity: the product's layout, (W^1 by rows, b^1, W^2, b^2), 13 each.
    order: int64 (epochs, n), example k of epoch e is X[order[e, k]]; epoch e's summed
    cost is added to epoch_cost[e]. Update of every parameter theta, from its gradient g
    and previous step d: d = -alpha g + momentum d, theta += d.
    """
    w00, w01, w10, w11, w20, w21 = params[0], params[1], params[2], params[3], params[4], params[5]
    b0, b1, b2 = params[6], params[7], params[8]
    v0, v1, v2, c = params[9], params[10], params[11], params[12]
    dw00, dw01, dw10, dw11 = velocity[0], velocity[1], velocity[2], velocity[3]
    dw20, dw21, db0, db1 = velocity[4], velocity[5], velocity[6], velocity[7]
    db2, dv0, dv1, dv2, dc = velocity[8], velocity[9], velocity[10], velocity[11], velocity[12]
    n = order.shape[1]
    e = 0
    k = 0
    cost = 0.0
    for _ in range(updates):
        i = order[e, k]
        x0 = X[i, 0]
        x1 = X[i, 1]
        y = Y[i, 0]
        # forward
        h0 = 1.0 / (1.0 + _exp(-(w00 * x0 + w01 * x1 + b0)))
        h1 = 1.0 / (1.0 + _exp(-(w10 * x0 + w11 * x1 + b1)))
        h2 = 1.0 / (1.0 + _exp(-(w20 * x0 + w21 * x1 + b2)))
        out = 1.0 / (1.0 + _exp(-(v0 * h0 + v1 * h1 + v2 * h2 + c)))
        diff = out - y
        cost += 0.5 * diff * diff
        # backward
        g = diff * (out * (1.0 - out))
        g0 = (v0 * g) * (h0 * (1.0 - h0))
        g1 = (v1 * g) * (h1 * (1.0 - h1))
        g2 = (v2 * g) * (h2 * (1.0 - h2))
        # update, in the product's parameter order
        dw00 = -alpha * (g0 * x0) + momentum * dw00
        w00 += dw00
        dw01 = -alpha * (g0 * x1) + momentum * dw01
        w01 += dw01
        dw10 = -alpha * (g1 * x0) + momentum * dw10
        w10 += dw10
        dw11 = -alpha * (g1 * x1) + momentum * dw11
        w11 += dw11
        dw20 = -alpha * (g2 * x0) + momentum * dw20
        w20 += dw20
        dw21 = -alpha * (g2 * x1) + momentum * dw21
        w21 += dw21
        db0 = -alpha * g0 + momentum * db0
        b0 += db0
        db1 = -alpha * g1 + momentum * db1
        b1 += db1
        db2 = -alpha * g2 + momentum * db2
        b2 += db2
        dv0 = -alpha * (g * h0) + momentum * dv0
        v0 += dv0
        dv1 = -alpha * (g * h1) + momentum * dv1
        v1 += dv1
        dv2 = -alpha * (g * h2) + momentum * dv2
        v2 += dv2
        dc = -alpha * g + momentum * dc
        c += dc
        k += 1
        if k == n:
            epoch_cost[e] += cost
            cost = 0.0
            k = 0
            e += 1
    if k:
        epoch_cost[e] += cost
    params[0], params[1], params[2], params[3], params[4], params[5] = w00, w01, w10, w11, w20, w21
    params[6], params[7], params[8] = b0, b1, b2
    params[9], params[10], params[11], params[12] = v0, v1, v2, c
    velocity[0], velocity[1], velocity[2], velocity[3] = dw00, dw01, dw10, dw11
    velocity[4], velocity[5], velocity[6], velocity[7] = dw20, dw21, db0, db1
    velocity[8], velocity[9], velocity[10], velocity[11], velocity[12] = db2, dv0, dv1, dv2, dc


@njit(nogil=True, fastmath=False, error_model="numpy", cache=False)
def _fma_chains(start, x, y, iterations):
    """CHAINS independent chains a = a x + y, ``iterations`` steps each; LLVM keeps the
    chains in vector registers and issues one vector FMA per group of them and step."""
    a = start.copy()
    for _ in range(iterations):
        for k in range(CHAINS):
            a[k] = _fma(a[k], x, y)
    total = 0.0
    for k in range(CHAINS):
        total += a[k]
    return total


def flop_limit(repeats: int = 5, seconds: float = 0.04) -> float:
    """The FMA flop limit of one thread of this machine, flop/s: the fastest of ``repeats``
    timings (thread CPU time) of ``_fma_chains``, each about ``seconds`` long. Noise only
    slows a run down, so the fastest is the best estimate of the limit.

    The loop runs on the vectors LLVM chooses for numba's code, as the kernels do (on
    AVX-512 CPUs LLVM prefers 256-bit vectors), so this is the limit for code compiled
    like the kernels, which may be half of what the CPU's widest vectors could give."""
    start = np.linspace(0.1, 0.9, CHAINS)
    x, y = 0.999999, 1e-7  # the chains stay near y / (1 - x), finite and not subnormal
    _fma_chains(start, x, y, 10)  # compile
    iterations = 100_000
    while True:  # calibrate: about ``seconds`` per timing
        t0 = time.thread_time()
        _fma_chains(start, x, y, iterations)
        took = time.thread_time() - t0
        if took >= seconds / 4 or iterations >= 1 << 30:
            break
        iterations *= 4
    iterations = max(1, int(iterations * seconds / max(took, 1e-9)))
    best = 0.0
    for _ in range(repeats):
        t0 = time.thread_time()
        _fma_chains(start, x, y, iterations)
        took = time.thread_time() - t0
        if took > 0:
            best = max(best, 2.0 * CHAINS * iterations / took)
    return best


def flops_per_update(sizes: Sequence[int], bias: bool = True) -> int:
    """Flops of one online update (a batch of one) of a dense network of layer sizes
    N^0..N^L, counting the multiply-adds of forward, backward and update as two flops each
    and a lone multiply or add as one:

        flops = sum over m = 1..L of  (7 + 2 [m >= 2]) N^m N^{m-1}  +  5 N^m [bias]

    Each weight w^m_ij takes part in: the forward pass, z^m_i += w a^{m-1}_j (a multiply-add,
    2); the backward pass, delta^{m-1}_j += w delta^m_i (a multiply-add, 2, only for m >= 2:
    nothing propagates below layer 1); its gradient g = delta^m_i a^{m-1}_j (a multiply, 1);
    and its update d = -alpha g + mu d_prev, w += d (a multiply, a multiply-add and an
    add, 4). Each bias: z^m_i + b (an add, 1) and its update (4; its gradient is delta^m_i
    itself). Activations, their slopes and the cost are left out: they are not multiply-adds
    and grow with the nodes, not the weights.

    2-3-1 with biases: 7 * 6 + 9 * 3 + 5 * 4 = 89 flops; 64-128-64-10: 137,842.
    """
    flops = 0
    for m in range(1, len(sizes)):
        weights = sizes[m] * sizes[m - 1]
        flops += (9 if m >= 2 else 7) * weights
        if bias:
            flops += 5 * sizes[m]
    return flops
