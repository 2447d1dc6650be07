"""First paint and key latency on a real terminal (tmux), ours against newsboat and bare Textual, in one run.

    python benchmarks/first_paint.py --bench ../shared/bench [--feeds 50] [--items 200] [--rounds 3] [--runs 5]
                                     [--keys Down,j,PageDown] [--presses 40] [--no-keys] [--other "COMMAND"]
                                     [--skip paint,keys,open,cron]

Uses the harnesses of ``--bench`` (``first_paint.py``, ``key_latency.py``, ``bare_textual.py``,
``bare_list.py``, ``gen_feeds.py``): FEEDS × ITEMS stories served on loopback, stored by a headless
``tui-reader fetch`` (as cron leaves them: unclustered) and by newsboat's ``-x reload``. Every round
alternates the tools start by start, ours always from that same store, so a loaded machine slows
them alike; the ratios are what to read. ``--other`` measures a second tui-reader command (another
checkout, for before/after) the same way; ``--skip`` leaves parts out. Opening a story and going back are
read against ``open_floor.py``, a bare Textual app pushing and popping a screen with one Static (the
escape of both waits out Textual's 100 ms ESCDELAY before the key is seen). Goals (issue 16): first paint ≤ 1.2× bare
Textual and ≤ newsboat at 10,000 stories; keys ≤ 1.3× the bare list's median, p90 ≤ 45 ms, also while
the backlog is clustered; the worst key during a cron ``fetch`` of as many new stories ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Callable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def generate(bench: Path, www: Path, feeds: int, items: int) -> int:
    """The harness's FEEDS x ITEMS feeds written to ``www`` for a server on a free port; returns the port."""
    port = free_port()
    run(sys.executable, str(bench / "gen_feeds.py"), str(www), str(feeds), str(items), str(port))
    return port


def serve(www: Path, port: int) -> subprocess.Popen:
    """A static server of ``www`` on 127.0.0.1:``port`` (the caller terminates it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)],
        cwd=www,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def run(*cmd: str, **kw) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout.strip()


def spread(ms: list[float]) -> str:
    ms = sorted(ms)
    return f"{statistics.median(ms):.0f}/{ms[int(0.9 * len(ms)) - 1]:.0f}/{ms[-1]:.0f}"


def open_and_back(cmd: list[str], n: int) -> tuple[list[float], list[float]]:
    """``key_latency.py``'s method for a pair of keys: enter opens the story, escape returns, n times each."""
    session = "fp-open-" + uuid.uuid4().hex[:6]
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", shlex.join(cmd) + "; sleep 5"], check=True
    )

    def screen() -> str:
        return run("tmux", "capture-pane", "-e", "-p", "-t", session)

    def press(key: str) -> float:
        before, started = screen(), time.perf_counter()
        subprocess.run(["tmux", "send-keys", "-t", session, key], check=True)
        while screen() == before and time.perf_counter() - started < 2:
            pass
        took = (time.perf_counter() - started) * 1000
        time.sleep(0.3)
        return took

    try:
        deadline = time.time() + 60
        while "S0-0 " not in screen() and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(2.0)
        pairs = [(press("Enter"), press("Escape")) for _ in range(n)]
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
    return [a for a, _ in pairs], [b for _, b in pairs]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", type=Path, required=True, help="the shared harness directory (../shared/bench)")
    ap.add_argument("--feeds", type=int, default=50)
    ap.add_argument("--items", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=5, help="starts per tool per round (the harness's median)")
    ap.add_argument("--keys", default="Down,j,PageDown", help="keys to time in the list, comma-separated (tmux names)")
    ap.add_argument("--presses", type=int, default=40)
    ap.add_argument("--no-keys", action="store_true", help="first paint only (as --skip keys,open,cron)")
    ap.add_argument("--skip", default="", help="parts left out, comma-separated: paint, keys, open, cron")
    ap.add_argument("--other", help="another tui-reader command line to measure alongside ours")
    args = ap.parse_args()
    args.skip = set(args.skip.split(",")) | ({"keys", "open", "cron"} if args.no_keys else set())
    bench = args.bench.resolve()
    newsboat = shutil.which("newsboat")
    tui = str(Path(sys.executable).with_name("tui-reader"))
    work = Path(tempfile.mkdtemp(prefix="tui-reader-paint-"))
    keeper = "fp-keep-" + uuid.uuid4().hex[:6]
    port = generate(bench, work / "www", args.feeds, args.items)
    server = serve(work / "www", port)
    try:
        time.sleep(0.5)
        run(tui, "--home", str(work / "stored"), "import-opml", str(work / "www" / "feeds.opml"))
        started = time.perf_counter()
        run(tui, "--home", str(work / "stored"), "fetch", "--plain")
        print(f"{args.feeds * args.items} stories; headless fetch {time.perf_counter() - started:.1f} s", flush=True)
        nb = [newsboat, "-u", str(work / "www" / "urls.txt"), "-c", str(work / "nb.db")] if newsboat else None
        if nb:
            started = time.perf_counter()
            run(*nb, "-x", "reload")
            print(f"newsboat reload {time.perf_counter() - started:.1f} s", flush=True)
        # A session of its own keeps the tmux server up between starts: killing the last session ends the
        # server, and a start racing its exit failed with "server exited unexpectedly".
        subprocess.run(["tmux", "new-session", "-d", "-s", keeper, "sleep 86400"], check=True)
        measure(args, bench, work, tui, nb)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", keeper], check=False, capture_output=True)
        server.terminate()
        shutil.rmtree(work, ignore_errors=True)


