"""Reading the catalog: the listing across providers, one entry with its raw data, cached entries.

Listed entries leave ``raw`` empty (it is cached compressed, apart); ``get_entry`` returns one
model with it, for activation. Each listing is an ``Entries`` shared by every request of the
process until a provider's list changes.
"""

from dataclasses import dataclass, field, replace
from itertools import chain

from .. import capabilities
from ..providers import get_provider
from ..providers.base import CatalogModel
from . import curation, memo, store
from .status import status_of
from .views import Entries, Source


@dataclass
class Listing:
    """Catalog models across providers, and the status of each provider."""

    entries: list  # of CatalogModel, capabilities cut to the configured ones, raw empty. Read-only.
    statuses: list = field(default_factory=list)
    hidden: list = field(default_factory=list)  # the models staff hid (``curation``), left out of entries


def get_catalog(providers: list[str] | None = None, *, refresh: bool = False) -> Listing:
    """The catalog of the enabled providers (or of those named), from the cache when fresh, without
    the models staff hid (those are in ``hidden``).

    Stale, missing or (with ``refresh``) all lists are fetched, in parallel. A provider that
    fails is reported in ``statuses`` and never raises. Raises ``UnknownProvider`` for an id
    no provider class is registered under.
    """
    served = store.collect(providers, refresh)
    shown, hidden = curation.split(_entries(served))
    return Listing(entries=shown, statuses=[status_of(*item[:2], item[3]) for item in served], hidden=hidden)


def refresh(providers: list[str] | None = None) -> Listing:
    """Fetch the catalogs of the chosen providers (default: all enabled) now, bypassing the cache."""
    return get_catalog(providers, refresh=True)


def get_entry(provider_id: str, model_id: str) -> CatalogModel | None:
    """One catalog model with its raw provider data, from the cached list (fetched if none is cached).

    None when the provider is not enabled or does not list ``model_id``.
    """
    try:
        served = store.collect([provider_id], False)
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
    backends = store.backends_in_use(registered)
    cache = store.shared_cache()
    metas = cache.get_many([store.cache_key(backend, "meta") for backend in backends])
    allowed = _allowed()
    found = {}
    for backend in backends:
        cached = store.load(cache, backend, metas.get(store.cache_key(backend, "meta")))
        if cached is None:
            continue
        models = cached.restricted(allowed)
        for provider_id, model_id in pairs:
            if provider_id == backend.id:
                position = cached.position(model_id)
                found[(provider_id, model_id)] = None if position is None else models[position]
    return found


def _allowed() -> tuple:
    return capabilities.allowed()


def _entries(served):
    allowed = _allowed()
    lists = [(backend.id, cached) for backend, _meta, cached, listed in served if listed]
    # One listing per choice of providers: a refresh replaces it, so superseded catalogs
    # (and the views derived from them) are freed instead of lingering in the memo.
    key = (tuple(provider_id for provider_id, _cached in lists), allowed)
    tokens = tuple(cached.token for _id, cached in lists)
    remembered = memo.LISTINGS.get(key)
    if remembered is None or remembered[0] != tokens:
        models = list(chain.from_iterable(cached.restricted(allowed) for _id, cached in lists))
        remembered = memo.bounded_set(memo.LISTINGS, key, (tokens, Entries(Source(models))))
    return remembered[1]
