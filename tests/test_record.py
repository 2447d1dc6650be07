"""The analyst's record: notes and quotes per story, the source register and its history, wire copies."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from tests.test_cli import run
from tui_reader.briefing import note_path, parse_note
from tui_reader.cluster import cluster_members, cluster_new, suggest_credibility
from tui_reader.config import ClusterSettings, Settings
from tui_reader.models import FeedEntry, Grade, Quote, State, Story, TriageInput
from tui_reader.notes import add_quote, article_paragraphs, layout, paragraphs, quote_of, set_note
from tui_reader.paths import Paths
from tui_reader.query import parse_filter
from tui_reader.sources import wire_credit
from tui_reader.store import MIGRATIONS, Store
from tui_reader.triage import apply_triage, default_letter

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=timezone.utc)
TEXT = (
    "Russian drones struck a grain terminal in the port of Izmail overnight, regional officials said.\n\n"
    "Oleh Kiper, the governor, said air defenses shot down 17 of the 25 drones launched from Crimea.\n\n"
    "Two port workers were injured."
)


@pytest.fixture
def two(store):
    """Two stories of one outlet and one of another."""
    ids = [
        store.add_story(f"https://{host}/s/{n}", f"Story {n}", source=name, summary=f"Feed text {n}.")
        for n, (host, name) in enumerate([("a.example", "Alpha"), ("a.example", "Alpha"), ("b.example", "Beta")])
    ]
    return ids


def blocks(notes):
    path = note_path(notes, NOW.astimezone().date())
    return dict(parse_note(path.read_text(encoding="utf-8")))


# -- notes and quotes -------------------------------------------------------------------------


def test_a_selection_of_display_lines_is_a_quote_at_its_paragraph_and_offset():
    paras = paragraphs(TEXT)
    lines = layout(paras, 30)
    assert all(line is None or len(paras[line.paragraph][line.start : line.end]) <= 30 for line in lines)
    # every word of every paragraph is on exactly one display line, in order
    for n, para in enumerate(paras):
        shown = " ".join(para[ln.start : ln.end] for ln in lines if ln is not None and ln.paragraph == n)
        assert shown == para
    second = [i for i, ln in enumerate(lines) if ln is not None and ln.paragraph == 1]
    quote = quote_of(paras, lines, second[1], second[0])  # either direction
    assert quote.paragraph == 1 and quote.offset == 0
    assert paras[1].startswith(quote.text) and quote.text.count(" ") > 2
    across = quote_of(paras, lines, second[-1], second[-1] + 2)  # last line of ¶2 to the first of ¶3
    assert across.paragraph == 1 and across.offset > 0
    assert across.text.split("\n")[1] == paras[2][: lines[second[-1] + 2].end]
    assert quote_of(paras, lines, second[-1] + 1, second[-1] + 1) is None  # the blank line between


def test_a_mouse_selection_is_found_in_the_paragraphs_or_refused():
    from tui_reader.notes import quote_of_text

    paras = paragraphs(TEXT)
    quote = quote_of_text(paras, "air defenses shot down 17\n\nTwo port workers")
    assert (quote.paragraph, quote.offset, quote.text) == (
        1,
        paras[1].index("air"),
        "air defenses shot down 17\nTwo port workers",
    )
    assert quote_of_text(paras, "A caption that is not in the text") is None
    assert quote_of_text(paras, " \n ") is None


def test_hostile_text_is_cleaned_before_it_can_be_shown_or_quoted():
    paras = paragraphs("Evil \x1b[31mred\x1b[0m [bold]markup[/bold]\u202e\n\nnext")
    assert "\x1b" not in paras[0] and "\u202e" not in paras[0] and "[bold]" in paras[0]


def test_notes_and_quotes_reach_the_briefing_item_and_survive_a_hand_edit(two, store, tmp_path):
    notes = tmp_path / "briefings"
    sid = two[0]
    apply_triage(store, notes, TriageInput(sid, ("ports",), Grade.parse("B2"), "Summary."), now=NOW)
    add_quote(store, notes, sid, Quote("Two port workers were injured.", 2, 0))
    set_note(store, notes, sid, "Ask the desk\n# not a heading\n<!-- /tui-reader:item --> [x](javascript:y)")
    path = note_path(notes, NOW.astimezone().date())
    text = path.read_text(encoding="utf-8")
    path.write_text("My intro, by hand.\n" + text, encoding="utf-8")
    add_quote(store, notes, sid, Quote("drones launched from Crimea", 1, 70))
    text = path.read_text(encoding="utf-8")
    assert text.startswith("My intro, by hand.\n")
    block = blocks(notes)[sid]
    assert "Note: Ask the desk" in block and "\n\\# not a heading" in block
    assert block.count("<!-- /tui-reader:item -->") == 1 and "\\[x\\](javascript" in block  # not a link
    lines = block.splitlines()
    assert lines.index("> drones launched from Crimea") < lines.index("> Two port workers were injured.")
    assert "> — paragraph 2" in lines and "> — paragraph 3" in lines


def test_a_note_on_an_untriaged_story_waits_for_its_triage(two, store, tmp_path):
    notes = tmp_path / "briefings"
    set_note(store, notes, two[1], "Worth a follow-up")
    assert not notes.exists() or not any(notes.iterdir())
    apply_triage(store, notes, TriageInput(two[1], grade=Grade.parse("C3")), now=NOW)
    assert "Note: Worth a follow-up" in blocks(notes)[two[1]]


def test_note_words_search_the_note_and_the_quotes_only(two, store, tmp_path):
    set_note(store, tmp_path, two[0], "convoy turned back")
    add_quote(store, tmp_path, two[1], Quote("the convoy was stopped at dawn", 0, 0))
    assert sorted(store.story_ids(parse_filter("note:convoy"))) == sorted(two[:2])
    assert store.story_ids(parse_filter("note:convoy note:dawn")) == [two[1]]
    assert store.story_ids(parse_filter("note:feed")) == []  # feed text is not a note
    assert store.story_ids(parse_filter("feed")) != []
    set_note(store, tmp_path, two[0], "")
    assert store.story_ids(parse_filter("note:turned")) == []


def test_the_passage_text_falls_back_to_the_feeds_own(two, store):
    story = store.story(two[0])
    assert article_paragraphs(story, None) == ["Feed text 0."]


# -- the source register ------------------------------------------------------------------------


def test_every_grade_given_is_in_its_sources_history_with_when_which_story_and_why(two, store, tmp_path):
    notes = tmp_path / "briefings"
    assert [(s.name, s.letter, s.rated) for s in store.sources()] == [("Alpha", "F", False), ("Beta", "F", False)]
    apply_triage(store, notes, TriageInput(two[0], grade=Grade.parse("B2"), reason="long record"), now=NOW)
    apply_triage(store, notes, TriageInput(two[0], ("x",), grade=Grade.parse("B2")), now=NOW)  # same grade again
    apply_triage(store, notes, TriageInput(two[1], grade=Grade.parse("C3")), now=NOW + timedelta(hours=1))
    history = store.source_history("Alpha")
    assert [(e.grade, e.story_id, e.reason) for e in history] == [("B2", two[0], "long record"), ("C3", two[1], "")]
    assert history[0].story_title == "Story 0" and history[0].at < history[1].at
    alpha = store.source_info("Alpha")
    assert (alpha.letter, alpha.rated, alpha.latest, alpha.stories, alpha.triaged) == ("C", True, ("C3", "B2"), 2, 2)
    assert store.source_history("Beta") == []


def test_changing_a_letter_regrades_untriaged_stories_only_when_asked(two, store, tmp_path):
    notes = tmp_path / "briefings"
    third = store.add_story("https://a.example/s/9", "Story 9", source="Alpha")
    apply_triage(store, notes, TriageInput(two[0], grade=Grade.parse("B2")), now=NOW)
    assert default_letter(store, store.story(two[1])) == "B"
    assert store.set_source_letter("Alpha", "D", reason="two retractions", regrade=False) == 0
    assert default_letter(store, store.story(two[1])) == "B"  # kept the letter it was offered
    newer = store.add_story("https://a.example/s/10", "Story 10", source="Alpha")
    assert default_letter(store, store.story(newer)) == "D"
    assert store.set_source_letter("Alpha", "E", regrade=True) == 3  # two[1], third, newer
    assert {default_letter(store, store.story(i)) for i in (two[1], third, newer)} == {"E"}
    assert store.story(two[0]).grade == Grade.parse("B2")  # a triaged story keeps its grade
    assert [(e.letter, e.grade, e.reason) for e in store.source_history("Alpha")] == [
        ("B", "B2", ""),
        ("D", "", "two retractions"),
        ("E", "", ""),
    ]


def test_migration_from_a_v10_store_keeps_every_triage_and_builds_the_history(tmp_path, monkeypatch):
    import tui_reader.store.schema as store_module

    path = tmp_path / "v10.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:10])
    old = Store(path)
    assert old.schema_version == 10
    with old.tx() as c:
        for sid, source in ((1, "Alpha"), (2, "Alpha"), (3, "")):
            c.execute(
                "INSERT INTO stories(id, guid, url, url_key, title, source, domain, fetched, sort_ts, state) "
                "VALUES (?, ?, ?, 0, ?, ?, ?, 0, 0, 'triaged')",
                (sid, f"g{sid}", f"https://a.example/{sid}", f"Story {sid}", source, "a.example"),
            )
        c.execute("INSERT INTO triage(story_id, grade, summary, triaged_at) VALUES (1, 'C3', 'kept', 200)")
        c.execute("INSERT INTO triage(story_id, grade, summary, triaged_at) VALUES (2, NULL, 'unrated', 250)")
        c.execute("INSERT INTO triage(story_id, grade, summary, triaged_at) VALUES (3, 'A1', 'by domain', 300)")
        for sid, grade, at in ((1, "B2", 100), (1, "B2", 150), (1, "C3", 200), (2, None, 250), (3, "A1", 300)):
            c.execute(
                "INSERT INTO triage_history(story_id, grade, summary, tags, triaged_at) VALUES (?, ?, '', '', ?)",
                (sid, grade, at),
            )
        c.execute("INSERT INTO source_grades(domain, reliability, updated) VALUES ('a.example', 'A', 300)")
    old.close()
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS)
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS) >= 11 and store.integrity_ok()
    assert [(store.story(i).grade, store.story(i).summary) for i in (1, 2, 3)] == [
        (Grade.parse("C3"), "kept"),
        (None, "unrated"),
        (Grade.parse("A1"), "by domain"),
    ]
    assert [(e.grade, e.story_id, e.at.timestamp()) for e in store.source_history("Alpha")] == [
        ("B2", 1, 100),
        ("C3", 1, 200),
    ]
    assert [(s.name, s.letter, s.latest) for s in store.sources()] == [
        ("a.example", "A", ("A1",)),  # a story without a feed name is its domain's
        ("Alpha", "C", ("C3", "B2")),
    ]
    assert store.brief_item(1).note == "" and store.brief_item(1).quotes == ()


def test_the_migration_queues_the_newest_weeks_clustered_stories_to_find_their_wire_copies(tmp_path, monkeypatch):
    import tui_reader.store.schema as store_module

    path = tmp_path / "v10.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:10])
    old = Store(path)
    day = 86400
    with old.tx() as c:
        for sid, ts in ((1, 0), (2, 30 * day), (3, 36 * day)):
            c.execute(
                "INSERT INTO stories(id, guid, url, url_key, title, fetched, sort_ts) VALUES (?, ?, ?, 0, 'x', 0, ?)",
                (sid, f"g{sid}", f"https://a.example/{sid}", ts),
            )
            c.execute("INSERT INTO cluster_sigs(story_id, sort_ts, url_key, sig) VALUES (?, ?, 0, x'')", (sid, ts))
    old.close()
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS)
    store = Store(path)
    assert store.has_cluster_backlog()
    assert sorted(r[0] for r in store.conn.execute("SELECT story_id FROM cluster_stale")) == [2, 3]


# -- wire copies --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "byline, text, agency",
    [
        ("By Jane Doe, Associated Press", "", "AP"),
        ("", "BEIRUT (Reuters) - Israeli jets struck…", "Reuters"),
        ("", "KYIV (AFP) — Russian drones…", "AFP"),
        ("Maya Gebeily", "Text. (Reporting by Maya Gebeily; Editing by Alex Richardson)", ""),
        ("", "Text. © 2026 The Associated Press. All rights reserved.", "AP"),
        ("dpa", "", "dpa"),
        ("AP Photo/Hussein Malla", "A photo credit says nothing about the text.", ""),
        ("Jane Doe", "Reuters reported earlier that talks had stalled.", ""),
    ],
)
def test_wire_credit(byline, text, agency):
    assert wire_credit(byline, text) == agency


STORY = (
    "Russian drones struck a grain terminal in the port of Izmail overnight, setting fire to warehouses holding "
    "about 40,000 tons of wheat bound for Egypt and Israel, regional officials said Tuesday. Oleh Kiper, the "
    "governor of the Odesa region, said air defenses shot down 17 of the 25 drones launched from the Crimean "
    "peninsula, but debris and two direct hits started fires that burned for six hours."
)
REWRITE = (
    "A Russian drone attack overnight set fire to a grain terminal in the Ukrainian port of Izmail, with "
    "warehouses holding about 40,000 tons of wheat bound for Egypt and Israel, regional officials said Tuesday. "
    "Oleh Kiper, the governor of the Odesa region, said air defenses shot down 17 of the 25 drones launched from "
    "the Crimean peninsula, but debris and two direct hits started fires that burned for six hours and more."
)


def test_reprints_of_one_agency_story_are_one_source_not_corroboration(store):
    def add(name, slug, body, author="", hours=0):
        feed = store.add_feed(f"https://{slug}.example/rss", name)
        at = NOW + timedelta(hours=hours)
        item = FeedEntry(slug, f"https://{slug}.example/izmail", "Drones hit Izmail", author=author, published=at)
        return store.upsert_entries(feed.id, [_with(item, body)], name).new_ids[0]

    own = add("Kyiv Post", "kp", STORY)
    first = add("Daily One", "d1", "IZMAIL (AP) — " + REWRITE, hours=1)
    second = add("Daily Two", "d2", "IZMAIL (AP) — " + REWRITE.replace("and more", "at least"), hours=2)
    cluster_new(store, [own, first, second], ClusterSettings())
    members = {m.id: m for m in cluster_members(store, own)}
    assert set(members) == {own, first, second}
    assert members[first].mark == " (wire copy: AP)" and members[second].wire == "AP"
    assert store.story(own).cluster_size == 2  # the Kyiv Post and AP, not three outlets
    assert suggest_credibility(store, own)[1].startswith("carried by 1 other independent outlet")


def _with(item, body):
    from msgspec.structs import replace

    return replace(item, content=body)


# -- the command line ---------------------------------------------------------------------------


def test_sources_json_lists_outlets_with_counts_and_latest_grades_and_the_history(home, capsys):
    store = Store(Paths.for_home(home).db_file)
    a = store.add_story("https://a.example/1", "One", source="Alpha [bold]x[/bold]\x1b[2J")
    store.add_story("https://a.example/2", "Two", source="Alpha [bold]x[/bold]\x1b[2J")
    store.add_story("https://b.example/1", "Three", source="Beta")
    name = store.story(a).outlet
    store.close()
    code, out, _ = run(capsys, "triage", str(a), "--grade", "b2", "--reason", "long record", "--home", str(home))
    assert code == 0
    code, out, _ = run(capsys, "sources", "--json", "--home", str(home))
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows[1] == {
        "name": "Beta",
        "letter": "F",
        "rated": False,
        "stories": 1,
        "untriaged": 1,
        "triaged": 0,
        "latest": [],
    }
    assert (rows[0]["letter"], rows[0]["rated"], rows[0]["latest"], rows[0]["untriaged"]) == ("B", True, ["B2"], 1)
    assert "\x1b" not in out
    code, out, _ = run(
        capsys, "sources", name, "--letter", "d", "--reason", "retracted", "--regrade", "--home", str(home)
    )
    assert code == 0 and "is now D (1 untriaged stories re-graded)" in out
    code, out, _ = run(capsys, "sources", name, "--json", "--home", str(home))
    history = [json.loads(line) for line in out.splitlines()]
    assert [(h["letter"], h["grade"], h["story_id"], h["reason"]) for h in history] == [
        ("B", "B2", a, "long record"),
        ("D", None, None, "retracted"),
    ]
    code, _, err = run(capsys, "sources", name, "--letter", "Q", "--home", str(home))
    assert code == 2 and "A-F" in err
    code, _, err = run(capsys, "sources", "Nobody", "--home", str(home))
    assert code == 2 and "no source 'Nobody'" in err


def test_note_from_the_command_line(home, capsys):
    store = Store(Paths.for_home(home).db_file)
    sid = store.add_story("https://a.example/1", "One", source="Alpha")
    store.close()
    code, out, _ = run(capsys, "note", str(sid), "--set", "call the desk", "--json", "--home", str(home))
    by = Settings().user.name  # the login name: no [user] name in this home's config
    assert code == 0 and json.loads(out) == {"id": sid, "note": "call the desk", "by": by, "quotes": []}
    code, _, err = run(capsys, "note", "99", "--home", str(home))
    assert code == 2 and "no story with id 99" in err
    assert State.UNREAD is Store(Paths.for_home(home).db_file).story(sid).state


def test_a_story_with_only_its_feeds_html_is_quoted_by_its_paragraphs_not_its_tags():
    story = Story(
        id=1,
        url="https://wire.example/a",
        title="Port reopens",
        source="Wire",
        feed_content="<p>The port <b>reopened</b> at dawn.</p><figure><figcaption>A crane</figcaption></figure>"
        "<p>Ships queued <a href='/q'>outside</a>.</p><script>track()</script>",
    )
    assert article_paragraphs(story, None) == ["The port reopened at dawn.", "Ships queued outside."]
