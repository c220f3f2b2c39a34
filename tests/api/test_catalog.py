"""GET catalog/, GET catalog/<provider>/<model_id>/, POST catalog/refresh/, GET providers/."""

import pytest
from cachalot.api import cachalot_disabled
from django.test.utils import CaptureQueriesContext
from django.db import connection

from ai_models import activation
from ai_models.catalog import get_entry
from ai_models.models import AIModel

from .conftest import ACME_CHAT, API, CHAT


def test_listing_gives_each_entry_its_price_context_modalities_reasons_and_state(api):
    activation.activate(get_entry("snapshot", CHAT), "chat")

    body = api().get(API + "catalog/", {"provider": "snapshot", "search": "gpt-4.1 mini"}).json()

    assert [entry["id"] for entry in body["results"]] == [f"snapshot:{CHAT}"]
    (entry,) = body["results"]
    assert entry["input_price"] == "0.4" and entry["output_price"] == "1.6"
    assert entry["context_window"] == 1047576
    assert entry["input_modalities"] == ["text", "image"] and entry["output_modalities"] == ["text"]
    assert entry["capabilities"] == ["chat", "content"] and entry["kinds"] == ["chat"]
    assert entry["reasons"] == {"chat": "listed in the snapshot file", "content": "listed in the snapshot file"}
    assert {"tools", "response_format"} <= set(entry["parameters"]) and entry["dimensions"] is None
    row = AIModel.objects.get()
    assert entry["state"] == {"saved_for": ["chat"], "active_for": ["chat"], "saved_ids": {"chat": row.pk}}
    assert "raw" not in entry
    assert {status["provider"]: status["state"] for status in body["providers"]} == {
        "snapshot": "fresh", "acme": "fresh", "evil": "fresh"
    }


def test_listing_filters_by_the_requirements_of_a_capability(api, settings):
    settings.AI_MODELS = {**settings.AI_MODELS, "CAPABILITIES": {
        "chat": "Chat", "vision": {"label": "Vision", "kind": "chat", "requires": {"input_modalities": ["image"]}},
    }}
    body = api().get(API + "catalog/", {"provider": "snapshot", "meets": "vision", "page_size": 500}).json()
    assert body["results"] and all("image" in entry["input_modalities"] for entry in body["results"])
    assert "snapshot:meta-llama/llama-3.3-70b-instruct" not in {entry["id"] for entry in body["results"]}
    assert api().get(API + "catalog/", {"meets": "nope"}).json()["code"] == "unknown_capability"


def test_listing_filters_sorts_and_pages(api):
    client = api()
    images = client.get(API + "catalog/", {"capability": "image"}).json()["results"]
    assert images and all("image" in entry["capabilities"] for entry in images)

    free = client.get(API + "catalog/", {"price": "free"}).json()["results"]
    assert all(entry["input_price"] in (None, "0") and entry["output_price"] in (None, "0") for entry in free)

    by_context = client.get(API + "catalog/", {"provider": "snapshot", "sort": "-context"}).json()["results"]
    windows = [entry["context_window"] for entry in by_context if entry["context_window"]]
    assert windows == sorted(windows, reverse=True)

    first = client.get(API + "catalog/", {"page_size": 5}).json()
    second = client.get(first["next"]).json()
    assert len(first["results"]) == len(second["results"]) == 5
    assert not {e["id"] for e in first["results"]} & {e["id"] for e in second["results"]}
    assert first["count"] == second["count"] and second["previous"]


def test_listing_filters_by_state(api):
    activation.save(get_entry("snapshot", CHAT), "content")

    saved = api().get(API + "catalog/", {"state": "saved"}).json()["results"]
    active = api().get(API + "catalog/", {"state": "active"}).json()["results"]

    assert [entry["id"] for entry in saved] == [f"snapshot:{CHAT}"]
    assert active == []


@pytest.mark.usefixtures("active_clock_stopped")
def test_listing_runs_the_same_queries_whatever_the_page_size(api):
    client = api()
    client.get(API + "catalog/")  # warm the catalog cache
    counts = []
    for size in (1, 50, 500):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(API + "catalog/", {"page_size": size}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]


@pytest.mark.usefixtures("active_clock_stopped")
def test_listing_reads_the_provider_rows_once_unless_it_checks_a_provider_named(api):
    client = api()
    client.get(API + "catalog/")  # warm the catalog cache

    def provider_reads(params):
        with cachalot_disabled(), CaptureQueriesContext(connection) as queries:
            assert client.get(API + "catalog/", params).status_code == 200
        return sum('FROM "ai_models_provider"' in query["sql"] for query in queries)

    assert provider_reads({}) == provider_reads({"search": "mini", "provider": ""}) == 1
    assert provider_reads({"provider": "acme"}) == 2  # the name is checked against the enabled providers
    assert client.get(API + "catalog/", {"provider": "nope"}).json()["code"] == "unknown_provider"


