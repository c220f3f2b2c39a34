"""Several instances of one provider class: side by side in the catalog, each with its own id,
name, base URL, key and status; and a named successor carried through the cache to the drift watch."""

from datetime import date

import httpx
import pytest
import respx

from ai_models import catalog
from ai_models.drift import EXPIRING, active_drift
from ai_models.providers import build_provider, get_provider
from ai_models.activation import activate

from ..providers.contract import load_payload

LAPTOP = "https://laptop.internal.example/v1"
GPU = "https://gpu.internal.example/v1"


@pytest.fixture
def two_ollamas(settings, monkeypatch):
    monkeypatch.setenv("GPU_OLLAMA_KEY", "sk-gpu-proxy-key-0001")
    settings.AI_MODELS = {
        **settings.AI_MODELS,
        "PROVIDERS": {
            "ollama": {"CLASS": "openai_compatible", "BASE_URL": LAPTOP, "NAME": "Laptop Ollama"},
            "ollama-gpu": {"CLASS": "ollama", "BASE_URL": GPU, "NAME": "GPU Ollama", "API_KEY_ENV": "GPU_OLLAMA_KEY"},
        },
    }
    payload = load_payload("presets/ollama.json")
    with respx.mock(assert_all_called=False) as router:
        laptop = router.get(f"{LAPTOP}/models").respond(200, json={"data": payload["data"][:3]})
        gpu = router.get(f"{GPU}/models").respond(200, json=payload)
        yield laptop, gpu


def test_two_instances_list_side_by_side(db, two_ollamas):
    laptop, gpu = two_ollamas
    listing = catalog.get_catalog()
    statuses = {status.provider: status for status in listing.statuses}
    assert {(status.name, status.state) for status in statuses.values()} == {
        ("Laptop Ollama", "fresh"), ("GPU Ollama", "fresh")
    }
    pks = {entry.pk for entry in listing.entries}
    assert {"ollama:llama3.2:latest", "ollama-gpu:llama3.2:latest", "ollama-gpu:nomic-embed-text:latest"} <= pks
    assert "ollama:nomic-embed-text:latest" not in pks  # the laptop does not have it
    assert statuses["ollama"].count == 3 and statuses["ollama-gpu"].count == 7
    # Each instance with its own key: none for the laptop, the GPU box's proxy key from its variable.
    assert "Authorization" not in laptop.calls[0].request.headers
    assert gpu.calls[0].request.headers["Authorization"] == "Bearer sk-gpu-proxy-key-0001"


def test_one_instance_failing_leaves_the_other_listed(db, two_ollamas):
    laptop, _gpu = two_ollamas
    laptop.side_effect = httpx.ConnectError("connection refused")
    listing = catalog.get_catalog()
    statuses = {status.provider: status for status in listing.statuses}
    assert statuses["ollama"].state == "failed" and "unreachable" in statuses["ollama"].error
    assert statuses["ollama-gpu"].state == "fresh"
    assert {entry.provider for entry in listing.entries} == {"ollama-gpu"}


def test_an_instance_is_built_with_its_class_name_and_options(db, two_ollamas):
    backend = build_provider("ollama-gpu")
    assert (backend.id, backend.name, backend.base_url) == ("ollama-gpu", "GPU Ollama", GPU)
    assert backend.api_key_env == "GPU_OLLAMA_KEY"
    assert backend.option("ENDPOINTS") == ("chat", "embeddings")  # the preset's
    assert backend.images_path is None
    assert get_provider("ollama").name == "Laptop Ollama"


def test_activating_a_model_of_the_second_instance_records_that_instance(db, two_ollamas, admin_user):
    entry = catalog.get_entry("ollama-gpu", "qwen3:8b")
    row = activate(entry, "chat", admin_user).model
    assert (row.provider.slug, row.provider.name, row.model_id) == ("ollama-gpu", "GPU Ollama", "qwen3:8b")


def test_a_deprecated_model_names_its_successor_in_the_drift_watch(db, settings, admin_user):
    settings.AI_MODELS = {**settings.AI_MODELS, "PROVIDERS": {"mistral": {"API_KEY": "sk-mistral-0001"}}}
    payload = load_payload("mistral.json")
    current = next(item for item in payload["data"] if item["id"] == "mistral-medium-2505")
    with respx.mock() as router:
        route = router.get("https://api.mistral.ai/v1/models")
        route.respond(200, json={"data": [{**current, "deprecation": None, "deprecation_replacement_model": None}]})
        activate(catalog.get_entry("mistral", "mistral-medium-2505"), "chat", admin_user)
        route.respond(200, json={"data": [current]})
        catalog.refresh(["mistral"])
    [drift] = active_drift(today=date(2025, 11, 20))
    [flag] = drift.flags
    assert flag.kind == EXPIRING and drift.successor == "mistral-medium-2508"
    assert flag.message == "expires on 2025-11-30, in 10 days; replacement: mistral-medium-2508"
