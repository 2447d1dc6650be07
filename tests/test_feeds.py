"""Feed parsing: every format, feedparser agreement, dates, charsets, malformed and hostile input."""

from __future__ import annotations

import calendar
import json
import time
from datetime import datetime, timezone

import feedparser
import feedparser_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.localserver import Reply
from tui_reader.cli import main
from tui_reader.feeds import FeedError, discover_feeds, looks_like_html, parse_feed
from tui_reader.identity import story_guid

UTC = timezone.utc

RSS20 = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Chan &amp; Co</title><link>http://ex.com/</link>
<item><title>Fish &amp; Chips</title><link>http://ex.com/1</link><guid isPermaLink="false">g1</guid>
  <pubDate>Tue, 10 Jun 2003 04:00:00 +0200</pubDate><description>&lt;p&gt;Sum&lt;/p&gt;</description>
  <content:encoded><![CDATA[<p>Full text</p>]]></content:encoded><dc:creator>Ann</dc:creator></item>
<item><title>No guid</title><link>/rel/2</link><pubDate>not a date at all</pubDate></item>
<item><title>Only a title</title></item>
</channel></rss>"""

RSS091 = b"""<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old</title><link>http://o/</link>
<item><title>I1</title><link>http://o/1</link><description>d1</description></item></channel></rss>"""

RSS10 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://r/"><title>R</title><link>http://r/</link></channel>
<item rdf:about="http://r/1"><title>R1</title><link>http://r/1</link><dc:date>2024-03-04T05:06:07Z</dc:date>
<description>rd</description></item></rdf:RDF>"""

ATOM10 = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>A</title><link href="http://a.com/"/><link rel="self" href="http://a.com/feed"/>
<entry><title type="html">T &amp;amp; 1</title><id>urn:1</id><link rel="alternate" href="http://a.com/1"/>
<updated>2024-01-02T03:04:05Z</updated><published>2024-01-01T00:00:00-05:00</published><summary>S</summary>
<content type="html">&lt;p&gt;C&lt;/p&gt;</content><author><name>Bob</name></author></entry></feed>"""

ATOM03 = b"""<?xml version="1.0"?><feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>A3</title>
<link rel="alternate" type="text/html" href="http://a3/"/><entry><title>E3</title>
<link rel="alternate" type="text/html" href="http://a3/1"/><id>tag:a3,1</id>
<issued>2004-01-01T00:00:00Z</issued><modified>2004-01-02T00:00:00Z</modified><summary>s3</summary></entry></feed>"""

JSONFEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "J",
        "home_page_url": "http://j.com/",
        "items": [
            {
                "id": "1",
                "url": "http://j.com/1",
                "title": "JT",
                "content_html": "<p>h</p>",
                "summary": "s",
                "date_published": "2024-02-03T04:05:06+01:00",
                "authors": [{"name": "Z"}],
            },
            {"id": "2", "url": "http://j.com/2", "content_text": "untitled", "date_published": "yesterday"},
        ],
    }
).encode()

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY l2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY l3 "&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;"><!ENTITY l4 "&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;">
<!ENTITY l5 "&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;"><!ENTITY l6 "&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;">
<!ENTITY l7 "&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;"><!ENTITY l8 "&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;">
<!ENTITY l9 "&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;">]>
<rss version="2.0"><channel><title>&l9;</title><item><title>x &l9;</title><link>http://l/1</link></item>
</channel></rss>"""

XXE = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">
<!ENTITY net SYSTEM "http://127.0.0.1:9/evil">]>
<rss version="2.0"><channel><title>&x;</title><item><title>t&x;&net;</title><link>http://l/1</link></item>
</channel></rss>"""


def rss(items: str, encoding: str = "utf-8", decl: str | None = None) -> bytes:
    decl = encoding if decl is None else decl
    text = (
        f'<?xml version="1.0" encoding="{decl}"?><rss version="2.0"><channel><title>Feed</title>'
        f"<link>http://c/</link>{items}</channel></rss>"
    )
    return text.encode(encoding)


