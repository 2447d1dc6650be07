"""The Textual app: the story list with its feeds panel, and the actions shared by all screens.

The app only calls the core (store, refresh, triage); every slow call runs in a worker
thread and comes back with ``call_from_thread`` so keys never wait on the network or disk.
"""

from __future__ import annotations

import asyncio
import functools
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import IO

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Footer, Input, ProgressBar, Static
from textual.worker import Worker, WorkerState

from tui_reader.config import ClusterSettings, Settings
from tui_reader.errors import NoteBehind, QueryError, UserError
from tui_reader.models import FetchStatus, Quote, State, TriageInput
from tui_reader.paths import Paths
from tui_reader.query import StoryQuery, parse_filter
from tui_reader.sanitize import clean_line, is_openable_url
from tui_reader.store import Store
from tui_reader.ui.messages import (
    RefreshFinished,
    RefreshProgress,
    StoryChanged,
    UrlAdded,
)
from tui_reader.ui.widgets.feeds_panel import FeedsPanel
from tui_reader.ui.widgets.story_list import StoryList

VIEWS: list[tuple[str, tuple[State, ...]]] = [
    ("inbox", (State.UNREAD, State.READ, State.TRIAGED)),
    ("untriaged", (State.UNREAD, State.READ)),
    ("unread", (State.UNREAD,)),
    ("triaged", (State.TRIAGED,)),
    ("dismissed", (State.DISMISSED,)),
    ("all", ()),
]
SORTS = ["date", "source", "rating"]
NARROW = 100
"""Below this many columns the feeds panel collapses and the reader stacks its panels."""
TURN_WAIT = 120.0
"""At most this many seconds a UI write waits for the one queued before it (which itself gives up sooner)."""
JOBS = {
    "view": "Reading the list",
    "cluster": "Grouping stories by event",
    "feeds": "Unsubscribing",
    "notes": "Bringing the briefing note up to date",
    "sources": "Reading the source register",
}
"""What each worker group that may raise does, in words, for the line that says it failed."""


def describe(exc: BaseException) -> str:
    """One line about a failure: our own wording as it is, anything else with its kind."""
    text = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}".rstrip(": ")
    return clean_line(text, max_len=200)


@contextmanager
def _in_turn(turn: tuple[threading.Event, threading.Event]) -> Iterator[None]:
    """Wait for the write queued before this one (bounded), then let the next one go, whatever happens."""
    before, mine = turn
    before.wait(TURN_WAIT)
    try:
        yield
    finally:
        mine.set()


def backlog_command(db: Path, cluster: ClusterSettings) -> list[str]:
    """The clustering process (:mod:`tui_reader.backlog`) for the store at ``db``: an argument list, no shell."""
    return [sys.executable, "-m", "tui_reader.backlog", str(db), str(cluster.window_hours), str(cluster.threshold)]


BACKLOG_DELAY = 1.0
"""Seconds after mount before clustering what a headless fetch left: the first paint and keys come first."""


