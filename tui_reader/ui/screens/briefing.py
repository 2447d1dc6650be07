"""The day's briefing note as the analyst will hand it over, read inside the TUI and edited in $EDITOR.

The note on disk is the truth (hand edits included), so the screen only ever reads the file: it
shows what any other reader of the markdown would see, never a rendering of the store. The
structured brief's BLUF (``B``) and key judgements (``J``) are written into the file in a worker,
under the note's lock, and the screen reads the file again.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from tui_reader import briefing
from tui_reader.briefing import note_path, parse_note
from tui_reader.errors import UserError
from tui_reader.models import Judgement
from tui_reader.sanitize import clean_line, clean_text
from tui_reader.ui.editor import edit_file
from tui_reader.ui.screens.reading import ReadingScreen, reading_bindings
from tui_reader.ui.widgets.key_bar import KeyBar


class BriefingScreen(ReadingScreen):
    """One day's note; ``[`` and ``]`` walk the days, ``e`` opens the file in the analyst's editor."""

    CSS_PATH = "briefing.tcss"

    READING = "#briefing-body"

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="briefing.back"),
        Binding("e", "edit", "Edit in $EDITOR", id="briefing.edit"),
        Binding("B", "bluf", "BLUF", id="briefing.bluf"),
        Binding("J", "judgement", "Add judgement", id="briefing.judgement"),
        Binding("left_square_bracket", "day(-1)", "Previous day", id="briefing.previous"),
        Binding("right_square_bracket", "day(1)", "Next day", id="briefing.next"),
        *reading_bindings("briefing"),
    ]

    def __init__(self, briefing_dir: Path, day: date, *, structured: bool = False) -> None:
        super().__init__()
        self.briefing_dir = briefing_dir
        self.day = day
        self.structured = structured
        """``[brief] structured``: a note that B or J creates starts with every section."""

    def compose(self) -> ComposeResult:
        yield Static(id="briefing-header")
        with VerticalScroll(id="briefing-body"):
            yield Markdown(id="briefing-text", open_links=False)
        yield KeyBar()

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

    def action_bluf(self) -> None:
        from tui_reader.ui.screens.brief_sections import BlufScreen

        self.app.push_screen(BlufScreen(briefing.note_sections(self._read()).get("bluf", "")), self._bluf_given)

    def _bluf_given(self, text: str | None) -> None:
        if text is not None:
            self._write(self.day, bluf=text)

    def action_judgement(self) -> None:
        from tui_reader.ui.screens.brief_sections import JudgementScreen

        self.app.push_screen(JudgementScreen(), self._judgement_given)

    def _judgement_given(self, judgement: Judgement | None) -> None:
        if judgement is not None:
            self._write(self.day, judgement=judgement)

    def _read(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return ""

    @work(thread=True, exit_on_error=False, group="briefing-write")
    def _write(self, day: date, *, bluf: str | None = None, judgement: Judgement | None = None) -> None:
        """File I/O under the note lock (which may wait for another tui-reader): never on the UI thread."""
        path = note_path(self.briefing_dir, day)
        try:
            if judgement is not None:
                briefing.add_judgement(path, day, judgement, structured=self.structured)
            else:
                briefing.write_section(path, day, "bluf", bluf or "", structured=self.structured)
        except UserError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
        self.app.call_from_thread(self.show_day)

    @on(Markdown.LinkClicked)
    def _link_clicked(self, event: Markdown.LinkClicked) -> None:
        self.reader_app.open_link(event.href)
