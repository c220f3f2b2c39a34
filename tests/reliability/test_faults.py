"""Fault injection: real OpenAI and OpenRouter backends against a misbehaving server on 127.0.0.1.

For every fault, Browse catalog answers 200 with a clear message for each failing provider,
the snapshot provider still lists, a list fetched before the fault is served as stale,
nothing is written to the database and the active model stays active.
"""

import pytest
from django.contrib.admin.models import LogEntry

from ai_models import catalog, get_active_model, activation
from ai_models.models import AIModel, Provider
from tests.factories import catalog_model

from .pages import CATALOG_URL, REFRESH_URL, listed, messages_of, panel
from .server import FAULTS, HUGE_BODY

SNAPSHOT_MODEL = "snapshot:openai/gpt-4.1-mini"
OPENAI_MODELS = {"openai:gpt-4.1-mini", "openai:gpt-image-1", "openai:tts-1"}
OPENROUTER_MODELS = {"openrouter:acme/chat-large", "openrouter:acme/painter"}
NAMES = {"openai": "OpenAI", "openrouter": "OpenRouter"}

# What each fault must say for both providers (OpenAI has a key in settings, OpenRouter none).
TOO_LARGE = "the response is larger than 262144 bytes"
STACKED = "refused an answer in the content coding %s: only one layer of gzip or deflate is read"
EXPECTED = {
    "timeout": "timed out: the provider is unreachable",
    "connection reset": "the provider is unreachable (",
    "connection refused": "the provider is unreachable (ConnectError)",
    "401": {
        "openai": "the API key in AI_MODELS['PROVIDERS'] was rejected (HTTP 401)",
        "openrouter": "the provider asks for an API key; set OPENROUTER_API_KEY or add one in the admin (HTTP 401)",
    },
    "403": {
        "openai": "the API key in AI_MODELS['PROVIDERS'] was rejected (HTTP 403)",
        "openrouter": "the provider asks for an API key; set OPENROUTER_API_KEY or add one in the admin (HTTP 403)",
    },
    "401 echoing the key disguised": {
        "openai": "the API key in AI_MODELS['PROVIDERS'] was rejected (HTTP 401): {\"error\": {\"message\": \"bad key (upper case: [redacted]",
        "openrouter": "the provider asks for an API key; set OPENROUTER_API_KEY or add one in the admin (HTTP 401)",
    },
    "404": "the request was refused (HTTP 404)",
    "429 with Retry-After": "rate limited after 2 attempts (HTTP 429)",
    "500": "server error after 2 attempts (HTTP 500)",
    "502": "server error after 2 attempts (HTTP 502): <!DOCTYPE html>",
    "503": "server error after 2 attempts (HTTP 503)",
    "HTML error page": "the answer is not JSON (HTTP 200): <!DOCTYPE html>",
    "invalid JSON": "the answer is not JSON (HTTP 200)",
    "JSON of the wrong shape": "unexpected answer, expected an object with a 'data' list (HTTP 200)",
    "50 MB body, streamed": TOO_LARGE,
    "50 MB body, length declared": TOO_LARGE,
    "redirect to another host": "refused a redirect to another host (localhost) (HTTP 302)",
    "redirect to another port": "refused a redirect to another host (127.0.0.1) (HTTP 302)",
    "gzip bomb, one layer": TOO_LARGE,
    "gzip bomb, two layers": STACKED % "gzip, gzip",
    "gzip bomb, three layers": STACKED % "gzip, gzip, gzip",
    "unknown content coding": STACKED % "zstd",
    # CONNECT_TIMEOUT + READ_TIMEOUT: one deadline for the whole exchange.
    "headers dripping in": "timed out: no complete answer within 1 s",
}
# Retry waits asked for, per provider: Retry-After honoured (seconds or an HTTP date), else backoff.
WAITS = {"429 with Retry-After": 3.0, "500": 0.5, "502": 0.5, "503": 0.0}

def database():
    """Every row the app (and its audit log) holds."""
    return {
        "providers": list(Provider.objects.order_by("pk").values()),
        "models": list(AIModel.objects.order_by("pk").values()),
        "log": list(LogEntry.objects.order_by("pk").values()),
    }


def expected(fault, provider):
    text = EXPECTED[fault]
    return text[provider] if isinstance(text, dict) else text


def inject(server, fault):
    if fault == "connection refused":
        server.stop()
    else:
        server.fault = fault


