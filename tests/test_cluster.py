"""Corroboration: clusters across outlets, copies, the time window, updates, suggestion, briefing."""

import tempfile
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_reader.cluster import (
    also_reported,
    catch_up,
    cluster_members,
    cluster_new,
    corroborated,
    event_tokens,
    salient,
    signature,
    similarity,
    suggest_credibility,
)
from tui_reader.config import ClusterSettings
from tui_reader.models import FeedEntry, Grade, TriageInput
from tui_reader.store import Store
from tui_reader.urls import canonical_url

T0 = datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)
SETTINGS = ClusterSettings()

# One event (a drone strike on a Danube grain port), reported by a wire and rewritten by two outlets.
WIRE = (
    "Russian drones struck a grain terminal in the port of Izmail overnight, setting fire to warehouses holding "
    "about 40,000 tons of wheat bound for Egypt and Israel, regional officials said Tuesday. "
    "Oleh Kiper, the governor of the Odesa region, said air defenses shot down 17 of the 25 drones launched from "
    "the Crimean peninsula, but debris and two direct hits started fires that burned for six hours. "
    "Two port workers were injured and taken to hospital with burns, Kiper said on Telegram. "
    "The Izmail terminal on the Danube has become a key route for Ukrainian grain exports since Russia pulled out "
    "of the Black Sea grain deal. Romania, whose border lies across the river, said it was monitoring the attack "
    "and that no drone had entered its airspace. Ukraine's agriculture ministry said exports would resume once "
    "the fires were out and the damage to loading equipment had been assessed."
)
REWRITE_B = (
    "A Russian drone attack overnight set fire to a grain terminal in the Ukrainian port of Izmail, with "
    "warehouses holding about 40,000 tons of wheat bound for Egypt and Israel, regional officials said Tuesday. "
    "Oleh Kiper, the governor of the Odesa region, said air defenses shot down 17 of the 25 drones launched from "
    "the Crimean peninsula, but debris and two direct hits started fires that burned for six hours. "
    "Two port workers were injured and taken to hospital with burns, Kiper said on Telegram. "
    "The Izmail terminal on the Danube has become a key route for Ukrainian grain exports since Russia pulled out "
    "of the Black Sea grain deal. Romania, whose border lies across the river, said it was monitoring the attack. "
    "Wheat futures in Chicago rose 1.2% on the news."
)
REWRITE_C = (
    "Russian drones struck a grain terminal in the port of Izmail overnight, setting fire to warehouses holding "
    "about 40,000 tons of wheat bound for Egypt and Israel, officials said on Tuesday. "
    "Governor Oleh Kiper said Ukrainian air defenses downed 17 of 25 drones launched from Crimea, "
    "but debris and two direct hits started fires that burned for six hours. "
    "Two port workers were injured and taken to hospital with burns, Kiper said on Telegram. "
    "The Izmail terminal on the Danube has become a key route for Ukrainian grain exports since Russia pulled out "
    "of the Black Sea grain deal. Romania, whose border lies across the river, said it was monitoring the attack "
    "and that no drone had entered its airspace."
)
# Shares most of the vocabulary (drones, port, grain, governor, air defenses...) but is another event.
UNRELATED = (
    "Ukrainian drones struck an oil depot in the Russian port of Novorossiysk overnight, setting fire to fuel "
    "tanks, the regional governor said Tuesday. Air defenses shot down 12 drones over the Black Sea, the Russian "
    "defense ministry said, but debris started a fire at the port that burned for several hours. No workers were "
    "injured, the governor said on Telegram. The Novorossiysk terminal handles about a fifth of Russian grain and "
    "oil exports, and the attack came as Russia pressed its strikes on Ukrainian ports on the Danube."
)


def entry(slug: str, domain: str, title: str, body: str, at: datetime = T0) -> FeedEntry:
    return FeedEntry(guid=slug, url=f"https://www.{domain}/{slug}", title=title, published=at, content=body)


def add(store: Store, source: str, domain: str, *entries: FeedEntry) -> list[int]:
    feed = store.add_feed(f"https://{domain}/rss", source)
    return store.upsert_entries(feed.id, list(entries), source).new_ids


