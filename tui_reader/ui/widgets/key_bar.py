"""The bottom line of keys: the screen's shown bindings, drawn as one line of text.

Textual's ``Footer`` is a container of one widget per key that it recomposes on every change of
bindings (focus moving, a screen resuming): each time a dozen widgets are built and styled, which
was a third of the time from start to the first painted list. This widget keeps one line of
``Text`` and only repaints it. Keys are clickable, as in ``Footer``.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import RenderResult
from textual.screen import Screen
from textual.widget import Widget


class KeyBar(Widget, can_focus=False):
    """The shown bindings of its screen (one per action), the command palette's key at the right."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--palette"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-bar--palette {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._spans: list[tuple[int, int, str, bool]] = []  # start, end, key, enabled: what a click hits

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh()

    def render(self) -> RenderResult:
        key_style = self.get_component_rich_style("key-bar--key")
        text_style = self.get_component_rich_style("key-bar--description")
        line = Text(no_wrap=True, overflow="crop", end="")
        self._spans = []
        seen: set[str] = set()
        active = self.screen.active_bindings
        palette = self.app.COMMAND_PALETTE_BINDING if self.app.ENABLE_COMMAND_PALETTE else None
        for key, (_node, binding, enabled, _tooltip) in active.items():
            if not binding.show or binding.action in seen or key == palette:
                continue
            seen.add(binding.action)
            start = len(line)
            dim = Style(dim=not enabled)
            line.append(f" {self.app.get_key_display(binding)} ", key_style + dim)
            line.append(f"{binding.description} ", text_style + dim)
            self._spans.append((start, len(line), binding.key, enabled))
        if palette is not None and palette in active:
            binding = active[palette][1]
            tail = Text.assemble(
                ("▏", self.get_component_rich_style("key-bar--palette")),
                (self.app.get_key_display(binding), key_style),
                (f" {binding.description} ", text_style),
            )
            room = max(0, self.size.width - len(tail))
            line.truncate(room)  # a narrow terminal loses the last keys, never the palette's
            line.append(" " * (room - len(line)))
            self._spans.append((len(line), len(line) + len(tail), binding.key, True))
            line.append_text(tail)
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key, enabled in self._spans:
            if start <= event.x < end:
                if enabled:
                    self.app.simulate_key(key)
                else:
                    self.app.bell()
                return
