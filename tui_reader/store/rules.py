"""Intake rules in the store: apply them to stories, record what each did, undo it, read a story's marks.

Rules act only on untriaged stories (unread or read): what the analyst triaged or dismissed is
theirs. Each action is recorded once per (story, rule), so applying the rules again changes
nothing, and an undone action is never redone.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Iterable

from msgspec import Struct
from msgspec.structs import replace

from tui_reader.models import Grade, State
from tui_reader.query import StoryQuery, parse_filter
from tui_reader.rules import Batch, Rule, RuleRun, RuleSet, RuleTimeout
from tui_reader.store.base import Conn, _now, utc
from tui_reader.store.listing import ListingMixin, fts_query

# ``s.state || ''``: the state read, not its index (the ids are the way in)
_SUBJECTS = (
    "SELECT s.id, s.state, s.title, s.url, s.source || ' ' || s.domain, {text}, {groups} "
    "FROM stories s WHERE {ids} AND s.state || '' IN ('unread', 'read') ORDER BY s.id"
)
_TAGS = (
    "SELECT st.story_id, g.name FROM story_tags st JOIN tags g ON g.id = st.tag_id "
    "WHERE {ids} ORDER BY st.story_id, st.position"
)
_DONE = "SELECT story_id, rule, action, value FROM rule_actions WHERE {ids}"
_TEXT = "(SELECT body FROM stories_fts WHERE rowid = s.id)"
_GROUPS = (
    "(SELECT {groups} FROM feeds WHERE id = s.feed_id OR id IN (SELECT feed_id FROM story_feeds WHERE story_id = s.id))"
)
CHUNK = 10_000
"""Stories one pass of the rules takes at a time (`rules apply` on the whole archive goes by chunks): a
cold refresh's in one, as each pass's statements wait for the GIL while the refresh parses."""


class RuleAction(Struct, frozen=True):
    """One thing a rule did to a story."""

    rule: str
    action: str
    """tag, dismiss, letter, grade, priority or highlight."""
    value: str
    at: datetime
    undone: bool


class RuleMarks(Struct, frozen=True):
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
        ruleset, now = _compiled(rules), now or _now()
        with self.tx() as c:
            if dry_run:
                c.execute("SAVEPOINT rules")
            try:
                if self._reads_words(ruleset):
                    c.engine.index_words(c, ids[0], ids[-1])
                found = _fts_hits(c, ruleset, ids[0], ids[-1])  # once: each query reads its words' lists once
                new = [
                    self._apply_chunk(c, ruleset, ids[i : i + CHUNK], found, run, now)
                    for i in range(0, len(ids), CHUNK)
                ]
            finally:
                if dry_run:
                    c.execute("ROLLBACK TO SAVEPOINT rules")
                    c.execute("RELEASE rules")
            if run.actions and not dry_run and not all(new):  # new stories: their insert logged the change already
                self._many_changed(c)
        return run

    def _apply_chunk(
        self,
        c: Conn,
        ruleset: RuleSet,
        ids: list[int],
        fts: dict[str, set[int]],
        run: RuleRun,
        now: int,
    ) -> bool:
        """Every rule over a chunk, in order, after what can be found for the whole chunk at once (``fts``, the
        full-text queries' finds; one SQL pass for the filter-language rules; the other fields' words), its
        writes gathered and made together. Returns whether the chunk's stories were all inserted by this
        transaction."""
        batch = self._batch(c, ids, ruleset.rules)
        if not batch.ids:
            return batch.new
        found = {name: hits & batch.ids_set for name, hits in fts.items()}  # every set in it: stories of the batch
        queries = {r.name: parse_filter(r.query, watchlists=self.watchlists) for r in ruleset.rules if r.query}
        conditions = [self._query_condition(n, q, batch) for n, q in queries.items() if not (q.tag or q.states)]
        for name, ids_ in _masked(c, conditions, batch.ids).items():
            found.setdefault(name, set()).update(ids_)
        fields = ruleset.field_hits(batch)
        writes = _Writes(now)
        for rule in ruleset.rules:
            if rule.name in run.timed_out:
                continue
            if rule.query:
                q = queries[rule.name]
                if q.tag or q.states:  # it sees what earlier rules did: run now, on what they did
                    writes.flush(c)
                    found |= _masked(c, [self._query_condition(rule.name, q, batch)], batch.ids)
                hits = found.get(rule.name, set())
            elif rule.regex:
                try:
                    hits = ruleset.regex_hits(rule, batch)
                except RuleTimeout:
                    run.timed_out.append(rule.name)
                    continue
            else:
                hits = found.get(rule.name, set()) | fields.get(rule.name, set())
                if "tag" in rule.fields:
                    hits |= {s.id for s in batch.subjects() if rule.matches(s, "tag")}
            ordered = sorted(hits)
            writes.act(rule, ruleset.actions[rule.name], ordered, batch, run)
            for i in ordered if rule.alert else ():
                run.alerts.setdefault(i, []).append(rule.name)
        writes.flush(c)
        return batch.new

    def _batch(self, c: Conn, ids: list[int], rules: tuple[Rule, ...]) -> Batch:
        """The untriaged stories among ``ids`` (each statement a GIL round trip, slow while a refresh parses):
        their text read when a rule reads it, groups when a rule looks at them (at intake, stories this
        transaction inserted come as they were inserted, unless a rule looks at groups); then, apart (a
        subquery per story cost more than the rest of the read), their tags when a rule looks at them or
        adds some, and what rules did to them before: neither for new stories, which have none."""
        looked = {f for r in rules if not r.query for f in r.fields}
        e = self.engine
        mine = self._inserted
        inserted = [row for i in ids if (row := mine.pop(i, None))]
        new = len(inserted) == len(ids)
        if new and "group" not in looked:  # intake: new stories, as inserted
            return Batch(inserted, {}, set(), new=True)
        cur = c.cursor()
        cur.row_factory = None
        listed = e.ids(ids)
        sql = _SUBJECTS.format(
            text=_TEXT if self._reads_text(rules) else "''",
            groups=_GROUPS.format(groups=e.group_concat("grp", "\n")) if "group" in looked else "''",
            ids=e.ids_in("s.id"),
        )
        rows = cur.execute(sql, (listed,)).fetchall()
        tags: dict[int, list[str]] = {}
        done: set[tuple] = set()
        if not new:
            if any("tag" in r.fields or r.tags for r in rules):
                for story_id, name in cur.execute(_TAGS.format(ids=e.ids_in("st.story_id")), (listed,)).fetchall():
                    tags.setdefault(story_id, []).append(name)
            done = {tuple(r) for r in cur.execute(_DONE.format(ids=e.ids_in("story_id")), (listed,)).fetchall()}
        return Batch(rows, tags, done, new=new)

    def _reads_words(self, ruleset: RuleSet) -> bool:
        """Whether some rule looks its words up in the full-text index: a words rule on title or text, a
        filter with words or naming a watchlist."""
        queries = (parse_filter(r.query, watchlists=self.watchlists) for r in ruleset.rules if r.query)
        return bool(ruleset.fts_queries) or any(q.text.strip() or q.watch for q in queries)

    @staticmethod
    def _reads_text(rules: tuple[Rule, ...]) -> bool:
        """Whether some rule reads the stories' text (a regex on it, a language: words rules look in the
        full-text index)."""
        return any("language" in r.fields or (r.regex and "text" in r.fields) for r in rules)

    def _query_condition(self, name: str, q: StoryQuery, batch: Batch) -> tuple[str, str, list]:
        """A filter-language rule as (name, SQL condition on ``s``, its arguments). Its words are looked up
        in the full-text index per story when its other filters let the story through, else once for the
        batch's id range."""
        where, args = self._where(replace(q, text="", id_range=(batch.ids[0], batch.ids[-1])))
        conds = [where.removeprefix(" WHERE ")] if where else []
        match, words = self.engine.match("stories_fts"), self.engine.fts(fts_query(q.text))
        if q.text.strip() and conds:
            conds.append(f"EXISTS (SELECT 1 FROM stories_fts WHERE {match} AND rowid = s.id)")
            args.append(words)
        elif q.text.strip():
            conds.append(f"s.id IN (SELECT rowid FROM stories_fts WHERE {match} AND rowid BETWEEN ? AND ?)")
            args += [words, batch.ids[0], batch.ids[-1]]
        return name, " AND ".join(conds) or "1 = 1", args

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
            if rows:
                self._changed(c, story_id, "state")
        return [RuleAction(rule, r[0], r[1], utc(r[3]), True) for r in rows]


