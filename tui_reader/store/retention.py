"""Retention: stories nobody acted on, older than ``keep_days``, are purged and the file shrinks.

Kept always: anything triaged (a triage row: rated, summarised, or dismissed from the triage
panel), anything waiting for the briefing note, anything a rule flagged as priority. Items older
than the limit are not stored at intake either, so a purged story its feed still carries does not
come back as new at the next refresh.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from tui_reader.models import FeedEntry
from tui_reader.store.base import _now, to_epoch
from tui_reader.store.desk import DeskMixin

_PURGEABLE = (
    "SELECT s.id FROM stories s WHERE s.sort_ts < ? AND s.state != 'triaged' "
    "AND NOT EXISTS (SELECT 1 FROM triage t WHERE t.story_id = s.id) "
    "AND NOT EXISTS (SELECT 1 FROM log_pending l WHERE l.story_id = s.id) "
    "AND NOT EXISTS (SELECT 1 FROM notes_fts n WHERE n.rowid = s.id) "
    "AND NOT EXISTS (SELECT 1 FROM rule_actions r WHERE r.action = 'priority' AND r.undone = 0 "
    "AND r.story_id = s.id) ORDER BY s.sort_ts, s.id"
)
DAY = 86400


@dataclass(frozen=True)
class PurgeResult:
    stories: int
    """Stories purged (or, dry, that would be)."""
    bytes_before: int
    bytes_after: int


class RetentionMixin(DeskMixin):
    keep_days: int = 0
    """Retention in days (0: keep everything); the CLI sets it from ``[retention]``."""

    def retained(self, entries: Iterable[FeedEntry], now: int | None = None) -> list[FeedEntry]:
        """The feed entries intake should store: those not dated before the retention limit."""
        if not self.keep_days:
            return list(entries)
        cutoff = (now or _now()) - self.keep_days * DAY
        return [e for e in entries if (when := to_epoch(e.published or e.updated)) is None or when >= cutoff]

    def purgeable(self, now: int | None = None) -> list[int]:
        """Ids of the stories a purge would remove now, oldest first (none when retention is off)."""
        if not self.keep_days:
            return []
        cur = self.conn.cursor()
        cur.row_factory = None
        return [r[0] for r in cur.execute(_PURGEABLE, ((now or _now()) - self.keep_days * DAY,))]

    def purge(self, now: int | None = None) -> PurgeResult:
        """Delete the purgeable stories in one transaction, then give their pages back to the file system."""
        before = self.file_size()
        ids = self.purgeable(now)
        if ids:
            with self.tx() as c:
                _delete_stories(c, ids)
                self._forget_changes(c, ids)
            self._shrink()
        return PurgeResult(len(ids), before, self.file_size())

    def file_size(self) -> int:
        """Bytes on disk: the database and its write-ahead log."""
        if not isinstance(self.path, Path):
            return 0
        return sum(p.stat().st_size for p in (self.path, self.path.with_name(self.path.name + "-wal")) if p.exists())

    def _shrink(self) -> None:
        """Release free pages: incrementally, once the file is in incremental auto-vacuum mode.

        A store created before that mode was set is converted by one full VACUUM, at its first purge.
        ``executescript`` because Python's ``execute`` steps ``incremental_vacuum`` once, freeing one page.
        While another connection (the TUI's, another process) holds the file, this gives up: the
        stories are gone either way, and the next purge releases the pages.
        """
        c = self.conn
        with suppress(sqlite3.OperationalError):
            if c.execute("PRAGMA auto_vacuum").fetchone()[0] != 2:
                c.execute("PRAGMA auto_vacuum=INCREMENTAL")
                c.execute("VACUUM")
            else:
                c.executescript("PRAGMA incremental_vacuum;")
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


def _delete_stories(c: sqlite3.Connection, ids: list[int]) -> None:
    """Delete stories with what no foreign key cascades: full-text rows, index keys, clusters they head.

    A surviving member of a cluster that lost stories takes the lowest id left as its cluster id
    (the clusterer's convention), and the cluster is queued for the clusterer to redo its counts.
    The token document frequencies keep counting purged stories: rarity is over all stories seen.
    """
    gone = json.dumps(ids)
    days = c.execute(
        "SELECT min(sort_ts), max(sort_ts) FROM cluster_sigs WHERE story_id IN (SELECT value FROM json_each(?))",
        (gone,),
    ).fetchone()
    if days[0] is not None:
        c.execute(
            "DELETE FROM cluster_keys WHERE day BETWEEN ? AND ? AND story_id IN (SELECT value FROM json_each(?))",
            (days[0] // DAY, days[1] // DAY, gone),
        )
    c.execute("DELETE FROM stories_fts WHERE rowid IN (SELECT value FROM json_each(?))", (gone,))
    heads = json.dumps(
        [
            r[0]
            for r in c.execute(
                "SELECT DISTINCT cluster_id FROM stories WHERE id IN (SELECT value FROM json_each(?)) "
                "AND cluster_id IS NOT NULL",
                (gone,),
            )
        ]
    )
    c.execute("DELETE FROM stories WHERE id IN (SELECT value FROM json_each(?))", (gone,))
    c.execute("UPDATE stories SET copy_of = NULL WHERE copy_of IN (SELECT value FROM json_each(?))", (gone,))
    c.execute(
        "INSERT OR IGNORE INTO cluster_stale(story_id) SELECT id FROM stories "
        "WHERE cluster_id IN (SELECT value FROM json_each(?))",
        (heads,),
    )
    c.executemany(
        "UPDATE stories SET cluster_id = ? WHERE cluster_id = ?",
        c.execute(
            "SELECT min(id), cluster_id FROM stories WHERE cluster_id IN (SELECT value FROM json_each(?)) "
            "GROUP BY cluster_id",
            (heads,),
        ).fetchall(),
    )
