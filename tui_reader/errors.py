"""The one error tree: every error worded for the user derives from :class:`UserError`.

The CLI prints any of them as one line and exits 2, and the TUI shows one as a notification, each
catching this base alone, so neither has to import the modules that raise them (briefing and its
file lock, triage, the store) just to name their errors. ``ValueError`` stays a second base where
callers validate input with it.
"""


class UserError(Exception):
    """A problem with the user's input, config, data or files, in one line fit to print."""


class UsageError(UserError):
    """A command line that cannot be carried out as typed."""


class ConfigError(UserError, ValueError):
    """A config problem (one line, names the key)."""


class StoreError(UserError):
    """The store cannot be opened or written: disk full, locked, damaged, newer than this version."""


class ConflictError(StoreError):
    """A save refused because a colleague changed the story after it was loaded (optimistic concurrency).

    ``analyst``, ``kind`` and ``at`` (epoch seconds) say whose change won, so the TUI can offer to reload.
    """

    def __init__(self, message: str, *, story_id: int, analyst: str = "", kind: str = "", at: int = 0) -> None:
        super().__init__(message)
        self.story_id, self.analyst, self.kind, self.at = story_id, analyst, kind, at


class BriefingError(UserError, ValueError):
    """A briefing note that cannot be read or written."""


class TriageError(UserError, ValueError):
    """Bad triage input; nothing was saved."""


class NoteBehind(UserError):
    """The store saved the triage but its note could not be written (full disk, busy lock); the journal keeps it."""


class GradeError(UserError, ValueError):
    """An Admiralty code that is not A–F followed by 1–6."""


class JudgementError(UserError, ValueError):
    """A key judgement whose probability or confidence is not one of ICD 203's words."""


class QueryError(UserError, ValueError):
    """A filter the user typed that cannot be understood."""


class OpmlError(UserError, ValueError):
    """The file is not usable OPML."""


class FeedError(UserError, ValueError):
    """The bytes are not a usable feed; the message is one line for the feed's status."""
