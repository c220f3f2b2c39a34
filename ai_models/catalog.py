"""The live catalog: every model the enabled providers list, cached, never stored in the database.

Per provider, the parsed list is kept in the configured cache (``AI_MODELS["CACHE"]``) under a
key made of the provider id and its ``fingerprint`` (a hash of its configuration, never the
key itself), with the time it was fetched. It counts as fresh for ``CATALOG_TTL`` and is kept
for ``STALE_TTL``, so when a refresh fails the last good list is served, marked stale, with
the error. The outcome of the last attempt is cached too, so every process reports the same
status. One provider failing never breaks the listing.

Fetches of several providers run in parallel threads, and at most one per provider at a time
across processes (a lock key taken with ``cache.add``): the others serve the stale list or
wait for the result.

Each process memoizes the decoded list against the token stored with it, so a page view
costs one ``get_many`` of small status keys; a refresh made by another process changes the
token and is picked up on the next call. Listed entries leave ``raw`` empty (it is cached
compressed, apart); ``get_entry`` returns one model with it, for activation.

``filter_entries`` and ``sort_entries`` are pure; given the listing's own ``entries`` they
use its search index and sort ranks and remember their results, so paging a 10,000-model
catalog does not redo the work.
"""

import json
import logging
import math
import re
import threading
import time
import uuid
import zlib
from array import array
from bisect import bisect_right
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal
from itertools import accumulate, chain

from django.core.cache import caches
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .conf import ai_settings
from .exceptions import ProviderError, log_unexpected, redact
from .providers import enabled_providers, get_provider
from .providers.base import CatalogModel

__all__ = [
    "Entries",
    "EntryState",
    "EntryStates",
    "Listing",
    "ProviderStatus",
    "SORT_KEYS",
    "cached_entries",
    "entry_states",
    "filter_entries",
    "get_catalog",
    "get_entry",
    "matches_search",
    "provider_statuses",
    "refresh",
    "search_words",
    "sort_entries",
]

logger = logging.getLogger(__name__)

KEY_PREFIX = "ai_models:catalog:1"  # bump the number when the cached format changes
EPOCH_KEY = f"{KEY_PREFIX}:epoch"  # changes whenever any provider's list is stored
RAW_CHUNK = 64  # raw provider dicts compressed together: small enough to decode one cheaply
MAX_MEMO = 32  # derived views / decoded lists remembered per listing / process
FAILURE_BACKOFF = 60  # seconds before an automatic retry of a provider whose last fetch failed

STATE_LABELS = {
    "fresh": _("fresh"),
    "stale": _("stale"),
    "failed": _("failed"),
    "never": _("never fetched"),
}


def now() -> datetime:
    """The current time; the one clock of this module (tests replace it)."""
    return timezone.now()


# --- public types --------------------------------------------------------------------------


@dataclass
class ProviderStatus:
    """How a provider's catalog stands: fresh, stale (with its age and the error), failed or never fetched."""

    provider: str
    name: str
    state: str  # "fresh" | "stale" | "failed" | "never"
    fetched_at: datetime | None  # when the list being served was fetched
    error: str  # last error ("" if the last attempt succeeded); never contains a key
    count: int
    skipped: int
    key_source: str  # "environment" | "settings" | "database" | ""
    attempted_at: datetime | None = None  # when the last fetch attempt ended

    @property
    def age(self) -> timedelta | None:
        return None if self.fetched_at is None else now() - self.fetched_at

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])


@dataclass
class Listing:
    """Catalog models across providers, and the status of each provider."""

    entries: list  # of CatalogModel, capabilities cut to the configured ones, raw empty. Read-only.
    statuses: list = field(default_factory=list)


@dataclass(frozen=True)
class EntryState:
    """For which capabilities a catalog model is saved, and for which it is the active model."""

    saved_for: frozenset = frozenset()
    active_for: frozenset = frozenset()

    @property
    def saved(self) -> bool:
        return bool(self.saved_for)

    @property
    def active(self) -> bool:
        return bool(self.active_for)


