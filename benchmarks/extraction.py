"""Reader-mode extraction against readability-lxml alone and trafilatura, on a labelled corpus.

    python benchmarks/extraction.py --corpus ../shared/corpus [--show]

The corpus folder holds ``html/<id>.html.gz``, ``ground-truth.json`` and the benchmark's ``score.py``; its metric
functions are imported from there so that the figures are the scorer's own. Extractors are timed page by page in
turn (ours, readability, trafilatura), so a busy machine slows all of them alike and the time ratio stays fair.
For ours, F1 is scored on ``Article.text`` and captions on ``Article.markdown``; furniture is counted on both.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui_reader.extract import extract_article  # noqa: E402


def load_scorer(corpus: Path):
    spec = importlib.util.spec_from_file_location("corpus_score", corpus / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def caption_text(score, html: str, shingles: set) -> str:
    """The words of the ``<figcaption>`` the scorer knows by its set of shingles."""
    for el in score._parse(html).iter("figcaption"):
        text = score.html_to_text(el)
        if set(score.shingles(score.tokenize(text))) == shingles:
            return " ".join(text.split())
    return "?"


def extractors(score) -> dict:
    """label → f(html, url) -> (body text, reader text); the others have no separate reader text."""
    def ours(html, url):
        article = extract_article(html, url)
        return article.text, article.markdown

    found = {"ours": ours}
    for label, make in (("readability-lxml", score.make_readability), ("trafilatura", score.make_trafilatura)):
        try:
            fn = make()
        except ImportError:
            continue
        found[label] = lambda html, url, fn=fn: (text := fn(html, url), text)
    return found


def run(corpus: Path, limit: int | None, show: bool = False) -> int:
    score = load_scorer(corpus)
    pages = score.load_pages(corpus, limit)
    if not pages:
        raise SystemExit(f"no pages under {corpus}")
    caps = {pg["id"]: score.page_captions(score._parse(pg["html"])) for pg in pages}
    gold_bp = {pg["id"]: score.boilerplate_counts(pg["gold"]) for pg in pages}
    fns = extractors(score)
    for fn in fns.values():  # warm-up: imports and caches
        fn(pages[0]["html"], pages[0]["url"])
    results = {label: {"triples": [], "ms": [], "kept": 0, "bp_body": 0, "bp_reader": 0} for label in fns}
    labels = list(fns)
    for n, pg in enumerate(pages):
        for label in labels[n % len(labels):] + labels[:n % len(labels)]:
            t0 = time.perf_counter()
            body, reader = fns[label](pg["html"], pg["url"])
            r = results[label]
            r["ms"].append((time.perf_counter() - t0) * 1000)
            r["triples"].append(score.tp_fp_fn(pg["gold"], body))
            r["kept"] += score.captions_kept(caps[pg["id"]], reader)
            for key, text in (("bp_body", body), ("bp_reader", reader)):
                counts = score.boilerplate_counts(text)
                extra = [k for k in counts if counts[k] > gold_bp[pg["id"]][k]]
                r[key] += bool(extra)
                if show and label == "ours" and extra:
                    print(f"{pg['id'][:12]} furniture in {key[3:]}: {', '.join(extra)}")
            if show and label == "ours":
                kept = set(score.shingles(score.tokenize(reader)))
                for cap in caps[pg["id"]]:
                    if len(cap & kept) < score.CAPTION_KEEP_THRESHOLD * len(cap):
                        print(f"{pg['id'][:12]} caption missed: {caption_text(score, pg['html'], cap)[:100]}")
    n_caps = sum(len(c) for c in caps.values())
    base = statistics.median(results["readability-lxml"]["ms"]) if "readability-lxml" in results else None
    print(f"{len(pages)} pages, {n_caps} captions, from {corpus}")
    print(f"{'extractor':<17} {'F1':>6} {'P':>6} {'R':>6} {'captions':>9} {'furniture body':>15} "
          f"{'furniture reader':>17} {'median ms':>10} {'× readab.':>10}")
    for label, r in results.items():
        m = score.aggregate(r["triples"])
        med = statistics.median(r["ms"])
        ratio = f"{med / base:.2f}" if base else "-"
        print(f"{label:<17} {m['f1']:6.3f} {m['precision']:6.3f} {m['recall']:6.3f} "
              f"{100 * r['kept'] / max(1, n_caps):8.1f}% {100 * r['bp_body'] / len(pages):14.1f}% "
              f"{100 * r['bp_reader'] / len(pages):16.1f}% {med:10.1f} {ratio:>10}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True, help="folder with html/, ground-truth.json, score.py")
    ap.add_argument("--limit", type=int, help="only the first N pages")
    ap.add_argument("--show", action="store_true", help="list our missed captions and furniture, page by page")
    args = ap.parse_args(argv)
    return run(args.corpus.resolve(), args.limit, args.show)


if __name__ == "__main__":
    raise SystemExit(main())
