"""Which providers are on, and with which key."""

import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from ai_models import catalog
from ai_models.models import Provider
from ai_models.providers import build_provider

KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()


@pytest.fixture
def openai_row(db):
    with override_settings(AI_MODELS={"PROVIDERS": {"snapshot": {}}, "ENCRYPTION_KEYS": [KEY_A]}):
        row = Provider(slug="openai", name="OpenAI")
        row.api_key = "sk-stored-in-the-database-0001"
        row.save()
    return row


def test_settings_providers_and_active_rows_are_enabled_inactive_rows_are_not(openai_row):
    Provider.objects.create(slug="groq", is_active=False)
    with override_settings(AI_MODELS={"PROVIDERS": {"snapshot": {}, "groq": {}}, "ENCRYPTION_KEYS": [KEY_A]}):
        assert [backend.id for backend in Provider.objects.backends()] == ["snapshot", "openai"]
        assert [backend.id for backend in Provider.objects.backends(only=["openai"])] == ["openai"]


def test_key_sources_environment_first_then_settings_then_database(openai_row, monkeypatch):
    settings = {"PROVIDERS": {"openai": {"API_KEY": "sk-from-settings"}}, "ENCRYPTION_KEYS": [KEY_A]}
    with override_settings(AI_MODELS=settings):
        monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
        assert (build_provider("openai", openai_row).key_source) == "environment"
        monkeypatch.delenv("OPENAI_API_KEY")
        assert build_provider("openai", openai_row).api_key == "sk-from-settings"
    with override_settings(AI_MODELS={"ENCRYPTION_KEYS": [KEY_A]}):
        backend = build_provider("openai", openai_row)
        assert (backend.api_key, backend.key_source) == ("sk-stored-in-the-database-0001", "database")


def test_a_stored_key_that_no_longer_decrypts_fails_that_provider_alone(openai_row, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with override_settings(AI_MODELS={"PROVIDERS": {"snapshot": {}}, "ENCRYPTION_KEYS": [KEY_B]}):
        listing = catalog.get_catalog()
    statuses = {status.provider: status for status in listing.statuses}
    assert statuses["snapshot"].state == "fresh" and listing.entries
    assert statuses["openai"].state == "failed"
    assert "cannot be decrypted" in statuses["openai"].error
    assert "sk-stored" not in statuses["openai"].error


def test_messages_name_the_environment_variable_actually_read(db, monkeypatch):
    from ai_models.exceptions import ProviderAuthError

    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_AI_KEY", raising=False)
    with override_settings(AI_MODELS={"PROVIDERS": {"gemini": {"API_KEY_ENV": "GOOGLE_AI_KEY"}}}):
        backend = build_provider("gemini")
        assert backend.api_key_env == "GOOGLE_AI_KEY"
        with pytest.raises(ProviderAuthError, match="GOOGLE_AI_KEY"):
            backend.fetch_catalog()


def test_a_provider_row_whose_class_is_gone_fails_alone(db):
    Provider.objects.create(slug="retired-vendor", name="Retired")
    with override_settings(AI_MODELS={"PROVIDERS": {"snapshot": {}}, "PROVIDER_CLASSES": {"broken": "no.such.module.Provider"}}):
        Provider.objects.create(slug="broken")
        listing = catalog.get_catalog()
    statuses = {status.provider: status for status in listing.statuses}
    assert statuses["snapshot"].state == "fresh" and listing.entries
    assert statuses["retired-vendor"].state == "failed" and "Unknown provider" in statuses["retired-vendor"].error
    assert statuses["broken"].state == "failed" and "no" in statuses["broken"].error


def test_a_class_serves_several_ids_by_registered_id_preset_or_dotted_path(db, monkeypatch):
    from ai_models.exceptions import UnknownProvider
    from ai_models.providers import get_provider, provider_paths
    from ai_models.providers.openai import OpenAIProvider
    from ai_models.providers.openai_compatible import OpenAICompatibleServer

    monkeypatch.setenv("SECOND_OPENAI_KEY", "sk-second-account-0001")
    providers = {
        "openai-eu": {"CLASS": "openai", "API_KEY_ENV": "SECOND_OPENAI_KEY", "NAME": "OpenAI (EU project)"},
        "house": {"CLASS": "ai_models.providers.openai_compatible.OpenAICompatibleServer",
                  "BASE_URL": "https://llm.house.example/v1"},
        "together-batch": {"CLASS": "together"},
        "together": {},
    }
    with override_settings(AI_MODELS={"PROVIDERS": providers}):
        eu = build_provider("openai-eu")
        assert isinstance(eu, OpenAIProvider) and (eu.id, eu.name) == ("openai-eu", "OpenAI (EU project)")
        assert (eu.api_key, eu.key_source, eu.base_url) == ("sk-second-account-0001", "environment", "https://api.openai.com/v1")
        house = build_provider("house")
        assert isinstance(house, OpenAICompatibleServer) and house.name == "OpenAI-compatible server (house)"
        assert get_provider("together").name == "Together AI"
        assert get_provider("together-batch").name == "Together AI (together-batch)"
        assert build_provider("together-batch").base_url == "https://api.together.xyz/v1"
        assert {"openai-eu", "house", "together-batch", "xai"} <= set(provider_paths())
        assert get_provider("openai") is OpenAIProvider  # the built-in itself is untouched
        with pytest.raises(UnknownProvider, match="Known providers: .*together-batch"):
            get_provider("nonesuch")
