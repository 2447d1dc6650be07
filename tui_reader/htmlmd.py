"""Cleaned article HTML → reader markdown and plain text, in one walk.

Kept apart from :mod:`tui_reader.extract` so that the choice of *what* is the article and the choice of *how*
it is shown can change independently. A ``<figure data-tr-caption="N">`` placeholder stands for ``captions[N]``:
it becomes a caption block in the markdown and nothing in the plain text (captions are not body text).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import lxml.etree
from msgspec import Struct

from tui_reader.models import Caption

CAPTION_ATTR = "data-tr-caption"
"""Not ``data-caption``: pages use that one for their own captions (lightboxes, galleries)."""
SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "svg",
        "math",
        "iframe",
        "object",
        "embed",
        "canvas",
        "button",
        "input",
        "select",
        "textarea",
        "img",
        "video",
        "audio",
        "picture",
        "source",
    }
)
BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
        "caption",
    }
)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_WS = re.compile(r"\s+")
_MD_SPECIAL = re.compile(r"([\\`*_~\[\]<])")
"""Characters that would turn page text into markdown syntax (emphasis, strikethrough, links, HTML); the reader
shows strikethrough as a watchlist's highlight, so page text never makes any."""
_MD_LEADER = re.compile(r"^(?=#|>|[-+] )|^(\d+)(?=[.)] )")
"""A paragraph starting like this would render as a heading, quote or list item."""


class Block(Struct, frozen=True):
    """One paragraph-level unit; ``text`` is empty for caption blocks."""

    markdown: str
    text: str
    tight: bool = False
    """A list item or table row: joined to its like neighbours by a single newline."""
    caption: Caption | None = None


def _tag(el) -> str | None:
    return el.tag.lower() if isinstance(el.tag, str) else None


def _link_target(href: str | None) -> str:
    """The href worth showing: absolute web and mail links only (not ``javascript:``, not page-relative)."""
    href = (href or "").strip()
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        return ""
    return href if scheme in ("http", "https", "mailto") else ""


class _Walker:
    """Accumulates inline text for the current block; a block tag boundary flushes it."""

    def __init__(self, captions: list[Caption]):
        self.captions = captions
        self.blocks: list[Block] = []
        self.md: list[str] = []
        self.tx: list[str] = []
        self.links: list[int | None] = []
        """Per open ``<a>``: where its text starts in ``md`` (None once a flush split it)."""
        self.lists: list[list] = []
        """Per open list: [ordered, next number]."""
        self.quote = 0
        self.tables = 0
        self.pre = 0
        self.marker = ""
        """List marker waiting for the first block of the current ``<li>``."""
        self.heading = 0

    def add(self, s: str | None) -> None:
        if s:
            if not self.pre:
                s = _WS.sub(" ", s)
            self.md.append(s if self.pre else _MD_SPECIAL.sub(r"\\\1", s))
            self.tx.append(s)

    def flush(self) -> None:
        self.links = [None] * len(self.links)
        md, tx = "".join(self.md), "".join(self.tx)
        self.md, self.tx = [], []
        if not self.pre:
            md, tx = md.strip(), tx.strip()
            md = re.sub(r" {2,}", " ", md)
            tx = re.sub(r" {2,}", " ", tx)
        if not tx.strip():
            return
        indent = "  " * max(0, len(self.lists) - 1) if self.lists else ""
        if not self.pre:
            md = _MD_LEADER.sub(lambda m: f"{m.group(1) or ''}\\", md)
        if self.heading:
            md = "#" * self.heading + " " + md
        elif self.pre:
            md = f"```\n{md.strip(chr(10))}\n```"
        if self.lists:
            md = indent + (self.marker or "  ") + md
            self.marker = ""
        if self.quote:
            md = "\n".join("> " * self.quote + line for line in md.split("\n"))
        self.blocks.append(Block(md, tx, bool(self.lists or self.tables)))

    def start(self, el, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self.flush()
        if tag in _HEADINGS:
            self.heading = _HEADINGS[tag]
        elif tag in ("ul", "ol"):
            self.lists.append([tag == "ol", 1])
        elif tag == "li" and self.lists:
            ordered = self.lists[-1]
            self.marker = f"{ordered[1]}. " if ordered[0] else "- "
            ordered[1] += 1
        elif tag == "blockquote":
            self.quote += 1
        elif tag == "table":
            self.tables += 1
        elif tag == "pre":
            self.pre += 1
        elif tag == "a":
            self.links.append(len(self.md))
        elif tag == "br" and self.pre:
            self.add("\n")
        elif tag == "br":
            self.flush()
        elif tag in ("td", "th") and "".join(self.tx).strip():
            self.add(" | ")  # a table row reads as one line
        self.add(el.text)

    def end(self, el, tag: str) -> None:
        if tag == "a" and self.links:
            start = self.links.pop()
            target = _link_target(el.get("href"))
            if start is not None and target and "".join(self.md[start:]).strip():
                self.md.insert(start, "[")
                self.md.append(f"]({target})")
        if tag in BLOCK_TAGS:
            self.flush()
        if tag in _HEADINGS:
            self.heading = 0
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "blockquote":
            self.quote -= 1
        elif tag == "table":
            self.tables -= 1
        elif tag == "pre":
            self.pre -= 1

    def caption(self, index: int) -> None:
        self.flush()
        if 0 <= index < len(self.captions):
            cap = self.captions[index]
            self.blocks.append(Block(cap.block(), "", caption=cap))


def to_blocks(root, captions: list[Caption]) -> list[Block]:
    """Blocks of ``root`` in document order, caption placeholders resolved."""
    w = _Walker(captions)
    walker = lxml.etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = _tag(el)
        if event == "start":
            if tag is None:
                walker.skip_subtree()
            elif el.get(CAPTION_ATTR) is not None:
                w.caption(int(el.get(CAPTION_ATTR)))
                walker.skip_subtree()
            elif tag in SKIP_TAGS:
                walker.skip_subtree()
            else:
                w.start(el, tag)
            continue
        if tag is not None and el.get(CAPTION_ATTR) is None and tag not in SKIP_TAGS:
            w.end(el, tag)
        if el is not root:
            w.add(el.tail)
    w.flush()
    return w.blocks


def join_markdown(blocks: list[Block]) -> str:
    out: list[str] = []
    for prev, block in zip([None, *blocks], blocks, strict=False):
        if out:
            out.append("\n" if prev is not None and prev.tight and block.tight else "\n\n")
        out.append(block.markdown)
    return "".join(out)


def join_text(blocks: list[Block]) -> str:
    return "\n\n".join(b.text for b in blocks if b.text)
