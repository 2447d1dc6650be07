"""The SQLite engine: one file per profile, its connection, error wording and the SQL only SQLite speaks.

Store modules write one SQL text where the engines agree and ask the engine (this module or
:mod:`tui_reader.store.postgresql`) for the rest: id lists, full-text search, string aggregation,
case-insensitive order, JSON rows, vacuuming.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Iterable, Iterator

from tui_reader.errors import StoreError
from tui_reader.identity import content_guid
from tui_reader.sanitize import html_text
from tui_reader.urls import url_key

MANY = 5000
"""Rows :meth:`SQLiteEngine.insert_many` puts in one statement at most (as SQLite's variable limit permits)."""
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
    engine: SQLiteEngine
    broken = False
    """A file's connection is never lost."""

    def execute(self, sql: str, parameters=(), /) -> sqlite3.Cursor:  # type: ignore[override]
        with worded(self.store_path):
            return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters, /) -> sqlite3.Cursor:  # type: ignore[override]
        with worded(self.store_path):
            return super().executemany(sql, parameters)

    def cursor(self, factory=_Cursor) -> sqlite3.Cursor:  # type: ignore[override]
        return super().cursor(factory)


class SQLiteEngine:
    """A store in one SQLite file (or ``:memory:``); writes take the file's lock up front (``BEGIN IMMEDIATE``)."""

    Error = sqlite3.Error
    like = "LIKE"
    """SQLite's LIKE folds ASCII case, as the ``source:`` filter wants."""
    ordered_join = "CROSS JOIN"
    """A join whose order SQLite must keep (its planner takes CROSS JOIN as that hint)."""
    url = ""
    """A server's URL (PostgreSQL's engine); a file has none."""
    migrations: dict[int, str] = {}
    """Every step is :data:`tui_reader.store.schema.MIGRATIONS`' own."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path) if str(path) != ":memory:" else path
        if isinstance(self.path, Path):
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the store's directory {self.path.parent}: {exc.strerror or exc}"
                ) from None

    def connect(self) -> sqlite3.Connection:
        with worded(self.path):  # on a full disk even WAL mode fails: it needs its -shm file
            conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT, isolation_level=None, factory=_Connection)
            conn.store_path = self.path
            conn.engine = self
            conn.row_factory = sqlite3.Row
            # Before WAL, which writes the header of a new file: a new store frees purged pages at once
            # (store/retention.py); an older store gets it at its first purge's VACUUM. Only on an empty
            # file: on an existing one the pragma waits for another process's write lock (a cron fetch).
            if conn.execute("PRAGMA page_count").fetchone()[0] == 0:
                conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.create_function("html_text", 1, html_text, deterministic=True)  # for migrations
            conn.create_function("url_key", 1, url_key, deterministic=True)
            conn.create_function("content_guid", 3, content_guid, deterministic=True)
        return conn

    def begin(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")

    def change_signals(self) -> None:
        """None: SQLite cannot tell another process's commit, so a desk on one file polls the change log's newest
        seq (one index seek)."""
        return None

    def user_error(self, exc: BaseException) -> StoreError | None:
        return _user_error(exc, self.path) if isinstance(exc, sqlite3.Error) else None

    @contextmanager
    def migrating(self, conn: sqlite3.Connection) -> Iterator[None]:
        """Foreign keys off while migrations run, as SQLite's table rebuilds require (dropping the old
        ``stories`` would otherwise cascade into articles, triage and tags); checked before committing."""
        conn.execute("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction, so before it
        try:
            yield
        finally:
            conn.execute("PRAGMA foreign_keys=ON")

    def broken_links(self, conn: sqlite3.Connection) -> bool:
        return conn.execute("PRAGMA foreign_key_check").fetchone() is not None

    def integrity_problems(self, conn: sqlite3.Connection) -> list[str]:
        found = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        return [] if found == ["ok"] else found

    def tables(self, conn: sqlite3.Connection) -> set[str]:
        """The store's tables of its own (not SQLite's, not the full-text index's shadow tables)."""
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")
        return {r[0] for r in rows if not r[0].startswith(("stories_fts_", "notes_fts_"))}

    def copied(self, conn: sqlite3.Connection) -> None:
        """After rows were copied in with their ids: nothing to do, SQLite numbers on from the largest."""

    def insert_many(self, conn: sqlite3.Connection, into: str, rows: list[tuple]) -> None:
        """Thousands of rows to a statement rather than one per row.

        Besides being faster, each statement runs with the GIL released throughout, so a refresh's
        indexing overlaps with its downloads and parsing on another core. Every statement takes the GIL
        back when it ends, then waits out a busy thread's switch interval (up to 5 ms): per-row statements
        wait thousands of times, and even 500 rows to a statement made the 6,760 actions of intake's
        rules wait 14 times, for as long as the rules took. The CPU time is the same either way.
        """
        one = f"({', '.join('?' * len(rows[0]))})"
        per = max(1, min(MANY, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(rows[0])))
        for i in range(0, len(rows), per):
            chunk = rows[i : i + per]
            conn.execute(
                f"INSERT INTO {into} VALUES {', '.join([one] * len(chunk))}", [v for row in chunk for v in row]
            )

    def batches(self, conn: sqlite3.Connection, sql: str, size: int) -> Iterator[list[tuple]]:
        """A query's rows ``size`` at a time, as plain tuples: SQLite steps through them as they are fetched."""
        cur = conn.cursor()
        cur.row_factory = None
        cur.execute(sql)
        while rows := cur.fetchmany(size):
            yield rows

    def index_later(self, conn: sqlite3.Connection, after: int = 0) -> None:
        """Nothing: FTS5 indexes rows as they are inserted."""

    def index_words(self, conn: sqlite3.Connection, first: int, last: int) -> None:
        """Nothing: every row is indexed already."""

    def wait_indexed(self) -> None:
        """Nothing to wait for."""

    def insert_spread(self, conn: sqlite3.Connection, into: str, groups: list[tuple[tuple, list[int]]]) -> None:
        """Rows ``(id, *values)`` for every id of each ``(values, ids)`` group (what rules did: one rule's action
        on many stories), in one statement: a group is a row of VALUES, its ids one JSON list that ``json_each``
        spreads, and the rows go in sorted by their columns, so a table keyed by its leading columns takes them
        as appends. 6,760 rows of values took twice the time: they cost more to parse than to insert."""
        width = len(groups[0][0]) + 1
        one = f"({', '.join('?' * width)})"
        columns = ", ".join(f"g.column{n}" for n in range(2, width + 1))
        order = ", ".join(str(n) for n in range(1, width + 1))
        per = max(1, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width)
        for i in range(0, len(groups), per):
            chunk = groups[i : i + per]
            conn.execute(
                f"INSERT INTO {into} SELECT j.value, {columns} FROM (VALUES {', '.join([one] * len(chunk))}) AS g, "
                f"json_each(g.column1) AS j ORDER BY {order}",
                [v for values, ids in chunk for v in (json.dumps(ids), *values)],
            )

    # -- the SQL that differs ------------------------------------------------------------

    @staticmethod
    def ids_in(expr: str) -> str:
        """``expr`` is one of a list passed as one parameter (:meth:`ids`)."""
        return f"{expr} IN (SELECT value FROM json_each(?))"

    @staticmethod
    def ids(values: Iterable) -> str:
        return json.dumps(list(values))

    @staticmethod
    def summary_update() -> str:
        """A story's full-text row with a new summary: FTS5 re-indexes the row as it is updated."""
        return "UPDATE stories_fts SET summary = ? WHERE rowid = ?"

    @staticmethod
    def match(table: str) -> str:
        """The rows of a full-text table (``stories_fts``, ``notes_fts``) matching one query parameter (:meth:`fts`)."""
        return f"{table} MATCH ?"

    @staticmethod
    def fts(query: str) -> str:
        """A query in FTS5's syntax (as :func:`~tui_reader.store.listing.fts_query` writes it), as this engine runs it."""
        return query

    @staticmethod
    def group_concat(expr: str, sep: str) -> str:
        return f"group_concat({expr}, '{sep}')"

    @staticmethod
    def nocase(expr: str) -> str:
        return f"{expr} COLLATE NOCASE"

    def size(self, conn: sqlite3.Connection) -> int:
        """Bytes on disk: the database and its write-ahead log."""
        if not isinstance(self.path, Path):
            return 0
        return sum(p.stat().st_size for p in (self.path, self.path.with_name(self.path.name + "-wal")) if p.exists())

    def shrink(self, conn: sqlite3.Connection) -> None:
        """Release free pages: incrementally, once the file is in incremental auto-vacuum mode.

        A store created before that mode was set is converted by one full VACUUM, at its first purge.
        ``executescript`` because Python's ``execute`` steps ``incremental_vacuum`` once, freeing one page.
        While another connection (the TUI's, another process) holds the file, this gives up: the
        stories are gone either way, and the next purge releases the pages.
        """
        with suppress(sqlite3.OperationalError):
            if conn.execute("PRAGMA auto_vacuum").fetchone()[0] != 2:
                conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
                conn.execute("VACUUM")
            else:
                conn.executescript("PRAGMA incremental_vacuum;")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