@pytest.mark.parametrize(
    "data, kind, title",
    [
        (RSS20, "rss", "Chan & Co"),
        (RSS091, "rss", "Old"),
        (RSS10, "rss", "R"),
        (ATOM10, "atom", "A"),
        (ATOM03, "atom", "A3"),
        (JSONFEED, "json", "J"),
    ],
    ids=["rss20", "rss091", "rss10", "atom10", "atom03", "jsonfeed"],
)
def test_each_format_parses(data, kind, title):
    feed = parse_feed(data, "application/xml", "http://base.example/feed")
    assert (feed.kind, feed.title) == (kind, title)
    assert feed.entries and all(e.guid for e in feed.entries)


@pytest.mark.parametrize(
    "data", [RSS20, RSS091, RSS10, ATOM10, ATOM03], ids=["rss20", "rss091", "rss10", "atom10", "atom03"]
)
def test_agrees_with_feedparser(data):
    """feedparser is the reference: same ids, links, plain titles and UTC dates."""
    ours = parse_feed(data, "", "")
    ref = feedparser.parse(data)
    assert len(ours.entries) == len(ref.entries)
    for mine, theirs in zip(ours.entries, ref.entries, strict=False):
        assert mine.guid == story_guid(theirs.get("id") or "", mine.url, mine.title, mine.summary, mine.published)
        assert mine.url.endswith(theirs.get("link") or "")
        assert mine.title == " ".join((theirs.get("title") or "").replace("&amp;", "&").split())
        stamp = dict.get(theirs, "published_parsed") or dict.get(theirs, "updated_parsed")
        assert mine.published == (datetime.fromtimestamp(calendar.timegm(stamp), UTC) if stamp else None)
        assert mine.summary == (theirs.get("summary") or "")


def test_rss_fields():
    feed = parse_feed(RSS20, "application/rss+xml", "http://ex.com/feed.xml")
    first, no_guid, bare = feed.entries
    assert (first.guid, first.url, first.title, first.author) == ("g1", "http://ex.com/1", "Fish & Chips", "Ann")
    assert first.published == datetime(2003, 6, 10, 2, 0, tzinfo=UTC)
    assert first.summary == "<p>Sum</p>" and first.content == "<p>Full text</p>"
    assert no_guid.url == "http://ex.com/rel/2" and no_guid.guid == no_guid.url
    assert no_guid.published is None  # an invalid date is None, never a crash
    assert bare.url == "" and bare.guid.startswith("sha1:")


def test_atom_fields():
    entry = parse_feed(ATOM10).entries[0]
    assert (entry.guid, entry.url, entry.title, entry.author) == ("urn:1", "http://a.com/1", "T & 1", "Bob")
    assert entry.published == datetime(2024, 1, 1, 5, 0, tzinfo=UTC)
    assert entry.updated == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert entry.published.tzinfo is not None and entry.content == "<p>C</p>"


def test_json_feed_fields():
    feed = parse_feed(JSONFEED, "application/feed+json")
    first, second = feed.entries
    assert (first.guid, first.url, first.title, first.author) == ("1", "http://j.com/1", "JT", "Z")
    assert first.published == datetime(2024, 2, 3, 3, 5, 6, tzinfo=UTC)
    assert first.content == "<p>h</p>"
    assert second.published is None and second.guid == "2"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<!DOCTYPE html><html><head><title>x</title></head><body>hi</body></html>", "got an HTML page"),
        (b"\xef\xbb\xbf<html><body>hi</body></html>", "got an HTML page"),
        (b"hello, plain text", "neither XML nor JSON"),
        (b"\x00\x01\x02", "neither XML nor JSON"),
        (b"<?xml version='1.0'?><note><to>x</to></note>", "not a feed"),
        (b"<?xml version='1.0'?>\n<rss", "malformed XML at line 2"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "malformed JSON at line 1"),
        (b'{"hello": "world"}', "JSON without a JSON Feed version"),
        (b"[1, 2]", "JSON without a JSON Feed version"),
    ],
)
def test_not_a_feed_is_a_one_line_error(data, message):
    with pytest.raises(FeedError, match=message) as info:
        parse_feed(data, "application/xml", "http://x/")
    assert "\n" not in str(info.value)


