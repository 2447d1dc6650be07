"""The store's foundation: its engine, one connection per thread, write transactions, time and batch helpers."""

from __future__ import annotations

import threading
import time
from contextlib import AbstractContextManager, contextmanager, suppress
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, AsyncIterator, Iterable, Iterator, Protocol

from tui_reader.errors import StoreError
from tui_reader.sanitize import html_text
from tui_reader.store import schema
from tui_reader.store.sqlite import SQLiteEngine
from tui_reader.urls import is_postgresql_url

BATCH = 1000
"""Rows a bulk read (a store copy, the full-text index of a copied store) holds at once: a 100k store is
copied in bounded memory (an article's row carries its page, so not many more)."""
Row = Any
"""A row read from the store: ``sqlite3.Row`` or the PostgreSQL engine's, both indexed by position and by name."""


class Engine(Protocol):
    """What a store's engine (:mod:`~tui_reader.store.sqlite`, :mod:`~tui_reader.store.postgresql`) provides:
    its connections and their failures worded for the user, its migrations, and the SQL the engines do not
    share. Connections are the engine's own (``conn: Any``)."""

    @property
    def Error(self) -> type[Exception]: ...  # the DB-API error class of its driver
    @property
    def path(self) -> Path | str:
        """Where the store is, as shown to the user."""

    @property
    def url(self) -> str: ...
    @property
    def like(self) -> str: ...
    @property
    def ordered_join(self) -> str: ...
    @property
    def migrations(self) -> dict[int, str]: ...

    def connect(self) -> Any: ...
    def begin(self, conn: Any) -> None: ...
    def change_signals(self) -> AsyncIterator[None] | None: ...
    def user_error(self, exc: BaseException) -> StoreError | None: ...
    def migrating(self, conn: Any) -> AbstractContextManager[None]: ...
    def broken_links(self, conn: Any) -> bool: ...
    def integrity_problems(self, conn: Any) -> list[str]: ...
    def tables(self, conn: Any) -> set[str]: ...
    def copied(self, conn: Any) -> None: ...
    def insert_many(self, conn: Any, into: str, rows: list[tuple]) -> None: ...
    def batches(self, conn: Any, sql: str, size: int) -> Iterator[list[tuple]]: ...  # never the whole result at once
    def index_later(self, conn: Any, after: int = 0) -> None: ...  # rows above `after` committed unindexed
    def index_words(self, conn: Any, first: int, last: int) -> None: ...  # rows first..last, now, in conn's tx
    def wait_indexed(self) -> None: ...
    def insert_spread(self, conn: Any, into: str, groups: list[tuple[tuple, list[int]]]) -> None: ...
    def ids_in(self, expr: str) -> str: ...
    def ids(self, values: Iterable) -> Any: ...
    def match(self, table: str) -> str: ...
    def summary_update(self) -> str: ...  # a stories_fts row's summary (and its words) anew: (summary, rowid)
    def fts(self, query: str) -> str: ...
    def group_concat(self, expr: str, sep: str) -> str: ...
    def nocase(self, expr: str) -> str: ...
    def size(self, conn: Any) -> int: ...
    def shrink(self, conn: Any) -> None: ...


class Conn(Protocol):
    """What the store's modules use of a connection; both engines' connections have it."""

    engine: Engine
    in_transaction: bool
    broken: bool

    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...
    def executemany(self, sql: str, parameters: Any, /) -> Any: ...
    def cursor(self) -> Any: ...
    def close(self) -> None: ...


def _now() -> int:
    return int(time.time())


def to_epoch(dt: datetime | None) -> int | None:
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp())


def from_epoch(ts: int | None) -> datetime | None:
    return None if ts is None else utc(ts)


def utc(ts: int) -> datetime:
    """A NOT NULL epoch column as an aware datetime."""
    return datetime.fromtimestamp(ts, tz=timezone.utc)


def engine_for(target: Path | str) -> Engine:
    """The engine of a store: a ``postgresql://`` URL is PostgreSQL (psycopg imported only then), else a SQLite file."""
    if isinstance(target, str) and is_postgresql_url(target):
        from tui_reader.store.postgresql import PostgreSQLEngine

        return PostgreSQLEngine(target)
    return SQLiteEngine(target)


_SEARCH = (
    "SELECT s.id, s.title, COALESCE(t.summary, '') AS summary, a.text, s.feed_content, s.feed_summary "
    "FROM stories s LEFT JOIN triage t ON t.story_id = s.id LEFT JOIN articles a ON a.story_id = s.id"
)
_FTS_INTO = "stories_fts(rowid, title, summary, body)"


def _search_rows(rows: Iterable[Row]) -> list[tuple]:
    """Full-text rows of :data:`_SEARCH`'s: a story's title, the analyst's summary and the words of its text
    (the article's, else the feed's HTML without its markup)."""
    return [(r[0], r[1], r[2], r[3] or html_text(r[4]) or html_text(r[5])) for r in rows]


class _TxLocal(threading.local):
    """A thread's connection, and what its open transaction did that the store acts on before it ends."""

    def __init__(self) -> None:  # once per thread
        self.conn: Any = None
        self.inserted: dict[int, tuple] = {}
        """Stories inserted, as intake's rules read them (:attr:`StoreBase._inserted`)."""
        self.unindexed: int | None = None
        """The lowest id of the full-text rows inserted: the engine indexes them once committed
        (:meth:`Engine.index_later`)."""
        self.many_changed = False
        """The change log's bulk row is written (:meth:`~tui_reader.store.desk.DeskMixin._many_changed`)."""


