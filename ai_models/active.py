"""The hot path of host code: ``get_active_model``, ``aget_active_model`` and the fallback chains.

Each process memoizes ``capability -> (token, active model, fallbacks)``. A call is answered from
the memo while the token is unchanged, so a warm call runs no SQL. The token has four parts:

- a version kept in the shared cache, replaced when a change commits anywhere (one cache get);
- a generation counted in this process, so a process sees its own commits at once;
- when the cache cannot tell other processes' changes (it is process-local, such as locmem, or it
  is failing), a stamp of the tables read from the database at most once per ``CHECK_INTERVAL``;
- the change of ours this connection has not committed yet, if any: inside a transaction a
  process sees its own change at once, and once that transaction rolls back (a ``TestCase``) the
  memo made inside it no longer matches, so nothing leaks out of a rollback.

The cache is read through the app's one guard (``sharedcache``): a cache that fails (Redis down or
frozen) is logged once and left alone for ``sharedcache.RETRY_SECONDS``, by this module and the
catalog alike; meanwhile the database stamp keeps changes visible. Nothing here raises a cache
client's error.
"""

import threading
import time
import uuid
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async
from django.apps import apps
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction

from . import sharedcache
from .capabilities import validate_capability
from .conf import ai_settings
from .exceptions import NoActiveModel
from .memos import remember
from .usage import budgets

VERSION_KEY = "ai_models:active-version"
CHECK_INTERVAL = 1.0  # seconds between database checks when the cache cannot carry changes


@dataclass
class _Memo:
    token: tuple
    pending: object  # the uncommitted change it was read under (compared by identity)
    active: object  # AIModel or None
    fallbacks: list = field(default_factory=list)


class _State:
    """Process-wide state of the memo; every attribute is replaced whole, so threads need no lock."""

    def __init__(self):
        self.memo: dict[str, _Memo] = {}
        self.generation = 0
        self.stamp = None  # (stamp, checked at)


_state = _State()
_generation_lock = threading.Lock()


@remember
def clear_memo():
    """Forget this process's memoized active models (tests, settings changes)."""
    _state.memo = {}
    _state.stamp = None


def _cache():
    return caches[ai_settings.CACHE]


def _shared_version():
    """The version in the shared cache, or None when the cache is local or failing."""
    if sharedcache.is_process_local():
        return None
    cache = sharedcache.shared_cache()
    version = cache.get(VERSION_KEY)
    if version is None and not sharedcache.is_unavailable():
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return None if sharedcache.is_unavailable() else version


def _write_alias() -> str:
    from .models import AIModel

    return router.db_for_write(AIModel) or DEFAULT_DB_ALIAS


def _database_stamp(*, allow_query: bool = True):
    """Counts and latest changes of our tables, read at most once per ``CHECK_INTERVAL``.

    ``None`` when a check is due and ``allow_query`` is false (an async caller hops to a thread).
    """
    now = time.monotonic()
    cached = _state.stamp
    if cached is not None and now - cached[1] < CHECK_INTERVAL:
        return cached[0]
    if not allow_query:
        return None
    from .models import AIModel, Provider

    connection = connections[_write_alias()]
    quote = connection.ops.quote_name
    parts = [
        f"SELECT COUNT(*), MAX({quote(model._meta.get_field('updated_at').column)}) FROM {quote(model._meta.db_table)}"
        for model in (AIModel, Provider)
    ]
    with connection.cursor() as cursor:  # raw SQL: never answered by cachalot
        cursor.execute(" UNION ALL ".join(parts))
        stamp = tuple(tuple(row) for row in cursor.fetchall())
    _state.stamp = (stamp, now)
    return stamp


def _token(*, allow_query: bool = True):
    """The current token, or None when finding it needs the database and ``allow_query`` is false."""
    version = _shared_version()
    stamp = None
    if version is None:
        stamp = _database_stamp(allow_query=allow_query)
        if stamp is None:
            return None
    return (version, stamp, _state.generation)


def current_version():
    """A token that changes whenever a saved model or provider changes, committed or not yet (drift
    reads it); after a rollback it is the token from before the rolled-back changes again."""
    return (*_token(), _pending_change())


class _Change:
    """The ``on_commit`` callback of one change of ours. One instance per change, so the entries
    Django keeps for them differ, and a memo can tell which uncommitted change it was read under."""

    __slots__ = ()

    def __call__(self):
        committed()


