"""OpenRouter: public list of every routed model, classified by output modalities."""

import json
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from ai_models.providers.openrouter import OpenRouterProvider

from .contract import ProviderContract, load_payload

# ../shared/realdata beside the checkout (one more level up from a worktree under /work/wt).
REALDATA = next(
    (found for found in (parent / "shared" / "realdata" for parent in Path(__file__).resolve().parents[2].parents)
     if found.is_dir()),
    Path("/nonexistent"),
)
CHAT = {"chat"}


def page(models, next_link=None):
    body = {"data": models}
    if next_link:
        body["links"] = {"next": next_link}
    return httpx.Response(200, json=body)


class TestOpenRouter(ProviderContract):
    provider_class = OpenRouterProvider
    list_host, list_path = "openrouter.ai", "/api/v1/models"
    payload_file = "openrouter.json"
    expected_skipped = 2  # an empty id and an entry that is not an object
    expected = {
        "anthropic/claude-sonnet-4.5": CHAT,
        "google/gemini-2.5-flash-image": CHAT | {"image"},
        "black-forest-labs/flux.2-pro": {"image"},
        "openai/gpt-4o-mini-tts": {"speech"},
        "openai/text-embedding-3-small": {"embedding"},
        "google/lyria-3-clip-preview": set(),
        "meta-llama/llama-guard-4-12b": {"moderation"},
        "meta-llama/llama-3.3-70b-instruct:free": CHAT,
        "openrouter/auto": CHAT | {"image"},
        "mistralai/mistral-7b-instruct": CHAT,
    }
    _models = load_payload("openrouter.json")["data"]
    pages = [
        page(_models[:3], "/api/v1/models?output_modalities=all&offset=3"),
        page(_models[3:6], "https://openrouter.ai/api/v1/models?output_modalities=all&offset=6"),
        page(_models[6:9]),
    ]
    second_page_params = {"offset": "3", "output_modalities": "all"}

    def test_asks_for_every_output_modality(self):
        self.fetch()
        assert self.requests[0].url.params["output_modalities"] == "all"

    def test_prices_are_exact_per_million(self):
        by_id = {model.model_id: model for model in self.fetch()}
        sonnet = by_id["anthropic/claude-sonnet-4.5"]
        assert (sonnet.input_price, sonnet.output_price) == (Decimal("3"), Decimal("15"))
        assert by_id["mistralai/mistral-7b-instruct"].input_price == Decimal("0.028")
        assert by_id["meta-llama/llama-3.3-70b-instruct:free"].input_price == 0
        assert by_id["openrouter/auto"].input_price is None  # "-1": variable

    def test_dates_context_and_modalities(self):
        by_id = {model.model_id: model for model in self.fetch()}
        free = by_id["meta-llama/llama-3.3-70b-instruct:free"]
        assert free.expires.isoformat() == "2026-09-30"
        assert free.created.year == 2024
        assert by_id["anthropic/claude-sonnet-4.5"].context_window == 1_000_000
        assert by_id["mistralai/mistral-7b-instruct"].output_modalities == ("text",)
        assert by_id["google/gemini-2.5-flash-image"].reasons["image"] == "output modalities include image"

    def test_lists_embedding_models_when_a_capability_of_kind_embedding_is_configured(self):
        embeddings = self.router.get(host="openrouter.ai", path="/api/v1/embeddings/models").respond(
            json={"data": [
                {"id": "baai/bge-m3", "name": "BAAI: bge-m3", "architecture": {
                    "input_modalities": ["text"], "output_modalities": ["embeddings"]}},
                {"id": "thenlper/gte-large", "name": "GTE large"},  # says nothing: listed there, so embedding
                {"id": "openai/text-embedding-3-small"},  # in both lists: kept once
            ]}
        )
        assert "baai/bge-m3" not in {model.model_id for model in self.fetch()}
        assert not embeddings.called
        before = self.provider().fingerprint
        self.set_setting(CAPABILITIES=["chat", "embedding"])
        assert self.provider().fingerprint != before
        by_id = {model.model_id: model for model in self.fetch()}
        assert by_id["baai/bge-m3"].kinds == {"embedding"}
        assert by_id["thenlper/gte-large"].reasons == {"embedding": "listed by OpenRouter's embeddings models list"}
        assert [model.model_id for model in self.fetch()].count("openai/text-embedding-3-small") == 1
        assert by_id["openai/text-embedding-3-small"].reasons == {"embedding": "output modalities include embeddings"}

    def test_a_key_is_sent_when_set_but_not_needed(self):
        self.fetch(api_key="")
        assert "Authorization" not in self.requests[0].headers


@pytest.mark.skipif(not (REALDATA / "openrouter_models.json").exists(), reason="no ../shared/realdata capture")
def test_real_openrouter_capture():
    payload = json.loads((REALDATA / "openrouter_models.json").read_text(encoding="utf-8"))
    catalog = OpenRouterProvider.parse_catalog(payload)
    assert len(catalog) == 337
    assert catalog.skipped == 0
    assert sum("image" in model.kinds for model in catalog) == 7
    # Four list audio output; two of them are Lyria, which makes music, not speech.
    assert sorted(model.model_id for model in catalog if "speech" in model.kinds) == [
        "openai/gpt-audio", "openai/gpt-audio-mini"
    ]
    by_id = {model.model_id: model for model in catalog}
    not_chat = {model.model_id for model in catalog if "chat" not in model.kinds}
    assert not_chat == {
        "meta-llama/llama-guard-4-12b", "openai/gpt-oss-safeguard-20b", "nvidia/nemotron-3.5-content-safety:free",
        "google/lyria-3-pro-preview", "google/lyria-3-clip-preview",
    }
    # The guard models answer moderation instead.
    assert {model.model_id for model in catalog if "moderation" in model.kinds} == {
        "meta-llama/llama-guard-4-12b", "openai/gpt-oss-safeguard-20b", "nvidia/nemotron-3.5-content-safety:free",
    }
    assert {"tools", "structured_outputs"} <= set(by_id["anthropic/claude-sonnet-4.5"].parameters)
    assert by_id["z-ai/glm-5.2"].input_price == Decimal("1.4")
    assert by_id["anthropic/claude-sonnet-4.5"].max_output  # top_provider.max_completion_tokens
    assert all(model.input_price is None or model.input_price >= 0 for model in catalog)
