"""``tui-backprop train``: train headless, print a summary or one JSON object.

SIGINT (Ctrl-C) or SIGTERM while training stops it between two chunks of about 0.1 s,
within an epoch too; what was trained so far is then reported (marked interrupted) and
saved as a finished run would be (``--init`` resumes it where it stopped), and the exit
code is 128 + the signal (130, 143). A signal that comes once all the epochs are done
(during the last chunk) stops nothing: the run is reported complete, with exit code 0.
While the kernels compile, either signal stops the command at once with one line saying
so, and the same exit code, removing the kernels' temporary folders of this run
(``interrupts.EndAtOnce``).
Before that and after the training the signals act as usual.
"""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING, TextIO

from ...core.errors import InputError
from ...io.build import build_setup
from ...io.files import check_outputs_apart, check_writable_target
from ...io.resume import save_session
from ..interrupts import EndAtOnce, Interruptions
from ..outputs import command_inputs
from ..progress import CompileNotice, ProgressBar, erasing_notices
from ..report import TrainResult, human_report, json_report

if TYPE_CHECKING:
    from ..main import Invocation


def compile_hint(seconds: float, stream: TextIO | None = None) -> None:
    """On a terminal, one line saying that this run compiled kernels (a first start: none
    of them was in the cache) and how to compile the common ones ahead of time."""
    import kernels
    from kernels.config import CACHE_DIR

    stream = stream if stream is not None else sys.stderr
    if CACHE_DIR is None or not stream.isatty() or not kernels.compiled_here():
        return
    from ..wrap import fit, stream_columns

    # Wrapped to its terminal under its text (two lines at 80 columns); the command to
    # type stays whole, its spaces held by a placeholder the wrap does not break at.
    command = "`tui-backprop cache --warm`".replace(" ", "\0")
    note = (
        f"tui-backprop train: note: compiled this network's kernels in {seconds:.1f} s, "
        f"now cached; {command} compiles the common ones ahead of time"
    )
    print(fit(note, indent=2, width=stream_columns(stream)).replace("\0", " "), file=stream)


def _stopped_before_training(signal_name: str) -> str:
    return f"tui-backprop train: stopped by {signal_name} before training started"


def run_train(call: Invocation) -> int:
    args = call.args
    if args.as_written:
        from .as_written import run_as_written

        if args.save:
            raise InputError("--as-written prints the tutorial's run; it does not --save it")
        return run_as_written(call)
    if args.save:
        # Fail before a long run, not after it.
        check_outputs_apart(
            [("--save", args.save)], command_inputs(call), may_replace=[("--save", "--init")]
        )
        check_writable_target(args.save)
    setup = build_setup(call.run, resume_run=not args.no_resume)
    session = setup.session
    assert session is not None
    warming = time.perf_counter()
    # Nothing trained yet, so nothing to keep: a signal ends the compile at once.
    with (
        EndAtOnce(_stopped_before_training, erasing_notices),
        CompileNotice("tui-backprop train"),
    ):
        session.warm_up()  # compile or load kernels outside the timed part
        initial_loss = session.evaluate()
    compile_hint(time.perf_counter() - warming)
    if session.diverged:
        raise InputError(
            "the loss is not finite before any training: the data or the "
            "initial weights are too large for this network"
        )
    # Only now that the input has passed every check: bad input gets its one line alone.
    if setup.resumed is not None:
        for note in setup.resumed.notes:
            print(f"tui-backprop train: note: {note}", file=sys.stderr)

    bar = ProgressBar("training")
    first_epoch = session.epoch
    asked = setup.settings.epochs
    started = time.perf_counter()
    with Interruptions() as interruptions:
        try:
            # Asked between two chunks of about 0.1 s, within an epoch too: the Session is
            # then where a saved run resumes, so stopping loses nothing.
            session.run_epochs(asked, progress=bar.update, stop=lambda: interruptions.stopped)
        finally:
            bar.close()
    epochs = session.epoch - first_epoch
    seconds = time.perf_counter() - started
    # Interrupted: stopped short of the epochs asked for (and not by diverging, which
    # ends a run too). A signal that came once they were done (in the last chunk) stopped
    # nothing: the run is reported complete.
    short = epochs < asked and not session.diverged
    stopped_by = interruptions.signum if short else None
    final_loss = session.evaluate()

    result = TrainResult(
        setup, session, initial_loss, final_loss, epochs, seconds, stopped_by=stopped_by
    )
    if args.json:
        print(json.dumps(json_report(result), allow_nan=False))
    else:
        print(human_report(result))

    if args.save:
        if not session.parameters_finite():
            message = f"not saving {args.save}: the run diverged and the weights are not finite"
            if stopped_by is None:
                raise InputError(message)
            print(f"tui-backprop train: {message}", file=sys.stderr)
            return 128 + stopped_by
        save_session(args.save, session)
        if not args.json:
            print(f"saved         {args.save}")
    return 0 if stopped_by is None else 128 + stopped_by
