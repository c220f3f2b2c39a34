"""Filtering and sorting catalog entries, on a listing's indexed views or on any list of entries."""

from django.utils import timezone

from ..capabilities import configured, validate_capability
from ..conf import ai_settings
from .criteria import (
    EXPIRY_FILTERS,
    PRICE_FILTERS,
    SORT_KEYS,
    STATE_FILTERS,
    expiry_test,
    matches_search,
    meets_value,
    order_positions,
    predicate,
    search_words,
)
from .states import EntryStates
from .views import Entries


def filter_entries(
    entries, *, provider=None, capability=None, search="", price=None, state=None, states=None, meets=None,
    expiry=None, today=None, failing=False,
):
    """The entries matching every criterion given, in their order.

    ``search``: every word must occur, case-insensitively, in the model id, name or description.
    ``price``: "free" (every known price is zero) or "paid" (a price above zero).
    ``state``: "active", "saved" or "none", read from ``states`` (see ``entry_states``); with
    ``capability``, for that capability (saved for chat, not merely saved for another).
    ``capability``: entries offered for it that do not fail a requirement it declares (those the
    provider says too little about count); with ``failing``, those failing one too (every model of
    its kind). ``meets``: a capability name: entries offered for it that are known to meet every
    requirement it declares (``UnknownCapability`` for a name not configured).
    ``expiry``: "expired" (the provider's expiry date has passed, as of ``today``), "expiring"
    (within ``AI_MODELS["DRIFT_EXPIRY_DAYS"]``) or "none" (no date, or a later one).
    """
    if expiry not in (None, "", *EXPIRY_FILTERS):
        raise ValueError(f"expiry must be one of {EXPIRY_FILTERS}, not {expiry!r}")
    found = _filter(entries, provider, capability, search, price, state, states, meets, failing)
    if not expiry:
        return found
    test = expiry_test(expiry, today or timezone.localdate(), ai_settings.DRIFT_EXPIRY_DAYS)
    return found.where(test) if isinstance(found, Entries) else [entry for entry in found if test(entry)]


def _filter(entries, provider, capability, search, price, state, states, meets, failing):
    if price not in (None, "", *PRICE_FILTERS):
        raise ValueError(f"price must be one of {PRICE_FILTERS}, not {price!r}")
    if state not in (None, "", *STATE_FILTERS):
        raise ValueError(f"state must be one of {STATE_FILTERS}, not {state!r}")
    if state and states is None:
        raise ValueError("filtering by state needs the states from entry_states()")
    if state and not isinstance(states, EntryStates):
        states = EntryStates(states)  # unknown pks then read as not saved
    words = search_words(search)
    if meets:
        meets = meets_value(validate_capability(meets), configured()[meets].requires)
    if capability:
        declared = configured().get(capability)
        capability = meets_value(capability, declared.requires if declared and not failing else {})
    if isinstance(entries, Entries):
        return entries.filtered(
            provider or None, capability or None, price or None, words, state or None, states, meets or None
        )
    test = predicate(provider, capability, price, state, states, meets or None)
    return [entry for entry in entries if test(entry) and matches_search(entry, words)]


def sort_entries(entries, key="name", descending=False) -> list:
    """The entries sorted by ``key`` (see ``SORT_KEYS``), None last; stable, so sorts can be chained."""
    if key not in SORT_KEYS:
        raise ValueError(f"sort key must be one of {', '.join(SORT_KEYS)}, not {key!r}")
    if isinstance(entries, Entries):
        return entries.sorted(key, bool(descending))
    return [entries[i] for i in order_positions(entries, key, descending)]
