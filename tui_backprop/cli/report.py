"""What ``train`` prints: a readable summary for people, one JSON object for scripts."""

from __future__ import annotations

import signal
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..core.config import RULE_SETTINGS, UpdateRule
from ..core.problem import accuracy
from ..core.session import Session
from ..core.words import counted
from ..io.build import Setup
from ..io.files import json_number, to_json_lists
from ..io.resume import rule_keys
from .options import option_name
from .wrap import columns, fit

#: Data sets up to this size get a row per example in the human output.
FULL_TABLE_ROWS = 20
SHOWN_ROWS = 10


@dataclass(frozen=True)
class TrainResult:
    """A finished ``train`` run: its setup, the Session it trained, the loss before and
    after, the epochs run and the seconds they took, and the signal that stopped it
    early, if one did."""

    setup: Setup
    session: Session
    initial_loss: float
    final_loss: float
    epochs: int
    seconds: float
    stopped_by: int | None = None

    @property
    def diverged(self) -> bool:
        return self.session.diverged

    @property
    def interrupted(self) -> bool:
        return self.stopped_by is not None


def interruption_line(result: TrainResult) -> str:
    assert result.stopped_by is not None
    name = signal.Signals(result.stopped_by).name
    asked = result.setup.settings.epochs
    return f"interrupted after {counted(result.epochs, 'epoch')} (of {asked}) by {name}"


def _fmt(x: float) -> str:
    return f"{x:.6g}" if np.isfinite(x) else str(x)


def _vector(values: Sequence[float]) -> str:
    return " ".join(f"{v:.4g}" for v in values)


#: Seconds below which a run's rate is not given: the timer's resolution, a first call's
#: warm-up and the loop's start are most of such a time (40 updates in 0.001 s would read
#: 0.03 M updates/s, a thousandth of the kernel's speed).
SHORTEST_TIMED = 0.05
TOO_SHORT = "too short to time"


def per_second(count: float, seconds: float) -> float | None:
    """count / seconds; None below SHORTEST_TIMED seconds (see there)."""
    return count / seconds if seconds >= SHORTEST_TIMED else None


def rate_words(count: float, seconds: float, unit: str) -> str:
    """A rate as the reports write it, "1.23 M updates/s", or TOO_SHORT."""
    rate = per_second(count, seconds)
    return TOO_SHORT if rate is None else f"{rate / 1e6:.3g} M {unit}/s"


def rule_words(rule: UpdateRule) -> str:
    """alpha, the update rule and the settings it uses, as the reports write them:
    "alpha 0.1, momentum 0.9" (the default rule, as before there were others), "alpha 0.1,
    nesterov momentum 0.9", "alpha 0.001, adam beta1 0.9 beta2 0.999 eps 1e-08", with
    ", weight decay 0.01" (and " (biases too)") when there is a penalty."""
    used = [f"{name} {getattr(rule, name):g}" for name in RULE_SETTINGS[rule.optimizer]]
    name = [] if rule.optimizer == "momentum" else [rule.optimizer]
    words = [f"alpha {rule.alpha:g}", " ".join([*name, *used])]
    if rule.weight_decay:
        biases = " (biases too)" if rule.decay_biases else ""
        words.append(f"weight decay {rule.weight_decay:g}{biases}")
    return ", ".join(words)


def settings_lines(setup: Setup) -> list[str]:
    spec, st, problem = setup.spec, setup.settings, setup.problem
    hidden = spec.hidden_activation
    acts = f"{hidden} -> {spec.output_activation}" if hidden else spec.output_activation
    if st.batch_size == 1:
        batch = "online (batch 1)"
    elif st.batch_size >= problem.n_examples:
        batch = f"full batch ({st.batch_size})"
    else:
        batch = f"mini-batch {st.batch_size}"
    beta = f", beta {spec.beta:g}" if spec.beta != 1.0 else ""
    init = f", {spec.init_scheme} init" if spec.init_scheme != "auto" else ""
    lines = [
        f"problem   {problem.name}: {problem.description}",
        f"network   {spec.label}, {acts}, cost {spec.cost}{beta}, "
        f"biases {'on' if spec.bias else 'off'}{init}",
        f"training  {rule_words(st)}, {batch}, "
        f"{'shuffled' if st.shuffle else 'in data order'}, seed {st.seed}",
    ]
    return [fit(line, indent=10) for line in lines]


