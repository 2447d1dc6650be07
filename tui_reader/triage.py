"""Triage: the one code path behind the TUI's save and ``tui-reader triage``.

A save is one store transaction that also queues a ``log_pending`` journal row; the day's
note is then updated and the row cleared. A crash (even ``kill -9``), a full disk or a busy
note lock between the two leaves the row behind, and :func:`reconcile_logs` (run by every
command and after every save) replays it, so store and note always end up agreeing. The
note is always rewritten from what the store holds *now*, under the note lock, so
concurrent saves cannot leave an older version in it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from msgspec.structs import replace

from tui_reader import briefing
from tui_reader.errors import ConflictError, NoteBehind, StoreError, TriageError
from tui_reader.models import BriefItem, Grade, State, Story, TriageInput
from tui_reader.rules import RuleRun
from tui_reader.sanitize import clean_line, valid_date
from tui_reader.store import Store

__all__ = [
    "normalize_tag",
    "parse_tags",
    "default_letter",
    "apply_triage",
    "refresh_item",
    "reconcile_logs",
    "bulk_triage",
    "rate_many",
    "undo_ratings",
]

MAX_TAG_LEN = 48


def normalize_tag(s: str) -> str:
    """``" Middle  East "`` → ``middle-east``; only letters, digits, ``-``, ``_`` and ``.`` survive.

    Tags appear in markdown headings and may one day name files, so anything that could
    format text, link, or traverse a path (``/``, ``..``, brackets, ``#``) is dropped.
    """
    words = clean_line(s).lower().replace("/", " ").replace("\\", " ").split()
    tag = "-".join("".join(ch for ch in word if ch.isalnum() or ch in "-_.") for word in words)
    tag = re.sub(r"[-_.]*-[-_.]*", "-", tag)  # "a - b" and "a.-b" → "a-b"
    tag = re.sub(r"\.{2,}", ".", tag)
    return tag.strip("-_.")[:MAX_TAG_LEN].strip("-_.")


def parse_tags(text: str | None) -> tuple[str, ...]:
    """Comma-separated tags, normalised, de-duplicated in order, empties dropped."""
    tags = (normalize_tag(part) for part in (text or "").split(","))
    return tuple(dict.fromkeys(t for t in tags if t))


def default_letter(store: Store, story: Story) -> str | None:
    """The letter this story is offered: pinned when its source's letter changed, else a rule's, else its
    outlet's in the source register, else the one last given to its web domain; None when nothing is known."""
    if pinned := store.pinned_letter(story.id):
        return pinned
    marks = store.rule_marks(story.id)
    letter = marks.letter or (marks.grade.reliability if marks.grade else "")
    letter = letter or store.outlet_letter(story.outlet) or ""
    return letter or (store.source_letter(story.domain) if story.domain else None)


def _local_day(when: datetime) -> date:
    return when.astimezone().date() if when.tzinfo else when.date()


def _sync_note(store: Store, briefing_dir: Path, story_id: int, day: date | str, structured: bool) -> BriefItem | None:
    """Make the note of ``day`` show what the store holds for ``story_id`` now (a new note structured if asked)."""
    return _sync_notes(store, briefing_dir, [story_id], day, structured).get(story_id)


def _sync_notes(
    store: Store, briefing_dir: Path, story_ids: list[int], day: date | str, structured: bool, *, on_day: bool = False
) -> dict[int, BriefItem]:
    """Make the note of ``day`` show what the store holds for ``story_ids`` now, in one write: an item for each
    triaged one (with ``on_day``, each triaged on that day), the others' items taken out. Returns the items.

    A story is one item per event: of an event's stories among them, the one triaged last (on a tie, the
    later in ``story_ids``) takes the place of the others and of any other outlet's copy already in the
    note (the item lists those outlets under "also reported by"), so the latest assessment of an event is
    the one the note shows.
    """
    from tui_reader.cluster import Member, cluster_members, corroborated

    the_day = valid_date(day) if isinstance(day, str) else day
    path = briefing.note_path(briefing_dir, the_day)
    with briefing.note_locked(path):
        latest: dict[int, tuple[tuple[datetime, int], int]] = {}  # event -> (when triaged, place), story
        gone: set[int] = set()
        clusters: dict[int, list[Member]] = {}
        read: dict[int, BriefItem] = {}
        for place, story_id in enumerate(story_ids):
            item = store.brief_item(story_id, triaged=True)
            if item is None or (on_day and _local_day(item.triaged_at) != the_day):
                gone.add(story_id)
                continue
            read[story_id], clusters[story_id] = item, cluster_members(store, story_id)
            members = [m.id for m in clusters[story_id]]
            gone.update(members)
            event, rank = min(members), (item.triaged_at, place)
            if event not in latest or latest[event][0] <= rank:
                latest[event] = (rank, story_id)
        kept = [story_id for _, story_id in sorted(latest.values(), key=lambda v: v[0][1])]  # in the given order
        items = {i: corroborated(store, read[i], clusters[i]) for i in kept}
        briefing.update_note(
            path, the_day, list(items.values()), remove_ids=sorted(gone - items.keys()), structured=structured
        )
        return items


def apply_triage(
    store: Store, briefing_dir: Path, inp: TriageInput, *, now: datetime | None = None, structured: bool = False
) -> BriefItem:
    """Save ``inp`` and update the briefing note of the local day of ``now`` (``[brief] structured``
    shapes a note this save creates).

    Tags are normalised here so both callers get the same result. A dismissed story is
    taken out of the note of the day it was last triaged. Raises :class:`TriageError`
    before anything is written when the input is bad; a note that cannot be written raises
    :class:`NoteBehind` after the store save, and the journal replays it at the next command.
    Saves whose note update failed before are replayed here too, once the note can be written.
    """
    now = now or datetime.now().astimezone()
    inp = replace(inp, tags=parse_tags(",".join(inp.tags)), summary=inp.summary.strip())
    try:
        day = store.save_triage(inp, _local_day(now).isoformat(), now=int(now.timestamp()))
    except ConflictError:  # a colleague's change came first (inp.version): the caller offers to reload
        raise
    except StoreError as exc:  # no such story, among others: nothing was written
        raise TriageError(str(exc)) from None
    item = None
    try:
        if day:
            item = _sync_note(store, briefing_dir, inp.story_id, day, structured)
            store.clear_pending_log(inp.story_id, day)
        reconcile_logs(store, briefing_dir, structured=structured)
    except briefing.BriefingError as exc:
        what = "dismissal" if inp.dismiss else "triage"
        raise NoteBehind(
            f"{what} saved in the store, but {exc}; nothing is lost: the note catches up at the next tui-reader command"
        ) from None
    if item is None:  # a dismissal: in no note, but the caller shows what was saved
        item = store.brief_item(inp.story_id)
        assert item is not None
    return item


def refresh_item(store: Store, briefing_dir: Path, story_id: int, *, structured: bool = False) -> None:
    """Bring a triaged story's item in the note of its triage day up to date (its note or quotes changed).

    Journalled like a save, so a note that cannot be written now raises :class:`NoteBehind` and catches up later.
    """
    story = store.story(story_id)
    if story is None or story.state != State.TRIAGED or story.triaged_at is None:
        return
    day = _local_day(story.triaged_at)
    store.queue_log(story_id, day.isoformat())
    try:
        _sync_note(store, briefing_dir, story_id, day, structured)
        store.clear_pending_log(story_id, day.isoformat())
    except briefing.BriefingError as exc:
        raise NoteBehind(
            f"note saved in the store, but {exc}; nothing is lost: the briefing catches up at the next tui-reader command"
        ) from None


def reconcile_logs(store: Store, briefing_dir: Path, *, structured: bool = False) -> int:
    """Replay journal rows left by a crash between a store save and its note update.

    Returns how many were replayed. A row whose day is not a valid date cannot name a
    note (or a path), so it is dropped rather than left to block every start-up.
    """
    replayed = 0
    for story_id, day in store.pending_logs():
        try:
            valid_date(day)
        except ValueError:
            store.clear_pending_log(story_id, day)
            continue
        _sync_note(store, briefing_dir, story_id, day, structured)
        store.clear_pending_log(story_id, day)
        replayed += 1
    return replayed


def bulk_triage(
    store: Store, story_ids: list[int], *, tags: tuple[str, ...] = (), dismiss: bool = False, query: str = ""
) -> tuple[str, RuleRun]:
    """Tag and/or dismiss the untriaged ones of ``story_ids`` (those ``query`` finds, if given) in one
    transaction, recorded as a rule named for the moment, so that undoing that rule takes it all back
    (``tui-reader rules undo NAME``, the TUI's u). Triaged stories are left alone: their notes say
    what they are. Returns the name and what changed."""
    from tui_reader.rules import parse_rules

    name = f"triage {datetime.now():%Y-%m-%d %H:%M:%S}"
    table = {"name": name, "query": query or "state:untriaged", "tags": list(tags), "dismiss": dismiss}
    rule = parse_rules([table], store.watchlists)
    return name, store.apply_rules(story_ids, rule)


def rate_many(
    store: Store,
    briefing_dir: Path,
    story_ids: list[int],
    grade: Grade,
    *,
    reason: str = "",
    now: datetime | None = None,
    structured: bool = False,
    saved: Callable[[str], object] = lambda name: None,
) -> tuple[str, int]:
    """Rate every story of ``story_ids`` (the list's order) ``grade``, each keeping its tags and summary: one
    store transaction, then one write of today's note with each story's item as a single triage writes it.

    ``saved`` gets the batch's name once the store holds it, before the note is written (which may raise
    :class:`NoteBehind`, as :func:`apply_triage` does); :func:`undo_ratings` takes the batch back. Returns the
    name and how many stories were rated ("" and 0 when none of them exists).
    """
    now = now or datetime.now().astimezone()
    day = _local_day(now)
    name, ids = store.save_ratings(story_ids, grade, day.isoformat(), reason=reason, now=int(now.timestamp()))
    if not ids:
        return "", 0
    saved(name)
    try:
        _sync_notes(store, briefing_dir, ids, day, structured)
        store.clear_pending_logs(ids, day.isoformat())
        reconcile_logs(store, briefing_dir, structured=structured)
    except briefing.BriefingError as exc:
        raise NoteBehind(
            f"ratings saved in the store, but {exc}; nothing is lost: the note catches up at the next tui-reader command"
        ) from None
    return name, len(ids)


def undo_ratings(store: Store, briefing_dir: Path, name: str, *, structured: bool = False) -> int | None:
    """Take rating batch ``name`` back: each story's state and triage as they were (one triaged again since
    keeps that triage), then the batch's note in one write: the items it added go, the ones it re-rated show
    their old rating again, and an event's story it had displaced comes back. Returns how many stories were
    put back, None when there is no such batch left to undo."""
    from tui_reader.cluster import cluster_members

    undone = store.undo_ratings(name)
    if undone is None:
        return None
    day, ids = undone
    touched = list(dict.fromkeys(m.id for story_id in ids for m in cluster_members(store, story_id)))
    try:
        _sync_notes(store, briefing_dir, touched, day, structured, on_day=True)
        store.clear_pending_logs(ids, day)
        reconcile_logs(store, briefing_dir, structured=structured)
    except briefing.BriefingError as exc:
        raise NoteBehind(
            f"ratings put back in the store, but {exc}; the note catches up at the next tui-reader command"
        ) from None
    return len(ids)
