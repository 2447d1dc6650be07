"""Refreshing: fetch every feed, parse it and store its stories, with a status per feed.

Fetching runs on the event loop, parsing in a small thread pool, and every store write of a refresh
on one writer thread, so the three overlap and the loop is never blocked (the TUI stays
responsive); one writer also means threads never wait on SQLite's busy handler. Every problem
with one feed becomes that feed's status; nothing raised by one feed reaches the others.
"""

from __future__ import annotations

import asyncio
import functools
import os
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from typing import Callable, TypeVar

from msgspec import Struct, field
from msgspec.structs import replace

from tui_reader.articles import prefetch_articles
from tui_reader.config import ClusterSettings, FetchSettings
from tui_reader.feeds import FeedError, parse_feed
from tui_reader.fetch import Fetcher, FetchResult
from tui_reader.models import Feed, FetchStatus, ParsedFeed
from tui_reader.query import StoryQuery
from tui_reader.store import Store
from tui_reader.urls import domain_of

PARSE_WORKERS = min(4, os.cpu_count() or 1)
T = TypeVar("T")


class FeedOutcome(Struct, frozen=True):
    """How one feed's refresh went."""

    feed_id: int
    url: str
    title: str
    status: FetchStatus
    new: int = 0
    updated: int = 0
    error: str = ""
    seconds: float = 0.0
    moved_to: str = ""
    """The feed's new URL when it moved permanently (301/308) and its subscription followed."""
    new_ids: tuple[int, ...] = ()
    updated_ids: tuple[int, ...] = ()


class RefreshReport(Struct):
    outcomes: list[FeedOutcome] = field(default_factory=list)
    total_new: int = 0
    total_updated: int = 0
    failed: int = 0
    new_ids: list[int] = field(default_factory=list)
    """Stories this refresh inserted (for prefetching and "jump to new")."""
    updated_ids: list[int] = field(default_factory=list)
    """Stored stories whose feed entry changed (their clusters are redone)."""
    purged: int = 0
    """Stories retention purged after the refresh (``[retention] keep_days``)."""
    alerts: dict[int, list[str]] = field(default_factory=dict)
    """New stories a watchlist or an ``alert = true`` rule matched: story id -> what matched."""


# --------------------------------------------------------------------------- feeds


async def refresh_feeds(
    store: Store,
    settings: FetchSettings,
    feed_ids: list[int] | None = None,
    progress: Callable[[FeedOutcome], None] | None = None,
    cluster: ClusterSettings | None = None,
) -> RefreshReport:
    """Fetch every feed (or those in ``feed_ids``) at once within the limits; ``progress`` hears each one finish.

    With ``cluster`` settings, the new stories then join the corroboration clusters (cost
    proportional to the new stories, not the archive).
    """
    feeds = store.feeds()
    if feed_ids is not None:
        wanted = set(feed_ids)
        feeds = [f for f in feeds if f.id in wanted]
    report = RefreshReport()
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(PARSE_WORKERS, thread_name_prefix="tui-reader-parse") as pool:
        async with Fetcher(settings) as fetcher, _Writer(store) as writer:
            report.alerts = writer.alerts

            async def one(feed: Feed) -> FeedOutcome:
                started = time.perf_counter()
                try:
                    result = await fetcher.get(feed.url, etag=feed.etag, last_modified=feed.last_modified)
                except Exception as exc:  # e.g. a URL too broken to split: this feed's error, recorded as usual
                    result = FetchResult(feed.url, error=f"cannot fetch: {type(exc).__name__}: {exc}")
                parsed = None
                if result.ok and not result.not_modified:
                    parsed = await loop.run_in_executor(pool, parse_result, result)
                    result = replace(result, body=b"")  # parsed: the bytes need not wait for the writer
                try:
                    outcome = await writer.submit(functools.partial(_record, store, feed, result, parsed))
                except Exception as exc:  # a store failure is this feed's error, not the refresh's
                    outcome = FeedOutcome(
                        feed.id, feed.url, feed.title, FetchStatus.ERROR, error=f"could not store: {exc}"
                    )
                    with suppress(Exception):  # kept as the feed's status too, if the store allows
                        await writer.submit(
                            functools.partial(
                                store.record_fetch, feed.id, status=FetchStatus.ERROR, error=outcome.error
                            )
                        )
                return replace(outcome, seconds=time.perf_counter() - started)

            tasks = [asyncio.ensure_future(one(feed)) for feed in feeds]
            try:
                for finished in asyncio.as_completed(tasks):
                    outcome = await finished
                    report.outcomes.append(outcome)
                    report.total_new += outcome.new
                    report.total_updated += outcome.updated
                    report.failed += outcome.status == FetchStatus.ERROR
                    report.new_ids += outcome.new_ids
                    report.updated_ids += outcome.updated_ids
                    if progress is not None:
                        progress(outcome)
            finally:
                for task in tasks:
                    task.cancel()
            if settings.prefetch_articles and report.new_ids:
                new = set(report.new_ids)
                newest = [i for i in store.story_ids(StoryQuery()) if i in new][: settings.prefetch_articles]
                await prefetch_articles(store, settings, newest, fetcher)
        if store.keep_days:
            report.purged = (await loop.run_in_executor(pool, store.purge)).stories
        if cluster is not None and (report.new_ids or report.updated_ids):
            from tui_reader.cluster import cluster_new

            await loop.run_in_executor(pool, cluster_new, store, report.new_ids + report.updated_ids, cluster)
    return report


