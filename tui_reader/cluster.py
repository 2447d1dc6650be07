"""Corroboration: group stories about the same event across outlets (issue 8).

Two stories are *linked* when their canonical URLs are equal, or when the estimated Jaccard
similarity of their word shingles (title + lead + body) reaches ``ClusterSettings.threshold``;
either way only if they are at most ``window_hours`` apart. A cluster is a connected group of
linked stories. Inside a cluster, a story whose text is nearly verbatim an earlier member's (a
syndicated wire copy, or the same page under another URL) is a *copy*: it does not corroborate.
``cluster_size`` is the number of distinct outlets among the non-copies; a story credited to a wire
agency (:func:`tui_reader.sources.wire_credit`) counts as that agency, so reprints of one AP story
under five mastheads are one source.

Outlets that report one event in their own words share few word triples, so there is a second,
event-level link: the *salient tokens* of title and lead (capitalised names of places, people and
organisations, and figures such as ``40,000``), weighted by their rarity in the archive (IDF from a
document-frequency table kept up to date here). Two stories in the window are linked as one event
when the IDF-weighted Jaccard of their token sets reaches ``EVENT_THRESHOLD``, they share at least
``EVENT_MIN_RARE`` rare tokens, and a shared token is in a headline. Same-template stories about
different events (two oil-price stories, two Houthi attacks) differ in exactly those rare names.
Token keys go in the same day-first index as the band keys, and only rare ones are probed, so
candidates still come from one indexed join. Rarity is read when a story is clustered: a link is
not revisited as the archive grows (and stories deleted later stay counted; both drift slowly).

MinHash signatures and LSH band keys are kept in SQLite (``cluster_sigs``, ``cluster_keys``), so
finding candidates for new stories is one indexed join: clustering a refresh costs time in
the number of new stories and the archive is never loaded into memory. The MinHash is computed
here with numpy rather than with datasketch objects because stored values must keep their meaning
across library upgrades (datasketch 2.0 changed its default permutation scheme, and hash values
carry no trace of the scheme that made them).
"""

from __future__ import annotations

import re
import zlib
from collections import Counter, defaultdict
from functools import lru_cache
from hashlib import blake2b
from typing import Callable, Iterable, Sequence

import numpy as np
from msgspec import Struct, field
from msgspec.structs import replace

from tui_reader.config import ClusterSettings
from tui_reader.models import BriefItem
from tui_reader.sanitize import html_text
from tui_reader.sources import wire_credit
from tui_reader.urls import url_key

NUM_PERM = 128
"""MinHash permutations: the Jaccard estimate's standard error at 0.5 is about 0.044."""
ROWS = 3
"""Rows per LSH band: 42 bands of 3 make a pair a candidate with p = 0.996 at Jaccard 0.5, 0.94
at 0.4, 0.69 at 0.3, so at thresholds from 0.4 up verification, not banding, decides."""
BANDS = NUM_PERM // ROWS
SHINGLE = 3
"""Words per shingle: word triples keep stories that merely share vocabulary apart."""
MAX_TOKENS = 400
"""Only the opening words count: the lead is what outlets share, and it bounds the cost."""
MIN_TOKENS = 12
"""Fewer words than this (a bare headline, "Live updates") are too little evidence: such a story
links by URL only."""
DAY = 86400
"""Band keys are filed by day, then key: a refresh's new keys land together in the last days of
the index (a few MB written) instead of dirtying pages across all of it (~77 MB per 1,000 stories
at 100k when filed by key alone)."""
COPY_THRESHOLD = 0.8
"""Estimated Jaccard above which a member is a verbatim copy of an earlier one, not a rewrite."""
RELIABLE = frozenset("AB")
LEAD_WORDS = 100
"""Salient tokens are taken from the title and this many words of lead: the event's who, where and
how many; further down, background and analysis mention other places and people."""
STEM = 5
"""Salient tokens are compared by their first letters, lowercased: Jordan/Jordanian, Syria/Syrian,
Houthi/Houthis, Iraq/Iraqi fall together."""
EVENT_THRESHOLD = 0.2
"""IDF-weighted Jaccard of salient tokens from which two stories may be one event."""
EVENT_MIN_RARE = 2
BUCKET_CAP = 64
"""An LSH bucket (band or URL key) holding more stories than this is boilerplate every story
shares (a feed's template text), not evidence: probing it would make a cold import of
thousands of look-alike stories quadratic, so it is skipped."""
"""Rare salient tokens two stories must share to be one event (one shared place is not enough)."""
RARE_MIN_DF, RARE_DF_FRACTION = 8, 0.01
"""A token is rare when at most max(RARE_MIN_DF, RARE_DF_FRACTION * stories) stories carry it;
only rare tokens are probed in the index, which bounds the candidates."""

