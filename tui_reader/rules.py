"""Intake rules: ``[[rules]]`` of the config validated into :class:`Rule`, and whether one matches a story.

Pure logic: the store reads a batch of stories (:class:`Batch`), runs the full-text and
filter-language parts as SQL itself, and writes what the rules do (``store/rules.py``);
:class:`RuleSet` compiles the rules so that a batch costs a few passes, not one per rule and
story. Regular expressions run under :mod:`regex`'s per-match time limit, so a pathological
pattern costs one time-out, never a hung refresh.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
import re
import unicodedata
from collections import Counter
from typing import Any, Iterable

from msgspec import Struct, field

from tui_reader.config import ConfigError
from tui_reader.models import Grade, GradeError, State

FIELDS = ("title", "text", "source", "group", "tag", "language", "url")
MATCHERS = ("words", "regex", "query")
ACTIONS = ("tags", "dismiss", "source_letter", "grade", "priority", "highlight")
REGEX_TIMEOUT = 0.1
"""Seconds one regular-expression search may take before it counts as no match (and the rule is reported)."""

_WORD = re.compile(r"\w+")
_TERM = re.compile(r'"([^"]*)"|(\S+)')


class RuleTimeout(Exception):
    """A rule's regular expression ran out of time on a story."""


class Rule(Struct, frozen=True, dict=True):
    """One ``[[rules]]`` table: where it looks, what it looks for, what it does. Its matchers (the words split,
    the regular expression compiled) are worked out on first use and kept in its ``__dict__``, outside the
    fields, so they take no part in equality, hashing or the repr."""

    name: str
    fields: tuple[str, ...] = ("title", "text")
    words: str = ""
    regex: str = ""
    query: str = ""
    tags: tuple[str, ...] = ()
    dismiss: bool = False
    source_letter: str = ""
    grade: str = ""
    priority: bool = False
    highlight: bool = False
    alert: bool = False

    @functools.cached_property
    def _terms(self) -> tuple[frozenset[str], tuple[tuple[str, ...], ...]]:
        """The words split once, for both halves below (kept too: matching reads them per story)."""
        return word_terms(self.words)

    @functools.cached_property
    def _singles(self) -> frozenset[str]:
        return self._terms[0]

    @functools.cached_property
    def _phrases(self) -> tuple[tuple[str, ...], ...]:
        return self._terms[1]

    @functools.cached_property
    def _pattern(self) -> Any:
        return regex_module().compile(self.regex) if self.regex else None

    def matches(self, subject: Subject, name: str) -> bool:
        """Whether the rule's words or regular expression occur in one field of ``subject`` (may raise RuleTimeout)."""
        if self._pattern is not None:
            try:
                return self._pattern.search(subject.raw(name), timeout=REGEX_TIMEOUT) is not None
            except TimeoutError:
                raise RuleTimeout(self.name) from None
        return self.has_words(subject.tokens(name))

    def has_words(self, tokens: list[str]) -> bool:
        """Whether a field's words (:func:`words_of`) hold one of the rule's words or phrases."""
        return not self._singles.isdisjoint(tokens) or any(_has_phrase(tokens, p) for p in self._phrases)

    @property
    def fts_query(self) -> str:
        """For a words rule on title or text, the FTS5 query finding the stories it matches there (the index
        folds case and diacritics as :func:`words_of` does)."""
        columns = " ".join(c for f, c in (("title", "title"), ("text", "body")) if f in self.fields)
        if not self.words or not columns:
            return ""
        terms = sorted({*self._singles, *(" ".join(p) for p in self._phrases)})
        return f"{{{columns}}} : (" + " OR ".join('"' + t.replace('"', '""') + '"' for t in terms) + ")"

    def actions(self) -> list[tuple[str, str]]:
        """What the rule does, as (action, value) pairs in the order they are applied."""
        out = [("tag", t) for t in self.tags]
        out += [("dismiss", "")] if self.dismiss else []
        out += [("letter", self.source_letter)] if self.source_letter else []
        out += [("grade", self.grade)] if self.grade else []
        out += [("priority", "")] if self.priority else []
        out += [("highlight", "")] if self.highlight else []
        return out


