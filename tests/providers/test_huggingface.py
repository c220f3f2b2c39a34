"""Hugging Face: bare JSON arrays per pipeline tag, Link-header pages, a cap on the count."""

import httpx

from ai_models.classification import PIPELINE_TAGS
from ai_models.providers.huggingface import HuggingFaceProvider

from .contract import ProviderContract, load_payload

CHAT = {"chat"}
MODELS = load_payload("huggingface.json")


def for_tag(tag):
    return [model for model in MODELS if model.get("pipeline_tag") == tag]


class TestHuggingFace(ProviderContract):
    provider_class = HuggingFaceProvider
    list_host, list_path = "huggingface.co", "/api/models"
    payload_file = "huggingface.json"
    expected_skipped = 1  # an entry without an id
    options = {"PIPELINE_TAGS": list(PIPELINE_TAGS)}  # every tag a kind reads, so every fixture entry
    expected = {
        "meta-llama/Llama-3.1-8B-Instruct": CHAT,
        "Qwen/Qwen2.5-VL-7B-Instruct": CHAT,
        "meta-llama/Llama-Guard-3-8B": {"moderation"},
        "black-forest-labs/FLUX.1-dev": {"image"},
        "stabilityai/stable-diffusion-3.5-large": {"image"},
        "hexgrad/Kokoro-82M": {"speech"},
        "facebook/musicgen-small": set(),
        "google/gemma-4-e4b-it": CHAT,
        "Qwen/Qwen2.5-Omni-7B": CHAT,
        "Qwen/Qwen-Image-Edit": {"image"},
        "openai/whisper-large-v3": {"transcription"},
        "BAAI/bge-m3": {"embedding"},
        "sentence-transformers/all-MiniLM-L6-v2": {"embedding"},
        "BAAI/bge-reranker-v2-m3": {"rerank"},
        "Wan-AI/Wan2.2-T2V-A14B": {"video"},
        "Wan-AI/Wan2.2-I2V-A14B": {"video"},
        # A base checkpoint: text-generation, but no chat template (no "conversational" tag).
        "meta-llama/Llama-3.1-8B": set(),
    }
    _next = "https://huggingface.co/api/models?pipeline_tag=text-generation&inference_provider=all&cursor=eyIkb3IiOlt7"
    pages = [
        httpx.Response(200, json=for_tag("text-generation")[:1], headers={"Link": f'<{_next}>; rel="next"'}),
        httpx.Response(200, json=for_tag("text-generation")[1:]),
    ]
    second_page_params = {"cursor": "eyIkb3IiOlt7", "inference_provider": "all"}

    def ok_response(self, request):
        # Like the Hub: only the models of the pipeline tag asked for.
        return httpx.Response(200, json=for_tag(request.url.params.get("pipeline_tag")))

    def test_asks_for_served_models_per_tag_most_popular_first(self):
        self.fetch(PIPELINE_TAGS=["text-generation", "text-to-image", "text-to-speech", "any-to-any"])
        tags = [request.url.params["pipeline_tag"] for request in self.requests]
        assert tags == ["text-generation", "text-to-image", "text-to-speech", "any-to-any"]
        for request in self.requests:
            params = request.url.params
            assert params["inference_provider"] == "all"
            assert params["sort"] == "downloads" and params["direction"] == "-1"
            assert params["limit"] == "250"  # MAX_MODELS 1000 shared by four tags

    def test_fetches_the_tags_of_the_configured_kinds(self):
        provider = HuggingFaceProvider()
        # The default capabilities: chat and content (chat), image, audio (speech).
        assert provider.pipeline_tags() == [
            "text-generation", "image-text-to-text", "any-to-any", "text-to-image", "image-to-image",
            "text-to-speech", "text-to-audio",
        ]
        before = provider.fingerprint
        self.set_setting(CAPABILITIES=["chat", "embedding", "transcription"])
        assert provider.pipeline_tags() == [
            "text-generation", "image-text-to-text", "any-to-any", "automatic-speech-recognition",
            "feature-extraction", "sentence-similarity",
        ]
        assert provider.fingerprint != before  # a new set of tags is a new cached list
        by_id = {model.model_id: model for model in self.provider(PIPELINE_TAGS=None).fetch_catalog()}
        assert by_id["BAAI/bge-m3"].kinds == {"embedding"} and "openai/whisper-large-v3" in by_id
        assert "black-forest-labs/FLUX.1-dev" not in by_id

    def test_the_cap_stops_paging(self):
        endless = httpx.Response(200, json=for_tag("text-generation"), headers={"Link": f'<{self._next}>; rel="next"'})
        self.set_mock_response(200, json_data=None)
        self.default_response = endless
        catalog = self.fetch(MAX_MODELS=2, PIPELINE_TAGS=["text-generation"])
        assert len(catalog) == 2 and self.route.call_count == 1
        assert self.requests[0].url.params["limit"] == "2"

    def test_modalities_follow_the_tag(self):
        by_id = {model.model_id: model for model in self.fetch()}
        assert by_id["openai/whisper-large-v3"].input_modalities == ("audio",)
        assert by_id["Qwen/Qwen-Image-Edit"].input_modalities == ("text", "image")
        assert by_id["google/gemma-4-e4b-it"].input_modalities == ("text", "image", "audio")

    def test_names_and_dates(self):
        model = next(model for model in self.fetch() if model.model_id == "hexgrad/Kokoro-82M")
        assert model.name == "hexgrad/Kokoro-82M"
        assert model.created.isoformat() == "2024-12-26T00:20:08+00:00"
        assert model.output_modalities == ("audio",)


def test_a_listed_tokenizer_config_decides_whether_a_checkpoint_is_chat():
    base = {"id": "org/base-7b", "pipeline_tag": "text-generation", "tags": ["conversational"],
            "config": {"tokenizer_config": {"bos_token": "<s>"}}}
    tuned = {**base, "id": "org/chat-7b", "tags": [],
             "config": {"tokenizer_config": {"chat_template": "{% for m in messages %}...{% endfor %}"}}}
    untold = {"id": "org/untold-7b", "pipeline_tag": "text-generation"}  # no tags, no config: chat
    kinds = {model.model_id: model.kinds for model in HuggingFaceProvider.parse_catalog([base, tuned, untold])}
    assert kinds == {"org/base-7b": frozenset(), "org/chat-7b": {"chat"}, "org/untold-7b": {"chat"}}
