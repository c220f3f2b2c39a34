"""Every call made through the package is counted: our backend's calls sync and async, the SDK
clients' (streaming too), host code's with ``record_call``; flushed in batches, never per call."""

import asyncio
from decimal import Decimal

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from ai_models import get_active_model
from ai_models.exceptions import ProviderUnavailable
from ai_models.models import Usage
from ai_models.usage import acting_user, record_call, recorder, report

from .conftest import CALL_COST, saved

pytestmark = pytest.mark.django_db


def totals(**filters) -> dict:
    report.collect()
    rows = Usage.objects.filter(**filters)
    return {
        "calls": sum(row.calls for row in rows),
        "tokens_in": sum(row.tokens_in for row in rows),
        "tokens_out": sum(row.tokens_out for row in rows),
        "cost": sum((row.cost for row in rows), Decimal(0)),
        "uncosted": sum(row.uncosted for row in rows),
        "outcomes": sorted({row.outcome for row in rows}),
    }


def test_backend_calls_are_counted_with_tokens_and_cost(server):
    model = saved()
    backend = get_active_model("chat").get_backend()

    for _ in range(3):
        backend.chat(model.model_id, [{"role": "user", "content": "Hi"}])

    assert totals(capability="chat", provider="openai", model_id="gpt-test") == {
        "calls": 3, "tokens_in": 3000, "tokens_out": 1500, "cost": 3 * CALL_COST, "uncosted": 0, "outcomes": ["ok"],
    }


def test_async_calls_are_counted(server):
    model = saved()
    backend = model.get_backend()

    async def calls():
        for _ in range(2):
            await backend.achat(model.model_id, [{"role": "user", "content": "Hi"}])

    asyncio.run(calls())

    assert totals()["calls"] == 2 and totals()["cost"] == 2 * CALL_COST


def test_nothing_is_written_until_a_flush(server):
    model = saved()
    model.get_backend().chat(model.model_id, [{"role": "user", "content": "Hi"}])

    assert Usage.objects.count() == 0
    report.collect()  # this process's counts, through Redis when the cache is Redis
    assert Usage.objects.get().calls == 1


def test_a_streamed_sdk_call_is_counted_once_with_its_usage(stream_server):
    pytest.importorskip("openai")
    model = saved()
    client = model.openai_client()

    stream = client.chat.completions.create(
        **model.chat_kwargs([{"role": "user", "content": "Hi"}]), stream=True, stream_options={"include_usage": True}
    )
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)

    assert text == "Hello"
    assert totals() == {
        "calls": 1, "tokens_in": 1000, "tokens_out": 500, "cost": CALL_COST, "uncosted": 0, "outcomes": ["ok"],
    }


def test_an_async_sdk_call_is_counted(server):
    pytest.importorskip("openai")
    model = saved()

    async def call():
        client = model.async_openai_client()
        return await client.chat.completions.create(**model.chat_kwargs([{"role": "user", "content": "Hi"}]))

    assert asyncio.run(call()).choices[0].message.content == "Hi there"
    assert totals()["calls"] == 1 and totals()["cost"] == CALL_COST


def test_a_failed_call_is_counted_as_its_error_class_at_no_cost(server):
    model = saved()
    server.close()  # nothing listens any more

    with pytest.raises(ProviderUnavailable):
        model.get_backend().chat(model.model_id, [{"role": "user", "content": "Hi"}])

    assert totals() == {
        "calls": 1, "tokens_in": 0, "tokens_out": 0, "cost": Decimal(0), "uncosted": 0, "outcomes": ["unreachable"],
    }


def test_an_unknown_price_stays_unknown_never_zero(server):
    model = saved(output_price=None)
    model.get_backend().chat(model.model_id, [{"role": "user", "content": "Hi"}])

    assert totals()["uncosted"] == 1 and totals()["cost"] == 0