@pytest.fixture
def event(store):
    """The wire story, two rewrites, one verbatim wire copy and the unrelated look-alike."""
    ids = {
        "wire": add(
            store, "AP", "apnews.com", entry("izmail", "apnews.com", "Russian drones hit Danube grain port", WIRE)
        )[0],
        "b": add(
            store,
            "Reuters",
            "reuters.com",
            entry(
                "izmail-b", "reuters.com", "Drone attack sets Izmail port ablaze", REWRITE_B, T0 + timedelta(hours=2)
            ),
        )[0],
        "c": add(
            store,
            "Kyiv Independent",
            "kyivindependent.com",
            entry(
                "izmail-c",
                "kyivindependent.com",
                "Grain terminal burns after Russian drone strike",
                REWRITE_C,
                T0 + timedelta(hours=3),
            ),
        )[0],
        "copy": add(
            store,
            "Yahoo News",
            "news.yahoo.com",
            entry(
                "izmail-ap",
                "news.yahoo.com",
                "Russian drones hit Danube grain port",
                WIRE + " Copyright 2026 The Associated Press.",
                T0 + timedelta(hours=1),
            ),
        )[0],
        "other": add(
            store,
            "Moscow Times",
            "themoscowtimes.com",
            entry(
                "novorossiysk",
                "themoscowtimes.com",
                "Drones set Novorossiysk oil depot on fire",
                UNRELATED,
                T0 + timedelta(hours=1),
            ),
        )[0],
    }
    cluster_new(store, ids.values(), SETTINGS)
    return ids


def sizes(store, ids):
    return {name: store.story(i).cluster_size for name, i in ids.items()}


def test_fixture_texts_sit_where_the_test_claims():
    sig = {
        name: signature(text)
        for name, text in {"wire": WIRE, "b": REWRITE_B, "c": REWRITE_C, "other": UNRELATED}.items()
    }
    assert similarity(sig["wire"], sig["b"]) >= 0.5
    assert similarity(sig["wire"], sig["c"]) >= 0.5
    assert similarity(sig["wire"], sig["other"]) < 0.1


def test_rewrites_cluster_and_count_independent_outlets(store, event):
    assert sizes(store, event) == {"wire": 3, "b": 3, "c": 3, "copy": 3, "other": 1}
    members = cluster_members(store, event["b"])
    assert [m.id for m in members] == [event["wire"], event["copy"], event["b"], event["c"]]
    assert [m.source for m in cluster_members(store, event["other"])] == ["Moscow Times"]


def test_verbatim_wire_copy_is_marked_and_not_counted(store, event):
    by_id = {m.id: m for m in cluster_members(store, event["wire"])}
    assert by_id[event["copy"]].is_copy and not by_id[event["wire"]].is_copy
    assert not by_id[event["b"]].is_copy and not by_id[event["c"]].is_copy
    assert (
        store.conn.execute("SELECT copy_of FROM stories WHERE id = ?", (event["copy"],)).fetchone()[0] == event["wire"]
    )


def test_unrelated_story_sharing_vocabulary_stays_single_source(store, event):
    assert store.story(event["other"]).cluster_size == 1
    assert also_reported(store, event["other"]) == ()
    assert suggest_credibility(store, event["other"]) == (
        "3",
        "single source: no other independent outlet carries this story",
    )


def test_clustering_again_changes_nothing(store, event):
    report = cluster_new(store, event.values(), SETTINGS)
    assert (report.stories, report.changed) == (0, [])
    assert sizes(store, event)["wire"] == 3


def test_story_updated_in_place_keeps_one_membership(store, event):
    feed = store.feed_by_url("https://reuters.com/rss")
    updated = entry(
        "izmail-b",
        "reuters.com",
        "Drone attack sets Izmail port ablaze (updated)",
        REWRITE_B + " Ukraine's agriculture ministry said exports would resume soon.",
        T0 + timedelta(hours=2),
    )
    assert store.upsert_entries(feed.id, [updated], "Reuters").updated == 1
    report = cluster_new(store, [event["b"]], SETTINGS)
    assert report.stories == 1 and report.linked == 1
    members = [m.id for m in cluster_members(store, event["wire"])]
    assert sorted(members) == sorted([event["wire"], event["copy"], event["b"], event["c"]])
    assert sizes(store, event)["wire"] == 3
    assert store.conn.execute("SELECT count(*) FROM cluster_sigs WHERE story_id = ?", (event["b"],)).fetchone()[0] == 1


