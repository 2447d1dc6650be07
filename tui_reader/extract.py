"""Reader mode: page HTML → :class:`Article` (body, captions in place, metadata), pure and synchronous.

readability-lxml picks the article node; on top of it this module
- reads metadata from ``<meta>``, OpenGraph and JSON-LD before guessing from the markup,
- removes page furniture that readability keeps (paywall and sign-up blurbs, "Related" lists, share bars, …),
  by the structure (class/id words) and by short-block phrases, never by a list of sites,
- puts back every caption and credit of the article's images, including figures readability dropped, and the
  embedded posts (tweets) it drops for their links,
- decodes bytes by the HTTP header's charset, ``<meta charset>``, then UTF-8 or Windows-1252, and never raises.

Every element of the parsed page gets a ``data-tr`` index before readability copies it, so any node of
readability's output can be traced back to the untouched original (its caption, its place in the page).
"""

from __future__ import annotations

import bisect
import codecs
import copy
import json
import logging
import re
from collections import deque
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import unescape
from urllib.parse import urljoin

import lxml.etree
import lxml.html
from readability import Document

from tui_reader import htmlmd
from tui_reader.furniture import says_furniture
from tui_reader.models import Article, Caption
from tui_reader.sanitize import header_charset
from tui_reader.urls import domain_of

# readability logs a full traceback before raising Unparseable; we handle that case ourselves.
logging.getLogger("readability.readability").setLevel(logging.CRITICAL)

INDEX_ATTR = "data-tr"
MIN_WORDS = 80
"""Below this many words, extraction is suspect and the feed's own content is preferred when the page has more."""

_UTF8_PARSER = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True)
_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-sjis": "shift_jis",
}
"""WHATWG label mapping: browsers decode these labels with the superset encoding, and so must we."""
_WS = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --------------------------------------------------------------------------- decoding and parsing
def decode(data: bytes, content_type: str | None = None) -> str:
    """Bytes → text: BOM, the HTTP header's charset, ``<meta charset>``, UTF-8, then Windows-1252.

    A declared charset that is unknown or does not decode cleanly is skipped, so a lying header never
    garbles a page that is valid in the next candidate; Windows-1252 with replacement never fails.
    """
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, "replace")
    declared = []
    if charset := header_charset(content_type):
        declared.append(charset)
    if meta := _CHARSET_RE.search(data[:4096]):
        declared.append(meta.group(1).decode("ascii", "replace"))
    for label in [*declared, "utf-8"]:
        label = label.strip().lower()
        try:
            text = data.decode(_CHARSET_ALIASES.get(label, label))
        except (LookupError, UnicodeDecodeError):
            continue
        if _CHARSET_ALIASES.get(label) == "cp1252" and not text.isascii():
            try:  # "ISO-8859-1" is many servers' default header, whatever the page: valid UTF-8 is UTF-8
                return data.decode("utf-8")
            except UnicodeDecodeError:
                pass
        return text
    return data.decode("cp1252", "replace")


_CONTROL_REF = re.compile(r"&#(?:[xX]0*([0-9a-fA-F]{1,2})|0*([0-9]{1,3}));?")


def _control_ref(m: re.Match[str]) -> str:
    """Drop a character reference to a C0 control or DEL (lxml would decode it into the tree)."""
    code = int(m.group(1), 16) if m.group(1) else int(m.group(2))
    return "" if (code < 32 and code not in (9, 10, 13)) or code == 127 else m.group(0)


def parse(html: str | bytes, content_type: str | None = None):
    """The page's root element, or None when there is no markup to speak of."""
    text = decode(html, content_type) if isinstance(html, bytes) else html
    if not text or not text.strip():
        return None
    # Control characters parse, but lxml refuses them in any text it has to set later (e.g. dropping a node),
    # whether written raw or as character references (&#x1b;).
    text = _CONTROL_REF.sub(_control_ref, _CONTROL.sub("", text))
    try:
        # Always via UTF-8 bytes: lxml refuses str input that carries an XML encoding declaration.
        root = lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=_UTF8_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return None
    _empty_void_elements(root)
    return root


_HTML5_VOID = ("source", "track", "wbr", "embed")
"""Empty elements of HTML5 that libxml2's HTML 4 parser does not know as empty."""


def _empty_void_elements(root) -> None:
    """Move out what libxml2 nested inside an unclosed ``<source>``, ``<track>``, ``<wbr>`` or ``<embed>``: written
    without a slash, each swallows what follows it, so a ``<picture>``'s ``<img>`` sits as many levels deeper as
    it has sources (out of reach of its caption), and words after an ``<embed>`` are skipped with it."""
    for el in list(root.iter(*_HTML5_VOID)):
        if not len(el) and not el.text:
            continue
        tail, el.tail, el.text = el.tail, el.text, None
        last = el
        for child in list(el):
            last.addnext(child)
            last = child
        last.tail = (last.tail or "") + (tail or "") or None


# --------------------------------------------------------------------------- metadata
_ARTICLE_TYPES = re.compile(r"(?:Article|BlogPosting|Report)$")
"""schema.org types of a story: NewsArticle, ReportageNewsArticle, BlogPosting, LiveBlogPosting, …"""


def _json_ld_article(root) -> dict:
    """The first JSON-LD object typed as an article."""
    for script in root.iterfind(".//script[@type='application/ld+json']"):
        for node in json_ld_articles(script.text or ""):
            return node
    return {}


def json_ld_articles(data: str) -> Iterator[dict]:
    """The objects of one JSON-LD script typed as an article, breadth first, looking inside ``@graph``,
    ``mainEntity`` and lists; nothing for a script that is not JSON."""
    try:
        stack = [json.loads(data, strict=False)]
    except ValueError:
        return
    while stack:
        node = stack.pop(0)
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            kinds = node.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(isinstance(k, str) and _ARTICLE_TYPES.search(k) for k in kinds):
                yield node
            stack.extend(v for k, v in node.items() if k in ("@graph", "mainEntity", "mainEntityOfPage"))