class EntryStates(dict):
    """Catalog pk -> ``EntryState``, holding saved models only; ``states[pk]`` of another is empty."""

    def __missing__(self, pk):
        return NOT_SAVED


NOT_SAVED = EntryState()


# --- reading the catalog -------------------------------------------------------------------


def get_catalog(providers: list[str] | None = None, *, refresh: bool = False) -> Listing:
    """The catalog of the enabled providers (or of those named), from the cache when fresh.

    Stale, missing or (with ``refresh``) all lists are fetched, in parallel. A provider that
    fails is reported in ``statuses`` and never raises. Raises ``UnknownProvider`` for an id
    no provider class is registered under.
    """
    served = _collect(providers, refresh)
    return Listing(entries=_entries(served), statuses=[_status(*item[:2], item[3]) for item in served])


def refresh(providers: list[str] | None = None) -> Listing:
    """Fetch the catalogs of the chosen providers (default: all enabled) now, bypassing the cache."""
    return get_catalog(providers, refresh=True)


def provider_statuses(providers: list[str] | None = None) -> list[ProviderStatus]:
    """The status of each enabled provider's catalog as cached now; fetches nothing."""
    backends = _backends(providers)
    metas = _cache().get_many([_key(backend, "meta") for backend in backends])
    statuses = []
    for backend in backends:
        meta = metas.get(_key(backend, "meta"))
        statuses.append(_status(backend, meta, meta is not None and meta.get("token") is not None))
    return statuses


def get_entry(provider_id: str, model_id: str) -> CatalogModel | None:
    """One catalog model with its raw provider data, from the cached list (fetched if none is cached).

    None when the provider is not enabled or does not list ``model_id``.
    """
    try:
        served = _collect([provider_id], False)
    except LookupError:
        return None
    for _backend, _meta, cached, _listed in served:
        position = cached.position(model_id) if cached is not None else None
        if position is not None:
            entry = cached.restricted(_allowed())[position]
            return replace(entry, raw=cached.raw(position))
    return None


def cached_entries(pairs) -> dict:
    """(provider id, model id) -> that model in its provider's cached list, or None when the list lacks it.

    Reads the cache only; never fetches. A pair is left out when its provider has no good
    list cached (never fetched, failed with nothing to serve, not enabled, not registered):
    whether the model is still listed is then unknown, not "gone".
    """
    pairs = set(pairs)
    registered = []
    for provider_id in sorted({provider_id for provider_id, _model_id in pairs}):
        try:
            get_provider(provider_id)
        except (LookupError, ImportError):
            continue
        registered.append(provider_id)
    if not registered:
        return {}
    backends = enabled_providers(registered)
    cache = _cache()
    metas = cache.get_many([_key(backend, "meta") for backend in backends])
    allowed = _allowed()
    found = {}
    for backend in backends:
        cached = _load(cache, backend, metas.get(_key(backend, "meta")))
        if cached is None:
            continue
        models = cached.restricted(allowed)
        for provider_id, model_id in pairs:
            if provider_id == backend.id:
                position = cached.position(model_id)
                found[(provider_id, model_id)] = None if position is None else models[position]
    return found


def entry_states(entries=None) -> EntryStates:
    """Catalog pk -> ``EntryState`` (saved for, active for), in ONE query whatever the catalog size.

    Only saved models are keys; indexing with any other pk gives an empty state. With
    ``entries``, only their pks are kept.
    """
    from .models import AIModel

    saved, active = defaultdict(set), defaultdict(set)
    for slug, model_id, capability, is_active in AIModel.objects.values_list(
        "provider__slug", "model_id", "capability", "is_active"
    ):
        pk = f"{slug}:{model_id}"
        saved[pk].add(capability)
        if is_active:
            active[pk].add(capability)
    if entries is not None and saved:
        wanted = entries.has_pk if isinstance(entries, Entries) else {entry.pk for entry in entries}.__contains__
        saved = {pk: caps for pk, caps in saved.items() if wanted(pk)}
    return EntryStates(
        (pk, EntryState(frozenset(caps), frozenset(active.get(pk, ())))) for pk, caps in saved.items()
    )


