"""What a frontend drawing a board needs (issue 26 item 5): saved ids on catalog rows, delete by
id, save for several capabilities at once, bulk save activating the first, ``state=saved`` for
one capability, and ``capabilities/`` (label, kind, requirements, active model, fallbacks)."""

from django.contrib.admin.models import DELETION, LogEntry
from django.test import override_settings

from ai_models import activation, get_active_model
from ai_models.catalog import get_entry
from ai_models.models import AIModel

from .conftest import API, CHAT, OTHER_CHAT, ceilings

CHOOSE = {"provider": "snapshot", "model_id": CHAT}


def ids_in(body) -> list:
    return [row["model_id"] for row in body["results"]]


def test_catalog_rows_carry_the_saved_models_ids_by_capability(api):
    chat = activation.save(get_entry("snapshot", CHAT), "chat").model
    content = activation.save(get_entry("snapshot", CHAT), "content").model

    (row,) = api().get(API + "catalog/", {"provider": "snapshot", "search": "gpt-4.1 mini"}).json()["results"]

    assert row["state"]["saved_ids"] == {"chat": chat.pk, "content": content.pk}


def test_state_saved_with_a_capability_means_saved_for_that_capability(api):
    activation.save(get_entry("snapshot", CHAT), "content")
    activation.save(get_entry("snapshot", OTHER_CHAT), "chat")
    client = api()

    saved_for_chat = client.get(API + "catalog/", {"capability": "chat", "state": "saved"}).json()
    saved_any = client.get(API + "catalog/", {"state": "saved"}).json()
    not_for_chat = client.get(API + "catalog/", {"capability": "chat", "state": "none", "page_size": 500}).json()

    assert ids_in(saved_for_chat) == [OTHER_CHAT]
    assert sorted(ids_in(saved_any)) == sorted([CHAT, OTHER_CHAT])
    assert CHAT in ids_in(not_for_chat) and OTHER_CHAT not in ids_in(not_for_chat)


def test_a_saved_model_is_read_and_deleted_by_id_with_its_history(api):
    row = activation.save(get_entry("snapshot", CHAT), "chat").model
    client = api("activator")

    read = client.get(API + f"saved/{row.pk}/")
    deleted = client.delete(API + f"saved/{row.pk}/")
    again = client.delete(API + f"saved/{row.pk}/")

    assert read.status_code == 200 and read.json()["model_id"] == CHAT
    assert deleted.status_code == 200 and deleted.json()["deleted"] == 1
    assert not AIModel.objects.exists()
    assert LogEntry.objects.get(action_flag=DELETION).user.username == "activator"
    assert again.status_code == 404 and again.json()["code"] == "unknown_saved_model"


def test_a_model_in_use_is_not_deleted_by_id_and_the_answer_says_why(api):
    active = activation.activate(get_entry("snapshot", CHAT), "chat").model
    fallback = activation.save(get_entry("snapshot", OTHER_CHAT), "chat").model
    activation.set_fallbacks("chat", [fallback])
    client = api("activator")

    answers = [client.delete(API + f"saved/{row.pk}/") for row in (active, fallback)]

    assert [answer.status_code for answer in answers] == [409, 409]
    assert [answer.json()["code"] for answer in answers] == ["in_use", "in_use"]
    assert "active for Chat" in answers[0].json()["detail"]
    assert "fallback #1 for Chat" in answers[1].json()["detail"]
    assert AIModel.objects.count() == 2


def test_deleting_by_id_needs_the_delete_permission(api):
    row = activation.save(get_entry("snapshot", CHAT), "chat").model

    assert api("viewer").get(API + f"saved/{row.pk}/").status_code == 200
    assert api("viewer").delete(API + f"saved/{row.pk}/").status_code == 403
    assert AIModel.objects.filter(pk=row.pk).exists()


