"""Gemini: pages of models with supportedGenerationMethods; the key in x-goog-api-key."""

import httpx

from ai_models.providers.gemini import GeminiProvider

from .contract import SECRET_KEY, ProviderContract, load_payload

CHAT = {"chat"}
_models = load_payload("gemini.json")["models"]


class TestGemini(ProviderContract):
    provider_class = GeminiProvider
    list_host, list_path = "generativelanguage.googleapis.com", "/v1beta/models"
    payload_file = "gemini.json"
    auth_header, auth_value = "x-goog-api-key", SECRET_KEY
    expected_skipped = 1  # an entry without a name
    expected = {
        "gemini-2.5-flash": CHAT,
        "gemini-2.5-pro": CHAT,
        "gemma-3-27b-it": CHAT,
        "gemini-2.5-flash-image": {"image"},
        "gemini-2.5-flash-preview-tts": {"speech"},
        "imagen-4.0-generate-001": {"image"},
        "veo-3.0-generate-001": {"video"},
        "gemini-embedding-001": {"embedding"},
        "gemini-2.5-flash-native-audio-latest": set(),
        "aqa": set(),
    }
    pages = [
        httpx.Response(200, json={"models": _models[:4], "nextPageToken": "Chdnb29nbGUvZ2VtaW5p"}),
        httpx.Response(200, json={"models": _models[4:10]}),
    ]
    second_page_params = {"pageToken": "Chdnb29nbGUvZ2VtaW5p", "pageSize": "1000"}

    def test_asks_for_big_pages_and_never_puts_the_key_in_the_query(self):
        self.fetch()
        params = self.requests[0].url.params
        assert params["pageSize"] == "1000" and "key" not in params
        assert "Authorization" not in self.requests[0].headers

    def test_ids_names_and_context(self):
        flash = next(model for model in self.fetch() if model.model_id == "gemini-2.5-flash")
        assert flash.name == "Gemini 2.5 Flash"
        assert flash.context_window == 1048576 and flash.max_output == 65536
        assert flash.reasons["chat"] == "supports generateContent"
