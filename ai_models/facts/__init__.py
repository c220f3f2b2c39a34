"""Model facts: what providers' list APIs omit (prices, limits, modalities, features, knowledge
cutoff, deprecation), completed from maintained offline datasets, each value with its source.

The layer sits between a provider's parse and the catalog cache: the catalog passes each
freshly parsed list through ``complete`` before caching it. ``sources`` reads the datasets the
installed packages ship (no network), ``ids`` matches ids across naming schemes, ``complete``
merges (provider first, then ``FACTS_SOURCES`` in order), ``refresh`` optionally fetches newer
copies on the host's schedule.
"""

from datetime import date
from functools import lru_cache
from operator import attrgetter

from .. import sharedcache
from ..conf import ai_settings
from . import sources
from .complete import FIELDS
from .complete import complete as _complete

__all__ = ["FIELDS", "PROVIDER", "complete", "datasets", "describe", "sources_json", "REFRESHED_KEY"]

PROVIDER = "provider"  # the source of a value the provider listed itself

REFRESHED_KEY = "ai_models:facts:1:{name}"  # a refreshed copy: {"data", "url", "fetched_at"}
_loaded: dict = {}  # dataset name -> (what it was read from, Dataset or None): once per process


def refreshed_copies(names) -> dict:
    """Dataset name -> its refreshed copy in the shared cache, for those refreshed."""
    keys = {REFRESHED_KEY.format(name=name): name for name in names}
    found = sharedcache.shared_cache().get_many(list(keys))
    return {keys[key]: value for key, value in found.items() if isinstance(value, dict)}


def datasets() -> list:
    """The datasets of ``FACTS_SOURCES`` that are installed (or refreshed), in merge order."""
    names = [name for name in ai_settings.FACTS_SOURCES if name in sources.READERS]
    copies = refreshed_copies(names) if ai_settings.FACTS_REFRESH else {}
    found = []
    for name in names:
        copy = copies.get(name)
        origin = (copy.get("url"), copy.get("fetched_at")) if copy else "package"
        remembered = _loaded.get(name)
        if remembered is None or remembered[0] != origin:
            try:
                dataset = sources.load(name, copy)
            except (KeyError, TypeError, ValueError, OSError):  # a damaged refreshed copy: the package's
                dataset = sources.load(name)
            remembered = _loaded[name] = (origin, dataset)
        if remembered[1] is not None:
            found.append(remembered[1])
    return found


def complete(models, provider_id: str):
    """``models`` (one provider's parsed list) with what the provider omitted filled in."""
    if not ai_settings.FACTS_SOURCES:
        return models
    return _complete(models, provider_id, datasets(), ai_settings.FACTS_CONFLICT_THRESHOLD)


def describe(today: date | None = None) -> list[dict]:
    """One dict per dataset of ``FACTS_SOURCES``: name, version, date, age in days, origin,
    licence, model count, and whether it is installed."""
    today = today or date.today()
    loaded = {dataset.name: dataset for dataset in datasets()}
    rows = []
    for name in ai_settings.FACTS_SOURCES:
        dataset = loaded.get(name)
        rows.append(
            {
                "name": name,
                "label": sources.LABELS.get(name, name),
                "installed": dataset is not None,
                "package": sources.PACKAGES.get(name, ""),
                "version": dataset.version if dataset else "",
                "date": dataset.date.isoformat() if dataset and dataset.date else None,
                "age_days": (today - dataset.date).days if dataset and dataset.date else None,
                "origin": dataset.origin if dataset else "",
                "licence": sources.LICENCES.get(name, ""),
                "models": len(dataset.records) if dataset else 0,
            }
        )
    return rows


def sources_json(entry) -> dict:
    """Field -> {"source": "provider" or a dataset label}, for every known value among ``FIELDS``;
    a field a dataset disagrees with also holds ``"conflict": {"source", "value"}``."""
    # Known: set, non-empty, or a price of 0 (is_empty, unrolled: this runs for every entry of a page).
    known = tuple(value is not None and (bool(value) or value == 0) for value in _field_values(entry))
    if not entry.facts and not entry.conflicts:  # most entries: one answer per set of known fields
        return dict(_provider_only(known))
    completed = dict(entry.facts)
    found = {field: {"source": completed.get(field, PROVIDER)} for field, there in zip(FIELDS, known) if there}
    for field, source, value in entry.conflicts:
        found[field]["conflict"] = {"source": source, "value": value}
    return found


_field_values = attrgetter(*FIELDS)


@lru_cache(maxsize=256)
def _provider_only(known: tuple) -> dict:
    return {field: {"source": PROVIDER} for field, there in zip(FIELDS, known) if there}


def forget():
    """Drop the datasets read in this process (after a refresh, and in tests)."""
    _loaded.clear()
