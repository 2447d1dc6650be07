"""The reader: one story as clean text with its captions, and the triage panel beside it."""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
import threading

from msgspec import Struct
from msgspec.structs import replace
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Markdown, Static, TextArea
from textual.worker import get_current_worker

from tui_reader.models import Article, Quote, State, Story, TriageInput
from tui_reader.notes import article_paragraphs
from tui_reader.sanitize import clean_line, clean_text
from tui_reader.store import Change
from tui_reader.ui.editor import edit_file
from tui_reader.ui.screens.reading import ReadingScreen, reading_bindings
from tui_reader.ui.widgets.key_bar import KeyBar
from tui_reader.ui.widgets.passage import PassageView
from tui_reader.ui.widgets.triage_panel import TagInput, TriagePanel
from tui_reader.watch import WatchMatcher

WORDS_PER_MINUTE = 230
LOADING = Text("Loading the article…", style="italic")
PAINT_WAIT = 0.25
"""At most this many seconds the article's load waits for the title to be painted (a reader left at once
paints no frame)."""


class Loaded(Struct):
    """Everything the reader shows for one story, read off the UI thread."""

    story: Story
    article: Article
    draft: str
    default_letter: str
    tag_choices: list[str]
    suggestion: tuple[str, str] | None
    cluster_lines: list[str]
    cluster_ids: list[int]
    paragraphs: list[str]
    """The text a quote is taken from (:func:`tui_reader.notes.article_paragraphs`)."""
    note: str
    quotes: int
    rules: tuple[str, ...] = ()
    """The rules whose actions on the story are in force (u undoes them, once nothing of the analyst's is left)."""
    desk: str = ""
    """Who last triaged or dismissed it, and when (:func:`desk_line`)."""


def desk_line(story: Story, last: Change | None) -> str:
    """``B2 by sara, 06:40`` for a triage saved with a name, else the last change's ``dismissed by tom, 06:40``;
    "" when no name was kept (an older store) or nobody changed it."""
    if story.state is State.TRIAGED and story.triaged_by and story.triaged_at:
        grade = story.grade.code if story.grade else "unrated"
        return f"{grade} by {story.triaged_by}, {story.triaged_at.astimezone():%H:%M}"
    return last.short() if last and last.analyst else ""


def header_text(
    story: Story,
    article: Article | None,
    rules: tuple[str, ...] = (),
    watched: list[str] | tuple[str, ...] = (),
    desk: str = "",
) -> Text:
    """Title, source, byline, time, size and URL, who triaged it, the rules that acted on it and the watchlists
    it holds a term of — built from plain strings, never markup."""
    text = Text(clean_line(story.title) or "(untitled)", style="bold")
    meta = [clean_line(story.source)]
    byline = clean_line(article.byline if article and article.byline else story.author)
    if byline:
        meta.append(byline)
    published = story.published or (article.published if article else None)
    if published:
        meta.append(published.astimezone().strftime("%a %d %b %Y %H:%M"))
    if article and article.word_count:
        meta.append(f"{article.word_count} words · {max(1, round(article.word_count / WORDS_PER_MINUTE))} min read")
    if story.cluster_size > 1:
        meta.append(f"×{story.cluster_size} outlets")
    text.append("\n" + " · ".join(m for m in meta if m), style="italic")
    text.append("\n" + clean_line(story.url, max_len=200), style="dim")
    if article and article.notice:
        text.append("\n⚠ " + clean_line(article.notice), style="bold")
    marks = [desk] if desk else []
    marks += [f"rules: {', '.join(rules)} (u undoes)"] if rules else []
    marks += [f"◆ watchlists: {', '.join(watched)}"] if watched else []
    if marks:
        text.append("\n" + clean_line(" · ".join(marks), max_len=200), style="bold")
    return text


_PROTECTED = re.compile(r"`[^`]*`|\]\([^)]*\)|<[^>]*>|https?://\S+")
"""Markdown where a highlight must not go: code, link targets, autolinks, bare URLs."""


