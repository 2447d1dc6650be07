"""Subscribing: add a URL (a feed, a site offering feeds, or an article page), OPML in and out."""

from __future__ import annotations

import asyncio
import re
from enum import Enum
from urllib.parse import urlsplit

from msgspec import Struct, field

from tui_reader import opml
from tui_reader.config import FetchSettings
from tui_reader.feeds import FeedError, discover_feeds, looks_like_html, parse_feed
from tui_reader.fetch import FEED_ACCEPT, Fetcher, FetchResult
from tui_reader.models import Article, Feed, ParsedFeed
from tui_reader.refresh import parse_result, store_parsed
from tui_reader.store import Store
from tui_reader.urls import join

_ARTICLE_PAGE = re.compile(
    rb"""<meta[^>]+(?:property|name)=["']og:type["'][^>]*content=["']article|"""
    rb"""<meta[^>]+content=["']article["'][^>]*(?:property|name)=["']og:type|"""
    rb""""@type"\s*:\s*"(?:\w*NewsArticle|Article|BlogPosting|Report)\"""",
    re.I,
)
WELL_KNOWN_FEEDS = ("/feed", "/rss", "/feed.xml", "/rss.xml", "/atom.xml", "/index.xml")
"""Where sites that advertise no feed usually keep one (WordPress, Hugo, Jekyll, Ghost…)."""


class AddKind(str, Enum):
    """What a URL turned out to be."""

    FEED = "feed"
    """subscribed"""
    PAGE_WITH_FEEDS = "page-with-feeds"
    """a page advertising feeds, for the user to pick from"""
    ARTICLE = "article"
    """stored as a single story"""
    ERROR = "error"


class AddResult(Struct, frozen=True):
    """What ``add_url`` found: a feed (subscribed), a page advertising feeds, an article (stored), or an error."""

    kind: AddKind
    feed: Feed | None = None
    story_id: int | None = None
    candidates: list[tuple[str, str]] = field(default_factory=list)
    """(url, title) of feeds the page advertises."""
    message: str = ""
    url: str = ""
    """The page's own URL, after redirects."""


async def add_url(store: Store, settings: FetchSettings, url: str) -> AddResult:
    """Subscribe to a feed URL, list the feeds a page advertises, or store an article page as a story."""
    existing = store.feed_by_url(url)
    if existing is not None:
        return AddResult(AddKind.FEED, existing, message=f"already subscribed: {existing.title or url}")
    async with Fetcher(settings) as fetcher:
        result = await fetcher.get(url, accept=f"{FEED_ACCEPT}, text/html;q=0.8")  # a feed, or a page naming one
        if not result.ok:
            return AddResult(AddKind.ERROR, message=f"could not fetch {url}: {result.error}")
        if looks_like_html(result.body):
            return await _add_page(store, result, fetcher)
    try:
        parsed = await asyncio.to_thread(parse_feed, result.body, result.content_type, result.url)
    except FeedError as exc:
        return AddResult(AddKind.ERROR, message=f"{url}: {exc}")
    feed = store.add_feed(result.url, parsed.title)
    outcome = await asyncio.to_thread(store_parsed, store, feed, parsed, result)
    feed = store.feed(feed.id) or feed
    return AddResult(AddKind.FEED, feed, message=f"subscribed to {feed.title or feed.url}: {outcome.new} stories")


async def _add_page(store: Store, result: FetchResult, fetcher: Fetcher) -> AddResult:
    """A web page: the feeds it offers, else the page itself stored as an article."""
    candidates = discover_feeds(result.body, result.url, result.content_type)
    # Article pages often advertise their site's feed too; the page's own type decides.
    is_article = bool(_ARTICLE_PAGE.search(result.body[:200_000]))
    home_page = not is_article and urlsplit(result.url).path in ("", "/")
    if home_page and not candidates:
        candidates = await _probe_feeds(fetcher, result.url)
    if candidates and not is_article:
        return AddResult(
            AddKind.PAGE_WITH_FEEDS,
            candidates=candidates,
            url=result.url,
            message=f"{result.url} is a web page offering {len(candidates)} feed(s)",
        )
    if home_page:  # a site's front page is no story: saying so beats storing it as one
        return AddResult(
            AddKind.ERROR,
            message=f"{result.url} is a site's home page with no feed: it advertises none, "
            f"and none of {', '.join(WELL_KNOWN_FEEDS)} is one",
        )

    def store_article() -> tuple[int, Article]:
        from tui_reader.extract import extract_article

        article = extract_article(result.body, result.url, content_type=result.content_type)
        story_id = store.add_story(
            result.url,
            article.title or result.url,
            source=article.site_name,
            author=article.byline,
            published=article.published,
        )
        store.save_article(story_id, article, html=result.body, content_type=result.content_type)
        return story_id, article

    story_id, article = await asyncio.to_thread(store_article)
    return AddResult(
        AddKind.ARTICLE,
        story_id=story_id,
        candidates=candidates,
        message=f"saved article: {article.title or result.url}",
    )


async def _probe_feeds(fetcher: Fetcher, page_url: str) -> list[tuple[str, str]]:
    """Feeds at the usual addresses of a site whose home page advertises none (many never do)."""
    results = await asyncio.gather(*(fetcher.get(join(page_url, path)) for path in WELL_KNOWN_FEEDS))
    found: dict[str, str] = {}
    for res in results:
        if not res.ok or looks_like_html(res.body) or res.url in found:
            continue
        parsed = await asyncio.to_thread(parse_result, res)
        if isinstance(parsed, ParsedFeed):
            found[res.url] = parsed.title
    return list(found.items())


def import_opml(store: Store, data: bytes) -> int:
    """Subscribe to every feed in an OPML file (folders → groups); returns how many feeds it lists."""
    entries = opml.parse_opml(data)
    with store.tx():
        for url, title, group in entries:
            store.add_feed(url, title, group)
    return len(entries)


def export_opml(store: Store) -> str:
    return opml.export_opml(store.feeds())
