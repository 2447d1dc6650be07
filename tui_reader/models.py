"""Plain data passed between the core modules and the UI (no behaviour beyond validation)."""

from __future__ import annotations

import re
from datetime import datetime
from enum import Enum

from msgspec import Struct, field

from tui_reader.errors import GradeError, JudgementError
from tui_reader.urls import domain_of


class FetchStatus(str, Enum):
    """How a feed's latest fetch went."""

    OK = "ok"
    NOT_MODIFIED = "304"
    ERROR = "error"


class State(str, Enum):
    """Where a story is in the analyst's workflow."""

    UNREAD = "unread"
    READ = "read"
    TRIAGED = "triaged"
    DISMISSED = "dismissed"


RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
CREDIBILITY = {
    "1": "confirmed by other sources",
    "2": "probably true",
    "3": "possibly true",
    "4": "doubtful",
    "5": "improbable",
    "6": "truth cannot be judged",
}
_GRADE_RE = re.compile(r"^\s*([A-Fa-f])\s*([1-6])\s*$")


class Grade(Struct, frozen=True, order=True):
    """An Admiralty (NATO) code: source reliability A–F and information credibility 1–6."""

    reliability: str
    credibility: str

    def __post_init__(self) -> None:
        if self.reliability not in RELIABILITY or self.credibility not in CREDIBILITY:
            raise GradeError(
                f"invalid Admiralty grade {self.reliability}{self.credibility!s}: "
                "use a letter A-F then a digit 1-6, e.g. B2"
            )

    @classmethod
    def parse(cls, text: str) -> "Grade":
        m = _GRADE_RE.match(text or "")
        if not m:
            shown = (text or "").strip()[:20] or "(empty)"
            raise GradeError(f"invalid Admiralty grade {shown!r}: use a letter A-F then a digit 1-6, e.g. B2")
        return cls(m.group(1).upper(), m.group(2))

    @property
    def code(self) -> str:
        return f"{self.reliability}{self.credibility}"

    @property
    def words(self) -> str:
        return f"{RELIABILITY[self.reliability]}; {CREDIBILITY[self.credibility]}"

    def __str__(self) -> str:
        return self.code


class FeedEntry(Struct, frozen=True):
    """One item parsed from a feed, before it is stored."""

    guid: str
    url: str
    title: str
    author: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    summary: str = ""
    """Short description from the feed (HTML or text)."""
    content: str = ""
    """Full content from the feed, if the feed carries it (HTML)."""


class ParsedFeed(Struct, frozen=True):
    title: str
    link: str
    entries: list[FeedEntry]
    kind: str = ""
    """rss, atom or json."""


class Feed(Struct, frozen=True):
    id: int
    url: str
    title: str
    group: str = ""
    etag: str = ""
    last_modified: str = ""
    last_fetched: datetime | None = None
    last_ok: datetime | None = None
    last_error: str = ""
    last_status: FetchStatus | None = None
    """The outcome of the latest fetch; None before the first."""
    unread: int = 0
    total: int = 0


class Story(Struct, frozen=True):
    id: int
    url: str
    title: str
    source: str
    """Feed title or, for a single URL, the site's domain."""
    feed_id: int | None = None
    author: str = ""
    published: datetime | None = None
    fetched: datetime | None = None
    feed_summary: str = ""
    feed_content: str = ""
    state: State = State.UNREAD
    tags: tuple[str, ...] = ()
    grade: Grade | None = None
    summary: str = ""
    """The analyst's summary (from triage)."""
    triaged_at: datetime | None = None
    has_article: bool = False
    cluster_size: int = 1
    """Independent outlets carrying this story (1 = single source)."""
    version: int = 0
    """Bumped by every triage, dismissal and note: what a save names to refuse overwriting a colleague's."""
    triaged_by: str = ""
    """Who saved the triage ('' before names were kept, or untriaged)."""

    @property
    def domain(self) -> str:
        return domain_of(self.url)

    @property
    def outlet(self) -> str:
        """The source register's name for its publisher: the feed's name, else the web domain."""
        return self.source or self.domain


class Caption(Struct, frozen=True):
    text: str
    credit: str = ""
    image: str = ""

    def block(self) -> str:
        """One line as shown in reader text: ``▣ caption — credit``."""
        if self.credit and self.credit not in self.text:
            return f"▣ {self.text} — {self.credit}" if self.text else f"▣ {self.credit}"
        return f"▣ {self.text}"


