"""Feed bytes → :class:`ParsedFeed` (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.1), pure and synchronous.

feedparser-rs parses XML feeds: it agrees with feedparser on well-formed feeds and is ~30× faster
(``benchmarks/parsers.py``). Anything it flags as imperfect (bozo: undefined entities, broken markup),
a charset it would garble, or a feed whose links it blanked (it drops links to loopback and private
hosts) goes to feedparser, whose loose parser and charset fallbacks are the reference. JSON Feed is
read with ``json`` directly (feedparser 6 cannot read it at all).

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

import feedparser_rs

from tui_reader.identity import story_guid
from tui_reader.models import FeedEntry, ParsedFeed
from tui_reader.sanitize import html_text

MAX_ENTRIES = 10_000
"""Entries read from one document; beyond that it is an archive dump or an attack, and the first are kept."""


class FeedError(ValueError):
    """The bytes are not a usable feed; the message is one line for the feed's status."""


# Prolog items are written so they cannot run past their own end: a failed match costs the prolog, not the file.
_PROLOG_DOCTYPE = re.compile(rb"\A((?:\xef\xbb\xbf)?(?:\s|<\?(?:[^?]|\?(?!>))*\?>|<!--(?:[^-]|-(?!->))*-->)*)"
                             rb"<!DOCTYPE\b(?:[^\[>]*\[.*?\]\s*>|[^>]*>)", re.I | re.S)
_XML_DECL = re.compile(r"\A\s*<\?xml[^>]*\?>")
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)["']""")
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_CHARREF = re.compile(rb"&#([xX][0-9a-fA-F]{1,16}|[0-9]{1,20});")
_WS = re.compile(r"\s+")
_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml",
               "application/json+feed"}
_FEED_ROOTS = (b"<rss", b"<feed", b"<rdf:rdf", b"<rdf", b"<channel")
_RS_LIMITS = feedparser_rs.ParserLimits(max_entries=MAX_ENTRIES)


