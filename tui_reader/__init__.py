"""tui-reader: a keyboard-first terminal news reader and triage tool for analysts."""

__version__ = "0.1.0"
