"""The story list: a virtual list on Textual's Line API that stays instant at 100k stories.

Only the id list (``Store.story_ids``, ~30 ms and ~4 MB at 100k) is held in memory; the
painted columns are read from the store by window (``Store.list_rows``) around what is
visible and kept in a small cache. A cursor move repaints two lines; a scroll repaints the
visible lines, each rendered straight to a :class:`~textual.strip.Strip`.
"""

from __future__ import annotations

import re
import time
from typing import Callable, ClassVar

from msgspec import Struct
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui_reader.models import State
from tui_reader.query import StoryQuery
from tui_reader.sanitize import clean_line
from tui_reader.store import ListRow, Store
from tui_reader.watch import WatchMatcher

GLYPHS: dict[State, str] = {State.UNREAD: "●", State.READ: "○", State.TRIAGED: "✓", State.DISMISSED: "✗"}
"""State column; all in DejaVu Sans Mono, Menlo and Cascadia, one cell wide (● ○ are East-Asian "ambiguous")."""
WATCHED = "◆"
"""Beside the state, for a story holding a watchlist's term (one cell wide in the same fonts)."""
READING = "◉"
"""Before the title with the names of the colleagues who have the story open in their reader."""

_WINDOW_MARGIN = 64
"""Rows read beyond each edge of the visible window, so small scrolls hit the cache."""
_HEAD = 256
"""Ids read with the count of all before the first frame: a tall terminal's screen and the cache's margin. The
rest are read once it is painted (:meth:`StoryList._read_rest`): 10k ids cost 28 M instructions before it."""
_CACHE_MAX = 2048
"""Cached rows before the cache is dropped and refilled from the current window."""
_SCAN_CHUNK = 512
"""Rows read per query when :meth:`StoryList.move_to_next` scans ahead."""


def age_label(ts: int, now: float) -> str:
    """Compact age of an epoch time: ``now``, ``3m``, ``3h``, ``2d``, ``5w``, ``2y``."""
    secs = now - ts
    if secs < 60:
        return "now"
    if secs < 3600:
        return f"{int(secs // 60)}m"
    if secs < 86400:
        return f"{int(secs // 3600)}h"
    if secs < 7 * 86400:
        return f"{int(secs // 86400)}d"
    if secs < 365 * 86400:
        return f"{int(secs // (7 * 86400))}w"
    return f"{int(secs // (365 * 86400))}y"


class Columns(Struct, frozen=True):
    """Cell widths of the columns for one widget width; a width of 0 drops the column."""

    source: int
    title: int
    tags: int

    # glyph+space, grade+space, "×NN"+space on the left; space + 4-cell age on the right
    LEFT: ClassVar[int] = 2 + 3 + 4
    RIGHT: ClassVar[int] = 5
    TITLE_MIN: ClassVar[int] = 40
    SOURCE_MAX: ClassVar[int] = 18
    SOURCE_MIN: ClassVar[int] = 8
    TAGS_MAX: ClassVar[int] = 24
    TAGS_MIN: ClassVar[int] = 16
    TITLE_WITH_TAGS: ClassVar[int] = 60
    """Titles are what analysts scan: tags get room only once the title has this much."""

    @classmethod
    def fit(cls, width: int) -> "Columns":
        """Give the title its minimum first, then source, then tags; whatever is left widens the title."""
        rest = max(0, width - cls.LEFT - cls.RIGHT)
        spare = rest - cls.TITLE_MIN
        source = min(cls.SOURCE_MAX, spare) if spare >= cls.SOURCE_MIN else 0
        spare -= source + cls.TITLE_WITH_TAGS - cls.TITLE_MIN
        tags = min(cls.TAGS_MAX, spare) if spare >= cls.TAGS_MIN else 0
        return cls(source=source, title=rest - source - tags, tags=tags)


def _fit(text: str, width: int) -> str:
    """``text`` cut with an ellipsis or padded to exactly ``width`` cells."""
    if cell_len(text) > width:
        t = Text(text)
        t.truncate(width, overflow="ellipsis")
        text = t.plain
    return text + " " * (width - cell_len(text))


