"""The daily briefing note: layout, hand edits kept, hostile text contained, and crash/concurrency safety."""

import itertools
import multiprocessing
import os
import random
import re
import signal
import time
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui_reader import briefing
from tui_reader.briefing import (
    BriefingError,
    add_judgement,
    apply_changes,
    note_path,
    parse_note,
    rebuild_day,
    render_item,
    update_note,
    write_section,
)
from tui_reader.cluster import corroborated
from tui_reader.errors import JudgementError
from tui_reader.models import PROBABILITY_WORDS, BriefItem, Grade, Judgement, State, TriageInput
from tui_reader.store import Store
from tui_reader.triage import apply_triage, reconcile_logs

DAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=timezone.utc)
FORK = multiprocessing.get_context("fork")
MARKER_LINE = re.compile(r"^<!-- /?tui-reader:item", re.MULTILINE)


def item(story_id, tags=("iran",), grade="B2", summary="Fighters crossed the border.", **kw):
    fields = dict(
        story_id=story_id,
        title=f"Story {story_id}",
        url=f"https://news.example/{story_id}",
        source="News Example",
        published=NOW - timedelta(hours=1),
        grade=Grade.parse(grade) if grade else None,
        tags=tuple(tags),
        summary=summary,
        triaged_at=NOW,
    )
    fields.update(kw)
    return BriefItem(**fields)


def ids(text):
    return [story_id for story_id, _ in parse_note(text)]


def assert_well_formed(text):
    """Every marker line belongs to a parsed block: nothing half written or forged."""
    assert text.startswith("# Briefing — ")
    blocks = parse_note(text)
    assert len(MARKER_LINE.findall(text)) == 2 * len(blocks)
    return blocks


@pytest.fixture
def path(tmp_path):
    return note_path(tmp_path / "briefings", DAY)


# -- layout ---------------------------------------------------------------------------------


def test_note_path_is_built_from_a_validated_date(tmp_path):
    assert note_path(tmp_path, DAY) == tmp_path / "2026-11-25.md"
    assert note_path(tmp_path, "2026-11-25") == tmp_path / "2026-11-25.md"
    for bad in ("../../etc/passwd", "2026-13-01", "2026-11-25/../x", ""):
        with pytest.raises(BriefingError, match="invalid date"):
            note_path(tmp_path, bad)


def test_new_note_has_a_title_groups_by_first_tag_and_orders_by_rating(path):
    update_note(
        path,
        DAY,
        [
            item(1, ("iran", "syria"), "C3"),
            item(2, ("iran",), "A1"),
            item(3, (), "A1"),
            item(4, ("cyber",), None),
            item(5, ("iran",), "B2"),
            item(6, ("cyber",), "F6"),
        ],
    )
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Briefing — 2026-11-25\n\n## cyber\n")
    headings = re.findall(r"^## (.*)$", text, re.MULTILINE)
    assert headings == ["cyber", "iran", "Untagged"]
    assert ids(text) == [6, 4, 2, 5, 1, 3]
    assert_well_formed(text)


def test_rendered_block_shows_everything_the_analyst_sends():
    block = render_item(
        item(
            7,
            ("iran", "syria"),
            "B2",
            "Line one.\n\nLine two.",
            also=(("Wire", "https://wire.example/a"), ("Bad", "javascript:alert(1)")),
        )
    )
    assert block.startswith("<!-- tui-reader:item 7 -->\n### [Story 7](https://news.example/7)\n")
    assert block.endswith("<!-- /tui-reader:item -->\n")
    for part in (
        "- Source: News Example",
        "- Published: 2026-11-25 09:30 UTC",
        "- Rating: **B2** (usually reliable; probably true)",
        "- Tags: iran, syria",
        "> Line one.\n>\n> Line two.",
        "Also reported by: [Wire](https://wire.example/a), Bad",
    ):
        assert part in block


