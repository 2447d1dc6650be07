"""URL helpers: the canonical form that says two links are one page."""

from hypothesis import given
from hypothesis import strategies as st

from tui_reader import urls
from tui_reader.urls import canonical_url, join, url_key


def test_canonical_url_drops_what_does_not_name_the_page():
    same = [
        "https://www.example.com/a/b",
        "http://example.com/a/b/",
        "https://EXAMPLE.com/a/b#top",
        "https://example.com:443/a/b?utm_source=rss&fbclid=x",
    ]
    assert {canonical_url(u) for u in same} == {"example.com/a/b"}
    assert len({url_key(u) for u in same}) == 1
    assert url_key("https://example.com/a/b?id=7") != url_key("https://example.com/a/b?id=8")


def test_a_url_too_broken_to_split_is_its_own_key():
    assert canonical_url("http://[x/story") == "http://[x/story"
    assert canonical_url("https://example.com:99999/a") == "https://example.com:99999/a"


_host = st.from_regex(r"(www\.)?[a-zA-Z0-9-]{1,8}(\.[a-z]{2,3}){1,2}(:[0-9]{1,5})?", fullmatch=True)
_path = st.from_regex(r"(/[a-zA-Z0-9._~%!$&'()*+,;=:@-]{0,6}){0,3}/?", fullmatch=True)


@given(
    st.sampled_from(["http://", "https://", "HTTP://"]),
    _host,
    _path,
    st.sampled_from(["", "?utm_source=x", "?b=2&a=1", "#frag", "?id=1#f"]),
)
def test_the_fast_path_agrees_with_the_full_split(scheme, host, path, tail):
    url = scheme + host + path + tail
    fast = urls._plain_canonical(url)
    if fast:
        assert fast == urls._split_canonical(url)


def test_join_resolves_relative_links_and_never_raises():
    assert join("https://example.com/news/", "a.html") == "https://example.com/news/a.html"
    assert join("https://example.com/", "http://[x/story") == ""
