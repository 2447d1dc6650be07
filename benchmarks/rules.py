"""Rules and retention at scale: the rules' share of a cold refresh, `rules apply`, and purging.

    python benchmarks/rules.py [--feeds 50] [--items 200] [--rules 50] [--archive 100000] [--keep 20000]

1. A cold refresh of ``feeds × items`` stories (the generated feeds of ``fetch_feeds.py``, served by
   another process) with ``--rules`` rules: the time inside ``Store.apply_rules`` against the
   refresh's wall time (goal, issue 17: ≤ 10 % with 50 rules on 10,000 stories), and the same
   refresh without rules.
2. ``rules apply`` (the retroactive pass, ``Store.apply_rules`` over every untriaged story) on an
   archive of ``--archive`` stories, filled by the store's own intake (``upsert_entries``).
3. Retention on that archive: purge to the ``--keep`` newest stories; file size and the time to
   list every id (the default view) before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fetch_feeds import WORDS, _serve  # noqa: E402 - the same generated feeds as the refresh benchmark


def make_rules(n: int) -> list[dict]:
    """``n`` rules mixed as an analyst's might be (of every 10: 6 words and 1 phrase on title and text,
    1 words on source and URL, 1 regex on titles, 1 filter query), each matching a few per cent of
    the generated stories, as watch terms do."""
    rules: list[dict] = []
    for i in range(n):
        a, b = (WORDS[(i * 3 + k) % len(WORDS)] for k in range(2))
        kind = i % 10
        rule: dict = {"name": f"r{i}", "tags": [f"t{i}"]}
        if kind < 6:
            rule |= {"words": f'"story {3 * i}" {a}{i} zz{i}'}
        elif kind == 6:
            rule |= {"words": f'"story {i}" "{a} {b} {i}"'}
        elif kind == 7:
            rule |= {"words": f'"site{i % 50} example/news/{i}"', "fields": ["source", "url"], "dismiss": True}
        elif kind == 8:
            rule |= {"regex": rf"(?i)\bstory 1{i % 10}\d\b", "fields": ["title"], "priority": True}
        else:
            rule |= {"query": f"source:site_{i % 50} {a}", "highlight": True}
        rules.append(rule)
    return rules


def timed_rules(store):
    """Wrap ``store.apply_rules`` to add up the seconds spent in it: wall time, and the CPU time of the thread
    (the writer's; the wall time includes waiting for the GIL while other threads parse and fetch)."""
    spent = [0.0, 0.0]
    real = store.apply_rules

    def apply_rules(*args, **kwargs):
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            return real(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started
            spent[1] += time.thread_time() - cpu

    store.apply_rules = apply_rules
    return spent


def bench_intake(urls: list[str], rules, stories: int) -> None:
    from tui_reader.config import FetchSettings
    from tui_reader.refresh import refresh_feeds
    from tui_reader.store import Store

    baseline = 0.0
    for label, with_rules in (("no rules", ()), (f"{len(rules)} rules", rules)):
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Path(tmp) / "bench.db")
            store.rules = with_rules
            spent = timed_rules(store)
            for url in urls:
                store.add_feed(url)
            started = time.perf_counter()
            report = asyncio.run(refresh_feeds(store, FetchSettings()))
            took = time.perf_counter() - started
            assert report.total_new == stories, report.total_new
            acted = store.conn.execute("SELECT count(DISTINCT story_id), count(*) FROM rule_actions").fetchone()
            print(
                f"cold refresh, {label:9}  {took:6.2f} s   in apply_rules {spent[0]:5.2f} s "
                f"= {100 * spent[0] / took:4.1f} % of the refresh (CPU {spent[1]:4.2f} s)  "
                f"({acted[0]} stories acted on, {acted[1]} actions)"
            )
            if baseline:
                print(f"refresh time with rules / without: {took / baseline:.2f}")
            baseline = took
            store.close()


def fill_archive(store, n: int) -> None:
    """``n`` stories over ``n // 200`` days, 200 a day, through the store's own intake."""
    from tui_reader.models import FeedEntry

    now = datetime.now(timezone.utc)
    for start in range(0, n, 2000):
        entries = []
        for i in range(start, min(n, start + 2000)):
            words = " ".join(WORDS[(i * 7 + j * 3) % len(WORDS)] for j in range(60))
            entries.append(
                FeedEntry(
                    f"a{i}",
                    f"https://site{i % 50}.example/news/{i}",
                    f"Story {i}: {' '.join(WORDS[(i + k) % len(WORDS)] for k in range(8))}",
                    published=now - timedelta(minutes=7.2 * (n - i)),
                    summary=words[:300],
                    content=f"<p>{words}</p><p>{words[::-1]}</p>",
                )
            )
        store.upsert_entries(None, entries, f"Site {start // 2000}")


def list_ms(store) -> float:
    from tui_reader.query import StoryQuery

    times = []
    for _ in range(5):
        started = time.perf_counter()
        store.story_ids(StoryQuery())
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def bench_archive(rules, n: int, keep: int) -> None:
    from tui_reader.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        started = time.perf_counter()
        fill_archive(store, n)
        print(f"archive: {n} stories filled in {time.perf_counter() - started:.1f} s")
        ids = store.story_ids()
        for label, dry in (("rules apply --dry-run", True), ("rules apply", False)):
            started = time.perf_counter()
            run = store.apply_rules(ids, rules, dry_run=dry)
            print(
                f"{label:22} {len(ids)} stories, {len(rules)} rules: {time.perf_counter() - started:6.2f} s  "
                f"({len(set().union(*run.stories.values()))} stories changed)"
            )
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        size, listing = store.file_size(), list_ms(store)
        store.keep_days = max(1, round(keep * 7.2 / 1440))  # 200 stories a day; flagged ones stay too
        started = time.perf_counter()
        result = store.purge()
        took = time.perf_counter() - started
        print(
            f"purge to the last {store.keep_days} days: {result.stories} stories in {took:.1f} s, {store.count()} left"
        )
        print(
            f"store size {size / 1e6:7.1f} MB -> {store.file_size() / 1e6:7.1f} MB; "
            f"listing every id {listing:6.1f} ms -> {list_ms(store):6.1f} ms"
        )
        store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--feeds", type=int, default=50)
    ap.add_argument("--items", type=int, default=200)
    ap.add_argument("--rules", type=int, default=50)
    ap.add_argument("--archive", type=int, default=100_000)
    ap.add_argument("--keep", type=int, default=20_000)
    ap.add_argument("--no-intake", action="store_true", help="skip the refresh benchmark")
    args = ap.parse_args()
    from tui_reader.rules import parse_rules

    rules = parse_rules(make_rules(args.rules))
    if not args.no_intake:
        queue: multiprocessing.Queue = multiprocessing.Queue()
        server = multiprocessing.Process(target=_serve, args=(args.feeds, args.items, False, queue), daemon=True)
        server.start()
        urls, _ = queue.get(timeout=120)
        try:
            bench_intake(urls, rules, args.feeds * args.items)
        finally:
            server.terminate()
    if args.archive:
        bench_archive(rules, args.archive, args.keep)


if __name__ == "__main__":
    main()