def parse_result(result: FetchResult) -> ParsedFeed | str:
    """One downloaded feed parsed (runs in the pool), or the one-line reason it cannot be."""
    try:
        return parse_feed(result.body, result.content_type, result.url)
    except FeedError as exc:
        return str(exc)
    except Exception as exc:  # a parser bug on hostile input must not take the refresh down
        return f"could not parse the feed ({type(exc).__name__})"


def _record(store: Store, feed: Feed, result: FetchResult, parsed: ParsedFeed | str | None) -> FeedOutcome:
    """Store one feed's refresh (runs on the writer): its stories if any, and always its status."""
    if result.not_modified:
        store.record_fetch(feed.id, status=FetchStatus.NOT_MODIFIED)
        outcome = FeedOutcome(feed.id, feed.url, feed.title, FetchStatus.NOT_MODIFIED)
    elif isinstance(parsed, ParsedFeed) and not result.error:
        outcome = store_parsed(store, feed, parsed, result, rules=False)
    else:
        error = result.error or (parsed if isinstance(parsed, str) else "") or "could not parse the feed"
        store.record_fetch(feed.id, status=FetchStatus.ERROR, error=error)
        return FeedOutcome(feed.id, feed.url, feed.title, FetchStatus.ERROR, error=error)
    if result.moved_to and store.move_feed(feed.id, result.moved_to):
        outcome = replace(outcome, url=result.moved_to, moved_to=result.moved_to)
    return outcome


class _Writer:
    """The one thread that writes a refresh to the store, off the event loop.

    Feeds parsed while a write is under way queue up and go in together, in one transaction:
    a cold refresh of 50 busy feeds commits a handful of times, not 50. SQLite runs with the GIL
    released, so storing overlaps with downloading and parsing on another core. If a batch fails,
    its feeds are retried one by one, so one feed's bad data fails only that feed.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.alerts: dict[int, list[str]] = {}
        """New stories alerting rules and watchlists matched, and what matched (once committed)."""
        self._thread = threading.Thread(target=self._run, name="tui-reader-writer", daemon=True)

    async def __aenter__(self) -> "_Writer":
        self._loop = asyncio.get_running_loop()
        self._thread.start()
        return self

    async def __aexit__(self, *exc) -> None:
        self._jobs.put(None)
        await asyncio.to_thread(self._thread.join)

    def submit(self, job: Callable[[], T]) -> asyncio.Future[T]:
        """Run ``job`` on the writer inside a write transaction; the future has its result or exception."""
        future = self._loop.create_future()
        self._jobs.put((job, future))
        return future

    def _run(self) -> None:
        try:
            stopping = False
            while not stopping and (first := self._jobs.get()) is not None:
                batch = [first]
                while not self._jobs.empty():
                    if (more := self._jobs.get()) is None:
                        stopping = True
                        break
                    batch.append(more)
                for (_, future), outcome in zip(batch, self._write([job for job, _ in batch]), strict=False):
                    self._loop.call_soon_threadsafe(_settle, future, outcome)
        finally:
            self._store.close()  # this thread's connection

    def _write(self, jobs: list[Callable[[], object]]) -> list[tuple[bool, object]]:
        if len(jobs) > 1:
            try:
                with self._store.tx():
                    results = [job() for job in jobs]
                    alerts = self._apply_rules(results)
                self.alerts.update(alerts)
                return [(True, r) for r in results]
            except Exception:  # rolled back: find the culprit one by one
                pass
        outcomes: list[tuple[bool, object]] = []
        for job in jobs:
            try:
                with self._store.tx():
                    result = job()
                    alerts = self._apply_rules([result])
                self.alerts.update(alerts)
                outcomes.append((True, result))
            except Exception as exc:
                outcomes.append((False, exc))
        return outcomes

    def _apply_rules(self, results: list[object]) -> dict[int, list[str]]:
        """Apply the rules to the new stories of a transaction's feeds, once for all of them (a rule's cost is
        mostly per call, not per story), before it commits: no one sees a new story the rules have not seen.
        Returns the alerts, kept once the transaction commits."""
        new = [i for r in results if isinstance(r, FeedOutcome) for i in r.new_ids]
        return self._store.apply_rules(new).alerts if new else {}


def _settle(future: asyncio.Future, outcome: tuple[bool, object]) -> None:
    if future.cancelled():
        return
    ok, value = outcome
    if ok:
        future.set_result(value)
    else:
        assert isinstance(value, BaseException)
        future.set_exception(value)


def store_parsed(
    store: Store, feed: Feed, parsed: ParsedFeed, result: FetchResult, *, rules: bool = True
) -> FeedOutcome:
    """Upsert the entries and record the fetch in one transaction, applying the rules to the new stories
    unless the caller does (``rules=False``: the refresh's writer, once per transaction)."""
    title = feed.title or parsed.title
    with store.tx():
        res = store.upsert_entries(feed.id, store.retained(parsed.entries), title or domain_of(feed.url))
        if rules:
            store.apply_rules(res.new_ids)
        store.record_fetch(
            feed.id,
            status=FetchStatus.OK,
            etag=result.etag,
            last_modified=result.last_modified,
            title=None if feed.title else parsed.title,
        )
    return FeedOutcome(
        feed.id,
        feed.url,
        title,
        FetchStatus.OK,
        res.new,
        res.updated,
        new_ids=tuple(res.new_ids),
        updated_ids=tuple(res.updated_ids),
    )


# --------------------------------------------------------------------------- article pages
