"""What a filter, a search word and a sort key make of one catalog entry. Pure."""

import fnmatch
import json
import re

from .. import requirements


def _name_key(entry):
    return (entry.name or entry.model_id).casefold()


SORT_KEYS = {
    "name": _name_key,
    "provider": lambda entry: (entry.provider, _name_key(entry)),
    "context": lambda entry: entry.context_window,
    "input_price": lambda entry: entry.input_price,
    "output_price": lambda entry: entry.output_price,
    "created": lambda entry: entry.created,
    "model_id": lambda entry: entry.model_id.casefold(),
}
"""Sort key name -> value of an entry (None sorts last in both directions)."""
SORT_KEYS["price"] = SORT_KEYS["input_price"]

PRICE_FILTERS = ("free", "paid")
STATE_FILTERS = ("active", "saved", "none")
EXPIRY_FILTERS = ("expired", "expiring", "none")


def expiry_state(expires, today, window_days) -> str:
    """"expired" (the date has passed), "expiring" (within ``window_days``) or "none". Pure."""
    if expires is None:
        return "none"
    days = (expires - today).days
    if days < 0:
        return "expired"
    return "expiring" if days <= window_days else "none"


def expiry_test(expiry, today, window_days):
    return lambda entry: expiry_state(entry.expires, today, window_days) == expiry


def search_words(search: str) -> tuple:
    """The distinct case-folded words of a search."""
    return tuple(dict.fromkeys((search or "").casefold().split()))


def matches_search(entry, words) -> bool:
    """Whether every word occurs in the entry's id, name or description."""
    if not words:
        return True
    text = haystack(entry)
    return all(word in text for word in words)


def haystack(entry) -> str:
    return f"{entry.model_id} {entry.name} {entry.description}".casefold()


def _is_free(entry):
    prices = [price for price in (entry.input_price, entry.output_price) if price is not None]
    return bool(prices) and not any(prices)


def _is_paid(entry):
    return any(price is not None and price > 0 for price in (entry.input_price, entry.output_price))


def criterion(kind, value):
    if kind == "provider":
        return lambda entry: entry.provider == value
    if kind == "capability":  # offered for it, and not failing its requirements (unknown ones count)
        name, requires = value[0], json.loads(value[1])
        if not requires:
            return lambda entry: name in entry.capabilities
        return lambda entry: name in entry.capabilities and requirements.standing(entry, requires) != requirements.UNMET
    if kind == "hidden":  # value: (rules, whether the hidden ones are wanted)
        test, wanted = hidden_test(value[0]), value[1]
        return lambda entry: test(entry) == wanted
    if kind == "meets":
        name, requires = value[0], json.loads(value[1])
        return lambda entry: name in entry.capabilities and requirements.meets(entry, requires)
    return _is_free if value == "free" else _is_paid


def hidden_test(rules: tuple):
    """A test telling whether a catalog entry is hidden by ``rules`` ((provider, action, pattern)
    tuples, see ``curation.rules``): left out of its provider's allow-list, or matching a hide rule."""
    by_provider: dict = {}
    for provider, action, pattern in rules:
        by_provider.setdefault(provider, {}).setdefault(action, []).append(fnmatch.translate(pattern))
    compiled = {provider: {action: re.compile("|".join(patterns)) for action, patterns in actions.items()}
                for provider, actions in by_provider.items()}

    def hidden(entry) -> bool:
        own = compiled.get(entry.provider)
        if own is None:
            return False
        allow, hide = own.get("allow"), own.get("hide")
        if allow is not None and not allow.match(entry.model_id):
            return True
        return hide is not None and bool(hide.match(entry.model_id))

    return hidden


def meets_value(name: str, requires: dict) -> tuple:
    """The hashable value of a "capability" or "meets" criterion: the capability and its
    requirements, so a memoized filter never outlives a change of the requirements."""
    return name, json.dumps(requires, sort_keys=True, default=str)


def state_test(state, states, capability=None):
    """A test of an entry's state in ``states`` (an ``EntryStates``: unknown pks are not saved);
    with ``capability`` (the "capability" criterion's value, see ``meets_value``), its state for
    that capability alone (saved for chat, not for content)."""
    if capability:
        capability = capability[0]
        if state == "active":
            return lambda entry: capability in states[entry.pk].active_for
        if state == "saved":
            return lambda entry: capability in states[entry.pk].saved_for
        return lambda entry: capability not in states[entry.pk].saved_for
    if state == "active":
        return lambda entry: bool(states[entry.pk].active_for)
    if state == "saved":
        return lambda entry: bool(states[entry.pk].saved_for)
    return lambda entry: not states[entry.pk].saved_for


def predicate(provider, capability, price, state, states, meets=None, hidden=None):
    tests = [criterion(kind, value) for kind, value in active_criteria(provider, capability, price, meets, hidden)]
    if state:
        tests.append(state_test(state, states, capability))
    return lambda entry: all(test(entry) for test in tests)


def active_criteria(provider, capability, price, meets=None, hidden=None) -> tuple:
    return tuple((kind, value) for kind, value in (("hidden", hidden), ("provider", provider), ("capability", capability),
                                                   ("price", price), ("meets", meets)) if value)


def order_positions(entries, key, descending) -> list:
    """Positions of ``entries`` in ``key`` order, None last; stable."""
    values = list(map(SORT_KEYS[key], entries))
    known = [i for i, value in enumerate(values) if value is not None]
    known.sort(key=values.__getitem__, reverse=descending)
    return known + [i for i, value in enumerate(values) if value is None]
