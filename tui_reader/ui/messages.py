"""Messages that widgets and workers post to the app (widget-to-app talk)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # at run time the worker that posts it has loaded subscribe already; startup has not
    from tui_reader.subscribe import AddResult
    from tui_reader.watch import Alert


@dataclass
class StoryChanged(Message):
    """A story's state, tags or rating changed: the list repaints its row, the feeds panel its counts."""

    story_id: int


@dataclass
class RefreshProgress(Message):
    """One feed finished during a refresh."""

    done: int
    total: int
    new: int
    line: str


@dataclass
class RefreshFinished(Message):
    total_new: int
    failed: int
    feeds: int
    error: str = ""
    """Why the refresh as a whole failed (a store or program error), in one line; "" if it ran."""
    alerts: tuple[Alert, ...] = ()
    """New stories a watchlist or an ``alert = true`` rule matched."""


@dataclass
class UrlAdded(Message):
    """``add_url`` finished in a worker: a feed subscribed, a site's feeds offered, an article saved, or an error."""

    result: AddResult
