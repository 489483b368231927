"""Test session set-up."""

import os

# scikit-learn's estimator checks include one that runs with array API dispatch on NumPy
# input; it needs this set before SciPy is first imported, or it is skipped.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
