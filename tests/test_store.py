"""Store round trips, migrations, identity rules and the list's window reads."""

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui_reader.identity import story_guid
from tui_reader.models import Article, Caption, FeedEntry, Grade, State, TriageInput
from tui_reader.query import StoryQuery
from tui_reader.store import MIGRATIONS, Store, StoreError
from tui_reader.urls import domain_of


def entry(n, **kw):
    base = dict(
        guid=f"g{n}",
        url=f"https://news.example/{n}",
        title=f"Story {n}",
        published=datetime(2026, 11, 1, tzinfo=timezone.utc) + timedelta(hours=n),
    )
    base.update(kw)
    return FeedEntry(**base)


def test_migrates_an_empty_file_to_the_latest_schema(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS)
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.integrity_ok()
    # reopening does not re-run migrations
    assert Store(path).schema_version == len(MIGRATIONS)


def test_refuses_a_store_from_a_newer_version(tmp_path):
    path = tmp_path / "db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE schema_version SET version = 999")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        Store(path)


def test_refetch_never_duplicates_and_updates_changed_entries(store):
    feed = store.add_feed("https://news.example/feed.xml", "News")
    first = store.upsert_entries(feed.id, [entry(1), entry(2)], "News")
    assert (first.new, first.updated) == (2, 0)
    again = store.upsert_entries(feed.id, [entry(1), entry(2, title="Story 2 (updated)")], "News")
    assert (again.new, again.updated) == (0, 1)
    assert store.count() == 2
    sid = store.story_ids()[0]
    assert store.story(sid).title == "Story 2 (updated)"


def test_an_item_listed_twice_within_one_fetch_is_one_story_the_last_copy_winning(store):
    feed = store.add_feed("https://news.example/feed.xml")
    res = store.upsert_entries(
        feed.id, [entry(1, summary="First copy"), entry(2), entry(1, summary="Last copy")], "News"
    )
    assert res.new == 2 and store.count() == 2
    assert {store.story(i).feed_summary for i in res.new_ids} == {"Last copy", ""}


def test_items_sharing_a_guid_but_saying_different_things_are_stories_of_their_own(store):
    """A podcast without guids: every episode links to the show's page, so the link is no identity."""
    feed = store.add_feed("https://radio.example/podcast.xml")
    episodes = [
        entry(n, guid="https://radio.example/show", url="https://radio.example/show", title=f"Episode {n}")
        for n in range(15)
    ]
    assert store.upsert_entries(feed.id, episodes, "Radio").new == 15
    assert store.upsert_entries(feed.id, episodes, "Radio").new == 0 and store.count() == 15


def test_updates_are_reported_by_id_and_reindexed_for_search(store):
    feed = store.add_feed("https://news.example/feed.xml")
    first = store.upsert_entries(feed.id, [entry(n, content=f"<p>body {n} tanker</p>") for n in range(300)], "News")
    assert len(first.new_ids) == 300 and len(set(first.new_ids)) == 300
    assert len(store.story_ids(StoryQuery(text="tanker"))) == 300
    again = store.upsert_entries(feed.id, [entry(5, content="<p>body 5 pipeline</p>")], "News")
    assert again.updated_ids == [first.new_ids[5]] and again.new_ids == []
    assert store.story_ids(StoryQuery(text="pipeline")) == [first.new_ids[5]]
    assert len(store.story_ids(StoryQuery(text="tanker"))) == 299


def test_search_matches_the_words_of_feed_html_not_its_markup(store):
    feed = store.add_feed("https://news.example/feed.xml")
    html = '<p class="lead">Talks resumed.</p><img src="https://cdn.reuters.com/photo.jpg" width="640">'
    (sid,) = store.upsert_entries(feed.id, [entry(1, content=html)], "News").new_ids
    assert store.story_ids(StoryQuery(text="talks")) == [sid]
    assert all(store.story_ids(StoryQuery(text=w)) == [] for w in ("reuters", "lead", "width", "jpg", "class"))
    store.upsert_entries(feed.id, [entry(1, content=html.replace("Talks", "Ceasefire talks"))], "News")
    assert store.story_ids(StoryQuery(text="ceasefire")) == [sid] and store.story_ids(StoryQuery(text="reuters")) == []


