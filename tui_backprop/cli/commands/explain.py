"""``tui-backprop explain``: one update, phase by phase, with the numbers filled in."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ...core.words import counted
from ...io.build import build_trained_setup
from ...teach.explain import explain_update
from ...teach.export import to_latex, to_markdown
from ..progress import CompileNotice
from ..report import run_keys
from ..wrap import columns, fit

if TYPE_CHECKING:
    from ..main import Invocation


def fitted_step(line: str) -> str:
    """A line of ``Explanation.text`` within the terminal's width. One too long for it:
    a phase's heading has its formula on the next line; a step's line has its
    statements (``a;  b``) on lines of their own; either wrapped at its spaces, later
    lines indented under its text."""
    if len(line) <= columns():
        return line
    if line.startswith("=="):
        title, _, formula = line.partition(":  ")
        return f"{title}:\n" + fit(f"   {formula}", indent=5)
    return "\n".join(fit(f"   {part.strip()}", indent=7) for part in line.split(";  "))


def run_explain(call: Invocation) -> int:
    args, moment = call.args, call.moment
    example = moment.example or 1  # the first example unless told
    with CompileNotice("tui-backprop explain"):
        setup = build_trained_setup(call.run, call.moment)
        session = setup.session
        assert session is not None
        n = session.n_examples
        # The batch: example K and the ones after it, in the data's order.
        batch = [(example - 1 + i) % n for i in range(session.batch_size)]
        explanation = explain_update(session, batch)
    shape = "json" if args.json else args.format
    doc = {
        **run_keys(setup),
        "after_epochs": moment.after_epochs,
        **explanation.to_json(),
    }
    if shape == "json":
        print(json.dumps(doc))
    elif shape == "markdown":
        print(to_markdown(doc))
    elif shape == "latex":
        print(to_latex(doc))
    else:
        spec = setup.spec
        print(
            fit(
                f"one update of {spec.summary} "
                f"on {setup.problem.name}, example{'s' if len(batch) > 1 else ''} "
                f"{', '.join(str(k + 1) for k in batch)}, "
                f"after {counted(moment.after_epochs, 'epoch')}"
            )
        )
        for line in explanation.text().splitlines():
            print(fitted_step(line))
    return 0