def epoch():
    """A token that changes whenever a provider's list is stored, in any process (None if unknown)."""
    return _cache().get(EPOCH_KEY)


def clear_memo():
    """Forget this process's decoded catalogs (tests; the cache stays)."""
    _decoded.clear()
    _listings.clear()


# --- cache layout ----------------------------------------------------------------------------
#
# <prefix>:meta  {"token", "fetched_at", "count", "skipped", "error", "attempted_at", "attempt"}
#                 small: read for every provider on every listing (one get_many)
# <prefix>:list  (token, fetched_at, skipped, rows, raw_chunks): the compact parsed list
# <prefix>:lock  held by the one request fetching this provider, across processes
#
# Both data keys live for STALE_TTL; freshness is decided from fetched_at, not by expiry.


def _cache():
    return caches[ai_settings.CACHE]


def _prefix(backend) -> str:
    return f"{KEY_PREFIX}:{backend.id}:{backend.fingerprint}"


def _key(backend, part: str) -> str:
    return f"{_prefix(backend)}:{part}"


def _lock_timeout() -> int:
    """Longest a fetch can take with the configured timeouts and retries (the lock's lifetime)."""
    attempts = ai_settings.MAX_RETRIES + 1
    per_attempt = ai_settings.CONNECT_TIMEOUT + ai_settings.READ_TIMEOUT
    return max(1, math.ceil(per_attempt * attempts + ai_settings.MAX_RETRY_WAIT * (attempts - 1)))


def _allowed() -> frozenset:
    return frozenset(ai_settings.CAPABILITIES)


def _backends(providers):
    if isinstance(providers, str):
        providers = [providers]
    if providers is not None:
        for provider_id in providers:
            get_provider(provider_id)  # a typo is an error, not an empty listing
    # Resolved here, in the calling thread: fetch workers then do no database work.
    return enabled_providers(providers)


def _collect(providers, force):
    """[(backend, meta, cached list or None, whether it is listed)] for each enabled provider."""
    backends = _backends(providers)
    cache = _cache()
    metas = cache.get_many([_key(backend, "meta") for backend in backends])
    served, due = [], []
    for backend in backends:
        meta = metas.get(_key(backend, "meta"))
        cached = _load(cache, backend, meta)
        served.append([backend, meta, cached])
        if force or _due(meta, cached):
            due.append(len(served) - 1)
    if due:
        outcomes = _obtain_all([(served[i][0], served[i][1], served[i][2] is not None, force) for i in due])
        for i, (meta, payload) in zip(due, outcomes):
            if meta is None:  # another request is fetching; serve what we have
                continue
            backend = served[i][0]
            if payload is not None:
                cached = _remember(backend, payload)
            else:
                cached = _load(cache, backend, meta)
            served[i][1:] = [meta, cached or served[i][2]]
    return [(backend, meta, cached, cached is not None) for backend, meta, cached in served]


def _due(meta, cached) -> bool:
    """Whether the provider needs a fetch: nothing cached or expired, unless it just failed."""
    timestamp = now().timestamp()
    if meta and meta.get("error") and timestamp - (meta.get("attempted_at") or 0) < min(
        FAILURE_BACKOFF, ai_settings.CATALOG_TTL
    ):
        return False
    return cached is None or timestamp - cached.fetched_at >= ai_settings.CATALOG_TTL


def _status(backend, meta, listed) -> ProviderStatus:
    meta = meta or {}
    error = meta.get("error") or ""
    fetched = meta.get("fetched_at") if listed else None
    if fetched is None:
        state = "failed" if error else "never"
    elif error or now().timestamp() - fetched >= ai_settings.CATALOG_TTL:
        state = "stale"
    else:
        state = "fresh"
    return ProviderStatus(
        provider=backend.id,
        name=str(backend.name),
        state=state,
        fetched_at=_datetime(fetched),
        error=error,
        count=meta.get("count", 0) if listed else 0,
        skipped=meta.get("skipped", 0) if listed else 0,
        key_source=backend.key_source,
        attempted_at=_datetime(meta.get("attempted_at")),
    )


