"""The TUI's background clustering, as a process of its own: ``python -m tui_reader.backlog DB HOURS THRESHOLD``
(DB ``-``: the PostgreSQL store ``TUI_READER_STORE_URL`` names, kept out of the argument list a ``ps`` shows).

Hashing thousands of stories a headless ``fetch`` left unclustered takes seconds of pure Python. In a
thread of the TUI it would hold the GIL against the first paint and every key (and hold up quitting);
here it holds none, runs at a lower priority, and is simply killed at quit, losing at most one batch.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> int:
    db, hours, threshold = argv
    if hasattr(os, "nice"):
        os.nice(10)
    from tui_reader.cluster import catch_up
    from tui_reader.config import STORE_URL_ENV, ClusterSettings
    from tui_reader.store import Store

    catch_up(
        Store(os.environ[STORE_URL_ENV] if db == "-" else db),
        ClusterSettings(window_hours=float(hours), threshold=float(threshold)),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
