"""The search bar's small filter language, parsed into a :class:`StoryQuery`, what the store lists.

``tag:syria note:convoy rating:<=B2 source:al-monitor since:2d state:unread single: drone strike``
Words without a known ``key:`` prefix are full-text search terms. Unknown keys and bad
values raise :class:`QueryError` with a one-line message for the search bar.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Iterable

from msgspec import Struct
from msgspec.structs import replace

from tui_reader.errors import GradeError, QueryError
from tui_reader.models import Grade, State

if TYPE_CHECKING:
    from tui_reader.watch import Watchlist


class StoryQuery(Struct, frozen=True):
    """What the list shows: filters plus a sort order. Empty fields mean "no filter"."""

    states: tuple[State, ...] = ()
    feed_id: int | None = None
    group: str = ""
    """Only the feeds of this group (OPML folder); case-insensitive, ``_`` standing for a space."""
    tag: str = ""
    source: str = ""
    """Substring of the source name or domain."""
    max_grade: Grade | None = None
    """Only stories graded at least this well (reliability and credibility both <=)."""
    since: datetime | None = None
    until: datetime | None = None
    text: str = ""
    """FTS5 full-text query over title, summary and article text."""
    note: str = ""
    """Words every one of which the story's note or quotes hold (full-text, prefixes match)."""
    single_source: bool = False
    grouped: bool = False
    """One row per corroboration cluster (its first story); the row's ×N says how many outlets."""
    sort: str = "date"
    watch: str = ""
    """A watchlist's FTS5 query (``watch:NAME``): only stories holding one of its terms."""
    id_range: tuple[int, int] | None = None
    """Only story ids in this inclusive range (rules run on a batch, e.g. the stories one refresh of a feed stored)."""


FILTER_HELP = """\
  word word        full-text search (title, summary, article text; prefixes match)
  tag:NAME         stories tagged NAME
  note:WORD        your note or quotes on the story hold WORD (note:a note:b: both)
  source:TEXT      source name or domain contains TEXT
  group:NAME       feeds in this group (OPML folder); _ for a space: group:middle_east
  rating:<=B2      graded B2 or better (reliability ≤ B and credibility ≤ 2)
  state:unread     unread, read, untriaged (unread+read), triaged, dismissed
  since:2d         newer than 2 days (m, h, d, w) or a date (2026-11-01)
  until:DATE       older than a date or an age
  watch:NAME       stories holding a term of the watchlist NAME ([[watchlists]])
  single:          only stories no other outlet carries
  sort:rating      sort by date (default), source or rating"""

_AGE = re.compile(r"^(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_STATES = {
    "unread": (State.UNREAD,),
    "read": (State.READ,),
    "untriaged": (State.UNREAD, State.READ),
    "triaged": (State.TRIAGED,),
    "dismissed": (State.DISMISSED,),
}


def parse_when(text: str, now: datetime | None = None) -> datetime:
    """``2d``-style ages (relative to now) or ISO dates, as aware UTC datetimes."""
    now = now or datetime.now(timezone.utc)
    m = _AGE.match(text)
    if m:
        return now - timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise QueryError(f"bad time {text!r}: use an age like 2d or 6h, or a date like 2026-11-01") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def parse_filter(
    text: str, base: StoryQuery = StoryQuery(), now: datetime | None = None, *, watchlists: Iterable[Watchlist] = ()
) -> StoryQuery:
    """Apply what the user typed on top of ``base`` (the list's current view); ``watch:NAME`` names one of
    ``watchlists``."""
    words: list[str] = []
    q = base
    for token in text.split():
        key, sep, value = token.partition(":")
        if not sep or key.lower() not in _KEYS:
            words.append(token)
            continue
        key = key.lower()
        if key == "single":
            q = replace(q, single_source=value.lower() not in ("no", "false", "0"))
        elif not value:
            raise QueryError(f"{key}: needs a value, e.g. {key}:{_EXAMPLES[key]}")
        elif key == "tag":
            from tui_reader.triage import normalize_tag

            q = replace(q, tag=normalize_tag(value))
        elif key == "note":
            q = replace(q, note=f"{q.note} {value}".strip())
        elif key == "source":
            q = replace(q, source=value)
        elif key == "group":
            q = replace(q, group=value)
        elif key == "rating":
            try:
                q = replace(q, max_grade=Grade.parse(value.lstrip("<=")))
            except GradeError as exc:
                raise QueryError(str(exc)) from None
        elif key == "state":
            if value.lower() not in _STATES:
                raise QueryError(f"state:{value} — use one of {', '.join(_STATES)}")
            q = replace(q, states=_STATES[value.lower()])
        elif key == "since":
            q = replace(q, since=parse_when(value, now))
        elif key == "until":
            q = replace(q, until=parse_when(value, now))
        elif key == "watch":
            from tui_reader.watch import find_watchlist

            watchlists = tuple(watchlists)
            found = find_watchlist(watchlists, value)
            if found is None:
                known = ", ".join(w.name for w in watchlists) or "none: add [[watchlists]] to the config"
                raise QueryError(f"watch:{value} — no such watchlist (watchlists: {known})")
            q = replace(q, watch=found.fts_match)
        elif key == "sort":
            if value.lower() not in ("date", "source", "rating"):
                raise QueryError(f"sort:{value} — use date, source or rating")
            q = replace(q, sort=value.lower())
    return replace(q, text=" ".join(words))


_EXAMPLES = {
    "tag": "syria",
    "note": "drone",
    "source": "reuters",
    "group": "middle_east",
    "rating": "<=B2",
    "state": "unread",
    "since": "2d",
    "until": "2026-11-01",
    "sort": "rating",
    "single": "",
    "watch": "NAME",
}
_KEYS = set(_EXAMPLES)
