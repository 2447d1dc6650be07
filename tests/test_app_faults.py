"""The TUI under faults: another process writing the store, a failing worker, a note that cannot be written.

Each fault is injected for real (a second process holding SQLite's write lock, a trigger that
raises, one of our own functions monkeypatched to raise) and must end as one notification on a
usable screen: never a crash, a reader stuck on "Loading the article…", or a save lost in silence.
"""

import asyncio
import sqlite3
import subprocess
import sys
import time
from datetime import date

import pytest

from tests.screen import Toasts, screen_text, workers_done
from tests.test_app import open_story, story_id_titled
from tests.test_faults import BASE_ITEMS, FEEDS, NEW_PER_RUN, ChangingFeeds
from tui_reader.briefing import note_path, parse_note
from tui_reader.models import Grade, State
from tui_reader.paths import Paths
from tui_reader.store import Store
from tui_reader.store import sqlite as store_module
from tui_reader.ui.app import ReaderApp
from tui_reader.ui.widgets.story_list import StoryList

HOLD = (
    "import select, sqlite3, sys\n"
    "conn = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
    "conn.execute('BEGIN IMMEDIATE')\n"
    "print('locked', flush=True)\n"
    "select.select([sys.stdin], [], [], float(sys.argv[2]))\n"
    "conn.execute('COMMIT')"
)
"""Another process (a cron ``tui-reader fetch``) holding the store's write lock for a while, or until told to
let go (its stdin closed: ``proc.stdin.close()``), so a test that has seen what it waited for need not sit out
the rest."""


@pytest.fixture
def write_lock(demo):
    """Hold the demo store's write lock from another process for ``seconds``; yields the starter."""
    procs = []

    def hold(seconds: float) -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(demo[2].db_file), str(seconds)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        assert proc.stdout.readline() == "locked\n"
        return proc

    yield hold
    for proc in procs:
        proc.kill()
        proc.wait()


async def settle(app) -> None:
    """Wait for every worker, those that raised included (the app reports those itself)."""
    await workers_done(app)


def trigger(db, sql: str) -> None:
    """A fault inside SQLite itself: a trigger that aborts the write it fires on."""
    conn = sqlite3.connect(db)
    conn.execute(sql)
    conn.commit()
    conn.close()


# -- two writers ----------------------------------------------------------------------------------


async def test_keys_never_wait_for_another_processs_write_and_land_in_order(demo, write_lock):
    _, store, paths = demo
    app = ReaderApp(store, paths)
    async with app.run_test(size=(100, 30)) as pilot:
        stories = app.query_one(StoryList)
        sid = stories.cursor_story_id
        holder = write_lock(2.0)
        started = time.perf_counter()
        await pilot.press("x", "u", "x", "u", "j")  # dismiss, undo, twice, move on: while a fetch holds the lock
        assert holder.poll() is None, f"a key waited for the lock ({time.perf_counter() - started:.1f} s)"
        assert stories.cursor_story_id != sid
        holder.stdin.close()  # the fetch commits
        await workers_done(app)  # the writes waited for the lock, off the UI thread
        await pilot.pause()
    assert holder.wait(5) == 0
    row = sqlite3.connect(paths.db_file).execute("SELECT state, prev_state FROM stories WHERE id = ?", (sid,))
    assert row.fetchone() == ("unread", "dismissed")  # dismissed then undone, twice: in the order pressed


async def test_two_tuis_on_one_store_both_land_their_triage_and_see_each_other(demo):
    """Two analysts' TUIs (one store file, a connection each) triaging at once: nothing lost, nothing locked."""
    _, store, paths = demo
    other = Store(paths.db_file)
    first, second = ReaderApp(store, paths), ReaderApp(other, paths)
    toasts = Toasts()
    async with first.run_test(size=(100, 30), message_hook=toasts.hook) as one:
        async with second.run_test(size=(100, 30), message_hook=toasts.hook) as two:
            mine = first.query_one(StoryList).cursor_story_id
            await two.press("j")
            theirs = second.query_one(StoryList).cursor_story_id
            for _ in range(3):  # dismiss and undo, interleaved with the other TUI's, then dismiss for good
                await one.press("x")
                await two.press("x")
                await one.press("u")
                await two.press("u")
            await one.press("x")
            await two.press("x")
            await workers_done(first)
            await workers_done(second)
    other.close()
    assert mine != theirs
    assert {store.story(mine).state, store.story(theirs).state} == {State.DISMISSED}
    assert not [t for t in toasts if "locked" in t or "Not saved" in t]


