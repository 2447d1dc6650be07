"""Feed bytes → :class:`ParsedFeed` (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.1), pure and synchronous.

feedparser-rs parses XML feeds: ~30× faster than feedparser (``benchmarks/parsers.py``), but it misreads some real
feeds, so its result is checked per feed against cheap facts read off the bytes (one entry per ``<item>``/
``<entry>``, the item's own ``<title>``, a date where the item has one) and feedparser, the reference, reads the
feed where they disagree. Known faults are fixed instead of avoided: the bytes it sees are UTF-8 (transcoded
here, as it misreads some charset labels), without self-closing elements (``<dc:creator/>`` makes it take the
next element's text), and links it blanks (those to loopback and private hosts: intranet feeds, the demo) or
leaves entity-encoded (Atom ``href``) are read from the item's own bytes. Anything it flags as imperfect (bozo:
undefined entities, broken markup) goes to feedparser, whose loose parser and charset fallbacks are the
reference. JSON Feed is read with ``json`` directly (feedparser 6 cannot read it at all). Titles, summaries
and feed titles then get their double-encoded UTF-8 repaired (``imputÃ©`` → ``imputé``) by ftfy.

Safety: a DOCTYPE is cut out before either parser sees the bytes, so no entity is ever declared
(billion laughs, XXE) and no DTD is fetched; neither parser touches the network for bytes input.
"""

from __future__ import annotations

import calendar
import codecs
import html
import json
import re
from bisect import bisect_right
from datetime import datetime, timezone

import feedparser_rs

from tui_reader.errors import FeedError
from tui_reader.identity import story_guid
from tui_reader.models import FeedEntry, ParsedFeed
from tui_reader.sanitize import header_charset, html_text
from tui_reader.urls import join

MAX_ENTRIES = 10_000
"""Entries read from one document; beyond that it is an archive dump or an attack, and the first are kept."""


# Prolog items are written so they cannot run past their own end: a failed match costs the prolog, not the file.
_PROLOG_DOCTYPE = re.compile(
    rb"\A((?:\xef\xbb\xbf)?(?:\s|<\?(?:[^?]|\?(?!>))*\?>|<!--(?:[^-]|-(?!->))*-->)*)"
    rb"<!DOCTYPE\b(?:[^\[>]*\[.*?\]\s*>|[^>]*>)",
    re.I | re.S,
)
_XML_DECL = re.compile(r"\A\s*<\?xml[^>]*\?>")
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)["']""")
_CHARREF = re.compile(rb"&#([xX][0-9a-fA-F]{1,16}|[0-9]{1,20});")
_WS = re.compile(r"\s+")
_FEED_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/rdf+xml",
    "application/json+feed",
}
_FEED_ROOTS = (b"<rss", b"<feed", b"<rdf:rdf", b"<rdf", b"<channel")
_RS_LIMITS = feedparser_rs.ParserLimits(max_entries=MAX_ENTRIES)
_ITEM = {
    atom: re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?%s(?=[\s/>])[^>]*(?<!/)>" % tag)
    for atom, tag in ((False, b"item"), (True, b"entry"))
}
_ITEM_BARE = {False: re.compile(rb"<item(?:\s[^>]*)?(?<!/)>"), True: re.compile(rb"<entry(?:\s[^>]*)?(?<!/)>")}
_TAG_NAME = re.compile(rb"[A-Za-z_][\w.:-]*(?=[\s/])")
_SELF_CLOSING = re.compile(rb"/>")  # re's search: three times the speed of bytes.find for this needle
_TITLE_TAG = re.compile(rb"<(?:dc:)?title")
# Left self-closing: items (an empty one holds no story) and HTML's void elements in XHTML content, which HTML
# would read back as two (``<br></br>`` is two line breaks).
_MAX_EMPTY_ELEMENTS = 100_000
_KEEP_EMPTY = frozenset(b"item entry area base br col embed hr img input meta param track wbr".split())
# A title whose text is markup, escaped or raw in CDATA; m.end() is where the text starts.
_TITLE_MARKUP = re.compile(
    rb"<title(\s[^>]*+)?>(?=\s*+<!\[CDATA\[(?:[^<\]]|\](?!\]>))*+<"
    rb"|[^<&]*+(?:&(?!lt;|#0*60;|#[xX]0*3[cC];)[^<&]*+)*+&(?:lt|#0*60|#[xX]0*3[cC]);)"
)
_DATE_TAG = re.compile(rb"<(?:[\w.-]+:)?(?:pubDate|date|published|updated|issued|modified)>\s*[^\s<]")
_ATOM_LINK = re.compile(rb"<link\b([^>]*)>")
_GUID = re.compile(rb"<guid\b([^>]*)>([^<]*)</guid>")
_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_XML_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_XML_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_TWELVE_HOUR = re.compile(r"\b(\d{1,2}):(\d\d)(?::(\d\d))?\s*([AaPp])\.?[Mm]\b\.?")
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_MARKUP = re.compile(r"<[^>]*>")
# What double-encoded UTF-8 leaves: a lead byte read as Latin-1 (Â-ô) before a continuation byte read as
# Latin-1 or windows-1252. Correct Cyrillic, Arabic, Hebrew, CJK… text never has it, so ftfy never sees it.
_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
    "\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