def assert_contained(server, fault, sleeps):
    """What the fault must not have caused beyond the failed fetch."""
    if fault in WAITS:
        assert sleeps == [WAITS[fault]] * 2  # one retry per provider, waiting what was asked
        assert server.hits("/openai/", faulty=True) == server.hits("/openrouter/", faulty=True) == 2
    else:
        assert sleeps == []  # only 429 and 5xx are retried
    if fault.startswith("50 MB"):
        assert not server.huge_completed and server.sent < HUGE_BODY  # stopped reading at the cap
    if fault.startswith("redirect"):
        assert server.trap.requests == []
        assert all(not headers.get("Host", "").startswith("localhost") for _path, headers, _fault in server.requests)


FAILURES = sorted(EXPECTED)


@pytest.fixture
def active(db):
    """An OpenAI model active for chat before anything goes wrong."""
    model = activation.activate(catalog_model("gpt-4.1-mini", provider="openai"), "chat").model
    return model.pk


@pytest.mark.parametrize("fault", FAILURES)
def test_with_nothing_cached_the_page_shows_the_error_and_lists_the_others(
    fault, admin_client, local_providers, server, sleeps, active
):
    inject(server, fault)
    before = database()

    response = admin_client.get(CATALOG_URL)

    assert response.status_code == 200
    statuses = panel(response)
    for provider, name in NAMES.items():
        state, text = statuses[name]
        assert state == "failed"
        # The panel names the provider beside the text: the error does not name it again.
        assert text.startswith("failed: ") and not text.startswith(f"failed: {provider}: ")
        assert expected(fault, provider) in text
    assert statuses["Offline snapshot"][0] == "fresh"
    rows = listed(response)
    assert SNAPSHOT_MODEL in rows and not rows & (OPENAI_MODELS | OPENROUTER_MODELS)
    assert "<script>alert" not in response.content.decode()  # the HTML error page is shown escaped
    assert_contained(server, fault, sleeps)
    assert database() == before
    assert get_active_model("chat").pk == active


@pytest.mark.parametrize("fault", FAILURES)
def test_a_failed_refresh_serves_the_last_good_list_as_stale_with_the_error(
    fault, admin_client, local_providers, server, sleeps, active
):
    first = admin_client.get(CATALOG_URL)
    assert listed(first) >= OPENAI_MODELS | OPENROUTER_MODELS | {SNAPSHOT_MODEL}
    inject(server, fault)
    before = database()

    response = admin_client.post(REFRESH_URL, {"next": CATALOG_URL}, follow=True)

    assert response.status_code == 200
    notices = messages_of(response)
    statuses = panel(response)
    for provider, name in NAMES.items():
        state, text = statuses[name]
        assert state == "stale" and expected(fault, provider) in text
        assert any(n.startswith(f"{name}: stale · ") and expected(fault, provider) in n for n in notices), notices
    assert statuses["Offline snapshot"][0] == "fresh"
    assert listed(response) >= OPENAI_MODELS | OPENROUTER_MODELS | {SNAPSHOT_MODEL}
    assert "<script>alert" not in response.content.decode()
    assert_contained(server, fault, sleeps)
    assert database() == before
    assert get_active_model("chat").pk == active


def test_every_fault_the_server_knows_is_tested():
    # Not failures: "drip" is tested on its own, the others where they are used (the 307s and
    # event streams with the SDK client, test_sdk_client.py).
    elsewhere = {"drip", "redirect within the host", "held", "gzipped", "307 to another port", "307 within the host",
                 "event stream dripping", "event stream going silent", "brotli", "cookie"}
    assert set(FAULTS) - elsewhere <= set(EXPECTED)


# --- odd entries in an otherwise good answer -------------------------------------------------

ODD_ENTRIES = {
    "data": [
        {"id": "acme/fine", "name": "Acme: Fine", "context_length": 4096, "pricing": {"prompt": "0.000001"}},
        {"name": "no id at all"},
        {"id": None},
        {"id": "x" * 10_240},
        {"id": "has a space"},
        42,
        "just a string",
        {"id": "acme/pricing-as-a-list", "pricing": ["0.1"]},
        {
            "id": "acme/absurd",
            "name": "N" * 10_240,
            "description": "D" * 100_000,
            "context_length": -5,
            "pricing": {"prompt": "free!", "completion": "NaN"},
            "created": "yesterday",
            "expiration_date": "never",
            "architecture": {"output_modalities": ["text"]},
        },
        {
            "id": "acme/huge-numbers",
            "context_length": 10**30,
            "pricing": {"prompt": "-1", "completion": "1e400"},
            "created": 10**20,
        },
        {"id": "acme/booleans", "context_length": True, "pricing": {"prompt": True, "completion": "Infinity"}},
    ]
}


