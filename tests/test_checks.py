from django.core.management import call_command
from django.test import override_settings

from ai_models.checks import check_settings, check_stored_rows
from ai_models.models import AIModel, Provider


def ids(messages):
    """Ids of the messages, less the ones the settings silence (as `manage.py check` does)."""
    from django.conf import settings

    return sorted(m.id for m in messages if m.id not in settings.SILENCED_SYSTEM_CHECKS)


def test_default_test_settings_are_clean():
    assert ids(check_settings()) == []


@override_settings(AI_MODELS={"PROVIDERS": {"snapshot": {}}, "CAPABILITES": ["chat"]})
def test_a_misspelt_key_is_an_error_not_a_silent_default():
    assert ids(check_settings()) == ["ai_models.E001"]
    assert "CAPABILITES" in check_settings()[0].msg


@override_settings(AI_MODELS={"CAPABILITIES": ["Chat Bot"]})
def test_invalid_capability_names():
    assert ids(check_settings()) == ["ai_models.E002", "ai_models.E012"]  # nor does it have a kind


@override_settings(AI_MODELS={"PROVIDERS": {"openrouterr": {}}})
def test_unknown_provider_names_the_known_ones():
    assert ids(check_settings()) == ["ai_models.E003"]
    assert "openrouter" in check_settings()[0].msg


@override_settings(AI_MODELS={"CACHE": "missing"})
def test_cache_alias_must_exist():
    assert "ai_models.E004" in ids(check_settings())


@override_settings(AI_MODELS={"ENCRYPTION_KEYS": ["not-a-fernet-key"]})
def test_bad_encryption_key():
    assert ids(check_settings()) == ["ai_models.E006"]


@override_settings(
    SILENCED_SYSTEM_CHECKS=[], CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)
def test_process_local_caches_are_flagged_outside_debug():
    assert {"ai_models.W001", "ai_models.W002"} <= set(ids(check_settings()))
    with override_settings(DEBUG=True):
        assert ids(check_settings()) == []


def test_saved_rows_with_a_capability_no_longer_configured(db):
    provider = Provider.objects.create(slug="snapshot")
    AIModel.objects.create(provider=provider, model_id="a", capability="video")
    [warning] = check_stored_rows(databases=["default"])
    assert warning.id == "ai_models.W003" and "'video'" in warning.msg
    assert check_stored_rows() == []


def test_checks_run_under_the_app_tag(db):
    call_command("check", "--tag", "ai_models")


@override_settings(AI_MODELS={"PROVIDERS": {"huggingface": {"MAX_MODEL": 50}}})
def test_a_misspelt_provider_option_is_an_error():
    assert ids(check_settings()) == ["ai_models.E008"]
    assert "MAX_MODEL" in check_settings()[0].msg and "MAX_MODELS" in check_settings()[0].hint


@override_settings(AI_MODELS={"PROVIDERS": {"ollama.local": {"CLASS": "ollama"}, "ok-id_2": {"CLASS": "ollama"}}})
def test_a_provider_id_that_cannot_be_a_row_slug_is_an_error():
    assert ids(check_settings()) == ["ai_models.E011"]
    assert "'ollama.local'" in check_settings()[0].msg


@override_settings(AI_MODELS={"PROVIDERS": {
    "ollama": {"CLASS": "openai_compatible", "BASE_URL": "https://ollama.internal/v1", "NAME": "Ollama",
               "ENDPOINTS": ["chat"]},
    "second-openai": {"CLASS": "openai", "API_KEY_ENV": "SECOND_OPENAI_KEY"},
    "xai": {},
}})
def test_instances_presets_and_their_options_are_clean():
    assert ids(check_settings()) == []


@override_settings(AI_MODELS={"PROVIDERS": {"mine": {"CLASS": "openai_compatibel"}}})
def test_an_unknown_class_is_an_error_naming_it():
    assert ids(check_settings()) == ["ai_models.E003"]
    assert "openai_compatibel" in check_settings()[0].msg


@override_settings(AI_MODELS={"PROVIDERS": {"mine": {"CLASS": "openai_compatible", "ENDPOINT": ["chat"]}}})
def test_a_misspelt_option_of_an_instance_is_an_error():
    assert ids(check_settings()) == ["ai_models.E008"]