def test_story_rewritten_into_another_event_leaves_its_cluster(store, event):
    feed = store.feed_by_url("https://reuters.com/rss")
    store.upsert_entries(
        feed.id,
        [entry("izmail-b", "reuters.com", "Oil depot fire", UNRELATED.upper(), T0 + timedelta(hours=2))],
        "Reuters",
    )
    report = cluster_new(store, [event["b"]], SETTINGS)
    assert event["wire"] in report.changed  # the cluster it left shrank: repaint its rows
    s = sizes(store, event)
    assert (s["wire"], s["c"]) == (2, 2)
    # now a verbatim copy of the Moscow Times story: clustered with it, yet still one source
    assert [(m.id, m.is_copy) for m in cluster_members(store, event["b"])] == [
        (event["other"], False),
        (event["b"], True),
    ]
    assert (s["b"], s["other"]) == (1, 1)


def test_member_leaving_the_middle_splits_a_chain(store):
    x, y = " ".join(WIRE.split()[:70]), " ".join(UNRELATED.split()[:70])
    loose = ClusterSettings(threshold=0.35)
    a = add(store, "A", "a.example", entry("a", "a.example", "", x))[0]
    b = add(store, "B", "b.example", entry("b", "b.example", "", f"{x} {y}"))[0]
    c = add(store, "C", "c.example", entry("c", "c.example", "", y))[0]
    cluster_new(store, [a, b, c], loose)
    assert [store.story(i).cluster_size for i in (a, b, c)] == [3, 3, 3]
    feed = store.feed_by_url("https://b.example/rss")
    store.upsert_entries(feed.id, [entry("b", "b.example", "", "Local team wins the cup final on penalties.")], "B")
    cluster_new(store, [b], loose)
    assert [store.story(i).cluster_size for i in (a, b, c)] == [1, 1, 1]
    assert len({m.id for m in cluster_members(store, a)}) == 1


def test_out_of_window_stories_do_not_cluster(store, event):
    late = add(
        store,
        "Guardian",
        "theguardian.com",
        entry(
            "izmail-late",
            "theguardian.com",
            "Russian drones hit Danube grain port",
            REWRITE_C,
            T0 + timedelta(hours=SETTINGS.window_hours + 4),
        ),
    )[0]
    report = cluster_new(store, [late], SETTINGS)
    assert report.linked == 0
    assert store.story(late).cluster_size == 1 and store.story(event["wire"]).cluster_size == 3
    wide = cluster_new(store, [late], ClusterSettings(window_hours=24 * 7))
    assert wide.stories == 0  # unchanged text: nothing to redo even with another window


def test_canonical_urls_link_the_same_page(store):
    assert canonical_url("HTTP://www.Example.com/a/b/?utm_source=rss&id=7&fbclid=x#top") == "example.com/a/b?id=7"
    assert canonical_url("https://example.com/a/b?id=7") == "example.com/a/b?id=7"
    assert canonical_url("https://example.com/a/b?id=8") != canonical_url("https://example.com/a/b?id=7")
    first = add(
        store,
        "Site",
        "example.com",
        FeedEntry(guid="1", url="https://example.com/a?utm_source=rss", title="Short", published=T0),
    )[0]
    second = add(
        store,
        "Site (mobile)",
        "example.org",
        FeedEntry(guid="2", url="http://www.example.com/a/", title="Different title", published=T0),
    )[0]
    cluster_new(store, [first, second], SETTINGS)
    members = cluster_members(store, first)
    assert [m.is_copy for m in members] == [False, True] and {m.id for m in members} == {first, second}


def test_article_extracted_later_reclusters_the_story(store, event):
    from tui_reader.models import Article

    lone = add(
        store,
        "BBC",
        "bbc.co.uk",
        entry("izmail-bbc", "bbc.co.uk", "Fire at Ukrainian port", "", T0 + timedelta(hours=5)),
    )[0]
    assert cluster_new(store, [lone], SETTINGS).linked == 0
    store.save_article(lone, Article(title="Fire at Ukrainian port", text=REWRITE_C + " Reporting by BBC staff."))
    report = cluster_new(store, [lone], SETTINGS)
    assert report.linked == 1 and report.copies == 1  # near-verbatim of the Kyiv Independent text
    report = cluster_new(store, [lone], SETTINGS)
    assert report.stories == 0


def rate(store, story_id, letter):
    store.save_triage(TriageInput(story_id, grade=Grade(letter, "3")), "2026-11-24")


