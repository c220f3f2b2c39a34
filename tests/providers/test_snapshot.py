"""The offline snapshot shipped with the package: a real, useful catalog with no network."""

import json

import pytest

from ai_models.exceptions import ProviderResponseError
from ai_models.providers import build_provider
from ai_models.providers.snapshot import DEFAULT_PATH, SnapshotProvider

CAPABILITIES = {"chat", "content", "image", "audio"}


@pytest.fixture(scope="module")
def catalog():
    return SnapshotProvider().fetch_catalog()


def test_the_shipped_snapshot_parses_cleanly(catalog):
    assert 40 <= len(catalog) <= 70
    assert catalog.skipped == 0
    assert all(model.capabilities <= CAPABILITIES for model in catalog)
    assert all("/" in model.model_id for model in catalog)


def test_it_covers_every_capability_and_several_vendors(catalog):
    for capability in CAPABILITIES:
        assert sum(capability in model.capabilities for model in catalog) >= 4, capability
    chat_vendors = {model.model_id.split("/")[0] for model in catalog if "chat" in model.capabilities}
    assert {"openai", "anthropic", "google", "meta-llama", "mistralai", "deepseek", "qwen"} <= chat_vendors


def test_free_and_non_chat_models_are_there(catalog):
    free_chat = [m for m in catalog if "chat" in m.capabilities and m.input_price == 0 and m.output_price == 0]
    assert len(free_chat) >= 3
    assert any(not model.capabilities for model in catalog)  # embeddings, moderation, speech recognition


def test_chat_models_are_content_models_too(catalog):
    assert all("content" in model.capabilities for model in catalog if "chat" in model.capabilities)


def test_another_file_from_settings(settings, tmp_path):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"models": [{"id": "acme/one", "capabilities": ["chat"], "input_price": "1.5"}]}))
    settings.AI_MODELS = {**settings.AI_MODELS, "PROVIDERS": {"snapshot": {"PATH": str(path)}}}
    (model,) = build_provider("snapshot").fetch_catalog()
    assert model.model_id == "acme/one" and str(model.input_price) == "1.5"
    assert model.reasons == {"chat": "listed in the snapshot file"}


def test_a_missing_or_broken_file_is_a_provider_error(tmp_path):
    with pytest.raises(ProviderResponseError, match="cannot read"):
        SnapshotProvider(options={"PATH": str(tmp_path / "absent.json")}).fetch_catalog()
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(ProviderResponseError, match="not valid JSON"):
        SnapshotProvider(options={"PATH": str(broken)}).fetch_catalog()


def test_the_default_file_is_inside_the_package():
    assert DEFAULT_PATH.name == "catalog.json" and DEFAULT_PATH.parent.name == "snapshot"
