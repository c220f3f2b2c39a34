"""Bad input gets a 400 (or 404) with a stable code and a clear detail, and changes nothing."""

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import translation

from ai_models.models import AIModel

from ..admin.fakes import SCRIPT
from .conftest import API, CHAT

CHOOSE = {"provider": "snapshot", "model_id": CHAT, "capability": "chat"}


@pytest.mark.parametrize(
    "path, body, field, code",
    [
        ("activations/", {**CHOOSE, "capability": "telepathy"}, "capability", "unknown_capability"),
        ("activations/", {**CHOOSE, "provider": "nowhere"}, "provider", "unknown_provider"),
        ("activations/", {**CHOOSE, "capability": ["chat"]}, "capability", "invalid"),
        ("activations/", {**CHOOSE, "test": "maybe"}, "test", "invalid"),
        ("activations/", {**CHOOSE, "allow_above_ceiling": {"yes": 1}}, "allow_above_ceiling", "invalid"),
        ("activations/", {"provider": "snapshot"}, "model_id", "invalid"),
        ("activations/", {**CHOOSE, "model_id": "x" * 300}, "model_id", "invalid"),
        ("saved/", {**CHOOSE, "model_id": None}, "model_id", "invalid"),
        ("saved/bulk/", {"capability": "chat", "limit": 10**9}, "limit", "invalid"),
        ("saved/bulk/", {"capability": "chat", "limit": 0}, "limit", "invalid"),
        ("saved/bulk/", {"capability": "chat", "limit": "twenty"}, "limit", "invalid"),
        ("saved/bulk/", {"capability": "chat", "order": "popularity"}, "order", "invalid"),
        ("saved/bulk/", {"limit": 5}, "capability", "invalid"),
        ("catalog/refresh/", {"providers": "snapshot,acme"}, "providers", "invalid"),
    ],
)
def test_bad_bodies_are_refused_field_by_field(api, path, body, field, code):
    response = api().post(API + path, body, format="json")

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == code
    assert body["detail"].startswith(f"{field}: ")
    assert field in body["errors"]
    assert not AIModel.objects.exists() and not LogEntry.objects.exists()


@pytest.mark.parametrize(
    "query, code",
    [
        ({"capability": "telepathy"}, "unknown_capability"),
        ({"provider": "nowhere"}, "unknown_provider"),
        ({"sort": "popularity"}, "invalid"),
        ({"price": "cheap"}, "invalid"),
        ({"state": "dormant"}, "invalid"),
        ({"search": "x" * 1000}, "invalid"),
    ],
)
def test_bad_listing_queries_are_a_400(api, query, code):
    response = api().get(API + "catalog/", query)

    assert (response.status_code, response.json()["code"]) == (400, code)


def test_a_huge_page_size_is_capped_and_a_page_past_the_end_is_a_404(api):
    client = api()

    capped = client.get(API + "catalog/", {"page_size": 10**9})
    beyond = client.get(API + "catalog/", {"page": 10**6})

    assert capped.status_code == 200 and len(capped.json()["results"]) <= 500
    assert (beyond.status_code, beyond.json()["code"]) == (404, "not_found")


def test_malformed_json_is_a_400(api):
    response = api().post(API + "activations/", '{"provider": ', content_type="application/json")

    assert (response.status_code, response.json()["code"]) == (400, "parse_error")


def test_an_unknown_model_is_a_404_naming_it(api):
    response = api().post(API + "activations/", {**CHOOSE, "model_id": "no/such-model"}, format="json")

    assert (response.status_code, response.json()["code"]) == (404, "unknown_model")
    assert "no/such-model" in response.json()["detail"]


def test_script_in_a_model_id_comes_back_as_json_data_only(api):
    response = api().post(API + "activations/", {**CHOOSE, "model_id": SCRIPT}, format="json")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert SCRIPT in response.json()["detail"]


def test_provider_text_with_markup_is_escaped_in_the_browsable_api(api):
    client = api()

    data = client.get(API + "catalog/", {"provider": "evil"})
    html = client.get(API + "catalog/", {"provider": "evil"}, HTTP_ACCEPT="text/html")

    assert data.json()["results"][0]["name"] == SCRIPT
    assert html.status_code == 200 and html["Content-Type"].startswith("text/html")
    assert SCRIPT.encode() not in html.content
    assert b"&lt;script&gt;" in html.content


def test_errors_are_translated(api):
    with translation.override("fa"):
        response = api().post(API + "activations/", {**CHOOSE, "capability": "telepathy"}, format="json",
                              HTTP_ACCEPT_LANGUAGE="fa")

    assert response.json()["code"] == "unknown_capability"
    assert "Unknown capability" not in response.json()["detail"]