def test_credibility_suggestion_follows_corroboration(store, event):
    assert suggest_credibility(store, event["wire"]) == ("2", "carried by 2 other independent outlets (0 rated A–B)")
    rate(store, event["b"], "A")
    assert suggest_credibility(store, event["wire"])[0] == "2"
    rate(store, event["c"], "B")
    assert suggest_credibility(store, event["wire"]) == ("1", "confirmed by 2 other independent outlets (2 rated A–B)")
    # the copy's outlet is not independent: rating it changes nothing for the others
    rate(store, event["copy"], "A")
    assert suggest_credibility(store, event["b"]) == ("2", "carried by 2 other independent outlets (1 rated A–B)")


def test_a_copy_is_not_confirmed_by_the_outlet_it_copied(store, event):
    rate(store, event["wire"], "A")
    rate(store, event["b"], "B")
    assert suggest_credibility(store, event["copy"]) == (
        "2",
        "carried by 2 other independent outlets (1 rated A–B); this text is AP's, syndicated",
    )


def test_two_sources_with_an_unrated_echo_stays_possibly_true(store):
    a = add(store, "A", "a.example", entry("a", "a.example", "Port fire", WIRE))[0]
    b = add(store, "B", "b.example", entry("b", "b.example", "Port fire", REWRITE_B))[0]
    cluster_new(store, [a, b], SETTINGS)
    assert suggest_credibility(store, a) == ("3", "carried by 1 other independent outlet, not rated reliable")


def test_briefing_item_lists_other_independent_outlets(store, event):
    store.save_triage(TriageInput(event["copy"], grade=Grade.parse("C3")), "2026-11-24")
    item = corroborated(store, store.brief_item(event["copy"]))
    assert item.also == (
        ("AP", "https://www.apnews.com/izmail"),
        ("Reuters", "https://www.reuters.com/izmail-b"),
        ("Kyiv Independent", "https://www.kyivindependent.com/izmail-c"),
    )


def test_bare_headlines_are_too_little_evidence(store):
    a = add(store, "A", "a.example", entry("live-a", "a.example", "Live updates: the war in Ukraine", ""))[0]
    b = add(store, "B", "b.example", entry("live-b", "b.example", "Live updates: the war in Ukraine", ""))[0]
    assert cluster_new(store, [a, b], SETTINGS).linked == 0


def test_a_paywall_page_does_not_replace_the_feeds_fuller_text(store, event):
    from tui_reader.models import Article

    wall = "Subscribe to continue reading. Already a subscriber? Log in to read the full story and our newsletters."
    store.save_article(event["c"], Article(title="Grain terminal burns", text=wall))
    assert cluster_new(store, [event["c"]], SETTINGS).stories == 0  # its text for clustering did not change


def test_backfill_finds_what_was_never_clustered(store):
    ids = add(store, "A", "a.example", entry("x", "a.example", "One", WIRE), entry("y", "a.example", "Two", UNRELATED))
    assert store.unclustered_ids() == ids and store.unclustered_ids(limit=1) == ids[:1]
    cluster_new(store, store.unclustered_ids(), SETTINGS)
    assert store.unclustered_ids() == []


def test_catching_up_cut_short_keeps_its_batches_and_the_next_run_resumes(store, event, monkeypatch):
    with store.tx() as c:  # as a headless fetch leaves them
        for table in ("cluster_sigs", "cluster_keys", "cluster_df"):
            c.execute(f"DELETE FROM {table}")
    backlog = store.unclustered_ids()
    assert store.has_cluster_backlog() and len(backlog) == 5
    real, calls = cluster_new, []

    def quit_during_the_second_batch(store_, ids, settings_):
        calls.append(ids)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(store_, ids, settings_)

    monkeypatch.setattr("tui_reader.cluster.cluster_new", quit_during_the_second_batch)
    with pytest.raises(KeyboardInterrupt):
        catch_up(store, SETTINGS, batch=1)
    assert store.unclustered_ids() == backlog[1:]
    monkeypatch.setattr("tui_reader.cluster.cluster_new", real)
    assert catch_up(store, SETTINGS, batch=1) == 4
    assert not store.has_cluster_backlog() and sizes(store, event)["wire"] == 3


