"""The store, the only place with SQL: schema and migrations, then one module per concern.

A SQLite file by default, or a PostgreSQL database a team shares (``[store] url``): one engine module
each (``sqlite``, ``postgresql``) holds what their SQL does not share. One connection per thread
(SQLite connections belong to the thread that made them), all writes inside transactions that take
the store's write lock first, so two processes on one store serialise instead of interleaving. Times
are stored as UTC epoch seconds. :class:`Store` is the one API; its parts live in ``feeds``, ``stories``,
``listing``, ``triage``, ``notes``, ``sources``, ``clusters``, ``rules``, ``retention`` and ``desk``
(several analysts on one store), as the ``reader`` library keeps its storage in ``_storage/``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from tui_reader.config import Settings
    from tui_reader.paths import Paths

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
    "configured",
    "open_store",
    "to_epoch",
]


class Store(FeedsMixin, StoriesMixin, RulesMixin, ListingMixin, TriageMixin, ClustersMixin, RetentionMixin):
    """The store of one profile (a SQLite file) or of a team (a PostgreSQL database)."""


def open_store(settings: Settings, paths: Paths) -> Store:
    """The store the settings name (``[store] url``, else the SQLite file in the data directory), set up by them."""
    return configured(Store(settings.store.url or paths.db_file), settings)


def configured(store: Store, settings: Settings) -> Store:
    """``store`` with the settings it applies itself: rules and watchlists at intake, retention, who writes."""
    from tui_reader.watch import watch_rules

    store.rules = settings.rules + watch_rules(settings.watchlists)
    store.watchlists = settings.watchlists
    store.keep_days = settings.retention.keep_days
    store.analyst = settings.user.name
    return store
