"""The hot path of host code: ``get_active_model``, ``aget_active_model`` and the fallback chains.

Each process answers from what it read last (its memo: per capability, the active model and the
fallbacks, with the versions they were read under). The whole freshness rule is here:

- **Its own changes at once.** A change of ours bumps this process's generation when it commits.
  Inside a transaction, the connection that made a change answers with it, and what it read then
  is tied to that uncommitted change, so nothing is left behind by a rollback (a ``TestCase``).
- **At most every ``ACTIVE_MODEL_RECHECK`` seconds** (default 1; 0: every call), the shared
  version: one get from ``AI_MODELS["CACHE"]``, replaced when a change commits anywhere. With a
  process-local or failing cache, the database's versions are read instead.
- **At least every ``ACTIVE_MODEL_MAX_STALENESS`` seconds** (default 5), the versions kept in the
  database (``CapabilityLock.version``, replaced inside the transaction of each change), in one
  query: a committed change reaches every process within that bound whatever the cache did
  (frozen, flushed, evicted, restored from an old snapshot, a write that failed).
- **Outages.** The cache is read through the app's one guard (``sharedcache``). A database that
  fails (down, restarting) is left alone for ``ACTIVE_MODEL_RECHECK`` and the last answer is
  served, with one warning per outage; ``ActiveModelUnavailable`` (a ``NoActiveModel``) only for
  a capability this process never read.

Between checks a warm call is a dict lookup and a clock read: no SQL, no cache get.

**Who is asking.** With a ``user`` (or a session key), the memo's rollout and group models decide
(``_pick``): a member of a group the rollout names gets its candidate; else the model of the user's
first group with one; else the candidate for the rollout's share of users, by a stable hash of the
rollout's salt and the user's id (memoized); else the active model. They are read with the active
model, under the same versions, so a rollout change reaches every process within the same bound.
A user's groups are read (one query) only when the capability has a rollout naming groups or a
group model, and then at most once per check (``ACTIVE_MODEL_RECHECK``) per user and process (never
for a user loaded with ``prefetch_related("groups")``).
"""

import hashlib
import logging
import secrets
import threading
import uuid
from contextlib import suppress
from dataclasses import dataclass, field, replace
from time import monotonic

from asgiref.sync import sync_to_async
from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections, router, transaction

from . import sharedcache
from .capabilities import validate_capability
from .conf import ai_settings
from .exceptions import ActiveModelUnavailable, NoActiveModel
from .memos import remember
from .usage import budgets

logger = logging.getLogger(__name__)

VERSION_KEY = "ai_models:active-version"
OUTAGE = (OperationalError, InterfaceError)  # the database is unreachable, restarting or went away


@dataclass(frozen=True)
class _Memo:
    active: object  # AIModel or None
    fallbacks: list
    generation: int
    pending: object  # the uncommitted change of ours it was read under (compared by identity), or None
    shared: object  # the shared version, read before the rows
    version: int  # the capability's version in the database, read before the rows
    rollout: object = None  # _Rollout or None
    group_models: tuple = ()  # ((group id, AIModel), ...) in the order stated: the first match wins


@dataclass(frozen=True)
class _Rollout:
    candidate: object  # AIModel
    threshold: int  # users whose bucket (of BUCKETS) is below it get the candidate: percent × 100
    salt: str
    groups: frozenset  # ids of the groups whose members always get the candidate
    sides: dict = field(default_factory=dict, compare=False)  # user pk or session -> gets the candidate (memo)


BUCKETS = 10_000
MAX_REMEMBERED = 100_000  # identities (sides, group ids) remembered per process before starting over


@dataclass(frozen=True)
class _Seen:
    """What the last check read, and when the next is due."""

    shared: object = None  # None: the cache is process-local or failing
    versions: dict = field(default_factory=dict)
    fresh_until: float = 0.0  # no check before (``time.monotonic()``)
    database_due: float = 0.0  # the database's versions are read again from then


class _State:
    """Process-wide state; every attribute is replaced whole, so readers need no lock."""

    def __init__(self):
        self.memo: dict[str, _Memo] = {}
        self.seen = _Seen()
        self.generation = 0
        self.outage: tuple | None = None  # (not tried again before, error): the database failed
        self.live: frozenset = frozenset()  # our changes not committed yet, on any connection
        self.groups: tuple = (None, {})  # (the _Seen they were read under, user pk -> group ids)


