"""OpenAI, Groq and DeepSeek: the OpenAI-style ``GET /models`` list, classified by id or modalities."""

from decimal import Decimal

import httpx

from ai_models.providers.deepseek import DeepSeekProvider
from ai_models.providers.groq import GroqProvider
from ai_models.providers.openai import OpenAIProvider

from .contract import ProviderContract, load_payload

CHAT = {"chat"}


class TestOpenAI(ProviderContract):
    provider_class = OpenAIProvider
    list_host, list_path = "api.openai.com", "/v1/models"
    payload_file = "openai.json"
    expected_skipped = 2  # an entry without an id, one with a numeric id
    expected = {
        "gpt-4.1-mini": CHAT,
        "gpt-4o-search-preview": CHAT,
        "gpt-audio": CHAT | {"speech"},
        "gpt-image-1": {"image"},
        "chatgpt-image-latest": {"image"},
        "dall-e-3": {"image"},
        "dall-e-2": {"image"},
        "tts-1": {"speech"},
        "tts-1-hd": {"speech"},
        "gpt-4o-mini-tts": {"speech"},
        "whisper-1": {"transcription"},
        "gpt-4o-transcribe": {"transcription"},
        "text-embedding-3-small": {"embedding"},
        "omni-moderation-latest": {"moderation"},
        "sora-2": {"video"},
        "gpt-realtime": set(),
        "gpt-4o-realtime-preview": set(),
        "computer-use-preview": set(),
        "babbage-002": set(),
        "davinci-002": set(),
    }

    def test_reasons_say_why(self):
        by_id = {model.model_id: model for model in self.fetch()}
        assert "tts-*" in by_id["tts-1"].reasons["speech"]
        assert "image" in by_id["dall-e-3"].reasons["image"]

    def test_created_is_read(self):
        model = next(model for model in self.fetch() if model.model_id == "gpt-4.1-mini")
        assert model.created.year == 2025


class TestGroq(ProviderContract):
    provider_class = GroqProvider
    list_host, list_path = "api.groq.com", "/openai/v1/models"
    payload_file = "groq.json"
    expected = {
        "llama-3.3-70b-versatile": CHAT,
        "openai/gpt-oss-120b": CHAT,
        "meta-llama/llama-4-scout-17b-16e-instruct": CHAT,
        "meta-llama/llama-guard-4-12b": {"moderation"},
        "meta-llama/llama-prompt-guard-2-86m": {"moderation"},
        "openai/gpt-oss-safeguard-20b": {"moderation"},
        "whisper-large-v3": {"transcription"},
        "playai-tts": {"speech"},
        "canopylabs/orpheus-v1-english": {"speech"},
    }

    def test_inactive_models_are_left_out(self):
        assert "gemma2-9b-it" not in {model.model_id for model in self.fetch()}

    def test_context_window_and_modalities_are_read(self):
        by_id = {model.model_id: model for model in self.fetch()}
        assert by_id["llama-3.3-70b-versatile"].context_window == 131072
        assert by_id["meta-llama/llama-4-scout-17b-16e-instruct"].input_modalities == ("text", "image")
        assert by_id["canopylabs/orpheus-v1-english"].reasons["speech"] == "output modalities include speech"
        assert by_id["broken-window"].context_window is None
        assert by_id["openai/gpt-oss-120b"].max_output == 65536

    def test_the_newer_per_token_pricing_is_read(self):
        # Groq's newer lists price each model per token, as OpenRouter does.
        payload = load_payload("groq.json")
        payload["data"][0]["pricing"] = {"prompt": "0.00000059", "completion": "0.00000079"}
        payload["data"][1]["pricing"] = {"prompt": "0", "completion": "0"}
        self.set_mock_response(200, json_data=payload)
        by_id = {model.model_id: model for model in self.fetch()}
        llama, gpt_oss = by_id["llama-3.3-70b-versatile"], by_id["openai/gpt-oss-120b"]
        assert (llama.input_price, llama.output_price) == (Decimal("0.59"), Decimal("0.79"))
        assert (gpt_oss.input_price, gpt_oss.output_price) == (0, 0)
        assert by_id["whisper-large-v3"].input_price is None


class TestDeepSeek(ProviderContract):
    provider_class = DeepSeekProvider
    list_host, list_path = "api.deepseek.com", "/models"
    payload_file = "deepseek.json"
    expected = {"deepseek-chat": CHAT, "deepseek-reasoner": CHAT}

    def test_a_newer_payload_with_context_windows(self):
        payload = load_payload("deepseek.json")
        payload["data"][0].update(context_window=131072, output_modalities=["text"])
        self.set_mock_response(200, json_data=payload)
        model = self.fetch()[0]
        assert model.context_window == 131072
        assert model.reasons["chat"] == "output modalities include text"

    def test_same_host_redirect_is_followed(self):
        self.queue_responses(httpx.Response(301, headers={"Location": "https://api.deepseek.com/models"}))
        assert len(self.fetch()) == 2
        assert self.route.call_count == 2
