"""A whole store copied into an empty one, from either engine to either: ``tui-reader store copy``.

Every table of the analyst's record is copied as it is, ids included: feeds, stories and their
articles, triage and its history, the briefing journal, notes and quotes, the source register,
rules' actions, corroboration's tables. The full-text index is not copied but rebuilt on the target,
since each engine indexes in its own way. One transaction on the target: a copy that fails leaves
it empty. Tables are read and written :data:`~tui_reader.store.base.BATCH` rows at a time, so a store of
any size copies in bounded memory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui_reader.errors import StoreError
from tui_reader.store.base import BATCH

if TYPE_CHECKING:
    from tui_reader.store import Store

_ORDER = (
    "feeds",
    "stories",
    "articles",
    "tags",
    "story_tags",
    "triage",
    "triage_history",
    "source_grades",
    "log_pending",
    "cluster_sigs",
    "cluster_keys",
    "cluster_df",
    "cluster_stale",
    "story_feeds",
    "rule_actions",
    "notes",
    "quotes",
    "sources",
    "source_history",
    "story_letters",
)
"""Tables a row of another refers to come first; a table a later step adds is copied after these."""
_REBUILT = {"schema_version", "stories_fts", "notes_fts"}


def copy_store(source: Store, target: Store) -> dict[str, int]:
    """Copy every row of ``source`` into ``target``, which must hold none; returns the rows copied per table."""
    tables = source.engine.tables(source.conn) - _REBUILT
    ordered = [t for t in _ORDER if t in tables] + sorted(tables - set(_ORDER))
    copied: dict[str, int] = {}
    with target.tx() as c:
        if full := [t for t in ordered if c.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()]:
            raise StoreError(
                f"the store {target.path} is not empty ({', '.join(full[:3])}…): a copy goes only into an empty store"
            )
        for table in ordered:
            rows = source.conn.execute(f"SELECT * FROM {table} LIMIT 0")
            have = {d[0] for d in c.execute(f"SELECT * FROM {table} LIMIT 0").description}
            # PostgreSQL's story_feeds.rowid stands for SQLite's implicit one: the order rows were added
            cols = ", ".join(f'"{d[0]}"' for d in rows.description if d[0] in have and d[0] != "rowid")
            order = " ORDER BY rowid" if table == "story_feeds" else ""
            copied[table] = 0
            for batch in source.engine.batches(source.conn, f"SELECT {cols} FROM {table}{order}", BATCH):
                target._insert_many(c, f"{table}({cols})", batch)
                copied[table] += len(batch)
        target._index_all(c)
        for (story_id,) in c.execute("SELECT story_id FROM notes UNION SELECT story_id FROM quotes").fetchall():
            target._reindex_note(c, story_id)
        target.engine.copied(c)
    return copied
