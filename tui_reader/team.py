"""The team brief: every analyst's triaged stories of a day from the shared store, one item per event, credited.

Each analyst's own note holds their saves; on a desk two of them may triage the same event from different
outlets. The team brief takes the store's triaged stories of the day, keeps one item per event (the best
graded, then the latest) crediting everyone who triaged it (``— sara, tom``), and lays them out as a note
does: by tag, best rating first (:func:`tui_reader.briefing.apply_changes`).
"""

from __future__ import annotations

from datetime import date

from msgspec.structs import replace

from tui_reader.briefing import apply_changes, day_bounds
from tui_reader.models import BriefItem
from tui_reader.store import Store


def _rank(item: BriefItem) -> tuple:
    """Best grade first (ungraded last), then the latest triage."""
    return (item.grade is None, item.grade.code if item.grade else "", -item.triaged_at.timestamp())


def team_items(store: Store, day: date) -> list[BriefItem]:
    """The day's triaged stories of every analyst, one per event, each crediting who triaged the event."""
    from tui_reader.cluster import cluster_members, corroborated  # numpy: only when a brief is asked for

    items = store.brief_items(*day_bounds(day))
    by_id = {item.story_id: item for item in items}
    taken: set[int] = set()
    merged = []
    for item in sorted(items, key=_rank):
        if item.story_id in taken:
            continue
        event = [by_id[m.id] for m in cluster_members(store, item.story_id) if m.id in by_id] or [item]
        taken.update(i.story_id for i in event)
        credits = tuple(dict.fromkeys(i.triaged_by for i in sorted(event, key=_rank) if i.triaged_by))
        merged.append(replace(corroborated(store, item), credits=credits))
    return merged


def team_note(store: Store, day: date) -> tuple[str, dict[int, BriefItem]]:
    """The team brief as note text (markers included, for the sendable formats) and its items by story id."""
    items = team_items(store, day)
    text = apply_changes("", day, items).replace("# Briefing", "# Team briefing", 1)
    return text, {item.story_id: item for item in items}
