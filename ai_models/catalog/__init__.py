"""The live catalog: every model the enabled providers list, cached, never stored in the database.

One module per concern; import the public names from here (``from ai_models import catalog``):

- ``store``: the cache layout, stale-on-error, parallel single-flight fetches, the clock;
- ``encoding``: the compact cached form of one provider's list;
- ``status``: ``ProviderStatus`` and ``provider_statuses`` (fresh / stale / failed / never);
- ``listing``: ``get_catalog``, ``refresh``, ``get_entry``, ``cached_entries``;
- ``criteria``: sort keys, filters and search words, pure; ``views``: the indexed, memoized
  ``Entries`` of a listing; ``query``: ``filter_entries`` and ``sort_entries`` over either;
- ``states``: saved / active states in one query (``entry_states``);
- ``memo``: what each process remembers, bounded (``clear_memo``).
"""

from .criteria import SORT_KEYS, matches_search, search_words
from .listing import Listing, cached_entries, get_catalog, get_entry, refresh
from .memo import clear_memo
from .query import filter_entries, sort_entries
from .states import EntryState, EntryStates, entry_states
from .status import ProviderStatus, provider_statuses
from .store import epoch
from .views import Entries

__all__ = [
    "Entries",
    "EntryState",
    "EntryStates",
    "Listing",
    "ProviderStatus",
    "SORT_KEYS",
    "cached_entries",
    "clear_memo",
    "entry_states",
    "epoch",
    "filter_entries",
    "get_catalog",
    "get_entry",
    "matches_search",
    "provider_statuses",
    "refresh",
    "search_words",
    "sort_entries",
]