@functools.lru_cache(maxsize=8)
def _compiled(rules: tuple[Rule, ...]) -> RuleSet:
    return RuleSet(rules)


def _masked(c: Conn, conditions: list[tuple[str, str, list]], ids: list[int]) -> dict[str, set[int]]:
    """The stories of ``ids`` (ascending) each (name, condition, arguments) finds, in one pass over them: each
    condition a bit of a mask, and only the stories with some bit set come back. Ids without a gap (intake's)
    are a range, read in order rather than looked up one by one."""
    hits: dict[str, set[int]] = {}
    if ids[-1] - ids[0] + 1 == len(ids):
        where, among = "s.id BETWEEN ? AND ?", [ids[0], ids[-1]]
    else:
        where, among = c.engine.ids_in("s.id"), [c.engine.ids(ids)]
    for i in range(0, len(conditions), 60):
        chunk = conditions[i : i + 60]
        bits = " + ".join(f"(CASE WHEN {cond} THEN {1 << n} ELSE 0 END)" for n, (_, cond, _) in enumerate(chunk))
        join = " LEFT JOIN triage t ON t.story_id = s.id" if "t.grade" in bits else ""
        sql = (
            f"SELECT id, mask FROM (SELECT s.id, {bits} AS mask FROM stories s{join} "
            f"WHERE {where}) AS m WHERE mask != 0"
        )
        for story_id, mask in c.execute(sql, [*(a for _, _, args in chunk for a in args), *among]):
            for n, (name, _, _) in enumerate(chunk):
                if mask >> n & 1:
                    hits.setdefault(name, set()).add(story_id)
    return hits