def _names(value) -> str:
    """JSON-LD author/publisher (a string, an object with ``name`` or a list of them) → "A, B"."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return _names(value.get("name", ""))
    if isinstance(value, list):
        return ", ".join(n for n in (_names(v) for v in value) if n)
    return ""


def parse_date(value) -> datetime | None:
    """ISO 8601 or RFC 2822 → aware datetime; a date without zone is taken as UTC so stories stay sortable."""
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))  # noqa: FURB162 ("2024-01-01Z" needs it)
    except ValueError:
        try:
            dt = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if not 1990 <= dt.year <= 2100:  # "0001-01-01": a template's empty date
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


_BYLINE_GUESSES = lxml.etree.XPath("//*[@rel='author'] | //*[@itemprop='author'] | //*[contains(@class, 'byline')]")
_BY = re.compile(r"^\s*by\s+", re.IGNORECASE)
_BYLINE_TAIL = re.compile(r"^\s*by\s+|\s*(?:[@|\d]| published| updated| posted).*$", re.IGNORECASE)


def _metadata(root, url: str | None) -> dict:
    metas: dict[str, str] = {}
    for m in root.iter("meta"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or "").strip().lower()
        content = (m.get("content") or "").strip()
        if key and content:
            metas.setdefault(key, content)
    ld = _json_ld_article(root)
    h1 = root.find(".//h1")
    title_el = root.find(".//title")
    image = ld.get("image")
    image = image.get("url") if isinstance(image, dict) else image[0] if isinstance(image, list) and image else image
    author = _names(ld.get("author")) or metas.get("author", "") or metas.get("article:author", "")
    if author.startswith(("http://", "https://")):  # article:author is often the author's page
        author = ""
    if not author:  # a byline in the page, cut before its date or handle
        guesses = (_BYLINE_TAIL.sub("", _text(el)) for el in _BYLINE_GUESSES(root))
        author = next((g for g in guesses if 0 < len(g) < 80), "")
    time_el = root.find(".//time[@datetime]")
    published = (
        parse_date(ld.get("datePublished"))
        or parse_date(metas.get("article:published_time"))
        or parse_date(metas.get("datepublished"))
        or parse_date(metas.get("date"))
        or parse_date(time_el.get("datetime") if time_el is not None else None)
    )
    title = (
        (ld.get("headline") if isinstance(ld.get("headline"), str) else "")
        or metas.get("og:title")
        or metas.get("twitter:title")
        or (_text(h1) if h1 is not None else "")
        or (_text(title_el) if title_el is not None else "")
    )
    lead = image if isinstance(image, str) else metas.get("og:image", "")
    site = metas.get("og:site_name") or _names(ld.get("publisher"))
    return {
        "title": _clean(title),
        "byline": _BY.sub("", _clean(author)),
        "published": published,
        "site_name": (
            domain_of(site) if site.startswith(("http://", "https://")) else _clean(site) or domain_of(url or "")
        ),
        "lead_image": _absolute(url, lead),
    }


def _clean(value: str) -> str:
    """Meta text as shown: entities some sites escape twice (``&amp;#8216;``) decoded, white space collapsed."""
    return _WS.sub(" ", unescape(value)).strip()


def _absolute(base: str | None, href: str) -> str:
    """``href`` resolved against the page URL; as it is when either is missing or malformed."""
    try:
        return urljoin(base, href) if base and href else href
    except ValueError:
        return href


def _size_upto(el, limit: int) -> int:
    """:func:`_size` of the element's text, counted only up to just past ``limit`` (wrappers of whole pages)."""
    size = 0
    for text in el.itertext():
        size += _size(text)
        if size > limit:
            break
    return size


def _text(el) -> str:
    return _WS.sub(" ", el.text_content()).strip()


def _size(text: str) -> int:
    """Characters other than white space: templates indent captions and share bars by hundreds of spaces."""
    return len("".join(text.split()))


# --------------------------------------------------------------------------- captions
_TEXT_BOUNDS = frozenset({"body", "html", "article", "main", "p", "td", "blockquote"})
"""An image's caption never lies beyond these: past them are the body's words."""
_NOT_IN_FIGURES = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "input", "select", "textarea", "form", "nav"})
"""A heading makes a picture and words a teaser card; a form or a nav, a menu or a tool bar."""
_WORD = re.compile(r"\w+")
_BLOCK_CAPTION = 400
"""Characters: the most words an image's own wrapper holds when they are its caption and credit."""
_CARD = 1000
"""Characters: the most words of a teaser card (picture, linked headline, blurb), less than any article."""
_CAPTION_CLASS = re.compile(
    r"caption|cutline|image-?desc|img-?desc|photo-?desc|media-?desc|image__meta|legend|"
    r"unterschrift|bildtext|bildetekst|didascalia|epigrafe|pie-?de-?foto|popis|podpis|bijschrift|onderschrift"
)
"""Class, id or itemprop words of a caption, in the languages templates are written in too (``bildunterschrift``,
``didascalia``, ``pie-de-foto``, ``popisek``, ``bildetekst``, ``legenda``)."""
_CREDIT_CLASS = re.compile(
    r"credit|copyright|rights|photographer|attribution|courtesy|author|creator|source|"
    r"autor|quelle|fonte|fuente"
)
"""Class, id or itemprop words of a figure's credit (``caption_author``, ``mediaRights``, ``copyrightHolder``,
``bildquelle``, ``fonte-foto``)."""
_CREDIT_ATTR = re.compile(r"credit|copyright|photographer|rights")
"""Names of attributes holding a credit; not "source" or "author": a video's platform, a post's category."""
_HIDDEN_CLASS = re.compile(
    r"off-?screen|sr-only|visually-?hidden|screen-?reader|a11y|"
    r"(?:^|[\s_-])(?:more|less|toggle|expand|collapse)(?:$|[\s_-])"
)
"""Screen-reader labels ("Image caption") and "… more"/"less" toggles inside captions (in lower-cased classes)."""
_CREDIT_TEXT = re.compile(
    r"\s*\(?\b((?:Photo(?:graph)?|Image|Picture|Credit)s?\s*(?::|\.\.\.|…|by)\s*[^()]{2,80}?)\)?\s*$"
    r"|(?:(?<=[.!?。»\"”])\s*|\s*\(|\s+\|\s*)((?:©|\(c\)|\w+(?: \w+)?\s?[:：])\s*[^():：|]{2,80}?)\)?\s*$"
    r"|\s+\|\s*([^|]{2,80}?)\s*$"
    r"|\s+(©\s*[^©()]{2,80}?)\s*$"
)
"""A credit at the end of a caption's text: "… (Photo: AP)", "…Credit...Doug Mills/The New York Times"; in any
language, one or two words and a colon after the sentence, in brackets or after a bar ("… an. Foto: dpa",
"… (Фото: ТАСС)", "…。写真：共同"), a "©" line, whatever follows a last " | ", or a "©" after any word."""
_CREDIT_LINE = re.compile(r"(?:©|\(c\)|\w+(?: \w+)?\s?[:：])\s*[^\s:：]+(?:\s+[^\s:：]+){0,6}")
"""A label and up to seven words of names, nothing more: "Foto: Ole Nielsen", "Фото: ТАСС", "© AFP"."""
_ARTICLE_CLASS = re.compile(r"(?:^|[\s_-])(?:article|story|post|entry|articlebody)(?:$|[\s_-])")
_LEGAL = re.compile(r"\s*(?:(?:©|\(c\)|copyright)\s[^.]*\.\s*)?all rights reserved\.?", re.IGNORECASE)
"""Legal boilerplate some agencies append to credits: the credit itself stays."""
_DECORATION = re.compile(r"\b(?:logo|icon|avatar|spinner|placeholder|spacer|pixel)\b|\{\{", re.IGNORECASE)
"""Alt texts of images that are not part of the story."""
_FILE_NAME = re.compile(
    r"^\S+\.(?:jpe?g|png|gif|webp|svg)$|^(?:image|photo|picture|img|thumbnail)\s*\d*$", re.IGNORECASE
)