def test_listing_the_catalog_is_not_a_call(server):
    saved()
    server.answer = {"data": [{"id": "gpt-test", "object": "model"}]}
    from ai_models.providers import build_provider

    build_provider("openai").fetch_payload()

    assert totals()["calls"] == 0


def test_host_code_records_its_own_calls_for_a_user(django_user_model):
    model = saved()
    user = django_user_model.objects.create(username="ana")

    with acting_user(user):
        record_call(model, latency=0.2, tokens_in=10, tokens_out=10, cost="0.25")
    record_call(model, outcome="timeout", latency=30)

    report.collect()
    assert {(row.user, row.outcome, row.cost) for row in Usage.objects.all()} == {
        (str(user.pk), "ok", Decimal("0.25")), ("", "timeout", Decimal(0)),
    }


def test_no_prompt_or_answer_is_stored(server):
    model = saved()
    model.get_backend().chat(model.model_id, [{"role": "user", "content": "my secret prompt"}])
    report.collect()

    stored = repr(list(Usage.objects.values()))
    assert "secret prompt" not in stored and "Hi there" not in stored


def test_the_request_path_runs_no_sql_once_warm(server, settings):
    saved()
    saved("gpt-cheap", active=False, fallback_position=1, input_price="0.1", output_price="0.1")
    from ai_models.models import Budget

    Budget.objects.create(capability="chat", monthly_limit=Decimal("100"))
    settings.AI_MODELS = {**settings.AI_MODELS, "BUDGET_RECHECK": 3600}
    model = get_active_model("chat")  # warm: the memo and the budgets read
    backend = model.get_backend()
    backend.chat(model.model_id, [{"role": "user", "content": "Hi"}])

    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            model = get_active_model("chat")
            backend.chat(model.model_id, [{"role": "user", "content": "Hi"}])

    assert queries.captured_queries == []
    assert totals()["calls"] == 6


def test_a_forked_child_does_not_count_its_parents_calls_again(server, monkeypatch):
    model = saved()
    model.get_backend().chat(model.model_id, [{"role": "user", "content": "Hi"}])
    parent = recorder._pending
    monkeypatch.setattr(recorder.os, "getpid", lambda: parent.pid + 1)  # as in a forked child

    recorder.record(model.get_backend().meter, "ok", 0.1)

    assert [row[0] for row in recorder._pending.rows.values()] == [1]  # its own call only
    assert [row[0] for row in parent.rows.values()] == [1]  # the parent's, flushed by the parent


@pytest.mark.django_db(transaction=True)  # the flushing thread writes with a connection of its own
def test_the_thread_flushes_every_interval(server, settings):
    import time

    settings.AI_MODELS = {**settings.AI_MODELS, "USAGE_FLUSH_INTERVAL": 0.05}
    model = saved()
    recorder.discard()  # a thread started under the new interval
    model.get_backend().chat(model.model_id, [{"role": "user", "content": "Hi"}])

    def written():
        try:
            return Usage.objects.exists()
        except OperationalError:  # SQLite's shared in-memory database: locked while the thread writes
            return False

    deadline = time.monotonic() + 10  # a bound, not a wait: the test ends once the row is there
    while not written() and time.monotonic() < deadline:
        time.sleep(0.01)
    thread = recorder._pending.thread
    recorder.discard()
    thread.join(10)  # no write of its own under the read below
    assert Usage.objects.get().calls == 1


@pytest.mark.redis
def test_with_redis_failing_the_counts_go_to_the_database(server, monkeypatch):
    from ai_models import sharedcache
    from ai_models.usage import store

    class Down:
        def pipeline(self, **kwargs):
            raise ConnectionError("Redis is down")

    model = saved()
    model.get_backend().chat(model.model_id, [{"role": "user", "content": "Hi"}])
    monkeypatch.setattr(store, "redis_client", lambda: Down())

    recorder.flush()

    assert Usage.objects.get().calls == 1
    assert sharedcache.is_unavailable()
    monkeypatch.undo()
    report.collect()  # Redis unavailable: skipped, nothing raised
    assert Usage.objects.get().calls == 1
