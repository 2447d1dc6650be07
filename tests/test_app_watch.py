"""Watchlists, saved searches, rules and alerts in the TUI, driven with Pilot on the demo and on a local feed."""

import threading

from textual.widgets.markdown import MarkdownBlock

from tests.localserver import Reply
from tests.screen import Toasts, screen_text, workers_done
from tests.test_app import open_story, story_id_titled
from tests.test_rules import rss
from tui_reader.config import Settings
from tui_reader.models import State
from tui_reader.paths import Paths
from tui_reader.query import parse_filter
from tui_reader.rules import parse_rules
from tui_reader.store import Store
from tui_reader.ui.app import ReaderApp
from tui_reader.ui.widgets.feeds_panel import FeedsPanel
from tui_reader.ui.widgets.story_list import WATCHED, StoryList
from tui_reader.watch import Watchlist, watch_rules

JORDAN = Watchlist("jordan", ("Ruwaished", "Jordanian"))
SETTINGS = Settings(watchlists=(JORDAN,), saved={"red-sea": "red sea", "none": "nonexistentword"})


def row_of(app, title_words: str) -> str:
    return next(line for line in screen_text(app).splitlines() if title_words in line)


async def test_watched_stories_are_marked_and_a_saved_search_opens_like_a_feed(demo):
    server, store, paths = demo
    store.watchlists = SETTINGS.watchlists
    app = ReaderApp(store, paths, SETTINGS)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        assert WATCHED in row_of(app, "Ruwaished drone attack")
        assert WATCHED not in row_of(app, "OPEC+ set to extend")
        red_sea = store.story_ids(parse_filter("red sea"))
        unread = store.count(parse_filter("red sea state:unread"))
        panel = app.query_one(FeedsPanel)
        assert f"⌕ red-sea  {unread}" in screen_text(app) and "⌕ none" in screen_text(app)
        panel.focus()
        await pilot.pause()
        while panel.get_option_at_index(panel.highlighted or 0).id != "saved:red-sea":
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        await workers_done(app)
        await pilot.pause()
        assert app.query_one(StoryList).story_ids == red_sea and 0 < len(red_sea) < store.count()
        assert "saved red-sea" in screen_text(app)
        await pilot.press("slash", *"watch:jordan", "enter")  # a search narrows the saved search
        await pilot.pause()
        await workers_done(app)
        assert app.query_one(StoryList).story_ids == []
        await pilot.press("escape")
        await pilot.pause()
        await workers_done(app)
        assert "saved red-sea" not in screen_text(app) and len(app.query_one(StoryList).story_ids) == store.count()


async def test_a_slow_saved_search_count_never_holds_up_the_keys(demo):
    server, store, paths = demo
    release, real = threading.Event(), store.count

    def slow_count(query=None):
        if query is not None and query.text:  # a saved search's count: a full-text search
            assert threading.current_thread() is not threading.main_thread(), "counted on the UI thread"
            release.wait(10)
        return real() if query is None else real(query)

    store.count = slow_count
    app = ReaderApp(store, paths, SETTINGS)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await pilot.press("j", "j", "x")  # a dismissal recounts too
        await pilot.pause()
        assert app.query_one(StoryList).cursor == 2 and "⌕ red-sea" not in screen_text(app)
        release.set()
        await workers_done(app)
        await pilot.pause()
        assert "⌕ red-sea" in screen_text(app)


async def test_the_reader_highlights_watched_terms_says_which_rule_acted_and_u_undoes_it(demo):
    server, store, paths = demo
    store.watchlists = SETTINGS.watchlists
    sid = story_id_titled(store, "Ruwaished")
    store.apply_rules([sid], parse_rules([{"name": "border", "words": "ruwaished", "tags": ["jordan"]}]))
    assert store.story(sid).tags == ("jordan",)
    app = ReaderApp(store, paths, SETTINGS)
    toasts = Toasts()
    async with app.run_test(size=(120, 40), message_hook=toasts.hook) as pilot:
        reader = await open_story(app, pilot, sid)
        article = reader.query_one("#article-text")
        assert "~~Ruwaished~~" in article.source
        lit = article.query(MarkdownBlock).first().get_component_rich_style("s")
        assert lit.bold and lit.underline and lit.color is not None and not lit.strike  # the list's colour
        text = screen_text(app)
        assert "rules: border (u undoes)" in text and "◆ watchlists: jordan" in text
        await pilot.press("u")
        await settled(app, pilot)
        assert store.story(sid).tags == () and "rules: border" not in screen_text(app)
        assert "Undid what border did to this story." in toasts
        before = (store.story(sid), store.rule_actions(sid))
        await pilot.press("u")
        await settled(app, pilot)
        assert toasts[-1] == "Nothing to undo on this story." and (store.story(sid), store.rule_actions(sid)) == before


async def settled(app, pilot) -> None:
    """The write u asked for, and the reader's reload after it."""
    for _ in range(2):
        await pilot.pause()
        await workers_done(app)
    await pilot.pause()


