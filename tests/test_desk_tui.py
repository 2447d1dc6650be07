"""A team desk in the TUI: a colleague's changes show within a second, their readers are marked in the list, and
a save over their newer change is refused with the choice to reload."""

import asyncio
import time

import pytest

from tests.localserver import Reply
from tests.screen import Toasts, screen_text, workers_done
from tui_reader.models import FeedEntry, Grade, State, TriageInput
from tui_reader.paths import Paths
from tui_reader.store import Store
from tui_reader.triage import apply_triage
from tui_reader.ui.app import ReaderApp
from tui_reader.ui.screens.confirm import ConfirmScreen
from tui_reader.ui.screens.reader import ReaderScreen
from tui_reader.ui.widgets.story_list import WATCHED, StoryList
from tui_reader.ui.widgets.triage_panel import TriagePanel

PAGE = (
    "<html><body><article><h1>{title}</h1><p>{title}: the crossing stayed closed all day.</p></article></body></html>"
)


@pytest.fixture(params=["sqlite", "postgresql"])
def desk(request, server, tmp_path):
    """Sara's store with five stories served on 127.0.0.1, and Tom: another Store on the same file, then on
    the same PostgreSQL database (where the TUI hears of Tom's changes by NOTIFY rather than polling)."""
    paths = Paths.for_home(tmp_path / "home")
    where = paths.db_file if request.param == "sqlite" else request.getfixturevalue("pg_url")
    sara = Store(where)
    sara.analyst = "sara"
    ids = []
    for n in range(5):
        server.routes[f"/{n}"] = Reply(PAGE.format(title=f"Story {n}"), content_type="text/html")
        ids.append(sara.add_story(server.url(f"/{n}"), f"Story {n}", source="Alpha"))
    tom = Store(where)
    tom.analyst = "tom"
    yield sara, tom, paths, ids
    tom.close()
    sara.close()


