import pytest

from tests.localserver import LocalServer


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1; set ``server.routes[path] = Reply(...)``."""
    with LocalServer() as srv:
        yield srv


@pytest.fixture
def home(tmp_path):
    """A throwaway ``--home`` root."""
    return tmp_path / "home"
