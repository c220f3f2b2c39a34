"""The shared HTTP machinery, beyond what the per-provider contract covers."""

from datetime import datetime, timezone

import httpx
import pytest
import respx

from ai_models.exceptions import ProviderError, ProviderResponseError, ProviderUnavailable
from ai_models.providers import build_provider, http
from ai_models.providers.base import CatalogModel
from ai_models.providers.http import HTTPProvider, retry_after_seconds
from ai_models.providers.openai_compatible import OpenAICompatibleProvider

from .contract import SECRET_KEY, error_chain

MODELS = {"object": "list", "data": [{"id": "acme-large", "object": "model"}]}


class AcmeProvider(OpenAICompatibleProvider):
    """A third-party provider: an OpenAI-compatible API at another address."""

    id = "acme"
    name = "Acme AI"
    default_base_url = "https://api.acme.test/v1"
    api_key_env = "ACME_API_KEY"


@pytest.fixture
def sleeps(monkeypatch):
    waits = []
    monkeypatch.setattr(http, "sleep", waits.append)
    return waits


@pytest.fixture
def acme():
    with respx.mock(assert_all_called=False) as router:
        yield router.get("https://api.acme.test/v1/models")


def provider(**kwargs):
    return AcmeProvider(api_key=SECRET_KEY, **kwargs)


def test_a_third_party_provider_is_registered_by_dotted_path(settings, acme, monkeypatch):
    monkeypatch.setenv("ACME_API_KEY", SECRET_KEY)
    settings.AI_MODELS = {
        **settings.AI_MODELS,
        "PROVIDER_CLASSES": {"acme": "tests.providers.test_http.AcmeProvider"},
        "PROVIDERS": {"acme": {}},
    }
    acme.respond(json=MODELS)
    backend = build_provider("acme")
    assert backend.key_source == "environment"
    assert [model.model_id for model in backend.fetch_catalog()] == ["acme-large"]


def test_backoff_doubles_without_retry_after(acme, sleeps):
    acme.respond(500)
    with pytest.raises(ProviderUnavailable, match="after 3 attempts"):
        provider().fetch_catalog()
    assert sleeps == [0.5, 1.0]


def test_retry_after_as_an_http_date():
    now = datetime(2025, 10, 21, 7, 28, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("Tue, 21 Oct 2025 07:28:30 GMT", now=now) == 30
    assert retry_after_seconds("Tue, 21 Oct 2025 07:27:00 GMT", now=now) == 0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds("2.5") == 2.5


def test_a_body_without_length_is_cut_at_the_cap(settings, acme):
    settings.AI_MODELS = {**settings.AI_MODELS, "MAX_RESPONSE_BYTES": 1000}
    chunks = (b"[" + b" " * 400 for _ in range(10))  # streamed, no Content-Length
    acme.side_effect = lambda request: httpx.Response(200, content=chunks)
    with pytest.raises(ProviderResponseError, match="larger than 1000 bytes"):
        provider().fetch_catalog()


def test_same_host_redirects_are_bounded(acme):
    acme.respond(302, headers={"Location": "https://api.acme.test/v1/models"})
    with pytest.raises(ProviderResponseError, match="too many redirects"):
        provider().fetch_catalog()
    assert acme.call_count == http.MAX_REDIRECTS + 1


def test_a_redirect_to_plain_http_is_refused(acme):
    acme.respond(301, headers={"Location": "http://api.acme.test/v1/models"})
    with pytest.raises(ProviderResponseError, match="another host"):
        provider().fetch_catalog()


def test_other_client_errors_carry_status_and_excerpt(acme):
    acme.respond(404, json={"error": {"message": "Unknown path /v1/modelz"}})
    with pytest.raises(ProviderResponseError) as info:
        provider().fetch_catalog()
    assert info.value.status == 404 and "Unknown path" in info.value.excerpt


def test_the_key_is_redacted_from_excerpts(acme):
    acme.respond(500, text=f"upstream said: bad key {SECRET_KEY}\n\n  retry")
    with pytest.raises(ProviderUnavailable) as info:
        provider().fetch_catalog()
    assert info.value.excerpt == "upstream said: bad key [redacted] retry"


def test_a_transport_error_quoting_the_key_is_not_chained(acme):
    acme.side_effect = httpx.ConnectError(f"cannot connect to https://api.acme.test/?token={SECRET_KEY}")
    with pytest.raises(ProviderUnavailable) as info:
        provider().fetch_catalog()
    assert all(SECRET_KEY not in str(err) for err in error_chain(info.value))


def test_the_rejected_key_message_says_where_the_key_came_from(acme):
    acme.respond(401)
    for source, where in [("environment", "ACME_API_KEY"), ("database", "admin"), ("settings", "AI_MODELS")]:
        with pytest.raises(ProviderError, match=where):
            AcmeProvider(api_key=SECRET_KEY, key_source=source).fetch_catalog()


def test_plain_http_only_to_allowed_hosts(settings):
    settings.AI_MODELS = {**settings.AI_MODELS, "ALLOWED_HTTP_HOSTS": ["127.0.0.1:8080"]}
    with respx.mock() as router:
        local = router.get("http://127.0.0.1:8080/v1/models").respond(json=MODELS)
        assert len(provider(base_url="http://127.0.0.1:8080/v1").fetch_catalog()) == 1
        assert local.called
        with pytest.raises(ProviderError, match="https"):
            provider(base_url="http://localhost:8080/v1").fetch_catalog()


def test_a_base_url_that_is_not_a_url():
    with pytest.raises(ProviderError):
        provider(base_url="https://exa mple.com:99999").fetch_catalog()


def test_a_link_header_is_read():
    reply = http.Reply(
        200, httpx.Headers({"Link": '<https://h.test/a?cursor=2>; rel="next"'}), b"[]", httpx.URL("https://h.test/a")
    )
    assert reply.next_link == "https://h.test/a?cursor=2"
    assert http.Reply(200, httpx.Headers(), b"", httpx.URL("https://h.test/")).next_link is None


def test_a_provider_pointing_back_at_a_read_page_stops(acme):
    class Looping(AcmeProvider):
        def next_page(self, data, reply, url, params):
            return url, params

    acme.respond(json=MODELS)
    assert len(Looping(api_key=SECRET_KEY).fetch_catalog()) == 1
    assert acme.call_count == 1


def test_http_provider_subclass_only_sets_names_and_parses(acme):
    class Minimal(HTTPProvider):
        id = "minimal"
        name = "Minimal"
        default_base_url = "https://api.acme.test/v1"
        requires_key = False

        @classmethod
        def parse_model(cls, item):
            return CatalogModel(provider=cls.id, model_id=item["id"])

    acme.respond(json=MODELS)
    assert [model.pk for model in Minimal().fetch_catalog()] == ["minimal:acme-large"]
