"""``tui-backprop gradcheck``: backprop against central finite differences, per layer."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

import numpy as np

from ...core.config import GRADCHECK_TOLERANCE
from ...core.errors import InputError
from ...core.words import counted
from ...io.build import build_trained_setup
from ...io.files import json_number
from ...teach.gradcheck import FLOOR, STEP, check_gradients
from ..progress import CompileNotice
from ..report import run_keys
from ..wrap import fit

if TYPE_CHECKING:
    from ..main import Invocation


def run_gradcheck(call: Invocation) -> int:
    args, moment = call.args, call.moment
    example = moment.example
    tolerance = GRADCHECK_TOLERANCE if args.tolerance is None else args.tolerance
    if not (math.isfinite(tolerance) and tolerance > 0):
        raise InputError(f"--tolerance must be a finite number > 0, got {tolerance!r}")
    with CompileNotice("tui-backprop gradcheck"):
        setup = build_trained_setup(call.run, call.moment)
        session = setup.session
        assert session is not None
        indices = None if example is None else np.array([example - 1])
        checks = check_gradients(session, indices)
    worst = max(c.worst for c in checks)
    passed = worst <= tolerance
    scope = "all examples" if example is None else f"example {example}"

    if args.json:
        print(
            json.dumps(
                {
                    **run_keys(setup),
                    "scope": scope,
                    "after_epochs": moment.after_epochs,
                    "step": STEP,
                    "tolerance": tolerance,
                    "passed": passed,
                    "max_relative_error": json_number(worst),
                    "per_layer": [
                        {
                            "layer": c.layer,
                            "weights": json_number(c.weights_error),
                            "biases": json_number(c.biases_error)
                            if c.biases_error is not None
                            else None,
                            "checked": c.checked,
                            "kinks": c.kinks,
                        }
                        for c in checks
                    ],
                }
            )
        )
    else:
        print(
            fit(
                f"gradient check: {setup.spec.summary} on {setup.problem.name}, mean cost "
                f"of {scope}, after {counted(moment.after_epochs, 'epoch')}"
            )
        )
        # Two lines, so that each fits 80 columns.
        print(f"central differences, h = {STEP:g}")
        print(f"relative error |g - g_fd| / max(|g|, |g_fd|, {FLOOR:g})")
        print(f"{'layer':<7}{'max error W':<14}{'max error b':<14}{'checked':<9}relu kinks")
        for c in checks:
            b = f"{c.biases_error:.2e}" if c.biases_error is not None else "no biases"
            print(f"{c.layer:<7}{c.weights_error:<14.2e}{b:<14}{c.checked:<9}{c.kinks}")
        verdict = "PASS" if passed else "FAIL"
        print(
            f"{verdict}: largest relative error {worst:.2e} "
            f"{'<=' if passed else '>'} tolerance {tolerance:g}"
        )
        if any(c.kinks for c in checks):
            print(
                "(parameters whose +-h step moves a relu input across 0 are left out: "
                "there the derivative jumps and finite differences average two slopes)"
            )
    return 0 if passed else 1