def _classes(el) -> str:
    """Class, id and itemprop in lower case, for the ``…_CLASS`` patterns: far faster than matching with re.I."""
    return f"{el.get('class', '')} {el.get('id', '')} {el.get('itemprop', '')}".lower()


_NOT_CONTENT = lxml.etree.XPath("//script | //style | //noscript | //template | //link | //svg | //comment()")
_CAPTION_ATTR = re.compile(r"data-(?:[\w-]*caption[\w-]*|legend|sub-html)$")
"""Names of attributes where lightboxes and galleries keep a photo's caption: ``data-caption``,
``data-pswp-caption``, ``data-sub-html`` (lightGallery)."""
_LIGHTBOX_ATTR = re.compile(r"(?:title|data-(?:title|desc(?:ription)?))$")
"""Names that hold a caption only on a link to the picture itself (lightbox2's ``data-title``): elsewhere they
name a page, a share widget's headline or a tool tip."""
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:[?#]|$)", re.IGNORECASE)
_CAPTION_MARKUP = lxml.etree.XPath(
    "//figure | //figcaption | //*[@itemprop='caption' or @data-caption or @data-legend or @data-sub-html]"
    " | //a[contains(@href, '.jp') or contains(@href, '.png') or contains(@href, '.webp') or contains(@href, '.gif')"
    " or contains(@href, '.avif')][@title or @data-title or @data-description or @data-desc]"
)
"""A cheap superset of the elements that are captions by their markup (the commonest attribute names: a rarer
``data-…-caption`` counts inside a figure found otherwise)."""
_CLASSED = lxml.etree.XPath("//*[@class]")


def _caption_candidates(root) -> list:
    """Elements that may be captions, by markup or by class: one regex over the classes is cheaper than an XPath
    ``contains()`` per caption word and element."""
    classed = (el for el in _CLASSED(root) if _CAPTION_CLASS.search(el.get("class", "").lower()))
    return list(dict.fromkeys([*_CAPTION_MARKUP(root), *classed]))


def _attribute_caption(el) -> tuple[str, str]:
    """Caption and credit kept in ``el``'s own attributes: a ``data-`` attribute named for a caption (HTML in it
    read as a figure's words), or the ``title`` of a link to the image file (a lightbox); only a sentence, not a
    label, a URL or data, and never on a link to another page (a teaser's headline)."""
    href = el.get("href", "") if el.tag == "a" else ""
    lightbox = bool(_IMAGE_FILE.search(href))
    if href and not lightbox and not href.startswith("#"):
        return "", ""
    values = [
        v for name, v in el.attrib.items() if _CAPTION_ATTR.match(name) or (lightbox and _LIGHTBOX_ATTR.match(name))
    ]
    for value in values:
        text, credit = _WS.sub(" ", value).strip(), ""
        if "<" in value:
            words = lxml.html.fragment_fromstring(value, create_parent="div")
            credits = _outermost(words, lambda e: bool(_CREDIT_CLASS.search(_classes(e)))) or _credit_line(words)
            text = _text_without(words, lambda e, credits=credits: e in credits or _hidden(e))
            credit = " ".join(_text(c) for c in credits)
        if text.count(" ") >= 2 and "://" not in text and not text.startswith(("{", "[")):
            return text, credit
    return "", ""


def _is_caption(el) -> bool:
    return el.tag == "figcaption" or bool(_CAPTION_CLASS.search(_classes(el)))


_BRACKET_SPACE = re.compile(r"(?<=[(\[]) | (?=[)\]])")


def _text_without(el, drop) -> str:
    """Visible text of ``el`` leaving out the subtrees for which ``drop(sub)`` is true."""
    parts = []
    walker = lxml.etree.iterwalk(el, events=("start", "end"))
    for event, sub in walker:
        space = " " if sub.tag in htmlmd.BLOCK_TAGS or sub.tag == "br" else ""  # "<p>caption</p>Credit"
        if event == "start":
            if not isinstance(sub.tag, str) or (sub is not el and drop(sub)):
                walker.skip_subtree()
            else:
                parts.append(space + (sub.text or ""))
        elif sub is not el:
            parts.append(space + (sub.tail or ""))
    return _BRACKET_SPACE.sub("", _WS.sub(" ", "".join(parts))).strip()


_SLIDE_COUNT = re.compile(r"\d+\s*(?:/|[^\W\d]{1,4})\s*\d+\W*")
"""A gallery's slide counter: "2 of 12 |", "2 von 12", "2 z 12", "2/12"."""


def _hidden(el) -> bool:
    """Not part of a caption's words: screen-reader labels, toggles, buttons, tool tips and slide counters."""
    return (
        el.tag == "button"
        or el.get("role") == "tooltip"
        or bool(_HIDDEN_CLASS.search(el.get("class", "").lower()))
        or ((el.text or "")[:1].isdigit() and bool(_SLIDE_COUNT.fullmatch(_text(el))))
    )


def _thumbnail(img, *, both: bool = False) -> bool:
    """An image declared smaller than 150 px either way (``both``: both ways, an icon; a small responsive
    picture is 256×144): a head shot or an icon, not a news picture."""
    sizes = [int(s) for s in (img.get("width", "").strip(), img.get("height", "").strip()) if s.isdigit()]
    return bool(sizes) and (all if both else any)(s < 150 for s in sizes)


def _credit_line(unit) -> list:
    """The element that ends a figure's words with a labelled name of its own ("<span>Foto: Ole Nielsen</span>",
    "<p>© AFP</p>"), when other words precede it: the credit, in any language."""
    words = _text(unit)
    for el in reversed(list(unit.iterdescendants(lxml.etree.Element))):
        text = _text(el)
        if text and words.endswith(text) and len(text) < len(words) and _CREDIT_LINE.fullmatch(text):
            return [el]
    return []


def _side_credit(el) -> bool:
    """A short element that is a credit by its class (not "author": that is the story's byline box) or by its
    words alone ("Foto: Ole Nielsen", "© AFP")."""
    text = _text(el)
    return 0 < len(text) <= 100 and bool(_CREDIT_ATTR.search(_classes(el)) or _CREDIT_LINE.fullmatch(text))


def _with_credit(unit):
    """A figure's wrapper when all else it holds is the figure's credit (``<div><figure/><span class="credit">``):
    some templates put the credit beside the ``<figure>``, not in it."""
    parent = unit.getparent()
    if unit.tag != "figure" or parent is None or parent.tag in _TEXT_BOUNDS or _size(parent.text or ""):
        return unit
    others = [c for c in parent if c is not unit and isinstance(c.tag, str)]
    if others and all(_side_credit(c) and not _size(c.tail or "") for c in others) and not _size(unit.tail or ""):
        return parent
    return unit


def _picture_paragraph(p, node) -> bool:
    """A paragraph that is a picture and its caption, not text with an image in it: the image (or its link) opens
    it and its words follow a line break or are one element of their own (``<p><img><br><em>caption</em></p>``)."""
    if p.tag != "p" or _size(p.text or "") or not len(p) or p[0] is not node or _size(node.tail or ""):
        return False
    rest = [c for c in p if c is not node and c.tag != "br"]
    follows = node.getnext()
    return (follows is not None and follows.tag == "br") or (len(rest) == 1 and not _size(rest[0].tail or ""))


def _is_label(text: str) -> bool:
    """Too few words for a caption: "Video", "mit Audio", "1:20", "FAQ" over a picture."""
    return len(_WORD.findall(text)) < 3 and _size(text) < 12


def _mostly_links(el) -> bool:
    """A third or more of the words are links' (nested links counted once per level, erring towards yes)."""
    return 3 * sum(_size(a.text_content()) for a in el.iter("a")) >= max(1, _size(el.text_content()))


def _outermost(unit, test) -> list:
    """Elements of ``unit`` passing ``test`` with no passing ancestor inside ``unit``."""
    found = []
    for el in unit.iter(lxml.etree.Element):
        if test(el) and not any(a in found for a in el.iterancestors() if a is not unit):
            found.append(el)
    return found


def _attribute_credit(el) -> str:
    """A credit kept in an attribute (``data-credit``, ``data-copyright``, ``data-photographer``), not a URL or data."""
    for name, value in el.attrib.items():
        value = _WS.sub(" ", value).strip()
        if (
            name.startswith("data-")
            and _CREDIT_ATTR.search(name)
            and 0 < len(value) <= 100
            and "://" not in value
            and not value.startswith(("{", "[", "/"))
            and not _FILE_NAME.match(value)
        ):
            return value
    return ""


def caption_of(unit, url: str | None = None, *, alt: bool = True) -> Caption | None:
    """Caption and credit of a figure-like element; with ``alt``, the alt text when it has no caption.

    Of several caption elements (the innermost ones) the longest wins, the others being truncated or repeated
    copies, unless it is under half the words of the one holding them all (then they are its parts); the alt
    text is only used without a caption because it usually repeats it, and only when it describes a picture:
    three words or more, not a file name, a logo or a thumbnail-sized image.
    """
    img = next(unit.iter("img"), None)
    stubs = (img.get("src"), img.get("data-src")) if img is not None else ()
    src = next((s for s in stubs if s and not s.startswith("data:")), "")  # lazy: a data: stub until scrolled to
    src = _absolute(url, src)
    credits = _outermost(unit, lambda el: bool(_CREDIT_CLASS.search(_classes(el)))) or _credit_line(unit)
    credit = " ".join(dict.fromkeys(t for t in (_text_without(c, _hidden) for c in credits) if t))
    credited = {el for c in credits for el in c.iter(lxml.etree.Element)}
    holders = [c for c in unit.iter(lxml.etree.Element) if _is_caption(c) and c not in credited and not _hidden(c)]
    innermost = [c for c in holders if not any(a in holders for a in c.iterdescendants())]

    def words(el) -> str:
        return _text_without(el, lambda s: s in credits or _hidden(s))

    text = max(map(words, innermost), key=len, default="")
    outermost = [c for c in holders if not any(a in holders for a in c.iterancestors())]
    if len(outermost) == 1 and 2 * len(text) < len(whole := words(outermost[0])):
        text = whole  # the inner ones are parts (a map's legend items), not copies of the caption
    if (
        not holders
        and img is not None
        and unit is not img
        and not _mostly_links(unit)
        and not _is_label(own := words(unit))
    ):
        text = own  # an image block: its own words are the caption
    if not text:  # lightboxes and galleries keep the caption in an attribute
        text, credit = next(
            (found for found in map(_attribute_caption, unit.iter(lxml.etree.Element)) if found[0]), ("", credit)
        )
    if not credit and (m := _CREDIT_TEXT.search(text)):
        text, credit = text[: m.start()].strip(), next(g for g in m.groups() if g).strip()
    if not credit:
        credit = next(filter(None, map(_attribute_credit, unit.iter(lxml.etree.Element))), "")
    if not text and not credit and img is not None and alt and not _thumbnail(img):
        described = _WS.sub(" ", img.get("alt") or img.get("title") or "").strip()
        text = (
            described
            if (described.count(" ") >= 2 and not _FILE_NAME.match(described) and not _DECORATION.search(described))
            else ""
        )
    text, credit = _LEGAL.sub("", text).strip(" /"), _LEGAL.sub("", credit).strip(" /")
    return Caption(text, credit, src) if text or credit else None


# --------------------------------------------------------------------------- furniture
_FURNITURE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|sharebar|social|newsletter|subscribe|subscription|paywall|promo|related|"
    r"recommended|advert\w*|ads?|sponsor\w*|cookie\w*|consent|outbrain|taboola|signup|bio|skip|tags|byline|"
    r"dateline|timestamp|comments?(?:-count)?|rollover|tooltip|hovercard|popover)(?:$|[\s_-])"
)
"""Class/id words of page furniture (share bars, paywalls, author boxes, hover cards)."""
_FURNITURE_LINE = re.compile(
    r"^\W*(?:skip to (?:the )?(?:main )?content|advert(?:isement)?s?|sponsored(?: content)?|subscribe|"
    r"related(?: \w+){0,2}\s*(?::.*)?|more(?: from| on| great| stories| news| coverage)?\s*:.*|"
    r"read (?:more|next|also)\b.*|see (?:more|also)\b.*|(?:you )?(?:may|might) also like.*|"
    r"don'?t miss\s*(?::.*)?|recommended(?: for you| stories| reading| videos)?\s*(?::.*)?|"
    r"(?:share|tweet|e-?mail|print)(?: (?:this|on|via|it)\b.*)?|sharing is caring.*|"
    r"like this(?: story| article)?\s*[:?!].*|like loading.*|follow us\b.*|\d*\s*comments?|"
    r"(?:leave|add|post) a comment.*|tell us what you think.*|this (?:slideshow|video|content) requires javascript.*|"
    r"tags?:.*|topics?:.*|or|(?:caption\s*)?close|(?:show|hide|expand) caption|enlarge(?: this image)?|"
    r"(?:last )?(?:updated|published|posted)(?: on| at)?:?(?:[\s,/|-]*(?:\d[\d:.]*(?:st|nd|rd|th)?|[ap]\.?m\.?|"
    r"[ecmp][sd]?t|gmt|utc|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?))+|"
    r"\d+\s*min(?:ute)?s?\s+read|"
    r"(?:©|\(c\)|copyright)\s.{0,60})\W*$",
    re.IGNORECASE,
)
"""A whole short block that is furniture ("Related Topics", "Read more: …", "Advertisement", "Share", a time
stamp that ``Article.published`` already carries, a stray copyright line)."""
_SHORT = 250
"""Characters: a longer block is reporting even when it mentions newsletters or cookies."""
_LONGEST_FURNITURE = 1500
"""Characters: no author box, share bar or "Related" list is longer, so longer blocks are not looked at."""
_SCRAP_WORDS = 8
"""Fewer words than this left in a container after its furniture went: the rest of the furniture."""
_BLOCKS = frozenset(
    {
        "p",
        "div",
        "section",
        "aside",
        "header",
        "footer",
        "nav",
        "ul",
        "ol",
        "li",
        "dl",
        "dd",
        "dt",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "form",
        "span",
        "a",
        "strong",
        "em",
        "b",
    }
)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def is_furniture_text(text: str) -> bool:
    """Is this short block page furniture by its wording alone?"""
    text = _WS.sub(" ", text).strip()
    return len(text) < _SHORT and bool(_FURNITURE_LINE.match(text) or says_furniture(text))


