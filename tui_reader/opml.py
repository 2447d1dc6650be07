"""OPML subscription lists: import (folders become groups) and export; export → import round-trips.

Nested folders join with " / " into one group name, which export writes back as one folder, so a
round trip keeps every feed's group string exactly.
"""

from __future__ import annotations

import html
import re
from typing import Iterable

from tui_reader.errors import OpmlError
from tui_reader.feeds import strip_doctype
from tui_reader.models import Feed

GROUP_SEP = " / "
_BARE_AMP = re.compile(rb"&(?!#?\w+;)")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters XML 1.0 cannot carry at all (a feed title may hold them; the export must stay parseable)."""


def parse_opml(data: bytes) -> list[tuple[str, str, str]]:
    """``(url, title, group)`` for every outline with an ``xmlUrl``, in file order, first of duplicates kept."""
    import lxml.etree

    # No DTD (so no entities), no network; escape the bare "&" common in hand-made files.
    parser = lxml.etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, recover=True, huge_tree=False
    )
    try:
        root = lxml.etree.fromstring(_BARE_AMP.sub(b"&amp;", strip_doctype(data)), parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise OpmlError(f"not an OPML file: {exc.msg}") from None
    if root is None or not isinstance(root.tag, str) or root.tag.lower() != "opml":
        raise OpmlError("not an OPML file: no <opml> root element")
    body = root.find("body")
    if body is None:
        raise OpmlError("not an OPML file: no <body> element")
    feeds: list[tuple[str, str, str]] = []
    seen: set[str] = set()

    def walk(node, folders: tuple[str, ...]) -> None:
        for outline in node.iterfind("outline"):
            url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
            name = (outline.get("title") or outline.get("text") or "").strip()
            if url:
                if url not in seen:
                    seen.add(url)  # export writes the URL as the name of an untitled feed
                    feeds.append((url, "" if name == url else name, GROUP_SEP.join(folders)))
            else:
                walk(outline, folders + (name,) if name else folders)

    walk(body, ())
    return feeds


def _escape(text: str) -> str:
    return html.escape(_NOT_XML.sub("", text))


def export_opml(feeds: Iterable[Feed], title: str = "tui-reader subscriptions") -> str:
    """OPML 2.0 text: ungrouped feeds first, then one folder per group."""
    by_group: dict[str, list[Feed]] = {}
    for feed in feeds:
        by_group.setdefault(feed.group, []).append(feed)

    def outline(feed: Feed, indent: str) -> str:
        name = _escape(feed.title or feed.url)
        return f'{indent}<outline type="rss" text="{name}" title="{name}" xmlUrl="{_escape(feed.url)}"/>'

    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{_escape(title)}</title></head>",
        "  <body>",
    ]
    lines += [outline(f, "    ") for f in by_group.pop("", [])]
    for group in sorted(by_group, key=str.casefold):
        name = _escape(group)
        lines.append(f'    <outline text="{name}" title="{name}">')
        lines += [outline(f, "      ") for f in by_group[group]]
        lines.append("    </outline>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)
