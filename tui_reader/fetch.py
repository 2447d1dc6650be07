"""HTTP for feeds and article pages: one shared httpx client, polite limits, errors returned as data.

Redirects, retries and content decoding are done here rather than by httpx so that each has a
clear bound and a clear message: redirects are capped and loops named, retries happen only on
connection errors and 429/503, and decompression is fed in small pieces so a gzip bomb stops at
the size cap without ever inflating in memory.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import importlib.util
import socket
import ssl
import time
import zlib
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import AsyncIterator, Iterator
from urllib.parse import urlsplit

import httpx
from msgspec import Struct

from tui_reader import __version__
from tui_reader.config import FetchSettings
from tui_reader.sanitize import clean_line
from tui_reader.urls import join

USER_AGENT = f"tui-reader/{__version__} (terminal news reader; +https://github.com/tui-reader/tui-reader)"
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
BACKOFF = 0.5
"""Seconds before the first retry; doubles each time."""
PIECE = 64 * 1024
"""Largest decoded piece held at once while decompressing."""
_MB = 1024 * 1024


class FetchResult(Struct):
    """What one GET produced; ``error`` is a one-line reason when there is no usable body."""

    url: str
    """Final URL after redirects."""
    status: int = 0
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False
    error: str = ""
    moved_to: str = ""
    """Set to ``url`` when every redirect on the way there was permanent (301/308): the resource moved."""

    @property
    def ok(self) -> bool:
        return not self.error


class _Abort(Exception):
    """Stop reading a response; the message becomes FetchResult.error."""


class _Decoder:
    """Content-Encoding decoding in bounded pieces (gzip, deflate, br, identity)."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding.strip().lower()
        self._zlib = None
        self._brotli = None
        if self.encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif self.encoding == "deflate":
            self._zlib = zlib.decompressobj()
            self._raw_deflate_tried = False
        elif self.encoding == "br" and _bounded_brotli():
            import brotli

            self._brotli = brotli.Decompressor()
        elif self.encoding not in ("", "identity"):
            raise _Abort(f"unsupported content encoding {self.encoding[:20]!r}")

    def pieces(self, chunk: bytes) -> Iterator[bytes]:
        try:
            if self._zlib is not None:
                yield from self._inflate(chunk)
            elif self._brotli is not None:
                yield self._brotli.process(chunk, output_buffer_limit=PIECE)
                while not self._brotli.can_accept_more_data():
                    yield self._brotli.process(b"", output_buffer_limit=PIECE)
            else:
                yield chunk
        except Exception as exc:  # zlib.error or brotli.error (brotli is optional, so no import for it)
            raise _Abort(f"corrupt {self.encoding} response: {exc}") from None

    def _inflate(self, chunk: bytes) -> Iterator[bytes]:
        data = chunk
        while data:
            assert self._zlib is not None  # made with the decoder for the two encodings that reach here
            try:
                out = self._zlib.decompress(data, PIECE)
            except zlib.error:
                # "deflate" is zlib-wrapped by the RFC but raw in the wild: retry raw once.
                if self.encoding != "deflate" or self._raw_deflate_tried:
                    raise
                self._raw_deflate_tried = True
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            yield out
            if self._zlib.eof:
                return
            data = self._zlib.unconsumed_tail


