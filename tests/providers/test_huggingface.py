"""Hugging Face: bare JSON arrays per pipeline tag, Link-header pages, a cap on the count."""

import httpx

from ai_models.providers.huggingface import HuggingFaceProvider

from .contract import ProviderContract, load_payload

CHAT = {"chat", "content"}
MODELS = load_payload("huggingface.json")


def for_tag(tag):
    return [model for model in MODELS if model.get("pipeline_tag") == tag]


class TestHuggingFace(ProviderContract):
    provider_class = HuggingFaceProvider
    list_host, list_path = "huggingface.co", "/api/models"
    payload_file = "huggingface.json"
    expected_skipped = 1  # an entry without an id
    expected = {
        "meta-llama/Llama-3.1-8B-Instruct": CHAT,
        "Qwen/Qwen2.5-VL-7B-Instruct": CHAT,
        "meta-llama/Llama-Guard-3-8B": set(),
        "black-forest-labs/FLUX.1-dev": {"image"},
        "stabilityai/stable-diffusion-3.5-large": {"image"},
        "hexgrad/Kokoro-82M": {"audio"},
        "facebook/musicgen-small": {"audio"},
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
        self.fetch()
        tags = [request.url.params["pipeline_tag"] for request in self.requests]
        assert tags == ["text-generation", "image-text-to-text", "text-to-image", "text-to-speech", "text-to-audio"]
        for request in self.requests:
            params = request.url.params
            assert params["inference_provider"] == "all"
            assert params["sort"] == "downloads" and params["direction"] == "-1"
            assert params["limit"] == "200"  # MAX_MODELS 1000 shared by five tags

    def test_the_cap_stops_paging(self):
        endless = httpx.Response(200, json=for_tag("text-generation"), headers={"Link": f'<{self._next}>; rel="next"'})
        self.set_mock_response(200, json_data=None)
        self.default_response = endless
        catalog = self.fetch(MAX_MODELS=2, PIPELINE_TAGS=["text-generation"])
        assert len(catalog) == 2 and self.route.call_count == 1
        assert self.requests[0].url.params["limit"] == "2"

    def test_speech_recognition_is_not_offered(self):
        entry = {"id": "openai/whisper-large-v3", "pipeline_tag": "automatic-speech-recognition"}
        (model,) = HuggingFaceProvider.parse_catalog([entry])
        assert model.capabilities == frozenset()

    def test_names_and_dates(self):
        model = next(model for model in self.fetch() if model.model_id == "hexgrad/Kokoro-82M")
        assert model.name == "hexgrad/Kokoro-82M"
        assert model.created.isoformat() == "2024-12-26T00:20:08+00:00"
        assert model.output_modalities == ("audio",)