def test_a_get_with_refresh_fetches_anew_for_those_who_may_refresh(api, enabled_providers):
    api().get(API + "catalog/")
    before = enabled_providers.fetches

    refused = api("viewer").get(API + "catalog/", {"refresh": "true"})
    plain = api("refresher").get(API + "catalog/", {"provider": "acme"})
    after_plain = enabled_providers.fetches
    refreshed = api("refresher").get(API + "catalog/", {"provider": "acme", "refresh": "true"})

    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert "refresh" in refused.json()["detail"]
    assert after_plain == before  # a plain GET serves the cached list
    assert refreshed.status_code == 200 and enabled_providers.fetches == before + 1
    assert refreshed.json()["count"] == plain.json()["count"]


def test_stale_listing_is_served_with_its_error_when_the_provider_is_down(api, enabled_providers):
    client = api()
    client.get(API + "catalog/")  # acme listed once
    enabled_providers.fail = True
    client.post(API + "catalog/refresh/", {"providers": ["acme"]}, format="json")

    response = client.get(API + "catalog/", {"provider": "acme"})

    assert response.status_code == 200
    assert ACME_CHAT in [entry["model_id"] for entry in response.json()["results"]]
    (status,) = [s for s in response.json()["providers"] if s["provider"] == "acme"]
    assert status["state"] == "stale" and "switched it off" in status["error"]
    assert status["age_seconds"] is not None


def test_a_provider_down_with_nothing_cached_is_a_502_and_the_others_still_list(api, enabled_providers):
    enabled_providers.fail = True
    client = api()

    down = client.get(API + "catalog/", {"provider": "acme"})
    everything = client.get(API + "catalog/")

    assert down.status_code == 502
    assert down.json()["code"] == "provider_unavailable"
    assert down.json()["providers"][0]["state"] == "failed"
    assert everything.status_code == 200
    assert everything.json()["count"] > 0
    assert {s["provider"]: s["state"] for s in everything.json()["providers"]}["acme"] == "failed"


def test_one_entry_comes_with_its_raw_provider_data(api):
    response = api().get(API + f"catalog/snapshot/{CHAT}/")

    assert response.status_code == 200
    body = response.json()
    assert body["model_id"] == CHAT
    assert body["raw"]["id"] == CHAT


def test_unknown_provider_or_model_is_a_404_with_its_code(api):
    client = api()

    provider = client.get(API + "catalog/nowhere/some-model/")
    model = client.get(API + "catalog/snapshot/no/such-model/")

    assert (provider.status_code, provider.json()["code"]) == (404, "unknown_provider")
    assert (model.status_code, model.json()["code"]) == (404, "unknown_model")
    assert "no/such-model" in model.json()["detail"]


def test_one_entry_of_a_provider_down_is_a_502(api, enabled_providers):
    enabled_providers.fail = True

    response = api().get(API + f"catalog/acme/{ACME_CHAT}/")

    assert (response.status_code, response.json()["code"]) == (502, "provider_unavailable")


def test_refresh_fetches_again_and_reports_each_chosen_provider(api, enabled_providers):
    client = api()
    client.get(API + "catalog/")
    before = enabled_providers.fetches

    response = client.post(API + "catalog/refresh/", {"providers": ["acme"]}, format="json")

    assert response.status_code == 200
    assert [(s["provider"], s["state"]) for s in response.json()["providers"]] == [("acme", "fresh")]
    assert enabled_providers.fetches == before + 1


def test_refresh_of_a_provider_down_is_a_502_with_its_status(api, enabled_providers):
    enabled_providers.fail = True

    response = api().post(API + "catalog/refresh/", {"providers": ["acme"]}, format="json")

    assert response.status_code == 502
    assert response.json()["providers"][0]["state"] == "failed"


def test_refresh_of_an_unknown_provider_is_a_400(api):
    response = api().post(API + "catalog/refresh/", {"providers": ["acme", "nowhere"]}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_provider"


def test_providers_give_status_and_key_source_never_a_key(api, settings):
    settings.AI_MODELS = {**settings.AI_MODELS, "PROVIDERS": {"acme": {"API_KEY": "sk-secret-key-123456"}}}
    client = api()
    client.get(API + "catalog/")

    response = client.get(API + "providers/")

    assert response.status_code == 200
    assert response.json()[0]["provider"] == "acme"
    assert response.json()[0]["key_source"] == "settings"
    assert response.json()[0]["state"] == "fresh"
    assert b"sk-secret" not in response.content and b"123456" not in response.content
