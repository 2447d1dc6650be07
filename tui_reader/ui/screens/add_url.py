"""Adding a feed from inside the TUI: ask for a URL, and when it is a site, pick one of its feeds.

Both screens only return a URL; the list screen runs ``subscribe.add_url`` in a worker (network work never
runs on the UI thread), exactly as ``tui-reader add`` does.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui_reader.sanitize import clean_line


class AddUrlScreen(ModalScreen[str | None]):
    """One line: the URL of a feed, of a site (its feeds are offered), or of an article (saved as a story)."""

    CSS_PATH = "dialog.tcss"

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="add.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Add a feed, a site or an article", style="bold"))
            yield Input(placeholder="https://…", id="add-url")
            yield Static(Text("enter adds · escape cancels", style="dim"), id="add-hint")

    @on(Input.Submitted, "#add-url")
    def _submitted(self, event: Input.Submitted) -> None:
        url = event.value.strip()
        if not url.startswith(("http://", "https://")):
            self.query_one("#add-hint", Static).update(Text("an http(s) URL, please: https://…", style="bold"))
            return
        self.dismiss(url)


class ChooseFeedScreen(ModalScreen[str | None]):
    """The feeds a site offers; enter subscribes to the highlighted one."""

    CSS_PATH = "dialog.tcss"

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="choose.cancel")]

    def __init__(
        self, site: str, candidates: list[tuple[str, str]], subscribed: AbstractSet[str] = frozenset()
    ) -> None:
        super().__init__()
        self.site = site
        self.candidates = candidates
        self.subscribed = subscribed

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(f"Feeds offered by {clean_line(self.site, max_len=60)}", style="bold"))
            yield OptionList(
                *[Option(self._label(url, title, url in self.subscribed), id=url) for url, title in self.candidates],
                id="feed-choices",
            )
            yield Static(Text("enter subscribes · escape cancels", style="dim"))

    @staticmethod
    def _label(url: str, title: str, subscribed: bool) -> Text:
        label = Text(clean_line(title, max_len=70) or "(untitled)", style="bold")
        if subscribed:
            label.append("  ✓ subscribed", style="italic")
        label.append(f"\n{clean_line(url, max_len=90)}", style="dim")
        return label

    @on(OptionList.OptionSelected, "#feed-choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
