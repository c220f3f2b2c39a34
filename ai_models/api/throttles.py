"""The host's DRF throttles, made to degrade like the rest of the app when their cache fails.

DRF's throttles keep their history in a cache (the default one): a stopped Redis makes every
request raise, a frozen one holds every request for a socket timeout, and both answer Django's
HTML 500. Wrapped here, a failing cache lets requests through unthrottled, the failure is logged
once and the cache is left alone for ``sharedcache.RETRY_SECONDS`` (by the app's own cache calls
too when it is the same alias): one socket timeout per process in that time, as everywhere else.
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache import cache as default_cache

from .. import sharedcache


def cache_alias(throttle) -> str:
    """The alias of the cache ``throttle`` keeps its history in (DRF's: the default cache)."""
    used = getattr(throttle, "cache", default_cache)
    if used is default_cache:
        return DEFAULT_CACHE_ALIAS
    return next((alias for alias in caches.settings if caches[alias] is used), DEFAULT_CACHE_ALIAS)


class Guarded:
    """A throttle whose cache errors let the request through instead of raising into a 500."""

    def __init__(self, throttle):
        self.throttle = throttle
        self.alias = cache_alias(throttle)

    def allow_request(self, request, view) -> bool:
        if sharedcache.is_unavailable(self.alias):
            return True
        try:
            return self.throttle.allow_request(request, view)
        except ImproperlyConfigured:  # a scope without a rate: check ai_models.E016 says so
            raise
        except Exception as err:  # any cache client's error: redis, memcached, a socket
            sharedcache.mark_unavailable(self.alias, err)
            return True

    def wait(self):
        return self.throttle.wait()
