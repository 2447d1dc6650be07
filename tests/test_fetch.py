"""HTTP behaviour against a real local server: limits, redirects, retries, size caps, hostile servers."""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
import time
import tracemalloc
import zlib

import brotli
import pytest

from tests.localserver import LocalServer, Reply
from tui_reader import fetch
from tui_reader.config import FetchSettings
from tui_reader.fetch import USER_AGENT, Fetcher, fetch_once

FAST = FetchSettings(connect_timeout=1.0, read_timeout=0.5, retries=0, max_body_mb=1.0)


class QuickServer(LocalServer):
    """The shared test server, polling for shutdown every 10 ms instead of 500 ms (halves this suite's time)."""

    def start(self) -> "QuickServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        self._thread.start()
        return self


@pytest.fixture
def server():
    with QuickServer() as srv:
        yield srv


def get(url: str, settings: FetchSettings = FAST, **kw):
    async def go():
        async with Fetcher(settings) as fetcher:
            return await fetcher.get(url, **kw)

    return asyncio.run(go())


def raw(status: str, headers: dict[str, str], body: bytes = b""):
    """A route writing exactly these status line, headers and body (no Content-Length added).

    It closes the connection afterwards and says so, as a correct server must: without the
    header a client may reuse the connection and race the close.
    """

    def route(h) -> None:
        h.wfile.write(f"HTTP/1.1 {status}\r\n".encode())
        for k, v in {"Connection": "close", **headers}.items():
            h.wfile.write(f"{k}: {v}\r\n".encode())
        h.wfile.write(b"\r\n" + body)
        h.wfile.flush()
        h.close_connection = True

    return route


def streamed(total: int, chunk: bytes = b"x" * 65536):
    """A route streaming ``total`` bytes chunked, generated as it goes (never held in memory)."""

    def route(h) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/xml")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        sent = 0
        try:
            while sent < total:
                h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            h.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client hung up at its cap, as it should
        h.close_connection = True

    return route


