"""One thin test per front end and gate: each front end maps every gate key to its own form field,
request field and 409 code, or flag; refused without it, done with it (and logged). The checks
themselves are test_gates.py's."""

import io
from dataclasses import replace

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command
from django.test import override_settings

from ai_models import activation, get_active_model, get_active_models
from ai_models.admin.forms import override_field
from ai_models.api.serializers import override_field as request_field
from ai_models.api.serializers import refusal_code
from ai_models.cli.activate import flag
from ai_models.models import AIModel
from ai_models.providers import test as test_provider

from ..admin.conftest import CATALOG_URL, SAVED_URL, make_user, messages_of
from .conftest import CAPABILITIES, SCENARIOS

OVERRIDABLE = list(activation.OVERRIDABLE)
AS_FALLBACK = [key for key in OVERRIDABLE if activation.gates.BY_KEY[key].applies_to(activation.FALLBACK)]
API = "/api/ai-models/"


@pytest.fixture(autouse=True)
def listed(db):
    """The scenarios' models listed by a test provider "test", with the scenarios' settings."""
    with override_settings(AI_MODELS={
        **settings.AI_MODELS,
        "CAPABILITIES": CAPABILITIES,
        "PRICE_CEILINGS": {"chat": {"input": "5"}},
        "PROVIDERS": {"test": {"CLASS": "ai_models.providers.test.TestProvider"}},
    }):
        entries = {key: (listed_as(s.refused), listed_as(s.passing)) for key, s in SCENARIOS.items()}
        test_provider.script("test", models=[entry for pair in entries.values() for entry in pair])
        yield entries


def listed_as(entry):
    return replace(entry, provider="test", capabilities=frozenset())


def prepared(key, listed):
    scenario = SCENARIOS[key]
    if scenario.setup:
        scenario.setup()
    return scenario, listed[key][0]


def logged(row):
    return LogEntry.objects.filter(object_id=str(row.pk)).latest("pk").change_message


# --- the admin ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", OVERRIDABLE)
def test_admin_activate_maps_the_gate_to_its_checkbox(key, listed, admin_client):
    scenario, entry = prepared(key, listed)
    data = {"action": "activate", "_selected_action": entry.pk, "confirm": "yes", "capability": scenario.capability}

    refused = admin_client.post(CATALOG_URL, data)
    assert refused.status_code == 200 and refused.context["form"].errors[override_field(key)]
    assert key in refused.context["selected_refuses"]
    assert not AIModel.objects.filter(model_id=entry.model_id, is_active=True).exists()

    admin_client.post(CATALOG_URL, {**data, override_field(key): "on"})
    active = get_active_model(scenario.capability)
    assert active.model_id == entry.model_id and "Via the admin" not in logged(active)  # stored as facts
    [note] = activation.plan(entry, scenario.capability, overrides={key}, current=None).notes or [""]
    assert note.split(" (")[0] in logged(active)


def test_admin_test_and_activate_shows_the_failed_test_call(listed, admin_client):
    entry = listed["trial"][0]
    test_provider.script("test", models=[entry], answer="reject")
    data = {"action": "activate", "_selected_action": entry.pk, "confirm": "yes", "capability": "chat", "trial": "yes"}

    page = admin_client.post(CATALOG_URL, data)

    assert page.context["trial"].error == "test: the API key was rejected (HTTP 401)"
    assert "The test call failed after" in page.content.decode() and not AIModel.objects.exists()


@pytest.mark.parametrize("key", OVERRIDABLE)
def test_admin_reactivate_asks_for_the_gates_confirmation(key, listed, admin_client):
    scenario, entry = prepared(key, listed)
    row = activation.save(entry, scenario.capability).model
    data = {"action": "reactivate", "_selected_action": [row.pk], "index": "0"}

    page = admin_client.post(SAVED_URL, {**data, "confirm": "yes", "model": row.pk})
    assert page.context["selected_refuses"] == [key] and page.context["form"].errors[override_field(key)]
    assert not AIModel.objects.filter(pk=row.pk, is_active=True).exists()

    done = admin_client.post(SAVED_URL, {**data, "confirm": "yes", "model": row.pk, override_field(key): "yes"},
                             follow=True)
    assert messages_of(done)[-1].endswith("again.") and get_active_model(scenario.capability).pk == row.pk


@pytest.mark.parametrize("key", AS_FALLBACK)
def test_admin_fallback_position_passes_the_gate_with_its_checkbox(key, listed, admin_client):
    scenario, entry = prepared(key, listed)
    if not AIModel.objects.filter(capability=scenario.capability, is_active=True).exists():
        activation.activate(listed[key][1], scenario.capability)
    row = activation.save(entry, scenario.capability).model
    url = f"{SAVED_URL}{row.pk}/change/"
    page = admin_client.get(url)
    assert f'name="{override_field(key)}"' in page.content.decode()

    refused = admin_client.post(url, {"display_name": "X", "fallback_position": "1"})
    assert refused.status_code == 200 and refused.context["adminform"].form.errors[override_field(key)]
    assert get_active_models(scenario.capability)[1:] == []

    admin_client.post(url, {"display_name": "X", "fallback_position": "1", override_field(key): "on"})
    assert [model.pk for model in get_active_models(scenario.capability)[1:]] == [row.pk]


