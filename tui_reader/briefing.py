"""The daily briefing note: one markdown file per day that the analyst may edit by hand.

Each triaged story is one block between ``<!-- tui-reader:item ID -->`` and
``<!-- /tui-reader:item -->`` lines. Updates touch only the blocks of the ids they are
given: everything else in the file (an intro, comments, hand edits, a block deleted by
hand) is kept byte for byte. Blocks are inserted under ``## <first tag>`` (``## Untagged``
last, other groups alphabetical), in rating order (A1 first, unrated last); a block's
group is the heading it sits under and its rating the ``**B2**`` in it, so a block the
analyst moved stays where they put it.

The file is never half written: a temp file in the same directory is fsynced and moved
over the note with ``os.replace`` under a file lock, and the note is re-read under that
lock, so two processes (two ssh sessions) merge instead of overwriting each other. A start
marker without its end marker is treated as plain text, never as a block to replace.

A structured brief adds section blocks (``<!-- tui-reader:bluf -->`` … ``<!-- /tui-reader:bluf -->``,
likewise ``judgements`` and ``new``) at the top, each with its ``##`` heading inside the markers so
items are never grouped under it. The BLUF and the judgements are the analyst's words, written only
when the analyst asks (``write_section``, ``add_judgement``) through the same lock and atomic write;
"new since the last brief" is remade from the items at each save.
"""

from __future__ import annotations

import itertools
import os
import re
import tempfile
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator
from urllib.parse import quote

from filelock import FileLock, Timeout
from msgspec import Struct

from tui_reader.errors import BriefingError, JudgementError
from tui_reader.models import BriefItem, Judgement, State
from tui_reader.sanitize import clean_line, clean_text, is_openable_url, valid_date

if TYPE_CHECKING:
    from tui_reader.store import Store

__all__ = [
    "BriefingError",
    "UNTAGGED",
    "note_path",
    "note_lock",
    "note_locked",
    "day_bounds",
    "render_item",
    "note_lines",
    "parse_note",
    "block_rating",
    "apply_changes",
    "update_note",
    "rebuild_day",
    "write_atomic",
    "SECTIONS",
    "EarlierBrief",
    "earlier_brief",
    "new_since",
    "note_outline",
    "note_sections",
    "parse_judgements",
    "render_judgement",
    "sendable_markdown",
    "set_section",
    "write_section",
    "add_judgement",
]

UNTAGGED = "Untagged"
LOCK_NAME = ".tui-reader.lock"
LOCK_TIMEOUT = 30.0
LOCK_POLL = 0.002
"""Seconds between tries for a note's lock another process holds (filelock polls; its default, 50 ms, is longer
than a save holds it: two analysts saving at once waited up to 50 ms a save for a lock held for 10)."""
_MARKER = re.compile(
    r"<!-- (?<![^\n]<!-- )(?:tui-reader:(?:item (\d{1,18})|(bluf|judgements|new))|/tui-reader:(item|bluf|judgements|new))"
    r" -->\r?(?:\n|\Z)"
)
"""A whole line that is a start marker (item id: group 1, section: group 2) or an end marker (group 3). Its
line's start is checked after the literal ``<!-- `` rather than by a leading ``^``, so that ``re`` skips ahead
to each ``<!--``."""
_HEADING = re.compile(r"(#{1,2}) (.*)")
_RATING = re.compile(r"^- Rating: \*\*([A-F][1-6])\*\*", re.MULTILINE)
_UNRATED = "Z9"  # sorts after every Admiralty code
SECTIONS = {"bluf": "Bottom line up front", "judgements": "Key judgements", "new": "New since the last brief"}
"""A structured brief's sections, in the order they head the note, and their headings."""
_JUDGEMENT = re.compile(
    r"^[-*] \*\*(?P<probability>[^*\n]+)\*\* \((?P<confidence>low|moderate|high) confidence\):? (?P<statement>.+)$",
    re.IGNORECASE | re.MULTILINE,
)
_ITEM_HEADING = re.compile(r"^### (.+)$", re.MULTILINE)
_NOTE_NAME = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9].md"


