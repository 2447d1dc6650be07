"""Typed settings read from ``config.toml``.

A missing file means defaults. A bad file raises :class:`ConfigError` whose message is one
line naming the offending key, so the CLI can print it instead of a traceback.
"""

from __future__ import annotations

import getpass
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from msgspec import Struct, field
from msgspec.structs import replace

from tui_reader.errors import ConfigError
from tui_reader.urls import is_postgresql_url, without_password

if TYPE_CHECKING:
    from tui_reader.rules import Rule
    from tui_reader.watch import Watchlist


class FetchSettings(Struct, frozen=True):
    concurrency: int = 0
    """Requests in flight at once, over all hosts; 0 chooses for this machine (:attr:`in_flight`)."""
    per_host: int = 2
    """Requests in flight at once to one host (politeness)."""
    connect_timeout: float = 10.0
    """Seconds to wait for a connection."""
    read_timeout: float = 30.0
    """Seconds to wait between bytes of a response."""
    max_body_mb: float = 10.0
    """Abort a download beyond this size (MiB)."""
    max_redirects: int = 5
    """Redirects followed before giving up."""
    retries: int = 2
    """Retries on connection errors and 429/503 (with backoff, Retry-After honoured)."""
    max_retry_after: float = 30.0
    """Cap on a server's Retry-After, in seconds."""
    prefetch_articles: int = 0
    """After a refresh, fetch article pages of the N newest stories ahead of time."""
    auto_refresh_minutes: int = 0
    """While the TUI is open, refresh every N minutes in the background (0: only when you press r)."""
    user_agent: str = ""
    """User-Agent header; empty means tui-reader's own descriptive default."""

    @property
    def in_flight(self) -> int:
        """``concurrency``, or for 0 a quarter of the open-file limit, 16 to 512.

        A feed refresh waits on the network, not the CPU (parsing is ~20x faster than a response
        arrives), so a few hundred feeds over real latency finish with the slowest server only when
        they are all asked at once; sockets are what runs out, and a quarter of the limit leaves the
        store, pipes and terminal their descriptors. 512 is where other readers stop too.
        """
        if self.concurrency:
            return self.concurrency
        try:
            import resource

            soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        except (ImportError, OSError, ValueError):  # no rlimits (Windows): a modest guess
            return 64
        return 512 if soft == resource.RLIM_INFINITY else max(16, min(512, soft // 4))


class UISettings(Struct, frozen=True):
    theme: str = "textual-dark"
    """Any Textual theme name, e.g. textual-dark, textual-light, nord, gruvbox."""
    show_feeds: bool = True
    """Show the feeds panel beside the list (it collapses on narrow terminals anyway)."""


class ClusterSettings(Struct, frozen=True):
    window_hours: float = 72.0
    """Stories further apart in time than this never cluster."""
    threshold: float = 0.4
    """Estimated Jaccard similarity of shingles above which two stories are the same event."""


class PathSettings(Struct, frozen=True):
    briefing_dir: str = ""
    """Where the daily YYYY-MM-DD.md notes go; empty means the default location."""
    data_dir: str = ""
    """Where the SQLite store lives; empty means the default location."""


class StoreSettings(Struct, frozen=True):
    url: str = ""
    """A PostgreSQL store a team shares, ``postgresql://user@host/db`` (``TUI_READER_STORE_URL`` overrides);
    empty means the SQLite file in ``data_dir``."""


class RetentionSettings(Struct, frozen=True):
    keep_days: int = 0
    """Purge untriaged stories older than this many days after each refresh (0: keep everything)."""


class BriefSettings(Struct, frozen=True):
    structured: bool = False
    """Start each day's note as a structured brief: BLUF, key judgements, sourcing lines, what is new."""


class AlertSettings(Struct, frozen=True):
    notify_command: tuple[str, ...] = ()
    """A command run for each new story a watchlist or an ``alert = true`` rule matched, the story as JSON
    on its stdin: an argument list, never a shell, e.g. ["notify-send-story", "--urgent"]; () = none."""
    notify_timeout: float = 10.0
    """Seconds the command may take on one story before it is stopped (and the failure reported)."""
    bell: bool = True
    """Ring the terminal bell with the TUI's alert toast."""


_NAME = re.compile(r"\w[\w.\- ]{0,31}")
"""An analyst's name: a word character, then up to 31 of them, dots, hyphens or spaces (no markup, no controls)."""


def analyst_name(text: str) -> str | None:
    """``text`` as an analyst's name (stripped), or None when it is not a short printable name."""
    name = text.strip()
    return name if _NAME.fullmatch(name) and name.isprintable() else None


def login_name() -> str:
    """The login name, the default ``[user] name``; "analyst" when there is none or it is not a usable name."""
    try:
        return analyst_name(getpass.getuser()) or "analyst"
    except (OSError, KeyError, ImportError):  # no LOGNAME/USER and no passwd entry (a bare container)
        return "analyst"


class UserSettings(Struct, frozen=True):
    name: str = field(default_factory=login_name)
    """Who you are on a shared store: recorded on every triage, dismissal, grade and note, shown to colleagues
    (up to 32 letters, digits, dots, hyphens or spaces; default: the login name)."""


class Settings(Struct, frozen=True):
    paths: PathSettings = field(default_factory=PathSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    fetch: FetchSettings = field(default_factory=FetchSettings)
    ui: UISettings = field(default_factory=UISettings)
    cluster: ClusterSettings = field(default_factory=ClusterSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    brief: BriefSettings = field(default_factory=BriefSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    user: UserSettings = field(default_factory=UserSettings)
    keys: dict[str, str] = field(default_factory=dict)
    """Key remapping: binding id -> key(s), e.g. ``dismiss = "d"``."""
    rules: tuple[Rule, ...] = ()
    """Intake rules (``[[rules]]``), in the order they apply."""
    saved: dict[str, str] = field(default_factory=dict)
    """Saved searches: name -> a query in the filter language of ``/``."""
    watchlists: tuple[Watchlist, ...] = ()
    """Watchlists (``[[watchlists]]``): named lists of terms, ``watch:NAME`` in the filter language."""


_SECTIONS = {
    "paths": PathSettings,
    "store": StoreSettings,
    "fetch": FetchSettings,
    "ui": UISettings,
    "cluster": ClusterSettings,
    "retention": RetentionSettings,
    "brief": BriefSettings,
    "alerts": AlertSettings,
    "user": UserSettings,
}


def _coerce(key: str, value: Any, default: Any) -> Any:
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        raise ConfigError(f"config: {key} must be true or false, got {value!r}")
    if isinstance(default, int):
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        raise ConfigError(f"config: {key} must be a whole number >= 0, got {value!r}")
    if isinstance(default, float):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            return float(value)
        raise ConfigError(f"config: {key} must be a positive number, got {value!r}")
    if isinstance(default, str):
        if isinstance(value, str):
            return value
        raise ConfigError(f"config: {key} must be a string, got {value!r}")
    if isinstance(default, tuple):
        if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
            return tuple(value)
        raise ConfigError(f'config: {key} must be a list of strings (an argument list), e.g. ["cmd", "--flag"]')
    raise ConfigError(f"config: {key} has an unsupported value {value!r}")  # pragma: no cover


def parse_settings(data: dict[str, Any]) -> Settings:
    """Validate a parsed TOML mapping into :class:`Settings`."""
    settings = Settings()
    if "watchlists" in data:  # first: rules and saved searches may say watch:NAME
        from tui_reader.watch import parse_watchlists

        settings = replace(settings, watchlists=parse_watchlists(data["watchlists"]))
    for section, value in data.items():
        if section == "watchlists":
            continue
        if section == "keys":
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()
            ):
                raise ConfigError('config: [keys] must map binding names to key strings, e.g. dismiss = "d"')
            settings = replace(settings, keys=dict(value))
            continue
        if section == "saved":
            settings = replace(settings, saved=_parse_saved(value, settings.watchlists))
            continue
        if section == "rules":
            from tui_reader.rules import parse_rules  # it imports this module for ConfigError

            settings = replace(settings, rules=parse_rules(value, settings.watchlists))
            continue
        cls = _SECTIONS.get(section)
        if cls is None:
            sections = ", ".join([*_SECTIONS, "keys", "rules", "saved", "watchlists"])
            raise ConfigError(f"config: unknown section [{section}] (known: {sections})")
        if not isinstance(value, dict):
            raise ConfigError(f"config: [{section}] must be a table")
        current = getattr(settings, section)
        known = cls.__struct_fields__
        updates = {}
        for key, raw in value.items():
            if key not in known:
                raise ConfigError(f"config: unknown key {section}.{key}")
            updates[key] = _coerce(f"{section}.{key}", raw, getattr(current, key))
        if section == "user" and "name" in updates:
            if (name := analyst_name(updates["name"])) is None:
                raise ConfigError(
                    "config: user.name must be a short name (up to 32 letters, digits, dots, hyphens or spaces), "
                    f"got {updates['name'][:40]!r}"
                )
            updates["name"] = name
        settings = replace(settings, **{section: replace(current, **updates)})
    check_store_url("config: store.url", settings.store.url)
    return settings


STORE_URL_ENV = "TUI_READER_STORE_URL"
"""The environment variable that overrides ``[store] url``."""


def check_store_url(key: str, url: str) -> None:
    """A store URL must be empty (SQLite) or a ``postgresql://`` URL naming a database: else one ConfigError."""
    if not url:
        return
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port that is no number raises here
    except ValueError as exc:
        raise ConfigError(f"{key} is not a URL ({exc})") from None
    if not is_postgresql_url(url) or not url.isprintable() or " " in url:
        raise ConfigError(
            f"{key} must be a PostgreSQL URL such as postgresql://user@host/db "
            f"(or empty for the SQLite store), got {without_password(url)!r}"
        )


def _parse_saved(value: Any, watchlists: tuple[Watchlist, ...]) -> dict[str, str]:
    """``[saved]`` name = "query": every query must parse, so a typo shows at start, not when it is used."""
    from tui_reader.query import QueryError, parse_filter

    if not isinstance(value, dict):
        raise ConfigError('config: [saved] must map names to filter queries, e.g. syria = "tag:syria since:2d"')
    for name, query in value.items():
        if not isinstance(query, str) or not query.strip():
            raise ConfigError(f"config: saved.{name} must be a filter query (a non-empty string)")
        try:
            parse_filter(query, watchlists=watchlists)
        except QueryError as exc:
            raise ConfigError(f"config: saved.{name}: {exc}") from None
    return dict(value)


def read_config(path: Path) -> dict[str, Any]:
    """The config file as a TOML mapping, unvalidated; a missing file is an empty one."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"config: cannot read {path}: {exc.strerror}") from None
    import tomllib  # here: 8.6 M instructions to import, which a start without a config file does not need

    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"config: {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config: {path} is not valid TOML: {exc}") from None


def settings_from(data: dict[str, Any]) -> Settings:
    """Settings of the config mapping ``data``, then ``TUI_READER_STORE_URL``, which names the store over it."""
    settings = parse_settings(data)
    if url := os.environ.get(STORE_URL_ENV, "").strip():
        check_store_url(STORE_URL_ENV, url)
        settings = replace(settings, store=StoreSettings(url))
    return settings


def load_settings(path: Path) -> Settings:
    """Read settings from ``path`` (a missing file gives the defaults), then ``TUI_READER_STORE_URL``."""
    return settings_from(read_config(path))


SHARED = ("rules", "watchlists")
"""The config's tables a desk shares through the store (``tui-reader rules share``)."""


def with_shared(data: dict[str, Any], shared: dict[str, list], by: str) -> Settings:
    """Settings of the config ``data`` with the tables shared through the store (``by`` whom) before its own:
    shared rules apply first, and an own rule or watchlist of the same name takes the shared one's place."""
    merged = dict(data)
    for key in SHARED:
        own = data.get(key, [])
        names = {t.get("name") for t in own if isinstance(t, dict)} if isinstance(own, list) else set()
        theirs = [t for t in shared.get(key, []) if not (isinstance(t, dict) and t.get("name") in names)]
        if theirs:
            merged[key] = theirs + (own if isinstance(own, list) else [own])
    try:
        return settings_from(merged)
    except ConfigError as exc:  # the analyst's own config parsed before: the shared tables are at fault
        raise ConfigError(
            f"{exc} (shared through the store by {by or 'someone'}: `tui-reader rules share` replaces them)"
        ) from None
