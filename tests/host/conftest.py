import httpx
import pytest
import respx
from django.conf import settings as django_settings

from ai_models.providers import http

OPENAI_KEY = "sk-host-test-0123456789abcdef"
CHAT_URL = "https://api.openai.com/v1/chat/completions"


def completion(content="Hello from the model."):
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 1741569952, "model": "m",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 4, "total_tokens": 9}}


@pytest.fixture
def openai_enabled(settings, monkeypatch):
    """OpenAI switched on with a key from the environment; retries do not sleep."""
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.setattr(http, "sleep", lambda seconds: None)

    async def no_wait(seconds):
        return None

    monkeypatch.setattr(http, "asleep", no_wait)
    settings.AI_MODELS = {**django_settings.AI_MODELS, "PROVIDERS": {"snapshot": {}, "openai": {}}, "MAX_RETRIES": 0}


@pytest.fixture
def api():
    with respx.mock(assert_all_called=False) as router:
        yield router


def answer_by_model(answers):
    """A respx side effect answering per requested model id: ``{"gpt-a": 503, "gpt-b": "text"}``."""
    import json

    def respond(request):
        wanted = answers[json.loads(request.content)["model"]]
        if isinstance(wanted, int):
            return httpx.Response(wanted, json={"error": {"message": f"status {wanted}"}})
        return httpx.Response(200, json=completion(wanted))

    return respond
