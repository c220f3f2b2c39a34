"""Issue 24, item 7: a fallback is in use, so neither the admin nor ``DELETE saved/`` deletes it;
both say why, as for the active model."""

import pytest

from ai_models import activation, get_active_models
from ai_models.models import AIModel
from tests.factories import catalog_model

from .pages import messages_of

SAVED_URL = "/admin/ai_models/aimodel/"


@pytest.fixture
def chain(db):
    active = activation.activate(catalog_model("a/active"), "chat").model
    fallback = activation.save(catalog_model("a/fallback"), "chat").model
    spare = activation.save(catalog_model("a/spare"), "chat").model
    activation.set_fallbacks("chat", [fallback])
    return active, fallback, spare


def test_the_admin_refuses_to_delete_a_fallback_and_says_why(admin_client, chain):
    _active, fallback, spare = chain
    data = {"action": "delete_selected", "_selected_action": [fallback.pk, spare.pk], "post": "yes"}

    bulk = admin_client.post(SAVED_URL, data, follow=True)
    single = admin_client.post(f"{SAVED_URL}{fallback.pk}/delete/", {"post": "yes"}, follow=True)

    assert messages_of(bulk) == ["a/fallback (fallback #1 for Chat) is in use, so it cannot be deleted: deactivate it "
                                 "or take it out of the fallbacks first. Nothing was deleted."]
    assert messages_of(single)[0].startswith("a/fallback (fallback #1 for Chat) is in use")
    assert AIModel.objects.count() == 3 and [m.model_id for m in get_active_models("chat")] == ["a/active", "a/fallback"]


def test_the_api_keeps_a_fallback_and_says_why(chain, client):
    pytest.importorskip("rest_framework")
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    response = client.delete("/api/ai-models/saved/?capability=chat")

    assert response.status_code == 200 and [m["model_id"] for m in response.json()["models"]] == ["a/spare"]
    assert [(m["model_id"], m["in_use"]) for m in response.json()["kept"]] == [
        ("a/active", "active for Chat"), ("a/fallback", "fallback #1 for Chat")]
    assert [m.model_id for m in get_active_models("chat")] == ["a/active", "a/fallback"]