def example_table(session: Session) -> list[str]:
    """One row per example: input, target, output (the first SHOWN_ROWS of large sets)."""
    n = session.n_examples
    rows = range(n) if n <= FULL_TABLE_ROWS else range(SHOWN_ROWS)
    cells = [("#", "input", "target", "output", "cost")]
    for k in rows:
        cells.append(
            (
                str(k + 1),
                _vector(session.X[k]),
                _vector(session.Y[k]),
                _vector(session.outputs[k]),
                f"{session.costs[k]:.4g}",
            )
        )
    widths = [max(len(row[i]) for row in cells) for i in range(5)]
    # Inputs too many for the terminal (a CSV's dozen columns) are cut at a value, in the
    # column's room: the other columns, which say how the network did, stay whole.
    room = max(len("input"), columns() - (sum(widths) - widths[1]) - 2 * 4)
    cut = widths[1] > room
    if cut:
        cells = [(a, _cut_values(b, room), c, d, e) for a, b, c, d, e in cells]
        widths[1] = max(len(row[1]) for row in cells)
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    if n > len(rows):
        lines.append(f"... and {n - len(rows)} more examples (--json lists every output)")
    if cut:
        lines.append(fit("(inputs cut to fit the terminal; --json lists them all)"))
    return lines


def _cut_values(text: str, width: int) -> str:
    """Space-separated values within ``width`` columns: as many as fit before " …"."""
    if len(text) <= width:
        return text
    kept = ""
    for value in text.split(" "):
        longer = f"{kept} {value}" if kept else value
        if len(longer) + len(" …") > width:
            break
        kept = longer
    return f"{kept} …" if kept else "…"


def human_report(result: TrainResult) -> str:
    setup = result.setup
    session = result.session
    lines = settings_lines(setup)
    lines.append("")
    lines.extend(example_table(result.session))
    lines.append("")
    lines.append(f"initial loss  {_fmt(result.initial_loss)}")
    lines.append(f"final loss    {_fmt(result.final_loss)}")
    if setup.problem.kind == "classification":
        acc = accuracy(session.outputs, session.Y)
        shown = "n/a (outputs not finite)" if acc is None else f"{acc:.1%}"
        lines.append(f"accuracy      {shown}")
    partial = session.batch_in_epoch  # updates into an epoch not finished (a divergence, ^C)
    lines.append(
        f"epochs        {result.epochs}"
        + (
            f", and {partial} of the next one's {session.batches_per_epoch} updates"
            if partial
            else ""
        )
    )
    rate = rate_words(session.updates, result.seconds, "updates")
    lines.append(f"updates       {session.updates} in {result.seconds:.3f} s ({rate})")
    resumed = setup.resumed
    if resumed is not None and (resumed.state or resumed.position):
        what = [f"after {counted(resumed.epochs, 'epoch')}"] if resumed.position else []
        if resumed.state:
            what.append(f"{setup.settings.optimizer} state (t = {resumed.t})")
        lines.append(f"resumed       {resumed.file}: {', '.join(what)}")
    # The last lines wrap at spaces under their text (a divergence's reason is long).
    if result.diverged:
        lines.append(fit(divergence_message(result), indent=len("DIVERGED ")))
    if (runaway := runaway_message(result)) is not None:
        lines.append(fit(runaway, indent=len("WARNING  ")))
    if result.interrupted:
        lines.append(fit(interruption_line(result), indent=2))
    return "\n".join(lines)


