"""Corroboration's storage: story texts to hash, MinHash signatures and their LSH index, token
document frequencies, and the cluster columns of stories. The hashing and matching stay in
:mod:`tui_reader.cluster`, which calls these inside one :meth:`tx`."""

from __future__ import annotations

from typing import Iterable, Literal

from tui_reader.store.base import Row, StoreBase

_NODE_SQL = (
    "SELECT s.id, g.sort_ts, COALESCE(NULLIF(g.wire, ''), NULLIF(s.source, ''), s.domain) AS outlet, s.cluster_id, s.copy_of, "
    "s.cluster_size, g.url_key, g.sig, g.ents, g.title_ents, g.wire FROM stories s JOIN cluster_sigs g ON g.story_id = s.id "
    "WHERE {where}"
)


class ClustersMixin(StoreBase):
    def cluster_texts(self, story_ids: Iterable[int]) -> list[Row]:
        """What a story's signature is computed from: id, url, sort_ts, outlet, title, author, feed_summary,
        feed_content and the extracted article text and byline (or NULL)."""
        return self.conn.execute(
            "SELECT s.id, s.url, s.sort_ts, COALESCE(NULLIF(s.source, ''), s.domain) AS outlet, s.title, s.author, "
            "s.feed_summary, s.feed_content, a.text, a.byline FROM stories s LEFT JOIN articles a ON a.story_id = s.id "
            f"WHERE {self.engine.ids_in('s.id')}",
            (self.engine.ids(sorted(set(story_ids))),),
        ).fetchall()

    def cluster_nodes(self, by: Literal["id", "cluster_id"], values: Iterable[int]) -> list[Row]:
        """Stored signatures with their stories' cluster columns, for stories whose ``by`` is in ``values``."""
        sql = _NODE_SQL.format(where=self.engine.ids_in(f"s.{by}"))
        return self.conn.execute(sql, (self.engine.ids(sorted(set(values))),)).fetchall()

    def cluster_doc_count(self) -> int:
        """Stories counted in the token document frequencies (kept under ``key``)."""
        row = self.conn.execute("SELECT n FROM cluster_df WHERE key = ?", (_DOCS_KEY,)).fetchone()
        return row[0] if row else 0

    def cluster_df(self, keys: Iterable[int]) -> dict[int, int]:
        """Document frequency of each salient-token key that has one."""
        return dict(
            self.conn.execute(
                f"SELECT key, n FROM cluster_df WHERE {self.engine.ids_in('key')}",
                (self.engine.ids(sorted(set(keys))),),
            ).fetchall()
        )

    def replace_cluster_index(
        self,
        stale_rows: list[tuple[int, int, int]],
        sigs: list[tuple],
        rows: list[tuple[int, int, int]],
        df_delta: list[tuple[int, int]],
        docs_delta: int,
    ) -> None:
        """Swap index rows ``(day, key, story_id)`` and signatures, and apply document-frequency changes."""
        with self.tx() as c:
            c.executemany("DELETE FROM cluster_keys WHERE day = ? AND key = ? AND story_id = ?", sorted(stale_rows))
            c.executemany(
                "INSERT INTO cluster_sigs(story_id, sort_ts, url_key, sig, ents, title_ents, wire) "
                "VALUES (?,?,?,?,?,?,?) ON CONFLICT(story_id) DO UPDATE SET sort_ts = excluded.sort_ts, "
                "url_key = excluded.url_key, sig = excluded.sig, ents = excluded.ents, "
                "title_ents = excluded.title_ents, wire = excluded.wire",
                sigs,
            )
            c.executemany(
                "INSERT INTO cluster_keys(day, key, story_id) VALUES (?,?,?) ON CONFLICT DO NOTHING", sorted(rows)
            )
            deltas = [*df_delta, (_DOCS_KEY, docs_delta)] if docs_delta else df_delta
            c.executemany(
                "INSERT INTO cluster_df(key, n) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET n = cluster_df.n + excluded.n",
                sorted(deltas),
            )

    def crowded_cluster_keys(self, keys: Iterable[int], cap: int) -> set[int]:
        """The index keys whose bucket holds more than ``cap`` stories."""
        return {
            k
            for (k,) in self.conn.execute(
                f"SELECT key FROM cluster_keys WHERE {self.engine.ids_in('key')} GROUP BY key HAVING count(*) > ?",
                (self.engine.ids(sorted(set(keys))), cap),
            )
        }

    def cluster_pairs(self, probes: list[tuple[int, int, int, int]], least: int) -> set[tuple[int, int]]:
        """(probing id, indexed id) pairs matching on at least ``least`` of the probes ``(key, story_id, lo, hi)``,
        where lo..hi are the days the probing story's window reaches.

        One join of a probe table against the index, probes sorted like the index so the lookups
        walk it in order."""
        with self.tx() as c:
            c.execute(
                "CREATE TEMP TABLE IF NOT EXISTS cluster_probe(key INTEGER, story_id INTEGER, lo INTEGER, hi INTEGER)"
            )
            c.execute("CREATE TEMP TABLE IF NOT EXISTS cluster_days(day INTEGER PRIMARY KEY)")
            c.execute("DELETE FROM cluster_probe")
            c.execute("DELETE FROM cluster_days")
            c.executemany("INSERT INTO cluster_probe VALUES (?,?,?,?)", sorted(probes))
            c.executemany(
                "INSERT INTO cluster_days VALUES (?)",
                [(d,) for d in range(min(p[2] for p in probes), max(p[3] for p in probes) + 1)],
            )
            rows = c.execute(
                "SELECT p.story_id, k.story_id FROM cluster_probe p CROSS JOIN cluster_days d "
                f"{self.engine.ordered_join} cluster_keys k ON d.day BETWEEN p.lo AND p.hi AND k.day = d.day AND k.key = p.key "
                "WHERE k.story_id != p.story_id GROUP BY p.story_id, k.story_id HAVING count(*) >= ?",
                (least,),
            ).fetchall()
            c.execute("DELETE FROM cluster_probe")
        return {(a, b) for a, b in rows}

    def set_clusters(self, updates: list[tuple[int, int | None, int, int]]) -> None:
        """Write ``(cluster_id, copy_of, cluster_size, story_id)`` and mark those stories clustered."""
        with self.tx() as c:
            c.executemany("UPDATE stories SET cluster_id = ?, copy_of = ?, cluster_size = ? WHERE id = ?", updates)

    def clear_cluster_stale(self, story_ids: Iterable[int]) -> None:
        """These stories are being re-clustered now."""
        with self.tx() as c:
            c.executemany("DELETE FROM cluster_stale WHERE story_id = ?", [(i,) for i in story_ids])

    def unclustered_ids(self, limit: int | None = None) -> list[int]:
        """Stories never clustered (a headless fetch, an older store) or changed since (``cluster_stale``),
        oldest first."""
        sql = (
            "SELECT s.id FROM stories s LEFT JOIN cluster_sigs g ON g.story_id = s.id "
            "WHERE g.story_id IS NULL OR s.id IN (SELECT story_id FROM cluster_stale) ORDER BY s.sort_ts, s.id"
        )
        args: tuple[int, ...] = ()
        if limit is not None:
            sql, args = sql + " LIMIT ?", (limit,)
        return [r[0] for r in self.conn.execute(sql, args)]

    def has_cluster_backlog(self) -> bool:
        """Whether :meth:`unclustered_ids` has anything: two index counts, not its join (ms at 100k stories)."""
        return bool(
            self.conn.execute(
                "SELECT EXISTS(SELECT 1 FROM cluster_stale) OR (SELECT count(*) FROM stories) > "
                "(SELECT count(*) FROM cluster_sigs)"
            ).fetchone()[0]
        )

    def cluster_of(self, story_ids: Iterable[int]) -> dict[int, int]:
        """Each story's cluster id (its own id when alone)."""
        ids = sorted(set(story_ids))
        out = {i: i for i in ids}
        out.update(
            self.conn.execute(
                f"SELECT id, cluster_id FROM stories WHERE cluster_id IS NOT NULL AND {self.engine.ids_in('id')}",
                (self.engine.ids(ids),),
            ).fetchall()
        )
        return out

    def cluster_member_rows(self, story_id: int) -> list[Row]:
        """Every story in ``story_id``'s cluster, itself included, oldest first, with grade, source letter
        (the register's for its outlet, else the last given to its domain) and wire agency."""
        return self.conn.execute(
            "SELECT s.id, s.source, s.url, s.title, s.domain, s.copy_of, t.grade, w.wire, "
            "COALESCE(r.letter, g.reliability) AS reliability "
            "FROM stories s LEFT JOIN triage t ON t.story_id = s.id LEFT JOIN source_grades g ON g.domain = s.domain "
            "LEFT JOIN sources r ON r.name = COALESCE(NULLIF(s.source, ''), s.domain) "
            "LEFT JOIN cluster_sigs w ON w.story_id = s.id "
            "WHERE s.id = ? OR s.cluster_id = (SELECT cluster_id FROM stories WHERE id = ?) "
            "ORDER BY s.sort_ts, s.id",
            (story_id, story_id),
        ).fetchall()


_DOCS_KEY = 2**40
"""The ``cluster_df`` row that counts the stories (token keys are 32-bit, so it never collides)."""
