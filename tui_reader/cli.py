"""The command line: parse arguments, build paths/settings/store, call the core or the app.

Headless commands never import Textual, so ``tui-reader fetch`` from cron starts fast.
Every user-facing failure is one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from msgspec import Struct, field
from msgspec.structs import replace

from tui_reader import __version__
from tui_reader.config import Settings, StoreSettings, check_store_url, read_config, settings_from
from tui_reader.errors import UsageError, UserError
from tui_reader.models import FetchStatus
from tui_reader.paths import Paths

if TYPE_CHECKING:  # imported by build_parser: a plain `tui-reader` never builds it (see tui_only)
    import argparse

PIPE_CLOSED = 141
"""Exit status when the reader of our output went away (``| head``): 128 + SIGPIPE, what a shell reports for ``ls``."""
NO_FEEDS = "no feeds yet: add one with `tui-reader add URL` or `tui-reader import-opml FILE`"


class Context(Struct):
    paths: Paths
    own: Settings
    """The analyst's config as it is; :attr:`settings` adds what the desk shares through the store."""
    config: dict = field(default_factory=dict)
    """The config file's TOML, for :func:`~tui_reader.config.with_shared`."""
    _store: object = None
    _settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        """The config with the rules and watchlists shared through the store (``rules share``), once the store
        exists: a command that never opened it reads it here, so intake and ``rules apply`` see them too."""
        if self._settings is None:
            if not self.has_store:
                return self.own
            self.store  # noqa: B018  (opening it reads what is shared)
        assert self._settings is not None
        return self._settings

    @property
    def store(self):
        if self._store is None:
            from tui_reader.config import with_shared
            from tui_reader.store import configured, open_store

            store = open_store(self.own, self.paths)
            shared, by = store.shared_settings()
            settings = with_shared(self.config, shared, by) if shared else self.own
            if shared:
                configured(store, settings)
            self._store, self._settings = store, settings
        return self._store

    @property
    def has_store(self) -> bool:
        """Whether a store exists already (a PostgreSQL one always does: it is created where it is named)."""
        return bool(self.own.store.url) or self.paths.db_file.exists()


def load_context(home: str | None) -> Context:
    paths = Paths.for_home(home)
    config = read_config(paths.config_file)
    settings = settings_from(config)
    paths = paths.with_overrides(briefing_dir=settings.paths.briefing_dir, data_dir=settings.paths.data_dir)
    return Context(paths, settings, config)


def _out(line: str = "") -> None:
    print(line, flush=True)


def _safe(text: str, max_len: int | None = None) -> str:
    from tui_reader.sanitize import clean_line

    return clean_line(text, max_len=max_len)


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"invalid date {text[:40]!r}: use YYYY-MM-DD, e.g. 2026-11-25") from None


# -- sub-commands ---------------------------------------------------------------------


def catch_up_notes(ctx: Context) -> None:
    """Replay the journal: saves whose note update was cut short (a crash, a full disk, a busy lock).

    Every command does this first, so once there is space again the notes agree with the store
    whatever the analyst runs next. If the note still cannot be written, one line says so and
    the command goes on: the journal keeps the saves for the next try.
    """
    if not ctx.has_store:  # no store, nothing saved: and `brief` should not create one
        return
    from tui_reader.triage import reconcile_logs

    store = ctx.store  # a store that cannot open stops the command here, with its own one line
    try:
        reconcile_logs(store, ctx.paths.briefing_dir, structured=ctx.settings.brief.structured)
    except UserError as exc:
        _err(f"the briefing note is behind the store: {exc}; nothing is lost, it catches up at the next command")


