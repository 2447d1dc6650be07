"""Corroboration benchmark: planted clusters in a generated archive (issue 8).

Builds a store of ``--stories`` generated stories (default 100k) over ``--days`` days: events
reported by 2-6 outlets as light rewrites (word edits at ``--edit-rate``, a new headline, some
trimmed), verbatim wire copies; distractors written from the same topic vocabulary and stock
phrases; follow-up stories (another event a day later, reusing 40 % of the first one's text as
background); and outlet footers shared by all of an outlet's stories. ``--new`` stories (the most
recent, as after a refresh) are held out; the rest is clustered first. Then, in a fresh process so
its peak RSS is the clustering's own, the held-out stories are inserted and clustered with one
``cluster_new`` call, which is timed. Finally pair precision/recall/F1 of the planted clusters are
computed over the whole store.

With ``--own-words F`` every story carries capitalised names (three per event, drawn from a pool of
pseudo-names, mid-sentence in its lead and one in its headline; distractors get their own), and a
fraction F of an event's outlets write it in their own words: fresh text sharing only the names
(kind ``own``), which only the event-level link can find. Follow-ups keep ``--follow-names`` of the
event's names (default 1: another event in the same place), and must not join. Off by default, so the figures above stay
comparable across versions.

    python benchmarks/cluster.py                      # the issue's figures
    python benchmarks/cluster.py --stories 20000 --sweep  # F1 against rewrite strength
    python benchmarks/cluster.py --own-words 0.3          # with events written in outlets' own words
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from itertools import combinations
from pathlib import Path

import numpy as np

from tui_reader.cluster import cluster_new
from tui_reader.config import ClusterSettings
from tui_reader.models import FeedEntry
from tui_reader.store import Store

START = datetime(2026, 11, 1, tzinfo=timezone.utc)
OUTLETS = 300
SYLLABLES = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"] + ["an", "er", "is", "on", "ul", "ix"]


class Corpus:
    """Deterministic generator of topic-flavoured pseudo-English."""

    def __init__(self, rng: np.random.Generator, topics: int = 90) -> None:
        self.rng = rng
        words: set[str] = set()
        while len(words) < 2000 + 300 * topics:
            words.add("".join(rng.choice(SYLLABLES, size=rng.integers(1, 5))))
        vocab = np.array(sorted(words), dtype=object)
        rng.shuffle(vocab)
        self.general = vocab[:2000]
        self.general_p = _zipf(2000, 1.0)
        self.topics = [vocab[2000 + 300 * t : 2300 + 300 * t] for t in range(topics)]
        self.topic_p = _zipf(300, 0.8)
        self.phrases = [
            [self.words(t, int(rng.integers(3, 6)), phrases=False) for _ in range(25)] for t in range(topics)
        ]
        self.footers = {o: self.words(0, 20, phrases=False) if rng.random() < 0.3 else [] for o in range(OUTLETS)}

    def words(self, topic: int, n: int, phrases: bool = True) -> list[str]:
        """About ``n`` words: function words, topic words and (8 %) the topic's stock phrases."""
        rng = self.rng
        roll = rng.random(n)
        general = self.general[rng.choice(2000, size=n, p=self.general_p)]
        specific = self.topics[topic][rng.choice(300, size=n, p=self.topic_p)]
        out = np.where(roll < 0.5, general, specific).tolist()
        if phrases:
            for i in np.flatnonzero(roll < 0.08)[::-1]:
                out[i : i + 1] = self.phrases[topic][rng.integers(25)]
        return out

    def rewrite(self, topic: int, words: list[str], rate: float) -> list[str]:
        """A light rewrite: substitutions, deletions, insertions at ``rate``; sometimes trimmed."""
        rng = self.rng
        roll = rng.random(len(words))
        fresh = self.words(topic, len(words), phrases=False)
        out: list[str] = []
        for w, r, f in zip(words, roll, fresh, strict=False):
            if r >= rate:
                out.append(w)
            elif r < rate / 3:  # deleted
                continue
            elif r < 2 * rate / 3:
                out.append(f)
            else:
                out += [w, f]
        if rng.random() < 0.3:
            out = out[: int(len(out) * rng.uniform(0.7, 0.9))]
        return out


