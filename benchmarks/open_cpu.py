"""The UI thread's CPU from enter (escape) to the next frame, ours against ``open_floor.py``, headless.

    python benchmarks/open_cpu.py --home HOME [--opens 20] [--pause 0.6] [--walk] [--profile enter]

HOME is a tui-reader home with stories (copied first, so the run leaves it as it was): e.g. one filled by a
headless ``fetch`` as in ``first_paint.py``. Each open presses enter on the list, waits ``--pause`` seconds
(the load runs meanwhile, as a user reads), presses escape and waits again; ``--walk`` moves down a row
before each open (another story each time, as an analyst works through the list). A frame is the first
compositor update after the key: the thread CPU (``thread_time``) the UI thread spent from the key's event to
it is the figure, which preemption by other processes on a shared machine does not inflate as it does wall
time (printed too, with the CPU of the whole process over the window: what other threads took meanwhile).
``--profile KEY`` prints where our UI thread's time went over KEY's windows (cProfile, inflated by it).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from textual import events
from textual.app import App

sys.path.insert(0, str(Path(__file__).parent))

WINDOW: dict[str, float] = {}
"""The key's start (thread CPU, wall, process CPU) until the frame after it."""
FIGURES: dict[str, list[tuple[float, float, float]]] = {}
PROFILE = cProfile.Profile()


def hook(profiled: str) -> None:
    """Time every key from its event on the UI thread to the end of the next frame's compositor update."""
    on_event, display = App.on_event, App._display

    async def timed_on_event(self: App, event: events.Event) -> None:
        if isinstance(event, events.Key) and event.key in ("enter", "escape"):
            WINDOW.update(key=event.key, cpu=time.thread_time(), wall=time.perf_counter(), proc=time.process_time())
            if event.key == profiled and FIGURES.get(profiled):  # not the first, which mounts the reader
                PROFILE.enable()
        await on_event(self, event)

    def timed_display(self: App, screen, renderable) -> None:
        display(self, screen, renderable)
        if renderable is not None and "key" in WINDOW:
            key = WINDOW.pop("key")
            PROFILE.disable()
            took = (time.thread_time() - WINDOW["cpu"], time.perf_counter() - WINDOW["wall"])
            FIGURES.setdefault(key, []).append((*took, time.process_time() - WINDOW["proc"]))

    App.on_event, App._display = timed_on_event, timed_display  # type: ignore[method-assign]


async def drive(app: App, opens: int, pause: float, walk: bool) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await asyncio.sleep(2)  # the start's deferred work (counts, warm-up) is done
        gc.freeze()  # as ReaderApp._warm_up does on a terminal (not headless), for both apps
        for _ in range(opens):
            if walk:
                await pilot.press("down")
                await asyncio.sleep(0.2)
            await pilot.press("enter")
            await asyncio.sleep(pause)
            await pilot.press("escape")
            await asyncio.sleep(pause)


def report(name: str) -> None:
    for key, rows in FIGURES.items():
        cpu, wall, proc = (sorted(ms * 1000 for ms in column) for column in zip(*rows[1:], strict=True))  # 1st: warm-up
        p90 = int(0.9 * len(cpu)) - 1
        print(
            f"{name:<6} {key:<7} UI thread CPU median {statistics.median(cpu):5.1f} p90 {cpu[p90]:5.1f} ms"
            f" | wall median {statistics.median(wall):5.1f} p90 {wall[p90]:5.1f} | process CPU median"
            f" {statistics.median(proc):5.1f} ms  ({len(cpu)} opens)"
        )
    FIGURES.clear()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--opens", type=int, default=20)
    ap.add_argument("--pause", type=float, default=0.6)
    ap.add_argument("--walk", action="store_true", help="open the next story down each time")
    ap.add_argument("--no-floor", action="store_true")
    ap.add_argument("--profile", default="", help="enter or escape: where our UI thread's time went")
    args = ap.parse_args()
    hook(args.profile)
    from tui_reader.cli import load_context
    from tui_reader.ui.app import ReaderApp

    with tempfile.TemporaryDirectory(prefix="tui-reader-open-") as tmp:
        home = Path(tmp) / "home"
        shutil.copytree(args.home, home)
        ctx = load_context(str(home))
        asyncio.run(drive(ReaderApp(ctx.store, ctx.paths, ctx.settings), args.opens, args.pause, args.walk))
        report("ours")
    if args.profile:
        PROFILE.disable()
        pstats.Stats(PROFILE).sort_stats("cumulative").print_stats(50)
        hook("")
    if not args.no_floor:
        from open_floor import Floor

        asyncio.run(drive(Floor(), args.opens, args.pause, walk=False))
        report("floor")


if __name__ == "__main__":
    main()