def _is_teaser(p, raw: str) -> bool:
    """A paragraph that is nothing but one short link: a headline of another story dropped into the body."""
    links = p.findall(".//a")
    text = _WS.sub(" ", raw).strip()
    return (
        len(links) == 1
        and 0 < len(text) < 150
        and _text(links[0]) == text
        and not any(a.tag == "blockquote" for a in p.iterancestors())
    )


def remove_furniture(frag) -> None:
    """Drop furniture blocks top-down, with the list a "Related" heading introduces.

    By class, a block goes when it is under a quarter of the article (a body may be ``has-share``), quotes
    nothing (embedded posts sit in "social-embed" wrappers) and is not a paragraph of reporting (the text behind
    a metered wall comes as ``<p class="paywall">``); by wording, when it is short. A container that
    furniture made up three quarters of goes too when what is left is a scrap, not a sentence: the price line
    and the "OR" between two paywall offers.
    """
    limit = min(_size(frag.text_content()) / 4, _LONGEST_FURNITURE)

    def is_furniture(el, raw: str, size: int) -> bool:
        if el.tag not in _BLOCKS or size > _LONGEST_FURNITURE:
            return False
        if (
            size < limit
            and (el.tag != "p" or size < _SHORT)
            and _FURNITURE_CLASS.search(_classes(el))
            and el.find(".//blockquote") is None
        ):
            return True
        return is_furniture_text(raw) or (el.tag == "p" and _is_teaser(el, raw))

    # Depth-first with an explicit stack: broken markup nests thousands deep, beyond Python's recursion limit.
    before: dict = {}  # element → its text length before removals
    lost: set = set()  # elements that lost content: checked for scraps once their children are done
    stack = [(frag, False)]
    while stack:
        el, children_done = stack.pop()
        parent = el.getparent()
        if el is not frag and parent is None:  # the list after a "Related" heading, already gone
            continue
        if children_done:
            if el in lost and el is not frag:
                lost.add(parent)
                left = el.text_content()
                if (
                    len(left.split()) < _SCRAP_WORDS
                    and _size(left) < before[el] / 4
                    and el.find(".//figure") is None
                    and el.find(".//img") is None
                ):
                    el.drop_tree()
            continue
        raw = el.text_content()
        size = _size(raw)
        if el is not frag and is_furniture(el, raw, size):
            nxt = el.getnext()
            if el.tag in _HEADINGS and nxt is not None and nxt.tag in ("ul", "ol"):
                nxt.drop_tree()
            el.drop_tree()
            lost.add(parent)
            continue
        before[el] = size
        stack.append((el, True))
        stack.extend((c, False) for c in reversed(el) if isinstance(c.tag, str) and c.tag != "figure")