# -- paths, days and locking --------------------------------------------------------------


def note_path(briefing_dir: Path, day: date | str) -> Path:
    """``briefing_dir/YYYY-MM-DD.md``; the name comes from a validated date, never from user text."""
    return Path(briefing_dir) / f"{_as_day(day).isoformat()}.md"


def _as_day(day: date | str) -> date:
    if isinstance(day, datetime):
        return day.date()
    if isinstance(day, date):
        return day
    try:
        return valid_date(day)
    except (TypeError, ValueError) as exc:
        raise BriefingError(str(exc)) from None


def day_bounds(day: date | str) -> tuple[datetime, datetime]:
    """The local-time [start, end) of ``day`` as aware datetimes (DST-safe)."""
    d = _as_day(day)
    return (datetime.combine(d, time.min).astimezone(), datetime.combine(d + timedelta(days=1), time.min).astimezone())


_LOCKS: dict[tuple[int, Path], FileLock] = {}


def note_lock(briefing_dir: Path) -> FileLock:
    """The inter-process lock for the notes in ``briefing_dir`` (re-entrant within a thread).

    Hold it around "read the store, then update the note" so a slower process cannot write
    an older version of an item over a newer one. Cached per process: a lock object
    inherited across ``fork`` must not be reused.
    """
    directory = Path(briefing_dir).absolute()
    key = (os.getpid(), directory)
    lock = _LOCKS.get(key)
    if lock is None:
        directory.mkdir(parents=True, exist_ok=True)
        lock = _LOCKS[key] = FileLock(directory / LOCK_NAME, timeout=LOCK_TIMEOUT)
    return lock


# -- rendering ----------------------------------------------------------------------------


def _inline(text: str, max_len: int) -> str:
    """One line of outside text made inert: no links, emphasis, HTML or comment markers."""
    line = clean_line(text, max_len=max_len).replace("\\", "\\\\")
    for ch in "[]*_`":
        line = line.replace(ch, "\\" + ch)
    return _no_html(line)


def _no_html(text: str) -> str:
    return text.replace("<", "&lt;").replace("-->", "--&gt;")


def _link(text: str, url: str, max_len: int = 300) -> str:
    """``[text](url)`` for http/https URLs only; anything else is shown unlinked."""
    label = _inline(text, max_len) or _inline(url, 80) or "(untitled)"
    if not is_openable_url(url):
        return label
    return f"[{label}]({quote(url.strip(), safe=_URL_SAFE)})"


# Percent-encode what could end a markdown link destination or open HTML: spaces, parens,
# angle brackets, quotes, backslashes, backticks; keep everything URLs legitimately use.
_URL_SAFE = "/:?#[]@!$&'*+,;=%-._~"


def _group(item: BriefItem) -> str:
    return clean_line(item.tags[0], max_len=60) if item.tags and clean_line(item.tags[0]) else UNTAGGED


def _heading_text(group: str) -> str:
    """What follows ``## `` in the group's heading line."""
    return UNTAGGED if group == UNTAGGED else _inline(group, 60)


def _quote_summary(summary: str) -> list[str]:
    """The summary as a blockquote: no line of it can be a marker, heading or HTML."""
    lines = []
    for line in clean_text(summary).strip().split("\n"):
        if line.lstrip().startswith("▣"):  # a caption pasted from reader text
            continue
        line = _no_html(line.rstrip()).replace("[", "\\[").replace("]", "\\]")
        line = re.sub(r"^(\s*)#", r"\1\\#", line)
        lines.append(f"> {line}" if line else ">")
    return lines


