"""A host capability with requirements, in Browse catalog: the filter, the Activate page, the override."""

import pytest
from django.contrib.admin.models import LogEntry
from django.test import override_settings

from ai_models.models import AIModel

from ..admin.conftest import CATALOG_URL, messages_of
from ..admin.fakes import PATHS

VISION_TOOLS = {
    "chat": "Chat",
    "assistant": {"label": "Assistant", "kind": "chat", "requires": {"input_modalities": ["image"], "parameters": ["tools"]}},
}
MEETS = "snapshot:openai/gpt-4.1"  # text+image in, tools
NO_TOOLS = "snapshot:google/gemma-3-27b-it:free"  # image in, no tools
TEXT_ONLY = "snapshot:meta-llama/llama-3.3-70b-instruct"  # tools, text in only

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def assistant_capability(settings):
    with override_settings(AI_MODELS={**settings.AI_MODELS, "CAPABILITIES": VISION_TOOLS}):
        yield


def listed(client, **params):
    response = client.get(CATALOG_URL, params)
    return {row.pk for row in response.context["cl"].result_list}


def activate(client, pk, **extra):
    data = {"action": "activate", "_selected_action": pk, "confirm": "yes", "capability": "assistant", **extra}
    return client.post(CATALOG_URL, data, follow=True)


def test_the_filter_lists_only_models_that_meet_the_requirements(admin_client):
    every = listed(admin_client, capability="assistant")  # those failing a requirement are not "for" it
    meeting = listed(admin_client, meets="assistant")
    chat = listed(admin_client, capability="chat")
    assert MEETS in meeting and {NO_TOOLS, TEXT_ONLY} <= chat - every
    assert meeting <= every < chat
    response = admin_client.get(CATALOG_URL, {"meets": "assistant"})
    assert "meets the requirements of" in response.content.decode()


def test_the_activate_page_lists_each_requirement_as_met_or_not(admin_client):
    response = admin_client.post(CATALOG_URL, {"action": "activate", "_selected_action": NO_TOOLS, "index": "0"})
    html = response.content.decode()
    [assistant] = [choice for choice in response.context["capabilities"] if choice["name"] == "assistant"]
    assert [(item["state"], item["label"]) for item in assistant["requirements"]] == [("met", "met"),
                                                                                     ("unmet", "not met")]
    assert "supported parameters tools: lacks tools" in html
    assert 'data-requirements-for="assistant"' in html


def test_an_unmet_requirement_blocks_activation_without_the_override(admin_client):
    response = activate(admin_client, NO_TOOLS)
    assert not AIModel.objects.filter(capability="assistant").exists()
    assert response.context["form"].errors["override_requirements"]
    assert "This model does not meet: supported parameters tools: lacks tools." in response.content.decode()


def test_the_override_activates_and_is_logged(admin_client):
    response = activate(admin_client, TEXT_ONLY, override_requirements="on")
    active = AIModel.objects.get(capability="assistant", is_active=True)
    assert active.model_id == "meta-llama/llama-3.3-70b-instruct"
    log = LogEntry.objects.get(object_id=str(active.pk))
    assert "requirements not met, overridden: input_modalities" in log.change_message
    assert any("now the active model" in message for message in messages_of(response))


def test_a_model_that_meets_them_activates_without_override(admin_client):
    activate(admin_client, MEETS)
    active = AIModel.objects.get(capability="assistant", is_active=True)
    assert "overridden" not in LogEntry.objects.get(object_id=str(active.pk)).change_message


def test_unknown_requirements_warn_but_do_not_block(admin_client, settings):
    # The fake provider lists no modalities or parameters, as OpenAI's bare ids do not.
    ai_models = {**settings.AI_MODELS, "CAPABILITIES": VISION_TOOLS, "PROVIDERS": {"fake": {}},
                 "PROVIDER_CLASSES": PATHS}
    with override_settings(AI_MODELS=ai_models):
        response = activate(admin_client, "fake:fake/model-0000")
        assert AIModel.objects.filter(capability="assistant", is_active=True).exists()
        [warning] = [message for message in messages_of(response) if "check them yourself" in message]
        assert "input modalities image: the provider does not list them" in warning
        assert listed(admin_client, meets="assistant") == set()  # unknown is not "meets"
