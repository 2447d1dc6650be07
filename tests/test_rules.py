"""Intake rules through the CLI and the store: config errors, intake, `rules apply`, undo, bounded regexes."""

import json
import re
import time
import tomllib
from pathlib import Path

import pytest

from tests.localserver import Reply
from tui_reader.cli import main
from tui_reader.config import ConfigError, parse_settings
from tui_reader.models import FeedEntry, State
from tui_reader.rules import Rule, guess_language, parse_rules

README = Path(__file__).resolve().parent.parent / "README.md"
ITEMS = [
    ("Drone strike near Deir ez-Zor kills two", "Officials said a drone struck the town on Tuesday.", "syria/1"),
    ("Celebrity wedding draws crowds", "The star married in a lavish ceremony.", "gossip/2"),
    ("Tanker seized in the Strait of Hormuz", "Navy officials said the tanker was boarded.", "gulf/3"),
    ("Le ministre a dit que les pourparlers reprendront", "Les négociations de la semaine prochaine.", "fr/4"),
]


def rss(base: str, items=ITEMS) -> str:
    body = "".join(
        f"<item><title>{t}</title><link>{base}/{path}</link><guid>{path}</guid>"
        f"<pubDate>Tue, 01 Dec 2026 0{n}:00:00 GMT</pubDate><description>{d}</description></item>"
        for n, (t, d, path) in enumerate(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><link>{base}/</link>{body}'
        "</channel></rss>"
    )


RULES = """
[[rules]]
name = "syria"
words = 'syria "deir ez-zor" damascus'
tags = ["syria"]
priority = true

[[rules]]
name = "gossip"
fields = ["title"]
regex = '(?i)celebrity|wedding'
dismiss = true

[[rules]]
name = "gulf-navy"
query = 'tanker navy'
tags = ["gulf"]
grade = "C3"

[[rules]]
name = "french"
fields = ["language"]
words = "fr"
highlight = true
source_letter = "b"

[[rules]]
name = "syria-url"
fields = ["url", "tag"]
words = "syria"
tags = ["levant"]
"""


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def wire(server, home):
    server.routes["/feed.xml"] = Reply(rss(server.base), content_type="application/rss+xml")
    home.mkdir(parents=True, exist_ok=True)
    return server


def stories(capsys, home) -> dict[str, dict]:
    _, out, _ = run(capsys, "--home", str(home), "list", "--json")
    return {r["title"].split()[0]: r for r in map(json.loads, out.splitlines())}


def test_rules_act_at_intake_and_say_which_rule_acted(wire, home, capsys):
    (home / "config.toml").write_text(RULES)
    run(capsys, "--home", str(home), "add", wire.url("/feed.xml"))
    code, out, _ = run(capsys, "--home", str(home), "fetch")
    assert code == 0, out
    got = stories(capsys, home)
    assert got["Drone"]["tags"] == ["syria", "levant"] and got["Drone"]["priority"]
    assert got["Drone"]["rules"] == ["syria", "syria-url"]  # the tag the first rule added fed the second
    assert got["Celebrity"]["state"] == "dismissed" and got["Celebrity"]["rules"] == ["gossip"]
    assert got["Tanker"]["tags"] == ["gulf"] and got["Tanker"]["rules"] == ["gulf-navy"]
    assert got["Le"]["highlight"] and got["Le"]["tags"] == [] and not got["Drone"]["highlight"]


def test_rules_apply_dry_run_then_for_real_then_nothing_left(wire, home, capsys):
    run(capsys, "--home", str(home), "add", wire.url("/feed.xml"))
    run(capsys, "--home", str(home), "fetch")  # no rules yet
    (home / "config.toml").write_text(RULES)
    code, out, _ = run(capsys, "--home", str(home), "rules", "apply", "--dry-run")
    assert code == 0
    assert "rule 'syria': would change 1 stories: priority ×1, tag syria ×1" in out
    assert "rule 'gossip': would change 1 stories: dismiss ×1" in out
    assert all(not r["rules"] and r["state"] == "unread" for r in stories(capsys, home).values())
    _, out, _ = run(capsys, "--home", str(home), "rules", "apply")
    assert "rule 'gulf-navy': changed 1 stories: grade C3 ×1, tag gulf ×1" in out
    assert stories(capsys, home)["Celebrity"]["state"] == "dismissed"
    _, out, _ = run(capsys, "--home", str(home), "rules", "apply")
    assert out.count("changed 0 stories") == 5


def test_undo_reverses_one_rule_on_one_story_and_apply_never_redoes_it(wire, home, capsys):
    (home / "config.toml").write_text(RULES)
    run(capsys, "--home", str(home), "add", wire.url("/feed.xml"))
    run(capsys, "--home", str(home), "fetch")
    got = stories(capsys, home)
    code, out, _ = run(capsys, "--home", str(home), "rules", "undo", "gossip", str(got["Celebrity"]["id"]))
    assert code == 0 and "undid dismiss" in out
    code, out, _ = run(capsys, "--home", str(home), "rules", "undo", "syria", str(got["Drone"]["id"]))
    assert "tag syria" in out and "priority" in out
    after = stories(capsys, home)
    assert after["Celebrity"]["state"] == "unread" and after["Drone"]["tags"] == ["levant"]
    assert not after["Drone"]["priority"] and after["Drone"]["rules"] == ["syria-url"]
    run(capsys, "--home", str(home), "rules", "apply")
    assert stories(capsys, home) == after
    code, _, err = run(capsys, "--home", str(home), "rules", "undo", "syria", str(got["Drone"]["id"]))
    assert code == 2 and "nothing to undo" in err


def test_a_rules_grade_and_letter_are_triage_defaults(wire, home, capsys):
    (home / "config.toml").write_text(RULES)
    run(capsys, "--home", str(home), "add", wire.url("/feed.xml"))
    run(capsys, "--home", str(home), "fetch")
    got = stories(capsys, home)
    code, out, _ = run(capsys, "--home", str(home), "triage", str(got["Tanker"]["id"]))
    assert code == 0 and "triaged C3" in out
    from tui_reader.store import Store
    from tui_reader.triage import default_letter

    store = Store(home / "data" / "tui-reader.db")
    assert default_letter(store, store.story(got["Le"]["id"])) == "B"
    store.close()


@pytest.mark.parametrize(
    "table, key",
    [
        ({"name": "r", "words": "x", "tags": ["a"], "colour": "red"}, "colour"),
        ({"name": "r", "fields": ["title", "body"], "words": "x", "tags": ["a"]}, "fields"),
        ({"name": "r", "regex": "(unclosed", "tags": ["a"]}, "regex"),
        ({"name": "r", "words": "x", "grade": "G9"}, "grade"),
        ({"name": "r", "words": "x", "source_letter": "Q"}, "source_letter"),
        ({"name": "r", "words": "x", "dismiss": "yes"}, "dismiss"),
        ({"name": "r", "words": "x"}, "tags"),
        ({"name": "r", "words": "x", "regex": "y", "tags": ["a"]}, "words, regex or query"),
        ({"name": "r", "query": "state:sideways", "tags": ["a"]}, "query"),
        ({"name": "r", "query": "x", "fields": ["title"], "tags": ["a"]}, "fields"),
    ],
)
def test_a_bad_rule_is_one_line_naming_the_rule_and_the_key(table, key):
    with pytest.raises(ConfigError) as err:
        parse_rules([table])
    assert f"rule 'r': {key}:" in str(err.value) and "\n" not in str(err.value)


def test_a_bad_rule_stops_every_command_so_no_rule_runs(wire, home, capsys):
    (home / "config.toml").write_text(RULES + '\n[[rules]]\nname = "broken"\nregex = "(a"\ndismiss = true\n')
    for command in ("add", "fetch"):
        code, _, err = run(capsys, "--home", str(home), command, *([wire.url("/feed.xml")] if command == "add" else []))
        assert (
            code == 2
            and err.strip()
            == "tui-reader: config: rule 'broken': regex: bad regular expression: missing ) at position 2"
        )
    (home / "config.toml").write_text("")
    assert stories(capsys, home) == {} and not wire.requests


def test_the_readme_documents_every_rule_key_and_its_example_parses():
    block = re.search(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), re.S).group(1)
    commented = re.search(r"^# \[\[rules\]\].*?(?=^[^#]|\Z)", block, re.S | re.M).group(0)
    example = tomllib.loads(re.sub(r"^# ", "", commented, flags=re.M))
    documented = set(re.findall(r"^#(?: #)? (\w+) = ", commented, re.M))
    assert documented == set(Rule.__struct_fields__)
    assert parse_settings(example).rules