def note_lines(item: BriefItem) -> list[str]:
    """The item's lines for the analyst's note and quotes (none when it has neither): the note as inert
    text, each quote a ``>`` block with its paragraph, so no line of either can be a marker or heading."""
    lines: list[str] = []
    written = [re.sub(r"^#", r"\\#", line) for raw in item.note.strip().split("\n") if (line := _inline(raw, 600))]
    if written:
        lines += ["", f"Note: {written[0]}", *written[1:]]
    for q in item.quotes:
        lines += ["", *_quote_summary(q.text), f"> — paragraph {q.paragraph + 1}"]
    return lines


def _sourcing(item: BriefItem) -> str:
    """The structured brief's sourcing line: the Admiralty code and every outlet that carried the story."""
    outlets = [
        _inline(name, 60) for name in dict.fromkeys(s or url for s, url in ((item.source, item.url), *item.also))
    ]
    outlets = [o for o in outlets if o]
    code = f"**{item.grade.code}**" if item.grade else "not rated"
    n = len(outlets)
    return f"- Sourcing: {code}; {n} outlet{'s' * (n != 1)}: {', '.join(outlets[:20])}"


def render_item(item: BriefItem, structured: bool = False) -> str:
    """One item's block, markers included, ending in a newline; a structured brief's adds the sourcing line."""
    lines = [f"<!-- tui-reader:item {int(item.story_id)} -->", f"### {_link(item.title, item.url)}"]
    if item.source.strip():
        lines.append(f"- Source: {_inline(item.source, 120)}")
    if item.published is not None:
        published = item.published if item.published.tzinfo else item.published.replace(tzinfo=timezone.utc)
        lines.append(f"- Published: {published.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC")
    grade = item.grade
    lines.append(f"- Rating: **{grade.code}** ({grade.words})" if grade else "- Rating: not rated")
    if item.triaged_by and not item.credits:  # items triaged before names were kept render as they always did
        lines.append(f"- By: {_inline(item.triaged_by, 40)}, {item.triaged_at.astimezone():%H:%M}")
    if structured:
        lines.append(_sourcing(item))
    tags = [t for t in (_inline(tag, 60) for tag in item.tags) if t]
    if tags:
        lines.append(f"- Tags: {', '.join(tags)}")
    if item.summary.strip():
        lines += ["", *_quote_summary(item.summary)]
    lines += note_lines(item)
    if item.also:
        links = ", ".join(_link(source or url, url, 120) for source, url in item.also[:20])
        lines += ["", f"Also reported by: {links}"]
    if item.credits:
        lines += ["", f"— {', '.join(_inline(name, 40) for name in item.credits)}"]
    lines.append("<!-- /tui-reader:item -->")
    return "\n".join(lines) + "\n"


# -- parsing ------------------------------------------------------------------------------


class _Block:
    """A whole marked block inside a note (an item, or a structured brief's section); every other unit
    of a note is one line of text."""

    __slots__ = ("story_id", "section", "text")

    def __init__(self, story_id: int | None, text: str, section: str | None = None) -> None:
        self.story_id = story_id
        self.section = section
        self.text = text

    @property
    def rating(self) -> str:
        return block_rating(self.text) or _UNRATED


def block_rating(block: str) -> str | None:
    """The Admiralty code an item block shows (``B2``), None for an unrated one."""
    m = _RATING.search(block)
    return m.group(1) if m else None


