"""Subscriptions: feeds, their groups, fetch status and conditional-GET validators, unread counts."""

from __future__ import annotations

from tui_reader.models import Feed, FetchStatus
from tui_reader.store.base import Row, StoreBase, _now, from_epoch


class FeedsMixin(StoreBase):
    def add_feed(self, url: str, title: str = "", group: str = "") -> Feed:
        """Subscribe to ``url``; subscribing twice returns the existing feed (group updated if given)."""
        with self.tx() as c:
            c.execute(
                "INSERT INTO feeds(url, title, grp, added) VALUES (?, ?, ?, ?) ON CONFLICT(url) DO UPDATE "
                "SET grp = CASE WHEN excluded.grp != '' THEN excluded.grp ELSE feeds.grp END, "
                "title = CASE WHEN feeds.title = '' THEN excluded.title ELSE feeds.title END",
                (url, title, group, _now()),
            )
        feed = self.feed_by_url(url)
        assert feed is not None
        return feed

    def remove_feed(self, feed_id: int) -> int:
        """Unsubscribe; the feed's stories stay (triaged ones are in briefing notes) and are returned as a count.

        A story another feed carries too moves to that feed; the rest simply lose their feed, and
        re-subscribing later matches them again by guid or page.
        """
        with self.tx() as c:
            kept = c.execute(
                "SELECT (SELECT count(*) FROM stories WHERE feed_id = ?) + "
                "(SELECT count(*) FROM story_feeds WHERE feed_id = ?)",
                (feed_id, feed_id),
            ).fetchone()[0]
            moves = {
                r[0]: (r[1], r[2])
                for r in c.execute(
                    "SELECT l.story_id, l.feed_id, l.guid FROM story_feeds l JOIN stories s ON s.id = l.story_id "
                    "WHERE s.feed_id = ? ORDER BY l.rowid DESC",
                    (feed_id,),
                )
            }  # the earliest other feed wins
            for story_id, (other, guid) in moves.items():
                c.execute("DELETE FROM story_feeds WHERE feed_id = ? AND guid = ?", (other, guid))
                c.execute("UPDATE stories SET feed_id = ?, guid = ? WHERE id = ?", (other, guid, story_id))
            c.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))  # stories.feed_id: ON DELETE SET NULL
        return kept

    def move_feed(self, feed_id: int, url: str) -> bool:
        """Point a subscription at the URL its feed moved to, unless another subscription has it already."""
        with self.tx() as c:
            cur = c.execute(
                "UPDATE feeds SET url = ? WHERE id = ? AND NOT EXISTS (SELECT 1 FROM feeds WHERE url = ?)",
                (url, feed_id, url),
            )
        return cur.rowcount == 1

    def feed_by_url(self, url: str) -> Feed | None:
        row = self.conn.execute("SELECT * FROM feeds WHERE url = ?", (url,)).fetchone()
        return _feed(row) if row else None

    def feed(self, feed_id: int) -> Feed | None:
        row = self.conn.execute("SELECT * FROM feeds WHERE id = ?", (feed_id,)).fetchone()
        return _feed(row) if row else None

    def feeds(self) -> list[Feed]:
        """All feeds with unread and total story counts, grouped then by title."""
        nocase = self.engine.nocase
        rows = self.conn.execute(
            "SELECT f.*, "
            "(SELECT count(*) FROM stories s WHERE s.feed_id = f.id AND s.state = 'unread') + "
            "(SELECT count(*) FROM story_feeds l JOIN stories s ON s.id = l.story_id "
            "WHERE l.feed_id = f.id AND s.state = 'unread') AS unread, "
            "(SELECT count(*) FROM stories s WHERE s.feed_id = f.id) + "
            "(SELECT count(*) FROM story_feeds l WHERE l.feed_id = f.id) AS total "
            f"FROM feeds f ORDER BY {nocase('f.grp')}, {nocase('f.title')}, f.url"
        ).fetchall()
        return [_feed(r) for r in rows]

    def record_fetch(
        self,
        feed_id: int,
        *,
        status: FetchStatus,
        error: str = "",
        etag: str | None = None,
        last_modified: str | None = None,
        title: str | None = None,
        now: int | None = None,
    ) -> None:
        """Store the outcome of one fetch: errors are data, kept per feed."""
        now = now or _now()
        ok = status in (FetchStatus.OK, FetchStatus.NOT_MODIFIED)
        with self.tx() as c:
            c.execute(
                "UPDATE feeds SET last_status = ?, last_error = ?, last_fetched = ?, "
                "last_ok = CASE WHEN ? THEN ? ELSE last_ok END, "
                "etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified), "
                "title = CASE WHEN ? IS NOT NULL AND ? != '' THEN ? ELSE title END WHERE id = ?",
                (status, error, now, ok, now, etag, last_modified, title, title, title, feed_id),
            )


def _feed(row: Row) -> Feed:
    keys = row.keys()
    return Feed(
        id=row["id"],
        url=row["url"],
        title=row["title"],
        group=row["grp"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        last_fetched=from_epoch(row["last_fetched"]),
        last_ok=from_epoch(row["last_ok"]),
        last_error=row["last_error"],
        last_status=FetchStatus(row["last_status"]) if row["last_status"] else None,
        unread=row["unread"] if "unread" in keys else 0,
        total=row["total"] if "total" in keys else 0,
    )
