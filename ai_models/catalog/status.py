"""How each provider's catalog stands: fresh, stale (with its age and the error), failed or never fetched."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.utils.translation import gettext_lazy as _

from ..conf import ai_settings
from ..exceptions import ProviderError
from . import store

STATE_LABELS = {
    "fresh": _("fresh"),
    "stale": _("stale"),
    "failed": _("failed"),
    "never": _("never fetched"),
}


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
        return None if self.fetched_at is None else store.now() - self.fetched_at

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])


def provider_statuses(providers: list[str] | None = None) -> list[ProviderStatus]:
    """The status of each enabled provider's catalog as cached now; fetches nothing."""
    backends = store.backends_in_use(providers)
    metas = store.shared_cache().get_many([store.cache_key(backend, "meta") for backend in backends])
    statuses = []
    for backend in backends:
        meta = metas.get(store.cache_key(backend, "meta"))
        statuses.append(status_of(backend, meta, meta is not None and meta.get("token") is not None))
    return statuses


def status_of(backend, meta, listed) -> ProviderStatus:
    meta = meta or {}
    error = _error(meta)
    fetched = meta.get("fetched_at") if listed else None
    if fetched is None:
        state = "failed" if error else "never"
    elif error or store.now().timestamp() - fetched >= ai_settings.CATALOG_TTL:
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


def _error(meta) -> str:
    """The last error, in the reader's language when it was kept as data."""
    if meta.get("error") and meta.get("error_parts"):
        try:
            return ProviderError.told_again(meta["error_parts"])
        except (KeyError, TypeError, ValueError):  # a format this version does not read
            pass
    return meta.get("error") or ""


def _datetime(timestamp):
    return None if timestamp is None else datetime.fromtimestamp(timestamp, tz=dt_timezone.utc)