# Labels for Latin-1, which feeds mean as windows-1252 (as browsers read them): curly quotes, not C1 controls.
_C1_AS_CP1252 = {c: bytes([c]).decode("cp1252", "ignore") or chr(c) for c in range(0x80, 0xA0)}


def parse_feed(data: bytes, content_type: str = "", url: str = "") -> ParsedFeed:
    """Parse one downloaded feed; ``url`` resolves relative links. Raises :class:`FeedError`."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Transcode so the DOCTYPE cut and the fast path see UTF-8 bytes.
        data = _XML_DECL.sub("", data.decode("utf-16", "replace")).encode("utf-8")
    if _sniff(data).startswith((b"{", b"[")):
        return _parse_json(data, url)
    data = strip_doctype(data)
    fast = _parse_fast(data, content_type)
    if fast is not None:
        parsed, feed_link, links = fast
        return _convert(parsed, feed_link, links, url)
    parsed = _parse_reference(data, content_type, url)
    return _convert(parsed, parsed.feed.get("link") or "", [e.get("link") or "" for e in parsed.entries], url)


def _parse_fast(data: bytes, content_type: str):
    """feedparser-rs's parse with its feed link and entry links, or None where feedparser must read the feed."""
    doc = _utf8_document(data, content_type)
    if doc is None:
        return None
    doc = _expand_empty_elements(doc)
    try:
        # sanitize_html=False: its sanitizer took 100 of 170 ms per 10,000 entries, and every reader of feed
        # HTML parses it again anyway (reader mode through lxml, words through sanitize.html_text)
        parsed = feedparser_rs.parse_with_limits(doc, limits=_RS_LIMITS, sanitize_html=False)
    except ValueError:  # it raises on some ill-formed documents that feedparser still reads
        return None
    truncated = str(parsed.get("bozo_exception")).startswith("Entry limit exceeded")  # not a defect
    if (parsed.bozo and not truncated) or not parsed.version:
        return None
    links = _checked_links(parsed, doc)
    return None if links is None else (parsed, *links)


def _utf8_document(data: bytes, content_type: str) -> bytes | None:
    """The document as UTF-8 for feedparser-rs, which misreads some charset labels (``latin-1``, a header's
    charset); None when the declared charsets disagree or do not decode the bytes (feedparser then decides)."""
    declared = {m.group(1).decode("ascii").lower() for m in [_XML_ENCODING.match(data[:200])] if m}
    if charset := header_charset(content_type):
        declared.add(charset)
    if len(declared) > 1:
        return None
    try:
        codec = codecs.lookup(declared.pop() if declared else "utf-8").name
        text = data.decode(codec)
    except (LookupError, UnicodeDecodeError):
        return None
    if codec == "utf-8":
        return data
    if codec.startswith(("utf-16", "utf-32")):  # declared, yet without a BOM: a lie that decodes to garbage
        return None
    if codec == "iso8859-1":
        text = text.translate(_C1_AS_CP1252)
    return _XML_DECL.sub("", text).encode("utf-8")


def _expand_empty_elements(doc: bytes) -> bytes:
    """``<dc:creator/>`` → ``<dc:creator></dc:creator>``, the same XML: feedparser-rs reads a self-closing text
    element as if it held the next element, losing that element (a date, a title). CDATA and comments are
    left as they are; past ``_MAX_EMPTY_ELEMENTS`` (a hostile document) so is the rest, for the checks to judge."""
    parts: list[bytes] = []
    done = scan = 0
    for _ in range(_MAX_EMPTY_ELEMENTS):
        if (found := _SELF_CLOSING.search(doc, scan)) is None:
            break
        end = found.start()
        if (skip := _after_cdata_or_comment(doc, scan, end)) is not None:
            scan = skip
            continue
        start = doc.rfind(b"<", scan, end)
        name = _TAG_NAME.match(doc, start + 1) if start >= 0 and doc.find(b">", start, end) < 0 else None
        if name and name.group().rpartition(b":")[2].lower() not in _KEEP_EMPTY:
            parts += (doc[done:end], b"></", name.group(), b">")
            done = end + 2
        scan = end + 2
    return b"".join((*parts, doc[done:])) if parts else doc


