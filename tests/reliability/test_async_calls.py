"""The async calls (``achat``...) get the guards of the sync ones: the same internal-address
refusals, checked again when connecting, the one deadline over connect + headers + body, and
the body read through the same capped single-coding decoder.

A real OpenAI backend and its ``httpx.AsyncClient`` against the local fault server.
"""

import asyncio

import pytest

from ai_models.exceptions import ProviderError, ProviderResponseError, ProviderUnavailable
from ai_models.models import Provider
from ai_models.providers import build_provider

from .conftest import API_KEY, local_settings
from .server import BOMB_SIZE
from .test_hostile_answers import PEAK_BYTES, SECONDS, measured
from .test_internal_addresses import CASES, IDS, configured, listener, resolver  # noqa: F401 (fixtures)

MESSAGES = [{"role": "user", "content": "Hi"}]
CHAT_PATH = "/openai/v1/chat/completions"
ANSWER = {"choices": [{"message": {"role": "assistant", "content": "Hello async."}}]}


@pytest.fixture
def calling(settings, server, sleeps):
    """OpenAI at the local server, its calls given the same 1 s deadline as its listing."""
    settings.AI_MODELS = local_settings(server, openai={"API_KEY": API_KEY, "GENERATION_TIMEOUT": 0.5})
    server.payloads[CHAT_PATH] = ANSWER


def achat(backend):
    return asyncio.run(backend.achat("gpt-4.1-mini", MESSAGES))


def test_a_healthy_async_call_goes_through_the_guarded_client(calling, server):
    reply = achat(build_provider("openai"))

    assert reply.text == "Hello async."
    [(path, headers, _fault)] = server.requests
    assert path == CHAT_PATH and headers["Authorization"] == f"Bearer {API_KEY}"
    assert headers["Accept-Encoding"] == "gzip, deflate"  # nothing the capped decoder cannot read


@pytest.mark.parametrize("case", IDS)
def test_an_async_call_to_an_internal_address_is_refused_without_connecting(db, configured, listener, case):
    row = Provider(slug="openai", base_url=CASES[case].format(port=listener.port))
    row.api_key = API_KEY
    row.save()  # straight into the database: no form, no validation
    backend = build_provider("openai", row)

    with pytest.raises(ProviderError, match="openai: the base URL is not allowed: .*ALLOWED_HTTP_HOSTS"):
        achat(backend)

    assert listener.connections == 0


def test_an_async_call_to_a_name_rebound_to_loopback_is_refused_at_connect_time(db, configured, listener, resolver):
    configured(BASE_URL=f"https://rebind.example:{listener.port}/v1")
    resolver["rebind.example"] = ["127.0.0.1"]  # public-looking when checked, loopback when resolved

    with pytest.raises(ProviderError) as caught:
        achat(build_provider("openai"))

    assert str(caught.value).startswith(
        "openai: the base URL is not allowed: rebind.example resolves to 127.0.0.1, a loopback, private or reserved"
    )
    assert listener.connections == 0


@pytest.mark.parametrize(
    "fault, says",
    [
        ("gzip bomb, two layers", "content coding gzip, gzip: only one layer of gzip or deflate is read"),
        ("gzip bomb, one layer", "the response is larger than 262144 bytes"),
    ],
)
def test_a_compression_bomb_answering_an_async_call_is_refused_in_bounded_memory_and_time(
    calling, server, fault, says
):
    assert BOMB_SIZE > PEAK_BYTES
    server.fault = fault
    backend = build_provider("openai")

    outcome, peak, elapsed = measured(lambda: achat(backend))

    assert isinstance(outcome, ProviderResponseError) and says in str(outcome)
    assert peak < PEAK_BYTES, f"{peak / 2**20:.0f} MiB"
    assert elapsed < SECONDS


@pytest.mark.parametrize("fault", ["headers dripping in", "drip"])
def test_an_async_answer_dripping_in_is_given_up_at_the_deadline(calling, server, fault):
    server.fault = fault
    backend = build_provider("openai")

    outcome, _peak, elapsed = measured(lambda: achat(backend))

    assert isinstance(outcome, ProviderUnavailable)
    assert str(outcome) == "openai: timed out: no complete answer within 1 s"
    assert elapsed < SECONDS  # the drip would go on far longer
