import os
import tempfile

import pytest
from hypothesis import settings

from tests.localserver import LocalServer

# Modest, derandomized examples keep CI fast and repeatable; `pytest --hypothesis-profile=long`
# explores fresh random inputs in depth (run it by hand).
settings.register_profile("default", max_examples=100, derandomize=True)
settings.register_profile("long", max_examples=5000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def _roomy_ram_disk(path: str = "/dev/shm", room: int = 2 << 30) -> bool:
    """A writable RAM disk with ``room`` bytes free (a container's is often 64 MB: a PostgreSQL cluster alone
    takes 40)."""
    if not (os.path.isdir(path) and os.access(path, os.W_OK | os.X_OK)):
        return False
    stat = os.statvfs(path)
    return stat.f_bavail * stat.f_frsize >= room


# Temporary files (tmp_path, and those of the commands the tests start) in memory where the machine has a
# RAM disk and TMPDIR does not say otherwise: the store and the notes fsync what they write, which costs
# ~4 ms a call on this machine's disk and nothing there, and no test can tell a synced file from another.
if "TMPDIR" not in os.environ and _roomy_ram_disk():
    os.environ["TMPDIR"] = "/dev/shm"
    tempfile.tempdir = None  # gettempdir() reads TMPDIR again


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1; set ``server.routes[path] = Reply(...)``."""
    with LocalServer() as srv:
        yield srv


@pytest.fixture(scope="session")
def pg_server():
    """The session's PostgreSQL server (started on first use); its tests are skipped where none can start."""
    from tests.pgserver import PostgresServer, unavailable

    if why := unavailable():
        pytest.skip(f"PostgreSQL: {why}")
    srv = PostgresServer()
    yield srv
    srv.stop()


@pytest.fixture
def pg_url(pg_server):
    """The URL of a PostgreSQL database holding an empty store, for this test alone."""
    return pg_server.new_store()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """An empty store, in a throwaway SQLite file and then in a fresh PostgreSQL database: whatever a test
    does to it must leave it intact. ``@pytest.mark.sqlite_only(reason)`` keeps a test to SQLite's run."""
    from tui_reader.store import Store

    if request.param == "postgresql" and (only := request.node.get_closest_marker("sqlite_only")):
        pytest.skip(f"SQLite only: {only.args[0]}")
    s = Store(tmp_path / "db.sqlite" if request.param == "sqlite" else request.getfixturevalue("pg_url"))
    yield s
    assert s.integrity_ok()
    s.close()


@pytest.fixture
def home(tmp_path):
    """A throwaway ``--home`` root."""
    return tmp_path / "home"


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory):
    """The bundled demo site served on 127.0.0.1 for the session, and the store file fetched from it once
    (fetching and clustering it took 0.4 s a test): (server, store file). The site is read-only."""
    import asyncio

    from tui_reader.config import Settings
    from tui_reader.demo import DemoServer
    from tui_reader.paths import Paths
    from tui_reader.refresh import refresh_feeds
    from tui_reader.store import Store

    paths = Paths.for_home(tmp_path_factory.mktemp("demo-site"))
    with DemoServer() as server:
        store = Store(paths.db_file)
        for url in server.feed_urls:
            store.add_feed(url)
        asyncio.run(refresh_feeds(store, Settings().fetch, cluster=Settings().cluster))
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # all of it in the one file the tests copy
        store.close()
        yield server, paths.db_file


@pytest.fixture
def demo(demo_site, tmp_path):
    """The demo site and a fresh home holding its own copy of the store fetched from it: (server, store, paths)."""
    import shutil

    from tui_reader.paths import Paths
    from tui_reader.store import Store

    server, fetched = demo_site
    paths = Paths.for_home(tmp_path / "demo-home")
    paths.db_file.parent.mkdir(parents=True)
    shutil.copyfile(fetched, paths.db_file)
    store = Store(paths.db_file)
    yield server, store, paths
    store.close()
