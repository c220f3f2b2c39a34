"""The freshness rule of ``get_active_model`` (``ai_models/active.py``), on a clock of the test's own.

Between checks a warm call reads nothing; the shared cache's version is read at most every
``ACTIVE_MODEL_RECHECK``, the database's at least every ``ACTIVE_MODEL_MAX_STALENESS``, so a change
the cache never heard of (a lost write, a frozen or restored Redis) is seen within that bound; a
database outage serves the last answer. The same with real processes, Redis and PostgreSQL:
``test_processes_bound.py``.
"""

import logging

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import InterfaceError, OperationalError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from ai_models import (
    NoActiveModel,
    UnknownCapability,
    activation,
    active,
    aget_active_model,
    get_active_model,
    get_active_models,
    sharedcache,
)
from ai_models.exceptions import ActiveModelUnavailable
from ai_models.models import AIModel, CapabilityLock, GroupModel, Provider, Rollout
from tests.factories import catalog_model

from .test_memo import SHARED

# Committed changes: inside a test transaction every change of ours would stay uncommitted.
pytestmark = pytest.mark.django_db(transaction=True)

RECHECK, BOUND = 1.0, 5.0  # the defaults


class Clock:
    """``time.monotonic`` as ``active.py`` reads it, moved by the test."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(active, "monotonic", clock)
    return clock


@pytest.fixture
def shared():
    """A cache every process would share (files), cleared."""
    with override_settings(CACHES=SHARED):
        caches["default"].clear()
        yield caches["default"]
        caches["default"].clear()


@pytest.fixture
def local():
    """A cache of this process alone (locmem), whatever the leg's."""
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
        caches["default"].clear()
        yield caches["default"]
        caches["default"].clear()


@pytest.fixture
def cache_gets(monkeypatch):
    """How many times the app read the shared cache."""
    calls = []
    original = sharedcache.GuardedCache.get

    def counted(self, key, default=None):
        calls.append(key)
        return original(self, key, default)

    monkeypatch.setattr(sharedcache.GuardedCache, "get", counted)
    return calls


def commit_elsewhere(model_id, capability="chat"):
    """What another process's activation of ``model_id`` leaves when its cache write is lost (or
    the cache restored from before it): the rows and the database's version, and no word here."""
    with transaction.atomic():
        AIModel.objects.filter(capability=capability, is_active=True).update(is_active=False)
        AIModel.objects.filter(capability=capability, model_id=model_id).update(is_active=True)
        active._replace_versions([capability], connection.alias)


def activate_a_with_b_saved():
    activation.activate(catalog_model("a"), "chat")
    activation.save(catalog_model("b"), "chat")


def queries(call):
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, len(captured)


def test_between_checks_a_warm_call_reads_neither_cache_nor_database(clock, shared, cache_gets):
    activation.activate(catalog_model("a"), "chat")
    assert get_active_model("chat").model_id == "a"  # after our commit: both checked, then loaded
    cache_gets.clear()
    clock.advance(RECHECK - 0.01)
    _, count = queries(lambda: [get_active_model("chat") for _ in range(100)])
    assert count == 0 and cache_gets == []
    clock.advance(0.01)  # the recheck: one cache get, no SQL
    _, count = queries(lambda: get_active_model("chat"))
    assert count == 0 and cache_gets == [active.VERSION_KEY]
    clock.advance(BOUND)  # the bound: one query for every capability's version
    _, count = queries(lambda: get_active_model("chat"))
    assert count == 1


def test_a_change_the_cache_never_heard_of_is_seen_within_the_bound(clock, shared):
    activate_a_with_b_saved()
    assert get_active_model("chat").model_id == "a"  # the database was checked at 1000
    commit_elsewhere("b")
    clock.advance(RECHECK)
    assert get_active_model("chat").model_id == "a"  # the cache says nothing changed
    clock.now = 1000 + BOUND - 0.01
    assert get_active_model("chat").model_id == "a"
    clock.now = 1000 + BOUND
    assert get_active_model("chat").model_id == "b"


