"""Parsing is pure and tolerant: odd fields never lose a model, odd entries are counted."""

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from ai_models.exceptions import ProviderResponseError
from ai_models.providers import parsing
from ai_models.providers.gemini import GeminiProvider
from ai_models.providers.huggingface import HuggingFaceProvider
from ai_models.providers.openai import OpenAIProvider
from ai_models.providers.openrouter import OpenRouterProvider
from ai_models.providers.snapshot import SnapshotProvider

from .contract import PAYLOADS

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "value, per_token, expected",
    [
        ("0.000003", True, Decimal("3")),
        ("0.0000014", True, Decimal("1.4")),
        ("0.0000000375", True, Decimal("0.0375")),
        ("0", True, Decimal("0")),
        ("-1", True, None),
        ("", True, None),
        (None, False, None),
        ("abc", False, None),
        ("NaN", False, None),
        ("Infinity", False, None),
        ("1e400", False, None),
        (True, False, None),
        ("0.40", False, Decimal("0.4")),
        (2.5, False, Decimal("2.5")),
    ],
)
def test_prices(value, per_token, expected):
    assert parsing.price(value, per_token=per_token) == expected


def test_context_windows():
    assert parsing.context_window(131072) == 131072
    assert parsing.context_window("8192") == 8192
    for bad in (-5, 0, 10**12, "lots", None, True, float("inf")):
        assert parsing.context_window(bad) is None


def test_untrusted_text_is_bounded():
    assert len(parsing.text("x" * 1_000_000)) == parsing.MAX_DESCRIPTION
    assert len(parsing.name("y" * 100_000, "fallback")) == parsing.MAX_NAME
    assert parsing.name("  Line\none\x00 ", "fallback") == "Line one"
    assert parsing.name(None, "fallback") == "fallback"


def test_dates():
    assert parsing.timestamp(1744318173).year == 2025
    assert parsing.timestamp("2024-07-18T08:56:00.000Z").tzinfo is not None
    assert parsing.timestamp("yesterday") is None
    assert parsing.timestamp(10**20) is None
    assert parsing.day("2026-06-29").isoformat() == "2026-06-29"
    assert parsing.day("June") is None


def test_huge_and_hostile_entries_do_not_break_parsing():
    payload = {
        "data": [
            {
                "id": "ok/model",
                "name": "N" * 10_000,
                "description": "D" * 10_000_000,
                "context_length": -1,
                "pricing": {"prompt": "banana", "completion": "99999999"},
                "created": "not a time",
                "architecture": {"output_modalities": "text"},
                "expiration_date": 12,
            },
            {"id": "x" * 300},
            {"id": "has space"},
            {"id": ["list"]},
            None,
            {"id": "ok/model", "name": "a duplicate"},
        ]
    }
    catalog = OpenRouterProvider.parse_catalog(payload)
    assert catalog.skipped == 4
    (model,) = catalog
    assert len(model.name) == 255 and len(model.description) == 2000
    assert model.context_window is None and model.input_price is None and model.output_price is None
    assert model.created is None and model.expires is None


@pytest.mark.parametrize("provider", [OpenRouterProvider, OpenAIProvider, GeminiProvider, SnapshotProvider])
@pytest.mark.parametrize("payload", [None, "text", 42, [], {"data": "not a list"}, {"models": {}}])
def test_a_wrong_shape_payload_raises(provider, payload):
    with pytest.raises(ProviderResponseError, match=provider.id):
        provider.parse_catalog(payload)


def test_hugging_face_wants_an_array():
    with pytest.raises(ProviderResponseError):
        HuggingFaceProvider.parse_catalog({"data": []})


def test_catalog_models_survive_json():
    (model,) = [
        m
        for m in OpenRouterProvider.parse_catalog(json.loads((PAYLOADS / "openrouter.json").read_text()))
        if m.model_id == "meta-llama/llama-3.3-70b-instruct:free"
    ]
    again = type(model).from_json(json.loads(json.dumps(model.to_json())))
    assert again == model


def test_parse_catalog_needs_no_django_settings():
    """Tools parse saved payloads without a Django project, keys or network."""
    script = """
import json, sys
from ai_models.providers.openrouter import OpenRouterProvider
from ai_models.providers.gemini import GeminiProvider
catalog = OpenRouterProvider.parse_catalog(json.load(open(sys.argv[1])))
gemini = GeminiProvider.parse_catalog(json.load(open(sys.argv[2])))
from django.conf import settings
assert not settings.configured
print(len(catalog), catalog.skipped, len(gemini))
"""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(REPO)
    result = subprocess.run(
        [sys.executable, "-c", script, str(PAYLOADS / "openrouter.json"), str(PAYLOADS / "gemini.json")],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["10", "2", "10"]
