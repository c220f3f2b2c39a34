"""Matching a provider's model id to a dataset's, across naming schemes. Pure."""

import pytest

from ai_models.facts.ids import EXCEPTIONS, NAMESPACES, candidates, normalize, variant


@pytest.mark.parametrize(
    ("provider", "model_id", "first", "also"),
    [
        ("gemini", "models/gemini-2.5-pro", "gemini-2.5-pro", []),
        ("openrouter", "openai/gpt-4.1", "openai/gpt-4.1", []),
        ("openrouter", "meta-llama/llama-3.3-70b-instruct:free", "meta-llama/llama-3.3-70b-instruct:free",
         ["meta-llama/llama-3.3-70b-instruct"]),
        ("anthropic", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20250929", ["claude-sonnet-4-5"]),
        ("openai", "gpt-4o-2024-08-06", "gpt-4o-2024-08-06", ["gpt-4o"]),
        ("mistral", "mistral-medium-latest", "mistral-medium-latest", ["mistral-medium"]),
        ("groq", "Meta-Llama/Llama-Guard-4-12B", "meta-llama/llama-guard-4-12b", []),
    ],
)
def test_candidates_start_exact_then_loosen(provider, model_id, first, also):
    found = candidates(provider, model_id)
    assert found[0] == first
    for loose in also:
        assert loose in found and found.index(loose) > 0


def test_a_version_suffix_is_not_a_snapshot_date():
    # Mistral's -2508 is its own model, priced apart: never matched as mistral-medium.
    assert candidates("mistral", "mistral-medium-2508") == ["mistral-medium-2508"]


def test_aliases_the_provider_lists_come_before_loosening():
    assert candidates("mistral", "codestral-2508", ["codestral-latest", "codestral"]) == [
        "codestral-2508", "codestral-latest", "codestral",
    ]


def test_the_exceptions_table_is_consulted():
    assert candidates("gemini", "gemini-2.0-flash-001")[:2] == ["gemini-2.0-flash-001", "gemini-2.0-flash"]
    for (provider, _model_id), target in EXCEPTIONS.items():
        assert provider in NAMESPACES and target == normalize(target)


def test_variants_and_normalization():
    assert variant("deepseek/deepseek-r1:free") == "free"
    assert variant("openai/gpt-4.1") == ""
    assert normalize("  models/Gemma-3-27B-IT ") == "gemma-3-27b-it"
