"""A server whose key is optional (a local Ollama, vLLM, LM Studio) is called without one (issue 26.1).

``"ollama": {"BASE_URL": ...}`` at the local server, no key anywhere: Browse catalog lists it, *Test
and activate* makes its test call, host code calls the active model (sync, async, the SDK, LiteLLM's
arguments), and no request carries a key. A key set for it is sent; a provider whose calls need a key
still refuses before any request.
"""

import asyncio
import json

import pytest

from ai_models import get_active_model
from ai_models.clients import NO_KEY
from ai_models.exceptions import ProviderAuthError
from ai_models.providers import build_provider

from .conftest import local_settings
from .pages import CATALOG_URL, messages_of

CHAT_PATH = "/openai/v1/chat/completions"
ANSWER = {"id": "c1", "object": "chat.completion", "created": 0, "model": "gpt-4.1-mini",
          "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Local hello."}}]}
MESSAGES = [{"role": "user", "content": "Hi"}]
PK = "ollama:gpt-4.1-mini"


@pytest.fixture
def ollama(settings, server, sleeps, monkeypatch):
    for name in ("OLLAMA_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    ai = local_settings(server)
    ai["PROVIDERS"] = {"ollama": {"BASE_URL": server.url("/openai/v1")}, "openai": ai["PROVIDERS"]["openai"]}
    settings.AI_MODELS = ai
    server.payloads[CHAT_PATH] = ANSWER
    return server


def authorizations(server, path=CHAT_PATH):
    sent_headers = [{name.lower(): value for name, value in headers.items()} for sent, headers, _ in server.requests if sent == path]
    return [headers.get("authorization") for headers in sent_headers]


def test_test_and_activate_calls_it_without_a_key(admin_client, ollama):
    assert PK in admin_client.get(CATALOG_URL).content.decode()

    done = admin_client.post(
        CATALOG_URL,
        {"action": "activate", "_selected_action": PK, "confirm": "yes", "capability": "chat", "trial": "yes"},
        follow=True,
    )

    assert messages_of(done)[0].startswith("gpt-4.1-mini is now the active model for Chat. Test call: reply")
    assert get_active_model("chat").model_id == "gpt-4.1-mini"
    assert authorizations(ollama) == [None]


def test_host_code_calls_it_without_a_key(admin_client, ollama, monkeypatch):
    admin_client.post(CATALOG_URL, {"action": "activate", "_selected_action": PK, "confirm": "yes", "capability": "chat"})
    model = get_active_model("chat")
    backend = model.get_backend()

    assert backend.chat(model.model_id, MESSAGES).text == "Local hello."
    assert asyncio.run(backend.achat(model.model_id, MESSAGES)).text == "Local hello."
    assert authorizations(ollama) == [None, None]
    assert model.litellm_kwargs(MESSAGES)["api_key"] == NO_KEY

    pytest.importorskip("openai")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-not-for-ollama-0000")  # must not be read
    reply = model.openai_client().chat.completions.create(**model.chat_kwargs(MESSAGES))
    assert reply.choices[0].message.content == "Local hello."
    assert authorizations(ollama)[-1] == f"Bearer {NO_KEY}"
    assert json.loads(ollama.bodies[-1])["model"] == "gpt-4.1-mini"


def test_a_key_set_for_it_is_sent(ollama, monkeypatch):
    monkeypatch.setenv("OLLAMA_API_KEY", "sk-proxy-in-front-0000")

    assert build_provider("ollama").chat("gpt-4.1-mini", MESSAGES).text == "Local hello."
    assert authorizations(ollama) == ["Bearer sk-proxy-in-front-0000"]


def test_a_provider_whose_calls_need_a_key_still_refuses_before_any_request(ollama):
    with pytest.raises(ProviderAuthError, match="no API key configured; set OPENAI_API_KEY"):
        build_provider("openai").chat("gpt-4.1-mini", MESSAGES)
    assert ollama.requests == []


def test_a_server_that_wants_a_key_after_all_says_which_to_set(ollama):
    ollama.fault = "401"

    with pytest.raises(ProviderAuthError) as caught:
        build_provider("ollama").chat("gpt-4.1-mini", MESSAGES)

    assert str(caught.value).startswith(
        "ollama: the provider asks for an API key; set OLLAMA_API_KEY or add one in the admin (HTTP 401)"
    )
