"""Retention: stories nobody acted on, older than ``keep_days``, are purged and the file shrinks.

Kept always: anything triaged (a triage row: rated, summarised, or dismissed from the triage
panel), anything waiting for the briefing note, anything a rule flagged as priority. Items older
than the limit are not stored at intake either, so a purged story its feed still carries does not
come back as new at the next refresh.
"""

from __future__ import annotations

from typing import Iterable

from msgspec import Struct

from tui_reader.models import FeedEntry
from tui_reader.store.base import Conn, _now, to_epoch
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


class PurgeResult(Struct, frozen=True):
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
            self.engine.shrink(self.conn)
        return PurgeResult(len(ids), before, self.file_size())

    def file_size(self) -> int:
        """Bytes the store takes: SQLite's file and its write-ahead log, PostgreSQL's database."""
        return self.engine.size(self.conn)


def _delete_stories(c: Conn, ids: list[int]) -> None:
    """Delete stories with what no foreign key cascades: full-text rows, index keys, clusters they head.

    A surviving member of a cluster that lost stories takes the lowest id left as its cluster id
    (the clusterer's convention), and the cluster is queued for the clusterer to redo its counts.
    The token document frequencies keep counting purged stories: rarity is over all stories seen.
    """
    e = c.engine
    gone = e.ids(ids)
    days = c.execute(
        f"SELECT min(sort_ts), max(sort_ts) FROM cluster_sigs WHERE {e.ids_in('story_id')}",
        (gone,),
    ).fetchone()
    if days[0] is not None:
        c.execute(
            f"DELETE FROM cluster_keys WHERE day BETWEEN ? AND ? AND {e.ids_in('story_id')}",
            (days[0] // DAY, days[1] // DAY, gone),
        )
    c.execute(f"DELETE FROM stories_fts WHERE {e.ids_in('rowid')}", (gone,))
    heads = e.ids(
        r[0]
        for r in c.execute(
            f"SELECT DISTINCT cluster_id FROM stories WHERE {e.ids_in('id')} AND cluster_id IS NOT NULL",
            (gone,),
        )
    )
    c.execute(f"DELETE FROM stories WHERE {e.ids_in('id')}", (gone,))
    c.execute(f"UPDATE stories SET copy_of = NULL WHERE {e.ids_in('copy_of')}", (gone,))
    c.execute(
        f"INSERT INTO cluster_stale(story_id) SELECT id FROM stories WHERE {e.ids_in('cluster_id')} "
        "ON CONFLICT DO NOTHING",
        (heads,),
    )
    c.executemany(
        "UPDATE stories SET cluster_id = ? WHERE cluster_id = ?",
        c.execute(
            f"SELECT min(id), cluster_id FROM stories WHERE {e.ids_in('cluster_id')} GROUP BY cluster_id",
            (heads,),
        ).fetchall(),
    )