def test_a_change_told_by_the_cache_is_seen_at_the_next_recheck(clock, shared):
    activate_a_with_b_saved()
    assert get_active_model("chat").model_id == "a"
    commit_elsewhere("b")
    shared.set(active.VERSION_KEY, "another process committed", timeout=None)
    clock.advance(RECHECK - 0.01)
    assert get_active_model("chat").model_id == "a"
    clock.advance(0.01)
    assert get_active_model("chat").model_id == "b"


def test_a_flushed_cache_reloads_at_the_next_recheck(clock, shared):
    activate_a_with_b_saved()
    assert get_active_model("chat").model_id == "a"
    commit_elsewhere("b")
    shared.clear()  # flushed, or the version evicted
    clock.advance(RECHECK)
    assert get_active_model("chat").model_id == "b"


def test_an_old_version_put_back_in_the_cache_is_caught_by_the_database(clock, shared):
    activate_a_with_b_saved()
    old = shared.get(active.VERSION_KEY)
    assert get_active_model("chat").model_id == "a"
    commit_elsewhere("b")
    shared.set(active.VERSION_KEY, "the other process's commit", timeout=None)
    shared.set(active.VERSION_KEY, old, timeout=None)  # restored from a snapshot before this process looked
    clock.advance(RECHECK)
    assert get_active_model("chat").model_id == "a"
    clock.now = 1000 + BOUND
    assert get_active_model("chat").model_id == "b"


def test_with_a_process_local_cache_the_database_is_checked_every_recheck(clock, local, cache_gets):
    activate_a_with_b_saved()
    assert get_active_model("chat").model_id == "a"
    commit_elsewhere("b")
    clock.advance(RECHECK - 0.01)
    _, count = queries(lambda: get_active_model("chat"))
    assert count == 0
    clock.advance(0.01)
    assert get_active_model("chat").model_id == "b"
    assert cache_gets == []  # locmem is never asked: it cannot tell other processes' changes


def test_a_failing_cache_leaves_the_database_to_check_every_recheck(clock, shared, monkeypatch):
    activate_a_with_b_saved()
    assert get_active_model("chat").model_id == "a"
    sharedcache.mark_unavailable("default", ConnectionError("frozen"))
    commit_elsewhere("b")
    clock.advance(RECHECK)
    assert get_active_model("chat").model_id == "b"


def test_recheck_zero_reads_the_shared_version_on_every_call(clock, shared, cache_gets):
    with override_settings(AI_MODELS={**settings.AI_MODELS, "ACTIVE_MODEL_RECHECK": 0}):
        activation.activate(catalog_model("a"), "chat")
        get_active_model("chat")
        cache_gets.clear()
        _, count = queries(lambda: [get_active_model("chat") for _ in range(5)])
        assert count == 0 and cache_gets == [active.VERSION_KEY] * 5


def test_this_process_sees_its_own_change_at_once(clock, shared):
    activation.activate(catalog_model("a"), "chat")
    assert get_active_model("chat").model_id == "a"
    activation.activate(catalog_model("b"), "chat")  # no time passes
    assert get_active_model("chat").model_id == "b"
    activation.deactivate("chat")
    with pytest.raises(NoActiveModel):
        get_active_model("chat")


# --- the versions in the database -------------------------------------------------------------


def versions():
    return dict(CapabilityLock.objects.values_list("capability", "version"))


def test_each_change_replaces_its_capabilitys_version_in_its_transaction():
    activation.activate(catalog_model("a"), "chat")
    first = versions()
    assert first["chat"] != 0 and "image" not in first
    with pytest.raises(RuntimeError), transaction.atomic():
        activation.activate(catalog_model("b"), "chat")
        assert versions()["chat"] != first["chat"]
        raise RuntimeError
    assert versions() == first  # rolled back with the change
    activation.activate(catalog_model("b"), "chat")
    assert versions()["chat"] != first["chat"]


def test_a_change_made_through_the_orm_gets_its_capabilitys_row():
    provider = Provider.objects.create(slug="snapshot")
    assert versions() == {}
    AIModel.objects.create(provider=provider, model_id="made-by-hand", capability="content", is_active=True)
    assert versions()["content"] != 0
    assert get_active_model("content").model_id == "made-by-hand"