async def test_a_story_opens_while_another_process_writes_and_is_marked_read_after(demo, write_lock):
    _, store, paths = demo
    sid = story_id_titled(store, "Ruwaished")
    app = ReaderApp(store, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_story(app, pilot, sid)  # its page is fetched and cached
        await pilot.press("escape")
        store.set_state(sid, State.UNREAD)
        holder = write_lock(6.0)  # ample on a loaded machine: the open must not need it released
        app.query_one(StoryList).select_story(sid)
        await pilot.press("enter")
        reader = app.screen
        while reader.loaded is None and holder.poll() is None:
            await pilot.pause(0.02)
        assert holder.poll() is None, "the article waited for the other process's write lock"
        holder.stdin.close()  # the fetch commits, and the story is marked read
        await workers_done(app)
    assert store.story(sid).state is State.READ


async def test_the_tui_keeps_every_key_while_cron_fetches_into_its_store(server, tmp_path):
    feeds = ChangingFeeds(server)
    feeds.run = 1
    paths = Paths.for_home(tmp_path / "home")
    store = Store(paths.db_file)
    for f in range(FEEDS):
        store.add_feed(server.url(f"/f{f}.xml"))
    sid = store.add_story("https://elsewhere.example/kept", "The story the analyst keeps dismissing")
    app = ReaderApp(store, paths)
    toasts = Toasts()
    async with app.run_test(size=(100, 30), message_hook=toasts.hook) as pilot:
        app.query_one(StoryList).select_story(sid)
        cron = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tui_reader",
            "fetch",
            "--plain",
            "--home",
            str(tmp_path / "home"),
            stdout=subprocess.DEVNULL,
        )
        presses = 0
        while cron.returncode is None or presses < 4:
            await pilot.press("x", "u")
            presses += 2
        await workers_done(app)
        assert not [m for m in toasts if "Not saved" in m]
    assert cron.returncode == 0
    assert store.count() == 1 + FEEDS * (BASE_ITEMS + NEW_PER_RUN)
    row = sqlite3.connect(paths.db_file).execute("SELECT state, prev_state FROM stories WHERE id = ?", (sid,))
    assert row.fetchone() == ("unread", "dismissed")


async def test_a_write_lock_held_past_the_bound_is_one_line_and_nothing_changes(demo, write_lock, monkeypatch):
    _, store, paths = demo
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.3)
    app = ReaderApp(store, paths)
    toasts = Toasts()
    async with app.run_test(size=(100, 30), message_hook=toasts.hook) as pilot:
        sid = app.query_one(StoryList).cursor_story_id
        write_lock(3.0)
        await pilot.press("x")
        await workers_done(app)
        await pilot.pause()
        assert any(m.startswith("Not saved:") and "stayed locked by another tui-reader" in m for m in toasts)
        await pilot.press("j")
        assert app.query_one(StoryList).cursor_story_id != sid
    assert store.story(sid).state is State.UNREAD


# -- failing workers ------------------------------------------------------------------------------


