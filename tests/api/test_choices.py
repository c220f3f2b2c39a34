"""Activate, save, bulk save, delete, saved and active models, deactivate, roll back."""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry

from ai_models import get_active_model, activation
from ai_models.catalog import get_entry
from ai_models.models import AIModel
from ai_models.activation.history import describe

from .conftest import ACME_CHAT, API, CHAT, OTHER_CHAT, ceilings


def activate(client, model_id=CHAT, capability="chat", provider="snapshot", **extra):
    body = {"provider": provider, "model_id": model_id, "capability": capability, **extra}
    return client.post(API + "activations/", body, format="json")


def test_activation_makes_the_model_active_with_a_log_entry_naming_the_api(api):
    client = api("activator")
    activate(client, OTHER_CHAT)

    response = activate(client)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["model"]["model_id"] == CHAT and body["model"]["is_active"]
    assert body["model"]["activated_by"] == "activator"
    assert body["replaced"]["model_id"] == OTHER_CHAT
    assert body["warnings"] == []
    assert get_active_model("chat").model_id == CHAT
    entry = LogEntry.objects.filter(object_id=str(body["model"]["id"])).get()
    assert entry.user.username == "activator" and entry.action_flag == ADDITION
    assert f"It replaced snapshot:{OTHER_CHAT}. Via the HTTP API." in describe(entry.change_message)


def test_activation_keeps_the_raw_provider_data_in_the_saved_metadata(api):
    activate(api())

    assert AIModel.objects.get(model_id=CHAT).metadata["raw"]["id"] == CHAT


def test_activation_for_a_capability_of_another_kind_is_a_409_until_overridden(api):
    refused = activate(api(), capability="image")
    allowed = activate(api(), capability="image", allow_kind_mismatch=True)

    assert refused.status_code == 409 and refused.json()["code"] == "kind_mismatch"
    assert refused.json()["override"] == {"allow_kind_mismatch": True}
    assert refused.json()["refusals"] == [{
        "gate": "kind", "code": "kind_mismatch", "permitted": True, "override": {"allow_kind_mismatch": True},
        "detail": "This model answers chat completions, not the text-to-image that Image needs.",
    }]
    assert allowed.status_code == 201 and allowed.json()["model"]["capability"] == "image"


def test_activation_above_the_ceiling_is_a_409_saying_what_to_send(api):
    client = api()
    with ceilings(chat={"input": "0.30"}):
        refused = activate(client)
        allowed = activate(client, allow_above_ceiling=True)

    assert refused.status_code == 409
    assert refused.json()["code"] == "above_ceiling"
    assert refused.json()["override"] == {"allow_above_ceiling": True}
    assert refused.json()["excess"] == [{"side": "input", "price": "0.4", "ceiling": "0.3", "source": ""}]
    assert allowed.status_code == 201
    assert "above the price ceiling" in LogEntry.objects.get().change_message


def test_activation_above_the_ceiling_without_the_permission_is_a_403(api):
    with ceilings(chat={"input": "0.30"}):
        response = activate(api("activator"), allow_above_ceiling=True)

    assert response.status_code == 403
    assert response.json()["code"] == "above_ceiling_not_permitted"
    assert not AIModel.objects.exists()


def test_activation_with_a_test_call_stores_its_result(api):
    response = activate(api(), ACME_CHAT, provider="acme", test=True)

    assert response.status_code == 201, response.json()
    assert response.json()["model"]["trial"]["result"] == "reply “OK”"


def test_a_failed_test_call_is_a_502_and_changes_nothing(api, enabled_providers):
    activation.activate(get_entry("snapshot", CHAT), "chat")
    enabled_providers.call = "error"

    response = activate(api(), ACME_CHAT, provider="acme", test=True)

    assert response.status_code == 502
    assert response.json()["code"] == "trial_failed"
    assert "server error" in response.json()["detail"]
    assert get_active_model("chat").model_id == CHAT


def test_activation_of_a_model_of_a_provider_down_is_a_502(api, enabled_providers):
    enabled_providers.fail = True

    response = activate(api(), ACME_CHAT, provider="acme")

    assert (response.status_code, response.json()["code"]) == (502, "provider_unavailable")


