"""Bundled offline demo: static news feeds and article pages under ``site/``, served by
:class:`~tui_reader.demo.server.DemoServer` on 127.0.0.1 so ``tui-reader --demo`` works with no
internet."""

from tui_reader.demo.server import DemoServer

__all__ = ["DemoServer"]
