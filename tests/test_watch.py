"""Watchlists and alerts: watch:NAME, highlights, and alerts at intake with a real notify_command."""

import json
import sys
import time

import pytest

from tests.localserver import Reply
from tests.test_rules import rss, run
from tui_reader.config import ConfigError, parse_settings
from tui_reader.watch import Watchlist, WatchMatcher

OLD = [("Markets steady in Tokyo", "Nothing to report.", "m/1")]
NEW = [
    ("Strike near Albukamal overnight", "Officials said two were hurt.", "s/2"),
    ("Convoy crosses at dawn", "It reached ABŪ-Kāmal by noon.", "s/3"),
    ("Weather: rain in Paris", "Showers all week.", "w/4"),
    ("Port talks resume", "Negotiators met at the port of Aden.", "p/5"),
]
CONFIG = """
[[watchlists]]
name = "euphrates"
terms = ["Abu Kamal", "Bokamal", "Albukamal"]

[[rules]]
name = "aden"
words = "aden"
alert = true
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def wire(server, home, request, monkeypatch):
    """The feed served, and the home's store in a SQLite file, then in PostgreSQL (watchlists are full-text
    queries, which each engine runs its own way)."""
    if request.param == "postgresql":
        monkeypatch.setenv("TUI_READER_STORE_URL", request.getfixturevalue("pg_url"))
    server.routes["/feed.xml"] = Reply(rss(server.base, OLD), content_type="application/rss+xml")
    home.mkdir(parents=True, exist_ok=True)
    return server


def fetch_new(capsys, wire, home, config: str):
    """Subscribe (the first items: no alerts), then fetch once the feed has the new items."""
    (home / "config.toml").write_text(config)
    run(capsys, "--home", str(home), "add", wire.url("/feed.xml"))
    wire.routes["/feed.xml"] = Reply(rss(wire.base, OLD + NEW), content_type="application/rss+xml")
    return run(capsys, "--home", str(home), "fetch", "--plain")


def listed(capsys, home, *args) -> list[str]:
    _, out, _ = run(capsys, "--home", str(home), "list", "--json", *args)
    return sorted(json.loads(line)["title"] for line in out.splitlines())


def test_watch_finds_every_spelling_whole_words_any_case_or_accent(wire, home, capsys):
    fetch_new(capsys, wire, home, CONFIG)
    assert listed(capsys, home) == sorted(t for t, _, _ in OLD + NEW)
    (home / "config.toml").write_text(CONFIG + '[saved]\neuphrates = "watch:euphrates"\n')
    assert listed(capsys, home, "--saved", "euphrates") == [
        "Convoy crosses at dawn",
        "Strike near Albukamal overnight",
    ]
    code, _, err = run(capsys, "--home", str(home), "triage", "--query", "watch:nile", "--dismiss")
    assert code == 2 and "watch:nile — no such watchlist (watchlists: euphrates)" in err


def test_fetch_alerts_on_new_watched_stories_and_pipes_each_as_json(wire, home, capsys, tmp_path):
    got = tmp_path / "got.jsonl"
    script = tmp_path / "notify.py"
    script.write_text(f"import sys\nopen({str(got)!r}, 'a').write(sys.stdin.read() + '\\n')\n")
    config = CONFIG + f"[alerts]\nnotify_command = [{json.dumps(sys.executable)}, {json.dumps(str(script))}]\n"
    code, out, err = fetch_new(capsys, wire, home, config)
    assert code == 0 and err == ""
    alerts = [line for line in out.splitlines() if line.startswith("alert")]
    assert len(alerts) == 3 and "Strike near Albukamal overnight [watch:euphrates]" in alerts[0]
    assert "Port talks resume [aden]" in alerts[2]
    sent = [json.loads(line) for line in got.read_text().splitlines()]
    assert [s["matched"] for s in sent] == [["watch:euphrates"], ["watch:euphrates"], ["aden"]]
    assert sent[1]["title"] == "Convoy crosses at dawn" and sent[1]["url"].endswith("/s/3")
    _, out, _ = run(capsys, "--home", str(home), "fetch", "--plain")  # nothing new: no alert
    assert "alert" not in out and len(got.read_text().splitlines()) == 3


@pytest.mark.parametrize(
    "body, complaint",
    [
        ("import time\ntime.sleep(60)\n", "notify_command took longer than 0.5 s on story"),
        (
            "import sys\nsys.stderr.write('x' * 5_000_000 + '\\nno route to pager\\n')\nsys.exit(3)\n",
            "(exit 3): no route",
        ),
    ],
)
def test_a_hanging_or_failing_notify_command_is_reported_and_changes_nothing(
    wire, home, capsys, tmp_path, body, complaint
):
    script = tmp_path / "notify.py"
    script.write_text(body)
    config = CONFIG + f"[alerts]\nnotify_command = [{json.dumps(sys.executable)}, {json.dumps(str(script))}]\n"
    config += "notify_timeout = 0.5\n"
    started = time.monotonic()
    code, out, err = fetch_new(capsys, wire, home, config)
    assert time.monotonic() - started < 20
    assert code == 0 and out.count("alert ") == 3
    assert err.count(complaint) == 3 and len(err) < 2000
    assert listed(capsys, home) == sorted(t for t, _, _ in OLD + NEW)


def test_a_missing_notify_command_is_one_line(wire, home, capsys, tmp_path):
    code, _, err = fetch_new(capsys, wire, home, CONFIG + '[alerts]\nnotify_command = ["/nonexistent/notify"]\n')
    assert code == 0 and err.strip().count("\n") == 0 and "notify_command could not run" in err


@pytest.mark.parametrize(
    "table, message",
    [
        ({"name": "a b", "terms": ["x"]}, "watchlists[1]: name"),
        ({"name": "w", "terms": "Bokamal"}, "watchlist 'w': terms"),
        ({"name": "w", "terms": ["ok", "  "]}, "watchlist 'w': terms"),
        ({"name": "w", "terms": ["x"], "colour": "red"}, "watchlist 'w': colour: unknown key"),
    ],
)
def test_a_bad_watchlist_is_one_line_naming_it_and_the_key(table, message):
    with pytest.raises(ConfigError, match="^config: " + message.replace("[", r"\[").replace("(", r"\(")):
        parse_settings({"watchlists": [table]})


def test_a_rule_may_not_take_a_watchlists_name_and_notify_command_is_an_argument_list():
    with pytest.raises(ConfigError, match="rule 'watch:x': name"):
        parse_settings({"rules": [{"name": "watch:x", "words": "a", "alert": True}]})
    with pytest.raises(ConfigError, match="alerts.notify_command must be a list of strings"):
        parse_settings({"alerts": {"notify_command": "notify-send $TITLE"}})


def test_highlight_spans_are_the_terms_in_the_original_text():
    matcher = WatchMatcher([Watchlist("e", ("Abu Kamal", "Bokamal")), Watchlist("n", ("Nile",))])
    text = "From ABŪ-Kāmal to bokamal, not Bokamals; the Nile."
    assert [(text[a:b], name) for a, b, name in matcher.spans(text)] == [
        ("ABŪ-Kāmal", "e"),
        ("bokamal", "e"),
        ("Nile", "n"),
    ]
    assert matcher.names(text) == ["e", "n"] and not WatchMatcher([])


def test_brief_saved_prints_only_the_triaged_stories_the_saved_search_finds(wire, home, capsys):
    fetch_new(capsys, wire, home, CONFIG + '[saved]\neuphrates = "watch:euphrates"\n')
    _, out, _ = run(capsys, "--home", str(home), "list", "--json")
    ids = {json.loads(line)["title"]: json.loads(line)["id"] for line in out.splitlines()}
    for title in ("Strike near Albukamal overnight", "Port talks resume"):
        code, _, err = run(capsys, "--home", str(home), "triage", str(ids[title]), "--grade", "B2", "--draft")
        assert code == 0, err
    code, out, _ = run(capsys, "--home", str(home), "brief", "--saved", "euphrates")
    assert code == 0 and "Strike near Albukamal overnight" in out and "Port talks resume" not in out
    _, note, _ = run(capsys, "--home", str(home), "brief", "--print")
    assert "Strike near Albukamal overnight" in note and "Port talks resume" in note  # the note itself is whole
    code, _, err = run(capsys, "--home", str(home), "brief", "--saved", "nile")
    assert code == 2 and "brief: no saved search 'nile' (saved searches: euphrates)" in err
