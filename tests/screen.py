"""What a Textual app's terminal shows, as plain text, for assertions in Pilot tests."""

import html
import re


def screen_text(app) -> str:
    """The screen as plain text (from the SVG screenshot Textual would save)."""
    return html.unescape(re.sub(r"<[^>]+>", "", app.export_screenshot())).replace("\xa0", " ")


class Toasts(list):
    """The notifications an app posts, as text: pass ``message_hook=toasts.hook`` to ``run_test``."""

    def hook(self, message) -> None:
        from textual.notifications import Notify

        if isinstance(message, Notify):
            self.append(message.notification.message)
