"""The reader's selection view: the article text as wrapped lines with a cursor, for quoting by keyboard.

Selection is line-wise: ``v`` (on the reader) shows this view with the cursor and the selection's origin on
the same line; j/k and the arrows move the cursor and so extend the selection, ``{``/``}`` jump to the start or
end of a paragraph, ``v`` starts the selection afresh at the cursor, ``y`` quotes it and ``escape`` leaves.
The selection is drawn in reverse video, which survives ``NO_COLOR``.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui_reader.models import Quote
from tui_reader.notes import Line, layout, quote_of

GUTTER = 2
"""Columns left of the text: the cursor's mark."""


class PassageView(ScrollView, can_focus=True):
    """Wrapped paragraphs, a cursor line and a line-wise selection from its origin to the cursor."""

    BINDINGS = [
        Binding("j,down", "move(1)", "Extend down", id="passage.down"),
        Binding("k,up", "move(-1)", "Extend up", id="passage.up"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="passage.pagedown"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="passage.pageup"),
        Binding("right_curly_bracket", "paragraph(1)", "Paragraph end", id="passage.para_end"),
        Binding("left_curly_bracket", "paragraph(-1)", "Paragraph start", id="passage.para_start"),
        Binding("v", "origin", "Select from here", id="passage.origin"),
        Binding("y", "quote", "Quote", id="passage.quote"),
        Binding("escape", "leave", "Cancel", id="passage.cancel"),
    ]

    class Quoted(Message):
        """The analyst quoted the selection."""

        def __init__(self, quote: Quote) -> None:
            super().__init__()
            self.quote = quote

    class Left(Message):
        """The analyst left selection without quoting."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.paragraphs: list[str] = []
        self.lines: list[Line | None] = []
        self.cursor = 0
        self.origin = 0
        self._width = 0

    def start(self, paragraphs: list[str], at_fraction: float, width: int) -> None:
        """Show ``paragraphs`` with cursor and origin on the top line, ``at_fraction`` of the way down the text.

        Laid out at once for ``width`` (the view it replaces), so keys pressed right after ``v`` already
        move the cursor; when its own size is known the text is laid out again, the selection kept.
        """
        self.paragraphs = paragraphs
        self._relayout(max(8, width - GUTTER))
        self.cursor = self.origin = self._nearest_text(round(at_fraction * len(self.lines)))
        self.call_after_refresh(self.scroll_to, y=self.cursor, animate=False)
        self.refresh()

    @property
    def selection(self) -> tuple[int, int]:
        return min(self.origin, self.cursor), max(self.origin, self.cursor)

    def _text_width(self) -> int:
        return max(8, self.scrollable_content_region.width - GUTTER)

    def _relayout(self, width: int) -> None:
        """Lay out again for a new width, keeping cursor and origin on the same text."""
        keep = [self.lines[i] if 0 <= i < len(self.lines) else None for i in (self.cursor, self.origin)]
        self._width = width
        self.lines = layout(self.paragraphs, width)
        self.virtual_size = Size(width + GUTTER, len(self.lines))
        found = [self._line_of(k) for k in keep]
        self.cursor, self.origin = (f if f is not None else 0 for f in found)

    def _line_of(self, line: Line | None) -> int | None:
        if line is None:
            return None
        return next(
            (
                i
                for i, other in enumerate(self.lines)
                if other
                and other.paragraph == line.paragraph
                and other.start <= line.start < max(other.end, other.start + 1)
            ),
            None,
        )

    def on_resize(self) -> None:
        if self.paragraphs and self.size.width and self._text_width() != self._width:
            self._relayout(self._text_width())
            self._show_cursor()

    def _nearest_text(self, index: int) -> int:
        """``index`` or the nearest line after it that has text (not the blank between paragraphs)."""
        index = max(0, min(index, len(self.lines) - 1))
        if self.lines and self.lines[index] is None:
            index += 1
        return min(index, max(0, len(self.lines) - 1))

    def _show_cursor(self) -> None:
        self._scroll_to_line(self.cursor)
        self.refresh()

    def _scroll_to_line(self, index: int) -> None:
        height = max(1, self.scrollable_content_region.height)
        if index < self.scroll_offset.y:
            self.scroll_to(y=index, animate=False)
        elif index >= self.scroll_offset.y + height:
            self.scroll_to(y=index - height + 1, animate=False)

    # -- motions -------------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        if not self.lines:
            return
        index = max(0, min(self.cursor + step, len(self.lines) - 1))
        if self.lines[index] is None:  # the blank line between paragraphs is stepped over
            index = max(0, min(index + step, len(self.lines) - 1))
        self.cursor = index
        self._show_cursor()

    def action_page(self, step: int) -> None:
        self.action_move(step * max(1, self.scrollable_content_region.height - 2))

    def action_paragraph(self, step: int) -> None:
        """To the last line of this paragraph (``}``) or its first (``{``); from there, of the next or previous."""
        if not self.lines or (here := self.lines[self.cursor]) is None:
            return
        same = [i for i, line in enumerate(self.lines) if line and line.paragraph == here.paragraph]
        target = same[-1] if step > 0 else same[0]
        if target == self.cursor:
            nxt = here.paragraph + step
            other = [i for i, line in enumerate(self.lines) if line and line.paragraph == nxt]
            target = (other[-1] if step > 0 else other[0]) if other else target
        self.cursor = target
        self._show_cursor()

    def action_origin(self) -> None:
        self.origin = self.cursor
        self.refresh()

    def action_quote(self) -> None:
        first, last = self.selection
        quote = quote_of(self.paragraphs, self.lines, first, last)
        if quote is not None:
            self.post_message(self.Quoted(quote))

    def action_leave(self) -> None:
        self.post_message(self.Left())

    # -- drawing -------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self.lines) or (line := self.lines[index]) is None:
            return Strip.blank(width, base)
        first, last = self.selection
        chosen = first <= index <= last
        text = self.paragraphs[line.paragraph][line.start : line.end]
        mark = "▌ " if index == self.cursor else "  "
        style = base + Style(reverse=True) if chosen else base
        strip = Strip([Segment(mark, base + Style(bold=True)), Segment(text, style)])
        return strip.crop_extend(0, width, base)
