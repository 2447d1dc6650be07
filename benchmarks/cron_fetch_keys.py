"""Keys while cron fetches: the TUI open on the store a child ``tui-reader fetch`` fills with 10,000 stories.

    python benchmarks/cron_fetch_keys.py [--feeds 50] [--items 200]

The feeds are served by another process (``fetch_feeds.py``'s server, one port per feed). The TUI
runs headless (``App.run_test``) in this process; ``tui-reader fetch`` runs in a child process
on the same store, as cron would, holding SQLite's write lock for each batch it stores.
Meanwhile the analyst presses ``x`` and ``u`` (dismiss, undo: store writes) every 0.1 s.

Figures:

* UI stall: the largest gap between ticks of a 10 ms timer on the app, idle and during the
  fetch — the longest the UI thread was busy or blocked, so an upper bound on how late any
  key is handled. ``pilot.press`` wall time is no latency figure (the harness sleeps per key).
* write wait: key to commit of each dismissal or undo (queued in order, waiting out the
  fetch's write lock in a worker thread).
* at the end: every write landed, in order (the story is back to unread), and the store holds
  every story once.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fetch_feeds import _serve  # the benchmark's own sibling


async def measure(urls: list[str], stories: int) -> None:
    from tui_reader.paths import Paths
    from tui_reader.store import Store
    from tui_reader.ui.app import ReaderApp
    from tui_reader.ui.widgets.story_list import StoryList

    with tempfile.TemporaryDirectory() as tmp:
        paths = Paths.for_home(tmp)
        store = Store(paths.db_file)
        for url in urls:
            store.add_feed(url)
        sid = store.add_story("https://bench.example/one", "The story the analyst keeps dismissing")
        pressed_at: list[float] = []
        waits: list[float] = []
        real_set_states = store.set_states

        def timed_set_states(changes) -> None:
            real_set_states(changes)
            waits.append(time.perf_counter() - pressed_at[len(waits)])  # writes commit in key order

        store.set_states = timed_set_states  # instrument our own method: key to commit per write
        app = ReaderApp(store, paths)
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            app.query_one(StoryList).select_story(sid)
            last, worst = [time.perf_counter()], {"idle": 0.0, "fetch": 0.0}
            phase = ["idle"]

            def tick() -> None:
                now = time.perf_counter()
                worst[phase[0]] = max(worst[phase[0]], now - last[0])
                last[0] = now

            app.set_interval(0.01, tick)
            await asyncio.sleep(1.0)
            started = time.perf_counter()
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tui_reader", "fetch", "--plain", "--home", tmp, stdout=subprocess.DEVNULL
            )
            phase[0] = "fetch"
            presses = 0
            while proc.returncode is None:
                for key in "xu":
                    pressed_at.append(time.perf_counter())
                    await pilot.press(key)
                    presses += 1
                    await asyncio.sleep(0.1)
            took = time.perf_counter() - started
            await app.workers.wait_for_complete()
            await pilot.pause()
        state = store.story(sid).state.value
        count = store.count()
        store.close()
    print(f"cron fetch: {took:.1f} s, {count - 1} stories stored (expected {stories}), exit {proc.returncode}")
    print(
        f"UI stall (largest 10 ms timer gap): idle {worst['idle'] * 1000:.0f} ms, "
        f"during the fetch {worst['fetch'] * 1000:.0f} ms"
    )
    timing = (
        f"key to commit median {statistics.median(waits) * 1000:.0f} ms, worst {max(waits) * 1000:.0f} ms"
        if waits
        else "not timed (written outside Store.set_states)"
    )
    print(f"writes: {presses} keys (x/u), {len(waits)} timed; {timing}; story ends {state} (expected unread)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--items", type=int, default=200)
    args = parser.parse_args()
    ports: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(args.feeds, args.items, False, ports), daemon=True)
    server.start()
    urls, _ = ports.get(timeout=120)  # a server that died says so rather than hanging the run
    try:
        asyncio.run(measure(urls, args.feeds * args.items))
    finally:
        server.kill()


if __name__ == "__main__":
    main()
