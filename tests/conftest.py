import os

import pytest
from hypothesis import settings

from tests.localserver import LocalServer

# Modest, derandomized examples keep CI fast and repeatable; `pytest --hypothesis-profile=long`
# explores fresh random inputs in depth (run it by hand).
settings.register_profile("default", max_examples=100, derandomize=True)
settings.register_profile("long", max_examples=5000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


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


@pytest.fixture
def demo(tmp_path):
    """The bundled demo site served on 127.0.0.1 and fetched into a fresh home: (server, store, paths)."""
    import asyncio

    from tui_reader.config import Settings
    from tui_reader.demo import DemoServer
    from tui_reader.paths import Paths
    from tui_reader.refresh import refresh_feeds
    from tui_reader.store import Store

    paths = Paths.for_home(tmp_path / "demo-home")
    with DemoServer() as server:
        store = Store(paths.db_file)
        for url in server.feed_urls:
            store.add_feed(url)
        asyncio.run(refresh_feeds(store, Settings().fetch, cluster=Settings().cluster))
        yield server, store, paths
        store.close()
