"""Story identity: which feed item is which story, within a feed and across feeds.

Within a feed an item is its guid (RSS ``guid``, Atom ``id``, JSON Feed ``id``); without one, its
link; without either, a hash of what it says (title, summary, date). Feeds do reuse links — a
ministry's press releases all pointing at ``/press``, a live blog's updates at one page — so a link
alone never makes two items of one feed one story: items of one document whose identity is a
link they share while saying different things (a podcast's episodes with no guid, all linking to
the show's page) are told apart by their headline and date. A shared guid that is not the link is
one item, its last copy winning.

Across feeds, one article carried by two feeds is one story that belongs to both: the same guid
when the guid names it globally (a URI such as ``tag:…``, ``urn:…`` or a permalink; a bare number
is only unique within its feed), or the same canonical URL under the same headline. Items that
share only a URL are separate stories.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import datetime
from typing import Iterable

from msgspec.structs import replace

from tui_reader.models import FeedEntry


def story_guid(entry_id: str, link: str, title: str, summary: str = "", published: datetime | None = None) -> str:
    """Identity of a feed entry within its feed: its id, else its link, else a hash of its content."""
    if entry_id.strip():
        return entry_id.strip()
    if link.strip():
        return link.strip()
    return content_guid(title, summary, int(published.timestamp()) if published else None)


def content_guid(title: str, summary: str, published: int | None) -> str:
    """Identity of an item with neither id nor link (RSS 0.9x): what it says, and when.

    ``published`` is the epoch the store keeps, so a store migration can compute it from a row.
    """
    text = f"{title}\n{summary}\n{'' if published is None else published}"
    return "sha1:" + hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()


def global_guid(guid: str) -> bool:
    """A guid that names one article wherever it appears: a URI, a permalink or a content hash."""
    return ":" in guid


def headline_key(title: str) -> str:
    """A headline as compared across feeds: case and spacing are a feed's typography, not its words."""
    return " ".join(title.casefold().split())


def separate_repeats(entries: Iterable[FeedEntry]) -> list[FeedEntry]:
    """The entries, with an identity that is a link shared by different items made unique by each
    item's headline and date.

    Copies of one item (same headline and date) keep the shared guid: a feed that lists an item
    twice carries one story.
    """
    entries = list(entries)
    variants: dict[str, set[tuple[str, datetime | None]]] = defaultdict(set)
    for e in entries:
        if e.guid == e.url:
            variants[e.guid].add((e.title, e.published))
    return [replace(e, guid=f"{e.guid}#{_item_hash(e)}") if len(variants.get(e.guid, ())) > 1 else e for e in entries]


def _item_hash(e: FeedEntry) -> str:
    return content_guid(e.title, "", int(e.published.timestamp()) if e.published else None)[5:21]