def test_switching_the_embedding_model_is_a_409_until_confirmed(api, settings):
    settings.AI_MODELS = {**settings.AI_MODELS, "CAPABILITIES": ["chat", "embedding"]}
    client = api()
    first = activate(client, "openai/text-embedding-3-small", "embedding")
    refused = activate(client, "openai/text-embedding-3-large", "embedding")
    confirmed = activate(client, "openai/text-embedding-3-large", "embedding", confirm_embedding_switch=True)

    assert first.status_code == 201
    assert refused.status_code == 409 and refused.json()["code"] == "embedding_switch_unconfirmed"
    assert refused.json()["override"] == {"confirm_embedding_switch": True}
    assert "1536 → 3072 dimensions" in refused.json()["detail"]
    assert confirmed.status_code == 201 and get_active_model("embedding").model_id == "openai/text-embedding-3-large"
    rollback = client.post(API + "active/embedding/rollback/", {}, format="json")
    assert rollback.json()["code"] == "embedding_switch_unconfirmed"
    assert client.post(API + "active/embedding/rollback/", {"confirm_embedding_switch": True},
                       format="json").status_code == 200


def test_save_keeps_the_model_without_activating_it(api):
    response = api("activator").post(
        API + "saved/", {"provider": "snapshot", "model_id": CHAT, "capability": "content"}, format="json"
    )

    assert response.status_code == 201
    row = AIModel.objects.get()
    assert (row.model_id, row.capability, row.is_active) == (CHAT, "content", False)
    assert "without activating it. Via the HTTP API." in describe(LogEntry.objects.get().change_message)


