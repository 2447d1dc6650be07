"""Stories: intake of feed entries under the identity rules, states, and cached articles."""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

from msgspec import Struct, field

from tui_reader.identity import global_guid, headline_key, separate_repeats
from tui_reader.models import Article, Caption, FeedEntry, Grade, State, Story
from tui_reader.sanitize import html_text
from tui_reader.store.base import Conn, Row, _now, from_epoch, to_epoch
from tui_reader.store.desk import DeskMixin
from tui_reader.urls import domain_of, url_key

_STORY_COLS = (
    "id, feed_id, guid, url, url_key, title, author, source, domain, published, fetched, sort_ts, "
    "feed_summary, feed_content"
)
"""The columns ``upsert_entries`` writes for a new story, in its row order."""
_UPSERT_COLS = "id, feed_id, guid, url, title, feed_summary, feed_content"
"""What ``upsert_entries`` reads of a stored story to tell an unchanged entry from an update."""
_UPSERT_COLS_S = ", ".join(f"s.{col}" for col in _UPSERT_COLS.split(", "))
_ARTICLE_COLS = "html, content_type, fetched, title, byline, site_name, published, markdown, text, captions, word_count, confidence, notice"
"""What ``save_article`` writes of a story's article (all but its key)."""


class UpsertResult(Struct):
    new: int = 0
    updated: int = 0
    new_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)


