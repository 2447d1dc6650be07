"""Triage: tags, grades, the analyst's summaries and their history, source letters, and the briefing journal."""

from __future__ import annotations

import json
from datetime import datetime

from tui_reader.models import BriefItem, Grade, State, TriageInput
from tui_reader.store.base import Conn, _now, from_epoch, to_epoch, utc
from tui_reader.store.notes import NotesMixin
from tui_reader.store.sources import OUTLET, SourcesMixin


class TriageMixin(SourcesMixin, NotesMixin):
    def tag_counts(self) -> list[tuple[str, int]]:
        """Every tag with its use count, most-used first (for completion)."""
        rows = self.conn.execute(
            "SELECT g.name, count(st.story_id) AS n FROM tags g LEFT JOIN story_tags st ON st.tag_id = g.id "
            "GROUP BY g.id HAVING count(st.story_id) > 0 ORDER BY n DESC, g.name"
        ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def source_letter(self, domain: str) -> str | None:
        """The reliability letter the analyst last gave this source, if any."""
        row = self.conn.execute("SELECT reliability FROM source_grades WHERE domain = ?", (domain,)).fetchone()
        return row[0] if row else None

    def save_triage(self, inp: TriageInput, day: str, now: int | None = None) -> str | None:
        """Save one triage in one transaction, journalling the briefing-note update it needs.

        The ``log_pending`` row is the journal that makes store and log agree after a crash:
        it is cleared only once the log holds the item (see :mod:`tui_reader.triage`). Returns the day
        of the note to update: ``day`` for a triage, the day it was triaged for a dismissal of a triaged
        story (taken out of that note), None for any other dismissal.
        """
        with self.tx() as c:
            return self._triage(c, inp, day, now or _now())

    def _triage(self, c: Conn, inp: TriageInput, day: str, now: int) -> str | None:
        """One story's triage inside the open transaction ``c`` (a single save, or one of a bulk rating), in
        as few statements as its parts take (each is a round trip to a server): the version check, the
        new state and the story's own columns in one."""
        new_state = State.DISMISSED if inp.dismiss else State.TRIAGED
        story = self._bump(
            c,
            inp.story_id,
            inp.version,
            ", prev_state = state, state = ?",
            (new_state.value,),
            "source, domain, prev_state, (SELECT t.triaged_at FROM triage t WHERE t.story_id = stories.id) AS triaged_at",
        )
        self._log_change(c, inp.story_id, "dismiss" if inp.dismiss else "triage")
        self._set_tags(c, inp.story_id, inp.tags)
        grade = inp.grade.code if inp.grade else None
        c.execute(
            "INSERT INTO triage(story_id, grade, summary, triaged_at, analyst) VALUES (?,?,?,?,?) "
            "ON CONFLICT(story_id) DO UPDATE SET grade = excluded.grade, summary = excluded.summary, "
            "triaged_at = excluded.triaged_at, analyst = excluded.analyst",
            (inp.story_id, grade, inp.summary, now, self.analyst),
        )
        c.execute(
            "INSERT INTO triage_history(story_id, grade, summary, tags, triaged_at, analyst) VALUES (?,?,?,?,?,?)",
            (inp.story_id, grade, inp.summary, ",".join(inp.tags), now, self.analyst),
        )
        if inp.grade:
            self._record_grade(c, inp.story_id, story["source"] or story["domain"], inp.grade, inp.reason, now)
        if inp.grade and story["domain"]:
            c.execute(
                "INSERT INTO source_grades(domain, reliability, updated) VALUES (?,?,?) ON CONFLICT(domain) "
                "DO UPDATE SET reliability = excluded.reliability, updated = excluded.updated",
                (story["domain"], inp.grade.reliability, now),
            )
        note_day: str | None = day
        if inp.dismiss:  # out of the note of the day it was triaged, journalled with the dismissal itself
            was_triaged = story["prev_state"] == State.TRIAGED.value and story["triaged_at"] is not None
            note_day = datetime.fromtimestamp(story["triaged_at"]).date().isoformat() if was_triaged else None
        if note_day:
            self._journal(c, inp.story_id, note_day)
        self._reindex_summary(c, inp.story_id, inp.summary)
        return note_day

    def save_ratings(
        self, story_ids: list[int], grade: Grade, day: str, *, reason: str = "", now: int | None = None
    ) -> tuple[str, list[int]]:
        """Triage each of ``story_ids`` with ``grade`` as :meth:`save_triage` would, keeping its tags and summary,
        in one transaction, and keep what the batch replaced so that :meth:`undo_ratings` can put it back.

        Returns the batch's name and the stories rated (those of ``story_ids`` that exist, in order); ("", [])
        when none does.
        """
        now = now or _now()
        with self.tx() as c:
            e = self.engine
            rows = {
                r["id"]: r
                for r in c.execute(
                    f"SELECT s.id, s.state, s.prev_state, t.grade, t.summary, t.triaged_at, {OUTLET} AS outlet, "
                    f"s.domain FROM stories s LEFT JOIN triage t ON t.story_id = s.id WHERE {e.ids_in('s.id')}",
                    (e.ids(story_ids),),
                ).fetchall()
            }
            ids = list(dict.fromkeys(i for i in story_ids if i in rows))
            if not ids:
                return "", []
            prior: dict = {
                "stories": [
                    [i, *(rows[i][k] for k in ("state", "prev_state", "grade", "summary", "triaged_at"))] for i in ids
                ],
                "sources": self._letters(c, "sources", "name", "letter", {r["outlet"] for r in rows.values()}),
                "source_grades": self._letters(
                    c, "source_grades", "domain", "reliability", {r["domain"] for r in rows.values()}
                ),
            }
            last = [self._last_id(c, "triage_history"), self._last_id(c, "source_history")]
            for i in ids:
                summary = rows[i]["summary"] or ""
                self._triage(c, TriageInput(i, self.story_tags(i), grade, summary, reason=reason), day, now)
            prior["triage_history"] = [last[0], self._last_id(c, "triage_history")]
            prior["source_history"] = [last[1], self._last_id(c, "source_history")]
            stamp = f"rate {datetime.fromtimestamp(now):%Y-%m-%d %H:%M:%S}"
            taken = c.execute(
                "SELECT count(*) FROM rating_batches WHERE name = ? OR name LIKE ?", (stamp, f"{stamp} (%)")
            ).fetchone()[0]
            name = f"{stamp} ({taken + 1})" if taken else stamp
            c.execute(
                "INSERT INTO rating_batches(name, at, day, grade, prior) VALUES (?,?,?,?,?)",
                (name, now, day, grade.code, json.dumps(prior)),
            )
        return name, ids

    @staticmethod
    def _letters(c: Conn, table: str, key: str, column: str, names: set[str]) -> list[list]:
        """[name, letter, updated] of each of ``names`` in a letters table, [name, None, None] where it has no row."""
        wanted = sorted(n for n in names if n)
        held = {
            r[0]: [r[0], r[1], r[2]]
            for r in c.execute(
                f"SELECT {key}, {column}, updated FROM {table} WHERE {c.engine.ids_in(key)}", (c.engine.ids(wanted),)
            ).fetchall()
        }
        return [held.get(n, [n, None, None]) for n in wanted]

    @staticmethod
    def _last_id(c: Conn, table: str) -> int:
        return c.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]

    def undo_ratings(self, name: str) -> tuple[str, list[int]] | None:
        """Put back, in one transaction, what rating batch ``name`` replaced on each story that still holds its
        rating (a story triaged again since keeps that triage): its state and triage, the history rows the batch
        added, and the letters it gave outlets and domains (unless set again since). Journals the note update
        of each story put back where a replay of the journal writes what the store holds (see
        :mod:`tui_reader.triage`). Returns the batch's note day and the stories put back; None when no batch of
        that name is left to undo.
        """
        with self.tx() as c:
            row = c.execute(
                "SELECT at, day, grade, prior FROM rating_batches WHERE name = ? AND undone = 0", (name,)
            ).fetchone()
            if row is None:
                return None
            at, day, prior = row["at"], row["day"], json.loads(row["prior"])
            restored = []
            for story_id, state, prev_state, grade, summary, triaged_at in prior["stories"]:
                if not c.execute(
                    "SELECT 1 FROM stories s JOIN triage t ON t.story_id = s.id "
                    "WHERE s.id = ? AND s.state = 'triaged' AND t.grade = ? AND t.triaged_at = ?",
                    (story_id, row["grade"], at),
                ).fetchone():
                    continue
                if triaged_at is None:
                    c.execute("DELETE FROM triage WHERE story_id = ?", (story_id,))
                else:
                    c.execute(
                        "UPDATE triage SET grade = ?, summary = ?, triaged_at = ? WHERE story_id = ?",
                        (grade, summary, triaged_at, story_id),
                    )
                c.execute("UPDATE stories SET state = ?, prev_state = ? WHERE id = ?", (state, prev_state, story_id))
                for table in ("triage_history", "source_history"):
                    c.execute(
                        f"DELETE FROM {table} WHERE story_id = ? AND id > ? AND id <= ?", (story_id, *prior[table])
                    )
                if triaged_at is None or datetime.fromtimestamp(triaged_at).date().isoformat() == day:
                    self._journal(c, story_id, day)
                self._changed(c, story_id, "state")
                restored.append(story_id)
            for table, key, column in (("sources", "name", "letter"), ("source_grades", "domain", "reliability")):
                for held, letter, updated in prior[table]:
                    ours = (held, row["grade"][0], at)  # still the letter the batch gave it
                    if letter is None:
                        c.execute(f"DELETE FROM {table} WHERE {key} = ? AND {column} = ? AND updated = ?", ours)
                    else:
                        c.execute(
                            f"UPDATE {table} SET {column} = ?, updated = ? WHERE {key} = ? AND {column} = ? AND updated = ?",
                            (letter, updated, *ours),
                        )
            c.execute("UPDATE rating_batches SET undone = 1 WHERE name = ?", (name,))
        return day, restored

    def _set_tags(self, c: Conn, story_id: int, tags: tuple[str, ...]) -> None:
        """The story's tags, in order: three statements however many there are."""
        c.execute("DELETE FROM story_tags WHERE story_id = ?", (story_id,))
        names = list(dict.fromkeys(tags))
        if not names:
            return
        marks = ", ".join("?" * len(names))
        c.execute(f"INSERT INTO tags(name) VALUES {', '.join(['(?)'] * len(names))} ON CONFLICT DO NOTHING", names)
        c.execute(
            f"INSERT INTO story_tags(story_id, tag_id, position) SELECT ?, id, CASE name {' WHEN ? THEN ?' * len(names)} "
            f"END FROM tags WHERE name IN ({marks})",
            (story_id, *(v for pos, name in enumerate(names) for v in (name, pos)), *names),
        )

    def triage_history(self, story_id: int) -> list[tuple[str, str, str, datetime]]:
        """Every saved triage of a story, oldest first: (grade, summary, tags, when)."""
        rows = self.conn.execute(
            "SELECT grade, summary, tags, triaged_at FROM triage_history WHERE story_id = ? ORDER BY id", (story_id,)
        ).fetchall()
        return [(r[0] or "", r[1], r[2], utc(r[3])) for r in rows]

    def brief_item(self, story_id: int, *, triaged: bool = False) -> BriefItem | None:
        """The triaged story as its briefing item (with ``triaged``, None unless its state is triaged: a
        dismissed story has a triage row too); ``cluster.corroborated`` adds the other outlets."""
        state = " AND s.state = 'triaged'" if triaged else ""
        row = self.conn.execute(
            "SELECT s.id, s.title, s.url, s.source, s.published, t.grade, t.summary, t.triaged_at, t.analyst, "
            "n.text AS note FROM stories s JOIN triage t ON t.story_id = s.id "
            f"LEFT JOIN notes n ON n.story_id = s.id WHERE s.id = ?{state}",
            (story_id,),
        ).fetchone()
        if row is None:
            return None
        return BriefItem(
            story_id=row["id"],
            title=row["title"],
            url=row["url"],
            source=row["source"],
            published=from_epoch(row["published"]),
            grade=Grade.parse(row["grade"]) if row["grade"] else None,
            tags=self.story_tags(story_id),
            summary=row["summary"],
            triaged_at=utc(row["triaged_at"]),
            note=row["note"] or "",
            quotes=self.quotes(story_id),
            triaged_by=row["analyst"],
        )

    def brief_items(self, start: datetime, end: datetime) -> list[BriefItem]:
        """Triaged (not dismissed) stories whose triage time falls in [start, end)."""
        rows = self.conn.execute(
            "SELECT t.story_id FROM triage t JOIN stories s ON s.id = t.story_id "
            "WHERE t.triaged_at >= ? AND t.triaged_at < ? AND s.state = 'triaged' ORDER BY t.triaged_at",
            (to_epoch(start), to_epoch(end)),
        ).fetchall()
        return [item for r in rows if (item := self.brief_item(r[0])) is not None]

    def queue_log(self, story_id: int, day: str) -> None:
        """Journal a note update for ``day`` before the change it reflects (replayed after a crash)."""
        with self.tx() as c:
            self._journal(c, story_id, day)

    @staticmethod
    def _journal(c: Conn, story_id: int, day: str) -> None:
        c.execute("INSERT INTO log_pending(story_id, day) VALUES (?, ?) ON CONFLICT DO NOTHING", (story_id, day))

    def pending_logs(self) -> list[tuple[int, str]]:
        return [(r[0], r[1]) for r in self.conn.execute("SELECT story_id, day FROM log_pending ORDER BY day, story_id")]

    def clear_pending_log(self, story_id: int, day: str) -> None:
        self.clear_pending_logs([story_id], day)

    def clear_pending_logs(self, story_ids: list[int], day: str) -> None:
        """The journal rows of ``day`` for ``story_ids``, cleared once its note holds what the store does."""
        with self.tx() as c:
            e = self.engine
            c.execute(f"DELETE FROM log_pending WHERE day = ? AND {e.ids_in('story_id')}", (day, e.ids(story_ids)))
