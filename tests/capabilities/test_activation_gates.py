"""What activation checks for every way in: requirements, and the embedding switch guard."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.test import override_settings

from ai_models import activation, catalog, get_active_model
from ai_models.models import AIModel
from ai_models.activation.embedding import embedding_switch
from ai_models.exceptions import EmbeddingSwitchUnconfirmed, RequirementsNotMet

from ..admin.conftest import CATALOG_URL, SAVED_URL
from ..factories import catalog_model

pytestmark = pytest.mark.django_db

CAPABILITIES = {
    "chat": "Chat",
    "embedding": "Embedding",
    "vision": {"label": "Vision", "kind": "chat", "requires": {"input_modalities": ["image"]}},
}


@pytest.fixture(autouse=True)
def capabilities(settings):
    with override_settings(AI_MODELS={**settings.AI_MODELS, "CAPABILITIES": CAPABILITIES}):
        yield


@pytest.fixture
def user():
    return User.objects.create_user("ana", is_staff=True, is_superuser=True)


def snapshot(model_id):
    return catalog.get_entry("snapshot", model_id)


def test_requirements_not_met_refuse_activation_and_change_nothing(user):
    with pytest.raises(RequirementsNotMet) as refused:
        activation.activate(catalog_model(input_modalities=("text",)), "vision", user)
    assert "input modalities image: lacks image" in str(refused.value)
    assert [item.key for item in refused.value.checks] == ["input_modalities"]
    assert not AIModel.objects.exists()


def test_an_override_activates_and_the_history_says_so(user):
    row = activation.activate(catalog_model(input_modalities=("text",)), "vision", user, override_requirements=True)
    assert row.is_active
    assert "requirements not met, overridden: input_modalities" in LogEntry.objects.get().change_message


def test_unknown_requirements_do_not_block():
    assert activation.activate(catalog_model(), "vision").is_active


def test_switching_embedding_models_needs_a_confirmation_naming_the_dimension_change(user):
    small, large = snapshot("openai/text-embedding-3-small"), snapshot("openai/text-embedding-3-large")
    assert "embedding" in small.capabilities and small.dimensions == 1536
    activation.activate(small, "embedding", user)  # the first one needs nothing
    assert embedding_switch("embedding", "snapshot", small.model_id) is None  # nor activating it again
    with pytest.raises(EmbeddingSwitchUnconfirmed) as refused:
        activation.activate(large, "embedding", user)
    switch = refused.value.switch
    assert switch.dimension_change == "1536 → 3072 dimensions"
    assert "vectors made with the old model are not comparable" in str(refused.value)
    assert get_active_model("embedding").model_id == small.model_id  # nothing changed

    activation.activate(large, "embedding", user, confirm_embedding_switch=True)
    assert get_active_model("embedding").model_id == large.model_id
    assert "embedding model switch from snapshot:openai/text-embedding-3-small confirmed (1536 -> 3072 dimensions)" \
        in LogEntry.objects.filter(object_id=str(get_active_model("embedding").pk)).latest("pk").change_message


def test_the_guard_covers_rolling_back_too(user):
    small, large = snapshot("openai/text-embedding-3-small"), snapshot("openai/text-embedding-3-large")
    old = activation.activate(small, "embedding", user)
    activation.activate(large, "embedding", user, confirm_embedding_switch=True)
    old.refresh_from_db()
    with pytest.raises(EmbeddingSwitchUnconfirmed):
        activation.reactivate(old, user)
    activation.reactivate(old, user, confirm_embedding_switch=True)


def test_other_kinds_switch_freely():
    activation.activate(catalog_model("a/one"), "chat")
    activation.activate(catalog_model("a/two"), "chat")
    assert embedding_switch("chat", "snapshot", "a/three") is None


def test_the_admin_asks_to_confirm_the_switch_and_shows_the_dimensions(admin_client):
    activation.activate(snapshot("openai/text-embedding-3-small"), "embedding")
    data = {"action": "activate", "_selected_action": "snapshot:openai/text-embedding-3-large", "confirm": "yes",
            "capability": "embedding"}
    response = admin_client.post(CATALOG_URL, data)
    assert response.status_code == 200  # the page again
    html = response.content.decode()
    assert "1536 → 3072 dimensions" in html and "not comparable" in html
    assert response.context["form"].errors["confirm_embedding_switch"]
    assert get_active_model("embedding").model_id == "openai/text-embedding-3-small"
    admin_client.post(CATALOG_URL, {**data, "confirm_embedding_switch": "on"})
    assert get_active_model("embedding").model_id == "openai/text-embedding-3-large"


def test_the_catalog_filter_by_requirements(settings):
    entries = catalog.get_catalog().entries
    meeting = catalog.filter_entries(entries, meets="vision")
    assert meeting and all("image" in entry.input_modalities and "vision" in entry.capabilities for entry in meeting)
    as_list = catalog.filter_entries(list(entries), meets="vision")
    assert [entry.pk for entry in as_list] == [entry.pk for entry in meeting]
    changed = {**CAPABILITIES, "vision": {**CAPABILITIES["vision"], "requires": {"input_modalities": ["audio"]}}}
    with override_settings(AI_MODELS={**settings.AI_MODELS, "CAPABILITIES": changed}):
        again = catalog.filter_entries(catalog.get_catalog().entries, meets="vision")
    assert {entry.pk for entry in again} != {entry.pk for entry in meeting}  # no stale memo


def test_rolling_back_in_saved_models_asks_to_confirm_the_switch(admin_client):
    old = activation.activate(snapshot("openai/text-embedding-3-small"), "embedding")
    activation.activate(snapshot("openai/text-embedding-3-large"), "embedding", confirm_embedding_switch=True)
    data = {"action": "reactivate", "_selected_action": old.pk}
    page = admin_client.post(SAVED_URL, data)
    html = page.content.decode()
    assert 'name="confirm_embedding_switch"' in html and "3072 → 1536 dimensions" in html
    assert 'name="confirm_above_ceiling"' not in html
    assert get_active_model("embedding").model_id == "openai/text-embedding-3-large"
    admin_client.post(SAVED_URL, {**data, "confirm_embedding_switch": "yes"})
    assert get_active_model("embedding").model_id == "openai/text-embedding-3-small"
