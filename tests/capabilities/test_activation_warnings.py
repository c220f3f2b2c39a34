"""A plan's warnings (what the admin, the API and the command line warn of) and the "in use" rule of saved models."""

import pytest
from django.test import override_settings

from ai_models import activation
from ai_models.models import AIModel
from tests.factories import catalog_model

AGENTS = override_settings(AI_MODELS={"CAPABILITIES": {
    "chat": {"label": "Chat", "kind": "chat"},
    "agents": {"label": "Agents", "kind": "chat", "requires": {"parameters": ["tools"]}},
}})


def warnings(entry, capability, role=activation.ACTIVE):
    return list(activation.plan(entry, capability, role=role, current=None).warnings)


@AGENTS
def test_an_unknown_requirement_is_a_warning_when_activating_not_when_saving():
    entry = catalog_model(capabilities=("chat", "agents"))  # lists no supported parameters: unknown
    (warning,) = warnings(entry, "agents")
    assert "says nothing about" in warning and "tools" in warning
    assert warnings(entry, "agents", role=activation.SAVED) == []
    assert warnings(entry, "chat") == []


@AGENTS
def test_a_model_the_provider_says_nothing_of_is_named_with_its_provider():
    entry = catalog_model(capabilities=(), kinds=frozenset(), parameters=("tools",))
    assert warnings(entry, "agents", role=activation.SAVED) == [
        "snapshot did not list this model as suitable for Agents: check that it works."
    ]


@pytest.mark.django_db
def test_in_use_is_the_active_models_and_the_fallbacks_on_rows_and_in_queries():
    active = activation.activate(catalog_model("a"), "chat").model
    fallback = activation.save(catalog_model("b"), "chat").model
    idle = activation.save(catalog_model("c"), "chat").model
    activation.set_fallbacks("chat", [fallback])
    rows = {row.model_id: row for row in AIModel.objects.all()}
    assert set(AIModel.objects.in_use().values_list("model_id", flat=True)) == {"a", "b"}
    assert [rows[m.model_id].in_use for m in (active, fallback, idle)] == [True, True, False]
