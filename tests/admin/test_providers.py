"""Providers: write-only API key, key source, base URL validation, fetch status, Test connection."""

import re

import pytest
from django.conf import settings
from django.test import override_settings

from ai_models.models import Provider
from ai_models.providers import build_provider

from .conftest import CATALOG_URL, PROVIDERS_URL, messages_of, providers

KEY = "sk-test-0123456789abcdefWXYZ"


@pytest.fixture(autouse=True)
def _fake_registry(db):
    with providers(snapshot={}):
        yield


def add(client, **fields):
    data = {"slug": "keyed", "name": "", "base_url": "", "api_key": "", "is_active": "on", **fields}
    return client.post(PROVIDERS_URL + "add/", data)


def change(client, row, **fields):
    data = {"name": row.name, "base_url": row.base_url, "api_key": "", "is_active": "on", **fields}
    return client.post(f"{PROVIDERS_URL}{row.pk}/change/", data)


def test_key_is_stored_encrypted_and_never_rendered(admin_client):
    response = add(admin_client, api_key=KEY)

    assert response.status_code == 302
    row = Provider.objects.get(slug="keyed")
    assert row.api_key == KEY
    assert KEY not in row.api_key_encrypted
    assert row.name == "Keyed AI"  # filled from the provider class
    for page in (admin_client.get(f"{PROVIDERS_URL}{row.pk}/change/"), admin_client.get(PROVIDERS_URL)):
        html = page.content.decode()
        assert KEY not in html
        assert "…WXYZ" in html
    form_html = admin_client.get(f"{PROVIDERS_URL}{row.pk}/change/").content.decode()
    assert 'type="password"' in form_html
    assert "database (encrypted)" in form_html


def test_key_is_not_echoed_back_when_the_form_has_errors(admin_client):
    response = add(admin_client, api_key=KEY, base_url="http://insecure.example")

    assert response.status_code == 200
    assert KEY not in response.content.decode()
    assert not Provider.objects.exists()


def test_empty_key_field_keeps_the_stored_key(admin_client):
    add(admin_client, api_key=KEY)
    row = Provider.objects.get()

    change(admin_client, row, name="Renamed")

    row.refresh_from_db()
    assert (row.name, row.api_key) == ("Renamed", KEY)


def test_clear_removes_the_stored_key(admin_client):
    add(admin_client, api_key=KEY)
    row = Provider.objects.get()

    change(admin_client, row, clear_api_key="on")

    row.refresh_from_db()
    assert not row.has_stored_key
    assert row.api_key_last4 == ""


def test_new_key_and_clear_together_is_an_error(admin_client):
    add(admin_client, api_key=KEY)
    row = Provider.objects.get()

    response = change(admin_client, row, api_key="sk-other-key-000000000", clear_api_key="on")

    assert response.status_code == 200
    assert "Enter a new key or clear the stored one, not both." in response.content.decode()
    row.refresh_from_db()
    assert row.api_key == KEY


def test_saving_a_key_without_encryption_keys_is_a_form_error(admin_client):
    with override_settings(AI_MODELS={**settings.AI_MODELS, "ENCRYPTION_KEYS": []}):
        response = add(admin_client, api_key=KEY)

    assert response.status_code == 200
    html = response.content.decode()
    assert "The key cannot be stored" in html
    assert "ENCRYPTION_KEYS" in html
    assert KEY not in html
    assert not Provider.objects.exists()


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://llm.example.com/v1", True),
        ("http://llm.example.com/v1", False),
        ("http://127.0.0.1:8080/v1", True),  # allowed below
        ("https://user:secret@llm.example.com/", False),
        ("ftp://llm.example.com/", False),
    ],
)
def test_base_url_is_validated(admin_client, url, ok):
    allowed = {**settings.AI_MODELS, "ALLOWED_HTTP_HOSTS": ["127.0.0.1:8080"]}
    with override_settings(AI_MODELS=allowed):
        response = add(admin_client, base_url=url)

    assert Provider.objects.exists() is ok
    if not ok:
        assert response.context["adminform"].form.errors["base_url"]


def test_key_source_prefers_the_environment(admin_client, monkeypatch):
    add(admin_client, api_key=KEY)
    row = Provider.objects.get()
    monkeypatch.setenv("KEYED_TEST_API_KEY", "sk-from-env-000000000000")

    html = admin_client.get(f"{PROVIDERS_URL}{row.pk}/change/").content.decode()

    assert "environment variable" in html
    assert "sk-from-env" not in html


