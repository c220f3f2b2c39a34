"""A key a provider echoes behind JSON escapes (``\\u0073\\u006b…``) or split by zero-width and other
format characters is redacted once decoded, wherever provider text goes (issue 24, item 3).

A real OpenRouter backend (the canary key in settings) lists a model whose name and description
hold the key so disguised; Browse catalog, the HTTP API, the activation's ``LogEntry``, ``dumpdata``,
``ai_models active --json`` and every cache entry are searched for it as a reader would see it
(escapes decoded, format characters dropped). An error answer disguising it the same way shows a
redacted excerpt.
"""

import io
import json

import httpx
import pytest
from django.core.management import call_command
from django.urls import reverse

from ai_models.exceptions import FORMAT_CHARACTERS, ProviderAuthError
from ai_models.models import AIModel
from ai_models.providers import build_provider
from ai_models.providers.decoding import unescaped
from ai_models.providers.reply import Reply

from .conftest import API_KEY, local_settings
from .pages import CATALOG_URL
from .test_key_secrecy import cache_contents

ROUTER_LIST = "/openrouter/api/v1/models"


def escaped(text: str) -> str:
    """``text`` as JSON that escapes every character (``\\u0073\\u006b…``)."""
    return "".join(f"\\u{ord(char):04x}" for char in text)


def split(text: str, separator: str) -> str:
    return separator.join(text)


def visible(text: str) -> str:
    """What a reader sees: JSON escapes decoded, invisible format characters gone."""
    return FORMAT_CHARACTERS.sub("", unescaped(text))


def leaked(text: str) -> bool:
    return API_KEY in visible(text) or API_KEY[::-1] in visible(text)


# The listing, as raw JSON text so the escapes reach the decoder as a provider sends them.
LISTING = (
    '{"data": [{"id": "acme/echo", "architecture": {"output_modalities": ["text"]}, '
    f'"name": "k={escaped(API_KEY)}", '
    f'"description": "a {split(API_KEY, chr(0x200B))} b {split(API_KEY, chr(0x2060))} '
    f'c {escaped(split(API_KEY, chr(0x200D)))} d {escaped(split(API_KEY[::-1], chr(0xFEFF)))}", '
    f'"{escaped(API_KEY)}": "as a key too"'
    "}]}"
).encode()


@pytest.fixture
def keyed_router(settings, server, sleeps):
    settings.AI_MODELS = local_settings(server, openrouter={"API_KEY": API_KEY})
    server.payloads[ROUTER_LIST] = LISTING
    return settings


def test_the_listing_holds_the_key_only_disguised(keyed_router, server):
    # The test's premise: a search of the raw answer, as before, would not find it.
    assert API_KEY.encode() not in LISTING and leaked(LISTING.decode())


def test_a_key_hidden_in_a_listing_reaches_no_page_api_history_export_or_cache(admin_client, keyed_router):
    page = admin_client.get(CATALOG_URL)
    api = admin_client.get(reverse("ai_models_api:catalog"))
    data = {"action": "activate", "_selected_action": "openrouter:acme/echo", "index": "0"}
    admin_client.post(CATALOG_URL, {**data, "confirm": "yes", "capability": "chat"})
    model = AIModel.objects.get(is_active=True)
    active, dump = io.StringIO(), io.StringIO()
    call_command("ai_models", "active", "--json", stdout=active)
    call_command("dumpdata", "ai_models", "admin.logentry", stdout=dump)

    assert model.model_id == "acme/echo" and model.display_name == "k=[redacted]"
    assert model.description.count("[redacted]") == 4 and model.metadata["raw"]["[redacted]"] == "as a key too"
    assert "k=[redacted]" in page.content.decode() and api.status_code == 200
    for where, text in {
        "Browse catalog": page.content.decode(),
        "API": api.content.decode(),
        "active --json": active.getvalue(),
        "dumpdata (models and LogEntry)": dump.getvalue(),
    }.items():
        assert not leaked(text), where
    for key, value in cache_contents():
        assert not leaked(key) and not leaked(value.decode("utf-8", "replace")), key


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"error": {"message": f"bad key {split(API_KEY, chr(0x200B))}"}}, ensure_ascii=False),
        json.dumps({"error": {"message": f"bad key {split(API_KEY, chr(0x200B))}"}}),  # \u200b escapes
        '{"error": {"message": "bad key ' + escaped(API_KEY) + '"}}',
    ],
    ids=["zero-width spaces", "escaped zero-width spaces", "escaped characters"],
)
def test_a_key_hidden_in_an_error_is_redacted_from_its_excerpt(keyed_router, body):
    reply = Reply(401, httpx.Headers({"content-type": "application/json"}), body.encode(), httpx.URL(ROUTER_LIST))

    with pytest.raises(ProviderAuthError) as caught:
        build_provider("openrouter").check_status(reply)

    assert "bad key [redacted]" in caught.value.excerpt
    assert not leaked(str(caught.value))
