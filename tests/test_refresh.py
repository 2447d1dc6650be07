"""Refresh orchestration against a real local server: many feeds, 304s, hostile feeds, articles, single URLs."""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
import time

import pytest
from msgspec.structs import replace

from tests.localserver import Reply
from tests.test_feeds import ATOM10, BILLION_LAUGHS, JSONFEED
from tests.test_fetch import raw, server, streamed  # noqa: F401 - server: the quick-shutdown fixture
from tui_reader import refresh
from tui_reader.articles import fetch_article, prefetch_articles
from tui_reader.config import FetchSettings
from tui_reader.refresh import refresh_feeds
from tui_reader.subscribe import add_url

# Generous enough for a loaded 2-core CI box; tests that need a timeout set their own.
FAST = FetchSettings(connect_timeout=5.0, read_timeout=5.0, retries=0, max_body_mb=1.0)
BODY = "<p>" + "The minister said the talks would resume next week after a pause. " * 12 + "</p>"


def rss_feed(
    name: str, items: int, *, start: int = 0, title_suffix: str = "", base: str = "http://news.example"
) -> str:
    entries = "".join(
        f"<item><title>{name} story {i}{title_suffix}</title><link>{base}/{name}/{i}</link>"
        f"<guid>{name}-{i}</guid><pubDate>Mon, 0{1 + i % 9} Jan 2024 10:00:00 GMT</pubDate>"
        f"<description>Summary {i}</description></item>"
        for i in range(start, start + items)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{name} feed</title>'
        f"<link>{base}/{name}</link>{entries}</channel></rss>"
    )


def etag_route(body: str | bytes, etag: str = '"v1"', content_type: str = "application/rss+xml"):
    """A route that answers 304 when the client already has ``etag``."""
    data = body.encode() if isinstance(body, str) else body

    def route(h) -> None:
        if h.headers.get("If-None-Match") == etag:
            raw("304 Not Modified", {"ETag": etag})(h)
        else:
            raw("200 OK", {"ETag": etag, "Content-Type": content_type, "Content-Length": str(len(data))}, data)(h)

    return route


def run(coro):
    return asyncio.run(coro)


def test_refresh_stores_every_format_and_reports_progress(server, store):
    server.routes["/rss"] = Reply(rss_feed("alpha", 5), content_type="application/rss+xml")
    server.routes["/atom"] = Reply(ATOM10, content_type="application/atom+xml")
    server.routes["/json"] = Reply(JSONFEED, content_type="application/feed+json")
    titled = store.add_feed(server.url("/rss"), "My Alpha", "Group")
    for path in ("/atom", "/json"):
        store.add_feed(server.url(path))
    seen = []
    report = run(refresh_feeds(store, FAST, progress=seen.append))
    assert sorted(o.status for o in seen) == ["ok"] * 3 and len(report.outcomes) == 3
    assert (report.total_new, report.total_updated, report.failed) == (8, 0, 0)
    assert len(report.new_ids) == 8
    by_url = {f.url: f for f in store.feeds()}
    assert by_url[server.url("/atom")].title == "A" and by_url[server.url("/json")].title == "J"
    assert by_url[server.url("/rss")].title == "My Alpha"  # the user's title wins over the feed's
    assert all(f.last_status == "ok" and f.last_ok for f in by_url.values())
    sources = {store.story(i).source for i in report.new_ids}
    assert sources == {"My Alpha", "A", "J"}
    assert by_url[server.url("/rss")].total == 5 and titled.id == by_url[server.url("/rss")].id


def test_second_refresh_is_all_304_without_parsing(server, store, monkeypatch):
    for i in range(5):
        server.routes[f"/f{i}"] = etag_route(rss_feed(f"f{i}", 3))
        store.add_feed(server.url(f"/f{i}"))
    first = run(refresh_feeds(store, FAST))
    assert first.total_new == 15, [o.error for o in first.outcomes]
    parses = []
    monkeypatch.setattr(refresh, "parse_feed", lambda *a: parses.append(a))
    report = run(refresh_feeds(store, FAST))
    assert [o.status for o in report.outcomes] == ["304"] * 5 and parses == []
    second = server.requests[-5:]
    assert all(r.headers.get("if-none-match") == '"v1"' for r in second)
    assert all(f.last_status == "304" and f.etag == '"v1"' for f in store.feeds())