def test_slug_choices_come_from_the_registry_and_lock_after_creation(admin_client):
    add_page = admin_client.get(PROVIDERS_URL + "add/")
    choices = dict(add_page.context["adminform"].form.fields["slug"].choices)
    assert {"openrouter", "snapshot", "keyed"} <= set(choices)

    add(admin_client)
    row = Provider.objects.get()
    change(admin_client, row, slug="snapshot")
    row.refresh_from_db()
    assert row.slug == "keyed"


def test_rows_can_be_added_for_instances_and_presets(admin_client):
    instance = {"CLASS": "ollama", "BASE_URL": "https://gpu.internal.example/v1", "NAME": "GPU Ollama"}
    with providers(snapshot={}, **{"ollama-gpu": instance}):
        choices = dict(admin_client.get(PROVIDERS_URL + "add/").context["adminform"].form.fields["slug"].choices)
        assert choices["ollama-gpu"] == "GPU Ollama (ollama-gpu)"
        assert {"mistral", "anthropic", "xai", "together", "cerebras"} <= set(choices)
        assert "openai_compatible" not in choices  # a class, not a provider: it has no server of its own

        assert add(admin_client, slug="ollama-gpu", api_key=KEY).status_code == 302
        assert add(admin_client, slug="xai", base_url="https://xai-proxy.internal.example/v1").status_code == 302
    gpu, xai = Provider.objects.get(slug="ollama-gpu"), Provider.objects.get(slug="xai")
    assert (gpu.name, gpu.api_key, xai.name) == ("GPU Ollama", KEY, "xAI")
    backend = build_provider("xai", xai)
    assert (backend.base_url, backend.api_key_env) == ("https://xai-proxy.internal.example/v1", "XAI_API_KEY")


def test_list_shows_the_last_catalog_fetch(admin_client):
    Provider.objects.create(slug="snapshot", name="Offline snapshot")
    admin_client.get(CATALOG_URL)  # fetches the snapshot catalog

    html = admin_client.get(PROVIDERS_URL).content.decode()

    assert "fresh · " in html
    assert "fetched just now" in html


def test_test_connection_reports_count_and_time(admin_client):
    add(admin_client, api_key=KEY)
    row = Provider.objects.get()

    response = admin_client.post(
        PROVIDERS_URL, {"action": "test_connection", "_selected_action": [row.pk], "index": "0"}, follow=True
    )

    message = messages_of(response)[-1]  # after "added successfully"
    assert message.startswith("Keyed AI: 2 models listed in ")
    assert message.endswith(" s.")


def test_test_connection_reports_the_error(admin_client):
    keyless = Provider.objects.create(slug="keyed", name="Keyed AI")
    broken = Provider.objects.create(slug="broken", name="Broken Cloud")

    response = admin_client.post(
        PROVIDERS_URL,
        {"action": "test_connection", "_selected_action": [keyless.pk, broken.pk], "index": "0"},
        follow=True,
    )

    assert sorted(messages_of(response)) == [
        "Broken Cloud: the connection test failed: connection refused by the test",
        "Keyed AI: the connection test failed: no API key configured; set KEYED_TEST_API_KEY or add one "
        "in the admin",
    ]


def test_a_third_party_backend_crash_is_reported_and_logged_without_the_key(admin_client, monkeypatch, caplog):
    key = "sk-crashing-provider-secret-0042"
    monkeypatch.setenv("CRASHING_TEST_API_KEY", key)
    row = Provider.objects.create(slug="crashing", name="Crashing AI")

    response = admin_client.post(
        PROVIDERS_URL, {"action": "test_connection", "_selected_action": [row.pk], "index": "0"}, follow=True
    )

    assert response.status_code == 200
    assert messages_of(response) == ["Crashing AI: the connection test failed: unexpected RuntimeError while fetching the catalog; see the server log"]
    assert key not in response.content.decode()
    assert "socket closed" in caplog.text and "Traceback" in caplog.text  # the details are in the log
    assert key not in caplog.text


def test_test_connection_updates_the_last_catalog_fetch(admin_client):
    row = Provider.objects.create(slug="snapshot", name="Offline snapshot")
    assert "not fetched yet" in admin_client.get(PROVIDERS_URL).content.decode()

    admin_client.post(PROVIDERS_URL, {"action": "test_connection", "_selected_action": [row.pk], "index": "0"})

    html = admin_client.get(PROVIDERS_URL).content.decode()
    assert re.search(r"fresh · \d+ models, fetched just now", html)


def test_a_keyless_provider_needs_no_key_and_labels_share_one_case(admin_client):
    row = Provider.objects.create(slug="snapshot", name="Offline snapshot")

    html = admin_client.get(f"{PROVIDERS_URL}{row.pk}/change/").content.decode()

    assert "no key" not in html and "not needed" in html  # the snapshot needs none
    assert ">Provider id" in html and ">Base URL override" in html  # as Django writes "Name", "Active"
