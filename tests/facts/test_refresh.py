"""Refreshing a dataset from upstream: off by default, through the guarded transport and its rules."""

import pytest

from ai_models import facts, sharedcache
from ai_models.facts import REFRESHED_KEY, refresh

from ..json_server import JSONServer

UPSTREAM = {
    "openai": {"id": "openai", "models": {"gpt-4.1": {"id": "gpt-4.1", "cost": {"input": 1.5, "output": 6},
                                                     "limit": {"context": 1047576, "output": 32768}}}},
}


@pytest.fixture
def upstream():
    server = JSONServer(UPSTREAM)
    yield server
    server.close()



def test_refresh_is_off_by_default():
    from ai_models.conf import ai_settings

    assert ai_settings.FACTS_REFRESH == {}
    assert {dataset.origin for dataset in facts.datasets()} == {"package"}


def test_a_host_outside_allowed_http_hosts_is_refused_before_any_request(upstream, settings):
    settings.AI_MODELS = {**settings.AI_MODELS, "ALLOWED_HTTP_HOSTS": []}

    outcome = refresh.refresh({"models.dev": upstream.url + "/api.json"})

    assert "not allowed" in outcome["models.dev"] and "ALLOWED_HTTP_HOSTS" in outcome["models.dev"]
    assert upstream.requests == []
    assert sharedcache.shared_cache().get(REFRESHED_KEY.format(name="models.dev")) is None


def test_an_allowed_host_refreshes_the_dataset_for_every_process(upstream, settings):
    url = upstream.url + "/api.json"
    settings.AI_MODELS = {**settings.AI_MODELS, "ALLOWED_HTTP_HOSTS": [upstream.host], "FACTS_REFRESH": {"models.dev": url}}

    assert refresh.refresh({"models.dev": url}) == {"models.dev": ""}

    [request] = upstream.requests
    assert request["method"] == "GET" and request["path"] == "/api.json"
    models_dev = facts.datasets()[0]
    assert models_dev.origin == url
    assert models_dev.records[("openai", "gpt-4.1")].input_price == 1.5


def test_an_upstream_answer_with_no_known_model_is_refused(upstream, settings):
    upstream.answer = {"unrelated": {"models": {}}}
    settings.AI_MODELS = {**settings.AI_MODELS, "ALLOWED_HTTP_HOSTS": [upstream.host]}

    outcome = refresh.refresh({"models.dev": upstream.url + "/api.json"})

    assert "no model" in outcome["models.dev"]
    assert sharedcache.shared_cache().get(REFRESHED_KEY.format(name="models.dev")) is None


def test_an_unknown_dataset_name_is_reported():
    assert "unknown dataset" in refresh.refresh({"genai": "https://example.com/x.json"})["genai"]