_WORD = re.compile(r"\w+")
_SALIENT = re.compile(r"[^\W\d_][\w'’\-]*|\d[\d,.]*\d|\d")
_SENTENCE_END = re.compile(r"[.!?:;\"“”(\[—]$")
_COMMON = frozenset(
    """a an the this that these those it its he she they we i you his her their our my your mr mrs ms dr
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september
october november december but and or if in on at of for to from by with as after before when while since until read
more share subscribe advertisement photo getty images via said says according there here what why how who where some
many most all no not one two three four five six seven eight nine ten first second third also however meanwhile
today yesterday tomorrow""".split()
)
"""Capitalised words that name nothing (sentence openers, weekdays, months, counting words)."""
_MASK32 = np.uint64(0xFFFFFFFF)
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _constants(tag: bytes, n: int) -> np.ndarray:
    """Fixed pseudo-random uint32 constants; derived from blake2b so they can never drift."""
    return np.array(
        [int.from_bytes(blake2b(tag + i.to_bytes(4, "little"), digest_size=4).digest(), "little") for i in range(n)],
        dtype=np.uint32,
    )


_A = _constants(b"minhash-a", NUM_PERM) | np.uint32(1)  # odd: a*h + b is a bijection mod 2**32
_B = _constants(b"minhash-b", NUM_PERM)
_BAND_SALT = _constants(b"lsh-band", BANDS).astype(np.uint64)


def _fmix64(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's finaliser: spreads structured inputs over all 64 bits (wrapping on purpose)."""
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xFF51AFD7ED558CCD)
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xC4CEB9FE1A85EC53)
    return x ^ (x >> np.uint64(33))


# -- text, signatures, keys ------------------------------------------------------------


def shingles(text: str) -> np.ndarray:
    """32-bit hashes of the word ``SHINGLE``-grams of the first ``MAX_TOKENS`` words
    (none below ``MIN_TOKENS``)."""
    words = _WORD.findall(text.lower())[:MAX_TOKENS]
    if len(words) < MIN_TOKENS:
        return np.empty(0, dtype=np.uint32)
    h = np.fromiter(map(_word_hash, words), dtype=np.uint64, count=len(words))
    n = len(h) - SHINGLE + 1
    x = np.zeros(n, dtype=np.uint64)
    for j in range(SHINGLE):
        x = (x * _MIX) ^ h[j : n + j]
    return (_fmix64(x) & _MASK32).astype(np.uint32)


@lru_cache(maxsize=1 << 16)
def _word_hash(word: str) -> int:
    """Stable across processes, unlike ``hash()``; cached because news vocabulary repeats."""
    return zlib.crc32(word.encode())


def signature(text: str) -> np.ndarray | None:
    """MinHash signature (``NUM_PERM`` uint32), or None when there are too few words to compare."""
    s = shingles(text)
    if not len(s):
        return None
    return (np.multiply.outer(s, _A) + _B).min(axis=0)


def similarity(a: np.ndarray | None, b: np.ndarray | None) -> float:
    """Estimated Jaccard similarity; a story without words resembles nothing."""
    if a is None or b is None:
        return 0.0
    return float(np.count_nonzero(a == b)) / NUM_PERM


