"""Questions: yes/no for actions that change what the analyst follows (unsubscribing, bulk changes), one
line of text (the tags for a whole view), or an Admiralty grade (the rating for a whole view)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui_reader.models import Grade
from tui_reader.sanitize import safe_rich_text
from tui_reader.ui.widgets.triage_panel import rating_text


class ConfirmScreen(ModalScreen[bool]):
    """``y`` (or enter) answers yes, ``n`` (or escape) no; the question is plain text, never markup."""

    CSS_PATH = "dialog.tcss"

    BINDINGS = [
        Binding("y,enter", "dismiss(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "dismiss(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question))
            yield Static(Text("y yes · n no", style="dim"))


class AskScreen(ModalScreen[str | None]):
    """One line of text for a question; enter answers, escape cancels (None)."""

    CSS_PATH = "dialog.tcss"

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="ask.cancel")]

    def __init__(self, question: str, placeholder: str = "") -> None:
        super().__init__()
        self.question = question
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question, style="bold"))
            yield Input(placeholder=self.placeholder, id="ask")
            yield Static(Text("enter · escape cancels", style="dim"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)


class GradeScreen(ModalScreen[Grade | None]):
    """An Admiralty grade typed as in the reader's triage panel: a letter A–F, then a digit 1–6, which
    answers; escape cancels (None)."""

    CSS_PATH = "dialog.tcss"

    BINDINGS = [
        *[Binding(c, f"letter('{c}')", f"Reliability {c}", show=False, id=f"grade.rel{c}") for c in "ABCDEF"],
        *[Binding(d, f"digit('{d}')", f"Credibility {d}", show=False, id=f"grade.cred{d}") for d in "123456"],
        Binding("escape", "dismiss(None)", "Cancel", id="grade.cancel"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question
        self.letter = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question, style="bold"))
            yield Static(safe_rich_text(rating_text(None, "")), id="rating")
            yield Static(Text("A–F source · 1–6 credibility · escape cancels", style="dim"))

    def action_letter(self, letter: str) -> None:
        self.letter = letter
        self.query_one("#rating", Static).update(safe_rich_text(rating_text(None, letter)))

    def action_digit(self, digit: str) -> None:
        if self.letter:
            self.dismiss(Grade(self.letter, digit))
        else:
            self.notify("Press A–F first: the source's reliability, then 1–6.", timeout=3)
