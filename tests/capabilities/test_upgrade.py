"""Entries saved before kinds existed still read, and the drift watch covers the new capabilities."""

from datetime import date

from ai_models.drift import CAPABILITY_LOST, compare
from ai_models.providers.base import CatalogModel

from ..factories import catalog_model


def test_metadata_saved_before_kinds_reads_as_kinds():
    old = {"provider": "snapshot", "model_id": "openai/gpt-audio", "capabilities": ["audio", "chat", "content"],
           "reasons": {"chat": "output modalities include text", "content": "output modalities include text",
                       "audio": "output modalities include audio"}, "raw": {}}
    entry = CatalogModel.from_json(old)
    assert entry.kinds == {"chat", "speech"}
    assert entry.reasons == {"chat": "output modalities include text", "speech": "output modalities include audio"}
    assert entry.capabilities == {"audio", "chat", "content"}  # as offered then
    assert CatalogModel.from_json(entry.to_json()) == entry


def test_a_new_capability_that_lost_its_kind_is_flagged(settings):
    settings.AI_MODELS = {**settings.AI_MODELS, "CAPABILITIES": ["chat", "embedding"]}
    activated = catalog_model("openai/text-embedding-3-small", capabilities=("embedding",))
    now = catalog_model("openai/text-embedding-3-small", capabilities=())
    [flag] = compare(activated, now, listed=True, today=date(2026, 1, 1), window_days=30,
                     allowed=["chat", "embedding"])
    assert flag.kind == CAPABILITY_LOST and flag.message == "no longer classified for Embedding"