def salient(text: str) -> set[str]:
    """The capitalised names and the figures in ``text``, as stems.

    A run of capitalised words is one name ("Red Sea", "Oleh Kiper"; a possessive or punctuation
    ends it), each word cut to its first ``STEM`` letters. A capitalised word opening a sentence
    counts only if it is also capitalised mid-sentence (so "Fire tore through..." does not make
    "fire" a name); figures keep at least two digits, commas dropped."""
    tokens: list[tuple[str, bool, bool]] = []  # (word, opens a sentence, ends a name)
    opening = True
    for raw in text.split():
        m = _SALIENT.search(raw)
        word = m.group(0) if m else ""
        tokens.append((word, opening or raw[0] in "\"“‘'([", not word or bool(re.search(r"[^\w'’]$", raw))))
        opening = bool(_SENTENCE_END.search(raw))
    inside = {w for w, first, _ in tokens if w and not first and w[0].isupper()}
    out: set[str] = set()
    run: list[str] = []

    def flush() -> None:
        if run:
            out.add(" ".join(run))
            run.clear()

    for w, first, ends in tokens:
        if w and w[0].isupper() and (not first or w in inside):
            k = re.sub(r"['’]s$", "", w).lower()
            if len(k) >= 2 and k not in _COMMON:
                if first:
                    flush()
                run.append(k[:STEM])
                if ends or k != w.lower():
                    flush()
                continue
        flush()
        if w and w[0].isdigit():
            n = w.replace(",", "").rstrip(".")
            if len(n.replace(".", "")) >= 2:
                out.add(n)
    flush()
    return out


def _token_key(token: str) -> int:
    """A salient token's key: signed 32 bits, salted apart from band keys and stable across processes."""
    return int.from_bytes(blake2b(b"event:" + token.encode(), digest_size=4).digest(), "little", signed=True)


def event_tokens(title: str, lead: str) -> tuple[np.ndarray, np.ndarray]:
    """(keys of the salient tokens of title + lead, those of them in the title), sorted int64."""
    words = [w for w in _WORD.findall(title) if not w[0].isdigit()]
    title_case = len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)
    # A Title Case Headline Capitalises Every Word: then only the lead says which are names.
    toks = salient(" ".join(f"{'' if title_case else title}.\n{lead}".split()[:LEAD_WORDS]))
    headline = {w.lower()[:STEM] for w in _WORD.findall(title)} | {
        n.replace(",", "") for n in re.findall(r"\d[\d,.]*\d", title)
    }
    keys = np.array(sorted({_token_key(t) for t in toks}), dtype=np.int64)
    title_keys = np.array(sorted({_token_key(t) for t in toks if set(t.split()) <= headline}), dtype=np.int64)
    return keys, title_keys


def band_keys(sig: np.ndarray) -> list[int]:
    """One signed 32-bit key per LSH band (small integers keep the SQLite index compact)."""
    bands = sig[: BANDS * ROWS].astype(np.uint64).reshape(BANDS, ROWS)
    x = _BAND_SALT.copy()
    for r in range(ROWS):
        x = (x * _MIX) ^ bands[:, r]
    return [int(k) - (1 << 31) for k in (_fmix64(x) >> np.uint64(32))]


def _url_probe(key: int) -> int:
    """The URL's entry among the band keys: same 32-bit space, so one lookup finds both kinds."""
    return key >> 32


# -- clustering --------------------------------------------------------------------------


class ClusterReport(Struct):
    """What one :func:`cluster_new` call did."""

    stories: int = 0
    """Stories (re)clustered; unchanged stories passed in again are skipped."""
    linked: int = 0
    """Of those, how many now share a cluster with another story."""
    copies: int = 0
    """Of those, how many are copies of an earlier member."""
    changed: list[int] = field(default_factory=list)
    """Every story whose cluster columns changed (new stories and the members they joined):
    the list should repaint these rows."""


_NO_KEYS = np.empty(0, dtype=np.int64)


class _Node(Struct):
    id: int
    ts: int
    outlet: str
    url_key: int
    sig: np.ndarray | None
    cluster_id: int | None = None
    copy_of: int | None = None
    size: int = 1
    ents: np.ndarray = field(default_factory=lambda: _NO_KEYS)
    """Keys of the salient tokens of title and lead (sorted)."""
    title_ents: np.ndarray = field(default_factory=lambda: _NO_KEYS)
    """Those of them that are in the title."""
    wire: str = ""
    """The agency whose copy it is ("" for the outlet's own story); then ``outlet`` is the agency."""


