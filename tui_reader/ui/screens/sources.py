"""The source register (``s`` from the list): every outlet's letter, counts and latest grades, and its history.

A–F sets the highlighted source's letter: an optional reason is asked, then (when it has untriaged
stories) whether they are re-graded to the new letter or keep the one they were offered.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from tui_reader.models import RELIABILITY, SourceEvent, SourceInfo
from tui_reader.sanitize import clean_line
from tui_reader.ui.screens.base import AppScreen
from tui_reader.ui.widgets.key_bar import KeyBar


class SourcesScreen(AppScreen):
    """The register as a table; the highlighted source's history below it."""

    CSS_PATH = "sources.tcss"

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="sources.back"),
        Binding("j", "cursor(1)", "Down", show=False, id="sources.down"),
        Binding("k", "cursor(-1)", "Up", show=False, id="sources.up"),
        *[Binding(c, f"letter('{c}')", f"Letter {c}", show=False, id=f"sources.letter{c}") for c in "ABCDEF"],
    ]

    def __init__(self) -> None:
        super().__init__()
        self.infos: dict[str, SourceInfo] = {}

    def compose(self) -> ComposeResult:
        yield Static(
            Text.assemble(("Sources", "bold"), ("  A–F sets the letter · history of the highlighted one below", "dim")),
            id="sources-header",
        )
        yield DataTable(id="sources-table", cursor_type="row", zebra_stripes=False)
        with VerticalScroll(id="source-history"):
            yield Static(id="source-history-text")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Letter", "Stories", "Untriaged", "Triaged", "Latest", "Source")
        table.set_class(self.app.no_color, "-no-color")  # colours stripped: the cursor row stays visible
        table.focus()
        self.load()

    @work(thread=True, exclusive=True, group="sources", exit_on_error=False)
    def load(self) -> None:
        infos = self.reader_app.store.sources()
        self.app.call_from_thread(self._show, infos)

    def _show(self, infos: list[SourceInfo]) -> None:
        table = self.query_one(DataTable)
        keep = self.highlighted
        table.clear()
        self.infos = {i.name: i for i in infos}
        for i in infos:
            letter = i.letter if i.rated else f"{i.letter} unrated"
            table.add_row(
                Text(letter),
                Text(str(i.stories)),
                Text(str(i.untriaged)),
                Text(str(i.triaged)),
                Text(" ".join(i.latest) or "--"),
                Text(clean_line(i.name, max_len=60)),
                key=i.name,
            )
        if keep in self.infos:
            table.move_cursor(row=table.get_row_index(keep))
        if not infos:
            self.query_one("#source-history-text", Static).update(Text("No sources yet: r refreshes the feeds."))

    @property
    def highlighted(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return key if isinstance(key, str) else None

    def action_cursor(self, step: int) -> None:
        table = self.query_one(DataTable)
        table.action_cursor_down() if step > 0 else table.action_cursor_up()

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if isinstance(name := event.row_key.value, str):
            self.load_history(name)

    @work(thread=True, exclusive=True, group="sources", exit_on_error=False)
    def load_history(self, name: str) -> None:
        events = self.reader_app.store.source_history(name)
        self.app.call_from_thread(self._show_history, name, events)

    def _show_history(self, name: str, events: list[SourceEvent]) -> None:
        text = Text(f"{clean_line(name, max_len=60)}: ", style="bold")
        entries = "1 entry" if len(events) == 1 else f"{len(events)} entries"
        text.append(f"{entries}, oldest first" if events else "unrated: F, cannot be judged")
        for e in events:
            what = f"{e.grade} on “{clean_line(e.story_title, max_len=50)}”" if e.grade else "letter set"
            text.append(f"\n{e.at.astimezone():%Y-%m-%d %H:%M}  {e.letter}  {what}")
            if e.reason:
                text.append(f" — {clean_line(e.reason, max_len=80)}", style="italic")
        self.query_one("#source-history-text", Static).update(text)

    # -- a new letter ----------------------------------------------------------------------

    def action_letter(self, letter: str) -> None:
        from tui_reader.ui.screens.confirm import AskScreen

        name = self.highlighted
        if name is None:
            return
        shown = clean_line(name, max_len=50)
        question = f"{shown} becomes {letter} ({RELIABILITY[letter]}). Why? (optional)"
        self.app.push_screen(
            AskScreen(question, "the reason, kept in its history; enter alone gives none"),
            lambda r: self._reason(name, letter, r),
        )

    def _reason(self, name: str, letter: str, reason: str | None) -> None:
        from tui_reader.ui.screens.confirm import ConfirmScreen

        if reason is None:
            return
        reason = clean_line(reason)
        untriaged = self.infos[name].untriaged if name in self.infos else 0
        if not untriaged:
            self._change(name, letter, reason, False)
            return
        question = (
            f"Re-grade its {untriaged} untriaged stories to {letter}? "
            f"(n: they keep the letter they were offered; new stories get {letter})"
        )
        self.app.push_screen(ConfirmScreen(question), lambda yes: self._change(name, letter, reason, bool(yes)))

    def _change(self, name: str, letter: str, reason: str, regrade: bool) -> None:
        self.reader_app.change_source_letter(name, letter, reason, regrade, then=self.load)