def word_terms(words: str) -> tuple[frozenset[str], tuple[tuple[str, ...], ...]]:
    """A ``words`` value's single words and its phrases (in double quotes), as :func:`words_of` splits them."""
    terms = [words_of(m.group(1) if m.group(1) is not None else m.group(2)) for m in _TERM.finditer(words)]
    return frozenset(t[0] for t in terms if len(t) == 1), tuple(dict.fromkeys(tuple(t) for t in terms if len(t) > 1))


def words_of(text: str) -> list[str]:
    """A field's words as rules compare them: lower case without diacritics, split on anything but letters,
    digits and ``_``, as the full-text index has the words of titles and text (``remove_diacritics 2``)."""
    text = text.lower()
    if not text.isascii():
        text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return _WORD.findall(text)


def _has_phrase(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tokens[i : i + n] == list(phrase) for i, t in enumerate(tokens) if t == phrase[0])


_GROUP = re.compile(r"\(\?(?!:|P?<[A-Za-z_]|P=|<?=|#|[imxuaLf]+[:)])")
_EDGE = re.compile(r"\\[AZzGK]|[*+?}]\+")
_CONTEXT = re.compile(r"\(\?<?=|[\^$]")


def scannable(pattern: str) -> bool:
    """Whether a pattern's matches in one field all start, alike, in that field's line of a batch joined by
    newlines (searched with ``^``/``$`` per line): true unless something in it can see the end of a field
    (``\\A``, ``\\Z``, ``\\K``, negative lookarounds, DOTALL, an atomic group, a possessive quantifier,
    reversed search, flags turned off, recursion). Conservative: it rules out any group construct it does not know."""
    return not _GROUP.search(pattern) and not _EDGE.search(pattern)


