"""The PostgreSQL store against the SQLite one, side by side: intake, and the list's first read at scale.

    python benchmarks/pg_store.py [--intake 10000] [--list 100000] [--url postgresql://…]

Without ``--url`` a throwaway server is started as the tests start theirs (tests/pgserver.py: fsync
off, so the intake figure is the store's own work, not the disk's). Figures:

* intake: ``upsert_entries`` of ``--intake`` new stories, 200 per feed as a refresh stores them, until
  *committed* (the last feed's transaction committed: every story stored, listed and found by search)
  and until *indexed* (PostgreSQL's indexer has also filled in their search words, after the commits
  and alongside them, on connections of its own; SQLite indexes as it inserts, so its two are one):
  wall time, and CPU time of this process plus, on PostgreSQL, of the server processes serving it
  (the store's connection and the indexer's, read from /proc, the server being local; not autovacuum),
  which stays meaningful when other work shares the cores;
* first read: what the list's first paint reads of a store holding ``--list`` stories, on a new
  connection: every id in display order, then the first window's rows (median of 5, wall and CPU
  as for intake);
* a search over that store (``drone``), median of 5.

PostgreSQL's tables are vacuumed and analysed after the load, as autovacuum does soon after one
(before it, the first read sorts every story rather than reading the index: 77 → 145 ms here).

Goals (issue 19): intake of 10,000 stories ≤ 2 s on PostgreSQL, committed and indexed; its first read
≤ 1.5× SQLite's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import suppress
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.pgserver import PostgresServer, unavailable  # noqa: E402
from tui_reader.models import FeedEntry  # noqa: E402
from tui_reader.query import StoryQuery  # noqa: E402
from tui_reader.store import Store  # noqa: E402

GOALS = {"intake_s": 2.0, "first_read_ratio": 1.5}
WORDS = (
    "minister talks ceasefire port tanker sanctions drone border militia pipeline oil council "
    "statement envoy election protest strike convoy refinery ministry officials said week"
).split()
PER_FEED = 200
WINDOW = 40


def entries(feed: int, count: int) -> list[FeedEntry]:
    """A feed's worth of entries, ~1 KB of text each, as a news feed carries."""
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    out = []
    for i in range(count):
        words = " ".join(WORDS[(i * 7 + j * 3 + feed) % len(WORDS)] for j in range(120))
        out.append(
            FeedEntry(
                guid=f"f{feed}-{i}",
                url=f"https://site{feed}.example/news/{i}",
                title=f"Story {i}: " + " ".join(WORDS[(i + feed + k) % len(WORDS)] for k in range(8)),
                published=start + timedelta(minutes=feed * 997 + i * 13),
                summary=words[:300],
                content=f"<p>{words}</p>",
            )
        )
    return out