async def until(pilot, condition, within: float = 2.0) -> None:
    """Wait until ``condition()`` holds, the app running meanwhile; fail after ``within`` seconds."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < within, "not shown in time"
        await asyncio.sleep(0.02)
    await pilot.pause()


def row_line(app, title: str) -> str:
    return next(line for line in screen_text(app).splitlines() if title in line)


async def test_a_colleagues_dismissal_shows_within_a_second_and_the_cursor_stays(desk):
    sara, tom, paths, ids = desk
    app = ReaderApp(sara, paths)
    async with app.run_test(size=(100, 24)) as pilot:
        await workers_done(app)
        stories = app.query_one(StoryList)
        await pilot.press("j", "j")
        cursor = stories.cursor_story_id
        tom.set_state(ids[3], State.DISMISSED)
        await until(pilot, lambda: "✗" in row_line(app, "Story 3"), within=1.0)  # polled twice a second
        assert stories.cursor_story_id == cursor and stories.cursor == 2


async def test_a_colleagues_change_landing_as_the_app_quits_does_not_crash_it(desk):
    """The change log is looked at by a timer (or the listener) that can fire while quitting takes the screens
    down; it must let the app end quietly rather than raise from a list that is gone."""
    sara, tom, paths, ids = desk
    app = ReaderApp(sara, paths)
    async with app.run_test(size=(100, 24)):
        await workers_done(app)
    tom.set_state(ids[1], State.DISMISSED)
    app._poll_changes()  # what the timer does when it fires after the screens are gone
    assert sara.story(ids[1]).state is State.DISMISSED


async def test_rules_a_colleague_shares_apply_in_an_open_tui_without_a_restart(desk):
    sara, tom, paths, ids = desk
    aqaba = sara.add_story("https://a.example/aqaba", "Tanker held off Aqaba", source="Alpha")
    toasts = Toasts()
    app = ReaderApp(sara, paths, config={})
    async with app.run_test(size=(100, 24), message_hook=toasts.hook) as pilot:
        await workers_done(app)
        assert WATCHED not in row_line(app, "Aqaba")
        tom.share_settings({"watchlists": [{"name": "ports", "terms": ["aqaba"]}], "rules": []})
        await until(pilot, lambda: WATCHED in row_line(app, "Aqaba"), within=1.5)
        assert any("tom shared the desk's rules" in t and "(rules: 0, watchlists: 1)" in t for t in toasts), toasts
        tom.share_settings({"rules": [{"name": "bad", "colour": 1}]})  # not a rule this version can run
        await until(pilot, lambda: any("not used here" in t for t in toasts), within=1.5)
        assert WATCHED in row_line(app, "Aqaba"), "the rules in use stay"
        assert sara.story(aqaba).title == "Tanker held off Aqaba"


async def test_a_colleagues_change_before_the_list_is_up_waits_for_it(desk):
    """A TUI still starting (on a loaded machine the first look at the log can come before the list is there)
    does not fail, and the next change shows."""
    sara, tom, paths, ids = desk
    app = ReaderApp(sara, paths)
    tom.set_state(ids[3], State.DISMISSED)
    app._poll_changes()  # as a look before the main screen is mounted would
    async with app.run_test(size=(100, 24)) as pilot:
        tom.set_state(ids[1], State.DISMISSED)
        await until(pilot, lambda: "✗" in row_line(app, "Story 1"), within=2.0)
        assert "Story 3" not in screen_text(app)  # dismissed before the list's first read


async def test_stories_the_desks_own_fetch_stores_appear_in_an_open_list(desk):
    sara, tom, paths, ids = desk
    app = ReaderApp(sara, paths)
    async with app.run_test(size=(100, 24)) as pilot:
        await workers_done(app)
        await pilot.press("j")
        cursor = app.query_one(StoryList).cursor_story_id
        tom.upsert_entries(None, [FeedEntry("cron-1", "https://b.example/cron-1", "Fetched by cron")], "Beta")
        await until(pilot, lambda: "Fetched by cron" in screen_text(app), within=1.5)
        assert app.query_one(StoryList).cursor_story_id == cursor


async def test_the_list_marks_a_story_a_colleague_is_reading_until_they_leave(desk):
    sara, tom, paths, ids = desk
    app = ReaderApp(sara, paths)
    async with app.run_test(size=(100, 24), message_hook=(toasts := Toasts()).hook) as pilot:
        await workers_done(app)
        tom.reading(ids[1])
        await until(pilot, lambda: "◉tom Story 1" in row_line(app, "Story 1"))
        tom.reading(None)
        await until(pilot, lambda: "◉" not in screen_text(app))
        assert not toasts  # presence is no news
        rogue = Store(sara.path)  # a name no config would pass, written by some other client
        rogue.analyst = "[bold red]ev\x1b[2Jil"
        rogue.reading(ids[2])
        await until(pilot, lambda: "◉[bold red]evil Story 2" in row_line(app, "Story 2"))
        rogue.close()


async def open_story(app, pilot, sid) -> ReaderScreen:
    app.query_one(StoryList).select_story(sid)
    await pilot.press("enter")
    await pilot.pause()
    await workers_done(app)
    await pilot.pause()
    assert isinstance(app.screen, ReaderScreen) and app.screen.loaded is not None
    return app.screen


async def test_a_save_over_a_colleagues_triage_is_refused_naming_them_and_y_reloads_theirs(desk):
    sara, tom, paths, ids = desk
    app = ReaderApp(sara, paths)
    async with app.run_test(size=(100, 30), message_hook=(toasts := Toasts()).hook) as pilot:
        await open_story(app, pilot, ids[2])
        assert sara.colleagues_reading([ids[2]]) == {} and tom.colleagues_reading([ids[2]]) == {ids[2]: ("sara",)}
        apply_triage(tom, paths.briefing_dir, TriageInput(ids[2], ("toms-tag",), Grade.parse("C3"), "Tom's view."))
        await until(pilot, lambda: any("tom triaged this story" in t for t in toasts))
        await until(pilot, lambda: "C3 by tom" in screen_text(app))  # the header says it too, at once
        await pilot.press("A", "1", "t", *"mine", "enter")  # four keys and a save, over Tom's
        await workers_done(app)
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "tom triaged this story at" in screen_text(app) and "Reload" in screen_text(app)
        story = sara.story(ids[2])
        assert (story.tags, story.grade.code, story.triaged_by) == (("toms-tag",), "C3", "tom"), "nothing overwritten"
        await pilot.press("y")
        await workers_done(app)
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.query_one(TriagePanel).tags_text == "toms-tag"
        assert "C3 by tom" in screen_text(app)
        await pilot.press("B", "2", "w")  # on top of Tom's, knowingly: saved
        await workers_done(app)
    story = sara.story(ids[2])
    assert (story.grade.code, story.tags, story.triaged_by) == ("B2", ("toms-tag",), "sara")
    assert tom.colleagues_reading(ids) == {}, "quitting leaves the reader"


async def test_saves_in_a_row_are_not_refused_as_if_a_colleagues(desk):
    sara, tom, paths, ids = desk
    app = ReaderApp(sara, paths)
    async with app.run_test(size=(100, 30), message_hook=(toasts := Toasts()).hook) as pilot:
        await open_story(app, pilot, ids[0])
        await pilot.press("B", "2", "w", "i", *"first line", "enter", "w")
        await workers_done(app)
        assert not isinstance(app.screen, ConfirmScreen)
        assert not [t for t in toasts if "Not saved" in t]
    assert sara.note_text(ids[0]) == "first line" and sara.story(ids[0]).version == 3


async def test_colleagues_see_the_story_open_in_this_reader_until_it_is_left(desk):
    sara, tom, paths, ids = desk
    app = ReaderApp(sara, paths)
    async with app.run_test(size=(100, 24)) as pilot:
        await workers_done(app)
        opened = app.query_one(StoryList).cursor_story_id
        await pilot.press("enter")
        await until(pilot, lambda: tom.colleagues_reading([opened]) == {opened: ("sara",)})
        await pilot.press("escape")  # the reader screen stays installed: leaving it is what counts
        await until(pilot, lambda: not tom.colleagues_reading([opened]))
        await pilot.press("enter")
        await until(pilot, lambda: tom.colleagues_reading([opened]) == {opened: ("sara",)})
