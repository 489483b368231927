"""The command line: the one front end that knows argparse.

- ``main``: the parser, turning a command line (and ``--lesson``) into an ``Invocation``
  that carries the typed configuration, and dispatch to one command module.
- ``options``: every option that sets a configuration field, and how its text becomes the
  field's value; ``option_name`` words a ConfigError's field as a flag.
- ``commands/``: one module per command (tui, train, gradcheck, explain, descend,
  landscape, restarts, bench, problems, lessons).
- ``report``: what ``train`` prints, for people and as JSON.
- ``progress``: the progress bar of long headless runs (rich).
- ``benchmark``: the timings behind ``bench``, kernels and reference side by side.

Imports: everything below (core, teach, io, app, estimators); nothing imports this.
"""