class StoryList(ScrollView, can_focus=True):
    """Every story matching a :class:`StoryQuery`, one per line, with a cursor.

    Posts :class:`StoryList.Highlighted` when the cursor lands on a story and
    :class:`StoryList.Opened` on ``enter`` (or a double click).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Next story", show=False),
        Binding("k,up", "cursor_up", "Previous story", show=False),
        Binding("g,home", "first", "First story", show=False),
        Binding("G,end", "last", "Last story", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("enter", "open", "Open"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "story-list--cursor",
        "story-list--unread",
        "story-list--dismissed",
        "story-list--meta",
        "story-list--grade",
        "story-list--highlight",
        "story-list--watch",
        "story-list--empty",
    }
    """
    | Class | Description |
    | :- | :- |
    | `story-list--cursor` | The row under the cursor. |
    | `story-list--unread` | Unread rows (bold). |
    | `story-list--dismissed` | Dismissed rows (dim). |
    | `story-list--meta` | Source, age and tag columns. |
    | `story-list--grade` | The Admiralty rating and source count. |
    | `story-list--highlight` | Search terms in titles. |
    | `story-list--watch` | Watchlist terms in titles, and the ◆ of a story holding one (bold reverse: it survives NO_COLOR). |
    | `story-list--empty` | The line shown when nothing matches. |
    """

    DEFAULT_CSS = """
    StoryList {
        height: 1fr;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
        & > .story-list--cursor {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .story-list--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
        & > .story-list--unread { text-style: bold; }
        & > .story-list--dismissed { text-style: dim; }
        & > .story-list--meta { color: $text-muted; }
        & > .story-list--grade { color: $text-accent; }
        & > .story-list--highlight { color: $text-warning; text-style: bold underline; }
        & > .story-list--watch { color: $text-error; text-style: bold reverse; }
        & > .story-list--empty { color: $text-muted; text-style: italic; }
    }
    """

    EMPTY_TEXT = "No stories yet — press a to add a feed (or: tui-reader import-opml FILE)"
    NO_MATCH_TEXT = "No stories match this view"
    ALLOW_SELECT = False  # a click picks a row; it does not start a text selection

    class Highlighted(Message):
        """The cursor moved to a story (``story_id`` is None when the list is empty)."""

        def __init__(self, story_list: StoryList, story_id: int | None) -> None:
            super().__init__()
            self.story_list = story_list
            self.story_id = story_id

        @property
        def control(self) -> StoryList:
            return self.story_list

    class Opened(Message):
        """The analyst asked to read the story under the cursor."""

        def __init__(self, story_list: StoryList, story_id: int) -> None:
            super().__init__()
            self.story_list = story_list
            self.story_id = story_id

        @property
        def control(self) -> StoryList:
            return self.story_list

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)
    """Index of the cursor row in the current query's display order. ``watch_cursor`` repaints the two rows
    it changes; the default repaint of every visible row per step doubled the latency of each key."""

    clock: Callable[[], float] = time.time
    """Wall clock for the age column (a fixed one makes snapshots repeatable)."""

    def __init__(
        self,
        store: Store,
        query: StoryQuery = StoryQuery(),
        *,
        highlight: frozenset[str] | set[str] = frozenset(),
        watch: WatchMatcher | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.store = store
        self.story_query = query
        self._ids: list[int] = []
        """The ids shown, in display order: all of them, or the first ``_HEAD`` until :meth:`_read_rest`."""
        self._count = 0
        """How many ids the query has (``_ids`` may hold only the first)."""
        self._store_empty = False
        self._rows: dict[int, ListRow] = {}
        self._highlight_re: re.Pattern[str] | None = None
        self._frame: _Frame | None = None
        self._last_posted: int | None = -1  # not a story id: the cursor's first watch (on mount) posts
        self.highlight = highlight
        self.watch_terms = watch or WatchMatcher(())
        """Finds the watchlists' terms in the titles of the rows the store marks as watched."""
        self._load(head=_HEAD)

    # -- public API -----------------------------------------------------------------

    @property
    def highlight(self) -> frozenset[str]:
        """Words whose prefix matches are marked in titles (FTS matches prefixes, so do we)."""
        return self._highlight

    @highlight.setter
    def highlight(self, words: frozenset[str] | set[str]) -> None:
        self._highlight = frozenset(w for w in (w.strip('"*()') for w in words) if w)
        alternatives = "|".join(re.escape(w) for w in sorted(self._highlight, key=len, reverse=True))
        self._highlight_re = re.compile(rf"\b(?:{alternatives})\w*", re.IGNORECASE) if alternatives else None
        self.refresh()

    @property
    def row_count(self) -> int:
        return self._count

    @property
    def story_ids(self) -> list[int]:
        """The ids shown, in display order (do not mutate)."""
        self._read_rest()
        return self._ids

    @property
    def cursor_story_id(self) -> int | None:
        return self._ids[self.cursor] if self._ids else None

    @property
    def cursor_row(self) -> ListRow | None:
        return self._row(self.cursor) if self._ids else None

    def set_query(
        self, query: StoryQuery, *, highlight: frozenset[str] | set[str] | None = None, ids: list[int] | None = None
    ) -> None:
        """Show ``query`` with the cursor on the first row; highlights default to the query's search words.

        ``ids`` are the query's ids if already read (``Store.story_ids`` in a thread worker,
        so a search over 100k stories never blocks a keypress); otherwise they are read here.
        """
        self.story_query = query
        self.highlight = frozenset(query.text.split()) if highlight is None else highlight
        self._load(ids)
        self.scroll_to(y=0, animate=False)
        self.cursor = 0

    def reload(self, keep_cursor: bool = True, *, ids: list[int] | None = None) -> None:
        """Re-read the query (new stories, changed filters' matches); ``ids`` if a worker read them already.

        With ``keep_cursor`` the cursor stays on its story, or on the same index if that
        story left the view (so dismissing in an "untriaged" view lands on the next one),
        and on the same screen line, so stories arriving above do not shift what is read.
        """
        current, index = self.cursor_story_id, self.cursor
        screen_line = index - self.scroll_offset.y
        self._load(ids)
        if not keep_cursor:
            self.scroll_to(y=0, animate=False)
            self.cursor = 0
            return
        if current is not None:  # the list was empty
            try:
                index = self._ids.index(current)
            except ValueError:
                pass
        self.scroll_to(y=index - screen_line, animate=False, force=True)
        self.cursor = index

    def refresh_story(self, story_id: int) -> None:
        """A story changed (triage, read, dismiss): re-read its row next paint; repaint it if visible."""
        self._rows.pop(story_id, None)
        top = self.scroll_offset.y
        visible = self._ids[top : top + self.size.height]
        if story_id in visible:
            self.refresh_line(top + visible.index(story_id))

    def select_story(self, story_id: int) -> bool:
        """Put the cursor on ``story_id``; False if the current view does not hold it."""
        self._read_rest()
        try:
            self.cursor = self._ids.index(story_id)
        except ValueError:
            return False
        return True

    def move_to_next(self, predicate: Callable[[ListRow], bool], *, wrap: bool = False) -> bool:
        """Move the cursor to the next row after it matching ``predicate`` (e.g. next untriaged).

        Rows are read fresh from the store in chunks (the cache may be stale if another
        process triaged) and are not added to the cache, so a long scan does not evict the
        visible window. Returns False, leaving the cursor, when nothing matches.
        """
        self._read_rest()
        order = list(range(self.cursor + 1, len(self._ids)))
        if wrap:
            order += range(0, self.cursor)
        for start in range(0, len(order), _SCAN_CHUNK):
            chunk = order[start : start + _SCAN_CHUNK]
            rows = {r.id: r for r in self.store.list_rows([self._ids[i] for i in chunk])}
            for i in chunk:
                row = rows.get(self._ids[i])
                if row is not None and predicate(row):
                    self.cursor = i
                    return True
        return False

    # -- actions --------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = self._count - 1

    def action_page_down(self) -> None:
        self.cursor += max(1, self.scrollable_content_region.height)

    def action_page_up(self) -> None:
        self.cursor -= max(1, self.scrollable_content_region.height)

    def action_open(self) -> None:
        if (sid := self.cursor_story_id) is not None:
            self.post_message(self.Opened(self, sid))

    # -- reactive cursor --------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        if value >= len(self._ids):
            self._read_rest()
        return max(0, min(value, len(self._ids) - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh_line(old)
        self.refresh_line(new)
        sid = self.cursor_story_id
        if sid != self._last_posted:
            self._last_posted = sid
            self.post_message(self.Highlighted(self, sid))

    def _scroll_cursor_into_view(self) -> None:
        height = self.scrollable_content_region.height
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, force=True)
        elif height and self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, force=True)

    # -- events ---------------------------------------------------------------------

    def on_mount(self) -> None:
        self.set_interval(60, self.refresh)  # keeps the age column current while the analyst reads
        self.call_after_refresh(self._read_rest)

    def on_resize(self) -> None:
        self._scroll_cursor_into_view()

    def on_focus(self) -> None:
        self.refresh_line(self.cursor)

    def on_blur(self) -> None:
        self.refresh_line(self.cursor)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = self.scroll_offset.y + offset.y
        if index < self._count:
            self.cursor = index
            if event.chain >= 2:
                self.action_open()

    # -- data -----------------------------------------------------------------------

    def _load(self, ids: list[int] | None = None, *, head: int | None = None) -> None:
        """Show ``ids``, or the query's as read now; with ``head``, only that many are read, and the count of all."""
        query = self.story_query
        self._ids = self.store.story_ids(query, limit=head) if ids is None else ids
        more = ids is None and head is not None and len(self._ids) == head
        self._count = self.store.count(query) if more else len(self._ids)
        self._store_empty = not self._count and self.store.count() == 0
        self._rows.clear()
        self.virtual_size = Size(0, self._count)
        self.refresh()

    def _read_rest(self) -> None:
        """Read the ids past the head the first frame showed, once: after it is painted, or before anything that
        needs them. Stories that came or went in between are shown at once (the change log reports them too)."""
        if len(self._ids) >= self._count:
            return
        ids = self.store.story_ids(self.story_query)
        if ids[: len(self._ids)] != self._ids or len(ids) != self._count:
            self._rows.clear()
            self.virtual_size = Size(0, len(ids))
            self.refresh()
        self._ids, self._count = ids, len(ids)

    def _row(self, index: int) -> ListRow | None:
        """The row at ``index``, reading the window around it from the store on a miss."""
        top = self.scroll_offset.y
        hi = max(index + 1, top + self.size.height) + _WINDOW_MARGIN
        if hi > len(self._ids):  # the window may reach past the head the first frame was read with
            self._read_rest()
            if index >= len(self._ids):  # gone meanwhile
                return None
        sid = self._ids[index]
        row = self._rows.get(sid)
        if row is None:
            if len(self._rows) > _CACHE_MAX:
                self._rows.clear()
            lo = max(0, min(index, top) - _WINDOW_MARGIN)
            missing = [i for i in self._ids[lo:hi] if i not in self._rows]
            self._rows.update((r.id, r) for r in self.store.list_rows(missing))
            row = self._rows.get(sid)
        return row

    # -- rendering ------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        """One frame: its styles, column widths and clock are worked out once, not once per row.

        ``rich_style`` alone walks every ancestor's styles; per row it was half the cost of a page.
        """
        self._frame = None
        return super().render_lines(crop)

    def notify_style_update(self) -> None:
        self._frame = None
        super().notify_style_update()

    def _frame_styles(self) -> _Frame:
        if self._frame is None:
            style = self.get_component_rich_style
            base = self.rich_style
            states = {}
            for state in State:
                state_style = Style()
                if state is State.UNREAD:
                    state_style = style("story-list--unread", partial=True)
                elif state is State.DISMISSED:
                    state_style = style("story-list--dismissed", partial=True)
                states[state] = (
                    base + state_style,
                    style("story-list--meta") + state_style,
                    style("story-list--grade") + state_style,
                )
            cursor = style("story-list--cursor")
            if self.app.no_color:  # colours are stripped: keep the cursor visible
                cursor += Style(reverse=True)
            width = self.scrollable_content_region.width
            self._frame = _Frame(
                base,
                states,
                cursor,
                style("story-list--highlight", partial=True),
                style("story-list--watch", partial=True),
                width,
                Columns.fit(width),
                self.clock(),
            )
        return self._frame

    def render_line(self, y: int) -> Strip:
        frame = self._frame_styles()
        width, base = frame.width, frame.base
        index = self.scroll_offset.y + y
        if not self._count:
            if y == 0:
                text = self.EMPTY_TEXT if self._store_empty else self.NO_MATCH_TEXT
                empty_style = self.get_component_rich_style("story-list--empty")
                return self._strip([Segment(" " + text, empty_style)], width, base)
            return Strip.blank(width, base)
        if index >= self._count:
            return Strip.blank(width, base)
        row = self._row(index)
        if row is None:  # deleted since the ids were read
            return Strip.blank(width, base)
        return self._render_row(row, frame, index == self.cursor)

    def _strip(self, segments: list[Segment], width: int, base: Style) -> Strip:
        return Strip(segments).adjust_cell_length(width, base)

    def _render_row(self, row: ListRow, frame: _Frame, is_cursor: bool) -> Strip:
        cols = frame.columns
        line_style, meta, grade = frame.states[row.state]
        title = clean_line(row.title) or "(no title)"
        if row.readers:  # a colleague has it open: a glyph and the name, which survive NO_COLOR
            title = f"{READING}{clean_line(','.join(row.readers), max_len=24)} {title}"
        cluster = f"×{min(row.cluster_size, 99)}" if row.cluster_size > 1 else ""
        segments = [
            Segment(GLYPHS[row.state], line_style),
            Segment(WATCHED, line_style + frame.watch) if row.watched else Segment(" ", line_style),
            Segment(f"{row.grade:<2.2} {cluster:<3.3} ", grade),
        ]
        if cols.source:
            segments.append(Segment(_fit(clean_line(row.source), cols.source - 1) + " ", meta))
        spans = self.watch_terms.spans(title) if row.watched else []
        if self._highlight_re is None and not spans:
            segments.append(Segment(_fit(title, cols.title), line_style))
        else:
            text = Text(title, no_wrap=True, end="")
            if self._highlight_re is not None:
                text.highlight_regex(self._highlight_re, frame.highlight)
            for start, end, _ in spans:
                text.stylize(frame.watch, start, end)
            text.truncate(cols.title, overflow="ellipsis", pad=True)
            segments.extend(Segment.apply_style(text.render(self.app.console), line_style))
        segments.append(Segment(" " + age_label(row.sort_ts, frame.now).rjust(4), meta))
        if cols.tags:
            segments.append(Segment(" " + _fit(clean_line(",".join(row.tags)), cols.tags - 1), meta))
        strip = self._strip(segments, frame.width, line_style)
        if is_cursor:
            strip = Strip(Segment.apply_style(strip, post_style=frame.cursor), frame.width)
        return strip


class _Frame(Struct, frozen=True):
    """What every row of one frame shares (see :meth:`StoryList.render_lines`)."""

    base: Style
    states: dict[State, tuple[Style, Style, Style]]
    """Per state: the line's style, the meta columns' and the grade column's."""
    cursor: Style
    highlight: Style
    watch: Style
    width: int
    columns: Columns
    now: float