class Article(Struct, frozen=True):
    """Reader-mode view of one page."""

    title: str = ""
    byline: str = ""
    published: datetime | None = None
    site_name: str = ""
    lead_image: str = ""
    markdown: str = ""
    """Reader text: headings, paragraphs, lists, quotes, links and caption blocks in place."""
    text: str = ""
    """Plain body text without caption blocks."""
    captions: list[Caption] = field(default_factory=list)
    word_count: int = 0
    confidence: float = 0.0
    """0..1: how sure extraction is that this is the article body."""
    notice: str = ""
    """One line for the reader when something is off (e.g. fell back to the feed's text)."""


class TriageInput(Struct, frozen=True):
    """What the analyst decided about a story; the same for the TUI and ``tui-reader triage``."""

    story_id: int
    tags: tuple[str, ...] = ()
    grade: Grade | None = None
    summary: str = ""
    dismiss: bool = False
    reason: str = ""
    """Why the grade was given, for the source register's history (optional)."""
    version: int | None = None
    """The story's version the analyst loaded (:attr:`Story.version`): a colleague's newer change refuses the
    save (:class:`~tui_reader.errors.ConflictError`); None (the CLI) saves whatever came before."""


class BriefItem(Struct, frozen=True):
    """One triaged story as the briefing note shows it."""

    story_id: int
    title: str
    url: str
    source: str
    published: datetime | None
    grade: Grade | None
    tags: tuple[str, ...]
    summary: str
    triaged_at: datetime
    also: tuple[tuple[str, str], ...] = ()
    """Other outlets carrying the same story: (source, url)."""
    note: str = ""
    """The analyst's note on the story, apart from the summary."""
    quotes: tuple["Quote", ...] = ()
    triaged_by: str = ""
    """Who saved the triage ('' before names were kept: the note shows no name)."""
    credits: tuple[str, ...] = ()
    """In a team brief (:mod:`tui_reader.team`): everyone who triaged the story's event, shown instead."""


class Quote(Struct, frozen=True):
    """A passage of a story's article text the analyst quoted: where it starts, and its words."""

    text: str
    paragraph: int
    """Index of the paragraph it starts in (0-based) among the article text's paragraphs."""
    offset: int
    """Character offset of its first character in that paragraph."""
    id: int = 0


class SourceEvent(Struct, frozen=True):
    """One entry of a source's history: a grade given on a story, or its letter set by hand."""

    source: str
    letter: str
    grade: str
    """The Admiralty code given on ``story_id``, or "" when the letter was set in the register."""
    story_id: int | None
    story_title: str
    reason: str
    at: datetime


class SourceInfo(Struct, frozen=True):
    """One outlet in the source register, with its counts."""

    name: str
    letter: str
    """Its reliability letter; F (cannot be judged) until the analyst rates it."""
    rated: bool
    stories: int
    untriaged: int
    triaged: int
    latest: tuple[str, ...]
    """Its most recent grades given on stories, newest first (e.g. ``("B2", "C3")``)."""


PROBABILITY_WORDS = (
    "almost no chance",
    "very unlikely",
    "unlikely",
    "roughly even chance",
    "likely",
    "very likely",
    "almost certain",
)
"""ICD 203's expressions of likelihood, least likely first: a brief's readers know exactly these."""
CONFIDENCE_LEVELS = ("low", "moderate", "high")
"""ICD 203's confidence in a judgement (how good the sourcing and reasoning are, not how likely)."""


class Judgement(Struct, frozen=True):
    """A key judgement in a structured brief: how likely, with what confidence, what the analyst judges."""

    probability: str
    confidence: str
    statement: str

    def __post_init__(self) -> None:
        if self.probability not in PROBABILITY_WORDS:
            raise JudgementError(
                f"unknown probability {self.probability[:40]!r}: use one of {', '.join(PROBABILITY_WORDS)}"
            )
        if self.confidence not in CONFIDENCE_LEVELS:
            raise JudgementError(f"unknown confidence {self.confidence[:40]!r}: use low, moderate or high")
        if not self.statement.strip():
            raise JudgementError("a key judgement needs a statement")
