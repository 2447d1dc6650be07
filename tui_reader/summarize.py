"""Draft summaries: the story's point in a sentence or two, in the page's language, offered for the analyst to edit.

:func:`draft_for_page` is the one path: the reader and ``triage --draft`` reach it through
:func:`draft_for_story` (which leaves a story the analyst summarised alone), the benchmark calls it directly. It
takes, in order, what the story says about itself and then what its text says:

1. the feed entry's summary, when it is prose of its own rather than a cut-off copy of the body;
2. the page's own teaser: a standfirst element under the headline, else ``og:description``/``description``/JSON-LD
   meta, when it reads as a sentence about this story (not a site slogan, a copy of the headline or a cut copy);
3. one or two sentences of the body: the lead paragraph when it is a teaser's length, else the best sentence near
   the top (favouring names and numbers) and the next; never the headline again, a caption, a byline, a
   dateline or page furniture.

Whatever is offered is whole sentences, so a draft never stops mid-sentence.
"""

from __future__ import annotations

import re
from functools import cached_property
from html import unescape
from itertools import islice
from typing import NamedTuple

from msgspec.structs import replace

from tui_reader.furniture import unfit_for_draft
from tui_reader.models import Article, Story
from tui_reader.sanitize import clean_line, clean_text, html_paragraphs, html_text

__all__ = [
    "MAX_WORDS",
    "body_draft",
    "draft_for_page",
    "draft_for_story",
    "draft_summary",
    "page_description",
    "split_sentences",
]

MAX_WORDS = 45
"""Length cap of a draft in words (a CJK character counts half): beyond two sentences an editor's teaser stops."""
MAX_INPUT = 100_000
"""Only the start of a huge text is read: the point of a news story is near its top."""
_MIN_WORDS = 4
"""A shorter piece is a label, a kicker or a fragment, not a sentence that can carry the story."""
_BODY_TO_COMPARE = 1000
"""Characters of body text below which a teaser's words are not checked against it (too little was extracted)."""
_FEED_BODY_WORDS = 80
"""A feed summary longer than this is the story itself, not a teaser: the body's lead is chosen from instead."""
_CANDIDATES = 24
"""Sentences of the body looked at: the point of a news story is in its first few."""
_DEK_WORDS = 8
"""Fewest words of an unpunctuated first line taken as the standfirst rather than a heading or a label."""