_state = _State()
_lock = threading.Lock()


@remember
def clear_memo():
    """Forget this process's memoized active models (tests, settings changes)."""
    _state.memo = {}
    _state.seen = _Seen()
    _state.outage = None
    _state.groups = (None, {})


def _write_alias() -> str:
    from .models import AIModel

    return router.db_for_write(AIModel) or DEFAULT_DB_ALIAS


# --- our changes ----------------------------------------------------------------------------


class _Change:
    """The ``on_commit`` callback of one change of ours on one connection. One instance per change,
    so a memo can tell which uncommitted change it was read under."""

    __slots__ = ("connection",)

    def __init__(self, connection):
        self.connection = connection

    def __call__(self):
        with _lock:
            _state.live = _state.live - {self}
        committed()

    def is_pending(self) -> bool:
        """Still waiting for its commit (a rollback drops it from the connection's list)."""
        return any(entry[1] is self for entry in self.connection.run_on_commit)


def change_made(*capabilities, using=None):
    """Record a change of what serves ``capabilities``: their versions in the database are replaced
    in the current transaction, and once it commits every process reloads (this one at once)."""
    alias = using or _write_alias()
    if capabilities:
        _replace_versions(capabilities, alias)
    connection = connections[alias]
    change = _Change(connection)
    if connection.in_atomic_block:
        with _lock:
            _state.live = _state.live | {change}
    transaction.on_commit(change, using=alias)  # at once outside a transaction


def _replace_versions(capabilities, alias):
    from .models import CapabilityLock

    names = sorted(set(capabilities))
    rows = CapabilityLock.objects.using(alias).filter(capability__in=names)
    version = secrets.randbits(62) + 1  # never 0, the version of a capability without a row
    with transaction.atomic(using=alias, savepoint=False):  # the change's own, or one of its own after it
        if len(names) > 1:  # in name order, as the flow locks them: two changes never wait on each other
            list(rows.select_for_update().order_by("capability").values_list("pk", flat=True))
        if rows.update(version=version) < len(names):
            # First change of a capability: make its row (another transaction may be making it
            # too, which the insert waits for), then replace the version of all.
            CapabilityLock.objects.using(alias).bulk_create([CapabilityLock(name) for name in names],
                                                            ignore_conflicts=True)
            rows.update(version=version)


def models_changed(sender, instance, using=None, created=False, **kwargs):
    """Signal receiver for saves and deletes of ``AIModel`` and ``Provider``: the capabilities the
    row serves get new versions, and every process reloads once the change commits."""
    from .models import AIModel

    if isinstance(instance, AIModel):
        capabilities = [instance.capability]
    elif created:
        capabilities = []  # a new provider serves nothing yet
    else:  # a provider: the capabilities of its saved models (their key, base URL)
        capabilities = _uncached(
            AIModel.objects.using(using).filter(provider_id=instance.pk).values_list("capability", flat=True).distinct()
        )
    change_made(*capabilities, using=using)


def committed():
    """A change of ours committed: this process reloads on its next call, and every process sharing
    the cache within ``ACTIVE_MODEL_RECHECK`` (the others within ``ACTIVE_MODEL_MAX_STALENESS``)."""
    with _lock:
        _state.generation += 1
    _state.seen = replace(_state.seen, fresh_until=0.0, database_due=0.0)  # read the new versions next
    if not sharedcache.is_process_local():
        sharedcache.shared_cache().set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def _live_changes() -> frozenset:
    """Our uncommitted changes on any connection of this process, those rolled back dropped."""
    live = _state.live
    if live:
        dropped = frozenset(change for change in live if not change.is_pending())
        if dropped:
            with _lock:
                _state.live = _state.live - dropped
            live = live - dropped
    return live


def _pending_change():
    """This connection's latest uncommitted change of ours, or None."""
    if not _live_changes():
        return None
    for entry in reversed(connections[_write_alias()].run_on_commit):
        if isinstance(entry[1], _Change):
            return entry[1]
    return None


# --- checks ---------------------------------------------------------------------------------