class RuleSet:
    """The rules compiled for batches of stories, so that what can be found for all stories at once is.

    Words on title and text: one full-text query per rule (the store runs them in one statement).
    Words on source, group, URL or language: all rules' words in one lookup per field, word ->
    rules, each distinct value of the field split once (a feed's stories share their source).
    A regular expression: one scan of the batch's field joined by newlines (``^``/``$`` per line),
    which finds every story that may match, then the rule itself on those.
    """

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules
        self.fts_queries = [(r.name, r.fts_query) for r in rules if r.fts_query]
        self.actions = {r.name: [(a, v, f"{a} {v}".strip()) for a, v in r.actions()] for r in rules}
        """Each rule's actions as (action, value, label)."""
        self._words: dict[str, dict[str, list[Rule]]] = {}
        """Per field of :data:`STATIC`, each word of a words rule there (a phrase's first) -> those rules."""
        terms: dict[str, set[tuple[str, ...]]] = {}
        for rule in rules:
            for name in rule.fields if rule.words else ():
                if name in STATIC:
                    for word in {*rule._singles, *(p[0] for p in rule._phrases)}:
                        self._words.setdefault(name, {}).setdefault(word, []).append(rule)
                    terms.setdefault(name, set()).update([(w,) for w in rule._singles], rule._phrases)
        self._probes = {
            name: re.compile("|".join(sorted(f"[^\\w{_SEP}]+".join(map(re.escape, t)) for t in found)))
            for name, found in terms.items()
            if len(found) <= 16
        }
        """Per field, when its words and phrases are few, one search for any of them as they appear in an ASCII
        value lowered (a phrase: its words with anything but letters, digits and ``_`` between), which every
        value a rule matches holds (an alternation of many words with different first letters is slower than
        splitting every value)."""
        self._scans = {
            r.name: regex_module().compile(r.regex, flags=regex_module().MULTILINE)
            for r in rules
            if r.regex and scannable(r.regex)
        }
        self._exact = {r.name for r in rules if r.name in self._scans and not _CONTEXT.search(r.regex)}
        """Scanned rules nothing of which looks beyond its match (no ^, $, lookaround): a match found within one
        story's line is that story's match, with no need to search its field again."""

    def field_hits(self, batch: Batch) -> dict[str, set[int]]:
        """The stories whose source, group, URL or language a words rule matches, per rule. Each distinct value
        of a field is split into words once (a source, a group is the same for a feed's stories), and only
        if it may match: when the field's words and phrases are few and its values ASCII, one search of them
        all joined (:attr:`_probes`) finds the values that hold one, and only those are split."""
        hits: dict[str, set[int]] = {}
        for name, index in self._words.items():
            values, keys, probe = batch.values(name), index.keys(), self._probes.get(name)
            joined, starts = _joined(values, _SEP)
            if probe is not None and joined.isascii() and joined.count(_SEP) == len(values) - 1:
                at: Iterable[int] = sorted(
                    {bisect.bisect_right(starts, m.start()) - 1 for m in probe.finditer(joined.lower())}
                )
            else:
                at = range(len(values))
            seen: dict[str, list[str]] = {}
            for n in at:
                if (value := values[n]) not in seen:
                    tokens = words_of(value)
                    maybe = {r.name: r for w in keys & set(tokens) for r in index[w]}
                    seen[value] = [name for name, r in maybe.items() if r.has_words(tokens)]
                for rule in seen[value]:
                    hits.setdefault(rule, set()).add(batch.ids[n])
        return hits

    def regex_hits(self, rule: Rule, batch: Batch) -> set[int]:
        """The stories ``rule``'s regular expression matches in one of its fields (may raise RuleTimeout)."""
        hits: set[int] = set()
        for name in rule.fields:
            for story_id, certain in self._candidates(rule, batch, name):
                if story_id not in hits and (certain or rule.matches(batch.subject(story_id), name)):
                    hits.add(story_id)
        return hits

    def _candidates(self, rule: Rule, batch: Batch, name: str) -> list[tuple[int, bool]]:
        """The stories whose field ``name`` may match, and whether it certainly does. A match in one story's
        field is a match starting in its line of the joined batch, as nothing in a scannable pattern sees
        past the newline differently; for an exact one, a match ending there too is the story's. One pass
        finds the first match of each line, but a match running into the next line: the pass starts again
        at that line, as a match there may start under it."""
        scan, ids = self._scans.get(rule.name), batch.ids
        if scan is None or len(ids) < 2:
            return [(i, False) for i in ids]
        joined, starts = batch.joined(name)
        found: list[tuple[int, bool]] = []
        pos: int | None = 0
        exact, last = rule.name in self._exact, -1
        try:
            while pos is not None:
                matches, pos = scan.finditer(joined, pos, timeout=REGEX_TIMEOUT), None
                for m in matches:
                    n = bisect.bisect_right(starts, m.start()) - 1
                    end = starts[n + 1] - 1 if n + 1 < len(ids) else len(joined)
                    if n != last:
                        found.append((ids[n], exact and m.end() <= end))
                        last = n
                    if m.end() > end:
                        pos = starts[n + 1]
                        break
        except TimeoutError:  # look story by story, each search with its own time limit
            return [(i, False) for i in ids]
        return found


STATIC = ("source", "group", "url", "language")
"""Fields whose words :meth:`RuleSet.field_hits` looks up (tags change while rules run)."""
_STATES = {s.value: s for s in State}


