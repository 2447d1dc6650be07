"""A tiny stdlib HTTP server for the bundled offline demo (``tui-reader --demo``).

Why a real server instead of reading the files directly: the demo must exercise the same code
path as real use — HTTP fetches, content types, conditional GET (ETag / Last-Modified), link
resolution against a base URL — so a newcomer sees the real thing and tests cover real I/O, all
without the internet.

The files under ``site/`` are static data with two kinds of placeholders, substituted when
served:

``{{BASE}}``
    The server's base URL (``http://127.0.0.1:PORT``); the port is random, so links in feeds and
    pages cannot be written literally.
``{{DATE-3h}}``, ``{{RFC822-2d}}``, ``{{TEXT-45m}}``
    "Now minus an offset" (units ``m``, ``h``, ``d``; ``{{DATE}}`` alone means now), so the demo
    always looks fresh. ``DATE`` is RFC 3339 (Atom, JSON Feed, HTML ``<time datetime>``),
    ``RFC822`` is for RSS ``pubDate``, ``TEXT`` is a human-readable date for bylines.

"Now" is frozen when the server is created, so a file renders to the same bytes on every
request: that makes the ETag stable and lets clients get 304s, as they would from a real site.
"""

from __future__ import annotations

import hashlib
import re
import threading
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

SITE_DIR = Path(__file__).resolve().with_name("site")

FEED_PATHS = ("/feeds/levant-monitor.xml", "/feeds/gulf-wire.atom", "/feeds/policy-brief.json")
OPML_PATH = "/feeds.opml"

# By file suffix. Feeds get their specific media types so clients can sniff the format from
# the header, as with real publishers.
CONTENT_TYPES = {
    ".xml": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".json": "application/feed+json; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
}
# Only text files carry placeholders; anything else is served byte for byte.
TEMPLATED = {".xml", ".atom", ".json", ".opml", ".html", ".css", ".txt"}

_PLACEHOLDER = re.compile(r"\{\{(BASE|DATE|RFC822|TEXT)(?:-(\d+)([mhd]))?\}\}")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def render(text: str, base_url: str, now: datetime) -> str:
    """Substitute ``{{BASE}}`` and the date placeholders in ``text``."""

    def sub(m: re.Match[str]) -> str:
        kind, amount, unit = m.groups()
        if kind == "BASE":
            return base_url
        when = now - timedelta(**{_UNITS[unit]: int(amount)}) if amount else now
        if kind == "RFC822":
            return format_datetime(when)  # e.g. "Wed, 25 Nov 2026 06:03:00 +0000"
        if kind == "TEXT":
            return f"{when.day} {when:%B %Y, %H:%M} UTC"
        return when.isoformat().replace("+00:00", "Z")

    return _PLACEHOLDER.sub(sub, text)


def resolve(url_path: str, root: Path = SITE_DIR) -> Path | None:
    """Map a request path to a file under ``root``, or None (→ 404).

    Percent-decoding happens before the check, so ``/%2e%2e/`` cannot escape either; the check
    is on the resolved path, which also defeats symlinks pointing outside the site.
    """
    # A request target is a path, not a URL: "//etc/x" must not be read as a host name.
    path = unquote(url_path.partition("?")[0].partition("#")[0])
    if "\x00" in path:
        return None
    if path.endswith("/"):
        path += "index.html"
    root = root.resolve()
    target = (root / path.lstrip("/")).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        return None
    return target


SHUTDOWN_POLL = 0.05
"""Seconds between the serving thread's checks for :meth:`DemoServer.stop`: socketserver's default (0.5 s)
added up to half a second to quitting ``tui-reader --demo`` (and to every test that serves the demo)."""


class DemoServer:
    """Serve ``site/`` on 127.0.0.1 at a random free port, in a daemon thread.

    Use as a context manager (``with DemoServer() as demo: demo.feed_urls``) or call
    :meth:`start` / :meth:`stop`. ``now`` fixes the clock the date placeholders are relative to
    (default: the current time, to the minute).
    """

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, now: datetime | None = None, root: Path = SITE_DIR
    ) -> None:
        self.now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(second=0, microsecond=0)
        self.root = root
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.socket.getsockname()[:2]
        return f"http://{host}:{port}"

    @property
    def feed_urls(self) -> list[str]:
        """The RSS 2.0, Atom 1.0 and JSON Feed 1.1 feeds, in that order."""
        return [self.base_url + p for p in FEED_PATHS]

    @property
    def opml_url(self) -> str:
        return self.base_url + OPML_PATH

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> "DemoServer":
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": SHUTDOWN_POLL},
                name="tui-reader-demo",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> "DemoServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def body(self, file: Path) -> bytes:
        """The bytes served for ``file`` (placeholders substituted for text files)."""
        data = file.read_bytes()
        if file.suffix in TEMPLATED:
            data = render(data.decode("utf-8"), self.base_url, self.now).encode("utf-8")
        return data


def _handler_for(demo: DemoServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "tui-reader-demo"
        sys_version = ""

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
            """Quiet: the demo runs under a full-screen TUI, where stray stderr lines corrupt it."""

        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            file = resolve(self.path, demo.root)
            if file is None:
                self._reply(HTTPStatus.NOT_FOUND, b"not found\n", {"Content-Type": "text/plain; charset=utf-8"})
                return
            body = demo.body(file)
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            headers = {
                "Content-Type": CONTENT_TYPES.get(file.suffix, "application/octet-stream"),
                "ETag": etag,
                "Last-Modified": format_datetime(demo.now, usegmt=True),
                "Cache-Control": "no-cache",
            }
            if self._not_modified(etag):
                self._reply(HTTPStatus.NOT_MODIFIED, b"", headers)
            else:
                self._reply(HTTPStatus.OK, body, headers)

        do_HEAD = do_GET

        def _not_modified(self, etag: str) -> bool:
            """RFC 9110 §13.1: If-None-Match wins; If-Modified-Since only counts without it."""
            inm = self.headers.get("If-None-Match")
            if inm is not None:
                tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
                return "*" in tags or etag in tags
            ims = self.headers.get("If-Modified-Since")
            if ims:
                try:
                    since = parsedate_to_datetime(ims)
                except (TypeError, ValueError):
                    return False
                if since.tzinfo is None:
                    since = since.replace(tzinfo=timezone.utc)
                return demo.now <= since
            return False

        def _reply(self, status: HTTPStatus, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            if status != HTTPStatus.NOT_MODIFIED:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD" and status != HTTPStatus.NOT_MODIFIED:
                self.wfile.write(body)

    return Handler


def main() -> None:
    """``python -m tui_reader.demo``: serve the demo site until Ctrl-C, to browse it or
    point another reader at it."""
    with DemoServer() as demo:
        print(f"demo site: {demo.base_url}/\nOPML: {demo.opml_url}", *demo.feed_urls, sep="\n", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
