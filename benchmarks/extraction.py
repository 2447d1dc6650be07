"""Reader-mode extraction against readability-lxml alone and trafilatura, on two labelled corpora, by halves.

    python benchmarks/extraction.py --corpus ../shared/corpus --captions ../shared/corpus-captions [--show]

``--corpus`` is an article-extraction-benchmark folder (``html/<id>.html.gz``, ``ground-truth.json``, ``score.py``):
body F1 and pages with extra furniture. ``--captions`` is a corpus-captions folder (``pages.json``, ``captions/``,
``ground-truth-nocaptions.json``, ``score.py``): captions kept, photo credits kept and body F1 with captions left out.
Each corpus's metric functions are imported from its own ``score.py``, so the figures are the scorers' own.

Pages are split by site (publisher, else host) into two halves by a hash of its name: rules were tuned on half A
only, so half B stands for sites never looked at. Once A was exhausted, ``--split B1/B2`` splits B by a second,
salted hash of the site: B1 may be inspected (``--show`` lists its misses), B2 stays held out (totals only).
For ours, body F1 is scored on ``Article.text`` and captions on ``Article.markdown``; trafilatura runs with
``include_images=True``. Extractors are timed page by page in turn, in CPU time of this process: on a machine
shared with other work, wall time measures the neighbours.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import re
import statistics
import sys
import time
import zlib
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui_reader.extract import extract_article

HALVES = ("A (tuned)", "B (held out)")
SPLIT = ("A (tuned)", "B1 (inspect)", "B2 (held out)")


def load_scorer(corpus: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, corpus / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def half_of(site: str) -> int:
    """0 for the tuned half, 1 for the held-out one: stable across runs and machines."""
    return zlib.crc32(site.lower().encode()) % 2


def group_of(site: str, split: bool) -> int:
    """Index into HALVES, or with ``split`` into SPLIT: B cut in two by a salted hash independent of the first."""
    half = half_of(site)
    if not split or not half:
        return half
    return 1 + zlib.crc32(b"B1/B2:" + site.lower().encode()) % 2


def extractors(aeb) -> dict:
    """label → f(html, url) -> (body text, reader text); the others have no separate reader text."""

    def ours(html, url):
        article = extract_article(html, url)
        return article.text, article.markdown

    found = {"ours": ours}
    try:
        readability = aeb.make_readability()
        found["readability-lxml"] = lambda html, url: (text := readability(html, url), text)
    except ImportError:
        pass
    try:
        import trafilatura

        def trafilatura_images(html, url):
            text = trafilatura.extract(html, url=url or None, include_comments=False, include_images=True) or ""
            return text, text

        found["trafilatura"] = trafilatura_images
    except ImportError:
        pass
    return found


def timed_runs(fns: dict, pages: list[dict]):
    """Yield (page, label, body, reader, ms), the extractors in rotating order page by page."""
    labels = list(fns)
    for fn in fns.values():  # warm-up: imports and caches
        fn(pages[0]["html"], pages[0]["url"])
    for n, pg in enumerate(pages):
        for label in labels[n % len(labels) :] + labels[: n % len(labels)]:
            t0 = time.process_time()
            body, reader = fns[label](pg["html"], pg["url"])
            yield pg, label, body, reader, (time.process_time() - t0) * 1000


def aeb_pages(corpus: Path, aeb, split: bool) -> list[dict]:
    pages = aeb.load_pages(corpus)
    for pg in pages:
        pg["half"] = group_of(urlsplit(pg["url"]).hostname or pg["id"], split)
        pg["caps"] = aeb.page_captions(aeb._parse(pg["html"]))
        pg["gold_bp"] = aeb.boilerplate_counts(pg["gold"])
    return pages


def caption_pages(corpus: Path, split: bool) -> list[dict]:
    meta = json.loads((corpus / "pages.json").read_text())
    gold = json.loads((corpus / "ground-truth-nocaptions.json").read_text())
    pages = []
    for pid, m in sorted(meta.items()):
        caps = corpus / "captions" / f"{pid}.json"
        site = m.get("publisher") or re.sub(r"-\d+$", "", pid)
        html = gzip.decompress((corpus / "html" / f"{pid}.html.gz").read_bytes()).decode("utf-8", "replace")
        pages.append(
            {
                "id": pid,
                "url": m.get("url") or "",
                "half": group_of(site, split),
                "html": html,
                "captions": json.loads(caps.read_text()) if caps.exists() else [],
                "credits": m.get("photo_credits") or [],
                "gold": gold[pid]["articleBody"] if m["source"] == "fundus" and pid in gold else None,
            }
        )
    return pages


def new_tally() -> dict:
    return {
        "triples": [],
        "ms": [],
        "caps": 0,
        "caps_kept": 0,
        "credits": 0,
        "credits_kept": 0,
        "furniture": 0,
        "pages": 0,
        "P": [],
        "R": [],
    }


def run(corpus: Path | None, captions: Path | None, show: bool, tuned_only: bool, split: bool = False) -> int:
    aeb = load_scorer(corpus or Path(__file__).resolve().parents[2] / "shared" / "corpus", "aeb_score")
    fns = extractors(aeb)
    names = SPLIT if split else HALVES
    shown = (0, 1)  # with the split, --show never lists B2 (index 2): it stays held out
    rows = []  # (corpus label, group, extractor, tally)
    if corpus is not None:
        pages = [pg for pg in aeb_pages(corpus, aeb, split) if not (tuned_only and pg["half"])]
        tallies = {(h, label): new_tally() for h in range(len(names)) for label in fns}
        for pg, label, body, reader, ms in timed_runs(fns, pages):
            t = tallies[pg["half"], label]
            t["pages"] += 1
            t["ms"].append(ms)
            t["triples"].append(aeb.tp_fp_fn(pg["gold"], body))
            t["caps"] += len(pg["caps"])
            t["caps_kept"] += aeb.captions_kept(pg["caps"], reader)
            extra = [
                k for text in (body, reader) for k, n in aeb.boilerplate_counts(text).items() if n > pg["gold_bp"][k]
            ]
            t["furniture"] += bool(extra)
            if show and label == "ours" and extra and pg["half"] in shown:
                print(f"  {pg['id'][:12]} ({names[pg['half']].split()[0]}) furniture: {', '.join(sorted(set(extra)))}")
        rows += [(f"{corpus.name} (AEB)", h, label, t) for (h, label), t in tallies.items()]
    if captions is not None:
        cs = load_scorer(captions, "captions_score")
        pages = [pg for pg in caption_pages(captions, split) if not (tuned_only and pg["half"])]
        tallies = {(h, label): new_tally() for h in range(len(names)) for label in fns}
        for pg, label, body, reader, ms in timed_runs(fns, pages):
            t = tallies[pg["half"], label]
            t["pages"] += 1
            t["ms"].append(ms)
            out = cs.toks(reader)
            out_sh = set(cs.shingles(out))
            for cap in pg["captions"]:
                ok = cs.kept(cap, out, out_sh)
                t["caps"] += 1
                t["caps_kept"] += ok
                if show and label == "ours" and not ok and pg["half"] in shown:
                    print(f"  {pg['id']} ({names[pg['half']].split()[0]}) caption missed: {cap[:90]!r}")
            for credit in pg["credits"]:
                ok = cs.seq_in(cs.toks(credit), out)
                t["credits"] += 1
                t["credits_kept"] += ok
                if show and label == "ours" and not ok and pg["half"] in shown:
                    print(f"  {pg['id']} ({names[pg['half']].split()[0]}) credit missed: {credit!r}")
            if pg["gold"] is not None:
                p, r = cs.f1_page(pg["gold"], body)
                if p is not None and body.strip():
                    t["P"].append(p)
                if r is not None:
                    t["R"].append(r)
        rows += [(f"{captions.name}", h, label, t) for (h, label), t in tallies.items()]
    if split:  # B as a whole too, to compare with runs without the split
        rows += [
            (n, 3, lab, merged(t, t2))
            for n, h, lab, t in rows
            if h == 1
            for n2, h2, lab2, t2 in rows
            if (n2, h2, lab2) == (n, 2, lab)
        ]
    report(rows, aeb, names + ("B (B1+B2)",) if split else names)
    return 0


def merged(a: dict, b: dict) -> dict:
    return {k: a[k] + b[k] for k in a}


def report(rows: list, aeb, names: tuple[str, ...] = HALVES) -> None:
    print(
        f"{'corpus':<16} {'half':<13} {'extractor':<17} {'pages':>5} {'body F1':>8} {'captions':>15} "
        f"{'credits':>15} {'furniture':>9} {'CPU ms':>9} {'× readab.':>9}"
    )
    for name, h, label, t in sorted(rows, key=lambda r: (r[0], r[1])):
        if not t["pages"]:
            continue
        if t["triples"]:
            f1 = aeb.aggregate(t["triples"])["f1"]
        else:
            mp, mr = statistics.mean(t["P"]), statistics.mean(t["R"])
            f1 = 2 * mp * mr / (mp + mr)
        base = next((b for n, hh, lab, b in rows if (n, hh, lab) == (name, h, "readability-lxml")), None)
        med = statistics.median(t["ms"])
        ratio = f"{med / statistics.median(base['ms']):.2f}" if base else "-"
        caps = f"{t['caps_kept']}/{t['caps']} {100 * t['caps_kept'] / max(1, t['caps']):5.1f}%"
        credits = f"{t['credits_kept']}/{t['credits']} {100 * t['credits_kept'] / max(1, t['credits']):5.1f}%"
        furniture = f"{100 * t['furniture'] / t['pages']:.1f}%" if t["triples"] else "-"
        print(
            f"{name:<16} {names[h]:<13} {label:<17} {t['pages']:>5} {f1:8.3f} {caps:>15} "
            f"{credits if t['credits'] else '-':>15} {furniture:>9} {med:9.1f} {ratio:>9}"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, help="article-extraction-benchmark folder (html/, ground-truth.json)")
    ap.add_argument("--captions", type=Path, help="corpus-captions folder (pages.json, captions/)")
    ap.add_argument("--show", action="store_true", help="list our missed captions, credits and furniture")
    ap.add_argument("--tuned-only", action="store_true", help="only half A: what a tuning session may look at")
    ap.add_argument(
        "--split", choices=["B1/B2"], help="cut B in two: B1 to inspect (--show lists it), B2 held out (totals only)"
    )
    args = ap.parse_args(argv)
    if args.corpus is None and args.captions is None:
        ap.error("give --corpus, --captions or both")
    return run(
        args.corpus and args.corpus.resolve(),
        args.captions and args.captions.resolve(),
        args.show,
        args.tuned_only,
        args.split == "B1/B2",
    )


if __name__ == "__main__":
    raise SystemExit(main())
