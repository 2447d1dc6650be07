"""The Textual app: the store, settings, refresh, the triage write queue and notifications, for every screen.

The story list is :class:`~tui_reader.ui.screens.main.MainScreen`, the first screen. The app only
calls the core (store, refresh, triage); every slow call runs in a worker thread and comes back with
``call_from_thread`` or a Message so keys never wait on the network or disk.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import importlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, TYPE_CHECKING

from msgspec import Struct
from msgspec.structs import replace
from textual import events, on, work
from textual.app import App
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from tui_reader.config import STORE_URL_ENV, ClusterSettings, Settings
from tui_reader.errors import ConflictError, NoteBehind, UserError
from tui_reader.models import FetchStatus, Grade, Quote, State, TriageInput
from tui_reader.paths import Paths
from tui_reader.sanitize import clean_line, is_openable_url
from tui_reader.store import Store
from tui_reader.store.desk import HEARTBEAT, VERSIONED
from tui_reader.ui.messages import RefreshFinished, RefreshProgress, StoryChanged
from tui_reader.ui.screens.main import HELP, REFRESH, MainScreen
from tui_reader.ui.widgets.feeds_panel import FeedsPanel
from tui_reader.ui.widgets.story_list import StoryList

if TYPE_CHECKING:
    from tui_reader.watch import Alert

NARROW = 100
"""Below this many columns the feeds panel collapses and the reader stacks its panels."""
TURN_WAIT = 120.0
"""At most this many seconds a UI write waits for the one queued before it (which itself gives up sooner)."""
JOBS = {
    "view": "Reading the list",
    "reread": "Re-reading the list after the store changed",
    "cluster": "Grouping stories by event",
    "feeds": "Unsubscribing",
    "counts": "Counting the feeds' unread stories",
    "notes": "Bringing the briefing note up to date",
    "sources": "Reading the source register",
    "notify": "Running notify_command",
    "desk": "Watching for colleagues' changes",
    "preload": "Loading the reader",
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


def backlog_process(store: Store, cluster: ClusterSettings) -> tuple[list[str], dict[str, str] | None]:
    """The clustering process (:mod:`tui_reader.backlog`) for ``store``: an argument list (no shell) and its
    environment. A server's URL goes in the environment, since any user's ``ps`` shows the arguments."""
    url = store.engine.url
    db, env = ("-", {**os.environ, STORE_URL_ENV: url}) if url else (str(store.path), None)
    return [sys.executable, "-m", "tui_reader.backlog", db, str(cluster.window_hours), str(cluster.threshold)], env


BACKLOG_DELAY = 1.0
"""Seconds after mount before clustering what a headless fetch left: the first paint and keys come first."""

CHANGES_POLL = 0.5
"""Seconds between looks at the store's change log for a colleague's changes (one index seek each)."""


class Rated(Struct, frozen=True):
    """What u undoes after a bulk rating: its batch, by name (:func:`tui_reader.triage.undo_ratings`)."""

    batch: str
    story_ids: frozenset[int]


class Tagged(Struct, frozen=True):
    """What u undoes after a bulk tagging: the rule it was recorded as, and the stories it changed."""

    rule: str
    story_ids: frozenset[int]


Undoable = list[tuple[int, State]] | Tagged | Rated
"""One entry of what u undoes: the states the stories a dismissal changed had, a bulk tagging, a bulk rating."""


def _touches(entry: Undoable, story_ids: set[int]) -> bool:
    if isinstance(entry, list):
        return any(story_id in story_ids for story_id, _ in entry)
    return not entry.story_ids.isdisjoint(story_ids)


READER_MODULES = (
    "tui_reader.ui.screens.reader",
    "tui_reader.articles",
    "tui_reader.cluster",
    "tui_reader.summarize",
    "tui_reader.triage",
)
"""What opening the first story imports (Textual's Markdown, httpx, lxml, numpy: ~0.3 s of CPU): imported in a
thread once the list is up (after ``BACKLOG_DELAY``), so the first enter is as quick as the next."""

SCREEN_STYLES = (Path(__file__).parent / "screens").resolve()
"""Where the other screens' style sheets are (their ``CSS_PATH``): the list's, app.tcss, is all the first frame parses."""

FULL_COLLECTION_EVERY = 100
"""Middle-generation collections between full ones once the app is up (Python's default: 10)."""

QUIT_ALWAYS = Binding("ctrl+q", "quit", "Quit", priority=True, show=False, id="app.quit_always")


class ReaderApp(App[None]):
    """tui-reader's TUI: list → reader → triage, with the store and settings passed in."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute, so subclasses elsewhere find it
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW, "-wide")]
    TITLE = "tui-reader"
    BINDINGS = [QUIT_ALWAYS, REFRESH, HELP]

    def __init__(
        self,
        store: Store,
        paths: Paths,
        settings: Settings | None = None,
        *,
        demo: bool = False,
        config: dict | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.paths = paths
        self.settings = settings or Settings()
        self.config = config
        """The analyst's config file as read, which rules and watchlists a colleague shares are merged into
        again (None: ``settings`` came from elsewhere, and stay as they are)."""
        self.demo = demo
        self.main_screen = MainScreen()
        """The story list: the first screen, under every other."""
        self._undo: list[Undoable] = []
        """What u undoes, last first, one action each."""
        self._refreshing = False
        self._quiet_refresh = False
        self._last_write = threading.Event()
        self._last_write.set()
        self.feeds_timer: Timer | None = None
        """The background refresh timer when ``fetch.auto_refresh_minutes`` is set."""
        self._backlog: subprocess.Popen[bytes] | None = None
        """The clustering process (:mod:`tui_reader.backlog`) while it runs."""
        self._keys_told = 0.0
        """When the backlog process was last told that keys are being pressed (monotonic seconds)."""
        self._seen_seq = 0
        """The newest change in the store's log this app has shown."""
        self._reading: int | None = None
        """The story open in the reader, which colleagues see (:meth:`reading`)."""
        self._own: dict[int, tuple[int, int]] = {}
        """Per story: the version a screen loaded, and the one our own writes since have made it (:meth:`_own_write`)."""

    def get_default_screen(self) -> MainScreen:
        return self.main_screen

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast is plain text, whatever the caller asks (screens pass ``markup=True``).

        Messages quote story URLs, titles and error text from strangers: parsed as markup, a stray
        ``[/]`` raises while the toast renders and takes the app down, and ``[@click=app.quit]``
        becomes a live action link.
        """
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def on_mount(self) -> None:
        self.theme = self.settings.ui.theme if self.settings.ui.theme in self.available_themes else "textual-dark"
        if self.settings.keys:
            self.set_keymap(self.settings.keys)
        self._seen_seq = self.store.change_seq()  # before the list's first read: no change is missed
        self.call_after_refresh(self._catch_up_notes)  # its thread (and imports) would hold the GIL from the paint
        self.call_after_refresh(self._watch_changes)
        self.set_interval(HEARTBEAT, self._heartbeat)
        self.call_after_refresh(self._time_background_work)
        if minutes := self.settings.fetch.auto_refresh_minutes:
            self.feeds_timer = self.set_interval(minutes * 60, self._timed_refresh)
        if self.demo:
            self.notify("Demo: stories from three local feeds. Enter opens, ? lists the keys.", timeout=6)

    def _time_background_work(self) -> None:
        """Background work is timed from the first frame, not from mount: on a start slower than BACKLOG_DELAY (a
        loaded box, a cold disk cache) timers set at mount fired before the list was painted, and delayed it."""
        self.set_timer(BACKLOG_DELAY, self.cluster_backlog)
        self.set_timer(BACKLOG_DELAY, self._warm_up)
        self.set_timer(BACKLOG_DELAY, self._read_screen_styles)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that raised says so in one line and the screen stays as it was, usable (screens pass theirs on)."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            what = JOBS.get(event.worker.group, "A background task")
            self.notify(f"{what} failed: {describe(event.worker.error)}", severity="error", timeout=8)

    def _read_screen_styles(self) -> None:
        """Parse the other screens' style sheets once the list is up, so that opening one parses nothing.

        Left to Textual, a screen's first push reads its ``CSS_PATH`` and parses every sheet again (and restyles
        the app); read here, the push finds it read already. The first frame no longer parses them: they were
        two thirds of app.tcss, 14 M instructions before it.
        """
        for path in sorted(SCREEN_STYLES.glob("*.tcss")):
            if not self.stylesheet.has_source(str(path)):
                self.stylesheet.read(path)
        self.stylesheet.parse()

    @work(thread=True, group="preload", exit_on_error=False)
    def _warm_up(self) -> None:
        """Import the reader's modules, then freeze what the app holds by then (on a terminal; tests make many apps).

        Frozen, the modules, widgets and styles that live as long as the app are no longer walked by
        every full garbage collection: that walk was a 40 ms pause inside a key press now and then. What
        is made later (the reader's widgets, caches) still is, so full collections are made ten times rarer
        (``FULL_COLLECTION_EVERY``): one still took 79 ms inside a PageDown. ``tui-reader`` starts the app with
        collection off (nothing to find before the first frame).
        """
        try:
            for module in READER_MODULES:
                importlib.import_module(module)
        finally:
            if not self.is_headless:
                gc.freeze()
                young, middle, _ = gc.get_threshold()
                gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)
            gc.enable()

    @work(thread=True, group="notes", exit_on_error=False)
    def _catch_up_notes(self) -> None:
        """Replay saves whose note update was cut short (a crash, a full disk, a busy lock), off the UI thread."""
        from tui_reader.triage import reconcile_logs

        try:
            reconcile_logs(self.store, self.paths.briefing_dir, structured=self.settings.brief.structured)
        except UserError as exc:
            self.call_from_thread(
                self.notify,
                f"The briefing note is behind the store: {describe(exc)}; nothing "
                "is lost, it catches up at the next save or start",
                severity="warning",
                timeout=10,
            )

    # -- colleagues on the same store -------------------------------------------------------------

    def _watch_changes(self) -> None:
        """Look at the change log whenever the store says a change landed (PostgreSQL's NOTIFY), else (SQLite)
        every :data:`CHANGES_POLL` seconds."""
        if (signals := self.store.change_signals()) is None:
            self.set_interval(CHANGES_POLL, self._poll_changes)
        else:
            self._listen(signals)

    @work(group="desk", exit_on_error=False)
    async def _listen(self, signals: AsyncIterator[None]) -> None:
        async for _ in signals:
            self._poll_changes()

    def _poll_changes(self) -> None:
        """Show what colleagues changed since the last look: their rows repaint where they are (the cursor
        stays), and the story open in the reader says who changed it. Our own changes are shown already."""
        from tui_reader.ui.screens.reader import ReaderScreen

        if not (self.is_running and self.main_screen.is_mounted):  # quitting, or a slow start: no list to repaint
            return
        try:
            if self.store.change_seq() <= self._seen_seq:
                return
            changes = self.store.changes_since(self._seen_seq)
        except UserError:  # a store gone bad says so at the next write; the next poll tries again
            return
        self._seen_seq = changes[-1].seq
        theirs = [c for c in changes if c.session != self.store.session]
        if not theirs:
            return
        if shared := [c for c in theirs if c.kind == "shared"]:
            self._take_shared(shared[-1].analyst)
        if any(c.kind in ("bulk", "shared") for c in theirs):  # a refresh, rules, highlights: the list re-reads
            self.main_screen.show_store_changes()
        else:
            self.main_screen.show_changed({c.story_id for c in theirs})
        screen = self.screen
        if isinstance(screen, ReaderScreen):
            if mine := [c for c in theirs if c.story_id == screen.story_id and c.kind in VERSIONED]:
                said = clean_line(mine[-1].says(), max_len=120)  # a name from the store: whatever wrote it
                self.notify(f"{said}: saving now asks first.", severity="warning", timeout=6)
                screen.show_colleagues_change()

    def _take_shared(self, by: str) -> None:
        """A colleague shared rules and watchlists (``rules share``): this app's refreshes and highlights use
        them from now on, not from its next start. Shared tables that do not parse leave the ones in use."""
        from tui_reader.config import with_shared
        from tui_reader.store import configured

        if self.config is None:
            return
        who = clean_line(by or "someone", max_len=40)
        try:
            shared, _ = self.store.shared_settings()
            settings = with_shared(self.config, shared, by)
        except UserError as exc:
            self.notify(f"{who} shared rules that are not used here: {describe(exc)}", severity="warning", timeout=10)
            return
        self.settings = settings
        configured(self.store, settings)
        self.notify(
            f"{who} shared the desk's rules and watchlists: they apply here now "
            f"(rules: {len(settings.rules)}, watchlists: {len(settings.watchlists)})",
            timeout=6,
        )

    def reading(self, story_id: int | None) -> None:
        """Colleagues' lists mark the story open in this app's reader (None: the reader closed); in line."""
        self._reading = story_id
        self._in_line(functools.partial(self.store.reading, story_id))

    def _heartbeat(self) -> None:
        """Keep our reader row fresh while a story is open (a killed TUI's row expires instead)."""
        if self._reading is not None:
            self._in_line(self.store.heartbeat)

    @contextmanager
    def _own_write(self, story_id: int, loaded: int | None) -> Iterator[int | None]:
        """In line: the version a write of ``story_id`` names when its screen loaded ``loaded``, moved on by our own
        writes since (saving twice is no conflict); a write that went through (NoteBehind: in the store) moves it."""
        own = self._own.get(story_id)
        used = own[1] if own is not None and loaded is not None and own[0] == loaded else loaded
        saved = False
        try:
            yield used
            saved = True
        except NoteBehind:
            saved = True
            raise
        finally:
            if saved and loaded is not None and used is not None:
                self._own[story_id] = (loaded, used + 1)

    def _conflict(self, exc: ConflictError) -> None:
        """A save a colleague's change refused: say who and when, and offer the story as it is now."""
        from tui_reader.ui.screens.confirm import ConfirmScreen
        from tui_reader.ui.screens.reader import ReaderScreen

        def answered(reload: bool | None) -> None:
            screen = self.screen
            if reload and isinstance(screen, ReaderScreen) and screen.story_id == exc.story_id:
                screen.show_story(exc.story_id)
            self.post_story_changed(exc.story_id)

        question = f"{clean_line(str(exc), max_len=160)}. Reload the story as it is now (y), or keep your edits (n)?"
        self.push_screen(ConfirmScreen(question[0].upper() + question[1:]), answered)

    def post_story_changed(self, story_id: int) -> None:
        """From any thread: the list repaints the story's row and the counts."""
        self.main_screen.post_message(StoryChanged(story_id))

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
            except ConflictError as exc:  # nothing saved: a colleague's change came first
                self.call_from_thread(self._conflict, exc)
            except NoteBehind as exc:  # saved: the list shows it, the journal brings the note up to date
                self.call_from_thread(self.notify, clean_line(str(exc), max_len=240), severity="warning", timeout=10)
                self.call_from_thread(self.main_screen.show_store_changes)
            except Exception as exc:  # a full disk or a store locked too long must not lose the UI
                self.call_from_thread(self.notify, f"Not saved: {describe(exc)}", severity="error", timeout=8)

    def save_triage(self, inp: TriageInput) -> None:
        """The same code path as ``tui-reader triage``: one store transaction, then the note."""
        self._in_line(functools.partial(self._save, inp))

    def _save(self, inp: TriageInput) -> None:
        from tui_reader.triage import apply_triage

        with self._own_write(inp.story_id, inp.version) as used:
            item = apply_triage(
                self.store,
                self.paths.briefing_dir,
                replace(inp, version=used),
                structured=self.settings.brief.structured,
            )
        grade = item.grade.code if item.grade else "unrated"
        tags = ", ".join(item.tags) or "no tags"
        self.call_from_thread(
            self.notify, f"Saved {grade} · {tags} → {item.triaged_at.astimezone():%Y-%m-%d}.md", timeout=3
        )
        self.post_story_changed(inp.story_id)

    def save_note(
        self,
        story_id: int,
        *,
        text: str | None = None,
        line: str | None = None,
        quote: Quote | None = None,
        version: int | None = None,
    ) -> None:
        """A story's new note ``text``, one more ``line`` of it, or one more ``quote``: in line like every write;
        a triaged story's briefing item follows. ``version`` is the story's as the reader loaded it."""
        self._in_line(functools.partial(self._save_note, story_id, text, line, quote, version))

    def _save_note(
        self, story_id: int, text: str | None, line: str | None, quote: Quote | None, version: int | None
    ) -> None:
        from tui_reader import notes

        where, structured = (self.store, self.paths.briefing_dir, story_id), self.settings.brief.structured
        with self._own_write(story_id, version) as used:
            if quote is not None:
                notes.add_quote(*where, quote, structured=structured, version=used)
                said = f"Quoted from paragraph {quote.paragraph + 1} into the note."
            elif line is not None:
                notes.add_note_line(*where, line, structured=structured, version=used)
                said = "Added to the note."
            else:
                notes.set_note(*where, text or "", structured=structured, version=used)
                said = "Note saved."
        self.call_from_thread(self.notify, said, timeout=2)
        self.post_story_changed(story_id)

    def change_source_letter(
        self, name: str, letter: str, reason: str, regrade: bool, *, then: Callable[[], object]
    ) -> None:
        """A new letter for a source in the register, in line like every write; ``then`` runs after it."""
        self._in_line(functools.partial(self._change_source_letter, name, letter, reason, regrade, then))

    def _change_source_letter(
        self, name: str, letter: str, reason: str, regrade: bool, then: Callable[[], object]
    ) -> None:
        regraded = self.store.set_source_letter(name, letter, reason=reason, regrade=regrade)
        kept = f"{regraded} untriaged stories re-graded" if regrade else "its untriaged stories keep their letter"
        self.call_from_thread(self.notify, f"{clean_line(name, max_len=40)} is now {letter}: {kept}.", timeout=4)
        self.call_from_thread(then)

    def opened(self, story_id: int) -> None:
        """The reader shows ``story_id``: an unread story is read now and colleagues see it open, in one write
        in line (a thread and a commit for both), never in the way of the article."""
        self._reading = story_id
        self._in_line(functools.partial(self._opened, story_id))

    def _opened(self, story_id: int) -> None:
        with self.store.tx():
            self.store.mark_read(story_id)
            self.store.reading(story_id)
        self.post_story_changed(story_id)

    def dismiss_story(self, story_id: int, version: int | None = None) -> None:
        """Dismiss a story; ``version`` is its version as the screen read it (a colleague's newer change refuses)."""
        self._in_line(functools.partial(self._dismiss, story_id, version))
        self.notify("Dismissed — u undoes.", timeout=2)

    def _dismiss(self, story_id: int, version: int | None) -> None:
        """In line: the state to undo to is the one the writes before this one left."""
        from tui_reader.triage import apply_triage

        story = self.store.story(story_id)
        if story is None:
            return
        undo = [(story_id, story.state)]
        try:
            with self._own_write(story_id, version) as used:
                if story.state is State.TRIAGED:  # the note loses it too
                    apply_triage(
                        self.store,
                        self.paths.briefing_dir,
                        TriageInput(story_id, story.tags, story.grade, story.summary, dismiss=True, version=used),
                        structured=self.settings.brief.structured,
                    )
                else:
                    self.store.set_state(story_id, State.DISMISSED, used)
        except NoteBehind:  # dismissed in the store: undoable
            self._undo.append(undo)
            raise
        self._undo.append(undo)
        self.post_story_changed(story_id)

    def undo(self) -> None:
        """The list's u: the last undoable change, whichever stories it touched."""
        self._in_line(self._undo_last)

    def _undo_last(self) -> None:
        if not self._undo:
            self.call_from_thread(self.notify, "Nothing to undo.", timeout=2)
            return
        self._undo_entry(len(self._undo) - 1)

    def undo_story(self, story_id: int, left: int | None = None) -> None:
        """The reader's u: the newest change to this story. That is the analyst's own last change that touched
        it, or touched ``left`` (the story x dismissed to get here: u brings it back), if one is still to
        undo; else what the rules did to it (the tags they added, a dismissal, their flags)."""
        self._in_line(functools.partial(self._undo_story, story_id, left))

    def _undo_story(self, story_id: int, left: int | None) -> None:
        touched = {story_id} if left is None else {story_id, left}
        at = next((n for n in range(len(self._undo) - 1, -1, -1) if _touches(self._undo[n], touched)), None)
        if at is not None:
            self._undo_entry(at)
        elif rules := self.store.rule_marks(story_id).rules:
            for rule in rules:
                self.store.undo_rule(story_id, rule)
            self.call_from_thread(self.notify, f"Undid what {', '.join(rules)} did to this story.", timeout=3)
            self.post_story_changed(story_id)
        else:
            self.call_from_thread(self.notify, "Nothing to undo on this story.", timeout=2)
            return
        self.call_from_thread(self._undone, story_id)

    def _undone(self, story_id: int) -> None:
        """The reader on ``story_id`` shows it again as it now is."""
        from tui_reader.ui.screens.reader import ReaderScreen

        if isinstance(self.screen, ReaderScreen):
            self.screen.undone(story_id)

    def _undo_entry(self, at: int) -> None:
        """Undo entry ``at`` of the undo list (in line); if nothing changed, it stays there to try again."""
        from tui_reader.triage import apply_triage

        changes = self._undo.pop(at)
        try:
            if isinstance(changes, Rated):
                self._undo_rated(changes)
                return
            if isinstance(changes, Tagged):  # its rule, undone on every story it changed
                with self.store.tx():
                    ids = [i for i in self.store.rule_story_ids(changes.rule) if self.store.undo_rule(i, changes.rule)]
                self.call_from_thread(self.notify, f"Untagged {len(ids)} stories.", timeout=2)
                self.call_from_thread(self.main_screen.show_store_changes)
                return
            story = self.store.story(changes[0][0])
            if len(changes) == 1 and changes[0][1] is State.TRIAGED and story is not None:
                apply_triage(
                    self.store,
                    self.paths.briefing_dir,
                    TriageInput(story.id, story.tags, story.grade, story.summary),
                    structured=self.settings.brief.structured,
                )
            else:  # a bulk dismissal restores never-triaged stories: states alone
                self.store.set_states(changes)
        except NoteBehind:  # restored in the store: done
            raise
        except Exception:
            self._undo.insert(at, changes)  # nothing changed: u can try again
            raise
        message = f"Restored {len(changes)} stories." if len(changes) > 1 else f"Restored to {changes[0][1].value}."
        self.call_from_thread(self.notify, message, timeout=2)
        self.call_from_thread(self._show_changes, changes)

    def _undo_rated(self, rated: Rated) -> None:
        from tui_reader.triage import undo_ratings

        put_back = undo_ratings(
            self.store, self.paths.briefing_dir, rated.batch, structured=self.settings.brief.structured
        )
        self.call_from_thread(self.notify, f"Put back the ratings of {put_back or 0} stories.", timeout=2)
        self.call_from_thread(self.main_screen.show_store_changes)

    def tag_many(self, story_ids: list[int], tags: tuple[str, ...]) -> None:
        """Tag the untriaged ones of ``story_ids``, in line: one transaction, and u undoes it all."""
        self._in_line(functools.partial(self._tag_all, story_ids, tags))

    def _tag_all(self, story_ids: list[int], tags: tuple[str, ...]) -> None:
        from tui_reader.triage import bulk_triage

        name, run = bulk_triage(self.store, story_ids, tags=tags)
        changed = run.stories.get(name, set())
        if changed:
            self._undo.append(Tagged(name, frozenset(changed)))
        self.call_from_thread(self.notify, f"Tagged {len(changed)} stories — u undoes.", timeout=3)
        self.call_from_thread(self.main_screen.show_store_changes)

    def rate_many(self, story_ids: list[int], grade: Grade) -> None:
        """Rate every story of ``story_ids`` ``grade``, in line: one transaction, one note write; u undoes it all."""
        self._in_line(functools.partial(self._rate_all, story_ids, grade))

    def _rate_all(self, story_ids: list[int], grade: Grade) -> None:
        from tui_reader.triage import rate_many

        _, rated = rate_many(
            self.store,
            self.paths.briefing_dir,
            story_ids,
            grade,
            structured=self.settings.brief.structured,
            saved=lambda batch: self._undo.append(Rated(batch, frozenset(story_ids))),  # before the note, maybe behind
        )
        self.call_from_thread(
            self.notify, f"Rated {rated} stories {grade.code} into today's note — u undoes.", timeout=3
        )
        self.call_from_thread(self.main_screen.show_store_changes)

    def dismiss_many(self, changes: list[tuple[int, State]]) -> None:
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
            self.main_screen.show_store_changes()

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
        self.main_screen.start_progress(total)
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

        from tui_reader.watch import alerts_for

        try:
            report = asyncio.run(refresh_feeds(self.store, self.settings.fetch, progress=progress))
            alerts = tuple(alerts_for(self.store, report.alerts))
        except Exception as exc:  # never leave the progress bar stuck
            self.post_message(RefreshFinished(new, total, total, error=describe(exc)))
            return
        self.post_message(RefreshFinished(report.total_new, report.failed, len(report.outcomes), alerts=alerts))

    def _alert(self, alerts: tuple[Alert, ...]) -> None:
        """A toast (and the bell) for the new stories a watchlist or an alerting rule matched, and the
        ``notify_command`` for each, in a worker of its own: the refresh is stored already."""
        lines = [f"{clean_line(a.title, max_len=60)} [{clean_line(', '.join(a.reasons), max_len=40)}]" for a in alerts]
        more = f"\n…and {len(lines) - 3} more" if len(lines) > 3 else ""
        self.notify("\n".join(lines[:3]) + more, title=f"Alert: {len(alerts)} new", severity="warning", timeout=10)
        if self.settings.alerts.bell:
            self.bell()
        if self.settings.alerts.notify_command:
            self._notify_worker(alerts)

    @work(thread=True, group="notify", exit_on_error=False)
    def _notify_worker(self, alerts: tuple[Alert, ...]) -> None:
        from tui_reader.watch import notify

        alerts_settings = self.settings.alerts
        for problem in notify(alerts_settings.notify_command, alerts, alerts_settings.notify_timeout):
            self.call_from_thread(self.notify, problem, severity="error", timeout=8)

    @work(thread=True, exclusive=True, group="cluster", exit_on_error=False)
    def cluster_backlog(self) -> None:
        """Cluster the stories stored without it (a headless ``fetch``, a refresh, an older store) or
        changed since, in a process of its own (:mod:`tui_reader.backlog`), if there are any."""
        reachable = self.store.engine.url or isinstance(self.store.path, Path)  # not ":memory:"
        if self._backlog is not None or not reachable or not self.store.has_cluster_backlog():
            return
        errors = tempfile.TemporaryFile()  # what it says if it fails: a file, so a flood can never block it
        argv, env = backlog_process(self.store, self.settings.cluster)
        proc = subprocess.Popen(
            argv,
            env=env,
            stdin=subprocess.PIPE,  # the key pipe (see _tell_backlog_keys)
            stdout=subprocess.DEVNULL,
            stderr=errors,
            bufsize=0,
        )
        if proc.stdin is not None:
            os.set_blocking(proc.stdin.fileno(), False)  # a busy child can never hold up a key
        self.call_from_thread(self._watch_backlog, proc, errors)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self._tell_backlog_keys()
        await super().on_event(event)

    def _tell_backlog_keys(self) -> None:
        """A byte on the clustering process's standard input, at most every quarter second: it waits between
        its batches until the keys have stopped (:data:`tui_reader.backlog.KEYS_QUIET`)."""
        now = time.monotonic()
        if self._backlog is None or self._backlog.stdin is None or now - self._keys_told < 0.25:
            return
        self._keys_told = now
        with suppress(OSError):  # it has ended (a broken pipe), or its pipe is full: it is waiting already
            self._backlog.stdin.write(b"k")

    def _watch_backlog(self, proc: subprocess.Popen, errors: IO[bytes]) -> None:
        self._backlog = proc
        timer: Timer = self.set_interval(0.5, lambda: self._backlog_poll(timer, errors))

    def _backlog_poll(self, timer: Timer, errors: IO[bytes]) -> None:
        if self._backlog is None or self._backlog.poll() is None:
            return
        timer.stop()
        if self._backlog.stdin is not None:
            self._backlog.stdin.close()
        failed, self._backlog = self._backlog.returncode > 0, None
        if failed:  # a kill at quit is a negative status: no failure
            errors.seek(0)
            said = errors.read()[-2000:].decode("utf-8", "replace").strip().splitlines() or ["no reason given"]
            self.notify(f"{JOBS['cluster']} failed: {clean_line(said[-1], max_len=200)}", severity="error", timeout=8)
        errors.close()
        self.main_screen.show_store_changes()  # the ×N column and grouped view now know the new clusters

    def on_unmount(self) -> None:
        if self._backlog is not None:  # its current batch rolls back; the next start resumes there
            self._backlog.terminate()
        with suppress(UserError):  # colleagues stop seeing us in the reader (a killed TUI's row expires)
            self.store.reading(None)

    @on(RefreshProgress)
    def _refresh_progress(self, event: RefreshProgress) -> None:
        self.main_screen.show_progress(event)

    @on(RefreshFinished)
    def _refresh_finished(self, event: RefreshFinished) -> None:
        self._refreshing = False
        self.main_screen.end_progress()
        if event.error:  # what was stored before it failed stays; the next r starts afresh
            self.notify(f"Refresh failed: {event.error}", severity="error", timeout=8)
            self.main_screen.show_store_changes()
            return
        failed = f", {event.failed} failed (see the feeds panel)" if event.failed else ""
        if event.total_new or event.failed or not self._quiet_refresh:
            self.notify(
                f"Refreshed {event.feeds} feeds: {event.total_new} new{failed}.",
                severity="warning" if event.failed else "information",
                timeout=4,
            )
        self.main_screen.show_store_changes()
        if event.alerts:
            self._alert(event.alerts)
        self.cluster_backlog()

    # -- help ------------------------------------------------------------------------------------

    def action_help(self) -> None:
        from tui_reader.ui.screens.briefing import BriefingScreen
        from tui_reader.ui.screens.help import HelpScreen
        from tui_reader.ui.screens.reader import ReaderScreen
        from tui_reader.ui.screens.sources import SourcesScreen
        from tui_reader.ui.widgets.passage import PassageView

        sections = [
            ("Story list", [QUIT_ALWAYS, *MainScreen.BINDINGS, *StoryList.BINDINGS]),
            ("Feeds panel (f)", FeedsPanel.BINDINGS),
            ("Reader", ReaderScreen.BINDINGS),
            ("Selecting a passage to quote (v in the reader)", PassageView.BINDINGS),
            ("Briefing note (b)", BriefingScreen.BINDINGS),
            ("Sources (s)", SourcesScreen.BINDINGS),
        ]
        self.push_screen(HelpScreen(sections, dict(self.settings.keys)))
