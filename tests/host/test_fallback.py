"""Fallback chains: kept apart from the active row, edited in Saved models, returned by
``get_active_models``, walked by ``call_with_fallback`` on 503/429/unreachable, watched for drift."""

import logging

import pytest
from asgiref.sync import async_to_sync

from ai_models import (
    NoActiveModel,
    acall_with_fallback,
    call_with_fallback,
    get_active_models,
    activation,
)
from ai_models.drift import active_drift
from ai_models.exceptions import ActivationError, ProviderAuthError, ProviderUnavailable
from ai_models.models import AIModel
from tests.admin.conftest import SAVED_URL
from tests.factories import catalog_model

from .conftest import CHAT_URL, answer_by_model

MESSAGES = [{"role": "user", "content": "Hi"}]


def chat(model, backend):
    return backend.chat(model.model_id, MESSAGES)


async def achat(model, backend):
    return await backend.achat(model.model_id, MESSAGES)


@pytest.fixture
def chain(db, openai_enabled):
    """gpt-a active for chat; gpt-b then gpt-c its fallbacks (all OpenAI)."""
    rows = {name: activation.save(catalog_model(name, provider="openai"), "chat").model for name in ("gpt-b", "gpt-c")}
    rows["gpt-a"] = activation.activate(catalog_model("gpt-a", provider="openai"), "chat").model
    activation.set_fallbacks("chat", [rows["gpt-b"], rows["gpt-c"]])
    return rows


def ids(models):
    return [model.model_id for model in models]


def test_get_active_models_is_the_active_one_then_the_chain(chain):
    assert ids(get_active_models("chat")) == ["gpt-a", "gpt-b", "gpt-c"]
    activation.reactivate(chain["gpt-b"])  # an active member is skipped as a fallback
    assert ids(get_active_models("chat")) == ["gpt-b", "gpt-c"]
    assert AIModel.objects.filter(capability="chat", is_active=True).count() == 1
    activation.deactivate("chat")
    with pytest.raises(NoActiveModel):
        get_active_models("chat")


def test_a_503_from_the_first_model_falls_back_to_the_next_and_is_logged(chain, api, caplog):
    route = api.post(CHAT_URL).mock(side_effect=answer_by_model({"gpt-a": 503, "gpt-b": 429, "gpt-c": "from c"}))
    with caplog.at_level(logging.WARNING, logger="ai_models"):
        reply = call_with_fallback("chat", chat)
    assert reply.text == "from c" and route.call_count == 3
    assert "openai:gpt-a failed for chat" in caplog.text and "falling back to openai:gpt-b" in caplog.text
    assert "falling back to openai:gpt-c" in caplog.text


def test_the_async_helper_falls_back_too(chain, api):
    api.post(CHAT_URL).mock(side_effect=answer_by_model({"gpt-a": 503, "gpt-b": "from b", "gpt-c": "from c"}))
    assert async_to_sync(acall_with_fallback)("chat", achat).text == "from b"


def test_errors_another_model_would_not_fix_are_raised_at_once(chain, api):
    route = api.post(CHAT_URL).mock(side_effect=answer_by_model({"gpt-a": 401, "gpt-b": "from b", "gpt-c": "c"}))
    with pytest.raises(ProviderAuthError):
        call_with_fallback("chat", chat)
    assert route.call_count == 1


def test_when_every_model_fails_the_last_error_is_raised(chain, api):
    api.post(CHAT_URL).mock(side_effect=answer_by_model({"gpt-a": 503, "gpt-b": 502, "gpt-c": 500}))
    with pytest.raises(ProviderUnavailable, match="HTTP 500"):
        call_with_fallback("chat", chat)


def test_set_fallbacks_refuses_a_model_of_another_capability(chain):
    image = activation.save(catalog_model("gpt-image-1", provider="openai", capabilities=["image"]), "image").model
    with pytest.raises(ActivationError, match="another capability"):
        activation.set_fallbacks("chat", [image])
    assert ids(get_active_models("chat")) == ["gpt-a", "gpt-b", "gpt-c"]


def test_edited_in_saved_models_one_model_per_position(admin_client, chain):
    b, c = chain["gpt-b"], chain["gpt-c"]
    response = admin_client.post(f"{SAVED_URL}{c.pk}/change/", {"display_name": "C", "fallback_position": "1"})
    assert response.status_code == 200
    assert f"{b} already has fallback position 1: free it first." in response.content.decode()  # names the holder
    zero = admin_client.post(f"{SAVED_URL}{c.pk}/change/", {"display_name": "C", "fallback_position": "0"})
    assert "Fallback positions start at 1 (tried first)." in zero.content.decode()
    admin_client.post(f"{SAVED_URL}{b.pk}/change/", {"display_name": "B", "fallback_position": ""})
    assert ids(get_active_models("chat")) == ["gpt-a", "gpt-c"]
    admin_client.post(f"{SAVED_URL}{b.pk}/change/", {"display_name": "B", "fallback_position": "3"})
    assert ids(get_active_models("chat")) == ["gpt-a", "gpt-c", "gpt-b"]
    assert "#3" in admin_client.get(SAVED_URL).content.decode()


def test_the_drift_watch_flags_a_fallback_that_left_its_catalog(db, settings):
    from ai_models import catalog

    activation.activate(catalog_model("openai/gpt-4.1-mini"), "chat")  # in the snapshot
    gone = activation.save(catalog_model("vendor/retired-model"), "chat").model  # not in the snapshot
    activation.set_fallbacks("chat", [gone])
    catalog.get_catalog(["snapshot"])  # the snapshot's list is now cached

    drifts = {drift.model.model_id: drift for drift in active_drift()}
    assert drifts["openai/gpt-4.1-mini"].flags == [] and not drifts["openai/gpt-4.1-mini"].is_fallback
    fallback = drifts["vendor/retired-model"]
    assert fallback.is_fallback and [flag.kind for flag in fallback.flags] == ["disappeared"]


def test_a_new_chain_is_in_the_first_members_history_in_the_readers_language(chain, admin_user):
    from django.contrib.admin.models import LogEntry
    from django.utils import translation

    from ai_models.activation import history

    activation.set_fallbacks("chat", [chain["gpt-c"], chain["gpt-b"]], admin_user)
    entry = LogEntry.objects.filter(object_id=str(chain["gpt-c"].pk)).latest("pk")
    with translation.override("en"):
        told = history.describe(entry.change_message)
    assert told == "Set the fallbacks for Chat, in order: openai:gpt-c, openai:gpt-b. Via the admin."
    with translation.override("fa"):
        assert "openai:gpt-c, openai:gpt-b" in history.describe(entry.change_message) != told


def test_saved_models_show_each_fallbacks_place_in_the_state_column(chain, admin_client):
    page = admin_client.get(SAVED_URL).content.decode()
    assert "fallback #1" in page and "fallback #2" in page
