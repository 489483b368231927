"""Every colour the app draws with, named by what it means; widgets and screens take their
colours from here and nowhere else.

Sign: a blue for positive and an orange-red for negative, everywhere a sign is coloured
(weights and biases, the network's edges, the output map's two sides). The hues stay apart
in 256 and 16 colours and for the common colour-vision deficiencies, and the colour only
repeats what is also shown another way (a printed sign, a dashed line, a glyph).

Plots drawn with plotext take its colour names ("orange"), not #rrggbb.
"""

from __future__ import annotations

import math

# -- signs -------------------------------------------------------------------------------
POSITIVE = "#3b8eea"
NEGATIVE = "#e5734b"
#: A value that is not a number (a NaN weight's edge).
NAN = "magenta"

# -- attention ---------------------------------------------------------------------------
#: What the explanation is about: nodes and edges of the phase or selection, a weight's
#: course. A yellow that no sign colour uses.
FOCUS = "#ffd75f"
#: A warning about the network: a saturated node's flag and its explanation.
WARNING = "#ff8700"

# -- states ------------------------------------------------------------------------------
#: Running, passed.
GOOD = "#5fb35f"
#: Paused.
IDLE = "#d7af5f"
#: Diverged, failed (a background under white text).
BAD = "#c0392b"
#: A message on a diverged run's status line.
BAD_TEXT = "#ff8a80"

# -- maps --------------------------------------------------------------------------------
#: Heatmap of a cost: dark blue (low) to yellow (high), readable in 256 colours.
HEATMAP_PALETTE = (
    (20, 12, 60),
    (52, 34, 110),
    (62, 74, 137),
    (49, 104, 142),
    (38, 130, 142),
    (31, 158, 137),
    (53, 183, 121),
    (109, 205, 89),
    (180, 222, 44),
    (253, 231, 37),
)
#: Heatmap pixels whose value is not finite.
HEATMAP_NONFINITE = (120, 0, 0)
#: The point a heatmap's path has reached.
HEATMAP_NOW = "#ff3b3b"
#: The output map's middle (the decision boundary), between NEGATIVE and POSITIVE.
MAP_MIDDLE = (0x26, 0x26, 0x26)
#: Marks drawn over a map: a path's points, the data points.
MARK = "white"

# -- plots (plotext colour names) --------------------------------------------------------
#: The curve a plot is about: the loss, the network's output, the final losses.
PLOT_DATA = "orange"
#: The descent scene's function.
PLOT_FUNCTION = "blue"
#: The descent scene's tangent.
PLOT_TANGENT = "green"
#: Where descent is now; the restarts' loss threshold.
PLOT_MARK = "red"
#: Data points whose target is above / below the middle (the output curve).
PLOT_HIGH = "blue"
PLOT_LOW = "red"

# -- the descent scene's text ------------------------------------------------------------
DESCENT_UPDATE = "cyan"
DESCENT_DIVERGED = "bold red"
DESCENT_STEP_LIMIT = "bold yellow"
DESCENT_VERDICT = "bold green"


def rgb(color: str) -> tuple[int, int, int]:
    """(r, g, b) of a "#rrggbb" colour."""
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def sign_style(x: float) -> str:
    """A number's style: its sign's colour; reversed bold where it is not finite."""
    if not math.isfinite(x):
        return "bold reverse"
    return POSITIVE if x >= 0 else NEGATIVE
