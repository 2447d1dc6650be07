"""The SQLite store, the only place with SQL: schema and migrations, then one module per concern.

One connection per thread (SQLite connections belong to the thread that made them), all writes
inside ``BEGIN IMMEDIATE`` transactions so two processes on one home directory serialise instead of
interleaving. Times are stored as UTC epoch seconds. :class:`Store` is the one API; its parts live in
``feeds``, ``stories``, ``listing``, ``triage``, ``notes``, ``sources``, ``clusters``, ``rules``, ``retention``
and ``desk`` (several analysts on one store), as the ``reader`` library keeps its storage in ``_storage/``.
"""

from __future__ import annotations

from tui_reader.errors import StoreError
from tui_reader.store.base import from_epoch, to_epoch
from tui_reader.store.clusters import ClustersMixin
from tui_reader.store.desk import Change
from tui_reader.store.feeds import FeedsMixin
from tui_reader.store.listing import ListingMixin, ListRow
from tui_reader.store.retention import PurgeResult, RetentionMixin
from tui_reader.store.rules import RuleAction, RuleMarks, RulesMixin
from tui_reader.store.schema import MIGRATIONS
from tui_reader.store.stories import StoriesMixin, UpsertResult
from tui_reader.store.triage import TriageMixin

__all__ = [
    "MIGRATIONS",
    "Change",
    "ListRow",
    "PurgeResult",
    "RuleAction",
    "RuleMarks",
    "Store",
    "StoreError",
    "UpsertResult",
    "from_epoch",
    "to_epoch",
]


class Store(FeedsMixin, StoriesMixin, RulesMixin, ListingMixin, TriageMixin, ClustersMixin, RetentionMixin):
    """The SQLite store of one profile."""