def _fts_hits(c: Conn, ruleset: RuleSet, first: int, last: int) -> dict[str, set[int]]:
    """For every words rule on title or text, the stories from ``first`` to ``last`` whose indexed words it
    could match: one statement (a compound SELECT) for all rules, each a full-text query within the id range.

    A query reads its words' lists from one end up to the range (a phrase of a word most stories hold
    costs the most): newest first when the range is the store's newest stories, as at intake into an
    archive, where reading from the oldest took 1.7x the time for the newest 800 of 10,000 stories (and
    grows with the archive). Read backwards, a list costs 1.3-1.7x as much: hence the margin."""
    found: dict[str, set[int]] = {}
    queries = ruleset.fts_queries
    if not queries:
        return found
    low, high = c.execute("SELECT min(id), max(id) FROM stories").fetchone()
    if high is None:  # no story at all (ids gone since)
        return found
    order = "DESC" if 2 * (high - first) < last - low else "ASC"
    for i in range(0, len(queries), 100):  # SQLite allows 500 terms in a compound SELECT
        chunk = queries[i : i + 100]
        sql = " UNION ALL ".join(
            f"SELECT {n}, rowid FROM (SELECT rowid FROM stories_fts WHERE {c.engine.match('stories_fts')} "
            f"AND rowid BETWEEN ? AND ? ORDER BY rowid {order}) AS q{n}"
            for n in range(len(chunk))
        )
        for n, rowid in c.execute(sql, [v for _, q in chunk for v in (c.engine.fts(q), first, last)]):
            found.setdefault(chunk[n][0], set()).add(rowid)
    return found


class _Writes:
    """What rules do to a chunk, gathered as they run and written together: a handful of statements per chunk,
    each action's stories as one group (:meth:`~tui_reader.store.base.Engine.insert_spread`)."""

    def __init__(self, now: int) -> None:
        self.now = now
        self.tags: dict[tuple[str, int], list[int]] = {}
        """(tag, position) -> the stories it goes on."""
        self.dismissed: list[int] = []
        self.records: dict[tuple[str, str, str, str | None], list[int]] = {}
        """(rule, action, value, prior state) -> the stories it was done to."""

    def act(
        self, rule: Rule, actions: list[tuple[str, str, str]], story_ids: list[int], batch: Batch, run: RuleRun
    ) -> None:
        """Record what ``rule`` does to ``story_ids`` (its ``actions``) but what it did to them before (the
        batch's ``done``; nothing, for new stories), and update the batch. A rule acts once per pass: what it
        does now is never looked up again."""
        name, done = rule.name, batch.done
        for action, value, label in actions:
            acted = []
            for i in story_ids:
                if done and (i, name, action, value) in done:
                    continue
                prior = None
                if action == "tag":
                    if value in (tags := batch.tags(i)):
                        continue
                    self.tags.setdefault((value, len(tags)), []).append(i)
                    tags.append(value)
                elif action == "dismiss":
                    if (state := batch.state(i)) is State.DISMISSED:
                        continue
                    prior = state.value
                    batch.dismissed.add(i)
                    self.dismissed.append(i)
                self.records.setdefault((name, action, value, prior), []).append(i)
                acted.append(i)
            if acted:
                run.add(name, acted, label)

    def flush(self, c: Conn) -> None:
        """Write what was gathered."""
        e = c.engine
        if self.tags:
            names = sorted({name for name, _ in self.tags})
            values = ", ".join(["(?)"] * len(names))  # one statement: executemany is a GIL round trip per row
            c.execute(f"INSERT INTO tags(name) VALUES {values} ON CONFLICT DO NOTHING", names)
            tag_ids = dict(c.execute(f"SELECT name, id FROM tags WHERE {e.ids_in('name')}", (e.ids(names),)).fetchall())
            tagged = [((tag_ids[n], p), ids) for (n, p), ids in self.tags.items()]
            e.insert_spread(c, "story_tags(story_id, tag_id, position)", tagged)
        if self.dismissed:
            c.execute(
                f"UPDATE stories SET prev_state = state, state = 'dismissed' WHERE {e.ids_in('id')}",
                (e.ids(self.dismissed),),
            )
        if self.records:
            records = [((*key, self.now), ids) for key, ids in self.records.items()]
            e.insert_spread(c, "rule_actions(story_id, rule, action, value, prior, at)", records)
        self.tags, self.dismissed, self.records = {}, [], {}