def test_bulk_save_saves_the_first_models_of_the_sorted_listing_and_activates_none(api):
    response = api().post(
        API + "saved/bulk/", {"provider": "snapshot", "capability": "chat", "limit": 3, "order": "-context"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["count"] == 3
    windows = [row["context_window"] for row in response.json()["saved"]]
    assert windows == sorted(windows, reverse=True)
    assert AIModel.objects.count() == 3 and not AIModel.objects.filter(is_active=True).exists()
    assert LogEntry.objects.count() == 3


def test_bulk_save_defaults_to_twenty(api):
    response = api().post(API + "saved/bulk/", {"capability": "chat"}, format="json")

    assert response.json()["count"] == 20 == AIModel.objects.count()


def test_bulk_save_never_deactivates_an_active_model(api):
    active = activation.activate(get_entry("snapshot", CHAT), "chat").model

    api().post(API + "saved/bulk/", {"provider": "snapshot", "capability": "chat", "limit": 50}, format="json")

    active.refresh_from_db()
    assert active.is_active


def test_delete_removes_saved_models_but_never_those_in_use(api):
    active = activation.activate(get_entry("snapshot", CHAT), "chat").model
    spare = activation.save(get_entry("snapshot", OTHER_CHAT), "chat").model
    fallback = activation.save(get_entry("snapshot", "openai/gpt-4.1"), "chat").model
    activation.save(get_entry("acme", ACME_CHAT), "chat")
    activation.set_fallbacks("chat", [fallback])

    response = api("activator").delete(API + "saved/?provider=snapshot&keep_active=true")

    assert response.status_code == 200
    assert response.json()["deleted"] == 1
    assert [row["model_id"] for row in response.json()["models"]] == [OTHER_CHAT]
    assert [(row["model_id"], row["in_use"]) for row in response.json()["kept"]] == [
        (CHAT, "active for Chat"), ("openai/gpt-4.1", "fallback #1 for Chat")]
    assert set(AIModel.objects.values_list("model_id", flat=True)) == {CHAT, "openai/gpt-4.1", ACME_CHAT}
    assert not AIModel.objects.filter(pk=spare.pk).exists()
    assert AIModel.objects.get(pk=active.pk).is_active
    deletion = LogEntry.objects.get(action_flag=DELETION)
    assert deletion.user.username == "activator"
    from ai_models.activation import history
    from django.utils import translation

    with translation.override("en"):
        assert history.describe(deletion.change_message) == "Deleted while not in use. Via the HTTP API."


def test_delete_refuses_keep_active_false(api):
    activation.activate(get_entry("snapshot", CHAT), "chat")

    response = api().delete(API + "saved/?keep_active=false")

    assert response.status_code == 400
    assert AIModel.objects.count() == 1


def test_saved_lists_rows_with_filters(api):
    activation.activate(get_entry("snapshot", CHAT), "chat")
    activation.save(get_entry("snapshot", OTHER_CHAT), "content")

    client = api("viewer")
    every = client.get(API + "saved/").json()
    active = client.get(API + "saved/", {"active": "true"}).json()
    content = client.get(API + "saved/", {"capability": "content"}).json()

    assert every["count"] == 2
    assert [row["model_id"] for row in active["results"]] == [CHAT]
    assert [row["model_id"] for row in content["results"]] == [OTHER_CHAT]


def test_active_gives_one_row_per_capability_with_drift(api, enabled_providers):
    activation.activate(get_entry("acme", ACME_CHAT), "chat")
    enabled_providers.models[ACME_CHAT]["input_price"] = "2.00"
    api().post(API + "catalog/refresh/", {"providers": ["acme"]}, format="json")

    body = api("viewer").get(API + "active/").json()

    assert [row["capability"] for row in body] == ["chat", "content", "image", "audio"]
    assert body[0]["model"]["model_id"] == ACME_CHAT
    assert body[0]["drift"]["state"] == "flagged"
    assert body[0]["drift"]["flags"][0]["kind"] == "price"
    assert body[1] == {"capability": "content", "label": "Content", "model": None, "drift": None}


def test_deactivate_leaves_the_capability_empty(api):
    activation.activate(get_entry("snapshot", CHAT), "chat")
    client = api("activator")

    done = client.post(API + "active/chat/deactivate/")
    again = client.post(API + "active/chat/deactivate/")

    assert done.status_code == 200 and done.json()["deactivated"]["model_id"] == CHAT
    assert again.json() == {"deactivated": None}
    assert not AIModel.objects.filter(is_active=True).exists()
    assert describe(LogEntry.objects.get(action_flag=CHANGE).change_message).startswith("Deactivated")


def test_rollback_activates_the_previous_model(api):
    activation.activate(get_entry("snapshot", OTHER_CHAT), "chat")
    activation.activate(get_entry("snapshot", CHAT), "chat")

    response = api("activator").post(API + "active/chat/rollback/", format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["model"]["model_id"] == OTHER_CHAT
    assert response.json()["replaced"]["model_id"] == CHAT
    assert get_active_model("chat").model_id == OTHER_CHAT


def test_rollback_with_nothing_earlier_is_a_404(api):
    activation.activate(get_entry("snapshot", CHAT), "chat")

    response = api().post(API + "active/chat/rollback/", format="json")

    assert (response.status_code, response.json()["code"]) == (404, "no_previous_model")


def test_rollback_above_the_ceiling_needs_the_override(api):
    activation.activate(get_entry("snapshot", CHAT), "chat")
    activation.activate(get_entry("snapshot", OTHER_CHAT), "chat")
    client = api()

    with ceilings(chat={"input": "0.30"}):
        refused = client.post(API + "active/chat/rollback/", format="json")
        allowed = client.post(API + "active/chat/rollback/", {"allow_above_ceiling": True}, format="json")

    assert refused.status_code == 409 and refused.json()["code"] == "above_ceiling"
    assert allowed.status_code == 200
    assert get_active_model("chat").model_id == CHAT


def test_unknown_capability_in_the_path_is_a_404(api):
    response = api().post(API + "active/nonsense/deactivate/")

    assert (response.status_code, response.json()["code"]) == (404, "unknown_capability")


def test_a_model_missing_the_capabilitys_requirements_is_a_409_until_overridden(api):
    from django.conf import settings
    from django.test import override_settings

    capabilities = {"chat": {"label": "Chat", "kind": "chat", "requires": {"min_context": 2_000_000}}}
    client = api()
    with override_settings(AI_MODELS={**settings.AI_MODELS, "CAPABILITIES": capabilities}):
        refused = activate(client)
        allowed = activate(client, override_requirements=True)

    assert refused.status_code == 409
    assert refused.json()["code"] == "requirements_not_met"
    assert refused.json()["override"] == {"override_requirements": True}
    assert allowed.status_code == 201 and allowed.json()["model"]["is_active"]


def test_api_changes_send_active_model_changed_once_they_commit(api, django_capture_on_commit_callbacks):
    from ai_models.signals import active_model_changed

    calls = []
    active_model_changed.connect(lambda sender, **kwargs: calls.append(kwargs), weak=False, dispatch_uid="api-test")
    try:
        client = api("activator")
        with django_capture_on_commit_callbacks(execute=True):
            assert activate(client).status_code == 201
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(API + "active/chat/deactivate/").status_code == 200
    finally:
        active_model_changed.disconnect(dispatch_uid="api-test")

    assert [(call["previous"] and call["previous"].model_id, call["current"] and call["current"].model_id, call["via"])
            for call in calls] == [(None, CHAT, "HTTP API"), (CHAT, None, "HTTP API")]
    assert {call["user"].username for call in calls} == {"activator"}