def test_admin_fallback_position_needs_the_activate_permission(listed, client):
    activation.activate(listed["kind"][1], "chat")
    row = activation.save(listed["ceiling"][1], "chat").model
    client.force_login(make_user("editor", "ai_models.view_aimodel", "ai_models.change_aimodel"))

    page = client.get(f"{SAVED_URL}{row.pk}/change/")
    client.post(f"{SAVED_URL}{row.pk}/change/", {"display_name": "Renamed", "fallback_position": "1"})

    assert 'name="fallback_position"' not in page.content.decode()  # shown, read only
    row.refresh_from_db()
    assert row.display_name == "Renamed" and row.fallback_position is None
    assert get_active_models("chat")[1:] == []


# --- the HTTP API ---------------------------------------------------------------------------


@pytest.fixture
def api(db):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(make_user("root", superuser=True))
    return client


@pytest.mark.parametrize("key", OVERRIDABLE)
def test_api_activation_maps_the_gate_to_a_409_and_its_field(key, listed, api):
    pytest.importorskip("rest_framework")
    scenario, entry = prepared(key, listed)
    body = {"provider": "test", "model_id": entry.model_id, "capability": scenario.capability}

    refused = api.post(API + "activations/", body, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == refusal_code(key)
    assert refused.json()["override"] == {request_field(key): True}
    assert [refusal["gate"] for refusal in refused.json()["refusals"]] == [key]

    done = api.post(API + "activations/", {**body, request_field(key): True}, format="json")
    active = get_active_model(scenario.capability)
    assert done.status_code == 201 and active.model_id == entry.model_id
    [note] = activation.plan(entry, scenario.capability, overrides={key}, current=None).notes or [""]
    assert note.split(" (")[0] in logged(active)


@pytest.mark.parametrize("key", OVERRIDABLE)
def test_api_rollback_maps_the_gate_too(key, listed, api):
    pytest.importorskip("rest_framework")
    scenario, entry = prepared(key, listed)
    activation.activate(entry, scenario.capability, overrides={key})  # the model a rollback goes back to
    activation.activate(listed[key][1], scenario.capability, overrides=activation.OVERRIDABLE)
    url = API + f"active/{scenario.capability}/rollback/"

    refused = api.post(url, {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == refusal_code(key)
    done = api.post(url, {request_field(key): True}, format="json")
    assert done.status_code == 200 and done.json()["model"]["model_id"] == entry.model_id


def test_api_trial_failure_is_a_502(listed, api):
    pytest.importorskip("rest_framework")
    test_provider.script("test", models=[listed["trial"][0]], answer="error")
    body = {"provider": "test", "model_id": listed["trial"][0].model_id, "capability": "chat", "test": True}

    response = api.post(API + "activations/", body, format="json")

    assert response.status_code == 502 and response.json()["code"] == "trial_failed"
    assert not AIModel.objects.exists()


def test_api_saving_a_model_in_use_maps_the_gate(listed, api):
    pytest.importorskip("rest_framework")
    cheap, dear = listed["ceiling"][1], listed["ceiling"][0]
    activation.activate(cheap, "chat")
    test_provider.script("test", models=[replace(dear, model_id=cheap.model_id)])  # its price rose since
    body = {"provider": "test", "model_id": cheap.model_id, "capability": "chat"}

    refused = api.post(API + "saved/", body, format="json")
    bulk = api.post(API + "saved/bulk/", {"provider": "test", "capability": "chat"}, format="json")
    done = api.post(API + "saved/", {**body, "allow_above_ceiling": True}, format="json")

    assert refused.status_code == 409 == bulk.status_code and refused.json()["code"] == "above_ceiling"
    assert done.status_code == 201 and get_active_model("chat").input_price == dear.input_price


def test_api_takes_call_parameters_as_the_admin_does(listed, api):
    pytest.importorskip("rest_framework")
    entry = listed["kind"][1]
    body = {"provider": "test", "model_id": entry.model_id, "capability": "chat"}

    invalid = api.post(API + "activations/", {**body, "parameters": {"temperature": "hot"}}, format="json")
    done = api.post(API + "activations/", {**body, "parameters": {"temperature": 0.2}}, format="json")

    assert invalid.status_code == 400 and invalid.json()["errors"]["parameters"]
    assert done.status_code == 201 and get_active_model("chat").parameters == {"temperature": 0.2}


# --- the command line -----------------------------------------------------------------------


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ai_models", *args, stdout=out, stderr=err)
    except CommandError as caught:
        return caught.returncode, err.getvalue() + str(caught)
    return 0, err.getvalue()


@pytest.mark.parametrize("key", OVERRIDABLE)
def test_command_line_maps_the_gate_to_its_flag(key, listed):
    scenario, entry = prepared(key, listed)
    args = ("activate", "test", entry.model_id, "--capability", scenario.capability)

    code, error = run(*args)
    assert code == 2 and error.endswith(f"Pass {flag(key)} to go ahead anyway.")

    code, error = run(*args, flag(key))
    assert code == 0 and f"Overridden ({flag(key)})" in error
    assert get_active_model(scenario.capability).model_id == entry.model_id


def test_command_line_takes_call_parameters(listed):
    entry = listed["kind"][1]
    code, _error = run("activate", "test", entry.model_id, "--capability", "chat", "--parameters", '{"seed": 7}')
    assert code == 0 and get_active_model("chat").parameters == {"seed": 7}
    code, error = run("activate", "test", entry.model_id, "--capability", "chat", "--parameters", "{seed")
    assert code == 2 and "--parameters is not valid JSON" in error
