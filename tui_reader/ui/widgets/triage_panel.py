"""The triage panel beside the article: rating, tags with completion, summary draft."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.suggester import Suggester
from textual.widgets import Input, Label, Static, TextArea

from tui_reader.models import RELIABILITY, Grade
from tui_reader.sanitize import safe_rich_text


def rating_text(grade: Grade | None, reliability: str, default_letter: str = "") -> str:
    """The rating as it is being typed (a letter A–F, then a digit 1–6) and the key to press next: the
    triage panel's, and the grade asked for a whole view (``R`` on the list)."""
    if grade:
        return f"Rating {grade.code} — {grade.words}"
    if reliability:
        return f"Rating {reliability}_ — {RELIABILITY[reliability]}; press 1–6"
    if default_letter:
        return f"Rating {default_letter}? (last for this source) — press 1–6"
    return "Not rated — press A–F (source), then 1–6"


class TagSuggester(Suggester):
    """Completes the tag being typed (after the last comma) from existing tags, most-used first."""

    def __init__(self, tags_by_use: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self.tags = tags_by_use

    async def get_suggestion(self, value: str) -> str | None:
        head, sep, current = value.rpartition(",")
        prefix = current.strip().lower()
        if not prefix:
            return None
        taken = {t.strip().lower() for t in head.split(",")}
        for tag in self.tags:
            if tag.startswith(prefix) and tag not in taken:
                return f"{head}{sep}{' ' if sep else ''}{tag}"
        return None


class TagInput(Input):
    """An Input where Enter first accepts the visible completion, so a tag costs one letter + Enter."""

    async def action_submit(self) -> None:
        if self._suggestion and len(self._suggestion) > len(self.value):
            self.value = self._suggestion
            self.cursor_position = len(self.value)
        await super().action_submit()


class TriagePanel(Vertical):
    """Shows and collects one story's triage; the reader screen owns the keys and the save."""

    DEFAULT_CSS = """
    TriagePanel { height: auto; }
    TriagePanel > #rating { height: auto; }
    TriagePanel > #suggestion { height: auto; color: $text-muted; }
    TriagePanel > #summary { height: 1fr; min-height: 4; }
    TriagePanel > #hint { color: $text-muted; height: auto; }
    TriagePanel > #note-info { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    TriagePanel > #cluster { height: auto; max-height: 8; color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.reliability: str = ""
        self.credibility: str = ""
        self.default_letter: str = ""
        self.suggested_digit: str = ""
        self._reason = ""

    def compose(self) -> ComposeResult:
        yield Static(id="rating")
        yield Static(id="suggestion")
        yield Label("Tags (comma-separated)")
        yield TagInput(placeholder="tag, tag…", id="tags", suggester=TagSuggester([]))
        yield Label("Summary")
        yield TextArea(id="summary", soft_wrap=True, show_line_numbers=False)
        yield Static("1–6 rate · A–F source · t tags · s summary · w save · E $EDITOR", id="hint")
        yield Static(id="note-info")
        yield Static(id="cluster")

    # -- state in and out --------------------------------------------------------------

    def load(
        self,
        *,
        tags: tuple[str, ...],
        grade: Grade | None,
        summary: str,
        default_letter: str,
        tag_choices: list[str],
        suggestion: tuple[str, str] | None = None,
    ) -> None:
        self.reliability = grade.reliability if grade else ""
        self.credibility = grade.credibility if grade else ""
        self.default_letter = default_letter
        self.suggested_digit = suggestion[0] if suggestion else ""
        self._reason = ""
        tags_input = self.query_one("#tags", TagInput)
        tags_input.value = ", ".join(tags)
        tags_input.suggester = TagSuggester(tag_choices)
        self.query_one("#summary", TextArea).text = summary
        self.query_one("#suggestion", Static).update(
            safe_rich_text(f"suggested credibility {suggestion[0]}: {suggestion[1]}") if suggestion else ""
        )
        self._show_rating()

    def set_summary_if_empty(self, text: str) -> None:
        area = self.query_one("#summary", TextArea)
        if not area.text.strip():
            area.text = text

    @property
    def summary(self) -> str:
        return self.query_one("#summary", TextArea).text.strip()

    @summary.setter
    def summary(self, text: str) -> None:
        self.query_one("#summary", TextArea).text = text

    @property
    def tags_text(self) -> str:
        return self.query_one("#tags", TagInput).value

    def show_note(self, note: str, quotes: int) -> None:
        """One line on the story's note and quotes, and the keys that add to them."""
        first = next((line for line in note.split("\n") if line.strip()), "")
        said = [f"note: {first}" if first else "", f"{quotes} quote{'s' if quotes != 1 else ''}" if quotes else ""]
        shown = " · ".join(part for part in said if part) or "no note"
        self.query_one("#note-info", Static).update(safe_rich_text(f"{shown} · v quote · i note"))

    def show_cluster(self, lines: list[str]) -> None:
        self.query_one("#cluster", Static).update(safe_rich_text("\n".join(lines)) if lines else "")

    # -- rating keys ----------------------------------------------------------------------

    def press_letter(self, letter: str) -> None:
        self.reliability = letter
        self._show_rating()

    def press_digit(self, digit: str) -> bool:
        """Set credibility; False when no reliability letter is known yet."""
        letter = self.reliability or self.default_letter
        if not letter:
            return False
        self.reliability, self.credibility = letter, digit
        self._show_rating()
        return True

    @property
    def reason(self) -> str:
        """Why the grade (R in the reader), saved with it; "" when none was given."""
        return self._reason

    @reason.setter
    def reason(self, text: str) -> None:
        self._reason = text
        self._show_rating()

    @property
    def grade(self) -> Grade | None:
        """The grade to save: a pending letter takes the suggested credibility digit."""
        letter = self.reliability or (self.default_letter if self.credibility else "")
        digit = self.credibility or (self.suggested_digit if letter else "")
        return Grade(letter, digit) if letter and digit else None

    def _show_rating(self) -> None:
        grade = self.grade
        text = rating_text(grade if grade and self.credibility else None, self.reliability, self.default_letter)
        if self._reason:
            text += f" · why: {self._reason}"
        self.query_one("#rating", Static).update(safe_rich_text(text))
