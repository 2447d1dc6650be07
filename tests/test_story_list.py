"""The story list widget, driven through Pilot at 80x24 against a real temporary store."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from textual.app import App, ComposeResult

from tui_reader.models import FeedEntry, Grade, State, TriageInput
from tui_reader.query import StoryQuery
from tui_reader.store import Store
from tui_reader.ui.widgets.story_list import Columns, StoryList, age_label

N = 60


class ListApp(App):
    """A bare host that records what the list posts."""

    def __init__(self, store: Store, query: StoryQuery = StoryQuery()) -> None:
        super().__init__()
        self.store, self.story_query = store, query
        self.opened: list[int] = []
        self.highlighted: list[int | None] = []

    def compose(self) -> ComposeResult:
        yield StoryList(self.store, self.story_query)

    def on_story_list_opened(self, message: StoryList.Opened) -> None:
        self.opened.append(message.story_id)

    def on_story_list_highlighted(self, message: StoryList.Highlighted) -> None:
        self.highlighted.append(message.story_id)


def make_store(path, titles: list[str], source: str = "Example News") -> Store:
    """Story n was published 5+n minutes ago (now, not at import: ages are asserted)."""
    now = datetime.now(timezone.utc)
    store = Store(path)
    feed = store.add_feed("https://news.example/rss", "News")
    store.upsert_entries(
        feed.id,
        [
            FeedEntry(
                guid=f"g{n}", url=f"https://news.example/{n}", title=title, published=now - timedelta(minutes=5 + n)
            )
            for n, title in enumerate(titles)
        ],
        source,
    )
    return store


@pytest.fixture
def store(tmp_path):
    titles = [f"Story {n} about {'drone strike' if n % 3 == 0 else 'grain exports'}" for n in range(N)]
    return make_store(tmp_path / "db.sqlite", titles)


def lines(widget: StoryList) -> list[str]:
    return [widget.render_line(y).text for y in range(widget.size.height)]


async def test_cursor_keys_move_and_post_highlighted(store):
    app = ListApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        sl = app.query_one(StoryList)
        ids = store.story_ids()
        assert sl.has_focus and sl.cursor == 0 and sl.cursor_story_id == ids[0]
        await pilot.press("j", "j", "down")
        assert sl.cursor == 3
        await pilot.press("k", "up")
        assert sl.cursor == 1
        await pilot.press("k", "k")  # stops at the top
        assert sl.cursor == 0
        await pilot.pause()
        assert app.highlighted[0] == ids[0] and ids[3] in app.highlighted and app.highlighted[-1] == ids[0]


async def test_a_cursor_step_repaints_the_two_rows_it_changes_not_the_screen(store, monkeypatch):
    """Each `j` on a 10,000-story list is felt: repainting every visible row per step doubled its latency."""
    app = ListApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        painted: list[int] = []
        real = StoryList.render_line
        monkeypatch.setattr(StoryList, "render_line", lambda self, y: painted.append(y) or real(self, y))
        await pilot.press("j")
        await pilot.pause()
        assert sorted(painted) == [0, 1]
        painted.clear()
        await pilot.press("G")  # a jump that scrolls repaints what scrolled in
        await pilot.pause()
        assert len(painted) >= 20


async def test_g_and_G_jump_and_scroll(store):
    app = ListApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        sl = app.query_one(StoryList)
        await pilot.press("G")
        assert sl.cursor == N - 1
        assert sl.scroll_offset.y == N - sl.size.height
        assert lines(sl)[-1].startswith("● ") and f"Story {N - 1} " in lines(sl)[-1]
        await pilot.press("g")
        assert sl.cursor == 0 and sl.scroll_offset.y == 0
        await pilot.press("end", "home")
        assert sl.cursor == 0


async def test_page_keys_move_by_a_screen(store):
    app = ListApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        sl = app.query_one(StoryList)
        await pilot.press("pagedown")
        assert sl.cursor == 24
        await pilot.press("pagedown", "pagedown")
        assert sl.cursor == N - 1
        await pilot.press("pageup")
        assert sl.cursor == N - 1 - 24


async def test_enter_posts_opened_and_click_selects(store):
    app = ListApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        sl = app.query_one(StoryList)
        ids = store.story_ids()
        await pilot.press("j", "enter")
        await pilot.pause()
        assert app.opened == [ids[1]]
        await pilot.click(StoryList, offset=(10, 5))
        assert sl.cursor == 5
        await pilot.click(StoryList, offset=(10, 7), times=2)
        await pilot.pause()
        assert sl.cursor == 7 and app.opened[-1] == ids[7]


async def test_refresh_story_repaints_a_triaged_row(store):
    app = ListApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        sl = app.query_one(StoryList)
        sid = store.story_ids()[2]
        assert lines(sl)[2].startswith("● ")
        store.save_triage(TriageInput(sid, tags=("syria", "oil"), grade=Grade.parse("B2")), "2026-11-25")
        sl.refresh_story(sid)
        await pilot.pause()
        row = lines(sl)[2]
        assert row.startswith("✓ B2 ") and row.rstrip().endswith("7m")
        assert "syria,oil" not in row  # tags drop first at 80 columns


async def test_set_query_filters_and_highlights(store):
    app = ListApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        sl = app.query_one(StoryList)
        sl.set_query(StoryQuery(text="drone"))
        await pilot.pause()
        assert sl.row_count == N // 3 and sl.cursor == 0
        assert all("drone strike" in line for line in lines(sl)[: sl.row_count])
        assert sl.highlight == {"drone"}
        grain = StoryQuery(text="grain")
        sl.set_query(grain, ids=store.story_ids(grain))  # as a search worker hands them over
        await pilot.pause()
        assert sl.row_count == N - N // 3 and "grain" in lines(sl)[0]
        sl.set_query(StoryQuery(text="nothing-matches-this"))
        await pilot.pause()
        assert sl.cursor_story_id is None
        assert lines(sl)[0].strip() == "No stories match this view"


async def test_reload_keeps_the_cursor_on_its_story_or_index(store):
    app = ListApp(store, StoryQuery(states=(State.UNREAD,)))
    async with app.run_test(size=(80, 24)) as pilot:
        sl = app.query_one(StoryList)
        await pilot.press("j", "j")
        ids = list(sl.story_ids)
        store.set_state(ids[0], State.DISMISSED)  # a row above the cursor leaves the view
        sl.reload()
        assert sl.cursor_story_id == ids[2]
        store.set_state(ids[2], State.DISMISSED)  # the cursor's own story leaves: land on the next
        sl.reload()
        assert sl.cursor_story_id == ids[3]


async def test_select_story_and_move_to_next(store):
    app = ListApp(store)
    async with app.run_test(size=(80, 24)):
        sl = app.query_one(StoryList)
        ids = store.story_ids()
        assert sl.select_story(ids[40]) and sl.cursor == 40
        assert 40 - sl.size.height < sl.scroll_offset.y <= 40
        assert not sl.select_story(-1)
        store.set_state(ids[45], State.READ)
        assert sl.move_to_next(lambda r: r.state is State.READ)
        assert sl.cursor == 45
        assert not sl.move_to_next(lambda r: r.state is State.READ) and sl.cursor == 45
        assert sl.move_to_next(lambda r: r.id == ids[3], wrap=True) and sl.cursor == 3


async def test_hostile_titles_render_literally_and_stripped(tmp_path):
    store = make_store(
        tmp_path / "db.sqlite",
        ["[bold]x[/] \x1b]0;pwned\x07 \x1b[31mred\x1b[0m tail\u202e"],
        source="[@click=quit]Src\x1b[2J",
    )
    app = ListApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        row = lines(app.query_one(StoryList))[0]
        assert "[bold]x[/]" in row and "red tail" in row and "[@click=quit]Src " in row
        assert not any(ch in row for ch in "\x1b\x07\u202e") and "pwned" not in row


async def test_empty_store_shows_a_helpful_line(tmp_path):
    app = ListApp(Store(tmp_path / "db.sqlite"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("j", "enter")
        sl = app.query_one(StoryList)
        assert lines(sl)[0].strip() == "No stories yet — press a to add a feed (or: tui-reader import-opml FILE)"
        assert app.opened == [] and app.highlighted == [None]


async def test_cursor_and_highlight_use_styles_that_survive_no_color(store, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = ListApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        sl = app.query_one(StoryList)
        sl.highlight = {"drone"}
        await pilot.pause()
        cursor_row, other_row = list(sl.render_line(0)), list(sl.render_line(3))
        assert all(seg.style.reverse for seg in cursor_row)
        assert not any(seg.style.reverse for seg in other_row)
        assert [seg.text for seg in other_row if seg.style.underline] == ["drone"]
        assert other_row[0].style.bold  # unread


def test_columns_give_way_before_the_title():
    narrow, wide = Columns.fit(80), Columns.fit(140)
    assert narrow.tags == 0 and narrow.source and narrow.title >= Columns.TITLE_MIN
    assert wide.tags and wide.source == Columns.SOURCE_MAX
    assert Columns.fit(50).source == 0 and Columns.fit(50).title == 50 - Columns.LEFT - Columns.RIGHT
    for width in (40, 80, 100, 200):
        c = Columns.fit(width)
        assert Columns.LEFT + c.source + c.title + c.tags + Columns.RIGHT == width


def test_age_labels():
    now = 1_000_000_000
    assert [age_label(now - s, now) for s in (5, 180, 3 * 3600, 2 * 86400, 5 * 7 * 86400, 800 * 86400)] == [
        "now",
        "3m",
        "3h",
        "2d",
        "5w",
        "2y",
    ]


async def test_reload_after_the_view_shrinks_keeps_rows_on_screen(store):
    app = ListApp(store, StoryQuery(states=(State.UNREAD,)))
    async with app.run_test(size=(80, 24)) as pilot:
        sl = app.query_one(StoryList)
        await pilot.press("G")
        for sid in sl.story_ids[:-3]:
            store.set_state(sid, State.READ)
        sl.reload()
        await pilot.pause()
        assert sl.row_count == 3 and sl.cursor == 2 and sl.scroll_offset.y == 0
        assert [line[:2] for line in lines(sl)[:4]] == ["● ", "● ", "● ", "  "]


async def test_new_stories_above_do_not_move_the_cursor_line(store):
    app = ListApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        sl = app.query_one(StoryList)
        await pilot.press("j", "j", "j")
        sid = sl.cursor_story_id
        feed = store.feeds()[0]
        fresh = [
            FeedEntry(
                guid=f"new{n}",
                url=f"https://news.example/new{n}",
                title=f"New {n}",
                published=datetime.now(timezone.utc),
            )
            for n in range(5)
        ]
        store.upsert_entries(feed.id, fresh, "Example News")
        sl.reload()
        await pilot.pause()
        assert sl.cursor_story_id == sid and sl.cursor == 8
        assert sl.cursor - sl.scroll_offset.y == 3
        assert "Story 3 " in lines(sl)[3]
        sl.reload(keep_cursor=False)
        assert sl.cursor == 0 and sl.scroll_offset.y == 0


async def test_a_list_longer_than_its_first_read_counts_scrolls_and_jumps_as_the_whole(tmp_path):
    """The first frame reads only the head of a long list, with the count: the counts, scrollbar and keys are the
    whole list's, before the rest is read (keys pressed at once) and after."""
    store = make_store(tmp_path / "db.sqlite", [f"Story {n}" for n in range(700)])
    ids = store.story_ids()
    early = StoryList(store)  # as composed: nothing past the head read yet
    assert early.row_count == 700 and early.virtual_size.height == 700
    assert early.validate_cursor(10_000) == 699 and early.story_ids == ids
    app = ListApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        sl = app.query_one(StoryList)
        assert sl.row_count == 700 and sl.virtual_size.height == 700
        await pilot.press("G")
        assert sl.cursor == 699 and sl.cursor_story_id == ids[-1]
        assert "Story 699 " in lines(sl)[-1]
        assert sl.story_ids == ids


async def test_stories_stored_between_the_first_read_and_the_rest_are_shown(tmp_path):
    store = make_store(tmp_path / "db.sqlite", [f"Story {n}" for n in range(700)])
    sl = StoryList(store)
    feed = store.feeds()[0]
    now = datetime.now(timezone.utc)
    store.upsert_entries(feed.id, [FeedEntry("late", "https://news.example/late", "Late", published=now)], "Wire")
    assert sl.story_ids == store.story_ids() and sl.row_count == 701
