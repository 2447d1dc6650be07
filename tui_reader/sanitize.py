"""Make text from strangers' servers safe to show, open or use in a path.

Everything tui-reader displays (titles, bodies, authors, URLs, server error text) comes from
outside. Raw, it can drive the terminal (escape sequences retitle the window, write the
clipboard through OSC 52, forge hyperlinks), reorder what the analyst reads (bidi overrides),
or run Textual actions through markup (``[@click=…]``). Pure module (no Textual import) so
the CLI and the UI share one definition of "clean".
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from rich.text import Text

__all__ = [
    "html_text",
    "clean_text",
    "clean_line",
    "safe_rich_text",
    "escape_markup",
    "is_openable_url",
    "valid_date",
    "safe_filename_component",
]

_NEWLINE = re.compile(r"\r\n?|[\u2028\u2029]")
# A tag ends at the next ">" or, unclosed, at the next "<": linear even on "<<<<…" (``<[^>]+>`` is quadratic).
_HTML_TAG = re.compile(r"<[^<>]*>")
_HIDDEN = ("script", "style", "noscript", "template", "iframe", "object")
"""Elements whose content is code or a fallback, never words of the story."""
_HIDDEN_OPEN = re.compile(rf"<({'|'.join(_HIDDEN)})\b", re.IGNORECASE)
_HIDDEN_CLOSE = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in _HIDDEN}

# Terminal control sequences, removed whole so no payload (a title, OSC 52 base64) is left
# behind. String sequences (OSC, DCS, SOS, PM, APC) end at BEL, ST (ESC \ or 0x9C), CAN/SUB
# or the next ESC, and never cross a line. An unterminated 7-bit one runs to the line's end.
# An unterminated 8-bit one loses only its introducer (below): that is usually mojibake
# (cp1252 "Ÿ" read as latin-1 is U+009F, APC) and must not swallow the text after it. Its
# payload also stops at the next 8-bit introducer, which keeps the scan linear.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b[\]PX^_][^\x07\x18\x1a\x1b\x9c\n]*(?:\x07|\x1b\\|[\x9c\x18\x1a])?"
    r"|[\x90\x98\x9d-\x9f][^\x07\x18\x1a\x1b\x90\x98\x9c-\x9f\n]*(?:\x07|\x1b\\|[\x9c\x18\x1a])"
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: parameters, intermediates, final byte
    r"|\x1b[ -/]*[0-~]"  # every other escape sequence (charsets, DECSC, RIS, …)
)

# England/Scotland/Wales flags are U+1F3F4 + tag letters + CANCEL TAG; tags anywhere else are
# invisible and can smuggle text past the reader, so only this shape keeps them.
_FLAG_TAG_SEQUENCE = r"\U0001f3f4[\U000e0030-\U000e0039\U000e0061-\U000e007a]{2,6}\U000e007f"

# C0 (except \t \n), DEL, C1, and the invisible format characters that can hide or reorder
# text: soft hyphen (its width differs between terminals), bidi marks/embeddings/overrides/
# isolates, zero-width space, word joiner and invisible operators, deprecated format chars,
# BOM, interlinear annotations, musical format chars, tags. ZWJ/ZWNJ stay (emoji sequences,
# Persian and Indic spelling); visible Cf marks (Arabic number signs, end of ayah) stay.
_INVISIBLE = re.compile(
    rf"({_FLAG_TAG_SEQUENCE})"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e"
    r"\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U0001d173-\U0001d17a"
    r"\U000e0001\U000e0020-\U000e007f]"
)

# Lone surrogates (from surrogateescape decoding) make every terminal write raise.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)


def header_charset(content_type: str | None) -> str:
    """The charset a ``Content-Type`` header declares, lower-cased; "" when it declares none."""
    m = _HEADER_CHARSET.search(content_type or "")
    return m.group(1).lower() if m else ""


def html_text(s: str, sep: str = " ") -> str:
    """Feed HTML to its words, for search, similarity and one-line titles: tags become ``sep``, entities
    are decoded. Linear time on any input, so a hostile feed cannot stall a refresh or the clusterer."""
    if "<" not in s and "&" not in s:
        return s
    import html  # here: its entity tables are 8.5 M instructions to import, which the TUI's first frame never uses

    return html.unescape(_HTML_TAG.sub(sep, _without_hidden(s, sep)))


def html_paragraphs(html: str) -> str:
    """Feed HTML as text in paragraphs (blank lines between blocks, not between inline tags), without
    figures, captions or code: what drafts select sentences from and quotes are taken from."""
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):  # junk or nothing but white space: words are the best left
        return html_text(html)
    for bad in root.xpath("|".join(f"//{name}" for name in (*_HIDDEN, "figure", "figcaption"))):
        bad.drop_tree()
    for block in root.xpath("//p|//div|//li|//h1|//h2|//h3|//h4|//h5|//h6|//blockquote|//br"):
        block.tail = "\n\n" + (block.tail or "")
    return root.text_content()


def _without_hidden(s: str, sep: str) -> str:
    """``s`` without script, style and the like, content and all (feedparser-rs no longer strips them:
    its sanitizer cost more than the whole parse). Unclosed, one runs to the end, as in a browser; each
    character is scanned at most twice, so a flood of openers stays linear."""
    parts, pos = [], 0
    while m := _HIDDEN_OPEN.search(s, pos):
        parts.append(s[pos : m.start()])
        end = _HIDDEN_CLOSE[m.group(1).lower()].search(s, m.end())
        parts.append(sep)
        if end is None:
            break
        pos = end.end()
    else:
        parts.append(s[pos:])
    return "".join(parts)


def clean_text(s: str | None) -> str:
    """Return ``s`` with nothing left that a terminal would act on instead of print.

    Newlines become ``\\n``; tabs and visible text (emoji, CJK, Arabic…) are kept. Never
    raises, and cleaning twice changes nothing.
    """
    if s is None:
        return ""
    if not isinstance(s, str):
        s = str(s)
    s = _NEWLINE.sub("\n", s)
    s = _ESCAPE_SEQUENCE.sub("", s)
    s = _INVISIBLE.sub(lambda m: m.group(1) or "", s)
    return _SURROGATE.sub("\ufffd", s)


def clean_line(s: str | None, max_len: int | None = None) -> str:
    """Clean ``s`` to one line for titles, sources, tags and error messages.

    All whitespace runs (newlines included) become one space. With ``max_len`` (code points,
    not cells), longer text is cut to fit, ending in "…", without splitting a character from
    its accents or an emoji sequence.
    """
    line = " ".join(clean_text(s).split())
    if max_len is None or len(line) <= max_len:
        return line
    if max_len < 1:
        return ""
    cut = max_len - 1
    while cut > 0 and (_attaches_to_previous(line[cut]) or line[cut - 1] == "\u200d"):
        cut -= 1
    return line[:cut].rstrip() + "…"


def _attaches_to_previous(ch: str) -> bool:
    """True if ``ch`` belongs to the character before it (mark, joiner, skin tone, tag)."""
    return (
        unicodedata.category(ch) in ("Mn", "Mc", "Me")
        or ch == "\u200d"
        or "\U0001f3fb" <= ch <= "\U0001f3ff"
        or "\U000e0020" <= ch <= "\U000e007f"
    )


def safe_rich_text(s: str | None, style: str = "") -> Text:
    """A Rich ``Text`` of the cleaned ``s``; markup in it (``[@click=…]``) stays literal.

    Prefer this over building markup strings: Textual widgets and Rich consoles render a
    ``Text`` as is, never parsing it.
    """
    from rich.text import Text  # 17 ms to import: the headless path (fetch, store) never needs it

    return Text(clean_text(s), style=style)


def escape_markup(s: str | None) -> str:
    """Clean ``s`` and escape it for insertion into a Textual content-markup string.

    ``textual.markup.escape`` and ``rich.markup.escape`` only escape ``[`` before
    ``[a-z#/@]``, but Textual also parses ``[ @click=app.quit]``, ``[$var]`` and ``[B]``, so
    every ``[`` is escaped. For Textual markup only: Rich's console markup treats backslashes
    differently; for Rich output use :func:`safe_rich_text`.
    """
    text = clean_text(s).replace("[", "\\[")
    # Textual markup cannot escape a backslash, so a trailing one would disable the caller's
    # next tag (f"[b]{x}[/b]"); a space keeps them apart.
    return text + " " if text.endswith("\\") else text


def is_openable_url(url: str | None) -> bool:
    """True only for an ``http``/``https`` URL with a host, safe to hand to a browser.

    Surrounding ASCII whitespace is ignored. Any whitespace, control or invisible character
    inside makes it unopenable, because browsers silently drop some of them (so
    ``java\\tscript:`` would run as ``javascript:``).
    """
    if not isinstance(url, str):
        return False
    url = url.strip(" \t\r\n")
    if any(unicodedata.category(ch)[0] in "CZ" for ch in url):
        return False
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. an unbalanced "[" in an IPv6 host
        return False


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def valid_date(s: str) -> date:
    """Parse a ``YYYY-MM-DD`` argument; anything else raises ``ValueError`` with a one-line message.

    Strict on purpose: dates name briefing files, so only this exact shape may reach a path.
    """
    shown = repr(s[:40] + "…" if len(s) > 40 else s)
    if not _ISO_DATE.fullmatch(s):
        raise ValueError(f"invalid date {shown}: expected YYYY-MM-DD")
    try:
        return date.fromisoformat(s)
    except ValueError as err:
        raise ValueError(f"invalid date {shown}: {err}") from None


_PATH_RESERVED = set('/\\:*?"<>|')
_MAX_COMPONENT_BYTES = 128  # well under NAME_MAX (255), leaving room for a suffix


def safe_filename_component(s: str | None) -> str | None:
    """Return ``s`` unchanged if it is safe as one file name inside our own directory, else None.

    Validates rather than rewrites, so two different tags can never map to one file. Refused:
    empty, anything :func:`clean_line` would change (controls, bidi, odd whitespace), path
    separators and characters other systems reserve, ``.``/``..`` and other leading dots
    (hidden files), a leading ``-`` (read as an option by tools), a trailing dot, and names
    over 128 bytes of UTF-8.
    """
    if not isinstance(s, str) or not s or s != clean_line(s):
        return None
    if s[0] in ".-" or s.endswith(".") or _PATH_RESERVED.intersection(s):
        return None
    if len(s.encode("utf-8")) > _MAX_COMPONENT_BYTES:
        return None
    return s