def test_truncated_feed_keeps_complete_entries():
    data = b"<rss version='2.0'><channel><title>x</title><item><title>a</title></item><item><title>b</ti"
    assert [e.title for e in parse_feed(data).entries] == ["a"]


def test_malformed_feed_recovers_entries():
    data = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>M</title><item><title>ok</title>'
        b"<link>http://m/1</link></item><item><title>two &bogus; <b></title><link>http://m/2</link></item>"
        b"</channel></rss>"
    )
    feed = parse_feed(data)
    assert [e.url for e in feed.entries] == ["http://m/1", "http://m/2"]


@pytest.mark.parametrize("data", [BILLION_LAUGHS, XXE, BILLION_LAUGHS.decode().encode("utf-16")])
def test_entities_are_never_expanded(data):
    started = time.perf_counter()
    feed = parse_feed(data, "application/xml", "http://l/")
    assert time.perf_counter() - started < 0.5
    text = feed.title + "".join(e.title for e in feed.entries)
    assert "lollol" not in text and "root:" not in text and len(text) < 200
    assert [e.url for e in feed.entries] == ["http://l/1"]


CHARSET_SAMPLES = [
    (rss("<item><title>Мир</title><link>http://c/1</link></item>", "windows-1251"), "", "Мир"),
    (
        rss("<item><title>Мир</title><link>http://c/1</link></item>", "windows-1251", decl=""),
        "text/xml; charset=windows-1251",
        "Мир",
    ),  # declared by the server only
    (rss("<item><title>Мир</title><link>http://c/1</link></item>", "koi8-r"), "", "Мир"),
    (
        rss("<item><title>\u201cNoël\u201d</title><link>http://c/1</link></item>", "cp1252", decl="latin-1"),
        "",
        "\u201cNoël\u201d",
    ),  # Latin-1 as feeds mean it: windows-1252's curly quotes, not C1 controls
    (rss("<item><title>Noël</title><link>http://c/1</link></item>", "latin-1", decl="iso-8859-1"), "", "Noël"),
    (rss("<item><title>Noël</title><link>http://c/1</link></item>", "latin-1", decl="utf-8"), "", "Noël"),  # lying decl
    (rss("<item><title>Noël</title><link>http://c/1</link></item>", "utf-8"), "text/xml; charset=iso-8859-1", "Noël"),
    (rss("<item><title>Noël</title><link>http://c/1</link></item>", "utf-8"), "text/xml; charset=klingon", "Noël"),
    (rss("<item><title>Noël</title><link>http://c/1</link></item>", "utf-16", decl="utf-16"), "", "Noël"),
]


@pytest.mark.parametrize("data, content_type, title", CHARSET_SAMPLES)
def test_charsets_read_right(data, content_type, title):
    """Every label Python knows, from the document or the server; feedparser-rs alone misreads ``latin-1`` and a
    charset only the server declares (it sees the bytes as UTF-8)."""
    feed = parse_feed(data, content_type, "http://c/feed")
    assert (feed.title, feed.entries[0].title, feed.entries[0].url) == ("Feed", title, "http://c/1")


@pytest.mark.parametrize(
    "date",
    [
        "",
        "yesterday",
        "Mon, 99 Foo 2024 99:99:99 GMT",
        "0000-00-00T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "-1",
        "2024-13-45",
    ],
)
def test_invalid_dates_become_none(date):
    item = f"<item><title>t</title><link>http://c/1</link><pubDate>{date}</pubDate></item>"
    published = parse_feed(rss(item)).entries[0].published
    assert published is None or published.tzinfo is not None


def test_missing_titles_and_duplicate_ids_parse():
    items = "".join(f"<item><guid>same</guid><link>http://c/{i}</link></item>" for i in range(3))
    feed = parse_feed(rss(items))
    assert [e.guid for e in feed.entries] == ["same"] * 3 and all(e.title == "" for e in feed.entries)


