"""Rating many stories at once ("rate all shown", R in the list; `triage --query Q --grade B2`): one transaction,
one note write with each story's item once, and one undo that puts back exactly what the batch changed."""

from datetime import datetime, timedelta, timezone

import pytest
from msgspec.structs import replace

from tests.screen import Toasts, screen_text, workers_done
from tests.test_rules import run, stories, wire  # noqa: F401 - wire: the rules tests' feed, as a fixture
from tui_reader import briefing
from tui_reader.briefing import note_path, parse_note
from tui_reader.models import Grade, State, TriageInput
from tui_reader.store import Store
from tui_reader.triage import apply_triage, rate_many, undo_ratings

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=timezone.utc)
DAY = NOW.astimezone().date()
HOSTILE = "<script>alert(1)</script> [click](javascript:x) \x1b[31m**red**\x1b[0m <!-- /tui-reader:item -->"


def as_triaged(store, story_id):
    """A story as the analyst sees it: its version moves on with every change, an undo included (colleagues'
    saves over the batch must be refused), so it is left out."""
    return replace(store.story(story_id), version=0)


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "db.sqlite")
    for n, (host, title) in enumerate(
        [("news.example", "Story 1"), ("other.example", "Story 2"), ("third.example", HOSTILE)], start=1
    ):
        s.add_story(f"https://{host}/story/{n}", title, source=host, published=NOW - timedelta(hours=n))
    return s


@pytest.fixture
def notes(tmp_path):
    return tmp_path / "briefings"


def note_text(notes) -> str:
    path = note_path(notes, DAY)
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_rating_many_triages_each_once_in_one_note_write_keeping_tags_and_summaries(store, notes, monkeypatch):
    apply_triage(store, notes, TriageInput(2, ("iran",), Grade.parse("C3"), "My own words."), now=NOW)
    writes = []
    real = briefing.write_atomic
    monkeypatch.setattr(briefing, "write_atomic", lambda path, text: writes.append(path) or real(path, text))
    name, rated = rate_many(store, notes, [1, 2, 3, 2], Grade.parse("b2"), now=NOW + timedelta(minutes=5))
    assert rated == 3 and name.startswith("rate ") and len(writes) == 1
    assert [store.story(i).grade.code for i in (1, 2, 3)] == ["B2"] * 3
    assert {store.story(i).state for i in (1, 2, 3)} == {State.TRIAGED}
    assert store.story(2).tags == ("iran",) and store.story(2).summary == "My own words."
    text = note_text(notes)
    assert sorted(i for i, _ in parse_note(text)) == [1, 2, 3]
    assert all(text.count(f"<!-- tui-reader:item {i} -->") == 1 for i in (1, 2, 3))
    assert "**C3**" not in text and text.count("**B2**") == 3
    assert store.pending_logs() == []


def test_hostile_titles_are_escaped_in_the_note(store, notes):
    rate_many(store, notes, [3], Grade.parse("E5"), now=NOW)
    block = dict(parse_note(note_text(notes)))[3]
    assert "<script" not in block and "\x1b" not in block and " [click](javascript" not in block
    assert block.count("<!-- /tui-reader:item -->") == 1 and "&lt;script" in block


def test_undo_puts_back_each_story_and_takes_out_only_the_items_the_batch_added(store, notes):
    store.mark_read(1)
    apply_triage(store, notes, TriageInput(2, ("iran",), Grade.parse("C3"), "Mine."), now=NOW)
    path = note_path(notes, DAY)
    path.write_text(path.read_text(encoding="utf-8") + "\nWritten by hand.\n", encoding="utf-8")
    before = {i: as_triaged(store, i) for i in (1, 2, 3)}
    letters = {s.name: s.letter for s in store.sources()}
    name, _ = rate_many(store, notes, [1, 2, 3], Grade.parse("A1"), now=NOW + timedelta(minutes=5))
    assert {s.name: s.letter for s in store.sources()} != letters

    assert undo_ratings(store, notes, name) == 3
    assert {i: as_triaged(store, i) for i in (1, 2, 3)} == before
    assert store.story(1).state == State.READ and store.story(3).state == State.UNREAD
    assert [h[0] for h in store.triage_history(2)] == ["C3"] and store.triage_history(1) == []
    assert {s.name: s.letter for s in store.sources()} == letters
    text = note_text(notes)
    assert [i for i, _ in parse_note(text)] == [2] and "**C3**" in text and "Written by hand." in text
    assert undo_ratings(store, notes, name) is None  # once


