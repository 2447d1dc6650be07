"""SQLite store: schema with numbered forward migrations, WAL, FTS5; rows <-> models.

One connection per thread (SQLite connections belong to the thread that made them), all
writes inside ``BEGIN IMMEDIATE`` transactions so two processes on one home directory
serialise instead of interleaving. Times are stored as UTC epoch seconds.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import urlsplit

from tui_reader.errors import UserError
from tui_reader.models import (
    Article,
    BriefItem,
    Caption,
    Feed,
    FeedEntry,
    Grade,
    State,
    Story,
    TriageInput,
)
from tui_reader.sanitize import html_text

# Each step runs once, in order, inside one transaction; never edit a released step, add one.
MIGRATIONS: list[str] = [
    # 1: the base schema
    """
    CREATE TABLE feeds(
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        grp TEXT NOT NULL DEFAULT '',
        etag TEXT NOT NULL DEFAULT '',
        last_modified TEXT NOT NULL DEFAULT '',
        last_fetched INTEGER,
        last_ok INTEGER,
        last_error TEXT NOT NULL DEFAULT '',
        last_status TEXT NOT NULL DEFAULT '',
        added INTEGER NOT NULL
    );
    CREATE TABLE stories(
        id INTEGER PRIMARY KEY,
        feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
        guid TEXT NOT NULL,
        url TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL DEFAULT '',
        domain TEXT NOT NULL DEFAULT '',
        published INTEGER,
        fetched INTEGER NOT NULL,
        sort_ts INTEGER NOT NULL,
        feed_summary TEXT NOT NULL DEFAULT '',
        feed_content TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT 'unread'
            CHECK (state IN ('unread', 'read', 'triaged', 'dismissed')),
        prev_state TEXT,
        cluster_id INTEGER,
        copy_of INTEGER,
        cluster_size INTEGER NOT NULL DEFAULT 1
    );
    CREATE UNIQUE INDEX stories_feed_guid ON stories(feed_id, guid);
    CREATE INDEX stories_sort ON stories(sort_ts DESC, id DESC);
    CREATE INDEX stories_state_sort ON stories(state, sort_ts DESC);
    CREATE INDEX stories_feed_sort ON stories(feed_id, sort_ts DESC);
    CREATE INDEX stories_cluster ON stories(cluster_id);
    CREATE TABLE articles(
        story_id INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
        html BLOB,
        content_type TEXT NOT NULL DEFAULT '',
        fetched INTEGER NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        byline TEXT NOT NULL DEFAULT '',
        site_name TEXT NOT NULL DEFAULT '',
        published INTEGER,
        markdown TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL DEFAULT '',
        captions TEXT NOT NULL DEFAULT '',
        word_count INTEGER NOT NULL DEFAULT 0,
        confidence REAL NOT NULL DEFAULT 0,
        notice TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE tags(
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
    );
    CREATE TABLE story_tags(
        story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
        tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
        position INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (story_id, tag_id)
    );
    CREATE INDEX story_tags_tag ON story_tags(tag_id);
    CREATE TABLE triage(
        story_id INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
        grade TEXT,
        summary TEXT NOT NULL DEFAULT '',
        triaged_at INTEGER NOT NULL
    );
    CREATE TABLE triage_history(
        id INTEGER PRIMARY KEY,
        story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
        grade TEXT,
        summary TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '',
        triaged_at INTEGER NOT NULL
    );
    CREATE TABLE source_grades(
        domain TEXT PRIMARY KEY,
        reliability TEXT NOT NULL,
        updated INTEGER NOT NULL
    );
    CREATE TABLE log_pending(
        story_id INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
        day TEXT NOT NULL
    );
    CREATE VIRTUAL TABLE stories_fts USING fts5(title, summary, body, tokenize='unicode61 remove_diacritics 2');
    """,
    # 2: corroboration (tui_reader.cluster). MinHash signature per story, and its LSH band keys
    # (plus the canonical-URL key) indexed by (day, key) so candidates are one indexed join.
    # cluster_keys has no foreign key: a cascade would need a second index on story_id; a row
    # left by a deleted story only yields a candidate that verification drops.
    """
    CREATE TABLE cluster_sigs(
        story_id INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
        sort_ts INTEGER NOT NULL,
        url_key INTEGER NOT NULL,
        sig BLOB NOT NULL
    );
    CREATE TABLE cluster_keys(
        day INTEGER NOT NULL,
        key INTEGER NOT NULL,
        story_id INTEGER NOT NULL,
        PRIMARY KEY (day, key, story_id)
    ) WITHOUT ROWID;
    """,
    # 3: sorting the list by source at 100k stories reads this index instead of sorting (121 → 25 ms).
    """
    CREATE INDEX stories_source_sort ON stories(source COLLATE NOCASE, sort_ts DESC, id DESC);
    """,
    # 4: corroboration's event-level link (tui_reader.cluster): each story's salient-token keys
    # (names and figures of title and lead; their index rows go in cluster_keys), and how many
    # stories carry each token, for its rarity (key 2**40 counts the stories).
    """
    ALTER TABLE cluster_sigs ADD COLUMN ents BLOB NOT NULL DEFAULT x'';
    ALTER TABLE cluster_sigs ADD COLUMN title_ents BLOB NOT NULL DEFAULT x'';
    CREATE TABLE cluster_df(
        key INTEGER PRIMARY KEY,
        n INTEGER NOT NULL
    ) WITHOUT ROWID;
    """,
    # 5: the briefing journal holds one row per (story, day): a crash, then a re-triage on another
    # day, must replay both notes rather than only the newest.
    """
    CREATE TABLE log_pending_v5(
        story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
        day TEXT NOT NULL,
        PRIMARY KEY (story_id, day)
    );
    INSERT INTO log_pending_v5(story_id, day) SELECT story_id, day FROM log_pending;
    DROP TABLE log_pending;
    ALTER TABLE log_pending_v5 RENAME TO log_pending;
    """,
    # 6: the feeds panel's unread/total counts per feed, read on every story change, become
    # index-only counts (100 feeds over 100k stories: 103 ms → 4.5 ms).
    """
    CREATE INDEX stories_feed_state ON stories(feed_id, state);
    """,
    # 7: full-text search indexes the words of feed HTML, not its markup: "reuters" stops matching
    # every story whose photo URL names the agency, "lead" every <p class="lead">. Reindexes all.
    """
    DELETE FROM stories_fts;
    INSERT INTO stories_fts(rowid, title, summary, body)
        SELECT s.id, s.title, COALESCE(t.summary, ''),
               COALESCE(NULLIF(a.text, ''), NULLIF(html_text(s.feed_content), ''), html_text(s.feed_summary))
        FROM stories s LEFT JOIN triage t ON t.story_id = s.id LEFT JOIN articles a ON a.story_id = s.id;
    """,
    # 8: stories whose feed entry changed after they were clustered, for the TUI's background
    # worker to re-cluster (a headless fetch does not cluster).
    """
    CREATE TABLE cluster_stale(
        story_id INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE
    );
    """,
]

_STORY_COLS = ("id, feed_id, guid, url, title, author, source, domain, published, fetched, sort_ts, "
               "feed_summary, feed_content")
"""The columns ``upsert_entries`` writes for a new story, in its row order."""
_UPSERT_COLS = "id, url, title, feed_summary, feed_content"
"""What ``upsert_entries`` reads of a stored story to tell an unchanged entry from an update."""

_SORTS = {
    "date": "s.sort_ts DESC, s.id DESC",
    "source": "s.source COLLATE NOCASE ASC, s.sort_ts DESC, s.id DESC",
    # Ungraded stories sort after graded ones; A1 first.
    "rating": "t.grade IS NULL, t.grade ASC, s.sort_ts DESC, s.id DESC",
}


def _now() -> int:
    return int(time.time())


def to_epoch(dt: datetime | None) -> int | None:
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp())


def from_epoch(ts: int | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, tz=timezone.utc)


def domain_of(url: str) -> str:
    """Host of ``url`` without ``www.``; "" for a URL too broken to split (``http://[x``)."""
    end = url.find("/", url.find("//") + 2) if "//" in url else -1
    return _domain(url if end < 0 else url[:end])  # a feed's stories share a few hosts: split each once


@functools.lru_cache(maxsize=4096)
def _domain(origin: str) -> str:
    try:
        host = (urlsplit(origin).hostname or "").lower()
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def story_guid(entry_id: str, link: str, title: str) -> str:
    """Identity of a feed entry: its id/guid, else its link, else a hash of title+link."""
    if entry_id.strip():
        return entry_id.strip()
    if link.strip():
        return link.strip()
    return "sha1:" + hashlib.sha1(f"{title}\n{link}".encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class StoryQuery:
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
    single_source: bool = False
    grouped: bool = False
    """One row per corroboration cluster (its first story); the row's ×N says how many outlets."""
    sort: str = "date"


@dataclass(frozen=True)
class ListRow:
    """The few columns the story list paints; cheap to read by window."""

    id: int
    state: State
    grade: str
    source: str
    title: str
    sort_ts: int
    tags: tuple[str, ...] = ()
    cluster_size: int = 1


@dataclass
class UpsertResult:
    new: int = 0
    updated: int = 0
    new_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)


class StoreError(UserError, RuntimeError):
    """A store problem worded for the user."""


BUSY_TIMEOUT = 30.0
"""Seconds a write waits for another process's write (a cron ``fetch``) before giving up."""

_FULL = ("database or disk is full", "disk i/o error")
_DAMAGED = ("file is not a database", "database disk image is malformed")


def _user_error(exc: sqlite3.Error, path: Path | str) -> StoreError | None:
    """The one-line :class:`StoreError` for a failure the user can act on, else None (a bug: let it raise).

    A full disk or file-size limit shows as SQLITE_FULL, or as an I/O error when the write starts
    past the limit; SQLite has rolled the transaction back either way, so nothing is half saved.
    """
    text = str(exc).lower()
    if any(words in text for words in _FULL):
        return StoreError(f"could not write the store {path}: {exc} (is the disk full?); "
                          "nothing was changed — free some space and try again")
    if "database is locked" in text:
        return StoreError(f"the store {path} stayed locked by another tui-reader (a fetch?) for "
                          f"{BUSY_TIMEOUT:g} s; nothing was changed — try again")
    if "unable to open database file" in text or "readonly database" in text:
        return StoreError(f"cannot open the store {path} for writing ({exc}): check that it and its "
                          "directory are yours and writable")
    if any(words in text for words in _DAMAGED):  # never repaired or replaced behind the analyst's back
        return StoreError(f"the store {path} is damaged ({exc}) and was left as it is: move it aside "
                          "(or restore a backup) and tui-reader starts a new one")
    return None


class Store:
    """The SQLite store of one profile."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path) if str(path) != ":memory:" else path
        self._local = threading.local()
        if isinstance(self.path, Path):
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the store's directory {self.path.parent}: "
                                 f"{exc.strerror or exc}") from None
        self._migrate()

    # -- connections and transactions -------------------------------------------------

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        try:
            return self._connect()
        except sqlite3.Error as exc:  # on a full disk even WAL mode fails: it needs its -shm file
            if (wrapped := _user_error(exc, self.path)) is None:
                raise
            raise wrapped from exc

    def _connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.create_function("html_text", 1, html_text, deterministic=True)  # what full-text search indexes
            self._local.conn = conn
        return conn

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; ``BEGIN IMMEDIATE`` takes the write lock up front."""
        conn = self.conn
        if conn.in_transaction:  # nested use joins the outer transaction
            yield conn
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            conn.execute("COMMIT")  # a COMMIT that fails (disk full) must roll back too, not stay open
        except BaseException as exc:
            if conn.in_transaction:  # SQLite may have rolled back already (SQLITE_FULL)
                with suppress(sqlite3.Error):  # a failing rollback must not hide why
                    conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error) and (wrapped := _user_error(exc, self.path)):
                raise wrapped from exc
            raise

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _migrate(self) -> None:
        with self.tx() as c:
            c.execute("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)")
            row = c.execute("SELECT version FROM schema_version").fetchone()
            version = row[0] if row else 0
            if row is None:
                c.execute("INSERT INTO schema_version(version) VALUES (0)")
            if version > len(MIGRATIONS):
                raise StoreError(
                    f"store {self.path} has schema version {version}, newer than this tui-reader "
                    f"({len(MIGRATIONS)}): upgrade tui-reader"
                )
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in _statements(script):
                    c.execute(statement)
                c.execute("UPDATE schema_version SET version = ?", (number,))

    @property
    def schema_version(self) -> int:
        return self.conn.execute("SELECT version FROM schema_version").fetchone()[0]

    def integrity_ok(self) -> bool:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # -- feeds ------------------------------------------------------------------------

    def add_feed(self, url: str, title: str = "", group: str = "") -> Feed:
        """Subscribe to ``url``; subscribing twice returns the existing feed (group updated if given)."""
        with self.tx() as c:
            c.execute(
                "INSERT INTO feeds(url, title, grp, added) VALUES (?, ?, ?, ?) ON CONFLICT(url) DO UPDATE "
                "SET grp = CASE WHEN excluded.grp != '' THEN excluded.grp ELSE grp END, "
                "title = CASE WHEN title = '' THEN excluded.title ELSE title END",
                (url, title, group, _now()),
            )
        feed = self.feed_by_url(url)
        assert feed is not None
        return feed

    def remove_feed(self, feed_id: int) -> int:
        """Unsubscribe; the feed's stories stay (triaged ones are in briefing notes) and are returned as a count.

        Its stories simply lose their feed: re-subscribing later matches them again by URL.
        """
        with self.tx() as c:
            kept = c.execute("SELECT count(*) FROM stories WHERE feed_id = ?", (feed_id,)).fetchone()[0]
            c.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))  # stories.feed_id: ON DELETE SET NULL
        return kept

    def move_feed(self, feed_id: int, url: str) -> bool:
        """Point a subscription at the URL its feed moved to, unless another subscription has it already."""
        with self.tx() as c:
            cur = c.execute("UPDATE feeds SET url = ? WHERE id = ? AND NOT EXISTS (SELECT 1 FROM feeds WHERE url = ?)",
                            (url, feed_id, url))
        return cur.rowcount == 1

    def feed_by_url(self, url: str) -> Feed | None:
        row = self.conn.execute("SELECT * FROM feeds WHERE url = ?", (url,)).fetchone()
        return _feed(row) if row else None

    def feed(self, feed_id: int) -> Feed | None:
        row = self.conn.execute("SELECT * FROM feeds WHERE id = ?", (feed_id,)).fetchone()
        return _feed(row) if row else None

    def feeds(self) -> list[Feed]:
        """All feeds with unread and total story counts, grouped then by title."""
        rows = self.conn.execute(
            "SELECT f.*, "
            "(SELECT count(*) FROM stories s WHERE s.feed_id = f.id AND s.state = 'unread') AS unread, "
            "(SELECT count(*) FROM stories s WHERE s.feed_id = f.id) AS total "
            "FROM feeds f ORDER BY f.grp COLLATE NOCASE, f.title COLLATE NOCASE, f.url"
        ).fetchall()
        return [_feed(r) for r in rows]

    def record_fetch(
        self,
        feed_id: int,
        *,
        status: str,
        error: str = "",
        etag: str | None = None,
        last_modified: str | None = None,
        title: str | None = None,
        now: int | None = None,
    ) -> None:
        """Store the outcome of one fetch: errors are data, kept per feed."""
        now = now or _now()
        ok = status in ("ok", "304")
        with self.tx() as c:
            c.execute(
                "UPDATE feeds SET last_status = ?, last_error = ?, last_fetched = ?, "
                "last_ok = CASE WHEN ? THEN ? ELSE last_ok END, "
                "etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified), "
                "title = CASE WHEN ? IS NOT NULL AND ? != '' THEN ? ELSE title END WHERE id = ?",
                (status, error, now, ok, now, etag, last_modified, title, title, title, feed_id),
            )

    # -- stories ----------------------------------------------------------------------

    def upsert_entries(self, feed_id: int | None, entries: Iterable[FeedEntry], source: str,
                       now: int | None = None) -> UpsertResult:
        """Insert new entries and update changed ones, in one transaction; never duplicates.

        An entry is the same story when its guid matches within the feed, or its URL matches
        anywhere (the same article reached through two feeds is one story); a guid or URL repeated
        within ``entries`` is one story too, the last copy winning. Batched — one lookup for the
        whole feed, one multi-row insert — because a cold refresh stores ~10,000 stories at once.
        """
        now = now or _now()
        result = UpsertResult()
        fresh: dict[str, FeedEntry] = {}  # guid → entry, in feed order; later duplicates replace earlier
        for e in entries:
            fresh.pop(e.guid, None)
            fresh[e.guid] = e
        with self.tx() as c:
            known = {r["guid"]: r for r in c.execute(
                f"SELECT {_UPSERT_COLS}, guid FROM stories "
                "WHERE feed_id IS ? AND guid IN (SELECT value FROM json_each(?))",
                (feed_id, json.dumps(list(fresh))))}
            urls = [e.url for g, e in fresh.items() if g not in known and e.url]
            by_url = {r["url"]: r for r in c.execute(
                f"SELECT {_UPSERT_COLS} FROM stories WHERE url IN (SELECT value FROM json_each(?))",
                (json.dumps(urls),))} if urls else {}
            next_id = c.execute("SELECT coalesce(max(id), 0) + 1 FROM stories").fetchone()[0]
            inserts: dict[str, tuple] = {}  # url → row: two guids for one URL are one story
            updates: dict[int, FeedEntry] = {}
            for guid, e in fresh.items():
                row = known.get(guid) or by_url.get(e.url)
                if row is not None:
                    if (row["title"], row["feed_summary"], row["feed_content"]) != (e.title, e.summary, e.content):
                        updates[row["id"]] = e
                    continue
                url = e.url or f"urn:tui-reader:{feed_id}:{guid}"
                published = to_epoch(e.published or e.updated)
                story_id = inserts[url][0] if url in inserts else next_id + len(inserts)
                inserts[url] = (story_id, feed_id, guid, url, e.title, e.author, source, domain_of(url), published,
                                now, published or now, e.summary, e.content)
            rows = sorted(inserts.values())
            if rows:
                self._insert_stories(c, rows)
            for story_id, e in updates.items():
                c.execute(
                    "UPDATE stories SET title = ?, author = ?, feed_summary = ?, feed_content = ?, "
                    "published = COALESCE(?, published) WHERE id = ?",
                    (e.title, e.author, e.summary, e.content, to_epoch(e.published or e.updated), story_id),
                )
                self._reindex(c, story_id)
            if updates:  # clustered stories whose text changed: the TUI re-clusters them in the background
                c.executemany("INSERT OR IGNORE INTO cluster_stale(story_id) SELECT story_id FROM cluster_sigs "
                              "WHERE story_id = ?", [(i,) for i in updates])
        result.new, result.new_ids = len(rows), [r[0] for r in rows]
        result.updated, result.updated_ids = len(updates), list(updates)
        return result

    def _insert_stories(self, c: sqlite3.Connection, rows: list[tuple]) -> None:
        """Insert new story rows and their full-text rows (the words of the feed's HTML, not its markup)."""
        _insert_many(c, f"stories({_STORY_COLS})", rows)
        _insert_many(c, "stories_fts(rowid, title, summary, body)",
                     [(r[0], r[4], "", html_text(r[12]) or html_text(r[11])) for r in rows])

    def add_story(self, url: str, title: str, *, source: str = "", author: str = "",
                  published: datetime | None = None, summary: str = "") -> int:
        """Store a single article (not from a feed); adding the same URL twice returns the same id."""
        existing = self.conn.execute("SELECT id FROM stories WHERE url = ?", (url,)).fetchone()
        if existing:
            return existing[0]
        entry = FeedEntry(guid=url, url=url, title=title, author=author, published=published, summary=summary)
        res = self.upsert_entries(None, [entry], source or domain_of(url))
        return res.new_ids[0] if res.new_ids else self.conn.execute(
            "SELECT id FROM stories WHERE url = ?", (url,)).fetchone()[0]

    def story(self, story_id: int) -> Story | None:
        row = self.conn.execute(
            "SELECT s.*, t.grade, t.summary AS triage_summary, t.triaged_at, "
            "(SELECT 1 FROM articles a WHERE a.story_id = s.id) AS has_article "
            "FROM stories s LEFT JOIN triage t ON t.story_id = s.id WHERE s.id = ?",
            (story_id,),
        ).fetchone()
        if row is None:
            return None
        return Story(
            id=row["id"], url=row["url"], title=row["title"], source=row["source"], feed_id=row["feed_id"],
            author=row["author"], published=from_epoch(row["published"]), fetched=from_epoch(row["fetched"]),
            feed_summary=row["feed_summary"], feed_content=row["feed_content"], state=State(row["state"]),
            tags=self.story_tags(story_id), grade=Grade.parse(row["grade"]) if row["grade"] else None,
            summary=row["triage_summary"] or "", triaged_at=from_epoch(row["triaged_at"]),
            has_article=bool(row["has_article"]), cluster_size=row["cluster_size"],
        )

    def story_tags(self, story_id: int) -> tuple[str, ...]:
        rows = self.conn.execute(
            "SELECT g.name FROM story_tags st JOIN tags g ON g.id = st.tag_id WHERE st.story_id = ? "
            "ORDER BY st.position", (story_id,)).fetchall()
        return tuple(r[0] for r in rows)

    def set_state(self, story_id: int, state: State) -> State | None:
        """Move a story to ``state``; returns the state it had (for undo)."""
        with self.tx() as c:
            row = c.execute("SELECT state FROM stories WHERE id = ?", (story_id,)).fetchone()
            if row is None:
                return None
            c.execute("UPDATE stories SET prev_state = state, state = ? WHERE id = ?", (state.value, story_id))
        return State(row[0])

    def untriaged(self, story_ids: list[int]) -> list[tuple[int, State]]:
        """Those of ``story_ids`` that are unread or read, with that state (what a bulk dismissal changes)."""
        rows = self.conn.execute(
            "SELECT id, state FROM stories WHERE id IN (SELECT value FROM json_each(?)) AND state IN ('unread', 'read') "
            "ORDER BY id", (json.dumps(story_ids),)).fetchall()
        return [(r[0], State(r[1])) for r in rows]

    def set_states(self, changes: list[tuple[int, State]]) -> None:
        """Move many stories at once (a bulk dismissal, its undo) in one transaction."""
        with self.tx() as c:
            c.executemany("UPDATE stories SET prev_state = state, state = ? WHERE id = ?",
                          [(state.value, story_id) for story_id, state in changes])

    def mark_read(self, story_id: int) -> None:
        """Opening an unread story makes it read; other states are kept."""
        with self.tx() as c:
            c.execute("UPDATE stories SET state = 'read' WHERE id = ? AND state = 'unread'", (story_id,))

    # -- articles (reader mode) -------------------------------------------------------

    def save_article(self, story_id: int, article: Article, *, html: bytes | None = None,
                     content_type: str = "") -> None:
        """Cache the fetched page and its extraction; the body joins full-text search."""
        captions = "\n".join(f"{c.text}\t{c.credit}\t{c.image}" for c in article.captions)
        with self.tx() as c:
            c.execute(
                "INSERT OR REPLACE INTO articles(story_id, html, content_type, fetched, title, byline, site_name, "
                "published, markdown, text, captions, word_count, confidence, notice) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (story_id, html, content_type, _now(), article.title, article.byline, article.site_name,
                 to_epoch(article.published), article.markdown, article.text, captions, article.word_count,
                 article.confidence, article.notice),
            )
            self._reindex(c, story_id)

    def article(self, story_id: int) -> Article | None:
        row = self.conn.execute("SELECT * FROM articles WHERE story_id = ?", (story_id,)).fetchone()
        if row is None:
            return None
        captions = [Caption(*(line.split("\t") + ["", ""])[:3]) for line in row["captions"].splitlines() if line]
        return Article(
            title=row["title"], byline=row["byline"], published=from_epoch(row["published"]),
            site_name=row["site_name"], markdown=row["markdown"], text=row["text"], captions=captions,
            word_count=row["word_count"], confidence=row["confidence"], notice=row["notice"],
        )

    def article_text(self, story_id: int) -> str:
        """Best plain text for a story: the extracted body, else the feed's content."""
        row = self.conn.execute(
            "SELECT a.text, s.feed_content, s.feed_summary FROM stories s "
            "LEFT JOIN articles a ON a.story_id = s.id WHERE s.id = ?", (story_id,)).fetchone()
        if row is None:
            return ""
        return row[0] or row[1] or row[2] or ""

    def _reindex(self, c: sqlite3.Connection, story_id: int) -> None:
        row = c.execute(
            "SELECT s.title, COALESCE(t.summary, '') AS summary, "
            "COALESCE(NULLIF(a.text, ''), NULLIF(html_text(s.feed_content), ''), html_text(s.feed_summary)) AS body "
            "FROM stories s LEFT JOIN triage t ON t.story_id = s.id LEFT JOIN articles a ON a.story_id = s.id "
            "WHERE s.id = ?", (story_id,)).fetchone()
        c.execute("DELETE FROM stories_fts WHERE rowid = ?", (story_id,))
        if row is not None:
            c.execute("INSERT INTO stories_fts(rowid, title, summary, body) VALUES (?, ?, ?, ?)",
                      (story_id, row["title"], row["summary"], row["body"]))

    # -- the list ---------------------------------------------------------------------

    def _where(self, q: StoryQuery) -> tuple[str, list]:
        clauses: list[str] = []
        args: list = []
        if q.states:
            clauses.append(f"s.state IN ({','.join('?' * len(q.states))})")
            args += [s.value for s in q.states]
        if q.feed_id is not None:
            clauses.append("s.feed_id = ?")
            args.append(q.feed_id)
        if q.group:
            clauses.append("s.feed_id IN (SELECT id FROM feeds WHERE replace(lower(grp), ' ', '_') = ?)")
            args.append(group_key(q.group))
        if q.tag:
            clauses.append("s.id IN (SELECT st.story_id FROM story_tags st JOIN tags g ON g.id = st.tag_id "
                           "WHERE g.name = ?)")
            args.append(q.tag)
        if q.source:
            clauses.append("(s.source LIKE ? ESCAPE '\\' OR s.domain LIKE ? ESCAPE '\\')")
            pattern = "%" + q.source.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            args += [pattern, pattern]
        if q.max_grade is not None:
            clauses.append("t.grade IS NOT NULL AND substr(t.grade, 1, 1) <= ? AND substr(t.grade, 2, 1) <= ?")
            args += [q.max_grade.reliability, q.max_grade.credibility]
        if q.since is not None:
            clauses.append("s.sort_ts >= ?")
            args.append(to_epoch(q.since))
        if q.until is not None:
            clauses.append("s.sort_ts < ?")
            args.append(to_epoch(q.until))
        if q.text.strip():
            clauses.append("s.id IN (SELECT rowid FROM stories_fts WHERE stories_fts MATCH ?)")
            args.append(fts_query(q.text))
        if q.single_source:
            clauses.append("s.cluster_size <= 1")
        if q.grouped:
            clauses.append("(s.cluster_id IS NULL OR s.cluster_id = s.id)")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args

    def story_ids(self, q: StoryQuery = StoryQuery()) -> list[int]:
        """Ids of every story matching ``q`` in display order; the list reads details by window."""
        where, args = self._where(q)
        order = _SORTS.get(q.sort, _SORTS["date"])
        join = " LEFT JOIN triage t ON t.story_id = s.id" if (q.max_grade or q.sort == "rating") else ""
        sql = f"SELECT s.id FROM stories s{join}{where} ORDER BY {order}"
        cur = self.conn.cursor()
        cur.row_factory = None  # plain tuples: a third faster than sqlite3.Row at 100k ids
        return [r[0] for r in cur.execute(sql, args)]

    def list_rows(self, ids: list[int]) -> list[ListRow]:
        """The list's columns for a window of ids, returned in the order given."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"SELECT s.id, s.state, s.source, s.title, s.sort_ts, s.cluster_size, t.grade, "
            f"(SELECT group_concat(name, ',') FROM (SELECT g.name FROM story_tags st JOIN tags g "
            f"ON g.id = st.tag_id WHERE st.story_id = s.id ORDER BY st.position)) AS tags "
            f"FROM stories s LEFT JOIN triage t ON t.story_id = s.id WHERE s.id IN ({marks})",
            ids,
        ).fetchall()
        by_id = {
            r["id"]: ListRow(
                id=r["id"], state=State(r["state"]), grade=r["grade"] or "", source=r["source"],
                title=r["title"], sort_ts=r["sort_ts"], tags=tuple(r["tags"].split(",")) if r["tags"] else (),
                cluster_size=r["cluster_size"],
            )
            for r in rows
        }
        return [by_id[i] for i in ids if i in by_id]

    def count(self, q: StoryQuery = StoryQuery()) -> int:
        where, args = self._where(q)
        join = " LEFT JOIN triage t ON t.story_id = s.id" if q.max_grade else ""
        return self.conn.execute(f"SELECT count(*) FROM stories s{join}{where}", args).fetchone()[0]

    # -- tags and triage --------------------------------------------------------------

    def tag_counts(self) -> list[tuple[str, int]]:
        """Every tag with its use count, most-used first (for completion)."""
        rows = self.conn.execute(
            "SELECT g.name, count(st.story_id) AS n FROM tags g LEFT JOIN story_tags st ON st.tag_id = g.id "
            "GROUP BY g.id HAVING n > 0 ORDER BY n DESC, g.name").fetchall()
        return [(r[0], r[1]) for r in rows]

    def source_letter(self, domain: str) -> str | None:
        """The reliability letter the analyst last gave this source, if any."""
        row = self.conn.execute("SELECT reliability FROM source_grades WHERE domain = ?", (domain,)).fetchone()
        return row[0] if row else None

    def save_triage(self, inp: TriageInput, day: str, now: int | None = None) -> BriefItem:
        """Save one triage in one transaction and queue its briefing-log update.

        The ``log_pending`` row is the journal that makes store and log agree after a crash:
        it is cleared only once the log holds the item (see :mod:`tui_reader.triage`).
        """
        now = now or _now()
        with self.tx() as c:
            story = c.execute("SELECT id, url, domain, state FROM stories WHERE id = ?", (inp.story_id,)).fetchone()
            if story is None:
                raise StoreError(f"no story with id {inp.story_id}")
            self._set_tags(c, inp.story_id, inp.tags)
            grade = inp.grade.code if inp.grade else None
            c.execute(
                "INSERT INTO triage(story_id, grade, summary, triaged_at) VALUES (?,?,?,?) "
                "ON CONFLICT(story_id) DO UPDATE SET grade = excluded.grade, summary = excluded.summary, "
                "triaged_at = excluded.triaged_at",
                (inp.story_id, grade, inp.summary, now),
            )
            c.execute(
                "INSERT INTO triage_history(story_id, grade, summary, tags, triaged_at) VALUES (?,?,?,?,?)",
                (inp.story_id, grade, inp.summary, ",".join(inp.tags), now),
            )
            if inp.grade and story["domain"]:
                c.execute(
                    "INSERT INTO source_grades(domain, reliability, updated) VALUES (?,?,?) ON CONFLICT(domain) "
                    "DO UPDATE SET reliability = excluded.reliability, updated = excluded.updated",
                    (story["domain"], inp.grade.reliability, now),
                )
            new_state = State.DISMISSED if inp.dismiss else State.TRIAGED
            c.execute("UPDATE stories SET prev_state = state, state = ? WHERE id = ?", (new_state.value, inp.story_id))
            if not inp.dismiss:
                c.execute("INSERT OR REPLACE INTO log_pending(story_id, day) VALUES (?, ?)", (inp.story_id, day))
            self._reindex(c, inp.story_id)
        item = self.brief_item(inp.story_id)
        assert item is not None
        return item

    def _set_tags(self, c: sqlite3.Connection, story_id: int, tags: tuple[str, ...]) -> None:
        c.execute("DELETE FROM story_tags WHERE story_id = ?", (story_id,))
        for pos, name in enumerate(dict.fromkeys(tags)):
            c.execute("INSERT OR IGNORE INTO tags(name) VALUES (?)", (name,))
            tag_id = c.execute("SELECT id FROM tags WHERE name = ?", (name,)).fetchone()[0]
            c.execute("INSERT INTO story_tags(story_id, tag_id, position) VALUES (?,?,?)", (story_id, tag_id, pos))

    def triage_history(self, story_id: int) -> list[tuple[str, str, str, datetime]]:
        """Every saved triage of a story, oldest first: (grade, summary, tags, when)."""
        rows = self.conn.execute(
            "SELECT grade, summary, tags, triaged_at FROM triage_history WHERE story_id = ? ORDER BY id",
            (story_id,)).fetchall()
        return [(r[0] or "", r[1], r[2], from_epoch(r[3])) for r in rows]

    def brief_item(self, story_id: int) -> BriefItem | None:
        row = self.conn.execute(
            "SELECT s.id, s.title, s.url, s.source, s.published, t.grade, t.summary, t.triaged_at "
            "FROM stories s JOIN triage t ON t.story_id = s.id WHERE s.id = ?", (story_id,)).fetchone()
        if row is None:
            return None
        from tui_reader.cluster import also_reported  # lazy: cluster reads the store

        return BriefItem(
            story_id=row["id"], title=row["title"], url=row["url"], source=row["source"],
            published=from_epoch(row["published"]), grade=Grade.parse(row["grade"]) if row["grade"] else None,
            tags=self.story_tags(story_id), summary=row["summary"], triaged_at=from_epoch(row["triaged_at"]),
            also=also_reported(self, story_id),
        )

    def brief_items(self, start: datetime, end: datetime) -> list[BriefItem]:
        """Triaged (not dismissed) stories whose triage time falls in [start, end)."""
        rows = self.conn.execute(
            "SELECT t.story_id FROM triage t JOIN stories s ON s.id = t.story_id "
            "WHERE t.triaged_at >= ? AND t.triaged_at < ? AND s.state = 'triaged' ORDER BY t.triaged_at",
            (to_epoch(start), to_epoch(end))).fetchall()
        return [item for r in rows if (item := self.brief_item(r[0])) is not None]

    def pending_logs(self) -> list[tuple[int, str]]:
        return [(r[0], r[1]) for r in self.conn.execute("SELECT story_id, day FROM log_pending ORDER BY day, story_id")]

    def clear_pending_log(self, story_id: int, day: str) -> None:
        with self.tx() as c:
            c.execute("DELETE FROM log_pending WHERE story_id = ? AND day = ?", (story_id, day))


def group_key(name: str) -> str:
    """How a group name is compared: case-insensitive, ``_`` and space alike (``group:middle_east``)."""
    return name.strip().lower().replace(" ", "_")


def fts_query(text: str) -> str:
    """Turn what a user typed into a safe FTS5 query: every word must match, as a prefix."""
    words = [w.replace('"', '""') for w in text.split() if w.strip('"')]
    return " ".join(f'"{w}"*' for w in words) or '""'


def _insert_many(c: sqlite3.Connection, into: str, rows: list[tuple]) -> None:
    """``INSERT INTO into VALUES`` rows, hundreds to a statement rather than one per row.

    Besides being faster, each statement runs with the GIL released throughout, so a refresh's
    indexing overlaps with its downloads and parsing on another core. Per-row statements never
    allow that: each takes the GIL back after ~15 µs, then waits out a busy thread's switch interval.
    """
    if not rows:
        return
    one = f"({', '.join('?' * len(rows[0]))})"
    per = max(1, min(500, c.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(rows[0])))
    for i in range(0, len(rows), per):
        chunk = rows[i:i + per]
        c.execute(f"INSERT INTO {into} VALUES {', '.join([one] * len(chunk))}", [v for row in chunk for v in row])


def _statements(script: str) -> list[str]:
    """Split a migration script on ``;`` at line ends (our scripts hold no ``;`` inside strings)."""
    return [s.strip() for s in script.split(";\n") if s.strip()]


def _feed(row: sqlite3.Row) -> Feed:
    keys = row.keys()
    return Feed(
        id=row["id"], url=row["url"], title=row["title"], group=row["grp"], etag=row["etag"],
        last_modified=row["last_modified"], last_fetched=from_epoch(row["last_fetched"]),
        last_ok=from_epoch(row["last_ok"]), last_error=row["last_error"], last_status=row["last_status"],
        unread=row["unread"] if "unread" in keys else 0, total=row["total"] if "total" in keys else 0,
    )
