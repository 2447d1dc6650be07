"""A real HTTP server on 127.0.0.1 for tests (stdlib, one thread per request).

Routes map a path to a :class:`Reply` or to a callable ``(handler) -> None`` that writes the
response itself (for slow, huge or broken servers). Every request is recorded so tests can
assert on what the client sent (e.g. If-None-Match).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass
class Reply:
    body: bytes | str = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # a fetch's concurrency shows only if dozens of connections are accepted at once


class LocalServer:
    def __init__(self, routes: dict[str, Reply | Callable] | None = None) -> None:
        self.routes: dict[str, Reply | Callable] = dict(routes or {})
        self.requests: list[Seen] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                path = self.path.split("?", 1)[0]
                server.requests.append(Seen("GET", self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(path) or server.routes.get(self.path)
                if route is None:
                    self._send(Reply(b"not found", status=404, content_type="text/plain"))
                elif callable(route):
                    route(self)
                else:
                    self._send(route)

            do_HEAD = do_GET

            def _send(self, reply: Reply) -> None:
                body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
                self.send_response(reply.status)
                headers = {"Content-Type": reply.content_type, **reply.headers}
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        # A short poll keeps shutdown (every test's teardown) quick.
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> "LocalServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "LocalServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
