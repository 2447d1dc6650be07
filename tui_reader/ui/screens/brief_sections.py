"""The structured brief's analyst-written parts, asked for over the briefing note: the BLUF and a key judgement.

Both dialogs only return what was typed; the briefing screen writes it to the note in a worker,
through the same lock, merge and atomic write as every other note update.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static, TextArea

from tui_reader.errors import JudgementError
from tui_reader.models import CONFIDENCE_LEVELS, PROBABILITY_WORDS, Judgement
from tui_reader.ui.widgets.triage_panel import TagInput

_CSS = """
BlufScreen, JudgementScreen { align: center middle; }
BlufScreen #bluf-text { height: 8; }
"""


class BlufScreen(ModalScreen[str | None]):
    """The bottom line up front, prefilled with the note's; ``ctrl+s`` keeps it, ``escape`` leaves the note alone."""

    DEFAULT_CSS = _CSS
    CSS_PATH = "dialog.tcss"

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="bluf.cancel"),
        Binding("ctrl+s", "save", "Save", id="bluf.save", priority=True),
    ]

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Bottom line up front", style="bold"))
            yield TextArea(self.current, id="bluf-text", soft_wrap=True, show_line_numbers=False)
            yield Static(Text("ctrl+s saves · escape cancels", style="dim"))

    def action_save(self) -> None:
        self.dismiss(self.query_one("#bluf-text", TextArea).text)


class JudgementScreen(ModalScreen[Judgement | None]):
    """A key judgement in ICD 203's words: probability and confidence complete as you type (enter accepts)."""

    DEFAULT_CSS = _CSS
    CSS_PATH = "dialog.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="judgement.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Key judgement", style="bold"))
            yield Label("How likely")
            yield TagInput(
                placeholder=" · ".join(PROBABILITY_WORDS[2:5]) + "…",
                id="probability",
                suggester=SuggestFromList(PROBABILITY_WORDS, case_sensitive=False),
            )
            yield Label("Confidence")
            yield TagInput(
                placeholder="low · moderate · high",
                id="confidence",
                suggester=SuggestFromList(CONFIDENCE_LEVELS, case_sensitive=False),
            )
            yield Label("Judgement")
            yield Input(placeholder="what you judge, in one sentence", id="statement")
            yield Static(Text("enter accepts the completion and moves on · escape cancels", style="dim"), id="hint")

    @on(Input.Submitted, "#probability")
    def _probability(self) -> None:
        self.query_one("#confidence", Input).focus()

    @on(Input.Submitted, "#confidence")
    def _confidence(self) -> None:
        self.query_one("#statement", Input).focus()

    @on(Input.Submitted, "#statement")
    def _submitted(self) -> None:
        values = [
            self.query_one(f"#{name}", Input).value.strip() for name in ("probability", "confidence", "statement")
        ]
        try:
            judgement = Judgement(values[0].lower(), values[1].lower(), values[2])
        except JudgementError as exc:
            self.query_one("#hint", Static).update(Text(str(exc), style="bold"))
            return
        self.dismiss(judgement)
