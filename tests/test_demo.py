"""The bundled offline demo: real HTTP against DemoServer.

RSS and Atom are parsed with feedparser (the reference); feedparser 6.0 predates JSON Feed, so that
one is read as plain JSON.
"""

from __future__ import annotations

import http.client
import json
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import feedparser
import httpx
import pytest
from lxml import html as lxml_html

from tui_reader.demo import DemoServer
from tui_reader.demo.server import SITE_DIR, render, resolve

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def demo_server():
    with DemoServer(now=NOW) as srv:
        yield srv


@pytest.fixture(scope="module")
def client():
    with httpx.Client(timeout=10) as c:
        yield c


def parse(resp: httpx.Response) -> tuple[str, list[dict]]:
    """(format, entries as {title, link, published}) for one feed response."""
    if resp.url.path.endswith(".json"):
        data = json.loads(resp.content)
        items = [
            dict(title=e["title"], link=e["url"], published=datetime.fromisoformat(e["date_published"]))
            for e in data["items"]
        ]
        return data["version"], items
    parsed = feedparser.parse(resp.content, response_headers={**resp.headers, "content-location": str(resp.url)})
    assert not parsed.bozo, (resp.url, parsed.get("bozo_exception"))
    items = [
        dict(title=e.title, link=e.link, published=datetime(*e.published_parsed[:6], tzinfo=timezone.utc))
        for e in parsed.entries
    ]
    return parsed.version, items


@pytest.fixture(scope="module")
def feeds(demo_server, client):
    """{feed url: (response, format, entries)}"""
    out = {}
    for url in demo_server.feed_urls:
        r = client.get(url)
        assert r.status_code == 200, url
        out[url] = (r, *parse(r))
    return out


@pytest.fixture(scope="module")
def entries(feeds):
    return [e for _, _, items in feeds.values() for e in items]


def raw_get(demo_server: DemoServer, path: str) -> int:
    """GET with the path sent byte for byte (httpx would normalise away ``..``)."""
    host, port = demo_server.base_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def test_server_binds_loopback_random_port(demo_server):
    assert demo_server.base_url.startswith("http://127.0.0.1:")
    assert not demo_server.base_url.endswith(":0")
    assert len(demo_server.feed_urls) == 3
    assert demo_server.opml_url == demo_server.base_url + "/feeds.opml"


def test_feeds_have_three_formats_and_content_types(feeds):
    versions = {url.rsplit("/", 1)[-1]: (fmt, resp.headers["content-type"]) for url, (resp, fmt, _) in feeds.items()}
    assert versions["levant-monitor.xml"] == ("rss20", "application/rss+xml; charset=utf-8")
    assert versions["gulf-wire.atom"] == ("atom10", "application/atom+xml; charset=utf-8")
    assert versions["policy-brief.json"] == ("https://jsonfeed.org/version/1.1", "application/feed+json; charset=utf-8")
    assert all(len(items) >= 6 for _, _, items in feeds.values())


def test_at_least_24_stories_with_fresh_dates(entries, demo_server):
    assert len(entries) >= 24
    assert len({e["link"] for e in entries}) == len(entries)
    for e in entries:
        assert e["link"].startswith(demo_server.base_url + "/articles/"), e["link"]
        assert "{{" not in e["title"] and "{{" not in e["link"]
        assert NOW - timedelta(days=14) <= e["published"] < NOW, e
    assert max(e["published"] for e in entries) >= NOW - timedelta(hours=3)


def test_every_link_is_an_article_page_with_a_captioned_figure(entries, client):
    for e in entries:
        link = e["link"]
        r = client.get(link)
        assert r.status_code == 200, link
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert b"{{" not in r.content
        doc = lxml_html.fromstring(r.content)
        assert doc.xpath("//article//h1"), link
        assert doc.xpath("//figure/figcaption/span[@class='credit']"), link
        assert doc.xpath("//a[normalize-space()='Skip to main content']"), link
        assert doc.xpath("//*[contains(., 'Subscribe')]") and doc.xpath("//*[contains(., 'By signing up')]"), link
        assert 300 <= len(" ".join(body(doc)).split()) <= 800, link


def body(doc) -> list[str]:
    return [p.text_content() for p in doc.xpath("//article//div[contains(@class,'body')]/p[not(@class)]")]


def test_hostile_titles_survive_parsing(entries):
    titles = [e["title"] for e in entries]
    assert any("[bold red]URGENT[/]" in t and "[link=https://evil.example]" in t for t in titles)
    assert any("\x1b]0;pwned\x07" in t for t in titles)


