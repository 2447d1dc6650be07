"""A team desk: several analysts on one store see who did what, each other's changes and readers, and never
overwrite a colleague's newer change without being asked."""

import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from tests.test_cli import run
from tui_reader.briefing import note_path, parse_note
from tui_reader.config import Settings, parse_settings
from tui_reader.errors import ConfigError, ConflictError
from tui_reader.models import FeedEntry, Grade, State, TriageInput
from tui_reader.notes import set_note
from tui_reader.paths import Paths
from tui_reader.store import Store
from tui_reader.store.desk import PRESENCE_TTL
from tui_reader.triage import apply_triage


def colleague(store: Store, name: str) -> Store:
    """Another analyst on the same store file: a Store of their own, as their TUI would have."""
    other = Store(store.path)
    other.analyst = name
    return other


@pytest.fixture
def desk(store):
    store.analyst = "sara"
    ids = [store.add_story(f"https://a.example/{n}", f"Story {n}", source="Alpha") for n in range(3)]
    tom = colleague(store, "tom")
    yield store, tom, ids
    tom.close()


def test_a_save_over_a_colleagues_newer_change_is_refused_naming_them(desk, tmp_path):
    sara, tom, ids = desk
    loaded = sara.story(ids[0]).version
    apply_triage(tom, tmp_path, TriageInput(ids[0], ("tom-tag",), Grade.parse("C3"), "Tom's view."))
    with pytest.raises(ConflictError) as refused:
        apply_triage(sara, tmp_path, TriageInput(ids[0], ("sara-tag",), Grade.parse("A1"), "Mine.", version=loaded))
    message = str(refused.value)
    assert "tom triaged this story at" in message and "\n" not in message
    assert refused.value.analyst == "tom" and refused.value.kind == "triage"
    story = sara.story(ids[0])
    assert (story.tags, story.grade.code, story.summary, story.triaged_by) == (("tom-tag",), "C3", "Tom's view.", "tom")
    # reloaded, the same save goes through
    apply_triage(sara, tmp_path, TriageInput(ids[0], ("sara-tag",), None, "Mine.", version=sara.story(ids[0]).version))
    assert sara.story(ids[0]).triaged_by == "sara"


def test_dismissals_and_notes_are_versioned_too_and_the_cli_path_just_saves(desk, tmp_path):
    sara, tom, ids = desk
    loaded = sara.story(ids[1]).version
    tom.set_state(ids[1], State.DISMISSED)
    with pytest.raises(ConflictError, match="tom dismissed this story"):
        set_note(sara, tmp_path, ids[1], "my note", version=loaded)
    assert sara.note_text(ids[1]) == ""
    with pytest.raises(ConflictError):
        sara.set_state(ids[1], State.READ, loaded)
    set_note(sara, tmp_path, ids[1], "my note")  # no version: the command line, last writer wins
    assert (sara.note_text(ids[1]), sara.note_by(ids[1])) == ("my note", "sara")


def test_the_change_log_says_who_changed_which_story_and_reading_does_not_bump_versions(desk, tmp_path):
    sara, tom, ids = desk
    start = sara.change_seq()
    tom.mark_read(ids[0])
    apply_triage(tom, tmp_path, TriageInput(ids[0], ("x",)))
    sara.set_state(ids[2], State.DISMISSED)
    changes = sara.changes_since(start)
    assert [(c.story_id, c.kind, c.analyst) for c in changes] == [
        (ids[0], "read", "tom"),
        (ids[0], "triage", "tom"),
        (ids[2], "dismiss", "sara"),
    ]
    assert changes[0].session == changes[1].session == tom.session != sara.session
    assert sara.change_seq() == changes[-1].seq and sara.changes_since(sara.change_seq()) == []
    assert sara.story(ids[0]).version == 1  # the read did not count