def highlight_terms(markdown: str, matcher: WatchMatcher) -> str:
    """``markdown`` with the watchlists' terms marked as strikethrough (``~~``), which the reader's CSS shows
    in the colour of the list's watch terms, bold and underlined (what survives 16 colours and NO_COLOR), since
    Textual's Markdown has no highlight style to target and reader markdown has no strikethrough of its own
    (:mod:`tui_reader.htmlmd` escapes ``~``). Whole words, so the mark always closes, and never inside code
    or a link's target."""
    protected = [m.span() for m in _PROTECTED.finditer(markdown)]
    out, at = [], 0
    for start, end, _ in matcher.spans(markdown):
        if any(a < end and start < b for a, b in protected):
            continue
        out += [markdown[at:start], "~~", markdown[start:end], "~~"]
        at = end
    return "".join(out) + markdown[at:]


class ReaderScreen(ReadingScreen):
    """Reads and triages one story; n/p walk the list without going back to it."""

    CSS_PATH = "reader.tcss"

    READING = "#article"

    BINDINGS = [
        Binding("escape,q", "back", "Back", id="reader.back"),
        Binding("n", "step(1)", "Next", id="reader.next"),
        Binding("p", "step(-1)", "Prev", show=False, id="reader.prev"),
        Binding("N", "next_untriaged", "Next untriaged", show=False, id="reader.next_untriaged"),
        Binding("t", "focus_tags", "Tags", id="reader.tags"),
        Binding("s", "focus_summary", "Summary", id="reader.summary"),
        Binding("w", "save", "Save", id="reader.save"),
        Binding("ctrl+s", "save", "Save", show=False, priority=True, id="reader.save_anywhere"),
        Binding("E", "edit_summary", "$EDITOR", show=False, id="reader.editor"),
        Binding("x", "dismiss_story", "Dismiss", id="reader.dismiss"),
        Binding("u", "undo", "Undo your change here, else the rules'", show=False, id="reader.undo"),
        Binding("o", "open_original", "Open in browser", show=False, id="reader.open"),
        Binding("y", "copy_link", "Copy link (a mouse selection: quote it)", show=False, id="reader.copy"),
        Binding("c", "next_outlet", "Other outlet", show=False, id="reader.outlet"),
        Binding("v", "select", "Select to quote", id="reader.select"),
        Binding("i", "note_inline", "Note", show=False, id="reader.note"),
        Binding("I", "note_editor", "Note in $EDITOR", show=False, id="reader.note_editor"),
        Binding("R", "grade_reason", "Why this grade", show=False, id="reader.reason"),
        *reading_bindings("reader"),
        *[Binding(d, f"credibility('{d}')", f"Credibility {d}", show=False, id=f"reader.cred{d}") for d in "123456"],
        *[Binding(c, f"reliability('{c}')", f"Reliability {c}", show=False, id=f"reader.rel{c}") for c in "ABCDEF"],
    ]

    def __init__(self, story_id: int) -> None:
        super().__init__()
        self.story_id = story_id
        """The story shown; :meth:`open` shows another in this same screen."""
        self.loaded: Loaded | None = None
        self._watched: list[str] = []
        """The watchlists the story open matches, for a header redrawn without re-reading its text."""
        self.version: int | None = None
        """The story's version as loaded, which every write names (the app counts this screen's own writes on it)."""
        self._scroll_memory: dict[int, float] = {}
        self._outlet_index = -1
        self._left: int | None = None
        """The story x dismissed to get to this one (u brings it back)."""
        self._opening = threading.Event()
        """Set once the story being opened is painted; a load started for an earlier open (of the same story,
        say: a thread runs on after its worker is cancelled) names its own, and is not shown."""
        self._line_is_reason = False
        """What the one-line input at the bottom takes: a line of the note, or the reason for the grade."""
        self._restyle = False
        """Whether the next push re-applies every widget's styles: after a change of theme (not the first, which
        mounts them: they get their styles as they do)."""

    def compose(self) -> ComposeResult:
        yield Static(id="reader-header")
        yield Static(LOADING, id="article-loading")
        with Horizontal(id="reader-body"):
            with VerticalScroll(id="article", can_focus=True):
                yield Markdown(id="article-text", open_links=False)
            yield PassageView(id="passage")
            yield TriagePanel(id="triage")
        yield Input(id="note-input")
        yield KeyBar()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self.show_story(self.story_id)

    def _theme_changed(self, _theme: object) -> None:
        self._restyle = True

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """The kept reader's styles are as it was left unless the theme changed meanwhile (a class change
        restyles its own widget at once): Textual re-applies every widget's styles on each push otherwise,
        a quarter of the work of opening a story."""
        event.refresh_styles = self._restyle
        self._restyle = False

    def open(self, story_id: int) -> None:
        """Show ``story_id`` as a new reader would, once this screen is pushed again: the list keeps one reader,
        since composing, styling and mounting its widgets anew was most of the wait for the first frame."""
        if not self.is_mounted:  # on_mount shows it
            self.story_id = story_id
            return
        self.loaded = None  # the story left has no scroll to remember
        self._scroll_memory.clear()
        self._line_is_reason = False
        self.query_one("#note-input").remove_class("visible")
        self.query_one("#article", VerticalScroll).scroll_home(animate=False)
        self.show_story(story_id)

    # -- loading ----------------------------------------------------------------------------

    def show_story(self, story_id: int) -> None:
        if self.loaded:
            self._scroll_memory[self.loaded.story.id] = self.query_one("#article", VerticalScroll).scroll_y
        self.story_id = story_id
        self.loaded = None
        self._outlet_index = -1
        self._left = None
        self._leave_selection()
        story = self.reader_app.store.story(story_id)
        if story is None:
            self.app.pop_screen()
            return
        self.version = story.version
        self.query_one("#reader-header", Static).update(header_text(story, None))
        self._show_loading(True)
        self._opening = painted = threading.Event()
        self.call_after_refresh(self._painted, story_id, painted)
        self.load(story_id, painted)

    def _show_loading(self, loading: bool) -> None:
        """While a story loads, a line under its header says so, and the article and the triage panel are hidden
        rather than emptied: the first frame draws neither the article left (its blocks are removed and the
        new ones mounted once the text is read) nor the panel's fields, a third of its work."""
        self.query_one("#article-loading").display = loading
        self.query_one("#reader-body").display = not loading

    def _painted(self, story_id: int, painted: threading.Event) -> None:
        """The story is on screen: its load may run, and its writes (read, open here) go in line."""
        painted.set()
        if painted is self._opening:
            self.reader_app.opened(story_id)

    @work(thread=True, exclusive=True, group="reader-load", exit_on_error=False)
    def load(self, story_id: int, painted: threading.Event) -> None:
        """Fetch (or read the cached) article and everything the panel needs, off the UI thread, once the title
        is on screen: the HTTP client's TLS set-up and the extraction hold the GIL, and held back that frame."""
        painted.wait(PAINT_WAIT)
        # (Textual's annotation of call_from_thread cannot be solved for a coroutine: mypy needs the ignores)
        try:
            loaded = self._read(story_id)
        except Exception as exc:  # never a reader stuck on "Loading the article…"
            self.app.call_from_thread(self._load_failed, story_id, exc, painted)  # type: ignore[arg-type]
            return
        if loaded is not None:
            self.app.call_from_thread(self._show_loaded, loaded, painted)  # type: ignore[arg-type]

    def _read(self, story_id: int) -> Loaded | None:
        """Network, extraction and store reads: the worker's part, free to raise."""
        from tui_reader.articles import fetch_article
        from tui_reader.cluster import cluster_members, suggest_credibility
        from tui_reader.summarize import draft_for_story
        from tui_reader.triage import default_letter

        store, settings = self.reader_app.store, self.reader_app.settings
        story = store.story(story_id)
        if story is None:
            return None
        article = asyncio.run(fetch_article(store, settings.fetch, story_id, cluster=settings.cluster))
        if get_current_worker().is_cancelled:  # another story was opened meanwhile
            return None
        draft = draft_for_story(story, store.article_html(story_id), article)
        members = [m for m in cluster_members(store, story_id) if m.id != story_id]
        lines = ["Also carried by (c to open):"] if members else []
        lines += [f"  {m.source}{m.mark} {m.grade or ''} — {m.title}" for m in members]
        return Loaded(
            story=story,
            article=article,
            draft=draft,
            default_letter=default_letter(store, story) or "",
            tag_choices=[t for t, _ in store.tag_counts()],
            suggestion=suggest_credibility(store, story_id),
            cluster_lines=[clean_line(x, max_len=90) for x in lines],
            cluster_ids=[m.id for m in members],
            paragraphs=article_paragraphs(story, article),
            note=store.note_text(story_id),
            quotes=len(store.quotes(story_id)),
            rules=store.rule_marks(story_id).rules,
            desk=desk_line(story, store.last_change(story_id)),
        )

    async def _load_failed(self, story_id: int, exc: Exception, opening: threading.Event) -> None:
        """Say what failed, once, in the header; the story can still be triaged from its title, and n, p and
        escape work."""
        from tui_reader.ui.app import describe

        story = self.reader_app.store.story(story_id)
        if opening is not self._opening or story is None:  # gone meanwhile: the next n, p or escape leaves it
            return
        failed = Article(
            markdown="*Could not load the article.* n and p walk on, escape goes back, and the triage "
            "panel still saves.",
            notice=f"could not load the article: {describe(exc)}",
        )
        await self._show_loaded(
            Loaded(
                story=story,
                article=failed,
                draft="",
                default_letter="",
                tag_choices=[],
                suggestion=None,
                cluster_lines=[],
                cluster_ids=[],
                paragraphs=article_paragraphs(story, None),
                note=self.reader_app.store.note_text(story_id),
                quotes=len(self.reader_app.store.quotes(story_id)),
            ),
            opening,
        )

    async def _show_loaded(self, loaded: Loaded, opening: threading.Event) -> None:
        """The story's text, header and triage panel, shown at once when its text is mounted."""
        story, article = loaded.story, loaded.article
        if opening is not self._opening:
            return
        body = clean_text(article.markdown) or "*No text could be extracted from this page.*"
        matcher = WatchMatcher(self.reader_app.settings.watchlists)
        watched = matcher.names(f"{story.title}\n{body}") if matcher else []
        if self.focused is None:  # hidden while loading, the article lost the focus: regained before the text
            self.query_one("#article").focus()  # is mounted, since a focus change restyles all its blocks
        await self.query_one("#article-text", Markdown).update(highlight_terms(body, matcher) if watched else body)
        if opening is not self._opening:  # another story was opened meanwhile
            return
        self.loaded, self.version, self._watched = loaded, story.version, watched
        self._show_header(loaded)
        self._show_loading(False)
        scroll = self.query_one("#article", VerticalScroll)
        scroll.call_after_refresh(scroll.scroll_to, y=self._scroll_memory.get(story.id, 0), animate=False)
        panel = self.query_one(TriagePanel)
        panel.load(
            tags=story.tags,
            grade=story.grade,
            summary=story.summary or loaded.draft,
            default_letter=loaded.default_letter,
            tag_choices=loaded.tag_choices,
            suggestion=loaded.suggestion,
        )
        panel.show_cluster(loaded.cluster_lines)
        panel.show_note(loaded.note, loaded.quotes)
        self.reader_app.post_story_changed(story.id)

    def show_colleagues_change(self) -> None:
        """A colleague triaged, dismissed or noted this story: the header says so now ("dismissed by tom,
        06:42"); the triage panel keeps what was typed in it (saving asks first)."""
        store, loaded = self.reader_app.store, self.loaded
        story = store.story(self.story_id) if loaded is not None else None
        if loaded is None or story is None:
            return
        self.loaded = replace(loaded, story=story, desk=desk_line(story, store.last_change(story.id)))
        self._show_header(self.loaded)

    def _show_header(self, loaded: Loaded) -> None:
        """The header of ``loaded``: title, byline, who last changed it, the rules' marks, the watchlists."""
        header = header_text(loaded.story, loaded.article, loaded.rules, self._watched, loaded.desk)
        self.query_one("#reader-header", Static).update(header)

    def on_screen_suspend(self) -> None:
        """Colleagues stop seeing this story as read once the reader is left (the list keeps this screen
        installed, so leaving it is no unmount); a dialog over it is no leaving."""
        if self not in self.app.screen_stack:
            self.app.call_after_refresh(self.reader_app.reading, None)  # after the list's frame: a thread, a commit
            # The next open's first frame draws its layout as it was left: hidden now, the body is not drawn
            # there (hidden at the open, its new layout would come a frame later). Its text goes once the list
            # is painted: losing the focus and regaining it restyle every block of the text (~20 ms).
            self._show_loading(True)
            self.app.call_after_refresh(self.query_one("#article-text", Markdown).update, "")

    # -- reading ---------------------------------------------------------------------------

    def action_back(self) -> None:
        if self.selecting:
            self._leave_selection()
            return
        focused = self.focused
        if isinstance(focused, (Input, TextArea)):
            self.query_one("#note-input").remove_class("visible")
            self.query_one("#article").focus()
            return
        self.app.pop_screen()

    # -- quoting and notes -----------------------------------------------------------------

    @property
    def selecting(self) -> bool:
        return self.has_class("-selecting")

    def action_select(self) -> None:
        """Show the text as lines with the cursor on the top one where the reading was, the selection starting there."""
        if self.selecting:  # keys typed before the selection view has the focus are its keys
            self.query_one(PassageView).action_origin()
            return
        if not self.loaded or not self.loaded.paragraphs:
            self.notify("No text to quote yet.", timeout=2)
            return
        article = self.query_one("#article", VerticalScroll)
        at = article.scroll_y / max(1, article.virtual_size.height)  # captions and headings make it approximate
        passage = self.query_one(PassageView)
        passage.start(self.loaded.paragraphs, at, article.scrollable_content_region.width)
        self.add_class("-selecting")
        passage.focus()

    def action_scroll(self, step: int) -> None:
        if self.selecting:
            self.query_one(PassageView).action_move(step)
        else:
            super().action_scroll(step)

    def action_page(self, step: int) -> None:
        if self.selecting:
            self.query_one(PassageView).action_page(step)
        else:
            super().action_page(step)

    def _leave_selection(self) -> None:
        if self.selecting:
            self.remove_class("-selecting")
            self.query_one("#article").focus()

    @on(PassageView.Left)
    def _selection_left(self) -> None:
        self._leave_selection()

    @on(PassageView.Quoted)
    def _quoted(self, event: PassageView.Quoted) -> None:
        self._leave_selection()
        self._save_quote(event.quote)

    def _save_quote(self, quote: Quote) -> None:
        self.reader_app.save_note(self.story_id, quote=quote, version=self.version)
        if self.loaded:
            self.loaded.quotes += 1
            self.query_one(TriagePanel).show_note(self.loaded.note, self.loaded.quotes)

    def action_note_inline(self) -> None:
        self._ask_line(False, "", "a line for the note on this story (enter adds it, escape cancels)")

    def action_grade_reason(self) -> None:
        """Why this grade: kept with it in the source register's history when the triage is saved."""
        panel = self.query_one(TriagePanel)
        self._ask_line(True, panel.reason, "why this grade (saved with it by w or the tags' enter)")

    def _ask_line(self, reason: bool, value: str, placeholder: str) -> None:
        self._line_is_reason = reason
        field = self.query_one("#note-input", Input)
        field.value, field.placeholder = value, placeholder
        field.add_class("visible")
        field.focus()

    @on(Input.Submitted, "#note-input")
    def _note_submitted(self, event: Input.Submitted) -> None:
        event.input.remove_class("visible")
        self.query_one("#article").focus()
        line = clean_line(event.value)
        if self._line_is_reason:
            self.query_one(TriagePanel).reason = line
            return
        if not line:
            return
        self.reader_app.save_note(self.story_id, line=line, version=self.version)
        if self.loaded:
            self.loaded.note = f"{self.loaded.note}\n{line}".strip()
            self.query_one(TriagePanel).show_note(self.loaded.note, self.loaded.quotes)

    def action_note_editor(self) -> None:
        """The whole note in $VISUAL/$EDITOR (the TUI suspended); saved when the editor exits."""
        if not self.loaded:
            self.notify("Still loading — try again in a moment.", timeout=2)
            return
        text = self._edit(self.loaded.note, "the note")
        if text is not None and text != self.loaded.note:
            self.reader_app.save_note(self.story_id, text=text, version=self.version)
            self.loaded.note = text
            self.query_one(TriagePanel).show_note(text, self.loaded.quotes)

    def action_step(self, step: int) -> None:
        nxt = self.reader_app.main_screen.neighbour_id(self.story_id, step)
        if nxt is None:
            self.notify("No more stories in this view.", timeout=2)
        else:
            self.show_story(nxt)

    def action_next_untriaged(self) -> None:
        nxt = self.reader_app.main_screen.next_untriaged_id(self.story_id)
        if nxt is None:
            self.notify("Nothing left to triage in this view.", timeout=3)
        else:
            self.show_story(nxt)

    def action_next_outlet(self) -> None:
        if not self.loaded or not self.loaded.cluster_ids:
            self.notify("No other outlet carries this story.", timeout=2)
            return
        self._outlet_index = (self._outlet_index + 1) % len(self.loaded.cluster_ids)
        self.show_story(self.loaded.cluster_ids[self._outlet_index])

    def action_open_original(self) -> None:
        self.reader_app.open_story_link(self.story_id)

    def action_copy_link(self) -> None:
        """The link; with a passage selected by mouse, that passage is quoted instead (y yanks a selection)."""
        from tui_reader.notes import quote_of_text

        if self.selecting:
            self.query_one(PassageView).action_quote()
            return
        selected = self.get_selected_text()
        if not selected or not self.loaded:
            self.reader_app.copy_story_link(self.story_id)
            return
        self.clear_selection()
        quote = quote_of_text(self.loaded.paragraphs, selected)
        if quote is None:
            self.notify("Only the article's text can be quoted (not a caption or a heading).", timeout=3)
        else:
            self._save_quote(quote)

    @on(Markdown.LinkClicked)
    def _link_clicked(self, event: Markdown.LinkClicked) -> None:
        self.reader_app.open_link(event.href)

    # -- triage ----------------------------------------------------------------------------

    def action_focus_tags(self) -> None:
        self.query_one("#tags", TagInput).focus()

    def action_focus_summary(self) -> None:
        """Focus the summary with the cursor after the draft, ready to add to it."""
        area = self.query_one("#summary", TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_reliability(self, letter: str) -> None:
        self.query_one(TriagePanel).press_letter(letter)

    def action_credibility(self, digit: str) -> None:
        if not self.query_one(TriagePanel).press_digit(digit):
            self.notify("Press A–F first: no reliability is remembered for this source yet.", timeout=3)

    @on(TagInput.Submitted, "#tags")
    def _tags_submitted(self) -> None:
        """Enter in the tags field saves: tag, rating and the draft summary in one go."""
        self.action_save()

    def action_save(self) -> None:
        from tui_reader.triage import parse_tags

        if not self.loaded:
            self.notify("Still loading — try again in a moment.", timeout=2)
            return
        panel = self.query_one(TriagePanel)
        inp = TriageInput(
            self.story_id,
            parse_tags(panel.tags_text),
            panel.grade,
            panel.summary,
            reason=panel.reason,
            version=self.version,
        )
        self.query_one("#article").focus()
        self.reader_app.save_triage(inp)

    def action_dismiss_story(self) -> None:
        left = self.story_id
        self.reader_app.dismiss_story(left, self.version)
        self.action_step(1)
        self._left = left

    def action_undo(self) -> None:
        """The newest change to this story, or to the one x just dismissed (:meth:`ReaderApp.undo_story`)."""
        self.reader_app.undo_story(self.story_id, self._left)

    def undone(self, story_id: int) -> None:
        """A change to ``story_id`` is undone: show the story again as it now is."""
        if story_id == self.story_id:
            self.show_story(story_id)

    def action_edit_summary(self) -> None:
        """Long edits in $VISUAL/$EDITOR: the TUI is suspended, then the text comes back."""
        panel = self.query_one(TriagePanel)
        text = self._edit(panel.summary, "the summary")
        if text is not None:
            panel.summary = text

    def _edit(self, text: str, what: str) -> str | None:
        """``text`` after the analyst's editor has run on it, None if it could not run or be read back."""
        with tempfile.NamedTemporaryFile("w+", suffix=".md", delete=False, encoding="utf-8") as tmp:
            tmp.write(text)
        try:
            if error := edit_file(self.app, tmp.name):
                self.notify(error, severity="error")
                return None
            with open(tmp.name, encoding="utf-8") as fh:
                return fh.read().strip()
        except (OSError, UnicodeDecodeError) as exc:
            self.notify(f"Could not read the edited {what}: {clean_line(str(exc), max_len=80)}", severity="error")
            return None
        finally:
            os.unlink(tmp.name)
