"""The keys for reading a long text, shared by the reader and the briefing note."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll

from tui_reader.ui.screens.base import AppScreen


def reading_bindings(screen: str) -> list[Binding]:
    """j/k and the arrows scroll a line, space/b and the page keys a screen; ids ``{screen}.down`` etc. for [keys]."""
    return [
        Binding("j,down", "scroll(1)", "Scroll down", show=False, id=f"{screen}.down"),
        Binding("k,up", "scroll(-1)", "Scroll up", show=False, id=f"{screen}.up"),
        Binding("space,pagedown", "page(1)", "Page down", show=False, id=f"{screen}.pagedown"),
        Binding("b,pageup", "page(-1)", "Page up", show=False, id=f"{screen}.pageup"),
    ]


class ReadingScreen(AppScreen):
    """A screen whose text scrolls in its ``READING`` container, with the actions of :func:`reading_bindings`."""

    READING = ""
    """A selector for the screen's VerticalScroll."""

    def action_scroll(self, step: int) -> None:
        self.query_one(self.READING, VerticalScroll).scroll_relative(y=step, animate=False)

    def action_page(self, step: int) -> None:
        text = self.query_one(self.READING, VerticalScroll)
        text.scroll_relative(y=step * max(1, text.size.height - 2), animate=False)  # two lines stay in view