def test_discover_feeds_and_html_sniffing():
    page = b"""<!doctype html><html><head>
      <link rel="alternate" type="application/rss+xml" title="All  news" href="/rss.xml">
      <link rel="alternate" type="application/atom+xml" href="http://other/atom">
      <link rel="alternate" type="application/feed+json" title="JSON" href="feed.json">
      <link rel="alternate" type="text/html" href="/fr/"><link rel="stylesheet" href="/s.css">
    </head><body></body></html>"""
    assert looks_like_html(page) and not looks_like_html(RSS20)
    assert discover_feeds(page, "http://site/news/") == [
        ("http://site/rss.xml", "All news"),
        ("http://other/atom", ""),
        ("http://site/news/feed.json", "JSON"),
    ]
    assert discover_feeds(b"", "http://site/") == []
    dash = '<html><head><link rel="alternate" type="application/rss+xml" title="Wire \u2014 all" href="/a">'
    assert discover_feeds(dash.encode("utf-8"), "http://s/", "text/html; charset=utf-8") == [
        ("http://s/a", "Wire \u2014 all")
    ]
    assert (
        discover_feeds(dash.encode("cp1252"), "http://s/", "text/html; charset=windows-1252")[0][1] == "Wire \u2014 all"
    )


def test_links_to_loopback_and_private_hosts_are_kept():
    """feedparser-rs blanks these; intranet feeds and the local demo need them."""
    for base in ("http://127.0.0.1:8080", "http://localhost", "http://10.1.2.3", "http://[::1]:9000"):
        feed = parse_feed(rss(f"<item><title>t</title><link>{base}/a</link></item>"), "", f"{base}/feed")
        assert feed.entries[0].url == f"{base}/a"


def test_json_feed_1_0_author_and_text_content():
    doc = {
        "version": "https://jsonfeed.org/version/1",
        "title": "Old JSON",
        "items": [
            {"id": 7, "url": "/rel", "author": {"name": "Ann"}, "content_text": "a < b", "date_modified": "2024-05-06"},
            "not an item",
            {"id": True},
        ],
    }
    feed = parse_feed(json.dumps(doc).encode(), "application/json", "http://j.example/feed.json")
    [entry] = feed.entries
    assert (entry.guid, entry.url, entry.author, entry.content) == ("7", "http://j.example/rel", "Ann", "a &lt; b")
    assert entry.published == entry.updated == datetime(2024, 5, 6, tzinfo=UTC)


def test_bad_character_references_keep_the_entry():
    entry = parse_feed(rss("<item><title>&#xD800;a&#0;b&#99999999;</title><link>http://c/1</link></item>")).entries[0]
    assert (entry.title, entry.url) == ("\ufffda\ufffdb\ufffd", "http://c/1")


_SEEDS = [RSS20, RSS10, ATOM10, ATOM03, JSONFEED]
_NASTY = [
    b"<",
    b"&",
    b"]]>",
    b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
    b"\xff\xfe",
    b"{",
    b'"',
    b"<item>",
    b"<entry>",
    b"&#0;",
    b"&#xD800;",
    b"\x00",
    b"</channel>",
    b"<![CDATA[",
]


@st.composite
def mutated_feeds(draw):
    data = bytearray(draw(st.sampled_from(_SEEDS)))
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.integers(0, 2))
        if action == 0:
            del data[at : at + draw(st.integers(1, 40))]
        else:
            data[at:at] = draw(st.binary(max_size=12)) if action == 1 else draw(st.sampled_from(_NASTY))
    return bytes(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    mutated_feeds(), st.sampled_from(["", "application/xml", "text/xml; charset=iso-8859-1", "text/html; charset=x"])
)
def test_fuzzed_feeds_parse_or_raise_feed_error(data, content_type):
    try:
        feed = parse_feed(data, content_type, "http://fuzz.example/feed")
    except FeedError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert all(isinstance(e.guid, str) and e.guid for e in feed.entries)