class ReaderApp(App):
    """tui-reader's TUI: list → reader → triage, with the store and settings passed in."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute, so subclasses elsewhere find it
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW, "-wide")]
    TITLE = "tui-reader"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True, show=False, id="app.quit_always"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("r", "refresh", "Refresh", id="app.refresh"),
        Binding("a", "add_url", "Add feed", show=False, id="app.add"),
        Binding("b", "briefing", "Briefing note", show=False, id="app.briefing"),
        Binding("slash", "search", "Search", id="app.search"),
        Binding("escape", "clear_search", "Clear filter", show=False, id="app.clear"),
        Binding("n", "next_untriaged", "Next untriaged", id="app.next_untriaged"),
        Binding("x", "dismiss_current", "Dismiss", id="app.dismiss"),
        Binding("X", "dismiss_view", "Dismiss all untriaged shown", show=False, id="app.dismiss_view"),
        Binding("u", "undo", "Undo", show=False, id="app.undo"),
        Binding("o", "open_current", "Open in browser", show=False, id="app.open"),
        Binding("y", "copy_current", "Copy link", show=False, id="app.copy"),
        Binding("v", "cycle_view", "View", id="app.view"),
        Binding("S", "cycle_sort", "Sort", show=False, id="app.sort"),
        Binding("z", "toggle_grouped", "Group outlets", show=False, id="app.group"),
        Binding("f", "toggle_feeds", "Feeds panel", show=False, id="app.feeds"),
        Binding("s", "sources", "Sources", show=False, id="app.sources"),
        Binding("question_mark", "help", "Help", id="app.help"),
    ]

    LIST_ACTIONS = frozenset(
        {
            "add_url",
            "briefing",
            "search",
            "clear_search",
            "next_untriaged",
            "dismiss_current",
            "dismiss_view",
            "undo",
            "open_current",
            "copy_current",
            "cycle_view",
            "cycle_sort",
            "toggle_grouped",
            "toggle_feeds",
            "sources",
        }
    )
    """Keys of the story list: over the reader or the briefing note they would change a list nobody sees."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action not in self.LIST_ACTIONS or len(self.screen_stack) <= 1

    def __init__(self, store: Store, paths: Paths, settings: Settings | None = None, *, demo: bool = False) -> None:
        super().__init__()
        self.store = store
        self.paths = paths
        self.settings = settings or Settings()
        self.demo = demo
        self.view_index = 0
        self.sort_index = 0
        self.filter_text = ""
        self.grouped = False
        self.feed_id: int | None = None
        self.feed_group = ""
        self._undo: list[list[tuple[int, State]]] = []
        """Each entry is one action to undo: the stories it changed and the states they had."""
        self._refreshing = False
        self._quiet_refresh = False
        self._last_write = threading.Event()
        self._last_write.set()
        self.feeds_timer: Timer | None = None
        """The background refresh timer when ``fetch.auto_refresh_minutes`` is set."""
        self._backlog: subprocess.Popen | None = None
        """The clustering process (:mod:`tui_reader.backlog`) while it runs."""

    # -- layout -------------------------------------------------------------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: str = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast is plain text, whatever the caller asks (screens pass ``markup=True``).

        Messages quote story URLs, titles and error text from strangers: parsed as markup, a stray
        ``[/]`` raises while the toast renders and takes the app down, and ``[@click=app.quit]``
        becomes a live action link.
        """
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def compose(self) -> ComposeResult:
        yield Static(id="view-bar")
        yield Input(
            placeholder="search: words  tag:x  rating:<=B2  source:x  since:2d  state:unread  (? help)", id="search"
        )
        with Horizontal(id="main"):
            yield FeedsPanel(id="feeds")
            with Vertical(id="list-pane"):
                yield StoryList(self.store, self.current_query(), id="stories")
        with Horizontal(id="status-bar"):
            yield Static(id="status")
            yield ProgressBar(id="progress", show_eta=False)
        yield Footer()

    def on_mount(self) -> None:
        self.theme = self.settings.ui.theme if self.settings.ui.theme in self.available_themes else "textual-dark"
        if self.settings.keys:
            self.set_keymap(self.settings.keys)
        self.query_one("#feeds").set_class(not self.settings.ui.show_feeds, "-hidden")
        self.query_one("#stories").focus()
        self.call_after_refresh(self._update_feeds)  # the list is painted first; the counts ~30 ms later
        self._update_view_bar()
        self._catch_up_notes()
        self.set_timer(BACKLOG_DELAY, self._cluster_backlog)
        if minutes := self.settings.fetch.auto_refresh_minutes:
            self.feeds_timer = self.set_interval(minutes * 60, self._timed_refresh)
        if self.demo:
            self.notify("Demo: stories from three local feeds. Enter opens, ? lists the keys.", timeout=6)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that raised says so in one line and the screen stays as it was, usable."""
        if event.state is WorkerState.ERROR:
            what = JOBS.get(event.worker.group, "A background task")
            self.notify(f"{what} failed: {describe(event.worker.error)}", severity="error", timeout=8)

    @work(thread=True, group="notes", exit_on_error=False)
    def _catch_up_notes(self) -> None:
        """Replay saves whose note update was cut short (a crash, a full disk, a busy lock), off the UI thread."""
        from tui_reader.triage import reconcile_logs

        try:
            reconcile_logs(self.store, self.paths.briefing_dir)
        except UserError as exc:
            self.call_from_thread(
                self.notify,
                f"The briefing note is behind the store: {describe(exc)}; nothing "
                "is lost, it catches up at the next save or start",
                severity="warning",
                timeout=10,
            )

    @property
    def stories(self) -> StoryList:
        return self.query_one("#stories", StoryList)

    # -- the view: filters, sort, search ----------------------------------------------------------

    def current_query(self) -> StoryQuery:
        base = StoryQuery(
            states=VIEWS[self.view_index][1],
            feed_id=self.feed_id,
            group=self.feed_group,
            sort=SORTS[self.sort_index],
            grouped=self.grouped,
        )
        return parse_filter(self.filter_text, base) if self.filter_text else base

    def _apply_view(self) -> None:
        self._load_view(self.current_query())

    @work(thread=True, exclusive=True, group="view", exit_on_error=False)
    def _load_view(self, query: StoryQuery) -> None:
        """Sorting or searching 100k stories can take 100+ ms: never on the UI thread."""
        ids = self.store.story_ids(query)
        self.call_from_thread(self._show_view, query, ids)

    def _show_view(self, query: StoryQuery, ids: list[int]) -> None:
        self.stories.set_query(query, ids=ids)
        self._update_view_bar()

    def _update_view_bar(self) -> None:
        q = self.current_query()
        text = Text.assemble(
            ("View ", "dim"),
            (VIEWS[self.view_index][0], "bold"),
            ("  sort ", "dim"),
            (q.sort, "bold"),
            ("  stories ", "dim"),
            (str(self.stories.row_count), "bold"),
        )
        if self.grouped:
            text.append("  grouped by story", "bold")
        if self.feed_id is not None:
            feed = self.store.feed(self.feed_id)
            text.append("  feed ", "dim")
            text.append(clean_line(feed.title if feed else "?", max_len=30), "bold")
        if self.feed_group:
            text.append("  group ", "dim")
            text.append(clean_line(self.feed_group, max_len=30), "bold")
        if self.filter_text:
            text.append("  filter ", "dim")
            text.append(clean_line(self.filter_text, max_len=60), "bold")
        self.query_one("#view-bar", Static).update(text)

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.value = self.filter_text
        search.add_class("visible")
        search.focus()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        try:
            parse_filter(event.value)
        except QueryError as exc:
            self.notify(str(exc), severity="error", timeout=5)
            return
        self.filter_text = event.value.strip()
        event.input.remove_class("visible")
        self.stories.focus()
        self._apply_view()

    def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_class("visible"):
            search.remove_class("visible")
            self.stories.focus()
            return
        if self.filter_text or self.feed_id is not None or self.feed_group:
            self.filter_text, self.feed_id, self.feed_group = "", None, ""
            self._apply_view()

    def action_cycle_view(self) -> None:
        self.view_index = (self.view_index + 1) % len(VIEWS)
        self._apply_view()

    def action_toggle_grouped(self) -> None:
        """Collapse each story carried by several outlets to one row (its ×N), or expand them again."""
        self.grouped = not self.grouped
        self._apply_view()

    def action_cycle_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self._apply_view()

    def action_toggle_feeds(self) -> None:
        """Classes, not inline display, so the narrow-terminal rule still applies after a toggle."""
        feeds = self.query_one("#feeds", FeedsPanel)
        show = not feeds.display
        feeds.set_class(not show, "-hidden")
        feeds.set_class(show, "-shown")
        (feeds if show else self.stories).focus()

    @on(FeedsPanel.Selected)
    def _feed_selected(self, event: FeedsPanel.Selected) -> None:
        self.feed_id, self.feed_group = event.feed_id, event.group
        self._apply_view()
        self.stories.focus()

    def _show_store_changes(self) -> None:
        """Stories came, went or changed state behind the list's back: re-read the list, the counts, the bar."""
        self.stories.reload()
        self._update_feeds()
        self._update_view_bar()

    def _update_feeds(self) -> None:
        self.query_one("#feeds", FeedsPanel).show_feeds(self.store.feeds())

    # -- opening and walking stories ------------------------------------------------------------

    @on(StoryList.Opened)
    def _open(self, event: StoryList.Opened) -> None:
        from tui_reader.ui.screens.reader import ReaderScreen

        self.push_screen(ReaderScreen(event.story_id))

    def neighbour_id(self, story_id: int, step: int) -> int | None:
        """The story ``step`` rows away in the list's current order; the list cursor follows."""
        ids = self.stories.story_ids
        try:
            index = ids.index(story_id) + step
        except ValueError:
            return None
        if not 0 <= index < len(ids):
            return None
        self.stories.select_story(ids[index])
        return ids[index]

    def next_untriaged_id(self, after: int | None) -> int | None:
        """Move the list cursor to the next unread or read story after ``after`` and return it."""
        if after is not None:
            self.stories.select_story(after)
        untriaged = (State.UNREAD, State.READ)
        if self.stories.move_to_next(lambda row: row.state in untriaged and row.id != after, wrap=True):
            return self.stories.cursor_story_id
        return None

    def action_next_untriaged(self) -> None:
        if self.next_untriaged_id(self.stories.cursor_story_id) is None:
            self.notify("Nothing left to triage in this view.", timeout=3)

    def post_story_changed(self, story_id: int) -> None:
        self.post_message(StoryChanged(story_id))

    @on(StoryChanged)
    def _story_changed(self, event: StoryChanged) -> None:
        self.stories.refresh_story(event.story_id)
        self._update_feeds()
        self._update_view_bar()

    # -- triage, dismiss, undo -------------------------------------------------------------------

    def _in_line(self, job: Callable[[], None]) -> None:
        """Run ``job``, a store write asked for on the UI thread, in a worker after those asked for before it.

        There it may wait out another process's write (a cron fetch) without freezing the keys,
        and its place in line keeps the writes, and the undo list they keep, in the order the
        keys were pressed (x then u).
        """
        before, mine = self._last_write, threading.Event()
        self._last_write = mine
        self._write_worker(job, (before, mine))

    @work(thread=True, group="write", exit_on_error=False)
    def _write_worker(self, job: Callable[[], None], turn: tuple[threading.Event, threading.Event]) -> None:

        with _in_turn(turn):
            try:
                job()
            except NoteBehind as exc:  # saved: the list shows it, the journal brings the note up to date
                self.call_from_thread(self.notify, clean_line(str(exc), max_len=240), severity="warning", timeout=10)
                self.call_from_thread(self._show_store_changes)
            except Exception as exc:  # a full disk or a store locked too long must not lose the UI
                self.call_from_thread(self.notify, f"Not saved: {describe(exc)}", severity="error", timeout=8)

    def save_triage(self, inp: TriageInput) -> None:
        """The same code path as ``tui-reader triage``: one store transaction, then the note."""
        self._in_line(functools.partial(self._save, inp))

    def _save(self, inp: TriageInput) -> None:
        from tui_reader.triage import apply_triage

        item = apply_triage(self.store, self.paths.briefing_dir, inp)
        grade = item.grade.code if item.grade else "unrated"
        tags = ", ".join(item.tags) or "no tags"
        self.call_from_thread(
            self.notify, f"Saved {grade} · {tags} → {item.triaged_at.astimezone():%Y-%m-%d}.md", timeout=3
        )
        self.post_story_changed(inp.story_id)

    def save_note(
        self, story_id: int, *, text: str | None = None, line: str | None = None, quote: Quote | None = None
    ) -> None:
        """A story's new note ``text``, one more ``line`` of it, or one more ``quote``: in line like every write;
        a triaged story's briefing item follows."""
        self._in_line(functools.partial(self._save_note, story_id, text, line, quote))

    def _save_note(self, story_id: int, text: str | None, line: str | None, quote: Quote | None) -> None:
        from tui_reader import notes

        if quote is not None:
            notes.add_quote(self.store, self.paths.briefing_dir, story_id, quote)
            said = f"Quoted from paragraph {quote.paragraph + 1} into the note."
        elif line is not None:
            notes.add_note_line(self.store, self.paths.briefing_dir, story_id, line)
            said = "Added to the note."
        else:
            notes.set_note(self.store, self.paths.briefing_dir, story_id, text or "")
            said = "Note saved."
        self.call_from_thread(self.notify, said, timeout=2)
        self.post_story_changed(story_id)

    def change_source_letter(
        self, name: str, letter: str, reason: str, regrade: bool, *, then: Callable[[], None]
    ) -> None:
        """A new letter for a source in the register, in line like every write; ``then`` runs after it."""
        self._in_line(functools.partial(self._change_source_letter, name, letter, reason, regrade, then))

    def _change_source_letter(
        self, name: str, letter: str, reason: str, regrade: bool, then: Callable[[], None]
    ) -> None:
        regraded = self.store.set_source_letter(name, letter, reason=reason, regrade=regrade)
        kept = f"{regraded} untriaged stories re-graded" if regrade else "its untriaged stories keep their letter"
        self.call_from_thread(self.notify, f"{clean_line(name, max_len=40)} is now {letter}: {kept}.", timeout=4)
        self.call_from_thread(then)

    def mark_read(self, story_id: int) -> None:
        """Opening an unread story makes it read: a write, so in line, and never in the way of the article."""
        self._in_line(functools.partial(self._mark_read, story_id))

    def _mark_read(self, story_id: int) -> None:
        self.store.mark_read(story_id)
        self.post_story_changed(story_id)

    def dismiss_story(self, story_id: int) -> None:
        self._in_line(functools.partial(self._dismiss, story_id))
        self.notify("Dismissed — u undoes.", timeout=2)

    def _dismiss(self, story_id: int) -> None:
        """In line: the state to undo to is the one the writes before this one left."""
        from tui_reader.triage import apply_triage

        story = self.store.story(story_id)
        if story is None:
            return
        undo = [(story_id, story.state)]
        try:
            if story.state is State.TRIAGED:  # the note loses it too
                apply_triage(
                    self.store,
                    self.paths.briefing_dir,
                    TriageInput(story_id, story.tags, story.grade, story.summary, dismiss=True),
                )
            else:
                self.store.set_states([(story_id, State.DISMISSED)])
        except NoteBehind:  # dismissed in the store: undoable
            self._undo.append(undo)
            raise
        self._undo.append(undo)
        self.post_story_changed(story_id)

    def undo(self) -> None:
        self._in_line(self._undo_last)

    def _undo_last(self) -> None:
        from tui_reader.triage import apply_triage

        if not self._undo:
            self.call_from_thread(self.notify, "Nothing to undo.", timeout=2)
            return
        changes = self._undo.pop()
        story = self.store.story(changes[0][0])
        try:
            if len(changes) == 1 and changes[0][1] is State.TRIAGED and story is not None:
                apply_triage(
                    self.store, self.paths.briefing_dir, TriageInput(story.id, story.tags, story.grade, story.summary)
                )
            else:  # a bulk dismissal restores never-triaged stories: states alone
                self.store.set_states(changes)
        except NoteBehind:  # restored in the store: done
            raise
        except Exception:
            self._undo.append(changes)  # nothing changed: u can try again
            raise
        message = f"Restored {len(changes)} stories." if len(changes) > 1 else f"Restored to {changes[0][1].value}."
        self.call_from_thread(self.notify, message, timeout=2)
        self.call_from_thread(self._show_changes, changes)

    def action_dismiss_current(self) -> None:
        story_id = self.stories.cursor_story_id
        if story_id is not None:
            self.dismiss_story(story_id)

    def action_dismiss_view(self) -> None:
        """Inbox zero: after triaging what matters, dismiss the rest of the view in one go (triaged ones stay)."""
        self._find_dismissable(replace(self.current_query(), grouped=False))  # grouped: the hidden outlets too

    @work(thread=True, exclusive=True, group="view", exit_on_error=False)
    def _find_dismissable(self, query: StoryQuery) -> None:
        changes = self.store.untriaged(self.store.story_ids(query))
        self.call_from_thread(self._confirm_dismiss_view, changes)

    def _confirm_dismiss_view(self, changes: list[tuple[int, State]]) -> None:
        from tui_reader.ui.screens.confirm import ConfirmScreen

        if not changes:
            self.notify("Nothing to dismiss in this view (triaged stories stay).", timeout=3)
            return
        question = f"Dismiss the {len(changes)} untriaged stories in this view? Triaged ones stay; u undoes."
        self.push_screen(ConfirmScreen(question), lambda yes: self._dismiss_many(changes) if yes else None)

    def _dismiss_many(self, changes: list[tuple[int, State]]) -> None:
        self._in_line(functools.partial(self._dismiss_all, changes))

    def _dismiss_all(self, changes: list[tuple[int, State]]) -> None:
        self.store.set_states([(story_id, State.DISMISSED) for story_id, _ in changes])
        self._undo.append(changes)
        self.call_from_thread(self.notify, f"Dismissed {len(changes)} stories — u undoes.", timeout=3)
        self.call_from_thread(self._show_changes, changes)

    def _show_changes(self, changes: list[tuple[int, State]]) -> None:
        if len(changes) == 1:
            self.post_story_changed(changes[0][0])
        else:
            self._show_store_changes()

    def action_undo(self) -> None:
        self.undo()

    # -- links ---------------------------------------------------------------------------------

    def open_story_link(self, story_id: int | None) -> None:
        story = self.store.story(story_id) if story_id is not None else None
        if story is not None:
            self.open_link(story.url)

    def open_link(self, url: str) -> None:
        """Open ``url`` in the browser if it is http(s); anything else (``javascript:``, ``file:``) is refused."""
        if is_openable_url(url):
            self.open_url(url)
            self.notify(f"Opening {clean_line(url, max_len=60)}", timeout=2)
        else:
            self.notify(f"Not opened (only http/https links): {clean_line(url, max_len=60)}", severity="warning")

    def copy_story_link(self, story_id: int | None) -> None:
        story = self.store.story(story_id) if story_id is not None else None
        if story is not None:
            self.copy_to_clipboard(clean_line(story.url))
            self.notify("Link copied (OSC 52).", timeout=2)

    def action_open_current(self) -> None:
        self.open_story_link(self.stories.cursor_story_id)

    def action_copy_current(self) -> None:
        self.copy_story_link(self.stories.cursor_story_id)

    # -- refresh ---------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        if self._refreshing:
            self.notify("A refresh is already running.", timeout=2)
            return
        if not (feeds := self.store.feeds()):
            self.notify("No feeds yet: press a to add one.", timeout=4)
            return
        self._start_refresh(len(feeds), quiet=False)

    def _timed_refresh(self) -> None:
        """The ``fetch.auto_refresh_minutes`` timer: a refresh that speaks up only when there is news."""
        if not self._refreshing and (feeds := self.store.feeds()):
            self._start_refresh(len(feeds), quiet=True)

    def _start_refresh(self, total: int, quiet: bool) -> None:
        self._refreshing = True
        self._quiet_refresh = quiet
        progress = self.query_one("#progress", ProgressBar)
        progress.update(total=total, progress=0)
        self.query_one("#status-bar").add_class("busy")
        self._refresh_worker(total)

    @work(thread=True, exclusive=True, group="refresh", exit_on_error=False)
    def _refresh_worker(self, total: int) -> None:
        from tui_reader.refresh import refresh_feeds

        done = 0
        new = 0

        def progress(outcome) -> None:
            nonlocal done, new
            done += 1
            new += outcome.new
            line = f"{clean_line(outcome.title or outcome.url, max_len=30)}: " + (
                clean_line(outcome.error, max_len=60) if outcome.status == FetchStatus.ERROR else outcome.status.value
            )
            self.post_message(RefreshProgress(done, total, new, line))

        try:
            report = asyncio.run(refresh_feeds(self.store, self.settings.fetch, progress=progress))
        except Exception as exc:  # never leave the progress bar stuck
            self.post_message(RefreshFinished(new, total, total, error=describe(exc)))
            return
        self.post_message(RefreshFinished(report.total_new, report.failed, len(report.outcomes)))

    @work(thread=True, exclusive=True, group="cluster", exit_on_error=False)
    def _cluster_backlog(self) -> None:
        """Cluster the stories stored without it (a headless ``fetch``, a refresh, an older store) or
        changed since, in a process of its own (:mod:`tui_reader.backlog`), if there are any."""
        if self._backlog is not None or not isinstance(self.store.path, Path) or not self.store.has_cluster_backlog():
            return
        errors = tempfile.TemporaryFile()  # what it says if it fails: a file, so a flood can never block it
        proc = subprocess.Popen(
            backlog_command(self.store.path, self.settings.cluster),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        self.call_from_thread(self._watch_backlog, proc, errors)

    def _watch_backlog(self, proc: subprocess.Popen, errors: IO[bytes]) -> None:
        self._backlog = proc
        timer = self.set_interval(0.5, lambda: self._backlog_poll(timer, errors))

    def _backlog_poll(self, timer: Timer, errors: IO[bytes]) -> None:
        if self._backlog is None or self._backlog.poll() is None:
            return
        timer.stop()
        failed, self._backlog = self._backlog.returncode > 0, None
        if failed:  # a kill at quit is a negative status: no failure
            errors.seek(0)
            said = errors.read()[-2000:].decode("utf-8", "replace").strip().splitlines() or ["no reason given"]
            self.notify(f"{JOBS['cluster']} failed: {clean_line(said[-1], max_len=200)}", severity="error", timeout=8)
        errors.close()
        self.stories.reload()  # the ×N column and grouped view now know the new clusters

    def on_unmount(self) -> None:
        if self._backlog is not None:  # its current batch rolls back; the next start resumes there
            self._backlog.terminate()

    @on(RefreshProgress)
    def _refresh_progress(self, event: RefreshProgress) -> None:
        self.query_one("#progress", ProgressBar).update(progress=event.done)
        self.query_one("#status", Static).update(
            Text(f"Refreshing {event.done}/{event.total} · {event.new} new · {event.line}")
        )

    @on(RefreshFinished)
    def _refresh_finished(self, event: RefreshFinished) -> None:
        self._refreshing = False
        self.query_one("#status-bar").remove_class("busy")
        if event.error:  # what was stored before it failed stays; the next r starts afresh
            self.notify(f"Refresh failed: {event.error}", severity="error", timeout=8)
            self._show_store_changes()
            return
        failed = f", {event.failed} failed (see the feeds panel)" if event.failed else ""
        if event.total_new or event.failed or not self._quiet_refresh:
            self.notify(
                f"Refreshed {event.feeds} feeds: {event.total_new} new{failed}.",
                severity="warning" if event.failed else "information",
                timeout=4,
            )
        self._show_store_changes()
        self._cluster_backlog()

    # -- the briefing note -------------------------------------------------------------------------

    def action_sources(self) -> None:
        from tui_reader.ui.screens.sources import SourcesScreen

        self.push_screen(SourcesScreen())

    def action_briefing(self) -> None:
        from datetime import date

        from tui_reader.ui.screens.briefing import BriefingScreen

        self.push_screen(BriefingScreen(self.paths.briefing_dir, date.today()))

    # -- adding a feed ---------------------------------------------------------------------------

    def action_add_url(self) -> None:
        from tui_reader.ui.screens.add_url import AddUrlScreen

        self.push_screen(AddUrlScreen(), self._add_url)

    def _add_url(self, url: str | None) -> None:
        if url:
            self.notify(f"Adding {clean_line(url, max_len=60)}…", timeout=2)
            self._add_url_worker(url)

    @work(thread=True, group="add", exit_on_error=False)
    def _add_url_worker(self, url: str) -> None:
        from tui_reader.subscribe import AddKind, AddResult, add_url

        try:
            result = asyncio.run(add_url(self.store, self.settings.fetch, url))
        except Exception as exc:  # a store failure: say so, never take the app down
            result = AddResult(AddKind.ERROR, message=f"could not add {url}: {exc}")
        self.post_message(UrlAdded(result))

    @on(UrlAdded)
    def _url_added(self, event: UrlAdded) -> None:
        from tui_reader.subscribe import AddKind  # loaded already: the worker that posted this used it
        from tui_reader.ui.screens.add_url import ChooseFeedScreen

        result = event.result
        if result.kind == AddKind.PAGE_WITH_FEEDS:
            subscribed = {f.url for f in self.store.feeds()}
            self.push_screen(ChooseFeedScreen(result.url, result.candidates, subscribed), self._add_url)
            return
        self.notify(
            clean_line(result.message, max_len=160),
            severity="error" if result.kind == AddKind.ERROR else "information",
            timeout=5,
        )
        if result.kind in (AddKind.FEED, AddKind.ARTICLE):
            self._show_store_changes()
            self._cluster_backlog()

    @on(FeedsPanel.UnsubscribeRequested)
    def _unsubscribe_requested(self, event: FeedsPanel.UnsubscribeRequested) -> None:
        from tui_reader.ui.screens.confirm import ConfirmScreen

        feed = self.store.feed(event.feed_id)
        if feed is None:
            return
        name = clean_line(feed.title or feed.url, max_len=60)
        question = f"Unsubscribe from {name}? Its stories stay (search, briefing notes)."
        self.push_screen(ConfirmScreen(question), lambda yes: self._unsubscribe(feed.id, name) if yes else None)

    @work(thread=True, group="feeds", exit_on_error=False)
    def _unsubscribe(self, feed_id: int, name: str) -> None:
        kept = self.store.remove_feed(feed_id)
        self.call_from_thread(self._unsubscribed, feed_id, f"Unsubscribed from {name}; its {kept} stories stay.")

    def _unsubscribed(self, feed_id: int, message: str) -> None:
        self.notify(message, timeout=4)
        if self.feed_id == feed_id:
            self.feed_id = None
            self._apply_view()
        self._update_feeds()
        self._update_view_bar()

    # -- help ------------------------------------------------------------------------------------

    def action_help(self) -> None:
        from tui_reader.ui.screens.briefing import BriefingScreen
        from tui_reader.ui.screens.help import HelpScreen
        from tui_reader.ui.screens.reader import ReaderScreen
        from tui_reader.ui.screens.sources import SourcesScreen
        from tui_reader.ui.widgets.passage import PassageView

        sections = [
            ("Story list", [*self.BINDINGS, *StoryList.BINDINGS]),
            ("Feeds panel (f)", FeedsPanel.BINDINGS),
            ("Reader", ReaderScreen.BINDINGS),
            ("Selecting a passage to quote (v in the reader)", PassageView.BINDINGS),
            ("Briefing note (b)", BriefingScreen.BINDINGS),
            ("Sources (s)", SourcesScreen.BINDINGS),
        ]
        self.push_screen(HelpScreen(sections, dict(self.settings.keys)))
