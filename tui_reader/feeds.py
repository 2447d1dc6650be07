"""Feed bytes → :class:`ParsedFeed` (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.1), pure and synchronous.

feedparser-rs does the parsing: it agrees with feedparser on well-formed feeds and is ~30× faster
(``benchmarks/parsers.py``). Anything it flags as imperfect (bozo: undefined entities, broken markup,
a charset that lies) goes to feedparser, whose loose parser and charset fallbacks are the reference.

Safety: a DOCTYPE is cut out before either parser sees the bytes, so no entity is ever declared
(billion laughs, XXE) and no DTD is fetched; neither parser touches the network for bytes input.
"""

from __future__ import annotations

import calendar
import codecs
import html
import json
import re
from datetime import datetime, timezone
from urllib.parse import urljoin

from tui_reader.models import FeedEntry, ParsedFeed
from tui_reader.store import story_guid


class FeedError(ValueError):
    """The bytes are not a usable feed; the message is one line for the feed's status."""


_PROLOG_DOCTYPE = re.compile(rb"\A((?:\xef\xbb\xbf)?(?:\s|<\?.*?\?>|<!--.*?-->)*)<!DOCTYPE\b(?:[^\[>]*\[.*?\]\s*>|[^>]*>)",
                             re.I | re.S)
_XML_DECL = re.compile(r"\A\s*<\?xml[^>]*\?>")
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)["']""")
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_TAG = re.compile(r"<[^>]*>")
_WS = re.compile(r"\s+")
_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml",
               "application/json+feed"}
_FEED_ROOTS = (b"<rss", b"<feed", b"<rdf:rdf", b"<rdf", b"<channel")


def parse_feed(data: bytes, content_type: str = "", url: str = "") -> ParsedFeed:
    """Parse one downloaded feed; ``url`` resolves relative links. Raises :class:`FeedError`."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Transcode so the DOCTYPE cut and the fast path see UTF-8 bytes.
        data = _XML_DECL.sub("", data.decode("utf-16", "replace")).encode("utf-8")
    if _sniff(data).startswith((b"{", b"[")):
        return _convert(_parse_json(data), url, "json")
    data = strip_doctype(data)
    parsed = None
    if _charset_agrees(data, content_type):
        import feedparser_rs

        parsed = feedparser_rs.parse(data)
        if parsed.bozo or not parsed.version:
            parsed = None
    if parsed is None:
        parsed = _parse_reference(data, content_type, url)
    kind = "atom" if parsed.version.startswith("atom") else "rss"
    return _convert(parsed, url, kind)


def strip_doctype(data: bytes) -> bytes:
    """The document without its DOCTYPE: nothing left to declare entities or point at a DTD."""
    return _PROLOG_DOCTYPE.sub(rb"\1", data, count=1)


def _sniff(data: bytes) -> bytes:
    """The lower-cased start of the document; rejects what is plainly not a feed, with a reason."""
    head = data[:1024].removeprefix(codecs.BOM_UTF8).lstrip().lower()
    if not head:
        raise FeedError("not a feed: the response was empty")
    if looks_like_html(data):
        raise FeedError("not a feed: got an HTML page")
    if not head.startswith((b"<", b"{", b"[")):
        raise FeedError("not a feed: the response is neither XML nor JSON")
    return head


def looks_like_html(data: bytes) -> bool:
    """An HTML page rather than a feed (judged by the markup: servers mislabel both)."""
    head = data[:1024].removeprefix(codecs.BOM_UTF8).lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or (
        b"<html" in head and not any(root in data[:4096].lower() for root in _FEED_ROOTS))


def discover_feeds(page: bytes, url: str) -> list[tuple[str, str]]:
    """``(url, title)`` of the feeds an HTML page advertises with ``<link rel="alternate" type=…>``."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(page)
    except (lxml.etree.ParserError, ValueError):
        return []
    found: dict[str, str] = {}
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().strip()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in _FEED_TYPES and href:
            found.setdefault(urljoin(url, href), _WS.sub(" ", link.get("title") or "").strip())
    return list(found.items())


