"""Which feed parser: agreement with feedparser (the reference) and speed, for feedparser-rs and fastfeedparser.

    python benchmarks/parsers.py

Agreement is counted per field over every entry of the test feeds (every format, charsets, malformed,
hostile), the bundled demo feeds and generated news feeds; speed is 50 feeds × 200 items. This is the
evidence behind tui_reader.feeds using feedparser-rs with feedparser as its fallback.
"""

from __future__ import annotations

import calendar
import html
import re
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import fastfeedparser
import feedparser
import feedparser_rs

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from fetch_feeds import make_feed  # noqa: E402

from tests import test_feeds as samples  # noqa: E402
from tui_reader.feeds import parse_feed  # noqa: E402

FIELDS = ("id", "link", "title", "date", "summary", "content")
_TAG = re.compile(r"<[^>]*>")


def _plain(value: str | None) -> str:
    return " ".join(html.unescape(_TAG.sub("", value or "")).split())


def _when(entry) -> str:
    stamp = entry.get("published_parsed")
    if stamp:
        return datetime.fromtimestamp(calendar.timegm(stamp), timezone.utc).isoformat()
    text = entry.get("published")  # fastfeedparser: ISO strings only
    try:
        return datetime.fromisoformat(text).astimezone(timezone.utc).isoformat() if text else ""
    except (TypeError, ValueError):
        return ""


def _fields(entry) -> dict[str, str]:
    content = entry.get("content") or []
    return {
        "id": entry.get("id") or "",
        "link": entry.get("link") or "",
        "title": _plain(entry.get("title")),
        "date": _when(entry),
        "summary": _plain(entry.get("summary")),
        "content": _plain(content[0].get("value") if content else ""),
    }


def _parse(name: str, data: bytes):
    try:
        if name == "feedparser":
            return feedparser.parse(data).entries
        if name == "feedparser-rs":
            return feedparser_rs.parse(data).entries
        return fastfeedparser.parse(data).entries
    except Exception:  # noqa: BLE001 - a rejection counts as disagreement on every field
        return None


def corpus() -> dict[str, bytes]:
    docs = {name.lower(): value for name, value in vars(samples).items() if isinstance(value, bytes)}
    docs.update({f"charset-{i}": data for i, (data, *_) in enumerate(samples.CHARSET_SAMPLES)})
    docs.update({p.name: p.read_bytes() for p in (ROOT / "tui_reader/demo/site/feeds").glob("*")})
    docs.update({f"generated-{n}": make_feed(n, 20) for n in range(3)})
    docs["loopback-links"] = samples.rss("<item><title>t</title><link>http://127.0.0.1:8080/a</link></item>")
    return docs


def agreement() -> None:
    totals = {name: Counter() for name in ("feedparser-rs", "fastfeedparser")}
    compared = 0
    for doc, data in corpus().items():
        reference = _parse("feedparser", data)
        if not reference:
            continue
        for name, counter in totals.items():
            entries = _parse(name, data) or []
            for i, ref in enumerate(reference):
                want = _fields(ref)
                got = _fields(entries[i]) if i < len(entries) else {}
                for field in FIELDS:
                    counter[field] += got.get(field) == want[field]
                    if got.get(field) != want[field] and "-v" in sys.argv:
                        print(f"  {name:14} {doc:22} {field:8} {got.get(field)!r:.50} != {want[field]!r:.50}")
        compared += len(reference)
    print(f"agreement with feedparser over {compared} entries (share of entries with the same value):")
    print(f"  {'':15}" + "".join(f"{f:>9}" for f in FIELDS))
    for name, counter in totals.items():
        print(f"  {name:15}" + "".join(f"{counter[f] / compared:9.0%}" for f in FIELDS))


def speed() -> None:
    feeds = [make_feed(n, 200) for n in range(50)]
    print(f"parse time, 50 feeds × 200 items ({sum(map(len, feeds)) / 1e6:.1f} MB):")
    runs = [
        ("feedparser", feedparser.parse),
        ("feedparser-rs", feedparser_rs.parse),
        ("fastfeedparser", fastfeedparser.parse),
        ("tui_reader.feeds.parse_feed", parse_feed),
    ]
    for name, parse in runs:
        started = time.perf_counter()
        for data in feeds:
            parse(data)
        print(f"  {name:28} {time.perf_counter() - started:6.2f} s")
    intranet = [make_feed(n, 200, loopback=True) for n in range(50)]
    started = time.perf_counter()
    for data in intranet:  # feedparser-rs blanks these links; parse_feed reads them without feedparser
        parse_feed(data)
    print(f"  {'  ... item links on 127.0.0.1':28} {time.perf_counter() - started:6.2f} s")


if __name__ == "__main__":
    agreement()
    speed()
