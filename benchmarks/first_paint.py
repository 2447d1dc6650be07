"""First paint and key latency on a real terminal (tmux), ours against newsboat and bare Textual, in one run.

    python benchmarks/first_paint.py --bench ../shared/bench [--feeds 50] [--items 200] [--rounds 3] [--runs 5]
                                     [--keys Down,j,Next] [--presses 40] [--no-keys] [--other "COMMAND"]

Uses the harnesses of ``--bench`` (``first_paint.py``, ``key_latency.py``, ``bare_textual.py``,
``bare_list.py``, ``gen_feeds.py``): FEEDS × ITEMS stories served on loopback, stored by a headless
``tui-reader fetch`` (as cron leaves them: unclustered) and by newsboat's ``-x reload``. Every round
alternates the tools start by start, ours always from that same store, so a loaded machine slows
them alike; the ratios are what to read. ``--other`` measures a second tui-reader command (another
checkout, for before/after) the same way. Goals (issue 16): first paint ≤ 1.2× bare
Textual and ≤ newsboat at 10,000 stories; keys ≤ 1.3× the bare list's median, p90 ≤ 45 ms.
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
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*cmd: str, **kw) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", type=Path, required=True, help="the shared harness directory (../shared/bench)")
    ap.add_argument("--feeds", type=int, default=50)
    ap.add_argument("--items", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=5, help="starts per tool per round (the harness's median)")
    ap.add_argument("--keys", default="Down,j,Next", help="keys to time in the list, comma-separated (tmux names)")
    ap.add_argument("--presses", type=int, default=40)
    ap.add_argument("--no-keys", action="store_true")
    ap.add_argument("--other", help="another tui-reader command line to measure alongside ours")
    args = ap.parse_args()
    bench = args.bench.resolve()
    newsboat = shutil.which("newsboat")
    tui = str(Path(sys.executable).with_name("tui-reader"))
    work = Path(tempfile.mkdtemp(prefix="tui-reader-paint-"))
    port = free_port()
    run(sys.executable, str(bench / "gen_feeds.py"), str(work / "www"), str(args.feeds), str(args.items), str(port))
    server = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)],
                              cwd=work / "www", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
    finally:
        server.terminate()
    other = shlex.split(args.other) if args.other else None

    def fresh_home(command: list[str] | None = None) -> list[str]:
        """A tui-reader over the store the headless fetch left, every time (nothing clustered by an earlier start)."""
        home = work / "home"
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(work / "stored", home)
        return [*(command or [tui]), "--home", str(home)]

    bare_textual = [sys.executable, str(bench / "bare_textual.py")]
    tools = {"ours": ("S0-0 ", lambda: fresh_home()), "newsboat": ("Feed 1", lambda: nb),
             "bare Textual": ("S0-0 ", lambda: bare_textual)}
    if other:
        tools["other"] = ("S0-0 ", lambda: fresh_home(other))
    if not nb:
        del tools["newsboat"]

    def paint(marker: str, cmd: list[str]) -> float:
        out = run(sys.executable, str(bench / "first_paint.py"), marker, "1", "--", *cmd,
                  env={**os.environ, "FP_TIMEOUT": "120"})
        return float(out)

    print(f"\nfirst paint, ms (median of {args.runs} alternating starts): "
          + "  ".join(tools) + "  | ours/bare" + ("  ours/newsboat" if nb else "") + ("  other/bare" if other else ""))
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
        print(f"round {r + 1}: " + "  ".join(f"{name} {m:.0f}" for name, m in med.items()) + f"  | {ratios}",
              flush=True)
    if args.no_keys:
        return
    figures = re.compile(r"median (\d+) ms, p90 (\d+) ms, max (\d+) ms")

    def keys(marker: str, key: str, cmd: list[str]) -> str:
        out = run(sys.executable, str(bench / "key_latency.py"), marker, key, str(args.presses), "--", *cmd)
        m = figures.search(out)
        return f"{m[1]:>4}/{m[2]:>4}/{m[3]:>4}" if m else out

    print(f"\nkey → screen changed, ms, median/p90/worst of {args.presses} presses "
          "(bare list and newsboat get Down for j)")
    print(f"{'':14}{'ours':>16}{'bare list':>16}{'newsboat':>16}" + (f"{'other':>16}" if other else ""))
    for r in range(args.rounds):
        for key in args.keys.split(","):
            plain = "Down" if key == "j" else key
            row = [keys("S0-0 ", key, fresh_home()),
                   keys("S0-0 ", plain, [sys.executable, str(bench / "bare_list.py")]),
                   keys("Feed 1", plain, nb) if nb else "-"]
            if other:
                row.append(keys("S0-0 ", key, fresh_home(other)))
            print(f"round {r + 1} {key:<6}" + "".join(f"{c:>16}" for c in row), flush=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