def test_migration_7_reindexes_a_store_that_indexed_markup(tmp_path, monkeypatch):
    import tui_reader.store.schema as store_module

    path = tmp_path / "old.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:6])  # a store as version 6 left it
    store = Store(path)
    with store.tx() as c:  # what version 6 indexed: the raw HTML
        c.execute(
            "INSERT INTO stories(guid, url, title, fetched, sort_ts, feed_content) "
            "VALUES ('g1', 'https://news.example/1', 'Story 1', 0, 0, '<p class=\"lead\">Talks resumed.</p>')"
        )
        c.execute(
            "INSERT INTO stories_fts(rowid, title, summary, body) SELECT id, title, '', feed_content FROM stories"
        )
    assert store.schema_version == 6 and store.story_ids(StoryQuery(text="lead")) != []
    store.close()
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS)
    reopened = Store(path)
    assert reopened.schema_version == len(MIGRATIONS) >= 7
    assert reopened.story_ids(StoryQuery(text="lead")) == [] and len(reopened.story_ids(StoryQuery(text="talks"))) == 1


def test_items_of_one_feed_sharing_a_link_are_stories_of_their_own(store):
    """A ministry's press releases all link to /press under their own guids: three stories, not one."""
    feed = store.add_feed("https://ministry.example.org/rss")
    press = [
        entry(n, guid=f"pr-10{n}", url="https://ministry.example.org/press", title=f"Release {n}") for n in (1, 2, 3)
    ]
    assert store.upsert_entries(feed.id, press, "Ministry").new == 3
    assert sorted(store.story(i).title for i in store.story_ids()) == ["Release 1", "Release 2", "Release 3"]
    again = store.upsert_entries(feed.id, press, "Ministry")
    assert (again.new, again.updated) == (0, 0)


def test_the_same_article_in_two_feeds_is_one_story_of_both(store):
    a = store.add_feed("https://a.example/rss")
    b = store.add_feed("https://b.example/rss")
    (sid,) = store.upsert_entries(a.id, [entry(1)], "A").new_ids
    # same page under the same headline (case and spacing aside), another guid and tracking
    res = store.upsert_entries(
        b.id,
        [
            entry(
                1, guid="b-1", url="https://www.news.example/1?utm_source=b", title="STORY  1", summary="B's own blurb"
            )
        ],
        "B",
    )
    assert (res.new, res.updated) == (0, 0) and store.count() == 1
    assert store.story_ids(StoryQuery(feed_id=a.id)) == store.story_ids(StoryQuery(feed_id=b.id)) == [sid]
    assert [(f.unread, f.total) for f in store.feeds()] == [(1, 1), (1, 1)]
    # refreshing both again changes nothing: the home feed alone keeps the story current
    for feed, e in ((a, entry(1)), (b, entry(1, guid="b-1", title="STORY  1", summary="B's own blurb"))):
        assert store.upsert_entries(feed.id, [e], "x").updated == 0
    assert store.story(sid).title == "Story 1" and store.story(sid).source == "A"


def test_a_global_guid_names_one_article_across_feeds_a_bare_number_does_not(store):
    a = store.add_feed("https://a.example/rss")
    b = store.add_feed("https://b.example/rss")
    store.upsert_entries(a.id, [entry(1, guid="tag:news.example,2026:1"), entry(2, guid="2")], "A")
    res = store.upsert_entries(
        b.id,
        [
            entry(1, guid="tag:news.example,2026:1", url="https://b.example/x", title="Other wording"),
            entry(9, guid="2", title="Another feed's item number 2"),
        ],
        "B",
    )
    assert res.new == 1 and store.count() == 3


def test_feeds_reusing_a_link_under_their_own_headlines_keep_their_own_stories(store):
    a = store.add_feed("https://a.example/rss")
    b = store.add_feed("https://b.example/rss")
    store.upsert_entries(a.id, [entry(1, guid="a1", title="Minister resigns")], "A")
    store.upsert_entries(b.id, [entry(1, guid="b1", title="Cabinet reshuffle announced")], "B")
    for _ in range(2):  # no flipping between the two headlines, no phantom "updated"
        assert store.upsert_entries(a.id, [entry(1, guid="a1", title="Minister resigns")], "A").updated == 0
        assert store.upsert_entries(b.id, [entry(1, guid="b1", title="Cabinet reshuffle announced")], "B").updated == 0
    titles = {
        f.title or f.url: [store.story(i).title for i in store.story_ids(StoryQuery(feed_id=f.id))]
        for f in store.feeds()
    }
    assert titles == {
        "https://a.example/rss": ["Minister resigns"],
        "https://b.example/rss": ["Cabinet reshuffle announced"],
    }


