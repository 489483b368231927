"""Test session set-up."""

import os

# scikit-learn's estimator checks include one that runs with array API dispatch on NumPy
# input; it needs this set before SciPy is first imported, or it is skipped.
os.environ.setdefault("SCIPY_ARRAY_API", "1")


import pytest  # noqa: E402  (after the environment above)
from hypothesis import settings  # noqa: E402

# The same examples every run, so that a run of the suite (CI's among them) passes or
# fails on the code alone; HYPOTHESIS_PROFILE=explore draws new ones to look for bugs
# (a case found that way becomes an @example of its test).
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(autouse=True)
def status_messages_stay_whole(monkeypatch):
    """A long status message shows whole in the setup line's place for a few seconds
    (``StatusLine``): in tests, until a test moves it on, so that no screen a test reads
    depends on how fast the machine ran it."""
    import sys

    status = sys.modules.get("tui_backprop.app.widgets.status")
    if status is not None:  # imported by the app's tests when they are collected
        monkeypatch.setattr(status, "WHOLE_SECONDS", 3600.0)
