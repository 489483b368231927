"""``kernels.threads.run_blocks``: every block once, on numba's number of threads at most (the
caller's among them), and nothing left running when it returns, also after an exception.
The generated ``train_many`` that runs on it is held to the general kernels' bits in
tests/test_generate.py."""

from __future__ import annotations

import threading

import numba
import pytest

from kernels.threads import run_blocks, run_ranges


@pytest.fixture
def threads():
    """numba's thread count, put back after the test."""
    before = numba.get_num_threads()
    yield
    numba.set_num_threads(before)


def record(count: int) -> list[tuple[int, int]]:
    """(block, thread) of each call of run_blocks' work over ``count`` blocks. Each block
    waits for a barrier that every thread in the run reaches, so that the blocks cannot all
    be done by one thread before another starts."""
    used = max(1, min(numba.get_num_threads(), count))
    barrier = threading.Barrier(used, timeout=30)
    calls: list[tuple[int, int]] = []
    lock = threading.Lock()

    def work(block: int) -> None:
        if block < used:  # the first block of each thread's share
            barrier.wait()
        with lock:
            calls.append((block, threading.get_ident()))

    run_blocks(work, count)
    return calls


@pytest.mark.parametrize("count", [1, 2, 7, 64])
def test_every_block_once_on_numbas_threads(threads, count):
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    calls = record(count)
    assert sorted(block for block, _ in calls) == list(range(count))
    used = {thread for _, thread in calls}
    assert threading.get_ident() in used
    assert len(used) == min(numba.config.NUMBA_NUM_THREADS, count)


def test_one_thread_runs_every_block_on_the_caller(threads):
    numba.set_num_threads(1)
    calls = record(9)
    assert [block for block, _ in calls] == list(range(9))
    assert {thread for _, thread in calls} == {threading.get_ident()}


def test_an_exception_waits_for_the_other_threads_then_goes_on():
    release = threading.Event()
    finished: list[int] = []

    def work(block: int) -> None:
        if block == 0:  # the caller's first block
            release.set()
            raise KeyboardInterrupt
        release.wait(30)
        finished.append(block)

    with pytest.raises(KeyboardInterrupt):
        run_blocks(work, 4, threads=2)
    assert finished == [1, 3]  # the other thread's share, done before run_blocks returned

    def failing(block: int) -> None:
        if block == 1:  # the other thread's
            raise ValueError("block 1")

    with pytest.raises(ValueError, match="block 1"):
        run_blocks(failing, 2, threads=2)


@pytest.mark.parametrize("count", [1, 2, 5, 1000])
def test_ranges_cover_every_index_once_one_call_per_thread(threads, count):
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    calls: list[tuple[str, int, int, int]] = []
    lock = threading.Lock()

    def kernel(tag: str, first: int, stop: int) -> None:
        with lock:
            calls.append((tag, first, stop, threading.get_ident()))

    run_ranges(kernel, count, ("args",))
    parts = min(numba.config.NUMBA_NUM_THREADS, count)
    assert len(calls) == parts and {tag for tag, *_ in calls} == {"args"}
    covered = sorted(i for _, first, stop, _ in calls for i in range(first, stop))
    assert covered == list(range(count))
    lengths = [stop - first for _, first, stop, _ in calls]
    assert max(lengths) - min(lengths) <= 1