def _shared_version():
    """The version in the shared cache, or None when the cache is process-local or failing."""
    if sharedcache.is_process_local():
        return None
    cache = sharedcache.shared_cache()
    version = cache.get(VERSION_KEY)
    if version is None and not sharedcache.is_unavailable():  # flushed or evicted: a new one
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return None if sharedcache.is_unavailable() else version


def _database_versions() -> dict:
    """Capability -> version, as kept in the database (one query, never answered by cachalot)."""
    from .models import CapabilityLock

    connection = connections[_write_alias()]
    quote = connection.ops.quote_name
    meta = CapabilityLock._meta
    columns = ", ".join(quote(meta.get_field(name).column) for name in ("capability", "version"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {quote(meta.db_table)}")
        return dict(cursor.fetchall())


def _database_failed(err: BaseException, now: float):
    """Leave the database alone for ``ACTIVE_MODEL_RECHECK``; warn once per outage."""
    if _state.outage is None:
        logger.warning(
            "The database could not be read for the active AI models (%s: %s): the last answers are served, "
            "and it is tried again every %g s.",
            type(err).__name__,
            err,
            ai_settings.ACTIVE_MODEL_RECHECK,
        )
    _state.outage = (now + ai_settings.ACTIVE_MODEL_RECHECK, err)
    connection = connections[_write_alias()]
    if not connection.in_atomic_block and connection.connection is not None and not connection.is_usable():
        with suppress(*OUTAGE):
            connection.close()  # cut by a restart: the next try connects again


def _outage(now: float) -> BaseException | None:
    """The database's last error while it is left alone after failing; None when it may be tried."""
    outage = _state.outage
    return outage[1] if outage is not None and now < outage[0] else None


def _checked() -> tuple:
    """``(now, this connection's uncommitted change of ours or None)``, after the checks due.

    Under an uncommitted change of ours, this connection reads what others do not see: its memo
    holds by that change alone, and no check is made (nor recorded for the other threads).
    """
    now, pending = monotonic(), _pending_change()
    if pending is None and now >= _state.seen.fresh_until:
        _check(now)
    return now, pending


def _check(now: float):
    """Read what is due: the shared version, and the database's versions when their time has come
    or when the cache cannot tell (process-local or failing)."""
    seen = _state.seen
    recheck = ai_settings.ACTIVE_MODEL_RECHECK
    shared = _shared_version()
    versions, database_due = seen.versions, seen.database_due
    if (shared is None or now >= database_due) and _outage(now) is None:
        try:
            versions = _database_versions()
        except OUTAGE as err:
            _database_failed(err, now)
        else:
            _state.outage = None
            database_due = now + ai_settings.ACTIVE_MODEL_MAX_STALENESS
    fresh_until = min(now + recheck, database_due) if database_due > now else now + recheck
    _state.seen = _Seen(shared, versions, fresh_until, database_due)


# --- the answer -----------------------------------------------------------------------------


def _uncached(queryset) -> list:
    """The rows of ``queryset`` from the database: a cachalot entry could predate the commit we were told about."""
    if apps.is_installed("cachalot"):
        from cachalot.api import cachalot_disabled

        with cachalot_disabled():
            return list(queryset)
    return list(queryset)


def _load(capability, pending) -> _Memo:
    from .models import AIModel, GroupModel, Rollout

    seen, generation = _state.seen, _state.generation  # read before the rows: a change between is seen next time
    rows = _uncached(  # from the database the versions come from, not a replica that may lag
        AIModel.objects.using(_write_alias())
        .select_related("provider")
        .filter(capability=capability)
        .in_use()
        .order_by("fallback_position", "pk")
    )
    active = next((row for row in rows if row.is_active), None)
    fallbacks = [row for row in rows if not row.is_active]
    alias = _write_alias()
    rollout = None
    for row in _uncached(Rollout.objects.using(alias).select_related("candidate__provider").filter(capability=capability)):
        groups = frozenset(_uncached(row.groups.through.objects.using(alias).filter(rollout_id=row.pk)
                                     .values_list("group_id", flat=True)))
        rollout = _Rollout(row.candidate, row.percent * BUCKETS // 100, row.salt, groups)
    group_models = tuple(
        (row.group_id, row.model)
        for row in _uncached(GroupModel.objects.using(alias).select_related("model__provider").filter(capability=capability))
    )
    return _Memo(active, fallbacks, generation, pending, seen.shared, seen.versions.get(capability, 0), rollout,
                 group_models)


def _holds(memo: _Memo | None, capability, pending) -> bool:
    if memo is None or memo.generation != _state.generation or memo.pending is not pending:
        return False
    if pending is not None:
        return True  # read by this connection under its own uncommitted change
    seen = _state.seen
    return memo.shared == seen.shared and memo.version == seen.versions.get(capability, 0)


def _lookup(capability) -> _Memo:
    """The memo of ``capability``: checked when due, reloaded when it no longer holds."""
    now, pending = _checked()
    memo = _state.memo.get(capability)
    if _holds(memo, capability, pending):
        return memo
    validate_capability(capability)
    error = _outage(now)
    if error is None:
        try:
            fresh = _load(capability, pending)
        except OUTAGE as err:
            _database_failed(err, now)
            error = err
        else:
            _state.memo = {**_state.memo, capability: fresh}
            return fresh
    # The database fails: the process's last answer, unless it was read under a change since rolled
    # back. Looked up again: another thread may have read the capability while this one tried (a
    # thread's first call, begun before any memo existed, cut by a restart).
    memo = _state.memo.get(capability)
    if memo is not None and memo.pending in (None, pending):
        return memo
    raise ActiveModelUnavailable(capability, error)


def _warm(capability) -> _Memo | None:
    """The memo when it holds without any check, query or connection (async callers), else None."""
    memo = _state.memo.get(capability)
    if memo is None or monotonic() >= _state.seen.fresh_until or _live_changes():
        return None
    return memo if _holds(memo, capability, None) else None


def _active(memo: _Memo, capability):
    if memo.active is None:
        raise NoActiveModel(capability)
    return memo.active


def current_version():
    """A token that changes whenever a saved model or provider changes, committed or not yet (drift
    reads it), within the bounds above; after a rollback it is the token from before again."""
    _now, pending = _checked()
    seen = _state.seen
    return (seen.shared, tuple(sorted(seen.versions.items())), _state.generation, pending)


# --- who is asking ---------------------------------------------------------------------------

_QUERY = object()  # _pick's answer when the user's groups must be read first (an event loop)


def in_candidate_share(salt: str, identity: str, threshold: int) -> bool:
    """Whether ``identity`` falls in the first ``threshold`` of ``BUCKETS`` buckets of a rollout
    salted ``salt``: a stable hash, the same in every process and after a restart."""
    digest = hashlib.sha256(f"{salt}:{identity}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS < threshold


def _group_ids(user, *, allow_query: bool = True):
    """The ids of the groups of signed-in ``user``, read at most once per check per user (None: a
    read is needed and ``allow_query`` is false)."""
    seen, known = _state.groups
    if seen is not _state.seen or len(known) >= MAX_REMEMBERED:
        known = {}
        _state.groups = (_state.seen, known)
    ids = known.get(user.pk)
    if ids is None:
        prefetched = getattr(user, "_prefetched_objects_cache", {}).get("groups")
        if prefetched is not None:  # loaded with prefetch_related("groups"): no query
            ids = frozenset(group.pk for group in prefetched)
        elif not hasattr(type(user), "groups"):  # a user model without groups (on the class: no manager built)
            ids = frozenset()
        elif not allow_query:
            return None
        else:
            ids = frozenset(_uncached(user.groups.values_list("pk", flat=True)))
        known[user.pk] = ids
    return ids


def _pick(memo: _Memo, user, session_key, *, allow_query: bool = True):
    """The model ``user`` (or the session) gets instead of the active model, None for the active
    model, or ``_QUERY`` when the user's groups must be read and ``allow_query`` is false."""
    rollout, group_models = memo.rollout, memo.group_models
    if rollout is None and not group_models:
        return None
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    if signed_in and (group_models or (rollout is not None and rollout.groups)):
        groups = _group_ids(user, allow_query=allow_query)
        if groups is None:
            return _QUERY
        if rollout is not None and not groups.isdisjoint(rollout.groups):
            return rollout.candidate
        for group, model in group_models:
            if group in groups:
                return model
    if rollout is None or not rollout.threshold:
        return None
    # Hashed by the user's primary key, or the session key of an anonymous visitor.
    if signed_in:
        key = user.pk
    elif session_key:
        key = f"session:{session_key}"
    else:
        return None
    sides = rollout.sides
    side = sides.get(key)
    if side is None:
        if len(sides) >= MAX_REMEMBERED:
            sides.clear()
        side = sides[key] = in_candidate_share(rollout.salt, str(key), rollout.threshold)
    return rollout.candidate if side else None


def _served(memo: _Memo, capability, *, allow_query: bool = True, user=None, session_key=None) -> list | None:
    """The model for who asks (``_pick``; else the active model) and the fallbacks, as the
    capability's budgets allow (``usage.budgets``). None: a query is needed and not allowed."""
    if user is None and session_key is None:
        chain = [_active(memo, capability), *memo.fallbacks]
    else:
        chosen = _pick(memo, user, session_key, allow_query=allow_query)
        if chosen is _QUERY:
            return None
        if chosen is None:
            chain = [_active(memo, capability), *memo.fallbacks]
        else:
            chain = [chosen, *(row for row in memo.fallbacks if row.pk != chosen.pk)]
    return budgets.serving(capability, chain, allow_query=allow_query)


def get_active_model(capability: str, user=None, *, session_key: str | None = None):
    """Return the active ``AIModel`` for ``capability``, with its provider loaded (over its monthly
    budget: its cheapest cheaper fallback).

    ``user``: who is asking (``request.user``): a rollout's candidate or a group's model when one
    applies to them (docs/rollouts.md); ``session_key`` places an anonymous visitor in a rollout
    (``get_active_model_for`` passes both from a request). Without either: the active model.

    Raises ``NoActiveModel`` (a ``LookupError``) when none is active,
    ``UnknownCapability`` (a ``ValueError``) for a name that is not configured, and
    ``BudgetExceeded`` when the budget is spent and no fallback is cheaper (or it says refuse).
    Treat the returned instance as read-only: it is shared within the process.
    """
    return _served(_lookup(capability), capability, user=user, session_key=session_key)[0]


def _from_request(request) -> dict:
    session = getattr(request, "session", None)
    return {"user": getattr(request, "user", None), "session_key": getattr(session, "session_key", None)}


def get_active_model_for(request, capability: str):
    """``get_active_model`` for whoever makes ``request``: its user, else its session (if it has one)."""
    return get_active_model(capability, **_from_request(request))


async def aget_active_model_for(request, capability: str):
    """``get_active_model_for`` for async code (the user must be loaded: ``await request.auser()``)."""
    return await aget_active_model(capability, **_from_request(request))


def get_active_models(capability: str, user=None, *, session_key: str | None = None) -> list:
    """The model for who asks (``get_active_model``) followed by the fallbacks, in order (one list).

    Raises ``NoActiveModel`` when none is active (the fallbacks back up an active model; with
    none active the capability is switched off) and ``UnknownCapability``.
    """
    return _served(_lookup(capability), capability, user=user, session_key=session_key)


async def _alookup(capability) -> _Memo:
    # Whatever may need the cache or the database runs in a thread; so does a call while a change
    # of ours is uncommitted anywhere in the process, as only the thread that made it can see it
    # (a ``TestCase``'s pin, seen from an async view).
    memo = _warm(capability)
    if memo is None:
        memo = await sync_to_async(_lookup)(capability)
    return memo


async def _aserved(capability, user=None, session_key=None) -> list:
    memo = await _alookup(capability)
    who = {"user": user, "session_key": session_key}
    chain = _served(memo, capability, allow_query=False, **who)
    return chain if chain is not None else await sync_to_async(_served)(memo, capability, **who)


async def aget_active_model(capability: str, user=None, *, session_key: str | None = None):
    """``get_active_model`` for async code: a warm call runs in the event loop, the others in a thread."""
    return (await _aserved(capability, user, session_key))[0]


async def aget_active_models(capability: str, user=None, *, session_key: str | None = None) -> list:
    """``get_active_models`` for async code."""
    return await _aserved(capability, user, session_key)