@pytest.mark.parametrize("fmt", ["rss", "json"])
def test_huge_feed_keeps_the_first_entries_quickly(fmt):
    count = 100_000
    if fmt == "rss":
        data = rss("".join(f"<item><guid>{i}</guid><title>t{i}</title></item>" for i in range(count)))
    else:
        data = json.dumps(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "title": "big",
                "items": [{"id": str(i), "title": f"t{i}"} for i in range(count)],
            }
        ).encode()
    started = time.perf_counter()
    entries = parse_feed(data, "", "http://big/").entries
    assert time.perf_counter() - started < 3
    assert len(entries) == 10_000 and (entries[0].guid, entries[-1].guid) == ("0", "9999")


# Fidelity on the fast path: each case is one feedparser-rs misreads, read right here. Where the fast path is
# meant to keep the feed, feedparser is made unavailable, so the test also fails if the feed was sent to it.


@pytest.fixture
def fast_path_only(monkeypatch):
    def refuse(*args):
        raise AssertionError("sent to feedparser")

    monkeypatch.setattr("tui_reader.feeds._parse_reference", refuse)


def test_a_nested_elements_title_is_not_the_headline():
    """A Google Cloud blog item carries its author's job title in a nested <title>: feedparser-rs takes that."""
    item = (
        "<item><title>Keep your employees productive</title><link>http://c/1</link>"
        "<author xmlns:author='http://www.w3.org/2005/Atom'><name>Diane</name>"
        "<title>Product Manager, Office of the CTO</title></author></item>"
        "<item><title>Second</title><link>http://c/2</link><image><title>Second</title></image></item>"
    )
    assert [e.title for e in parse_feed(rss(item)).entries] == ["Keep your employees productive", "Second"]


def test_an_items_own_title_wins_over_its_dc_title():
    """An RDF table of contents (Taylor & Francis) gives dc:title a variant; feedparser-rs took it."""
    item = (
        "<item><title>Reassessing discovery layers</title><link>http://c/1</link>"
        '<dc:title xmlns:dc="http://purl.org/dc/elements/1.1/">Reassessing discovery layers 2</dc:title></item>'
    )
    assert [e.title for e in parse_feed(rss(item)).entries] == ["Reassessing discovery layers"]


def test_a_bare_guid_is_no_link_whatever_ispermalink_says(fast_path_only):
    """A podcast episode with no <link> and a UUID guid (isPermaLink defaults to true) names no page."""
    item = "<item><title>How gold works</title><guid>c41042ae-5460-11e8-b38c-5f5faf9dd0c5</guid></item>"
    (entry,) = parse_feed(rss(item), "", "http://127.0.0.1:8/feed.xml").entries
    assert entry.url == "" and entry.guid == "c41042ae-5460-11e8-b38c-5f5faf9dd0c5"
    linked = "<item><title>Post</title><link>http://c/posts/12345</link><guid>12345</guid></item>"
    assert [e.url for e in parse_feed(rss(linked)).entries] == ["http://c/posts/12345"]


def test_atom_hrefs_are_entity_decoded(fast_path_only):
    """Google Alerts' links: feedparser-rs leaves ``&amp;`` in an href; XML decodes an attribute exactly once."""
    data = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>Alerts</title>
    <link href="https://g.example/alerts?q=a&amp;hl=en"/><entry><id>1</id><title>t</title>
    <link href="https://g.example/url?rct=j&amp;url=https://news.example/a&#38;b=1&amp;amp;c"/></entry></feed>"""
    feed = parse_feed(data, "application/atom+xml", "https://g.example/feed")
    assert feed.link == "https://g.example/alerts?q=a&hl=en"
    assert feed.entries[0].url == "https://g.example/url?rct=j&url=https://news.example/a&b=1&amp;c"


@pytest.mark.parametrize(
    "host",
    [
        "http://127.0.0.1:8080",
        "http://localhost",
        "http://10.1.2.3",
        "http://[::1]:9000",
        "http://192.168.1.20",
        "http://intranet.local",
    ],
)
def test_private_host_links_stay_on_the_fast_path(host, fast_path_only):
    """feedparser-rs blanks links to loopback and private hosts; they are read from the item's own bytes."""
    items = (
        f"<item><title>a</title><link> {host}/a?x=1&amp;y=2 </link><guid>g1</guid></item>"
        f"<item><title>b</title><link><![CDATA[{host}/b]]></link><enclosure url='{host}/b.mp3'/></item>"
        f"<item><title>c</title><guid>{host}/c</guid></item>"
        f"<item><title>d</title><guid isPermaLink='false'>{host}/d</guid></item>"
    )
    feed = parse_feed(rss(items), "", f"{host}/feed")
    assert [e.url for e in feed.entries] == [f"{host}/a?x=1&y=2", f"{host}/b", f"{host}/c", ""]
    atom = (
        f'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><link href="{host}/"/><entry><id>1</id>'
        f'<title>t</title><link rel="enclosure" href="{host}/e.mp3"/><link href="{host}/e?a=1&amp;b=2"/></entry>'
        f"</feed>"
    ).encode()
    feed = parse_feed(atom, "application/atom+xml", f"{host}/feed")
    assert (feed.link, feed.entries[0].url) == (f"{host}/", f"{host}/e?a=1&b=2")


