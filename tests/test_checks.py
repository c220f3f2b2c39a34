import os

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
def test_process_local_caches_are_flagged_on_deploy_only_outside_debug(db):
    from django.core.checks import run_checks

    from ai_models.checks import check_shared_caches

    [w001, w002] = check_shared_caches()
    assert (w001.id, w002.id) == ("ai_models.W001", "ai_models.W002")
    assert "sees an activation made in another only through a database check, at most once a second" in w001.msg
    assert not {"ai_models.W001", "ai_models.W002"} & set(ids(run_checks()))  # a host's `manage.py test` is quiet
    assert {"ai_models.W001", "ai_models.W002"} <= set(ids(run_checks(include_deployment_checks=True)))
    with override_settings(DEBUG=True):
        assert check_shared_caches() == []


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


HOST_SETTINGS = """
SECRET_KEY = "x"
INSTALLED_APPS = ("django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
                  "django.contrib.sessions", "django.contrib.messages", "hostapp", "ai_models")
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": %(db)r}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache_table"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True, "OPTIONS": {
    "context_processors": ["django.contrib.auth.context_processors.auth", "django.template.context_processors.request",
                           "django.contrib.messages.context_processors.messages"]}}]
MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware",
              "django.contrib.auth.middleware.AuthenticationMiddleware",
              "django.contrib.messages.middleware.MessageMiddleware"]
AI_MODELS = {"PROVIDERS": {"snapshot": {}}}
"""
CACHE_TABLE_MIGRATION = """
import os

from django.core.management import call_command
from django.db import migrations

class Migration(migrations.Migration):
    dependencies = [("ai_models", "0001_initial")]
    operations = [migrations.RunPython(lambda apps, schema_editor: call_command("createcachetable"))]
"""


def test_the_first_migrate_is_quiet_when_a_database_cache_table_comes_later(tmp_path):
    """A host whose DatabaseCache table is made by one of its own migrations: the checks `migrate`
    runs first must not read that cache (it would print a cache read error)."""
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "host_settings.py").write_text(HOST_SETTINGS % {"db": str(tmp_path / "db.sqlite3")})
    migrations = tmp_path / "hostapp" / "migrations"
    migrations.mkdir(parents=True)
    for package in (tmp_path / "hostapp", migrations):
        (package / "__init__.py").write_text("")
    (migrations / "0001_cache_table.py").write_text(CACHE_TABLE_MIGRATION)
    repo = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{repo}", "DJANGO_SETTINGS_MODULE": "host_settings"}

    done = subprocess.run([sys.executable, "-m", "django", "migrate", "-v", "0"], env=env, capture_output=True,
                          text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert done.stdout + done.stderr == ""