def test_presence_is_per_tui_and_a_killed_tuis_row_expires(desk):
    sara, tom, ids = desk
    tom.reading(ids[0])
    assert sara.colleagues_reading(ids) == {ids[0]: ("tom",)}
    assert tom.colleagues_reading(ids) == {}  # not shown to themselves
    tom.reading(ids[1])  # moving on leaves the first
    assert sara.colleagues_reading(ids) == {ids[1]: ("tom",)}
    assert [r.readers for r in sara.list_rows(ids)] == [(), ("tom",), ()]
    with tom.tx() as c:  # a TUI killed long ago never said goodbye
        c.execute("UPDATE readers SET since = since - ?", (PRESENCE_TTL + 1,))
    assert sara.colleagues_reading(ids) == {}
    tom.heartbeat()
    assert sara.colleagues_reading(ids) == {ids[1]: ("tom",)}
    tom.reading(None)
    assert sara.colleagues_reading(ids) == {}


RACER = """
import json, sys
from pathlib import Path
from tui_reader.errors import ConflictError
from tui_reader.models import Grade, TriageInput
from tui_reader.store import Store
from tui_reader.triage import apply_triage

db, briefing_dir, name, grade, go = sys.argv[1:]
store = Store(db)
store.analyst = name
loaded = {sid: store.story(sid).version for sid in store.story_ids()}  # both have the desk's queue open
Path(f"{go}.{name}").touch()
while not Path(go).exists():  # and start at once
    pass
saved, refused = [], []
for sid, version in loaded.items():
    inp = TriageInput(sid, (name,), Grade.parse(grade), f"{name}'s summary", version=version)
    try:
        apply_triage(store, Path(briefing_dir), inp)
        saved.append(sid)
    except ConflictError:
        refused.append(sid)
print(json.dumps({"saved": saved, "refused": refused}))
"""


def test_two_analysts_triaging_the_same_thousand_stories_lose_no_update_and_brief_each_once(store, tmp_path):
    entries = [
        FeedEntry(guid=f"https://a.example/{n}", url=f"https://a.example/{n}", title=f"Story {n}") for n in range(1000)
    ]
    store.upsert_entries(None, entries, "Alpha")
    briefing_dir, go = tmp_path / "briefings", tmp_path / "go"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(store.path), str(briefing_dir), name, grade, str(go)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for name, grade in (("sara", "A1"), ("tom", "C3"))
    ]
    while not all(Path(f"{go}.{name}").exists() for name in ("sara", "tom")):
        assert all(proc.poll() is None for proc in racers), "a racer failed before the start"
        time.sleep(0.01)
    go.touch()
    results = {}
    for name, proc in zip(("sara", "tom"), racers, strict=True):
        out, _ = proc.communicate(timeout=600)
        assert proc.returncode == 0
        results[name] = json.loads(out)
    for name, got in results.items():
        assert len(got["saved"]) + len(got["refused"]) == 1000, f"{name} accounted for every story"
    saved = results["sara"]["saved"] + results["tom"]["saved"]
    refused = results["sara"]["refused"] + results["tom"]["refused"]
    assert sorted(saved) == sorted(refused) == store.story_ids()[::-1], "one save of each story, the other refused"
    assert results["sara"]["saved"] and results["tom"]["saved"], "they raced"
    for sid in store.story_ids():
        story = store.story(sid)
        by = story.triaged_by
        assert story.state is State.TRIAGED and by in ("sara", "tom")
        grade = "A1" if by == "sara" else "C3"  # one writer's complete triage, never a mix
        assert (story.tags, story.grade.code, story.summary) == ((by,), grade, f"{by}'s summary")
        assert sid in results[by]["saved"] and story.version == 1
    items = [sid for sid, _ in parse_note(note_path(briefing_dir, date.today()).read_text(encoding="utf-8"))]
    assert sorted(items) == sorted(store.story_ids()), "every story once in the brief"


