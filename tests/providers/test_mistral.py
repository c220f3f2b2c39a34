"""Mistral: the capabilities object classifies; deprecation gives an expiry and a successor."""

from datetime import date

import httpx
import pytest

from ai_models.exceptions import ProviderResponseError
from ai_models.providers.mistral import MistralProvider

from .contract import SECRET_KEY, ProviderContract

CHAT = {"chat"}


class TestMistral(ProviderContract):
    provider_class = MistralProvider
    list_host, list_path = "api.mistral.ai", "/v1/models"
    payload_file = "mistral.json"
    expected_skipped = 1  # capabilities given as a list
    expected = {
        "mistral-medium-2505": CHAT,
        "mistral-medium-2508": CHAT,
        "codestral-2508": CHAT,
        "voxtral-mini-2507": CHAT,
        "voxtral-mini-transcribe-2507": {"transcription"},
        "mistral-ocr-2505": set(),
        "mistral-moderation-2411": {"moderation"},
        "mistral-embed": {"embedding"},  # no flag says so: its id does
    }

    def by_id(self):
        return {model.model_id: model for model in self.fetch()}

    def test_reasons_name_the_flag(self):
        assert self.by_id()["codestral-2508"].reasons["chat"] == "capabilities include completion_chat"

    def test_deprecation_is_an_expiry_with_a_named_successor(self):
        models = self.by_id()
        old, new = models["mistral-medium-2505"], models["mistral-medium-2508"]
        assert old.expires == date(2025, 11, 30)
        assert old.successor == "mistral-medium-2508"
        assert (new.expires, new.successor) == (None, "")

    def test_inputs_come_from_the_flags_and_context_from_max_context_length(self):
        models = self.by_id()
        assert models["mistral-medium-2508"].input_modalities == ("text", "image")
        assert models["voxtral-mini-2507"].input_modalities == ("text", "audio")
        assert models["codestral-2508"].context_window == 256000

    def test_archived_fine_tunes_are_left_out(self):
        assert not any(model_id.startswith("ft:") for model_id in self.by_id())

    def test_an_entry_without_capabilities_falls_back_to_its_id(self):
        payload = {"data": [{"id": "mistral-small-latest"}, {"id": "mistral-embed-2312"}]}
        catalog = MistralProvider.parse_catalog(payload)
        assert [model.kinds for model in catalog] == [frozenset(CHAT), frozenset({"embedding"})]

    def test_a_malformed_successor_is_dropped_not_the_model(self):
        payload = {"data": [{"id": "m", "capabilities": {"completion_chat": True}, "deprecation_replacement_model": 7}]}
        (model,) = MistralProvider.parse_catalog(payload)
        assert model.successor == "" and model.kinds == frozenset(CHAT)

    def test_embeddings_through_the_openai_style_endpoint(self):
        route = self.router.post("https://api.mistral.ai/v1/embeddings").respond(
            200, json={"model": "mistral-embed", "data": [{"index": 1, "embedding": [0.5, 0.25]},
                                                          {"index": 0, "embedding": [1, 0]}]}
        )
        result = self.provider().embed("mistral-embed", ["a", "b"])
        assert result.kind == "embedding" and result.vectors == ((1.0, 0.0), (0.5, 0.25))
        assert route.calls[0].request.headers["Authorization"] == f"Bearer {SECRET_KEY}"

    def test_an_embedding_answer_missing_vectors_is_a_clear_error(self):
        self.router.post("https://api.mistral.ai/v1/embeddings").mock(return_value=httpx.Response(200, json={"data": []}))
        with pytest.raises(ProviderResponseError, match="one embedding per input"):
            self.provider().embed("mistral-embed", ["a"])
