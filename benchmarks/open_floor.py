"""The floor for opening a story and going back: a bare Textual app that pushes a screen with one Static.

``enter`` on the first row of an OptionList (200 rows, as ``bare_list.py``) pushes the screen and
``escape`` pops it: what pushing and popping a screen costs any Textual app on this machine, for
``first_paint.py``'s enter/escape figures to be read against.
"""

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import OptionList, Static


class Story(Screen):
    BINDINGS = [("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield Static("S0-0 the story's title\n\nand the first paragraph of its text.")


class Floor(App):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield OptionList(*[f"S{i}-0 story number {i}" for i in range(200)])

    def on_option_list_option_selected(self) -> None:
        self.push_screen(Story())


if __name__ == "__main__":
    Floor().run()