# --------------------------------------------------------------------------- sentences
_ENDS = ".!?…؟।"  # end a sentence before white space
_CJK_ENDS = "。！？"  # end a sentence with or without white space after
_CLOSERS = "\"'”’»›)]）」』】"
_OPENERS_PUNCT = "\"'“‘„«‹([（「『【¿¡"
_ENDS_CLASS, _CJK_CLASS, _CLOSERS_CLASS = (f"[{re.escape(c)}]" for c in (_ENDS, _CJK_ENDS, _CLOSERS))
# Possessive, and only from the first mark of a run, so a long run of marks stays linear.
_BOUNDARY = re.compile(
    rf"(?<![.!?…])({_ENDS_CLASS}++)({_CLOSERS_CLASS}*+)\s+(?=\S)"
    rf"|(?<!{_CJK_CLASS})({_CJK_CLASS}++)({_CLOSERS_CLASS}*+)\s*(?=\S)"
)
# Words that end in "." without ending a sentence, lower-cased, without the dot (English, German, French,
# Spanish, Italian titles and common abbreviations).
_TITLES = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "sr",
    "jr",
    "st",
    "mt",
    "ft",
    "gen",
    "col",
    "lt",
    "sgt",
    "capt",
    "cmdr",
    "adm",
    "maj",
    "gov",
    "sen",
    "rep",
    "pres",
    "rev",
    "hon",
    "amb",
    "supt",
    "insp",
    "dipl",
    "ing",
    "mag",
    "hr",
    "mgr",
    "sra",
    "srta",
    "dra",
    "sta",
    "sto",
    "ste",
    "mme",
    "mlle",
    "me",
    "gral",
    "avv",
    "dott",
    "sig",
}
_OTHER_ABBREVIATIONS = {
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "inc",
    "ltd",
    "co",
    "corp",
    "bros",
    "vs",
    "etc",
    "approx",
    "est",
    "dept",
    "univ",
    "cf",
    "al",
    "ave",
    "blvd",
    "rd",
    "bzw",
    "ca",
    "inkl",
    "evtl",
    "ggf",
    "sog",
    "vgl",
    "usw",
    "mio",
    "mrd",
    "abs",
    "str",
    "jh",
    "jhd",
    "hrsg",
    "env",
    "av",
    "ex",
    "nº",
    "núm",
    "pág",
    "ud",
    "uds",
    "mln",
    "mld",
    "tsd",
}
_NUMBERED = {"no", "nos", "nr", "vol", "fig", "op", "art", "pp", "p", "s", "bd", "kap", "tel"}
# After a dotted acronym ("U.S.", "a.m.") or initial a sentence ends only before a typical sentence opener.
_OPENERS = {
    "the",
    "a",
    "an",
    "it",
    "its",
    "he",
    "she",
    "they",
    "we",
    "i",
    "but",
    "and",
    "in",
    "on",
    "this",
    "that",
    "these",
    "those",
    "there",
    "his",
    "her",
    "their",
    "officials",
    "meanwhile",
    "however",
    "der",
    "die",
    "das",
    "ein",
    "eine",
    "er",
    "sie",
    "es",
    "wir",
    "aber",
    "und",
    "im",
    "auch",
    "dies",
    "le",
    "la",
    "les",
    "il",
    "elle",
    "ils",
    "un",
    "une",
    "mais",
    "et",
    "el",
    "los",
    "las",
    "ella",
    "pero",
}
# A number and a dot before a month is a German/Nordic date ("am 3. Oktober"), never the end of a sentence.
_MONTHS = {
    "januar",
    "jänner",
    "februar",
    "märz",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "dezember",
    "marts",
    "mars",
    "maj",
    "desember",
    "december",
    "tammikuuta",
    "helmikuuta",
}
_ORDINAL_DOT_LANGS = {
    "de",
    "da",
    "nb",
    "nn",
    "no",
    "fi",
    "is",
    "cs",
    "sk",
    "pl",
    "hu",
    "sl",
    "hr",
    "sr",
    "bs",
    "lt",
    "lv",
    "et",
    "tr",
}
"""Languages that write ordinals as "3." ("der 2. Bundesliga"), so a small number and a dot rarely ends one."""
_WORD_BEFORE = re.compile(r"([\w.'’-]+)$")
_ACRONYM = re.compile(r"(?:[^\W\d_]\.){2,}$")
_ENDS_LIKE_SENTENCE = re.compile(rf"(?:{_ENDS_CLASS}|{_CJK_CLASS}){_CLOSERS_CLASS}*$")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
"""Kana and Han, written without spaces between words (Korean spaces its words, so Hangul is not here)."""
_KANA = re.compile(r"[\u3040-\u309f]")
_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def split_sentences(text: str, lang: str = "") -> list[str]:
    """Split one paragraph into sentences, keeping abbreviations, initials, ordinals and decimals whole.

    ``lang`` (a BCP 47 tag such as ``de-CH``) turns on the rules of languages that write ordinals with a dot.
    """
    text = " ".join(text.split())
    ordinal_dots = lang[:2].lower() in _ORDINAL_DOT_LANGS
    sentences: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if m.group(3):  # 。！？ end a sentence wherever they stand, but "「…。」と言った" goes on
            if m.group(4) and _KANA.match(text, m.end()):
                continue
            end = m.end(4)
        else:
            # Only the word before and the word after matter; short windows keep this linear.
            before, after = text[max(start, m.start(1) - 40) : m.start(1)], text[m.end() : m.end() + 40]
            if not _is_boundary(before, m.group(1), m.group(2), after, ordinal_dots):
                continue
            end = m.end(2)
        sentences.append(text[start:end].strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return [s for s in sentences if s]


def _is_boundary(before: str, punct: str, closer: str, after: str, ordinal_dots: bool) -> bool:
    first = after.lstrip(_OPENERS_PUNCT)[:1]
    if not first or first.islower() or after[:1] in _CLOSERS:
        return False  # "z. B. die", "etc. and", "« Non ! » a-t-il dit": a sentence starts with a capital or digit
    if punct != "." or closer:  # '?', '!', '...' and 'said "no."' always end a sentence
        return True
    m = _WORD_BEFORE.search(before)
    word = m.group(1) if m else ""
    bare = word.rstrip(".").lower()
    next_word = after.split(" ", 1)[0].strip(_OPENERS_PUNCT + ",;:").lower()
    if bare.isdigit():
        if next_word in _MONTHS:
            return False
        return not (ordinal_dots and len(bare) <= 2)
    if bare in _TITLES:
        return False
    if bare in _NUMBERED:
        return not next_word[:1].isdigit()
    if bare in _OTHER_ABBREVIATIONS or len(bare) == 1 and word.isalpha():
        # "Jan. 5", "5 Mio. Euro", "J. Smith", "M. Macron", "z. B.": not an end unless a typical opener follows.
        return next_word in _OPENERS
    if _ACRONYM.search(word + "."):
        return next_word in _OPENERS
    return True


def _words(text: str) -> float:
    """Length in words; CJK has no spaces, so each character counts half (a word is about two)."""
    if not _CJK.search(text):
        return len(_TOKEN.findall(text))
    return len(_TOKEN.findall(_CJK.sub(" ", text))) + len(_CJK.findall(text)) / 2


def _key(text: str) -> str:
    return " ".join(_TOKEN.findall(text.lower()))


def _word_set(text: str) -> set[str]:
    """Words to compare texts by; a run of kana or Han (no spaces between its words) gives its character pairs."""
    words: set[str] = set()
    for w in _TOKEN.findall(text.lower()):
        if _CJK.search(w):
            words.update(w[i : i + 2] for i in range(max(1, len(w) - 1)))
        else:
            words.add(w)
    return words


def _terms(text: str) -> set[str]:
    """Content-ish words: long enough not to be a function word in most languages (CJK pairs all count)."""
    return {w for w in _word_set(text) if len(w) > 3 or _CJK.match(w)}


# --------------------------------------------------------------------------- what is not the story
_BYLINE = re.compile(
    r"^(?:by|written by|reporting by|words by|story by|von|par|por|di|door|av|af|de)\s+\S", re.IGNORECASE
)
_LABEL = re.compile(
    r"^(?:autor(?:in)?|author|text|foto|fotos|photo|photos|bild|bilder|image|quelle|source|credit|crédit|"
    r"publiziert|veröffentlicht|aktualisiert|updated|published|posted|stand)\b\s*:?",
    re.IGNORECASE,
)
_PHOTO_CREDIT = re.compile(
    r"(?:\bvia Getty Images|\bGetty Images|/(?:AFP|AP|Reuters|EPA|Getty|dpa|Keystone)\b|\b(?:Photo|Photograph|Image|"
    r"Picture|Credit|Foto|Bild)s?\s*:|\bAP Photo\b|\(Foto:|\(Bild:)",
)
# Wire captions: "X is seen/pictured ... on March 13, 2020".
_CAPTION_PHRASE = re.compile(
    r"\b(?:is|are) (?:pictured|photographed)\b|\b(?:is|are) seen\b(?! as\b| to\b).*\bon \w+ \d{1,2}, \d{4}\b"
)
# A date, a clock time or a "|" divider: a time stamp or metadata line, in any language.
_STAMP = re.compile(
    r"\b\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{1,2}[:.]\d{2}\s*(?:uhr|h)\b|\b\d{1,2}:\d{2}\b|\s\|\s", re.IGNORECASE
)
# "AMMAN — ", "BEIRUT/THE HAGUE, March 7 (Reuters) - ", "Berlin (dpa) - ", "PARIS, 5 juin (AFP) – ":
# a place line, not part of the sentence.
_DATELINE = re.compile(
    r"^(?:[A-ZÀ-Þ][A-ZÀ-Þ'./-]+(?:[ /][A-ZÀ-Þ][A-ZÀ-Þ'./-]+)*(?:, [^—–()]{1,30}?)?(?: \([^)]{1,40}\))?"
    r"|[A-ZÀ-Þ][\w'./-]+(?:[ /-][A-ZÀ-Þ][\w'./-]+)* \([^)]{1,40}\)) ?[—–-]{1,2} "
)
# "【速報】", "【詳報】": a label before a Japanese or Chinese sentence.
_BRACKET_LABEL = re.compile(r"^【[^】]{1,20}】\s*")
# A sentence opening with one of these leans on the one before it, so it reads badly alone.
_ANAPHORA = {
    "he",
    "she",
    "they",
    "it",
    "this",
    "that",
    "these",
    "those",
    "his",
    "her",
    "their",
    "its",
    "er",
    "sie",
    "es",
    "dies",
    "diese",
    "dieser",
    "dabei",
    "damit",
    "deshalb",
    "il",
    "elle",
    "ils",
    "elles",
    "cela",
    "ce",
    "ella",
    "ellos",
    "esto",
    "eso",
}


def _is_noise(line: str, heads: list[set[str]], captions: list[str], *, top: bool = False) -> bool:
    """A line that is no part of the story's prose: heading, byline, dateline, caption, furniture, headline.

    At the ``top`` (no prose yet) an unpunctuated line of a few words more may be the standfirst ("dek").
    """
    if line.startswith(("▣", "#", "|", "![", ">")):
        return True
    words = _words(line)
    if words < (_DEK_WORDS if top else 12) and not _ENDS_LIKE_SENTENCE.search(line):
        return True  # a heading, dateline, price or button label
    if words < 15 and (_BYLINE.match(line) or _LABEL.match(line) or _STAMP.search(line)):
        return True  # "By …", "Autor: …", "Do 25.04.24 | 14:07 Uhr", "Thứ tư, 22/10/2025, 19:25 (GMT+7)"
    if words < 40 and unfit_for_draft(line):
        return True
    if _is_headline(line, heads):
        return True
    key = _key(line) if captions else ""
    if key and any(key in c for c in captions):
        return True
    return len(line) < 600 and bool(_PHOTO_CREDIT.search(line) or _CAPTION_PHRASE.search(line))


def _is_headline(text: str, heads: list[set[str]]) -> bool:
    """``text`` is one of the headlines (given as :func:`_word_set` s), or a variant of one ("Kicker - Headline",
    "Headline | Site")."""
    words = _word_set(text)
    return bool(words) and any(h and len(words & h) / len(words | h) >= 0.6 for h in heads)


def _quotes_balanced(sentence: str) -> bool:
    """False for a piece of a longer quotation, which would not read as a whole sentence."""
    return (
        sentence.count('"') % 2 == 0
        and sentence.count("“") <= sentence.count("”") + sentence.count("„")
        and sentence.count("«") == sentence.count("»")
        and sentence.count("「") == sentence.count("」")
    )


class _Sentence(NamedTuple):
    text: str
    para: int  # index of its paragraph among those with candidates


def _candidates(text: str, titles: list[str], captions: list[str], lang: str) -> list[_Sentence]:
    """The body's first whole sentences in order (enough to choose from), without noise, datelines or repeats.

    The first paragraph may end without a full stop: a standfirst often does ("Neighbours said there was…").
    """
    heads = [_word_set(t) for t in titles if t]
    caption_keys = [_key(c) for c in captions if c]
    out: list[_Sentence] = []
    seen: set[str] = set()
    para = 0
    for raw in clean_text(text[:MAX_INPUT]).replace("\r", "\n").split("\n"):
        line = " ".join(raw.split())
        if not line or _is_noise(line, heads, caption_keys, top=not out):
            continue
        top = not out
        for sentence in split_sentences(_BRACKET_LABEL.sub("", _DATELINE.sub("", line)), lang):
            key = _key(sentence)
            if (
                key in seen
                or not _MIN_WORDS <= _words(sentence) <= 80
                or not _quotes_balanced(sentence)
                or sentence[0].islower()
                or _is_headline(sentence, heads)
                or not (top or _ENDS_LIKE_SENTENCE.search(sentence))
            ):
                continue
            seen.add(key)
            out.append(_Sentence(sentence, para))
        para += bool(out) and out[-1].para == para
        if len(out) >= _CANDIDATES:
            break
    return out


# --------------------------------------------------------------------------- choosing from the body
def _score(index: int, sentence: str, title_terms: set[str]) -> float:
    """The lead counts most; names, numbers and the headline's words make a sentence carry the story."""
    tokens = _TOKEN.findall(sentence)
    names = sum(1 for t in tokens[1:] if t[:1].isupper())
    numbers = sum(1 for t in tokens if t[:1].isdigit())
    overlap = len(_terms(sentence) & title_terms) / max(1, len(title_terms))
    score = (1.0 / (1 + 0.6 * index)) * (1 + 0.05 * min(names, 4) + 0.1 * min(numbers, 2) + 0.5 * overlap)
    first = tokens[0].lower() if tokens else ""
    if index and first in _ANAPHORA:
        score *= 0.6
    if sentence.rstrip(_CLOSERS).endswith(("?", "？")) or sentence[:1] in _OPENERS_PUNCT:
        score *= 0.7
    if _words(sentence) < 8:  # "It was a long night.": too short to carry the story
        score *= 0.6
    return score


def _choose(sentences: list[_Sentence], titles: list[str]) -> str:
    """The lead paragraph when it is a teaser's length; else the best sentence near the top and the next one
    of its paragraph when both fit in :data:`MAX_WORDS`."""
    if not sentences:
        return ""
    lead = [s.text for s in sentences if s.para == sentences[0].para]
    if len(lead) > 1 and _words(" ".join(lead)) <= MAX_WORDS:
        return _joined(lead)
    title_terms = _terms(" ".join(titles))
    window = sentences[:8]
    best = max(range(len(window)), key=lambda i: _score(i, window[i].text, title_terms))
    chosen = [sentences[best].text]
    follow = sentences[best + 1] if best + 1 < len(sentences) else None
    if (
        follow is not None
        and follow.para == sentences[best].para
        and _words(chosen[0]) < 25
        and _words(chosen[0]) + _words(follow.text) <= MAX_WORDS
    ):
        chosen.append(follow.text)
    return _joined(chosen)


def _joined(sentences: list[str]) -> str:
    """Sentences as one text, each ending in a full stop (a standfirst often has none); CJK ones without spaces."""
    out = ""
    for s in sentences:
        if not _ENDS_LIKE_SENTENCE.search(s) and not _CJK.match(s[-1]):
            s += "."
        last = out.rstrip(_CLOSERS)[-1:]
        out += ("" if not out or last in _CJK_ENDS or _CJK.match(last) else " ") + s
    return out


def draft_summary(
    text: str,
    title: str = "",
    *,
    captions: list[str] | tuple[str, ...] = (),
    lang: str = "",
    headlines: list[str] | tuple[str, ...] = (),
) -> str:
    """The best one or two whole sentences of a plain or HTML text (at most :data:`MAX_WORDS`), in order.

    ``title`` and ``headlines`` are never repeated, ``captions`` never picked. Returns "" when the text holds no
    complete sentence, rather than a fragment.
    """
    if not text or not text.strip():
        return ""
    if _looks_like_html(text[:MAX_INPUT]):
        text = html_paragraphs(text[: 4 * MAX_INPUT])
    titles = [title, *headlines]
    return _choose(_candidates(text, titles, list(captions), lang), titles)


def _looks_like_html(text: str) -> bool:
    return bool(re.search(r"<(?:p|br|div|span|a|figure|img|li|h\d)\b[^<>]{0,200}>|</\w{1,10}>", text, re.IGNORECASE))


# --------------------------------------------------------------------------- what the story says about itself
_META_KEYS = ("og:description", "twitter:description", "description", "dc.description")
_STANDFIRST_CLASS = re.compile(
    r"(?:^|[^a-z])(?:standfirst|dek|deck|lede|lead|leadtext|intro|teaser|summary|subtitle|subhead|subheadline|"
    r"strapline|abstract|excerpt|description|perex|chapo|chapeau|entradilla|sottotitolo|vorspann|ingress)"
    r"(?:[^a-z]|$)"
)
"""Class/id words that publishers everywhere give the teaser paragraph under the headline."""
_NOT_STANDFIRST = frozenset(
    {
        "a",
        "li",
        "ul",
        "ol",
        "figure",
        "figcaption",
        "aside",
        "nav",
        "footer",
        "button",
        "label",
        "script",
        "style",
        "noscript",
        "template",
        "img",
        "picture",
        "time",
    }
)
_STANDFIRST_REACH = 100
"""Elements after the headline searched for the standfirst: it sits right below it, before the body."""
_H1 = re.compile(r"<h1[\s>]", re.IGNORECASE)
_AFTER_HEADLINE = 40_000
"""Characters of the page read past its first ``<h1>``: the metas, the headline and the standfirst all come before,
so the rest of a page that reader mode has already parsed is not parsed again."""
_ELLIPSIS = re.compile(r"\s*(?:\[\s*(?:…|\.\.\.+)\s*\]|\(\s*…\s*\)|…|\.\.\.+)\s*$")
_MOJIBAKE = re.compile(r"\ufffd|Ã[\u0080-\u00bf]|[^\W\d_]\d;")
"""A replacement character, UTF-8 read as Latin-1, or an entity that lost its "&#": text not fit to offer."""
_CREDIT_TAIL = re.compile(
    r"\s*\((?:[^()]{0,60}/\s*)?(?:Associated Press|AP|AFP|Reuters|Getty Images|EPA|dpa|Keystone)(?: Photo)?\)\W*$"
)
"""A photo credit glued to the end of a description: "… service.(Reed Saxon / Associated Press)"."""
_MORE_LINK = re.compile(r"\b(?:more|mehr|weiterlesen|read more|lire la suite|leer más|leggi)\W{0,3}$", re.IGNORECASE)
"""A teaser of another story ends in its "more" link."""
_GLUED = re.compile(r"[a-z][A-Z]")
"""Words run together ("Video LoadingVideo UnavailableClick to play"): three of them are a widget's labels."""
_FEED_TAIL = re.compile(
    r"\s*(?:The post .{1,300} appeared first on .{1,200}|(?:Read more|Continue reading|Weiterlesen|Lire la suite|"
    r"Leer más|Leggi tutto)\b.{0,80})$",
    re.IGNORECASE,
)


def _standfirst_texts(root) -> list[str]:
    """Texts of elements classed as a teaser in the stretch after the first headline, nearest first.

    Link boxes ("more on this", "… mehr"), players and lists of other stories' teasers (a class that repeats)
    are not the standfirst, however they are classed.
    """
    h1 = root.find(".//h1")
    if h1 is None:
        return []
    found: list[tuple[str, str]] = []  # (class, text)
    for el in h1.xpath(f"following::*[position() <= {_STANDFIRST_REACH}]"):
        marks = f"{el.get('class') or ''} {el.get('id') or ''} {el.get('itemprop') or ''}"
        if not marks.strip() or not _STANDFIRST_CLASS.search(re.sub(r"([a-z])([A-Z])", r"\1-\2", marks).lower()):
            continue
        if el.tag in _NOT_STANDFIRST or any(a.tag in _NOT_STANDFIRST for a in el.iterancestors()):
            continue
        text = " ".join(el.text_content().split())
        linked = sum(len(a.text_content().strip()) for a in el.iter("a"))
        if text and linked < 0.3 * len(text) and el.find(".//video") is None and not _MORE_LINK.search(text):
            found.append((el.get("class") or "", text))
    repeated = {c for c, _ in found if c and sum(1 for k, _ in found if k == c) > 1}
    return list(dict.fromkeys(text for c, text in found if c not in repeated))


def _meta_texts(root) -> list[str]:
    """The page's descriptions in order of trust: OpenGraph, Twitter, plain meta, then the JSON-LD article's."""
    metas: dict[str, str] = {}
    for m in root.iter("meta"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or "").strip().lower()
        if key in _META_KEYS and key not in metas and (m.get("content") or "").strip():
            metas[key] = m.get("content")
    texts = [metas[k] for k in _META_KEYS if k in metas]
    from tui_reader.extract import json_ld_articles

    for script in root.iterfind(".//script[@type='application/ld+json']"):
        described = (
            n["description"] for n in json_ld_articles(script.text or "") if isinstance(n.get("description"), str)
        )
        texts += islice(described, 3)
    return texts


def _clean(text: str) -> str:
    """Markup, entities (some sites escape twice) and terminal controls out, white space collapsed."""
    return clean_line(unescape(html_text(unescape(text))))


def _complete_from(body: list[_Sentence], key: str) -> str:
    """The body's sentences that ``key`` starts, when it is a (cut) copy of them; else "".

    The copy may also have lost a letter or two at its start, to a drop cap ("nvironmentalists have…").
    """
    head = " ".join(key.split(" ", 3)[:3])
    for i, sentence in enumerate(body):
        at = _key(sentence.text).find(head)
        if not 0 <= at <= 2:
            continue
        run: list[str] = []
        for s in body[i : i + 6]:
            run.append(s.text)
            if len(_key(" ".join(run))) >= len(key) + at:
                break
        if _key(" ".join(run))[at:].startswith(key):
            return _joined(_within_cap(run))
    return ""


def _within_cap(sentences: list[str]) -> list[str]:
    """Whole sentences up to :data:`MAX_WORDS`; a first sentence longer than that is kept alone."""
    kept: list[str] = []
    for s in sentences:
        if kept and _words(" ".join([*kept, s])) > MAX_WORDS:
            break
        kept.append(s)
    return kept


class _Page:
    """What drafting needs of one page, worked out once: language, headlines, captions, first body sentences."""

    def __init__(self, html: str | bytes, article: Article):
        from tui_reader.extract import decode, parse

        text = decode(html) if isinstance(html, bytes) else html
        h1 = _H1.search(text)
        self.root = parse(text[: h1.start() + _AFTER_HEADLINE] if h1 else text)
        self.article = article
        self.lang = self._lang()
        self.titles = [article.title, *self._headlines()]
        self.body = _candidates(article.text, self.titles, [c.text for c in article.captions], self.lang)

    @cached_property
    def terms(self) -> set[str]:
        """The words of the body's start and the headlines, that a teaser about this story shares."""
        return _terms(" ".join([self.article.text[:20_000], *self.titles]))

    def _lang(self) -> str:
        if self.root is None:
            return ""
        lang = self.root.get("lang") or self.root.get("xml:lang") or ""
        if not lang:
            meta = self.root.find(".//meta[@property='og:locale']")
            lang = meta.get("content", "") if meta is not None else ""
        return lang.strip().replace("_", "-")

    def _headlines(self) -> list[str]:
        """The page's other names for the story: its first ``<h1>`` and its ``<title>``."""
        if self.root is None:
            return []
        found = (self.root.find(".//h1"), self.root.find(".//title"))
        return [t for t in (" ".join(el.text_content().split()) for el in found if el is not None) if t]

    def teaser(self, text: str, *, may_be_cut: bool) -> str:
        """``text`` as an offerable teaser: whole sentences about this story, or "" when it is not one.

        A copy cut short (by an ellipsis, or mid-sentence where the body goes on) is completed from the body's
        sentences, else cut back to its last whole sentence. Text that ``may_be_cut`` (meta descriptions, cut
        to a length by many sites) loses an unpunctuated end unless the body has it as a sentence; a visible
        standfirst keeps it, as standfirsts often end without a full stop.
        """
        text = _CREDIT_TAIL.sub("", _clean(text))
        if (
            _MOJIBAKE.search(text)
            or _words(text) < 8
            or unfit_for_draft(text)
            or len(_GLUED.findall(text)) >= 3
            or _PHOTO_CREDIT.search(text)
            or _CAPTION_PHRASE.search(text)
            or _is_headline(text, [_word_set(t) for t in self.titles])
        ):
            return ""
        if not self._about_this_story(text):
            return ""
        cut = bool(_ELLIPSIS.search(text))
        text = _ELLIPSIS.sub("", text)
        completed = _complete_from(self.body, _key(text))
        if completed or text[0].islower():  # the start of a sentence is missing
            return completed
        sentences = list(dict.fromkeys(split_sentences(text, self.lang)))  # some sites say it twice
        if (
            sentences
            and not _ENDS_LIKE_SENTENCE.search(sentences[-1])
            and (
                cut
                or may_be_cut
                and (len(sentences) > 1 or _words(text) > 25)
                and _key(sentences[-1]) not in {_key(s.text) for s in self.body}
            )
        ):
            sentences.pop()  # the unfinished rest of a description cut to a length
        return _joined(_within_cap(sentences))

    def _about_this_story(self, text: str) -> bool:
        """Not a site's slogan nor another story's teaser: its words are the body's, or, when reader mode got
        too little of the body to tell, it does not name the site."""
        terms = _terms(text)
        if len(self.article.text) >= _BODY_TO_COMPARE:
            return len(terms & self.terms) >= 0.4 * len(terms)
        site = _terms(self.article.site_name)
        return bool(terms) and not (site and site <= terms)

    def description(self) -> str:
        """The first of the standfirst elements, then the meta descriptions, that makes a teaser."""
        if self.root is None:
            return ""
        texts = [(t, False) for t in _standfirst_texts(self.root)] + [(t, True) for t in _meta_texts(self.root)]
        return next((t for t in (self.teaser(text, may_be_cut=cut) for text, cut in texts) if t), "")

    def feed_prose(self, summary: str) -> str:
        """The feed entry's summary as whole sentences, unless it is no prose, the body, or a cut copy of it."""
        text = _FEED_TAIL.sub("", _clean(html_paragraphs(summary) if _looks_like_html(summary) else summary))
        if not text or _words(text) > _FEED_BODY_WORDS or _ELLIPSIS.search(text):
            return ""
        key, body = _key(text), _key(self.article.text[:5000])
        if body.startswith(key) and body[len(key) : len(key) + 1] not in ("", " "):
            return ""  # cut mid-word from the body
        return self.teaser(text, may_be_cut=True)


def page_description(html: str | bytes, article: Article) -> str:
    """The page's own teaser of the story (standfirst, else description meta) as whole sentences, or ""."""
    return _Page(html, article).description()


def body_draft(html: str | bytes, article: Article) -> str:
    """The draft chosen from the body's sentences alone, as :func:`draft_for_page` makes it without a teaser."""
    page = _Page(html, article)
    return _choose(page.body, page.titles)


def draft_for_page(html: str | bytes, url: str, *, article: Article | None = None, feed_summary: str = "") -> str:
    """The draft summary offered for a story: its feed summary if prose, its page's teaser, else body sentences.

    ``article`` is the page's extraction when the caller has it already (it is made from ``html`` otherwise);
    ``feed_summary`` is the feed entry's own summary (HTML or text).
    """
    if article is None:
        from tui_reader.extract import extract_article

        article = extract_article(html, url or None)
    page = _Page(html, article)
    return (
        (page.feed_prose(feed_summary) if feed_summary.strip() else "")
        or page.description()
        or _choose(page.body, page.titles)
    )


def draft_for_story(story: Story, page_html: bytes | str | None = None, article: Article | None = None) -> str:
    """The draft the reader and ``triage --draft`` offer for ``story``: "" once the analyst has a summary.

    ``page_html`` is the fetched page and ``article`` its extraction when the caller has one; the feed entry's
    summary comes first when it is prose of its own, and the feed's content stands in for a page that gave
    nothing to draft from (or was never fetched).
    """
    if story.summary.strip():
        return ""  # the analyst's own text always wins, and is never re-drafted
    draft = ""
    if page_html:
        if article is None:
            from tui_reader.extract import extract_article

            article = extract_article(page_html, story.url or None)
        article = replace(article, title=article.title or story.title)
        draft = draft_for_page(page_html, story.url, article=article, feed_summary=story.feed_summary)
    feed_html = story.feed_content or story.feed_summary
    if not draft and feed_html:
        # Reader mode is made for whole pages and may keep nothing of a short feed text: read it as it is.
        text = html_paragraphs(feed_html) if _looks_like_html(feed_html) else feed_html
        feed = Article(title=story.title, text=text)
        draft = draft_for_page(feed_html, story.url, article=feed, feed_summary=story.feed_summary)
    return draft