def test_undo_leaves_a_story_triaged_again_since_and_brings_back_a_displaced_copy(store, notes):
    store.conn.execute("UPDATE stories SET cluster_id = 7, cluster_size = 2 WHERE id IN (1, 2)")
    apply_triage(store, notes, TriageInput(2, grade=Grade.parse("C3")), now=NOW)
    name, _ = rate_many(store, notes, [1, 3], Grade.parse("B2"), now=NOW + timedelta(minutes=1))
    assert sorted(i for i, _ in parse_note(note_text(notes))) == [1, 3]  # one item per event: 1 took 2's place
    apply_triage(store, notes, TriageInput(3, ("mine",), Grade.parse("D4")), now=NOW + timedelta(minutes=2))
    assert undo_ratings(store, notes, name) == 1
    assert store.story(3).grade.code == "D4" and store.story(1).state == State.UNREAD
    assert sorted(i for i, _ in parse_note(note_text(notes))) == [2, 3]


def test_the_cli_rates_what_a_query_finds_and_rules_undo_puts_it_back(wire, home, capsys):
    run(capsys, "--home", str(home), "add", wire.url("/feed.xml"))
    before = stories(capsys, home)
    run(capsys, "--home", str(home), "triage", str(before["Celebrity"]["id"]), "--dismiss")
    code, out, _ = run(
        capsys, "--home", str(home), "triage", "--query", "source:wire", "--grade", "b2", "--reason", "wire"
    )
    assert code == 0 and out.startswith("3 stories rated B2; undo with: tui-reader rules undo 'rate ")
    got = stories(capsys, home)
    assert {t: s["rating"] for t, s in got.items()} == {"Drone": "B2", "Tanker": "B2", "Le": "B2", "Celebrity": None}
    assert got["Celebrity"]["state"] == "dismissed"  # out of the inbox: not rated
    note = next(home.rglob("*.md")).read_text(encoding="utf-8")
    assert note.count("**B2**") == 3
    name = out.split("rules undo ")[1].strip().strip("'")
    code, out, _ = run(capsys, "--home", str(home), "rules", "undo", name)
    assert code == 0 and out == "put back the ratings of 3 stories\n"
    got = stories(capsys, home)
    assert all(got[t] == before[t] for t in ("Drone", "Tanker", "Le"))
    assert "tui-reader:item" not in next(home.rglob("*.md")).read_text(encoding="utf-8")
    for bad, said in ((["--grade", "Z9"], "invalid Admiralty grade"), (["--grade", "B2", "--tags", "x"], "rates only")):
        code, _, err = run(capsys, "--home", str(home), "triage", "--query", "officials", *bad)
        assert code == 2 and said in err and len(err.splitlines()) == 1


async def test_R_rates_every_story_shown_after_asking_the_grade_and_how_many_and_u_undoes(demo):
    from tui_reader.ui.app import ReaderApp
    from tui_reader.ui.screens.confirm import ConfirmScreen, GradeScreen
    from tui_reader.ui.widgets.story_list import StoryList

    server, store, paths = demo
    app = ReaderApp(store, paths)
    toasts = Toasts()
    async with app.run_test(size=(80, 24), message_hook=toasts.hook) as pilot:
        await pilot.press("slash", *"red sea", "enter")
        await workers_done(app)
        await pilot.pause()
        shown = list(app.query_one(StoryList).story_ids)
        before = {i: as_triaged(store, i) for i in shown}
        await pilot.press("R", "B")
        await pilot.pause()
        assert isinstance(app.screen, GradeScreen) and "Rating B_ — usually reliable" in screen_text(app)
        await pilot.press("2")
        await workers_done(app)
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert f"Rate the {len(shown)} stories shown B2" in screen_text(app)
        await pilot.press("y")
        await workers_done(app)
        await pilot.pause()
        assert all(store.story(i).grade == Grade.parse("B2") for i in shown)
        assert any(f"Rated {len(shown)} stories B2" in t for t in toasts)
        note = briefing.note_path(paths.briefing_dir, datetime.now().astimezone().date())
        in_note = [i for i, _ in parse_note(note.read_text(encoding="utf-8"))]
        events = set(store.cluster_of(shown).values())
        assert set(in_note) <= set(shown) and len(in_note) == len(set(in_note)) == len(events)  # one item per event
        await pilot.press("u")
        await workers_done(app)
        await pilot.pause()
        assert {i: as_triaged(store, i) for i in shown} == before
        assert parse_note(note.read_text(encoding="utf-8")) == []
        await pilot.press("R", "escape")  # cancelled: nothing asked, nothing changed
        await pilot.pause()
        assert not isinstance(app.screen, (GradeScreen, ConfirmScreen))