class Batch:
    """The untriaged stories of one pass of the rules, as rows of (id, state, title, url, source, text, groups),
    with their tags and what rules did to them, each made a :class:`Subject` only when a rule needs to look at
    one (no rule matches most stories); their tags and state as earlier rules of the pass left them."""

    _COLUMNS = {"title": 2, "url": 3, "source": 4, "text": 5, "group": 6}

    def __init__(self, rows: list[tuple], tags: dict[int, list[str]], done: set[tuple], *, new: bool) -> None:
        self.rows = rows
        self.new = new
        """Whether these stories were all inserted by the open transaction (intake)."""
        self._tags = tags
        self.ids = [r[0] for r in rows]
        self.ids_set = set(self.ids)
        self._at = {r[0]: n for n, r in enumerate(rows)}
        self._subjects: dict[int, Subject] = {}
        self.dismissed: set[int] = set()
        """Stories a rule of this pass dismissed."""
        self._joined: dict[str, tuple[str, list[int]]] = {}
        self._values: dict[str, list[str]] = {}
        self.done = done
        """(story, rule, action, value) of everything rules did to these stories before, undone or not."""

    def subject(self, story_id: int) -> Subject:
        if (s := self._subjects.get(story_id)) is None:
            r = self.rows[self._at[story_id]]
            s = Subject(r[0], r[2], r[5] or "", r[4], r[6] or "", self.tags(story_id), r[3])
            self._subjects[story_id] = s
        return s

    def tags(self, story_id: int) -> list[str]:
        """The story's tags, which rules add to."""
        return self._tags.setdefault(story_id, [])

    def state(self, story_id: int) -> State:
        return State.DISMISSED if story_id in self.dismissed else _STATES[self.rows[self._at[story_id]][1]]

    def subjects(self) -> list[Subject]:
        return [self.subject(i) for i in self.ids]

    def values(self, name: str) -> list[str]:
        """Field ``name`` of every story, in order (tags excepted: they change as rules run)."""
        if name not in self._values:
            if name == "language":
                self._values[name] = [guess_language(r[2] + "\n" + (r[5] or "")) for r in self.rows]
            else:
                n = self._COLUMNS[name]
                self._values[name] = [r[n] or "" for r in self.rows]
        return self._values[name]

    def joined(self, name: str) -> tuple[str, list[int]]:
        """Field ``name`` of every story joined by newlines, and where each story's starts (tags as they are
        now: earlier rules may have added some)."""
        if name == "tag":
            return _joined([" ".join(self._tags.get(i, ())) for i in self.ids])
        if name not in self._joined:
            self._joined[name] = _joined(self.values(name))
        return self._joined[name]


def _joined(texts: list[str], sep: str = "\n") -> tuple[str, list[int]]:
    """``texts`` joined by ``sep`` (one character), and where each starts."""
    starts = map(operator.add, itertools.accumulate(map(len, texts), initial=0), itertools.count())
    return sep.join(texts), list(starts)[:-1]


_SEP = "\x1e"
"""What :meth:`RuleSet.field_hits` joins a field's values with: no phrase it looks for may run across it (and
no field with one in a value is searched so)."""


@functools.cache
def regex_module() -> Any:
    """:mod:`regex`, imported on first use (13 ms: the TUI's start does without it when no rule has a regex)."""
    import regex

    return regex


class Subject(Struct):
    """What rules look at in one untriaged story; its tags change as earlier rules act on it."""

    id: int
    title: str
    text: str
    """The story's text, read only when a rule needs it (a regex on it, a language); else ""."""
    source: str
    groups: str
    tags: list[str]
    url: str
    _tokens: dict[str, list[str]] = field(default_factory=dict)

    def raw(self, name: str) -> str:
        if name == "title":
            return self.title
        if name == "tag":
            return " ".join(self.tags)
        if name == "language":
            return guess_language(self.title + "\n" + self.text)
        return getattr(self, {"group": "groups"}.get(name, name))

    def tokens(self, name: str) -> list[str]:
        """The field's words (:func:`words_of`); tags are split afresh, as rules add them."""
        if name == "tag" or name not in self._tokens:
            self._tokens[name] = words_of(self.raw(name))
        return self._tokens[name]