def test_a_pathological_regex_times_out_instead_of_hanging_intake(store):
    rule = parse_rules(
        [
            {"name": "evil", "fields": ["title", "text"], "regex": "(a+)+$", "tags": ["x"]},
            {"name": "fine", "words": "quiet", "tags": ["ok"]},
        ]
    )
    store.rules = rule
    ids = store.upsert_entries(
        None,
        [
            FeedEntry("u1", "http://x.example/1", "quiet " + "a" * 100_000 + "!", summary="a" * 100_000 + "!"),
            FeedEntry("u2", "http://x.example/2", "a" * 100_000),
        ],
        "x",
    ).new_ids
    started = time.perf_counter()
    run_ = store.apply_rules(ids)
    assert time.perf_counter() - started < 5
    assert run_.timed_out == ["evil"] and run_.stories["fine"] == {ids[0]}
    assert store.story(ids[0]).tags == ("ok",)


def test_rules_leave_triaged_and_dismissed_stories_alone(store):
    store.rules = parse_rules([{"name": "all", "words": "story", "tags": ["t"], "dismiss": True}])
    ids = store.upsert_entries(
        None, [FeedEntry(f"g{i}", f"http://x.example/{i}", f"story {i}") for i in range(3)], "x"
    ).new_ids
    store.set_state(ids[0], State.TRIAGED)
    store.set_state(ids[1], State.DISMISSED)
    assert store.apply_rules(ids).stories["all"] == {ids[2]}
    assert [store.story(i).tags for i in ids] == [(), (), ("t",)]