def _lines(text: str) -> list[str]:
    """Lines with their endings; only ``\\n`` ends a line (unlike ``str.splitlines``)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _units(text: str) -> list:
    """The note as a list of units: whole blocks (:class:`_Block`) and single lines (str).

    A start marker line opens a block when the next marker line is its own end marker. Marker lines are
    found by one scan of the text, and only the text between blocks is split into lines: a note of a
    thousand items has ten thousand lines, and every save reads it.
    """
    marks = list(_MARKER.finditer(text))
    units: list = []
    done = 0  # text before this offset is in units
    for start, end in itertools.pairwise(marks):
        kind = "item" if start[1] else start[2]
        if kind is None or end[3] != kind:
            continue
        gap = text[done : start.start()]
        units += ("\n",) if gap == "\n" else _lines(gap)  # mostly the blank line between two items
        units.append(_Block(int(start[1]) if start[1] else None, text[start.start() : end.end()], start[2]))
        done = end.end()
    units += _lines(text[done:])
    return units


def _text(unit) -> str:
    return unit.text if isinstance(unit, _Block) else unit


def parse_note(text: str) -> list[tuple[int, str]]:
    """Every well-formed item block in ``text``: (story id, block text with its markers)."""
    return [(u.story_id, u.text) for u in _units(text) if isinstance(u, _Block) and u.story_id is not None]


def note_outline(text: str) -> list[tuple[str, int]]:
    """Every item in note order with the ``##`` group heading it sits under ("" above the first)."""
    outline, group = [], ""
    for u in _units(text):
        if isinstance(u, _Block) and u.story_id is not None:
            outline.append((group, u.story_id))
        elif (heading := _heading_of(u)) is not None:
            group = heading
    return outline


def note_sections(text: str) -> dict[str, str]:
    """The structured brief's sections present in ``text``: name → the markdown under its heading."""
    return {u.section: _section_body(u.text) for u in _units(text) if isinstance(u, _Block) and u.section}


def parse_judgements(body: str) -> list[Judgement]:
    """The key judgements in a judgements section; a line not in the documented shape is left out."""
    out = []
    for m in _JUDGEMENT.finditer(body):
        try:
            out.append(Judgement(m["probability"].strip().lower(), m["confidence"].lower(), m["statement"].strip()))
        except JudgementError:
            continue
    return out


def sendable_markdown(text: str) -> str:
    """The note as its readers get it: no markers, and no structured section left empty."""
    parts: list[str] = []
    dropped = False
    for u in _units(text):
        if isinstance(u, _Block) and (u.section is None or _section_body(u.text).strip()):
            parts.append("".join(_lines(u.text)[1:-1]))
        elif not isinstance(u, _Block) and not (dropped and _is_blank(u)):
            parts.append(u)
        dropped = isinstance(u, _Block) and u.section is not None and not _section_body(u.text).strip()
    return "".join(parts)


# -- editing ------------------------------------------------------------------------------


def _heading_of(unit) -> str | None:
    """The group name if ``unit`` is a ``## group`` line, "" for a ``#`` title, else None."""
    if isinstance(unit, _Block):
        return None
    m = _HEADING.fullmatch(unit.rstrip("\r\n"))
    if not m:
        return None
    return m.group(2).rstrip() if m.group(1) == "##" else ""


def _is_blank(unit) -> bool:
    return unit in ("\n", "\r\n")


def _group_key(heading: str) -> tuple[bool, str]:
    return heading == UNTAGGED, heading.casefold()


def _insert(units: list, item: BriefItem, block: str) -> None:
    heading = _heading_text(_group(item))
    rating = item.grade.code if item.grade else _UNRATED
    at = next((i for i, u in enumerate(units) if _heading_of(u) == heading), None)
    if at is None:
        _insert_section(units, heading, block, item.story_id)
        return
    end = next((i for i in range(at + 1, len(units)) if _heading_of(units[i]) is not None), len(units))
    pos = at + 1
    if pos < len(units) and _is_blank(units[pos]):
        pos += 1
    # Right after the last block rated as well or better, so hand-written text between
    # blocks stays next to the block that follows it.
    for i in range(at + 1, end):
        u = units[i]
        if isinstance(u, _Block):
            if u.rating > rating:
                break
            pos = i + 1 + (i + 1 < end and _is_blank(units[i + 1]))
    _ensure_newline(units, pos)
    units[pos:pos] = [_Block(item.story_id, block), "\n"]


def _insert_section(units: list, heading: str, block: str, story_id: int) -> None:
    key = _group_key(heading)
    pos = next((i for i, u in enumerate(units) if (h := _heading_of(u)) and _group_key(h) > key), len(units))
    _ensure_newline(units, pos)
    new = [f"## {heading}\n", "\n", _Block(story_id, block), "\n"]
    if pos > 0 and not _is_blank(units[pos - 1]):
        new.insert(0, "\n")
    units[pos:pos] = new