def test_retriage_replaces_the_block_in_place(path):
    update_note(path, DAY, [item(1, grade="A1"), item(2, grade="B2"), item(3, grade="C3")])
    before = path.read_text(encoding="utf-8")
    update_note(path, DAY, [item(2, grade="F6", summary="Revised.")])  # rating change does not move it
    after = path.read_text(encoding="utf-8")
    assert ids(after) == [1, 2, 3]
    old, new = dict(parse_note(before))[2], dict(parse_note(after))[2]
    assert after == before.replace(old, new) and "Revised." in new


def test_hand_written_text_is_kept_byte_for_byte(path):
    update_note(path, DAY, [item(1, grade="A1"), item(2, grade="C3")])
    text = path.read_text(encoding="utf-8")
    block2 = dict(parse_note(text))[2]
    intro = "Morning team — quiet night.\r\nSee <b>raw</b> HTML & a [link](x).\n\n"
    comment = "  my comment between items, trailing spaces   \n"
    edited = text.replace("## iran\n", intro + "## iran\n").replace(block2, comment + block2)
    raw = edited.encode() + b"Sign-off \xff\xfe (not UTF-8), no final newline"
    path.write_bytes(raw)
    update_note(path, DAY, [item(3, grade="B2"), item(1, grade="A1", summary="Updated.")])
    out = path.read_bytes()
    assert out.startswith(raw.split(b"<!-- tui-reader:item 1")[0])
    assert (comment + block2).encode() in out
    assert out.endswith(b"Sign-off \xff\xfe (not UTF-8), no final newline")
    assert ids(out.decode("utf-8", "surrogateescape")) == [1, 3, 2]


def test_item_deleted_by_hand_is_not_resurrected_unless_retriaged(path):
    update_note(path, DAY, [item(1), item(2)])
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(dict(parse_note(text))[1], ""), encoding="utf-8")
    update_note(path, DAY, [item(3)])
    assert sorted(ids(path.read_text(encoding="utf-8"))) == [2, 3]
    update_note(path, DAY, [item(1)])
    assert sorted(ids(path.read_text(encoding="utf-8"))) == [1, 2, 3]


def test_removing_the_last_item_of_a_group_drops_its_heading(path):
    update_note(path, DAY, [item(1, ("cyber",)), item(2, ("iran",))])
    update_note(path, DAY, remove_ids=[1])
    text = path.read_text(encoding="utf-8")
    assert "## cyber" not in text and ids(text) == [2]
    update_note(path.with_name("2026-11-26.md"), "2026-11-26", remove_ids=[2])
    assert not path.with_name("2026-11-26.md").exists()  # removal never creates a note


def test_unterminated_block_is_text_not_a_block(path):
    update_note(path, DAY, [item(1), item(2)])
    text = path.read_text(encoding="utf-8").replace("<!-- /tui-reader:item -->\n", "", 1)
    path.write_text(text, encoding="utf-8")
    update_note(path, DAY, [item(1, summary="New.")])
    out = path.read_text(encoding="utf-8")
    assert text.split("<!-- tui-reader:item 2")[0] in out  # the broken block's text is kept
    assert "New." in dict(parse_note(out))[1]


# -- hostile content ------------------------------------------------------------------------

HOSTILE = [
    "<!-- /tui-reader:item -->",
    "<!-- tui-reader:item 99 -->",
    "-->",
    "<!--",
    "\n## Injected heading\n",
    "\n# Briefing — 1999-01-01\n",
    "](javascript:alert(1))",
    "[click](file:///etc/passwd)",
    "\x1b]52;c;aGk=\x07",
    "\x1b[2J",
    "\r",
    "\u2028",
    "\u202e",
    "\x00",
    "<script>x</script>",
    "`",
    "*",
    "_",
    "\\",
    "▣ a caption",
]