def cpu(store: Store, *, server: bool = True) -> float:
    """CPU seconds so far of this process and, on PostgreSQL, of the server's client backends on the store's
    database (the store's connection and its indexer's: every client of a throwaway server is ours; not
    autovacuum), or of only the backend serving the store's connection. A backend's CPU counts from its start: the times of two calls
    differ by what was used between them, as long as no backend ended in between."""
    used = time.process_time()
    if not store.engine.url:
        return used
    sql = "SELECT pid FROM pg_stat_activity WHERE " + (
        "backend_type = 'client backend' AND datname = current_database()" if server else "pid = pg_backend_pid()"
    )
    for (pid,) in store.conn.execute(sql).fetchall():
        with suppress(FileNotFoundError, ProcessLookupError):  # it ended meanwhile
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            used += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def intake(store: Store, count: int, first_feed: int = 0) -> dict[str, float]:
    """Wall and CPU seconds to store ``count`` new stories, a feed at a time: until committed, and until indexed."""
    feeds = [store.add_feed(f"https://site{n}.example/feed") for n in range(first_feed, first_feed + count // PER_FEED)]
    batches = [(f.id, entries(n, PER_FEED)) for n, f in enumerate(feeds, start=first_feed)]
    store.wait_indexed()  # nothing an earlier load left indexes in the timed window
    wall, used = time.perf_counter(), cpu(store)
    for feed_id, batch in batches:
        store.upsert_entries(feed_id, batch, f"Site {feed_id}")
    out = {"committed_s": time.perf_counter() - wall, "committed_cpu_s": cpu(store) - used}
    store.wait_indexed()
    return out | {"indexed_s": time.perf_counter() - wall, "indexed_cpu_s": cpu(store) - used}


def first_read(target: Path | str) -> tuple[float, float]:
    """Median wall and CPU seconds of a starting list's reads, on a new connection each time."""
    walls, cpus = [], []
    for _ in range(5):
        wall, used = time.perf_counter(), time.process_time()
        store = Store(target)  # a new connection, as a starting TUI has
        ids = store.story_ids(StoryQuery())
        store.list_rows(ids[:WINDOW])
        walls.append(time.perf_counter() - wall)
        cpus.append(cpu(store, server=False) - used)  # the new server process's CPU is all this job's
        store.close()
    return statistics.median(walls), statistics.median(cpus)


def median_seconds(job, times: int = 5) -> float:
    runs = []
    for _ in range(times):
        start = time.perf_counter()
        job()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def search(target: Path | str) -> float:
    store = Store(target)
    took = median_seconds(lambda: store.story_ids(StoryQuery(text="drone")))
    store.close()
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intake", type=int, default=10_000)
    parser.add_argument("--list", type=int, default=100_000)
    parser.add_argument("--url", help="an empty PostgreSQL database to use (default: start a throwaway server)")
    args = parser.parse_args()
    server = None
    if not args.url:
        if why := unavailable():
            print(f"cannot start PostgreSQL: {why}")
            return 1
        server = PostgresServer()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            targets: dict[str, Path | str] = {"sqlite": Path(tmp) / "bench.db"}
            targets["postgresql"] = args.url or server.new_store()  # type: ignore[union-attr]
            results: dict[str, dict[str, float]] = {}
            for name, target in targets.items():
                store = Store(target)
                results[name] = intake(store, args.intake)
                intake(store, args.list - args.intake, first_feed=args.intake // PER_FEED)  # the rest, untimed
                assert store.count() == args.list
                if name == "postgresql":  # what autovacuum does soon after a load: the planner learns the sizes
                    store.conn.execute("VACUUM ANALYZE")
                store.close()
                results[name]["first_read_s"], results[name]["first_read_cpu_s"] = first_read(target)
                results[name]["search_s"] = search(target)
    finally:
        if server is not None:
            server.stop()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall times suffer first)")
    print(
        f"intake of {args.intake} stories until committed (stored, listed, searchable) and until indexed "
        "(search words filled in too); cpu: this process and the server"
    )
    print(
        f"{'':12}{'committed':>10}{'(cpu)':>9}{'indexed':>10}{'(cpu)':>9}"
        f"{'first read ' + str(args.list):>20}{'(cpu)':>9}{'search':>9}"
    )
    for name, r in results.items():
        print(
            f"{name:12}{r['committed_s']:>8.2f} s{r['committed_cpu_s']:>7.2f} s"
            f"{r['indexed_s']:>8.2f} s{r['indexed_cpu_s']:>7.2f} s"
            f"{r['first_read_s'] * 1000:>17.0f} ms{r['first_read_cpu_s'] * 1000:>6.0f} ms{r['search_s'] * 1000:>6.0f} ms"
        )
    pg, lite = results["postgresql"], results["sqlite"]
    for what, figure in (("wall", ""), ("cpu", "_cpu")):
        ratio = pg[f"first_read{figure}_s"] / lite[f"first_read{figure}_s"]
        intakes = "; ".join(
            f"{until} {pg[f'{until}{figure}_s']:.2f} s {'met' if pg[f'{until}{figure}_s'] <= GOALS['intake_s'] else 'MISSED'}"
            for until in ("committed", "indexed")
        )
        print(
            f"goals ({what}): PostgreSQL intake ≤ {GOALS['intake_s']:g} s: {intakes}; "
            f"first read ≤ {GOALS['first_read_ratio']:g}× SQLite's: {ratio:.2f}× "
            f"{'met' if ratio <= GOALS['first_read_ratio'] else 'MISSED'}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
