"""``tui-backprop train``: train headless, print a summary or one JSON object."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

from ...core.errors import InputError
from ...io.build import build_setup
from ...io.files import check_writable_target
from ...io.weights_file import save_weights
from ..progress import ProgressBar
from ..report import TrainResult, human_report, json_report

if TYPE_CHECKING:
    from ..main import Invocation


def run_train(call: Invocation) -> int:
    args = call.args
    if args.save:
        check_writable_target(args.save)  # fail before a long run, not after it
    setup = build_setup(call.run)
    session = setup.session
    assert session is not None
    session.warm_up()  # compile or load kernels outside the timed part
    initial_loss = session.evaluate()
    if session.diverged:
        raise InputError(
            "the loss is not finite before any training: the data or the "
            "initial weights are too large for this network"
        )

    bar = ProgressBar("training")
    started = time.perf_counter()
    try:
        epochs = session.run_epochs(setup.settings.epochs, progress=bar.update)
    finally:
        bar.close()
    seconds = time.perf_counter() - started
    final_loss = session.evaluate()

    result = TrainResult(setup, session, initial_loss, final_loss, epochs, seconds)
    if args.json:
        print(json.dumps(json_report(result), allow_nan=False))
    else:
        print(human_report(result))

    if args.save:
        if not session.parameters_finite():
            raise InputError(
                f"not saving {args.save}: the run diverged and the weights are not finite"
            )
        net = session.network
        save_weights(
            args.save,
            setup.spec.sizes,
            net.weights(),
            net.biases() if setup.spec.bias else None,
            extra={
                "activations": list(setup.spec.activations),
                "cost": setup.spec.cost,
                "beta": setup.spec.beta,
            },
        )
        if not args.json:
            print(f"saved         {args.save}")
    return 0
