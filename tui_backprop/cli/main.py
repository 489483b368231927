"""The ``tui-backprop`` command: parses options and hands off to one command module.

Heavy modules (numpy, numba, textual) are imported only inside the command that needs
them, so ``--help`` and a mistyped option answer at once.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

from ..core.config import (
    GRADCHECK_TOLERANCE,
    OPTIMIZERS,
    AppOptions,
    DescentConfig,
    LandscapeConfig,
    MomentConfig,
    RestartsConfig,
    RunConfig,
    number_from_text,
    whole_from_text,
)
from .negative_values import attach_negative_values
from .options import (
    AFTER_EPOCHS,
    APP_OPTIONS,
    CHECK_EXAMPLE,
    DESCENT_OPTIONS,
    EXPLAIN_EXAMPLE,
    LANDSCAPE_OPTIONS,
    PAUSE_EPOCHS,
    RESTARTS_OPTIONS,
    RUN_EPOCHS,
    Option,
    add_options,
    add_run_options,
    argparse_type,
    configure,
    file_name,
    given,
    option_name,
    run_config,
)

if TYPE_CHECKING:
    from ..io.lessons import Lesson

PROG = "tui-backprop"
#: command -> (module in tui_backprop.cli.commands, function); imported only when run.
COMMANDS = {
    "tui": ("tui", "run_tui"),
    "train": ("train", "run_train"),
    "gradcheck": ("gradcheck", "run_gradcheck"),
    "explain": ("explain", "run_explain"),
    "descend": ("descend", "run_descend"),
    "landscape": ("landscape", "run_landscape"),
    "restarts": ("restarts", "run_restarts"),
    "race": ("race", "run_race"),
    "bench": ("bench", "run_bench_command"),
    "problems": ("problems", "run_problems"),
    "lessons": ("lessons", "run_lessons"),
    "lesson": ("tui", "run_tui"),
    "cache": ("cache", "run_cache"),
    "replay": ("replay", "run_replay"),
}
#: Commands that take --lesson: a lesson's values become their defaults.
LESSON_COMMANDS = (
    "tui",
    "lesson",
    "train",
    "gradcheck",
    "explain",
    "descend",
    "landscape",
    "restarts",
)


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (and exit code 2)."""

    #: Each command's own parser, by name (set by ``build_parser``).
    command_parsers: dict[str, argparse.ArgumentParser]

    def error(self, message: str) -> NoReturn:
        from .wrap import error_line

        self.exit(2, error_line(self.prog, f"{message} (see --help)") + "\n")


class VersionAction(argparse.Action):
    """--version: the version is read from the package's metadata only when asked, which
    keeps that import off every other start."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        from .. import __version__

        print(f"{PROG} {__version__}")
        parser.exit(0)


@dataclass(frozen=True)
class Invocation:
    """A parsed command line: the command's own options (``args``: --json, --save, ...) and
    the configuration it gives, laid over its lesson's (if any) and the defaults."""

    args: argparse.Namespace
    run: RunConfig
    app: AppOptions
    descent: DescentConfig
    landscape: LandscapeConfig
    restarts: RestartsConfig
    moment: MomentConfig
    lesson: Lesson | None = None
    #: The command's own words as typed (after its name), for commands that print a
    #: command line to run next (``restarts``: a seed's ``train``).
    words: tuple[str, ...] = ()


def _network_command(
    commands: Any, name: str, help: str, description: str, epochs: Option | None
) -> argparse.ArgumentParser:
    """A command that builds a network on data: the data, network and training options."""
    parser: argparse.ArgumentParser = commands.add_parser(name, help=help, description=description)
    add_run_options(parser, epochs)
    return parser


def _add_lesson_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lesson",
        metavar="NAME|FILE.toml",
        help="start from a lesson's settings: a shipped lesson by name (see "
        "`tui-backprop lessons`) or your own TOML file; options given "
        "here override the file's",
    )


def _add_as_written(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-written",
        action="store_true",
        help="run the lesson's tutorial code as written, slips included, and print what "
        "it prints and where it differs from the lesson (seed lessons: neuron, not, "
        "xor-231, xor-221; descent on `lesson`)",
    )