class StoriesMixin(DeskMixin):
    def upsert_entries(
        self, feed_id: int | None, entries: Iterable[FeedEntry], source: str, now: int | None = None
    ) -> UpsertResult:
        """Insert new entries and update changed ones, in one transaction; never duplicates, never merges.

        Identity is :mod:`tui_reader.identity`'s: an entry is this feed's story under its guid;
        else the story another feed (or none) holds under the same global guid, or the same page
        and headline, which from then on belongs to this feed too; else a new story. Only a story's
        home feed rewrites it, so two feeds carrying one article never flip it between their
        copies. Copies of one item within ``entries`` are one story, the last copy winning. Batched —
        a few lookups for the whole feed, one multi-row insert — because a cold refresh stores
        ~10,000 stories at once.
        """
        now = now or _now()
        fresh: dict[str, FeedEntry] = {}  # guid → entry, in feed order; later duplicates replace earlier
        for e in separate_repeats(entries):
            fresh.pop(e.guid, None)
            fresh[e.guid] = e
        engine = self.engine
        with self.tx() as c:
            guids = engine.ids(fresh)
            home = {
                r["guid"]: r
                for r in c.execute(
                    f"SELECT {_UPSERT_COLS} FROM stories WHERE feed_id IS NOT DISTINCT FROM ? AND {engine.ids_in('guid')}",
                    (feed_id, guids),
                )
            }
            linked = {
                r["link_guid"]: r
                for r in c.execute(
                    f"SELECT l.guid AS link_guid, {_UPSERT_COLS_S} FROM story_feeds l JOIN stories s ON s.id = l.story_id "
                    f"WHERE l.feed_id = ? AND {engine.ids_in('l.guid')}",
                    (feed_id, guids),
                )
            }
            stale = [g for g, r in linked.items() if not _same_item(r, g, fresh[g])]
            c.executemany("DELETE FROM story_feeds WHERE feed_id = ? AND guid = ?", [(feed_id, g) for g in stale])
            for g in stale:
                del linked[g]  # its article took another headline: this item is a story of its own now
            keys = {g: url_key(e.url) for g, e in fresh.items() if e.url and g not in home}
            elsewhere = self._carried_elsewhere(
                c, feed_id, keys, {g: e for g, e in fresh.items() if g not in home and g not in linked}
            )
            next_id = c.execute("SELECT coalesce(max(id), 0) + 1 FROM stories").fetchone()[0]
            rows: list[tuple] = []
            updates: dict[int, FeedEntry] = {}
            for guid, e in fresh.items():
                row = home.get(guid)
                if row is None and guid in elsewhere:
                    row = elsewhere[guid]
                    if feed_id is None or row["feed_id"] is not None:
                        if feed_id is not None:
                            c.execute(
                                "INSERT INTO story_feeds(feed_id, guid, story_id) VALUES (?, ?, ?)",
                                (feed_id, guid, row["id"]),
                            )
                        continue
                    # A story no feed holds (its feed unsubscribed, or added by URL): this feed takes it in.
                    c.execute("UPDATE stories SET feed_id = ?, guid = ? WHERE id = ?", (feed_id, guid, row["id"]))
                if row is not None:
                    if (row["title"], row["feed_summary"], row["feed_content"]) != (e.title, e.summary, e.content):
                        updates[row["id"]] = e
                    continue
                if guid in linked:
                    continue  # its home feed keeps it current
                url = e.url or f"urn:tui-reader:{feed_id}:{guid}"
                published = to_epoch(e.published or e.updated)
                rows.append(
                    (
                        next_id + len(rows),
                        feed_id,
                        guid,
                        url,
                        keys.get(guid) or url_key(url),
                        e.title,
                        e.author,
                        source,
                        domain_of(url),
                        published,
                        now,
                        published or now,
                        e.summary,
                        e.content,
                    )
                )
            if rows:
                self._insert_stories(c, rows)
            for story_id, u in updates.items():
                c.execute(
                    "UPDATE stories SET title = ?, author = ?, feed_summary = ?, feed_content = ?, "
                    "published = COALESCE(?, published) WHERE id = ?",
                    (u.title, u.author, u.summary, u.content, to_epoch(u.published or u.updated), story_id),
                )
                self._reindex(c, story_id)
            if updates:  # clustered stories whose text changed: the TUI re-clusters them in the background
                c.executemany(
                    "INSERT INTO cluster_stale(story_id) SELECT story_id FROM cluster_sigs "
                    "WHERE story_id = ? ON CONFLICT DO NOTHING",
                    [(i,) for i in updates],
                )
            if rows or updates:
                self._many_changed(c)
        return UpsertResult(
            new=len(rows), updated=len(updates), new_ids=[r[0] for r in rows], updated_ids=list(updates)
        )

    def _carried_elsewhere(
        self, c: Conn, feed_id: int | None, keys: dict[str, int], entries: dict[str, FeedEntry]
    ) -> dict[str, Row]:
        """For entries new to this feed, the stored story each one is (another feed's, or no feed's).

        Candidates share the entry's guid or its canonical URL; a story this feed already carries
        is another item of it, never a match, and one story matches one entry at most.
        """
        engine = self.engine
        found: dict[int, Row] = {}
        lookups = (
            (engine.ids_in("url_key"), sorted({keys[g] for g in entries if g in keys})),
            (
                engine.ids_in("guid") + " AND instr(guid, ':') > 0 AND guid != url",
                [g for g, e in entries.items() if global_guid(g) and g != e.url],
            ),
        )
        for where, values in lookups:
            if values:
                found.update(
                    (r["id"], r)
                    for r in c.execute(
                        f"SELECT {_UPSERT_COLS}, url_key FROM stories WHERE {where}", (engine.ids(values),)
                    )
                )
        if not found:
            return {}  # a cold refresh: nothing to match, and the loop below would test every entry for nothing
        if feed_id is not None:
            mine = {
                r[0]
                for r in c.execute(
                    f"SELECT story_id FROM story_feeds WHERE feed_id = ? AND {engine.ids_in('story_id')}",
                    (feed_id, engine.ids(found)),
                )
            }
            found = {i: r for i, r in found.items() if r["feed_id"] != feed_id and i not in mine}
        by_guid: dict[str, list[Row]] = {}
        by_key: dict[int, list[Row]] = {}
        for r in sorted(found.values(), key=lambda r: r["id"]):
            by_guid.setdefault(r["guid"], []).append(r)
            by_key.setdefault(r["url_key"], []).append(r)
        matches: dict[str, Row] = {}
        taken: set[int] = set()
        for guid, entry in entries.items():
            key = keys.get(guid)
            same_guid = [r for r in by_guid.get(guid, ()) if global_guid(guid) or r["url_key"] == key]
            same_page = [
                r
                for r in (by_key.get(key, ()) if key is not None else ())
                if r["feed_id"] is None or headline_key(r["title"]) == headline_key(entry.title)
            ]
            row = next((r for r in same_guid + same_page if r["id"] not in taken), None)
            if row is not None:
                taken.add(row["id"])
                matches[guid] = row
        return matches

    def _insert_stories(self, c: Conn, rows: list[tuple]) -> None:
        """Insert new story rows and their full-text rows (the words of the feed's HTML, not its markup)."""
        self._insert_many(c, f"stories({_STORY_COLS})", rows)
        indexed = [(r[0], r[5], "", html_text(r[13]) or html_text(r[12])) for r in rows]
        self._insert_search(c, indexed)
        self._inserted.update(
            (r[0], (r[0], "unread", r[5], r[3], f"{r[7]} {r[8]}", i[3], "")) for r, i in zip(rows, indexed, strict=True)
        )

    def add_story(
        self,
        url: str,
        title: str,
        *,
        source: str = "",
        author: str = "",
        published: datetime | None = None,
        summary: str = "",
    ) -> int:
        """Store a single article (not from a feed); adding the same page twice returns the same id."""
        if (existing := self._story_at(url)) is not None:
            return existing
        entry = FeedEntry(guid=url, url=url, title=title, author=author, published=published, summary=summary)
        res = self.upsert_entries(None, [entry], source or domain_of(url))
        if res.new_ids:
            return res.new_ids[0]
        existing = self._story_at(url)
        assert existing is not None
        return existing

    def _story_at(self, url: str) -> int | None:
        """The oldest story of the page at ``url`` (its canonical form), if any."""
        row = self.conn.execute("SELECT min(id) FROM stories WHERE url_key = ?", (url_key(url),)).fetchone()
        return row[0]

    def story(self, story_id: int) -> Story | None:
        row = self.conn.execute(
            "SELECT s.*, t.grade, t.summary AS triage_summary, t.triaged_at, t.analyst AS triaged_by, "
            "(SELECT 1 FROM articles a WHERE a.story_id = s.id) AS has_article "
            "FROM stories s LEFT JOIN triage t ON t.story_id = s.id WHERE s.id = ?",
            (story_id,),
        ).fetchone()
        if row is None:
            return None
        return Story(
            id=row["id"],
            url=row["url"],
            title=row["title"],
            source=row["source"],
            feed_id=row["feed_id"],
            author=row["author"],
            published=from_epoch(row["published"]),
            fetched=from_epoch(row["fetched"]),
            feed_summary=row["feed_summary"],
            feed_content=row["feed_content"],
            state=State(row["state"]),
            tags=self.story_tags(story_id),
            grade=Grade.parse(row["grade"]) if row["grade"] else None,
            summary=row["triage_summary"] or "",
            triaged_at=from_epoch(row["triaged_at"]),
            has_article=bool(row["has_article"]),
            cluster_size=row["cluster_size"],
            version=row["version"],
            triaged_by=row["triaged_by"] or "",
        )

    def set_state(self, story_id: int, state: State, version: int | None = None) -> State | None:
        """Move a story to ``state``; returns the state it had (for undo). With the ``version`` the caller
        loaded, a colleague's change since is refused (:class:`ConflictError`)."""
        with self.tx() as c:
            row = c.execute("SELECT state FROM stories WHERE id = ?", (story_id,)).fetchone()
            if row is None:
                return None
            self._changed(c, story_id, "dismiss" if state is State.DISMISSED else "state", version)
            c.execute("UPDATE stories SET prev_state = state, state = ? WHERE id = ?", (state.value, story_id))
        return State(row[0])

    def untriaged(self, story_ids: list[int]) -> list[tuple[int, State]]:
        """Those of ``story_ids`` that are unread or read, with that state (what a bulk dismissal changes)."""
        rows = self.conn.execute(
            f"SELECT id, state FROM stories WHERE {self.engine.ids_in('id')} AND state IN ('unread', 'read') "
            "ORDER BY id",
            (self.engine.ids(story_ids),),
        ).fetchall()
        return [(r[0], State(r[1])) for r in rows]

    def set_states(self, changes: list[tuple[int, State]]) -> None:
        """Move many stories at once (a bulk dismissal, its undo) in one transaction."""
        with self.tx() as c:
            c.executemany(
                "UPDATE stories SET prev_state = state, state = ? WHERE id = ?",
                [(state.value, story_id) for story_id, state in changes],
            )
            for story_id, state in changes:
                self._changed(c, story_id, "dismiss" if state is State.DISMISSED else "state")

    def mark_read(self, story_id: int) -> None:
        """Opening an unread story makes it read; other states are kept."""
        with self.tx() as c:
            if c.execute("UPDATE stories SET state = 'read' WHERE id = ? AND state = 'unread'", (story_id,)).rowcount:
                self._changed(c, story_id, "read")

    # -- articles (reader mode) -------------------------------------------------------

    def save_article(
        self, story_id: int, article: Article, *, html: bytes | None = None, content_type: str = ""
    ) -> None:
        """Cache the fetched page and its extraction; the body joins full-text search."""
        captions = "\n".join(f"{c.text}\t{c.credit}\t{c.image}" for c in article.captions)
        with self.tx() as c:
            c.execute(
                f"INSERT INTO articles(story_id, {_ARTICLE_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(story_id) DO UPDATE SET "
                + ", ".join(f"{col} = excluded.{col}" for col in _ARTICLE_COLS.split(", ")),
                (
                    story_id,
                    html,
                    content_type,
                    _now(),
                    article.title,
                    article.byline,
                    article.site_name,
                    to_epoch(article.published),
                    article.markdown,
                    article.text,
                    captions,
                    article.word_count,
                    article.confidence,
                    article.notice,
                ),
            )
            self._reindex(c, story_id)

    def article(self, story_id: int) -> Article | None:
        row = self.conn.execute("SELECT * FROM articles WHERE story_id = ?", (story_id,)).fetchone()
        if row is None:
            return None
        captions = [Caption(*(line.split("\t") + ["", ""])[:3]) for line in row["captions"].splitlines() if line]
        return Article(
            title=row["title"],
            byline=row["byline"],
            published=from_epoch(row["published"]),
            site_name=row["site_name"],
            markdown=row["markdown"],
            text=row["text"],
            captions=captions,
            word_count=row["word_count"],
            confidence=row["confidence"],
            notice=row["notice"],
        )

    def article_html(self, story_id: int) -> bytes | None:
        """The page as fetched for reader mode, if it was (drafts read its standfirst and meta from it)."""
        row = self.conn.execute("SELECT html FROM articles WHERE story_id = ?", (story_id,)).fetchone()
        return row[0] if row is not None and row[0] else None


def _same_item(story: Row, guid: str, entry: FeedEntry) -> bool:
    """Whether a feed's item still names the story it was filed under in another feed."""
    return (global_guid(guid) and story["guid"] == guid) or headline_key(story["title"]) == headline_key(entry.title)