def _ensure_newline(units: list, pos: int) -> None:
    """A hand-written last line without a newline gets one before anything follows it."""
    if pos > 0 and not _text(units[pos - 1]).endswith("\n"):
        if isinstance(units[pos - 1], _Block):
            units[pos - 1].text += "\n"
        else:
            units[pos - 1] += "\n"


def _remove(units: list, story_id: int) -> None:
    i = 0
    while i < len(units):
        u = units[i]
        if isinstance(u, _Block) and u.story_id == story_id:
            del units[i : i + 1 + (i + 1 < len(units) and _is_blank(units[i + 1]))]
            _drop_empty_section(units, i)
        else:
            i += 1


def _drop_empty_section(units: list, i: int) -> None:
    """Remove a ``## group`` heading left with nothing but blank lines under it."""
    start = i - 1
    while start >= 0 and _is_blank(units[start]):
        start -= 1
    if start < 0 or not _heading_of(units[start]):
        return
    end = i
    while end < len(units) and _is_blank(units[end]):
        end += 1
    if end == len(units) or _heading_of(units[end]) is not None:
        del units[start:end]


# -- a structured brief's sections ----------------------------------------------------------


def _section_block(name: str, body: str) -> str:
    """A section's block: markers, its ``##`` heading, then the body (the analyst's, or made from the items)."""
    body = body.strip("\n")
    return (
        f"<!-- tui-reader:{name} -->\n## {SECTIONS[name]}\n"
        + (f"\n{body}\n" if body else "")
        + f"<!-- /tui-reader:{name} -->\n"
    )


def _section_body(block: str) -> str:
    lines = _lines(block)[1:-1]
    if lines and lines[0].startswith("## "):
        lines = lines[1:]
    return "".join(lines).strip("\r\n")


def _analyst_text(text: str) -> str:
    """Text the analyst typed (or pasted from a story) as markdown that cannot become a marker, heading or HTML."""
    lines = (re.sub(r"^(\s*)#", r"\1\\#", _no_html(line.rstrip())) for line in clean_text(text).strip().split("\n"))
    return "\n".join(lines)


def render_judgement(judgement: Judgement) -> str:
    """One key judgement as the line :func:`parse_judgements` reads back: ``- **Likely** (moderate confidence): …``."""
    statement = _inline(judgement.statement, 600)
    return f"- **{judgement.probability.capitalize()}** ({judgement.confidence} confidence): {statement}"


def _new_note(day: date | str, structured: bool) -> list:
    units: list = [f"# Briefing — {_as_day(day).isoformat()}\n", "\n"]
    for name in SECTIONS if structured else ():
        units += [_Block(None, _section_block(name, ""), name), "\n"]
    return units


def _set_section(units: list, name: str, body: str) -> None:
    """Replace section ``name``'s block, or add it after the sections that come before it (else after the title)."""
    block = _section_block(name, body)
    for u in units:
        if isinstance(u, _Block) and u.section == name:
            u.text = block
            return
    order = list(SECTIONS)
    before = [i for i, u in enumerate(units) if isinstance(u, _Block) and u.section in order[: order.index(name)]]
    if before:
        pos = before[-1] + 1
    else:
        pos = next((i + 1 for i, u in enumerate(units) if _heading_of(u) == ""), 0)
    if pos < len(units) and _is_blank(units[pos]):
        pos += 1
    _ensure_newline(units, pos)
    units[pos:pos] = [_Block(None, block, name), "\n"]


class EarlierBrief(Struct, frozen=True):
    """The latest note before a day's: what "new since the last brief" is measured against."""

    day: date | None
    story_ids: frozenset[int]


