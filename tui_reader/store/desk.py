"""A team desk on one store: who did what, the change log a TUI polls, story versions, and who reads what.

Every triage, dismissal, note, quote and state change appends a ``changes`` row in its own transaction, so
a TUI that polls ``max(seq)`` (one index seek) sees a colleague's change, from another process or machine,
without re-reading the list. Each story's ``version`` counts the changes a save could overwrite: a save
that names the version it loaded is refused with :class:`ConflictError` when a colleague's came first.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from functools import cached_property
from typing import AsyncIterator

from msgspec import Struct

from tui_reader.errors import ConflictError, StoreError
from tui_reader.store.base import Conn, Row, StoreBase, _now

PRESENCE_TTL = 120
"""Seconds after its last heartbeat that a reader row counts as gone (a TUI that was killed)."""
HEARTBEAT = 30.0
"""Seconds between a TUI's presence heartbeats: well inside :data:`PRESENCE_TTL`."""
VERSIONED = ("triage", "dismiss", "note", "quote", "state")
"""The kinds of change that bump a story's version: what a save could overwrite."""
_DONE = {"triage": "triaged", "dismiss": "dismissed", "note": "noted", "quote": "quoted", "state": "restored"}
_VERBS = {
    "triage": "triaged",
    "dismiss": "dismissed",
    "note": "changed the note on",
    "quote": "quoted from",
    "state": "restored",
    "read": "read",
}


class Change(Struct, frozen=True):
    """One row of the change log."""

    seq: int
    story_id: int
    kind: str
    """triage, dismiss, note, quote, state (an undo), read, open/close (the reader), bulk (story 0: a
    refresh stored stories, rules changed many) or shared (story 0: rules and watchlists were shared)."""
    analyst: str
    session: str
    at: int

    def says(self) -> str:
        """``sara dismissed this story at 06:40``: who did what, when (local time)."""
        when = datetime.fromtimestamp(self.at).astimezone()
        return f"{self.analyst or 'someone'} {_VERBS.get(self.kind, 'changed')} this story at {when:%H:%M}"

    def short(self) -> str:
        """``dismissed by tom, 06:40``, for the reader's header."""
        when = datetime.fromtimestamp(self.at).astimezone()
        return f"{_DONE.get(self.kind, 'changed')} by {self.analyst or 'someone'}, {when:%H:%M}"