def test_refetch_never_duplicates_and_updates_changed_entries(server, store):
    server.routes["/f"] = Reply(rss_feed("d", 3), content_type="application/rss+xml")
    feed = store.add_feed(server.url("/f"))
    assert run(refresh_feeds(store, FAST)).total_new == 3
    # the same guids again, one retitled, plus one new entry
    changed = rss_feed("d", 4).replace("d story 1<", "d story 1 (updated)<")
    server.routes["/f"] = Reply(changed, content_type="application/rss+xml")
    report = run(refresh_feeds(store, FAST))
    assert (report.total_new, report.total_updated) == (1, 1)
    assert [store.story(i).title for i in report.updated_ids] == ["d story 1 (updated)"]
    assert run(refresh_feeds(store, FAST)).total_new == 0
    assert store.feed(feed.id) and store.feeds()[0].total == 4


def test_duplicate_guids_within_one_fetch_are_one_story(server, store):
    items = "".join(f"<item><title>v{i}</title><link>http://d/x</link><guid>same</guid></item>" for i in range(3))
    server.routes["/dup"] = Reply(f'<rss version="2.0"><channel><title>D</title>{items}</channel></rss>')
    store.add_feed(server.url("/dup"))
    run(refresh_feeds(store, FAST))
    assert store.feeds()[0].total == 1


def test_bad_feeds_are_errors_and_never_stop_the_others(server, store):
    release = threading.Event()
    bomb = gzip.compress(b"\0" * (16 * 1024 * 1024))
    hostile = {
        "/404": (Reply("gone", status=404), "HTTP 404 Not Found"),
        "/500": (Reply("oops", status=500), "HTTP 500 Internal Server Error"),
        "/hang": (lambda h: release.wait(10), "timed out waiting for data"),
        "/html": (Reply("<!DOCTYPE html><html><body>hi</body></html>"), "not a feed: got an HTML page"),
        "/huge": (streamed(50 * 1024 * 1024), "response larger than 1 MB (aborted)"),
        "/bomb": (Reply(bomb, headers={"Content-Encoding": "gzip"}), "response larger than 1 MB (aborted)"),
        "/cut": (raw("200 OK", {"Content-Length": "50000"}, rss_feed("cut", 3)[:200].encode()), "mid-body"),
        "/loop": (Reply(status=302, headers={"Location": "/loop"}), "redirect loop"),
        "/junk": (Reply(b"\x00\xff garbage"), "not a feed"),
        "/badxml": (Reply(b"<?xml version='1.0'?>\n<rss><channel><item></rss>"), ""),
    }
    for path, (route, _) in hostile.items():
        server.routes[path] = route
        store.add_feed(server.url(path))
    for i in range(3):
        server.routes[f"/good{i}"] = Reply(rss_feed(f"g{i}", 4))
        store.add_feed(server.url(f"/good{i}"))
    server.routes["/laughs"] = Reply(BILLION_LAUGHS, content_type="application/xml")
    store.add_feed(server.url("/laughs"))
    for broken in ("http://[::1", "not a url at all", "file:///etc/passwd"):
        store.add_feed(broken)
    started = time.monotonic()
    report = run(refresh_feeds(store, replace(FAST, read_timeout=1.0)))
    release.set()
    assert time.monotonic() - started < 8
    by_url = {o.url: o for o in report.outcomes}
    for path, (_, message) in hostile.items():
        outcome = by_url[server.url(path)]
        if message:
            assert outcome.status == "error" and message in outcome.error, path
            assert "\n" not in outcome.error
    assert all(by_url[server.url(f"/good{i}")].new == 4 for i in range(3))
    assert by_url[server.url("/laughs")].status == "ok"
    feeds = {f.url: f for f in store.feeds()}
    assert feeds[server.url("/404")].last_error == "HTTP 404 Not Found"
    assert feeds[server.url("/404")].last_status == "error" and feeds[server.url("/404")].last_ok is None
    for broken in ("http://[::1", "not a url at all", "file:///etc/passwd"):
        assert by_url[broken].status == "error" and by_url[broken].error
    assert report.failed >= 12 and report.total_new == 13


def test_a_hundred_feeds_at_once(server, store):
    for i in range(100):
        server.routes[f"/feed{i}"] = Reply(rss_feed(f"n{i}", 20), content_type="application/rss+xml")
        store.add_feed(server.url(f"/feed{i}"), f"Feed {i}")
    seen = []
    started = time.monotonic()
    report = run(refresh_feeds(store, FetchSettings(per_host=16), progress=seen.append))
    assert time.monotonic() - started < 10
    assert len(seen) == 100 and report.failed == 0 and report.total_new == 2000
    assert store.count() == 2000


def test_only_the_requested_feeds(server, store):
    server.routes["/a"] = Reply(rss_feed("a", 2))
    server.routes["/b"] = Reply(rss_feed("b", 2))
    a = store.add_feed(server.url("/a"))
    store.add_feed(server.url("/b"))
    report = run(refresh_feeds(store, FAST, feed_ids=[a.id]))
    assert [o.feed_id for o in report.outcomes] == [a.id] and store.count() == 2