def earlier_brief(briefing_dir: Path, day: date | str) -> EarlierBrief:
    """The latest note in ``briefing_dir`` dated before ``day``, and the stories in it."""
    d = _as_day(day)
    days = []
    for p in Path(briefing_dir).glob(_NOTE_NAME):
        try:
            if (when := valid_date(p.stem)) < d:
                days.append(when)
        except ValueError:
            continue
    if not days:
        return EarlierBrief(None, frozenset())
    text, _ = _read(note_path(briefing_dir, max(days)))
    return EarlierBrief(max(days), frozenset(story_id for story_id, _ in parse_note(text)))


def _new_body(units: list, earlier: EarlierBrief) -> str:
    """The "new since the last brief" list: every item of this note that the earlier note did not have."""
    lines = []
    for u in units:
        if isinstance(u, _Block) and u.story_id is not None and u.story_id not in earlier.story_ids:
            heading = _ITEM_HEADING.search(u.text)
            rating = block_rating(u.text)
            lines.append(f"- {heading.group(1) if heading else u.story_id}" + (f" ({rating})" if rating else ""))
    since = f"Since the brief of {earlier.day.isoformat()}:" if earlier.day else "No earlier brief:"
    return "\n".join([since, "", *lines]) if lines else f"{since} nothing new."


def new_since(text: str, earlier: EarlierBrief) -> list[int]:
    """The story ids of the note ``text`` that the earlier brief did not carry, in note order."""
    return [story_id for _, story_id in note_outline(text) if story_id not in earlier.story_ids]


def apply_changes(
    text: str,
    day: date | str,
    items: Iterable[BriefItem] = (),
    remove_ids: Iterable[int] = (),
    *,
    structured: bool = False,
    earlier: EarlierBrief | None = None,
) -> str:
    """The note ``text`` (or a new one if empty) with ``items`` upserted and ``remove_ids`` removed.

    ``structured`` only shapes a new note: a note is structured when it has a section block, so a
    note the analyst turned plain by hand stays plain. With ``earlier``, the "new since the last
    brief" section (if the note has one) is remade from the items now in the note.
    """
    units: list = _units(text) if text else _new_note(day, structured)
    structured = any(isinstance(u, _Block) and u.section for u in units)
    for story_id in remove_ids:
        _remove(units, int(story_id))
    for item in items:
        block = render_item(item, structured)
        existing = [u for u in units if isinstance(u, _Block) and u.story_id == item.story_id]
        for u in existing:
            u.text = block
        if not existing:
            _insert(units, item, block)
    if earlier is not None and any(isinstance(u, _Block) and u.section == "new" for u in units):
        _set_section(units, "new", _new_body(units, earlier))
    return "".join(_text(u) for u in units)


def set_section(text: str, day: date | str, name: str, body: str, structured: bool = False) -> str:
    """The note ``text`` (or a new one, structured if asked) with section ``name`` holding ``body`` (markdown, made safe)."""
    units: list = _units(text) if text else _new_note(day, structured)
    _set_section(units, name, _analyst_text(body))
    return "".join(_text(u) for u in units)


def _signature(st: os.stat_result) -> tuple[int, int, int]:
    return st.st_ino, st.st_size, st.st_mtime_ns


def _read(path: Path) -> tuple[str, tuple | None]:
    """The note's text (undecodable bytes kept as they are) and its on-disk signature."""
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            data = fh.read()
    except FileNotFoundError:
        return "", None
    return data.decode("utf-8", "surrogateescape"), _signature(st)


def _current_signature(path: Path) -> tuple | None:
    try:
        return _signature(os.stat(path))
    except FileNotFoundError:
        return None


def write_atomic(path: Path, text: str) -> None:
    """Temp file in the same directory, fsync, ``os.replace``, fsync the directory: never half a file."""
    directory = path.parent
    try:
        mode = os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8", "surrogateescape"))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _remove_stale_temps(path: Path) -> None:
    """Temp files of a writer killed mid-save; safe to delete while we hold the lock."""
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        tmp.unlink(missing_ok=True)