def _keys_blob(keys: np.ndarray) -> bytes:
    return keys.astype("<i4").tobytes()


def _keys_of(blob: bytes | None) -> np.ndarray:
    return np.frombuffer(blob, dtype="<i4").astype(np.int64) if blob else _NO_KEYS


def _sig_blob(sig: np.ndarray | None) -> bytes:
    return b"" if sig is None else sig.astype("<u4").tobytes()


def _sig_of(blob: bytes | None) -> np.ndarray | None:
    return np.frombuffer(blob, dtype="<u4") if blob else None


def _probes(node: _Node) -> list[int]:
    keys = [] if node.sig is None else band_keys(node.sig)
    return [*keys, _url_probe(node.url_key)]


def _load_nodes(store, by: str, values: Iterable[int], into: dict[int, _Node]) -> None:
    """Read stored nodes whose ``by`` column is among ``values`` into ``into`` (keeps nodes already there)."""
    for r in store.cluster_nodes(by, values):
        if r["id"] not in into:
            into[r["id"]] = _Node(
                r["id"],
                r["sort_ts"],
                r["outlet"],
                r["url_key"],
                _sig_of(r["sig"]),
                r["cluster_id"],
                r["copy_of"],
                r["cluster_size"],
                _keys_of(r["ents"]),
                _keys_of(r["title_ents"]),
                r["wire"],
            )


def _fresh_nodes(store, ids: Sequence[int]) -> dict[int, _Node]:
    """Nodes for ``ids`` computed from their current text (article body, else feed content)."""
    nodes = {}
    for r in store.cluster_texts(ids):
        # The longer text: a failed extraction (paywall, cookie wall) is shorter than the feed's own.
        body = max(r["text"] or "", html_text(r["feed_content"]), key=len)
        summary = html_text(r["feed_summary"])
        text = f"{r['title']}\n{summary}\n{body}"
        wire = wire_credit(r["byline"] or r["author"], (body or summary).strip())
        node = _Node(r["id"], r["sort_ts"], wire or r["outlet"], url_key(r["url"]), signature(text), wire=wire)
        if node.sig is not None:  # too few words for text is too little evidence for an event too
            node.ents, node.title_ents = event_tokens(r["title"], f"{summary}\n{body}")
        nodes[r["id"]] = node
    return nodes


