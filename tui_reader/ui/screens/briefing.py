"""The day's briefing note as the analyst will hand it over, read inside the TUI and edited in $EDITOR.

The note on disk is the truth (hand edits included), so the screen only ever reads the file: it
shows what any other reader of the markdown would see, never a rendering of the store.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Markdown, Static

from tui_reader.briefing import note_path, parse_note
from tui_reader.sanitize import clean_line, clean_text
from tui_reader.ui.editor import edit_file
from tui_reader.ui.screens.reading import ReadingScreen, reading_bindings


class BriefingScreen(ReadingScreen):
    """One day's note; ``[`` and ``]`` walk the days, ``e`` opens the file in the analyst's editor."""

    READING = "#briefing-body"

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="briefing.back"),
        Binding("e", "edit", "Edit in $EDITOR", id="briefing.edit"),
        Binding("left_square_bracket", "day(-1)", "Previous day", id="briefing.previous"),
        Binding("right_square_bracket", "day(1)", "Next day", id="briefing.next"),
        *reading_bindings("briefing"),
    ]

    def __init__(self, briefing_dir: Path, day: date) -> None:
        super().__init__()
        self.briefing_dir = briefing_dir
        self.day = day

    def compose(self) -> ComposeResult:
        yield Static(id="briefing-header")
        with VerticalScroll(id="briefing-body"):
            yield Markdown(id="briefing-text", open_links=False)
        yield Footer()

    def on_mount(self) -> None:
        self.show_day()

    @property
    def path(self) -> Path:
        return note_path(self.briefing_dir, self.day)

    def show_day(self) -> None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            text = ""
        except (OSError, UnicodeDecodeError) as exc:
            text = f"Cannot read {self.path}: {exc}"
        items = len(parse_note(text)) if text else 0
        header = Text(f"Briefing {self.day.isoformat()}", style="bold")
        header.append(f"  {items} item{'s' * (items != 1)}  " if text else "  no note yet  ", style="dim")
        header.append(clean_line(str(self.path), max_len=100), style="dim")
        self.query_one("#briefing-header", Static).update(header)
        body = text or (f"*No briefing note for {self.day.isoformat()} yet: triaging a story that day writes it.*")
        self.query_one("#briefing-text", Markdown).update(clean_text(body))  # hand edits may paste anything
        self.query_one("#briefing-body", VerticalScroll).scroll_home(animate=False)

    def action_day(self, step: int) -> None:
        self.day += timedelta(days=step)
        self.show_day()

    def action_edit(self) -> None:
        if not self.path.exists():
            self.notify(f"No note for {self.day.isoformat()} to edit yet.", timeout=3)
            return
        if error := edit_file(self.app, self.path):
            self.notify(error, severity="error")
        self.show_day()

    @on(Markdown.LinkClicked)
    def _link_clicked(self, event: Markdown.LinkClicked) -> None:
        self.reader_app.open_link(event.href)
