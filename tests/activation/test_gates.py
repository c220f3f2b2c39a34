"""Every gate, one suite: it passes, it refuses (nothing changes), an override with the gate's
permission goes through and is logged, an override without it is refused; code without a user must
name the override; a fallback passes the same gates."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry

from ai_models import activation, get_active_model
from ai_models.activation.gates import ACTIVATE, BY_KEY
from ai_models.exceptions import ActivationNotPermitted, ActivationRefused
from ai_models.models import AIModel
from tests.factories import catalog_model

from .conftest import SCENARIOS

pytestmark = pytest.mark.usefixtures("gate_settings")
KEYS = [gate.key for gate in activation.GATES]
OVERRIDABLE = list(activation.OVERRIDABLE)
AS_FALLBACK = [gate.key for gate in activation.GATES if gate.applies_to(activation.FALLBACK)]


def prepared(key):
    scenario = SCENARIOS[key]
    if scenario.setup:
        scenario.setup()
    return scenario


def state():
    """What serves each capability, and the history so far: a refusal changes neither."""
    return sorted(AIModel.objects.values_list("capability", "model_id", "is_active", "fallback_position")), \
        LogEntry.objects.count()


def test_every_gate_has_a_scenario_and_a_key_of_its_own():
    assert sorted(SCENARIOS) == sorted(KEYS) and len(set(KEYS)) == len(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_a_model_the_gate_lets_through_is_activated(key, users):
    scenario = prepared(key)
    change = activation.activate(scenario.passing, scenario.capability, users["lead"])
    assert change.plan.outcome(key).passed and change.model.is_active
    assert get_active_model(scenario.capability).model_id == scenario.passing.model_id


@pytest.mark.parametrize("key", KEYS)
def test_the_gate_refuses_and_nothing_changes(key, users):
    scenario = prepared(key)
    before = state()
    with pytest.raises(ActivationRefused) as refused:
        activation.activate(scenario.refused, scenario.capability, users["lead"], trial=scenario.trial)
    assert refused.value.keys == (key,)
    [outcome] = refused.value.outcomes
    assert outcome.message and outcome.message in str(refused.value) and "Nothing was changed" in str(refused.value)
    assert state() == before


@pytest.mark.parametrize("key", OVERRIDABLE)
def test_an_override_with_the_gates_permission_goes_through_and_is_logged(key, users):
    scenario = prepared(key)
    change = activation.activate(scenario.refused, scenario.capability, users["lead"], overrides={key})
    outcome = change.plan.outcome(key)
    assert outcome.overridden and outcome.note
    assert get_active_model(scenario.capability).model_id == scenario.refused.model_id
    assert outcome.note in LogEntry.objects.filter(object_id=str(change.model.pk)).latest("pk").change_message


@pytest.mark.parametrize("key", OVERRIDABLE)
def test_an_override_without_the_gates_permission_is_refused(key, users):
    scenario = prepared(key)
    before = state()
    if BY_KEY[key].permission == ACTIVATE:  # a user without it may not activate at all
        with pytest.raises(ActivationNotPermitted):
            activation.activate(scenario.refused, scenario.capability, users["editor"], overrides={key})
    else:
        with pytest.raises(ActivationRefused) as refused:
            activation.activate(scenario.refused, scenario.capability, users["activator"], overrides={key})
        [outcome] = refused.value.outcomes
        assert outcome.key == key and not outcome.permitted
        assert BY_KEY[key].permission_name in str(refused.value)
    assert state() == before


def test_the_trial_gate_cannot_be_overridden(users):
    scenario = prepared("trial")
    with pytest.raises(ActivationRefused) as refused:
        activation.activate(scenario.refused, "chat", users["lead"], trial=scenario.trial, overrides={"trial"})
    assert refused.value.keys == ("trial",) and not refused.value.outcomes[0].permitted
    assert "the API key was rejected" in str(refused.value)


@pytest.mark.parametrize("key", OVERRIDABLE)
def test_code_without_a_user_is_trusted_but_must_name_the_override(key):
    scenario = prepared(key)
    with pytest.raises(ActivationRefused):
        activation.activate(scenario.refused, scenario.capability)
    change = activation.activate(scenario.refused, scenario.capability, overrides={key})
    assert change.plan.outcome(key).overridden and change.model.is_active


@pytest.mark.parametrize("key", AS_FALLBACK)
def test_a_fallback_passes_the_same_gate(key, users):
    scenario = prepared(key)
    if not AIModel.objects.filter(capability=scenario.capability, is_active=True).exists():
        activation.activate(scenario.passing, scenario.capability)
    row = activation.save(scenario.refused, scenario.capability).model  # saving serves nothing: no gate
    with pytest.raises(ActivationRefused) as refused:
        activation.set_fallbacks(scenario.capability, [row], users["lead"])
    assert refused.value.keys == (key,) and "fallback" in str(refused.value)
    with pytest.raises(ActivationRefused):
        activation.move_fallback(row, 1, users["lead"])
    assert not AIModel.objects.filter(fallback_position__isnull=False).exists()

    activation.move_fallback(row, 1, users["lead"], overrides={key})
    row.refresh_from_db()
    assert row.fallback_position == 1
    [note] = activation.plan(row.catalog_entry(), scenario.capability, role=activation.FALLBACK, overrides={key}).notes
    assert note in LogEntry.objects.filter(object_id=str(row.pk)).latest("pk").change_message


def test_an_unknown_override_key_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown gate keys in overrides: ceilings"):
        activation.plan(SCENARIOS["ceiling"].refused, "chat", overrides={"ceilings"})


def test_a_gate_judging_a_value_a_dataset_completed_names_the_dataset(users):
    """A price or expiry date the provider did not list but a model-facts dataset did is judged like
    the provider's, and the refusal and the history note say where it came from."""
    completed = catalog_model("a/old", input_price=Decimal("8"), expires=date(2001, 1, 1),
                              facts=(("input_price", "models.dev 2026-05-21"), ("expires", "LiteLLM 1.80")))

    planned = activation.plan(completed, "chat", user=users["lead"])

    expired, ceiling = planned.outcome("expired").finding, planned.outcome("ceiling").finding
    assert expired.message.startswith("According to LiteLLM 1.80, this model expired on 2001-01-01")
    assert expired.note == "expired on 2001-01-01 [LiteLLM 1.80], overridden"
    assert "(price from models.dev 2026-05-21)" in ceiling.message and "[models.dev 2026-05-21]" in ceiling.note
    provider_said = activation.plan(catalog_model("a/old", expires=date(2001, 1, 1)), "chat", user=users["lead"])
    assert provider_said.outcome("expired").message.startswith("Its provider says this model expired on 2001-01-01")
