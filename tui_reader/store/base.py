"""The store's foundation: one SQLite connection per thread, write transactions, time and batch helpers."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import contextmanager, suppress
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from tui_reader.errors import StoreError
from tui_reader.identity import content_guid
from tui_reader.sanitize import html_text
from tui_reader.store.schema import migrate
from tui_reader.urls import url_key


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
        return StoreError(
            f"could not write the store {path}: {exc} (is the disk full?); "
            "nothing was changed — free some space and try again"
        )
    if "database is locked" in text:
        return StoreError(
            f"the store {path} stayed locked by another tui-reader (a fetch?) for "
            f"{BUSY_TIMEOUT:g} s; nothing was changed — try again"
        )
    if "unable to open database file" in text or "readonly database" in text:
        return StoreError(
            f"cannot open the store {path} for writing ({exc}): check that it and its directory are yours and writable"
        )
    if any(words in text for words in _DAMAGED):  # never repaired or replaced behind the analyst's back
        return StoreError(
            f"the store {path} is damaged ({exc}) and was left as it is: move it aside "
            "(or restore a backup) and tui-reader starts a new one"
        )
    return None


@contextmanager
def worded(path: Path | str) -> Iterator[None]:
    """SQLite failures the user can act on, raised as their one-line :class:`StoreError`; bugs raise as they are."""
    try:
        yield
    except sqlite3.Error as exc:
        if (wrapped := _user_error(exc, path)) is None:
            raise
        raise wrapped from exc


class _Cursor(sqlite3.Cursor):
    """A cursor of a :class:`_Connection` (the list reads ids through one), worded alike."""

    def execute(self, sql: str, parameters=(), /) -> sqlite3.Cursor:  # type: ignore[override]
        with worded(self.connection.store_path):  # type: ignore[attr-defined]
            return super().execute(sql, parameters)


class _Connection(sqlite3.Connection):
    """A connection whose statements fail, where the user can act on it (disk full, damaged file), as a
    one-line :class:`StoreError`: reads in the middle of a session included, not only opening and writing."""

    store_path: Path | str = ""

    def execute(self, sql: str, parameters=(), /) -> sqlite3.Cursor:  # type: ignore[override]
        with worded(self.store_path):
            return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters, /) -> sqlite3.Cursor:  # type: ignore[override]
        with worded(self.store_path):
            return super().executemany(sql, parameters)

    def cursor(self, factory=_Cursor) -> sqlite3.Cursor:  # type: ignore[override]
        return super().cursor(factory)


class StoreBase:
    """Connections and transactions, which every part of the store's API shares."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path) if str(path) != ":memory:" else path
        self._local = threading.local()
        if isinstance(self.path, Path):
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the store's directory {self.path.parent}: {exc.strerror or exc}"
                ) from None
        self._migrate()

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        with worded(self.path):  # on a full disk even WAL mode fails: it needs its -shm file
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT, isolation_level=None, factory=_Connection)
            conn.store_path = self.path
            conn.row_factory = sqlite3.Row
            # Before WAL, which writes the header of a new file: a new store frees purged pages at once
            # (store/retention.py); an older store gets it at its first purge's VACUUM. Only on an empty
            # file: on an existing one the pragma waits for another process's write lock (a cron fetch).
            if conn.execute("PRAGMA page_count").fetchone()[0] == 0:
                conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.create_function("html_text", 1, html_text, deterministic=True)  # what full-text search indexes
            conn.create_function("url_key", 1, url_key, deterministic=True)  # for migrations
            conn.create_function("content_guid", 3, content_guid, deterministic=True)
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
                with suppress(sqlite3.Error, StoreError):  # a failing rollback must not hide why
                    conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error) and (wrapped := _user_error(exc, self.path)):  # a cursor's, say
                raise wrapped from exc
            raise
        finally:
            self._local.inserted = {}

    @property
    def _inserted(self) -> dict[int, tuple]:
        """New stories this thread inserted in its open transaction, as intake's rules read them (id, state,
        title, url, source and domain, text, no groups): they take them from here, once, rather than read
        10,000 rows back (``store/rules.py``). Emptied when the transaction ends, committed or not."""
        if not hasattr(self._local, "inserted"):
            self._local.inserted = {}
        return self._local.inserted

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _migrate(self) -> None:
        self.conn.execute("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction, so before it
        try:
            with self.tx() as c:
                migrate(c, self.path)
        finally:
            self.conn.execute("PRAGMA foreign_keys=ON")

    @property
    def schema_version(self) -> int:
        return self.conn.execute("SELECT version FROM schema_version").fetchone()[0]

    def integrity_problems(self) -> list[str]:
        """What SQLite's integrity check finds wrong; empty when the file is sound."""
        found = [r[0] for r in self.conn.execute("PRAGMA integrity_check")]
        return [] if found == ["ok"] else found

    def integrity_ok(self) -> bool:
        return not self.integrity_problems()

    def story_tags(self, story_id: int) -> tuple[str, ...]:
        rows = self.conn.execute(
            "SELECT g.name FROM story_tags st JOIN tags g ON g.id = st.tag_id WHERE st.story_id = ? "
            "ORDER BY st.position",
            (story_id,),
        ).fetchall()
        return tuple(r[0] for r in rows)

    def _reindex(self, c: sqlite3.Connection, story_id: int) -> None:
        row = c.execute(
            "SELECT s.title, COALESCE(t.summary, '') AS summary, "
            "COALESCE(NULLIF(a.text, ''), NULLIF(html_text(s.feed_content), ''), html_text(s.feed_summary)) AS body "
            "FROM stories s LEFT JOIN triage t ON t.story_id = s.id LEFT JOIN articles a ON a.story_id = s.id "
            "WHERE s.id = ?",
            (story_id,),
        ).fetchone()
        c.execute("DELETE FROM stories_fts WHERE rowid = ?", (story_id,))
        if row is not None:
            c.execute(
                "INSERT INTO stories_fts(rowid, title, summary, body) VALUES (?, ?, ?, ?)",
                (story_id, row["title"], row["summary"], row["body"]),
            )


MANY = 5000
"""Rows :func:`_insert_many` puts in one statement at most (the limit of SQLite's variables permitting)."""


def _insert_many(c: sqlite3.Connection, into: str, rows: list[tuple]) -> None:
    """``INSERT INTO into VALUES`` rows, thousands to a statement rather than one per row.

    Besides being faster, each statement runs with the GIL released throughout, so a refresh's
    indexing overlaps with its downloads and parsing on another core. Every statement takes the GIL
    back when it ends, then waits out a busy thread's switch interval (up to 5 ms): per-row statements
    wait thousands of times, and even 500 rows to a statement made the 6,760 actions of intake's
    rules wait 14 times, for as long as the rules took. The CPU time is the same either way.
    """
    if not rows:
        return
    one = f"({', '.join('?' * len(rows[0]))})"
    per = max(1, min(MANY, c.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(rows[0])))
    for i in range(0, len(rows), per):
        chunk = rows[i : i + per]
        c.execute(f"INSERT INTO {into} VALUES {', '.join([one] * len(chunk))}", [v for row in chunk for v in row])