def _after_cdata_or_comment(doc: bytes, scan: int, end: int) -> int | None:
    """Where the first CDATA section or comment opening in ``doc[scan:end]`` ends; None if none opens there."""
    opened = [
        (at, close)
        for opener, close in ((b"<![CDATA[", b"]]>"), (b"<!--", b"-->"))
        if (at := doc.find(opener, scan, end)) >= 0
    ]
    if not opened:
        return None
    at, close = min(opened)
    closed = doc.find(close, at + 4)
    return len(doc) if closed < 0 else closed + len(close)


def _checked_links(parsed, doc: bytes) -> tuple[str, list[str]] | None:
    """The feed link and the entries' links when feedparser-rs read every item right as far as cheap checks on
    the bytes tell (one entry per item, each RSS item's own title, a date where the item has one); None if not.

    Links it blanked (loopback and private hosts) are read from the item's bytes; Atom ``href`` values, which
    it leaves entity-encoded (``?a=1&amp;b=2``), are decoded. The titles are found in one pass over the
    document, not one per item: on a cold refresh every byte scanned costs.
    """
    entries = parsed.entries
    atom = parsed.version.startswith("atom")
    starts = _item_starts(doc, atom, len(entries))
    if len(starts) != len(entries) and not (len(entries) == MAX_ENTRIES and len(starts) > MAX_ENTRIES):
        return None  # an item it dropped, or merged into another
    titles = [m.start() for m in _TITLE_TAG.finditer(doc)]
    if not _markup_titles_agree(doc, titles):
        return None
    retitled = set() if atom else _retitled(titles, starts)
    empty = not atom and b"<link></link>" in doc  # an empty item link, which it fills with the channel's
    links = []
    for i, (entry, start, end) in enumerate(zip(entries, starts, [*starts[1:], len(doc)], strict=False)):
        if i in retitled and not _own_title(entry, doc, start, end):
            return None  # it takes a nested element's <title> (an author's job title) or dc:title for the item's
        if not (entry.published or entry.updated) and _DATE_TAG.search(doc, start, end):
            return None
        if empty and doc.find(b"<link></link>", start, end) >= 0:
            links.append(_raw_rss_link(doc, start, end))
        else:
            links.append(_link(entry, doc, start, end, atom))
    return _link(parsed.feed, doc, 0, starts[0] if starts else len(doc), atom), links


def _markup_titles_agree(doc: bytes, titles: list[int]) -> bool:
    """False where a title's text is markup that feedparser keeps as text (``&lt;blink&gt; tag``) and
    feedparser-rs, reading every untyped title as HTML, sanitizes away; rare, so feedparser's rule is imported.
    ``titles`` are where the document's title elements start."""
    found = [m for at in titles if (m := _TITLE_MARKUP.match(doc, at)) and b"type=" not in (m.group(1) or b"")]
    if not found:
        return True
    # feedparser's rule for RSS's nominally plain-text elements
    from feedparser.mixin import _FeedParserMixin

    for m in found:
        close = doc.find(b"</title>", m.end())
        text = _xml_unescape(_CDATA.sub(r"\1", doc[m.end() : close if close >= 0 else None].decode("utf-8", "replace")))
        if not _FeedParserMixin.looks_like_html(text):
            return False
    return True


def _item_starts(doc: bytes, atom: bool, expected: int) -> list[int]:
    """Where each ``<item>``/``<entry>`` element's content starts, in document order (it runs to the next one's;
    an empty ``<item/>`` holds nothing and is skipped). The tag without a namespace prefix first, as nearly
    every feed has it: that pattern runs several times faster than one allowing a prefix."""
    starts = [m.end() for m in _ITEM_BARE[atom].finditer(doc)]
    return starts if len(starts) == expected else [m.end() for m in _ITEM[atom].finditer(doc)]


def _retitled(titles: list[int], starts: list[int]) -> set[int]:
    """The items (by index) that hold more than one title element: their own and a nested one, or a dc:title."""
    owners = [bisect_right(starts, at) - 1 for at in titles]
    return {item for item, after in zip(owners, owners[1:], strict=False) if item == after >= 0}


