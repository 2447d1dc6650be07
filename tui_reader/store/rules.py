"""Intake rules in the store: apply them to stories, record what each did, undo it, read a story's marks.

Rules act only on untriaged stories (unread or read): what the analyst triaged or dismissed is
theirs. Each action is recorded once per (story, rule), so applying the rules again changes
nothing, and an undone action is never redone.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Callable, Iterable

from tui_reader.models import Grade, State
from tui_reader.query import parse_filter
from tui_reader.rules import Rule, RuleRun, RuleTimeout, Subject, WordIndex
from tui_reader.store.base import _now, utc
from tui_reader.store.listing import ListingMixin

_SUBJECTS = (
    "SELECT s.id, s.state, s.title, s.url, s.source || ' ' || s.domain AS source, "
    "{text} AS text, "
    "(SELECT group_concat(grp, char(10)) FROM feeds WHERE id = s.feed_id "
    " OR id IN (SELECT feed_id FROM story_feeds WHERE story_id = s.id)) AS groups, "
    "(SELECT group_concat(name, ',') FROM (SELECT g.name FROM story_tags st JOIN tags g ON g.id = st.tag_id "
    " WHERE st.story_id = s.id ORDER BY st.position)) AS tags "
    "FROM stories s WHERE s.id IN (SELECT value FROM json_each(?)) AND s.state IN ('unread', 'read') ORDER BY s.id"
)


@dataclass(frozen=True)
class RuleAction:
    """One thing a rule did to a story."""

    rule: str
    action: str
    """tag, dismiss, letter, grade, priority or highlight."""
    value: str
    at: datetime
    undone: bool


@dataclass(frozen=True)
class RuleMarks:
    """What the rules still in force on a story say about it (for the list, the reader and triage defaults)."""

    rules: tuple[str, ...] = ()
    priority: bool = False
    highlight: bool = False
    letter: str = ""
    grade: Grade | None = None


class RulesMixin(ListingMixin):
    rules: tuple[Rule, ...] = ()
    """The rules intake applies (:meth:`apply_rules` at every refresh); the CLI sets them from the config."""

    def apply_rules(
        self,
        story_ids: Iterable[int],
        rules: tuple[Rule, ...] | None = None,
        *,
        dry_run: bool = False,
        now: int | None = None,
    ) -> RuleRun:
        """Apply ``rules`` (default: :attr:`rules`) in order to the untriaged ones of ``story_ids``, in one transaction.

        A later rule sees what earlier ones did (a tag rule can feed a ``tag`` match). ``dry_run``
        rolls everything back and returns what would have changed.
        """
        rules = self.rules if rules is None else rules
        run = RuleRun()
        ids = sorted(set(story_ids))
        if not rules or not ids:
            return run
        now = now or _now()
        with self.tx() as c:
            c.execute("SAVEPOINT rules")
            try:
                subjects = self._subjects(c, ids, rules)
                if subjects:
                    done = {
                        tuple(r)
                        for r in c.execute(
                            "SELECT story_id, rule, action, value FROM rule_actions "
                            "WHERE story_id IN (SELECT value FROM json_each(?))",
                            (json.dumps([s.id for s in subjects]),),
                        )
                    }
                    found = _fts_hits(c, rules, [s.id for s in subjects])
                    index = WordIndex(rules)
                    for s in subjects:
                        s.candidate_of = index.rules_for(s)
                    for rule in rules:
                        self._apply_rule(c, rule, subjects, found.get(rule.name, set()), done, run, now)
            finally:
                if dry_run:
                    c.execute("ROLLBACK TO rules")
                c.execute("RELEASE rules")
        return run

    def _subjects(self, c: sqlite3.Connection, ids: list[int], rules: tuple[Rule, ...]) -> list[Subject]:
        """The untriaged stories among ``ids``. Their text is read with them when some rule reads every
        story's (a regex on it, a language), else only for the stories a words rule's full-text query finds."""
        everyone = any("language" in r.fields or (r.regex and "text" in r.fields) for r in rules)
        text = "(SELECT body FROM stories_fts WHERE rowid = s.id)" if everyone else "NULL"
        return [
            _subject(r, None if everyone else self._story_text)
            for r in c.execute(_SUBJECTS.format(text=text), (json.dumps(ids),))
        ]

    def _story_text(self, story_id: int) -> str:
        row = self.conn.execute("SELECT body FROM stories_fts WHERE rowid = ?", (story_id,)).fetchone()
        return row[0] if row else ""

    def _matching(
        self, c: sqlite3.Connection, rule: Rule, subjects: list[Subject], found: set[int], run: RuleRun
    ) -> list[Subject]:
        """The subjects ``rule`` matches. Queries run as SQL over the subjects' id range; a words rule is
        checked on title and text only where full-text search ``found`` its words."""
        if rule.query:
            where, args = self._where(replace(parse_filter(rule.query), id_range=(subjects[0].id, subjects[-1].id)))
            join = " LEFT JOIN triage t ON t.story_id = s.id" if "t.grade" in where else ""
            hits = {r[0] for r in c.execute(f"SELECT s.id FROM stories s{join}{where}", args)}
            return [s for s in subjects if s.id in hits]
        if rule.words and "tag" not in rule.fields:  # tags change as rules run: those are checked on every story
            subjects = [s for s in subjects if s.id in found or rule.name in s.candidate_of]
        indexed = ("title", "text") if rule.fts_query else ()
        try:
            return [s for s in subjects if rule.matches(s, () if s.id in found else indexed)]
        except RuleTimeout:
            run.timed_out.append(rule.name)
            return []

    def _apply_rule(
        self,
        c: sqlite3.Connection,
        rule: Rule,
        subjects: list[Subject],
        found: set[int],
        done: set[tuple],
        run: RuleRun,
        now: int,
    ) -> None:
        records: list[tuple] = []
        new_tags: list[tuple[int, int, str]] = []
        for s in self._matching(c, rule, subjects, found, run):
            for action, value in rule.actions():
                if (s.id, rule.name, action, value) in done:
                    continue
                prior = None
                if action == "tag":
                    if value in s.tags:
                        continue
                    new_tags.append((s.id, len(s.tags), value))
                    s.tags.append(value)
                elif action == "dismiss":
                    if s.state == State.DISMISSED:
                        continue
                    prior = s.state.value
                    s.state = State.DISMISSED
                records.append((s.id, rule.name, action, value, prior, now))
                done.add((s.id, rule.name, action, value))
                run.add(rule.name, s.id, action, value)
        if not records:
            return
        if new_tags:
            c.executemany("INSERT OR IGNORE INTO tags(name) VALUES (?)", sorted({(t,) for _, _, t in new_tags}))
            c.executemany(
                "INSERT INTO story_tags(story_id, tag_id, position) SELECT ?, id, ? FROM tags WHERE name = ?", new_tags
            )
        if rule.dismiss:
            c.executemany(
                "UPDATE stories SET prev_state = state, state = 'dismissed' WHERE id = ?",
                [(r[0],) for r in records if r[2] == "dismiss"],
            )
        c.executemany(
            "INSERT INTO rule_actions(story_id, rule, action, value, prior, at) VALUES (?,?,?,?,?,?)", records
        )

    def rule_actions(self, story_id: int) -> list[RuleAction]:
        """Everything rules did to a story, oldest first, undone actions included."""
        rows = self.conn.execute(
            "SELECT rule, action, value, at, undone FROM rule_actions WHERE story_id = ? "
            "ORDER BY at, rule, action, value",
            (story_id,),
        ).fetchall()
        return [RuleAction(r[0], r[1], r[2], utc(r[3]), bool(r[4])) for r in rows]

    def rule_marks(self, story_id: int) -> RuleMarks:
        live = [a for a in self.rule_actions(story_id) if not a.undone]
        kinds = {a.action: a.value for a in live}
        return RuleMarks(
            rules=tuple(dict.fromkeys(a.rule for a in live)),
            priority="priority" in kinds,
            highlight="highlight" in kinds,
            letter=kinds.get("letter", ""),
            grade=Grade.parse(kinds["grade"]) if "grade" in kinds else None,
        )

    def rule_story_ids(self, rule: str) -> list[int]:
        """The stories ``rule`` acted on and that still carry what it did."""
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT DISTINCT story_id FROM rule_actions WHERE rule = ? AND undone = 0 ORDER BY story_id", (rule,)
            )
        ]

    def undo_rule(self, story_id: int, rule: str) -> list[RuleAction]:
        """Reverse what ``rule`` did to one story; returns the actions undone.

        A tag comes off unless the story has been triaged since (its triage saved the tags it has
        then); a dismissal is reverted while the story is still dismissed.
        """
        with self.tx() as c:
            rows = c.execute(
                "SELECT action, value, prior, at FROM rule_actions WHERE story_id = ? AND rule = ? AND undone = 0",
                (story_id, rule),
            ).fetchall()
            triaged = c.execute("SELECT 1 FROM triage WHERE story_id = ?", (story_id,)).fetchone() is not None
            for action, value, prior, _ in rows:
                if action == "tag" and not triaged:
                    c.execute(
                        "DELETE FROM story_tags WHERE story_id = ? AND tag_id = (SELECT id FROM tags WHERE name = ?)",
                        (story_id, value),
                    )
                elif action == "dismiss":
                    c.execute(
                        "UPDATE stories SET prev_state = state, state = ? WHERE id = ? AND state = 'dismissed'",
                        (prior, story_id),
                    )
            c.execute("UPDATE rule_actions SET undone = 1 WHERE story_id = ? AND rule = ?", (story_id, rule))
        return [RuleAction(rule, r[0], r[1], utc(r[3]), True) for r in rows]


def _fts_hits(c: sqlite3.Connection, rules: tuple[Rule, ...], ids: list[int]) -> dict[str, set[int]]:
    """For every words rule on title or text, the stories among ``ids`` whose indexed words it could match.

    A refresh runs the rules once per feed, on a few hundred new stories: those are copied into a
    small temporary full-text index first, because in the store's own one a common word's list
    covers the whole archive and reading it per feed costs more than the matching. A large set
    (`rules apply`) reads the store's index. One statement serves all rules (a compound SELECT).
    """
    indexed = [r for r in rules if r.fts_query]
    if not indexed:
        return {}
    table, within, span = "stories_fts", " AND rowid BETWEEN ? AND ?", [ids[0], ids[-1]]
    if len(ids) <= 5000:
        c.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.rules_fts USING fts5(title, body, "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        c.execute(
            "INSERT INTO temp.rules_fts(rowid, title, body) SELECT rowid, title, body FROM stories_fts "
            "WHERE rowid IN (SELECT value FROM json_each(?))",
            (json.dumps(ids),),
        )
        table, within, span = "temp.rules_fts", "", []
    found: dict[str, set[int]] = {}
    try:
        for i in range(0, len(indexed), 100):
            chunk = indexed[i : i + 100]
            sql = " UNION ALL ".join(
                f"SELECT {n}, rowid FROM {table} WHERE {table.split('.')[-1]} MATCH ?{within}"
                for n in range(len(chunk))
            )
            for n, rowid in c.execute(sql, [v for r in chunk for v in (r.fts_query, *span)]):
                found.setdefault(chunk[n].name, set()).add(rowid)
    finally:
        if not span:
            c.execute("DELETE FROM temp.rules_fts")
    return found


def _subject(row: sqlite3.Row, text_loader: Callable[[int], str] | None) -> Subject:
    return Subject(
        id=row["id"],
        state=State(row["state"]),
        title=row["title"],
        text=row["text"] or "",
        source=row["source"],
        groups=row["groups"] or "",
        tags=row["tags"].split(",") if row["tags"] else [],
        url=row["url"],
        text_loader=text_loader,
    )
