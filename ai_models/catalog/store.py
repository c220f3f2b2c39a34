"""Where provider lists are kept: the cache layout, stale-on-error, parallel single-flight fetches.

Per provider, the parsed list is kept in the configured cache (``AI_MODELS["CACHE"]``) under a
key made of the provider id and its ``fingerprint`` (a hash of its configuration, never the
key itself), with the time it was fetched. It counts as fresh for ``CATALOG_TTL`` and is kept
for ``STALE_TTL``, so when a refresh fails the last good list is served, marked stale, with
the error. The outcome of the last attempt is cached too, so every process reports the same
status.

Fetches of several providers run in parallel threads, and at most one per provider at a time
across processes (a lock key taken with ``cache.add``): the others serve the stale list or
wait for the result. Each process memoizes the decoded list against the token stored with it
(``memo.DECODED``), so a page view costs one ``get_many`` of small status keys.
"""

import logging
import math
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, wait

from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext

from .. import facts, sharedcache
from ..conf import ai_settings
from ..exceptions import ProviderError, log_unexpected, redact
from ..providers import get_provider
from . import memo
from .encoding import Cached, encode

logger = logging.getLogger("ai_models.catalog")

KEY_PREFIX = "ai_models:catalog:3"  # bump the number when the cached format changes
EPOCH_KEY = f"{KEY_PREFIX}:epoch"  # changes whenever any provider's list is stored
FAILURE_BACKOFF = 60  # seconds before an automatic retry of a provider whose last fetch failed


def now():
    """The current time; the one clock of the catalog (tests replace it)."""
    return timezone.now()


def epoch():
    """A token that changes whenever a provider's list is stored, in any process (None if unknown)."""
    return shared_cache().get(EPOCH_KEY)


# --- cache layout ----------------------------------------------------------------------------
#
# <prefix>:meta  {"token", "fetched_at", "count", "skipped", "error", "attempted_at", "attempt"}
#                 small: read for every provider on every listing (one get_many)
# <prefix>:list  (token, fetched_at, skipped, rows, raw_chunks): the compact parsed list
# <prefix>:lock  held by the one request fetching this provider, across processes
#
# Both data keys live for STALE_TTL; freshness is decided from fetched_at, not by expiry.


def shared_cache():
    """The configured cache, degrading to an empty one while it fails (see ``sharedcache``)."""
    return sharedcache.shared_cache()


def _prefix(backend) -> str:
    return f"{KEY_PREFIX}:{backend.id}:{backend.fingerprint}"


def cache_key(backend, part: str) -> str:
    return f"{_prefix(backend)}:{part}"


def _lock_timeout() -> int:
    """Longest a fetch can take with the configured timeouts and retries (the lock's lifetime)."""
    attempts = ai_settings.MAX_RETRIES + 1
    per_attempt = ai_settings.CONNECT_TIMEOUT + ai_settings.READ_TIMEOUT
    return max(1, math.ceil(per_attempt * attempts + ai_settings.MAX_RETRY_WAIT * (attempts - 1)))


def backends_in_use(providers=None) -> list:
    """Backends of the enabled providers (or of those named); ``UnknownProvider`` for a typo."""
    from ..models import Provider

    if isinstance(providers, str):
        providers = [providers]
    if providers is not None:
        for provider_id in providers:
            get_provider(provider_id)  # a typo is an error, not an empty listing
    # Resolved here, in the calling thread: fetch workers then do no database work.
    return Provider.objects.backends(providers)


def collect(providers, force):
    """[(backend, meta, cached list or None, whether it is listed)] for each enabled provider."""
    backends = backends_in_use(providers)
    cache = shared_cache()
    metas = cache.get_many([cache_key(backend, "meta") for backend in backends])
    served, due = [], []
    for backend in backends:
        meta = metas.get(cache_key(backend, "meta"))
        cached = load(cache, backend, meta)
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
                cached = load(cache, backend, meta)
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


def _remember(backend, payload):
    return memo.bounded_set(memo.DECODED, _prefix(backend), Cached(backend.id, payload))


def load(cache, backend, meta):
    """The provider's cached list (memoized per token), or None when nothing usable is cached."""
    if not meta or meta.get("token") is None:
        return None
    prefix = _prefix(backend)
    cached = memo.DECODED.get(prefix)
    if cached is not None and cached.token == meta["token"]:
        return cached
    payload = cache.get(f"{prefix}:list")
    try:
        return _remember(backend, payload) if payload is not None else None
    except (TypeError, ValueError):
        logger.warning("Ignoring an unreadable cached catalog of provider %r", backend.id)
        return None




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
    cache = shared_cache()
    lock_key, meta_key = cache_key(backend, "lock"), cache_key(backend, "meta")
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


def _failed_meta(previous, error, error_parts=None):
    # error_parts: the error as data (``ProviderError.parts``), told in each reader's language.
    return {
        **(previous or {}),
        "error": error,
        "error_parts": error_parts,
        "attempted_at": now().timestamp(),
        "attempt": uuid.uuid4().hex,
    }


def _fetch(cache, backend, previous):
    """Fetch, store and return ``(meta, payload)``; a failure keeps the last good list."""
    try:
        models = facts.complete(backend.fetch_catalog(), backend.id)
        payload = encode(models, now().timestamp())
    except ProviderError as err:
        error = redact(str(err), backend.api_key)
        error_parts = err.parts() if error == str(err) else None  # no parts of a text that held the key
    except Exception as err:
        # Third-party code: log the details, show nothing that could carry a key.
        log_unexpected(logger, f"Fetching the catalog of provider {backend.id!r} failed", err, backend.api_key)
        error, error_parts = _unexpected(backend, err), None
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
        cache.set(cache_key(backend, "list"), payload, ai_settings.STALE_TTL)
        cache.set(cache_key(backend, "meta"), meta, ai_settings.STALE_TTL)
        cache.set(EPOCH_KEY, meta["token"], None)
        return meta, payload
    meta = _failed_meta(previous, error, error_parts)
    cache.set(cache_key(backend, "meta"), meta, ai_settings.STALE_TTL)
    return meta, None


def _unexpected(backend, err) -> str:
    return gettext("%(provider)s: unexpected %(error)s while fetching the catalog; see the server log") % {
        "provider": backend.id,
        "error": type(err).__name__,
    }