class _Components:
    """Union-find over story ids."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        root = self.parent.setdefault(x, x)
        while root != self.parent[root]:
            root = self.parent[root]
        while x != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for x in self.parent:
            out[self.find(x)].append(x)
        return list(out.values())


class _Rarity:
    """Document frequencies of salient tokens, read from ``cluster_df`` as needed."""

    def __init__(self, store) -> None:
        self.store = store
        self.df: dict[int, int] = {}
        self.docs = store.cluster_doc_count()
        self.cap = max(RARE_MIN_DF, RARE_DF_FRACTION * self.docs)

    def load(self, keys: Iterable[int]) -> None:
        want = sorted({int(k) for k in keys} - self.df.keys())
        if want:
            self.df.update(self.store.cluster_df(want))
        for k in want:
            self.df.setdefault(k, 0)

    def idf(self, key: int) -> float:
        return float(np.log((self.docs + 1) / (self.df.get(key, 0) + 0.5)))

    def rare(self, key: int) -> bool:
        return self.df.get(key, 0) <= self.cap


def same_event(a: _Node, b: _Node, rarity: _Rarity) -> bool:
    """The event-level link: IDF-weighted Jaccard of salient tokens, rare tokens shared, and a
    shared token in a headline."""
    if not len(a.ents) or not len(b.ents):
        return False
    shared = np.intersect1d(a.ents, b.ents, assume_unique=True)
    if len(shared) < EVENT_MIN_RARE or not (
        len(np.intersect1d(a.title_ents, shared, assume_unique=True))
        or len(np.intersect1d(b.title_ents, shared, assume_unique=True))
    ):
        return False
    if sum(1 for k in shared.tolist() if rarity.rare(k)) < EVENT_MIN_RARE:
        return False
    union = np.union1d(a.ents, b.ents)
    inter = sum(rarity.idf(k) for k in shared.tolist())
    total = sum(rarity.idf(k) for k in union.tolist())
    return total > 0 and inter / total >= EVENT_THRESHOLD


def _linked(a: _Node, b: _Node, settings: ClusterSettings, window: int, rarity: _Rarity) -> bool:
    if abs(a.ts - b.ts) > window:
        return False
    return a.url_key == b.url_key or similarity(a.sig, b.sig) >= settings.threshold or same_event(a, b, rarity)


def _is_copy(a: _Node, b: _Node) -> bool:
    return a.url_key == b.url_key or similarity(a.sig, b.sig) >= COPY_THRESHOLD


def _settle(members: list[_Node]) -> dict[int, tuple[int, int | None, int]]:
    """(cluster_id, copy_of, cluster_size) for each member of one cluster.

    Members are taken oldest first; each is a copy of the earliest original it nearly equals,
    else an original itself. The size counts distinct outlets among the originals."""
    originals: list[_Node] = []
    copy_of: dict[int, int | None] = {}
    for m in sorted(members, key=lambda n: (n.ts, n.id)):
        source = next((o for o in originals if _is_copy(m, o)), None)
        copy_of[m.id] = source.id if source else None
        if source is None:
            originals.append(m)
    cluster_id = min(m.id for m in members)
    size = len({o.outlet for o in originals})
    return {m.id: (cluster_id, copy_of[m.id], size) for m in members}


def cluster_new(store, story_ids: Iterable[int], settings: ClusterSettings) -> ClusterReport:
    """Cluster ``story_ids`` (new, or whose text changed) into the archive, in one transaction.

    Safe to call again for the same stories: an unchanged story is skipped, a changed one leaves
    its old cluster (which is re-linked, and may split) and is clustered afresh. Cost grows with
    the stories given and the clusters they touch, not with the archive.
    """
    ids = sorted(set(story_ids))
    window = int(settings.window_hours * 3600)
    fresh = _fresh_nodes(store, ids)  # hashing is the slow part: done before taking the write lock
    report = ClusterReport()
    with store.tx():
        store.clear_cluster_stale(ids)
        stored: dict[int, _Node] = {}
        _load_nodes(store, "id", fresh, stored)
        dirty = [n for n in fresh.values() if not _unchanged(n, stored.get(n.id))]
        for n in dirty:  # cluster columns as of now, under the lock
            if (old := stored.get(n.id)) is not None:
                n.cluster_id, n.copy_of, n.size = old.cluster_id, old.copy_of, old.size
        if not dirty:
            return report
        _replace_index(store, dirty, stored)
        rarity = _Rarity(store)
        rarity.load(k for n in dirty for k in n.ents.tolist())
        nodes = {n.id: n for n in dirty}
        dirty_ids = set(nodes)
        pairs = _candidates(store, dirty, window, rarity)
        _load_nodes(store, "id", (b for _, b in pairs), nodes)
        rarity.load(k for n in nodes.values() for k in n.ents.tolist())
        edges = [(a, b) for a, b in pairs if b in nodes and _linked(nodes[a], nodes[b], settings, window, rarity)]
        # Clusters touched: those the dirty stories left and those they join.
        left = {cid for n in dirty if (cid := n.cluster_id) is not None}
        touched = left | {cid for _, b in edges if (cid := nodes[b].cluster_id) is not None}
        _load_nodes(store, "cluster_id", touched, nodes)
        rarity.load(k for n in nodes.values() if n.cluster_id in left for k in n.ents.tolist())
        comps = _Components()
        by_cluster: dict[int, list[_Node]] = defaultdict(list)
        for n in nodes.values():
            if n.cluster_id in touched or n.id in dirty_ids:
                comps.find(n.id)  # every node settled below, even if it ends up alone
            if n.cluster_id is not None and n.cluster_id in touched:
                by_cluster[n.cluster_id].append(n)
        for cid, members in by_cluster.items():
            if cid in left:  # a member changed: its old links may be gone, so re-link the rest
                for i, a in enumerate(members):
                    for b in members[:i]:
                        if _linked(a, b, settings, window, rarity):
                            comps.union(a.id, b.id)
            else:  # unchanged cluster: still connected
                for m in members:
                    comps.union(members[0].id, m.id)
        for x, y in edges:
            comps.union(x, y)
        settled: dict[int, tuple[int, int | None, int]] = {}
        for group in comps.groups():
            settled.update(_settle([nodes[i] for i in group]))
        updates = [
            (cid, copy, size, i)
            for i, (cid, copy, size) in settled.items()
            if (nodes[i].cluster_id, nodes[i].copy_of, nodes[i].size) != (cid, copy, size)
        ]
        store.set_clusters(updates)
    per_cluster = Counter(cid for cid, _, _ in settled.values())
    report.stories = len(dirty)
    report.linked = sum(1 for n in dirty if per_cluster[settled[n.id][0]] > 1)
    report.copies = sum(1 for n in dirty if settled[n.id][1] is not None)
    report.changed = sorted(u[3] for u in updates)
    return report


def _unchanged(new: _Node, old: _Node | None) -> bool:
    return (
        old is not None
        and new.ts == old.ts
        and new.url_key == old.url_key
        and new.outlet == old.outlet
        and _sig_blob(new.sig) == _sig_blob(old.sig)
        and np.array_equal(new.ents, old.ents)
        and np.array_equal(new.title_ents, old.title_ents)
    )


def _replace_index(store, dirty: list[_Node], stored: dict[int, _Node]) -> None:
    """Swap the dirty stories' stored signatures and band keys for the fresh ones."""
    # Document frequencies: the old token sets out, the new ones in, and the count of stories.
    delta: Counter[int] = Counter()
    for n in dirty:
        old = stored.get(n.id)
        delta.subtract(old.ents.tolist() if old is not None else ())
        delta.update(n.ents.tolist())
    store.replace_cluster_index(
        _rows(old for n in dirty if (old := stored.get(n.id))),
        [
            (n.id, n.ts, n.url_key, _sig_blob(n.sig), _keys_blob(n.ents), _keys_blob(n.title_ents), n.wire)
            for n in dirty
        ],
        _rows(dirty),
        [(k, d) for k, d in delta.items() if d],
        sum(1 for n in dirty if n.id not in stored),
    )