class StoreBase:
    """Connections and transactions, which every part of the store's API shares."""

    def __init__(self, target: Path | str) -> None:
        self.engine: Engine = engine_for(target)
        self.path: Path | str = self.engine.path
        """The SQLite file (a Path), else where the store is, as shown to the user (a URL without its password)."""
        self._local = _TxLocal()
        self._migrate()
        self.engine.index_later(self.conn)  # what a process killed while indexing left

    @property
    def conn(self) -> Conn:
        """This thread's connection, opened on first use, and again after a server dropped it (its failure
        was said once, as a :class:`StoreError`)."""
        conn = self._local.conn
        if conn is None or conn.broken:
            conn = self._local.conn = self.engine.connect()
        return conn

    @contextmanager
    def tx(self) -> Iterator[Conn]:
        """One write transaction; it takes the store's write lock up front, so writers queue rather than interleave."""
        conn = self.conn
        if conn.in_transaction:  # nested use joins the outer transaction
            yield conn
            return
        try:
            self.engine.begin(conn)
            yield conn
            conn.execute("COMMIT")  # a COMMIT that fails (disk full) must roll back too, not stay open
            if self._local.unindexed is not None:
                self.engine.index_later(conn, self._local.unindexed - 1)
        except BaseException as exc:
            if conn.in_transaction:  # SQLite may have rolled back already (SQLITE_FULL)
                with suppress(self.engine.Error, StoreError):  # a failing rollback must not hide why
                    conn.execute("ROLLBACK")
            if wrapped := self.engine.user_error(exc):  # a cursor's, say
                raise wrapped from exc
            raise
        finally:
            self._local.inserted = {}
            self._local.unindexed, self._local.many_changed = None, False

    @property
    def _inserted(self) -> dict[int, tuple]:
        """New stories this thread inserted in its open transaction, as intake's rules read them (id, state,
        title, url, source and domain, text, no groups): they take them from here, once, rather than read
        10,000 rows back (``store/rules.py``). Emptied when the transaction ends, committed or not."""
        return self._local.inserted

    def close(self) -> None:
        conn = self._local.conn
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _migrate(self) -> None:
        """Bring the schema up to date; a store that is (the common case) only reads its version, so that
        opening it never waits for another process's write."""
        if "schema_version" in self.engine.tables(self.conn) and self.schema_version == len(schema.MIGRATIONS):
            return
        with self.engine.migrating(self.conn), self.tx() as c:
            schema.migrate(c, self.path)

    @property
    def schema_version(self) -> int:
        return self.conn.execute("SELECT version FROM schema_version").fetchone()[0]

    def integrity_problems(self) -> list[str]:
        """What the engine's integrity check finds wrong; empty when the store is sound."""
        return self.engine.integrity_problems(self.conn)

    def integrity_ok(self) -> bool:
        return not self.integrity_problems()

    def story_tags(self, story_id: int) -> tuple[str, ...]:
        rows = self.conn.execute(
            "SELECT g.name FROM story_tags st JOIN tags g ON g.id = st.tag_id WHERE st.story_id = ? "
            "ORDER BY st.position",
            (story_id,),
        ).fetchall()
        return tuple(r[0] for r in rows)

    def wait_indexed(self) -> None:
        """Until every story committed so far is in the full-text index (at once on SQLite; PostgreSQL fills
        it in after intake commits, and searches find a story either way)."""
        self.engine.wait_indexed()

    def _reindex(self, c: Conn, story_id: int) -> None:
        """A story's full-text row anew."""
        c.execute("DELETE FROM stories_fts WHERE rowid = ?", (story_id,))
        self._insert_search(c, _search_rows(c.execute(_SEARCH + " WHERE s.id = ?", (story_id,))))

    def _reindex_summary(self, c: Conn, story_id: int, summary: str) -> None:
        """A story's full-text row with the analyst's new summary (a triage changes nothing else of it): one
        statement, where :meth:`_reindex` takes three; that only where the story has no row yet."""
        if not c.execute(self.engine.summary_update(), (summary, story_id)).rowcount:
            self._reindex(c, story_id)

    def _index_all(self, c: Conn) -> None:
        """Every story's full-text row, into an empty index (a copied store's), :data:`BATCH` stories at a time."""
        for rows in self.engine.batches(c, _SEARCH, BATCH):
            self._insert_search(c, _search_rows(rows))

    def _insert_search(self, c: Conn, rows: list[tuple]) -> None:
        """Full-text rows (id, title, summary, body); once the transaction commits the engine indexes their
        words if it has not as they went in (:meth:`Engine.index_later`)."""
        if rows:
            self._insert_many(c, _FTS_INTO, rows)
            first, known = min(r[0] for r in rows), self._local.unindexed
            self._local.unindexed = first if known is None else min(first, known)

    def _insert_many(self, c: Conn, into: str, rows: list[tuple]) -> None:
        """``INSERT INTO into VALUES`` rows, in bulk (``into``: a table and its columns)."""
        if rows:
            self.engine.insert_many(c, into, rows)