def build_parser() -> OneLineParser:
    """The parser; ``parser.command_parsers`` maps each command to its own parser."""
    parser = OneLineParser(
        prog=PROG,
        description="Watch backpropagation and gradient descent train a neural network.",
    )
    parser.add_argument(
        "--version", action=VersionAction, nargs=0, help="show the version and exit"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    tui = _network_command(
        commands,
        "tui",
        help="open the app (the default command)",
        description="Open the app: watch the network train, step it, change it. "
        "Press ? inside for every key.",
        epochs=PAUSE_EPOCHS,
    )
    add_options(tui, "app", APP_OPTIONS)

    lesson = _network_command(
        commands,
        "lesson",
        help="open a lesson in the app (see `tui-backprop lessons`)",
        description="Open a lesson: its scene, its settings and its lecture notes (t shows "
        "or hides them). Options given here override the lesson's.",
        epochs=PAUSE_EPOCHS,
    )
    lesson.add_argument(
        "lesson", metavar="NAME|FILE.toml", help="a shipped lesson's name, or a lesson file"
    )
    add_options(lesson, "app", APP_OPTIONS)
    _add_as_written(lesson)

    train = _network_command(
        commands,
        "train",
        help="train a network headless and print the result",
        description="Train a network without the app; print a summary or --json.",
        epochs=RUN_EPOCHS,
    )
    output = train.add_argument_group("output")
    output.add_argument(
        "--save",
        type=argparse_type(file_name),
        metavar="FILE.json",
        help="write the final weights here",
    )
    output.add_argument("--json", action="store_true", help="print one JSON object")
    train.add_argument(
        "--no-resume",
        action="store_true",
        help="with --init: start from the file's weights only, not from the training state "
        "a --save file holds (the optimizer's state and the epochs done), which --init "
        "resumes when the optimizer and the example orders' settings match",
    )
    _add_as_written(train)

    check = _network_command(
        commands,
        "gradcheck",
        help="check backprop against finite differences",
        description="Compare backprop's gradient of the mean cost with central finite "
        "differences for every parameter; exit code 1 if any relative error "
        "exceeds the tolerance.",
        epochs=None,
    )
    add_options(check, "moment", [AFTER_EPOCHS, CHECK_EXAMPLE])
    check.add_argument(
        "--tolerance",
        type=argparse_type(number_from_text),
        default=None,
        help=f"largest relative error that passes (default: {GRADCHECK_TOLERANCE:g})",
    )
    check.add_argument("--json", action="store_true", help="print one JSON object")

    explain = _network_command(
        commands,
        "explain",
        help="one update, phase by phase, with the numbers filled in",
        description="Print one update as the formulas of the forward pass, the cost, the "
        "deltas, the gradients and the momentum update, each with the current "
        "numbers plugged in: for lecture notes.",
        epochs=None,
    )
    add_options(explain, "moment", [AFTER_EPOCHS, EXPLAIN_EXAMPLE])
    shape = explain.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="print one JSON object")
    shape.add_argument(
        "--format",
        choices=("text", "json", "markdown", "latex"),
        default="text",
        help="text (default), json (as --json), markdown or latex: a table per phase, "
        "for lecture notes and slides",
    )

    descend = commands.add_parser(
        "descend",
        help="gradient descent on f(x) = x^4 - 3x^3 + 2, or on a surface",
        description="Gradient descent x <- x - gamma f'(x) on the tutorials' quartic "
        "f(x) = x^4 - 3x^3 + 2 until a step is at most --precision, then the "
        "second-derivative test; or on a two-variable bowl, cap (by ascent) or "
        "saddle, with the Hessian test.",
    )
    add_options(descend, "descent", DESCENT_OPTIONS)
    descend.add_argument("--json", action="store_true", help="print one JSON object")

    landscape = _network_command(
        commands,
        "landscape",
        help="the cost over a grid of two parameters",
        description="The mean cost over a grid of two parameters (the whole cost function "
        "of a two-parameter network such as NOT with --hidden 0, or a slice "
        "through two chosen parameters of a larger one).",
        epochs=None,
    )
    add_options(landscape, "landscape", LANDSCAPE_OPTIONS)
    landscape.add_argument("--json", action="store_true", help="print one JSON object")

    from .race_options import add_race_parser

    add_race_parser(commands)

    restarts = _network_command(
        commands,
        "restarts",
        help="train many seeds of one network in parallel",
        description="Train --count networks from seeds --seed, --seed + 1, ... (every other "
        "option as in train) in parallel; report how many converged, quantiles "
        "and a histogram of the final losses, and the best and worst seeds. "
        "`train --seed S` reproduces any one of them exactly.",
        epochs=RUN_EPOCHS,
    )
    add_options(restarts, "restarts", RESTARTS_OPTIONS)
    restarts.add_argument(
        "--threads", type=argparse_type(whole_from_text), help="threads to use (default: all)"
    )
    restarts.add_argument("--json", action="store_true", help="print one JSON object")

    bench = commands.add_parser(
        "bench",
        help="measure the kernels against the NumPy reference",
        description="Time the kernels and the NumPy reference side by side (interleaved, "
        "several repeats) and report rates, ratios and start-up times.",
    )
    bench.add_argument("--quick", action="store_true", help="a short run (under 30 s)")
    bench.add_argument(
        "--optimizer",
        action="append",
        choices=(*OPTIMIZERS, "all"),
        metavar="RULE",
        help=f"time the throughput cases with this update rule ({', '.join(OPTIMIZERS)}), "
        "kernels and reference alike (a row per case and rule; give it again for more, "
        "or all; default: momentum)",
    )
    bench.add_argument("--json", action="store_true", help="print one JSON document")
    bench.add_argument(
        "--output",
        type=argparse_type(file_name),
        metavar="FILE.json",
        help="also write the JSON here",
    )

    problems = commands.add_parser(
        "problems",
        help="list the built-in problems",
        description="List the built-in problems with their input and output sizes.",
    )
    problems.add_argument("--json", action="store_true", help="print one JSON array")

    lessons = commands.add_parser(
        "lessons",
        help="list the shipped lessons",
        description="List the lessons shipped with tui-backprop: name, scene and title. "
        "Open one with `tui-backprop lesson NAME`.",
    )
    lessons.add_argument("--json", action="store_true", help="print one JSON array")

    cache = commands.add_parser(
        "cache",
        help="where compiled kernels are cached, and how much; --clear empties it, --warm fills it",
        description="Show the folder compiled kernels are cached in, and how many files "
        "and bytes it holds; --clear removes them (they compile again on the next run); "
        "--warm compiles the kernels of the default network and every lesson's now, for "
        "every update rule, and the estimators' fit and predict, so that the app, train "
        "and the estimators start without compiling.",
    )
    what = cache.add_mutually_exclusive_group()
    what.add_argument("--clear", action="store_true", help="empty the cache")
    what.add_argument(
        "--warm",
        action="store_true",
        help="compile the common kernels now (the default network and every lesson's, "
        "every update rule, the estimators')",
    )
    cache.add_argument("--json", action="store_true", help="print one JSON object")

    replay = commands.add_parser(
        "replay",
        help="play a recorded run back in the app (see tui --record)",
        description="Open the app on a run file written by `tui --record FILE.json`: the "
        "same settings and initial weights, and the same keys pressed at the same update "
        "counts, so the run is the same, bit for bit. Space, n and e play it at any pace.",
    )
    replay.add_argument("run_file", metavar="FILE.json", help="a run file")
    add_options(replay, "app", [o for o in APP_OPTIONS if o.field != "app.record"])

    parser.command_parsers = dict(commands.choices)
    for name in LESSON_COMMANDS:
        if name != "lesson":
            _add_lesson_option(parser.command_parsers[name])
    return parser


