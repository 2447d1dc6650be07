"""The source register's judgement calls: which wire agency a story is a copy of.

A reprint of agency copy (AP, Reuters, AFP, dpa) under another outlet's name is not independent
corroboration: corroboration (:mod:`tui_reader.cluster`) counts it as the agency. A story is taken
for agency copy when its byline names the agency, or its text opens on the agency's dateline
("BEIRUT (Reuters) -") or ends on its copyright ("© 2026 The Associated Press"). Photo credits ("AP
Photo/…") say nothing about the text and are not read, nor is "Reporting by…; Editing by…": many
desks sign that way, and it names people, not the agency.
"""

from __future__ import annotations

import re

_BYLINE = [
    ("AP", re.compile(r"\b(?:AP|Associated Press)\b(?! ?Photo)")),
    ("Reuters", re.compile(r"(?i)\bReuters\b")),
    ("AFP", re.compile(r"\bAFP\b|(?i:\bAgence France[- ]Presse\b)")),
    ("dpa", re.compile(r"\bdpa\b|(?i:\bDeutsche Presse-Agentur\b)")),
]
_DATELINE = re.compile(r"\((AP|Reuters|AFP|dpa)\)\s*[-–—:]")
_CREDIT = [
    ("AP", re.compile(r"(?i)(?:©|copyright)\s*\d{4}\s+(?:the\s+)?Associated Press")),
    ("AFP", re.compile(r"(?i)(?:©|copyright)\s*\d{4}\s+(?:AFP|Agence France[- ]Presse)")),
]
LEAD = 300
"""Characters at the start (dateline) and end (credit) of the text that are read."""


def wire_credit(byline: str, text: str) -> str:
    """The agency (AP, Reuters, AFP or dpa) whose copy this is, or "" when nothing says so."""
    for agency, pattern in _BYLINE:
        if byline and pattern.search(byline):
            return agency
    if m := _DATELINE.search(text[:LEAD]):
        return m.group(1)
    tail = text[-LEAD:]
    return next((agency for agency, pattern in _CREDIT if pattern.search(tail)), "")
