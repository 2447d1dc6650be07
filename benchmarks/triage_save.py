"""What one save (``apply_triage``) costs: statements sent to the store per save, and time per save, on
SQLite and on PostgreSQL. On a remote server every statement is a network round trip, so the count is the
figure that matters beyond this machine.

    python benchmarks/triage_save.py [--saves 300] [--url postgresql://…] [--where]

Each save triages another story of a fresh store (a tag, a grade, a summary, the version loaded, as the TUI
saves) and updates the day's briefing note. Without ``--url`` a throwaway server is started as the tests
start theirs (tests/pgserver.py). Prints statements per save (each ``execute``, ``executemany`` and COPY
counts one; PostgreSQL's ``BEGIN``/``COMMIT`` too), wall and CPU seconds per save (CPU: this process, plus
the server process on PostgreSQL, read from /proc); ``--where`` adds which lines of the store send them.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.pgserver import PostgresServer, unavailable  # noqa: E402
from tui_reader.models import FeedEntry, Grade, TriageInput  # noqa: E402
from tui_reader.store import Store  # noqa: E402
from tui_reader.triage import apply_triage  # noqa: E402


class Counter:
    """Counts the statements a store's connection sends, and where in tui_reader they come from."""

    def __init__(self) -> None:
        self.n = 0
        self.where: collections.Counter[str] = collections.Counter()

    def hit(self) -> None:
        self.n += 1
        engines = ("store/sqlite.py", "store/postgresql.py")
        frames = [
            f
            for f in traceback.extract_stack()[:-2]
            if "/tui_reader/" in f.filename and not f.filename.endswith(engines)
        ]
        self.where[" < ".join(f"{Path(f.filename).stem}:{f.lineno}" for f in frames[-1:-4:-1])] += 1


@contextmanager
def counting(counter: Counter) -> Iterator[None]:
    """Route every statement the store's engines send through ``counter`` (a statement each ``execute`` and
    ``executemany``, and each bulk insert: one COPY on PostgreSQL, one multi-row INSERT on SQLite)."""
    from tui_reader.store import postgresql, sqlite

    patched = [
        (sqlite._Connection, "execute"),
        (sqlite._Connection, "executemany"),
        (sqlite._Cursor, "execute"),
        (postgresql._Cursor, "execute"),
        (postgresql._Cursor, "executemany"),
        (postgresql.PostgreSQLEngine, "insert_many"),
    ]
    reals = [getattr(cls, name) for cls, name in patched]

    def wrap(real):
        def call(*a, **k):
            counter.hit()
            return real(*a, **k)

        return call

    for (cls, name), real in zip(patched, reals, strict=True):
        setattr(cls, name, wrap(real))
    try:
        yield
    finally:
        for (cls, name), real in zip(patched, reals, strict=True):
            setattr(cls, name, real)


def cpu(store: Store) -> float:
    if not store.engine.url:
        return time.process_time()
    (pid,) = store.conn.execute("SELECT pg_backend_pid()").fetchone()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return time.process_time() + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(target: Path | str, saves: int, where: bool, tmp: Path) -> None:
    store = Store(target)
    store.analyst = "sara"
    store.upsert_entries(
        None,
        [FeedEntry(guid=f"g{n}", url=f"https://a.example/{n}", title=f"Story {n}") for n in range(saves)],
        "Alpha",
    )
    ids = store.story_ids()
    versions = {sid: store.story(sid).version for sid in ids}
    briefing_dir = tmp / f"briefings-{'pg' if store.engine.url else 'sqlite'}"
    counter = Counter()
    apply_triage(store, briefing_dir, TriageInput(ids[0], ("warm",), Grade.parse("B2"), "Warm-up."))
    with counting(counter):
        start_wall, start_cpu = time.perf_counter(), cpu(store)
        for sid in ids[1:]:
            inp = TriageInput(sid, ("iran", "cyber"), Grade.parse("B2"), "A summary.", version=versions[sid])
            apply_triage(store, briefing_dir, inp)
        wall, used = time.perf_counter() - start_wall, cpu(store) - start_cpu
    n = len(ids) - 1
    name = "PostgreSQL" if store.engine.url else "SQLite"
    print(
        f"{name:10}  statements/save {counter.n / n:5.1f}  wall {wall / n * 1e3:6.2f} ms  CPU {used / n * 1e3:6.2f} ms"
    )
    if where:
        for site, count in counter.where.most_common():
            print(f"    {count / n:5.1f}  {site}")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--url", default="")
    parser.add_argument("--where", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(Path(tmp) / "db.sqlite", args.saves + 1, args.where, Path(tmp))
        if args.url:
            run(args.url, args.saves + 1, args.where, Path(tmp))
        elif why := unavailable():
            print(f"PostgreSQL skipped: {why}")
        else:
            server = PostgresServer()
            try:
                run(server.new_store(), args.saves + 1, args.where, Path(tmp))
            finally:
                server.stop()


if __name__ == "__main__":
    main()
