"""``tui-reader doctor``: check the store, the briefing journal and the notes against each other, changing nothing.

Only disagreements the analyst did not make count as problems: an item deleted from a note by
hand, or the older block of a story re-triaged on another day, is how notes are meant to work.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from msgspec import Struct, field

from tui_reader.briefing import block_rating, parse_note
from tui_reader.models import State
from tui_reader.sanitize import valid_date
from tui_reader.store import Store


class Report(Struct):
    lines: list[str] = field(default_factory=list)
    """What was checked and found, one line each."""
    problems: int = 0


def check(store: Store, briefing_dir: Path) -> Report:
    """Integrity of the store, saves still waiting in the journal, and note items the store contradicts."""
    report = Report()
    problems = store.integrity_problems()
    if not problems:
        report.lines.append(f"store {store.path}: integrity ok, schema {store.schema_version}")
    else:
        report.problems += 1
        report.lines.append(f"store {store.path}: integrity check failed: {'; '.join(problems[:3])}")
    pending = store.pending_logs()
    if pending:
        report.problems += 1
        report.lines.append(
            f"journal: {len(pending)} saved triage(s) not yet in their notes; any other tui-reader command writes them"
        )
    else:
        report.lines.append("journal: empty (every save is in its note)")
    items = 0
    for path in sorted(Path(briefing_dir).glob("*.md")):
        try:
            day = valid_date(path.stem)
            text = path.read_text(encoding="utf-8", errors="surrogateescape")
        except (ValueError, OSError):
            continue  # not one of ours, or unreadable: the note's own commands say why
        for story_id, block in parse_note(text):
            items += 1
            if problem := _contradiction(store, story_id, block, day):
                report.problems += 1
                report.lines.append(
                    f"note {path.name}: item {story_id} {problem}; "
                    f"`tui-reader brief --date {day.isoformat()} --rebuild` rewrites it"
                )
    report.lines.append(f"notes: {items} item(s) checked in {briefing_dir}")
    return report


def _contradiction(store: Store, story_id: int, block: str, day: date) -> str:
    """Why the store disagrees with this note item, or ""."""
    story = store.story(story_id)
    if story is None:
        return "is not in the store"
    if story.state is not State.TRIAGED:
        return f"is {story.state.value} in the store"
    triaged_day = story.triaged_at.astimezone().date() if story.triaged_at else None
    rating = block_rating(block)
    if triaged_day == day and rating != (story.grade.code if story.grade else None):
        return f"shows rating {rating or 'none'}, the store {story.grade.code if story.grade else 'none'}"
    return ""
