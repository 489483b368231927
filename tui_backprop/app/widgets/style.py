"""Every colour the app draws with, named by what it means; widgets and screens take their
colours from here and nowhere else.

Sign: a blue for positive and an orange-red for negative, everywhere a sign is coloured
(weights and biases, the network's edges, the output map's two sides). The hues stay apart
in 256 and 16 colours and for the common colour-vision deficiencies, and the colour only
repeats what is also shown another way (a printed sign, a dashed line, a glyph).

Terminals differ: a lecturer's projector shows truecolor, students over SSH see 256 or 16
colours (TERM=xterm-256color or xterm), some set NO_COLOR. The constants below are the
truecolor design; the heat maps and plots also have explicit ramps for 256 and 16 colours,
chosen by :func:`colour_mode` from what the terminal reports, and a monochrome form drawn
with shading characters and glyphs alone:

- 256 colours: colours of the xterm 6x6x6 cube and grey ramp, given by their number, so
  the terminal shows exactly these (a truecolor blend would be rounded to a cube colour of
  another hue). Each heat-map ramp is monotone in luminance along its scale.
- 16 colours: the standard colours by number; heat maps are drawn with the shading
  characters " ░▒▓█" (one per cell) on black, so a level reads from its character.
- mono (NO_COLOR, or no colour at all): the same characters and glyphs without colour.

Plots drawn with plotext take xterm colour numbers (0-255): plotext's names ("orange") are
the 16 ANSI colours, which Textual redraws in its own ANSI theme's hues (its "red" is a
pink, its "orange" a red in 16 colours). Plot colours stay apart from the sign colours in 16
colours, and have a darker variant for a light theme (:func:`plot_colours`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

# -- signs -------------------------------------------------------------------------------
POSITIVE = "#3b8eea"
NEGATIVE = "#e5734b"
#: The sign colours on a light theme: the same hues (and the same in 16 colours: blue,
#: red), dark enough to read on light grey (contrast about 4.5).
POSITIVE_LIGHT = "#1a5cc8"
NEGATIVE_LIGHT = "#c0262a"
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

#: The output map's 0.5 contour (the decision boundary), drawn with CONTOUR_GLYPH.
MAP_CONTOUR = "#d0d0d0"

# -- colour modes ------------------------------------------------------------------------
ColourMode = Literal["truecolor", "256", "16", "mono"]
#: Shading characters, empty to full: the heat maps in 16 colours and without colour.
SHADES = " ░▒▓█"
#: Drawn over the output map where the output crosses the middle of its scale (0.5).
CONTOUR_GLYPH = "·"
#: A heat-map cell whose value is not finite, in 16 colours and without colour.
NONFINITE_GLYPH = "?"

#: The 16 standard colours as (r, g, b), the values Rich matches a colour against when it
#: writes to a 16-colour terminal (the terminal then shows its own version of each).
STANDARD_RGB = (
    (0, 0, 0),
    (170, 0, 0),
    (0, 170, 0),
    (170, 85, 0),
    (0, 0, 170),
    (170, 0, 170),
    (0, 170, 170),
    (170, 170, 170),
    (85, 85, 85),
    (255, 85, 85),
    (85, 255, 85),
    (255, 255, 85),
    (85, 85, 255),
    (255, 85, 255),
    (85, 255, 255),
    (255, 255, 255),
)
_CUBE = (0, 95, 135, 175, 215, 255)


def xterm_rgb(number: int) -> tuple[int, int, int]:
    """(r, g, b) of xterm colour ``number``: 0-15 the standard colours, 16-231 the
    6x6x6 cube, 232-255 the grey ramp."""
    if not 0 <= number <= 255:
        raise ValueError(f"no xterm colour {number}")
    if number < 16:
        return STANDARD_RGB[number]
    if number >= 232:
        grey = 8 + 10 * (number - 232)
        return grey, grey, grey
    n = number - 16
    return _CUBE[n // 36], _CUBE[n // 6 % 6], _CUBE[n % 6]


def colour_mode(color_system: str | None, no_color: bool = False) -> ColourMode:
    """The colour design for a console's colour system ("truecolor", "256", "standard",
    "windows" or None) and NO_COLOR."""
    if no_color or color_system is None:
        return "mono"
    if color_system in ("truecolor", "256"):
        return color_system  # type: ignore[return-value]
    return "16"


def app_colour_mode(app: Any) -> ColourMode:
    """The colour design for a running Textual app: its console's colour system (what the
    terminal reports, or TEXTUAL_COLOR_SYSTEM) and its NO_COLOR setting."""
    return colour_mode(app.console.color_system, bool(getattr(app, "no_color", False)))


def luminance(color: tuple[int, int, int]) -> float:
    """Relative luminance (WCAG) of an (r, g, b) colour, 0 (black) to 1 (white)."""

    def linear(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = color
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def mark_on(background: tuple[int, int, int]) -> str:
    """The colour of a mark (a glyph) drawn on ``background``: white on dark, black on
    light."""
    return "#000000" if luminance(background) > 0.35 else "#ffffff"


# -- heat maps in 256 and 16 colours -----------------------------------------------------
#: A cost's heat map in 256 colours, low to high: one hue (blue to pale cyan) of the cube.
HEATMAP_256 = (17, 18, 19, 20, 21, 27, 33, 39, 45, 51, 87, 123, 159, 195)
HEATMAP_NONFINITE_256 = 88
HEATMAP_NOW_256 = 196
#: The output map in 256 colours: the middle (the boundary) and each side's ramp from the
#: middle outward, one hue each (orange below, blue above), rising in luminance.
MAP_MIDDLE_256 = 235
MAP_LOW_256 = (94, 130, 166, 202, 208, 214)
MAP_HIGH_256 = (26, 27, 32, 33, 75, 117)
MAP_CONTOUR_256 = 230
#: In 16 colours (standard colour numbers): maps are drawn on black, shading characters in
#: these colours; the sides of the output map take the sign colours' 16-colour forms.
MAP_BACKGROUND_16 = 0
HEATMAP_16 = 14
HEATMAP_NOW_16 = 11
MAP_LOW_16 = 9
MAP_HIGH_16 = 12
MARK_16 = 15


# -- plots (xterm colour numbers for plotext) --------------------------------------------
@dataclass(frozen=True)
class PlotColours:
    """Colours of plotext plots, as xterm colour numbers (see the module's docstring)."""

    #: The curve a plot is about: the loss, the network's output, the final losses.
    data: int
    #: The descent scene's function.
    function: int
    #: The descent scene's tangent.
    tangent: int
    #: Where descent is now; the restarts' loss threshold.
    mark: int
    #: Data points whose target is above / below the middle (the output curve): the sides
    #: of the output map.
    high: int
    low: int


#: On a dark background. In 16 colours: data yellow (3), function cyan (6), tangent green
#: (2), mark magenta (5); none is the negative weights' red (9) or the positive blue (12).
DARK_PLOTS = PlotColours(data=178, function=37, tangent=34, mark=163, high=33, low=208)
#: On a light background: the same hues, darker.
LIGHT_PLOTS = PlotColours(data=130, function=30, tangent=28, mark=127, high=26, low=160)


def plot_colours(dark: bool = True) -> PlotColours:
    """Plot colours for a dark or a light theme."""
    return DARK_PLOTS if dark else LIGHT_PLOTS


PLOT_DATA = DARK_PLOTS.data
PLOT_FUNCTION = DARK_PLOTS.function
PLOT_TANGENT = DARK_PLOTS.tangent
PLOT_MARK = DARK_PLOTS.mark
PLOT_HIGH = DARK_PLOTS.high
PLOT_LOW = DARK_PLOTS.low


# -- the descent scene's text ------------------------------------------------------------
@dataclass(frozen=True)
class DescentStyles:
    """Styles of the descent scene's numbers (Rich style strings, explicit colours: Rich's
    names are redrawn in Textual's ANSI theme, its "red" a pink)."""

    #: The update x <- x - γ f'(x) with its numbers.
    update: str
    diverged: str
    step_limit: str
    #: The second-derivative test's verdict.
    verdict: str


#: On a dark theme; in 16 colours cyan, bright red, yellow, green.
DARK_DESCENT = DescentStyles("#5fd7d7", "bold #ff5f5f", "bold #ffd75f", "bold #5fd75f")
#: On a light theme: the same hues, dark enough for light grey.
LIGHT_DESCENT = DescentStyles("#00767a", "bold #c0262a", "bold #8a6100", "bold #1e7b1e")


def descent_styles(dark: bool = True) -> DescentStyles:
    """The descent scene's styles for a dark or a light theme."""
    return DARK_DESCENT if dark else LIGHT_DESCENT


def rgb(color: str) -> tuple[int, int, int]:
    """(r, g, b) of a "#rrggbb" colour."""
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def sign_colours(dark: bool = True) -> tuple[str, str]:
    """(positive, negative) for a dark or a light theme."""
    return (POSITIVE, NEGATIVE) if dark else (POSITIVE_LIGHT, NEGATIVE_LIGHT)


def sign_style(x: float, dark: bool = True) -> str:
    """A number's style: its sign's colour (for a dark or a light theme); reversed bold
    where it is not finite."""
    if not math.isfinite(x):
        return "bold reverse"
    positive, negative = sign_colours(dark)
    return positive if x >= 0 else negative
