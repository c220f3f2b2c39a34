"""The offline snapshot shipped with the package: a real, useful catalog with no network."""

import json

import pytest

from ai_models.exceptions import ProviderResponseError
from ai_models.providers import build_provider
from ai_models.providers.snapshot import DEFAULT_PATH, SnapshotProvider

from ai_models.capabilities import KINDS


@pytest.fixture(scope="module")
def catalog():
    return SnapshotProvider().fetch_catalog()


def test_the_shipped_snapshot_parses_cleanly(catalog):
    assert 40 <= len(catalog) <= 70
    assert catalog.skipped == 0
    assert all(model.kinds <= set(KINDS) for model in catalog)
    assert all("/" in model.model_id for model in catalog)


def test_it_covers_every_kind_and_several_vendors(catalog):
    for kind in ("chat", "image", "speech"):
        assert sum(kind in model.kinds for model in catalog) >= 4, kind
    for kind in ("transcription", "embedding", "moderation", "rerank", "video"):
        assert any(kind in model.kinds for model in catalog), kind
    chat_vendors = {model.model_id.split("/")[0] for model in catalog if "chat" in model.kinds}
    assert {"openai", "anthropic", "google", "meta-llama", "mistralai", "deepseek", "qwen"} <= chat_vendors


def test_free_and_non_chat_models_are_there(catalog):
    free_chat = [m for m in catalog if "chat" in m.kinds and m.input_price == 0 and m.output_price == 0]
    assert len(free_chat) >= 3
    by_id = {model.model_id: model for model in catalog}
    assert by_id["meta-llama/llama-guard-4-12b"].kinds == {"moderation"}  # a guard model answers moderation


def test_embedding_models_say_their_dimensions_and_chat_models_their_parameters(catalog):
    by_id = {model.model_id: model for model in catalog}
    assert by_id["openai/text-embedding-3-small"].dimensions == 1536
    assert by_id["openai/text-embedding-3-large"].dimensions == 3072
    assert {"tools", "response_format"} <= set(by_id["openai/gpt-4.1"].parameters)


def test_a_file_written_before_kinds_lists_capabilities(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"models": [{"id": "acme/talker", "capabilities": ["chat", "content", "audio"]}]}))
    (model,) = SnapshotProvider(options={"PATH": str(path)}).fetch_catalog()
    assert model.kinds == {"chat", "speech"}


def test_another_file_from_settings(settings, tmp_path):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"models": [{"id": "acme/one", "kinds": ["chat"], "input_price": "1.5"}]}))
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
