"""One lock order for every change of what serves a capability.

``capability_lock(*names)`` opens one transaction and, before anything else in it, locks the row of
each capability (``CapabilityLock``, created on first use), in name order. Every write of the flow
runs inside it, so changes of one capability queue up, changes of several never wait on each other
in opposite orders, and what a change reads there (the active model it replaces) is what really
was. Nothing slow happens inside: catalogs and test calls are fetched before.

The wait is bounded: ``LOCK_WAIT`` seconds on PostgreSQL (``lock_timeout``), the connection's
``timeout`` on SQLite (whose one write lock the first statement takes). Contention (a timeout, a
deadlock the database broke, a collision with a write made outside the flow) is raised as
``ActivationBusy``: nothing was changed, try again.
"""

from contextlib import contextmanager

from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.utils.translation import gettext

from ..capabilities import capability_label
from ..exceptions import ActivationBusy
from ..models import AIModel, CapabilityLock

LOCK_WAIT = 10.0  # seconds a change waits for another change of the same capability
# SQLSTATEs of contention: lock_not_available (lock_timeout), deadlock_detected, serialization_failure.
CONTENTION_STATES = {"55P03", "40P01", "40001"}
CONTENTION_WORDS = ("database is locked", "database table is locked", "lock wait timeout", "deadlock")


def is_contention(error: DatabaseError) -> bool:
    """Whether a database error says another transaction held what this one needed."""
    if isinstance(error, IntegrityError):
        return True  # under the lock, only a write made outside the flow collides
    cause = error.__cause__
    state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if state in CONTENTION_STATES:
        return True
    text = str(error).lower()
    return any(word in text for word in CONTENTION_WORDS)


def _take(names, alias):
    connection = connections[alias]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # until the end of this transaction
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{round(LOCK_WAIT * 1000)}ms"])
    # The first statement writes, so on SQLite it takes the database's write lock at once (a read
    # first would deadlock two deferred transactions that both go on to write).
    CapabilityLock.objects.using(alias).bulk_create([CapabilityLock(name) for name in names], ignore_conflicts=True)
    list(CapabilityLock.objects.using(alias).select_for_update().filter(capability__in=names).order_by("capability"))


@contextmanager
def capability_lock(*capabilities):
    """A transaction holding the lock of each of ``capabilities``; raises ``ActivationBusy`` on contention."""
    names = sorted(set(capabilities))
    alias = router.db_for_write(AIModel)
    connection = connections[alias]
    restore = None
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        # Inside the caller's transaction: give it back its own lock_timeout afterwards.
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('lock_timeout')")
            restore = cursor.fetchone()[0]
    try:
        with transaction.atomic(using=alias):
            _take(names, alias)
            yield
            if restore is not None:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [restore])
    except DatabaseError as err:
        if not is_contention(err):
            raise
        labels = ", ".join(capability_label(name) for name in names)
        raise ActivationBusy(
            gettext("Another change of %(capabilities)s is in progress: nothing was changed; try again in a moment.")
            % {"capabilities": labels}
        ) from err
