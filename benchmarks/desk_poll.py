"""What a team desk costs at 100k stories: the TUI's twice-a-second change poll, and the list's window read
with colleagues' presence.

    /work/venv/bin/python benchmarks/desk_poll.py [--stories 100000] [--changes 20000] [--readers 20]

Fills a store as ``ui_scale.py`` does, appends ``--changes`` log rows (triages and reads by two analysts)
and ``--readers`` colleagues' reader rows, then prints CPU per call (``process_time``, median of 7 runs of
1,000 calls): ``change_seq`` (an index seek: what the TUI does every 0.5 s when nothing changed),
``changes_since`` of the newest 10 rows (what it does when something did), and ``list_rows`` of a 40-row
window with and without the presence read, with SQLite's plans for the poll and the presence query.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ui_scale import fill  # the benchmark's own sibling

GOAL_POLL_US = 50.0
"""An idle poll well under a frame: 0.5 s apart, it must not show in the TUI's CPU."""


def per_call_us(call, n: int = 1000) -> float:
    runs = []
    for _ in range(7):
        start = time.process_time()
        for _ in range(n):
            call()
        runs.append((time.process_time() - start) / n * 1e6)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=20_000)
    parser.add_argument("--readers", type=int, default=20)
    args = parser.parse_args()

    from tui_reader.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "desk.db"
        fill(db, args.stories)
        store = Store(db)
        store.analyst = "sara"
        now = int(time.time())
        with store.tx() as c:
            c.executemany(
                "INSERT INTO changes(story_id, kind, analyst, session, at) VALUES (?,?,?,?,?)",
                [
                    (1 + i % args.stories, ("triage", "read")[i % 2], ("sara", "tom")[i % 2], "s", now)
                    for i in range(args.changes)
                ],
            )
            c.executemany(
                "INSERT INTO readers(session, story_id, analyst, since) VALUES (?,?,?,?)",
                [(f"tui{i}", 1 + i * 7, f"analyst{i}", now) for i in range(args.readers)],
            )
        window = store.story_ids()[:40]
        seq = store.change_seq()
        poll = per_call_us(store.change_seq)
        since = per_call_us(lambda: store.changes_since(seq - 10))
        rows = per_call_us(lambda: store.list_rows(window), 200)
        presence = per_call_us(lambda: store.colleagues_reading(window))
        plans = {
            "poll": "SELECT max(seq) FROM changes",
            "presence": "SELECT story_id, analyst FROM readers WHERE story_id IN (1,2,3) AND session != 'x' AND since >= 0",
        }
        print(f"{args.stories} stories, {args.changes} changes logged, {args.readers} colleagues reading")
        mark = "ok" if poll <= GOAL_POLL_US else "OVER"
        print(f"  change_seq (idle poll)      {poll:8.1f} µs CPU per call   goal <= {GOAL_POLL_US:g} µs  {mark}")
        print(f"  changes_since (10 new)      {since:8.1f} µs CPU per call")
        print(f"  list_rows (40-row window)   {rows:8.1f} µs CPU per call, of which presence {presence:.1f} µs")
        for name, sql in plans.items():
            plan = "; ".join(r[3] for r in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
            print(f"  plan of the {name} query: {plan}")
        store.close()


if __name__ == "__main__":
    main()
