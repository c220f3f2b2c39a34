"""Answers built to exhaust the fetch: compression bombs and headers dripping in.

A real OpenAI backend against the local server. Each is refused within loose memory and time
bounds (a fetch that decoded the bomb would hold hundreds of megabytes; one without a deadline
over the headers would wait as long as the server keeps dripping), and the Browse catalog and
Test connection pages answer with the reason instead of waiting again on every view.
"""

import threading
import time
import tracemalloc

import pytest

from ai_models.exceptions import ProviderResponseError, ProviderUnavailable
from ai_models.models import Provider
from ai_models.providers import build_provider

from .pages import CATALOG_URL, PROVIDERS_URL, messages_of, panel
from .server import BOMB_SIZE

PEAK_BYTES = 200 * 1024 * 1024
SECONDS = 5


def measured(call):
    """``(outcome, peak bytes allocated, seconds)`` of ``call()``; the outcome is a result or an error."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        outcome = call()
    except Exception as err:  # noqa: BLE001 (the outcome is checked by the caller)
        outcome = err
    elapsed = time.monotonic() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return outcome, peak, elapsed


@pytest.mark.parametrize(
    "fault, says",
    [
        ("gzip bomb, two layers", "content coding gzip, gzip: only one layer of gzip or deflate is read"),
        ("gzip bomb, three layers", "content coding gzip, gzip, gzip: only one layer"),
        ("gzip bomb, one layer", "the response is larger than 262144 bytes"),
        ("unknown content coding", "content coding zstd"),
    ],
)
def test_a_compression_bomb_is_refused_in_bounded_memory_and_time(local_providers, server, fault, says):
    assert BOMB_SIZE > PEAK_BYTES  # decoding it all could not pass the bound below
    server.fault = fault

    outcome, peak, elapsed = measured(build_provider("openai").fetch_catalog)

    assert isinstance(outcome, ProviderResponseError) and says in str(outcome)
    assert peak < PEAK_BYTES, f"{peak / 2**20:.0f} MiB"
    assert elapsed < SECONDS


def test_a_gzipped_answer_within_the_cap_is_read(local_providers, server):
    server.fault = "gzipped"

    models = build_provider("openai").fetch_catalog()

    assert [model.model_id for model in models] == ["gpt-4.1-mini", "gpt-image-1", "tts-1"]
    assert server.requests[0][1]["Accept-Encoding"] == "gzip, deflate"


def test_headers_dripping_in_are_given_up_at_the_deadline(local_providers, server):
    server.fault = "headers dripping in"

    outcome, _peak, elapsed = measured(build_provider("openai").fetch_catalog)

    assert isinstance(outcome, ProviderUnavailable)
    assert str(outcome) == "openai: timed out: no complete answer within 1 s"
    assert elapsed < SECONDS  # CONNECT_TIMEOUT + READ_TIMEOUT is 1 s; the drip would go on for 1,000 s


def test_browse_catalog_records_the_dripping_provider_as_failed_and_does_not_wait_again(
    admin_client, local_providers, server
):
    server.fault = "headers dripping in"

    started = time.monotonic()
    first = admin_client.get(CATALOG_URL)
    first_seconds = time.monotonic() - started
    hits = server.hits("/openai/")
    second = admin_client.get(CATALOG_URL)

    assert first.status_code == second.status_code == 200
    for response in (first, second):
        state, text = panel(response)["OpenAI"]
        assert state == "failed" and "timed out: no complete answer within 1 s" in text
    assert first_seconds < SECONDS
    assert server.hits("/openai/") == hits  # the failure was recorded: the second view fetched nothing
    assert not [thread for thread in threading.enumerate() if thread.name.startswith("ai-models-catalog")]


def test_test_connection_ends_at_the_deadline_with_the_reason(admin_client, local_providers, server):
    row = Provider.objects.create(slug="openai", name="OpenAI")
    server.fault = "headers dripping in"

    started = time.monotonic()
    response = admin_client.post(
        PROVIDERS_URL, {"action": "test_connection", "_selected_action": row.pk, "index": "0"}, follow=True
    )

    assert time.monotonic() - started < SECONDS
    assert response.status_code == 200
    assert messages_of(response) == [
        "OpenAI: the connection test failed: timed out: no complete answer within 1 s"
    ]