def cmd_tui(ctx: Context) -> int:
    import gc

    # Textual's imports and the first frame make objects that live as long as the app: a collection finds
    # no garbage there, only costs time. The app enables collection once it is up (ReaderApp._warm_up).
    gc.disable()
    from tui_reader.ui.app import ReaderApp

    ctx.store.purge()
    ReaderApp(ctx.store, ctx.paths, ctx.settings, config=ctx.config).run()  # the app catches the notes up itself
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Serve the bundled demo site on loopback, fetch it into a throwaway home, open the TUI."""
    import tempfile

    from tui_reader.demo.server import OPML_PATH, SITE_DIR, DemoServer, render
    from tui_reader.subscribe import import_opml

    with tempfile.TemporaryDirectory(prefix="tui-reader-demo-") as tmp, DemoServer() as server:
        ctx = load_context(args.home or tmp)
        ctx.own = replace(ctx.own, store=StoreSettings())  # never into a team's store
        opml = render((SITE_DIR / OPML_PATH.lstrip("/")).read_text(encoding="utf-8"), server.base_url, server.now)
        import_opml(ctx.store, opml.encode("utf-8"))  # subscribed as a user would, folders and all
        report = _refresh(ctx, cluster=True)
        if args.no_tui:
            _out(f"demo: {report.total_new} stories from {len(server.feed_urls)} feeds at {server.base_url}")
            return 0
        from tui_reader.ui.app import ReaderApp

        ReaderApp(ctx.store, ctx.paths, ctx.settings, demo=True, config=ctx.config).run()
        _out(
            f"demo briefing notes were in {ctx.paths.briefing_dir} (a throwaway directory, now removed)"
            if not args.home
            else f"briefing notes: {ctx.paths.briefing_dir}"
        )
    return 0


def _refresh(ctx: Context, *, cluster: bool, progress: Callable | None = None):
    """Refresh every feed. Headless ``fetch`` skips clustering (a cold import of 10k stories
    would add seconds to a cron job); the TUI clusters whatever is left in the background."""
    import asyncio  # 27 ms: only the commands that go on the network pay for it

    from tui_reader.refresh import refresh_feeds

    return asyncio.run(
        refresh_feeds(
            ctx.store, ctx.settings.fetch, progress=progress, cluster=ctx.settings.cluster if cluster else None
        )
    )


def _outcome_line(o) -> str:
    name = _safe(o.title or o.url, 40)
    if o.status == FetchStatus.ERROR:
        return f"error  {name}: {_safe(o.error, 120)}"
    moved = f"; moved permanently, now {_safe(o.moved_to, 120)}" if o.moved_to else ""
    if o.status == FetchStatus.NOT_MODIFIED:
        return f"304    {name}: not modified ({o.seconds:.1f} s){moved}"
    return f"ok     {name}: {o.new} new, {o.updated} updated ({o.seconds:.1f} s){moved}"


def cmd_fetch(ctx: Context, args: argparse.Namespace) -> int:
    feeds = ctx.store.feeds()
    if not feeds:
        _out(NO_FEEDS)
        return 0
    purged = ctx.store.purge().stories
    if sys.stdout.isatty() and not args.plain:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("fetching", total=len(feeds))

            def progress(outcome) -> None:
                bar.console.print(_outcome_line(outcome), markup=False, highlight=False)
                bar.advance(task)

            report = _refresh(ctx, cluster=False, progress=progress)
    else:
        report = _refresh(ctx, cluster=False, progress=lambda o: _out(_outcome_line(o)))
    _out(
        f"total: {len(report.outcomes)} feeds, {report.total_new} new, {report.total_updated} updated, "
        f"{report.failed} failed" + (f", {purged + report.purged} purged" if ctx.store.keep_days else "")
    )
    _alert(ctx, report.alerts)
    return 1 if report.outcomes and report.failed == len(report.outcomes) else 0


def _alert(ctx: Context, found: dict[int, list[str]]) -> None:
    """One line per new story a watchlist or an alerting rule matched, and the ``notify_command`` for each
    (after the refresh is stored: a slow or failing command never holds up intake); its failures on stderr."""
    from tui_reader.watch import alerts_for, notify

    alerts = alerts_for(ctx.store, found)
    for a in alerts:
        _out(f"alert  {_safe(a.title, 80)} [{_safe(', '.join(a.reasons), 60)}] (id {a.story_id})")
    if alerts and ctx.settings.alerts.notify_command:
        for problem in notify(ctx.settings.alerts.notify_command, alerts, ctx.settings.alerts.notify_timeout):
            _err(problem)


def cmd_add(ctx: Context, args: argparse.Namespace) -> int:
    import asyncio

    from tui_reader.subscribe import AddKind, add_url

    failures = 0
    for url in args.urls:
        if not url.startswith(("http://", "https://")):
            _err(f"add: {_safe(url, 80)!r} is not an http(s) URL")
            failures += 1
            continue
        result = asyncio.run(add_url(ctx.store, ctx.settings.fetch, url))
        _out(_safe(result.message))
        if result.kind == AddKind.PAGE_WITH_FEEDS and result.candidates:
            for cand_url, title in result.candidates:
                _out(f"  feed: {_safe(title or cand_url, 60)}  ->  tui-reader add {_safe(cand_url)}")
        if result.kind == AddKind.ERROR:
            failures += 1
    return 1 if failures == len(args.urls) else 0


def cmd_extract(ctx: Context | None, args: argparse.Namespace) -> int:
    from tui_reader.extract import extract_article

    source = args.source
    content_type = None
    if source.startswith(("http://", "https://")):
        import asyncio

        from tui_reader.fetch import fetch_once

        result = asyncio.run(fetch_once(source, (ctx.settings if ctx else Settings()).fetch))
        if result.error:
            raise UsageError(f"extract: {_safe(result.error, 200)}")
        data, content_type, base = result.body, result.content_type, args.base_url or result.url
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise UsageError(f"extract: cannot read {source}: {exc.strerror}") from None
        base = args.base_url
    article = extract_article(data, base, content_type=content_type)
    from tui_reader.sanitize import clean_text

    text = clean_text(article.markdown)
    if args.title and article.title:
        text = f"# {_safe(article.title)}\n\n{text}"
    sys.stdout.write(text.rstrip("\n") + "\n")
    if article.notice:
        _err(_safe(article.notice))
    return 0


def cmd_brief(ctx: Context, args: argparse.Namespace) -> int:
    from tui_reader.briefing import note_path, rebuild_day

    day = parse_day(args.date) if args.date else date.today()
    days = [day]
    if args.since:
        start = parse_day(args.since)
        if start > day:
            raise UsageError("brief: --since must not be after --date")
        days = [start + timedelta(days=n) for n in range((day - start).days + 1)]
    structured = ctx.settings.brief.structured
    if args.team:
        if args.since or args.print or args.rebuild or args.saved is not None:
            raise UsageError("brief --team takes one day (--date), without --since, --print, --rebuild or --saved")
        return _send_brief(ctx, day, args.format or "md", args.out, team=True)
    if args.format or args.out:
        if args.since or args.print or args.saved is not None:
            raise UsageError("brief: --format and --out take one day, without --since, --print or --saved")
        if args.rebuild:
            rebuild_day(ctx.store, ctx.paths.briefing_dir, day, structured=structured)
        return _send_brief(ctx, day, args.format or "md", args.out)
    if args.saved is not None:
        return _brief_saved(ctx, _saved(ctx, args.saved, "brief"), days)
    for d in days:
        path = (
            rebuild_day(ctx.store, ctx.paths.briefing_dir, d, structured=structured)
            if args.rebuild
            else note_path(ctx.paths.briefing_dir, d)
        )
        if args.print:
            if path.exists():
                sys.stdout.write(path.read_text(encoding="utf-8"))
            elif len(days) == 1:
                raise UsageError(f"brief: no briefing note for {d.isoformat()} yet ({path})")
        else:
            _out(str(path))
    return 0


def _send_brief(ctx: Context, day: date, fmt: str, out: str | None, *, team: bool = False) -> int:
    """The day's note as sendable md, html or json: on stdout, or written atomically to ``out``; with ``team``,
    the team brief of every analyst's triaged stories in the store (:mod:`tui_reader.team`) instead of the note."""
    from tui_reader.briefing import write_atomic
    from tui_reader.errors import BriefingError
    from tui_reader.sendable import read_note, to_html, to_json, to_markdown

    items: dict | None = None
    if team:
        from tui_reader.team import team_note

        note, items = team_note(ctx.store, day)
    else:
        note = read_note(ctx.paths.briefing_dir, day)
    if fmt == "json":  # the only format that reads the store
        text = to_json(ctx.store, ctx.paths.briefing_dir, note, day, items)
    else:
        text = to_html(note, day) if fmt == "html" else to_markdown(note)
    if out is None:
        sys.stdout.write(text)
        return 0
    target = Path(out).expanduser()
    try:
        write_atomic(target, text)
    except OSError as exc:
        raise BriefingError(f"cannot write {target}: {exc.strerror or exc}") from None
    _out(str(target))
    return 0


