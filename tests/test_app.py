"""The TUI driven like a person would, with Textual's Pilot, on the real demo site."""

from datetime import date

import pytest

from tests.screen import Toasts, screen_text, workers_done
from tui_reader.models import Grade, State, TriageInput
from tui_reader.query import StoryQuery
from tui_reader.triage import apply_triage
from tui_reader.ui.app import ReaderApp
from tui_reader.ui.screens.reader import ReaderScreen
from tui_reader.ui.widgets.story_list import StoryList


def story_id_titled(store, words):
    for sid in store.story_ids():
        if words in store.story(sid).title:
            return sid
    raise AssertionError(f"no demo story titled {words!r}")


async def open_story(app, pilot, sid):
    app.query_one(StoryList).select_story(sid)
    await pilot.press("enter")
    await pilot.pause()
    await workers_done(app)
    await pilot.pause()
    assert isinstance(app.screen, ReaderScreen)
    return app.screen


async def test_demo_loop_open_read_triage_and_the_note_holds_it(demo):
    server, store, paths = demo
    app = ReaderApp(store, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        sid = story_id_titled(store, "Ruwaished")
        reader = await open_story(app, pilot, sid)
        article = store.article(sid)
        assert article is not None and article.captions, "the article's captions were extracted"
        shown = reader.query_one("#article-text").source
        assert article.captions[0].text[:40] in shown
        assert "Skip to main content" not in shown and "Subscribe for unlimited" not in shown
        await pilot.press("B", "2", "t", *"border, drones", "enter")
        await pilot.pause()
        await workers_done(app)
    story = store.story(sid)
    assert story.state is State.TRIAGED and story.grade == Grade("B", "2")
    assert story.tags == ("border", "drones")
    note = (paths.briefing_dir / f"{date.today().isoformat()}.md").read_text(encoding="utf-8")
    assert story.title in note and "B2" in note and "usually reliable" in note
    assert "border" in note and story.summary and story.summary[:60] in note


async def test_full_triage_in_four_keys_once_the_story_is_open(demo):
    server, store, paths = demo
    first = story_id_titled(store, "Ruwaished")
    apply_triage(store, paths.briefing_dir, TriageInput(first, ("syria",), Grade("B", "2"), "Earlier item."))
    target = next(
        sid
        for sid in store.story_ids()  # another event: same-event items share one block
        if store.story(sid).state is not State.TRIAGED and store.story(sid).cluster_size == 1
    )
    app = ReaderApp(store, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_story(app, pilot, target)
        await pilot.press("3", "t", "s", "enter")  # credibility; tags; completion "syria"; accept + save
        await pilot.pause()
        await workers_done(app)
    story = store.story(target)
    assert story.grade == Grade("B", "3") and story.tags == ("syria",)
    assert story.summary, "the extractive draft was accepted as the summary"
    note = (paths.briefing_dir / f"{date.today().isoformat()}.md").read_text(encoding="utf-8")
    assert note.count("tui-reader:item") >= 4  # two items, open and close markers each
    assert story.summary[:50] in note


async def test_the_draft_is_the_storys_own_teaser_and_an_analysts_summary_is_kept(demo):
    from tui_reader.ui.widgets.triage_panel import TriagePanel

    _, store, paths = demo
    drafted = story_id_titled(store, "why a strike on a Jordanian border post matters")
    mine = next(sid for sid in store.story_ids() if sid != drafted and store.story(sid).state is not State.TRIAGED)
    apply_triage(store, paths.briefing_dir, TriageInput(mine, ("jordan",), Grade("B", "2"), "My own reading."))
    app = ReaderApp(store, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        reader = await open_story(app, pilot, drafted)
        assert reader.query_one(TriagePanel).summary == (
            "The killing of two soldiers at a desert outpost suggests the armed networks on Jordan's northern "
            "frontier are changing their methods \u2014 and their targets."
        )  # the feed entry's own summary
        reader.show_story(mine)
        await pilot.pause()
        await workers_done(app)
        await pilot.pause()
        assert reader.query_one(TriagePanel).summary == "My own reading."


async def test_dismiss_and_undo_from_the_list(demo):
    server, store, paths = demo
    app = ReaderApp(store, paths)
    async with app.run_test(size=(100, 30)) as pilot:
        sid = app.query_one(StoryList).cursor_story_id
        await pilot.press("x")
        await workers_done(app)  # the write runs off the UI thread
        assert store.story(sid).state is State.DISMISSED
        await pilot.press("u")
        await workers_done(app)
        assert store.story(sid).state is State.UNREAD


async def test_search_filters_the_list_and_escape_clears(demo):
    server, store, paths = demo
    app = ReaderApp(store, paths)
    async with app.run_test(size=(100, 30)) as pilot:
        stories = app.query_one(StoryList)
        total = stories.row_count
        await pilot.press("slash", *"drone", "enter")
        await workers_done(app)
        await pilot.pause()
        assert 0 < stories.row_count < total
        for i in stories.story_ids:
            story, article = store.story(i), store.article(i)
            words = f"{story.title} {article.text if article else ''} {story.feed_content} {story.feed_summary}"
            assert "drone" in words.lower()
        await pilot.press("escape")
        await workers_done(app)
        await pilot.pause()
        assert stories.row_count == total


async def test_bad_filter_says_why_and_keeps_the_list(demo):
    server, store, paths = demo
    app = ReaderApp(store, paths)
    toasts = Toasts()
    async with app.run_test(size=(100, 30), message_hook=toasts.hook) as pilot:
        total = app.query_one(StoryList).row_count
        await pilot.press("slash", *"rating:Z9", "enter")
        await pilot.pause()
        assert app.query_one(StoryList).row_count == total
        assert any("invalid Admiralty grade" in t for t in toasts)


async def test_next_untriaged_and_reader_walk(demo):
    server, store, paths = demo
    app = ReaderApp(store, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        stories = app.query_one(StoryList)
        ids = stories.story_ids
        reader = await open_story(app, pilot, ids[0])
        await pilot.press("n")
        await pilot.pause()
        assert reader.story_id == ids[1]
        await pilot.press("p")
        await pilot.pause()
        assert reader.story_id == ids[0]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ReaderScreen)


async def test_a_story_opened_after_another_shows_only_its_own_and_the_counts_follow(demo):
    """The list keeps one reader for every story: nothing of the one left shows in the next."""
    import re

    from tui_reader.ui.widgets.triage_panel import TriagePanel

    server, store, paths = demo
    app = ReaderApp(store, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        ids = app.query_one(StoryList).story_ids
        unread = int(re.search(r"All feeds  (\d+)", screen_text(app))[1])
        first = await open_story(app, pilot, ids[0])
        await pilot.press("space", "t", *"half typed", "escape", "v", "escape", "escape")
        await pilot.pause()
        assert f"All feeds  {unread - 1}" in screen_text(app), "opening marked it read"
        second = await open_story(app, pilot, ids[1])
        assert second is first
        shown = screen_text(app)
        assert store.story(ids[1]).title[:40] in shown and store.story(ids[0]).title[:40] not in shown
        assert second.query_one("#article").scroll_y == 0 and second.focused is second.query_one("#article")
        assert second.query_one(TriagePanel).tags_text == "" and not second.selecting
        await pilot.press("escape")
        await pilot.pause()
        assert f"All feeds  {unread - 2}" in screen_text(app)


async def test_a_story_says_it_is_loading_until_its_text_is_in_and_a_load_left_behind_is_not_shown(demo, monkeypatch):
    """The first frame is the story's header and a loading line (no stale article, no empty fields); a load that
    an earlier open of the same story started, and that ends later, changes nothing."""
    import asyncio
    import threading

    from tui_reader import articles

    server, store, paths = demo
    fetch, gates = articles.fetch_article, [threading.Event(), threading.Event()]

    async def held(store, *args, **kwargs):  # each open's page comes when the test lets it
        gate = gates.pop(0)
        await asyncio.to_thread(gate.wait, 10)
        return await fetch(store, *args, **kwargs)

    monkeypatch.setattr("tui_reader.articles.fetch_article", held)
    first_gate, second_gate = gates
    sid = story_id_titled(store, "Ruwaished")
    app = ReaderApp(store, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one(StoryList).select_story(sid)
        await pilot.press("enter")
        await pilot.pause(0.3)
        shown = screen_text(app)
        assert store.story(sid).title[:40] in shown and "Loading the article…" in shown
        assert "Tags (comma-separated)" not in shown, "the triage panel waits for the story's triage"
        assert store.story(sid).state is State.READ, "written once the header was painted, not after the page"
        await pilot.press("escape", "enter")  # the same story again, its first load still waiting
        await pilot.pause(0.3)
        reader = app.screen
        first_gate.set()
        await pilot.pause(0.5)
        assert reader.loaded is None and "Loading the article…" in screen_text(app)
        second_gate.set()
        await workers_done(app)
        await pilot.pause()
        shown = screen_text(app)
        assert reader.loaded is not None and "Loading the article…" not in shown
        assert "Tags (comma-separated)" in shown and reader.focused is reader.query_one("#article")


async def test_refresh_key_runs_in_the_background_and_reports(demo):
    server, store, paths = demo
    app = ReaderApp(store, paths)
    toasts = Toasts()
    async with app.run_test(size=(100, 30), message_hook=toasts.hook) as pilot:
        await pilot.press("r")
        await pilot.press("j")  # keys still work while refreshing
        await workers_done(app)
        await pilot.pause()
        assert any("Refreshed 3 feeds" in t for t in toasts)


async def test_help_lists_keys_and_filter_language(demo):
    server, store, paths = demo
    app = ReaderApp(store, paths)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        assert "Story list" in text and "Open in browser" in text
        await pilot.press("end")
        await pilot.pause()
        assert "rating:<=B2" in screen_text(app)


async def test_copy_link_and_refuse_to_open_non_http(demo):
    server, store, paths = demo
    sid = store.add_story("javascript:alert(1)", "Evil link")
    app = ReaderApp(store, paths)
    toasts = Toasts()
    async with app.run_test(size=(100, 30), message_hook=toasts.hook) as pilot:
        app.query_one(StoryList).select_story(sid)
        await pilot.press("o")
        await pilot.pause()
        assert any("Not opened" in t for t in toasts)
        await pilot.press("y")
        assert app.clipboard == "javascript:alert(1)"


async def test_summary_key_view_and_sort_keys_and_quit(demo):
    server, store, paths = demo
    app = ReaderApp(store, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        stories = app.query_one(StoryList)
        await pilot.press("v")  # inbox -> untriaged
        await workers_done(app)
        await pilot.pause()
        assert stories.story_query.states == (State.UNREAD, State.READ)
        await pilot.press("S")  # date -> source
        await workers_done(app)
        await pilot.pause()
        sources = [store.story(i).source.lower() for i in stories.story_ids]
        assert sources == sorted(sources)
        reader = await open_story(app, pilot, stories.story_ids[0])
        await pilot.press("s", *" Edited.")
        assert reader.focused.id == "summary" and reader.query_one("#summary").text.endswith("Edited.")
        await pilot.press("escape", "escape")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running


async def test_reader_lists_other_outlets_and_c_jumps_to_each(demo):
    server, store, paths = demo
    sid = story_id_titled(store, "Ruwaished drone attack")
    assert store.story(sid).cluster_size == 3  # clustered during the demo refresh
    app = ReaderApp(store, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        reader = await open_story(app, pilot, sid)
        text = screen_text(app)
        assert "×3 outlets" in text and "Also carried by" in text and "suggested credibility 2" in text
        seen = set()
        for _ in range(2):
            await pilot.press("c")
            await pilot.pause()
            await workers_done(app)
            seen.add(store.story(reader.story_id).source)
        assert seen == {"Levant Monitor", "Gulf Wire"}


async def test_one_event_is_one_item_in_the_note(demo):
    server, store, paths = demo
    first = story_id_titled(store, "Ruwaished drone attack")
    other = story_id_titled(store, "Two Jordanian troops")
    apply_triage(store, paths.briefing_dir, TriageInput(first, ("jordan",), Grade("B", "2"), "First outlet."))
    apply_triage(store, paths.briefing_dir, TriageInput(other, ("jordan",), Grade("C", "2"), "Second outlet."))
    note = (paths.briefing_dir / f"{date.today().isoformat()}.md").read_text(encoding="utf-8")
    assert note.count("<!-- tui-reader:item") == 1
    assert "Second outlet." in note and "First outlet." not in note
    assert "Also reported by" in note and "Policy Brief Daily" in note
    from tui_reader.briefing import rebuild_day

    rebuilt = rebuild_day(store, paths.briefing_dir, date.today()).read_text(encoding="utf-8")
    assert rebuilt.count("<!-- tui-reader:item") == 1 and "Second outlet." in rebuilt


async def test_stories_fetched_headless_are_clustered_in_the_background(demo):
    server, store, paths = demo
    with store.tx() as c:  # as if `tui-reader fetch` (which skips clustering) had stored them
        for table in ("cluster_sigs", "cluster_keys", "cluster_df"):
            c.execute(f"DELETE FROM {table}")
        c.execute("UPDATE stories SET cluster_id = NULL, cluster_size = 1")
    sid = story_id_titled(store, "Ruwaished drone attack")
    app = ReaderApp(store, paths)
    async with app.run_test(size=(100, 30)) as pilot:
        list_ = app.query_one(StoryList)
        list_.select_story(sid)
        for _ in range(200):  # the clustering process starts a second after mount and reports back
            await pilot.pause(0.1)
            if list_.cursor_row.cluster_size == 3:
                break
        assert list_.cursor_row.cluster_size == 3, "the list shows the ×3 once the clustering process is done"
        assert app._backlog is None


async def test_quitting_ends_the_clustering_process_at_once(tmp_path, monkeypatch):
    """A large backlog is clustered by a process of its own; `q` neither waits for it nor leaves it running."""
    import random
    import signal
    import time

    from tui_reader.models import FeedEntry
    from tui_reader.paths import Paths
    from tui_reader.store import Store

    paths = Paths.for_home(tmp_path / "home")
    store = Store(paths.db_file)
    words = [f"word{i}" for i in range(3000)]
    rnd = random.Random(1)
    feed = store.add_feed("http://127.0.0.1:9/feed.xml", title="Wire")
    store.upsert_entries(
        feed.id,
        [
            FeedEntry(
                f"g{i}",
                f"http://127.0.0.1:9/{i}",
                " ".join(rnd.sample(words, 12)),
                summary=" ".join(rnd.sample(words, 60)),
            )
            for i in range(3000)
        ],
        "wire",
    )
    monkeypatch.setattr("tui_reader.ui.app.BACKLOG_DELAY", 0.01)
    app = ReaderApp(store, paths)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if app._backlog is not None:
                break
        proc = app._backlog
        assert proc is not None and proc.poll() is None
        started = time.monotonic()
    assert time.monotonic() - started < 2
    assert proc.wait(timeout=5) == -signal.SIGTERM, "stopped by the quit, not left to finish"


RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>'
    "<item><title>{name} one</title><link>https://{name}.example/1</link><guid>{name}-1</guid></item>"
    "<item><title>{name} two</title><link>https://{name}.example/2</link><guid>{name}-2</guid></item>"
    "</channel></rss>"
)


def empty_app(tmp_path):
    from tui_reader.paths import Paths
    from tui_reader.store import Store

    paths = Paths.for_home(tmp_path / "home")
    store = Store(paths.db_file)
    return store, ReaderApp(store, paths)


async def add(app, pilot, url):
    await pilot.press("a")
    await pilot.pause()
    await pilot.press(*url, "enter")
    await pilot.pause()
    await workers_done(app)
    await pilot.pause()


async def test_a_subscribes_to_a_feed_and_its_stories_appear(server, tmp_path):
    from tests.localserver import Reply

    server.routes["/feed.xml"] = Reply(RSS.format(name="Wire"), content_type="application/rss+xml")
    store, app = empty_app(tmp_path)
    toasts = Toasts()
    async with app.run_test(size=(100, 30), message_hook=toasts.hook) as pilot:
        await add(app, pilot, server.url("/feed.xml"))
        assert [f.title for f in store.feeds()] == ["Wire"] and store.count() == 2
        assert any("subscribed to Wire: 2 stories" in t for t in toasts)
        assert "Wire one" in screen_text(app)


async def test_a_on_a_site_offers_its_feeds_and_enter_subscribes_to_the_chosen_one(server, tmp_path):
    from tests.localserver import Reply
    from tui_reader.ui.screens.add_url import ChooseFeedScreen

    server.routes["/"] = Reply(
        "<!doctype html><html><head>"
        '<link rel="alternate" type="application/rss+xml" title="News" href="/news.xml">'
        '<link rel="alternate" type="application/rss+xml" title="Sport" href="/sport.xml">'
        "</head><body>Home</body></html>"
    )
    server.routes["/news.xml"] = Reply(RSS.format(name="News"), content_type="application/rss+xml")
    server.routes["/sport.xml"] = Reply(RSS.format(name="Sport"), content_type="application/rss+xml")
    store, app = empty_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await add(app, pilot, server.url("/"))
        assert isinstance(app.screen, ChooseFeedScreen)
        assert "News" in screen_text(app) and "Sport" in screen_text(app)
        await pilot.press("down", "enter")
        await pilot.pause()
        await workers_done(app)
        await pilot.pause()
        assert [f.url for f in store.feeds()] == [server.url("/sport.xml")]
        assert "Sport one" in screen_text(app)
        await add(app, pilot, server.url("/"))  # again: the one already taken is marked
        assert [line for line in screen_text(app).splitlines() if "subscribed" in line][0].count("Sport") == 1


async def test_a_refuses_what_is_not_a_web_address_and_escape_adds_nothing(tmp_path):
    from tui_reader.ui.screens.add_url import AddUrlScreen

    store, app = empty_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"file:///etc/passwd", "enter")
        await pilot.pause()
        assert isinstance(app.screen, AddUrlScreen) and "an http(s) URL, please" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, AddUrlScreen) and store.feeds() == []


async def test_d_in_the_feeds_panel_unsubscribes_after_asking_and_keeps_the_stories(demo):
    from tui_reader.ui.screens.confirm import ConfirmScreen
    from tui_reader.ui.widgets.feeds_panel import FeedsPanel

    server, store, paths = demo
    stories = store.count()
    first = store.feeds()[0]
    app = ReaderApp(store, paths)
    toasts = Toasts()
    async with app.run_test(size=(120, 40), message_hook=toasts.hook) as pilot:
        panel = app.query_one(FeedsPanel)
        panel.focus()
        await pilot.pause()
        while panel.get_option_at_index(panel.highlighted or 0).id != str(first.id):
            await pilot.press("down")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and f"Unsubscribe from {first.title}?" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert len(store.feeds()) == 3
        await pilot.press("d", "y")
        await pilot.pause()
        await workers_done(app)
        await pilot.pause()
        assert first.id not in [f.id for f in store.feeds()] and len(store.feeds()) == 2
        assert store.count() == stories
        assert any(f"Unsubscribed from {first.title}" in t for t in toasts)
        assert first.title not in screen_text(app).split("│")[0]  # gone from the panel


async def test_auto_refresh_runs_on_its_timer_and_speaks_only_when_there_is_news(server, tmp_path):
    from msgspec.structs import replace

    from tests.localserver import Reply
    from tui_reader.config import Settings
    from tui_reader.paths import Paths
    from tui_reader.store import Store

    server.routes["/feed.xml"] = Reply(RSS.format(name="Wire"), content_type="application/rss+xml")
    paths = Paths.for_home(tmp_path / "home")
    store = Store(paths.db_file)
    store.add_feed(server.url("/feed.xml"))
    settings = Settings()
    settings = replace(settings, fetch=replace(settings.fetch, auto_refresh_minutes=15))
    app = ReaderApp(store, paths, settings)

    async def tick():  # what the timer calls every 15 minutes
        app._timed_refresh()
        await pilot.pause()
        await workers_done(app)
        await pilot.pause()
        return [t for t in toasts if t.startswith("Refreshed")]

    toasts = Toasts()

    async with app.run_test(size=(100, 30), message_hook=toasts.hook) as pilot:
        assert app.feeds_timer is not None and app.feeds_timer._interval == 15 * 60
        assert await tick() == ["Refreshed 1 feeds: 2 new."] and store.count() == 2
        assert await tick() == ["Refreshed 1 feeds: 2 new."]  # nothing new: nothing said
        assert "Wire one" in screen_text(app)
    assert ReaderApp(store, paths).feeds_timer is None  # off by default


async def test_feeds_panel_shows_groups_and_a_group_filters_the_list(server, tmp_path):
    from tests.localserver import Reply
    from tui_reader.config import Settings
    from tui_reader.paths import Paths
    from tui_reader.refresh import refresh_feeds
    from tui_reader.store import Store
    from tui_reader.subscribe import import_opml
    from tui_reader.ui.widgets.feeds_panel import FeedsPanel

    for name in ("Levant", "Gulf", "Notes"):
        server.routes[f"/{name}.xml"] = Reply(RSS.format(name=name), content_type="application/rss+xml")
    opml = (
        f'<opml version="2.0"><body><outline text="Middle East">'
        f'<outline text="Levant" xmlUrl="{server.url("/Levant.xml")}"/>'
        f'<outline text="Gulf" xmlUrl="{server.url("/Gulf.xml")}"/></outline>'
        f'<outline text="Notes" xmlUrl="{server.url("/Notes.xml")}"/></body></opml>'
    )
    paths = Paths.for_home(tmp_path / "home")
    store = Store(paths.db_file)
    import_opml(store, opml.encode())
    await refresh_feeds(store, Settings().fetch)
    app = ReaderApp(store, paths)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        panel = app.query_one(FeedsPanel)
        assert "▾ Middle East  4" in screen_text(app)
        panel.focus()
        while panel.get_option_at_index(panel.highlighted or 0).id != "group:Middle East":
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        await workers_done(app)
        await pilot.pause()
        shown = screen_text(app)
        assert "group Middle East" in shown and "stories 4" in shown
        assert "Levant one" in shown and "Gulf two" in shown and "Notes one" not in shown
        await pilot.press("escape")
        await pilot.pause()
        await workers_done(app)
        await pilot.pause()
        assert "stories 6" in screen_text(app)


async def test_X_dismisses_every_untriaged_story_in_the_view_and_u_brings_them_back(demo):
    from tui_reader.ui.screens.confirm import ConfirmScreen

    server, store, paths = demo
    kept = story_id_titled(store, "Two Jordanian troops")  # a Gulf Wire story, triaged: it must stay
    apply_triage(store, paths.briefing_dir, TriageInput(kept, ("jordan",), Grade("B", "2"), "Kept."))
    total = store.count()
    app = ReaderApp(store, paths)

    async def settle():
        await pilot.pause()
        await workers_done(app)
        await pilot.pause()

    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("slash", *"source:gulf", "enter")
        await settle()
        gulf = [i for i in store.story_ids(StoryQuery(source="gulf")) if i != kept]
        await pilot.press("X")
        await settle()
        assert isinstance(app.screen, ConfirmScreen) and f"Dismiss the {len(gulf)} untriaged" in screen_text(app)
        await pilot.press("y")
        await settle()
        assert all(store.story(i).state is State.DISMISSED for i in gulf)
        assert store.count(StoryQuery(states=(State.DISMISSED,))) == len(gulf)
        assert store.story(kept).state is State.TRIAGED  # in the view, but triaged: untouched
        await pilot.press("escape", "X")
        await settle()
        await pilot.press("n")  # a question answered no changes nothing
        await settle()
        assert store.count(StoryQuery(states=(State.DISMISSED,))) == len(gulf)
        await pilot.press("u")
        await settle()
        assert store.count(StoryQuery(states=(State.DISMISSED,))) == 0 and store.count() == total
        assert store.story(kept).state is State.TRIAGED


async def test_b_shows_the_days_note_as_written_and_walks_the_days(demo):
    from datetime import timedelta

    from tui_reader.ui.screens.briefing import BriefingScreen

    server, store, paths = demo
    sid = story_id_titled(store, "Ruwaished")
    apply_triage(store, paths.briefing_dir, TriageInput(sid, ("jordan",), Grade("B", "2"), "Two soldiers killed."))
    note = paths.briefing_dir / f"{date.today().isoformat()}.md"
    note.write_text(
        note.read_text(encoding="utf-8") + "\nMy own line, written by hand.\x1b]0;pwned\x07\n", encoding="utf-8"
    )
    app = ReaderApp(store, paths)
    toasts = Toasts()
    async with app.run_test(size=(100, 30), message_hook=toasts.hook) as pilot:
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)
        shown = screen_text(app)
        assert f"Briefing {date.today().isoformat()}" in shown and "1 item" in shown
        assert "The Ruwaished drone attack" in shown and "Two soldiers killed." in shown
        assert "My own line, written by hand." in shown and "tui-reader:item" not in shown and "pwned" not in shown
        await pilot.press("left_square_bracket")
        await pilot.pause()
        yesterday = (date.today() - timedelta(days=1)).isoformat()
        assert f"No briefing note for {yesterday} yet" in screen_text(app)
        await pilot.press("right_square_bracket", "e")  # headless: no terminal to hand the editor
        await pilot.pause()
        assert app.is_running and any(t.startswith("Editor failed") for t in toasts)
        assert "My own line, written by hand." in note.read_text(encoding="utf-8")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, BriefingScreen)


async def test_list_keys_do_nothing_over_the_reader_or_the_note(demo):
    server, store, paths = demo
    app = ReaderApp(store, paths)
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_story(app, pilot, story_id_titled(store, "Ruwaished"))
        await pilot.press("slash", "z", "S")  # search, group, sort: keys of the list (v selects, in the reader)
        await pilot.pause()
        assert app.screen is reader and not app.main_screen.query("#search.visible")
        assert (app.main_screen.view_index, app.main_screen.grouped, app.main_screen.sort_index) == (0, False, 0)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("v")  # back on the list they work
        await pilot.pause()
        assert app.main_screen.view_index == 1


async def test_the_key_bar_follows_the_screen_and_a_click_runs_its_key(demo):
    from tui_reader.ui.widgets.key_bar import KeyBar

    server, store, paths = demo
    app = ReaderApp(store, paths)
    async with app.run_test(size=(100, 30)) as pilot:
        bar = app.screen.query_one(KeyBar)
        line = str(bar.render())
        assert "Open" in line and "Search" in line and line.rstrip().endswith("palette")
        await pilot.click(KeyBar, offset=(line.index("Search"), 0))
        await pilot.pause()
        assert app.screen.query_one("#search").has_focus  # the click pressed "/"
        await pilot.press("escape")
        await open_story(app, pilot, story_id_titled(store, "Ruwaished"))
        line = str(app.screen.query_one(KeyBar).render())
        assert "Back" in line and "Search" not in line  # the reader's keys, not the list's


async def test_a_theme_chosen_on_the_list_shows_in_the_reader_opened_next(demo):
    """The list keeps one reader, and pushing it again leaves its widgets' styles as they were: a theme
    chosen meanwhile still restyles it."""
    server, store, paths = demo
    app = ReaderApp(store, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        first, second = store.story_ids()[:2]
        reader = await open_story(app, pilot, first)
        header = reader.query_one("#reader-header")
        dark = header.styles.background
        await pilot.press("escape")
        await pilot.pause()
        app.theme = "textual-light"
        await pilot.pause()
        assert await open_story(app, pilot, second) is reader
        assert header.styles.background != dark
        assert header.styles.background == app.main_screen.query_one("#view-bar").styles.background  # both $panel


async def test_a_theme_chosen_over_the_reader_shows_on_the_list_after(demo):
    """The list is never restyled as it comes back (nor at the start): a theme changed meanwhile restyles it
    with the stack it stays in."""
    server, store, paths = demo
    app = ReaderApp(store, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        bar = app.main_screen.query_one("#view-bar")
        dark = bar.styles.background
        reader = await open_story(app, pilot, store.story_ids()[0])
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert bar.styles.background != dark
        assert bar.styles.background == reader.query_one("#reader-header").styles.background  # both $panel


@pytest.mark.parametrize("read_first", [False, True], ids=["opened-at-once", "opened-later"])
async def test_screens_are_styled_whether_opened_at_once_or_after_the_app_read_their_styles(demo, read_first):
    """The first frame parses only the list's styles; the other screens' are read once it is up, or by their
    first push if a key comes sooner: they look the same either way."""
    _, store, paths = demo
    app = ReaderApp(store, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        if read_first:
            app._read_screen_styles()
        reader = await open_story(app, pilot, story_id_titled(store, "Ruwaished"))
        assert reader.query_one("#triage").region.width == 42
        await pilot.press("escape", "a")
        await pilot.pause()
        assert app.screen.query_one(".dialog").region.x == (120 - 90) // 2  # 80 % wide at most 90, centred