def test_fetch_article_extracts_caches_and_falls_back(server, store):
    server.routes["/feed"] = Reply(rss_feed("art", 2, base=server.base))
    server.routes["/art/0"] = Reply(
        f"<html><head><title>Talks resume</title></head><body><article>"
        f"<h1>Talks resume</h1>{BODY}</article></body></html>"
    )
    store.add_feed(server.url("/feed"))
    ids = sorted(run(refresh_feeds(store, FAST)).new_ids)
    first = next(i for i in ids if store.story(i).url.endswith("/art/0"))
    missing = next(i for i in ids if store.story(i).url.endswith("/art/1"))
    article = run(fetch_article(store, FAST, first))
    assert "talks would resume" in article.text and not article.notice
    hits = len(server.requests)
    assert run(fetch_article(store, FAST, first)).text == article.text and len(server.requests) == hits
    assert store.story(first).has_article
    fallback = run(fetch_article(store, FAST, missing))
    assert fallback.notice.startswith("could not fetch page: HTTP 404 Not Found")
    assert "Summary 1" in fallback.markdown and store.article(missing) is None


def test_fetch_article_refuses_non_html(server, store):
    server.routes["/doc.pdf"] = Reply(b"%PDF-1.4", content_type="application/pdf")
    story_id = store.add_story(server.url("/doc.pdf"), "A PDF", summary="<p>feed words</p>")
    article = run(fetch_article(store, FAST, story_id))
    assert "application/pdf" in article.notice and "feed words" in article.markdown


def test_prefetch_after_refresh(server, store):
    server.routes["/feed"] = Reply(rss_feed("pre", 3, base=server.base))
    for i in range(3):
        server.routes[f"/pre/{i}"] = Reply(f"<html><body><article><h1>Story {i}</h1>{BODY}</article></body></html>")
    store.add_feed(server.url("/feed"))
    report = run(refresh_feeds(store, FetchSettings(prefetch_articles=2)))
    assert sum(store.article(i) is not None for i in report.new_ids) == 2
    assert run(prefetch_articles(store, FAST, report.new_ids)) == 1


def test_add_url_subscribes_to_a_feed(server, store):
    server.routes["/feed"] = Reply(rss_feed("add", 3), content_type="application/rss+xml", headers={"ETag": '"e"'})
    result = run(add_url(store, FAST, server.url("/feed")))
    assert result.kind == "feed" and result.feed.title == "add feed" and result.feed.etag == '"e"'
    assert "3 stories" in result.message and store.count() == 3
    again = run(add_url(store, FAST, server.url("/feed")))
    assert again.kind == "feed" and again.message.startswith("already subscribed")


def test_add_url_offers_advertised_feeds(server, store):
    server.routes["/"] = Reply(
        "<!doctype html><html><head><title>Site</title>"
        '<link rel="alternate" type="application/rss+xml" title="News" href="/rss">'
        '<link rel="alternate" type="application/feed+json" href="/feed.json">'
        "</head><body><p>Home page</p></body></html>"
    )
    result = run(add_url(store, FAST, server.url("/")))
    assert result.kind == "page-with-feeds"
    assert result.candidates == [(server.url("/rss"), "News"), (server.url("/feed.json"), "")]
    assert store.feeds() == [] and store.count() == 0


def test_add_url_finds_the_feed_of_a_home_page_that_advertises_none(server, store):
    server.routes["/"] = Reply("<!doctype html><html><head><title>Blog</title></head><body>Hi</body></html>")
    server.routes["/feed.xml"] = Reply(rss_feed("probe", 2), content_type="application/rss+xml")
    server.routes["/rss"] = Reply(status=301, headers={"Location": "/feed.xml"})  # one feed, two addresses
    server.routes["/feed"] = Reply("<!doctype html><html><body>a page, not a feed</body></html>")
    result = run(add_url(store, FAST, server.url("/")))
    assert result.kind == "page-with-feeds" and result.candidates == [(server.url("/feed.xml"), "probe feed")]
    assert store.feeds() == [] and store.count() == 0


def test_add_url_of_a_home_page_without_any_feed_says_so_and_stores_nothing(server, store):
    server.routes["/"] = Reply("<!doctype html><html><head><title>Shop</title></head><body>Buy</body></html>")
    result = run(add_url(store, FAST, server.url("/")))
    assert result.kind == "error" and "home page with no feed" in result.message and "/atom.xml" in result.message
    assert store.feeds() == [] and store.count() == 0


