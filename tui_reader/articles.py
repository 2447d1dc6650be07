"""Article pages for reader mode: fetched on open or ahead of reading, extracted once, cached in the store."""

from __future__ import annotations

import asyncio

from msgspec.structs import replace

from tui_reader.config import ClusterSettings, FetchSettings
from tui_reader.fetch import PAGE_ACCEPT, Fetcher, FetchResult, using
from tui_reader.models import Article, Story
from tui_reader.store import Store


async def fetch_article(
    store: Store,
    settings: FetchSettings,
    story_id: int,
    client: Fetcher | None = None,
    cluster: ClusterSettings | None = None,
) -> Article:
    """Reader-mode article of a story: cached, else fetched and extracted once; the feed's text when that fails.

    With ``cluster`` settings the story is re-clustered on its full text once extracted.
    """
    cached = store.article(story_id)
    if cached is not None:
        return cached
    story = store.story(story_id)
    if story is None:
        raise LookupError(f"no story with id {story_id}")
    if not story.url.startswith(("http://", "https://")):
        return await _feed_article(story, "this story has no web page — showing the feed's text")
    async with using(settings, client) as fetcher:
        result = await fetcher.get(story.url, accept=PAGE_ACCEPT)
    if not result.ok:
        return await _feed_article(story, f"could not fetch page: {result.error} — showing the feed's text")
    kind = result.content_type.split(";")[0].strip().lower()
    if kind and "html" not in kind and "xml" not in kind and not kind.startswith("text/"):
        return await _feed_article(story, f"the page is {kind[:40]}, not HTML — showing the feed's text")
    return await asyncio.to_thread(_extract_and_save, store, story, result, cluster)


def _extract_and_save(
    store: Store, story: Story, result: FetchResult, cluster: ClusterSettings | None = None
) -> Article:
    from tui_reader.extract import extract_article

    article = extract_article(
        result.body,
        result.url,
        content_type=result.content_type,
        fallback_html=story.feed_content or story.feed_summary or None,
    )
    store.save_article(story.id, article, html=result.body, content_type=result.content_type)
    if cluster is not None:
        from tui_reader.cluster import cluster_new

        cluster_new(store, [story.id], cluster)
    return article


async def _feed_article(story: Story, notice: str) -> Article:
    """The feed's own text as the article (not cached, so a later open retries the page)."""
    from tui_reader.extract import extract_article

    feed_html = story.feed_content or story.feed_summary or ""
    article = await asyncio.to_thread(extract_article, feed_html, story.url, fallback_html=feed_html or None)
    return replace(article, title=article.title or story.title, notice=notice)


async def prefetch_articles(
    store: Store, settings: FetchSettings, story_ids: list[int], client: Fetcher | None = None
) -> int:
    """Fetch and cache the article pages of ``story_ids`` ahead of reading; returns how many are now cached."""
    todo = [i for i in story_ids if store.article(i) is None]
    async with using(settings, client) as fetcher:
        await asyncio.gather(*(fetch_article(store, settings, i, fetcher) for i in todo), return_exceptions=True)
    return sum(store.article(i) is not None for i in todo)
