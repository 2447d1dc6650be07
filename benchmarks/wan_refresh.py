"""Refresh over real latency: ``tui-reader fetch`` against newsboat on the shared WAN scenario, cold and all-304.

    python benchmarks/wan_refresh.py --bench ../shared/bench [--feeds 120] [--hosts 100] [--items 50]
                                     [--runs 3] [--newsboat-threads 16] [--other "COMMAND"]

``wan_server.py`` serves FEEDS feeds over HOSTS loopback addresses, each response delayed by a fixed
seeded latency (50 ms – 3 s). The floor for any client is the slowest response plus 0.5 s (to parse
and store). Each run starts from an empty store (cold), then refreshes it again (every feed answers
304). Goal (issue 16): both ≤ 1.2× the floor, with at most 2 requests per host in flight.
``--other`` times a second tui-reader command line (another checkout) the same way.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", type=Path, required=True, help="the shared harness directory (../shared/bench)")
    ap.add_argument("--feeds", type=int, default=120)
    ap.add_argument("--hosts", type=int, default=100)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--newsboat-threads", type=int, default=16, help="0 skips newsboat")
    ap.add_argument("--other", help="another tui-reader command line to time alongside ours")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tui-reader-wan-"))
    server = subprocess.Popen(
        [
            sys.executable,
            str(args.bench.resolve() / "wan_server.py"),
            str(work / "wan"),
            str(args.feeds),
            str(args.hosts),
            str(args.items),
            str(free_port()),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout.readline().strip() == "ready"
        floor = float((work / "wan" / "slowest.txt").read_text()) + 0.5
        clients = {"ours": [str(Path(sys.executable).with_name("tui-reader"))]}
        if args.other:
            clients["other"] = shlex.split(args.other)
        newsboat = shutil.which("newsboat") if args.newsboat_threads else None
        if newsboat:
            (work / "nb.conf").write_text(f"reload-threads {args.newsboat_threads}\n")
        print(
            f"{args.feeds} feeds × {args.items} items over {args.hosts} hosts; floor {floor:.2f} s "
            "(slowest response + 0.5 s)"
        )
        print(f"{'':32}{'cold s':>8}{'× floor':>9}{'304 s':>8}{'× floor':>9}")
        for run in range(args.runs):
            rows = {}
            for name, cmd in clients.items():
                home = work / f"{name}-{run}"
                subprocess.run(
                    [*cmd, "--home", str(home), "import-opml", str(work / "wan" / "feeds.opml")],
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
                fetch = [*cmd, "--home", str(home), "fetch", "--plain"]
                rows[name] = (timed(fetch), timed(fetch))
            if newsboat:
                nb = [
                    newsboat,
                    "-C",
                    str(work / "nb.conf"),
                    "-u",
                    str(work / "wan" / "urls.txt"),
                    "-c",
                    str(work / f"nb-{run}.db"),
                    "-x",
                    "reload",
                ]
                rows[f"newsboat ({args.newsboat_threads} threads)"] = (timed(nb), timed(nb))
            for name, (cold, cached) in rows.items():
                print(
                    f"run {run + 1} {name:<26}{cold:8.2f}{cold / floor:9.2f}{cached:8.2f}{cached / floor:9.2f}",
                    flush=True,
                )
    finally:
        server.terminate()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
