"""Screens over the main one.

- ``help``: HelpScreen, every key and what it does (``?``).
- ``gradcheck``: GradCheckScreen, backprop against finite differences, per layer (``g``).
- ``scene``: SceneScreen, what every scene shares: the lesson's notes, escape back.
- ``descent``: the descent scene, gradient descent on x^4 - 3x^3 + 2 and on surfaces.
- ``landscape``: the landscape scene, the cost over two parameters with descent's path.
- ``restarts``: the restarts scene, final losses of many seeds; any seed opens in the app.

Screens import widgets, ``..config`` and core, teach, io; never ``..app``, ``..lecture``
or ``..scenes`` (what they need of the app is typed by ``..host.AppHost``).
"""
