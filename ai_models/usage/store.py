"""Where counted calls go: ``save`` hands a process's aggregates to Redis (atomic increments, when
the shared cache is Redis) or to the database; ``drain`` moves Redis's counters to the database,
one process at a time. The database is only ever written by adding to a row (``write``), so every
process may flush whenever it likes and the totals stay exact.
"""

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from django.apps import apps
from django.core.cache import caches
from django.db import transaction

from .. import sharedcache
from ..conf import ai_settings
from .meter import PICO, COST, FIELDS, LATENCY, UNITS, WIDTH

DIRTY = "ai_models:usage:dirty"  # the set of aggregate keys holding counts
ROW = "ai_models:usage:row:"
DRAIN_LOCK = "ai_models:usage:drain"
DRAIN_LOCK_SECONDS = 60


def redis_client():
    """The redis-py client behind ``AI_MODELS["CACHE"]`` (django-redis or Django's own), or None."""
    if sharedcache.is_process_local() or sharedcache.is_unavailable():
        return None
    cache = caches[ai_settings.CACHE]
    try:
        if hasattr(cache, "client") and hasattr(cache.client, "get_client"):  # django-redis
            return cache.client.get_client(write=True)
        from django.core.cache.backends.redis import RedisCache

        if isinstance(cache, RedisCache):
            return cache._cache.get_client(write=True)
    except Exception as err:  # a client that cannot be built: counts go to the database
        sharedcache.mark_unavailable(ai_settings.CACHE, err)
    return None


def _key(name: str) -> str:
    return caches[ai_settings.CACHE].make_key(name)


def save(rows: dict[tuple, list]):
    """Add ``rows`` to the shared counters (Redis) or, without Redis, to the database."""
    client = redis_client()
    if client is None:
        write(rows)
        return
    try:
        with client.pipeline(transaction=True) as pipe:
            for key, counters in rows.items():
                name = _key(ROW + json.dumps(key))
                for index, value in enumerate(counters):
                    if value:
                        field = str(index)
                        if index == UNITS:
                            pipe.hincrbyfloat(name, field, value)
                        else:
                            pipe.hincrby(name, field, value)
                pipe.sadd(_key(DIRTY), name)
            pipe.execute()
    except Exception as err:  # Redis failing: the database takes them directly
        sharedcache.mark_unavailable(ai_settings.CACHE, err)
        write(rows)


def drain() -> bool:
    """Move Redis's counters to the database (one process at a time); False when another is at it."""
    client = redis_client()
    if client is None:
        return True
    lock, owner = _key(DRAIN_LOCK), uuid.uuid4().hex
    if not client.set(lock, owner, nx=True, ex=DRAIN_LOCK_SECONDS):
        return False
    try:
        prefix = _key(ROW)
        for name in client.smembers(_key(DIRTY)):
            name = name.decode() if isinstance(name, bytes) else name
            with client.pipeline(transaction=True) as pipe:  # read and clear at once: nothing added between is lost
                pipe.hgetall(name).delete(name).srem(_key(DIRTY), name)
                counts = pipe.execute()[0]
            if not counts:
                continue
            counters = [0] * WIDTH
            for field, value in counts.items():
                index = int(field)
                counters[index] = float(value) if index == UNITS else int(value)
            rows = {tuple(json.loads(name[len(prefix):])): counters}
            try:
                write(rows)
            except Exception:
                save(rows)  # back into Redis for the next drain
                raise
    finally:
        if client.get(lock) in (owner, owner.encode()):
            client.delete(lock)
    return True


def write(rows: dict[tuple, list]):
    """Add ``rows`` to the database's rows of the same buckets (created at zero first)."""
    Usage = apps.get_model("ai_models", "Usage")  # not imported: the transports below the models count calls

    def bucket(key):
        minute, capability, provider, model_id, outcome, user = key
        return {
            "minute": datetime.fromtimestamp(minute * 60, UTC), "capability": capability, "provider": provider,
            "model_id": model_id, "outcome": outcome, "user": user,
        }

    buckets = {key: bucket(key) for key in rows}
    identity = ("minute", "capability", "provider", "model_id", "outcome", "user")
    with transaction.atomic():
        Usage.objects.bulk_create([Usage(**fields) for fields in buckets.values()], ignore_conflicts=True)
        minutes = [fields["minute"] for fields in buckets.values()]
        existing = {
            tuple(getattr(row, name) for name in identity): row
            for row in Usage.objects.select_for_update().filter(
                minute__gte=min(minutes), minute__lte=max(minutes),
                capability__in={fields["capability"] for fields in buckets.values()},
            )
        }
        changed = []
        for key, counters in rows.items():
            row = existing[tuple(buckets[key][name] for name in identity)]
            for index, name in enumerate(FIELDS):
                if index == COST:
                    row.cost += Decimal(counters[COST]) / PICO
                else:
                    setattr(row, name, getattr(row, name) + counters[index])
            latencies = list(row.latencies or [])
            latencies += [0] * (WIDTH - LATENCY - 1 - len(latencies))
            row.latencies = [had + added for had, added in zip(latencies, counters[LATENCY + 1:], strict=True)]
            changed.append(row)
        Usage.objects.bulk_update(changed, [*FIELDS, "latencies"])
