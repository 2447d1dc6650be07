"""What a Textual app's terminal shows, as plain text, for assertions in Pilot tests."""

import html
import re


def screen_text(app) -> str:
    """The screen as plain text (from the SVG screenshot Textual would save)."""
    return html.unescape(re.sub(r"<[^>]+>", "", app.export_screenshot())).replace("\xa0", " ")