def test_self_closing_elements_do_not_swallow_the_next(fast_path_only):
    """NYT: ``<dc:creator/>`` made feedparser-rs read the next element (the date) as the author's name."""
    item = (
        "<item><title>a</title><link>http://c/1</link><dc:creator/><pubDate>Fri, 06 Jan 2017 20:49:34 GMT"
        "</pubDate><comments/><description>words</description></item>"
        "<item><dc:creator/><title>b</title><link>http://c/2</link></item>"
    )
    data = rss(item).replace(b'<rss version="2.0">', b'<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">')
    first, second = parse_feed(data).entries
    assert (first.author, first.published, first.summary) == ("", datetime(2017, 1, 6, 20, 49, 34, tzinfo=UTC), "words")
    assert second.title == "b"
    xhtml = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><entry><id>1</id><title>t</title>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">one<br/>two<![CDATA[<x/>]]></div></content>
    </entry></feed>"""
    assert parse_feed(xhtml).entries[0].content.count("<br") == 1  # <br></br> would be two line breaks


def test_a_lost_item_sends_the_feed_to_feedparser(monkeypatch):
    """The count check: should feedparser-rs ever return fewer entries than the feed has items, none is lost."""
    real = feedparser_rs.parse_with_limits

    class Short:
        def __init__(self, parsed):
            self._parsed, self.entries = parsed, parsed.entries[:-1]

        def __getattr__(self, name):
            return getattr(self._parsed, name)

        def get(self, key, default=None):
            return self._parsed.get(key, default)

    monkeypatch.setattr(feedparser_rs, "parse_with_limits", lambda *a, **k: Short(real(*a, **k)))
    items = "".join(f"<item><title>t{i}</title><link>http://c/{i}</link></item>" for i in range(3))
    assert [e.title for e in parse_feed(rss(items)).entries] == ["t0", "t1", "t2"]


@pytest.mark.parametrize(
    "date, utc",
    [
        ("Mon, 21 Jan 2008 8:56 am PST", datetime(2008, 1, 21, 16, 56, tzinfo=UTC)),
        ("Mon, 21 Jan 2008 12:05 p.m. GMT", datetime(2008, 1, 21, 12, 5, tzinfo=UTC)),
        ("Mon, 21 Jan 2008 8:56 pm EST", datetime(2008, 1, 22, 1, 56, tzinfo=UTC)),
    ],
)
def test_dates_feedparser_rs_cannot_read_are_read(date, utc, fast_path_only):
    """A weather feed's 12-hour clock: feedparser-rs reads no date, and feedparser's date parser ignores am/pm."""
    item = f"<item><title>t</title><link>http://c/1</link><pubDate>{date}</pubDate></item>"
    assert parse_feed(rss(item)).entries[0].published == utc


def test_better_than_feedparser_on_dates_and_nested_empty_items():
    """Two places where feedparser, the reference, is plainly wrong and this parser is not: it reads
    ``2020/1/10 14:33:00`` as 1 December 2020, and splits an item holding an empty ``<item/>`` in two."""
    item = "<item><title>t</title><link>http://c/1</link><pubDate>2020/1/10 14:33:00</pubDate></item>"
    assert parse_feed(rss(item)).entries[0].published == datetime(2020, 1, 10, 14, 33, tzinfo=UTC)
    assert feedparser.parse(rss(item)).entries[0].published_parsed[:3] == (2020, 12, 1)
    nested = "".join(
        f"<item><title>t{i}</title><item/><link>http://c/{i}</link>"
        f"<pubDate>Sat, 13 Jan 2018 08:00:00 EST</pubDate></item>"
        for i in range(2)
    )
    entries = parse_feed(rss(nested)).entries
    assert [(e.title, e.url, e.published.day) for e in entries] == [("t0", "http://c/0", 13), ("t1", "http://c/1", 13)]
    assert len(feedparser.parse(rss(nested)).entries) == 4


@pytest.mark.parametrize(
    "title, shown",
    [
        ("The &lt;blink&gt; tag returns", "The <blink> tag returns"),  # not HTML: text, as feedparser keeps it
        ("<![CDATA[Use <dialog> now]]>", "Use <dialog> now"),
        ("&lt;div&gt;Mexico will pay&lt;/div&gt;", "Mexico will pay"),  # HTML (NYT): its words
        ("Fish &amp; Chips", "Fish & Chips"),
    ],
)
def test_escaped_markup_in_a_title_stays_text(title, shown):
    item = f"<item><title>{title}</title><link>http://c/1</link></item>"
    assert parse_feed(rss(item)).entries[0].title == shown
    atom = (
        f'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><entry><id>1</id><title>{title}</title>'
        f"</entry></feed>"
    ).encode()
    assert parse_feed(atom).entries[0].title == shown  # an untyped Atom title is text (RFC 4287)


def test_double_encoded_utf8_is_repaired(fast_path_only):
    """Le Monde, Spiegel: UTF-8 read as Latin-1 or windows-1252 and encoded again. feedparser repairs the
    Latin-1 kind only (``Razerâ€™s`` stays so there): ftfy repairs both, in titles, summaries and feed titles."""
    data = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>CinÃ©ma</title>'
        "<link>http://c/</link><item><title>Le prÃ©sident imputÃ© Ã\xa0 tort</title><link>http://c/1</link>"
        "<description>&lt;p&gt;Ã‰tÃ© &amp;amp; KÃ¶ln&lt;/p&gt;</description></item>"
        "<item><title>Razerâ€™s â€œthree-screenâ€\x9d laptop</title><link>http://c/2</link></item>"
        "</channel></rss>"
    ).encode()
    feed = parse_feed(data)
    assert feed.title == "Cinéma"
    first, second = feed.entries
    assert (first.title, first.summary) == ("Le président imputé à tort", "<p>Été &amp; Köln</p>")
    assert second.title == "Razer’s “three-screen” laptop"
    assert feedparser.parse(data).entries[1].title.startswith("Razerâ€™s")


@pytest.mark.parametrize(
    "text",
    [
        "مقتل ثلاثة في غارة على الحدود",  # Arabic
        "حمله پهپادی به پاسگاه مرزی «ایران»",  # Persian, with guillemets
        "Удар беспилотника по погранпосту — «Новости»",  # Cyrillic
        "无人机袭击边境哨所",
        "国境の検問所に無人機攻撃",
        "국경 초소에 드론 공격",  # CJK
        "תקיפת רחפן במוצב גבול",  # Hebrew
        "Noël à Zürich: naïve façade, SÃO PAULO, 1½ cups, é»",  # Latin-1 letters that are not mojibake
    ],
)
def test_correct_text_is_never_repaired(text, fast_path_only):
    """Byte-exact: nothing but double-encoding's own pattern reaches ftfy, and ftfy leaves what is not it."""
    items = f"<item><title>{text}</title><link>http://c/1</link><description>{text}</description></item>"
    data = rss(items).replace(b"<title>Feed</title>", f"<title>{text}</title>".encode())
    feed = parse_feed(data)
    assert (feed.title, feed.entries[0].title, feed.entries[0].summary) == (text, text, text)
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": text, "items": [{"id": "1", "title": text}]}
    assert parse_feed(json.dumps(doc).encode()).entries[0].title == text


