"""Test and activate: one minimal real call first; activate only if it succeeds."""

import json

import httpx
import pytest
import respx
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.test import override_settings

from ai_models import activation
from ai_models.models import AIModel
from ai_models.providers import http
from ai_models.activation.history import describe

from ..drift.fakes import CHAT, AcmeProvider, acme, acme_enabled
from ..factories import catalog_model
from .conftest import CATALOG_URL, SAVED_URL, messages_of, read

PK = f"acme:{CHAT}"


@pytest.fixture(autouse=True)
def acme_provider():
    with acme_enabled() as provider:
        yield provider


def confirm(client, selected=PK, capability="chat", trial=True, url=CATALOG_URL):
    data = {"action": "activate", "_selected_action": selected, "confirm": "yes", "capability": capability}
    if trial:
        data["trial"] = "yes"
    return client.post(url, data, follow=True)


def previous_model():
    return activation.activate(catalog_model("vendor/previous"), "chat").model


def test_the_confirmation_page_offers_both_paths(admin_client):
    response = admin_client.post(CATALOG_URL, {"action": "activate", "_selected_action": PK, "index": "0"})

    html = response.content.decode()
    assert "Yes, activate it" in html
    assert 'name="trial" value="yes"' in html and "Test and activate" in html


def test_saving_without_activating_offers_no_test(admin_client):
    response = admin_client.post(CATALOG_URL, {"action": "save_without_activating", "_selected_action": PK})

    assert 'name="trial"' not in response.content.decode()


def test_success_activates_and_keeps_latency_and_result(admin_client, acme_provider):
    previous = previous_model()

    response = confirm(admin_client)

    [call] = acme_provider.calls
    assert call[:2] == ("chat", CHAT) and call[2]["max_tokens"] == 1
    active = AIModel.objects.get(is_active=True, capability="chat")
    assert active.model_id == CHAT and active.trial_result == "reply “OK”"
    assert active.trial_latency_ms is not None and active.trial_at == active.activated_at
    previous.refresh_from_db()
    assert not previous.is_active
    [message] = messages_of(response)
    assert f"Test call: reply “OK” in {active.trial_latency_ms} ms." in message
    assert "Test call first:" in describe(LogEntry.objects.get(object_id=str(active.pk)).change_message)

    saved = admin_client.get(SAVED_URL).content.decode()
    assert f'<span title="reply “OK”">{active.trial_latency_ms} ms</span>' in saved
    detail = read(admin_client.get(f"{SAVED_URL}{active.pk}/change/").content.decode())
    assert f"reply “OK” in {active.trial_latency_ms} ms, just now" in detail


def test_a_provider_error_changes_nothing_and_shows_the_error(admin_client, acme_provider):
    previous = previous_model()
    acme_provider.call = "error"

    response = confirm(admin_client)

    assert response.status_code == 200
    assert "admin/ai_models/catalogentry/activate.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "The test call failed after" in html
    assert "acme: server error after 3 attempts (HTTP 503). Nothing was changed." in html
    assert list(AIModel.objects.filter(is_active=True)) == [previous]
    assert not AIModel.objects.filter(model_id=CHAT).exists()
    assert not LogEntry.objects.exists()


def test_a_call_past_the_trial_timeout_changes_nothing(admin_client, acme_provider):
    previous = previous_model()
    acme_provider.call = "hang"

    with override_settings(AI_MODELS={**settings.AI_MODELS, "TRIAL_TIMEOUT": 0.05}):
        response = confirm(admin_client)

    assert "acme: no answer within 0.05 seconds. Nothing was changed." in response.content.decode()
    assert list(AIModel.objects.filter(is_active=True)) == [previous]
    assert not AIModel.objects.filter(model_id=CHAT).exists()


def test_a_real_provider_timing_out_changes_nothing(admin_client, monkeypatch):
    monkeypatch.setattr(http, "sleep", lambda seconds: None)
    with respx.mock(assert_all_called=False) as router, acme(PROVIDERS={"openai": {"API_KEY": "sk-test-0123456789"}}):
        router.get("https://api.openai.com/v1/models").respond(json={"data": [{"id": "gpt-4.1-mini", "created": 1}]})
        chat = router.post("https://api.openai.com/v1/chat/completions").mock(side_effect=httpx.ReadTimeout("slow"))
        admin_client.get(CATALOG_URL)  # the catalog, fetched and cached

        response = confirm(admin_client, "openai:gpt-4.1-mini")

    assert json.loads(chat.calls.last.request.content)["max_completion_tokens"] == 1
    assert "openai: timed out: the provider is unreachable. Nothing was changed." in response.content.decode()
    assert not AIModel.objects.exists()


def test_the_provider_text_of_a_failure_is_escaped(admin_client, acme_provider, monkeypatch):
    from ai_models.exceptions import ProviderResponseError

    def evil(self, model_id, messages, **params):
        raise ProviderResponseError(self.id, "bad", excerpt="<script>alert(1)</script>")

    monkeypatch.setattr(AcmeProvider, "chat", evil)

    html = confirm(admin_client).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_plain_path_activates_without_calling_the_model(admin_client, acme_provider):
    confirm(admin_client, trial=False)

    assert acme_provider.calls == []
    active = AIModel.objects.get(is_active=True)
    assert active.model_id == CHAT and active.trial_at is None and active.trial_result == ""
