"""A day's briefing note made sendable: markdown without markers, one self-contained HTML file, JSON for scripts.

What is sent is the note on disk, hand edits included. HTML is rendered from that markdown by
markdown-it-py with raw HTML off and images off, so nothing in a feed (or pasted into the note)
becomes markup, a script or a remote fetch; its styles are inline attributes because mail clients
drop ``<style>`` sheets. JSON (``brief.schema.json``) takes each item's fields from the store, in the
note's order and under the note's headings, so scripts get plain values instead of markdown.
"""

from __future__ import annotations

import html
import json
import re
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_reader import briefing
from tui_reader.errors import BriefingError
from tui_reader.models import BriefItem
from tui_reader.sanitize import clean_line, clean_text, is_openable_url

if TYPE_CHECKING:
    from markdown_it.token import Token

    from tui_reader.store import Store

__all__ = ["FORMATS", "SCHEMA_PATH", "read_note", "to_markdown", "to_html", "to_json"]

FORMATS = ("md", "html", "json")
SCHEMA_PATH = Path(__file__).with_name("brief.schema.json")
SCHEMA_VERSION = 1

_FONT = "font-family:Georgia,'Times New Roman',serif;"
_STYLES = {
    "h1": _FONT + "font-size:1.6em;margin:0 0 .6em;border-bottom:2px solid #1f3a5f;padding-bottom:.2em;",
    "h2": _FONT + "font-size:1.25em;margin:1.4em 0 .4em;color:#1f3a5f;",
    "h3": _FONT + "font-size:1.05em;margin:1.1em 0 .3em;",
    "p": "margin:.4em 0;",
    "ul": "margin:.3em 0;padding-left:1.4em;",
    "ol": "margin:.3em 0;padding-left:1.4em;",
    "li": "margin:.15em 0;",
    "blockquote": "margin:.5em 0;padding:.2em .9em;border-left:3px solid #9aa9bd;color:#333;background:#f5f7fa;",
    "a": "color:#1a5fb4;",
    "code": "font-family:Menlo,Consolas,monospace;font-size:.9em;background:#f0f0f0;",
    "pre": "background:#f0f0f0;padding:.5em;overflow:auto;",
    "hr": "border:0;border-top:1px solid #ccc;margin:1.2em 0;",
    "table": "border-collapse:collapse;margin:.5em 0;",
    "th": "border:1px solid #ccc;padding:.2em .5em;text-align:left;",
    "td": "border:1px solid #ccc;padding:.2em .5em;",
}
_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
</head>
<body style="margin:0;padding:1.2em;background:#ffffff;color:#111;font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:15px;line-height:1.45;">
<div style="max-width:44em;margin:0 auto;">
{body}</div>
</body>
</html>
"""


def read_note(briefing_dir: Path, day: date) -> str:
    """The day's note as written on disk; a missing one is a one-line error."""
    path = briefing.note_path(briefing_dir, day)
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise BriefingError(f"no briefing note for {day.isoformat()} yet ({path})") from None
    except OSError as exc:
        raise BriefingError(f"cannot read briefing note {path}: {exc.strerror or exc}") from None


def to_markdown(text: str) -> str:
    """The note without its markers or empty sections; nothing left that a terminal would act on."""
    return clean_text(briefing.sendable_markdown(text))


def _markdown_it():
    from markdown_it import MarkdownIt  # only the html format needs it

    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").disable("image")


def _style(tokens: list[Token]) -> None:
    """Every opening (or self-closing) tag gets its inline style; a code block is styled as its ``<pre>``."""
    for token in tokens:
        tag = "pre" if token.type in ("fence", "code_block") else token.tag
        if token.nesting >= 0 and tag in _STYLES:
            token.attrSet("style", _STYLES[tag])
        if token.children:
            _style(token.children)


def to_html(text: str, day: date) -> str:
    """One self-contained HTML page of the note: inline styles, no scripts, no images, no remote resources."""
    md = _markdown_it()
    tokens = md.parse(to_markdown(text))
    _style(tokens)
    title = next(
        (tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h1"),
        f"Briefing — {day.isoformat()}",
    )
    return _PAGE.format(title=html.escape(_unescape(title)), body=md.renderer.render(tokens, md.options, {}))


def _unescape(markdown_line: str) -> str:
    """What a line made inert by the note's escaping says, as plain text."""
    return re.sub(r"\\([\\`*_\[\]#])", r"\1", markdown_line).replace("--&gt;", "-->").replace("&lt;", "<")


def _when(value: datetime | None) -> str | None:
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return aware.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _item(item: BriefItem, section: str, new: bool) -> dict[str, Any]:
    grade = item.grade
    outlets = [{"source": clean_line(item.source, 120), "url": item.url if is_openable_url(item.url) else ""}]
    outlets += [{"source": clean_line(s, 120), "url": u if is_openable_url(u) else ""} for s, u in item.also]
    return {
        "id": item.story_id,
        "section": _unescape(section),
        "title": clean_line(item.title, 300),
        "url": item.url if is_openable_url(item.url) else "",
        "source": clean_line(item.source, 120),
        "published": _when(item.published),
        "triaged_at": _when(item.triaged_at),
        "triaged_by": clean_line(item.triaged_by, 40),
        "rating": None
        if grade is None
        else {
            "code": grade.code,
            "reliability": grade.reliability,
            "credibility": grade.credibility,
            "words": grade.words,
        },
        "tags": [clean_line(t, 60) for t in item.tags],
        "summary": clean_text(item.summary).strip(),
        "note": clean_text(item.note).strip(),
        "quotes": [{"text": clean_text(q.text), "paragraph": q.paragraph + 1, "offset": q.offset} for q in item.quotes],
        "outlets": outlets,
        "new": new,
        "credits": [clean_line(name, 40) for name in item.credits],
    }


def to_json(
    store: Store, briefing_dir: Path, text: str, day: date, items_by_id: dict[int, BriefItem] | None = None
) -> str:
    """The note as a JSON document following ``brief.schema.json``; ``items_by_id`` are the items as given (a team
    brief's, credited and corroborated already) instead of read from the store.

    ``<``, ``>`` and ``&`` are written as ``\\u003c``… so the document stays inert even pasted into HTML.
    """
    from tui_reader.cluster import corroborated  # numpy: only this format needs it

    sections = briefing.note_sections(text)
    earlier = briefing.earlier_brief(briefing_dir, day)
    new = set(briefing.new_since(text, earlier))
    items = []
    for section, story_id in briefing.note_outline(text):
        if items_by_id and story_id in items_by_id:
            items.append(_item(items_by_id[story_id], section, story_id in new))
        elif (item := store.brief_item(story_id)) is not None:
            items.append(_item(corroborated(store, item), section, story_id in new))
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), "")
    doc = {
        "schema_version": SCHEMA_VERSION,
        "date": day.isoformat(),
        "title": clean_line(_unescape(title), 200) or f"Briefing — {day.isoformat()}",
        "structured": bool(sections),
        "bluf": clean_text(sections["bluf"]).strip() if sections.get("bluf", "").strip() else None,
        "judgements": [
            {"probability": j.probability, "confidence": j.confidence, "statement": clean_line(_unescape(j.statement))}
            for j in briefing.parse_judgements(sections.get("judgements", ""))
        ],
        "new_since": {
            "previous_brief": earlier.day.isoformat() if earlier.day else None,
            "story_ids": [i["id"] for i in items if i["new"]],
        },
        "items": items,
    }
    out = json.dumps(doc, ensure_ascii=False, indent=2)
    return out.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"