class RuleRun(Struct):
    """What applying rules did (or, dry, would do): per rule, the stories changed and the count per action."""

    stories: dict[str, set[int]] = field(default_factory=dict)
    actions: dict[str, Counter[str]] = field(default_factory=dict)
    timed_out: list[str] = field(default_factory=list)
    """Rules whose regular expression ran out of time; each was skipped for the rest of the run."""
    alerts: dict[int, list[str]] = field(default_factory=dict)
    """Stories alerting rules (``alert = true``, watchlists) matched: story id -> their names, in rule order."""

    def add(self, rule: str, story_ids: list[int], label: str) -> None:
        """``rule`` did ``label`` (an action and its value, e.g. "tag syria") to these stories."""
        if rule not in self.actions:
            self.stories[rule], self.actions[rule] = set(), Counter()
        self.stories[rule].update(story_ids)
        self.actions[rule][label] += len(story_ids)


def parse_rules(raw: Any, watchlists: tuple = ()) -> tuple[Rule, ...]:
    """Validate ``[[rules]]`` (their queries may name ``watchlists``); any problem is one ConfigError naming
    the rule and the key."""
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        raise ConfigError("config: rules must be [[rules]] tables")
    rules: list[Rule] = []
    for n, table in enumerate(raw, start=1):
        rule = _parse_rule(table, f"rules[{n}]", watchlists)
        if any(r.name == rule.name for r in rules):
            raise ConfigError(f"config: rule {rule.name!r}: name: another rule has this name")
        rules.append(rule)
    return tuple(rules)


def _parse_rule(table: dict[str, Any], where: str, watchlists: tuple) -> Rule:
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"config: {where}: name: every rule needs a name (a non-empty string)")
    label = f"config: rule {name!r}"

    def bad(key: str, why: str) -> ConfigError:
        return ConfigError(f"{label}: {key}: {why}")

    if name.strip().lower().startswith("watch:"):
        raise bad("name", "watch: names a watchlist; call the rule something else")
    known = {"name", "fields", "alert", *MATCHERS, *ACTIONS}
    for key in table:
        if key not in known:
            raise bad(key, f"unknown key (known: {', '.join(sorted(known))})")
    values: dict[str, Any] = {"name": name.strip()}
    for key in ("words", "regex", "query", "source_letter", "grade"):
        if key in table:
            if not isinstance(table[key], str) or not table[key].strip():
                raise bad(key, "must be a non-empty string")
            values[key] = table[key].strip()
    for key in ("dismiss", "priority", "highlight", "alert"):
        if key in table:
            if not isinstance(table[key], bool):
                raise bad(key, "must be true or false")
            values[key] = table[key]
    given = [m for m in MATCHERS if m in values]
    if len(given) != 1:
        raise bad("words, regex or query", f"give exactly one of them, not {len(given)}")
    if "fields" in table:
        fields_ = table["fields"]
        if isinstance(fields_, str):
            fields_ = [fields_]
        if not isinstance(fields_, list) or not fields_ or not all(isinstance(f, str) for f in fields_):
            raise bad("fields", f"must be a list of: {', '.join(FIELDS)}")
        unknown = [f for f in fields_ if f not in FIELDS]
        if unknown:
            raise bad("fields", f"unknown field {unknown[0]!r} (known: {', '.join(FIELDS)})")
        if "query" in values:
            raise bad("fields", "does not apply to a query (its filters say where to look)")
        values["fields"] = tuple(dict.fromkeys(fields_))
    if "tags" in table:
        from tui_reader.triage import parse_tags

        tags = table["tags"]
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags) or not parse_tags(",".join(tags)):
            raise bad("tags", 'must be a list of tag names, e.g. ["syria"]')
        values["tags"] = parse_tags(",".join(tags))
    if "source_letter" in values:
        values["source_letter"] = values["source_letter"].upper()
        if values["source_letter"] not in "ABCDEF" or len(values["source_letter"]) != 1:
            raise bad("source_letter", "must be one reliability letter A-F")
    if "grade" in values:
        try:
            values["grade"] = Grade.parse(values["grade"]).code
        except GradeError as exc:
            raise bad("grade", str(exc)) from None
    if not any(values.get(a) for a in (*ACTIONS, "alert")):
        raise bad("tags", f"the rule does nothing: give at least one of {', '.join(ACTIONS)}, alert")
    if "words" in values:
        if not any(word_terms(values["words"])):
            raise bad("words", "has no words to look for")
    elif "regex" in values:
        try:
            regex_module().compile(values["regex"])  # the rule's own compile (:attr:`Rule._pattern`) hits its cache
        except regex_module().error as exc:
            raise bad("regex", f"bad regular expression: {exc}") from None
    else:
        from tui_reader.query import QueryError, parse_filter

        try:
            parse_filter(values["query"], watchlists=watchlists)
        except QueryError as exc:
            raise bad("query", str(exc)) from None
    return Rule(**values)


