"""Messages that widgets and workers post to the app (widget-to-app talk).

Written as Textual writes its own, a plain ``__init__``: a ``@dataclass`` costs ~5 M instructions to *create*
(it compiles six methods per class), and these are all created before the first frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # at run time the worker that posts it has loaded subscribe already; startup has not
    from tui_reader.subscribe import AddResult
    from tui_reader.watch import Alert


class StoryChanged(Message):
    """A story's state, tags or rating changed: the list repaints its row, the feeds panel its counts."""

    def __init__(self, story_id: int) -> None:
        super().__init__()
        self.story_id = story_id


class RefreshProgress(Message):
    """One feed finished during a refresh."""

    def __init__(self, done: int, total: int, new: int, line: str) -> None:
        super().__init__()
        self.done = done
        self.total = total
        self.new = new
        self.line = line


class RefreshFinished(Message):
    """A refresh ended: its counts, why it failed as a whole (``error``, one line; "" if it ran), and the new
    stories a watchlist or an ``alert = true`` rule matched (``alerts``)."""

    def __init__(
        self, total_new: int, failed: int, feeds: int, error: str = "", alerts: tuple[Alert, ...] = ()
    ) -> None:
        super().__init__()
        self.total_new = total_new
        self.failed = failed
        self.feeds = feeds
        self.error = error
        self.alerts = alerts


class UrlAdded(Message):
    """``add_url`` finished in a worker: a feed subscribed, a site's feeds offered, an article saved, or an error."""

    def __init__(self, result: AddResult) -> None:
        super().__init__()
        self.result = result