def _rows(nodes: Iterable[_Node]) -> list[tuple[int, int, int]]:
    """A node's (day, key, story_id) index rows: band keys, URL key and salient-token keys."""
    return [(n.ts // DAY, k, n.id) for n in nodes for k in [*_probes(n), *n.ents.tolist()]]


def _candidates(store, dirty: list[_Node], window: int, rarity: _Rarity) -> set[tuple[int, int]]:
    """(dirty id, other id) pairs sharing a band or URL key, or ``EVENT_MIN_RARE`` rare salient
    tokens, on a day the window reaches.

    The window itself is checked exactly when verifying. Only rare tokens are probed: a common
    one (a country, "Brent") would match thousands of stories and decide nothing."""
    probes = [(k, n) for n in dirty for k in _probes(n)]
    rare = [(k, n) for n in dirty for k in n.ents.tolist() if rarity.rare(k)]
    crowded = store.crowded_cluster_keys({k for k, _ in probes} | {k for k, _ in rare}, BUCKET_CAP)
    pairs: set[tuple[int, int]] = set()
    for keyed, least in ((probes, 1), (rare, EVENT_MIN_RARE)):
        rows = [(k, n.id, (n.ts - window) // DAY, (n.ts + window) // DAY) for k, n in keyed if k not in crowded]
        if rows:
            pairs |= store.cluster_pairs(rows, least)
    return pairs


def catch_up(store, settings: ClusterSettings, batch: int = 250, between: Callable[[], None] | None = None) -> int:
    """Cluster the store's backlog (``Store.unclustered_ids``) one committed batch at a time, so a run cut
    short (the analyst quits) keeps what it did and the next run resumes there; ``between`` runs before each
    batch, outside its transaction (the TUI's process waits there while keys are pressed). Returns how many."""
    done: list[int] = []
    total = 0
    while True:
        if between is not None:
            between()
        if not (ids := store.unclustered_ids(batch)) or ids == done:
            return total
        cluster_new(store, ids, settings)
        done, total = ids, total + len(ids)


# -- reading clusters ----------------------------------------------------------------------


class Member(Struct, frozen=True):
    """One story of a cluster, as the reader's corroboration panel lists it."""

    id: int
    source: str
    url: str
    title: str
    grade: str
    """The analyst's grade of this story (e.g. ``B2``), or ``""``."""
    copy_of: int | None = None
    """The earlier member this is a syndicated copy of (not independent corroboration), or None."""
    domain: str = ""
    reliability: str = ""
    """The analyst's reliability letter for this outlet (the source register's), or ``""``."""
    wire: str = ""
    """The wire agency whose copy this is, or ``""``."""

    @property
    def is_copy(self) -> bool:
        return self.copy_of is not None

    @property
    def mark(self) -> str:
        """How the reader's also-reported list marks a story that is no independent source."""
        if self.wire and self.wire.casefold() not in self.source.casefold():
            return f" (wire copy: {self.wire})"
        return " (copy)" if self.is_copy else ""

    @property
    def outlet(self) -> str:
        """The publisher: its name as its feed gives it, else the web domain (single-URL stories).

        Names before domains, because one host can carry several outlets (an aggregator, a
        syndication platform, or the demo's one loopback server). Agency copy is the agency's."""
        return self.wire or self.source or self.domain

    @property
    def letter(self) -> str:
        """Best-known reliability of the outlet: its source rating, else this story's grade."""
        return self.reliability or self.grade[:1]


def cluster_members(store, story_id: int) -> list[Member]:
    """Every story in ``story_id``'s cluster, itself included, oldest first."""
    rows = store.cluster_member_rows(story_id)
    return [
        Member(
            r["id"],
            r["source"],
            r["url"],
            r["title"],
            r["grade"] or "",
            r["copy_of"],
            r["domain"],
            r["reliability"] or "",
            r["wire"] or "",
        )
        for r in rows
    ]


def _others(members: list[Member], excluded: set[str]) -> list[Member]:
    """The earliest original of each outlet in the cluster, outlets in ``excluded`` left out."""
    seen = set(excluded)
    out = []
    for m in members:
        if not m.is_copy and m.outlet not in seen:
            seen.add(m.outlet)
            out.append(m)
    return out


def also_reported(store, story_id: int, members: list[Member] | None = None) -> tuple[tuple[str, str], ...]:
    """(source, url) of each other outlet's original of the story, for the briefing (for a copy,
    its original comes first: that is where the text is from); ``members``: its cluster, if already read."""
    members = cluster_members(store, story_id) if members is None else members
    own = {m.source or m.domain for m in members if m.id == story_id}  # an agency's copy lists the agency
    return tuple((m.source, m.url) for m in _others(members, own))


def corroborated(store, item: BriefItem, members: list[Member] | None = None) -> BriefItem:
    """The briefing item with the other outlets that reported its story (``members``: its cluster, if read)."""
    return replace(item, also=also_reported(store, item.story_id, members))


def suggest_credibility(store, story_id: int) -> tuple[str, str]:
    """A default Admiralty credibility digit from corroboration, with the reason in words.

    Other independent outlets rated reliable (A–B) make it "1"; wide or reliable carriage makes
    it "2"; a single source, or one unrated echo, stays "3". A copy is judged by its original's
    source: the outlet it copied does not confirm it. The analyst's choice always wins; this is
    only the default offered."""
    members = {m.id: m for m in cluster_members(store, story_id)}
    me = members.get(story_id)
    if me is None:
        return "3", "unknown story"
    origin = members.get(me.copy_of) if me.copy_of is not None else None
    others = _others(list(members.values()), {me.outlet} | ({origin.outlet} if origin else set()))
    reliable = sum(1 for m in others if m.letter in RELIABLE)
    n = len(others)
    outlets = f"{n} other independent outlet{'s' if n != 1 else ''}"
    note = f"; this text is {origin.source}'s, syndicated" if origin else ""
    if n == 0:
        return "3", f"single source: no other independent outlet carries this story{note}"
    if reliable >= 2:
        return "1", f"confirmed by {outlets} ({reliable} rated A–B){note}"
    if reliable == 1 or n >= 2:
        return "2", f"carried by {outlets} ({reliable} rated A–B){note}"
    return "3", f"carried by {outlets}, not rated reliable{note}"