def _likely_cause(st: UpdateRule) -> str:
    """The setting ``divergence_suspect`` names, why, and a value to try instead."""
    suspect, instead = st.divergence_suspect()
    try_instead = f"try {option_name(suspect)} {instead:g}"
    words = st.decay_words()
    if words is not None:
        return (
            f"weight decay {st.weight_decay:g} is probably too large for alpha {st.alpha:g} "
            f"({words}; {try_instead})"
        )
    return f"alpha {st.alpha:g} is probably too large ({try_instead})"


def divergence_message(result: TrainResult) -> str:
    """Why a run diverged, and what to try: the setting ``divergence_suspect`` names."""
    cause = _likely_cause(result.setup.settings)
    return (
        f"DIVERGED in epoch {result.epochs + 1}: the loss or a weight is no longer finite; " + cause
    )


#: A weight this large in a run that has not diverged: it is running away, and the
#: accuracy and loss of such weights say little (outputs saturated at 0 or 1).
RUNAWAY_WEIGHT = 1e6


def largest_weight(arrays: Sequence[np.ndarray]) -> float:
    """max |w| over every entry of ``arrays`` (the weights and biases; nan once one is not
    finite)."""
    return max(float(np.max(np.abs(values))) for values in arrays)


def runaway_message(result: TrainResult) -> str | None:
    """For a run not (yet) diverged whose weights have grown past RUNAWAY_WEIGHT (weight
    decay far past its bound grows them about 100-fold an update, finite for dozens of
    epochs): what it is and what to try; None otherwise."""
    largest = largest_weight([result.session.network.params])
    if result.diverged or not largest >= RUNAWAY_WEIGHT:
        return None
    return (
        f"WARNING  a weight has grown to {largest:.3g}: training is running away, and the "
        f"loss and accuracy above say little; {_likely_cause(result.setup.settings)}"
    )


def network_keys(setup: Setup) -> dict:
    """The keys of ``train --json`` that describe the problem and the network."""
    spec = setup.spec
    return {
        "problem": setup.problem.name,
        "layers": list(spec.sizes),
        "activations": list(spec.activations),
        "cost": spec.cost,
        "beta": spec.beta,
        "bias": spec.bias,
        "init_scheme": spec.init_scheme,
    }


def run_keys(setup: Setup) -> dict:
    """The keys of ``train --json`` that describe the run: ``network_keys``, the update
    rule's (``rule_keys``), batch_size, shuffle and seed. Every command that trains or
    checks a network prints them under these names."""
    st = setup.settings
    return {
        **network_keys(setup),
        **rule_keys(st),
        "batch_size": st.batch_size,
        "shuffle": st.shuffle,
        "seed": st.seed,
    }


def json_report(result: TrainResult) -> dict:
    setup = result.setup
    spec, session = setup.spec, result.session
    net = session.network
    epochs, losses = session.history.curve()
    document = {
        **run_keys(setup),
        "epochs": result.epochs,
        # What --init's training state restored (None without one): see io.resume.
        "resumed": None if setup.resumed is None else setup.resumed.to_json(),
        "updates": session.updates,
        "examples": session.n_examples,
        "initial_loss": json_number(result.initial_loss),
        "final_loss": json_number(result.final_loss),
        "diverged": result.diverged,
        # max |w| over weights and biases (null once one is not finite): past
        # RUNAWAY_WEIGHT in a run not diverged, the text report warns it is running away.
        "largest_weight": json_number(largest_weight([net.params])),
        "interrupted": result.interrupted,
        "outputs": to_json_lists(session.outputs),
        "weights": [to_json_lists(w) for w in net.W[1:]],
        "biases": [to_json_lists(b) for b in net.b[1:]] if spec.bias else None,
        "seconds": result.seconds,
        # Mean cost of each epoch's examples as they were trained on: the first and
        # the last epoch, and evenly thinned between them to REPORTED_POINTS in all.
        "loss_curve": {"epochs": epochs.tolist(), "losses": to_json_lists(losses)},
    }
    if setup.problem.kind == "classification":
        document["accuracy"] = accuracy(session.outputs, session.Y)
    return document