_TRUNCATION_TAIL = re.compile(r"(?:(?:^|\s+)(?:less|more|read more|hide caption|show caption|caption))+$")


def _caption_key(cap: Caption) -> str:
    """Words of a caption without a "… more"/"less" toggle, to spot repeated and truncated copies."""
    return _TRUNCATION_TAIL.sub("", " ".join(re.findall(r"\w+", cap.text.lower())))


def _copies(a: str, b: str, *, same_picture: bool) -> bool:
    """One caption repeats the other: a prefix (truncated copy), or, of the same picture, the same first dozen
    words (an edited copy); a gallery's photos often open with the same words and end apart."""
    short, long = sorted((a, b), key=len)
    return long.startswith(short) or (
        same_picture and short.count(" ") >= 11 and short.split()[:12] == long.split()[:12]
    )


def dedupe(blocks: list[htmlmd.Block]) -> list[htmlmd.Block]:
    """Each caption once, at its first place, in its most complete copy (with credit, else longest); text blocks
    that only repeat a caption or a credit (gallery copies, stray "Photo: …" lines) go too."""
    kept: list[htmlmd.Block] = []
    keys: list[str] = []
    images: list[str] = []
    for block in blocks:
        if block.caption is None:
            kept.append(block)
            continue
        key, image = _caption_key(block.caption), block.caption.image
        if not key and not block.caption.credit:  # only a "more"/"less" toggle
            continue
        twin = next(
            (
                i
                for i, k in enumerate(keys)
                if key and k and _copies(k, key, same_picture=not (image and images[i] and image != images[i]))
            ),
            None,
        )
        if twin is None:
            keys.append(key)
            images.append(image)
            kept.append(block)
            continue
        pos = [i for i, b in enumerate(kept) if b.caption is not None][twin]
        old = kept[pos].caption
        assert old is not None  # picked for having one
        if (bool(block.caption.credit), len(key)) > (bool(old.credit), len(keys[twin])):
            kept[pos], keys[twin], images[twin] = block, key, image
    said = " | ".join(f"{b.caption.text} {b.caption.credit}" for b in kept if b.caption is not None)
    return [b for b in kept if b.caption is not None or len(b.text) > _SHORT or b.text not in said]


def _is_headline(text: str, title: str) -> bool:
    """``text`` says the title, or its start (``og:title`` often adds "| Site")."""
    said, words = re.findall(r"\w+", text.lower()), re.findall(r"\w+", title.lower())
    return bool(said) and (said == words or (len(said) >= 4 and words[: len(said)] == said))


_DATE, _CLOCK = r"\b\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\b", r"\b\d{1,2}[:.h]\d{2}\b"
_STAMP = re.compile(f"{_DATE}.*{_CLOCK}|{_CLOCK}.*{_DATE}")
"""A numeric date and a clock time, in either order: "Stand: 08.07.2026 05:00 Uhr", "2024-04-22 | 15:54"."""


def _is_stamp(text: str) -> bool:
    """A short line dating the page (``Article.published`` says it), in any language."""
    return len(text.split()) <= 12 and bool(_STAMP.search(text))


def _says_byline(text: str, byline: str) -> bool:
    """A short line naming the author (``Article.byline`` says it): "von Engin Haupt, MDR", "Par Jean Dupont"."""
    said = " ".join(_WORD.findall(text.lower()))
    names = (" ".join(_WORD.findall(name.lower())) for name in byline.split(","))
    return len(said.split()) <= 10 and any(name.count(" ") and f" {name} " in f" {said} " for name in names)