#: Commands that build a network: they take lessons whose scene has one (network,
#: landscape, restarts), not descent lessons. ``descend`` takes descent lessons only;
#: ``race`` race lessons, and another lesson's network on its network surface; ``tui``
#: and ``lesson`` open any lesson's own scene.
NETWORK_COMMANDS = ("train", "gradcheck", "explain", "landscape", "restarts")
#: How ``race`` uses a lesson that is not a race: a slice through its network.
RACE_ON_NETWORK = "--surface network --params P1,P2"


def check_lesson_command(
    command: str, name: str, scene: str, race_surface: str | None = None
) -> None:
    """Refuse, in one line that says how to open it, a lesson whose scene belongs to
    another command (raises InputError). ``race_surface``: the surface ``race`` would run
    on, which for a lesson other than a race must be its network's."""
    from ..core.errors import InputError

    takes_descent = command == "descend"
    if scene == "descent" and not takes_descent and command in (*NETWORK_COMMANDS, "race"):
        raise InputError(
            f"lesson {name} is a descent scene: open it with `{PROG} lesson {name}` "
            f"or `{PROG} descend --lesson {name}`"
        )
    uses: list[str] = []  # the commands that use its network
    if (takes_descent and scene != "descent") or (
        command == "race" and scene != "race" and race_surface != "network"
    ):
        uses = [f"train --lesson {name}"]
        if scene in NETWORK_COMMANDS:
            uses.append(f"{scene} --lesson {name}")
        if command == "race":
            uses.append(f"race --lesson {name} {RACE_ON_NETWORK}")
    if uses:
        quoted = [f"`{PROG} {use}`" for use in uses]
        listed = quoted[-1] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
        raise InputError(
            f"lesson {name} is a {scene} scene: open it with `{PROG} lesson {name}`, "
            f"or use its network with {listed}"
        )


