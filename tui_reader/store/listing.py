"""The story list: a StoryQuery as SQL, ids in display order, and rows read by window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from msgspec import Struct

from tui_reader.models import State
from tui_reader.query import StoryQuery
from tui_reader.store.base import to_epoch
from tui_reader.store.desk import DeskMixin

if TYPE_CHECKING:
    from tui_reader.watch import Watchlist

_SORTS = {
    "date": "s.sort_ts DESC, s.id DESC",
    "source": "{source} ASC, s.sort_ts DESC, s.id DESC",
    # Ungraded stories sort after graded ones; A1 first.
    "rating": "t.grade IS NULL, t.grade ASC, s.sort_ts DESC, s.id DESC",
}


class ListRow(Struct, frozen=True):
    """The few columns the story list paints; cheap to read by window."""

    id: int
    state: State
    grade: str
    source: str
    title: str
    sort_ts: int
    tags: tuple[str, ...] = ()
    cluster_size: int = 1
    watched: bool = False
    """It holds a term of a watchlist (:attr:`ListingMixin.watchlists`)."""
    version: int = 0
    """The story's version as read (a dismissal from the list names it)."""
    readers: tuple[str, ...] = ()
    """Colleagues who have it open in the reader now."""


class ListingMixin(DeskMixin):
    watchlists: tuple[Watchlist, ...] = ()
    """The config's watchlists: ``watch:NAME`` in queries, and :attr:`ListRow.watched`; the CLI sets them."""

    def _where(self, q: StoryQuery) -> tuple[str, list]:
        e = self.engine
        clauses: list[str] = []
        args: list = []
        if q.states:
            clauses.append(f"s.state IN ({','.join('?' * len(q.states))})")
            args += [s.value for s in q.states]
        if q.feed_id is not None:
            clauses.append("(s.feed_id = ? OR s.id IN (SELECT story_id FROM story_feeds WHERE feed_id = ?))")
            args += [q.feed_id, q.feed_id]
        if q.group:
            group = "SELECT id FROM feeds WHERE replace(lower(grp), ' ', '_') = ?"
            clauses.append(
                f"(s.feed_id IN ({group}) OR s.id IN (SELECT story_id FROM story_feeds WHERE feed_id IN ({group})))"
            )
            args += [group_key(q.group)] * 2
        if q.tag:
            clauses.append(
                "s.id IN (SELECT st.story_id FROM story_tags st JOIN tags g ON g.id = st.tag_id WHERE g.name = ?)"
            )
            args.append(q.tag)
        if q.source:
            clauses.append(f"(s.source {e.like} ? ESCAPE '\\' OR s.domain {e.like} ? ESCAPE '\\')")
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
        if q.id_range:
            clauses.append("s.id BETWEEN ? AND ?")
            args += q.id_range
        if q.text.strip():  # within the id range too, or full-text search reads every matching row of the store
            within = " AND rowid BETWEEN ? AND ?" if q.id_range else ""
            clauses.append(f"s.id IN (SELECT rowid FROM stories_fts WHERE {e.match('stories_fts')}{within})")
            args += [e.fts(fts_query(q.text)), *(q.id_range or ())]
        if q.note.strip():
            clauses.append(f"s.id IN (SELECT rowid FROM notes_fts WHERE {e.match('notes_fts')})")
            args.append(e.fts(fts_query(q.note)))
        if q.watch:
            within = " AND rowid BETWEEN ? AND ?" if q.id_range else ""
            clauses.append(f"s.id IN (SELECT rowid FROM stories_fts WHERE {e.match('stories_fts')}{within})")
            args += [e.fts(q.watch), *(q.id_range or ())]
        if q.single_source:
            clauses.append("s.cluster_size <= 1")
        if q.grouped:
            clauses.append("(s.cluster_id IS NULL OR s.cluster_id = s.id)")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args

    def story_ids(self, q: StoryQuery = StoryQuery(), limit: int | None = None) -> list[int]:
        """Ids of every story matching ``q`` (or the first ``limit``) in display order; the list reads details by
        window."""
        where, args = self._where(q)
        order = _SORTS.get(q.sort, _SORTS["date"]).format(source=self.engine.nocase("s.source"))
        join = " LEFT JOIN triage t ON t.story_id = s.id" if (q.max_grade or q.sort == "rating") else ""
        sql = f"SELECT s.id FROM stories s{join}{where} ORDER BY {order}"
        if limit is not None:
            sql, args = f"{sql} LIMIT ?", [*args, limit]
        cur = self.conn.cursor()
        cur.row_factory = None  # plain tuples: a third faster than sqlite3.Row at 100k ids
        return [r[0] for r in cur.execute(sql, args)]

    def list_rows(self, ids: list[int]) -> list[ListRow]:
        """The list's columns for a window of ids, returned in the order given."""
        if not ids:
            return []
        e = self.engine
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"SELECT s.id, s.state, s.source, s.title, s.sort_ts, s.cluster_size, s.version, t.grade, "
            f"(SELECT {e.group_concat('name', ',')} FROM (SELECT g.name FROM story_tags st JOIN tags g "
            f"ON g.id = st.tag_id WHERE st.story_id = s.id ORDER BY st.position) AS names) AS tags "
            f"FROM stories s LEFT JOIN triage t ON t.story_id = s.id WHERE s.id IN ({marks})",
            ids,
        ).fetchall()
        watched = set()
        if self.watchlists:  # one full-text lookup for the window (FTS5 seeks each id)
            watched = {
                r[0]
                for r in self.conn.execute(
                    f"SELECT rowid FROM stories_fts WHERE {e.match('stories_fts')} AND {e.ids_in('rowid')}",
                    (e.fts(" OR ".join(f"({w.fts_match})" for w in self.watchlists)), e.ids(ids)),
                )
            }
        readers = self.colleagues_reading(ids)
        by_id = {
            r["id"]: ListRow(
                id=r["id"],
                state=State(r["state"]),
                grade=r["grade"] or "",
                source=r["source"],
                title=r["title"],
                sort_ts=r["sort_ts"],
                tags=tuple(r["tags"].split(",")) if r["tags"] else (),
                cluster_size=r["cluster_size"],
                watched=r["id"] in watched,
                version=r["version"],
                readers=readers.get(r["id"], ()),
            )
            for r in rows
        }
        return [by_id[i] for i in ids if i in by_id]

    def count(self, q: StoryQuery = StoryQuery()) -> int:
        where, args = self._where(q)
        join = " LEFT JOIN triage t ON t.story_id = s.id" if q.max_grade else ""
        return self.conn.execute(f"SELECT count(*) FROM stories s{join}{where}", args).fetchone()[0]


def group_key(name: str) -> str:
    """How a group name is compared: case-insensitive, ``_`` and space alike (``group:middle_east``)."""
    return name.strip().lower().replace(" ", "_")


def fts_query(text: str) -> str:
    """Turn what a user typed into a safe FTS5 query: every word must match, as a prefix."""
    words = [w.replace('"', '""') for w in text.split() if w.strip('"')]
    return " ".join(f'"{w}"*' for w in words) or '""'
