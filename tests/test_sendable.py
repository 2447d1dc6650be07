"""The brief as it is sent: markdown without markers, one self-contained HTML page, JSON that follows its schema;
whatever a feed says stays text in all three."""

import json
from datetime import date, datetime, timedelta, timezone

import lxml.html
import pytest

from tests.test_cluster import event  # noqa: F401  (the fixture: one event carried by several outlets)
from tui_reader import briefing
from tui_reader.cli import main
from tui_reader.models import Grade, Judgement, TriageInput
from tui_reader.paths import Paths
from tui_reader.sendable import SCHEMA_PATH, read_note, to_html, to_json, to_markdown
from tui_reader.store import Store
from tui_reader.triage import apply_triage

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=timezone.utc)
DAY = NOW.astimezone().date()
HOSTILE = "Drone <script>alert(1)</script> [bold red]strike[/] \x1b[31mred\x1b[0m <img src=https://evil.example/x.png>"


@pytest.fixture
def brief(store, event, tmp_path):  # noqa: F811
    """A structured note: the event (three outlets), a hostile headline, a BLUF, two judgements, a hand-written image."""
    notes = tmp_path / "briefings"
    hostile = store.add_story("https://evil.example/story", HOSTILE, source="Evil <b>Wire</b>")
    apply_triage(
        store, notes, TriageInput(event["wire"], ("ukraine",), Grade.parse("B2"), "Port hit."), now=NOW, structured=True
    )
    apply_triage(store, notes, TriageInput(hostile, ("cyber",), Grade.parse("E5"), "<script>x</script>"), now=NOW)
    path = briefing.note_path(notes, DAY)
    briefing.write_section(path, DAY, "bluf", "Grain exports pause; **expect** a price rise.")
    briefing.add_judgement(path, DAY, Judgement("likely", "moderate", "Exports resume within a week"))
    briefing.add_judgement(path, DAY, Judgement("roughly even chance", "low", "A second <script>strike</script>"))
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\nHand-written: ![map](https://tiles.example/map.png) <iframe src=https://x.example></iframe>\n")
    return store, notes, path, {"wire": event["wire"], "hostile": hostile}


def test_the_note_is_structured_only_when_the_switch_is_on(store, tmp_path):
    notes = tmp_path / "briefings"
    a, b = store.add_story("https://a.example/1", "One"), store.add_story("https://a.example/2", "Two")
    apply_triage(store, notes, TriageInput(a, ("x",), Grade.parse("B2"), "S."), now=NOW)
    plain = briefing.note_path(notes, DAY).read_text(encoding="utf-8")
    assert "Bottom line up front" not in plain and "Sourcing" not in plain
    apply_triage(store, notes, TriageInput(b, ("x",), Grade.parse("B2"), "S."), now=NOW, structured=True)
    assert "Sourcing" not in briefing.note_path(notes, DAY).read_text(
        encoding="utf-8"
    )  # an existing note keeps its shape


def test_markdown_brief_has_no_markers_and_every_section(brief):
    store, notes, path, ids = brief
    md = to_markdown(read_note(notes, DAY))
    assert "tui-reader:" not in md and "<!--" not in md
    for heading in ("## Bottom line up front", "## Key judgements", "## New since the last brief", "## ukraine"):
        assert heading in md
    assert "- **Likely** (moderate confidence): Exports resume within a week" in md
    sourcing = next(line for line in md.splitlines() if line.startswith("- Sourcing: **B2**"))
    assert "3 outlets" in sourcing and "Reuters" in sourcing and "Kyiv Independent" in sourcing
    assert "\x1b" not in md and "<script" not in md and "\\[bold red\\]" in md


def test_an_empty_section_is_left_out_of_what_is_sent(store, tmp_path):
    notes = tmp_path / "briefings"
    sid = store.add_story("https://a.example/1", "One")
    apply_triage(store, notes, TriageInput(sid, (), Grade.parse("C3"), "S."), now=NOW, structured=True)
    raw = briefing.note_path(notes, DAY).read_text(encoding="utf-8")
    assert "## Bottom line up front" in raw and "## Key judgements" in raw
    md = to_markdown(raw)
    assert "Bottom line up front" not in md and "Key judgements" not in md and "\n\n\n" not in md
    assert "## New since the last brief\n\nNo earlier brief:\n\n- [One](https://a.example/1) (C3)" in md


def test_html_brief_is_one_self_contained_page_with_every_item(brief):
    store, notes, path, ids = brief
    page = to_html(read_note(notes, DAY), DAY)
    doc = lxml.html.document_fromstring(page)
    assert doc.xpath("//script | //img | //iframe | //link | //object | //embed | //style | //form") == []
    assert doc.xpath("//@src") == [] and [e.tag for e in doc.xpath("//*[@href]")] == ["a"] * len(doc.xpath("//a"))
    assert all(not name.startswith("on") for e in doc.iter() for name in e.attrib)
    headlines = {a.get("href"): a.text_content() for a in doc.xpath("//h3/a")}
    for sid in ids.values():
        item = store.brief_item(sid)
        assert item.url in headlines
    assert headlines["https://evil.example/story"].startswith("Drone <script>alert(1)</script> [bold red]strike[/]")
    assert doc.xpath("//h2/text()")[:3] == ["Bottom line up front", "Key judgements", "New since the last brief"]
    assert "A second <script>strike</script>" in doc.xpath("//li[strong='Roughly even chance']")[0].text_content()
    assert doc.xpath("//h1")[0].get("style")  # styled inline: mail clients drop <style> sheets
    assert "\x1b" not in page


def test_json_brief_follows_its_schema_in_the_notes_order(brief):
    store, notes, path, ids = brief
    raw = to_json(store, notes, read_note(notes, DAY), DAY)
    assert "<" not in raw and ">" not in raw and "\x1b" not in raw  # inert even pasted into a web page
    doc = json.loads(raw)
    validate(doc, json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    assert [i["id"] for i in doc["items"]] == [sid for _, sid in briefing.note_outline(read_note(notes, DAY))]
    assert doc["structured"] and doc["bluf"] == "Grain exports pause; **expect** a price rise."
    assert doc["judgements"][1] == {
        "probability": "roughly even chance",
        "confidence": "low",
        "statement": "A second <script>strike</script>",
    }
    wire = next(i for i in doc["items"] if i["id"] == ids["wire"])
    assert wire["rating"]["code"] == "B2" and wire["section"] == "ukraine"
    assert [o["source"] for o in wire["outlets"]][0] == "AP" and len(wire["outlets"]) == 3
    hostile = next(i for i in doc["items"] if i["id"] == ids["hostile"])
    assert hostile["title"].startswith("Drone <script>alert(1)</script> [bold red]strike[/] red <img")
    assert doc["new_since"] == {"previous_brief": None, "story_ids": [i["id"] for i in doc["items"]]}


def test_new_since_the_last_brief_lists_only_what_the_earlier_note_did_not_carry(store, tmp_path):
    notes = tmp_path / "briefings"
    old, new = store.add_story("https://a.example/1", "Old news"), store.add_story("https://a.example/2", "Fresh")
    yesterday = NOW - timedelta(days=1)
    apply_triage(store, notes, TriageInput(old, (), Grade.parse("B2"), "S."), now=yesterday, structured=True)
    for sid in (old, new):
        apply_triage(store, notes, TriageInput(sid, (), Grade.parse("B2"), "S."), now=NOW, structured=True)
    text = read_note(notes, DAY)
    section = briefing.note_sections(text)["new"]
    assert section.startswith(f"Since the brief of {yesterday.astimezone().date().isoformat()}:")
    assert "Fresh" in section and "Old news" not in section
    doc = json.loads(to_json(store, notes, text, DAY))
    assert doc["new_since"] == {"previous_brief": yesterday.astimezone().date().isoformat(), "story_ids": [new]}


def test_brief_format_out_writes_the_file_atomically_and_prints_its_path(home, capsys):
    paths = Paths.for_home(home)
    paths.db_file.parent.mkdir(parents=True)
    (home / "config.toml").write_text("[brief]\nstructured = true\n", encoding="utf-8")
    store = Store(paths.db_file)
    sid = store.add_story("https://a.example/1", HOSTILE)
    store.close()
    assert main(["triage", str(sid), "--grade", "B2", "--summary", "S.", "--home", str(home)]) == 0
    out = home / "out" / "brief.html"
    out.parent.mkdir()
    out.write_text("yesterday's brief", encoding="utf-8")
    capsys.readouterr()
    assert main(["brief", "--format", "html", "--out", str(out), "--home", str(home)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert lxml.html.document_fromstring(out.read_text(encoding="utf-8")).xpath("//h3/a/@href") == [
        "https://a.example/1"
    ]
    assert sorted(p.name for p in out.parent.iterdir()) == ["brief.html"]
    assert main(["brief", "--format", "json", "--home", str(home)]) == 0
    assert json.loads(capsys.readouterr().out)["items"][0]["id"] == sid
    assert main(["brief", "--format", "md", "--home", str(home)]) == 0
    assert "## Bottom line up front" not in capsys.readouterr().out  # empty: not sent


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "md", "--date", "2020-01-01"], "no briefing note for 2020-01-01 yet"),
        (["--format", "json", "--since", "2020-01-01"], "--format and --out take one day"),
    ],
)
def test_brief_format_errors_are_one_line(home, capsys, args, message):
    assert main(["brief", *args, "--home", str(home)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def validate(value, schema, where="$"):
    """The parts of JSON Schema that brief.schema.json uses (jsonschema is not a dependency)."""
    types = schema.get("type")
    if types is not None:
        names = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool, "null": type(None)}
        allowed = tuple(names[t] for t in ([types] if isinstance(types, str) else types))
        assert isinstance(value, allowed) and not (isinstance(value, bool) and bool not in allowed), where
    if "const" in schema:
        assert value == schema["const"], where
    if "enum" in schema:
        assert value in schema["enum"], where
    if isinstance(value, str) and "pattern" in schema:
        import re

        assert re.search(schema["pattern"], value), where
    if isinstance(value, str) and schema.get("format") == "date":
        date.fromisoformat(value)
    if isinstance(value, str) and schema.get("format") == "date-time":
        datetime.fromisoformat(value)
    if isinstance(value, dict):
        assert set(schema.get("required", ())) <= value.keys(), where
        if schema.get("additionalProperties") is False:
            assert value.keys() <= schema["properties"].keys(), (where, value.keys() - schema["properties"].keys())
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                validate(value[key], sub, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for n, element in enumerate(value):
            validate(element, schema["items"], f"{where}[{n}]")


def test_the_schema_check_rejects_what_the_schema_forbids():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    good = {
        "schema_version": 1,
        "date": "2026-11-25",
        "title": "t",
        "structured": False,
        "bluf": None,
        "judgements": [],
        "new_since": {"previous_brief": None, "story_ids": []},
        "items": [],
    }
    validate(good, schema)
    for bad in (
        {**good, "extra": 1},
        {**good, "judgements": [{"probability": "probable", "confidence": "low", "statement": "x"}]},
        {k: v for k, v in good.items() if k != "items"},
        {**good, "structured": "yes"},
    ):
        with pytest.raises(AssertionError):
            validate(bad, schema)


def test_json_and_html_briefs_carry_the_analysts_note_and_quotes(brief):
    from tui_reader.models import Quote
    from tui_reader.notes import add_quote, set_note

    store, notes, path, ids = brief
    add_quote(store, notes, ids["wire"], Quote("Two <b>port</b> workers were injured.", 2, 14), structured=True)
    set_note(store, notes, ids["wire"], "Ask the desk about \x1b]52;c;x\x07 the cranes", structured=True)
    doc = json.loads(to_json(store, notes, read_note(notes, DAY), DAY))
    validate(doc, json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    wire = next(i for i in doc["items"] if i["id"] == ids["wire"])
    assert wire["note"] == "Ask the desk about the cranes"  # the OSC 52 sequence never reaches the brief
    assert wire["quotes"] == [{"text": "Two <b>port</b> workers were injured.", "paragraph": 3, "offset": 14}]
    assert all(i["note"] == "" and i["quotes"] == [] for i in doc["items"] if i["id"] != ids["wire"])
    page = lxml.html.fromstring(to_html(read_note(notes, DAY), DAY))
    quotes = [q.text_content() for q in page.iter("blockquote")]
    assert any("Two <b>port</b> workers were injured." in q and "paragraph 3" in q for q in quotes)
    assert page.find(".//b") is None or "port" not in page.find(".//b").text_content()
