"""Intake rules: ``[[rules]]`` of the config validated into :class:`Rule`, and whether one matches a story.

Pure logic: the store reads what rules look at into a :class:`Subject`, runs the filter-language
rules (``query``) as SQL itself, and writes what the rules do (``store/rules.py``). Regular
expressions run under :mod:`regex`'s per-match time limit, so a pathological pattern costs one
time-out, never a hung refresh.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

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


@dataclass(frozen=True)
class Rule:
    """One ``[[rules]]`` table: where it looks, what it looks for, what it does."""

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
    _singles: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    _phrases: tuple[str, ...] = field(default=(), compare=False, repr=False)
    _pattern: Any = field(default=None, compare=False, repr=False)

    def matches(self, subject: Subject, skip: tuple[str, ...] = ()) -> bool:
        """Whether a words or regex rule matches (query rules run as SQL in the store), looking in its fields
        but those in ``skip`` (ruled out by the store's full-text prefilter); may raise RuleTimeout."""
        for name in self.fields:
            if name in skip:
                continue
            if self._pattern is not None:
                try:
                    if self._pattern.search(subject.raw(name), timeout=REGEX_TIMEOUT):
                        return True
                except TimeoutError:
                    raise RuleTimeout(self.name) from None
            else:
                tokens, joined = subject.tokens(name)
                if not self._singles.isdisjoint(tokens) or any(p in joined for p in self._phrases):
                    return True
        return False

    @property
    def fts_query(self) -> str:
        """For a words rule on title or text, an FTS5 query finding every story the rule could match there.

        SQLite's tokenizer folds case and diacritics at least as far as ``lower()``, so it never
        misses one; the store checks the rule itself only on what it finds.
        """
        columns = " ".join(c for f, c in (("title", "title"), ("text", "body")) if f in self.fields)
        if not self.words or not columns:
            return ""
        terms = sorted({*self._singles, *(p.strip() for p in self._phrases)})
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


class WordIndex:
    """The words of every words rule on the fields full-text search does not index (source, group, language,
    URL), by field: one set intersection per story and field names the rules worth checking on it."""

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self._rules: dict[str, dict[str, set[str]]] = {}
        for rule in rules:
            for name in rule.fields if rule.words else ():
                if name not in ("title", "text", "tag"):
                    for key in (*rule._singles, *(p.split()[0] for p in rule._phrases)):
                        self._rules.setdefault(name, {}).setdefault(key, set()).add(rule.name)
        self._keys = {name: frozenset(words) for name, words in self._rules.items()}

    def rules_for(self, subject: Subject) -> set[str]:
        """Names of the rules whose words (a phrase's first) occur in one of the subject's unindexed fields."""
        names: set[str] = set()
        for name, keys in self._keys.items():
            for key in keys & subject.tokens(name)[0]:
                names |= self._rules[name][key]
        return names


@dataclass
class Subject:
    """What rules look at in one untriaged story; tags and state change as earlier rules act on it."""

    id: int
    state: State
    title: str
    text: str
    source: str
    groups: str
    tags: list[str]
    url: str
    candidate_of: set[str] = field(default_factory=set)
    """Rules whose words the store's indexes found in this story (full-text search, :class:`WordIndex`)."""
    text_loader: Any = field(default=None, repr=False)
    """Reads ``text`` when a rule first needs it (most stories are ruled out without it)."""
    _tokens: dict[str, tuple[frozenset[str], str]] = field(default_factory=dict, repr=False)

    def raw(self, name: str) -> str:
        if name in ("text", "language") and self.text_loader is not None:
            self.text, self.text_loader = self.text_loader(self.id), None
        if name == "tag":
            return " ".join(self.tags)
        if name == "language":
            return guess_language(self.title + "\n" + self.text)
        return getattr(self, {"group": "groups"}.get(name, name))

    def tokens(self, name: str) -> tuple[frozenset[str], str]:
        """The field's words (lower case, as full-text search folds them) as a set, and joined for phrases."""
        if name == "tag" or name not in self._tokens:
            words = _WORD.findall(self.raw(name).lower())
            self._tokens[name] = (frozenset(words), f" {' '.join(words)} ")
        return self._tokens[name]


@dataclass
class RuleRun:
    """What applying rules did (or, dry, would do): per rule, the stories changed and the count per action."""

    stories: dict[str, set[int]] = field(default_factory=dict)
    actions: dict[str, Counter[str]] = field(default_factory=dict)
    timed_out: list[str] = field(default_factory=list)
    """Rules whose regular expression ran out of time; each was skipped for the rest of the run."""

    def add(self, rule: str, story_id: int, action: str, value: str) -> None:
        self.stories.setdefault(rule, set()).add(story_id)
        self.actions.setdefault(rule, Counter())[f"{action} {value}".strip()] += 1


def parse_rules(raw: Any) -> tuple[Rule, ...]:
    """Validate ``[[rules]]``; any problem is one ConfigError naming the rule and the key."""
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        raise ConfigError("config: rules must be [[rules]] tables")
    rules: list[Rule] = []
    for n, table in enumerate(raw, start=1):
        rule = _parse_rule(table, f"rules[{n}]")
        if any(r.name == rule.name for r in rules):
            raise ConfigError(f"config: rule {rule.name!r}: name: another rule has this name")
        rules.append(rule)
    return tuple(rules)


def _parse_rule(table: dict[str, Any], where: str) -> Rule:
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"config: {where}: name: every rule needs a name (a non-empty string)")
    label = f"config: rule {name!r}"

    def bad(key: str, why: str) -> ConfigError:
        return ConfigError(f"{label}: {key}: {why}")

    known = {"name", "fields", *MATCHERS, *ACTIONS}
    for key in table:
        if key not in known:
            raise bad(key, f"unknown key (known: {', '.join(sorted(known))})")
    values: dict[str, Any] = {"name": name.strip()}
    for key in ("words", "regex", "query", "source_letter", "grade"):
        if key in table:
            if not isinstance(table[key], str) or not table[key].strip():
                raise bad(key, "must be a non-empty string")
            values[key] = table[key].strip()
    for key in ("dismiss", "priority", "highlight"):
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
    if not any(values.get(a) for a in ACTIONS):
        raise bad("tags", f"the rule does nothing: give at least one of {', '.join(ACTIONS)}")
    if "words" in values:
        terms = [
            _WORD.findall((m.group(1) if m.group(1) is not None else m.group(2)).lower())
            for m in _TERM.finditer(values["words"])
        ]
        values["_singles"] = frozenset(t[0] for t in terms if len(t) == 1)
        values["_phrases"] = tuple(f" {' '.join(t)} " for t in terms if len(t) > 1)
        if not values["_singles"] and not values["_phrases"]:
            raise bad("words", "has no words to look for")
    elif "regex" in values:
        import regex  # 13 ms to import: only a config with a regex rule needs it (the TUI's start does not)

        try:
            values["_pattern"] = regex.compile(values["regex"])
        except regex.error as exc:
            raise bad("regex", f"bad regular expression: {exc}") from None
    else:
        from tui_reader.query import QueryError, parse_filter

        try:
            parse_filter(values["query"])
        except QueryError as exc:
            raise bad("query", str(exc)) from None
    return Rule(**values)


# -- language ---------------------------------------------------------------------------

_SCRIPTS = re.compile(
    r"(?P<ar>[\u0600-\u06ff\u0750-\u077f])|(?P<he>[\u0590-\u05ff])|(?P<ru>[\u0400-\u04ff])|(?P<el>[\u0370-\u03ff])"
    r"|(?P<ja>[\u3040-\u30ff])|(?P<ko>[\uac00-\ud7af])|(?P<zh>[\u4e00-\u9fff])|(?P<hi>[\u0900-\u097f])"
    r"|(?P<th>[\u0e00-\u0e7f])|(?P<latin>[a-zA-Z\u00c0-\u024f])"
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
    scripts = Counter(m.lastgroup for m in _SCRIPTS.finditer(sample))
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