def _charset_agrees(data: bytes, content_type: str) -> bool:
    """True when the bytes decode cleanly in the one charset everybody declares (else feedparser decides)."""
    declared = {m.group(1).decode("ascii").lower() for m in [_XML_ENCODING.match(data[:200])] if m}
    if m := _HEADER_CHARSET.search(content_type or ""):
        declared.add(m.group(1).lower())
    if len(declared) > 1:
        return False
    try:
        data.decode(declared.pop() if declared else "utf-8")
    except (LookupError, UnicodeDecodeError):
        return False
    return True


def _parse_reference(data: bytes, content_type: str, url: str):
    import feedparser

    headers = {"content-type": content_type or "application/xml"}
    if url:
        headers["content-location"] = url
    parsed = feedparser.parse(data, response_headers=headers)
    if parsed.get("version") or parsed.entries:
        return parsed
    exc = parsed.get("bozo_exception")
    if exc is not None and hasattr(exc, "getLineNumber"):
        raise FeedError(f"malformed XML at line {exc.getLineNumber()}: {exc.getMessage()}")
    raise FeedError("not a feed: no RSS, Atom or JSON Feed found")


def _parse_json(data: bytes):
    try:
        doc = json.loads(data)
    except UnicodeDecodeError:
        raise FeedError("malformed JSON feed: not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise FeedError(f"malformed JSON at line {exc.lineno}: {exc.msg}") from None
    if not isinstance(doc, dict) or "jsonfeed.org" not in str(doc.get("version", "")):
        raise FeedError("not a feed: JSON without a JSON Feed version")
    import feedparser_rs

    parsed = feedparser_rs.parse(data)
    if not parsed.version:
        raise FeedError("malformed JSON feed: " + str(parsed.get("bozo_exception") or "no items"))
    return parsed


def _text(value, detail) -> str:
    """Plain one-line text: HTML-typed values (rs marks every title so) lose tags and entities."""
    value = value or ""
    if detail and "html" in (detail.get("type") or ""):
        value = html.unescape(_TAG.sub("", value))
    return _WS.sub(" ", value).strip()


def _date(parsed) -> datetime | None:
    """struct_time in UTC (both parsers normalise to it) → aware datetime; nonsense → None."""
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)
    except (OverflowError, ValueError, OSError, TypeError):
        return None


def _content(entry) -> str:
    items = entry.get("content") or []
    for item in items:
        if "html" in (item.get("type") or ""):
            return item.get("value") or ""
    return (items[0].get("value") or "") if items else ""


def _convert(parsed, url: str, kind: str) -> ParsedFeed:
    feed = parsed.feed
    link = feed.get("link") or ""
    link = urljoin(url, link) if link and url else link
    entries = []
    for e in parsed.entries:
        entry_link = (e.get("link") or "").strip()
        if entry_link and url:
            entry_link = urljoin(url, entry_link)
        title = _text(e.get("title"), e.get("title_detail"))
        if not (title or entry_link or e.get("id") or e.get("summary") or e.get("content")):
            continue  # what a truncated document leaves behind is not a story
        # dict.get: feedparser's own get() warns when "updated" falls back to "published".
        updated = _date(dict.get(e, "updated_parsed") if isinstance(e, dict) else e.get("updated_parsed"))
        entries.append(FeedEntry(
            guid=story_guid(e.get("id") or "", entry_link, title),
            url=entry_link,
            title=title,
            author=_text(e.get("author"), None),
            published=_date(e.get("published_parsed")) or updated,
            updated=updated,
            summary=e.get("summary") or "",
            content=_content(e),
        ))
    return ParsedFeed(title=_text(feed.get("title"), feed.get("title_detail")), link=link, entries=entries,
                      kind=kind)