async def test_the_readers_u_undoes_this_storys_newest_change_yours_first_then_the_rules(demo):
    """u in the reader is about the story shown: your own change to it (or the dismissal x just made to get
    here) comes first, then what the rules did; a change to another story an hour ago is not its business."""
    server, store, paths = demo
    app = ReaderApp(store, paths, SETTINGS)
    toasts = Toasts()
    async with app.run_test(size=(120, 40), message_hook=toasts.hook) as pilot:
        await pilot.pause()
        shown = app.query_one(StoryList).story_ids
        tagged, after, other = shown[0], shown[1], shown[-1]
        store.apply_rules([tagged, after], parse_rules([{"name": "wire", "query": "state:unread", "tags": ["wire"]}]))
        await pilot.press("G", "x")  # an older change to another story
        await settled(app, pilot)
        assert store.story(other).state is State.DISMISSED
        await open_story(app, pilot, tagged)
        await pilot.press("x")  # dismissed, and on to the next story
        await settled(app, pilot)
        reader = app.screen
        assert store.story(tagged).state is State.DISMISSED and reader.story_id == after
        await pilot.press("u")  # brings back the story x just dismissed
        await settled(app, pilot)
        assert store.story(tagged).state is State.READ and store.story(tagged).tags == ("wire",)
        assert store.story(after).tags == ("wire",) and reader.story_id == after
        await pilot.press("u")  # nothing of yours left on this one: the rule's tag
        await settled(app, pilot)
        assert store.story(after).tags == () and "Undid what wire did to this story." in toasts
        await pilot.press("u")
        await settled(app, pilot)
        assert toasts[-1] == "Nothing to undo on this story."
        assert store.story(other).state is State.DISMISSED and store.story(tagged).tags == ("wire",)
        await pilot.press("escape", "u")  # the list's u: the last change, whichever story
        await settled(app, pilot)
        assert store.story(other).state is State.UNREAD


async def test_a_refresh_with_new_watched_stories_shows_an_alert_and_rings(server, tmp_path):
    server.routes["/feed.xml"] = Reply(
        rss(server.base, [("Calm day", "Nothing.", "c/1")]), content_type="application/rss+xml"
    )
    paths = Paths.for_home(tmp_path / "home")
    store = Store(paths.db_file)
    store.add_feed(server.url("/feed.xml"))
    settings = Settings(watchlists=(JORDAN,))
    store.rules, store.watchlists = watch_rules(settings.watchlists), settings.watchlists
    app = ReaderApp(store, paths, settings)
    rings = []
    app.bell = lambda: rings.append(1)  # the terminal's bell, counted instead of rung
    toasts = Toasts()
    async with app.run_test(size=(100, 30), message_hook=toasts.hook) as pilot:
        await pilot.press("r")
        await workers_done(app)
        await pilot.pause()
        assert not rings and not any("Alert" in t for t in toasts)
        server.routes["/feed.xml"] = Reply(
            rss(server.base, [("Calm day", "Nothing.", "c/1"), ("Jordanian post hit", "Two hurt.", "j/2")]),
            content_type="application/rss+xml",
        )
        await pilot.press("r")
        await workers_done(app)
        await pilot.pause()
        assert rings == [1] and any("Jordanian post hit [watch:jordan]" in t for t in toasts)
        assert WATCHED in row_of(app, "Jordanian post hit")


async def test_T_tags_every_untriaged_story_in_the_view_after_saying_how_many_and_u_undoes(demo):
    from tui_reader.ui.screens.confirm import ConfirmScreen

    server, store, paths = demo
    app = ReaderApp(store, paths)
    toasts = Toasts()
    async with app.run_test(size=(120, 40), message_hook=toasts.hook) as pilot:
        await pilot.press("slash", *"red sea", "enter")
        await pilot.pause()
        await workers_done(app)
        shown = list(app.query_one(StoryList).story_ids)
        await pilot.press("T", *"Red Sea, shipping", "enter")
        await pilot.pause()
        await workers_done(app)
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert f"Tag the {len(shown)} untriaged stories in this view with red-sea, shipping?" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        await workers_done(app)
        await pilot.pause()
        assert all(store.story(i).tags == ("red-sea", "shipping") for i in shown)
        assert any(f"Tagged {len(shown)} stories" in t for t in toasts)
        others = [i for i in store.story_ids() if i not in shown]
        assert others and all(store.story(i).tags == () for i in others)
        await pilot.press("u")
        await pilot.pause()
        await workers_done(app)
        await pilot.pause()
        assert all(store.story(i).tags == () for i in shown)


def test_page_text_never_marks_itself_as_a_watchlist_highlight():
    """The reader shows ~~x~~ as a watchlist's highlight: a page's own tildes stay tildes."""
    import lxml.html

    from tui_reader import htmlmd
    from tui_reader.ui.screens.reader import highlight_terms
    from tui_reader.watch import WatchMatcher

    page = lxml.html.fromstring("<div><p>Prices fell ~~3% near Ruwaished~~ on Monday.</p></div>")
    markdown = htmlmd.join_markdown(htmlmd.to_blocks(page, []))
    assert markdown.count("~~") == 0 and markdown.count("\\~") == 4
    assert highlight_terms(markdown, WatchMatcher((JORDAN,))).count("~~") == 2