def test_a_story_updated_by_a_headless_fetch_waits_in_the_backlog_until_reclustered(store, event):
    from tui_reader.models import FeedEntry

    feed = store.feed_by_url("https://reuters.com/rss")
    stored = store.story(event["b"])
    assert store.unclustered_ids() == []
    retitled = FeedEntry(
        guid="izmail-b",
        url=stored.url,
        title=stored.title + " (updated)",
        published=stored.published,
        content=stored.feed_content,
    )
    store.upsert_entries(feed.id, [retitled], "Reuters")  # what `tui-reader fetch` does: no clustering
    assert store.unclustered_ids() == [event["b"]] and store.has_cluster_backlog()
    catch_up(store, SETTINGS)  # what the TUI's background process does
    assert store.unclustered_ids() == [] and sizes(store, event)["wire"] == 3


def test_the_tuis_clustering_process_reaches_the_store_by_its_path_or_by_the_url_it_is_handed(store, event):
    import subprocess

    from tui_reader.ui.app import backlog_process

    with store.tx() as c:  # as a headless fetch leaves them
        for table in ("cluster_sigs", "cluster_keys", "cluster_df"):
            c.execute(f"DELETE FROM {table}")
    argv, env = backlog_process(store, SETTINGS)
    assert store.engine.url not in " ".join(argv[1:]) if store.engine.url else str(store.path) in argv
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert not store.has_cluster_backlog() and sizes(store, event)["wire"] == 3


def test_the_clustering_process_waits_while_the_tui_reports_keys_and_goes_on_once_they_stop(store, event):
    """The TUI writes a byte to the process's standard input while keys are pressed: no batch starts until
    they have been quiet for KEYS_QUIET seconds, so clustering never shares the machine with a burst of keys."""
    import subprocess
    import time

    from tui_reader.backlog import KEYS_QUIET
    from tui_reader.ui.app import backlog_process

    with store.tx() as c:  # as a headless fetch leaves them
        for table in ("cluster_sigs", "cluster_keys", "cluster_df"):
            c.execute(f"DELETE FROM {table}")
    argv, env = backlog_process(store, SETTINGS)
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    assert proc.stdin is not None
    try:
        proc.stdin.write(b"k")  # keys pressed before its first batch
        pressing_until = time.monotonic() + 3 * KEYS_QUIET
        while time.monotonic() < pressing_until:
            time.sleep(KEYS_QUIET / 4)
            proc.stdin.write(b"k")
            assert proc.poll() is None and store.has_cluster_backlog()
        _, errors = proc.communicate(timeout=120)  # no more keys: it goes on, and ends with the pipe
        assert proc.returncode == 0, errors
    finally:
        proc.kill()
    assert not store.has_cluster_backlog() and sizes(store, event)["wire"] == 3


def test_briefing_can_show_a_cluster_once(store, event):
    heads = store.cluster_of([event["b"], event["c"], event["other"]])
    assert heads[event["b"]] == heads[event["c"]] != heads[event["other"]] == event["other"]


def _variants() -> list[list[str]]:
    """Three events, each written four ways (the original, two light rewrites, a one-word edit)."""
    import random

    rng = random.Random(8)
    vocab = [f"w{i}" for i in range(400)]
    events = []
    for _ in range(3):
        base = rng.choices(vocab, k=60)
        texts = [" ".join(base)]
        for edits in (3, 3, 1):
            words = list(base)
            for pos in rng.sample(range(60), edits):
                words[pos] = rng.choice(vocab)
            texts.append(" ".join(words))
        events.append(texts)
    return events


VARIANTS = _variants()


