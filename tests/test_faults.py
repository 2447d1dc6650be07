"""Faults on an analyst's laptop or a shared box: killed mid-refresh, a full disk or file-size limit,
two writers on one store, a busy note lock. Nothing saved is lost, nothing is left stuck, and the
user reads one line, never a traceback.

Faults are real: ``kill -9`` of the CLI, ``RLIMIT_FSIZE`` in a child process, a second process
holding the store's write lock or the note lock; feeds come from a real server on 127.0.0.1.
"""

import gc
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.localserver import Reply
from tui_reader import briefing
from tui_reader.briefing import parse_note
from tui_reader.cli import main
from tui_reader.errors import StoreError
from tui_reader.models import FeedEntry, Grade, State, TriageInput
from tui_reader.paths import Paths
from tui_reader.query import StoryQuery
from tui_reader.store import Store

FEEDS, BASE_ITEMS, NEW_PER_RUN = 6, 100, 20


LIMITED = (
    "import resource, runpy, sys\n"
    "limit = int(sys.argv.pop(1))\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))\n"
    "runpy.run_module('tui_reader', run_name='__main__')"
)
"""Runs the CLI under a file-size limit; Python ignores SIGXFSZ, so a write past it fails with EFBIG."""


def cli(home, *args, fsize: int | None = None) -> subprocess.Popen:
    """``tui-reader ARGS --home HOME`` in a child process, optionally under a file-size limit of ``fsize`` bytes."""
    start = ["-c", LIMITED, str(fsize)] if fsize is not None else ["-m", "tui_reader"]
    return subprocess.Popen(
        [sys.executable, *start, *args, "--home", str(home)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def run_cli(home, *args, fsize: int | None = None) -> tuple[int, str, str]:
    proc = cli(home, *args, fsize=fsize)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


# -- killed mid-refresh ------------------------------------------------------------------------


class ChangingFeeds:
    """Feeds that grow and rewrite some entries on every run; ETag per run, 304 on a match."""

    def __init__(self, server) -> None:
        self.server, self.run = server, 0
        for f in range(FEEDS):
            server.routes[f"/f{f}.xml"] = lambda handler, f=f: self._serve(handler, f)

    def entries(self, f: int, run: int) -> dict[str, tuple[str, str]]:
        """url → (title, description) of feed ``f`` as served in ``run``."""
        return {
            f"{self.server.base}/f{f}/s{j}": (
                f"Feed {f} story {j}",
                f"Revision {run} of story {j}." if j % 7 == 0 else f"Story {j}.",
            )
            for j in range(BASE_ITEMS + NEW_PER_RUN * run)
        }

    def _serve(self, handler, f: int) -> None:
        run = self.run
        etag = f'"f{f}-r{run}"'
        if handler.headers.get("If-None-Match") == etag:
            handler._send(Reply(status=304, headers={"ETag": etag}))
            return
        time.sleep(random.uniform(0, 0.15))  # feeds finish, and are stored, at different moments
        items = "".join(
            f"<item><title>{t}</title><link>{u}</link><guid>{u}</guid><description>{d}</description></item>"
            for u, (t, d) in self.entries(f, run).items()
        )
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {f}</title>{items}</channel></rss>'
        try:
            handler._send(Reply(body, headers={"ETag": etag}, content_type="application/rss+xml"))
        except OSError:  # the client was killed mid-download
            pass


def stored(db: Path) -> tuple[dict[str, tuple[str, str, int]], dict[int, str]]:
    """The store's stories (url → title, summary, feed) and each feed's ETag, after checking integrity."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT url, title, feed_summary, feed_id FROM stories").fetchall()
        assert len(rows) == len({r[0] for r in rows}) == len({r[1] for r in rows}), "a story stored twice"
        return {r[0]: (r[1], r[2], r[3]) for r in rows}, dict(conn.execute("SELECT id, etag FROM feeds"))
    finally:
        conn.close()


def test_kill_9_mid_refresh_never_saves_a_validator_without_its_stories(server, home):
    feeds = ChangingFeeds(server)
    db = Paths.for_home(home).db_file
    store = Store(db)
    for f in range(FEEDS):
        store.add_feed(server.url(f"/f{f}.xml"))
    store.close()
    rng = random.Random(14)
    torn = 0  # runs killed with some feeds stored and others not: kills that landed mid-storing
    for run in range(1, 6):
        feeds.run = run
        proc = cli(home, "fetch", "--plain")
        for _ in range(rng.randrange(1, FEEDS)):  # a feed's line comes once it is stored: kill between feeds
            proc.stdout.readline()
        time.sleep(rng.uniform(0, 0.05))
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        stories, etags = stored(db)
        torn += 0 < sum(etag.endswith(f'-r{run}"') for etag in etags.values()) < FEEDS
        for etag in etags.values():
            if etag:  # the validator of run r is saved only with every story of run r, as run r served it
                f, r = (int(x) for x in etag.strip('"')[1:].split("-r"))
                for url, (title, summary) in feeds.entries(f, r).items():
                    assert stories.get(url, ())[:2] == (title, summary), (run, etag, url)
    assert torn >= 2, "too few kills landed mid-refresh to prove anything"
    code, out, _ = run_cli(home, "fetch", "--plain")
    assert code == 0, out
    stories, _ = stored(db)
    expected = {u: e for f in range(FEEDS) for u, e in feeds.entries(f, feeds.run).items()}
    assert {u: s[:2] for u, s in stories.items()} == expected  # every story once, as last served


# -- a full disk or a file-size limit ------------------------------------------------------------


RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
    + "".join(
        f"<item><title>Story {n}</title><link>{{base}}/s{n}</link><guid>s{n}</guid>"
        f"<description>Officials said {n} things.</description></item>"
        for n in range(1, 5)
    )
    + "</channel></rss>"
)


@pytest.fixture
def wire_home(server, home):
    """A home with four fetched stories and a note holding story 1 plus a long hand-written appendix."""
    server.routes["/feed.xml"] = Reply(RSS.format(base=server.base), content_type="application/rss+xml")
    assert main(["add", server.url("/feed.xml"), "--home", str(home)]) == 0
    ids = sorted(json.loads(line)["id"] for line in run_cli(home, "list", "--json")[1].splitlines())
    assert main(["triage", str(ids[0]), "--grade", "B2", "--summary", "First.", "--home", str(home)]) == 0
    paths = Paths.for_home(home)
    note = briefing.note_path(paths.briefing_dir, time.strftime("%Y-%m-%d"))
    with open(note, "a", encoding="utf-8") as fh:  # the analyst's own pasted material: the note outgrows the store
        fh.write("\n## Appendix (hand-written)\n\n" + "Field report line, kept byte for byte.\n" * 40_000)
    return paths, note, ids


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_a_note_past_the_file_size_limit_keeps_the_old_note_and_says_nothing_is_lost(wire_home, home):
    paths, note, ids = wire_home
    before = note.read_bytes()
    code, _, err = run_cli(
        home, "triage", str(ids[1]), "--grade", "A1", "--summary", "Second.", fsize=len(before) + 100
    )  # the store fits, the grown note does not
    line = one_line(err)
    assert code == 2 and "briefing note" in line and "File too large" in line
    assert "saved in the store" in line and "nothing is lost" in line
    assert note.read_bytes() == before  # byte for byte
    assert not list(note.parent.glob("*.tmp"))
    store = Store(paths.db_file)
    assert store.story(ids[1]).state is State.TRIAGED and store.pending_logs()
    store.close()


@pytest.mark.parametrize("command", [["list"], ["brief"], ["feeds"], ["triage", "{other}", "--grade", "C3"]])
def test_once_there_is_room_the_next_command_of_any_kind_brings_the_note_up_to_date(wire_home, home, command, capsys):
    paths, note, ids = wire_home
    code, _, _ = run_cli(
        home, "triage", str(ids[1]), "--grade", "A1", "--summary", "Second.", fsize=note.stat().st_size + 100
    )
    assert code == 2
    assert main([a.format(other=ids[2]) for a in command] + ["--home", str(home)]) == 0
    assert capsys.readouterr().err == ""
    noted = dict(parse_note(note.read_text(encoding="utf-8")))
    assert ids[1] in noted and "Second." in noted[ids[1]]
    assert note.read_text(encoding="utf-8").endswith("Field report line, kept byte for byte.\n")
    store = Store(paths.db_file)
    assert store.pending_logs() == []
    store.close()


def test_a_store_past_the_file_size_limit_is_one_line_and_changes_nothing(wire_home, home, tmp_path):
    paths, note, ids = wire_home
    before = note.read_bytes()
    summary = tmp_path / "summary.txt"
    summary.write_text("A long assessment. " * 40_000, encoding="utf-8")  # ~760 KB: the store must grow
    code, _, err = run_cli(
        home,
        "triage",
        str(ids[1]),
        "--grade",
        "A1",
        "--summary-file",
        str(summary),
        fsize=paths.db_file.stat().st_size + 64 * 1024,
    )
    line = one_line(err)
    assert code == 2 and str(paths.db_file) in line and "disk" in line and "nothing was changed" in line
    assert note.read_bytes() == before
    store = Store(paths.db_file)
    assert store.integrity_ok() and store.story(ids[1]).state is State.UNREAD
    store.close()


# -- a busy note lock ------------------------------------------------------------------------------------


def test_a_note_lock_held_too_long_is_one_line_and_the_note_catches_up_later(wire_home, home, monkeypatch, capsys):
    paths, note, ids = wire_home
    monkeypatch.setattr(briefing, "LOCK_TIMEOUT", 0.3)
    monkeypatch.setattr(briefing, "_LOCKS", {})  # locks are made with the timeout of their day
    hold = (
        "import sys, time; from filelock import FileLock\n"
        "with FileLock(sys.argv[1]):\n    print('held', flush=True); time.sleep(30)"
    )
    holder = subprocess.Popen(  # another tui-reader in the middle of a long note update
        [sys.executable, "-c", hold, str(paths.briefing_dir / briefing.LOCK_NAME)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline() == "held\n"
        assert main(["triage", str(ids[1]), "--grade", "A1", "--home", str(home)]) == 2
        line = one_line(capsys.readouterr().err)
        assert "stayed locked by another tui-reader" in line and "saved in the store" in line
    finally:
        holder.kill()
        holder.wait()
    assert main(["list", "--home", str(home)]) == 0
    assert ids[1] in dict(parse_note(note.read_text(encoding="utf-8")))


def test_a_store_that_cannot_even_open_on_a_full_disk_is_one_line(wire_home, home):
    gc.collect()  # the fixture's in-process commands leave their store to the collector: its -shm file goes
    assert not Path(f"{wire_home[0].db_file}-shm").exists()
    code, out, err = run_cli(home, "list", fsize=16 * 1024)  # WAL's shared-memory file needs 32 KB
    line = one_line(err)
    assert code == 2 and out == "" and "could not write the store" in line and "disk" in line


# -- a damaged store -------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_a_damaged_store_is_one_line_naming_it_and_is_never_touched(wire_home, home, damage):
    paths, _, _ = wire_home
    gc.collect()  # the fixture's in-process commands leave their store to the collector
    data = paths.db_file.read_bytes()
    paths.db_file.write_bytes(data[: len(data) // 3] if damage == "truncated" else os.urandom(len(data)))
    damaged = paths.db_file.read_bytes()
    for command in (["list"], ["fetch"], ["triage", "1", "--grade", "B2"], ["doctor"]):
        code, _, err = run_cli(home, *command)
        line = one_line(err)
        assert code == 2 and str(paths.db_file) in line and "damaged" in line and "move it aside" in line
    assert paths.db_file.read_bytes() == damaged


# -- an unwritable home ----------------------------------------------------------------------------


@pytest.mark.parametrize("blocked", ["data dir is a file", "store is a directory"])
def test_a_store_that_cannot_be_created_or_opened_is_one_line_naming_the_path(home, blocked, capsys):
    paths = Paths.for_home(home)  # root ignores permission bits: block the paths themselves instead
    if blocked == "data dir is a file":
        paths.data_dir.parent.mkdir(parents=True)
        paths.data_dir.write_text("not a directory", encoding="utf-8")
    else:
        paths.db_file.mkdir(parents=True)
    for command in (["list"], ["fetch"], ["add", "http://127.0.0.1:9/feed.xml"]):
        assert main([*command, "--home", str(home)]) == 2
        line = one_line(capsys.readouterr().err)
        assert str(paths.data_dir if blocked == "data dir is a file" else paths.db_file) in line


# -- doctor ----------------------------------------------------------------------------------------------


def test_doctor_finds_what_disagrees_changes_nothing_and_passes_once_repaired(wire_home, home, capsys):
    paths, note, ids = wire_home
    assert main(["doctor", "--home", str(home)]) == 0
    out = capsys.readouterr().out
    assert "integrity ok" in out and "journal: empty" in out and "1 item(s) checked" in out and "all well" in out
    store = Store(paths.db_file)
    store.set_state(ids[0], State.DISMISSED)  # behind the note's back, e.g. by an older tui-reader
    store.save_triage(TriageInput(ids[1], (), Grade.parse("A1"), "Second."), time.strftime("%Y-%m-%d"))
    store.close()  # a save whose note update never ran: its journal row waits
    before = note.read_bytes()
    assert main(["doctor", "--home", str(home)]) == 1
    out = capsys.readouterr().out
    assert f"item {ids[0]} is dismissed in the store" in out and "--rebuild" in out
    assert "journal: 1 saved triage(s) not yet in their notes" in out and "2 problem(s) found" in out
    assert note.read_bytes() == before
    assert main(["brief", "--rebuild", "--home", str(home)]) == 0  # catches the journal up, then rebuilds
    assert main(["doctor", "--home", str(home)]) == 0
    assert capsys.readouterr().out.endswith("all well\n")


def test_a_store_damaged_while_open_is_one_line_on_the_next_read(tmp_path):
    """Not only opening and writing: a read in the middle of a session words the failure too."""
    store = Store(tmp_path / "db.sqlite")
    feed = store.add_feed("https://news.example/feed.xml")
    store.upsert_entries(
        feed.id,
        [
            FeedEntry(
                guid=f"g{i}", url=f"https://news.example/{i}", title="t" * 200, content="<p>" + "word " * 600 + "</p>"
            )
            for i in range(300)
        ],
        "News",
    )
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = (tmp_path / "db.sqlite").stat().st_size
    with open(tmp_path / "db.sqlite", "r+b") as db:  # another program scribbles over all but its first pages
        db.seek(4096 * 2)
        db.write(b"\xff" * (size - 4096 * 2))
    with pytest.raises(StoreError, match="is damaged .* left as it is"):
        store.story_ids(StoryQuery(text="word"))


def test_a_sendable_brief_past_the_file_size_limit_keeps_the_old_file(wire_home, home, tmp_path):
    paths, note, ids = wire_home
    out = tmp_path / "sent" / "brief.html"
    out.parent.mkdir()
    out.write_text("yesterday's brief, already mailed", encoding="utf-8")
    code, stdout, err = run_cli(home, "brief", "--format", "html", "--out", str(out), fsize=note.stat().st_size)
    line = one_line(err)
    assert code == 2 and str(out) in line and "File too large" in line and stdout == ""
    assert out.read_text(encoding="utf-8") == "yesterday's brief, already mailed"
    assert sorted(p.name for p in out.parent.iterdir()) == ["brief.html"]
    assert run_cli(home, "brief", "--format", "html", "--out", str(out))[0] == 0
    assert out.read_text(encoding="utf-8").rstrip().endswith("</html>")