def change_made(using=None):
    """Record a change of saved models or providers: every process reloads once it commits."""
    transaction.on_commit(_Change(), using=using)


def models_changed(using=None, **kwargs):
    """Signal receiver for saves and deletes of ``AIModel`` and ``Provider``: every process
    reloads once the change commits (this connection sees it at once)."""
    change_made(using)


def _pending_change():
    """This connection's latest uncommitted change of ours (its ``on_commit`` entry), or None."""
    connection = connections[_write_alias()]
    for entry in reversed(connection.run_on_commit):
        if isinstance(entry[1], _Change):
            return entry
    return None


def committed():
    """A change of ours committed: every process, this one at once, reloads on its next call."""
    with _generation_lock:
        _state.generation += 1
    _state.stamp = None
    if not sharedcache.is_process_local():
        sharedcache.shared_cache().set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def _load(capability, token, pending) -> _Memo:
    from .models import AIModel

    queryset = (
        AIModel.objects.select_related("provider")
        .filter(capability=capability)
        .in_use()
        .order_by("fallback_position", "pk")
    )
    if apps.is_installed("cachalot"):
        # Our memo is the cache; a cachalot entry could predate the commit we were told about.
        from cachalot.api import cachalot_disabled

        with cachalot_disabled():
            rows = list(queryset)
    else:
        rows = list(queryset)
    active = next((row for row in rows if row.is_active), None)
    fallbacks = [row for row in rows if not row.is_active]
    return _Memo(token, pending, active, fallbacks)


def _warm(capability, *, allow_query: bool = True) -> _Memo | None:
    """The memo entry if it still holds, else None. No SQL unless a database check is due."""
    token = _token(allow_query=allow_query)
    memo = _state.memo.get(capability)
    if token is None or memo is None or memo.token != token or memo.pending is not _pending_change():
        return None
    return memo


def _lookup(capability) -> _Memo:
    memo = _warm(capability)
    if memo is None:
        validate_capability(capability)
        token, pending = _token(), _pending_change()  # read before the rows, so a change between is seen next time
        memo = _load(capability, token, pending)
        _state.memo = {**_state.memo, capability: memo}
    return memo


def _active(memo: _Memo, capability):
    if memo.active is None:
        raise NoActiveModel(capability)
    return memo.active


def _served(memo: _Memo, capability, *, allow_query: bool = True) -> list | None:
    """The active model and its fallbacks as the capability's budgets allow (``usage.budgets``)."""
    return budgets.serving(capability, [_active(memo, capability), *memo.fallbacks], allow_query=allow_query)


def get_active_model(capability: str):
    """Return the active ``AIModel`` for ``capability``, with its provider loaded (over its monthly
    budget: its cheapest cheaper fallback).

    Raises ``NoActiveModel`` (a ``LookupError``) when none is active,
    ``UnknownCapability`` (a ``ValueError``) for a name that is not configured, and
    ``BudgetExceeded`` when the budget is spent and no fallback is cheaper (or it says refuse).
    Treat the returned instance as read-only: it is shared within the process.
    """
    return _served(_lookup(capability), capability)[0]


def get_active_models(capability: str) -> list:
    """The active model of ``capability`` followed by its fallbacks, in order (one list).

    Raises ``NoActiveModel`` when none is active (the fallbacks back up an active model; with
    none active the capability is switched off) and ``UnknownCapability``.
    """
    return _served(_lookup(capability), capability)


def _needs_thread() -> bool:
    # A database cache backend reads with SQL, which an event loop must not run.
    from django.core.cache.backends.db import DatabaseCache

    return isinstance(_cache(), DatabaseCache)


async def _alookup(capability) -> _Memo:
    memo = None if _needs_thread() else _warm(capability, allow_query=False)
    if memo is None:
        memo = await sync_to_async(_lookup)(capability)
    return memo


async def _aserved(capability) -> list:
    memo = await _alookup(capability)
    chain = _served(memo, capability, allow_query=False)
    return chain if chain is not None else await sync_to_async(_served)(memo, capability)


async def aget_active_model(capability: str):
    """``get_active_model`` for async code: a warm call runs in the event loop, the others in a thread."""
    return (await _aserved(capability))[0]


async def aget_active_models(capability: str) -> list:
    """``get_active_models`` for async code."""
    return await _aserved(capability)