# -- language ---------------------------------------------------------------------------


@functools.cache
def _scripts() -> re.Pattern[str]:
    """The scripts' letters, compiled at the first guess: their ranges take 19 M instructions to compile, which the
    TUI's first frame (it guesses nothing) paid for at import."""
    return re.compile(
        r"(?P<ar>[\u0600-\u06ff\u0750-\u077f])|(?P<he>[\u0590-\u05ff])|(?P<ru>[\u0400-\u04ff])"
        r"|(?P<el>[\u0370-\u03ff])|(?P<ja>[\u3040-\u30ff])|(?P<ko>[\uac00-\ud7af])|(?P<zh>[\u4e00-\u9fff])"
        r"|(?P<hi>[\u0900-\u097f])|(?P<th>[\u0e00-\u0e7f])|(?P<latin>[a-zA-Z\u00c0-\u024f])"
    )


_REFINE = {"ar": (("ur", "ٹڈڑںے"), ("fa", "پچژگکی")), "ru": (("uk", "іїєґ"),)}
_FUNCTION_WORDS = {
    "en": "the and of to in is that for on with was said",
    "fr": "le la les des et est une dans pour que qui du sur",
    "de": "der die das und ist nicht mit den von zu ein sich",
    "es": "el los las del que por una con para se es y",
    "it": "il di che della per una sono con non gli nel alla",
    "pt": "o os da do das dos que em uma para com não",
    "nl": "de het een van en is dat op niet met zijn voor",
    "tr": "ve bir bu için ile olarak ama çok gibi daha",
    "id": "yang dan di dari untuk dengan ini itu tidak pada",
    "pl": "i w na nie się że z do jest jak",
    "sv": "och att det som en på är för med inte av",
}
_FUNCTION_SETS = {lang: frozenset(words.split()) for lang, words in _FUNCTION_WORDS.items()}


def guess_language(text: str) -> str:
    """A two-letter language code guessed from a story's words, or "" (feeds rarely say, per story).

    The script decides where it is unique to a language or nearly (Arabic, Persian, Urdu, Hebrew,
    Russian, Ukrainian, Greek, Japanese, Korean, Chinese, Hindi, Thai); Latin-script text goes
    to the language whose commonest function words it uses most.
    """
    sample = text[:600]
    scripts = Counter(m.lastgroup for m in _scripts().finditer(sample))
    if not scripts:
        return ""
    if scripts["ja"]:
        return "ja"
    script = scripts.most_common(1)[0][0] or ""
    if script != "latin":
        return next((lang for lang, letters in _REFINE.get(script, ()) if any(ch in sample for ch in letters)), script)
    words = _WORD.findall(sample.casefold())
    votes = {lang: sum(w in common for w in words) for lang, common in _FUNCTION_SETS.items()}
    lang, n = max(votes.items(), key=lambda kv: kv[1])
    return lang if n else ""
