"""Anthropic: x-api-key and anthropic-version, has_more/after_id pages, chat through the Messages API."""

import json

import httpx
import pytest

from ai_models.exceptions import ProviderResponseError
from ai_models.providers.anthropic import AnthropicProvider

from .contract import SECRET_KEY, ProviderContract, load_payload

CHAT = {"chat"}
_models = load_payload("anthropic.json")["data"]
MESSAGES_URL = "https://api.anthropic.com/v1/messages"


class TestAnthropic(ProviderContract):
    provider_class = AnthropicProvider
    list_host, list_path = "api.anthropic.com", "/v1/models"
    payload_file = "anthropic.json"
    auth_header, auth_value = "x-api-key", SECRET_KEY
    expected = {model["id"]: CHAT for model in _models}
    pages = [
        httpx.Response(200, json={"data": _models[:2], "has_more": True, "first_id": _models[0]["id"],
                                  "last_id": _models[1]["id"]}),
        httpx.Response(200, json={"data": _models[2:], "has_more": False, "first_id": _models[2]["id"],
                                  "last_id": _models[-1]["id"]}),
    ]
    second_page_params = {"after_id": "claude-sonnet-4-5-20250929", "limit": "1000"}

    def by_id(self):
        return {model.model_id: model for model in self.fetch()}

    def test_sends_the_api_version_and_no_bearer_header(self):
        self.fetch()
        headers = self.requests[0].headers
        assert headers["anthropic-version"] == "2023-06-01"
        assert "Authorization" not in headers

    def test_the_api_version_is_an_option(self):
        self.fetch(API_VERSION="2024-01-01")
        assert self.requests[0].headers["anthropic-version"] == "2024-01-01"

    def test_context_names_inputs_and_dates(self):
        models = self.by_id()
        sonnet = models["claude-sonnet-4-5-20250929"]
        assert sonnet.name == "Claude Sonnet 4.5"
        assert sonnet.context_window == 1000000 and sonnet.max_output == 64000
        assert sonnet.input_modalities == ("text", "image", "file")
        assert models["claude-haiku-4-5-20251001"].input_modalities == ("text", "image")
        assert sonnet.created.year == 2025
        assert sonnet.reasons["chat"] == "listed by a Messages API, which answers chat"

    def test_an_older_entry_without_capabilities_or_limits_still_lists(self):
        old = self.by_id()["claude-3-haiku-20240307"]
        assert old.context_window is None and old.input_modalities == ("text",)

    def test_chat_goes_through_the_messages_api(self):
        route = self.router.post(MESSAGES_URL).respond(200, json={
            "id": "msg_01", "type": "message", "role": "assistant", "model": "claude-haiku-4-5-20251001",
            "content": [{"type": "thinking", "thinking": "..."}, {"type": "text", "text": "Hello!"}],
            "stop_reason": "end_turn", "usage": {"input_tokens": 12, "output_tokens": 3},
        })
        messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
        result = self.provider().chat("claude-haiku-4-5-20251001", messages, temperature=0)
        assert (result.kind, result.text) == ("text", "Hello!")
        request = route.calls[0].request
        body = json.loads(request.content)
        assert body == {"max_tokens": 1024, "temperature": 0, "model": "claude-haiku-4-5-20251001",
                        "messages": [{"role": "user", "content": "Hi"}], "system": "Be brief."}
        assert request.headers["x-api-key"] == SECRET_KEY
        assert request.headers["anthropic-version"] == "2023-06-01"

    def test_max_tokens_given_by_the_call_wins(self):
        route = self.router.post(MESSAGES_URL).respond(200, json={"content": [{"type": "text", "text": "ok"}]})
        self.provider().chat("claude-haiku-4-5-20251001", [{"role": "user", "content": "Hi"}], max_tokens=16)
        assert json.loads(route.calls[0].request.content)["max_tokens"] == 16

    def test_an_answer_without_content_blocks_is_a_clear_error(self):
        self.router.post(MESSAGES_URL).respond(200, json={"type": "error", "error": {"type": "overloaded_error"}})
        with pytest.raises(ProviderResponseError, match="content blocks"):
            self.provider().chat("claude-haiku-4-5-20251001", [{"role": "user", "content": "Hi"}])