def test_one_call_saves_a_model_for_several_capabilities(api):
    response = api().post(API + "saved/", {**CHOOSE, "capabilities": ["chat", "content"]}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert [(row["capability"], row["model_id"]) for row in body["models"]] == [("chat", CHAT), ("content", CHAT)]
    assert body["model"] == body["models"][0]
    assert sorted(AIModel.objects.values_list("capability", flat=True)) == ["chat", "content"]
    assert not AIModel.objects.filter(is_active=True).exists()


def test_saving_for_several_capabilities_is_all_or_none(api):
    """The active model of content is this one, above a ceiling now: saving it again for content is
    refused, so it is not saved for chat either."""
    activation.activate(get_entry("snapshot", CHAT), "content")
    with ceilings(content={"input": "0.1"}):
        refused = api().post(API + "saved/", {**CHOOSE, "capabilities": ["chat", "content"]}, format="json")

    assert refused.status_code == 409 and refused.json()["code"] == "above_ceiling"
    assert list(AIModel.objects.values_list("capability", flat=True)) == ["content"]


def test_save_needs_capability_or_capabilities_not_both(api):
    neither = api().post(API + "saved/", CHOOSE, format="json")
    both = api().post(API + "saved/", {**CHOOSE, "capability": "chat", "capabilities": ["content"]}, format="json")
    unknown = api().post(API + "saved/", {**CHOOSE, "capabilities": ["chat", "telepathy"]}, format="json")

    assert [r.status_code for r in (neither, both, unknown)] == [400, 400, 400]
    assert unknown.json()["code"] == "unknown_capability"
    assert not AIModel.objects.exists()


def test_bulk_save_can_activate_the_first(api):
    activation.activate(get_entry("snapshot", OTHER_CHAT), "chat")
    body = {"provider": "snapshot", "capability": "chat", "limit": 3, "order": "price", "activate_first": True}

    response = api().post(API + "saved/bulk/", body, format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["count"] == 3 and data["activated"]["model_id"] == data["saved"][0]["model_id"]
    assert data["saved"][0]["is_active"] and not any(row["is_active"] for row in data["saved"][1:])
    assert data["replaced"]["model_id"] == OTHER_CHAT
    assert get_active_model("chat").model_id == data["activated"]["model_id"]


def test_bulk_save_without_activate_first_activates_nothing(api):
    response = api().post(API + "saved/bulk/", {"capability": "chat", "limit": 2}, format="json")

    assert response.status_code == 201 and response.json()["activated"] is None
    assert not AIModel.objects.filter(is_active=True).exists()


def test_a_refused_activation_of_the_first_saves_none(api):
    body = {"provider": "snapshot", "capability": "chat", "limit": 3, "order": "-price", "activate_first": True}
    with ceilings(chat={"input": "0.01"}):
        refused = api().post(API + "saved/bulk/", body, format="json")

    assert refused.status_code == 409 and refused.json()["code"] == "above_ceiling"
    assert not AIModel.objects.exists()


REQUIRING = {
    "chat": {"label": "Chat", "kind": "chat",
             "requires": {"parameters": ["tools"], "min_context": 8000, "max_price": {"input": 2, "output": "8.50"}}},
    "image": {"label": "Image", "kind": "image"},
}


def test_capabilities_lists_each_with_label_kind_requirements_active_model_and_fallbacks(api, settings):
    with override_settings(AI_MODELS={**settings.AI_MODELS, "CAPABILITIES": REQUIRING}):
        active = activation.activate(get_entry("snapshot", CHAT), "chat").model
        fallback = activation.save(get_entry("snapshot", OTHER_CHAT), "chat", overrides={"requirements"}).model
        activation.set_fallbacks("chat", [fallback], overrides={"requirements"})

        response = api("viewer").get(API + "capabilities/")

    assert response.status_code == 200
    chat, image = response.json()
    assert (chat["name"], chat["label"], chat["kind"], chat["kind_label"]) == ("chat", "Chat", "chat", "chat completions")
    assert chat["requires"] == {"parameters": ["tools"], "min_context": 8000,
                                "max_price": {"input": "2", "output": "8.5"}}
    assert chat["active"]["id"] == active.pk
    assert [row["id"] for row in chat["fallbacks"]] == [fallback.pk]
    assert image == {"name": "image", "label": "Image", "kind": "image", "kind_label": "text-to-image",
                     "requires": {}, "active": None, "fallbacks": []}


def test_capabilities_needs_the_view_permission(api):
    assert api("staff").get(API + "capabilities/").status_code == 403