def _partition(store):
    """Clusters as sets of URLs, and which URL each copy copies: comparable across stores."""
    url = dict(store.conn.execute("SELECT id, url FROM stories").fetchall())
    clusters = defaultdict(set)
    copies = {}
    for i, cid, copy_of in store.conn.execute("SELECT id, cluster_id, copy_of FROM stories"):
        clusters[cid].add(url[i])
        if copy_of is not None:
            copies[url[i]] = url[copy_of]
    return sorted(map(sorted, clusters.values())), copies


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3), st.booleans()), min_size=1, max_size=14),
    st.lists(st.tuples(st.integers(0, 13), st.integers(0, 2), st.integers(0, 3)), max_size=5),
    st.integers(1, 5),
)
def test_incremental_clustering_equals_clustering_from_scratch(adds, updates, batch):
    """Stories arriving in batches, some rewritten in place later, end where one pass puts them."""
    final: dict[int, tuple[int, int]] = {n: (event, variant) for n, (event, variant, _) in enumerate(adds)}

    def entry_for(n, event, variant):
        return FeedEntry(
            guid=f"s{n}",
            url=f"https://o{n}.example/{n}",
            title="",
            published=T0 + timedelta(hours=n),
            content=VARIANTS[event][variant],
        )

    with tempfile.TemporaryDirectory() as tmp:
        live = Store(f"{tmp}/live.db")
        ids = {}
        for start in range(0, len(adds), batch):
            new = []
            for n in range(start, min(start + batch, len(adds))):
                event, variant, _ = adds[n]
                new += add(live, f"O{n}", f"o{n}.example", entry_for(n, event, variant))
                ids[n] = new[-1]
            cluster_new(live, new, SETTINGS)
        for n, event, variant in updates:
            if n in ids:
                feed = live.feed_by_url(f"https://o{n}.example/rss")
                live.upsert_entries(feed.id, [entry_for(n, event, variant)], f"O{n}")
                cluster_new(live, [ids[n]], SETTINGS)
                final[n] = (event, variant)
        scratch = Store(f"{tmp}/scratch.db")
        every = [
            i
            for n, (event, variant) in final.items()
            for i in add(scratch, f"O{n}", f"o{n}.example", entry_for(n, event, variant))
        ]
        cluster_new(scratch, every, SETTINGS)
        assert _partition(live) == _partition(scratch)
        sizes_live = dict(live.conn.execute("SELECT url, cluster_size FROM stories").fetchall())
        assert sizes_live == dict(scratch.conn.execute("SELECT url, cluster_size FROM stories").fetchall())


OWN_WORDS = (
    "Fire tore through wheat warehouses at Izmail on the Danube after a wave of Russian attack drones reached the "
    "Ukrainian river port before dawn. Two dock workers suffered burns. Odesa's governor, Oleh Kiper, said most of "
    "the 25 drones were downed, but two got through; some 40,000 tonnes of grain awaiting shipment to Egypt and "
    "Israel were lost. Bucharest said its airspace was not violated."
)


def test_the_same_event_in_an_outlets_own_words_clusters(store, event):
    assert similarity(signature(OWN_WORDS), signature(WIRE)) < SETTINGS.threshold  # text alone would not link it
    own = add(
        store,
        "Euronews",
        "euronews.com",
        entry("izmail-own", "euronews.com", "Danube port ablaze", OWN_WORDS, T0 + timedelta(hours=4)),
    )[0]
    report = cluster_new(store, [own], SETTINGS)
    assert (report.linked, report.copies) == (1, 0)
    assert sizes(store, {**event, "own": own}) == {"wire": 4, "b": 4, "c": 4, "copy": 4, "other": 1, "own": 4}
    again = cluster_new(store, [own], SETTINGS)
    assert again.stories == 0


def test_salient_tokens_are_names_and_figures():
    toks = salient(OWN_WORDS)
    assert {"izmai", "danub", "oleh kiper", "40000", "25", "egypt"} <= toks
    assert not toks & {"fire", "two", "bucha"}  # sentence openers (once only) and counting words are no names
    assert salient("Ships avoid the Red Sea, where Yemen's Houthis said they hit a ship.") == {
        "red sea",
        "yemen",
        "houth",
    }
    keys, title_keys = event_tokens("Danube port ablaze", OWN_WORDS)
    assert len(title_keys) == 1 and set(title_keys) <= set(keys)
    # a Title Case headline names nothing by its capitals: the lead decides
    title_case = event_tokens("Fire Tore Through Wheat Warehouses At Izmail", OWN_WORDS)
    sentence_case = event_tokens("Fire tore through wheat warehouses at Izmail", OWN_WORDS)
    assert all((a == b).all() for a, b in zip(title_case, sentence_case, strict=False))


# The bundled demo site: one event (a drone strike on a Jordanian border post near Ruwaished) written by
# three outlets in their own words, and look-alikes that are other events.
DEMO = Path(__file__).resolve().parent.parent / "tui_reader" / "demo" / "site" / "articles"
RUWAISHED = (
    "jordan-border-post-drone-strike",
    "jordan-outpost-hit-by-drone-from-syria",
    "ruwaished-drone-attack-what-it-means",
)