def test_a_provider_change_replaces_the_versions_of_the_capabilities_it_serves():
    activation.activate(catalog_model("a"), "chat")
    activation.activate(catalog_model("x", provider="openai"), "content")
    before = versions()
    provider = Provider.objects.get(slug="snapshot")
    provider.name = "Renamed"
    provider.save()
    after = versions()
    assert after["chat"] != before["chat"] and after["content"] == before["content"]
    Provider.objects.create(slug="groq")  # serves nothing yet
    assert versions() == after


# --- outages ----------------------------------------------------------------------------------


@pytest.fixture
def database_down(monkeypatch):
    """The database fails every read of the hot path, as PostgreSQL does while it restarts."""
    attempts = []

    def fail(*args, **kwargs):
        attempts.append(args)
        raise OperationalError("server closed the connection unexpectedly")

    def down(on=True, only=("_database_versions", "_load")):
        for name, original in (("_database_versions", _database_versions), ("_load", _load)):
            monkeypatch.setattr(active, name, fail if on and name in only else original)

    _database_versions, _load = active._database_versions, active._load
    down.attempts = attempts
    return down


def test_a_database_outage_serves_the_last_answer_with_one_warning(clock, local, database_down, caplog):
    activate_a_with_b_saved()
    assert get_active_model("chat").model_id == "a"
    database_down()
    clock.advance(RECHECK)  # locmem: the database is what is checked every recheck
    with caplog.at_level(logging.WARNING, logger="ai_models"):
        assert [get_active_model("chat").model_id for _ in range(50)] == ["a"] * 50
        clock.advance(RECHECK)  # tried again once a recheck has passed, not on every call
        assert [get_active_model("chat").model_id for _ in range(50)] == ["a"] * 50
    assert len(database_down.attempts) == 2
    [warning] = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert "OperationalError" in warning.getMessage() and "last answers are served" in warning.getMessage()

    database_down(False)
    commit_elsewhere("b")
    clock.advance(RECHECK)
    assert get_active_model("chat").model_id == "b"  # back: checked and reloaded


def test_a_reload_that_fails_serves_the_last_answer(clock, local, database_down):
    activation.activate(catalog_model("a"), "chat")
    assert get_active_model("chat").model_id == "a"
    active.committed()  # told of a change; the versions are read, then the database fails
    database_down(only=["_load"])
    assert get_active_model("chat").model_id == "a"
    assert len(database_down.attempts) == 1
    assert [model.model_id for model in get_active_models("chat")] == ["a"]


# The tables ``_load`` reads, in order: the database may go away before any of them.
LOADED_TABLES = [AIModel._meta.db_table, Rollout._meta.db_table, GroupModel._meta.db_table]
OUTAGE_ERRORS = [OperationalError("terminating connection due to administrator command"),
                 InterfaceError("connection already closed")]


def fail_on_first_read_of(table, error, meanwhile=lambda: None):
    """An ``execute_wrapper`` raising ``error`` on the first query of ``table`` (once), after
    running ``meanwhile`` (what another thread does while this one waits on the database)."""
    done = []

    def wrapper(execute, sql, params, many, context):
        if not done and f'"{table}"' in sql:
            done.append(sql)
            meanwhile()
            raise error
        return execute(sql, params, many, context)

    wrapper.done = done
    return wrapper


@pytest.mark.parametrize("error", OUTAGE_ERRORS, ids=type)
@pytest.mark.parametrize("table", LOADED_TABLES)
def test_a_reload_cut_between_its_tables_serves_the_last_answer_whole(clock, local, table, error):
    activate_a_with_b_saved()
    assert get_active_model("chat").model_id == "a"
    commit_elsewhere("b")
    clock.advance(BOUND)  # the reload is due; the database goes away partway through it
    cut = fail_on_first_read_of(table, error)
    with connection.execute_wrapper(cut):
        assert get_active_model("chat").model_id == "a"  # not the rows read before the cut
    assert cut.done
    clock.advance(RECHECK)
    assert get_active_model("chat").model_id == "b"