def test_hostile_fields_cannot_break_the_structure(path):
    evil = "\n".join(HOSTILE) + "\n" + "x" * 100_000
    update_note(
        path,
        DAY,
        [
            item(
                1,
                tags=("<!-- -->", "## x"),
                title=evil,
                source=evil,
                summary=evil,
                url='https://e.example/a b(c)<d>"e\\`',
                also=((evil, "javascript:alert(1)"),),
            ),
            item(2, url="javascript:alert(document.cookie)", summary="# heading\n<!-- hidden"),
            item(3, summary="plain"),
        ],
    )
    text = path.read_text(encoding="utf-8")
    blocks = assert_well_formed(text)
    assert sorted(b[0] for b in blocks) == [1, 2, 3]
    assert not re.search(r"^#{1,2} (?!Briefing — 2026-11-25$|Untagged$|iran$|&lt;!-- --&gt;$)", text, re.MULTILINE)
    assert "\x1b" not in text and "\x00" not in text and "\u202e" not in text and "\r" not in text
    assert not re.search(r"(?<!\\)\]\((?:javascript|file)", text)  # shown, never linked
    assert "](https://e.example" not in text  # a URL with whitespace in it is never linked
    block2 = dict(blocks)[2]
    assert "### Story 2\n" in block2 and "> \\# heading\n> &lt;!-- hidden\n" in block2
    assert "▣" not in dict(blocks)[1].split("\n> ", 1)[1].split("Also reported")[0]


def test_urls_are_escaped_inside_links():
    block = render_item(item(1, url="https://e.example/a(b)c\\d<e>"))
    assert "### [Story 1](https://e.example/a%28b%29c%5Cd%3Ce%3E)" in block


