"""The widgets, one per module, and what they all draw with.

- ``style``: every colour, named by meaning (sign colours, focus, warning, states, plots).
- ``formatting``: numbers as text (signed, fixed width, losses, changes, superscripts).
- ``network``: the network diagram (a subpackage: canvas, layout, drawing, view).
- ``weights``: WeightsView, W and b per layer with their last changes.
- ``loss_plot``: LossPlot, the loss per epoch, linear or log.
- ``examples``: ExamplesView, every example's input, target, output and cost.
- ``explain_panel``: ExplainPanel, the phase walked or the selected node or weight.
- ``output_map``: OutputView, the network's output over its inputs.
- ``heatmap``: Heatmap, a function of two variables with a path over it (the scenes).
- ``notes``: NotesPanel, a lesson's lecture notes.
- ``status``: StatusLine, the setup, progress and state.

Widgets import ``style``, ``formatting``, each other, core and teach; never the app's
modules above them (app, lecture, scenes, runner, screens).
"""