def test_the_name_is_validated_in_one_line_and_defaults_to_the_login_name(monkeypatch):
    assert parse_settings({"user": {"name": " Sara K "}}).user.name == "Sara K"
    for bad in ("", "[bold]x[/]", "a\nb", "x" * 33, "\x1b[31mred"):
        with pytest.raises(ConfigError, match="user.name") as err:
            parse_settings({"user": {"name": bad}})
        assert "\n" not in str(err.value)
    monkeypatch.setenv("LOGNAME", "[evil]")
    monkeypatch.setenv("USER", "[evil]")
    assert Settings().user.name == "analyst"
    monkeypatch.setenv("LOGNAME", "tom")
    assert Settings().user.name == "tom"


def test_the_cli_records_the_name_and_json_and_the_briefing_carry_it(home, capsys):
    home.mkdir()
    (home / "config.toml").write_text('[user]\nname = "sara"\n')
    store = Store(Paths.for_home(home).db_file)
    old = store.add_story("https://a.example/old", "Old", source="Alpha")
    apply_triage(store, Paths.for_home(home).briefing_dir, TriageInput(old, ("x",)))  # no name: as before
    sid = store.add_story("https://a.example/1", "One", source="Alpha")
    store.close()
    code, out, _ = run(capsys, "triage", str(sid), "--grade", "B2", "--home", str(home))
    assert code == 0 and "triaged B2 by sara" in out
    code, out, _ = run(capsys, "list", "--json", "--home", str(home))
    listed = {row["id"]: row["triaged_by"] for row in map(json.loads, out.splitlines())}
    assert listed == {sid: "sara", old: ""}
    code, out, _ = run(capsys, "note", str(sid), "--set", "call", "--json", "--home", str(home))
    assert json.loads(out)["by"] == "sara"
    note = note_path(Paths.for_home(home).briefing_dir, date.today()).read_text(encoding="utf-8")
    blocks = dict(parse_note(note))
    assert "- By: sara, " in blocks[sid] and "- By:" not in blocks[old]
    code, out, _ = run(capsys, "brief", "--format", "json", "--home", str(home))
    assert {i["id"]: i["triaged_by"] for i in json.loads(out)["items"]} == {sid: "sara", old: ""}


def test_the_team_brief_merges_an_event_triaged_by_two_analysts_and_credits_both(demo, capsys):
    from tui_reader.cluster import cluster_members

    _, store, paths = demo
    sara, tom = colleague(store, "sara"), colleague(store, "tom")
    event = next(sid for sid in store.story_ids() if len(cluster_members(store, sid)) >= 2)
    first, second = [m.id for m in cluster_members(store, event)][:2]
    other = next(s for s in store.story_ids() if len(cluster_members(store, s)) <= 1)
    apply_triage(sara, paths.briefing_dir, TriageInput(first, ("jordan",), Grade.parse("B2"), "Sara's take."))
    apply_triage(tom, paths.briefing_dir, TriageInput(second, ("jordan",), Grade.parse("C3"), "Tom's take."))
    apply_triage(tom, paths.briefing_dir, TriageInput(other, ("iran",), Grade.parse("A1"), "Tom alone."))
    home = str(paths.config_file.parent)
    code, out, _ = run(capsys, "brief", "--team", "--home", home)
    assert code == 0 and out.startswith("# Team briefing")
    assert out.count("Sara's take.") == 1 and "Tom's take." not in out, "one item per event: the best graded"
    assert "— sara, tom" in out and "— tom" in out and "<!--" not in out
    assert out.index("## iran") < out.index("## jordan")
    code, out, _ = run(capsys, "brief", "--team", "--format", "json", "--home", home)
    items = {i["id"]: i for i in json.loads(out)["items"]}
    assert set(items) == {first, other}
    assert items[first]["credits"] == ["sara", "tom"] and items[first]["triaged_by"] == "sara"
    assert items[other]["credits"] == ["tom"]
    code, _, err = run(capsys, "brief", "--team", "--since", "2026-01-01", "--home", home)
    assert code == 2 and "--team" in err


