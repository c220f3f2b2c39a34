"""The demo from a fresh database: the snapshot catalog in the admin, then generation through it."""

import base64

import pytest
from django.urls import reverse

from ai_models import activation
from ai_models.providers import build_provider

pytestmark = pytest.mark.django_db

SNAPSHOT_NAMES = ["OpenAI: GPT-4.1 mini", "OpenAI: GPT Image 1", "OpenAI: GPT-4o mini TTS"]


@pytest.fixture
def client(visitor):
    """The generation API takes only logged-in users."""
    return visitor


def snapshot_entry(model_id):
    return next(entry for entry in build_provider("snapshot").fetch_catalog() if entry.model_id == model_id)


def test_admin_lists_the_snapshot_models_in_browse_catalog(admin_client):
    response = admin_client.get(reverse("admin:ai_models_catalogentry_changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count == len(build_provider("snapshot").fetch_catalog())
    for name in SNAPSHOT_NAMES:
        assert name in response.content.decode()


def test_activated_chat_model_answers_the_chat_endpoint(client):
    activation.activate(snapshot_entry("openai/gpt-4.1-mini"), "chat")

    response = client.post("/api/chat/", {"prompt": "What is Django?"}, content_type="application/json")

    assert response.status_code == 200
    data = response.json()
    assert (data["provider"], data["model"], data["demo"]) == ("snapshot", "openai/gpt-4.1-mini", True)
    assert data["text"].strip()


def test_activated_chat_model_answers_the_chat_page(client):
    activation.activate(snapshot_entry("openai/gpt-4.1-mini"), "chat")

    response = client.post("/chat/", {"prompt": "What is Django?"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Answered by OpenAI: GPT-4.1 mini (snapshot)" in page
    assert "demo output" in page


@pytest.mark.parametrize(
    "capability, model_id, media", [("image", "openai/gpt-image-1", "image/"), ("audio", "openai/gpt-4o-mini-tts", "audio/")]
)
def test_snapshot_media_models_answer_with_demo_data(client, capability, model_id, media):
    activation.activate(snapshot_entry(model_id), capability)

    response = client.post(f"/api/{capability}/", {"prompt": "Good morning"}, content_type="application/json")

    assert response.status_code == 200
    data = response.json()
    assert (data["provider"], data["model"], data["demo"]) == ("snapshot", model_id, True)
    assert data["mime_type"].startswith(media)
    assert base64.b64decode(data["data"])


def test_a_guard_model_activated_for_moderation_answers_offline(client, admin_client, settings):
    # The demo's Llama Guard: offered for moderation, tested and activated from the admin offline.
    settings.AI_MODELS = {**settings.AI_MODELS, "CAPABILITIES": ["chat", "moderation"]}
    guard = "snapshot:meta-llama/llama-guard-4-12b"
    page = admin_client.post(reverse("admin:ai_models_catalogentry_changelist"),
                             {"action": "activate", "_selected_action": guard, "index": "0"})
    assert '<option value="moderation" selected>' in page.content.decode()
    done = admin_client.post(
        reverse("admin:ai_models_catalogentry_changelist"),
        {"action": "activate", "_selected_action": guard, "confirm": "yes", "capability": "moderation", "trial": "yes"},
        follow=True,
    )
    assert "is now the active model for Moderation" in done.content.decode()

    flagged = client.post("/api/moderation/", {"prompt": "I will kill you"}, content_type="application/json").json()
    clean = client.post("/api/moderation/", {"prompt": "Good morning"}, content_type="application/json").json()

    assert (flagged["model"], flagged["demo"], flagged["flagged"]) == ("meta-llama/llama-guard-4-12b", True, True)
    assert flagged["categories"] == ["violent_crimes"]
    assert clean["flagged"] is False and clean["categories"] == []
    page = client.post("/moderation/", {"prompt": "I will kill you"}).content.decode()
    assert "Flagged: violent_crimes" in page


def test_the_moderation_page_is_not_offered_where_moderation_is_not_configured(client):
    assert client.get("/moderation/").status_code == 404
    assert client.post("/api/moderation/", {"prompt": "x"}, content_type="application/json").status_code == 404
