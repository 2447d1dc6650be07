"""Extractive draft summaries: the analyst's starting point, built in, no model download.

Sentences are scored on term frequency (stop words out, title words boosted) and on
position (news puts the point first); the best few are returned whole, in article order.
Captions, bylines and page furniture ("Subscribe", "Related topics") are never candidates,
and neither is any fragment that does not end like a sentence, so a draft never stops
mid-sentence.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from tui_reader.sanitize import html_text

__all__ = ["draft_summary", "split_sentences"]

MAX_CHARS = 700
"""Length cap for a draft; only whole sentences are dropped to meet it."""
MAX_INPUT = 100_000
"""Only the start of a huge text is read: the point of a news story is near its top."""

# Words that end in "." without ending a sentence, lower-cased, without the dot.
_TITLES = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "gen", "col", "lt", "sgt", "capt",
    "cmdr", "adm", "maj", "gov", "sen", "rep", "pres", "rev", "hon", "amb", "supt", "insp",
}
_OTHER_ABBREVIATIONS = {
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "inc", "ltd", "co", "corp", "bros", "vs", "etc", "approx", "est", "dept", "univ", "cf", "al", "ave",
    "blvd", "rd",
}
_NUMBERED = {"no", "nos", "vol", "fig", "op", "art", "pp"}  # abbreviations only before a number
# A dotted acronym ("U.S.", "a.m.") ends a sentence only before a typical sentence opener.
_OPENERS = {
    "the", "a", "an", "it", "its", "he", "she", "they", "we", "i", "but", "and", "in", "on", "this",
    "that", "these", "those", "there", "his", "her", "their", "officials", "meanwhile", "however",
}
# Possessive, and only from the first mark of a run, so a long run of dots stays linear.
_BOUNDARY = re.compile(r"""(?<![.!?…])([.!?…]++)(["'”’)\]]*+)\s+(?=["'“‘(\[]?[A-Z0-9\u00C0-\u024F])""")
_WORD_BEFORE = re.compile(r"([\w.'’-]+)$")
_ACRONYM = re.compile(r"(?:[A-Za-z]\.){2,}$")
_ENDS_LIKE_SENTENCE = re.compile(r"""[.!?…]["'”’)\]]*$""")

_STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself said says say according told tells one two new also after year years
    mr mrs ms dr""".split()
)
# "AMMAN — ", "ERBIL, Iraq — ", "LONDON (Reuters) — ": a place line, not part of the sentence.
_DATELINE = re.compile(
    r"^[A-Z][A-Z'.-]+(?: [A-Z][A-Z'.-]+)*(?:, [A-Z][\w.]+(?: [A-Z][\w.]+)*)?(?: \([^)]{1,40}\))? [—–-]{1,2} "
)
# A sentence opening with one of these leans on the one before it, so it reads badly alone.
_ANAPHORA = {"he", "she", "they", "it", "this", "that", "these", "those", "his", "her", "their", "its"}
REDUNDANT = 0.4
"""Share of a sentence's terms already in a chosen one above which it is left out."""
_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")

# Lines that are page furniture rather than article text.
_FURNITURE = re.compile(
    r"\b(subscribe|subscription|sign(?:ing)? up|sign in|log ?in|newsletters?|cookies?|privacy policy|"
    r"terms (?:and|&) conditions|terms of (?:use|service)|all rights reserved|advertisement|"
    r"related (?:topics|articles|stories|coverage)|read more|continue reading|share (?:this|on)|"
    r"click here|skip to|follow us|download (?:the|our) app)\b|©|\bcopyright\b",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^(?:by|written by|reporting by|words by|story by)\s+\S", re.IGNORECASE)
_PHOTO_CREDIT = re.compile(
    r"(?:\bvia Getty Images|\bGetty Images|/(?:AFP|AP|Reuters|EPA|Getty)\b|\b(?:Photo|Photograph|Image|"
    r"Picture|Credit)s?\s*:|\bAP Photo\b)",
)
# Wire captions: "X is seen/pictured ... on March 13, 2020".
_CAPTION_PHRASE = re.compile(
    r"\b(?:is|are) (?:pictured|photographed)\b|\b(?:is|are) seen\b(?! as\b| to\b).*\bon \w+ \d{1,2}, \d{4}\b"
)


def split_sentences(text: str) -> list[str]:
    """Split one paragraph into sentences, keeping abbreviations, initials and decimals whole."""
    text = " ".join(text.split())
    sentences: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        # Only the word before and the word after matter; short windows keep this linear.
        before, after = text[max(start, m.start(1) - 40):m.start(1)], text[m.end():m.end() + 40]
        if _is_boundary(before, m.group(1), m.group(2), after):
            sentences.append(text[start:m.end(2)].strip())
            start = m.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _is_boundary(before: str, punct: str, closer: str, after: str) -> bool:
    if punct != "." or closer:  # '?', '!', '...' and 'said "no."' always end a sentence
        return True
    m = _WORD_BEFORE.search(before)
    word = m.group(1) if m else ""
    bare = word.rstrip(".").lower()
    if bare in _TITLES:
        return False
    next_word = after.split(" ", 1)[0].strip("\"'“‘([").lower()
    if bare in _NUMBERED:
        return not next_word[:1].isdigit()
    if bare in _OTHER_ABBREVIATIONS or len(bare) == 1 and word.isalpha() and word.isupper():
        # "Jan. 5", "No. 10", "J. Smith": not an end unless a typical opener follows.
        return next_word in _OPENERS and not next_word[:1].isdigit()
    if _ACRONYM.search(word + "."):
        return next_word in _OPENERS
    return True


def _paragraphs(text: str, title: str) -> list[str]:
    """Body paragraphs with captions, bylines, headings and furniture removed."""
    title_key = _key(title)
    paragraphs: list[str] = []
    current: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if line and not _is_noise(line, title_key):
            current.append(line)
            continue
        if current:  # a blank or skipped line ends the paragraph
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def _is_noise(line: str, title_key: str) -> bool:
    if line.startswith(("▣", "#", "|", "![")) or (title_key and _key(line) == title_key):
        return True
    words = len(line.split())
    if words < 12 and not _ENDS_LIKE_SENTENCE.search(line):
        return True  # a heading, dateline, price or button label
    if words < 15 and _BYLINE.match(line):
        return True
    if words < 40 and _FURNITURE.search(line):
        return True
    return len(line) < 600 and bool(_PHOTO_CREDIT.search(line) or _CAPTION_PHRASE.search(line))


def _quotes_balanced(sentence: str) -> bool:
    """False for a piece of a longer quotation, which would not read as a whole sentence."""
    return sentence.count('"') % 2 == 0 and sentence.count("“") == sentence.count("”")


def _key(text: str) -> str:
    return " ".join(_TOKEN.findall(text.lower()))


def _terms(sentence: str) -> list[str]:
    """Content words, lightly stemmed so "Gaza's"/"Gaza" and "estimates"/"estimate" count as one."""
    words = (w for w in _TOKEN.findall(sentence.lower()) if w not in _STOP_WORDS and not w.isdigit() and len(w) > 1)
    return [_STEM.sub("", w) for w in words]


_STEM = re.compile(r"(?:['’]s|(?<=[^s'’]{3})s)$")


def _looks_like_html(text: str) -> bool:
    return bool(re.search(r"<(?:p|br|div|span|a|figure|img|li|h\d)\b[^<>]{0,200}>|</\w{1,10}>", text, re.IGNORECASE))


def _html_to_text(html: str) -> str:
    """Feed content is often HTML: keep paragraph breaks, drop figures and scripts."""
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except Exception:  # lxml raises several types on junk; a draft is best effort
        return html_text(html)
    for bad in root.xpath("//script|//style|//figure|//figcaption|//noscript"):
        bad.drop_tree()
    for block in root.xpath("//p|//div|//li|//h1|//h2|//h3|//h4|//h5|//h6|//blockquote|//br"):
        block.tail = "\n\n" + (block.tail or "")
    return root.text_content()


def draft_summary(text: str, title: str = "", max_sentences: int = 3) -> str:
    """Pick up to ``max_sentences`` whole sentences of ``text`` (at most :data:`MAX_CHARS`).

    Returns "" when there is no complete sentence to offer, rather than a fragment.
    """
    if not text or not text.strip() or max_sentences < 1:
        return ""
    if _looks_like_html(text[:MAX_INPUT]):
        text = _html_to_text(text[: 4 * MAX_INPUT])
    text = text[:MAX_INPUT]
    candidates: list[tuple[int, str, list[str]]] = []
    seen: set[str] = set()
    for para in _paragraphs(text, title):
        for sentence in split_sentences(_DATELINE.sub("", para)):
            key = _key(sentence)
            words = len(sentence.split())
            if (key in seen or not 5 <= words <= 80 or not _ENDS_LIKE_SENTENCE.search(sentence)
                    or not _quotes_balanced(sentence)
                    or not sentence[0].isupper() and not sentence[0] in "\"'“‘(0123456789"):
                continue
            seen.add(key)
            candidates.append((len(candidates), sentence, _terms(sentence)))
    if not candidates:
        return ""

    freq = Counter(t for _, _, terms in candidates for t in set(terms))
    top = max(freq.values(), default=1)
    title_terms = set(_terms(title))
    n = len(candidates)

    def score(index: int, terms: list[str]) -> float:
        if not terms:
            return 0.0
        weight = sum(freq[t] / top * (2.0 if t in title_terms else 1.0) for t in set(terms))
        position = 1.0 + 0.8 * (1 - index / n) + (0.5 if index == 0 else 0.0)
        first = _TOKEN.search(candidates[index][1])
        leans = index > 0 and first is not None and first.group().lower() in _ANAPHORA
        return weight / math.sqrt(len(terms)) * position * (0.6 if leans else 1.0)

    def redundant(terms: list[str], chosen_terms: list[str]) -> bool:
        a, b = set(terms), set(chosen_terms)
        return bool(a and b) and len(a & b) / min(len(a), len(b)) > REDUNDANT

    ranked = sorted(candidates, key=lambda c: score(c[0], c[2]), reverse=True)
    chosen: list[tuple[int, str, list[str]]] = []
    length = 0
    for cand in ranked:
        if len(chosen) == max_sentences:
            break
        if length + len(cand[1]) + 1 > MAX_CHARS or any(redundant(cand[2], c[2]) for c in chosen):
            continue
        chosen.append(cand)
        length += len(cand[1]) + 1
    return " ".join(sentence for _, sentence, _ in sorted(chosen))