def test_a_shared_story_whose_headlines_part_becomes_two_stories(store):
    a = store.add_feed("https://a.example/rss")
    b = store.add_feed("https://b.example/rss")
    (sid,) = store.upsert_entries(a.id, [entry(1, guid="a1")], "A").new_ids
    store.upsert_entries(b.id, [entry(1, guid="b1")], "B")
    store.upsert_entries(a.id, [entry(1, guid="a1", title="Story 1, updated")], "A")
    res = store.upsert_entries(b.id, [entry(1, guid="b1")], "B")
    assert res.new == 1 and store.story_ids(StoryQuery(feed_id=a.id)) == [sid]
    assert [store.story(i).title for i in store.story_ids(StoryQuery(feed_id=b.id))] == ["Story 1"]


def test_unsubscribing_moves_shared_stories_to_the_other_feed(store):
    a = store.add_feed("https://a.example/rss")
    b = store.add_feed("https://b.example/rss")
    store.upsert_entries(a.id, [entry(1), entry(2)], "A")
    store.upsert_entries(b.id, [entry(1, guid="b1")], "B")
    assert store.remove_feed(a.id) == 2
    (shared,) = store.story_ids(StoryQuery(feed_id=b.id))
    assert store.story(shared).title == "Story 1" and [(f.unread, f.total) for f in store.feeds()] == [(1, 1)]
    # the shared story is b's own now: b's changes reach it
    assert store.upsert_entries(b.id, [entry(1, guid="b1", summary="new")], "B").updated_ids == [shared]
    # re-subscribing to a finds its stories again, nothing duplicated
    a = store.add_feed("https://a.example/rss")
    assert store.upsert_entries(a.id, [entry(1), entry(2)], "A").new == 0 and store.count() == 2


def test_items_with_neither_link_nor_guid_are_told_apart_by_what_they_say(store):
    feed = store.add_feed("https://old.example/rss091")
    items = [
        FeedEntry(guid=story_guid("", "", "", f"Bulletin {n}", None), url="", title="", summary=f"Bulletin {n}")
        for n in range(4)
    ]
    assert store.upsert_entries(feed.id, items, "Old").new == 4
    assert store.upsert_entries(feed.id, items, "Old").new == 0 and store.count() == 4


