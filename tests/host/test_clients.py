"""``openai_client()``, ``async_openai_client()`` and ``litellm_kwargs()`` with the real packages,
against a local OpenAI-style server (the SDK's own HTTP stack sends the requests)."""

import asyncio
import os

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from ai_models import activation
from ai_models.exceptions import ProviderAuthError, ProviderUnsupported
from ai_models.providers import build_provider
from tests.factories import catalog_model

from .openai_server import ChatServer

openai = pytest.importorskip("openai")

KEY = "sk-sdk-test-0123456789abcdef"
MESSAGES = [{"role": "user", "content": "Hi"}]
# provider id -> (key variable, base URL override, where the SDK's chat request goes under it)
PROVIDERS = {
    "openrouter": ("OPENROUTER_API_KEY", "/api/v1", "/api/v1/chat/completions"),
    "openai": ("OPENAI_API_KEY", "/v1", "/v1/chat/completions"),
    "groq": ("GROQ_API_KEY", "/openai/v1", "/openai/v1/chat/completions"),
    "deepseek": ("DEEPSEEK_API_KEY", "", "/chat/completions"),
    "gemini": ("GEMINI_API_KEY", "/v1beta", "/v1beta/openai/chat/completions"),
    "huggingface": ("HF_TOKEN", None, "/router/v1/chat/completions"),
}
DEFAULT_SDK_URLS = {
    "openrouter": "https://openrouter.ai/api/v1",
    "openai": "https://api.openai.com/v1",
    "groq": "https://api.groq.com/openai/v1",
    "deepseek": "https://api.deepseek.com",
    "gemini": "https://generativelanguage.googleapis.com/v1beta/openai",
    "huggingface": "https://router.huggingface.co/v1",
}


@pytest.fixture
def server():
    running = ChatServer()
    yield running
    running.close()


def point_at(settings, monkeypatch, server, provider_id):
    env, base, _path = PROVIDERS[provider_id]
    monkeypatch.setenv(env, KEY)
    root = f"http://127.0.0.1:{server.port}"
    options = {"INFERENCE_BASE_URL": f"{root}/router/v1"} if base is None else {"BASE_URL": root + base}
    settings.AI_MODELS = {
        **django_settings.AI_MODELS,
        "PROVIDERS": {"snapshot": {}, provider_id: options},
        "ALLOWED_HTTP_HOSTS": [f"127.0.0.1:{server.port}"],
    }
    return activation.activate(catalog_model(f"{provider_id}/chat-model", provider=provider_id), "chat",
                              parameters={"temperature": 0.3, "system_prompt": "Be brief."}).model


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_the_sdk_client_sends_the_right_base_url_and_key(db, settings, monkeypatch, server, provider_id):
    model = point_at(settings, monkeypatch, server, provider_id)

    reply = model.openai_client().chat.completions.create(**model.chat_kwargs(MESSAGES))

    assert reply.choices[0].message.content == "Hello from the SDK test server."
    [request] = server.requests
    assert request["path"] == PROVIDERS[provider_id][2]
    assert request["headers"]["authorization"] == f"Bearer {KEY}"
    assert request["body"]["model"] == f"{provider_id}/chat-model" and request["body"]["temperature"] == 0.3
    assert request["body"]["messages"][0] == {"role": "system", "content": "Be brief."}


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_default_sdk_base_urls(provider_id, settings):
    settings.AI_MODELS = {**django_settings.AI_MODELS, "PROVIDERS": {provider_id: {}}}
    assert build_provider(provider_id).openai_base_url == DEFAULT_SDK_URLS[provider_id]


def test_streaming_with_the_async_client(db, settings, monkeypatch, server):
    model = point_at(settings, monkeypatch, server, "openai")

    async def stream():
        client = model.async_openai_client()
        words = []
        async for part in await client.chat.completions.create(**model.chat_kwargs(MESSAGES), stream=True):
            words.append(part.choices[0].delta.content or "")
        await client.close()
        return "".join(words)

    assert asyncio.run(stream()) == "Hello streamed world"
    assert server.requests[0]["body"]["stream"] is True


def test_a_provider_without_an_openai_api_or_a_key_is_a_clear_error(db, settings, monkeypatch):
    settings.AI_MODELS = {**django_settings.AI_MODELS,
                          "PROVIDERS": {"test": {"CLASS": "ai_models.providers.test.TestProvider"}}}
    scripted = activation.activate(catalog_model("chat-1", provider="test"), "chat").model
    with pytest.raises(ProviderUnsupported, match="no OpenAI-compatible API"):
        scripted.openai_client()
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    settings.AI_MODELS = {**django_settings.AI_MODELS, "PROVIDERS": {"openai": {}}}
    model = activation.activate(catalog_model("gpt-4.1-mini", provider="openai"), "content").model
    with pytest.raises(ProviderAuthError, match="OPENAI_API_KEY"):
        model.openai_client()


def test_a_missing_openai_package_says_which_extra_to_install(db, settings, monkeypatch, server):
    import sys

    model = point_at(settings, monkeypatch, server, "openai")
    monkeypatch.setitem(sys.modules, "openai", None)
    with pytest.raises(ImproperlyConfigured, match=r"django-ai-models\[openai\]"):
        model.openai_client()


@pytest.mark.filterwarnings("ignore::UserWarning")  # pydantic notes from inside litellm
def test_litellm_kwargs_drive_the_real_litellm(db, settings, monkeypatch, server):
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no fetch of LiteLLM's price list
    litellm = pytest.importorskip("litellm")
    model = point_at(settings, monkeypatch, server, "groq")

    kwargs = model.litellm_kwargs(MESSAGES)
    reply = litellm.completion(**kwargs)

    assert reply.choices[0].message.content == "Hello from the SDK test server."
    [request] = server.requests
    assert request["path"] == "/openai/v1/chat/completions" and request["headers"]["authorization"] == f"Bearer {KEY}"
    assert request["body"]["temperature"] == 0.3 and request["body"]["model"] == "groq/chat-model"
    assert kwargs["api_base"] == f"http://127.0.0.1:{server.port}/openai/v1"
    assert os.environ.get("GROQ_API_KEY") == kwargs["api_key"]
