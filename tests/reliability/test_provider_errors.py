"""Every failure of a call or a fetch is a ``ProviderError`` (issue 24, item 2).

JSON nested 10,000 levels deep (a 20 KB body; ``json.loads`` raises ``RecursionError`` on it) answers
chat, achat, transcribe and the listing of a real backend pointed at the local server; a base URL
with a soft hyphen (which httpx cannot send to) is stored straight into the database. Before, the
first escaped as ``RecursionError`` and the second as ``httpx.InvalidURL``: host pages answered 500,
``call_with_fallback`` did not fall back, a whole provider failed instead of one entry.
"""

import asyncio

import pytest

from ai_models import activation, call_with_fallback
from ai_models.exceptions import ProviderError, ProviderResponseError
from ai_models.models import Provider
from ai_models.providers import build_provider
from tests.factories import catalog_model

from .conftest import API_KEY, local_settings
from .pages import CATALOG_URL, panel

DEPTH = 10_000
DEEP = ("[" * DEPTH + "]" * DEPTH).encode()
CHAT = "/openai/v1/chat/completions"
ROUTER_CHAT = "/openrouter/api/v1/chat/completions"
MESSAGES = [{"role": "user", "content": "Hi"}]
SOFT_HYPHEN_URL = "https://llm\u00adexample.com/v1"


def answer(text):
    return {"choices": [{"message": {"role": "assistant", "content": text}}]}


@pytest.fixture
def local(settings, server, sleeps):
    settings.AI_MODELS = local_settings(server, openai={"API_KEY": API_KEY}, openrouter={"API_KEY": API_KEY})
    return server


CALLS = {
    "chat": lambda backend: backend.chat("gpt-4.1-mini", MESSAGES),
    "achat": lambda backend: asyncio.run(backend.achat("gpt-4.1-mini", MESSAGES)),
    "transcribe": lambda backend: backend.transcribe("whisper-1", b"RIFF....WAVE"),
}


@pytest.mark.parametrize("call", CALLS)
def test_an_answer_nested_too_deep_is_a_provider_error(local, call):
    local.payloads[CHAT] = local.payloads["/openai/v1/audio/transcriptions"] = DEEP

    with pytest.raises(ProviderResponseError) as caught:
        CALLS[call](build_provider("openai"))

    assert "unexpected answer, expected" in str(caught.value) and caught.value.status == 200


def test_a_deep_field_beside_the_answer_is_cut_and_the_answer_read(local):
    local.payloads[CHAT] = b'{"choices": [{"message": {"content": "Still here."}}], "junk": ' + DEEP + b"}"

    reply = build_provider("openai").chat("gpt-4.1-mini", MESSAGES)

    assert reply.text == "Still here."
    junk, depth = reply.raw["junk"], 1
    while junk:
        junk, depth = junk[0], depth + 1
    assert depth == 64 and junk is None  # the containers past the bound are null


def test_an_entry_nested_too_deep_is_skipped_alone_and_the_others_listed(admin_client, local):
    local.payloads["/openrouter/api/v1/models"] = (
        b'{"data": [{"id": "acme/first"}, {"id": "acme/deep", "extra": ' + DEEP + b'}, {"id": "acme/last"}]}'
    )

    response = admin_client.get(CATALOG_URL)

    assert response.status_code == 200
    assert panel(response)["OpenRouter"] == ("fresh", "fresh · 2 models, fetched just now · 1 malformed entry skipped")


def test_call_with_fallback_falls_back_from_an_answer_nested_too_deep(db, local):
    fallback = activation.save(catalog_model("acme/chat-large", provider="openrouter"), "chat").model
    activation.activate(catalog_model("gpt-4.1-mini", provider="openai"), "chat")
    activation.set_fallbacks("chat", [fallback])
    local.payloads[CHAT], local.payloads[ROUTER_CHAT] = DEEP, answer("From the fallback.")

    reply = call_with_fallback("chat", lambda model, backend: backend.chat(model.model_id, MESSAGES))

    assert reply.text == "From the fallback." and reply.provider == "openrouter"


@pytest.fixture
def soft_hyphen(db, local):
    """OpenAI with a base URL stored as it was (before the form refused it), with a key."""
    row = Provider(slug="openai", base_url=SOFT_HYPHEN_URL)
    row.api_key = API_KEY
    row.save()
    return build_provider("openai", row)


@pytest.mark.parametrize("call", ["list", *CALLS])
def test_a_base_url_httpx_cannot_send_to_is_a_provider_error(soft_hyphen, call):
    with pytest.raises(ProviderError) as caught:
        soft_hyphen.fetch_catalog() if call == "list" else CALLS[call](soft_hyphen)

    assert str(caught.value) == "openai: the base URL is not allowed: Enter a valid URL."


def test_the_sdk_client_refuses_it_the_same_way(soft_hyphen):
    pytest.importorskip("openai")
    from ai_models.clients import openai_client

    with pytest.raises(ProviderError, match="openai: the base URL is not allowed: Enter a valid URL."):
        openai_client(soft_hyphen)