def _datetime(timestamp):
    return None if timestamp is None else datetime.fromtimestamp(timestamp, tz=dt_timezone.utc)


# --- fetching: parallel, single flight -------------------------------------------------------


def _obtain_all(jobs):
    """Run ``_obtain`` for each job in its own thread; [(meta, payload)] in job order."""
    timeout = _lock_timeout()
    executor = ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="ai-models-catalog")
    try:
        futures = [executor.submit(_in_worker, _obtain, *job, timeout) for job in jobs]
        wait(futures, timeout=timeout + 5)
        results = []
        for (backend, meta, _stale, _force), future in zip(jobs, futures):
            if not future.done():
                # Past the lock's lifetime: stop waiting; the worker still stores what it gets.
                message = gettext("%(provider)s: the catalog fetch timed out") % {"provider": backend.id}
                results.append((_failed_meta(meta, message), None))
            elif future.exception() is not None:  # the cache failed, not the provider
                log_unexpected(logger, f"Catalog of provider {backend.id!r}", future.exception(), backend.api_key)
                results.append((_failed_meta(meta, _unexpected(backend, future.exception())), None))
            else:
                results.append(future.result())
        return results
    finally:
        executor.shutdown(wait=False, cancel_futures=True)


def _in_worker(function, *args):
    try:
        return function(*args)
    finally:
        # A third-party provider may have used the database in this thread.
        connections.close_all()


def _obtain(backend, seen, can_serve_stale, force, timeout):
    """Fetch ``backend``'s catalog, or wait for the request already fetching it.

    Returns ``(meta, payload)``: the new status and, when this call fetched, the list it
    cached; ``(None, None)`` when a stale list can be served while another request fetches.
    """
    cache = _cache()
    lock_key, meta_key = _key(backend, "lock"), _key(backend, "meta")
    attempt = _attempt(seen)
    token = uuid.uuid4().hex
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        if cache.add(lock_key, token, timeout):
            try:
                latest = cache.get(meta_key)
                if _attempt(latest) != attempt:
                    return latest, None  # finished by another request since we looked
                return _fetch(cache, backend, latest)
            finally:
                if cache.get(lock_key) == token:
                    cache.delete(lock_key)
        if can_serve_stale and not force:
            return None, None
        latest = cache.get(meta_key)
        if _attempt(latest) != attempt:
            return latest, None
        if time.monotonic() >= deadline:
            message = gettext("the catalog is still being fetched by another request; try again in a moment")
            return _failed_meta(seen, message), None
        time.sleep(delay)
        delay = min(delay * 1.5, 0.25)


def _attempt(meta):
    return meta.get("attempt") if meta else None


def _failed_meta(previous, error):
    return {**(previous or {}), "error": error, "attempted_at": now().timestamp(), "attempt": uuid.uuid4().hex}


def _fetch(cache, backend, previous):
    """Fetch, store and return ``(meta, payload)``; a failure keeps the last good list."""
    try:
        models = backend.fetch_catalog()
        payload = _encode(models)
    except ProviderError as err:
        error = redact(str(err), backend.api_key)
    except Exception as err:
        # Third-party code: log the details, show nothing that could carry a key.
        log_unexpected(logger, f"Fetching the catalog of provider {backend.id!r} failed", err, backend.api_key)
        error = _unexpected(backend, err)
    else:
        token, fetched_at, skipped, rows, _raw = payload
        meta = {
            "token": token,
            "fetched_at": fetched_at,
            "count": len(rows),
            "skipped": skipped,
            "error": "",
            "attempted_at": fetched_at,
            "attempt": uuid.uuid4().hex,
        }
        # The list first: a reader that sees the new meta finds its list.
        cache.set(_key(backend, "list"), payload, ai_settings.STALE_TTL)
        cache.set(_key(backend, "meta"), meta, ai_settings.STALE_TTL)
        cache.set(EPOCH_KEY, meta["token"], None)
        return meta, payload
    meta = _failed_meta(previous, error)
    cache.set(_key(backend, "meta"), meta, ai_settings.STALE_TTL)
    return meta, None


