"""The Textual app: widgets draw Snapshots, every key becomes a command on the Runner.

- ``app``: BackpropApp, the main screen's layout, keys and run/pause loop (``app.tcss``
  lays the panels out).
- ``config``: AppConfig, everything the app needs to start (problem, network, settings,
  options, lesson).
- ``runner``: Runner, the Session in a background thread; serialises every change to it.
- ``lecture``: TeachingMixin, the teaching keys: phase walk, selection, gradient check,
  output map.
- ``scenes``: SceneMixin, lessons and their scenes, the notes panel, opening another
  network in the main view.
- ``host``: AppHost, what the mixins and scene screens may use of BackpropApp (for the
  type checker only).
- ``screens``: the screens over the main one (help, gradient check, the scenes).
- ``widgets``: the panels, the network diagram, and the colours and number formats they
  all use.

Imports run app -> lecture, scenes -> screens -> widgets, and everything here may import
core, teach, io and kernels; never cli, estimators or argparse.
"""
