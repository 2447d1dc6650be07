"""Regenerate screenshots/*.svg: drive the demo headless with Textual's Pilot and save each screen.

python screenshots/make_screenshots.py
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from tui_reader.config import Settings
from tui_reader.demo import DemoServer
from tui_reader.demo.server import OPML_PATH, SITE_DIR, render
from tui_reader.paths import Paths
from tui_reader.refresh import refresh_feeds
from tui_reader.store import Store
from tui_reader.subscribe import import_opml
from tui_reader.ui.app import ReaderApp
from tui_reader.ui.widgets.story_list import StoryList

HERE = Path(__file__).resolve().parent


async def shoot(
    store: Store, paths: Paths, name: str, size: tuple[int, int], keys: list[str], open_title: str | None = None
) -> None:
    app = ReaderApp(store, paths, Settings())
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if open_title:
            sid = next(i for i in store.story_ids() if open_title in store.story(i).title)
            app.query_one(StoryList).select_story(sid)
            await pilot.press("enter")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause(0.3)
        for key in keys:
            await pilot.press(key)
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        app.save_screenshot(str(HERE / f"{name}.svg"))
    print(f"wrote screenshots/{name}.svg")


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, DemoServer() as server:
        paths = Paths.for_home(tmp)
        store = Store(paths.db_file)
        opml = render((SITE_DIR / OPML_PATH.lstrip("/")).read_text(encoding="utf-8"), server.base_url, server.now)
        import_opml(store, opml.encode("utf-8"))  # as --demo subscribes: folders become feed groups
        await refresh_feeds(store, Settings().fetch, cluster=Settings().cluster)
        await shoot(store, paths, "list", (120, 32), [])
        await shoot(store, paths, "list-80x24", (80, 24), [])
        await shoot(store, paths, "reader", (120, 40), [], open_title="Ruwaished")
        await shoot(store, paths, "triage", (120, 40), ["B", "2", "t", "b", "o", "r", "d"], open_title="Ruwaished")
        await shoot(store, paths, "reader-80x24", (80, 24), [], open_title="Ruwaished")
        await shoot(store, paths, "quote-80x24", (80, 24), ["space", "v", "j", "j", "j"], open_title="Ruwaished")
        await shoot(store, paths, "search", (120, 32), ["slash", *"oil", "enter"])
        await shoot(store, paths, "help", (100, 36), ["question_mark"])
        await shoot(store, paths, "add-feed", (100, 30), ["a", *f"{server.base_url}/", "enter"])
        await shoot(
            store,
            paths,
            "briefing",
            (100, 30),
            ["B", "2", "t", *"jordan", "enter", "escape", "b"],
            open_title="Ruwaished",
        )  # it triages a story: the register below has a grade to show
        await shoot(store, paths, "sources", (100, 30), ["s", "j", "j"])  # the graded one, its history below


if __name__ == "__main__":
    asyncio.run(main())
