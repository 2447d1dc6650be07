"""How the story list scales: first paint, keypress cost, search latency and memory at 10k and 100k stories.

    /work/venv/bin/python benchmarks/ui_scale.py [--sizes 10000,100000] [--width 120 --height 40]

The parent fills a temporary store per size (bulk SQL on the store's connection, with FTS
rows, triage grades, tags and source clusters so every column is painted), then runs the UI
in a fresh child process so peak RSS and start-up are the app's own, not the filler's.

Figures (all in the child, headless ``App.run_test``):

* first paint: ``StoryList`` construction (reading the ids) until every visible line has
  been rendered once; also from ``App`` start and from process launch.
* keypress: CPU (``process_time``) of the key's action plus the repaint Textual would do
  (``render_lines`` on the widget, which re-renders only the lines the action marked dirty;
  scrolling marks them all) for 200 moves: mostly ``j``, with page down, ``G`` and ``g``.
  ``pilot.press`` wall time is not used: the harness sleeps between keys. For scale, the
  process CPU of 100 ``pilot.press("j")`` (Textual's whole pipeline: event dispatch,
  compositor, headless driver, plus the harness) is shown too.
* search: ``Store.story_ids(StoryQuery(text=...))`` for a few queries (median of 7 each,
  wall and CPU: wall time suffers first when other work shares the cores, so the load
  average is printed with the figures).
* the id list for other views (sorts, untriaged), which ``set_query``/``reload`` pay.
* peak RSS of the child (``VmHWM``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import accumulate
from pathlib import Path

GOALS = {"first_paint": {10_000: 0.15, 100_000: 0.30}, "key_median_ms": 12.0, "search_ms": 50.0, "rss_mb": 120.0}
SEARCHES = ["syria", "drone", "ceasefire talks", "minist", "oil sanctions tanker", "zzzz"]
TOPICS = (
    "syria border talks oil ceasefire election drone port sanctions minister protest aid grain tanker "
    "strike militia refinery convoy airbase parliament coalition pipeline shelling evacuation "
    "negotiations envoy blockade humanitarian offensive reservoir cabinet customs smuggling"
).split()
SOURCES = [
    "Al-Monitor",
    "Reuters",
    "Associated Press",
    "BBC News",
    "Middle East Eye",
    "L'Orient Today",
    "Enab Baladi",
    "Kurdistan 24",
    "The National",
    "Asharq Al-Awsat",
    "Anadolu",
    "SANA",
    "Rudaw",
    "Syria Direct",
    "Haaretz",
    "Times of Israel",
    "Al Jazeera",
    "France 24",
    "Deutsche Welle",
    "AFP",
]
TAGS = ["syria", "iraq", "energy", "idp", "military", "diplomacy", "economy", "health"]


def vocabulary(rnd: random.Random, size: int = 5000) -> tuple[list[str], list[float]]:
    """Made-up words and cumulative Zipf weights, the topic words among the common ones (~1% of words each)."""
    syllables = ["ka", "ri", "vo", "zan", "mel", "tor", "qu", "is", "dar", "ne", "lo", "bas", "fir", "em", "ul"]
    words = list(
        dict.fromkeys("".join(rnd.choice(syllables) for _ in range(rnd.randint(2, 4))) for _ in range(size * 2))
    )[:size]
    weights = [1 / (rank + 10) for rank in range(len(words))]
    topic_weight = sum(weights) / 100
    return list(TOPICS) + words, list(accumulate([topic_weight] * len(TOPICS) + weights))


def fill(db: Path, n: int, seed: int = 7) -> None:
    """``n`` stories over 60 days: 60% unread, 25% read, 10% triaged (graded, tagged), 5% dismissed.

    Titles of 6-14 and bodies of 40 words from a Zipf vocabulary: a topic word like
    "syria" is in about a third of the stories, as in a regional analyst's feeds.
    """
    from tui_reader.store import Store
    from tui_reader.urls import url_key

    rnd = random.Random(seed)
    words, cum_weights = vocabulary(rnd)
    store = Store(db)
    now = int(time.time())
    with store.tx() as c:
        feed_ids = [
            c.execute(
                "INSERT INTO feeds(url, title, added) VALUES (?, ?, ?)", (f"https://feeds.example/{i}.xml", s, now)
            ).lastrowid
            for i, s in enumerate(SOURCES)
        ]
        stories, fts, triage, story_tags = [], [], [], []
        for i in range(1, n + 1):
            f = rnd.randrange(len(SOURCES))
            title = " ".join(rnd.choices(words, cum_weights=cum_weights, k=rnd.randint(6, 14))).capitalize()
            body = " ".join(rnd.choices(words, cum_weights=cum_weights, k=40))
            ts = now - rnd.randint(0, 60 * 86400)
            r = rnd.random()
            state = "unread" if r < 0.60 else "read" if r < 0.85 else "triaged" if r < 0.95 else "dismissed"
            cluster = rnd.randint(2, 6) if rnd.random() < 0.1 else 1
            stories.append(
                (
                    i,
                    feed_ids[f],
                    f"g{i}",
                    f"https://{f}.example/{i}",
                    url_key(f"https://{f}.example/{i}"),
                    title,
                    SOURCES[f],
                    f"{f}.example",
                    ts,
                    now,
                    ts,
                    body,
                    state,
                    cluster,
                )
            )
            fts.append((i, title, "", body))
            if state == "triaged":
                triage.append((i, rnd.choice("ABC") + rnd.choice("123"), now))
                story_tags += [(i, t + 1, p) for p, t in enumerate(rnd.sample(range(len(TAGS)), 2))]
        c.executemany(
            "INSERT INTO stories(id, feed_id, guid, url, url_key, title, source, domain, published, fetched, sort_ts, "
            "feed_summary, state, cluster_size) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            stories,
        )
        c.executemany("INSERT INTO stories_fts(rowid, title, summary, body) VALUES (?,?,?,?)", fts)
        c.executemany("INSERT INTO tags(id, name) VALUES (?, ?)", [(i + 1, t) for i, t in enumerate(TAGS)])
        c.executemany("INSERT INTO story_tags(story_id, tag_id, position) VALUES (?,?,?)", story_tags)
        c.executemany("INSERT INTO triage(story_id, grade, triaged_at) VALUES (?,?,?)", triage)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


def child(db: Path, launched: float, width: int, height: int) -> dict:
    """Run the list headless on ``db`` and return the figures (runs in its own process)."""
    import asyncio

    from textual.app import App, ComposeResult
    from textual.geometry import Region

    from tui_reader.models import State
    from tui_reader.query import StoryQuery
    from tui_reader.store import Store
    from tui_reader.ui.widgets.story_list import StoryList

    VIEWS = {
        "all by date": StoryQuery(),
        "untriaged by date": StoryQuery(states=(State.UNREAD, State.READ)),
        "all by source": StoryQuery(sort="source"),
        "all by rating": StoryQuery(sort="rating"),
    }
    marks: dict[str, float] = {}

    class TimedList(StoryList):
        def __init__(self, *args, **kwargs) -> None:
            marks["construct"] = time.perf_counter()
            super().__init__(*args, **kwargs)

        def render_lines(self, crop: Region):
            strips = super().render_lines(crop)
            if "paint" not in marks and self._ids and crop.height >= self.size.height:
                marks["paint"] = time.perf_counter()
                marks["paint_wall"] = time.time()
            return strips

    class Host(App):
        def compose(self) -> ComposeResult:
            marks["app"] = time.perf_counter()
            yield TimedList(Store(db), StoryQuery())

    out: dict = {}

    async def run() -> None:
        app = Host()
        async with app.run_test(size=(width, height)) as pilot:
            await pilot.pause()
            sl = app.query_one(StoryList)
            out["rows"] = sl.row_count
            out["first_paint_s"] = marks["paint"] - marks["construct"]
            out["app_to_paint_s"] = marks["paint"] - marks["app"]
            out["launch_to_paint_s"] = marks["paint_wall"] - launched

            crop = Region(0, 0, sl.size.width, sl.size.height)
            sl.render_lines(crop)
            steps, worst = [], []
            for i in range(200):
                action = (
                    sl.action_last
                    if i == 100
                    else sl.action_first
                    if i == 150
                    else sl.action_page_down
                    if i % 20 == 10
                    else sl.action_cursor_down
                )
                t = time.process_time()
                action()
                sl.render_lines(crop)
                steps.append(time.process_time() - t)
                t = time.process_time()
                for y in range(sl.size.height):  # worst case: every visible line re-rendered
                    sl.render_line(y)
                worst.append(time.process_time() - t)
                if i % 25 == 0:
                    await pilot.pause()  # let posted messages drain, as between real keys
            steps.sort()
            out["key_median_ms"] = statistics.median(steps) * 1000
            out["key_p95_ms"] = steps[int(len(steps) * 0.95) - 1] * 1000
            out["key_max_ms"] = steps[-1] * 1000
            out["full_repaint_median_ms"] = statistics.median(worst) * 1000

            t = time.process_time()
            for _ in range(100):
                await pilot.press("j")
            out["pilot_key_cpu_ms"] = (time.process_time() - t) * 10

            store = sl.store
            search = {}
            for text in SEARCHES:
                walls, cpus = [], []
                for _ in range(7):
                    t, c = time.perf_counter(), time.process_time()
                    hits = store.story_ids(StoryQuery(text=text))
                    walls.append(time.perf_counter() - t)
                    cpus.append(time.process_time() - c)
                search[text] = (statistics.median(walls) * 1000, statistics.median(cpus) * 1000, len(hits))
            out["search_ms"] = search
            views = {}
            for label, q in VIEWS.items():
                times = []
                for _ in range(5):
                    t = time.perf_counter()
                    hits = store.story_ids(q)
                    times.append(time.perf_counter() - t)
                views[label] = (statistics.median(times) * 1000, len(hits))
            out["views_ms"] = views
            t = time.perf_counter()
            sl.set_query(StoryQuery(text="ceasefire talks"))
            sl.render_lines(crop)
            out["set_query_paint_ms"] = (time.perf_counter() - t) * 1000
        # VmHWM, not ru_maxrss: Linux carries the parent's peak (the filler's) into ru_maxrss across exec
        out["rss_mb"] = int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]) / 1024

    asyncio.run(run())
    return out


def report(size: int, r: dict) -> None:
    def mark(ok: bool) -> str:
        return "ok" if ok else "OVER GOAL"

    paint_goal = GOALS["first_paint"].get(size)
    print(f"\n== {r['rows']:,} stories ==")
    print(
        f"first paint (list)        {r['first_paint_s']:.3f} s"
        + (f"   goal <= {paint_goal} s  {mark(r['first_paint_s'] <= paint_goal)}" if paint_goal else "")
    )
    print(f"first paint (from App)    {r['app_to_paint_s']:.3f} s")
    print(f"launch -> first paint     {r['launch_to_paint_s']:.3f} s   (process start, imports, Textual, list)")
    print(
        f"keypress CPU  median {r['key_median_ms']:.2f} ms  p95 {r['key_p95_ms']:.2f} ms  "
        f"max {r['key_max_ms']:.2f} ms"
        f"   goal median <= {GOALS['key_median_ms']} ms  {mark(r['key_median_ms'] <= GOALS['key_median_ms'])}"
    )
    print(f"full visible repaint      {r['full_repaint_median_ms']:.2f} ms median")
    print(f"pilot press j, all CPU    {r['pilot_key_cpu_ms']:.2f} ms per key (whole Textual pipeline + harness)")
    worst = max(ms for ms, _, _ in r["search_ms"].values())
    for text, (ms, cpu, hits) in r["search_ms"].items():
        print(f"search {text!r:<24} {ms:6.1f} ms  (CPU {cpu:5.1f} ms)  {hits:>7,} hits")
    print(
        f"search worst              {worst:.1f} ms   "
        f"goal <= {GOALS['search_ms']} ms  {mark(worst <= GOALS['search_ms'])}"
    )
    for label, (ms, hits) in r["views_ms"].items():
        print(f"view {label:<20} {ms:6.1f} ms  {hits:>7,} ids  (Store.story_ids)")
    print(f"set_query + repaint       {r['set_query_paint_ms']:.1f} ms")
    print(
        f"peak RSS                  {r['rss_mb']:.1f} MB   "
        f"goal <= {GOALS['rss_mb']} MB  {mark(r['rss_mb'] <= GOALS['rss_mb'])}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--width", type=int, default=120)
    ap.add_argument("--height", type=int, default=40)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--launched", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(Path(args.child), args.launched, args.width, args.height)))
        return
    print(
        f"story list at {args.width}x{args.height}, headless, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            db = Path(tmp) / f"stories-{size}.db"
            t = time.perf_counter()
            fill(db, size)
            print(f"\n(filled {size:,} stories in {time.perf_counter() - t:.1f} s)")
            launched = time.time()
            proc = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    str(db),
                    "--launched",
                    str(launched),
                    "--width",
                    str(args.width),
                    "--height",
                    str(args.height),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            report(size, json.loads(proc.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
