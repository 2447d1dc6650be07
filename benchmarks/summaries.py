"""Draft summaries against the publishers' own standfirsts, by halves, with where each draft came from.

    python benchmarks/summaries.py ../shared/corpus-captions [--show N] [--json-out F]

For every page of ``pages.json`` with a standfirst of at least 8 words, ``draft_for_page`` (what the app offers for
a page whose feed entry has no summary) is scored with the corpus's own ``score_summary.py`` (ROUGE-1/2 F, median
words), next to its lead-1/lead-2 baselines and to ``body only``: the body sentence selection alone, without the
page's teaser (standfirst element, description meta). The teaser is often the very text the reference was taken
from, so drafts with ROUGE-1 >= 0.95 are counted as the reference itself: that part of the score is copying, not
choosing, and the pages left are scored apart (ours, body only and lead-2 on them). Pages are split by publisher into two halves by a hash of its name (as ``benchmarks/extraction.py``
does): rules were tuned on half A only, so half B stands for publishers never looked at. Times are CPU time per
draft (this process's, so other work on a shared machine counts less), with the page already extracted (what the
reader pays: it has the article) and with the extraction.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import statistics
import sys
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui_reader.extract import extract_article
from tui_reader.summarize import body_draft, draft_for_page, page_description

HALVES = ("A (tuned)", "B (held out)")
COLUMNS = ("ours", "body only", "lead-1", "lead-2")


def load_scorer(corpus: Path):
    spec = importlib.util.spec_from_file_location("score_summary", corpus / "score_summary.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def half_of(publisher: str) -> int:
    """0 for the tuned half, 1 for the held-out one: stable across runs and machines."""
    return zlib.crc32(publisher.lower().encode()) % 2


def run(corpus: Path) -> list[dict]:
    scorer = load_scorer(corpus)
    pages = json.loads((corpus / "pages.json").read_text())
    rows = []
    for pid, meta in sorted(pages.items()):
        ref = meta.get("standfirst") or ""
        if len(scorer.toks(ref)) < 8:
            continue
        html = gzip.decompress((corpus / "html" / f"{pid}.html.gz").read_bytes())
        url = meta.get("url") or ""
        t0 = time.process_time()
        article = extract_article(html, url or None)
        t1 = time.process_time()
        ours = draft_for_page(html, url, article=article)
        t2 = time.process_time()
        teaser = page_description(html, article)
        body = body_draft(html, article)
        drafts = {
            "ours": ours,
            "body only": body,
            "lead-1": scorer.lead(article.text, 1),
            "lead-2": scorer.lead(article.text, 2),
        }
        rows.append(
            {
                "id": pid,
                "half": half_of(meta.get("publisher") or pid),
                "ref": ref,
                "drafts": drafts,
                "from_teaser": bool(teaser) and ours == teaser,
                "scores": {
                    k: (scorer.rouge(ref, d, 1), scorer.rouge(ref, d, 2), len(scorer.toks(d)))
                    for k, d in drafts.items()
                },
                "ms_draft": (t2 - t1) * 1000,
                "ms_total": (t2 - t0) * 1000,
            }
        )
    return rows


def table(rows: list[dict], label: str) -> dict:
    out = {}
    teaser = [r for r in rows if r["from_teaser"]]
    copied = sum(1 for r in teaser if r["scores"]["ours"][0] >= 0.95)
    in_body = sum(1 for r in rows if r["scores"]["body only"][0] >= 0.95)
    print(
        f"\n{label}: {len(rows)} pages, {len(teaser)} drafts from the page's teaser "
        f"({copied} of them the reference itself, ROUGE-1 >= 0.95; body only: {in_body} of all)"
    )
    for col in COLUMNS:
        s = [r["scores"][col] for r in rows]
        out[col] = {
            "rouge1": statistics.mean(x[0] for x in s),
            "rouge2": statistics.mean(x[1] for x in s),
            "median_words": statistics.median(x[2] for x in s),
            "empty": sum(1 for x in s if not x[2]),
        }
        print(
            f"  {col:10s} ROUGE-1 F {out[col]['rouge1']:.3f}  ROUGE-2 F {out[col]['rouge2']:.3f}  "
            f"median words {out[col]['median_words']:4.0f}  empty {out[col]['empty']}"
        )
    rest = [r for r in rows if r["scores"]["ours"][0] < 0.95]
    for name, part, cols in (
        ("from the teaser", teaser, ("ours",)),
        ("from the body", [r for r in rows if not r["from_teaser"]], ("ours",)),
        ("not the reference itself", rest, ("ours", "body only", "lead-2")),
    ):
        if part:
            figures = "; ".join(
                f"{col} {statistics.mean(r['scores'][col][0] for r in part):.3f} / "
                f"{statistics.mean(r['scores'][col][1] for r in part):.3f}"
                for col in cols
            )
            print(f"  drafts {name} ({len(part)}), ROUGE-1 / ROUGE-2 F: {figures}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path, help="a corpus-captions folder (pages.json, html/, score_summary.py)")
    ap.add_argument("--show", type=int, default=0, metavar="N", help="print N drafts beside their standfirsts")
    ap.add_argument("--half", type=int, choices=(0, 1), help="with --show: only drafts of this half")
    ap.add_argument("--json-out", type=Path)
    a = ap.parse_args()
    rows = run(a.corpus)
    figures = {"all": table(rows, "All pages")}
    for h, label in enumerate(HALVES):
        figures[label] = table([r for r in rows if r["half"] == h], f"Half {label}")
    print(
        f"\nCPU ms per draft, median: {statistics.median(r['ms_draft'] for r in rows):.1f} with the page extracted, "
        f"{statistics.median(r['ms_total'] for r in rows):.1f} with its extraction"
    )
    shown = [r for r in rows if a.half is None or r["half"] == a.half][: a.show]
    for r in shown:
        print(
            f"\n== {r['id']} ({HALVES[r['half']]}, {'teaser' if r['from_teaser'] else 'body'}, "
            f"R1 {r['scores']['ours'][0]:.2f})\n  standfirst: {r['ref']}\n  ours:       {r['drafts']['ours']}"
            f"\n  body only:  {r['drafts']['body only']}"
        )
    if a.json_out:
        a.json_out.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
