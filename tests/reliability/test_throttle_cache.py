"""DRF's throttles keep their history in the default cache: when that Redis is stopped or frozen,
the API answers as usual, unthrottled, in JSON (never Django's HTML 500), and the failing cache
costs one socket timeout per process per ``RETRY_SECONDS``, shared with the app's own cache calls.
A host giving a rate to only one of the API's two throttle scopes is told at ``manage.py check``.
"""

import pytest
from cachalot.api import cachalot_disabled
from django.core.checks.registry import registry
from django.test import override_settings
from rest_framework.test import APIClient

from ai_models import sharedcache
from ai_models.api.checks import check_throttle_scopes
from tests.api.conftest import API, make_user

from .test_cache_outage import REDIS_SERVER, SOCKET_TIMEOUT, OwnRedis

pytest.importorskip("rest_framework")

CHOOSE = {"provider": "snapshot", "model_id": "openai/gpt-4.1-mini", "capability": "chat"}
RATES = {"ai_models_read": "100/minute", "ai_models_write": "100/minute"}
THROTTLED = {"DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.ScopedRateThrottle"],
             "DEFAULT_THROTTLE_RATES": RATES}


@pytest.fixture
def default_redis(settings, monkeypatch):
    """Our own Redis as the default cache (DRF's throttles) and the app's, a throttled API."""
    from rest_framework.throttling import SimpleRateThrottle

    redis = OwnRedis()
    settings.CACHES = {"default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{redis.port}/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": SOCKET_TIMEOUT, "SOCKET_TIMEOUT": SOCKET_TIMEOUT},
    }}
    settings.REST_FRAMEWORK = THROTTLED
    # DRF reads the rates into the class once, when its module is first imported.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", RATES)
    sharedcache.reset()
    with cachalot_disabled(all_queries=True):  # the ORM cache's own outage is not this test's
        yield redis
    redis.close()
    sharedcache.reset()


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
@pytest.mark.parametrize("outage", ["stopped", "frozen"])
def test_a_failing_throttle_cache_lets_the_api_answer_in_json_at_one_timeout(db, default_redis, monkeypatch,
                                                                             outage):
    client = APIClient()
    client.force_login(make_user("root", "all"))
    assert client.get(API + "active/").status_code == 200  # throttled through Redis while it answers

    default_redis.stop() if outage == "stopped" else default_redis.freeze()
    failures = []
    mark = sharedcache.mark_unavailable
    monkeypatch.setattr(sharedcache, "mark_unavailable", lambda alias, err: (failures.append(alias), mark(alias, err)))
    answers = [
        client.post(API + "saved/", CHOOSE, format="json"),
        client.get(API + "catalog/", {"capability": "chat"}),
        client.get(API + "active/"),
        client.delete(API + "saved/"),
    ]

    assert [answer.status_code for answer in answers] == [201, 200, 200, 200]
    assert all(answer["Content-Type"] == "application/json" for answer in answers)
    assert failures == ["default"]  # one failing cache call, then the cache is left alone


def scope_errors():
    assert check_throttle_scopes in registry.get_checks()  # registered, so manage.py check runs it
    return [error for error in check_throttle_scopes() if error.id == "ai_models.E016"]


@pytest.mark.parametrize("rates, missing", [
    ({"ai_models_read": "10/minute"}, "'ai_models_write'"),
    ({"ai_models_write": "10/minute"}, "'ai_models_read'"),
    ({"anon": "10/minute"}, "'ai_models_read' and 'ai_models_write'"),
])
def test_a_scope_without_a_rate_is_a_check_error(rates, missing):
    with override_settings(REST_FRAMEWORK={**THROTTLED, "DEFAULT_THROTTLE_RATES": rates}):
        (error,) = scope_errors()

    assert f"has no rate for {missing}" in error.msg


@pytest.mark.parametrize("config", [
    THROTTLED,
    {**THROTTLED, "DEFAULT_THROTTLE_RATES": {"ai_models_read": None, "ai_models_write": "5/minute"}},
    {"DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
     "DEFAULT_THROTTLE_RATES": {"user": "10/minute"}},
    {},
])
def test_both_scopes_rated_or_no_scoped_throttle_is_no_error(config):
    with override_settings(REST_FRAMEWORK=config):
        assert scope_errors() == []


def test_neither_scope_rated_on_a_site_without_the_api_is_no_error():
    with override_settings(REST_FRAMEWORK={**THROTTLED, "DEFAULT_THROTTLE_RATES": {}},
                           ROOT_URLCONF="tests.api.admin_only_urls"):
        assert scope_errors() == []