def parse_feed(data: bytes, content_type: str = "", url: str = "") -> ParsedFeed:
    """Parse one downloaded feed; ``url`` resolves relative links. Raises :class:`FeedError`."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Transcode so the DOCTYPE cut and the fast path see UTF-8 bytes.
        data = _XML_DECL.sub("", data.decode("utf-16", "replace")).encode("utf-8")
    if _sniff(data).startswith((b"{", b"[")):
        return _parse_json(data, url)
    data = strip_doctype(data)
    parsed = None
    if _charset_agrees(data, content_type):
        try:
            parsed = feedparser_rs.parse_with_limits(data, limits=_RS_LIMITS)
        except ValueError:  # it raises on some ill-formed documents that feedparser still reads
            parsed = None
        else:
            truncated = str(parsed.get("bozo_exception")).startswith("Entry limit exceeded")  # not a defect
            if (parsed.bozo and not truncated) or not parsed.version or _dropped_links(parsed):
                parsed = None
    if parsed is None:
        parsed = _parse_reference(data, content_type, url)
    kind = "atom" if parsed.version.startswith("atom") else "rss"
    return _convert(parsed, url, kind)


def _join(base: str, link: str) -> str:
    """``urljoin`` that never raises: a link too broken to resolve (``http://[x``) is dropped."""
    try:
        return urljoin(base, link)
    except ValueError:
        return ""


def strip_doctype(data: bytes) -> bytes:
    """The document without its DOCTYPE: nothing left to declare entities or point at a DTD."""
    m = _PROLOG_DOCTYPE.match(data)  # match, not sub: sub would try the anchor at every offset
    return m.group(1) + data[m.end():] if m else data


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


def discover_feeds(page: bytes, url: str, content_type: str = "") -> list[tuple[str, str]]:
    """``(url, title)`` of the feeds an HTML page advertises with ``<link rel="alternate" type=…>``.

    Decoded as reader mode decodes pages (HTTP charset, ``<meta charset>``, UTF-8…), so a title
    with an em dash on a page that declares its charset only in the header is not garbled.
    """
    from tui_reader.extract import parse

    root = parse(page, content_type)
    if root is None:
        return []
    found: dict[str, str] = {}
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().strip()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in _FEED_TYPES and href:
            found.setdefault(_join(url, href), _WS.sub(" ", link.get("title") or "").strip())
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
    import feedparser  # 45 ms to import, and most refreshes never need it

    headers = {"content-type": content_type or "application/xml"}
    if url:
        headers["content-location"] = url
    try:
        parsed = feedparser.parse(_CHARREF.sub(_valid_charref, data), response_headers=headers)
    except Exception as exc:  # feedparser's loose parser has crashes of its own on hostile input
        raise FeedError(f"unreadable feed ({type(exc).__name__})") from None
    if parsed.get("version") or parsed.entries:
        return parsed
    exc = parsed.get("bozo_exception")
    if exc is not None and hasattr(exc, "getLineNumber"):
        raise FeedError(f"malformed XML at line {exc.getLineNumber()}: {exc.getMessage()}")
    raise FeedError("not a feed: no RSS, Atom or JSON Feed found")


def _valid_charref(m: re.Match) -> bytes:
    """A character reference feedparser can encode: surrogates, NUL and beyond-Unicode become U+FFFD."""
    digits = m.group(1)
    try:
        code = int(digits[1:], 16) if digits[:1] in (b"x", b"X") else int(digits)
    except ValueError:
        return b"&#xFFFD;"
    return m.group(0) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else b"&#xFFFD;"


def _parse_json(data: bytes, url: str) -> ParsedFeed:
    """JSON Feed 1.0/1.1 straight from ``json``: the spec is small, and no parser then second-guesses links."""
    try:
        doc = json.loads(data)
    except UnicodeDecodeError:
        raise FeedError("malformed JSON feed: not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise FeedError(f"malformed JSON at line {exc.lineno}: {exc.msg}") from None
    if not isinstance(doc, dict) or "jsonfeed.org" not in str(doc.get("version", "")):
        raise FeedError("not a feed: JSON without a JSON Feed version")
    items = doc.get("items")
    if not isinstance(items, list):
        raise FeedError("malformed JSON feed: no items list")
    entries = []
    for item in items[:MAX_ENTRIES]:
        if not isinstance(item, dict):
            continue
        authors = item.get("authors") or [item.get("author")]
        author = authors[0] if isinstance(authors, list) and authors else None
        text = _str(item.get("content_text"))
        entry = _entry(url, entry_id=_str(item.get("id")), link=_str(item.get("url") or item.get("external_url")),
                       title=_text(_str(item.get("title")), None),
                       author=_text(_str(author.get("name")) if isinstance(author, dict) else "", None),
                       published=_iso_date(item.get("date_published")), updated=_iso_date(item.get("date_modified")),
                       summary=_str(item.get("summary")),
                       content=_str(item.get("content_html")) or (html.escape(text) if text else ""))
        if entry is not None:
            entries.append(entry)
    link = _str(doc.get("home_page_url"))
    return ParsedFeed(title=_text(_str(doc.get("title")), None), link=_join(url, link) if link else "",
                      entries=entries, kind="json")


def _str(value) -> str:
    """JSON values as text: ids may be numbers; anything else odd counts as missing."""
    return str(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""


def _iso_date(value) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def _text(value, detail) -> str:
    """Plain one-line text: HTML-typed values (rs marks every title so) lose tags and entities."""
    value = value or ""
    if ("<" in value or "&" in value) and detail and "html" in (detail.get("type") or ""):
        value = html_text(value, "")
    return " ".join(value.split())


def _date(parsed) -> datetime | None:
    """struct_time in UTC (both parsers normalise to it) → aware datetime; nonsense → None."""
    if not parsed:
        return None
    try:
        return datetime(*parsed[:6], tzinfo=timezone.utc)
    except (ValueError, TypeError):  # a leap second or an unnormalised field: let timegm carry it over
        pass
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


def _dropped_links(parsed) -> bool:
    """feedparser-rs blanks links to loopback and private hosts (intranet feeds, the demo): let feedparser do those."""
    return any(not link.get("href") for e in parsed.entries for link in e.get("links") or ())


def _entry(url: str, *, entry_id: str, link: str, title: str, author: str, published: datetime | None,
           updated: datetime | None, summary: str, content: str) -> FeedEntry | None:
    """One entry with its link made absolute and its identity settled; None for an empty husk."""
    link = link.strip()
    if link and url and not link.startswith(("https://", "http://")):  # urljoin is slow; most links are absolute
        link = _join(url, link)
    if not (title or link or entry_id or summary or content):
        return None  # what a truncated document leaves behind is not a story
    return FeedEntry(guid=story_guid(entry_id, link, title, summary, published or updated), url=link, title=title, author=author,
                     published=published or updated, updated=updated, summary=summary, content=content)


def _convert(parsed, url: str, kind: str) -> ParsedFeed:
    entries = []
    for e in parsed.entries[:MAX_ENTRIES]:
        # dict.get: feedparser's own get() warns when "updated" falls back to "published".
        updated = dict.get(e, "updated_parsed") if isinstance(e, dict) else e.get("updated_parsed")
        entry = _entry(url, entry_id=e.get("id") or "", link=e.get("link") or "",
                       title=_text(e.get("title"), e.get("title_detail")), author=_text(e.get("author"), None),
                       published=_date(e.get("published_parsed")), updated=_date(updated),
                       summary=e.get("summary") or "", content=_content(e))
        if entry is not None:
            entries.append(entry)
    feed = parsed.feed
    link = feed.get("link") or ""
    return ParsedFeed(title=_text(feed.get("title"), feed.get("title_detail")),
                      link=_join(url, link) if link and url else link, entries=entries, kind=kind)