def test_plain_get_sends_user_agent_and_reads_validators(server):
    server.routes["/f"] = Reply(
        "<rss/>",
        headers={"ETag": '"v1"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"},
        content_type="application/rss+xml",
    )
    result = get(server.url("/f"))
    assert result.ok and result.status == 200 and result.body == b"<rss/>"
    assert (result.etag, result.last_modified) == ('"v1"', "Mon, 01 Jan 2024 00:00:00 GMT")
    assert result.content_type == "application/rss+xml"
    sent = server.requests[-1].headers
    assert sent["user-agent"] == USER_AGENT and "tui-reader/" in sent["user-agent"]
    assert "gzip" in sent["accept-encoding"] and "br" in sent["accept-encoding"]


def test_conditional_get_sends_validators_and_reports_304(server):
    def route(h) -> None:
        if h.headers.get("If-None-Match") == '"v1"':
            raw("304 Not Modified", {"ETag": '"v1"'})(h)
        else:
            raw("200 OK", {"ETag": '"v1"', "Content-Length": "6"}, b"<rss/>")(h)

    server.routes["/f"] = route
    result = get(server.url("/f"), etag='"v1"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
    assert result.not_modified and result.ok and result.body == b""
    assert server.requests[-1].headers["if-modified-since"] == "Mon, 01 Jan 2024 00:00:00 GMT"


@pytest.mark.parametrize(
    "encoding, compress",
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send it
        ("br", brotli.compress),
    ],
)
def test_content_encodings_are_decoded(server, encoding, compress):
    body = b"<rss>" + b"caf\xc3\xa9 " * 5000 + b"</rss>"
    server.routes["/z"] = Reply(compress(body), headers={"Content-Encoding": encoding})
    result = get(server.url("/z"))
    assert result.ok and result.body == body


def test_redirect_chain_is_followed(server):
    for i in range(3):
        server.routes[f"/r{i}"] = Reply(status=301 if i % 2 else 302, headers={"Location": f"/r{i + 1}"})
    server.routes["/r3"] = Reply("<rss/>")
    result = get(server.url("/r0"))
    assert result.ok and result.url == server.url("/r3") and result.body == b"<rss/>"
    assert result.moved_to == ""  # a temporary hop on the way: the old URL stays the one to use


def test_only_an_all_permanent_chain_says_the_resource_moved(server):
    server.routes["/p0"] = Reply(status=301, headers={"Location": "/p1"})
    server.routes["/p1"] = Reply(status=308, headers={"Location": "/p2"})
    server.routes["/p2"] = Reply("<rss/>")
    assert get(server.url("/p0")).moved_to == server.url("/p2")
    server.routes["/gone"] = Reply(status=301, headers={"Location": "/missing"})
    assert get(server.url("/gone")).moved_to == ""  # moved to an error: nothing to follow


def test_redirect_loop_and_cap(server):
    server.routes["/a"] = Reply(status=302, headers={"Location": "/b"})
    server.routes["/b"] = Reply(status=307, headers={"Location": server.url("/a")})
    assert "redirect loop" in get(server.url("/a")).error
    for i in range(10):
        server.routes[f"/c{i}"] = Reply(status=302, headers={"Location": f"/c{i + 1}"})
    result = get(server.url("/c0"))
    assert result.error == "too many redirects (more than 5)"
    assert len([r for r in server.requests if r.path.startswith("/c")]) == 6


def test_a_redirect_to_an_address_too_broken_to_resolve_is_the_feeds_error_not_a_crash(server):
    server.routes["/bad"] = Reply(status=302, headers={"Location": "http://[x/story"})
    result = get(server.url("/bad"))
    assert not result.ok and result.error == "HTTP 302 redirect to an unusable address: http://[x/story"


@pytest.mark.parametrize(
    "status, message", [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error"), (410, "HTTP 410 Gone")]
)
def test_http_errors_are_data(server, status, message):
    server.routes["/e"] = Reply("\x1b]0;pwned\x07 secret", status=status)
    result = get(server.url("/e"))
    assert (result.status, result.error, result.body) == (status, message, b"")


def test_retries_on_503_with_retry_after_then_succeeds(server, monkeypatch):
    monkeypatch.setattr(fetch, "BACKOFF", 0.01)
    calls = []

    def route(h) -> None:
        calls.append(time.monotonic())
        if len(calls) < 3:
            raw("503 Service Unavailable", {"Retry-After": "0", "Content-Length": "0"})(h)
        else:
            raw("200 OK", {"Content-Length": "6"}, b"<rss/>")(h)

    server.routes["/busy"] = route
    result = get(server.url("/busy"), FetchSettings(retries=2, read_timeout=2))
    assert result.ok and len(calls) == 3


def test_retry_after_is_capped_and_404_is_not_retried(server):
    server.routes["/slow"] = Reply(status=429, headers={"Retry-After": "3600"})
    server.routes["/gone"] = Reply(status=404)
    started = time.monotonic()
    result = get(server.url("/slow"), FetchSettings(retries=1, max_retry_after=0.2))
    assert result.error == "HTTP 429 Too Many Requests" and time.monotonic() - started < 2
    assert len([r for r in server.requests if r.path == "/slow"]) == 2
    get(server.url("/gone"), FetchSettings(retries=2))
    assert len([r for r in server.requests if r.path == "/gone"]) == 1


def test_connection_refused_is_retried_with_backoff_then_reported():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens once closed
    started = time.monotonic()
    result = get(f"http://127.0.0.1:{port}/", FetchSettings(retries=1, connect_timeout=1))
    assert result.error.startswith("could not connect") and result.status == 0
    assert 0.4 < time.monotonic() - started < 3


def test_a_host_name_that_does_not_exist_is_reported_at_once_not_retried():
    try:
        socket.getaddrinfo("no-such-host.invalid", 80)
    except socket.gaierror as exc:
        if exc.errno != socket.EAI_NONAME:
            pytest.skip(f"this resolver does not answer for .invalid names ({exc})")
    started = time.monotonic()
    result = get("http://no-such-host.invalid/", FetchSettings(retries=2))
    assert result.error.startswith("could not connect") and result.status == 0
    assert time.monotonic() - started < 0.5, "retried (0.5 s, then 1 s)"


def test_server_that_never_answers_times_out(server):
    release = threading.Event()
    server.routes["/hang"] = lambda h: release.wait(10)
    started = time.monotonic()
    result = get(server.url("/hang"))
    release.set()
    assert result.error == "timed out waiting for data (0.5 s)"
    assert time.monotonic() - started < 2


def test_trickling_server_hits_the_overall_deadline(server):
    def route(h) -> None:
        h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        for _ in range(100):
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.1)

    server.routes["/drip"] = route
    settings = FetchSettings(connect_timeout=0.2, read_timeout=0.3, retries=0)
    result = get(server.url("/drip"), settings)
    assert result.error == "took longer than 1.1 s (aborted)"


def test_50mb_body_is_aborted_at_the_cap_with_bounded_memory(server):
    server.routes["/huge"] = streamed(50 * 1024 * 1024)
    tracemalloc.start()
    try:
        result = get(server.url("/huge"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.error == "response larger than 1 MB (aborted)" and result.body == b""
    assert peak < 8 * 1024 * 1024


def test_declared_oversize_is_refused_before_reading(server):
    server.routes["/big"] = raw("200 OK", {"Content-Length": str(200 * 1024 * 1024)}, b"x" * 10)
    assert get(server.url("/big")).error == "response larger than 1 MB (aborted)"


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_compression_bomb_stops_at_the_cap_on_decoded_bytes(server, encoding):
    zeros = b"\0" * (32 * 1024 * 1024)
    bomb = gzip.compress(zeros, 9) if encoding == "gzip" else brotli.compress(zeros, quality=4)
    del zeros
    server.routes["/bomb"] = Reply(bomb, headers={"Content-Encoding": encoding})
    tracemalloc.start()
    try:
        result = get(server.url("/bomb"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.error == "response larger than 1 MB (aborted)"
    assert peak < 8 * 1024 * 1024


def test_corrupt_gzip_and_unknown_encoding_are_errors(server):
    server.routes["/bad"] = Reply(b"not gzip at all", headers={"Content-Encoding": "gzip"})
    server.routes["/odd"] = Reply(b"x", headers={"Content-Encoding": "x-klingon"})
    assert get(server.url("/bad")).error.startswith("corrupt gzip response")
    assert get(server.url("/odd")).error == "unsupported content encoding 'x-klingon'"


def test_server_closing_mid_body(server):
    server.routes["/cut"] = raw("200 OK", {"Content-Length": "100000"}, b"<rss>" + b"x" * 1000)
    result = get(server.url("/cut"))
    assert "mid-body" in result.error and result.body == b""


def test_server_closing_before_responding(server):
    server.routes["/rst"] = lambda h: setattr(h, "close_connection", True)
    result = get(server.url("/rst"))
    assert result.error.startswith("server closed the connection")


def test_invalid_urls_are_errors(server):
    for url in ("ftp://example.com/x", "http://", "http://[::1", "not a url"):
        assert get(url).error.startswith("invalid URL"), url
    server.routes["/bad-redirect"] = Reply(status=302, headers={"Location": "http://[::1/\x1b]0;x\x07"})
    error = get(server.url("/bad-redirect")).error
    assert error.startswith("invalid redirect: Invalid URL in location header") and "\x1b" not in error


def counting_route(seconds: float):
    """A route that answers after ``seconds``, and the list whose one item is the most requests it held at once."""
    active, peak = [0], [0]
    lock = threading.Lock()

    def route(h) -> None:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(seconds)
        with lock:
            active[0] -= 1
        raw("200 OK", {"Content-Length": "2"}, b"ok")(h)

    return route, peak


def test_per_host_and_global_limits(server):
    route, peak = counting_route(0.05)
    for i in range(12):
        server.routes[f"/p{i}"] = route

    async def go(settings):
        async with Fetcher(settings) as fetcher:
            return await asyncio.gather(*(fetcher.get(server.url(f"/p{i}")) for i in range(12)))

    assert all(r.ok for r in asyncio.run(go(FetchSettings(per_host=2, concurrency=16))))
    assert peak[0] == 2
    peak[0] = 0
    asyncio.run(go(FetchSettings(per_host=8, concurrency=3)))
    assert peak[0] == 3


def test_by_default_far_more_than_16_requests_are_in_flight(server):
    """Over real latency a refresh ends with its slowest feed only if the feeds are asked at once."""
    route, peak = counting_route(0.3)
    for i in range(48):
        server.routes[f"/p{i}"] = route

    async def go():
        async with Fetcher(FetchSettings(per_host=48)) as fetcher:  # one local host standing in for 48
            return await asyncio.gather(*(fetcher.get(server.url(f"/p{i}")) for i in range(48)))

    assert all(r.ok for r in asyncio.run(go()))
    assert peak[0] == 48 and FetchSettings().in_flight >= 48


def test_fetch_once_asks_for_html(server):
    server.routes["/page"] = Reply("<html></html>")
    result = asyncio.run(fetch_once(server.url("/page"), FAST))
    assert result.ok and server.requests[-1].headers["accept"].startswith("text/html")
