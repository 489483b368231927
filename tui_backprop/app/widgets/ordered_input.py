"""An Input whose editing keys act in the order they were typed (predict mode's answer,
the restarts' seed box)."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets import Input


class OrderedInput(Input):
    """An Input whose editing keys act in the order they were typed. Textual runs a key's
    binding (backspace: delete_left) only once the key has bubbled up to the app, by when
    the keys typed after it in one burst (a slow SSH link delivers them so) have been
    inserted already: "4 ⌫ 5" left "4". Here the editing keys act on arrival."""

    #: Input's own bindings, by key: "home,ctrl+a" under both.
    EDITING = {
        key: binding.action
        for binding in Input.BINDINGS
        if isinstance(binding, Binding) and binding.action not in ("submit", "copy", "paste", "cut")
        for key in binding.key.split(",")
    }

    async def _on_key(self, event: events.Key) -> None:
        action = self.EDITING.get(event.key)
        if action is None:
            await super()._on_key(event)
            return
        event.stop()
        event.prevent_default()
        await self.run_action(action)