RULES = """
[[watchlists]]
name = "ports"
terms = ["aqaba"]

[[rules]]
name = "drones"
words = "drone"
tags = ["drones"]

[[rules]]
name = "mine"
words = "crossing"
tags = ["{tag}"]
"""


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_rules_shared_through_the_store_reach_every_analysts_intake_and_their_own_come_instead(
    engine, request, tmp_path, capsys
):
    data = tmp_path / "data"
    where = data / "tui-reader.db" if engine == "sqlite" else request.getfixturevalue("pg_url")
    desk = f'[paths]\ndata_dir = "{data}"\n' if engine == "sqlite" else f'[store]\nurl = "{where}"\n'
    tom_home, sara_home = tmp_path / "tom", tmp_path / "sara"
    for home, name, tag in ((tom_home, "tom", "toms"), (sara_home, "sara", "saras")):
        home.mkdir()
        own = (
            RULES.format(tag=tag)
            if name == "tom"
            else '[[rules]]\nname = "mine"\nwords = "crossing"\ntags = ["saras"]\n'
        )
        (home / "config.toml").write_text(f'{desk}[user]\nname = "{name}"\n{own}')
    store = Store(where)
    drone = store.add_story("https://a.example/1", "Drone hits the crossing", source="Alpha")
    store.close()
    code, out, _ = run(capsys, "rules", "share", "--home", str(tom_home))
    assert code == 0 and "shared 2 rules and 1 watchlists" in out
    code, out, _ = run(capsys, "rules", "apply", "--home", str(sara_home))
    assert code == 0 and "rule 'drones': changed 1 stories" in out
    code, out, err = run(capsys, "triage", "--query", "watch:ports", "--tags", "port", "--home", str(sara_home))
    assert code == 0 and "0 stories changed" in out, err  # sara's queries know the shared watchlist
    story = Store(where).story(drone)
    assert set(story.tags) == {"drones", "saras"}, "the shared rule, and sara's own in place of tom's 'mine'"
    other = Store(where)  # shared from some other tui-reader: no valid rule here
    other.analyst = "tom"
    other.share_settings({"rules": [{"name": "bad", "colour": 1}]})
    other.close()
    code, _, err = run(capsys, "rules", "apply", "--home", str(sara_home))
    assert code == 2 and "shared through the store by tom" in err and "\n" not in err.strip()
    code, out, _ = run(capsys, "rules", "share", "--home", str(sara_home))  # the way out
    assert code == 0 and "shared 1 rules and 0 watchlists" in out
    assert run(capsys, "rules", "apply", "--home", str(sara_home))[0] == 0


def test_a_purge_forgets_its_stories_changes_but_never_hands_out_a_seq_twice(desk):
    sara, tom, ids = desk
    tom.mark_read(ids[0])
    tom.mark_read(ids[2])  # the log's newest row
    newest = sara.change_seq()
    with sara.tx() as c:  # two months old, untriaged: what retention purges
        c.execute("UPDATE stories SET sort_ts = 0, published = 0")
    sara.keep_days = 30
    assert sara.purge().stories == 3
    assert [(c.story_id, c.seq) for c in sara.changes_since(0) if c.kind != "bulk"] == [(ids[2], newest)]
    sara.add_story("https://a.example/new", "New")
    tom.mark_read(sara.story_ids()[0])
    assert sara.change_seq() == newest + 2  # the new story's bulk row, then the read: no seq handed out twice


def test_intake_and_its_rules_log_one_bulk_change_for_their_transaction(desk):
    """A refresh's transaction (feeds stored together, then the rules on their stories) is one row of the log."""
    from tui_reader.rules import parse_rules

    sara, tom, _ = desk
    sara.rules = parse_rules([{"name": "wire", "query": "source:wire", "tags": ["wire"]}])
    seen = tom.change_seq()
    with sara.tx():
        for n in range(2):
            new = sara.upsert_entries(None, [FeedEntry(f"w{n}", f"https://w.example/{n}", f"Wire {n}")], "Wire")
            assert sara.apply_rules(new.new_ids).stories == {"wire": set(new.new_ids)}
    assert [(c.story_id, c.kind) for c in tom.changes_since(seen)] == [(0, "bulk")]
    assert tom.change_seq() == seen + 1