def test_corroboration_material(feeds, client):
    """One event told by all three outlets, and one wire text republished verbatim by two."""

    def pages(pred):
        return {
            url: [lxml_html.fromstring(client.get(e["link"]).content) for e in items if pred(e)]
            for url, (_, _, items) in feeds.items()
        }

    drone = pages(lambda e: "drone" in e["title"].lower() and "Jordan" in e["title"])
    assert all(len(docs) == 1 for docs in drone.values()), drone
    texts = [" ".join(body(docs[0])) for docs in drone.values()]
    assert all("Ruwaished" in t for t in texts)
    assert len(set(texts)) == 3  # own words, not copies

    wire = [d for docs in pages(lambda e: e["title"].startswith("War-risk premiums")).values() for d in docs]
    assert len(wire) == 2
    assert body(wire[0]) == body(wire[1])


def test_opml_lists_the_three_feeds_in_folders(demo_server, client):
    r = client.get(demo_server.opml_url)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/x-opml; charset=utf-8"
    from lxml import etree

    root = etree.fromstring(r.content)
    folders = root.xpath("/opml/body/outline[not(@xmlUrl)]")
    assert len(folders) >= 2
    assert sorted(root.xpath("//outline/@xmlUrl")) == sorted(demo_server.feed_urls)


def test_conditional_get_etag_and_last_modified(demo_server, client):
    url = demo_server.feed_urls[0]
    first = client.get(url)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag
    assert again.content == b""
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    older = format_datetime(NOW - timedelta(days=1), usegmt=True)
    assert client.get(url, headers={"If-Modified-Since": older}).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110).
    both = client.get(url, headers={"If-None-Match": '"other"', "If-Modified-Since": last_modified})
    assert both.status_code == 200


def test_same_bytes_on_every_request(demo_server, client):
    url = demo_server.feed_urls[2]
    assert client.get(url).content == client.get(url).content


def test_head_request(demo_server, client):
    r = client.head(demo_server.feed_urls[1])
    assert r.status_code == 200 and r.content == b""
    assert int(r.headers["content-length"]) > 1000


@pytest.mark.parametrize(
    "path",
    [
        "/../pyproject.toml",
        "/../../../pyproject.toml",
        "/../server.py",
        "/%2e%2e/server.py",
        "/articles/../../server.py",
        "/articles/%2e%2e%2f%2e%2e%2fserver.py",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/nope.html",
        "/articles/missing.html",
        "/articles/",
    ],
)
def test_unknown_and_traversal_paths_are_404(demo_server, path):
    assert raw_get(demo_server, path) == 404


def test_resolve_stays_inside_site():
    assert resolve("/feeds/gulf-wire.atom") == SITE_DIR / "feeds" / "gulf-wire.atom"
    assert resolve("/") == SITE_DIR / "index.html"
    assert resolve("/../server.py") is None
    assert resolve("/%00") is None


def test_render_placeholders():
    now = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
    out = render("{{BASE}}/a {{DATE}} {{DATE-3h}} {{RFC822-2d}} {{TEXT-90m}}", "http://h:1", now)
    assert out == (
        "http://h:1/a 2026-11-25T09:00:00Z 2026-11-25T06:00:00Z "
        "Mon, 23 Nov 2026 09:00:00 +0000 25 November 2026, 07:30 UTC"
    )


def test_json_feed_is_valid_json_with_escaped_control_chars(demo_server, client):
    r = client.get(demo_server.feed_urls[2])
    assert b"\x1b" not in r.content  # escaped as \u001b in the JSON text, not raw
    data = json.loads(r.content)
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["feed_url"] == demo_server.feed_urls[2]


def test_stop_releases_port():
    srv = DemoServer().start()
    url = srv.feed_urls[0]
    assert httpx.get(url).status_code == 200
    srv.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=2)


def test_oil_pair_is_a_lexical_trap():
    """The two unrelated oil-price stories share more wording than the three reports of the same
    drone strike do — so word overlap alone must not be enough to call stories corroborating."""
    import re

    def shingles(slug: str) -> set[tuple[str, ...]]:
        doc = lxml_html.parse(str(SITE_DIR / "articles" / f"{slug}.html")).getroot()
        words = re.findall(r"[a-z]+", " ".join(body(doc)).lower())
        return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}

    def jaccard(a: str, b: str) -> float:
        x, y = shingles(a), shingles(b)
        return len(x & y) / len(x | y)

    oil = jaccard("iraq-kurdistan-pipeline-oil-prices", "libya-sharara-shutdown-oil-prices")
    drone = [
        "jordan-border-post-drone-strike",
        "jordan-outpost-hit-by-drone-from-syria",
        "ruwaished-drone-attack-what-it-means",
    ]
    same_event = max(jaccard(a, b) for a in drone for b in drone if a < b)
    assert oil > 3 * same_event
    assert jaccard("red-sea-war-risk-insurance", "red-sea-war-risk-premiums-wire") == 1.0
