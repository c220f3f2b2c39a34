"""Checks of the model facts: settings (E014) and, on deploy, a dataset older than FACTS_MAX_AGE_DAYS (W009)."""

from datetime import date

import pytest
from django.test import override_settings

from ai_models.facts import sources
from ai_models.facts.checks import check_facts_age, check_facts_settings



def models_dev_age() -> int:
    return (date.today() - sources.load(sources.MODELS_DEV).date).days


@pytest.mark.skipif(sources.bundled_data(sources.MODELS_DEV) is None, reason="models-dev not installed")
def test_a_dataset_older_than_the_limit_warns_with_its_date():
    with override_settings(AI_MODELS={"FACTS_MAX_AGE_DAYS": max(1, models_dev_age() - 1)}):
        [warning] = check_facts_age()
    assert warning.id == "ai_models.W009" and "models.dev" in warning.msg and "days old" in warning.msg
    with override_settings(AI_MODELS={"FACTS_MAX_AGE_DAYS": models_dev_age() + 30}):
        assert check_facts_age() == []


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("FACTS_SOURCES", ["genai-prices"]),
        ("FACTS_SOURCES", "models.dev"),
        ("FACTS_CONFLICT_THRESHOLD", "ten percent"),
        ("FACTS_CONFLICT_THRESHOLD", 3),
        ("FACTS_REFRESH", {"models.dev": None}),
        ("FACTS_REFRESH", ["https://models.dev/api.json"]),
        ("FACTS_MAX_AGE_DAYS", 0),
    ],
)
def test_invalid_facts_settings_are_an_error(key, value):
    with override_settings(AI_MODELS={key: value}):
        [error] = check_facts_settings()
        assert check_facts_age() == []
    assert error.id == "ai_models.E014" and key in error.msg




def test_the_age_check_runs_on_deploy_only():
    from django.core.checks import registry

    assert check_facts_age in registry.registry.get_checks(include_deployment_checks=True)
    assert check_facts_age not in registry.registry.get_checks(include_deployment_checks=False)
