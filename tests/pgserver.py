"""A real PostgreSQL server the tests own: a throwaway cluster on 127.0.0.1, a fresh store per test.

Started once per session from the server binaries (Debian's ``/usr/lib/postgresql/*/bin``, else ``PATH``);
as root, through ``runuser -u postgres`` since ``initdb`` refuses to run as root. Each test's store is the
session's one database, emptied (:meth:`PostgresServer.new_store`).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _has_user(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def unavailable() -> str:
    """Why no server can start here, or "" when one can."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgresql]')"
    if _bin_dir() is None:
        return "no PostgreSQL server binaries (initdb) in /usr/lib/postgresql/*/bin or on PATH"
    if os.geteuid() == 0 and not (shutil.which("runuser") and _has_user("postgres")):
        return "running as root without runuser and a postgres user, and initdb refuses to run as root"
    return ""


class PostgresServer:
    def __init__(self) -> None:
        bin_dir = _bin_dir()
        assert bin_dir is not None
        self.dir = Path(tempfile.mkdtemp(prefix="tui-reader-pg-"))
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            shutil.chown(self.dir, "postgres")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self._pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(self.dir / "data")]
        initdb = [str(bin_dir / "initdb"), "-D", str(self.dir / "data"), "-A", "trust", "-U", "tui", "--no-sync"]
        self._run(*initdb, "-E", "UTF8", "--locale=C.UTF-8")
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        self._run(*self._pg_ctl, "-o", options, "-l", str(self.dir / "log"), "-w", "start")
        self._reset = ""

    def _run(self, *argv: str) -> subprocess.CompletedProcess:
        return subprocess.run([*self._as, *argv], check=True, capture_output=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://tui@127.0.0.1:{self.port}/{database}"

    def _admin(self, sql: str, url: str = "") -> None:
        import psycopg

        with psycopg.connect(url or self.url(), autocommit=True) as conn:
            conn.execute(sql)

    def new_store(self) -> str:
        """The URL of the session's store database, emptied: every row deleted and every id counter reset.

        Much faster than a database per test (~5 ms against ~200 ms), and as independent, since no test
        changes the schema (its version aside).
        """
        if not self._reset:
            from tui_reader.store import Store

            self._admin("CREATE DATABASE tui")
            Store(self.url("tui")).close()
            self._reset = self._reset_sql()
        self._admin(self._reset, self.url("tui"))
        return self.url("tui")

    def _reset_sql(self) -> str:
        import psycopg

        with psycopg.connect(self.url("tui")) as conn:
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename != 'schema_version'"
                )
            ]
            sequences = [r[0] for r in conn.execute("SELECT sequencename FROM pg_sequences")]
            (version,) = conn.execute("SELECT version FROM schema_version").fetchone()
        return "; ".join(
            [
                *(f"DELETE FROM {t}" for t in tables),
                *(f"ALTER SEQUENCE {q} RESTART" for q in sequences),
                f"UPDATE schema_version SET version = {version}",  # a test may have changed it
            ]
        )

    def stop(self) -> None:
        subprocess.run([*self._as, *self._pg_ctl, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)