@pytest.fixture(scope="module")
def demo_articles():
    from tui_reader.extract import extract_article

    out = {}
    for page in sorted(DEMO.glob("*.html")):
        article = extract_article(page.read_text(encoding="utf-8"), f"https://demo.example/articles/{page.name}")
        out[page.stem] = article
    return out


@pytest.fixture
def demo_stories(store, demo_articles):
    """Every demo article, stored as its outlet's story with the extracted text, all within a few hours
    (the window alone separates nothing here), and clustered in one pass."""
    from tui_reader.models import Article

    ids = {}
    for n, (slug, article) in enumerate(demo_articles.items()):
        outlet = article.site_name or slug
        domain = outlet.lower().replace(" ", "") + ".example"
        ids[slug] = add(store, outlet, domain, entry(slug, domain, article.title, "", T0 + timedelta(minutes=7 * n)))[0]
        store.save_article(ids[slug], Article(title=article.title, text=article.text))
    cluster_new(store, ids.values(), SETTINGS)
    return ids


def test_demo_event_in_three_outlets_own_words_clusters(store, demo_stories):
    sig = {slug: signature(store.article(demo_stories[slug]).text) for slug in RUWAISHED}
    assert max(similarity(sig[a], sig[b]) for a in RUWAISHED for b in RUWAISHED if a != b) < 0.1
    heads = store.cluster_of([demo_stories[s] for s in RUWAISHED])
    assert len(set(heads.values())) == 1
    assert {m.id for m in cluster_members(store, demo_stories[RUWAISHED[0]])} == {demo_stories[s] for s in RUWAISHED}
    assert [store.story(demo_stories[s]).cluster_size for s in RUWAISHED] == [3, 3, 3]
    assert not any(m.is_copy for m in cluster_members(store, demo_stories[RUWAISHED[0]]))


@pytest.mark.parametrize(
    "a, b",
    [
        ("iraq-kurdistan-pipeline-oil-prices", "libya-sharara-shutdown-oil-prices"),  # one template, two outages
        ("houthi-missile-claim-red-sea-ship", "red-sea-war-risk-insurance"),  # two Houthi attacks on ships
        ("houthi-missile-claim-red-sea-ship", "yemen-roadmap-talks-stall"),  # same actor, talks not an attack
        ("jordan-outpost-hit-by-drone-from-syria", "captagon-seizure-jordan-army"),  # same border, other event
    ],
)
def test_demo_look_alikes_about_other_events_stay_apart(store, demo_stories, a, b):
    assert store.cluster_of([demo_stories[a]])[demo_stories[a]] != store.cluster_of([demo_stories[b]])[demo_stories[b]]


def test_demo_wire_copy_still_marked_among_event_links(store, demo_stories):
    members = cluster_members(store, demo_stories["red-sea-war-risk-premiums-wire"])
    assert {m.id for m in members} >= {
        demo_stories["red-sea-war-risk-premiums-wire"],
        demo_stories["red-sea-war-risk-insurance"],
    }
    assert sum(m.is_copy for m in members) == 1


def test_event_link_needs_rare_shared_names(store):
    """Two stories naming only the same common places (each in many stories) are not one event."""
    common = "Officials in Jordan and Syria said on Monday that talks with Iraq would continue next week."
    filler = [
        add(
            store,
            f"F{i}",
            f"f{i}.example",
            entry(
                f"f{i}",
                f"f{i}.example",
                "Jordan Syria Iraq talks",
                f"{common} Item number {i} of the routine coverage.",
                T0 - timedelta(days=5),
            ),
        )[0]
        for i in range(12)
    ]
    cluster_new(store, filler, SETTINGS)
    a = add(
        store,
        "A",
        "a.example",
        entry(
            "a",
            "a.example",
            "Jordan and Syria discuss trade",
            "Ministers from Jordan and Syria met to discuss trade and customs rules "
            "at the Jaber crossing, with Iraq observing the talks.",
        ),
    )[0]
    b = add(
        store,
        "B",
        "b.example",
        entry(
            "b",
            "b.example",
            "Syria flood relief reaches Jordan",
            "Aid convoys carrying flood relief crossed from Jordan into Syria, "
            "while Iraq pledged tents and blankets for displaced families.",
        ),
    )[0]
    assert cluster_new(store, [a, b], SETTINGS).linked == 0