def without_meta(blocks: list[htmlmd.Block], title: str, byline: str) -> list[htmlmd.Block]:
    """The headline, byline and date are shown apart: drop their copies above the first real paragraph, and
    date stamps anywhere."""
    head = next((i for i, b in enumerate(blocks) if len(b.text.split()) >= 40), len(blocks))
    return [
        b
        for i, b in enumerate(blocks)
        if b.caption is not None
        or not (_is_stamp(b.text) or (i < head and (_is_headline(b.text, title) or _says_byline(b.text, byline))))
    ]


# --------------------------------------------------------------------------- the page and its figures
_SEGMENTS = lxml.etree.XPath("//div[@hidden][starts-with(@id, 'S:')]")


def _place_streamed_segments(root) -> None:
    """Put the segments of a streamed page where its scripts would: React's streaming server rendering (Next.js
    and others) sends the article late, in ``<div hidden id="S:n">``, to replace ``<template id="P:n">`` (or
    ``"B:n"``, a loading placeholder) once it arrives; without scripts the page's text would sit hidden at the end."""
    segments = _SEGMENTS(root)
    templates = {t.get("id"): t for t in root.iterfind(".//template[@id]")} if segments else {}
    for div in segments:
        n = div.get("id")[2:]
        target = templates.get(f"P:{n}") if f"P:{n}" in templates else templates.get(f"B:{n}")
        if target is None or target.getparent() is None or any(a is div for a in target.iterancestors()):
            continue
        for child in list(div):
            target.addprevious(child)
        target.drop_tree()
        div.drop_tree()


_LAZY_ATTRS = ("src", "alt", "title", "width", "height")


def _show_lazy_images(root) -> None:
    """A lazy-loaded image keeps its real copy in ``<noscript>`` for browsers without scripts: the copy's source
    replaces the placeholder's stub beside it, its alt text and size fill what the placeholder lacks, and the copy
    takes the ``<noscript>``'s place when there is no placeholder. Only an image the ``<noscript>`` holds alone, in
    a wrapper of its own (a tracking pixel sits in a paragraph, or straight in ``<body>``)."""
    for noscript in list(root.iter("noscript")):
        real, parent = next(iter(noscript), None), noscript.getparent()
        if real is None or real.tag != "img" or len(noscript) > 1 or parent is None or parent.tag in _TEXT_BOUNDS:
            continue
        placeholder = next((img for img in parent.iter("img") if img is not real), None)
        if placeholder is None:
            real.tail = None
            noscript.addprevious(real)
            continue
        for name in _LAZY_ATTRS:
            if real.get(name) and (name == "src" or not placeholder.get(name, "").strip()):
                placeholder.set(name, real.get(name))


