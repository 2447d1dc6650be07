"""A deterministic app for SVG snapshots: the demo site read from disk at a fixed clock.

No server and no random port: feeds and pages are rendered with a fixed base URL and "now",
parsed, extracted and cached in a fresh store, so every run paints the same screen.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from tui_reader.cluster import cluster_new
from tui_reader.config import Settings
from tui_reader.demo.server import CONTENT_TYPES, FEED_PATHS, SITE_DIR, render
from tui_reader.extract import extract_article
from tui_reader.feeds import parse_feed
from tui_reader.paths import Paths
from tui_reader.store import Store
from tui_reader.ui.app import ReaderApp
from tui_reader.ui.screens.main import MainScreen

BASE = "https://demo.example"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def build_store(home: Path) -> tuple[Store, Paths]:
    paths = Paths.for_home(home)
    store = Store(paths.db_file)
    new_ids: list[int] = []
    for path in FEED_PATHS:
        data = render((SITE_DIR / path.lstrip("/")).read_text(encoding="utf-8"), BASE, NOW).encode()
        parsed = parse_feed(data, CONTENT_TYPES[Path(path).suffix], BASE + path)
        feed = store.add_feed(BASE + path, parsed.title)
        store.record_fetch(feed.id, status="ok", title=parsed.title, now=int(NOW.timestamp()))
        new_ids += store.upsert_entries(feed.id, parsed.entries, parsed.title, now=int(NOW.timestamp())).new_ids
    for sid in new_ids:
        story = store.story(sid)
        page = SITE_DIR / story.url.removeprefix(BASE + "/")
        html = render(page.read_text(encoding="utf-8"), BASE, NOW)
        store.save_article(sid, extract_article(html, story.url, fallback_html=story.feed_content))
    cluster_new(store, new_ids, Settings().cluster)
    return store, paths


class StoppedClockScreen(MainScreen):
    """The real list screen with its age column's clock stopped at ``NOW``."""

    def on_mount(self) -> None:  # no super() call: Textual runs MainScreen.on_mount itself, after this one
        self.stories.clock = lambda: NOW.timestamp()


class SnapshotApp(ReaderApp):
    """The real app over the fixed store, with the list's clock stopped."""

    def get_default_screen(self) -> MainScreen:
        self.main_screen = StoppedClockScreen()
        return self.main_screen


def make_app() -> SnapshotApp:
    """A fresh store in a temporary home (removed at exit) and the app over it."""
    home = Path(tempfile.mkdtemp(prefix="tui-reader-snapshot-"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    return SnapshotApp(*build_store(home))


# pytest-textual-snapshot runs this file by path and takes its ``app``.
app = make_app()