def _brief_saved(ctx: Context, q, days: list[date]) -> int:
    """Print a briefing of each day's triaged stories that a saved search finds, as its note would have them
    (a view: no note is written)."""
    from tui_reader.briefing import apply_changes, day_bounds
    from tui_reader.cluster import corroborated

    wanted = set(ctx.store.story_ids(q))
    for d in days:
        items = [corroborated(ctx.store, i) for i in ctx.store.brief_items(*day_bounds(d)) if i.story_id in wanted]
        if items:
            sys.stdout.write(apply_changes("", d, items))
    return 0


def _saved(ctx: Context, name: str, command: str, base=None):
    """The query of the saved search ``name`` on top of ``base``; an unknown name is a usage error."""
    if name not in ctx.settings.saved:
        known = ", ".join(sorted(ctx.settings.saved)) or f"none yet: add [saved] to {ctx.paths.config_file}"
        raise UsageError(f"{command}: no saved search {_safe(name, 40)!r} (saved searches: {known})")
    return _query(ctx, ctx.settings.saved[name], base)


def cmd_list(ctx: Context, args: argparse.Namespace) -> int:
    from tui_reader.models import State
    from tui_reader.query import StoryQuery

    states: tuple[State, ...] = ()
    if args.state:
        try:
            states = tuple(State(s.strip()) for s in args.state.split(","))
        except ValueError:
            raise UsageError(f"list: unknown state in {args.state!r}: use unread, read, triaged, dismissed") from None
    from tui_reader.triage import normalize_tag

    q = StoryQuery(states=states, tag=normalize_tag(args.tag) if args.tag else "")
    if args.saved is not None:
        q = _saved(ctx, args.saved, "list", q)
    q = replace(q, text=f"{q.text} {args.search or ''}".strip())  # --search narrows a saved search's words
    ids = ctx.store.story_ids(q)[: args.limit] if args.limit else ctx.store.story_ids(q)
    store = ctx.store
    for sid in ids:
        s = store.story(sid)
        if args.json:
            marks = store.rule_marks(sid)
            _out(
                json.dumps(
                    {
                        "id": s.id,
                        "url": s.url,
                        "title": _safe(s.title),
                        "source": _safe(s.source),
                        "published": s.published.isoformat() if s.published else None,
                        "state": s.state.value,
                        "tags": list(s.tags),
                        "rating": s.grade.code if s.grade else None,
                        "triaged_by": _safe(s.triaged_by),
                        "summary": s.summary,
                        "rules": list(marks.rules),
                        "priority": marks.priority,
                        "highlight": marks.highlight,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            grade = s.grade.code if s.grade else "--"
            when = s.published.strftime("%Y-%m-%d %H:%M") if s.published else " " * 16
            _out(f"{s.id:>6}  {s.state.value:<9} {grade}  {when}  {_safe(s.source, 18):<18}  {_safe(s.title, 90)}")
    return 0


def cmd_rules_share(ctx: Context, args: argparse.Namespace) -> int:
    """Put the config's rules and watchlists in the store, replacing what was shared: every analyst's intake
    and ``rules apply`` use them (an analyst's own rule or watchlist of the same name comes instead)."""
    from tui_reader.config import SHARED
    from tui_reader.store import open_store

    tables = {key: ctx.config.get(key, []) for key in SHARED}
    store = open_store(ctx.own, ctx.paths)  # not ctx.store: what was shared before need not parse any more
    store.share_settings(tables)
    store.close()
    _out(
        f"shared {len(tables['rules'])} rules and {len(tables['watchlists'])} watchlists from "
        f"{_safe(str(ctx.paths.config_file))} with every analyst on this store"
    )
    return 0


def cmd_rules_apply(ctx: Context, args: argparse.Namespace) -> int:
    """Apply the config's rules to every untriaged story: intake only sees new ones."""
    import time

    from tui_reader.models import State
    from tui_reader.query import StoryQuery

    if not ctx.settings.rules:
        _out(f"no rules in {ctx.paths.config_file}")
        return 0
    started = time.perf_counter()
    ids = ctx.store.story_ids(StoryQuery(states=(State.UNREAD, State.READ)))
    run = ctx.store.apply_rules(ids, ctx.settings.rules, dry_run=args.dry_run)
    verb = "would change" if args.dry_run else "changed"
    for rule in ctx.settings.rules:
        actions = ", ".join(f"{what} ×{n}" for what, n in sorted(run.actions.get(rule.name, {}).items()))
        _out(
            f"rule {_safe(rule.name, 40)!r}: {verb} {len(run.stories.get(rule.name, ()))} stories"
            + (f": {actions}" if actions else "")
        )
    for name in run.timed_out:
        _err(f"rule {_safe(name, 40)!r}: its regex ran out of time on a story; skipped for the rest of this run")
    _out(f"{len(ids)} untriaged stories in {time.perf_counter() - started:.1f} s")
    return 0


def cmd_rules_undo(ctx: Context, args: argparse.Namespace) -> int:
    """Undo one rule on the stories given, or on every story it acted on (a bulk triage or rating too), in one
    transaction."""
    from tui_reader.triage import undo_ratings

    store = ctx.store
    structured = ctx.settings.brief.structured
    if (
        not args.story_ids
        and (put_back := undo_ratings(store, ctx.paths.briefing_dir, args.rule, structured=structured)) is not None
    ):
        _out(f"put back the ratings of {put_back} stories")  # a bulk rating is undone whole
        return 0
    ids = args.story_ids or store.rule_story_ids(args.rule)
    with store.tx():
        undone = {sid: actions for sid in ids if (actions := store.undo_rule(sid, args.rule))}
    if not undone:
        where = f"story {', '.join(map(str, ids))}" if args.story_ids else "any story"
        raise UsageError(f"rules undo: rule {_safe(args.rule, 40)!r} has nothing to undo on {where}")
    for sid, actions in undone.items():
        _out(f"undid {', '.join(f'{a.action} {a.value}'.strip() for a in actions)} on story {sid}")
    return 0


def cmd_purge(ctx: Context, args: argparse.Namespace) -> int:
    store = ctx.store
    if not store.keep_days:
        _out(f"retention is off: set [retention] keep_days in {ctx.paths.config_file}")
        return 0
    if args.dry_run:
        ids = store.purgeable()
        for sid in ids:
            s = store.story(sid)
            when = s.published.strftime("%Y-%m-%d") if s.published else "undated"
            _out(f"{s.id:>6}  {s.state.value:<9} {when}  {_safe(s.source, 18):<18}  {_safe(s.title, 90)}")
        _out(f"would purge {len(ids)} stories older than {store.keep_days} days")
        return 0
    result = store.purge()
    _out(
        f"purged {result.stories} stories older than {store.keep_days} days; store "
        f"{result.bytes_before / 1e6:.1f} MB -> {result.bytes_after / 1e6:.1f} MB"
    )
    return 0


def _query(ctx: Context, text: str, base=None):
    """A filter-language query from the command line, on top of ``base``; its errors are usage errors."""
    from tui_reader.query import QueryError, StoryQuery, parse_filter

    try:
        return parse_filter(text, base or StoryQuery(), watchlists=ctx.settings.watchlists)
    except QueryError as exc:
        raise UsageError(f"query {_safe(text, 60)!r}: {exc}") from None


def cmd_bulk_triage(ctx: Context, args: argparse.Namespace) -> int:
    """Tag or dismiss every untriaged story a query finds, in one transaction, recorded like a rule so that
    `rules undo NAME` takes it all back (triaged stories are left alone: their notes say what they are);
    or, with --grade, rate every story it finds (dismissed ones only if it asks for them)."""
    from tui_reader.triage import bulk_triage, parse_tags

    if args.summary or args.summary_file or args.draft:
        raise UsageError("triage --query: only --tags, --dismiss or --grade apply to many stories at once")
    if args.grade is not None:
        return _bulk_rate(ctx, args)
    tags = parse_tags(args.tags)
    if not tags and not args.dismiss:
        raise UsageError("triage --query: say what to do: --tags a,b and/or --dismiss")
    q = _query(ctx, args.query)
    name, run = bulk_triage(ctx.store, ctx.store.story_ids(q), tags=tags, dismiss=args.dismiss, query=args.query)
    changed = len(run.stories.get(name, ()))
    actions = ", ".join(f"{what} ×{n}" for what, n in sorted(run.actions.get(name, {}).items()))
    _out(
        f"{changed} stories changed"
        + (f": {actions}" if actions else "")
        + (f"; undo with: tui-reader rules undo '{name}'" if changed else "")
    )
    return 0


def _bulk_rate(ctx: Context, args: argparse.Namespace) -> int:
    """``triage --query Q --grade B2``: the TUI's "rate all shown" (R) on what the query finds, in its
    inbox (unread, read, triaged) unless it names its states."""
    from tui_reader.errors import GradeError
    from tui_reader.models import Grade, State
    from tui_reader.query import StoryQuery
    from tui_reader.triage import rate_many

    if args.tags is not None or args.dismiss:
        raise UsageError("triage --query --grade: rates only; tag or dismiss with a second command")
    try:
        grade = Grade.parse(args.grade)
    except GradeError as exc:
        raise UsageError(f"triage: {exc}") from None
    q = _query(ctx, args.query, StoryQuery(states=(State.UNREAD, State.READ, State.TRIAGED)))
    ids = ctx.store.story_ids(q)
    name, rated = rate_many(
        ctx.store,
        ctx.paths.briefing_dir,
        ids,
        grade,
        reason=_safe(args.reason or ""),
        structured=ctx.settings.brief.structured,
    )
    _out(f"{rated} stories rated {grade.code}" + (f"; undo with: tui-reader rules undo '{name}'" if rated else ""))
    return 0


def cmd_triage(ctx: Context, args: argparse.Namespace) -> int:
    from tui_reader.errors import GradeError
    from tui_reader.models import Grade, TriageInput
    from tui_reader.triage import apply_triage, parse_tags

    if args.query is not None:
        if args.story_id is not None:
            raise UsageError("triage: give a STORY_ID or --query, not both")
        return cmd_bulk_triage(ctx, args)
    if args.story_id is None:
        raise UsageError("triage: give a STORY_ID (see `tui-reader list --json`) or --query")
    store = ctx.store
    story = store.story(args.story_id)
    if story is None:
        raise UsageError(f"triage: no story with id {args.story_id} (see `tui-reader list --json`)")
    try:
        grade = Grade.parse(args.grade) if args.grade is not None else story.grade or store.rule_marks(story.id).grade
    except GradeError as exc:
        raise UsageError(f"triage: {exc}") from None
    tags = parse_tags(args.tags) if args.tags is not None else story.tags
    if args.summary_file:
        try:
            summary = Path(args.summary_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"triage: cannot read {args.summary_file}: {exc}") from None
    elif args.summary is not None:
        summary = args.summary
    elif args.draft:
        from tui_reader.summarize import draft_for_story

        summary = story.summary or draft_for_story(story, store.article_html(story.id), store.article(story.id))
    else:
        summary = story.summary
    item = apply_triage(
        store,
        ctx.paths.briefing_dir,
        TriageInput(story.id, tags, grade, summary.strip(), dismiss=args.dismiss, reason=_safe(args.reason or "")),
        structured=ctx.settings.brief.structured,
    )
    verb = "dismissed" if args.dismiss else f"triaged {item.grade.code if item.grade else '--'}"
    _out(f"{verb} by {_safe(store.analyst)}: {_safe(item.title, 80)}")
    return 0


def cmd_sources(ctx: Context, args: argparse.Namespace) -> int:
    """The source register: every outlet with its letter and counts; with NAME its history, or a new letter."""
    store = ctx.store
    if args.name is None:
        if args.letter is not None:
            raise UsageError("sources: --letter needs the NAME of a source (`tui-reader sources` lists them)")
        for info in store.sources():
            if args.json:
                _out(
                    json.dumps(
                        {
                            "name": _safe(info.name),
                            "letter": info.letter,
                            "rated": info.rated,
                            "stories": info.stories,
                            "untriaged": info.untriaged,
                            "triaged": info.triaged,
                            "latest": list(info.latest),
                        },
                        ensure_ascii=False,
                    )
                )
            else:
                letter = info.letter if info.rated else f"{info.letter} (unrated)"
                _out(
                    f"{letter:<12} {info.stories:>5} stories {info.untriaged:>5} untriaged {info.triaged:>4} triaged  "
                    f"{' '.join(info.latest) or '--':<9} {_safe(info.name, 60)}"
                )
        return 0
    if store.source_info(args.name) is None:
        raise UsageError(f"sources: no source {_safe(args.name, 60)!r} (`tui-reader sources` lists them)")
    if args.letter is not None:
        from tui_reader.errors import GradeError

        letter = args.letter.strip().upper()
        try:
            regraded = store.set_source_letter(args.name, letter, reason=_safe(args.reason or ""), regrade=args.regrade)
        except GradeError as exc:
            raise UsageError(f"sources: {exc}") from None
        what = f"{regraded} untriaged stories re-graded" if args.regrade else "its untriaged stories keep their letter"
        _out(f"{_safe(args.name, 60)} is now {letter} ({what})")
        return 0
    for event in store.source_history(args.name):
        if args.json:
            _out(
                json.dumps(
                    {
                        "source": _safe(event.source),
                        "letter": event.letter,
                        "grade": event.grade or None,
                        "story_id": event.story_id,
                        "story": _safe(event.story_title) or None,
                        "reason": _safe(event.reason) or None,
                        "at": event.at.isoformat(),
                    },
                    ensure_ascii=False,
                )
            )
        else:
            what = f"{event.grade} on #{event.story_id} {_safe(event.story_title, 50)}" if event.grade else "letter set"
            why = f" — {_safe(event.reason, 80)}" if event.reason else ""
            _out(f"{event.at.astimezone():%Y-%m-%d %H:%M}  {event.letter}  {what}{why}")
    return 0


def cmd_note(ctx: Context, args: argparse.Namespace) -> int:
    """A story's note and quotes, or a new note (a triaged story's briefing item follows)."""
    from tui_reader.notes import set_note

    store = ctx.store
    if store.story(args.story_id) is None:
        raise UsageError(f"note: no story with id {args.story_id} (see `tui-reader list --json`)")
    if args.set is not None:
        set_note(store, ctx.paths.briefing_dir, args.story_id, args.set, structured=ctx.settings.brief.structured)
    text, quotes = store.note_text(args.story_id), store.quotes(args.story_id)
    if args.json:
        quoted = [{"text": _safe(q.text), "paragraph": q.paragraph, "offset": q.offset} for q in quotes]
        by = _safe(store.note_by(args.story_id))
        _out(json.dumps({"id": args.story_id, "note": text, "by": by, "quotes": quoted}, ensure_ascii=False))
        return 0
    for line in text.split("\n") if text else []:
        _out(_safe(line))
    for q in quotes:
        _out(f"> {_safe(q.text)} (paragraph {q.paragraph + 1}, at {q.offset})")
    return 0


def cmd_doctor(ctx: Context, args: argparse.Namespace) -> int:
    from tui_reader.doctor import check

    if not ctx.has_store:
        _out(f"no store yet at {_safe(str(ctx.paths.db_file))}: nothing to check")
        return 0
    report = check(ctx.store, ctx.paths.briefing_dir)
    for line in report.lines:
        _out(_safe(line))
    _out(f"{report.problems} problem(s) found" if report.problems else "all well")
    return 1 if report.problems else 0


def cmd_store_copy(ctx: Context, args: argparse.Namespace) -> int:
    """Copy a whole store into an empty one: a profile's SQLite file into the team's PostgreSQL, or back."""
    from tui_reader.store import Store
    from tui_reader.store.transfer import copy_store
    from tui_reader.urls import is_postgresql_url

    def named(where: str, flag: str) -> Store:
        if is_postgresql_url(where):
            check_store_url(flag, where)
        elif flag == "--from" and not Path(where).is_file():
            raise UsageError(f"--from: no store at {where}")
        return Store(where)

    source = named(args.source, "--from") if args.source else ctx.store
    target = named(args.to, "--to")
    copied = copy_store(source, target)
    target.wait_indexed()  # PostgreSQL fills its search words in after the copy commits: "rebuilt" below
    _out(
        f"copied {copied.get('stories', 0)} stories, {copied.get('feeds', 0)} feeds and "
        f"{copied.get('triage_history', 0)} saved triages from {_safe(str(source.path))} to {_safe(str(target.path))}; "
        "search index rebuilt there"
    )
    return 0


def cmd_import_opml(ctx: Context, args: argparse.Namespace) -> int:
    from tui_reader.errors import OpmlError
    from tui_reader.subscribe import import_opml

    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise UsageError(f"import-opml: cannot read {args.file}: {exc.strerror}") from None
    try:
        count = import_opml(ctx.store, data)
    except OpmlError as exc:
        raise UsageError(f"import-opml: {_safe(str(exc), 200)}") from None
    _out(f"imported {count} feeds; run `tui-reader fetch` to fetch them")
    return 0


def cmd_feeds(ctx: Context, args: argparse.Namespace) -> int:
    feeds = ctx.store.feeds()
    if not feeds and not args.json:
        _out(NO_FEEDS)
    for f in feeds:
        if args.json:
            _out(
                json.dumps(
                    {
                        "id": f.id,
                        "url": f.url,
                        "title": _safe(f.title),
                        "group": _safe(f.group),
                        "unread": f.unread,
                        "total": f.total,
                        "status": f.last_status.value if f.last_status else None,
                        "error": _safe(f.last_error) or None,
                        "last_ok": f.last_ok.isoformat() if f.last_ok else None,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            status = (
                f"error: {f.last_error}"
                if f.last_status == FetchStatus.ERROR
                else f.last_status.value
                if f.last_status
                else "never fetched"
            )
            name = _safe(f.title or "(untitled)", 40)
            _out(
                f"{f.id:>4}  {f.unread:>5}/{f.total:<6} {_safe(status, 30):<14}  "
                f"{_safe(f.group, 30) + ' / ' if f.group else ''}{name}  {_safe(f.url, 120)}"
            )
    return 0


def cmd_remove(ctx: Context, args: argparse.Namespace) -> int:
    failures = 0
    for ref in args.feeds:
        feed = ctx.store.feed(int(ref)) if ref.isdigit() else ctx.store.feed_by_url(ref)
        if feed is None:
            _err(f"remove: no subscription {_safe(ref, 80)!r} (`tui-reader feeds` lists them)")
            failures += 1
            continue
        kept = ctx.store.remove_feed(feed.id)
        _out(f"unsubscribed from {_safe(feed.title or feed.url, 60)}; its {kept} stories stay in the store")
    return 1 if failures == len(args.feeds) else 0


def cmd_export_opml(ctx: Context, args: argparse.Namespace) -> int:
    from tui_reader.subscribe import export_opml

    text = export_opml(ctx.store)
    if args.file:
        Path(args.file).write_text(text, encoding="utf-8")
        _out(f"wrote {len(ctx.store.feeds())} feeds to {args.file}")
    else:
        sys.stdout.write(text)
    return 0


# -- parser -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    import argparse

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--home",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="one root directory for the store, config and briefing notes",
    )
    parser = argparse.ArgumentParser(
        prog="tui-reader",
        description="Keyboard-first news reader and triage tool. Without a command, opens the TUI.",
    )
    parser.add_argument("--version", action="version", version=f"tui-reader {__version__}")
    parser.add_argument(
        "--home", metavar="DIR", default=None, help="one root directory for the store, config and briefing notes"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="serve the bundled demo feeds on 127.0.0.1, fetch them into a throwaway store, open the TUI",
    )
    parser.add_argument("--no-tui", action="store_true", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, func, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    p = add("add", cmd_add, "subscribe to a feed, or store a single article, by URL")
    p.add_argument("urls", nargs="+", metavar="URL")
    p = add("feeds", cmd_feeds, "list the subscriptions: id, unread/total, last fetch status, title, URL")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p = add("remove", cmd_remove, "unsubscribe from feeds (by id or URL); their stories stay")
    p.add_argument("feeds", nargs="+", metavar="ID|URL")
    p = add("fetch", cmd_fetch, "refresh every feed headless; one line per feed and a total")
    p.add_argument("--plain", action="store_true", help="plain lines even on a terminal")
    p = add("extract", cmd_extract, "print the reader-mode markdown of one page (a file or a URL)")
    p.add_argument("source", metavar="FILE|URL")
    p.add_argument("--base-url", metavar="URL", help="the page's URL, to resolve relative links")
    p.add_argument("--title", action="store_true", help="print the title as a heading first")
    p = add("brief", cmd_brief, "print the path of a day's briefing note (or the note itself)")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="the day (default: today)")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="every day from this one to --date")
    p.add_argument("--print", action="store_true", help="print the note instead of its path")
    p.add_argument(
        "--rebuild",
        action="store_true",
        help="rewrite the note's items from the store (hand-written text outside items is kept)",
    )
    p.add_argument(
        "--format", choices=("md", "html", "json"), help="the note ready to send: markdown, one HTML file, or JSON"
    )
    p.add_argument("--out", metavar="FILE", help="write the sendable brief to FILE (atomically) instead of stdout")
    p.add_argument(
        "--team",
        action="store_true",
        help="the team brief: every analyst's triaged stories of the day, one per event, credited (writes no note)",
    )
    p.add_argument(
        "--saved",
        metavar="NAME",
        help="print a briefing of only the triaged stories a saved search ([saved]) finds (writes no note)",
    )
    p = add("list", cmd_list, "list stories as a table or JSON lines (for scripts and cron)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--state", metavar="S", help="unread, read, triaged or dismissed (comma-separated)")
    p.add_argument("--tag", metavar="T", help="only stories with this tag")
    p.add_argument("--search", metavar="WORDS", help="full-text search over title, summary and text")
    p.add_argument("--limit", metavar="N", type=int, help="at most N stories")
    p.add_argument("--saved", metavar="NAME", help="a saved search ([saved] in the config)")
    p = add("triage", cmd_triage, "tag, rate and summarise a story from the shell (same path as the TUI)")
    p.add_argument(
        "story_id", type=int, nargs="?", metavar="STORY_ID", help="the id printed by `tui-reader list --json`"
    )
    p.add_argument(
        "--query",
        metavar="QUERY",
        help="instead of one story, every untriaged story this filter query finds: --tags adds, --dismiss; "
        "or --grade rates every story it finds (each into today's note)",
    )
    p.add_argument("--tags", metavar="a,b", help="comma-separated tags (replaces the story's tags)")
    p.add_argument("--grade", metavar="B2", help="Admiralty code: reliability A-F then credibility 1-6")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--summary", metavar="TEXT")
    group.add_argument("--summary-file", metavar="F")
    group.add_argument("--draft", action="store_true", help="use the built-in extractive draft")
    p.add_argument("--dismiss", action="store_true", help="dismiss instead of triage")
    p.add_argument("--reason", metavar="WHY", help="why this grade, for the source register's history")
    p = add("sources", cmd_sources, "the source register: each outlet's letter, counts and latest grades")
    p.add_argument("name", nargs="?", metavar="NAME", help="one source: its history (or, with --letter, a new letter)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--letter", metavar="A-F", help="set the source's reliability letter")
    p.add_argument("--reason", metavar="WHY", help="why (kept in its history)")
    p.add_argument(
        "--regrade", action="store_true", help="offer its untriaged stories the new letter (else they keep theirs)"
    )
    p = add("note", cmd_note, "a story's note and quotes; --set replaces the note")
    p.add_argument("story_id", type=int, metavar="STORY_ID", help="the id printed by `tui-reader list --json`")
    p.add_argument("--set", metavar="TEXT", help="the new note")
    p.add_argument("--json", action="store_true", help="one JSON object")
    add("doctor", cmd_doctor, "check the store's integrity, the briefing journal and the notes; changes nothing")
    p = add("purge", cmd_purge, "purge untriaged stories older than [retention] keep_days, and shrink the store")
    p.add_argument("--dry-run", action="store_true", help="list what would go; change nothing")
    rules = sub.add_parser(
        "rules", help="intake rules ([[rules]] in the config)", description="intake rules ([[rules]] in the config)"
    ).add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    p = rules.add_parser("apply", parents=[common], help="apply the rules to every untriaged story")
    p.set_defaults(func=cmd_rules_apply)
    p.add_argument("--dry-run", action="store_true", help="print what each rule would change; change nothing")
    p = rules.add_parser(
        "share",
        parents=[common],
        help="share your config's [[rules]] and [[watchlists]] with every analyst on the store",
    )
    p.set_defaults(func=cmd_rules_share)
    p = rules.add_parser("undo", parents=[common], help="reverse what a rule (or a bulk triage) did")
    p.set_defaults(func=cmd_rules_undo)
    p.add_argument("rule", metavar="RULE", help="the rule's name")
    p.add_argument("story_ids", type=int, nargs="*", metavar="STORY_ID", help="only on these stories")
    store = sub.add_parser("store", help="the store as a whole", description="the store as a whole").add_subparsers(
        dest="store_command", metavar="ACTION", required=True
    )
    p = store.add_parser(
        "copy",
        parents=[common],
        help="copy every story, triage, note and source into an empty store (SQLite file or PostgreSQL URL)",
    )
    p.set_defaults(func=cmd_store_copy)
    p.add_argument("--to", required=True, metavar="URL|FILE", help="the empty store to copy into")
    p.add_argument("--from", dest="source", metavar="URL|FILE", help="the store to copy (default: this profile's)")
    p = add("import-opml", cmd_import_opml, "subscribe to every feed in an OPML file (folders become groups)")
    p.add_argument("file", metavar="FILE")
    p = add("export-opml", cmd_export_opml, "write the subscriptions as OPML (stdout or FILE)")
    p.add_argument("file", nargs="?", metavar="FILE")
    return parser


def _err(line: str) -> None:
    print(f"tui-reader: {line}", file=sys.stderr, flush=True)


def tui_only(argv: list[str]) -> tuple[bool, str | None]:
    """``(True, home)`` when ``argv`` only opens the TUI: nothing, ``--home DIR`` or ``--home=DIR``, as the parser
    would read them. Those skip the parser of every command (argparse and its 22 parsers: 33 M instructions,
    2 % of the first paint); anything else, ``--help`` and every mistake included, goes through
    :func:`build_parser`."""
    if not argv:
        return True, None
    if len(argv) == 2 and argv[0] == "--home" and not argv[1].startswith("-"):
        return True, argv[1]
    if len(argv) == 1 and argv[0].startswith("--home=") and argv[0] != "--home=":
        return True, argv[0].removeprefix("--home=")
    return False, None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        tui, home = tui_only(argv)
        if tui:
            return cmd_tui(load_context(home))
        args = build_parser().parse_args(argv)
        if args.demo:
            return cmd_demo(args)
        if args.command == "extract" and args.home is None:
            return cmd_extract(None, args)
        ctx = load_context(args.home)
        if args.command is None:
            return cmd_tui(ctx)
        sharing = getattr(args, "rules_command", "") == "share"  # it replaces shared rules that may not parse
        if args.command not in ("extract", "triage", "doctor", "store") and not sharing:  # triage: after its own
            # save; doctor reports it; store copy may not even read this profile's store
            catch_up_notes(ctx)
        return args.func(ctx, args)
    except UserError as exc:  # usage, config, triage, briefing: one line, never a traceback
        _err(str(exc))
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `tui-reader list | head -1`: stop writing, quietly, as `ls | head` does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush cannot raise again
        return PIPE_CLOSED
