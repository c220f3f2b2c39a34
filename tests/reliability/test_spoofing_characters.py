"""Characters that hide or reorder text, in model ids and names, are shown to staff as what they are.

A real OpenRouter backend lists, from the local server, a model whose name carries a right-to-left
override (so "Acme: ‮ini-m 4-TPG" would read "Acme: GPT-4 mini-m" and reorder what follows it),
whose id hides a zero-width joiner, an unclosed right-to-left isolate and a soft hyphen, beside a
Persian name spelled with a zero-width non-joiner (which is text, not a disguise). Every page of
the admin, the HTTP API's names and error details and the command line's tables show
``[U+202E]``...; none holds the raw characters, so nothing can reorder the text around them. The
id itself is kept exact where it is data: activation and the API's ``model_id``.
"""

import io
import json
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command

from ai_models import get_active_model
from ai_models.models import AIModel
from ai_models.visible import visible

from .conftest import local_settings
from .pages import CATALOG_URL, SAVED_URL, messages_of

ROUTER_LIST = "/openrouter/api/v1/models"
RLO, ZWJ, RLI, SHY, ZWNJ = "\u202e", "\u200d", "\u2067", "\u00ad", "\u200c"
SPOOF_ID = f"acme/gpt{ZWJ}-4o-mini{RLI}{SHY}"
SPOOF_NAME = f"Acme: {RLO}ini-m 4-TPG"
PERSIAN_NAME = f"مدل{ZWNJ}های فارسی"  # "Persian models": the ZWNJ belongs to the word
SHOWN_ID = "acme/gpt[U+200D]-4o-mini[U+2067][U+00AD]"
SHOWN_NAME = "Acme: [U+202E]ini-m 4-TPG"
HIDDEN = (RLO, ZWJ, RLI, SHY)


def listing(model_id, name):
    return {"id": model_id, "name": name, "architecture": {"output_modalities": ["text"]},
            "pricing": {"prompt": "0.0000001", "completion": "0.0000002"}}


@pytest.fixture
def spoofed(settings, server, sleeps):
    settings.AI_MODELS = local_settings(server, openrouter={"API_KEY": "sk-or-test-000000000000"})
    server.payloads[ROUTER_LIST] = {"data": [listing(SPOOF_ID, SPOOF_NAME), listing("acme/farsi", PERSIAN_NAME)]}


def shown_as_text(html: str):
    """Shown, and raw nowhere but in the form values that post the exact id back."""
    assert SHOWN_NAME in html or SHOWN_ID in html
    read = re.sub(r' value="[^"]*"', "", html)
    assert not [char for char in HIDDEN if char in read]


def test_the_helper():
    assert visible("gpt-4o-mini") == "gpt-4o-mini"
    assert visible(SPOOF_NAME) == SHOWN_NAME and visible(SPOOF_ID) == SHOWN_ID
    assert visible(PERSIAN_NAME) == PERSIAN_NAME  # a joiner between two Persian letters is spelling
    assert visible(f"gpt{ZWNJ}4") == "gpt[U+200C]4"  # between Latin letters it is a disguise
    assert visible("a\u2028b\u0007c\u3164d\ufeff") == "a[U+2028]b[U+0007]c[U+3164]d[U+FEFF]"
    assert visible("line one\nline two\t!") == "line one\nline two\t!"  # whitespace reorders nothing
    assert visible(None) == ""