@pytest.mark.parametrize("error", OUTAGE_ERRORS, ids=type)
@pytest.mark.parametrize("table", LOADED_TABLES)
def test_a_first_call_cut_by_an_outage_serves_what_another_thread_read_meanwhile(clock, local, table, error):
    """Four threads start serving; one's first call finds nothing read yet and waits on the
    database, another reads the capability, then a restart cuts the first: the process has read
    the capability, so the first is served that answer, not ``ActiveModelUnavailable``."""
    activation.activate(catalog_model("a"), "chat")
    active.clear_memo()  # a process that has read nothing yet
    other = []
    cut = fail_on_first_read_of(table, error, meanwhile=lambda: other.append(get_active_model("chat").model_id))
    with connection.execute_wrapper(cut):
        assert get_active_model("chat").model_id == "a"
    assert other == ["a"]


def test_an_outage_with_nothing_read_before_is_no_active_model_saying_why(clock, local, database_down):
    database_down()
    with pytest.raises(ActiveModelUnavailable) as caught:
        get_active_model("chat")
    assert isinstance(caught.value, NoActiveModel) and isinstance(caught.value, LookupError)
    assert "'chat'" in str(caught.value) and "database is unavailable (OperationalError)" in str(caught.value)
    with pytest.raises(ActiveModelUnavailable):
        async_to_sync(aget_active_model)("chat")


def test_an_unknown_capability_is_still_refused_during_an_outage(clock, database_down):
    database_down()
    with pytest.raises(UnknownCapability):
        get_active_model("telepathy")


# --- async -------------------------------------------------------------------------------------


def test_an_async_call_stays_in_the_event_loop_until_a_check_is_due(clock, shared, monkeypatch):
    activate_a_with_b_saved()
    get_active_model("chat")
    hops = []
    original = active.sync_to_async

    def counted(func):
        hops.append(func)
        return original(func)

    monkeypatch.setattr(active, "sync_to_async", counted)
    assert async_to_sync(aget_active_model)("chat").model_id == "a"
    assert hops == []
    commit_elsewhere("b")
    shared.set(active.VERSION_KEY, "changed", timeout=None)
    clock.advance(RECHECK)
    assert async_to_sync(aget_active_model)("chat").model_id == "b"  # the check, in a thread
    assert len(hops) == 1


# --- settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"ACTIVE_MODEL_RECHECK": -1}, "'ACTIVE_MODEL_RECHECK'] is -1"),
        ({"ACTIVE_MODEL_RECHECK": "1"}, "'ACTIVE_MODEL_RECHECK'] is '1'"),
        ({"ACTIVE_MODEL_MAX_STALENESS": True}, "'ACTIVE_MODEL_MAX_STALENESS'] is True"),
        ({"ACTIVE_MODEL_RECHECK": 10, "ACTIVE_MODEL_MAX_STALENESS": 5}, "is shorter than"),
    ],
)
def test_bad_freshness_settings_are_reported(values, expected):
    with override_settings(AI_MODELS={**settings.AI_MODELS, **values}):
        with pytest.raises(SystemCheckError, match="ai_models.E015") as caught:
            call_command("check")
    assert expected in str(caught.value)


def test_zero_is_a_valid_freshness_setting():
    with override_settings(AI_MODELS={**settings.AI_MODELS, "ACTIVE_MODEL_RECHECK": 0, "ACTIVE_MODEL_MAX_STALENESS": 0}):
        call_command("check")


def test_a_provider_saved_outside_a_transaction_replaces_the_versions_of_all_its_capabilities():
    activation.activate(catalog_model("a"), "chat")
    activation.activate(catalog_model("a"), "content")
    before = versions()
    assert not connection.in_atomic_block
    Provider.objects.get(slug="snapshot").save()  # autocommit: the versions are locked in a transaction of their own
    after = versions()
    assert after["chat"] != before["chat"] and after["content"] != before["content"]