async def test_an_article_that_fails_to_load_says_so_once_and_the_story_can_still_be_triaged(demo, monkeypatch):
    _, store, paths = demo

    async def broken(*args, **kwargs):
        raise RuntimeError("injected: extraction crashed")

    monkeypatch.setattr("tui_reader.articles.fetch_article", broken)
    sid = story_id_titled(store, "Ruwaished")
    app = ReaderApp(store, paths)
    toasts = Toasts()
    async with app.run_test(size=(120, 40), message_hook=toasts.hook) as pilot:
        await open_story(app, pilot, sid)
        shown = screen_text(app)
        assert "Loading the article" not in shown
        assert "could not load the article: RuntimeError: injected: extraction crashed" in shown  # the header
        assert "Could not load the article." in shown  # the text says so too
        assert not [t for t in toasts if "load" in t]  # and no toast on top
        await pilot.press("B", "2", "w")
        await pilot.pause()
        await workers_done(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.screen_stack[0]
    assert store.story(sid).state is State.TRIAGED and store.story(sid).grade == Grade("B", "2")


async def test_a_save_the_store_refuses_is_one_line_and_saving_again_works(demo):
    _, store, paths = demo
    trigger(
        paths.db_file,
        "CREATE TRIGGER refuse BEFORE INSERT ON triage BEGIN SELECT RAISE(ABORT, 'injected: the store said no'); END",
    )
    sid = story_id_titled(store, "Ruwaished")
    app = ReaderApp(store, paths)
    toasts = Toasts()
    async with app.run_test(size=(120, 40), message_hook=toasts.hook) as pilot:
        await open_story(app, pilot, sid)
        await pilot.press("B", "2", "w")
        await workers_done(app)
        assert any(m.startswith("Not saved:") and "injected: the store said no" in m for m in toasts)
        assert store.story(sid).state is not State.TRIAGED
        trigger(paths.db_file, "DROP TRIGGER refuse")
        await pilot.press("w")
        await workers_done(app)
    assert store.story(sid).state is State.TRIAGED


async def test_a_dismissal_the_store_refuses_is_one_line_not_a_crash(demo):
    _, store, paths = demo
    trigger(
        paths.db_file,
        "CREATE TRIGGER refuse BEFORE UPDATE OF state ON stories BEGIN "
        "SELECT RAISE(ABORT, 'injected: the store said no'); END",
    )
    app = ReaderApp(store, paths)
    toasts = Toasts()
    async with app.run_test(size=(100, 30), message_hook=toasts.hook) as pilot:
        sid = app.query_one(StoryList).cursor_story_id
        await pilot.press("x")
        await workers_done(app)
        await pilot.pause()
        assert any(m.startswith("Not saved:") and "injected" in m for m in toasts)
        await pilot.press("j")
        assert app.is_running and app.query_one(StoryList).cursor_story_id != sid
    assert store.story(sid).state is State.UNREAD


async def test_a_refresh_that_fails_says_why_and_the_next_one_runs(demo, monkeypatch):
    _, store, paths = demo
    import tui_reader.refresh

    real = tui_reader.refresh.refresh_feeds

    async def broken(*args, **kwargs):
        raise RuntimeError("injected: the refresh broke")

    monkeypatch.setattr(tui_reader.refresh, "refresh_feeds", broken)
    app = ReaderApp(store, paths)
    toasts = Toasts()
    async with app.run_test(size=(100, 30), message_hook=toasts.hook) as pilot:
        await pilot.press("r")
        await workers_done(app)
        await pilot.pause()
        assert "Refresh failed: RuntimeError: injected: the refresh broke" in toasts
        monkeypatch.setattr(tui_reader.refresh, "refresh_feeds", real)
        await pilot.press("r")
        await workers_done(app)
        await pilot.pause()
        assert any(m.startswith("Refreshed 3 feeds") for m in toasts)


async def test_a_view_that_fails_to_load_says_so_and_the_list_stays_as_it_was(demo, monkeypatch):
    """The list screen's own workers (here the view's read) reach the app's one failure handler."""
    _, store, paths = demo
    app = ReaderApp(store, paths)
    toasts = Toasts()
    async with app.run_test(size=(100, 30), message_hook=toasts.hook) as pilot:
        await settle(app)
        stories = app.query_one(StoryList)
        shown = stories.story_ids

        def broken(*args, **kwargs):
            raise RuntimeError("injected: the list broke")

        monkeypatch.setattr(store, "story_ids", broken)
        await pilot.press("v")
        await settle(app)
        assert "Reading the list failed: RuntimeError: injected: the list broke" in toasts
        assert stories.story_ids == shown
        await pilot.press("j")
        assert stories.cursor_story_id == shown[1]


async def test_clustering_that_fails_says_so_and_the_list_stays_usable(demo, monkeypatch):
    _, store, paths = demo
    store.add_story("https://elsewhere.example/new", "A story no refresh clustered")

    broken = [sys.executable, "-c", "import sys; sys.exit('RuntimeError: injected: clustering broke')"]
    monkeypatch.setattr("tui_reader.ui.app.backlog_process", lambda store, cluster: (broken, None))
    monkeypatch.setattr("tui_reader.ui.app.BACKLOG_DELAY", 0.01)
    app = ReaderApp(store, paths)
    toasts = Toasts()
    async with app.run_test(size=(100, 30), message_hook=toasts.hook) as pilot:
        for _ in range(60):  # the process runs apart: its end is polled every half second
            await settle(app)
            if toasts:
                break
            await asyncio.sleep(0.1)
        assert "Grouping stories by event failed: RuntimeError: injected: clustering broke" in toasts
        first = app.query_one(StoryList).cursor_story_id
        await pilot.press("j")
        assert app.query_one(StoryList).cursor_story_id != first


# -- a note that cannot be written ------------------------------------------------------------------


async def test_a_save_whose_note_cannot_be_written_is_kept_and_the_next_start_writes_the_note(demo):
    _, store, paths = demo
    sid = story_id_titled(store, "Ruwaished")
    paths.briefing_dir.parent.mkdir(parents=True, exist_ok=True)
    paths.briefing_dir.write_text("a file where the notes directory should be", encoding="utf-8")
    app = ReaderApp(store, paths)
    toasts = Toasts()
    async with app.run_test(size=(120, 40), message_hook=toasts.hook) as pilot:
        await open_story(app, pilot, sid)
        await pilot.press("B", "2", "w")
        await workers_done(app)
        [line] = [m for m in toasts if "briefing note" in m]
        assert "saved in the store" in line and "nothing is lost" in line
    assert store.story(sid).state is State.TRIAGED
    paths.briefing_dir.unlink()  # the analyst makes room
    app = ReaderApp(store, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()  # the list is up: the catch-up starts after its first frame
        await workers_done(app)
    assert sid in dict(parse_note(note_path(paths.briefing_dir, date.today()).read_text(encoding="utf-8")))
    assert store.pending_logs() == []
