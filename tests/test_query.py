from datetime import datetime, timezone

import pytest

from tui_reader.errors import QueryError
from tui_reader.models import Grade, State
from tui_reader.query import parse_filter

NOW = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)


def test_filter_language_builds_the_query():
    q = parse_filter(
        "tag:Syria rating:<=B2 source:al-monitor group:middle_east since:2d state:untriaged drone strike", now=NOW
    )
    assert q.tag == "syria" and q.group == "middle_east"
    assert q.max_grade == Grade("B", "2")
    assert q.source == "al-monitor"
    assert q.since == datetime(2026, 11, 23, 12, tzinfo=timezone.utc)
    assert q.states == (State.UNREAD, State.READ)
    assert q.text == "drone strike"


def test_unknown_keys_are_search_words():
    assert parse_filter("http://x.example time:now").text == "http://x.example time:now"


@pytest.mark.parametrize(
    "text, message",
    [
        ("rating:G9", "invalid Admiralty grade"),
        ("state:maybe", "use one of"),
        ("since:yesterday", "bad time"),
        ("tag:", "needs a value"),
    ],
)
def test_bad_filters_say_what_is_wrong(text, message):
    with pytest.raises(QueryError, match=message):
        parse_filter(text)
