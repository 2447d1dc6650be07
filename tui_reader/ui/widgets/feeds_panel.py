"""The feeds panel: every feed with its unread count and the outcome of its last fetch, under its group."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui_reader.models import Feed, FetchStatus
from tui_reader.sanitize import clean_line

ALL_FEEDS = "all"
GROUP = "group:"
SAVED = "saved:"
"""Option ids of group headings and saved searches start so; feeds' ids are their numbers."""
MARKS: dict[FetchStatus | None, str] = {FetchStatus.OK: "✓", FetchStatus.NOT_MODIFIED: "✓", FetchStatus.ERROR: "!"}
"""The mark before a feed's title for its last fetch; "·" for one never fetched."""


def feed_label(feed: Feed, width: int = 28, indent: str = "") -> Text:
    """``● Title  12`` plus a second, dim line with the fetch status or error."""
    mark = MARKS.get(feed.last_status, "·")
    title = clean_line(feed.title or feed.url, max_len=width - len(indent))
    text = Text(indent)
    text.append(f"{mark} ", style="bold red" if feed.last_status == FetchStatus.ERROR else "")
    text.append(title, style="bold" if feed.unread else "")
    if feed.unread:
        text.append(f"  {feed.unread}")
    if feed.last_status == FetchStatus.ERROR:
        status = clean_line(feed.last_error, max_len=width)
    elif feed.last_fetched:
        status = (
            f"{feed.last_status.value if feed.last_status else 'ok'} · {feed.last_fetched.astimezone():%d %b %H:%M}"
        )
    else:
        status = "never fetched"
    text.append(f"\n{indent}  " + status, style="dim")
    return text


def group_label(name: str, feeds: list[Feed], width: int = 28) -> Text:
    """``▾ Group  12``: selecting it shows every story of the group's feeds."""
    text = Text(f"▾ {clean_line(name, max_len=width)}", style="bold")
    if unread := sum(f.unread for f in feeds):
        text.append(f"  {unread}")
    return text


def saved_label(name: str, unread: int, width: int = 28) -> Text:
    """``⌕ name  3``: a saved search, opened like a feed, with the unread stories it finds."""
    text = Text(f"⌕ {clean_line(name, max_len=width)}", style="bold" if unread else "")
    if unread:
        text.append(f"  {unread}")
    return text


class FeedsPanel(OptionList):
    """Selecting a feed filters the story list to it; the first row shows every feed, then the saved searches
    (``[saved]``) as virtual feeds."""

    BINDINGS = [Binding("d", "unsubscribe", "Unsubscribe", id="feeds.unsubscribe")]

    class Selected(Message):
        """A feed (``feed_id``), a group (``group``), a saved search (``saved``) or, with none, all feeds."""

        def __init__(self, feed_id: int | None, group: str = "", saved: str = "") -> None:
            super().__init__()
            self.feed_id = feed_id
            self.group = group
            self.saved = saved

    class UnsubscribeRequested(Message):
        """``d`` on a feed: the app asks first, then unsubscribes."""

        def __init__(self, feed_id: int) -> None:
            super().__init__()
            self.feed_id = feed_id

    def show_feeds(self, feeds: list[Feed], saved: list[tuple[str, int]] | None = None) -> None:
        """The feeds under their groups, after the ``saved`` searches and their unread counts."""
        highlighted = self.highlighted
        unread = sum(f.unread for f in feeds)
        options = [Option(Text(f"All feeds  {unread}", style="bold"), id=ALL_FEEDS)]
        options += [Option(saved_label(name, n), id=SAVED + name) for name, n in saved or ()]
        groups: dict[str, list[Feed]] = {}
        for f in feeds:  # store order: ungrouped first, then group by group
            groups.setdefault(f.group, []).append(f)
        for name, members in groups.items():
            if name:
                options.append(Option(group_label(name, members), id=GROUP + name))
            options += [Option(feed_label(f, indent="  " if name else ""), id=str(f.id)) for f in members]
        self.clear_options()
        self.add_options(options)
        if highlighted is not None and highlighted < len(options):
            self.highlighted = highlighted

    def action_unsubscribe(self) -> None:
        highlighted = self.get_option_at_index(self.highlighted) if self.highlighted is not None else None
        option_id = (highlighted and highlighted.id) or ALL_FEEDS  # every option here has an id
        if option_id.isdigit():
            self.post_message(self.UnsubscribeRequested(int(option_id)))
        else:
            self.app.notify("d unsubscribes from the highlighted feed; highlight one first.", timeout=3)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ALL_FEEDS  # every option here has an id
        if option_id.startswith(GROUP):
            self.post_message(self.Selected(None, option_id.removeprefix(GROUP)))
        elif option_id.startswith(SAVED):
            self.post_message(self.Selected(None, saved=option_id.removeprefix(SAVED)))
        else:
            self.post_message(self.Selected(None if option_id == ALL_FEEDS else int(option_id)))
