"""Nothing from outside reaches the terminal raw: not in the TUI, not in what the CLI prints."""

import html
import json
import re

from tests.localserver import Reply
from tests.screen import Toasts, screen_text, workers_done
from tui_reader.cli import main
from tui_reader.ui.app import ReaderApp
from tui_reader.ui.screens.reader import ReaderScreen

ESCAPES = "\x1b]0;pwned\x07\x1b[31m\x1b]52;c;ZXZpbA==\x07\x9b1m\u202e\u2066"
HOSTILE_TITLE = f"{ESCAPES}[bold]Loud[/bold] [link=https://evil.example]click[/link] [@click=app.quit]x[/]"
FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

FEED = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Evil &#x202E;Feed</title>
<item><title>{html.escape(HOSTILE_TITLE.replace(chr(0x1B), "").replace(chr(7), "").replace(chr(0x9B), ""))}</title>
<link>{{base}}/a.html</link><guid>a</guid><author>[red]someone[/red]</author>
<description>Body.</description></item></channel></rss>"""

JSON_FEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Evil\u001b]0;x\u0007 JSON",
        "items": [{"id": "j1", "url": "{base}/a.html", "title": HOSTILE_TITLE, "content_text": "Body."}],
    }
)

PAGE = f"""<html><head><title>x</title></head><body><article><h1>{html.escape(HOSTILE_TITLE)}</h1>
<p>{html.escape(ESCAPES)} Paragraph one of a hostile page with [bold]markup[/bold] and more words to read.</p>
<p>Paragraph two has a <a href="javascript:alert(1)">script link</a> and enough text to be the body.</p>
</article></body></html>"""


def serve_hostile(server):
    server.routes["/rss.xml"] = Reply(FEED.replace("{base}", server.base), content_type="application/rss+xml")
    server.routes["/feed.json"] = Reply(JSON_FEED.replace("{base}", server.base), content_type="application/feed+json")
    server.routes["/a.html"] = Reply(PAGE)


def test_cli_output_is_clean(server, home, capsys):
    serve_hostile(server)
    assert main(["--home", str(home), "add", server.url("/rss.xml"), server.url("/feed.json")]) == 0
    main(["--home", str(home), "fetch", "--plain"])
    main(["--home", str(home), "list"])
    main(["--home", str(home), "list", "--json"])
    out, err = capsys.readouterr()
    assert not FORBIDDEN.search(out + err)
    assert "[bold]Loud[/bold]" in out  # markup shown literally, not dropped or interpreted
    sid = json.loads(out.strip().splitlines()[-1])["id"]
    main(["--home", str(home), "triage", str(sid), "--grade", "C3", "--summary", f"Sum {ESCAPES} mary"])
    main(["--home", str(home), "brief", "--print"])
    main(["extract", server.url("/a.html")])
    out, err = capsys.readouterr()
    assert not FORBIDDEN.search(out + err)


async def test_tui_shows_markup_literally_and_no_escapes(server, tmp_path):
    from tui_reader.config import Settings
    from tui_reader.paths import Paths
    from tui_reader.refresh import refresh_feeds
    from tui_reader.store import Store

    serve_hostile(server)
    paths = Paths.for_home(tmp_path / "home")
    store = Store(paths.db_file)
    store.add_feed(server.url("/rss.xml"))
    store.add_feed(server.url("/feed.json"))
    await refresh_feeds(store, Settings().fetch)
    app = ReaderApp(store, paths)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.pause()
        listing = screen_text(app)
        assert "[bold]Loud[/bold]" in listing and not FORBIDDEN.search(listing)
        await pilot.press("enter")
        await pilot.pause()
        await workers_done(app)
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        reading = screen_text(app)
        assert "[bold]" in reading and not FORBIDDEN.search(reading)
        assert app.is_running  # the [@click=app.quit] in the title ran nothing
    assert store.integrity_ok()


async def test_toasts_quoting_a_hostile_url_show_it_literally(tmp_path):
    from tui_reader.models import FeedEntry
    from tui_reader.paths import Paths
    from tui_reader.store import Store

    paths = Paths.for_home(tmp_path / "home")
    store = Store(paths.db_file)
    feed = store.add_feed("https://evil.example/rss")
    url = "https://evil.example/[/]a[@click=app.quit]b[/][link=x]"  # a stray [/] once crashed the toast
    store.upsert_entries(feed.id, [FeedEntry(guid="1", url=url, title="Story")], "Evil")
    app = ReaderApp(store, paths)
    app.open_url = lambda *a, **k: None  # no browser in tests
    toasts = Toasts()
    async with app.run_test(size=(140, 30), notifications=True, message_hook=toasts.hook) as pilot:
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause(0.3)
        assert any(url[:40] in t for t in toasts)
        assert app.is_running  # the toast rendered: the stray [/] raised nothing
        assert "[@click=app.quit]b" in screen_text(app)  # shown as typed, not an action link
