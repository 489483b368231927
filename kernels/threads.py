"""Work spread over threads from Python, for kernels that release the GIL.

Every ``train_many`` (``restarts``: ``dense.train_many`` and ``dense.train_many_rule``, and
a generated module's two) hands networks to threads. Each did so as a kernel of its own
with ``parallel=True``, whose compile added numba's parfor passes, a gufunc and two
wrappers, each of which linked and optimised the whole body again: about 6 s of a 21 s
cold ``restarts`` of XOR, for a loop that runs a few times a second. Called from Python,
the kernels they run (``nogil``) run on several threads just the same.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable

import numba

_executor: concurrent.futures.ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _pool() -> concurrent.futures.ThreadPoolExecutor:
    """The process's threads for ``run_blocks``, made on first use: as many as numba's
    (``NUMBA_NUM_THREADS``, the most ``numba.set_num_threads`` allows), less the caller."""
    global _executor
    with _executor_lock:
        if _executor is None:
            most = int(numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
            _executor = concurrent.futures.ThreadPoolExecutor(
                max_workers=max(1, most - 1), thread_name_prefix="kernels"
            )
        return _executor


def run_blocks(work: Callable[[int], object], count: int, threads: int | None = None) -> None:
    """``work(0)`` .. ``work(count - 1)`` on ``threads`` threads at most (None:
    ``numba.get_num_threads()``), the calling one among them: thread t takes blocks t,
    t + threads, ... in turn (for blocks of equal work). ``work`` must write only what its
    own block owns.

    Returns when every block is done, also when the caller's share raised (a
    KeyboardInterrupt between two of its calls): the other threads' blocks are waited for
    before the exception goes on, so that nothing writes into the arrays after this
    returns. The first exception of another thread is raised here."""
    threads = max(1, min(numba.get_num_threads() if threads is None else threads, count))

    def share(first: int) -> None:
        for block in range(first, count, threads):
            work(block)

    if threads == 1:
        share(0)
        return
    others: list[concurrent.futures.Future[None]] = []
    try:
        for t in range(1, threads):
            others.append(_pool().submit(share, t))
        share(0)
    finally:
        concurrent.futures.wait(others)
    for future in others:
        future.result()


def run_ranges(kernel: Callable[..., object], count: int, args: tuple[object, ...]) -> None:
    """``kernel(*args, first, stop)`` for ranges [first, stop) that together cover
    0 .. count - 1 without overlap: one range of nearly equal length per thread (of
    ``numba.get_num_threads()``), each taken by one call, through ``run_blocks``."""
    parts = max(1, min(numba.get_num_threads(), count))
    bounds = [count * part // parts for part in range(parts + 1)]
    run_blocks(lambda part: kernel(*args, bounds[part], bounds[part + 1]), parts)
