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

Key = tuple[str, str, bool, str]
Shown = tuple[tuple[Key, ...], Key | None]


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
        self._drawn: Shown | None = None
        """The keys last drawn: a screen pushed or popped again updates its
        bindings with the same keys, and redrawing them was a fifth of the compositor's work for that frame."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen and self._shown() != self._drawn:
            self.refresh()

    def _shown(self) -> Shown:
        """The screen's shown keys, one per action, as (display, description, enabled, key), and the command
        palette's (drawn at the right) if it has one."""
        seen: set[str] = set()
        keys = []
        active = self.screen.active_bindings
        palette = self.app.COMMAND_PALETTE_BINDING if self.app.ENABLE_COMMAND_PALETTE else None
        for key, (_node, binding, enabled, _tooltip) in active.items():
            if binding.show and binding.action not in seen and key != palette:
                seen.add(binding.action)
                keys.append((self.app.get_key_display(binding), binding.description, enabled, binding.key))
        if palette is None or palette not in active:
            return tuple(keys), None
        binding = active[palette][1]
        return tuple(keys), (self.app.get_key_display(binding), binding.description, True, binding.key)

    def render(self) -> RenderResult:
        key_style = self.get_component_rich_style("key-bar--key")
        text_style = self.get_component_rich_style("key-bar--description")
        line = Text(no_wrap=True, overflow="crop", end="")
        self._spans = []
        self._drawn = keys, palette = self._shown()
        for display, description, enabled, key in keys:
            start = len(line)
            dim = Style(dim=not enabled)
            line.append(f" {display} ", key_style + dim)
            line.append(f"{description} ", text_style + dim)
            self._spans.append((start, len(line), key, enabled))
        if palette is not None:
            display, description, _, key = palette
            tail = Text.assemble(
                ("▏", self.get_component_rich_style("key-bar--palette")),
                (display, key_style),
                (f" {description} ", text_style),
            )
            room = max(0, self.size.width - len(tail))
            line.truncate(room)  # a narrow terminal loses the last keys, never the palette's
            line.append(" " * (room - len(line)))
            self._spans.append((len(line), len(line) + len(tail), key, True))
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
