"""Work that must not hold up quitting: a daemon thread, its result handed to the UI.

Textual's thread workers run in asyncio's default executor, whose threads the app waits
for when it exits: ``q`` during a kernel compile would wait the compile out. What runs
here is only ever a computation whose result the app can drop (kernels compiling or
loading, the errata view's runs), so it runs in a daemon thread instead, and a result
that arrives after the app has ended is dropped.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TypeVar

from textual.app import App

T = TypeVar("T")


def in_background(
    app: App[None], name: str, work: Callable[[], T], done: Callable[[T], object]
) -> threading.Thread:
    """Run ``work()`` in a daemon thread, then ``done(result)`` on the UI thread (if the
    app is still running). An exception in ``work`` is raised on the UI thread, where it
    ends the app as any error does."""

    def body() -> None:
        try:
            result = work()
        except Exception as error:  # noqa: BLE001 - handed over whole, not handled here
            failure = error

            def fail() -> None:
                raise failure

            deliver: Callable[[], object] = fail
        else:

            def deliver() -> object:
                return done(result)

        # The app has ended (or ends meanwhile: RuntimeError): nobody waits for the result.
        if app.is_running:
            with contextlib.suppress(RuntimeError):
                app.call_from_thread(deliver)

    thread = threading.Thread(target=body, name=name, daemon=True)
    thread.start()
    return thread
