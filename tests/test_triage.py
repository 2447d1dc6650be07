"""Triage: tags, grades, per-source memory, and the store + briefing-note save path."""

from datetime import datetime, timedelta, timezone

import pytest

from tui_reader.briefing import note_path, parse_note, render_item
from tui_reader.cluster import corroborated
from tui_reader.errors import GradeError
from tui_reader.models import Grade, State, TriageInput
from tui_reader.store import Store
from tui_reader.triage import (
    TriageError,
    apply_triage,
    default_letter,
    normalize_tag,
    parse_tags,
    reconcile_logs,
)

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=timezone.utc)
DAY = NOW.astimezone().date()


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "db.sqlite")
    for n, host in enumerate(["news.example", "www.news.example", "other.example"], start=1):
        s.add_story(
            f"https://{host}/story/{n}",
            f"Story {n}",
            source=host,
            published=NOW - timedelta(hours=n),
            summary=f"Feed text of story {n}.",
        )
    return s


@pytest.fixture
def notes(tmp_path):
    return tmp_path / "briefings"


def blocks(notes, day=DAY):
    path = note_path(notes, day)
    return dict(parse_note(path.read_text(encoding="utf-8"))) if path.exists() else {}


@pytest.mark.parametrize(
    "raw, tag",
    [
        ("  Middle  East ", "middle-east"),
        ("IRAN", "iran"),
        ("cyber/ransomware", "cyber-ransomware"),
        ("../../etc/passwd", "etc-passwd"),
        ("..\\x", "x"),
        ("## [x](y) <!-- -->", "xy"),
        ("a - b", "a-b"),
        ("Ελλάδα 2026", "ελλάδα-2026"),
        ("\x1b[31mred\x1b[0m", "red"),
        ("   ", ""),
    ],
)
def test_normalize_tag(raw, tag):
    assert normalize_tag(raw) == tag


def test_parse_tags_keeps_order_and_drops_duplicates_and_empties():
    assert parse_tags(" Iran, syria,,IRAN , Middle East, ") == ("iran", "syria", "middle-east")
    assert parse_tags("") == () and parse_tags(None) == ()


@pytest.mark.parametrize("text", ["G9", "A7", "B", "2", "", "B22", "A-1"])
def test_bad_grade_is_one_line_naming_the_problem(text):
    with pytest.raises(GradeError) as err:
        Grade.parse(text)
    assert "\n" not in str(err.value) and "A-F" in str(err.value)


def test_grade_parse_is_lenient_about_case_and_space():
    assert Grade.parse(" b2 ").code == "B2"
    assert Grade.parse("A1").words == "completely reliable; confirmed by other sources"


def test_unknown_story_is_refused_and_nothing_is_saved(store, notes):
    with pytest.raises(TriageError, match="no story with id 999"):
        apply_triage(store, notes, TriageInput(999, ("x",), Grade.parse("B2")), now=NOW)
    assert store.tag_counts() == [] and store.pending_logs() == []
    assert not note_path(notes, DAY).exists()


def test_source_letter_defaults_to_the_last_one_given_to_that_domain(store, notes):
    first, same_site, other = (store.story(i) for i in (1, 2, 3))
    assert default_letter(store, first) is None
    apply_triage(store, notes, TriageInput(1, grade=Grade.parse("C3")), now=NOW)
    apply_triage(store, notes, TriageInput(1, grade=Grade.parse("B3")), now=NOW)
    assert default_letter(store, same_site) == "B"  # www. is the same source
    assert default_letter(store, other) is None


def test_apply_triage_saves_the_store_and_writes_the_note(store, notes):
    item = apply_triage(
        store, notes, TriageInput(1, (" Iran ", "Syria", "iran"), Grade.parse("B2"), "  Fighters crossed.  "), now=NOW
    )
    story = store.story(1)
    assert story.state == State.TRIAGED and story.tags == ("iran", "syria")
    assert story.grade.code == "B2" and story.summary == "Fighters crossed."
    assert blocks(notes) == {1: render_item(item)}
    assert store.pending_logs() == []
    text = note_path(notes, DAY).read_text(encoding="utf-8")
    assert text.startswith(f"# Briefing — {DAY.isoformat()}\n") and "## iran" in text


def test_retriage_replaces_the_block_and_keeps_history(store, notes):
    apply_triage(store, notes, TriageInput(1, ("iran",), Grade.parse("C3"), "First view."), now=NOW)
    apply_triage(store, notes, TriageInput(2, ("iran",), Grade.parse("B2"), "Other."), now=NOW)
    apply_triage(store, notes, TriageInput(1, ("iran",), Grade.parse("A1"), "Second view."), now=NOW)
    got = blocks(notes)
    assert list(got) == [2, 1]  # replaced in place, not moved
    assert "Second view." in got[1] and "First view." not in got[1]
    assert [h[0] for h in store.triage_history(1)] == ["C3", "A1"]


def test_dismiss_takes_the_item_out_of_the_note(store, notes):
    apply_triage(store, notes, TriageInput(1, ("iran",), Grade.parse("B2"), "Kept."), now=NOW)
    apply_triage(store, notes, TriageInput(2, ("iran",), Grade.parse("B2"), "Dropped."), now=NOW)
    apply_triage(store, notes, TriageInput(2, dismiss=True), now=NOW + timedelta(days=1))
    assert store.story(2).state == State.DISMISSED
    assert list(blocks(notes)) == [1]


def test_other_outlets_in_the_cluster_are_listed(store, notes):
    store.conn.execute("UPDATE stories SET cluster_id = 7, cluster_size = 2 WHERE id IN (1, 3)")
    item = apply_triage(store, notes, TriageInput(1, grade=Grade.parse("B1")), now=NOW)
    assert item.also == (("other.example", "https://other.example/story/3"),)
    assert "Also reported by: [other.example](https://other.example/story/3)" in blocks(notes)[1]


def test_reconcile_replays_a_save_whose_note_update_never_ran(store, notes):
    # What a crash right after the store transaction leaves behind.
    store.save_triage(TriageInput(3, ("cyber",), Grade.parse("A2"), "Crashed before the note."), DAY.isoformat())
    assert store.pending_logs() == [(3, DAY.isoformat())]
    assert reconcile_logs(store, notes) == 1
    assert blocks(notes) == {3: render_item(corroborated(store, store.brief_item(3)))}
    assert store.pending_logs() == [] and reconcile_logs(store, notes) == 0


def test_reconcile_drops_a_journal_row_whose_day_is_not_a_date(store, notes, tmp_path):
    store.save_triage(TriageInput(3, summary="x"), "../../escape")
    assert reconcile_logs(store, notes) == 0
    assert store.pending_logs() == []
    assert not list(tmp_path.rglob("*.md"))
