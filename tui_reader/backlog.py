"""The TUI's background clustering, as a process of its own: ``python -m tui_reader.backlog DB HOURS THRESHOLD``
(DB ``-``: the PostgreSQL store ``TUI_READER_STORE_URL`` names, kept out of the argument list a ``ps`` shows).

Hashing thousands of stories a headless ``fetch`` left unclustered takes seconds of pure Python. In a
thread of the TUI it would hold the GIL against the first paint and every key (and hold up quitting);
here it holds none, runs only on an idle core, and is simply killed at quit, losing at most one batch.

Its standard input is the TUI's key pipe: a byte there says the analyst is pressing keys, and the next batch
waits until they have been quiet for :data:`KEYS_QUIET` seconds. An idle-class process still slowed
PageDown on a 2-core box (p90 48-61 ms against 36-43 without it: the cores' shared caches and memory), so
clustering gives way to a burst of keys instead of sharing the machine with it.
"""

from __future__ import annotations

import os
import select
import sys

KEYS_QUIET = 1.0
"""Seconds without a key before clustering goes on."""


def main(argv: list[str]) -> int:
    db, hours, threshold = argv
    _yield_to_the_tui()
    from tui_reader.cluster import catch_up
    from tui_reader.config import STORE_URL_ENV, ClusterSettings
    from tui_reader.store import Store

    catch_up(
        Store(os.environ[STORE_URL_ENV] if db == "-" else db),
        ClusterSettings(window_hours=float(hours), threshold=float(threshold)),
        between=_KeysQuiet(sys.stdin.fileno()),
    )
    return 0


class _KeysQuiet:
    """Called between batches (never inside one, which holds the store's write lock): while the TUI reports keys
    on ``fd``, wait for them to stop. An ended pipe (or no pipe: /dev/null, run by hand) waits for nothing."""

    def __init__(self, fd: int) -> None:
        self.fd: int | None = fd

    def __call__(self) -> None:
        timeout = 0.0
        while self.fd is not None and select.select([self.fd], [], [], timeout)[0]:
            if not os.read(self.fd, 4096):
                self.fd = None
            timeout = KEYS_QUIET


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
