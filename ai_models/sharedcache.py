"""The shared cache (``AI_MODELS["CACHE"]``) behind one guard: a cache that fails degrades
instead of raising its client's errors into a page.

Every read and write of the app goes through ``shared_cache()``: the catalog's lists, statuses
and locks, and the active-model version of ``active.py``. When a call fails (Redis stopped,
unreachable, or frozen past its socket timeout) the failure is logged once and the cache is
skipped for ``RETRY_SECONDS`` by all of them, so a frozen server costs one socket timeout per
process in that time, not one per call nor one per module. Meanwhile reads find nothing, writes
are dropped and locks are granted: the catalog is fetched live and not kept, active models are
checked against the database, and ``is_unavailable()`` lets the admin say so.
"""

import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT

from .conf import ai_settings
from .memos import remember

logger = logging.getLogger(__name__)

RETRY_SECONDS = 30.0
PROCESS_LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)

_down_until: dict[str, float] = {}  # cache alias -> time.monotonic() until which it is skipped


def is_process_local(alias: str | None = None) -> bool:
    """Whether the cache (default ``AI_MODELS["CACHE"]``) is private to each process (locmem, dummy)."""
    backend = settings.CACHES.get(alias or ai_settings.CACHE, {}).get("BACKEND", "")
    return backend in PROCESS_LOCAL_CACHES


def is_unavailable(alias: str | None = None) -> bool:
    """Whether the shared cache failed within the last ``RETRY_SECONDS``."""
    return _down_until.get(alias or ai_settings.CACHE, 0.0) > time.monotonic()


@remember
def reset():
    """Forget past failures (tests)."""
    _down_until.clear()


def mark_unavailable(alias: str, err: BaseException):
    """Skip the cache ``alias`` for ``RETRY_SECONDS`` after ``err``, with a warning in the log."""
    if not is_unavailable(alias):
        logger.warning(
            "The shared cache %r failed (%s: %s): it is left alone for %d s. Meanwhile catalogs are fetched live "
            "and not kept, and active models are checked against the database.",
            alias,
            type(err).__name__,
            err,
            RETRY_SECONDS,
        )
    _down_until[alias] = time.monotonic() + RETRY_SECONDS


class GuardedCache:
    """The configured cache's get/get_many/set/add/delete, answering as an empty cache while it fails."""

    def __init__(self, alias: str):
        self.alias = alias

    def _call(self, method: str, fallback, *args, **kwargs):
        if is_unavailable(self.alias):
            return fallback
        try:
            return getattr(caches[self.alias], method)(*args, **kwargs)
        except Exception as err:  # any cache client's error: redis, memcached, a socket, a refused pickle
            mark_unavailable(self.alias, err)
            return fallback

    def get(self, key, default=None):
        return self._call("get", default, key, default)

    def get_many(self, keys):
        return self._call("get_many", {}, keys)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT):
        self._call("set", None, key, value, timeout)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT) -> bool:
        # Granted while the cache is down: with nothing to share a lock in, each request fetches.
        return self._call("add", True, key, value, timeout)

    def delete(self, key):
        self._call("delete", None, key)


def shared_cache() -> GuardedCache:
    """The cache named by ``AI_MODELS["CACHE"]``, guarded."""
    return GuardedCache(ai_settings.CACHE)