class _Page:
    """The parsed page with every element numbered in document order, its figures and quotes located.

    A figure is a ``<figure>``, a small element holding an image and a caption, or a lone image; it is known by
    its span of element numbers, so any copy of any of its parts in readability's output leads back to it.
    """

    def __init__(self, root, url: str | None):
        self.url = url
        self.root = root
        _place_streamed_segments(root)
        _show_lazy_images(root)
        for el in _NOT_CONTENT(root):  # readability drops these too, but only after copying the page twice
            if el.getparent() is not None:  # a comment before <html> has no parent
                el.drop_tree()
        self.elements = list(root.iter(lxml.etree.Element))
        for i, el in enumerate(self.elements):
            el.set(INDEX_ATTR, str(i))
        for el in root.xpath(f"//*[@{htmlmd.CAPTION_ATTR}]"):  # only our placeholders may carry it
            del el.attrib[htmlmd.CAPTION_ATTR]
        captions = [
            el
            for el in _caption_candidates(root)
            if el.tag in ("figure", "figcaption") or _is_caption(el) or _attribute_caption(el)[0]
        ]
        captioned = [
            (
                el,
                el
                if el.tag == "figure" or (el.find(".//img") is not None and _attribute_caption(el)[0])
                else self._holder(el),
            )
            for el in captions
        ]
        units = [u for _, u in captioned if u is not None] + [self._holder(img) for img in root.iter("img")]
        galleries = self._galleries(units)
        units = [_with_credit(u) for u in units if u not in galleries]
        units += [el for el, u in captioned if u in galleries and el not in galleries]  # a gallery's own caption
        self.figures = self._outermost(units)
        self.starts = [s for s, _ in self.figures]
        self.quotes = [s for s in self._outermost(root.iter("blockquote")) if self.figure_of(s[0]) is None]

    def _galleries(self, units) -> set:
        """Units holding two or more other units with a picture: galleries, each picture of which is a figure."""
        pictured = {(self.index(u), -self._end(u)): u for u in units if u.tag == "img" or u.find(".//img") is not None}
        enclosing: list[tuple[int, object]] = []
        inside: dict = {}
        for (start, minus_end), unit in sorted(pictured.items(), key=lambda item: item[0]):
            while enclosing and enclosing[-1][0] < start:
                enclosing.pop()
            for _, outer in enclosing:
                inside[outer] = inside.get(outer, 0) + 1
            enclosing.append((-minus_end, unit))
        return {unit for unit, n in inside.items() if n >= 2}

    def _outermost(self, elements) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        for start, end in sorted({(self.index(el), self._end(el)) for el in elements}):
            if not spans or start > spans[-1][1]:
                spans.append((start, end))
        return spans

    def index(self, el) -> int:
        return int(el.get(INDEX_ATTR))

    def _end(self, el) -> int:
        """The document index of the last element inside ``el`` (``el`` itself when it has none)."""
        return self.index(deque(el.iter(lxml.etree.Element), maxlen=1)[0])

    def _holder(self, el):
        """The figure an image or caption belongs to: a ``<figure>`` ancestor; for a caption, else the smallest
        ancestor (up to three levels) that also holds an image and little else; None for a too long "caption".

        An image needs no search of its own: inside such a holder, its span is within the holder's."""
        node = el
        for _ in range(3):
            parent = node.getparent()
            if parent is None or parent.tag in ("body", "html", "p", "article", "main"):
                break
            if parent.tag == "figure":
                return parent
            node = parent
        if el.tag == "img":
            return self._image_block(el)
        node, text = el, _size(el.text_content())
        if text > 600:
            return None
        for _ in range(3):
            parent = node.getparent()
            if parent is None or parent.tag in ("body", "html", "article", "main"):
                break
            if _size(parent.text_content()) > 2 * text + 200:  # a paragraph or a column, not a figure
                break
            node = parent
            if parent.find(".//img") is not None:
                return parent
        return el

    @staticmethod
    def _image_block(img):
        """The nearest wrapper of an image that has words, when those are a caption (``<div><picture/>
        <p>caption</p><p>Image: credit</p></div>``), else the image.

        A caption is short but more than a label ("Video", "1:20"), has no heading and is not a link; it is no
        teaser card either, whose headline links to its story next to the picture; and a paragraph is the body's
        (an image inline in text stays an image) unless it is a picture and its caption."""
        if (
            _thumbnail(img, both=True)
            or _DECORATION.search(f"{img.get('class', '')} {img.get('alt', '')}")
            or img.get("aria-hidden") == "true"
            or img.get("role") == "presentation"
        ):
            return img
        node = img
        for _ in range(4):
            parent = node.getparent()
            if parent is None or (parent.tag in _TEXT_BOUNDS and not _picture_paragraph(parent, node)):
                return img
            node = parent
            size = _size_upto(node, _BLOCK_CAPTION)
            if size > _BLOCK_CAPTION:
                return img
            if size and (text := _text_without(node, _hidden)):
                break
        else:
            return img
        if (
            _is_label(text)
            or _mostly_links(node)
            or len(node.findall(".//img")) > 1
            or any(el.tag in _NOT_IN_FIGURES for el in node.iter(lxml.etree.Element))
        ):
            return img
        card = node
        for _ in range(3):
            card = card.getparent()
            if card is None or card.tag in ("body", "main") or _size_upto(card, _CARD) > _CARD:
                break
            if any(h.find(".//a[@href]") is not None for h in card.iter(*_HEADINGS)):
                return img
        return node

    def figure_of(self, i: int) -> tuple[int, int] | None:
        k = bisect.bisect_right(self.starts, i) - 1
        return self.figures[k] if k >= 0 and i <= self.figures[k][1] else None

    def restore(self, frag, title: str) -> list[Caption]:
        """Replace each figure in readability's output by a caption placeholder, then put back, where they
        stood in the page, the article's figures and quotes (embedded posts) that readability dropped.

        Returns the captions the placeholders stand for."""
        captions: list[Caption] = []
        seen: dict[tuple[int, int], object] = {}
        for el in _numbered(frag):
            span = self.figure_of(int(el.get(INDEX_ATTR)))
            if span is None or el.getparent() is None:
                continue
            if span in seen:
                if not any(a is seen[span] for a in el.iterancestors()):
                    el.drop_tree()
                continue
            seen[span] = holder = self._placeholder(span, captions)
            holder.tail = el.tail
            el.getparent().replace(el, holder)
            # A figure inside a lightbox <button> would be skipped with it: its placeholder goes before it.
            skipped = [a for a in holder.iterancestors() if a.tag in htmlmd.SKIP_TAGS]
            if skipped:
                holder.tail = None
                skipped[-1].addprevious(holder)
        numbered = _numbered(frag)
        if not numbered:
            return captions
        lo, hi = self._scope(numbered, title)
        present = sorted(int(el.get(INDEX_ATTR)) for el in numbered)
        said = _shingles(frag.text_content())
        for span in self.figures:
            if lo <= span[0] and span[1] <= hi and span not in seen and not self._aside(span[0], lo):
                between = present[0] < span[0] and span[1] < present[-1] and not self._teaser(span[0])
                _insert(frag, numbered, span[1], self._placeholder(span, captions, alt=between))
        for start, end in self.quotes:
            k = bisect.bisect_left(present, start)
            if not lo <= start <= end <= hi or (k < len(present) and present[k] <= end):
                continue  # outside the article, or (partly) in the output already
            text = _text(self.elements[start])
            quoted = _shingles(text)
            if quoted and len(quoted & said) < len(quoted) / 2 and not is_furniture_text(text):  # not a pull quote
                _insert(frag, numbered, end, copy.deepcopy(self.elements[start]))
        return captions

    def _teaser(self, i: int) -> bool:
        """Element ``i`` is (in) a link to another page, or its first wrapper with more words than a label, smaller
        than an article, is mostly links or has a heading: another story's teaser (a "read also" list, a promo)."""
        for el in (self.elements[i], *self.elements[i].iterancestors()):
            href = el.get("href", "#") if el.tag == "a" else "#"
            if not (href.startswith("#") or _IMAGE_FILE.search(href)):
                return True
            if (size := _size_upto(el, _CARD)) > _CARD:
                return False
            if size and not _is_label(_text(el)):
                return _mostly_links(el) or next(el.iter(*_HEADINGS), None) is not None
        return False

    def drop_teaser_blurbs(self, frag) -> None:
        """Drop from readability's output the paragraphs that are blurbs of other stories' teaser cards."""
        for p in list(frag.iter("p")):
            i = p.get(INDEX_ATTR)
            if i is not None and p.getparent() is not None and self._blurb(self.elements[int(i)]):
                p.drop_tree()

    @staticmethod
    def _blurb(el) -> bool:
        """``el`` sits in a teaser card: a wrapper, smaller than an article, holding a picture and a subheading
        that links to another page (not a headline ``<h1>``: a story's own title may link to itself)."""
        node = el
        for _ in range(4):
            node = node.getparent()
            if node is None or node.tag in ("body", "html", "main", "article") or _size_upto(node, _CARD) > _CARD:
                return False
            if node.find(".//img") is not None and any(
                not a.get("href", "#").startswith("#") for h in node.iter(*_HEADINGS[1:]) for a in h.iter("a")
            ):
                return True
        return False

    def _aside(self, i: int, lo: int) -> bool:
        """Element ``i`` sits in an aside, a nav or a furniture block (a "Related" rail) inside the article
        starting at ``lo``: its figures are other stories' teasers.

        A furniture class on a wrapper of an unlinked figure alone (``post-img ads-top-after``: where an ad goes
        next) says nothing about the figure; a teaser links to its story."""
        figure = self.elements[i]
        alone = _size(figure.text_content()) if figure.find(".//a[@href]") is None else -1
        for el in (figure, *figure.iterancestors()):
            if self.index(el) <= lo:
                return False
            if el.tag in ("aside", "nav", "footer") or (
                _FURNITURE_CLASS.search(_classes(el)) and _size(el.text_content()) > alone
            ):
                return True
        return False

    def _placeholder(self, span, captions: list[Caption], *, alt: bool = True):
        """An empty ``<figure>``, or one standing for the caption of the figure at ``span`` (furniture is none).

        Figures readability dropped come back with their alt text only from between the body's paragraphs
        (``alt``): alone, an alt text outside the body is most often a head shot or a promotion. A credit alone
        ("© Reuters") is no furniture however worded: the copyright lines that are sit in footers, not beside a
        picture."""
        cap = caption_of(self.elements[span[0]], self.url, alt=alt)
        holder = lxml.html.Element("figure")
        if cap is not None and not (cap.text and is_furniture_text(f"{cap.text} {cap.credit}")):
            holder.set(htmlmd.CAPTION_ATTR, str(len(captions)))
            captions.append(cap)
        return holder

    def continue_article(self, frag) -> None:
        """Add to readability's output the rest of an article split over look-alike sibling containers.

        Some templates put every few paragraphs in a module of their own (``div.con > … > p``) with teasers and
        ads between: readability takes the biggest module only. The modules are found as the siblings of the
        chosen one's outermost wrapper (an ancestor with no words of its own) that precede it, have its tag and
        class, hold paragraphs, are not mostly links and are not in the output yet. A teaser module has other
        classes; after the body, a module of the same look is an "About us" box or a disclaimer."""
        numbered = _numbered(frag)
        if not numbered:
            return
        chosen = self._chosen(numbered)
        while (
            (parent := chosen.getparent()) is not None
            and parent.tag not in ("body", "html")
            and _size(parent.text or "")
            + sum(_size(c.tail or "") + (c is not chosen and _size_upto(c, 100)) for c in parent)
            <= 100
        ):
            chosen = parent
        if not (chosen.get("class") or "").strip():  # no look to recognise
            return
        present = sorted(int(el.get(INDEX_ATTR)) for el in numbered)
        modules = [
            s
            for s in chosen.itersiblings(chosen.tag, preceding=True)
            if s.get("class") == chosen.get("class")
            and s.find(".//p") is not None
            and _size(s.text_content()) >= 100
            and not _mostly_links(s)
            and bisect.bisect_right(present, self._end(s)) == bisect.bisect_left(present, self.index(s))
        ]
        for i, module in enumerate(reversed(modules)):
            frag.insert(i, copy.deepcopy(module))

    def _scope(self, numbered, title: str) -> tuple[int, int]:
        """The article's span of the page: the common ancestor of readability's nodes, widened to the enclosing
        article-like element (lead images often sit in the article header, beside the body readability chose)
        unless that is much bigger, i.e. more than the article, and to any wrapper that adds no more words than a
        caption (a column beside the body holding its figure); it starts at the headline at the latest."""
        scope = self._chosen(numbered)
        base = _size(scope.text_content())
        for i, outer in enumerate(scope.iterancestors()):
            size = _size(outer.text_content())
            if i >= 5 or outer.tag in ("body", "html") or size > 2 * base + 1000:
                break
            if (
                outer.tag in ("article", "main")
                or _ARTICLE_CLASS.search(_classes(outer))
                or size <= base + _BLOCK_CAPTION
            ):
                scope = outer
        headline = next((h for h in self.root.iter("h1") if _is_headline(_text(h), title)), None)
        start = self.index(scope) if headline is None else min(self.index(scope), self.index(headline))
        return start, self._end(scope)

    def _chosen(self, numbered):
        """The page element holding all of readability's output: the common ancestor of its first and last."""
        first = self.elements[min(int(el.get(INDEX_ATTR)) for el in numbered)]
        last = self.elements[max(int(el.get(INDEX_ATTR)) for el in numbered)]
        around = set(last.iterancestors())
        return next((a for a in first.iterancestors() if a in around), first)


