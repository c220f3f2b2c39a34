"""The shared test provider (``ai_models.providers.test``), as a host project's tests would use it."""

import pytest
from django.test import override_settings

from ai_models import activation, catalog, get_active_model
from ai_models.exceptions import ProviderAuthError, ProviderUnavailable
from ai_models.providers import build_provider
from ai_models.providers import test as test_provider
from ai_models.trial import run_trial
from tests.factories import catalog_model

ENABLED = override_settings(AI_MODELS={"PROVIDERS": {"acme": {"CLASS": "ai_models.providers.test.TestProvider"}}})


@ENABLED
def test_it_lists_generated_models_under_its_id_until_scripted(db):
    entries = catalog.get_catalog().entries
    assert [entry.pk for entry in entries] == ["acme:acme-00000", "acme:acme-00001", "acme:acme-00002"]
    assert entries[0].capabilities == {"chat", "content"}
    assert catalog.get_entry("acme", "acme-00000").raw["model_id"] == "acme-00000"  # what it "sent"

    test_provider.script("acme", models=[catalog_model("mine", provider="acme")])
    assert [entry.model_id for entry in catalog.refresh().entries] == ["mine"]
    assert test_provider.fetches["acme"] == 2


@ENABLED
def test_fetches_and_calls_fail_as_scripted_and_are_recorded(db):
    test_provider.script("acme", error=ProviderUnavailable("acme", "down for the test"))
    [status] = catalog.refresh().statuses
    assert status.state == "failed" and "down for the test" in status.error

    test_provider.script("acme", answer=lambda model_id: "reject" if model_id == "bad" else "ok", text="Hi")
    backend = build_provider("acme")
    assert backend.chat("good", [{"role": "user", "content": "Hello"}]).text == "Hi"
    with pytest.raises(ProviderAuthError):
        backend.chat("bad", [{"role": "user", "content": "Hello"}])
    assert [(call.kind, call.model_id) for call in test_provider.outbox] == [("chat", "good"), ("chat", "bad")]


@ENABLED
def test_a_host_tests_its_own_activation_flow_with_it(db):
    entry = catalog_model("acme-chat", provider="acme")
    assert run_trial(entry, "chat").ok
    activation.activate(entry, "chat", test=True)
    assert get_active_model("chat").get_backend().chat("acme-chat", [{"role": "user", "content": "x"}]).text == "OK"


@override_settings(AI_MODELS={"PROVIDERS": {"acme": {"CLASS": "ai_models.providers.test.TestProvider",
                                                     "REQUIRES_KEY": True}}})
def test_it_can_need_a_key_like_a_real_provider(db):
    [status] = catalog.refresh().statuses
    assert status.state == "failed" and "no API key configured" in status.error
