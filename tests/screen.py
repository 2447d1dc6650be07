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


async def workers_done(app) -> None:
    """Wait until none of the app's workers runs.

    Textual's ``wait_for_complete`` raises ``WorkerCancelled`` when an exclusive worker is replaced
    while it waits (a newer view load cancels the older one, which is the point of ``exclusive``);
    that is not a failure, so wait on whatever is still running until nothing is. The desk's watcher
    (group ``desk``) runs as long as the app does, so it is not waited for.
    """
    import asyncio

    while running := [w for w in app.workers if not w.is_finished and w.group != "desk"]:
        await asyncio.gather(*(w.wait() for w in running if w.is_running), return_exceptions=True)
        await asyncio.sleep(0)
