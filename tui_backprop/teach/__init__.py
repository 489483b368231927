"""What the lessons compute from a Session, apart from how any front end shows it.

- ``explain``: one update, phase by phase, each formula with its numbers filled in.
- ``walk``: the phase walk through an explained update, the cursor over nodes and edges,
  and what the network view emphasises.
- ``gradcheck``: backpropagation's gradient against central finite differences.
- ``landscape``: the cost over a grid of two parameters.
- ``descent``: gradient descent on the tutorials' functions of one and two variables.
- ``restarts``: many networks from consecutive seeds: how often does one get stuck?

Imports: ``core`` and ``kernels``; never io, app, estimators or cli, nor Textual or
argparse.
"""