def _own_title(entry, doc: bytes, start: int, end: int) -> bool:
    """The entry's title is the item's first ``<title>`` (an item with several: its own and nested ones)."""
    at = doc.find(b"<title", start, end)
    body = doc.find(b">", at, end) + 1
    close = doc.find(b"</title>", body, end)
    return body > 0 and close >= 0 and _plain(doc[body:close].decode("utf-8", "replace")) == _plain(entry.get("title"))


def _plain(text: str | None) -> str:
    """Text only, without whitespace: a title compares equal whatever tags, entities or CDATA carried it."""
    text = _CDATA.sub(r"\1", text or "")
    return "".join(html.unescape(_MARKUP.sub("", html.unescape(text))).split())


def _link(node, doc: bytes, start: int, end: int, atom: bool) -> str:
    """An entry's (or the feed's) link as the bytes have it, where feedparser-rs blanked or left it encoded."""
    link = node.get("link") or ""
    if link and not atom and _bare(node.get("id") or "") and doc.find(b"<link", start, end) < 0:
        return ""  # a bare id (a UUID) that RSS's isPermaLink default made into a "link": it names no page
    if link:
        return _xml_unescape(link) if atom and "&" in link and node.get("links") else link
    if not any(not item.get("href") for item in node.get("links") or ()):
        return link  # no link at all, rather than one blanked
    return _raw_atom_link(doc, start, end) if atom else _raw_rss_link(doc, start, end)


def _bare(guid: str) -> bool:
    """An id that is no URL or path at all, so not a permalink whatever isPermaLink says."""
    return bool(guid) and "/" not in guid and ":" not in guid and "." not in guid


def _raw_atom_link(doc: bytes, start: int, end: int) -> str:
    """The first alternate (or untyped) ``<link href>`` in ``doc[start:end]``, as both parsers choose it."""
    for m in _ATOM_LINK.finditer(doc, start, end):
        attrs = {k: (v1 or v2).decode("utf-8", "replace") for k, v1, v2 in _ATTR.findall(m.group(1))}
        if attrs.get(b"rel", "alternate") == "alternate" and attrs.get(b"href"):
            return _xml_unescape(attrs[b"href"].strip())
    return ""


def _raw_rss_link(doc: bytes, start: int, end: int) -> str:
    """The text of the first ``<link>`` in ``doc[start:end]`` (CDATA and entities undone), else a permalink guid."""
    at = doc.find(b"<link>", start, end)
    if at >= 0:
        close = doc.find(b"</link>", at, end)
        raw = doc[at + 6 : close if close >= 0 else at + 6]
    else:  # a permalink guid stands in for the link (both parsers promote it)
        m = _GUID.search(doc, start, end)
        raw = m.group(2) if m and b"false" not in m.group(1).lower() else b""
    return _xml_unescape(_CDATA.sub(r"\1", raw.decode("utf-8", "replace")).strip())


def _xml_unescape(text: str) -> str:
    """XML's five entities and character references, decoded once (``html.unescape`` knows HTML's too)."""

    def one(m: re.Match) -> str:
        name, dec, hexa = m.groups()
        if name:
            return _XML_ENTITIES[name]
        code = int(dec) if dec else int(hexa, 16)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"

    return _XML_ENTITY.sub(one, text) if "&" in text else text


def strip_doctype(data: bytes) -> bytes:
    """The document without its DOCTYPE: nothing left to declare entities or point at a DTD."""
    m = _PROLOG_DOCTYPE.match(data)  # match, not sub: sub would try the anchor at every offset
    return m.group(1) + data[m.end() :] if m else data


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
        b"<html" in head and not any(root in data[:4096].lower() for root in _FEED_ROOTS)
    )


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
            found.setdefault(join(url, href), _WS.sub(" ", link.get("title") or "").strip())
    return list(found.items())


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
    problem = parsed.get("bozo_exception")
    if problem is not None and hasattr(problem, "getLineNumber"):
        raise FeedError(f"malformed XML at line {problem.getLineNumber()}: {problem.getMessage()}")
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
        entry = _entry(
            url,
            entry_id=_str(item.get("id")),
            link=_str(item.get("url") or item.get("external_url")),
            title=_text(_str(item.get("title")), None),
            author=_text(_str(author.get("name")) if isinstance(author, dict) else "", None),
            published=_iso_date(item.get("date_published")),
            updated=_iso_date(item.get("date_modified")),
            summary=_readable(_str(item.get("summary"))),
            content=_readable(_str(item.get("content_html")) or (html.escape(text) if text else "")),
        )
        if entry is not None:
            entries.append(entry)
    link = _str(doc.get("home_page_url"))
    return ParsedFeed(
        title=_text(_str(doc.get("title")), None), link=join(url, link) if link else "", entries=entries, kind="json"
    )


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
    return " ".join(_readable(value).split())  # repaired first: the split would take U+00A0 from "Ã\xa0" (à)