class DeskMixin(StoreBase):
    analyst: str = ""
    """Who writes through this store (``[user] name``): recorded with every change; the CLI and the app set it."""

    @cached_property
    def session(self) -> str:
        """This Store object's own name in the log and in ``readers``: one per running TUI or command."""
        return uuid.uuid4().hex

    # -- the change log ----------------------------------------------------------------------------

    def change_seq(self) -> int:
        """The newest change's seq (0 for none): an index seek, cheap to poll twice a second at 100k stories."""
        return self.conn.execute("SELECT max(seq) FROM changes").fetchone()[0] or 0

    def change_signals(self) -> AsyncIterator[None] | None:
        """Wakes when a colleague's change may have landed (PostgreSQL says so as it commits; :meth:`change_seq`
        then tells whether one did); None where the engine cannot tell (SQLite): poll :meth:`change_seq`."""
        return self.engine.change_signals()

    def changes_since(self, seq: int, limit: int = 1000) -> list[Change]:
        """Changes after ``seq``, oldest first, at most ``limit`` (more means: re-read everything)."""
        rows = self.conn.execute(
            "SELECT seq, story_id, kind, analyst, session, at FROM changes WHERE seq > ? ORDER BY seq LIMIT ?",
            (seq, limit),
        ).fetchall()
        return [Change(*r) for r in rows]

    def last_change(self, story_id: int) -> Change | None:
        """The story's newest change that bumped its version: who last triaged, dismissed or noted it."""
        kinds = ",".join("?" * len(VERSIONED))
        row = self.conn.execute(
            "SELECT seq, story_id, kind, analyst, session, at FROM changes "
            f"WHERE story_id = ? AND kind IN ({kinds}) ORDER BY seq DESC LIMIT 1",
            (story_id, *VERSIONED),
        ).fetchone()
        return Change(*row) if row else None

    def _changed(self, c: Conn, story_id: int, kind: str, version: int | None = None) -> None:
        """Log a change inside the writing transaction; a versioned kind bumps the story's version first
        (:meth:`_bump`)."""
        if kind in VERSIONED:
            self._bump(c, story_id, version)
        self._log_change(c, story_id, kind)

    def _bump(
        self, c: Conn, story_id: int, version: int | None, sets: str = "", params: tuple = (), returning: str = "id"
    ) -> Row:
        """Bump a story's version, refused with :class:`ConflictError` when ``version`` (the one the writer
        loaded) is no longer current, and set ``sets`` (``", state = ?"`` with ``params``) in the same
        statement; returns the story's ``returning`` columns (new values), so a save need not read it first."""
        where, more = ("", ()) if version is None else (" AND version = ?", (version,))
        rows = c.execute(
            f"UPDATE stories SET version = version + 1{sets} WHERE id = ?{where} RETURNING {returning}",
            (*params, story_id, *more),
        ).fetchall()
        if not rows:
            raise self._refusal(c, story_id)
        return rows[0]

    def _log_change(self, c: Conn, story_id: int, kind: str) -> None:
        c.execute(
            "INSERT INTO changes(story_id, kind, analyst, session, at) VALUES (?,?,?,?,?)",
            (story_id, kind, self.analyst, self.session, _now()),
        )

    def _many_changed(self, c: Conn) -> None:
        """Log that many stories changed at once (a refresh, the desk's cron ``fetch``, rules applied or undone):
        open lists re-read themselves. One row, story 0, replacing the previous one, so intake never grows the log;
        once per transaction (intake's, then its rules', or a refresh's feeds stored together)."""
        if self._local.many_changed:
            return
        self._local.many_changed = True
        self._changed(c, 0, "bulk")
        c.execute("DELETE FROM changes WHERE story_id = 0 AND kind = 'bulk' AND seq < (SELECT max(seq) FROM changes)")

    def _forget_changes(self, c: Conn, story_ids: list[int]) -> None:
        """Purged stories' log rows go (a reused id must not inherit who dismissed it), all but the log's newest:
        without AUTOINCREMENT its seq would be handed out again, and a polling TUI would miss that change."""
        e = self.engine
        c.execute(
            f"DELETE FROM changes WHERE seq < (SELECT max(seq) FROM changes) AND {e.ids_in('story_id')}",
            (e.ids(story_ids),),
        )

    def _refusal(self, c: Conn, story_id: int) -> StoreError:
        if c.execute("SELECT 1 FROM stories WHERE id = ?", (story_id,)).fetchone() is None:
            return StoreError(f"no story with id {story_id}")
        last = self.last_change(story_id)
        said = last.says() if last else "someone changed this story"
        return ConflictError(
            f"not saved: {said}, after you opened it",
            story_id=story_id,
            analyst=last.analyst if last else "",
            kind=last.kind if last else "",
            at=last.at if last else 0,
        )

    def story_version(self, story_id: int) -> int | None:
        row = self.conn.execute("SELECT version FROM stories WHERE id = ?", (story_id,)).fetchone()
        return row[0] if row else None

    # -- shared settings ---------------------------------------------------------------------------

    def share_settings(self, tables: dict[str, list]) -> None:
        """Share config tables (``rules``, ``watchlists``: lists of TOML tables) with every analyst on the store."""
        with self.tx() as c:
            for name, body in tables.items():
                c.execute(
                    "INSERT INTO shared_settings(name, body, analyst, at) VALUES (?,?,?,?) ON CONFLICT(name) "
                    "DO UPDATE SET body = excluded.body, analyst = excluded.analyst, at = excluded.at",
                    (name, json.dumps(body), self.analyst, _now()),
                )
            self._changed(c, 0, "shared")  # open TUIs take them up

    def shared_settings(self) -> tuple[dict[str, list], str]:
        """The shared config tables by name, and who shared them last (tables that are not lists are dropped)."""
        rows = self.conn.execute("SELECT name, body, analyst FROM shared_settings ORDER BY at").fetchall()
        tables = {}
        for name, body, _ in rows:
            try:
                value = json.loads(body)
            except ValueError:
                continue
            if isinstance(value, list):
                tables[name] = value
        return tables, rows[-1][2] if rows else ""

    # -- presence ----------------------------------------------------------------------------------

    def reading(self, story_id: int | None) -> None:
        """This TUI has ``story_id`` open in the reader now (None: none); colleagues' lists mark it."""
        with self.tx() as c:
            row = c.execute("SELECT story_id FROM readers WHERE session = ?", (self.session,)).fetchone()
            if (row[0] if row else None) == story_id:
                return
            c.execute("DELETE FROM readers WHERE session = ?", (self.session,))
            if row is not None:
                self._changed(c, row[0], "close")
            if story_id is not None and c.execute("SELECT 1 FROM stories WHERE id = ?", (story_id,)).fetchone():
                c.execute(
                    "INSERT INTO readers(session, story_id, analyst, since) VALUES (?,?,?,?)",
                    (self.session, story_id, self.analyst, _now()),
                )
                self._changed(c, story_id, "open")

    def heartbeat(self) -> None:
        """Keep this TUI's reader row fresh (a row older than :data:`PRESENCE_TTL` counts as gone)."""
        with self.tx() as c:
            c.execute("UPDATE readers SET since = ? WHERE session = ?", (_now(), self.session))

    def colleagues_reading(self, story_ids: list[int]) -> dict[int, tuple[str, ...]]:
        """Who else has each of ``story_ids`` open (the list's visible window: the table holds a row per TUI)."""
        if not story_ids:
            return {}
        marks = ",".join("?" * len(story_ids))
        rows = self.conn.execute(
            f"SELECT story_id, analyst FROM readers WHERE story_id IN ({marks}) AND session != ? AND since >= ? "
            "ORDER BY since",
            (*story_ids, self.session, _now() - PRESENCE_TTL),
        ).fetchall()
        found: dict[int, tuple[str, ...]] = {}
        for story_id, analyst in rows:
            found[story_id] = (*found.get(story_id, ()), analyst or "someone")
        return found