def test_add_url_stores_a_plain_page_that_is_not_a_home_page(server, store):
    server.routes["/2026/11/talks.html"] = Reply(
        f"<html><head><title>Talks resume</title></head><body><h1>Talks resume</h1>{BODY}</body></html>"
    )
    result = run(add_url(store, FAST, server.url("/2026/11/talks.html")))
    assert result.kind == "article" and store.count() == 1
    assert not any(r.path in ("/feed", "/rss") for r in server.requests)  # no probing for an article


def test_add_url_stores_an_article(server, store):
    ld = json.dumps({"@type": "NewsArticle", "headline": "Talks resume"})
    server.routes["/story"] = Reply(
        f"<html><head><title>Talks resume</title>"
        f'<link rel="alternate" type="application/rss+xml" href="/rss">'
        f'<script type="application/ld+json">{ld}</script></head>'
        f"<body><article><h1>Talks resume</h1>{BODY}</article></body></html>"
    )
    result = run(add_url(store, FAST, server.url("/story")))
    assert result.kind == "article" and result.candidates == [(server.url("/rss"), "")]
    story = store.story(result.story_id)
    assert story.url == server.url("/story") and story.has_article and story.feed_id is None
    assert story.source == "127.0.0.1"
    assert "talks would resume" in store.article(result.story_id).text


def test_add_url_errors_are_data(server, store):
    server.routes["/junk"] = Reply(b"\x00 not anything", content_type="application/octet-stream")
    assert run(add_url(store, FAST, server.url("/missing"))).kind == "error"
    result = run(add_url(store, FAST, server.url("/junk")))
    assert result.kind == "error" and "not a feed" in result.message and store.feeds() == []


@pytest.mark.sqlite_only("the failure is planted with a SQLite trigger")
def test_a_feed_whose_stories_cannot_be_stored_fails_alone(server, store):
    for name in ("alpha", "beta", "gamma"):
        server.routes[f"/{name}"] = Reply(rss_feed(name, 20), content_type="application/rss+xml")
    feeds = {name: store.add_feed(server.url(f"/{name}")) for name in ("alpha", "beta", "gamma")}
    # A real store failure for one feed's rows (as a full disk or a constraint would give).
    store.conn.execute(
        f"CREATE TRIGGER refuse BEFORE INSERT ON stories WHEN NEW.feed_id = {feeds['beta'].id} "
        "BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
    )
    report = run(refresh_feeds(store, FAST))
    status = {o.feed_id: (o.status, o.error) for o in report.outcomes}
    assert status[feeds["beta"].id] == ("error", "could not store: disk says no")
    assert status[feeds["alpha"].id][0] == status[feeds["gamma"].id][0] == "ok"
    assert report.total_new == 40 and store.count() == 40
    beta = store.feed(feeds["beta"].id)  # the feeds panel and `tui-reader feeds` show why
    assert (beta.last_status, beta.last_error) == ("error", "could not store: disk says no")


def test_a_feed_that_moved_permanently_is_followed_to_its_new_address(server, store):
    server.routes["/old"] = Reply(status=301, headers={"Location": "/new"})
    server.routes["/new"] = Reply(rss_feed("moved", 2), content_type="application/rss+xml")
    server.routes["/temp"] = Reply(status=302, headers={"Location": "/new2"})
    server.routes["/new2"] = Reply(rss_feed("elsewhere", 2), content_type="application/rss+xml")
    moved, temporary = store.add_feed(server.url("/old")), store.add_feed(server.url("/temp"))
    report = run(refresh_feeds(store, FAST))
    assert {o.feed_id: o.moved_to for o in report.outcomes} == {moved.id: server.url("/new"), temporary.id: ""}
    assert store.feed(moved.id).url == server.url("/new") and store.feed(temporary.id).url == server.url("/temp")
    server.requests.clear()
    run(refresh_feeds(store, FAST))
    assert sorted(r.path for r in server.requests) == ["/new", "/new2", "/temp"]  # /old is asked no more


def test_a_move_onto_a_url_already_subscribed_leaves_both_subscriptions_alone(server, store):
    server.routes["/old"] = Reply(status=308, headers={"Location": "/new"})
    server.routes["/new"] = Reply(rss_feed("moved", 2), content_type="application/rss+xml")
    old, new = store.add_feed(server.url("/old")), store.add_feed(server.url("/new"))
    report = run(refresh_feeds(store, FAST))
    assert all(o.moved_to == "" and o.status == "ok" for o in report.outcomes)
    assert (store.feed(old.id).url, store.feed(new.id).url) == (server.url("/old"), server.url("/new"))
