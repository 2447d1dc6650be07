"""OPML import/export: folders become groups, export → import round-trips, bad files get one line."""

from __future__ import annotations

import pytest

from tui_reader.errors import OpmlError
from tui_reader.models import Feed
from tui_reader.opml import export_opml, parse_opml
from tui_reader.store import Store
from tui_reader.subscribe import export_opml as export_store
from tui_reader.subscribe import import_opml

SAMPLE = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>subs</title></head><body>
  <outline text="Loose" xmlUrl="http://loose/feed"/>
  <outline text="Middle East" title="Middle East">
    <outline type="rss" text="Al &amp; Co" title="Al &amp; Co" xmlUrl="http://al/rss?a=1&amp;b=2" htmlUrl="http://al/"/>
    <outline text="Gulf"><outline text="Nested" xmlUrl="http://nested/atom"/></outline>
  </outline>
  <outline title="Energy"><outline text="Oil" xmlUrl="http://oil/feed"/>
    <outline text="dup" xmlUrl="http://loose/feed"/></outline>
</body></opml>"""


def test_parse_keeps_folders_as_groups():
    assert parse_opml(SAMPLE) == [
        ("http://loose/feed", "Loose", ""),
        ("http://al/rss?a=1&b=2", "Al & Co", "Middle East"),
        ("http://nested/atom", "Nested", "Middle East / Gulf"),
        ("http://oil/feed", "Oil", "Energy"),
    ]


def test_export_then_import_round_trips():
    feeds = [
        Feed(1, "http://a/feed", 'A <&> "quoted"', "Group & Co"),
        Feed(2, "http://b/x?y=1&z=2", "", ""),
        Feed(3, "http://c/", "Ç unicode ☃", "Middle East / Gulf"),
        Feed(4, "http://d/", "D", "Group & Co"),
        Feed(5, "http://e/", "it's \u202e", ""),
    ]
    text = export_opml(feeds)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert sorted(parse_opml(text.encode())) == sorted((f.url, f.title, f.group) for f in feeds)


def test_store_round_trip(tmp_path):
    store = Store(tmp_path / "a.db")
    assert import_opml(store, SAMPLE) == 4
    assert import_opml(store, SAMPLE) == 4  # re-import subscribes nothing twice
    assert len(store.feeds()) == 4
    other = Store(tmp_path / "b.db")
    import_opml(other, export_store(store).encode())
    key = lambda f: (f.url, f.title, f.group)  # noqa: E731
    assert sorted(map(key, other.feeds())) == sorted(map(key, store.feeds()))
    assert store.integrity_ok() and other.integrity_ok()


def test_recovers_from_unescaped_ampersands():
    data = b'<opml version="2.0"><body><outline text="A & B" xmlUrl="http://x/?a=1&b=2"/></body></opml>'
    assert parse_opml(data) == [("http://x/?a=1&b=2", "A & B", "")]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "not an OPML file"),
        (b"<html><body>hi</body></html>", "no <opml> root element"),
        (b"<opml version='2.0'><head/></opml>", "no <body> element"),
        (b"\x00\x01 binary", "not an OPML file"),
    ],
)
def test_bad_files_raise_one_line_value_errors(data, message):
    with pytest.raises(OpmlError, match=message) as info:
        parse_opml(data)
    assert isinstance(info.value, ValueError) and "\n" not in str(info.value)


def test_entities_are_not_expanded():
    data = b"""<?xml version="1.0"?><!DOCTYPE o [<!ENTITY x SYSTEM "file:///etc/passwd">
    <!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
    <opml version="2.0"><body><outline text="&x;&b;" xmlUrl="http://x/"/></body></opml>"""
    [(url, title, _)] = parse_opml(data)
    assert url == "http://x/" and "root:" not in title and "aaaa" not in title


def test_export_drops_characters_xml_cannot_hold():
    text = export_opml([Feed(1, "http://a/", "bell\x07 esc\x1b[31m", "g\x00")])
    assert parse_opml(text.encode()) == [("http://a/", "bell esc[31m", "g")]
