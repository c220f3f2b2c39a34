"""Listings built to break the catalog: keys echoed in disguise, lone surrogates, deep nesting,
a million models. A real OpenRouter backend reads each from the local server.

- an echoed key, upper-cased, reversed, url- or base64-encoded, reaches no page, cache entry
  or command output;
- one entry with a lone surrogate or nested too deep is skipped alone and counted, the rest
  lists and activates;
- a list of implausibly many models is refused with a clear message, quickly.
"""

import io
import json
import time
import tracemalloc

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import CommandError, call_command

from ai_models import catalog
from ai_models.models import AIModel

from .conftest import API_KEY, local_settings
from .pages import CATALOG_URL, panel
from .server import key_transforms
from .test_key_secrecy import cache_contents

ROUTER_LIST = "/openrouter/api/v1/models"
DISGUISES = key_transforms(API_KEY)


def good(model_id, **fields):
    return {"id": model_id, "name": model_id, "architecture": {"output_modalities": ["text"]}, **fields}


def nested(depth):
    value = "bottom"
    for _ in range(depth):
        value = {"deeper": value}
    return value


@pytest.fixture
def viewer(client, db):
    """Staff who may only browse the catalog."""
    user = User.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_catalogentry"))
    client.force_login(user)
    return client


@pytest.fixture
def keyed_router(settings, server, sleeps):
    """OpenRouter at the local server with the canary key in settings."""
    settings.AI_MODELS = local_settings(server, openrouter={"API_KEY": API_KEY})
    return settings


def leaks(text: str) -> list:
    return [name for name, disguise in DISGUISES.items() if disguise in text] + (["plain"] if API_KEY in text else [])


def providers_json():
    out = io.StringIO()
    call_command("ai_models", "providers", "--json", stdout=out)
    return out.getvalue()


def test_a_key_echoed_in_disguise_in_an_error_is_redacted_everywhere(viewer, keyed_router, server):
    server.fault = "401 echoing the key disguised"

    page = viewer.get(CATALOG_URL)

    state, text = panel(page)["OpenRouter"]
    assert state == "failed" and "bad key (upper case: [redacted]; lower case: [redacted]" in text
    assert leaks(text) == []
    assert leaks(page.content.decode()) == []
    assert leaks(providers_json()) == []
    for key, value in cache_contents():
        assert leaks(key) == [] and leaks(value.decode("latin-1")) == [], key


def test_a_key_echoed_in_disguise_in_a_listing_is_redacted_from_names_and_raw_data(viewer, keyed_router, server):
    server.payloads[ROUTER_LIST] = {
        "data": [good("acme/echo", name=f"Echo {DISGUISES['upper case']}", description=" ".join(DISGUISES.values()))]
    }

    page = viewer.get(CATALOG_URL).content.decode()

    assert "Echo [redacted]" in page
    assert leaks(page) == []
    entry = catalog.get_entry("openrouter", "acme/echo")
    assert leaks(json.dumps(entry.to_json())) == []
    assert entry.description.count("[redacted]") == len(DISGUISES)


def test_an_entry_with_a_lone_surrogate_is_skipped_alone_and_counted(admin_client, local_providers, server):
    # Written as JSON escapes, as a provider would send them: valid JSON, unencodable text.
    server.payloads[ROUTER_LIST] = (
        '{"data": [{"id": "acme/fine", "architecture": {"output_modalities": ["text"]}},'
        ' {"id": "acme/odd-name", "name": "bad \\ud800 name"},'
        ' {"id": "acme/odd-ignored", "owner": {"note": "\\udfff"}},'
        ' {"id": "acme/also-fine"}]}'
    ).encode()

    response = admin_client.get(CATALOG_URL)

    assert response.status_code == 200
    assert panel(response)["OpenRouter"] == ("fresh", "fresh · 2 models, fetched just now · 2 malformed entries skipped")
    router = {row.entry.model_id for row in response.context["cl"].result_list if row.provider == "openrouter"}
    assert router == {"acme/fine", "acme/also-fine"}
    data = {"action": "activate", "_selected_action": "openrouter:acme/fine", "index": "0"}
    admin_client.post(CATALOG_URL, {**data, "confirm": "yes", "capability": "chat"})
    assert AIModel.objects.get(is_active=True).model_id == "acme/fine"


def test_an_entry_nested_too_deep_is_skipped_and_a_deep_but_plausible_one_activates(
    admin_client, local_providers, server
):
    server.payloads[ROUTER_LIST] = {
        "data": [good("acme/deep", extra=nested(500)), good("acme/nested", extra=nested(20)), good("acme/flat")]
    }

    response = admin_client.get(CATALOG_URL)

    assert panel(response)["OpenRouter"][1].endswith("2 models, fetched just now · 1 malformed entry skipped")
    for model_id in ("acme/nested", "acme/flat"):
        data = {"action": "activate", "_selected_action": f"openrouter:{model_id}", "index": "0"}
        done = admin_client.post(CATALOG_URL, {**data, "confirm": "yes", "capability": "chat"}, follow=True)
        assert done.status_code == 200
        assert AIModel.objects.get(is_active=True).model_id == model_id
    with pytest.raises(CommandError, match="Model 'acme/deep' is not in the catalog of openrouter"):
        call_command("ai_models", "activate", "openrouter", "acme/deep", "--capability", "chat", stdout=io.StringIO())
    assert AIModel.objects.get(is_active=True).model_id == "acme/flat"


def test_a_million_models_are_refused_quickly_with_the_reason(admin_client, settings, server, sleeps):
    settings.AI_MODELS = local_settings(server, MAX_RESPONSE_BYTES=32 * 1024 * 1024)
    server.payloads[ROUTER_LIST] = json.dumps({"data": [{"id": f"m/{i}"} for i in range(10**6)]}).encode()

    tracemalloc.start()
    started = time.monotonic()
    response = admin_client.get(CATALOG_URL)
    elapsed = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    assert response.status_code == 200
    state, text = panel(response)["OpenRouter"]
    assert state == "failed"
    # Refused while it is read, before a model is built: what decoding it would take is counted.
    assert text == "failed: the answer holds more values than 160 MB of memory can decode (HTTP 200)"
    assert panel(response)["Offline snapshot"][0] == "fresh"
    print(f"a million models refused in {elapsed:.1f} s, {peak / 2**20:.0f} MiB peak")
    assert elapsed < 30  # 127 s before the cap (and under tracemalloc, which slows it several times)
    assert peak < 10 * 32 * 1024 * 1024, f"{peak / 2**20:.0f} MiB"  # 1.1 GB before the cap, 270 MiB before the count