def test_what_a_user_sees_after_add(server, home, capsys):
    """``tui-reader add`` of an intranet feed (loopback links, mojibake, an author's nested title, an Atom
    href with ``&amp;``) over real HTTP, then ``list --json``: each story under its own headline and link."""
    base = server.base
    server.routes["/rss"] = Reply(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Intranet</title>'
        f"<link>{base}/</link><item><title>Budget imputÃ© au ministÃ¨re</title><link>{base}/a?id=1&amp;p=2</link>"
        "<author><name>Ann</name><title>Deputy Director</title></author>"
        "<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate></item></channel></rss>",
        content_type="application/rss+xml",
    )
    server.routes["/atom"] = Reply(
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Alerts</title><entry><id>urn:1</id><title>Alert</title>'
        '<link href="https://g.example/url?rct=j&amp;url=https://n.example/x"/>'
        "<updated>2026-11-24T10:00:00Z</updated></entry></feed>",
        content_type="application/atom+xml",
    )
    for path in ("/rss", "/atom"):
        assert main(["--home", str(home), "add", server.url(path)]) == 0
    capsys.readouterr()
    rows = {r["title"]: r for r in listed(home, capsys)}
    assert rows["Budget imputé au ministère"]["url"] == f"{base}/a?id=1&p=2"
    assert rows["Budget imputé au ministère"]["published"].startswith("2026-11-24T10:00")
    assert rows["Alert"]["url"] == "https://g.example/url?rct=j&url=https://n.example/x"
    assert set(rows) == {"Budget imputé au ministère", "Alert"}


