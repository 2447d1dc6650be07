"""The base of tui-reader's full screens: the app typed as what it is."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from tui_reader.ui.app import ReaderApp


class AppScreen(Screen[None]):
    """A screen of :class:`ReaderApp`, which reaches the store, settings and shared calls through ``reader_app``."""

    @property
    def reader_app(self) -> ReaderApp:
        """``self.app`` as the app it is (Textual types it as any ``App``), so mypy checks every call."""
        return cast("ReaderApp", self.app)