def invocation(args: argparse.Namespace) -> Invocation:
    """The configuration the command line gives, over its lesson's (``--lesson`` or the
    ``lesson`` command's argument) or else the defaults; raises ConfigError."""
    from ..io.lessons import load_lesson

    name = getattr(args, "lesson", None)
    lesson = None
    if name is not None:
        lesson = load_lesson(name)
        race_surface = getattr(args, "race_surface", None) or lesson.race.surface
        check_lesson_command(args.command, name, lesson.scene, race_surface)
    if lesson is not None:
        bases = (lesson.run, lesson.app, lesson.descent, lesson.landscape, lesson.restarts)
    else:
        bases = (RunConfig(), AppOptions(), DescentConfig(), LandscapeConfig(), RestartsConfig())
    run, app, descent, landscape, restarts = bases
    changes = given(args)
    return Invocation(
        args=args,
        run=run_config(changes, run),
        app=configure(app, changes.get("app", {})),
        descent=configure(descent, changes.get("descent", {})),
        landscape=configure(landscape, changes.get("landscape", {})),
        restarts=configure(restarts, changes.get("restarts", {})),
        moment=configure(MomentConfig(), changes.get("moment", {})),
        lesson=lesson,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = attach_negative_values(sys.argv[1:] if argv is None else argv)
    # No command, or only options: the app, which is the main job.
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv = ["tui", *argv]
    args, extras = parser.parse_known_args(argv)
    if extras:
        # What parse_args would refuse, refused by the command's own parser, so that the
        # line names the command as its other errors do ("tui-backprop problems: error").
        command_parser = parser.command_parsers.get(args.command, parser)
        command_parser.error(f"unrecognized arguments: {' '.join(extras)}")
    from ..core.errors import ConfigError, InputError
    from .wrap import error_line

    try:
        call = dataclasses.replace(invocation(args), words=tuple(argv[1:]))
        module_name, function = COMMANDS[args.command]
        module = importlib.import_module(f".commands.{module_name}", __package__)
        code: int = getattr(module, function)(call)
        return code
    except ConfigError as error:
        print(error_line(f"{PROG} {args.command}", error.worded(option_name)), file=sys.stderr)
        return 2
    except InputError as error:
        print(error_line(f"{PROG} {args.command}", str(error)), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (for example `| head`); nothing more to say.
        sys.stderr.close()
        return 1


if __name__ == "__main__":
    sys.exit(main())