def test_feed_fetch_status_is_kept(store):
    feed = store.add_feed("https://news.example/feed.xml")
    store.record_fetch(feed.id, status="ok", etag='"v1"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT", title="News")
    store.record_fetch(feed.id, status="error", error="HTTP 500")
    f = store.feed(feed.id)
    assert (f.title, f.etag, f.last_status, f.last_error) == ("News", '"v1"', "error", "HTTP 500")
    assert f.last_ok is not None


def test_window_reads_keep_display_order_and_filters(store):
    feed = store.add_feed("https://news.example/feed.xml")
    store.upsert_entries(feed.id, [entry(n) for n in range(10)], "News")
    ids = store.story_ids()
    rows = store.list_rows(ids[2:5])
    assert [r.title for r in rows] == ["Story 7", "Story 6", "Story 5"]
    store.set_state(ids[0], State.DISMISSED)
    assert store.count(StoryQuery(states=(State.UNREAD,))) == 9
    since = datetime(2026, 11, 1, 5, tzinfo=timezone.utc)
    assert store.count(StoryQuery(since=since)) == 5


def test_triage_round_trip_history_and_source_memory(store):
    feed = store.add_feed("https://news.example/feed.xml")
    store.upsert_entries(feed.id, [entry(1)], "News")
    sid = store.story_ids()[0]
    store.save_triage(TriageInput(sid, ("syria", "iran"), Grade.parse("b2"), "First."), "2026-11-25")
    assert store.save_triage(TriageInput(sid, ("syria",), Grade.parse("C3"), "Second."), "2026-11-25") == "2026-11-25"
    item = store.brief_item(sid)
    assert (item.grade.code, item.tags, item.summary) == ("C3", ("syria",), "Second.")
    assert [h[0] for h in store.triage_history(sid)] == ["B2", "C3"]
    assert store.source_letter("news.example") == "C"
    assert store.story(sid).state is State.TRIAGED
    assert store.tag_counts() == [("syria", 1)]
    assert store.pending_logs() == [(sid, "2026-11-25")]
    assert store.story_ids(StoryQuery(tag="syria")) == [sid]
    assert store.story_ids(StoryQuery(max_grade=Grade.parse("B2"))) == []
    assert store.story_ids(StoryQuery(text="second")) == [sid]


def test_triage_of_unknown_story_changes_nothing(store):
    with pytest.raises(StoreError):
        store.save_triage(TriageInput(42, ("x",), None, ""), "2026-11-25")
    assert store.tag_counts() == []


def test_article_cache_round_trip_joins_search(store):
    sid = store.add_story("https://news.example/a", "A page")
    art = Article(
        title="A page",
        markdown="Body\n\n▣ Cap — Credit",
        text="Body about pipelines",
        captions=[Caption("Cap", "Credit", "img.jpg")],
        word_count=3,
        confidence=0.9,
    )
    store.save_article(sid, art, html=b"<html></html>", content_type="text/html")
    back = store.article(sid)
    assert back.captions == [Caption("Cap", "Credit", "img.jpg")]
    assert back.markdown == art.markdown
    assert store.story_ids(StoryQuery(text="pipelin")) == [sid]


def test_search_text_with_fts_syntax_is_taken_literally(store):
    store.add_story("https://news.example/a", 'He said "NEAR(x y)" AND OR *')
    # FTS operators in user input are words to find, not syntax that raises
    assert len(store.story_ids(StoryQuery(text='"NEAR(x AND *'))) == 1
    assert store.story_ids(StoryQuery(text="near absent")) == []


def test_grouped_view_shows_one_row_per_cluster(store):
    feed = store.add_feed("https://news.example/feed.xml")
    store.upsert_entries(feed.id, [entry(n) for n in range(4)], "News")
    a, b, c, d = sorted(store.story_ids())
    with store.tx() as conn:  # what tui_reader.cluster records for a 3-outlet story
        conn.execute("UPDATE stories SET cluster_id = ?, cluster_size = 3 WHERE id IN (?, ?, ?)", (a, a, b, c))
    assert sorted(store.story_ids(StoryQuery(grouped=True))) == [a, d]
    assert store.story_ids(StoryQuery(single_source=True)) == [d]


def test_briefing_journal_keeps_one_row_per_story_and_day(store):
    sid = store.add_story("https://news.example/a", "A")
    store.save_triage(TriageInput(sid, (), Grade.parse("B2"), "x"), "2026-11-24")
    store.save_triage(TriageInput(sid, (), Grade.parse("B3"), "y"), "2026-11-25")
    assert store.pending_logs() == [(sid, "2026-11-24"), (sid, "2026-11-25")]
    store.clear_pending_log(sid, "2026-11-24")
    assert store.pending_logs() == [(sid, "2026-11-25")]


def _split_domain(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


@given(
    st.from_regex(r"\A(https?:)?//[A-Za-z0-9.@:\[\]%-]{0,20}[/?#]?[A-Za-z0-9/?#=&.:@-]{0,20}\Z") | st.text(max_size=40)
)
def test_domain_of_agrees_with_a_full_urlsplit(url):
    """It splits only the origin (cached per host): the answer must be the full URL's host all the same."""
    assert domain_of(url) == _split_domain(url)


def test_a_group_query_takes_the_stories_of_that_groups_feeds(store):
    mideast = store.add_feed("https://a.example/rss", "A", "Middle East")
    gulf = store.add_feed("https://b.example/rss", "B", "Gulf")
    loose = store.add_feed("https://c.example/rss", "C")
    for n, feed in enumerate((mideast, gulf, loose)):
        store.upsert_entries(feed.id, [entry(n, url=f"https://x.example/{n}")], feed.title)
    by_source = lambda q: sorted(store.story(i).source for i in store.story_ids(q))  # noqa: E731
    assert by_source(StoryQuery(group="Middle East")) == ["A"]
    assert by_source(StoryQuery(group="middle_east")) == ["A"]  # as typed in the filter bar
    assert by_source(StoryQuery(group="gulf")) == ["B"] and by_source(StoryQuery(group="Gulf energy")) == []


def test_migration_9_unmerges_what_a_url_had_merged_and_keeps_every_triage(tmp_path, monkeypatch):
    import tui_reader.store.schema as store_module

    path = tmp_path / "v8.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:8])  # a store as version 8 left it
    old = Store(path)
    with old.tx() as c:
        c.execute(
            "INSERT INTO feeds(id, url, etag, last_modified, added) VALUES (1, 'https://m.example/rss', "
            "'\"v1\"', 'Mon, 30 Nov 2026 08:00:00 GMT', 0)"
        )
        # three press releases sharing one link had become one story: the last guid, another item's headline
        c.execute(
            "INSERT INTO stories(id, feed_id, guid, url, title, fetched, sort_ts) "
            "VALUES (1, 1, 'pr-103', 'https://m.example/press', 'Release 2', 0, 0)"
        )
        # two description-only items had hashed alike (title only)
        c.execute(
            "INSERT INTO stories(id, feed_id, guid, url, title, feed_summary, fetched, sort_ts) "
            "VALUES (2, 1, 'sha1:da39a3ee', 'urn:tui-reader:1:sha1:da39a3ee', '', 'Bulletin 0', 0, 0)"
        )
        c.execute("INSERT INTO articles(story_id, fetched, text) VALUES (1, 0, 'the release text')")
        c.execute("INSERT INTO triage(story_id, grade, summary, triaged_at) VALUES (1, 'B2', 'kept', 0)")
        c.execute("INSERT INTO tags(id, name) VALUES (1, 'energy')")
        c.execute("INSERT INTO story_tags(story_id, tag_id) VALUES (1, 1)")
    old.close()
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS)
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS) and store.integrity_ok()
    story = store.story(1)
    assert (story.grade.code, story.summary, story.tags, story.has_article) == ("B2", "kept", ("energy",), True)
    (feed,) = store.feeds()
    assert (feed.etag, feed.last_modified) == ("", "")  # the next refresh reads the feed whole
    press = [entry(n, guid=f"pr-10{n}", url="https://m.example/press", title=f"Release {n}") for n in (1, 2, 3)]
    bulletins = [
        FeedEntry(guid=story_guid("", "", "", f"Bulletin {n}", None), url="", title="", summary=f"Bulletin {n}")
        for n in range(2)
    ]
    res = store.upsert_entries(1, press + bulletins, "Ministry")
    assert res.new == 3 and store.count() == 5  # pr-101, pr-102 and Bulletin 1 come back; Bulletin 0 is story 2
    assert store.story(1).title == "Release 3" and store.story(1).grade.code == "B2"
    assert store.upsert_entries(1, press + bulletins, "Ministry").new == 0


