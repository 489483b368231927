"""Files, and a configuration turned into what it names.

- ``files``: atomic text writes, paths shown on one line, JSON-safe numbers.
- ``weights_file``: saving and loading a network's weights and biases as JSON, with the
  training state a saved run resumes from (the update rule, its state, the epochs done).
- ``resume``: a Session's training state written with its weights, and put back.
- ``run_file``: a recorded run (``--record``, ``replay``): settings, initial weights, keys.
- ``csv_data``: a user's numeric CSV file read into a Problem.
- ``lessons/``: lesson files (TOML read into the configuration) and the lessons shipped.
- ``build``: a RunConfig turned into its Problem, NetworkSpec, initial weights and Session.

Imports: ``core`` and ``teach``; never app, estimators or cli, nor Textual or argparse.
"""