def _readable(text: str) -> str:
    """``text`` with double-encoded UTF-8 repaired (``imputÃ©`` → ``imputé``, as feedparser does for Latin-1 and
    ftfy also for windows-1252); ftfy is slow, so only text with the pattern such mojibake leaves goes to it."""
    if text.isascii() or not _MOJIBAKE.search(text):
        return text
    import ftfy  # 60 ms to import, and most feeds never need it

    spaced = text.replace("&nbsp;", "\xa0")  # the same in HTML, and "Ã&nbsp;" is an à
    fixed = ftfy.fix_encoding(spaced)
    return text if fixed == spaced else fixed


def _when(get, entry, key: str, raw) -> datetime | None:
    """An entry's ``key`` date (published, updated): the parser's reading of ``raw``, else feedparser's date
    parser's, a 12-hour clock (``8:56 pm PST``, which that parser reads as 08:56) made 24-hour first."""
    if not raw:
        return None
    if parsed := get(entry, key + "_parsed"):
        return _date(parsed)
    # feedparser's reader of 30-odd date formats
    from feedparser.datetimes import _parse_date

    return _date(_parse_date(_TWELVE_HOUR.sub(_to_24_hours, raw)))


def _to_24_hours(m: re.Match) -> str:
    """``8:56 pm`` → ``20:56:00`` (12 am is midnight, 12 pm noon)."""
    hour = int(m.group(1)) % 12 + (12 if m.group(4) in "pP" else 0)
    return f"{hour:02d}:{m.group(2)}:{m.group(3) or '00'}"


def _date(parsed) -> datetime | None:
    """struct_time in UTC (both parsers normalise to it) → aware datetime; nonsense → None."""
    if not parsed:
        return None
    try:
        year, month, day, hour, minute, second = parsed[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
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


def _entry(
    url: str,
    *,
    entry_id: str,
    link: str,
    title: str,
    author: str,
    published: datetime | None,
    updated: datetime | None,
    summary: str,
    content: str,
) -> FeedEntry | None:
    """One entry with its link made absolute and its identity settled; None for an empty husk."""
    link = link.strip()
    if link and url and not link.startswith(("https://", "http://")):  # urljoin is slow; most links are absolute
        link = join(url, link)
    if not (title or link or entry_id or summary or content):
        return None  # what a truncated document leaves behind is not a story
    return FeedEntry(
        guid=story_guid(entry_id, link, title, summary, published or updated),
        url=link,
        title=title,
        author=author,
        published=published or updated,
        updated=updated,
        summary=summary,
        content=content,
    )


def _convert(parsed, feed_link: str, links: list[str], url: str) -> ParsedFeed:
    """Either parser's result (with the links read for it) as a :class:`ParsedFeed`."""
    entries = []
    for e, link in zip(parsed.entries[:MAX_ENTRIES], links, strict=False):
        # The unbound get(): feedparser's own (FeedParserDict's) falls back from "updated" to "published", with a
        # warning, and a bound one is a method object made per call.
        get = dict.get if isinstance(e, dict) else type(e).get
        raw_published, raw_updated = get(e, "published"), get(e, "updated")
        published = _when(get, e, "published", raw_published)
        entry = _entry(
            url,
            entry_id=get(e, "id") or "",
            link=link,
            title=_text(get(e, "title"), get(e, "title_detail")),
            author=_text(get(e, "author"), None),
            published=published,
            # feedparser-rs repeats the published date as the updated one: read once (a struct_time costs 1 µs)
            updated=published if raw_updated == raw_published else _when(get, e, "updated", raw_updated),
            summary=_readable(get(e, "summary") or ""),
            content=_readable(_content(e)),
        )
        if entry is not None:
            entries.append(entry)
    feed = parsed.feed
    kind = "atom" if parsed.version.startswith("atom") else "rss"
    return ParsedFeed(
        title=_text(feed.get("title"), feed.get("title_detail")),
        link=join(url, feed_link) if feed_link and url else feed_link,
        entries=entries,
        kind=kind,
    )
