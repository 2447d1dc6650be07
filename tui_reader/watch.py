"""Watchlists and alerts: named lists of terms found wherever they occur, and word of new stories that hold one.

A watchlist changes nothing in the store: ``watch:NAME`` finds its stories through the full-text
index, the list and the reader mark and highlight its terms (:class:`WatchMatcher`), and intake
alerts on a new story holding one, as on one a rule with ``alert = true`` matched (the rules
machinery finds both: :func:`watch_rules`). An alert reaches the TUI as a toast and the bell, and
a configured ``notify_command`` as JSON on its stdin (:func:`notify`).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import signal
import subprocess
import tempfile
import unicodedata
from typing import TYPE_CHECKING, Any, Iterable

from msgspec import Struct

from tui_reader.config import ConfigError
from tui_reader.rules import Rule, word_terms
from tui_reader.sanitize import clean_line

if TYPE_CHECKING:
    from tui_reader.store import Store

WATCH_PREFIX = "watch:"
"""How a watchlist names itself among the rules (no rule may be called so)."""


class Watchlist(Struct, frozen=True):
    """One ``[[watchlists]]`` table: a name and its terms (words or phrases, spelling variants included)."""

    name: str
    terms: tuple[str, ...]

    @property
    def fts_match(self) -> str:
        """An FTS5 query finding every story holding one of the terms, whole words, in any column."""
        singles, phrases = word_terms(self.words)
        terms = sorted({*singles, *(" ".join(p) for p in phrases)})
        return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)

    @property
    def words(self) -> str:
        """The terms as a rule's ``words`` (each a quoted phrase)."""
        return " ".join('"' + t.replace('"', " ") + '"' for t in self.terms)


def parse_watchlists(raw: Any) -> tuple[Watchlist, ...]:
    """Validate ``[[watchlists]]``; a problem is one ConfigError naming the watchlist and the key."""
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        raise ConfigError("config: watchlists must be [[watchlists]] tables")
    out: list[Watchlist] = []
    for n, table in enumerate(raw, start=1):
        name = table.get("name")
        if not isinstance(name, str) or not re.fullmatch(r"[\w-]+", name.strip()):
            raise ConfigError(
                f"config: watchlists[{n}]: name: every watchlist needs a name of letters, digits, - or _ "
                "(for watch:NAME)"
            )
        name = name.strip()
        label = f"config: watchlist {name!r}"
        for key in table:
            if key not in ("name", "terms"):
                raise ConfigError(f"{label}: {key}: unknown key (known: name, terms)")
        terms = table.get("terms")
        if (
            not isinstance(terms, list)
            or not terms
            or not all(isinstance(t, str) and any(word_terms(t)) for t in terms)
        ):
            raise ConfigError(f'{label}: terms: must be a list of words or phrases, e.g. ["Abu Kamal", "Bokamal"]')
        if any(w.name.lower() == name.lower() for w in out):
            raise ConfigError(f"{label}: name: another watchlist has this name")
        out.append(Watchlist(name, tuple(dict.fromkeys(t.strip() for t in terms))))
    return tuple(out)


def watch_rules(watchlists: Iterable[Watchlist]) -> tuple[Rule, ...]:
    """Each watchlist as a rule that only alerts (it records nothing on the story), for intake."""
    return tuple(Rule(WATCH_PREFIX + w.name, ("title", "text"), words=w.words, alert=True) for w in watchlists)


def find_watchlist(watchlists: Iterable[Watchlist], name: str) -> Watchlist | None:
    return next((w for w in watchlists if w.name.lower() == name.lower()), None)


# -- highlighting ------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """One character lower-cased without its diacritics, if that is still one character (else as it is)."""
    low = ch.lower()
    base = "".join(c for c in unicodedata.normalize("NFD", low) if not unicodedata.combining(c))
    return base if len(base) == 1 else (low if len(low) == 1 else ch)


