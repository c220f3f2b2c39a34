"""``ai_models activate`` with requirements and the embedding switch: refused without the flag."""

import json

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model

from ai_models import get_active_model

CAPABILITIES = {
    "embedding": "Embedding",
    "assistant": {"label": "Assistant", "kind": "chat", "requires": {"parameters": ["tools"]}},
}


@pytest.fixture(autouse=True)
def capabilities(settings, db):
    settings.AI_MODELS = {**settings.AI_MODELS, "CAPABILITIES": CAPABILITIES}
    get_user_model().objects.create_superuser("root", "root@example.com", "x")


def test_an_unmet_requirement_needs_the_override_flag(run):
    refused = run("activate", "snapshot", "google/gemma-3-27b-it:free", "--capability", "assistant")
    assert refused.code == 2 and "lacks tools" in refused.error and "--override-requirements" in refused.error
    done = run("activate", "snapshot", "google/gemma-3-27b-it:free", "--capability", "assistant",
               "--override-requirements", "--user", "root")  # without --user: no LogEntry, the command line
    assert done.code == 0 and get_active_model("assistant").model_id == "google/gemma-3-27b-it:free"
    assert "overridden: parameters" in LogEntry.objects.get().change_message


def test_switching_the_embedding_model_needs_the_confirmation_flag(run):
    assert run("activate", "snapshot", "openai/text-embedding-3-small", "--capability", "embedding").code == 0
    refused = run("activate", "snapshot", "openai/text-embedding-3-large", "--capability", "embedding")
    assert refused.code == 2 and "1536 → 3072 dimensions" in refused.error
    assert "--confirm-embedding-switch" in refused.error
    assert run("activate", "snapshot", "openai/text-embedding-3-large", "--capability", "embedding",
               "--confirm-embedding-switch").code == 0
    assert get_active_model("embedding").model_id == "openai/text-embedding-3-large"


def test_the_catalog_lists_the_models_that_meet_a_capabilitys_requirements(run):
    result = run("catalog", "--meets", "assistant", "--json")
    ids = {entry["model_id"] for entry in json.loads(result.stdout)["entries"]}
    assert "openai/gpt-4.1" in ids and "google/gemma-3-27b-it:free" not in ids
    assert all("chat" in entry["kinds"] for entry in json.loads(result.stdout)["entries"])
    assert run("catalog", "--meets", "nope").code == 2