def test_every_admin_page_shows_them_and_activation_keeps_the_exact_id(admin_client, spoofed):
    catalog_page = admin_client.get(CATALOG_URL).content.decode()
    assert SHOWN_ID in catalog_page and SHOWN_NAME in catalog_page and PERSIAN_NAME in catalog_page
    shown_as_text(catalog_page)

    pk = f"openrouter:{SPOOF_ID}"
    confirmation = admin_client.post(CATALOG_URL, {"action": "activate", "_selected_action": [pk]})
    assert SHOWN_ID in confirmation.content.decode() and SHOWN_NAME in confirmation.content.decode()
    shown_as_text(confirmation.content.decode())
    done = admin_client.post(
        CATALOG_URL, {"action": "activate", "_selected_action": [pk], "confirm": "yes", "capability": "chat"}, follow=True
    )
    assert messages_of(done)[0].startswith(f"{SHOWN_NAME} is now the active model for Chat.")
    shown_as_text(done.content.decode())

    row = AIModel.objects.get()
    assert row.model_id == SPOOF_ID and get_active_model("chat").model_id == SPOOF_ID  # the data is exact
    assert LogEntry.objects.get().object_repr == f"{SHOWN_NAME} (Chat)"
    for url in (SAVED_URL, f"{SAVED_URL}{row.pk}/change/", f"{SAVED_URL}{row.pk}/history/", "/admin/"):
        shown_as_text(admin_client.get(url).content.decode())
    deactivation = admin_client.post(SAVED_URL, {"action": "deactivate", "_selected_action": [row.pk]})
    shown_as_text(deactivation.content.decode())


def test_the_api_shows_them_in_names_and_details_and_keeps_the_id(admin_client, spoofed):
    pytest.importorskip("rest_framework")
    results = admin_client.get("/api/ai-models/catalog/?provider=openrouter").json()["results"]
    entry = next(result for result in results if result["model_id"] == SPOOF_ID)
    assert entry["name"] == SHOWN_NAME and entry["id"] == f"openrouter:{SPOOF_ID}"
    assert next(result for result in results if result["model_id"] == "acme/farsi")["name"] == PERSIAN_NAME

    missing = admin_client.get(f"/api/ai-models/catalog/openrouter/acme/{RLO}nope/")
    assert missing.status_code == 404 and "acme/[U+202E]nope" in missing.json()["detail"]
    assert RLO not in missing.content.decode()


def test_the_command_line_tables_show_them(admin_client, spoofed):
    out = io.StringIO()
    call_command("ai_models", "catalog", "--provider", "openrouter", stdout=out)
    table = out.getvalue()
    assert f"openrouter:{SHOWN_ID}" in table and SHOWN_NAME in table and PERSIAN_NAME in table
    assert not [char for char in HIDDEN if char in table]

    call_command("ai_models", "activate", "openrouter", SPOOF_ID, "--capability", "chat", stdout=io.StringIO(), stderr=io.StringIO())
    out = io.StringIO()
    call_command("ai_models", "active", stdout=out)
    assert SHOWN_ID in out.getvalue() and not [char for char in HIDDEN if char in out.getvalue()]
    out = io.StringIO()
    call_command("ai_models", "active", "--json", stdout=out)
    assert json.loads(out.getvalue())["chat"]["model_id"] == SPOOF_ID  # --json is data: exact



def test_a_gates_refusal_naming_the_active_model_shows_them_too(admin_client, settings):
    """The embedding gate's refusal names the model it would replace: the Activate page's reason
    above its checkbox and the API's ``refusals[].detail`` show its hidden characters too."""
    from ai_models import activation
    from tests.factories import catalog_model

    settings.AI_MODELS = {**settings.AI_MODELS, "CAPABILITIES": ["chat", "embedding"]}
    activation.activate(catalog_model(SPOOF_ID, name=SPOOF_NAME, capabilities=("embedding",), dimensions=1536),
                        "embedding")
    candidate = "snapshot:openai/text-embedding-3-large"

    page = admin_client.post(CATALOG_URL, {"action": "activate", "_selected_action": [candidate]}).content.decode()
    assert f"This replaces snapshot:{SHOWN_ID}, the active model for Embedding" in page
    shown_as_text(page)

    pytest.importorskip("rest_framework")
    refused = admin_client.post("/api/ai-models/activations/", {"provider": "snapshot", "model_id": "openai/text-embedding-3-large",
                                                                "capability": "embedding"}, content_type="application/json")
    assert refused.status_code == 409
    [refusal] = refused.json()["refusals"]
    assert f"snapshot:{SHOWN_ID}" in refusal["detail"] and f"snapshot:{SHOWN_ID}" in refused.json()["detail"]
    assert not [char for char in HIDDEN if char in refused.content.decode()]