@pytest.mark.parametrize(
    "text, lang",
    [
        ("The minister said the talks would resume next week", "en"),
        ("Der Minister sagte, dass die Gespräche nicht", "de"),
        ("El ministro dijo que las conversaciones", "es"),
        ("قال الوزير إن المحادثات ستستأنف", "ar"),
        ("وزیر گفت که مذاکرات از سر گرفته می‌شود", "fa"),
        ("Министр заявил, что переговоры", "ru"),
        ("東京で会談が行われた", "ja"),
        ("12345", ""),
    ],
)
def test_language_is_guessed_from_the_words(text, lang):
    assert guess_language(text) == lang


def test_words_match_whole_words_and_phrases_in_the_field_asked_for(store):
    store.rules = parse_rules([{"name": "ak", "fields": ["text"], "words": '"abu kamal" Bokamal', "tags": ["ak"]}])
    ids = store.upsert_entries(
        None,
        [
            FeedEntry(
                "a", "http://x.example/a", "Convoy", summary="<p>The convoy reached <b>Abu  Kamal</b> at dawn.</p>"
            ),
            FeedEntry("b", "http://x.example/b", "Convoy", summary="<p>It reached Abu Kamali and Bokamals.</p>"),
            FeedEntry("c", "http://x.example/c", "Abu Kamal convoy", summary="<p>Nothing here.</p>"),
            FeedEntry("d", "http://x.example/d", "Convoy", content="<p>Seen near BOKAMAL, officials said.</p>"),
        ],
        "x",
    ).new_ids
    assert store.apply_rules(ids).stories["ak"] == {ids[0], ids[3]}


def test_a_saved_search_lists_like_a_query_and_a_bad_one_stops_at_start(wire, home, capsys):
    (home / "config.toml").write_text('[saved]\ngulf = "tanker navy"\nwire = "source:wire"\n')
    run(capsys, "--home", str(home), "add", wire.url("/feed.xml"))
    code, out, _ = run(capsys, "--home", str(home), "list", "--saved", "gulf")
    assert code == 0 and len(out.splitlines()) == 1 and "Tanker seized" in out
    _, out, _ = run(capsys, "--home", str(home), "list", "--saved", "wire", "--search", "drone")
    assert len(out.splitlines()) == 1 and "Drone strike" in out
    code, _, err = run(capsys, "--home", str(home), "list", "--saved", "nope")
    assert code == 2 and "no saved search 'nope' (saved searches: gulf, wire)" in err
    (home / "config.toml").write_text('[saved]\nbad = "state:sideways"\n')
    code, _, err = run(capsys, "--home", str(home), "list")
    assert code == 2 and err.startswith("tui-reader: config: saved.bad: state:sideways")


