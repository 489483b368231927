"""``tui-backprop explain``: one update, phase by phase, with the numbers filled in."""

from __future__ import annotations

import argparse
import json

from ..configure import build_setup
from ..errors import InputError
from ..explain import explain_update


def run_explain(args: argparse.Namespace) -> int:
    if args.after_epochs < 0:
        raise InputError(f"--after-epochs must be at least 0, got {args.after_epochs}")
    setup = build_setup(args)
    session = setup.session
    n = session.n_examples
    if not 1 <= args.example <= n:
        raise InputError(f"--example must be from 1 to {n}, got {args.example}")
    if args.after_epochs:
        session.run_epochs(args.after_epochs)
        if session.diverged:
            raise InputError(f"training diverged within {args.after_epochs} epochs; "
                             "lower --alpha")
    # The batch: example K and the ones after it, in the data's order.
    batch = [(args.example - 1 + i) % n for i in range(session.batch_size)]
    explanation = explain_update(session, batch)
    if args.json:
        doc = {"layers": list(setup.spec.sizes), "activations": list(setup.spec.activations),
               "cost": setup.spec.cost, "alpha": session.alpha,
               "momentum": session.momentum, "after_epochs": args.after_epochs,
               **explanation.to_json()}
        print(json.dumps(doc))
    else:
        spec = setup.spec
        print(f"one update of {spec.label} ({', '.join(spec.activations)}, {spec.cost}) on "
              f"{setup.problem.name}, examples {', '.join(str(k + 1) for k in batch)}, "
              f"after {args.after_epochs} epochs")
        print(explanation.text())
    return 0
