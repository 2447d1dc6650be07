"""Retention through the CLI and the store: what goes, what always stays, and the file shrinking."""

import json
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from tests.localserver import Reply
from tui_reader.cli import main
from tui_reader.models import FeedEntry, State
from tui_reader.query import StoryQuery
from tui_reader.rules import parse_rules

NOW = datetime.now(timezone.utc)
TEXT = "The council met on Tuesday and the minister said the talks would resume next week. " * 40


def rss(base: str, ages_days: list[int]) -> str:
    items = "".join(
        f"<item><title>Story {n} aged {age}</title><link>{base}/s/{n}</link><guid>s{n}</guid>"
        f"<pubDate>{format_datetime(NOW - timedelta(days=age))}</pubDate>"
        f"<description>{TEXT} {n}</description></item>"
        for n, age in enumerate(ages_days)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>'


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys, home) -> dict[str, dict]:
    _, out, _ = run(capsys, "--home", str(home), "list", "--json")
    return {r["title"]: r for r in map(json.loads, out.splitlines())}


@pytest.fixture
def wire(server, home):
    server.routes["/feed.xml"] = Reply(rss(server.base, [1] * 20 + [60] * 300), content_type="application/rss+xml")
    home.mkdir(parents=True)
    return server


def db_size(home) -> int:
    db = home / "data" / "tui-reader.db"
    return sum(p.stat().st_size for p in (db, db.with_name(db.name + "-wal")) if p.exists())


def test_intake_skips_what_retention_would_purge(wire, home, capsys):
    (home / "config.toml").write_text("[retention]\nkeep_days = 30\n")
    run(capsys, "--home", str(home), "add", wire.url("/feed.xml"))
    assert len(listed(capsys, home)) == 20
    code, out, _ = run(capsys, "--home", str(home), "fetch")
    assert code == 0 and "0 new" in out and "0 purged" in out


def test_purge_keeps_triaged_flagged_and_briefed_stories_and_shrinks_the_file(wire, home, capsys):
    run(capsys, "--home", str(home), "add", wire.url("/feed.xml"))  # retention off: all 320 stored
    stories = listed(capsys, home)
    assert len(stories) == 320
    run(capsys, "--home", str(home), "triage", str(stories["Story 20 aged 60"]["id"]), "--grade", "B2")
    run(capsys, "--home", str(home), "triage", str(stories["Story 21 aged 60"]["id"]), "--dismiss")
    (home / "config.toml").write_text(
        '[retention]\nkeep_days = 30\n\n[[rules]]\nname = "keep"\nwords = "22"\nfields = ["title"]\npriority = true\n'
    )
    run(capsys, "--home", str(home), "rules", "apply")
    code, out, _ = run(capsys, "--home", str(home), "purge", "--dry-run")
    assert code == 0 and out.splitlines()[-1] == "would purge 297 stories older than 30 days"
    assert "Story 23 aged 60" in out and "Story 22 aged 60" not in out and "Story 0 aged 1" not in out
    assert len(listed(capsys, home)) == 320
    before = db_size(home)
    code, out, _ = run(capsys, "--home", str(home), "purge")
    assert code == 0 and out.startswith("purged 297 stories older than 30 days")
    assert set(listed(capsys, home)) == {f"Story {n} aged 1" for n in range(20)} | {
        "Story 20 aged 60",
        "Story 21 aged 60",
        "Story 22 aged 60",
    }
    assert db_size(home) < before * 0.5
    code, out, _ = run(capsys, "--home", str(home), "list", "--search", "council")
    assert len(out.splitlines()) == 23  # the full-text index lost the purged stories too


def test_an_older_store_is_converted_to_incremental_vacuum_at_its_first_purge(wire, home, capsys):
    db = home / "data" / "tui-reader.db"
    db.parent.mkdir()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")  # a store made before auto_vacuum was set: its header says none
    conn.close()
    run(capsys, "--home", str(home), "add", wire.url("/feed.xml"))
    assert sqlite3.connect(db).execute("PRAGMA auto_vacuum").fetchone()[0] == 0
    (home / "config.toml").write_text("[retention]\nkeep_days = 30\n")
    before = db_size(home)
    code, out, _ = run(capsys, "--home", str(home), "fetch")
    assert code == 0 and "300 purged" in out
    assert sqlite3.connect(db).execute("PRAGMA auto_vacuum").fetchone()[0] == 2
    assert db_size(home) < before * 0.5


def test_a_purged_cluster_head_leaves_its_surviving_members_in_the_grouped_list(store):
    store.keep_days = 30
    old = int(time.time()) - 60 * 86400
    ids = store.upsert_entries(
        None,
        [
            FeedEntry(
                f"g{i}",
                f"http://x{i}.example/a",
                "Port strike",
                published=datetime.fromtimestamp(old + i, timezone.utc),
            )
            for i in range(3)
        ],
        "x",
    ).new_ids
    store.set_clusters([(ids[0], None, 2, i) for i in ids])
    store.set_state(ids[2], State.TRIAGED)
    store.rules = parse_rules([{"name": "p", "words": "port", "priority": True}])
    store.apply_rules([ids[1]])
    assert store.purge().stories == 1
    assert store.story_ids(StoryQuery(grouped=True)) == [ids[1]]
    assert store.cluster_of(ids[1:]) == {ids[1]: ids[1], ids[2]: ids[1]}
    assert set(store.unclustered_ids()) >= {ids[1], ids[2]}
