"""The behaviour every HTTP provider shares, run once per provider.

A thin test class per provider sets the class attributes (where its list lives, its canned
payload, what that payload should parse to) and inherits every test here. HTTP is mocked
with respx; ``ai_models.providers.http.sleep`` is replaced so nothing waits.
"""

import json
from pathlib import Path

import httpx
import pytest
import respx

from ai_models.exceptions import (
    ProviderAuthError,
    ProviderError,
    ProviderResponseError,
    ProviderUnavailable,
)
from ai_models.providers import http

PAYLOADS = Path(__file__).resolve().parent / "payloads"
SECRET_KEY = "sk-test-SECRET-4f9a1c0e77d2"


def load_payload(name):
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def error_chain(err):
    """The error and every exception chained behind it."""
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        yield err
        err = err.__cause__ or err.__context__


class ProviderContract:
    provider_class = None
    list_host = ""  # e.g. "api.openai.com"
    list_path = ""  # e.g. "/v1/models"
    payload_file = ""
    base_url = ""  # for a class without a default base URL (the generic OpenAI-compatible one)
    options: dict = {}
    expected: dict = {}  # model id -> exactly the kinds it must get
    expected_skipped = 0
    auth_header = "Authorization"
    auth_value = f"Bearer {SECRET_KEY}"
    # Pagination: the pages, and query parameters the second request must carry.
    pages: list = []
    second_page_params: dict = {}
    # A payload of the wrong shape; by default the opposite of what the class expects.
    wrong_shape = None

    # -- helpers that read like English ---------------------------------------------------

    @pytest.fixture(autouse=True)
    def _mock_http(self, monkeypatch, settings):
        self.settings = settings
        self.sleeps = []
        monkeypatch.setattr(http, "sleep", self.sleeps.append)
        self.queued = []
        self.default_response = None
        with respx.mock(assert_all_called=False) as router:
            self.router = router  # for a test's own routes (calls to models)
            self.route = router.get(host=self.list_host, path=self.list_path)
            self.route.side_effect = self._respond
            self.elsewhere = router.route(host="attacker.example")
            yield

    def _respond(self, request):
        item = self.queued.pop(0) if self.queued else self.default_response
        if item is None:
            return self.ok_response(request)
        if isinstance(item, Exception):
            raise item
        return item

    def ok_response(self, request):
        """What the provider answers to a good request (override to answer per query)."""
        return httpx.Response(200, json=load_payload(self.payload_file))

    def set_mock_response(self, status=200, *, json_data=None, content=None, headers=None):
        """Every request gets this answer from now on."""
        if json_data is not None:
            self.default_response = httpx.Response(status, json=json_data, headers=headers)
        else:
            self.default_response = httpx.Response(status, content=content or b"", headers=headers)

    def queue_responses(self, *responses):
        """The next requests get these answers (responses or exceptions), then the usual one."""
        self.queued.extend(responses)

    def set_setting(self, **values):
        self.settings.AI_MODELS = {**self.settings.AI_MODELS, **values}

    def provider(self, api_key=SECRET_KEY, **options):
        return self.provider_class(
            api_key=api_key,
            key_source="environment" if api_key else "",
            base_url=self.base_url,
            options={**self.options, **options},
        )

    def fetch(self, **kwargs):
        return self.provider(**kwargs).fetch_catalog()

    def fetch_error(self, error_class, **kwargs):
        with pytest.raises(error_class) as info:
            self.fetch(**kwargs)
        return info.value

    @property
    def requests(self):
        return [call.request for call in self.route.calls]

    def assert_key_not_in(self, err):
        for linked in error_chain(err):
            assert SECRET_KEY not in str(linked)
            assert SECRET_KEY not in repr(linked.args)

    # -- the generic behaviour -------------------------------------------------------------

    def test_parses_the_canned_payload(self):
        catalog = self.fetch()
        by_id = {model.model_id: model for model in catalog}
        for model_id, kinds in self.expected.items():
            assert model_id in by_id, model_id
            assert by_id[model_id].kinds == frozenset(kinds), model_id
            assert set(by_id[model_id].reasons) == set(kinds), model_id
        assert catalog.skipped == self.expected_skipped
        assert all(model.provider == self.provider_class.id for model in catalog)

    def test_sends_the_auth_header_and_never_the_key_in_the_url(self):
        self.fetch()
        assert self.requests
        for request in self.requests:
            assert request.headers[self.auth_header] == self.auth_value
            assert SECRET_KEY not in str(request.url)

    def test_missing_key(self):
        if self.provider_class.requires_key:
            err = self.fetch_error(ProviderAuthError, api_key="")
            assert self.provider_class.api_key_env in str(err)
            assert not self.route.called
        else:
            assert self.fetch(api_key="") is not None
            assert all(self.auth_header not in request.headers for request in self.requests)

    def test_rejected_key_names_the_provider_and_hides_the_key(self):
        self.set_mock_response(401, json_data={"error": {"message": f"Incorrect API key provided: {SECRET_KEY}"}})
        err = self.fetch_error(ProviderAuthError)
        assert str(err).startswith(f"{self.provider_class.id}:")
        assert "rejected" in str(err) and err.status == 401
        self.assert_key_not_in(err)

    def test_forbidden_is_an_auth_error(self):
        self.set_mock_response(403, json_data={"error": "forbidden"})
        assert self.fetch_error(ProviderAuthError).status == 403

    def test_timeout_means_unavailable(self):
        self.queue_responses(httpx.ConnectTimeout("timed out"))
        err = self.fetch_error(ProviderUnavailable)
        assert "unreachable" in str(err)
        self.assert_key_not_in(err)

    def test_connection_error_means_unavailable(self):
        self.queue_responses(httpx.ConnectError("connection refused"))
        assert "unreachable" in str(self.fetch_error(ProviderUnavailable))

    def test_server_errors_are_retried_then_reported(self):
        self.set_mock_response(503, content=b"<html>\n  Service   Unavailable \n</html>")
        err = self.fetch_error(ProviderUnavailable)
        assert self.route.call_count == 3  # MAX_RETRIES = 2
        assert len(self.sleeps) == 2
        assert err.status == 503
        assert err.excerpt == "<html> Service Unavailable </html>"

    def test_a_server_error_then_success_recovers(self):
        self.queue_responses(httpx.Response(502))
        assert len(self.fetch()) > 0
        assert len(self.sleeps) == 1

    def test_rate_limit_waits_as_asked(self):
        self.queue_responses(httpx.Response(429, headers={"Retry-After": "7"}))
        self.fetch()
        assert self.sleeps == [7.0]

    def test_rate_limit_wait_is_bounded(self):
        self.queue_responses(httpx.Response(429, headers={"Retry-After": "3600"}))
        self.fetch()
        assert self.sleeps == [10.0]  # MAX_RETRY_WAIT

    def test_rate_limit_that_never_lifts_is_unavailable(self):
        self.set_setting(MAX_RETRIES=1)
        self.set_mock_response(429, json_data={"error": "slow down"})
        err = self.fetch_error(ProviderUnavailable)
        assert err.status == 429 and self.route.call_count == 2

    def test_not_json_is_a_clear_error(self):
        self.set_mock_response(200, content=b"<!DOCTYPE html><title>Maintenance</title>")
        err = self.fetch_error(ProviderResponseError)
        assert "not JSON" in str(err) and "HTTP 200" in str(err)
        assert "Maintenance" in err.excerpt

    def test_wrong_shape_is_a_clear_error(self):
        wrong = self.wrong_shape
        if wrong is None:
            wrong = {"unexpected": True} if self.provider_class.items_key is None else [1]
        self.set_mock_response(200, json_data=wrong)
        err = self.fetch_error(ProviderResponseError)
        assert "unexpected answer" in str(err) and err.status == 200

    def test_excerpts_are_short(self):
        self.set_mock_response(500, content=b"x" * 50_000)
        assert len(self.fetch_error(ProviderUnavailable).excerpt) <= 201

    def test_pagination_is_followed_to_the_end(self):
        if not self.pages:
            self.fetch()
            assert self.route.call_count == 1, "lists everything in one request"
            return
        self.queue_responses(*self.pages)
        ids = {model.model_id for model in self.fetch()}
        for page in self.pages:
            on_page = {model.model_id for model in self.provider_class.parse_catalog(json.loads(page.content))}
            assert on_page and on_page <= ids
        assert self.route.call_count >= len(self.pages)
        second = dict(self.requests[1].url.params)
        assert second.items() >= self.second_page_params.items()

    def test_response_size_is_capped(self):
        self.set_setting(MAX_RESPONSE_BYTES=64)
        assert "larger than 64 bytes" in str(self.fetch_error(ProviderResponseError))

    def test_redirect_to_another_host_is_refused(self):
        self.queue_responses(httpx.Response(302, headers={"Location": "https://attacker.example/models"}))
        err = self.fetch_error(ProviderResponseError)
        assert "another host" in str(err)
        assert not self.elsewhere.called

    def test_plain_http_base_url_is_refused(self):
        provider = self.provider_class(api_key=SECRET_KEY, base_url="http://attacker.example/v1", options=self.options)
        with pytest.raises(ProviderError, match="https"):
            provider.fetch_catalog()
        assert not self.elsewhere.called