def _shingles(text: str) -> set[tuple[str, ...]]:
    """Runs of four words: text that repeats the body shares most of them, whatever its punctuation."""
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + 4]) for i in range(max(1, len(words) - 3))} if words else set()


def _numbered(frag) -> list:
    return [el for el in frag.iter(lxml.etree.Element) if el.get(INDEX_ATTR)]


def _insert(frag, numbered: list, end: int, new) -> None:
    """Put ``new`` (from the page up to element number ``end``) before the first output node that followed it
    and holds nothing that preceded it (readability moves a standfirst into the body's container)."""
    after = next(
        (
            el
            for el in numbered
            if int(el.get(INDEX_ATTR)) > end
            and all(int(d.get(INDEX_ATTR, end + 1)) > end for d in el.iter(lxml.etree.Element))
        ),
        None,
    )
    if after is None:
        frag.append(new)
    else:
        after.addprevious(new)


# --------------------------------------------------------------------------- the pipeline
def extract_article(
    html: str | bytes, url: str | None = None, *, content_type: str | None = None, fallback_html: str | None = None
) -> Article:
    """Reader view of a page; never raises on bad markup or encoding (returns a low-confidence Article).

    ``content_type`` is the HTTP header (for its charset); ``fallback_html`` is the feed entry's own content,
    shown instead when the page yields under :data:`MIN_WORDS` words while holding far more text.
    """
    root = parse(html, content_type)
    if root is None:
        return _fallback({}, fallback_html, url, "The page was empty.")
    meta = _metadata(root, url)
    if root.find("body") is None:  # a page cut off inside its <head>
        return _fallback(meta, fallback_html, url, "The page has no body.")
    page = _Page(root, url)
    try:
        # Without url: readability would rewrite every link of the page (each of its passes); the few links
        # of the article are made absolute below instead, which is most of what keeps us faster than it.
        summary = Document(root).summary(html_partial=True)
        frag = lxml.html.fragment_fromstring(summary, parser=_UTF8_PARSER)
    except (ValueError, lxml.etree.LxmlError):  # readability wraps any failure of its own in Unparseable
        return _fallback(meta, fallback_html, url, "Reader mode could not find the article on this page.")
    page.continue_article(frag)
    if url:
        frag.make_links_absolute(url, handle_failures="discard")
    blocks = _render(frag, page, meta)
    words = _words(blocks)
    if words < MIN_WORDS and len(page.root.text_content().split()) > 3 * max(words, 30):
        return _fallback(meta, fallback_html, url, "Reader mode found little of this page's text.", blocks)
    return _article(meta, blocks, confidence=min(1.0, words / 300))


def _render(frag, page: _Page, meta: dict) -> list[htmlmd.Block]:
    """Readability's (or the feed's) article HTML → reader blocks."""
    remove_furniture(frag)
    page.drop_teaser_blurbs(frag)
    captions = page.restore(frag, meta["title"])
    return without_meta(dedupe(htmlmd.to_blocks(frag, captions)), meta["title"], meta["byline"])


def _article(meta: dict, blocks: list[htmlmd.Block], **kw) -> Article:
    text = htmlmd.join_text(blocks)
    captions = [b.caption for b in blocks if b.caption]
    lead = meta.get("lead_image") or next((c.image for c in captions if c.image), "")
    return Article(
        markdown=htmlmd.join_markdown(blocks),
        text=text,
        word_count=len(text.split()),
        captions=captions,
        **{**meta, "lead_image": lead},
        **kw,
    )


def _fallback(
    meta: dict, fallback_html: str | None, url: str | None, why: str, blocks: Sequence[htmlmd.Block] = ()
) -> Article:
    """The feed's own copy of the story when it says more than the page gave, else the page's; low confidence."""
    root = parse(fallback_html or "")
    if root is not None:
        body = root.find("body")
        feed = _render(root if body is None else body, _Page(root, url), {"title": "", "byline": "", **meta})
        if _words(feed) > _words(blocks):
            return _article(meta, feed, confidence=0.3, notice=f"{why} Showing the feed's copy of the story.")
    return _article(meta, list(blocks), confidence=0.1 if blocks else 0.0, notice=why)


def _words(blocks) -> int:
    return sum(len(b.text.split()) for b in blocks)


def body_text(html: str | bytes, url: str | None = None) -> str:
    """Plain article text without captions (what the extraction benchmark scores)."""
    return extract_article(html, url).text


def reader_text(html: str | bytes, url: str | None = None) -> str:
    """The reader view as markdown, caption blocks in place."""
    return extract_article(html, url).markdown