def _edit_note(path: Path, change: Callable[[str], str | None]) -> None:
    """Write ``change(text)`` over the note at ``path`` under its lock (None: leave it as it is).

    If the file changes on disk between our read and our replace (an editor that ignores our
    lock), the change is re-read and merged rather than overwritten.
    """
    with note_locked(path):
        _remove_stale_temps(path)
        for attempt in range(5):
            text, before = _read(path)
            new = change(text)
            if new is None or new == text:
                return
            if _current_signature(path) == before or attempt == 4:
                write_atomic(path, new)
                return


def update_note(
    path: Path,
    day: date | str,
    items_to_upsert: Iterable[BriefItem] = (),
    remove_ids: Iterable[int] = (),
    *,
    structured: bool = False,
) -> None:
    """Upsert and remove blocks in the note at ``path``, creating it if needed (structured if asked).

    Only the given ids are touched. Removing from a missing note creates nothing.
    """
    path = Path(path)
    items = list(items_to_upsert)
    remove = [int(i) for i in remove_ids]

    def change(text: str) -> str | None:
        if not text and not items:
            return None
        earlier = earlier_brief(path.parent, day) if "<!-- tui-reader:new -->" in text or structured else None
        return apply_changes(text, day, items, remove, structured=structured, earlier=earlier)

    _edit_note(Path(path), change)


def write_section(path: Path, day: date | str, name: str, body: str, *, structured: bool = False) -> None:
    """Set the BLUF (or another section) of the note at ``path``; the rest of the note is kept byte for byte."""
    _edit_note(Path(path), lambda text: set_section(text, day, name, body, structured))


def add_judgement(path: Path, day: date | str, judgement: Judgement, *, structured: bool = False) -> None:
    """Append a key judgement to the note at ``path``; the judgements already there are kept as written."""

    def change(text: str) -> str:
        body = "\n".join(filter(None, [note_sections(text).get("judgements", ""), render_judgement(judgement)]))
        return set_section(text, day, "judgements", body, structured)

    _edit_note(Path(path), change)


@contextmanager
def note_locked(path: Path) -> Iterator[None]:
    """Hold the lock of the note at ``path``; lock timeouts and OS errors become one-line :class:`BriefingError`."""
    try:
        with note_lock(path.parent).acquire(poll_interval=LOCK_POLL):
            yield
    except Timeout:
        raise BriefingError(
            f"briefing note {path} stayed locked by another tui-reader for {LOCK_TIMEOUT:g} s"
        ) from None
    except OSError as exc:
        raise BriefingError(f"cannot write briefing note {path}: {exc.strerror or exc}") from None


def rebuild_day(store: "Store", briefing_dir: Path, day: date | str, *, structured: bool = False) -> Path:
    """Write every story triaged on ``day`` into its note (``tui-reader brief --rebuild``).

    Creates the note if the day has items and no note yet. If it exists, blocks are refreshed
    in place and the day's items missing from it are added again (a deliberate re-add, unlike
    a normal save), blocks of stories no longer triaged (dismissed, undone) are removed, an event
    carried by several outlets keeps only its latest triaged item, and hand-written text is kept. Blocks of stories since re-triaged on another day are left as
    they are.
    """
    from tui_reader.cluster import corroborated  # numpy: only a rebuild needs it

    d = _as_day(day)
    path = note_path(briefing_dir, d)
    with note_locked(path):
        items = [corroborated(store, i) for i in store.brief_items(*day_bounds(d))]  # oldest triage first
        latest = {store.cluster_of([i.story_id])[i.story_id]: i for i in items}  # one item per event
        superseded = [i.story_id for i in items if i not in latest.values()]
        text, _ = _read(path)
        present = {story_id for story_id, _ in parse_note(text)}
        gone = [sid for sid in present if (s := store.story(sid)) is None or s.state != State.TRIAGED]
        update_note(path, d, list(latest.values()), gone + superseded, structured=structured)
    return path