def first_paint(args: argparse.Namespace, tools: dict, paint: Callable, nb: bool, other: bool) -> None:
    """Rounds of ``args.runs`` starts of every tool in turn: each tool's median and the ratios to read."""
    print(
        f"\nfirst paint, ms (median of {args.runs} alternating starts): "
        + "  ".join(tools)
        + "  | ours/bare"
        + ("  ours/newsboat" if nb else "")
        + ("  other/bare" if other else "")
    )
    for r in range(args.rounds):
        times: dict[str, list[float]] = {name: [] for name in tools}
        for _ in range(args.runs):
            for name, (marker, cmd) in tools.items():
                times[name].append(paint(marker, cmd()))
        med = {name: statistics.median(t) for name, t in times.items()}
        ratios = f"{med['ours'] / med['bare Textual']:.2f}"
        if nb:
            ratios += f"  {med['ours'] / med['newsboat']:.2f}"
        if other:
            ratios += f"  {med['other'] / med['bare Textual']:.2f}"
        print(
            f"round {r + 1}: " + "  ".join(f"{name} {m:.0f}" for name, m in med.items()) + f"  | {ratios}", flush=True
        )


def measure(args: argparse.Namespace, bench: Path, work: Path, tui: str, nb: list[str] | None) -> None:
    other = shlex.split(args.other) if args.other else None

    def fresh_home(command: list[str] | None = None) -> list[str]:
        """A tui-reader over the store the headless fetch left, every time (nothing clustered by an earlier start)."""
        home = work / "home"
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(work / "stored", home)
        return [*(command or [tui]), "--home", str(home)]

    bare_textual = [sys.executable, str(bench / "bare_textual.py")]
    tools = {
        "ours": ("S0-0 ", lambda: fresh_home()),
        "newsboat": ("Feed 1", lambda: nb),
        "bare Textual": ("S0-0 ", lambda: bare_textual),
    }
    if other:
        tools["other"] = ("S0-0 ", lambda: fresh_home(other))
    if not nb:
        del tools["newsboat"]

    def paint(marker: str, cmd: list[str]) -> float:
        out = run(
            sys.executable,
            str(bench / "first_paint.py"),
            marker,
            "1",
            "--",
            *cmd,
            env={**os.environ, "FP_TIMEOUT": "120"},
        )
        return float(out)

    if "paint" not in args.skip:
        first_paint(args, tools, paint, nb is not None, other is not None)
    if {"keys", "open", "cron"} <= args.skip:
        return
    figures = re.compile(r"median (\d+) ms, p90 (\d+) ms, max (\d+) ms")

    def keys(marker: str, key: str, cmd: list[str], presses: int = args.presses) -> str:
        out = run(sys.executable, str(bench / "key_latency.py"), marker, key, str(presses), "--", *cmd)
        m = figures.search(out)
        return f"{m[1]:>4}/{m[2]:>4}/{m[3]:>4}" if m else out

    clustered = work / "clustered"  # the same store once the background clustering has finished
    shutil.copytree(work / "stored", clustered)
    run(sys.executable, "-m", "tui_reader.backlog", str(clustered / "data" / "tui-reader.db"), "72", "0.4")

    def idle_home(command: list[str] | None = None) -> list[str]:
        home = work / "home"
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(clustered, home)
        return [*(command or [tui]), "--home", str(home)]

    if "keys" not in args.skip:
        print(
            f"\nkey → screen changed, ms, median/p90/worst of {args.presses} presses; 'clustering': the store as a "
            "headless fetch left it, so the backlog process runs meanwhile. The bare list (200 rows) and newsboat "
            "get Down for j and only 4 page presses (they run out of pages)"
        )
        header = ["ours", "ours clustering", "bare list", "newsboat"] + (["other"] if other else [])
        print(f"{'':16}" + "".join(f"{h:>18}" for h in header))
    for r in range(0 if "keys" in args.skip else args.rounds):
        for key in args.keys.split(","):
            plain = "Down" if key == "j" else key
            short = 4 if "Page" in key else args.presses
            row = [
                keys("S0-0 ", key, idle_home()),
                keys("S0-0 ", key, fresh_home()),
                keys("S0-0 ", plain, [sys.executable, str(bench / "bare_list.py")], short),
                keys("Feed 1", plain, nb) if nb and short == args.presses else "-",
            ]
            if other:
                row.append(keys("S0-0 ", key, idle_home(other)))
            print(f"round {r + 1} {key:<8}" + "".join(f"{c:>18}" for c in row), flush=True)

    if "open" not in args.skip:
        openers = {"ours": idle_home, "floor": lambda: [sys.executable, str(Path(__file__).with_name("open_floor.py"))]}
        if other:
            openers["other"] = lambda: idle_home(other)
        print(f"\nenter (open the story) and escape (back to the list), ms, median/p90/worst of {args.presses // 2}:")
        for r in range(args.rounds):
            for name, command in openers.items():
                opened, back = open_and_back(command(), args.presses // 2)
                print(f"round {r + 1} {name:<6} enter {spread(opened):>12}   escape {spread(back):>12}", flush=True)
    if "cron" in args.skip:
        return

    # A cron `fetch` of as many new stories while the analyst moves through the list.
    port2 = generate(bench, work / "www2", args.feeds, args.items)
    for feed in (work / "www2").glob("feed*.xml"):  # other stories than the first set's
        feed.write_text(feed.read_text().replace(".example.com/a/", ".example.com/b/").replace("<guid>f", "<guid>n"))
    server = serve(work / "www2", port2)
    try:
        print(f"\nDown during a headless fetch of {args.feeds * args.items} new stories (median/p90/worst):")
        for r in range(args.rounds):
            cmd = idle_home()
            run(*cmd, "import-opml", str(work / "www2" / "feeds.opml"))
            presses = subprocess.Popen(
                [sys.executable, str(bench / "key_latency.py"), "S0-0 ", "Down", "60", "--", *cmd],
                stdout=subprocess.PIPE,
                text=True,
            )
            time.sleep(3.5)  # the TUI is up and the presses have begun
            started = time.perf_counter()
            fetched = subprocess.run([*cmd, "fetch", "--plain"], capture_output=True, text=True, check=False)
            took = time.perf_counter() - started
            m = figures.search(presses.communicate()[0])
            locked = "locked" in fetched.stdout + fetched.stderr
            print(
                f"round {r + 1}: keys {m[1]}/{m[2]}/{m[3]} ms; fetch {took:.1f} s, "
                f"{fetched.stdout.strip().splitlines()[-1]}{'; DATABASE LOCKED' if locked else ''}",
                flush=True,
            )
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
