"""Regenerate screenshots/*.svg: drive the demo headless with Textual's Pilot and save each screen;
then the structured brief, in the TUI and as the HTML a reader gets in the mail (headless Chromium,
skipped with a message when it is not installed: ``apt-get install -y chromium``).

python screenshots/make_screenshots.py
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from tui_reader import briefing
from tui_reader.config import BriefSettings, Settings
from tui_reader.demo import DemoServer
from tui_reader.demo.server import OPML_PATH, SITE_DIR, render
from tui_reader.models import Grade, Judgement, TriageInput
from tui_reader.paths import Paths
from tui_reader.refresh import refresh_feeds
from tui_reader.sendable import to_html
from tui_reader.store import Store
from tui_reader.subscribe import import_opml
from tui_reader.triage import apply_triage
from tui_reader.ui.app import ReaderApp
from tui_reader.ui.widgets.story_list import StoryList
from tui_reader.watch import Watchlist

HERE = Path(__file__).resolve().parent


WATCHING = Settings(
    watchlists=(Watchlist("jordan", ("Ruwaished", "Jordanian", "Aqaba")),),
    saved={"red-sea": "red sea", "drones": "drone"},
)
"""A watchlist and saved searches, for the screenshots that show them."""


async def shoot(
    store: Store,
    paths: Paths,
    name: str,
    size: tuple[int, int],
    keys: list[str],
    open_title: str | None = None,
    settings: Settings | None = None,
) -> None:
    settings = settings or Settings()
    store.watchlists = settings.watchlists  # as the CLI sets them from the config
    app = ReaderApp(store, paths, settings)
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
        await shoot(store, paths, "watch", (120, 32), [], settings=WATCHING)
        await shoot(store, paths, "watch-80x24", (80, 24), [], settings=WATCHING)
        await shoot(store, paths, "reader-watch", (120, 40), [], open_title="Ruwaished", settings=WATCHING)
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
        await structured_brief(store, paths.with_overrides(briefing_dir=str(Path(tmp) / "structured")))


STRUCTURED = [  # (title words, tag, grade, summary): one event carried by three outlets, and two more stories
    ("Ruwaished", "jordan", "B2", "A drone from Syria killed two Jordanian soldiers at the Ruwaished border post."),
    ("IAEA board", "iran", "A2", "The IAEA board weighs a resolution after inspectors reported gaps in Iran's file."),
    ("Red Sea transits", "shipping", "B3", "War-risk premiums for Red Sea transits rose again after a tanker attack."),
]


async def structured_brief(store: Store, paths: Paths) -> None:
    """``[brief] structured = true``: yesterday's brief, today's with a BLUF and judgements, in the TUI and as HTML."""
    settings = Settings(brief=BriefSettings(structured=True))
    now = datetime.now().astimezone()
    ids = {words: next(i for i in store.story_ids() if words in store.story(i).title) for words, *_ in STRUCTURED}
    for when, rows in ((now - timedelta(days=1), STRUCTURED[2:]), (now, STRUCTURED)):
        for words, tag, grade, summary in rows:
            inp = TriageInput(ids[words], (tag,), Grade.parse(grade), summary)
            apply_triage(store, paths.briefing_dir, inp, now=when, structured=True)
    today = now.date()
    path = briefing.note_path(paths.briefing_dir, today)
    briefing.write_section(
        path,
        today,
        "bluf",
        "Cross-border drone attacks on Jordan are escalating and now kill soldiers; "
        "expect tighter border rules and pressure on Damascus within days.",
    )
    briefing.add_judgement(path, today, Judgement("likely", "moderate", "Jordan strikes smuggling routes inside Syria"))
    briefing.add_judgement(path, today, Judgement("roughly even chance", "low", "The IAEA board passes a resolution"))
    await shoot(store, paths, "brief-structured", (100, 40), ["b"], settings=settings)
    await shoot(store, paths, "brief-judgement", (80, 24), ["b", "J", "l", "i", "enter", "m"], settings=settings)
    html_screenshot(to_html(path.read_text(encoding="utf-8"), today), "brief-html.png")


def html_screenshot(page: str, name: str) -> None:
    """The HTML brief as a mail client shows it, from Debian's headless Chromium (offline: no network at all)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print(f"skipped screenshots/{name}: chromium is not installed (apt-get install -y chromium)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        html_file = Path(tmp) / "brief.html"
        html_file.write_text(page, encoding="utf-8")
        flags = "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking"
        flags += " --disable-component-update --disable-sync --hide-scrollbars"
        subprocess.run(
            [chromium, *flags.split(), f"--user-data-dir={tmp}/profile", f"--screenshot={HERE / name}"]
            + ["--window-size=900,1500", html_file.as_uri()],
            check=True,
            capture_output=True,
            timeout=120,
        )
    print(f"wrote screenshots/{name}")


if __name__ == "__main__":
    asyncio.run(main())
