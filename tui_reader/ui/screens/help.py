"""The help screen: every key of the current screens, and the search filter language."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui_reader.query import FILTER_HELP


def keys_table(title: str, bindings: Iterable[BindingType], keymap: dict[str, str]) -> Table:
    """The bindings that say what they do; a ``(key, action[, description])`` tuple counts as its Binding."""
    table = Table(title=title, title_justify="left", show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for b in (b if isinstance(b, Binding) else Binding(*b) for b in bindings):
        if not b.description:
            continue
        key = keymap.get(b.id, b.key) if b.id else b.key
        table.add_row(key.replace(",", " / "), b.description)
    return table


class HelpScreen(ModalScreen[None]):
    """Built from the live BINDINGS (after any remapping), so it never goes stale."""

    BINDINGS = [Binding("escape,q,question_mark", "app.pop_screen", "Close", id="help.close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 100; height: 90%; border: round $accent;
                                  background: $surface; padding: 0 1; }
    """

    def __init__(self, sections: list[tuple[str, list[BindingType]]], keymap: dict[str, str]) -> None:
        super().__init__()
        self.sections = sections
        self.keymap = keymap

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def compose(self) -> ComposeResult:
        with VerticalScroll(can_focus=True):
            yield Static(Text("tui-reader — keys (escape closes)", style="bold"))
            for title, bindings in self.sections:
                yield Static(keys_table(title, bindings, self.keymap))
            yield Static(Text("\nSearch (/) filter language", style="bold"))
            yield Static(Text(FILTER_HELP))
            yield Static(
                Text(
                    "\nAdmiralty code: reliability A (completely reliable) … E (unreliable), "
                    "F (cannot be judged); credibility 1 (confirmed) … 5 (improbable), 6 (cannot be judged)."
                )
            )
