"""The feeds panel: every feed with its unread count and the outcome of its last fetch."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui_reader.models import Feed
from tui_reader.sanitize import clean_line

ALL_FEEDS = "all"


def feed_label(feed: Feed, width: int = 28) -> Text:
    """``● Title  12`` plus a second, dim line with the fetch status or error."""
    mark = {"ok": "✓", "304": "✓", "error": "!"}.get(feed.last_status, "·")
    title = clean_line(feed.title or feed.url, max_len=width)
    text = Text(f"{mark} ", style="bold red" if feed.last_status == "error" else "")
    text.append(title, style="bold" if feed.unread else "")
    if feed.unread:
        text.append(f"  {feed.unread}")
    if feed.last_status == "error":
        status = clean_line(feed.last_error, max_len=width)
    elif feed.last_fetched:
        status = f"{feed.last_status or 'ok'} · {feed.last_fetched.astimezone():%d %b %H:%M}"
    else:
        status = "never fetched"
    text.append("\n  " + status, style="dim")
    return text


class FeedsPanel(OptionList):
    """Selecting a feed filters the story list to it; the first row shows every feed."""

    BINDINGS = [Binding("d", "unsubscribe", "Unsubscribe", id="feeds.unsubscribe")]

    @dataclass
    class Selected(Message):
        feed_id: int | None

    @dataclass
    class UnsubscribeRequested(Message):
        """``d`` on a feed: the app asks first, then unsubscribes."""

        feed_id: int

    def show_feeds(self, feeds: list[Feed]) -> None:
        highlighted = self.highlighted
        unread = sum(f.unread for f in feeds)
        options = [Option(Text(f"All feeds  {unread}", style="bold"), id=ALL_FEEDS)]
        options += [Option(feed_label(f), id=str(f.id)) for f in feeds]
        self.clear_options()
        self.add_options(options)
        if highlighted is not None and highlighted < len(options):
            self.highlighted = highlighted

    def action_unsubscribe(self) -> None:
        if self.highlighted is not None and (option_id := self.get_option_at_index(self.highlighted).id) != ALL_FEEDS:
            self.post_message(self.UnsubscribeRequested(int(option_id)))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id
        self.post_message(self.Selected(None if option_id == ALL_FEEDS else int(option_id)))
