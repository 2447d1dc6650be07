"""Notes and quotes: the article text as numbered paragraphs, a line-wise selection over it as a quote,
and the writes that keep a triaged story's briefing item in step with its note.

A quote's position is (paragraph, offset) in :func:`paragraphs` of the article text: paragraphs are
the blank-line-separated blocks with their whitespace collapsed, so a position means the same
whatever width the reader had when the passage was selected.
"""

from __future__ import annotations

import re
from pathlib import Path

from msgspec import Struct

from tui_reader.models import Article, Quote, Story
from tui_reader.sanitize import clean_line, html_paragraphs
from tui_reader.store import Store

MAX_QUOTE = 4000
"""Characters kept of one quote: a passage, not the article."""
_WORD = re.compile(r"\S+")


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs, one clean line each (nothing a terminal would act on)."""
    return [p for block in re.split(r"\n\s*\n", text or "") if (p := clean_line(block))]


def article_paragraphs(story: Story, article: Article | None) -> list[str]:
    """What a quote is taken from: the article's text, else the feed's own."""
    text = article.text if article and article.text.strip() else ""
    return paragraphs(text or html_paragraphs(story.feed_content or story.feed_summary))


class Line(Struct, frozen=True):
    """One display line: characters [start, end) of paragraph ``paragraph``."""

    paragraph: int
    start: int
    end: int


def layout(paras: list[str], width: int) -> list[Line | None]:
    """Word-wrap the paragraphs to ``width`` cells; None is the blank line between two paragraphs."""
    from rich.cells import cell_len  # only the reader lays text out

    width = max(8, width)
    lines: list[Line | None] = []
    for n, para in enumerate(paras):
        if n:
            lines.append(None)
        start = end = 0
        for m in _WORD.finditer(para):
            w_start, w_end = m.span()
            while cell_len(para[w_start:w_end]) > width:  # a word wider than the line is cut
                if end > start:
                    lines.append(Line(n, start, end))
                cut = w_start + _fit(para[w_start:w_end], width)
                lines.append(Line(n, w_start, cut))
                start = end = w_start = cut
            if end > start and cell_len(para[start:w_end]) > width:
                lines.append(Line(n, start, end))
                start = w_start
            elif end == start:
                start = w_start
            end = w_end
        lines.append(Line(n, start, end))
    return lines


def _fit(word: str, width: int) -> int:
    """How many characters of ``word`` fit in ``width`` cells (at least one)."""
    from rich.cells import cell_len

    n = 1
    while n < len(word) and cell_len(word[: n + 1]) <= width:
        n += 1
    return n


def quote_of(paras: list[str], lines: list[Line | None], a: int, b: int) -> Quote | None:
    """The passage of display lines ``a`` to ``b`` (either order, inclusive); None for blank lines only."""
    chosen = [line for line in lines[min(a, b) : max(a, b) + 1] if line is not None]
    if not chosen:
        return None
    first, last = chosen[0], chosen[-1]
    parts = []
    for n in range(first.paragraph, last.paragraph + 1):
        start = first.start if n == first.paragraph else 0
        end = last.end if n == last.paragraph else len(paras[n])
        parts.append(paras[n][start:end].strip())
    return Quote("\n".join(parts)[:MAX_QUOTE], first.paragraph, first.start)


def quote_of_text(paras: list[str], text: str) -> Quote | None:
    """A passage selected some other way (the mouse) as a quote, found in the paragraphs by its first line;
    None when it is not in the article text (a caption, a heading, another screen)."""
    lines = [line for line in (clean_line(raw) for raw in (text or "").split("\n")) if line]
    if not lines:
        return None
    for n, para in enumerate(paras):
        if (at := para.find(lines[0])) >= 0:
            return Quote("\n".join(lines)[:MAX_QUOTE], n, at)
    return None


def set_note(
    store: Store, briefing_dir: Path, story_id: int, text: str, *, structured: bool = False, version: int | None = None
) -> None:
    """Replace the story's note; a triaged story's briefing item follows (raises NoteBehind if it cannot).
    With the ``version`` the writer loaded, a colleague's change since refuses it (ConflictError)."""
    from tui_reader.triage import refresh_item

    store.set_note_text(story_id, clean_note(text), version)
    refresh_item(store, briefing_dir, story_id, structured=structured)


def add_note_line(
    store: Store, briefing_dir: Path, story_id: int, line: str, *, structured: bool = False, version: int | None = None
) -> None:
    """Add a line to the end of the story's note (the reader's inline note), read and written in one worker."""
    text = f"{store.note_text(story_id)}\n{line}"
    set_note(store, briefing_dir, story_id, text, structured=structured, version=version)


def add_quote(
    store: Store,
    briefing_dir: Path,
    story_id: int,
    quote: Quote,
    *,
    structured: bool = False,
    version: int | None = None,
) -> None:
    """Add a quote to the story's note; a triaged story's briefing item follows."""
    from tui_reader.triage import refresh_item

    store.add_quote(story_id, quote, version)
    refresh_item(store, briefing_dir, story_id, structured=structured)


def clean_note(text: str) -> str:
    """The analyst's note as stored: lines cleaned of terminal controls, trailing blanks dropped."""
    return "\n".join(clean_line(line) for line in (text or "").strip().split("\n")).strip()