def test_malformed_entries_are_skipped_and_absurd_fields_dropped(admin_client, local_providers, server, active):
    server.payloads["/openrouter/api/v1/models"] = ODD_ENTRIES
    before = database()

    response = admin_client.get(CATALOG_URL)

    assert response.status_code == 200
    assert panel(response)["OpenRouter"][0] == "fresh"
    rows = {row.entry.model_id: row.entry for row in response.context["cl"].result_list if row.provider == "openrouter"}
    assert set(rows) == {"acme/fine", "acme/absurd", "acme/huge-numbers", "acme/booleans"}
    absurd = rows["acme/absurd"]
    assert len(absurd.name) == 255 and len(absurd.description) <= 2000
    for entry in (absurd, rows["acme/huge-numbers"], rows["acme/booleans"]):
        assert entry.context_window is None and entry.input_price is None and entry.output_price is None
        assert entry.created is None
    assert rows["acme/fine"].context_window == 4096
    assert catalog.provider_statuses(["openrouter"])[0].skipped == 7  # said by `ai_models catalog`
    assert "N" * 256 not in response.content.decode()
    assert database() == before
    assert get_active_model("chat").pk == active


HOSTILE = {
    "data": [
        {
            "id": "acme/xss",
            "name": "<script>alert('name')</script>",
            "description": "<img src=x onerror=alert('description')>",
            "architecture": {"output_modalities": ["text"]},
        },
        {"id": "acme/\"><script>alert('id')</script>", "name": "Hostile id"},
    ]
}
RAW_MARKUP = ("<script>alert(", "<img src=x")


def assert_escaped(response):
    page = response.content.decode()
    assert not [markup for markup in RAW_MARKUP if markup in page], page
    return page


def test_markup_in_names_descriptions_and_ids_is_escaped_on_every_page(admin_client, local_providers, server):
    server.payloads["/openrouter/api/v1/models"] = HOSTILE
    listing = admin_client.get(CATALOG_URL)
    page = assert_escaped(listing)
    assert "&lt;script&gt;alert(&#x27;name&#x27;)&lt;/script&gt;" in page
    assert "acme/&quot;&gt;&lt;script&gt;" in page

    for model_id in ("acme/xss", "acme/\"><script>alert('id')</script>"):
        selected = f"openrouter:{model_id}"
        data = {"action": "activate", "_selected_action": selected, "index": "0"}
        confirmation = admin_client.post(CATALOG_URL, data)
        assert "admin/ai_models/catalogentry/activate.html" in [t.name for t in confirmation.templates]
        assert_escaped(confirmation)
        done = admin_client.post(CATALOG_URL, {**data, "confirm": "yes", "capability": "chat"}, follow=True)
        assert_escaped(done)
        saved = AIModel.objects.get(model_id=model_id, capability="chat")
        assert saved.is_active
        assert_escaped(admin_client.get(f"/admin/ai_models/aimodel/{saved.pk}/change/"))
        assert_escaped(admin_client.get(f"/admin/ai_models/aimodel/{saved.pk}/history/"))
    assert_escaped(admin_client.get("/admin/ai_models/aimodel/"))
    assert_escaped(admin_client.get("/admin/"))  # recent actions list the saved models
    assert_escaped(admin_client.get(CATALOG_URL + "?q=script"))


# --- a body that trickles in ------------------------------------------------------------------


def test_a_body_dripping_in_slower_than_the_timeouts_allow_is_given_up(local_providers, server):
    import threading

    from ai_models.exceptions import ProviderUnavailable
    from ai_models.providers import build_provider

    server.fault = "drip"
    backend = build_provider("openai")
    outcome = []

    def fetch():
        try:
            outcome.append(backend.fetch_catalog())
        except Exception as err:  # noqa: BLE001 (the outcome is checked below)
            outcome.append(err)

    worker = threading.Thread(target=fetch, daemon=True)
    worker.start()
    # READ_TIMEOUT and CONNECT_TIMEOUT are 0.5 s: a fetch that still runs after 3 s has no deadline.
    worker.join(3)
    still_reading = worker.is_alive()
    server.stop()  # ends the drip either way
    worker.join(5)
    assert not still_reading
    assert isinstance(outcome[0], ProviderUnavailable) and "timed out" in str(outcome[0])