def fold_same_length(text: str) -> str:
    """``text`` lower case without diacritics, character for character, so spans found in it are spans of
    ``text`` (as the full-text index folds words, so a highlight shows what ``watch:`` found)."""
    return text.lower() if text.isascii() else "".join(_fold_char(c) for c in text)


class WatchMatcher:
    """Where the terms of some watchlists occur in a text: whole words, in any case, accents ignored."""

    def __init__(self, watchlists: Iterable[Watchlist]) -> None:
        self._owner: dict[str, str] = {}
        patterns = []
        for w in watchlists:
            singles, phrases = word_terms(w.words)
            for words in [(s,) for s in singles] + list(phrases):
                key = " ".join(words)
                self._owner.setdefault(key, w.name)
                patterns.append((key, r"[\W_]+".join(re.escape(x) for x in words)))
        patterns.sort(key=lambda p: len(p[0]), reverse=True)  # the longer phrase first where two start alike
        self._re = re.compile(r"(?<!\w)(?:" + "|".join(p for _, p in patterns) + r")(?!\w)") if patterns else None

    def __bool__(self) -> bool:
        return self._re is not None

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, watchlist name) of every term in ``text``."""
        if self._re is None:
            return []
        return [
            (m.start(), m.end(), self._owner.get(_key(m.group()), ""))
            for m in self._re.finditer(fold_same_length(text))
        ]

    def names(self, text: str) -> list[str]:
        """The watchlists with a term in ``text``, in the order of their first term."""
        return list(dict.fromkeys(name for _, _, name in self.spans(text)))


def _key(found: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", found))


# -- alerts ------------------------------------------------------------------------------


class Alert(Struct, frozen=True):
    """A new story a watchlist or an alerting rule matched."""

    story_id: int
    title: str
    url: str
    source: str
    published: str
    """ISO 8601, or ""."""
    reasons: tuple[str, ...]
    """What matched: rule names, ``watch:NAME`` for watchlists."""

    def as_json(self) -> str:
        return json.dumps(
            {
                "id": self.story_id,
                "title": self.title,
                "url": self.url,
                "source": self.source,
                "published": self.published,
                "matched": list(self.reasons),
            },
            ensure_ascii=False,
        )


def alerts_for(store: Store, found: dict[int, list[str]]) -> list[Alert]:
    """The alerts of a refresh (:attr:`RefreshReport.alerts`), oldest story first, read from the store."""
    out = []
    for story_id, reasons in sorted(found.items()):
        if (story := store.story(story_id)) is not None:
            published = story.published.isoformat() if story.published else ""
            out.append(Alert(story.id, story.title, story.url, story.source, published, tuple(reasons)))
    return out


def notify(command: tuple[str, ...], alerts: Iterable[Alert], timeout: float) -> list[str]:
    """Run ``command`` (an argument list, never a shell) once per alert, the story as JSON on its stdin, each
    run cut off after ``timeout`` seconds (its whole process group). Returns one line per failure and never
    raises; its stdout is discarded and its stderr kept in a temporary file, of which only the last line
    is read, so a command that floods either cannot block or swell tui-reader."""
    problems: list[str] = []
    for alert in alerts:
        with tempfile.TemporaryFile() as err:
            try:
                proc = subprocess.Popen(
                    list(command),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=err,
                    start_new_session=True,
                )
            except OSError as exc:
                problems.append(f"notify_command could not run ({exc.strerror or exc}): {command[0]}")
                break  # it will not run for the next story either
            try:
                proc.communicate(alert.as_json().encode(), timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(OSError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                problems.append(f"notify_command took longer than {timeout:g} s on story {alert.story_id}: stopped")
                continue
            if proc.returncode:
                err.seek(max(0, err.seek(0, os.SEEK_END) - 4096))
                last = err.read().decode(errors="replace").strip().splitlines()[-1:]
                problems.append(
                    f"notify_command failed on story {alert.story_id} (exit {proc.returncode})"
                    + (f": {clean_line(last[0], max_len=200)}" if last else "")
                )
    return problems
