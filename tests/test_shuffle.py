"""kernels.shuffle draws NumPy's example orders: the same orders as EpochOrders, and the
generator left in NumPy's state after them, however the epochs are split between calls."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.shuffle import STATE_WORDS, draw_orders, seeded_states, uniform_weights
from tui_backprop.core.model import Network
from tui_backprop.core.orders import (
    STREAM_WORDS,
    EpochOrders,
    seed_streams,
    set_stream_words,
    spawned_seed_words,
    stream_words,
)
from tui_backprop.core.spec import NetworkSpec


def _numpy_after(seed: int, n: int, epochs: int) -> Mapping[str, Any]:
    """The shuffle generator's state after ``permuted`` drew ``epochs`` epochs at once."""
    rng = seed_streams(seed)[1]
    rng.permuted(np.tile(np.arange(n), (epochs, 1)), axis=1)
    return rng.bit_generator.state


@settings(max_examples=60, deadline=None)
@given(
    seeds=st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=3),
    n=st.integers(1, 50),
    calls=st.lists(st.integers(1, 40), min_size=1, max_size=4),
)
def test_kernel_orders_and_state_are_numpys(seeds, n, calls):
    """Several streams at once, their epochs split into ``calls`` of the kernel: each call
    continues where the last stopped (a kept high half of a 64-bit output included)."""
    states = np.stack([stream_words(seed_streams(seed)[1]) for seed in seeds])
    drawn = []
    for epochs in calls:
        orders = np.full((len(seeds), epochs, n), -1, dtype=np.int64)
        draw_orders(states, True, orders)
        drawn.append(orders)
    total = sum(calls)
    for r, seed in enumerate(seeds):
        expected = EpochOrders(n, seed_streams(seed)[1]).take(0, total)
        assert np.array_equal(np.concatenate([o[r] for o in drawn]), expected)
        rng = np.random.default_rng(0)
        set_stream_words(rng, states[r])
        assert rng.bit_generator.state == _numpy_after(seed, n, total)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 30), first=st.integers(1, 30))
def test_epoch_orders_continue_from_the_kernels_state(seed, n, first):
    """A generator given the kernel's state back draws the epochs that follow."""
    states = stream_words(seed_streams(seed)[1])[None].copy()
    draw_orders(states, True, np.zeros((1, first, n), dtype=np.int64))
    rng = np.random.default_rng(1)
    set_stream_words(rng, states[0])
    after = EpochOrders(n, rng).take(0, 5)
    assert np.array_equal(after, EpochOrders(n, seed_streams(seed)[1]).take(first, 5))


def test_data_order_draws_nothing():
    states = np.stack([stream_words(seed_streams(seed)[1]) for seed in (3, 4)])
    before = states.copy()
    orders = np.full((2, 3, 6), -1, dtype=np.int64)
    draw_orders(states, False, orders)
    assert np.array_equal(orders, np.broadcast_to(np.arange(6), (2, 3, 6)))
    assert np.array_equal(states, before)


def test_stream_words_round_trip():
    rng = seed_streams(9)[1]
    rng.integers(0, 7, size=3)  # a draw of 32 bits leaves the high half kept
    words = stream_words(rng)
    assert words.dtype == np.uint64 and words.shape == (STREAM_WORDS,)
    assert words[4] == 1  # has_uint32
    copy = np.random.default_rng(0)
    set_stream_words(copy, words)
    assert copy.bit_generator.state == rng.bit_generator.state


def test_a_large_data_set_uses_every_bit_of_the_mask():
    """2^16 + 1 examples: at i = 2^16 the mask of random_interval needs all its shifts."""
    n, epochs = 2**16 + 1, 8
    states = stream_words(seed_streams(5)[1])[None].copy()
    orders = np.zeros((1, epochs, n), dtype=np.int64)
    draw_orders(states, True, orders)
    assert np.array_equal(orders[0], EpochOrders(n, seed_streams(5)[1]).take(0, epochs))


@settings(max_examples=30, deadline=None)
@given(seeds=st.lists(st.integers(0, 2**32 - 1), min_size=0, max_size=6))
def test_generators_seeded_for_many_seeds_at_once_are_seed_streams(seeds):
    """spawned_seed_words and seeded_states give the states of seed_streams' two generators
    (initial weights, shuffle) without making them."""
    seeds = np.array(seeds, dtype=np.int64)
    for child in (0, 1):
        states = np.zeros((len(seeds), STATE_WORDS), dtype=np.uint64)
        seeded_states(spawned_seed_words(seeds, child), states)
        for r, seed in enumerate(seeds):
            assert np.array_equal(states[r], stream_words(seed_streams(int(seed))[child]))


@settings(max_examples=30, deadline=None)
@given(
    seeds=st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=4),
    sizes=st.lists(st.integers(1, 6), min_size=2, max_size=4),
    activation=st.sampled_from(["sigmoid", "tanh"]),
    output=st.sampled_from(["sigmoid", "tanh", "linear"]),
    bias=st.booleans(),
)
def test_uniform_weights_are_network_initialize(seeds, sizes, activation, output, bias):
    """Glorot-uniform weights of many networks at once, each from its initial-weights
    stream: the values Network.initialize draws from a generator of that seed, and the
    stream left where that generator is."""
    spec = NetworkSpec.build(
        sizes[0],
        tuple(sizes[1:-1]),
        sizes[-1],
        activation=activation,
        output_activation=output,
        bias=bias,
    )
    net = Network(spec)
    draws = net.uniform_draws()
    assert draws is not None
    states = np.stack([stream_words(seed_streams(seed)[0]) for seed in seeds])
    params = np.zeros((len(seeds), net.params.size))
    uniform_weights(states, *draws, params)
    for seed, row, words in zip(seeds, params, states, strict=True):
        rng = seed_streams(seed)[0]
        net.initialize(rng)
        assert np.array_equal(row, net.params)
        assert np.array_equal(words, stream_words(rng))


def test_networks_with_other_initial_weights_are_not_drawn_uniformly():
    """He-normal relu layers and the tutorial's normal scheme draw otherwise."""
    relu = NetworkSpec.build(2, (3,), 1, activation="relu")
    tutorial = NetworkSpec.build(2, (3,), 1, init_scheme="tutorial")
    assert Network(relu).uniform_draws() is None
    assert Network(tutorial).uniform_draws() is None
    assert Network(NetworkSpec.build(2, (3,), 1)).uniform_draws() is not None
