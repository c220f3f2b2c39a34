"""Base URL overrides: https only (plain http only to allowed hosts), and no request leaves the host.

A base URL is where the key is sent. The admin form refuses an unsafe one with a message and
saves nothing; the fetch checks again, so an override stored while a host was allowed, or one
put in settings, never sends the key in the clear; redirects and "next page" links to another
host are refused before any request reaches it.
"""

import pytest
from django.contrib.admin.models import LogEntry

from ai_models import catalog
from ai_models.exceptions import ProviderError, ProviderResponseError
from ai_models.models import Provider
from ai_models.providers import build_provider

from .conftest import API_KEY, local_settings
from .pages import CATALOG_URL, PROVIDERS_URL, panel

ALLOWED = "ALLOWED_HTTP_HOSTS"

INSECURE = (
    "Plain http would send the API key unencrypted: use https, or add llm.example.com to "
    "AI_MODELS[&#x27;ALLOWED_HTTP_HOSTS&#x27;] for a trusted local server."
)
REFUSED = [
    ("http://llm.example.com/v1", INSECURE),
    ("http://169.254.169.254/latest", "add 169.254.169.254 to"),
    ("https://user:secret@llm.example.com/v1", "The base URL must not contain a user name or password."),
    ("https://llm.example.com/v1?next=http://evil.example", "must not contain a query string or fragment"),
    ("ftp://llm.example.com/v1", "Only https URLs are allowed."),
    # What httpx cannot send to (IDNA refuses the soft hyphen), though a plain URL field takes it.
    ("https://llm\u00adexample.com/v1", "Enter a valid URL."),
]
REFUSED_IDS = ["http", "http to a metadata address", "credentials", "query string", "ftp", "soft hyphen"]


@pytest.fixture
def local(settings, server, sleeps):
    settings.AI_MODELS = local_settings(server)
    return settings


def form(**fields):
    return {"slug": "openai", "name": "", "base_url": "", "api_key": "", "is_active": "on", **fields}


@pytest.mark.parametrize("url, says", REFUSED, ids=REFUSED_IDS)
def test_the_add_form_shows_why_and_saves_nothing(admin_client, local, url, says):
    response = admin_client.post(PROVIDERS_URL + "add/", form(base_url=url, api_key=API_KEY))

    assert response.status_code == 200
    html = response.content.decode()
    assert says in html
    assert 'class="errorlist' in html
    assert API_KEY not in html
    assert not Provider.objects.exists() and not LogEntry.objects.exists()


@pytest.mark.parametrize("url, says", REFUSED, ids=REFUSED_IDS)
def test_the_change_form_shows_why_and_changes_nothing(admin_client, local, url, says):
    row = Provider(slug="openai", name="OpenAI", base_url="https://llm.example.com/v1")
    row.api_key = API_KEY
    row.save()
    before = Provider.objects.values().get()

    response = admin_client.post(f"{PROVIDERS_URL}{row.pk}/change/", form(name="Renamed", base_url=url))

    assert response.status_code == 200
    assert says in response.content.decode()
    assert Provider.objects.values().get() == before
    assert not LogEntry.objects.exists()


def test_plain_http_to_an_allowed_host_is_saved_and_used(admin_client, local, server):
    url = server.url("/openai/v1")
    local.AI_MODELS = {**local.AI_MODELS, "PROVIDERS": {"openai": {}}}  # the override comes from the row only

    response = admin_client.post(PROVIDERS_URL + "add/", form(base_url=url, api_key=API_KEY))

    assert response.status_code == 302
    row = Provider.objects.get()
    assert row.base_url == url
    assert [model.model_id for model in build_provider("openai", row).fetch_catalog()][0] == "gpt-4.1-mini"
    assert [headers["Authorization"] for _path, headers, _fault in server.requests] == [f"Bearer {API_KEY}"]


def test_an_override_whose_host_is_no_longer_allowed_sends_nothing(admin_client, local, server):
    row = Provider(slug="openai", base_url=server.url("/openai/v1"))
    row.api_key = API_KEY
    row.full_clean()  # allowed now
    row.save()
    local.AI_MODELS = {**local.AI_MODELS, ALLOWED: []}

    response = admin_client.get(CATALOG_URL)

    state, text = panel(response)["OpenAI"]
    assert state == "failed" and "failed: the base URL is not allowed: Plain http would send the API key" in text
    assert server.requests == []  # the key never went out in the clear


def test_a_plain_http_base_url_in_settings_sends_nothing(db, local, server):
    local.AI_MODELS = {**local_settings(server, openai={"API_KEY": API_KEY}), ALLOWED: []}

    [status] = catalog.get_catalog(["openai"]).statuses

    assert status.state == "failed"
    assert status.error == (
        "openai: the base URL is not allowed: Plain http would send the API key unencrypted: use https, "
        f"or add 127.0.0.1:{server.port} to AI_MODELS['ALLOWED_HTTP_HOSTS'] for a trusted local server."
    )
    assert server.requests == []


def test_a_redirect_within_the_host_is_followed(local, server):
    local.AI_MODELS = local_settings(server, openai={"API_KEY": API_KEY})
    server.fault = "redirect within the host"

    models = build_provider("openai").fetch_catalog()

    assert [model.model_id for model in models][0] == "gpt-4.1-mini"
    assert [path for path, _headers, _fault in server.requests] == ["/openai/v1/models", "/moved/openai/v1/models"]


@pytest.mark.parametrize("fault", ["redirect to another host", "redirect to another port"])
def test_a_redirect_to_another_host_is_refused_before_it_is_followed(local, server, fault):
    local.AI_MODELS = local_settings(server, openai={"API_KEY": API_KEY})
    server.fault = fault

    with pytest.raises(ProviderResponseError, match="refused a redirect to another host"):
        build_provider("openai").fetch_catalog()

    assert len(server.requests) == 1 and server.trap.requests == []


def test_a_next_page_link_to_another_host_is_refused(local, server):
    trap = server.trap.url("/openrouter/api/v1/models?page=2")
    server.payloads["/openrouter/api/v1/models"] = {"data": [{"id": "acme/one"}], "links": {"next": trap}}

    with pytest.raises(ProviderError, match="refused to follow a link to another host"):
        build_provider("openrouter").fetch_catalog()

    assert server.trap.requests == []