def _zipf(n: int, s: float) -> np.ndarray:
    w = 1 / np.arange(1, n + 1) ** s
    return w / w.sum()


def _named(rng: np.random.Generator, words: list[str], names: list[str]) -> list[str]:
    """``words`` with ``names`` put in mid-sentence among its first 40 words, never side by side
    (adjacent capitalised words would read as one name)."""
    out = list(words)
    slots = rng.choice(np.arange(1, max(len(names) + 1, min(40, len(out)))), size=len(names), replace=False)
    for slot, name in sorted(zip(slots.tolist(), names, strict=False), reverse=True):
        out.insert(slot, name)
    return out


def generate(
    n: int, edit_rate: float, days: float, seed: int, own_words: float = 0.0, follow_names: int = 1
) -> list[tuple[int, str, FeedEntry, str]]:
    """(outlet, source, entry, truth) in time order; ``truth`` is the planted event or ``""``."""
    rng = np.random.default_rng(seed)
    corpus = Corpus(rng)
    if own_words:
        pool: set[str] = set()
        while len(pool) < 20000:
            pool.add("".join(rng.choice(SYLLABLES, size=rng.integers(2, 5))).capitalize())
        name_pool = sorted(pool)
    span = days * 86400
    stories: list[tuple[float, int, str, list[str], list[str], str]] = []
    event = 0
    while len(stories) < n:
        topic = int(rng.integers(len(corpus.topics)))
        t = rng.uniform(0, span)
        if rng.random() < 0.55:  # a distractor: same topic vocabulary, its own story
            outlet = int(rng.integers(OUTLETS))  # drawn first, as before --own-words: same archive without it
            title, body = corpus.words(topic, 10), corpus.words(topic, int(rng.integers(80, 251)))
            if own_words:
                names = rng.choice(name_pool, size=3, replace=False).tolist()
                title, body = _named(rng, title, names[:1]), _named(rng, body, names)
            stories.append((t, outlet, "", title, body, ""))
            continue
        event += 1
        title, body = corpus.words(topic, 10), corpus.words(topic, int(rng.integers(80, 251)))
        names = rng.choice(name_pool, size=3, replace=False).tolist() if own_words else []
        outlets = rng.choice(OUTLETS, size=int(rng.integers(2, 7)), replace=False).tolist()
        if rng.random() < 0.3:  # a follow-up: another event, reusing a background paragraph of this one
            cut = int(rng.integers(0, len(body) // 2))
            when = t + rng.uniform(12, 48) * 3600  # draws in the order they had before --own-words
            f_title = corpus.words(topic, 10)
            f_body = body[cut : cut + int(len(body) * 0.4)] + corpus.words(topic, int(len(body) * 0.6))
            if own_words:  # same place, another event: some of the names, and its own
                f_names = names[:follow_names] + rng.choice(name_pool, size=3 - follow_names).tolist()
                f_title, f_body = _named(rng, f_title, f_names[:1]), _named(rng, f_body, f_names)
            stories.append((when, outlets[0], "follow", f_title, f_body, ""))
        if own_words:
            title, body = _named(rng, title, names[:1]), _named(rng, body, names)
        for k, outlet in enumerate(outlets):
            when = t + rng.uniform(0, 12 * 3600)
            if own_words and k > 0 and rng.random() < own_words:  # the event in this outlet's own words
                stories.append(
                    (
                        when,
                        outlet,
                        "own",
                        _named(rng, corpus.words(topic, 10), names[:1]),
                        _named(rng, corpus.words(topic, int(rng.integers(80, 251))), names),
                        f"e{event}",
                    )
                )
            elif k == 0 and rng.random() < 0.7:  # the wire original
                stories.append((when, outlet, "wire", title, body, f"e{event}"))
            elif rng.random() < 0.3:  # a verbatim copy of the wire text under another headline
                stories.append((when, outlet, "copy", corpus.rewrite(topic, title, 0.5), list(body), f"e{event}"))
            else:
                stories.append(
                    (
                        when,
                        outlet,
                        "para",
                        corpus.rewrite(topic, title, 0.5),
                        corpus.rewrite(topic, body, edit_rate),
                        f"e{event}",
                    )
                )
    stories = sorted(stories[:n], key=lambda s: s[0])
    out = []
    for i, (t, outlet, kind, title, body, truth) in enumerate(stories):
        text = " ".join(body + corpus.footers[outlet])
        url = f"https://www.outlet{outlet}.example/{kind or 'story'}/{i}"
        entry = FeedEntry(
            guid=url,
            url=url,
            title=_headline(title),
            summary=" ".join(body[:30]),
            content=f"<p>{text}</p>",
            published=START + timedelta(seconds=t),
        )
        out.append((outlet, f"Outlet {outlet}", entry, truth))
    return out


def _headline(words: list[str]) -> str:
    """Words as a headline: first letter up, names keep theirs (``str.capitalize`` would lower them)."""
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def insert(store: Store, rows) -> list[int]:
    feeds: dict[int, int] = {}
    ids: list[int] = []
    by_outlet = defaultdict(list)
    for outlet, source, entry, _ in rows:
        by_outlet[(outlet, source)].append(entry)
    for (outlet, source), entries in by_outlet.items():
        if outlet not in feeds:
            feeds[outlet] = store.add_feed(f"https://www.outlet{outlet}.example/rss", source).id
        ids += store.upsert_entries(feeds[outlet], entries, source).new_ids
    return ids


def pair_scores(store: Store, truth: dict[str, str]) -> tuple[float, float, float, Counter]:
    """Precision, recall and F1 over story pairs, plus recall by kind of pair."""
    planted: dict[str, list[str]] = defaultdict(list)
    found: dict[int, list[str]] = defaultdict(list)
    for url, cluster_id in store.conn.execute("SELECT url, cluster_id FROM stories"):
        if truth.get(url):
            planted[truth[url]].append(url)
        found[cluster_id].append(url)
    truth_pairs = {frozenset(p) for urls in planted.values() for p in combinations(urls, 2)}
    found_pairs = {frozenset(p) for urls in found.values() for p in combinations(urls, 2)}
    hit = truth_pairs & found_pairs
    precision = len(hit) / len(found_pairs) if found_pairs else 1.0
    recall = len(hit) / len(truth_pairs) if truth_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    kinds = Counter()
    for pair in truth_pairs:
        kind = "-".join(sorted(u.split("/")[3] for u in pair))
        kinds[kind, "planted"] += 1
        kinds[kind, "found"] += pair in hit
    return precision, recall, f1, kinds


def build(path: Path, args) -> None:
    """Generate, store and cluster the archive; hold out the newest ``--new`` stories."""
    rows = generate(args.stories, args.edit_rate, args.days, args.seed, args.own_words, args.follow_names)
    archive, new = rows[: -args.new], rows[-args.new :]
    settings = ClusterSettings(threshold=args.threshold)
    store = Store(path)
    t = time.perf_counter()
    ids = insert(store, archive)
    print(f"inserted {len(ids):,} archive stories in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    for i in range(0, len(ids), 5000):
        cluster_new(store, ids[i : i + 5000], settings)
    print(
        f"clustered the archive in {time.perf_counter() - t:.1f} s "
        f"({(time.perf_counter() - t) / len(ids) * 1e6:.0f} µs a story)"
    )
    truth = {e.url: tr for _, _, e, tr in rows}
    (path.parent / "truth.json").write_text(json.dumps(truth))
    (path.parent / "new.json").write_text(
        json.dumps([[o, s, e.guid, e.title, e.summary, e.content, e.published.isoformat()] for o, s, e, _ in new])
    )
    store.close()


def peak_rss_kib() -> int:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries the parent's high-water mark
    into ru_maxrss across fork and exec, which would report the generator's memory."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(path: Path, threshold: float) -> None:
    """Insert the held-out stories and cluster them in one call; print time and peak RSS (KiB)."""
    new = [
        (o, s, FeedEntry(guid=g, url=g, title=ti, summary=su, content=co, published=datetime.fromisoformat(p)), "")
        for o, s, g, ti, su, co, p in json.loads((path.parent / "new.json").read_text())
    ]
    store = Store(path)
    ids = insert(store, new)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # so the WAL afterwards is what clustering wrote
    before = peak_rss_kib()
    t = time.perf_counter()
    report = cluster_new(store, ids, ClusterSettings(threshold=threshold))
    elapsed = time.perf_counter() - t
    wal = Path(f"{path}-wal")
    written = wal.stat().st_size if wal.exists() else 0
    peak = peak_rss_kib()
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "rss_before_kib": before,
                "rss_peak_kib": peak,
                "written": written,
                "stories": report.stories,
                "linked": report.linked,
                "copies": report.copies,
                "changed": len(report.changed),
            }
        )
    )


