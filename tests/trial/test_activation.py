"""A test call stored with the activation it preceded, in the same transaction."""

import pytest
from django.contrib.admin.models import LogEntry

from ai_models import catalog, activation
from ai_models.exceptions import ActivationRefused
from ai_models.models import AIModel
from ai_models.trial import TrialResult, run_trial
from ai_models.activation.history import describe

from ..admin.conftest import make_user
from ..drift.fakes import CHAT, PAINTER

pytestmark = pytest.mark.django_db


def entry(model_id=CHAT):
    return catalog.get_entry("acme", model_id)


def test_run_trial_calls_the_model_through_its_enabled_provider(acme_provider):
    result = run_trial(entry(PAINTER), "image")

    assert result.ok and result.summary == "an image (image/png, 100\xa0bytes)"
    assert acme_provider.calls == [("image", PAINTER, {"prompt": "A small red dot.", "size": "1024x1024"})]


def test_run_trial_of_a_provider_no_longer_enabled(settings):
    stale = entry()
    settings.AI_MODELS = {**settings.AI_MODELS, "PROVIDERS": {"snapshot": {}}}

    result = run_trial(stale, "chat")

    assert not result.ok and result.error == "acme: the provider is not enabled"


def test_a_successful_trial_is_stored_with_the_activation_and_logged():
    user = make_user("ops", "ai_models.activate_aimodel")
    trial = run_trial(entry(), "chat")

    row = activation.activate(entry(), "chat", user, trial=trial).model

    row.refresh_from_db()
    assert row.is_active and row.trial_at == row.activated_at
    assert row.trial_latency_ms == trial.latency_ms and row.trial_result == "reply “OK”"
    assert "Test call first:" in describe(LogEntry.objects.get().change_message)


def test_a_failed_trial_changes_nothing(acme_provider):
    previous = activation.activate(entry(), "chat").model
    acme_provider.models["acme/chat-2"] = dict(acme_provider.models[CHAT])
    catalog.refresh(["acme"])
    acme_provider.call = "error"
    trial = run_trial(entry("acme/chat-2"), "chat")

    with pytest.raises(ActivationRefused, match="The test call failed: acme: server error"):
        activation.activate(entry("acme/chat-2"), "chat", trial=trial)

    assert list(AIModel.objects.filter(is_active=True)) == [previous]
    assert not AIModel.objects.filter(model_id="acme/chat-2").exists()


def test_an_activation_without_a_trial_clears_the_previous_one():
    activation.activate(entry(), "chat", trial=TrialResult(True, "text", 120, summary="reply “OK”"))
    activation.deactivate("chat")

    row = activation.reactivate(AIModel.objects.get()).model

    row.refresh_from_db()
    assert (row.trial_at, row.trial_latency_ms, row.trial_result) == (None, None, "")
