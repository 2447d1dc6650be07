"""The list screen: the story list, its search field and feeds panel, the view they show and the list's keys.

Its keys live on this screen, so over the reader or the briefing note they cannot change a list nobody
sees. Store reads that may be slow (a sort or search over 100k stories) run in workers; writes go
through the app's write queue.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from msgspec.structs import replace
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static
from textual.worker import Worker, get_current_worker

from tui_reader.errors import QueryError
from tui_reader.models import Feed, Grade, State
from tui_reader.query import StoryQuery, parse_filter
from tui_reader.sanitize import clean_line
from tui_reader.ui.messages import RefreshProgress, StoryChanged, UrlAdded
from tui_reader.ui.screens.base import AppScreen
from tui_reader.ui.widgets.feeds_panel import FeedsPanel
from tui_reader.ui.widgets.key_bar import KeyBar
from tui_reader.ui.widgets.story_list import StoryList
from tui_reader.watch import WatchMatcher

if TYPE_CHECKING:  # imported when the first story is opened (the reader) or refreshed: the list's start needs neither
    from textual.widgets import ProgressBar

    from tui_reader.ui.screens.reader import ReaderScreen

VIEWS: list[tuple[str, tuple[State, ...]]] = [
    ("inbox", (State.UNREAD, State.READ, State.TRIAGED)),
    ("untriaged", (State.UNREAD, State.READ)),
    ("unread", (State.UNREAD,)),
    ("triaged", (State.TRIAGED,)),
    ("dismissed", (State.DISMISSED,)),
    ("all", ()),
]
SORTS = ["date", "source", "rating"]

REFRESH = Binding("r", "app.refresh", "Refresh", id="app.refresh")
HELP = Binding("question_mark", "app.help", "Help", id="app.help")
"""Keys the app answers on every screen; the list binds the same ones in their places, so its footer and
help read in the order an analyst learns them."""


class MainScreen(AppScreen):
    """The first screen: stories by view, sort, search and feed; enter opens one in the reader."""

    BINDINGS = [
        Binding("q", "app.quit", "Quit", id="app.quit"),
        REFRESH,
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
        Binding("T", "tag_view", "Tag all", show=False, id="app.tag_view"),
        Binding("R", "rate_view", "Rate all shown", show=False, id="app.rate_view"),
        Binding("v", "cycle_view", "View", id="app.view"),
        Binding("S", "cycle_sort", "Sort", show=False, id="app.sort"),
        Binding("z", "toggle_grouped", "Group outlets", show=False, id="app.group"),
        Binding("f", "toggle_feeds", "Feeds panel", show=False, id="app.feeds"),
        Binding("s", "sources", "Sources", show=False, id="app.sources"),
        HELP,
    ]
    """Their ids keep the ``app.`` prefix they had when the app held them: users' ``[keys]`` name them so."""

    def __init__(self) -> None:
        super().__init__()
        self.view_index = 0
        self.sort_index = 0
        self.filter_text = ""
        self.grouped = False
        self.feed_id: int | None = None
        self.feed_group = ""
        self.saved = ""
        """The saved search ([saved]) the list shows, opened from the feeds panel; "" for none."""
        self._counts_behind = False
        """Stories changed while another screen hid this one: the counts are redrawn when it is back."""
        self._reader: ReaderScreen | None = None
        """The reader, made on the first enter and kept (installed) for every story opened after."""
        self._status = Static(id="status")
        self._progress: ProgressBar | None = None
        """The refresh's progress bar, made and mounted with the status line by the first refresh: a ProgressBar
        is three widgets and their styles, a fifth of the work between the start and the list's first frame,
        and its modules 12 M instructions more."""
        self._search = Input(
            placeholder="search: words  tag:x  rating:<=B2  source:x  since:2d  state:unread  (? help)", id="search"
        )
        """The search field, mounted by the first ``/``: an Input and its styles are work the first frame
        would do for a field it does not show."""

    def compose(self) -> ComposeResult:
        yield Static(id="view-bar")
        with Horizontal(id="main"):
            yield FeedsPanel(id="feeds")
            with Vertical(id="list-pane"):
                yield StoryList(
                    self.reader_app.store,
                    self.current_query(),
                    watch=WatchMatcher(self.reader_app.settings.watchlists),
                    id="stories",
                )
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#feeds").set_class(not self.reader_app.settings.ui.show_feeds, "-hidden")
        self.stories.focus()
        self.call_after_refresh(self.update_feeds)  # the list is painted first; the counts ~30 ms later
        self._update_view_bar()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Under a dialog (help, add, confirm) the footer lists only the app's keys: the list's are off there.

        Only this screen's own actions come here; ``app.*`` ones (quit, refresh, help) ask the app.
        """
        return self.is_active

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Worker.StateChanged does not bubble: the app's one handler reports this screen's workers too."""
        self.reader_app.on_worker_state_changed(event)

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
        settings = self.reader_app.settings
        if self.saved in settings.saved:
            base = parse_filter(settings.saved[self.saved], base, watchlists=settings.watchlists)
        if not self.filter_text:
            return base
        q = parse_filter(self.filter_text, base, watchlists=settings.watchlists)
        return replace(q, text=f"{base.text} {q.text}".strip())  # a search narrows a saved search's words

    def _apply_view(self) -> None:
        self._load_view(self.current_query())

    @work(thread=True, exclusive=True, group="view", exit_on_error=False)
    def _load_view(self, query: StoryQuery) -> None:
        """Sorting or searching 100k stories can take 100+ ms: never on the UI thread."""
        ids = self.reader_app.store.story_ids(query)
        self.app.call_from_thread(self._show_view, query, ids)

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
            feed = self.reader_app.store.feed(self.feed_id)
            text.append("  feed ", "dim")
            text.append(clean_line(feed.title if feed else "?", max_len=30), "bold")
        if self.feed_group:
            text.append("  group ", "dim")
            text.append(clean_line(self.feed_group, max_len=30), "bold")
        if self.saved:
            text.append("  saved ", "dim")
            text.append(clean_line(self.saved, max_len=30), "bold")
        if self.filter_text:
            text.append("  filter ", "dim")
            text.append(clean_line(self.filter_text, max_len=60), "bold")
        self.query_one("#view-bar", Static).update(text)

    def action_search(self) -> None:
        search = self._search
        if not search.is_attached:
            self.mount(search, after=self.query_one("#view-bar"))
        search.value = self.filter_text
        search.add_class("visible")
        search.focus()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        try:
            parse_filter(event.value, watchlists=self.reader_app.settings.watchlists)
        except QueryError as exc:
            self.notify(str(exc), severity="error", timeout=5)
            return
        self.filter_text = event.value.strip()
        event.input.remove_class("visible")
        self.stories.focus()
        self._apply_view()

    def action_clear_search(self) -> None:
        search = self._search
        if search.has_class("visible"):
            search.remove_class("visible")
            self.stories.focus()
            return
        if self.filter_text or self.feed_id is not None or self.feed_group or self.saved:
            self.filter_text, self.feed_id, self.feed_group, self.saved = "", None, "", ""
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
        self.feed_id, self.feed_group, self.saved = event.feed_id, event.group, event.saved
        self._apply_view()
        self.stories.focus()

    def show_store_changes(self) -> None:
        """Stories came, went or changed state behind the list's back: re-read the list, the counts, the bar.

        The ids are read in a worker: a cron fetch commits a batch every feed, each one a re-read of every
        id in the view (10k–100k), which on the UI thread was a stall inside whatever key came next.
        """
        self._reread(self.stories.story_query)

    @work(thread=True, exclusive=True, group="reread", exit_on_error=False)
    def _reread(self, query: StoryQuery) -> None:
        ids = self.reader_app.store.story_ids(query)
        if not get_current_worker().is_cancelled:  # a newer re-read is on its way
            self.app.call_from_thread(self._show_reread, query, ids)

    def _show_reread(self, query: StoryQuery, ids: list[int]) -> None:
        if query != self.stories.story_query:  # the view changed meanwhile: its own read is newer than this
            return
        self.stories.reload(ids=ids)
        self._update_counts()

    def update_feeds(self) -> None:
        """Recount the feeds panel, in a worker: a saved search's unread count is a search (full-text over
        100k stories can take 100+ ms), and this runs after every story change."""
        self._count_feeds()

    @work(thread=True, exclusive=True, group="counts", exit_on_error=False)
    def _count_feeds(self) -> None:
        store, settings = self.reader_app.store, self.reader_app.settings
        saved = [
            (name, store.count(replace(parse_filter(query, watchlists=settings.watchlists), states=(State.UNREAD,))))
            for name, query in settings.saved.items()
        ]
        feeds = store.feeds()
        if not get_current_worker().is_cancelled:  # a newer count is on its way
            self.app.call_from_thread(self._show_feeds, feeds, saved)

    def _show_feeds(self, feeds: list[Feed], saved: list[tuple[str, int]]) -> None:
        self.query_one("#feeds", FeedsPanel).show_feeds(feeds, saved)

    def show_changed(self, story_ids: set[int]) -> None:
        """Stories changed (here, or in another process: a colleague): repaint their rows where they are, and the
        counts."""
        for story_id in story_ids:
            self.stories.refresh_story(story_id)
        self._update_counts()

    @on(StoryChanged)
    def _story_changed(self, event: StoryChanged) -> None:
        self.show_changed({event.story_id})

    def _update_counts(self) -> None:
        """The feeds panel's counts and the view bar, unless a screen hides them (opening a story marks it read).

        Rebuilt under the reader, the panel was work taken from the reader's first frame and, all of it
        repainted at once, from the list's when it came back; now it is redrawn after that frame.
        """
        if self._hidden:
            self._counts_behind = True
            return
        self.update_feeds()
        self._update_view_bar()

    @property
    def _hidden(self) -> bool:
        """A screen that is not a dialog (which shows this one around it) is above this one."""
        for screen in reversed(self.app.screen_stack):
            if screen is self:
                return False
            if not screen.is_modal:
                return True
        return True

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Textual re-applies every widget's styles when a screen is pushed, the first screen at the start too,
        where its widgets got theirs as they mounted: a tenth of the work before the list's first frame. Always
        in the stack, this screen is restyled with it when the theme changes."""
        event.refresh_styles = False
        if self._counts_behind:
            self._counts_behind = False
            self.call_after_refresh(self._update_counts)

    # -- the refresh's progress (the app runs the refresh) -----------------------------------------

    def start_progress(self, total: int) -> None:
        if self._progress is None:
            from textual.widgets import ProgressBar

            self._progress = ProgressBar(id="progress", show_eta=False)
            self.mount(Horizontal(self._status, self._progress, id="status-bar"), before=self.query_one(KeyBar))
        self._progress.update(total=total, progress=0)
        self.query_one("#status-bar").add_class("busy")

    def show_progress(self, event: RefreshProgress) -> None:
        assert self._progress is not None  # start_progress came first
        self._progress.update(progress=event.done)
        self._status.update(Text(f"Refreshing {event.done}/{event.total} · {event.new} new · {event.line}"))

    def end_progress(self) -> None:
        self.query("#status-bar").remove_class("busy")

    # -- opening and walking stories ------------------------------------------------------------

    @on(StoryList.Opened)
    def _open(self, event: StoryList.Opened) -> None:
        """The one reader, installed so leaving it keeps its widgets for the next story (see ``ReaderScreen.open``)."""
        from tui_reader.ui.screens.reader import ReaderScreen

        if self._reader is None:
            self._reader = ReaderScreen(event.story_id)
            self.app.install_screen(self._reader, "reader")
        self.app.push_screen(self._reader)
        self._reader.open(event.story_id)

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

    # -- dismiss, undo, links: the app's calls on the story under the cursor ----------------------

    def action_dismiss_current(self) -> None:
        row = self.stories.cursor_row
        if row is not None:
            self.reader_app.dismiss_story(row.id, row.version)

    def action_dismiss_view(self) -> None:
        """Inbox zero: after triaging what matters, dismiss the rest of the view in one go (triaged ones stay)."""
        self._find_dismissable(replace(self.current_query(), grouped=False))  # grouped: the hidden outlets too

    @work(thread=True, exclusive=True, group="view", exit_on_error=False)
    def _find_dismissable(self, query: StoryQuery) -> None:
        store = self.reader_app.store
        changes = store.untriaged(store.story_ids(query))
        self.app.call_from_thread(self._confirm_dismiss_view, changes)

    def action_tag_view(self) -> None:
        """Tag every untriaged story in the view, after asking for the tags and then whether to (u undoes)."""
        from tui_reader.ui.screens.confirm import AskScreen

        def asked(text: str | None) -> None:
            from tui_reader.triage import parse_tags

            if tags := parse_tags(text):
                self._find_taggable(replace(self.current_query(), grouped=False), tags)

        self.app.push_screen(AskScreen("Tags for every untriaged story in this view", "tag, tag"), asked)

    @work(thread=True, exclusive=True, group="view", exit_on_error=False)
    def _find_taggable(self, query: StoryQuery, tags: tuple[str, ...]) -> None:
        store = self.reader_app.store
        ids = [story_id for story_id, _ in store.untriaged(store.story_ids(query))]
        self.app.call_from_thread(self._confirm_tag_view, ids, tags)

    def _confirm_tag_view(self, ids: list[int], tags: tuple[str, ...]) -> None:
        from tui_reader.ui.screens.confirm import ConfirmScreen

        if not ids:
            self.notify("Nothing to tag in this view (triaged stories stay as they are).", timeout=3)
            return
        question = f"Tag the {len(ids)} untriaged stories in this view with {', '.join(tags)}? u undoes."
        self.app.push_screen(ConfirmScreen(question), lambda yes: self.reader_app.tag_many(ids, tags) if yes else None)

    def action_rate_view(self) -> None:
        """Rate every story shown (one row each, as grouped) with one grade, after asking it and then whether to:
        each goes into today's briefing note as a single triage would put it there (u undoes)."""
        from tui_reader.ui.screens.confirm import GradeScreen

        ids = list(self.stories.story_ids)
        if not ids:
            self.notify("No story shown to rate.", timeout=3)
            return

        def asked(grade: Grade | None) -> None:
            if grade is not None:
                self._count_rated(ids, grade)

        self.app.push_screen(GradeScreen(f"Rating for the {len(ids)} stories shown"), asked)

    @work(thread=True, exclusive=True, group="view", exit_on_error=False)
    def _count_rated(self, ids: list[int], grade: Grade) -> None:
        before = len(ids) - len(self.reader_app.store.untriaged(ids))
        self.app.call_from_thread(self._confirm_rate_view, ids, grade, before)

    def _confirm_rate_view(self, ids: list[int], grade: Grade, before: int) -> None:
        from tui_reader.ui.screens.confirm import ConfirmScreen

        again = f" ({before} triaged or dismissed before: re-rated)" if before else ""
        question = (
            f"Rate the {len(ids)} stories shown {grade.code} — {grade.words}{again}? "
            "Each goes into today's briefing note; u undoes."
        )
        self.app.push_screen(
            ConfirmScreen(question), lambda yes: self.reader_app.rate_many(ids, grade) if yes else None
        )

    def _confirm_dismiss_view(self, changes: list[tuple[int, State]]) -> None:
        from tui_reader.ui.screens.confirm import ConfirmScreen

        if not changes:
            self.notify("Nothing to dismiss in this view (triaged stories stay).", timeout=3)
            return
        question = f"Dismiss the {len(changes)} untriaged stories in this view? Triaged ones stay; u undoes."
        self.app.push_screen(
            ConfirmScreen(question), lambda yes: self.reader_app.dismiss_many(changes) if yes else None
        )

    def action_undo(self) -> None:
        self.reader_app.undo()

    def action_open_current(self) -> None:
        self.reader_app.open_story_link(self.stories.cursor_story_id)

    def action_copy_current(self) -> None:
        self.reader_app.copy_story_link(self.stories.cursor_story_id)

    # -- the source register and the briefing note ---------------------------------------------------

    def action_sources(self) -> None:
        from tui_reader.ui.screens.sources import SourcesScreen

        self.app.push_screen(SourcesScreen())

    def action_briefing(self) -> None:
        from datetime import date

        from tui_reader.ui.screens.briefing import BriefingScreen

        app = self.reader_app
        self.app.push_screen(
            BriefingScreen(app.paths.briefing_dir, date.today(), structured=app.settings.brief.structured)
        )

    # -- adding and removing feeds -----------------------------------------------------------------

    def action_add_url(self) -> None:
        from tui_reader.ui.screens.add_url import AddUrlScreen

        self.app.push_screen(AddUrlScreen(), self._add_url)

    def _add_url(self, url: str | None) -> None:
        if url:
            self.notify(f"Adding {clean_line(url, max_len=60)}…", timeout=2)
            self._add_url_worker(url)

    @work(thread=True, group="add", exit_on_error=False)
    def _add_url_worker(self, url: str) -> None:
        from tui_reader.subscribe import AddKind, AddResult, add_url

        app = self.reader_app
        try:
            result = asyncio.run(add_url(app.store, app.settings.fetch, url))
        except Exception as exc:  # a store failure: say so, never take the app down
            result = AddResult(AddKind.ERROR, message=f"could not add {url}: {exc}")
        self.post_message(UrlAdded(result))

    @on(UrlAdded)
    def _url_added(self, event: UrlAdded) -> None:
        from tui_reader.subscribe import AddKind  # loaded already: the worker that posted this used it
        from tui_reader.ui.screens.add_url import ChooseFeedScreen

        result = event.result
        if result.kind == AddKind.PAGE_WITH_FEEDS:
            subscribed = {f.url for f in self.reader_app.store.feeds()}
            self.app.push_screen(ChooseFeedScreen(result.url, result.candidates, subscribed), self._add_url)
            return
        self.notify(
            clean_line(result.message, max_len=160),
            severity="error" if result.kind == AddKind.ERROR else "information",
            timeout=5,
        )
        if result.kind in (AddKind.FEED, AddKind.ARTICLE):
            self.show_store_changes()
            self.reader_app.cluster_backlog()

    @on(FeedsPanel.UnsubscribeRequested)
    def _unsubscribe_requested(self, event: FeedsPanel.UnsubscribeRequested) -> None:
        from tui_reader.ui.screens.confirm import ConfirmScreen

        feed = self.reader_app.store.feed(event.feed_id)
        if feed is None:
            return
        name = clean_line(feed.title or feed.url, max_len=60)
        question = f"Unsubscribe from {name}? Its stories stay (search, briefing notes)."

        def answered(yes: bool | None) -> None:
            if yes:
                self._unsubscribe(feed.id, name)

        self.app.push_screen(ConfirmScreen(question), answered)

    @work(thread=True, group="feeds", exit_on_error=False)
    def _unsubscribe(self, feed_id: int, name: str) -> None:
        kept = self.reader_app.store.remove_feed(feed_id)
        self.app.call_from_thread(self._unsubscribed, feed_id, f"Unsubscribed from {name}; its {kept} stories stay.")

    def _unsubscribed(self, feed_id: int, message: str) -> None:
        self.notify(message, timeout=4)
        if self.feed_id == feed_id:
            self.feed_id = None
            self._apply_view()
        self.update_feeds()
        self._update_view_bar()
