"""The command line against a real local HTTP server: fetch, add, list, triage, brief, extract."""

import json
import subprocess
import sys
from datetime import date

import pytest

from tests.localserver import Reply
from tui_reader.cli import build_parser, main, tui_only

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Test Wire</title><link>{base}/</link>
<item><title>Drone strike hits border post</title><link>{base}/a1.html</link><guid>a1</guid>
<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate><description>A drone struck a border post.</description></item>
<item><title>[bold]Markup[/bold] title \u202eevil</title><link>{base}/a2.html</link><guid>a2</guid>
<description>Second story.</description></item>
</channel></rss>"""

ARTICLE = """<html><head><title>Drone strike</title></head><body>
<a href="#main">Skip to main content</a>
<article id="main"><h1>Drone strike hits border post</h1>
<p>A drone struck a border post near the river crossing early on Tuesday, officials said.
The attack killed two guards and wounded four others, according to the regional governor.</p>
<figure><img src="/p.jpg" alt="The border post"><figcaption>The damaged border post on Tuesday.
<span class="credit">JANE DOE/AFP via Getty Images</span></figcaption></figure>
<p>No group claimed responsibility. The defence ministry said it was investigating the incident
and would respond at a time of its choosing. Residents described hearing two loud explosions.</p>
<p>The crossing has been closed since the attack, stranding hundreds of lorries on both sides.</p>
</article>
<aside><h2>Related Topics</h2><ul><li><a href="/x">Syria</a></li></ul></aside>
<div class="subscribe">Subscribe for unlimited access</div>
</body></html>"""


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def wire(server):
    server.routes["/feed.xml"] = Reply(RSS.format(base=server.base), content_type="application/rss+xml")
    server.routes["/a1.html"] = Reply(ARTICLE)
    server.routes["/a2.html"] = Reply(ARTICLE.replace("Drone", "Second"))
    return server


def test_fetch_list_triage_brief_round_trip(wire, home, capsys):
    code, out, _ = run(capsys, "--home", str(home), "add", wire.url("/feed.xml"))
    assert code == 0
    code, out, _ = run(capsys, "fetch", "--home", str(home))
    assert code == 0
    assert "total: 1 feeds" in out and "failed" in out
    code, out, _ = run(capsys, "list", "--json", "--home", str(home))
    rows = [json.loads(line) for line in out.splitlines()]
    assert {r["title"] for r in rows} >= {"Drone strike hits border post"}
    hostile = next(r for r in rows if "Markup" in r["title"])
    assert "\u202e" not in hostile["title"]
    story = next(r for r in rows if r["title"].startswith("Drone"))

    code, out, _ = run(
        capsys,
        "triage",
        str(story["id"]),
        "--tags",
        "Syria, Border Security",
        "--grade",
        "b2",
        "--summary",
        "Two guards killed.",
        "--home",
        str(home),
    )
    assert code == 0, out
    code, out, _ = run(capsys, "brief", "--print", "--home", str(home))
    assert "Drone strike hits border post" in out
    assert "B2" in out and "usually reliable" in out and "border-security" in out and "Two guards killed." in out
    code, out, _ = run(capsys, "brief", "--home", str(home))
    assert out.strip().endswith(f"{date.today().isoformat()}.md")


def test_triage_rejects_bad_values_and_changes_nothing(wire, home, capsys):
    run(capsys, "--home", str(home), "add", wire.url("/feed.xml"))
    run(capsys, "--home", str(home), "fetch")
    _, out, _ = run(capsys, "--home", str(home), "list", "--json")
    sid = json.loads(out.splitlines()[0])["id"]
    code, _, err = run(capsys, "--home", str(home), "triage", str(sid), "--grade", "G9")
    assert code == 2 and "invalid Admiralty grade" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "--home", str(home), "triage", "99999", "--grade", "B2")
    assert code == 2 and "no story with id 99999" in err
    _, out, _ = run(capsys, "--home", str(home), "list", "--json", "--state", "triaged")
    assert out == ""


def test_triage_draft_offers_the_draft_but_never_replaces_the_analysts_summary(wire, home, capsys):
    run(capsys, "--home", str(home), "add", wire.url("/feed.xml"))
    run(capsys, "--home", str(home), "fetch")
    _, out, _ = run(capsys, "--home", str(home), "list", "--json")
    sid = next(json.loads(line)["id"] for line in out.splitlines() if "Drone" in line)

    def summary():
        _, out, _ = run(capsys, "--home", str(home), "list", "--json", "--state", "triaged")
        return json.loads(out)["summary"]

    assert run(capsys, "--home", str(home), "triage", str(sid), "--draft")[0] == 0
    assert summary() == "A drone struck a border post."  # the feed's text: the page was never fetched
    run(capsys, "--home", str(home), "triage", str(sid), "--summary", "Two guards killed.")
    assert run(capsys, "--home", str(home), "triage", str(sid), "--draft", "--grade", "B2")[0] == 0
    assert summary() == "Two guards killed."


def test_fetch_exits_non_zero_only_when_every_feed_failed(wire, home, capsys):
    wire.routes["/other.xml"] = wire.routes["/feed.xml"]
    run(capsys, "--home", str(home), "add", wire.url("/other.xml"))
    del wire.routes["/other.xml"]
    code, out, _ = run(capsys, "--home", str(home), "fetch")
    assert code == 1 and "404" in out
    run(capsys, "--home", str(home), "add", wire.url("/feed.xml"))
    code, out, _ = run(capsys, "--home", str(home), "fetch")
    assert code == 0 and "1 failed" in out


def test_fetch_says_when_a_feed_moved_and_follows_it(wire, home, capsys):
    wire.routes["/seed.xml"] = wire.routes["/feed.xml"]
    run(capsys, "--home", str(home), "add", wire.url("/seed.xml"))  # add follows a move itself: subscribe first
    wire.routes["/seed.xml"] = Reply(status=301, headers={"Location": "/feed.xml"})
    code, out, _ = run(capsys, "--home", str(home), "fetch")
    assert code == 0 and f"moved permanently, now {wire.url('/feed.xml')}" in out
    _, out, _ = run(capsys, "--home", str(home), "export-opml")
    assert wire.url("/feed.xml") in out and "/seed.xml" not in out


def test_feeds_lists_subscriptions_and_remove_keeps_their_stories(wire, home, capsys):
    run(capsys, "--home", str(home), "add", wire.url("/feed.xml"))
    wire.routes["/gone.xml"] = wire.routes["/feed.xml"]
    run(capsys, "--home", str(home), "add", wire.url("/gone.xml"))
    del wire.routes["/gone.xml"]
    run(capsys, "--home", str(home), "fetch")
    code, out, _ = run(capsys, "--home", str(home), "feeds")
    assert code == 0 and "error: HTTP 404 Not Found" in out and wire.url("/feed.xml") in out
    _, out, _ = run(capsys, "--home", str(home), "feeds", "--json")
    feeds = {f["url"]: f for f in map(json.loads, out.splitlines())}
    good, gone = feeds[wire.url("/feed.xml")], feeds[wire.url("/gone.xml")]
    assert good["total"] >= 2 and good["status"] == "ok" and gone["error"] == "HTTP 404 Not Found"
    _, before, _ = run(capsys, "--home", str(home), "list", "--json")
    code, out, err = run(capsys, "--home", str(home), "remove", str(good["id"]), wire.url("/gone.xml"), "nope")
    assert code == 0 and f"its {good['total']} stories stay" in out and "no subscription 'nope'" in err
    _, out, _ = run(capsys, "--home", str(home), "feeds")
    assert out.startswith("no feeds yet")
    _, after, _ = run(capsys, "--home", str(home), "list", "--json")
    assert after == before  # unsubscribing loses no story
    run(capsys, "--home", str(home), "add", wire.url("/feed.xml"))  # back again: matched by URL, no duplicates
    _, again, _ = run(capsys, "--home", str(home), "list", "--json")
    assert len(again.splitlines()) == len(before.splitlines())


def test_add_of_a_missing_url_says_so_and_subscribes_nothing(wire, home, capsys):
    code, out, err = run(capsys, "--home", str(home), "add", wire.url("/missing.xml"))
    assert code == 1 and "404" in out + err
    _, out, _ = run(capsys, "--home", str(home), "fetch")
    assert "no feeds yet" in out


def test_extract_prints_reader_text_with_captions_from_file_and_url(wire, tmp_path, capsys):
    page = tmp_path / "page.html"
    page.write_text(ARTICLE, encoding="utf-8")
    code, out, _ = run(capsys, "extract", str(page))
    assert code == 0
    assert "two guards" in out
    assert "The damaged border post on Tuesday." in out and "JANE DOE/AFP" in out
    assert "Skip to main content" not in out and "Subscribe" not in out and "Related Topics" not in out
    code, out2, _ = run(capsys, "extract", wire.url("/a1.html"))
    assert code == 0 and "two guards" in out2


def test_bad_config_is_one_line_naming_the_key(home, capsys):
    home.mkdir(parents=True)
    (home / "config.toml").write_text("[fetch]\nconcurrency = 'lots'\n")
    code, _, err = run(capsys, "--home", str(home), "list")
    assert code == 2
    assert "fetch.concurrency" in err and len(err.strip().splitlines()) == 1


def test_bad_date_is_one_line(home, capsys):
    code, _, err = run(capsys, "--home", str(home), "brief", "--date", "../../etc")
    assert code == 2 and "invalid date" in err


def test_console_script_version_and_help():
    out = subprocess.run([sys.executable, "-m", "tui_reader", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("tui-reader ")
    for cmd in ("add", "fetch", "extract", "brief", "list", "triage", "import-opml", "export-opml"):
        res = subprocess.run([sys.executable, "-m", "tui_reader", cmd, "--help"], capture_output=True, text=True)
        assert res.returncode == 0 and "--home" in res.stdout, cmd


@pytest.mark.parametrize("argv", [[], ["--home", "/tmp/h"], ["--home=/tmp/h"], ["--home", ""], ["--home=-h"]])
def test_a_plain_start_opens_the_tui_on_the_home_the_parser_reads(argv):
    """The TUI's start skips the parser: it must read exactly what the parser would."""
    args = build_parser().parse_args(argv)
    assert args.command is None and not args.demo
    assert tui_only(argv) == (True, args.home)


