"""The shared cache (``AI_MODELS["CACHE"]``) as the catalog uses it: a cache that fails
degrades to an empty one instead of raising its client's errors into a page.

When a call fails (Redis stopped, unreachable, or frozen past its socket timeout) the
failure is logged once and the cache is skipped for ``RETRY_SECONDS``, so a frozen server
costs one timeout per process in that time, not one per call. Meanwhile reads find nothing,
writes are dropped and locks are granted: the catalog is fetched live and not kept, and
``is_unavailable()`` lets the admin say so.
"""

import logging
import time

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT

from .conf import ai_settings

logger = logging.getLogger(__name__)

RETRY_SECONDS = 30.0

_down_until: dict[str, float] = {}  # cache alias -> time.monotonic() until which it is skipped


def _client_errors() -> tuple:
    """What cache clients raise when their server fails (sockets, redis, django-redis, memcached)."""
    errors = [OSError]
    try:
        from redis.exceptions import RedisError

        errors.append(RedisError)
    except ImportError:
        pass
    try:
        from django_redis.exceptions import ConnectionInterrupted

        errors.append(ConnectionInterrupted)
    except ImportError:
        pass
    try:
        from pymemcache.exceptions import MemcacheError

        errors.append(MemcacheError)
    except ImportError:
        pass
    return tuple(errors)


CLIENT_ERRORS = _client_errors()


def is_unavailable(alias: str | None = None) -> bool:
    """Whether the shared cache failed within the last ``RETRY_SECONDS``."""
    return _down_until.get(alias or ai_settings.CACHE, 0.0) > time.monotonic()


def reset():
    """Forget past failures (tests)."""
    _down_until.clear()


def mark_unavailable(alias: str, err: BaseException):
    """Skip the cache ``alias`` for ``RETRY_SECONDS`` after ``err``, with a warning in the log."""
    if not is_unavailable(alias):
        logger.warning(
            "The shared cache %r failed (%s: %s): the catalog is fetched live and not kept for %d s.",
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
        except CLIENT_ERRORS as err:
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
