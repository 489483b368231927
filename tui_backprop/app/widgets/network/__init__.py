"""The network diagram: layers as columns of nodes, weights as braille lines between them.

* ``canvas``  -- BrailleCanvas: straight, dashed, thick lines in braille dots (numpy only).
* ``layout``  -- which node form fits (full box, compact, one row) and where every column
  and node goes.
* ``drawing`` -- draw_network: nodes, edges, legend and titles as one rich Text; how an
  edge shows its weight's sign and size.
* ``view``    -- NetworkView, the Textual widget that hands draw_network its size.

Imports run canvas, layout <- drawing <- view; only view imports Textual.
"""
