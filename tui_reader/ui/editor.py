"""The analyst's own editor ($VISUAL, $EDITOR, else vi) from inside the TUI."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

from textual.app import App

from tui_reader.sanitize import clean_line


def edit_file(app: App, path: Path | str) -> str:
    """Run the editor on ``path`` with the TUI suspended; "" once it has run, else why not, in one line.

    Suspending hands the real terminal to the editor (over ssh and in tmux too) and takes it back after.
    """
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        with app.suspend():
            subprocess.run([*shlex.split(editor), str(path)], check=False)
    except Exception as exc:  # no terminal to hand over (headless), no such editor, unbalanced quotes in $EDITOR
        return f"Editor failed: {clean_line(str(exc) or type(exc).__name__, max_len=80)}"
    return ""
