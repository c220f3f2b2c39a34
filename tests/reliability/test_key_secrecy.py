"""An API key never appears in HTML, logs, exception text, cache keys or LogEntry messages.

The key is a distinctive canary, given through the environment, settings or the admin
(encrypted in the database). The provider is a real OpenAI backend pointed at a local server
that first lists models, then answers 401 with a body that echoes the Authorization header
back, as careless APIs do. Everything a user, an operator or a log reader could see is then
searched for the canary.
"""

import logging
import traceback

import pytest
from django.contrib.admin.models import LogEntry
from django.core.cache import caches

from ai_models import catalog
from ai_models.exceptions import ProviderAuthError
from ai_models.models import AIModel, Provider
from ai_models.providers import build_provider

from .conftest import API_KEY, local_settings
from .pages import CATALOG_URL, PROVIDERS_URL, SAVED_URL, messages_of

MINI = "openai:gpt-4.1-mini"
SOURCES = ["environment", "settings", "database"]


def chain(err):
    """``err`` and every exception behind it, through both ``__cause__`` and ``__context__``."""
    pending, seen = [err], []
    while pending:
        current = pending.pop()
        if current is None or any(current is other for other in seen):
            continue
        seen.append(current)
        pending += [current.__cause__, current.__context__]
    return seen


def cache_contents():
    """Every (key, stored bytes) of every configured cache: locmem's dict, or a Redis SCAN."""
    found = []
    for cache in caches.all():
        if hasattr(cache, "_cache"):  # locmem: values are pickled bytes
            found += [(key, value) for key, value in list(cache._cache.items())]
        else:  # django-redis
            client = cache.client.get_client()
            found += [(key.decode(), client.get(key) or b"") for key in client.scan_iter(count=1000)]
    return found


@pytest.fixture
def keyed(request, settings, server, sleeps, monkeypatch, admin_client):
    """OpenAI at the local server with the canary key from the source under test; its Provider row."""
    source = request.param
    settings.AI_MODELS = local_settings(server, openai={"API_KEY": API_KEY} if source == "settings" else {})
    if source == "environment":
        monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    data = {"slug": "openai", "name": "", "base_url": "", "is_active": "on"}
    data["api_key"] = API_KEY if source == "database" else ""
    assert admin_client.post(PROVIDERS_URL + "add/", data).status_code == 302
    row = Provider.objects.get(slug="openai")
    assert build_provider("openai", row).key_source == source
    return row


@pytest.mark.parametrize("keyed", SOURCES, indirect=True)
def test_the_key_is_in_no_page_log_error_cache_key_or_log_entry(keyed, admin_client, server, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "ai_models", "django"):
        caplog.set_level(logging.DEBUG, logger=name)

    # A good list first, and a model of it activated through the admin (a LogEntry).
    assert MINI in admin_client.get(CATALOG_URL).content.decode()
    action = {"action": "activate", "_selected_action": MINI, "index": "0"}
    admin_client.post(CATALOG_URL, {**action, "confirm": "yes", "capability": "chat"})
    saved = AIModel.objects.get(model_id="gpt-4.1-mini", is_active=True)

    # Then the key is refused, with the key echoed back in the error body.
    server.fault = "401"
    pages = {
        "refresh": admin_client.post(CATALOG_URL + "refresh/", {"next": CATALOG_URL}, follow=True),
        "catalog": admin_client.get(CATALOG_URL),
        "test connection": admin_client.post(
            PROVIDERS_URL, {"action": "test_connection", "_selected_action": keyed.pk, "index": "0"}, follow=True
        ),
        "provider list": admin_client.get(PROVIDERS_URL),
        "provider change": admin_client.get(f"{PROVIDERS_URL}{keyed.pk}/change/"),
        "provider history": admin_client.get(f"{PROVIDERS_URL}{keyed.pk}/history/"),
        "activation confirmation": admin_client.post(CATALOG_URL, action),
        "saved models": admin_client.get(SAVED_URL),
        "saved model": admin_client.get(f"{SAVED_URL}{saved.pk}/change/"),
        "index": admin_client.get("/admin/"),
    }
    with pytest.raises(ProviderAuthError) as caught:
        build_provider("openai", Provider.objects.get(pk=keyed.pk)).fetch_catalog()

    # The canary was really sent, so its absence below means something.
    assert any(headers.get("Authorization") == f"Bearer {API_KEY}" for _path, headers, _fault in server.requests)
    assert "rejected (HTTP 401)" in " ".join(messages_of(pages["refresh"]))
    assert any(record.name.startswith(("httpx", "httpcore")) for record in caplog.records)

    # 1. HTML
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert API_KEY not in response.content.decode(), name
    # 2. logs, with their arguments and tracebacks
    for record in caplog.records:
        assert API_KEY not in record.getMessage()
        assert API_KEY not in repr(record.args)
    assert API_KEY not in caplog.text
    # 3. exception text, through every chained exception
    errors = chain(caught.value)
    for err in errors:
        assert API_KEY not in str(err) and API_KEY not in repr(err) and API_KEY not in repr(err.args)
    assert API_KEY not in "".join(traceback.format_exception(caught.value))
    assert API_KEY not in str(catalog.provider_statuses(["openai"])[0])
    # 4. cache keys, and the values stored under them
    contents = cache_contents()
    assert any("ai_models:catalog" in key for key, _value in contents)
    for key, value in contents:
        assert API_KEY not in key and API_KEY.encode() not in value, key
    # 5. the admin's audit log
    entries = list(LogEntry.objects.all())
    assert {entry.object_repr for entry in entries} >= {str(keyed), str(saved)}
    for entry in entries:
        assert API_KEY not in entry.change_message + entry.object_repr + str(entry.get_change_message())
    # The server did echo the key: it was redacted from what is shown, not missing.
    assert "Incorrect API key provided: Bearer [redacted]" in str(caught.value)