def test_a_postgresql_database_gets_the_whole_schema_and_one_from_a_newer_version_is_refused(pg_url):
    from tui_reader.errors import StoreError

    store = Store(pg_url)
    assert store.schema_version == len(MIGRATIONS) and store.integrity_ok()
    with store.tx() as c:
        c.execute("UPDATE schema_version SET version = ?", (len(MIGRATIONS) + 1,))
    store.close()
    with pytest.raises(StoreError, match="newer than this tui-reader"):
        Store(pg_url)


NEWS = [
    entry(900, title="Grève à Zürich", content="<p>The tanker crossed near <b>Abu Kamal</b> at dawn.</p>"),
    entry(901, title="Tanker news", summary="<p>The port reopened.</p>"),
]
SEARCHES = ("zurich", "greve tanker", "tank", '"crossed near"', "watch:east", "story 12", "port")


def test_postgresql_search_finds_stories_before_their_words_are_indexed_and_a_killed_pass_is_finished(
    pg_url, monkeypatch
):
    """Intake commits stories before the indexer fills in their search words: searches find the same stories
    before its pass, after a pass killed half-way, and once the next process to open the store finished it."""
    from tui_reader.query import parse_filter
    from tui_reader.store import postgresql
    from tui_reader.watch import Watchlist

    request = postgresql._Indexer.request
    monkeypatch.setattr(postgresql._Indexer, "request", lambda self, after: None)  # this process dies before it indexes
    store = Store(pg_url)
    store.watchlists = (Watchlist("east", ("Abu Kamal",)),)
    res = store.upsert_entries(None, [entry(n, summary=f"<p>Routine item {n}</p>") for n in range(250)] + NEWS, "Wire")
    zurich, tanker = res.new_ids[-2:]

    def found():
        return {text: store.story_ids(parse_filter(text, watchlists=store.watchlists)) for text in SEARCHES}

    def unindexed():
        return store.conn.execute("SELECT count(*) FROM stories_fts WHERE words IS NULL").fetchone()[0]

    before = found()
    assert before["zurich"] == before["greve tanker"] == before['"crossed near"'] == before["watch:east"] == [zurich]
    assert before["tank"] == [tanker, zurich] and before["port"] == [tanker] and len(before["story 12"]) == 11
    assert unindexed() == 252
    store.conn.execute(postgresql._FILL, (0, postgresql.INDEX_SLICE))  # one slice committed, then the kill
    assert unindexed() == 252 - postgresql.INDEX_SLICE and found() == before
    monkeypatch.setattr(postgresql._Indexer, "request", request)
    Store(pg_url).wait_indexed()  # the next process: opening the store is enough
    assert unindexed() == 0 and found() == before
    store.close()


