"""Refresh speed: N generated feeds on loopback, cold and all-304, in-process, via the CLI, and against newsboat.

    python benchmarks/fetch_feeds.py [--feeds 50] [--items 200] [--loopback-links] [--no-cli] [--no-newsboat] [--breakdown]

The feeds are served by a separate process (one server per feed, so per-host politeness applies as it
would to 50 real sites) so the server never competes with the measured client for the GIL.
Goals (issue 3): cold ``tui-reader fetch`` of 10,000 stories ≤ 0.5× newsboat's wall time; the
all-304 refresh ≤ 1 s for 50 feeds. ``--loopback-links`` points the item links at 127.0.0.1, as an intranet
feed's point at private hosts (issue 12: such feeds must not cost more than public ones).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

WORDS = (
    "minister talks ceasefire port tanker sanctions drone border militia pipeline oil council "
    "statement envoy election protest strike convoy refinery ministry officials said week"
).split()


def make_feed(n: int, items: int, loopback: bool = False) -> bytes:
    """An RSS 2.0 feed of ``items`` entries, ~1.1 KB each (about what news sites serve)."""
    site = f"http://127.0.0.1:{8000 + n}" if loopback else f"https://site{n}.example"
    out = [
        f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        f'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Site {n} news</title>'
        f"<link>{site}/</link><description>Benchmark feed {n}</description>"
    ]
    for i in range(items):
        words = " ".join(WORDS[(i * 7 + j * 3 + n) % len(WORDS)] for j in range(60))
        out.append(
            f"<item><title>Site {n} story {i}: {' '.join(WORDS[(i + n + k) % len(WORDS)] for k in range(8))}</title>"
            f'<link>{site}/news/{i}</link><guid isPermaLink="false">site{n}-{i}</guid>'
            f"<pubDate>Mon, {1 + i % 28:02d} Jan 2024 {i % 24:02d}:{n % 60:02d}:00 GMT</pubDate>"
            f"<description>{words[:300]}</description>"
            f"<content:encoded><![CDATA[<p>{words}</p><p>{words[::-1]}</p>]]></content:encoded></item>"
        )
    out.append("</channel></rss>")
    return "".join(out).encode()


def _serve(feeds: int, items: int, loopback: bool, ports: multiprocessing.Queue) -> None:
    bodies = [make_feed(n, items, loopback) for n in range(feeds)]

    def handler_for(body: bytes):
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    urls = []
    for body in bodies:
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(body))
        httpd.daemon_threads = True
        Thread(target=httpd.serve_forever, daemon=True).start()
        urls.append(f"http://127.0.0.1:{httpd.server_address[1]}/feed.xml")
    ports.put((urls, sum(map(len, bodies))))
    while True:
        time.sleep(3600)


def _opml(urls: list[str]) -> str:
    lines = "".join(f'<outline text="f{i}" xmlUrl="{u}"/>' for i, u in enumerate(urls))
    return f'<?xml version="1.0"?><opml version="2.0"><body>{lines}</body></opml>'


def _timed(cmd: list[str], **kw) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)
    return time.perf_counter() - started


def bench_in_process(urls: list[str], stories: int) -> None:
    from tui_reader.config import FetchSettings
    from tui_reader.refresh import refresh_feeds
    from tui_reader.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        for url in urls:
            store.add_feed(url)
        for label in ("cold", "all-304"):
            started = time.perf_counter()
            report = asyncio.run(refresh_feeds(store, FetchSettings()))
            took = time.perf_counter() - started
            assert report.failed == 0, [o.error for o in report.outcomes if o.error][:3]
            print(
                f"in-process {label:8} {took:6.2f} s  {len(urls) / took:7.1f} feeds/s  "
                f"{report.total_new / took:8.0f} stories/s  ({report.total_new} new)"
            )
        assert store.count() == stories, store.count()
        store.close()


def bench_breakdown(urls: list[str]) -> None:
    """Each stage of a cold refresh alone, in this process, and the refresh with storing switched off:
    where the time goes, and the floor that fetching and parsing set before anything is stored."""
    from tui_reader import refresh
    from tui_reader.config import FetchSettings
    from tui_reader.feeds import parse_feed
    from tui_reader.fetch import Fetcher
    from tui_reader.store import Store

    async def fetch_all():
        async with Fetcher(FetchSettings()) as fetcher:
            return await asyncio.gather(*(fetcher.get(u) for u in urls))

    started = time.perf_counter()
    results = asyncio.run(fetch_all())
    print(f"breakdown: fetch only             {time.perf_counter() - started:6.2f} s")
    started = time.process_time()
    parsed = [parse_feed(r.body, r.content_type, r.url) for r in results]
    print(f"breakdown: parse only (CPU)       {time.process_time() - started:6.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        feeds = [store.add_feed(u) for u in urls]
        started = time.perf_counter()
        for feed, feed_parsed in zip(feeds, parsed, strict=False):
            store.upsert_entries(feed.id, feed_parsed.entries, feed_parsed.title)
        store.close()
        print(f"breakdown: store only             {time.perf_counter() - started:6.2f} s")
    real = refresh.store_parsed
    refresh.store_parsed = lambda store, feed, parsed, result, rules=True: refresh.FeedOutcome(
        feed.id, feed.url, feed.title, "ok", len(parsed.entries)
    )
    try:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Path(tmp) / "bench.db")
            for url in urls:
                store.add_feed(url)
            started = time.perf_counter()
            asyncio.run(refresh.refresh_feeds(store, FetchSettings()))
            print(
                f"breakdown: refresh, storing off   {time.perf_counter() - started:6.2f} s  "
                "(add interpreter start and exit for the CLI's floor)"
            )
            store.close()
    finally:
        refresh.store_parsed = real


def bench_cli(urls: list[str], stories: int) -> float | None:
    exe = shutil.which("tui-reader") or str(Path(sys.executable).with_name("tui-reader"))
    with tempfile.TemporaryDirectory() as tmp:
        opml = Path(tmp) / "feeds.opml"
        opml.write_text(_opml(urls))
        home = Path(tmp) / "home"
        _timed([exe, "--home", str(home), "import-opml", str(opml)])
        cold = _timed([exe, "--home", str(home), "fetch", "--plain"])
        warm = _timed([exe, "--home", str(home), "fetch", "--plain"])
        print(
            f"tui-reader fetch (process start to exit)  cold {cold:6.2f} s  "
            f"{stories / cold:8.0f} stories/s   all-304 {warm:5.2f} s"
        )
        return cold


def bench_newsboat(urls: list[str], threads: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "urls").write_text("\n".join(urls) + "\n")
        (d / "config").write_text(f"reload-threads {threads}\n")
        cmd = ["newsboat", "-x", "reload", "-u", str(d / "urls"), "-c", str(d / "cache.db"), "-C", str(d / "config")]
        env = {**os.environ, "HOME": tmp, "XDG_CONFIG_HOME": tmp, "XDG_DATA_HOME": tmp}
        took = _timed(cmd, env=env, stderr=subprocess.DEVNULL)
        print(
            f"newsboat -x reload (reload-threads {threads:2d})      cold {took:6.2f} s  {len(urls) / took:7.1f} feeds/s"
        )
        return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--feeds", type=int, default=50)
    ap.add_argument("--items", type=int, default=200)
    ap.add_argument("--loopback-links", action="store_true", help="item links on 127.0.0.1 (an intranet feed)")
    ap.add_argument("--no-cli", action="store_true", help="skip the `tui-reader fetch` subprocess run")
    ap.add_argument("--no-newsboat", action="store_true")
    ap.add_argument("--breakdown", action="store_true", help="also time fetch, parse and store alone")
    args = ap.parse_args()

    queue: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(
        target=_serve, args=(args.feeds, args.items, args.loopback_links, queue), daemon=True
    )
    server.start()
    urls, size = queue.get(timeout=120)
    stories = args.feeds * args.items
    print(
        f"{args.feeds} feeds x {args.items} items = {stories} stories, {size / 1e6:.1f} MB, on {os.cpu_count()} CPUs"
        f"{', item links on 127.0.0.1' if args.loopback_links else ''}"
    )
    try:
        bench_in_process(urls, stories)
        if args.breakdown:
            bench_breakdown(urls)
        cold = None if args.no_cli else bench_cli(urls, stories)
        if not args.no_newsboat and shutil.which("newsboat"):
            best = min(bench_newsboat(urls, threads) for threads in (1, 16))
            if cold:
                print(f"ratio tui-reader fetch / best newsboat: {cold / best:.2f} (goal <= 0.5)")
        elif not args.no_newsboat:
            print("newsboat not installed (apt-get install -y newsboat) — skipped")
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