@pytest.mark.parametrize(
    "argv", [["--home"], ["--home="], ["--home", "-h"], ["--hom", "/tmp/h"], ["--demo"], ["-h"], ["list"]]
)
def test_anything_else_goes_through_the_parser(argv):
    assert tui_only(argv) == (False, None)


def test_headless_commands_do_not_import_textual(home):
    code = (
        "import sys; from tui_reader.cli import main; main(['--home', sys.argv[1], 'list']); "
        "print('textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(home)], capture_output=True, text=True)
    assert out.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.parametrize("args, read", [(["list"], 1), (["list", "--json"], 1), (["feeds"], 0), (["export-opml"], 0)])
def test_output_into_a_closed_pipe_ends_quietly_like_ls_into_head(home, args, read):
    """`tui-reader list | head -1`: the reader goes away; no traceback, and the status a shell reports for `ls`."""
    from tui_reader.models import FeedEntry
    from tui_reader.paths import Paths
    from tui_reader.store import Store

    store = Store(Paths.for_home(home).db_file)
    for f in range(20):  # 3000 list lines, well past a pipe buffer: still writing when the reader quits
        feed = store.add_feed(f"http://127.0.0.1:9/feed{f}.xml", title=f"Feed {f}")
        store.upsert_entries(
            feed.id,
            [
                FeedEntry(f"g{f}-{i}", f"http://127.0.0.1:9/{f}/{i}.html", f"Story {i} of feed {f} " + "x" * 80)
                for i in range(150)
            ],
            "wire",
        )
    store.close()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui_reader", "--home", str(home), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    for _ in range(read):
        assert proc.stdout.readline()
    proc.stdout.close()  # before a short output is written, so its first write meets the closed pipe
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141  # 128 + SIGPIPE
    assert err == ""


def test_a_postgresql_store_url_takes_the_whole_round_trip_there_and_no_file_is_made(
    wire, home, capsys, monkeypatch, pg_url
):
    from tui_reader.store import Store

    monkeypatch.setenv("TUI_READER_STORE_URL", pg_url)
    assert run(capsys, "--home", str(home), "add", wire.url("/feed.xml"))[0] == 0
    assert run(capsys, "fetch", "--home", str(home))[0] == 0
    code, out, _ = run(capsys, "list", "--json", "--home", str(home), "--search", "drone")
    (story,) = [json.loads(line) for line in out.splitlines()]  # search, through tsvector
    code, out, _ = run(capsys, "triage", str(story["id"]), "--grade", "b2", "--summary", "Seen.", "--home", str(home))
    assert code == 0, out
    assert "Drone strike hits border post" in run(capsys, "brief", "--print", "--home", str(home))[1]
    shared = Store(pg_url)  # what a colleague's tui-reader reads
    assert shared.story(story["id"]).summary == "Seen." and shared.count() == 2
    shared.close()
    assert not list(home.rglob("*.db"))


def test_an_unreachable_postgresql_store_is_one_line_naming_it_without_the_password(home, capsys, monkeypatch):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("TUI_READER_STORE_URL", f"postgresql://desk:s3cret@127.0.0.1:{port}/news")
    pytest.importorskip("psycopg")
    code, _, err = run(capsys, "list", "--home", str(home))
    assert code == 2 and err.count("\n") == 1 and "s3cret" not in err
    assert f"cannot open the store postgresql://desk@127.0.0.1:{port}/news" in err and "refused" in err


def test_the_sqlite_store_never_imports_psycopg(wire, home):
    script = (
        "import sys; from tui_reader.cli import main; "
        f"main(['--home', {str(home)!r}, 'add', {wire.url('/feed.xml')!r}]); "
        f"main(['--home', {str(home)!r}, 'list']); "
        "assert 'psycopg' not in sys.modules, 'psycopg was imported'"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def _contents(store) -> dict[str, list]:
    """Every row of every table a copy carries (PostgreSQL's story_feeds.rowid aside), order aside."""
    from tui_reader.store.transfer import _ORDER

    out = {}
    for table in _ORDER:
        cols = [d[0] for d in store.conn.execute(f"SELECT * FROM {table} LIMIT 0").description if d[0] != "rowid"]
        rows = store.conn.execute(f"SELECT {', '.join(repr(c) for c in cols)} FROM {table}").fetchall()
        out[table] = sorted((tuple(r) for r in rows), key=repr)
    return out


def test_store_copy_carries_everything_to_postgresql_and_back_and_refuses_a_store_in_use(
    wire, home, capsys, pg_url, tmp_path, monkeypatch
):
    from tui_reader.query import StoryQuery
    from tui_reader.store import Store, base, transfer

    for module in (base, transfer):  # rows are read and written a batch at a time: here, one row
        monkeypatch.setattr(module, "BATCH", 1)
    h = ("--home", str(home))
    run(capsys, *h, "add", wire.url("/feed.xml"))
    run(capsys, *h, "fetch")
    _, out, _ = run(capsys, *h, "list", "--json")
    first, second = (json.loads(line)["id"] for line in out.splitlines())
    run(capsys, *h, "triage", str(first), "--grade", "b2", "--summary", "Two guards killed.", "--tags", "syria")
    run(capsys, *h, "triage", str(first), "--grade", "c3", "--summary", "Revised.", "--reason", "second source")
    run(capsys, *h, "note", str(second), "--set", "ask the ministry")
    run(capsys, *h, "sources", "Test Wire", "--letter", "D", "--reason", "one-sided")
    code, out, err = run(capsys, *h, "store", "copy", "--to", pg_url)
    assert code == 0, err
    assert "copied 2 stories, 1 feeds and 2 saved triages" in out and pg_url.rsplit("@", 1)[1] in out

    local, shared = Store(home / "data" / "tui-reader.db"), Store(pg_url)
    assert _contents(shared) == _contents(local)
    assert shared.story_ids(StoryQuery(text="revised")) == [first]  # rebuilt: the summary's words
    assert shared.story_ids(StoryQuery(note="ministry")) == [second]
    assert shared.add_feed("https://added.example/feed").id == 2  # ids number on after the copied ones
    code, _, err = run(capsys, *h, "store", "copy", "--to", pg_url)
    assert code == 2 and err.count("\n") == 1 and "not empty" in err

    back = tmp_path / "back.db"
    code, out, err = run(capsys, *h, "store", "copy", "--from", pg_url, "--to", str(back))
    assert code == 0, err
    returned = Store(back)
    assert _contents(returned) == _contents(shared)
    assert returned.story_ids(StoryQuery(text="revised")) == [first]
    for s in (local, shared, returned):
        s.close()