def subscribe(server, home, capsys, feed: str) -> None:
    """``tui-reader add`` of ``feed``, served as RSS over real HTTP (add fetches it)."""
    server.routes["/feed.xml"] = Reply(feed, content_type="application/rss+xml")
    assert main(["--home", str(home), "add", server.url("/feed.xml")]) == 0
    capsys.readouterr()


def listed(home, capsys, *args: str) -> list[dict]:
    """What ``tui-reader list --json [args]`` prints, row by row."""
    assert main(["--home", str(home), "list", "--json", *args]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_code_in_a_feeds_html_is_never_words_of_the_story(server, home, capsys):
    """The fast parser no longer sanitizes (it cost more than the parse): scripts and styles in an
    entry's HTML must still never become words a search finds."""
    subscribe(
        server,
        home,
        capsys,
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        "<item><title>Port reopens</title><link>https://wire.example/port</link>"
        "<description><![CDATA[<p>The port reopened at dawn after the strike ended.</p>"
        "<script>zzqtracker('beacon')</script><style>.zzqstyle{color:red}</style>]]></description>"
        "</item></channel></rss>",
    )
    assert [r["title"] for r in listed(home, capsys, "--search", "dawn")] == ["Port reopens"]
    assert listed(home, capsys, "--search", "zzqtracker") == [] and listed(home, capsys, "--search", "zzqstyle") == []


def test_better_than_feedparser_on_an_empty_item_and_a_guid_that_is_no_link(server, home, capsys):
    """Two held-out publisher feeds: an item with nothing in it but a date (feedparser lists an empty entry),
    and a podcast whose only id is a bare UUID guid (feedparser makes the UUID its link)."""
    subscribe(
        server,
        home,
        capsys,
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Psy</title><link>https://psy.example/</link>'
        "<item><title>Dolto reste subversive</title><link>https://psy.example/dolto</link></item>"
        "<item><title></title><link></link><pubDate>Wed, 17 Oct 2018 10:30:00 GMT</pubDate>"
        "<description></description></item>"
        "<item><title>How Gold Works</title><guid>c41042ae-5460-11e8-b38c-5f5faf9dd0c5</guid>"
        '<enclosure url="https://cdn.example/gold.mp3" type="audio/mpeg" length="1"/></item>'
        "</channel></rss>",
    )
    rows = {r["title"]: r for r in listed(home, capsys)}
    assert set(rows) == {"Dolto reste subversive", "How Gold Works"}  # no empty story
    assert rows["How Gold Works"]["url"].startswith("urn:")  # a UUID is no page to open (feedparser's "link")