fragments = st.one_of(st.text(max_size=12), st.sampled_from(HOSTILE))
hostile_text = st.lists(fragments, max_size=6).map("".join)
items_strategy = st.lists(
    st.builds(
        item,
        story_id=st.integers(1, 10**9),
        tags=st.lists(hostile_text, max_size=3),
        grade=st.sampled_from([None, "A1", "B2", "C3", "F6"]),
        summary=hostile_text,
        title=hostile_text,
        source=hostile_text,
        url=st.sampled_from(["https://a.example/x", "javascript:alert(1)", "https://b.example/(x)", ""]),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda i: i.story_id,
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=items_strategy, extra=hostile_text)
def test_write_parse_write_is_stable(items, extra):
    text = apply_changes("", DAY, items)
    assert dict(assert_well_formed(text)) == {i.story_id: render_item(i) for i in items}
    assert apply_changes(text, DAY, items) == text  # re-saving changes nothing
    # Hand-written text (even hostile-looking) around blocks survives an update.
    edited = text + extra.replace("<!--", "") + "\n"
    again = apply_changes(edited, DAY, items[:1])
    assert again == edited
    dropped = apply_changes(text, DAY, remove_ids=[items[0].story_id])
    assert sorted(ids(dropped)) == sorted(i.story_id for i in items[1:])


# -- the file on disk -----------------------------------------------------------------------


def test_write_is_atomic_keeps_mode_and_cleans_stale_temp_files(path):
    update_note(path, DAY, [item(1)])
    os.chmod(path, 0o640)
    stale = path.with_name(f".{path.name}.abc123.tmp")
    stale.write_text("half a note", encoding="utf-8")
    update_note(path, DAY, [item(2)])
    assert not stale.exists()
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_change_on_disk_during_an_update_is_merged_not_overwritten(path, monkeypatch):
    update_note(path, DAY, [item(1)])
    real = briefing.apply_changes
    calls = []

    def editor_saves_meanwhile(text, *args, **kw):
        if not calls:  # an editor that ignores our lock writes between our read and our replace
            with open(path, "a", encoding="utf-8") as fh:
                fh.write("Analyst note typed meanwhile.\n")
        calls.append(1)
        return real(text, *args, **kw)

    monkeypatch.setattr(briefing, "apply_changes", editor_saves_meanwhile)
    update_note(path, DAY, [item(2)])
    text = path.read_text(encoding="utf-8")
    assert "Analyst note typed meanwhile." in text and sorted(ids(text)) == [1, 2]
    assert len(calls) == 2


def _write_many(path, first, count):
    for n in range(first, first + count):
        update_note(path, DAY, [item(n, tags=(("iran", "cyber")[n % 2],), grade="ABC"[n % 3] + "2")])


def test_two_processes_writing_at_once_both_land(path):
    path.parent.mkdir(parents=True)
    procs = [FORK.Process(target=_write_many, args=(path, first, 15)) for first in (1, 101)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(20)
        assert p.exitcode == 0
    blocks = assert_well_formed(path.read_text(encoding="utf-8"))
    assert sorted(b[0] for b in blocks) == list(range(1, 16)) + list(range(101, 116))


# -- store and note together ----------------------------------------------------------------


def _triage_until_killed(db, notes, seed):
    store = Store(db)
    rng = random.Random(seed)
    n = 0
    while True:
        n += 1
        sid = rng.randint(1, 5)
        dismiss = rng.random() < 0.15
        apply_triage(
            store,
            notes,
            TriageInput(
                sid,
                (rng.choice(["iran", "cyber", ""]),),
                Grade.parse(rng.choice(["A1", "B2", "C3"])),
                f"Summary {seed}/{n}: " + "word " * rng.randint(1, 400),
                dismiss=dismiss,
            ),
            now=NOW,
        )


def test_kill_9_during_saves_never_loses_or_tears_the_note(tmp_path):
    db, notes = tmp_path / "db.sqlite", tmp_path / "briefings"
    store = Store(db)
    for n in range(1, 6):
        store.add_story(f"https://news.example/{n}", f"Story {n}")
    store.close()
    rng = random.Random(7)
    path = note_path(notes, NOW.astimezone().date())
    for iteration in range(30):
        proc = FORK.Process(target=_triage_until_killed, args=(db, notes, iteration))
        proc.start()
        time.sleep(rng.uniform(0.005, 0.08))
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()
        if path.exists():  # before any repair: never truncated, never half written
            assert_well_formed(path.read_text(encoding="utf-8"))
        store = Store(db)
        reconcile_logs(store, notes)
        assert store.pending_logs() == []
        noted = dict(parse_note(path.read_text(encoding="utf-8"))) if path.exists() else {}
        for sid in range(1, 6):
            story = store.story(sid)
            if story.state == State.TRIAGED:
                assert noted.get(sid) == render_item(corroborated(store, store.brief_item(sid))), (iteration, sid)
            else:
                assert sid not in noted
        assert store.integrity_ok()
        store.close()
    assert path.exists()


def _triage_in_turn(db, notes, who):
    store = Store(db)
    for n in range(24):
        sid = 1 + n % 8
        apply_triage(
            store, notes, TriageInput(sid, (("iran", "cyber")[n % 2],), Grade.parse("B2"), f"{who} pass {n}."), now=NOW
        )


def test_two_instances_triaging_the_same_stories_agree_with_the_store(tmp_path):
    db, notes = tmp_path / "db.sqlite", tmp_path / "briefings"
    store = Store(db)
    for n in range(1, 9):
        store.add_story(f"https://news.example/{n}", f"Story {n}")
    store.close()
    procs = [FORK.Process(target=_triage_in_turn, args=(db, notes, who)) for who in ("ssh-1", "ssh-2")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    store = Store(db)
    noted = dict(assert_well_formed(note_path(notes, NOW.astimezone().date()).read_text(encoding="utf-8")))
    assert noted == {
        sid: render_item(corroborated(store, store.brief_item(sid))) for sid in range(1, 9)
    }  # latest save wins in both
    assert len(store.triage_history(1)) == 6 and store.pending_logs() == []


def test_rebuild_day_readds_the_days_items_and_drops_dismissed_ones(tmp_path):
    store, notes = Store(tmp_path / "db.sqlite"), tmp_path / "briefings"
    for n in range(1, 4):
        store.add_story(f"https://news.example/{n}", f"Story {n}")
        apply_triage(store, notes, TriageInput(n, ("iran",), Grade.parse("B2"), f"S{n}."), now=NOW)
    path = note_path(notes, NOW.astimezone().date())
    text = path.read_text(encoding="utf-8")
    path.write_text("Intro.\n" + text.replace(dict(parse_note(text))[1], ""), encoding="utf-8")
    store.set_state(2, State.DISMISSED)  # e.g. dismissed from another tool without a note update
    assert rebuild_day(store, notes, NOW.astimezone().date()) == path
    out = path.read_text(encoding="utf-8")
    assert out.startswith("Intro.\n") and sorted(ids(out)) == [1, 3]
    assert rebuild_day(store, notes, "2026-01-01") == note_path(notes, "2026-01-01")
    assert not note_path(notes, "2026-01-01").exists()  # nothing triaged that day: no empty note


def test_unwritable_briefing_dir_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the directory should be", encoding="utf-8")
    with pytest.raises(BriefingError) as err:
        update_note(blocker / "2026-11-25.md", DAY, [item(1)])
    assert "\n" not in str(err.value)


# -- the structured brief -------------------------------------------------------------------------

BLUF_BLOCK = re.compile(r"<!-- tui-reader:bluf -->\n.*?<!-- /tui-reader:bluf -->\n", re.DOTALL)
ANY_MARKER = re.compile(r"^<!-- (/?)tui-reader:(item|bluf|judgements|new)\b", re.MULTILINE)


def assert_structured(text):
    """Every marker closes what it opened, each section appears once, every judgement line reads back."""
    assert_well_formed(text)
    markers = ANY_MARKER.findall(text)
    assert [kind for end, kind in markers if not end] == [kind for end, kind in markers if end]
    sections = briefing.note_sections(text)
    assert sorted(sections) == ["bluf", "judgements", "new"]
    lines = [line for line in sections["judgements"].splitlines() if line.strip()]
    assert len(briefing.parse_judgements(sections["judgements"])) == len(lines)
    return sections


def test_structured_note_starts_with_its_sections_and_items_carry_a_sourcing_line(path):
    also = (("Reuters", "https://reuters.example/1"), ("AP", "https://ap.example/1"))
    update_note(path, DAY, [item(1, also=also)], structured=True)
    text = path.read_text(encoding="utf-8")
    sections = assert_structured(text)
    assert text.index("## Bottom line up front") < text.index("## Key judgements") < text.index("## iran")
    assert "- Sourcing: **B2**; 3 outlets: News Example, Reuters, AP" in dict(parse_note(text))[1]
    assert sections["new"] == "No earlier brief:\n\n- [Story 1](https://news.example/1) (B2)"
    update_note(path.with_name("2026-11-26.md"), "2026-11-26", [item(2)])
    assert "Sourcing" not in path.with_name("2026-11-26.md").read_text(encoding="utf-8")  # plain stays the default


def test_bluf_and_judgements_are_the_analysts_and_survive_saves_and_hand_edits(path):
    update_note(path, DAY, [item(1)], structured=True)
    write_section(path, DAY, "bluf", "First bottom line.")
    add_judgement(path, DAY, Judgement("likely", "high", "The ceasefire holds"))
    text = path.read_text(encoding="utf-8").replace("First bottom line.", "Edited by hand.\n\nA second paragraph.")
    text = text.replace(
        "(high confidence): The ceasefire holds",
        "(high confidence): The ceasefire holds\n- **Unlikely** (low confidence): Typed by hand",
    )
    path.write_text(text + "Outro by hand.\n", encoding="utf-8")
    update_note(path, DAY, [item(2, grade="A1"), item(1, summary="Changed.")])
    out = path.read_text(encoding="utf-8")
    sections = assert_structured(out)
    assert sections["bluf"] == "Edited by hand.\n\nA second paragraph." and out.endswith("Outro by hand.\n")
    assert briefing.parse_judgements(sections["judgements"]) == [
        Judgement("likely", "high", "The ceasefire holds"),
        Judgement("unlikely", "low", "Typed by hand"),
    ]
    write_section(path, DAY, "bluf", "Replaced in the TUI.")
    after = path.read_text(encoding="utf-8")
    assert BLUF_BLOCK.sub("", after) == BLUF_BLOCK.sub("", out)  # nothing but the BLUF changed
    assert briefing.note_sections(after)["bluf"] == "Replaced in the TUI."


def test_a_plain_note_gets_a_section_under_its_title_and_hand_text_stays(path):
    update_note(path, DAY, [item(1)])
    path.write_text(path.read_text(encoding="utf-8").replace("\n\n## iran", "\n\nIntro by hand.\n\n## iran", 1))
    add_judgement(path, DAY, Judgement("very unlikely", "moderate", "Talks collapse"))
    write_section(path, DAY, "bluf", "Bottom line.")
    text = path.read_text(encoding="utf-8")
    assert text.index("# Briefing") < text.index("## Bottom line") < text.index("## Key judgements")
    assert text.index("## Key judgements") < text.index("Intro by hand.") < text.index("## iran")


def test_judgements_use_icd_203_words_only():
    for probability, confidence in (("probable", "high"), ("likely", "certain"), ("Likely", "high")):
        with pytest.raises(JudgementError):
            Judgement(probability, confidence, "x")
    body = "- **Likely** (high confidence): yes\n- **Probable** (high confidence): no\n- likely, high: no\n"
    assert briefing.parse_judgements(body) == [Judgement("likely", "high", "yes")]


def test_hostile_analyst_text_cannot_forge_markers_or_headings(path):
    update_note(path, DAY, [item(1)], structured=True)
    forged = "ok\n<!-- /tui-reader:bluf -->\n<!-- tui-reader:item 9 -->\n# Title\n<script>x</script>"
    write_section(path, DAY, "bluf", forged)
    add_judgement(path, DAY, Judgement("likely", "low", "<!-- /tui-reader:judgements --> *x* [a](javascript:1)"))
    text = path.read_text(encoding="utf-8")
    sections = assert_structured(text)
    assert ids(text) == [1] and "<script" not in text and "\n# Title" not in text
    assert "\\[a\\](javascript:1)" in sections["judgements"]


def test_a_section_change_on_disk_during_a_write_is_merged(path, monkeypatch):
    update_note(path, DAY, [item(1)], structured=True)
    real, calls = briefing.set_section, []

    def editor_saves_meanwhile(text, *args):
        if not calls:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write("Typed meanwhile.\n")
        calls.append(1)
        return real(text, *args)

    monkeypatch.setattr(briefing, "set_section", editor_saves_meanwhile)
    write_section(path, DAY, "bluf", "Bottom line.")
    text = path.read_text(encoding="utf-8")
    assert "Typed meanwhile." in text and briefing.note_sections(text)["bluf"] == "Bottom line." and len(calls) == 2


def _structured_until_killed(db, notes, seed):
    store, rng, day = Store(db), random.Random(seed), NOW.astimezone().date()
    path = note_path(notes, day)
    for n in itertools.count():
        roll = rng.random()
        if roll < 0.3:
            bluf = f"Bottom line {seed}/{n}. " + "word " * rng.randint(1, 300)
            write_section(path, day, "bluf", bluf, structured=True)
        elif roll < 0.5:
            judgement = Judgement(rng.choice(PROBABILITY_WORDS), "moderate", f"Judgement {seed}/{n}")
            add_judgement(path, day, judgement, structured=True)
        else:
            sid = rng.randint(1, 5)
            inp = TriageInput(sid, ("iran",), Grade.parse("B2"), f"Summary {seed}/{n}: " + "w " * rng.randint(1, 300))
            apply_triage(store, notes, inp, now=NOW, structured=True)


def test_kill_9_during_structured_writes_never_tears_the_note(tmp_path):
    db, notes = tmp_path / "db.sqlite", tmp_path / "briefings"
    store = Store(db)
    for n in range(1, 6):
        store.add_story(f"https://news.example/{n}", f"Story {n}")
    store.close()
    path = note_path(notes, NOW.astimezone().date())
    rng = random.Random(11)
    judgements = 0
    for iteration in range(25):
        proc = FORK.Process(target=_structured_until_killed, args=(db, notes, iteration))
        proc.start()
        time.sleep(rng.uniform(0.01, 0.08))
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()
        if not path.exists():
            continue
        sections = assert_structured(path.read_text(encoding="utf-8"))  # before any repair
        found = len(briefing.parse_judgements(sections["judgements"]))
        assert found >= judgements  # a judgement once written is never lost
        judgements = found
        store = Store(db)
        reconcile_logs(store, notes, structured=True)
        noted = dict(parse_note(path.read_text(encoding="utf-8")))
        for sid, block in noted.items():
            assert block == render_item(corroborated(store, store.brief_item(sid)), structured=True)
        store.close()
    assert path.exists() and judgements > 0