def _unexpected(backend, err) -> str:
    return gettext("%(provider)s: unexpected %(error)s while fetching the catalog; see the server log") % {
        "provider": backend.id,
        "error": type(err).__name__,
    }


# --- the cached form -----------------------------------------------------------------------
#
# A row is CatalogModel's fields between ``provider`` (known from the key) and ``raw``, as a
# tuple; equal capability sets, reasons and modality tuples are one shared object, which
# pickle keeps shared. The raw provider dicts, needed only to activate one model, are JSON
# lines compressed RAW_CHUNK at a time.


def _encode(models):
    """(token, fetched_at, skipped, rows, raw_chunks) for a fetched list; duplicates dropped."""
    shared, seen, rows, raws = {}, set(), [], []

    def one(value, key=None):
        return shared.setdefault((type(value), value if key is None else key), value)

    for model in models:
        if model.model_id in seen:
            continue
        seen.add(model.model_id)
        reasons = {str(name): str(why) for name, why in model.reasons.items()}
        rows.append(
            (
                str(model.model_id),
                str(model.name or ""),
                str(model.description or ""),
                one(frozenset(model.capabilities)),
                one(reasons, tuple(sorted(reasons.items()))),
                model.context_window,
                _finite(model.input_price),
                _finite(model.output_price),
                _aware(model.created),
                model.expires,
                one(tuple(model.input_modalities)),
                one(tuple(model.output_modalities)),
            )
        )
        raws.append(model.raw)
    chunks = [
        zlib.compress(
            "\n".join(
                json.dumps(raw, separators=(",", ":"), ensure_ascii=False, default=str)
                for raw in raws[start : start + RAW_CHUNK]
            ).encode()
        )
        for start in range(0, len(raws), RAW_CHUNK)
    ]
    return uuid.uuid4().hex, now().timestamp(), getattr(models, "skipped", 0), rows, chunks


def _finite(price):
    return price if isinstance(price, Decimal) and price.is_finite() else None


def _aware(moment):
    if isinstance(moment, datetime) and timezone.is_naive(moment):
        return moment.replace(tzinfo=dt_timezone.utc)
    return moment


