"""The TUI's background clustering, as a process of its own: ``python -m tui_reader.backlog DB HOURS THRESHOLD``
(DB ``-``: the PostgreSQL store ``TUI_READER_STORE_URL`` names, kept out of the argument list a ``ps`` shows).

Hashing thousands of stories a headless ``fetch`` left unclustered takes seconds of pure Python. In a
thread of the TUI it would hold the GIL against the first paint and every key (and hold up quitting);
here it holds none, runs only on an idle core, and is simply killed at quit, losing at most one batch.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> int:
    db, hours, threshold = argv
    _yield_to_the_tui()
    from tui_reader.cluster import catch_up
    from tui_reader.config import STORE_URL_ENV, ClusterSettings
    from tui_reader.store import Store

    catch_up(
        Store(os.environ[STORE_URL_ENV] if db == "-" else db),
        ClusterSettings(window_hours=float(hours), threshold=float(threshold)),
    )
    return 0


def _yield_to_the_tui() -> None:
    """Run only when a core is idle (Linux's SCHED_IDLE), elsewhere at the lowest priority there is. At nice 10
    the scheduler still let this process run on before the TUI's key handler: on a 2-core box PageDown while
    clustering went from 26–35 ms (median, no clustering) to 56–59; SCHED_IDLE brings it to 32–34."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):  # not Linux, or not allowed
        if hasattr(os, "nice"):
            os.nice(19)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
