"""Story identity end to end: what a feed carried is in the store under its own headline, seen
through ``tui-reader list --json``, ``feeds --json`` and the TUI, against a real server on 127.0.0.1."""

import json

import pytest

from tests.localserver import Reply
from tests.screen import screen_text, workers_done
from tui_reader.cli import main

MINISTRY = """<?xml version="1.0"?><rss version="2.0"><channel><title>Ministry</title>
<item><title>Release 1: port fees</title><link>{base}/press</link><guid isPermaLink="false">pr-101</guid></item>
<item><title>Release 2: border hours</title><link>{base}/press</link><guid isPermaLink="false">pr-102</guid></item>
<item><title>Release 3: new envoy</title><link>{base}/press</link><guid isPermaLink="false">pr-103</guid></item>
</channel></rss>"""

BULLETINS = (
    """<?xml version="1.0"?><rss version="0.91"><channel><title>Bulletins</title><link>{base}/</link>
<description>Old-style feed</description>
"""
    + "".join(f"<item><description>Bulletin {n}: convoy sighted at km {n}0.</description></item>" for n in range(4))
    + """
</channel></rss>"""
)

PODCAST = (
    """<?xml version="1.0"?><rss version="2.0"><channel><title>Capsule</title><link>{base}/show</link>
"""
    + "".join(
        f"<item><title>Episode {n}</title><link>{{base}}/show</link>"
        f"<pubDate>Mon, {n + 1:02d} Dec 2006 06:20:00 GMT</pubDate>"
        f'<enclosure url="{{base}}/ep{n}.mp3" type="audio/mpeg" length="1"/></item>'
        for n in range(15)
    )
    + """
</channel></rss>"""
)

DESK = """<?xml version="1.0"?><rss version="2.0"><channel><title>Desk {name}</title>
<item><title>Port reopens after strike</title><link>{base}/shared.html</link><guid isPermaLink="false">{name}-1</guid>
<description>{name}'s own blurb.</description></item>
<item><title>{live}</title><link>{base}/live.html</link><guid isPermaLink="false">{name}-2</guid></item>
</channel></rss>"""


FEEDS = ("/ministry.xml", "/bulletins.xml", "/podcast.xml", "/a.xml", "/b.xml")


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def feeds(server):
    rss = "application/rss+xml"
    server.routes["/ministry.xml"] = Reply(MINISTRY.format(base=server.base), content_type=rss)
    server.routes["/bulletins.xml"] = Reply(BULLETINS.format(base=server.base), content_type=rss)
    server.routes["/podcast.xml"] = Reply(PODCAST.format(base=server.base), content_type=rss)
    server.routes["/a.xml"] = Reply(
        DESK.format(base=server.base, name="a", live="Live: talks, day 1"), content_type=rss
    )
    server.routes["/b.xml"] = Reply(
        DESK.format(base=server.base, name="b", live="Talks stall over border"), content_type=rss
    )
    return server


def fetched(capsys, home, server):
    for path in FEEDS:
        assert run(capsys, "--home", str(home), "add", server.url(path))[0] == 0
    code, out, _ = run(capsys, "--home", str(home), "fetch")
    assert code == 0, out
    return out


def test_every_item_is_kept_under_its_own_headline_and_a_refetch_changes_nothing(feeds, home, capsys):
    fetched(capsys, home, feeds)
    _, out, _ = run(capsys, "--home", str(home), "list", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    by_title = {}
    for r in rows:
        by_title.setdefault(r["title"], []).append(r)
    assert {t: len(v) for t, v in by_title.items() if t.startswith("Release")} == {
        "Release 1: port fees": 1,
        "Release 2: border hours": 1,
        "Release 3: new envoy": 1,
    }
    assert {r["url"] for t, v in by_title.items() if t.startswith("Release") for r in v} == {feeds.url("/press")}
    assert len(by_title[""]) == 4  # the four description-only bulletins
    assert len(by_title["Port reopens after strike"]) == 1  # one article carried by both desks: one story
    assert {"Live: talks, day 1", "Talks stall over border"} <= set(by_title)  # one URL, two headlines
    assert sorted(t for t in by_title if t.startswith("Episode")) == sorted(f"Episode {n}" for n in range(15))
    assert len(rows) == 25

    _, out, _ = run(capsys, "--home", str(home), "feeds", "--json")
    totals = {f["url"].rsplit("/", 1)[1]: f["total"] for f in map(json.loads, out.splitlines())}
    assert totals == {"ministry.xml": 3, "bulletins.xml": 4, "podcast.xml": 15, "a.xml": 2, "b.xml": 2}

    _, out, _ = run(capsys, "--home", str(home), "fetch")
    assert "total: 5 feeds, 0 new, 0 updated" in out
    _, again, _ = run(capsys, "--home", str(home), "list", "--json")
    assert [json.loads(line)["title"] for line in again.splitlines()] == [r["title"] for r in rows]


async def test_the_tui_lists_each_press_release_and_each_desk_headline(feeds, home):
    from tui_reader.config import Settings
    from tui_reader.paths import Paths
    from tui_reader.refresh import refresh_feeds
    from tui_reader.store import Store
    from tui_reader.ui.app import ReaderApp

    paths = Paths.for_home(home)
    store = Store(paths.db_file)
    for path in FEEDS:
        store.add_feed(feeds.url(path))
    await refresh_feeds(store, Settings().fetch)
    app = ReaderApp(store, paths)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await workers_done(app)
        await pilot.pause()
        shown = screen_text(app)
    store.close()
    for title in (
        "Release 1: port fees",
        "Release 2: border hours",
        "Release 3: new envoy",
        "Live: talks, day 1",
        "Talks stall over border",
    ):
        assert title in shown
    assert shown.count("Port reopens after strike") == 1
