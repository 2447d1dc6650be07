"""The source register: each outlet's reliability letter and the history of grades given to it."""

from __future__ import annotations

from tui_reader.models import Grade, SourceEvent, SourceInfo, State
from tui_reader.store.base import Conn, _now, utc
from tui_reader.store.desk import DeskMixin

OUTLET = "COALESCE(NULLIF(s.source, ''), s.domain)"
"""A story's outlet in SQL, as :attr:`tui_reader.models.Story.outlet` has it."""
UNRATED = "F"
"""The letter of a source nobody has rated yet: "reliability cannot be judged"."""
LATEST = 3
_UNTRIAGED = (State.UNREAD.value, State.READ.value)


class SourcesMixin(DeskMixin):
    def sources(self) -> list[SourceInfo]:
        """Every outlet with stories or a letter, by name, with its counts and latest grades."""
        rows = self.conn.execute(
            f"SELECT {OUTLET} AS name, count(*) AS n, count(*) FILTER (WHERE s.state IN (?, ?)) AS untriaged, "
            "count(*) FILTER (WHERE s.state = 'triaged') AS triaged FROM stories s GROUP BY name",
            _UNTRIAGED,
        ).fetchall()
        counts = {r["name"]: (r["n"], r["untriaged"], r["triaged"]) for r in rows if r["name"]}
        letters = {r[0]: r[1] for r in self.conn.execute("SELECT name, letter FROM sources")}
        latest: dict[str, list[str]] = {}
        for r in self.conn.execute(
            "SELECT source, grade FROM source_history WHERE grade IS NOT NULL ORDER BY source, id DESC"
        ):
            if len(got := latest.setdefault(r[0], [])) < LATEST:
                got.append(r[1])
        return [
            SourceInfo(
                name=name,
                letter=letters.get(name, UNRATED),
                rated=name in letters,
                stories=counts.get(name, (0, 0, 0))[0],
                untriaged=counts.get(name, (0, 0, 0))[1],
                triaged=counts.get(name, (0, 0, 0))[2],
                latest=tuple(latest.get(name, ())),
            )
            for name in sorted(counts.keys() | letters.keys(), key=str.casefold)
        ]

    def source_info(self, name: str) -> SourceInfo | None:
        return next((s for s in self.sources() if s.name == name), None)

    def outlet_letter(self, name: str) -> str | None:
        """The letter the analyst gave this outlet, None while it is unrated."""
        row = self.conn.execute("SELECT letter FROM sources WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def pinned_letter(self, story_id: int) -> str | None:
        """The letter pinned on an untriaged story when its source's letter changed (see :meth:`set_source_letter`)."""
        row = self.conn.execute("SELECT letter FROM story_letters WHERE story_id = ?", (story_id,)).fetchone()
        return row[0] if row else None

    def source_history(self, name: str) -> list[SourceEvent]:
        """Every grade given to the outlet's stories and every letter set by hand, oldest first."""
        rows = self.conn.execute(
            "SELECT h.source, h.letter, h.grade, h.story_id, COALESCE(s.title, '') AS title, h.reason, h.at "
            "FROM source_history h LEFT JOIN stories s ON s.id = h.story_id WHERE h.source = ? ORDER BY h.id",
            (name,),
        ).fetchall()
        return [
            SourceEvent(
                r["source"], r["letter"], r["grade"] or "", r["story_id"], r["title"], r["reason"], utc(r["at"])
            )
            for r in rows
        ]

    def set_source_letter(
        self, name: str, letter: str, *, reason: str = "", regrade: bool, now: int | None = None
    ) -> int:
        """Set the outlet's letter and record it; returns how many untriaged stories were re-graded.

        ``regrade``: its untriaged stories are offered the new letter (over a rule's); otherwise each
        keeps the letter it was offered before (pinned), so the change applies to new stories only.
        """
        now = now or _now()
        Grade(letter, "6")  # validates the letter, worded for the user
        with self.tx() as c:
            before = c.execute("SELECT letter FROM sources WHERE name = ?", (name,)).fetchone()
            c.execute(
                "INSERT INTO sources(name, letter, updated) VALUES (?,?,?) ON CONFLICT(name) "
                "DO UPDATE SET letter = excluded.letter, updated = excluded.updated",
                (name, letter, now),
            )
            c.execute(
                "INSERT INTO source_history(source, letter, grade, story_id, reason, at, analyst) "
                "VALUES (?,?,NULL,NULL,?,?,?)",
                (name, letter, reason, now, self.analyst),
            )
            untriaged = f"SELECT s.id FROM stories s WHERE {OUTLET} = ? AND s.state IN (?, ?)"
            if regrade:
                return c.execute(
                    f"INSERT INTO story_letters(story_id, letter) SELECT id, ? FROM ({untriaged}) AS u WHERE true "
                    "ON CONFLICT(story_id) DO UPDATE SET letter = excluded.letter",
                    (letter, name, *_UNTRIAGED),
                ).rowcount
            c.execute(
                f"INSERT INTO story_letters(story_id, letter) SELECT id, ? FROM ({untriaged}) AS u WHERE true "
                "ON CONFLICT DO NOTHING",
                (before[0] if before else UNRATED, name, *_UNTRIAGED),
            )
            return 0

    def _record_grade(self, c: Conn, story_id: int, outlet: str, grade: Grade, reason: str, now: int) -> None:
        """A triage's grade into its outlet's history (when it or its reason changed) and letter; inside
        ``save_triage``, two statements: the history row is written only where the story's last graded one
        differs."""
        if not outlet:
            return
        c.execute(
            "INSERT INTO source_history(source, letter, grade, story_id, reason, at, analyst) "
            "SELECT ?,?,?,?,?,?,? WHERE NOT EXISTS (SELECT 1 FROM (SELECT grade, reason FROM source_history "
            "WHERE story_id = ? AND grade IS NOT NULL ORDER BY id DESC LIMIT 1) AS last "
            "WHERE last.grade = ? AND (? = '' OR last.reason = ?))",
            (outlet, grade.reliability, grade.code, story_id, reason, now, self.analyst, story_id, grade.code)
            + (reason, reason),
        )
        c.execute(
            "INSERT INTO sources(name, letter, updated) VALUES (?,?,?) ON CONFLICT(name) "
            "DO UPDATE SET letter = excluded.letter, updated = excluded.updated",
            (outlet, grade.reliability, now),
        )