def test_bulk_triage_on_a_query_is_one_change_and_one_undo(wire, home, capsys):
    run(capsys, "--home", str(home), "add", wire.url("/feed.xml"))
    before = stories(capsys, home)
    run(capsys, "--home", str(home), "triage", str(before["Tanker"]["id"]), "--grade", "B2")
    code, out, _ = run(
        capsys, "--home", str(home), "triage", "--query", "officials said", "--tags", "Wire Check", "--dismiss"
    )
    assert code == 0 and out.startswith("1 stories changed: dismiss ×1, tag wire-check ×1; undo with: ")
    got = stories(capsys, home)
    assert got["Drone"]["tags"] == ["wire-check"] and got["Drone"]["state"] == "dismissed"
    assert got["Tanker"]["state"] == "triaged" and got["Tanker"]["tags"] == []  # triaged: left alone
    name = out.split("rules undo ")[1].strip().strip("'")
    code, out, _ = run(capsys, "--home", str(home), "rules", "undo", name)
    assert code == 0 and stories(capsys, home)["Drone"] == before["Drone"]
    code, _, err = run(capsys, "--home", str(home), "triage", "--query", "state:nope", "--dismiss")
    assert code == 2 and "state:nope" in err


def assert_titles_match_as_re_does(store, titles: list[str], patterns: list[str]):
    """A regex rule per pattern on stories with ``titles``: each tags exactly the stories ``re.search`` finds."""
    store.rules = parse_rules(
        [{"name": f"p{n}", "fields": ["title"], "regex": p, "tags": [f"p{n}"]} for n, p in enumerate(patterns)]
    )
    ids = store.upsert_entries(
        None, [FeedEntry(f"g{i}", f"http://x.example/{i}", t) for i, t in enumerate(titles)], "x"
    ).new_ids
    run_ = store.apply_rules(ids)
    for n, pattern in enumerate(patterns):
        expected = {i for i in ids if re.search(pattern, store.story(i).title)}
        assert run_.stories.get(f"p{n}", set()) == expected, pattern
    return ids, run_


def test_a_regex_rule_matches_a_story_exactly_when_it_matches_that_story_alone(store):
    """Regular expressions are scanned over a whole batch at once: anchors, lookarounds and matches that
    would run into the next story must still give what the field alone gives."""
    titles = [
        "Breaking: port closed",
        "Not breaking: Breaking news later",
        "sanctions lifted",
        "not sanctions at all",
        "Port 101",
        "Report 202\nsecond line",
        "ends in 303",
        "",
        "a" * 40 + "!",
        "PORT",
    ] * 3
    patterns = [r"^Breaking", r"(?<!not )sanctions", r"(?i)\bport\b", r"\d{3}$", r"(?m)^second", r"\Aends", r"(a+)+!$"]
    assert_titles_match_as_re_does(store, titles, patterns)


def test_words_ignore_case_and_accents_in_every_field(store):
    store.rules = parse_rules(
        [{"name": "dz", "fields": ["title", "source"], "words": '"deir ez-zor" qaim', "tags": ["dz"]}]
    )
    entries = [
        FeedEntry("a", "http://x.example/a", "Shelling in DÈIR EZ ZOR"),
        FeedEntry("b", "http://x.example/b", "Deir and Zor apart"),
        FeedEntry("c", "http://x.example/c", "Nothing"),
    ]
    ids = (
        store.upsert_entries(None, entries, "x").new_ids
        + store.upsert_entries(None, [FeedEntry("d", "http://x.example/d", "Nothing either")], "Al-Qāim Radio").new_ids
    )
    assert store.apply_rules(ids).stories["dz"] == {ids[0], ids[3]}


