"""URLs: the host a story is filed under, and the canonical form that says two links name one page."""

from __future__ import annotations

import functools
import re
from hashlib import blake2b
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

_TRACKING = re.compile(
    r"^(utm_.*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_hsenc|_hsmi|ref|ref_src|"
    r"cmpid|ocid|smid|at_medium|at_campaign|sr_share|taid|mbid)$",
    re.I,
)
"""Query parameters that track the reader, never name the article (kept short: a wrong entry merges
different articles)."""


_PLAIN = re.compile(r"https?://([a-z0-9.-]*[a-z0-9-])(/[^?#@\s\\]*)?\Z")


def domain_of(url: str) -> str:
    """Host of ``url`` without ``www.``; "" for a URL too broken to split (``http://[x``)."""
    end = url.find("/", url.find("//") + 2) if "//" in url else -1
    return _domain(url if end < 0 else url[:end])  # a feed's stories share a few hosts: split each once


@functools.lru_cache(maxsize=4096)
def _domain(origin: str) -> str:
    try:
        host = (urlsplit(origin).hostname or "").lower()
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def is_postgresql_url(target: str) -> bool:
    """Whether a store's location names a PostgreSQL server (else it is a SQLite file's path)."""
    return target.partition(":")[0].lower() in ("postgresql", "postgres")


def without_password(url: str) -> str:
    """A URL as it may be shown or logged: any password in it left out."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user, _, host = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=f"{user.split(':', 1)[0]}@{host}"))


def join(base: str, link: str) -> str:
    """``urljoin`` that never raises: a link too broken to resolve (``http://[x``) gives ""."""
    try:
        return urljoin(base, link)
    except ValueError:
        return ""


def canonical_url(url: str) -> str:
    """The URL with what does not name the article removed: scheme, ``www.``, default port,
    fragment, trailing slash and tracking parameters; the remaining query sorted."""
    return _plain_canonical(url) or _split_canonical(url)


def _split_canonical(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
        hostname, port = parts.hostname, parts.port
    except ValueError:  # a malformed port or bracket: the text itself is all there is to compare
        return url.strip()
    if parts.scheme.lower() not in ("http", "https") or not hostname:
        return url.strip()
    host = hostname.lower().removeprefix("www.")
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = (
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k))
        if parts.query
        else ()
    )
    return urlunsplit(("", host, path, urlencode(query), ""))[2:]


def _plain_canonical(url: str) -> str:
    """The canonical form of the common plain link (lower-case host, no query, port, userinfo or
    fragment) without ``urlsplit``: a cold refresh keys 10,000 links. "" when it is not that plain."""
    m = _PLAIN.match(url)
    return m.group(1).removeprefix("www.") + (m.group(2) or "").rstrip("/") if m else ""


def url_key(url: str) -> int:
    """64-bit signed hash of the canonical URL: an index key (compare the URLs themselves to be sure)."""
    return int.from_bytes(blake2b(canonical_url(url).encode(), digest_size=8).digest(), "little", signed=True)