class _Cached:
    """One provider's cached list as decoded in this process."""

    def __init__(self, provider_id, payload):
        self.token, self.fetched_at, self.skipped, rows, self.raw_chunks = payload
        self.models = [CatalogModel(provider_id, *row) for row in rows]
        self._positions = None
        self._restricted = (None, None)

    def position(self, model_id):
        if self._positions is None:
            self._positions = {model.model_id: i for i, model in enumerate(self.models)}
        return self._positions.get(model_id)

    def raw(self, position) -> dict:
        lines = zlib.decompress(self.raw_chunks[position // RAW_CHUNK]).decode().split("\n")
        return json.loads(lines[position % RAW_CHUNK])

    def restricted(self, allowed: frozenset) -> list:
        """The models with capabilities (and their reasons) cut to ``allowed``."""
        key, models = self._restricted
        if key != allowed:
            models = _restrict(self.models, allowed)
            self._restricted = (allowed, models)
        return models


def _restrict(models, allowed):
    cut = {}  # id of a shared (capabilities, reasons) pair -> its cut version
    result = []
    for model in models:
        if model.capabilities <= allowed:
            result.append(model)
            continue
        pair = (id(model.capabilities), id(model.reasons))
        if pair not in cut:
            capabilities = model.capabilities & allowed
            cut[pair] = (capabilities, {k: v for k, v in model.reasons.items() if k in capabilities})
        capabilities, reasons = cut[pair]
        result.append(replace(model, capabilities=capabilities, reasons=reasons))
    return result


# prefix -> _Cached (the latest token seen); listing key -> Entries. Bounded, oldest dropped.
_decoded: dict = {}
_listings: dict = {}


def _bounded_set(memo, key, value):
    memo[key] = value
    while len(memo) > MAX_MEMO:
        memo.pop(next(iter(memo)), None)
    return value


def _remember(backend, payload):
    return _bounded_set(_decoded, _prefix(backend), _Cached(backend.id, payload))


def _load(cache, backend, meta):
    """The provider's cached list (memoized per token), or None when nothing usable is cached."""
    if not meta or meta.get("token") is None:
        return None
    prefix = _prefix(backend)
    cached = _decoded.get(prefix)
    if cached is not None and cached.token == meta["token"]:
        return cached
    payload = cache.get(f"{prefix}:list")
    try:
        return _remember(backend, payload) if payload is not None else None
    except (TypeError, ValueError):
        logger.warning("Ignoring an unreadable cached catalog of provider %r", backend.id)
        return None


def _entries(served):
    allowed = _allowed()
    lists = [(backend.id, cached) for backend, _meta, cached, listed in served if listed]
    # One listing per choice of providers: a refresh replaces it, so superseded catalogs
    # (and the views derived from them) are freed instead of lingering in the memo.
    key = (tuple(provider_id for provider_id, _cached in lists), allowed)
    tokens = tuple(cached.token for _id, cached in lists)
    remembered = _listings.get(key)
    if remembered is None or remembered[0] != tokens:
        models = list(chain.from_iterable(cached.restricted(allowed) for _id, cached in lists))
        remembered = _bounded_set(_listings, key, (tokens, Entries(_Source(models))))
    return remembered[1]


# --- filter, search, sort ------------------------------------------------------------------


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


def filter_entries(entries, *, provider=None, capability=None, search="", price=None, state=None, states=None):
    """The entries matching every criterion given, in their order.

    ``search``: every word must occur, case-insensitively, in the model id, name or description.
    ``price``: "free" (every known price is zero) or "paid" (a price above zero).
    ``state``: "active", "saved" or "none", read from ``states`` (see ``entry_states``).
    """
    if price not in (None, "", *PRICE_FILTERS):
        raise ValueError(f"price must be one of {PRICE_FILTERS}, not {price!r}")
    if state not in (None, "", *STATE_FILTERS):
        raise ValueError(f"state must be one of {STATE_FILTERS}, not {state!r}")
    if state and states is None:
        raise ValueError("filtering by state needs the states from entry_states()")
    words = search_words(search)
    if isinstance(entries, Entries):
        return entries.filtered(provider or None, capability or None, price or None, words, state or None, states)
    test = _predicate(provider, capability, price, state, states)
    return [entry for entry in entries if test(entry) and matches_search(entry, words)]


def sort_entries(entries, key="name", descending=False) -> list:
    """The entries sorted by ``key`` (see ``SORT_KEYS``), None last; stable, so sorts can be chained."""
    if key not in SORT_KEYS:
        raise ValueError(f"sort key must be one of {', '.join(SORT_KEYS)}, not {key!r}")
    if isinstance(entries, Entries):
        return entries.sorted(key, bool(descending))
    return [entries[i] for i in _order(entries, key, descending)]


def search_words(search: str) -> tuple:
    """The distinct case-folded words of a search."""
    return tuple(dict.fromkeys((search or "").casefold().split()))


def matches_search(entry, words) -> bool:
    """Whether every word occurs in the entry's id, name or description."""
    if not words:
        return True
    text = _haystack(entry)
    return all(word in text for word in words)


def _haystack(entry) -> str:
    return f"{entry.model_id} {entry.name} {entry.description}".casefold()


def _is_free(entry):
    prices = [price for price in (entry.input_price, entry.output_price) if price is not None]
    return bool(prices) and not any(prices)


def _is_paid(entry):
    return any(price is not None and price > 0 for price in (entry.input_price, entry.output_price))


def _criterion(kind, value):
    if kind == "provider":
        return lambda entry: entry.provider == value
    if kind == "capability":
        return lambda entry: value in entry.capabilities
    return _is_free if value == "free" else _is_paid


def _state_test(state, states):
    if state == "active":
        return lambda entry: bool(states[entry.pk].active_for)
    if state == "saved":
        return lambda entry: bool(states[entry.pk].saved_for)
    return lambda entry: not states[entry.pk].saved_for


def _predicate(provider, capability, price, state, states):
    tests = [_criterion(kind, value) for kind, value in _criteria(provider, capability, price)]
    if state:
        tests.append(_state_test(state, _as_states(states)))
    return lambda entry: all(test(entry) for test in tests)


def _criteria(provider, capability, price) -> tuple:
    return tuple((kind, value) for kind, value in (("provider", provider), ("capability", capability),
                                                   ("price", price)) if value)


def _as_states(states):
    return states if isinstance(states, EntryStates) else EntryStates(states)


def _order(entries, key, descending) -> list:
    """Positions of ``entries`` in ``key`` order, None last; stable."""
    values = list(map(SORT_KEYS[key], entries))
    known = [i for i, value in enumerate(values) if value is not None]
    known.sort(key=values.__getitem__, reverse=descending)
    return known + [i for i, value in enumerate(values) if value is None]


WORD = re.compile(r"\w+")


class _Source:
    """The models of one listing, and what is built on them on first use: the search index,
    the positions matching each filter value, the order and ranks for each sort key."""

    def __init__(self, models):
        self.models = models
        self.views = {}  # derivation path -> Entries: one bounded memo for the whole listing
        self._index = None
        self._pks = None
        self._where = {}
        self._orders = {}
        self._lock = threading.Lock()

    def position_of(self, pk):
        if self._pks is None:
            self._pks = {model.pk: position for position, model in enumerate(self.models)}
        return self._pks.get(pk)

    def where(self, kind, value) -> frozenset:
        positions = self._where.get((kind, value))
        if positions is None:
            test = _criterion(kind, value)
            positions = frozenset(p for p, model in enumerate(self.models) if test(model))
            self._where[(kind, value)] = positions
        return positions

    def allowed(self, criteria, words) -> set:
        """Positions matching every criterion and containing every word."""
        keep = None
        for kind, value in criteria:
            keep = self.where(kind, value) if keep is None else keep & self.where(kind, value)
        if words and (keep is None or keep):
            hits = self.search(words)
            keep = hits if keep is None else keep & hits
        return keep

    def search(self, words) -> set:
        """Positions of the models every word occurs in (see ``matches_search``)."""
        with self._lock:
            if self._index is None:
                self._index = _SearchIndex(self.models)
        pieces, to_check = [], []
        for word in words:
            found = WORD.findall(word)
            pieces += found
            if found != [word]:
                to_check.append(word)  # the index finds a superset for words with other characters
        hits = None
        for piece in sorted(set(pieces), key=len, reverse=True):  # longer pieces are usually rarer
            found = self._index.containing(piece)
            hits = found if hits is None else hits & found
            if not hits:
                return set()
        if hits is None:
            hits = set(range(len(self.models)))
        if to_check:
            models = self.models
            hits = {p for p in hits if all(word in _haystack(models[p]) for word in to_check)}
        return hits

    def order(self, key, descending):
        """(positions in ``key`` order, position -> rank); equal values share a rank, so sorting by it is stable."""
        found = self._orders.get((key, descending))
        if found is None:
            value = SORT_KEYS[key]
            order = _order(self.models, key, descending)
            ranks = array("l", [0]) * len(self.models)
            rank, previous = -1, None
            for position in order:
                current = value(self.models[position])
                if rank < 0 or current != previous:
                    rank, previous = rank + 1, current
                ranks[position] = rank
            found = self._orders[(key, descending)] = (order, ranks)
        return found


class _SearchIndex:
    """Word piece -> positions of the models whose text has a piece containing it.

    The text of each model is cut into its runs of word characters (\\w+). Where a search
    word occurs, each of its own runs lies inside one of the text's, so finding the word's
    runs in the string of all distinct runs gives every model that can match, without
    scanning the models; a word that is one run matches exactly those.
    """

    def __init__(self, models):
        postings, pieces = defaultdict(list), WORD.findall
        for position, model in enumerate(models):
            for piece in set(pieces(_haystack(model))):
                postings[piece].append(position)
        self._postings = list(postings.values())
        self._text = "\n".join(postings)
        self._starts = array("l", accumulate((len(piece) + 1 for piece in postings), initial=0))

    def containing(self, piece) -> set:
        hits, text, starts, postings = set(), self._text, self._starts, self._postings
        at = text.find(piece)
        while at != -1:
            found = bisect_right(starts, at) - 1
            hits.update(postings[found])
            at = text.find(piece, starts[found + 1])
        return hits


class Entries(list):
    """A read-only list of catalog models that knows the listing it was cut from.

    ``get_catalog`` returns one per catalog version and process, shared by every request:
    do not change it (it refuses). ``filter_entries`` and ``sort_entries`` on one return
    another, computed with the listing's search index and sort ranks, and remember it.
    """

    __slots__ = ("_source", "_positions", "_ascending", "_path", "_position_set")

    def __init__(self, source, positions=None, ascending=True):
        models = source.models
        list.__init__(self, models if positions is None else map(models.__getitem__, positions))
        self._source = source
        self._positions = positions  # None: the whole listing in order
        self._ascending = ascending  # positions increase (filters keep the listing's order)
        self._path = ()  # the filters and sorts that made it from the listing; None: not remembered
        self._position_set = None

    def _read_only(self, *args, **kwargs):
        raise TypeError("The catalog listing is shared and read-only: copy it with list() to change it.")

    append = extend = insert = remove = pop = clear = sort = reverse = _read_only
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only

    def __reduce_ex__(self, protocol):
        return (list, (list(self),))  # a copy is a plain list

    @property
    def positions(self):
        return range(len(self)) if self._positions is None else self._positions

    def _set(self) -> set:
        if self._position_set is None:
            self._position_set = set(self._positions)
        return self._position_set

    def has_pk(self, pk) -> bool:
        position = self._source.position_of(pk)
        return position is not None and (self._positions is None or position in self._set())

    def _positions_in(self, keep) -> list:
        """This view's positions that are in ``keep``, in this view's order."""
        if self._positions is None:
            return sorted(keep)
        if self._ascending and len(keep) < len(self):
            return sorted(keep & self._set())
        return [p for p in self._positions if p in keep]

    def _remember(self, key, compute):
        """The view ``key`` derives from this one, from the listing's memo when there."""
        if self._path is None:
            return compute()
        path = self._path + (key,)
        view = self._source.views.get(path)
        if view is None:
            view = compute()
            view._path = path
            _bounded_set(self._source.views, path, view)
        return view

    def filtered(self, provider, capability, price, words, state, states):
        view, source = self, self._source
        criteria = _criteria(provider, capability, price)
        if criteria or words:
            view = self._remember(
                ("filter", criteria, tuple(sorted(words))),
                lambda: Entries(source, self._positions_in(source.allowed(criteria, words)), self._ascending),
            )
        if state:  # states change with every activation: not remembered
            test, models = _state_test(state, _as_states(states)), source.models
            view = Entries(source, [p for p in view.positions if test(models[p])], view._ascending)
            view._path = None  # and neither is anything derived from it
        return view

    def sorted(self, key, descending):
        def compute():
            order, ranks = self._source.order(key, descending)
            if self._positions is None:
                positions = order
            elif self._ascending and 4 * len(self) > len(order):
                # A large view in listing order: walking the full order is cheaper than sorting.
                positions = self._positions_in_order(order)
            else:
                positions = sorted(self._positions, key=ranks.__getitem__)
            return Entries(self._source, positions, False)

        return self._remember(("sort", key, descending), compute)

    def _positions_in_order(self, order):
        keep = self._set()
        return [p for p in order if p in keep]