@functools.cache
def _bounded_brotli() -> bool:
    """br is asked for only when this brotli decodes in bounded pieces (1.2+); older ones inflate a bomb at once."""
    try:
        import brotli
    except ImportError:
        return False
    return hasattr(brotli.Decompressor, "can_accept_more_data")


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every client: loading the CA bundle takes ~40 ms of CPU, which every article
    opened in the reader paid again (each load has a client of its own), holding back the keys meanwhile."""
    return httpx.create_ssl_context()


@functools.cache
def _http2() -> bool:
    """Whether h2 is installed: looked for once (the search of sys.path took 2 ms a client)."""
    return importlib.util.find_spec("h2") is not None


def make_client(settings: FetchSettings) -> httpx.AsyncClient:
    """The one client all requests share: connection reuse, timeouts, HTTP/2 when h2 is installed."""
    encodings = "gzip, deflate, br" if _bounded_brotli() else "gzip, deflate"
    return httpx.AsyncClient(
        verify=_tls(),
        http2=_http2(),
        follow_redirects=False,
        timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout, pool=None),
        limits=httpx.Limits(max_connections=settings.in_flight, max_keepalive_connections=settings.in_flight),
        headers={"User-Agent": settings.user_agent or USER_AGENT, "Accept-Encoding": encodings},
    )


class Fetcher:
    """GETs through one client, at most ``in_flight`` at once and ``per_host`` per host.

    Use as ``async with Fetcher(settings) as f: await f.get(url)`` inside the running event loop.
    """

    def __init__(self, settings: FetchSettings, client: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self.client = client or make_client(settings)
        self._own_client = client is None
        self._global = asyncio.Semaphore(settings.in_flight)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self.max_body = int(settings.max_body_mb * _MB)
        # A server trickling one byte per read timeout would never trip it: bound the whole request too.
        self.deadline = settings.connect_timeout + 3 * settings.read_timeout

    async def __aenter__(self) -> "Fetcher":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._own_client:
            await self.client.aclose()

    async def get(self, url: str, *, etag: str = "", last_modified: str = "", accept: str = FEED_ACCEPT) -> FetchResult:
        """GET ``url`` (conditionally when a validator is given); never raises for network or HTTP trouble."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for attempt in range(self.settings.retries + 1):
            result, retry_after = await self._follow(url, headers)
            if retry_after is None or attempt == self.settings.retries:
                return result
            delay = retry_after if retry_after > 0 else BACKOFF * 2**attempt
            await asyncio.sleep(min(delay, self.settings.max_retry_after))
        raise AssertionError("unreachable")  # pragma: no cover

    @asynccontextmanager
    async def _slot(self, host: str) -> AsyncIterator[None]:
        # Host first: a task queued behind a busy host must not hold a global slot meanwhile.
        per_host = self._hosts.setdefault(host, asyncio.Semaphore(max(1, self.settings.per_host)))
        async with per_host, self._global:
            yield

    async def _follow(self, url: str, headers: dict[str, str]) -> tuple[FetchResult, float | None]:
        """One attempt, redirects included. The float says "retry after this many seconds" (0: backoff)."""
        chain = [url]
        permanent = True
        for _ in range(self.settings.max_redirects + 1):
            try:
                host = urlsplit(url).netloc.lower()
            except ValueError as exc:  # e.g. an unclosed IPv6 bracket, from the feed list or a Location header
                return FetchResult(url, error=f"invalid URL: {exc}"), None
            async with self._slot(host):
                result, retry_after, location = await self._once(url, headers)
            if location is None:
                if len(chain) > 1 and permanent and result.ok:
                    result.moved_to = url
                return result, retry_after
            permanent = permanent and result.status in (301, 308)
            if location in chain:
                return FetchResult(url, result.status, error=f"redirect loop: {location} was already visited"), None
            chain.append(location)
            url = location
        return FetchResult(url, error=f"too many redirects (more than {self.settings.max_redirects})"), None

    async def _once(self, url: str, headers: dict[str, str]) -> tuple[FetchResult, float | None, str | None]:
        """One request: (result, retry_after, redirect location)."""
        try:
            async with asyncio.timeout(self.deadline):
                request = self.client.build_request("GET", url, headers=headers)
                response = await self.client.send(request, stream=True)
                try:
                    return await self._handle(url, response)
                finally:
                    await response.aclose()
        except TimeoutError:
            return FetchResult(url, error=f"took longer than {self.deadline:g} s (aborted)"), None, None
        except httpx.ConnectTimeout:
            return FetchResult(url, error=f"timed out connecting ({self.settings.connect_timeout:g} s)"), None, None
        except httpx.ReadTimeout:
            return FetchResult(url, error=f"timed out waiting for data ({self.settings.read_timeout:g} s)"), None, None
        except httpx.ConnectError as exc:  # refused, unreachable: retried; a name that does not exist is not
            return (
                FetchResult(url, error=f"could not connect: {_reason(exc)}"),
                None if _no_such_host(exc) else 0.0,
                None,
            )
        except httpx.RemoteProtocolError as exc:
            if "location header" in str(exc):  # httpx's only signal for an unusable Location
                return FetchResult(url, error=f"invalid redirect: {_reason(exc)}"), None, None
            # Closed before any response is the keep-alive race worth retrying; mid-body is not.
            return FetchResult(url, error=f"server closed the connection: {_reason(exc)}"), 0.0, None
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            return FetchResult(url, error=f"invalid URL: {_reason(exc)}"), None, None
        except httpx.HTTPError as exc:
            return FetchResult(url, error=f"network error: {_reason(exc)}"), None, None

    async def _handle(self, url: str, response: httpx.Response) -> tuple[FetchResult, float | None, str | None]:
        status = response.status_code
        result = FetchResult(
            url,
            status,
            content_type=response.headers.get("content-type", ""),
            etag=response.headers.get("etag", ""),
            last_modified=response.headers.get("last-modified", ""),
        )
        location = response.headers.get("location")
        if status in (301, 302, 303, 307, 308) and location:
            if target := join(url, location.strip()):
                return result, None, target
            result.error = f"HTTP {status} redirect to an unusable address: {clean_line(location, max_len=80)}"
            return result, None, None
        if status == 304:
            result.not_modified = True
            return result, None, None
        if status >= 400 or status < 200:
            result.error = f"HTTP {status} {_phrase(status)}".rstrip()
            retry = _retry_after(response.headers.get("retry-after")) if status in (429, 503) else None
            return result, retry, None
        try:
            result.body = await self._read_body(response)
        except _Abort as exc:
            result.error = str(exc)
        return result, None, None

    async def _read_body(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        encoding = response.headers.get("content-encoding", "")
        if declared.isdigit() and not encoding and int(declared) > self.max_body:
            raise _Abort(self._too_large())
        decoder = _Decoder(encoding)
        parts: list[bytes] = []
        size = 0
        try:
            async for chunk in response.aiter_raw():
                for piece in decoder.pieces(chunk):
                    size += len(piece)
                    if size > self.max_body:
                        raise _Abort(self._too_large())
                    parts.append(piece)
        except httpx.RemoteProtocolError as exc:
            raise _Abort(f"server closed the connection mid-body: {_reason(exc)}") from None
        except httpx.ReadError as exc:
            raise _Abort(f"connection lost mid-body: {_reason(exc)}") from None
        return b"".join(parts)

    def _too_large(self) -> str:
        return f"response larger than {self.settings.max_body_mb:g} MB (aborted)"


def _no_such_host(exc: BaseException | None) -> bool:
    """Whether the resolver answered that the host name does not exist: asking again 0.5 and 1 s later (the
    backoff) only kept a reader on "Loading the article…" for 1.5 s. A failure to reach the resolver is retried."""
    while exc is not None:
        if isinstance(exc, socket.gaierror):
            return exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME))
        exc = exc.__cause__ or exc.__context__
    return False


def _reason(exc: Exception) -> str:
    """An exception as one short line; it can quote server text (a Location header), so it is cleaned."""
    return clean_line(str(exc), max_len=200) or type(exc).__name__


def _phrase(status: int) -> str:
    """The standard reason phrase (never the server's own text, which is untrusted)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _retry_after(value: str | None) -> float:
    """Seconds a 429/503 asks us to wait (delta or HTTP date); 0 means "use our backoff"."""
    if not value:
        return 0.0
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    return max(0.0, when.timestamp() - time.time()) if when.tzinfo else 0.0


async def fetch_once(url: str, settings: FetchSettings, *, accept: str = PAGE_ACCEPT) -> FetchResult:
    """One GET with a client of its own (``tui-reader extract URL``)."""
    async with Fetcher(settings) as fetcher:
        return await fetcher.get(url, accept=accept)


@asynccontextmanager
async def using(settings: FetchSettings, shared: Fetcher | None) -> AsyncIterator[Fetcher]:
    """The caller's fetcher (same client and limits) or a short-lived one of our own."""
    if shared is not None:
        yield shared
        return
    async with Fetcher(settings) as own:
        yield own
