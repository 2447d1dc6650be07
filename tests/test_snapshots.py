"""SVG snapshots of the screens an analyst sees (pytest-textual-snapshot).

Update after an intended UI change: ``pytest tests/test_snapshots.py --snapshot-update``,
then look at the SVGs in tests/__snapshots__/ before committing them.
"""

from pathlib import Path

from textual.widgets import Input

from tests.screen import screen_text, workers_done
from tui_reader.ui.widgets.story_list import StoryList

APP = str(Path(__file__).with_name("snapshot_app.py"))


async def settle(pilot):
    await pilot.pause()
    await workers_done(pilot.app)
    await pilot.pause()
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False


def opening(title_words: str, *keys: str):
    async def run_before(pilot):
        app = pilot.app
        sid = next(i for i in app.store.story_ids() if title_words in app.store.story(i).title)
        await settle(pilot)
        app.query_one(StoryList).select_story(sid)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return run_before


def test_list(snap_compare):
    assert snap_compare(APP, terminal_size=(120, 32), run_before=settle)


def test_list_at_80x24(snap_compare):
    assert snap_compare(APP, terminal_size=(80, 24), run_before=settle)


def test_reader_with_captions(snap_compare):
    assert snap_compare(APP, terminal_size=(120, 40), run_before=opening("Ruwaished"))


def test_reader_at_80x24(snap_compare):
    assert snap_compare(APP, terminal_size=(80, 24), run_before=opening("Ruwaished"))


def test_triage_panel(snap_compare):
    assert snap_compare(APP, terminal_size=(120, 40), run_before=opening("Ruwaished", "B", "2", "t", *"border"))


def test_search_results(snap_compare):
    async def search(pilot):
        await settle(pilot)
        await pilot.press("slash", *"oil prices", "enter")
        await settle(pilot)

    assert snap_compare(APP, terminal_size=(120, 32), run_before=search)


def test_help(snap_compare):
    async def help_screen(pilot):
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(APP, terminal_size=(100, 36), run_before=help_screen)


def test_list_with_a_colleague_reading_at_80x24(snap_compare):
    async def colleague_opens(pilot):
        import asyncio

        from tui_reader.store import Store

        app = pilot.app
        await settle(pilot)
        tom = Store(app.store.path)
        tom.analyst = "tom"
        tom.reading(app.store.story_ids()[1])
        for _ in range(150):  # the app looks at the change log twice a second
            if "◉tom" in screen_text(app):
                break
            await asyncio.sleep(0.02)
        await settle(pilot)
        tom.close()

    assert snap_compare(APP, terminal_size=(80, 24), run_before=colleague_opens)