def test_a_regex_match_running_into_the_next_story_hides_none_of_that_storys_matches(store):
    """The batch's titles are scanned joined by newlines: a match from one title that runs into the next
    must neither count for the first nor hide a match that starts in the second."""
    titles = ["ends 1", "x 2 y 3", "plain", "ends 4", "z"] * 2
    patterns = [r"\d\s\w+\s\d", r"\d\s+\w"]
    ids, run_ = assert_titles_match_as_re_does(store, titles, patterns)
    assert run_.stories["p0"] == {ids[1], ids[6]}


def test_a_regex_on_tags_sees_the_tags_every_earlier_rule_added(store):
    store.rules = parse_rules(
        [
            {"name": "first", "fields": ["tag"], "regex": "^nothing", "tags": ["never"]},
            {"name": "tagger", "words": "convoy", "tags": ["convoy-seen"]},
            {"name": "after", "fields": ["tag"], "regex": r"\bconvoy-seen\b", "priority": True},
        ]
    )
    ids = store.upsert_entries(
        None, [FeedEntry(f"g{i}", f"http://x.example/{i}", t) for i, t in enumerate(["A convoy", "A port"])], "x"
    ).new_ids
    assert store.apply_rules(ids).stories["after"] == {ids[0]}


def test_words_on_source_and_url_match_whole_words_and_phrases_in_any_case_and_accent(store):
    """Words on the source and URL are looked for in all the batch's values at once: what matches is
    still exactly what the value alone holds as words (not parts of words), phrases in order."""
    store.rules = parse_rules(
        [
            {"name": "qaim", "fields": ["source"], "words": "qaim", "tags": ["qaim"]},
            {"name": "desk", "fields": ["source"], "words": '"news desk"', "tags": ["desk"]},
            {"name": "path", "fields": ["url"], "words": '"world mideast"', "tags": ["path"]},
            {"name": "host", "fields": ["url"], "words": "example_org", "tags": ["host"]},
        ]
    )
    feeds = {
        "Al-QĀIM Radio": "http://a.example/world/mideast/1",  # accents and case folded
        "Qaimstan News Desk": "http://b.example/world-mideast/2",  # qaim only inside a word; "news desk" phrase
        "Desk News": "http://c.example/mideast/world/3",  # the phrases' words in the other order
        "Ràdio qaim": "http://example_org.example/4",  # underscore is part of a word, as in the index
        "News, desk": "http://example.org/5",
    }
    ids = [
        store.upsert_entries(None, [FeedEntry(f"g{n}", url, f"Story {n}")], source).new_ids[0]
        for n, (source, url) in enumerate(feeds.items())
    ]
    run_ = store.apply_rules(ids)
    assert run_.stories["qaim"] == {ids[0], ids[3]}
    assert run_.stories["desk"] == {ids[1], ids[4]}
    assert run_.stories["path"] == {ids[0], ids[1]}
    assert run_.stories["host"] == {ids[3]}


def test_a_query_rule_acts_on_the_stories_given_whether_their_ids_run_on_or_not(store):
    store.rules = parse_rules([{"name": "conv", "query": "convoy", "tags": ["c"]}])
    entries = [FeedEntry(f"g{i}", f"http://x.example/{i}", f"Convoy {i}") for i in range(5)]
    ids = store.upsert_entries(None, entries, "x").new_ids
    assert store.apply_rules([ids[0], ids[2], ids[4]]).stories["conv"] == {ids[0], ids[2], ids[4]}
    assert store.apply_rules(ids[1:3]).stories["conv"] == {ids[1]}  # ids[2] was done before
    assert [store.story(i).tags for i in ids] == [("c",)] * 3 + [()] + [("c",)]


def test_rules_on_ids_no_story_has_change_nothing(store):
    rules = parse_rules([{"name": "a", "words": "convoy", "tags": ["t"]}])
    assert store.apply_rules([1, 2], rules).stories == {}  # an empty store
    ids = store.upsert_entries(None, [FeedEntry("g", "http://x.example/1", "Convoy")], "x").new_ids
    assert store.apply_rules([ids[0] + 10], rules).stories == {}
    assert store.story(ids[0]).tags == ()