def test_a_postgresql_story_with_more_words_than_a_tsvector_holds_is_stored_and_found_by_its_first_ones(pg_url):
    """A tsvector holds 1 MB of words: a longer text is indexed by each column's first 80,000 characters,
    rather than failing its feed's intake, or every search while the indexer retries it."""
    store = Store(pg_url)
    words = [f"w{n:07d}x" for n in range(200_000)]  # 2 MB of distinct words
    res = store.upsert_entries(None, [entry(1, title="Leaked ledger", content=f"<p>{' '.join(words)}</p>")], "Wire")
    for text in ("leaked ledger", words[0], words[7000]):  # before and after the indexer's pass
        assert store.story_ids(StoryQuery(text=text)) == res.new_ids
    store.wait_indexed()
    assert store.conn.execute("SELECT count(*) FROM stories_fts WHERE words IS NULL").fetchone()[0] == 0
    for text in ("leaked ledger", words[0], words[7000]):
        assert store.story_ids(StoryQuery(text=text)) == res.new_ids
    assert store.story_ids(StoryQuery(text=words[-1])) == []
    store.close()


def test_rules_in_intakes_transaction_see_the_new_stories_words(store):
    """Before it commits, intake's rules match the text of the stories it stores (on PostgreSQL, words
    the indexer has not filled in yet)."""
    from tui_reader.rules import parse_rules
    from tui_reader.watch import Watchlist, watch_rules

    store.watchlists = (Watchlist("east", ("Abu Kamal",)),)
    store.rules = parse_rules(
        [
            {"name": "ships", "fields": ["title", "text"], "words": "tanker", "tags": ["ships"]},
            {"name": "swiss", "query": "zurich source:wire", "tags": ["swiss"]},
            {"name": "east", "query": "watch:east", "tags": ["east"]},
        ],
        store.watchlists,
    ) + watch_rules(store.watchlists)
    with store.tx():
        ids = store.upsert_entries(None, [entry(n) for n in range(5)] + NEWS, "Wire").new_ids
        run = store.apply_rules(ids)
    zurich, tanker = ids[-2:]
    assert run.stories == {"ships": {zurich, tanker}, "swiss": {zurich}, "east": {zurich}}
    assert run.alerts == {zurich: ["watch:east"]}
    assert store.story(zurich).tags == ("ships", "swiss", "east")


def test_a_postgresql_connection_the_server_drops_is_one_line_then_opened_again(pg_url):
    import psycopg

    store = Store(pg_url)
    store.add_feed("https://a.example/feed")
    (pid,) = store.conn.execute("SELECT pg_backend_pid()").fetchone()
    with psycopg.connect(pg_url, autocommit=True) as admin:  # as a server restart would
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(StoreError, match="lost the store postgresql://") as err:
        store.feeds()
    assert "\n" not in str(err.value)
    assert [f.url for f in store.feeds()] == ["https://a.example/feed"]
    store.close()


def test_a_postgresql_write_waits_for_another_writer_then_says_so_in_one_line(pg_url, monkeypatch):
    import psycopg

    from tui_reader.store import postgresql

    monkeypatch.setattr(postgresql, "LOCK_TIMEOUT", 1)
    store = Store(pg_url)
    with psycopg.connect(pg_url, autocommit=True) as other:  # another tui-reader's long write
        other.execute("SELECT pg_advisory_lock(%s)", (postgresql.WRITE_LOCK,))
        with pytest.raises(StoreError, match="stayed locked by another tui-reader") as err:
            store.add_feed("https://a.example/feed")
        assert "\n" not in str(err.value) and store.feeds() == []  # nothing half done, reads go on
    store.add_feed("https://a.example/feed")  # once it is done
    assert len(store.feeds()) == 1
    store.close()