def index_bytes(store: Store) -> int | None:
    try:
        return store.conn.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name IN "
            "('cluster_sigs', 'cluster_keys', 'sqlite_autoindex_cluster_keys_1')"
        ).fetchone()[0]
    except Exception:  # dbstat is an optional SQLite build feature
        return None


def run(args) -> float:
    print(
        f"{args.stories:,} stories over {args.days:g} days, rewrite edit rate {args.edit_rate}, "
        f"threshold {args.threshold}, window {ClusterSettings().window_hours:g} h, seed {args.seed}, "
        f"own words {args.own_words:g} (follow-ups keep {args.follow_names} of 3 names)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite"
        build(path, args)
        out = subprocess.run(
            [sys.executable, __file__, "--measure", str(path), "--threshold", str(args.threshold)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        m = json.loads(out.splitlines()[-1])
        print(
            f"cluster_new({args.new:,} new) against {args.stories - args.new:,}: {m['seconds']:.3f} s "
            f"({m['linked']} joined clusters, {m['copies']} copies, {m['changed']} rows to repaint)"
        )
        print(
            f"peak RSS of that process: {m['rss_peak_kib'] / 1024:.0f} MiB "
            f"(before clustering: {m['rss_before_kib'] / 1024:.0f} MiB); "
            f"written to the WAL by clustering: {m['written'] / 2**20:.1f} MiB"
        )
        store = Store(path)
        truth = json.loads((path.parent / "truth.json").read_text())
        precision, recall, f1, kinds = pair_scores(store, truth)
        print(f"planted pairs: precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}")
        for kind in sorted({k for k, _ in kinds}):
            print(
                f"  recall {kind:<10} {kinds[kind, 'found'] / kinds[kind, 'planted']:.3f}"
                f"  ({kinds[kind, 'planted']:,} pairs)"
            )
        size = index_bytes(store)
        db = sum(p.stat().st_size for p in path.parent.glob(f"{path.name}*"))
        if size is not None:
            print(
                f"signatures + LSH keys on disk: {size / 2**20:.0f} MiB "
                f"({size / args.stories:.0f} B a story; whole store {db / 2**20:.0f} MiB)"
            )
        store.close()
        return f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument("--days", type=float, default=14.0, help="time span of the archive")
    parser.add_argument("--edit-rate", type=float, default=0.05, help="word edits per word in a rewrite")
    parser.add_argument(
        "--threshold",
        type=float,
        default=ClusterSettings().threshold,
        help="estimated Jaccard to link two stories (default: the config default)",
    )
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument(
        "--own-words",
        type=float,
        default=0.0,
        help="fraction of an event's outlets writing it in their own words (names only shared)",
    )
    parser.add_argument(
        "--follow-names",
        type=int,
        default=1,
        choices=range(4),
        help="with --own-words: names of its event a follow-up (another event) keeps",
    )
    parser.add_argument("--sweep", action="store_true", help="F1 at several rewrite strengths")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.threshold)
        return
    if not args.sweep:
        run(args)
        return
    results = {}
    for rate in (0.02, 0.05, 0.08, 0.12, 0.16):
        print(f"\n--- edit rate {rate}")
        results[rate] = run(argparse.Namespace(**{**vars(args), "edit_rate": rate}))
    print("\nedit rate -> pair F1: " + ", ".join(f"{r}: {f:.3f}" for r, f in results.items()))


if __name__ == "__main__":
    main()
