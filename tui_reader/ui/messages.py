"""Messages that widgets and workers post to the app (widget-to-app talk)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


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


@dataclass
class UrlAdded(Message):
    """``add_url`` finished in a worker: a feed subscribed, a site's feeds offered, an article saved, or an error."""

    result: object
    """A :class:`tui_reader.refresh.AddResult` (typed loosely: this module stays free of the core)."""
