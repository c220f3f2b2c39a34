"""What a new user's settings get wrong, named by a system check (README steps 2 and 4)."""

import pytest
from django.core import checks

from ai_models.models import Provider

pytestmark = pytest.mark.django_db


def ids(**kwargs):
    return [message.id for message in checks.run_checks(tags=["ai_models"], **kwargs)]


@pytest.mark.django_db
def test_a_key_in_the_environment_for_a_provider_not_switched_on_is_named(settings, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-unused-0123456789")
    settings.AI_MODELS = {**settings.AI_MODELS, "PROVIDERS": {"snapshot": {}}}
    [warning] = [m for m in checks.run_checks(tags=["ai_models"]) if m.id == "ai_models.W005"]
    assert "OPENAI_API_KEY is set, but the provider 'openai' is not switched on" in warning.msg
    assert "AI_MODELS['PROVIDERS']" in warning.hint and "Providers › Add" in warning.hint

    settings.AI_MODELS = {**settings.AI_MODELS, "PROVIDERS": {"snapshot": {}, "openai": {}}}
    assert "ai_models.W005" not in ids()
    settings.AI_MODELS = {**settings.AI_MODELS, "PROVIDERS": {"snapshot": {}}}
    Provider.objects.create(slug="openai", name="OpenAI")  # switched on in the admin instead
    assert "ai_models.W005" not in ids()


def test_the_demo_snapshot_in_production_is_a_deploy_warning(settings):
    settings.DEBUG = False
    settings.AI_MODELS = {k: v for k, v in settings.AI_MODELS.items() if k != "PROVIDERS"}  # the default
    assert "ai_models.W006" in ids(include_deployment_checks=True)
    assert "ai_models.W006" not in ids()  # deploy checks only
    settings.DEBUG = True
    assert "ai_models.W006" not in ids(include_deployment_checks=True)
    settings.DEBUG = False
    settings.AI_MODELS = {**settings.AI_MODELS, "PROVIDERS": {"openrouter": {}}}
    assert "ai_models.W006" not in ids(include_deployment_checks=True)


def test_cachalot_without_only_cachable_apps_is_named(settings):
    assert "ai_models.W007" not in ids()  # the suite's settings limit it to ai_models
    del settings.CACHALOT_ONLY_CACHABLE_APPS
    assert "ai_models.W007" in ids()


def test_snapshot_models_are_marked_as_demo(db):
    from ai_models import activation
    from tests.factories import catalog_model

    model = activation.activate(catalog_model("openai/gpt-4.1-mini"), "chat").model
    assert model.is_demo
    assert model.get_backend().chat(model.model_id, [{"role": "user", "content": "Hi"}]).demo
    assert not activation.save(catalog_model("gpt-4.1", provider="openai"), "chat").model.is_demo


def test_demo_models_are_marked_in_the_admin_and_the_command_line(admin_client):
    import io

    from django.core.management import call_command

    from ai_models import activation
    from tests.admin.conftest import SAVED_URL
    from tests.factories import catalog_model

    activation.activate(catalog_model("openai/gpt-4.1-mini"), "chat")
    assert "demo output" in admin_client.get(SAVED_URL).content.decode()
    err = io.StringIO()
    call_command("ai_models", "active", stdout=io.StringIO(), stderr=err)
    assert "is the offline demo snapshot: it answers with demo output" in err.getvalue()


def test_a_redis_cache_without_short_socket_timeouts_is_named(settings):
    from django.test import override_settings

    from ai_models.checks import _check_cache_timeouts  # alone: the other checks would try the Redis

    settings.DEBUG = False
    django_redis = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    with override_settings(CACHES={"default": django_redis}):
        [warning] = _check_cache_timeouts()
        assert warning.id == "ai_models.W008"
        assert "SOCKET_CONNECT_TIMEOUT, SOCKET_TIMEOUT" in warning.msg and "'SOCKET_TIMEOUT': 0.5" in warning.hint
    short = {**django_redis, "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5}}
    with override_settings(CACHES={"default": short}):
        assert _check_cache_timeouts() == []
    builtin = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
               "OPTIONS": {"socket_timeout": 30}}
    with override_settings(CACHES={"default": builtin}):
        assert [warning.id for warning in _check_cache_timeouts()] == ["ai_models.W008"]
