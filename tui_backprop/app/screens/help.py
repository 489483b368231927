"""The help screen: the keys of the screen it was opened from, what each does."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from ...core.wrapping import hanging
from ..widgets.footer import WholeKeysFooter
from ..widgets.formatting import screen_notation, scroll_subtitle

#: Keys Textual's App binds itself: their words give way to this app's.
TEXTUAL_KEYS = {b.key for b in App.BINDINGS if isinstance(b, Binding)}

LEFT_OUT = {"screen.copy_text", "command_palette", "help_quit"}
FOCUS_MOVES = {"app.focus_next", "app.focus_previous"}

#: The main view's keys that share one line in the help.
JOINED = {
    "app.select('up')": (
        "arrows, tab",
        "select a node or weight: its z, a, sigma'(z), delta, next update",
    ),
    "app.select('down')": None,
    "app.select('left')": None,
    "app.select('right')": None,
    "app.select('next')": None,
    "app.select('previous')": None,
    "app.scroll_explain(-1)": (
        "pgup / pgdn",
        "scroll the explain panel (the notes when it is closed)",
    ),
    "app.scroll_explain(1)": None,
    "scroll_notes(-1)": ("pgup / pgdn", "scroll the lesson's notes"),
    "scroll_notes(1)": None,
    # Textual's own focus keys, in this help's words (shown where two widgets take keys).
    "app.focus_next": ("tab / shift+tab", "move the focus to the next / previous box"),
    "app.focus_previous": None,
    "choose_seed(1)": ("↑ / ↓, enter", "choose a seed in the restarts' list; enter opens it"),
    "choose_seed(-1)": None,
}


def screen_bindings(screen: Screen) -> list[Binding]:
    """What ``screen``'s keys are: its own bindings, then the app's global ones (of keys
    the screen does not bind itself), in the order they are declared, leaving out those
    its check_action turns off, system bindings (a key's answer where its action does not
    apply, Textual's ctrl+c hint), Textual's text copying and command palette (ctrl+p has
    its own line), and its focus keys where there is nothing to move the focus between."""
    app = screen.app
    # Textual's tab and shift+tab move the focus: a key that does nothing on a screen
    # with fewer than two widgets to focus (the descent, landscape and race scenes).
    moves_focus = len(screen.focus_chain) > 1
    found: list[Binding] = []
    # Keys the screen binds and lets act: the app's bindings of them never act.
    taken: set[str] = set()
    for node in (screen, app):
        for key, binding in node._bindings:
            if node is app and key in taken:
                continue
            if not app._check_action_state(binding.action, node):
                continue
            if node is screen:
                taken.add(key)
            if binding.action in LEFT_OUT or binding.system or binding in found:
                continue
            if binding.action in FOCUS_MOVES and not moves_focus:
                continue
            found.append(binding)
    return found


def key_name(binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    keys = binding.key.split(",")
    return " / ".join(keys)


def help_rows(screen: Screen) -> list[tuple[str, str]]:
    """(keys, what they do) for every key of ``screen``; keys of one action on one row."""
    rows: list[tuple[str, str]] = []
    index: dict[str, int] = {}
    worded: set[str] = set()
    for binding in screen_bindings(screen):
        action = binding.action
        if action in JOINED:
            joined = JOINED[action]
            if joined is not None:
                rows.append(joined)
            continue
        what = binding.tooltip or binding.description
        if action in index:
            keys, earlier = rows[index[action]]
            if key_name(binding) not in keys.split(" / "):
                keys = f"{keys} / {key_name(binding)}"
            # Textual's own bindings (ctrl+q) come first: this app's words are kept.
            rows[index[action]] = (keys, earlier if action in worded else what)
            if binding.key not in TEXTUAL_KEYS:
                worded.add(action)
            continue
        if binding.key not in TEXTUAL_KEYS:
            worded.add(action)
        index[action] = len(rows)
        rows.append((key_name(binding), what))
    # Textual's focus keys come first in its bindings; here after the screen's own.
    focus = JOINED["app.focus_next"]
    rows = [row for row in rows if row != focus] + [row for row in rows if row == focus]
    rows.append(("ctrl+p", "command palette: this screen's commands by name, every lesson"))
    return rows


class HelpScreen(ModalScreen[None]):
    """The keys of ``screen`` (the screen ? was pressed on)."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: auto;
        max-width: 90%;
        height: auto;
        max-height: 90%;
        border: round $accent;
        padding: 0 1;
        background: $surface;
    }
    /* A Static is 1fr wide by default: inside an auto-sized box that is nothing. */
    HelpScreen Static {
        width: auto;
        height: auto;
        max-width: 100%;
    }
    """
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "close", show=True, key_display="esc"),
    ]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.rows = help_rows(screen)

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "keys (escape closes)"
            yield Static(help_text(self.rows, self._text_width(self.app.size.width)))
        yield WholeKeysFooter()

    def on_mount(self) -> None:
        scroll = self.query_one(VerticalScroll)
        self.watch(scroll, "scroll_y", self.show_more, init=False)
        self.watch(scroll, "virtual_size", self.show_more, init=False)
        self.call_after_refresh(self.show_more)

    def on_resize(self, event: events.Resize) -> None:
        self.query_one(Static).update(help_text(self.rows, self._text_width(event.size.width)))
        self.call_after_refresh(self.show_more)

    def show_more(self, *_: object) -> None:
        """The bottom border says how many keys' lines are below (80x24 does not hold
        them all) and above: without colour the scroll bar does not show."""
        scroll = self.query_one(VerticalScroll)
        scroll.border_subtitle = scroll_subtitle(scroll, "↓ pgdn", "↑ pgup")

    @staticmethod
    def _text_width(screen_width: int) -> int:
        """The cells the text may take: 90% of the screen (the box's max-width), less the
        box's border and padding and a vertical scroll bar (two cells) when it scrolls."""
        return int(screen_width * 0.9) - 6


def help_text(rows: list[tuple[str, str]], width: int) -> Text:
    """The keys in a column, each one's words beside them, wrapped within ``width`` cells
    with their later lines under the first (not under the keys)."""
    keys_width = max(len(key) for key, _ in rows) + 2
    lines = Text()
    for key, what in rows:
        first, *more = hanging(key.ljust(keys_width) + screen_notation(what), width, keys_width)
        lines.append(first[:keys_width], style="bold")
        lines.append(first[keys_width:] + "\n")
        for line in more:
            lines.append(line + "\n")
    lines.rstrip()
    return lines
