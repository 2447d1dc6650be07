"""The one base of every error worded for the user.

The CLI prints any of them as one line and exits 2, catching this base alone, so it never has to
import the modules that raise them (briefing and its file lock, triage) just to name their errors.
"""


class UserError(Exception):
    """A problem with the user's input, config, data or files, in one line fit to print."""


class StoreError(UserError):
    """A store problem worded for the user."""
