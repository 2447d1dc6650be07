"""Questions for actions that change what the analyst follows (unsubscribing, a source's letter)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui_reader.sanitize import clean_line


class ConfirmScreen(ModalScreen[bool]):
    """``y`` (or enter) answers yes, ``n`` (or escape) no; the question is plain text, never markup."""

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


class PromptScreen(ModalScreen[str | None]):
    """One optional line of text (a reason): enter answers with it, empty or not; escape cancels (None)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="prompt.cancel")]

    def __init__(self, question: str, placeholder: str = "") -> None:
        super().__init__()
        self.question = question
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question))
            yield Input(placeholder=self.placeholder, id="prompt-input")
            yield Static(Text("enter goes on (empty is fine) · escape cancels", style="dim"))

    @on(Input.Submitted, "#prompt-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(clean_line(event.value))
