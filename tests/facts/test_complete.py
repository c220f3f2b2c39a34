"""Completing catalog entries from datasets: provider first, sources recorded, conflicts flagged,
unknown never $0, kinds from ``mode`` only where the provider was silent. Pure."""

from decimal import Decimal

from ai_models.facts.complete import complete, complete_model, matches
from ai_models.facts.sources import Record

from .datasets import dataset, model, priced

THRESHOLD = Decimal("0.10")


def completed(entry, *datasets, provider="openai"):
    return complete_model(entry, matches(datasets, provider, entry.model_id), THRESHOLD)


def test_missing_prices_are_filled_with_their_source():
    facts = dataset(**{"openai__gpt-4.1": priced("2", "8", context_window=1047576)})

    entry = completed(model("gpt-4.1"), facts)

    assert (entry.input_price, entry.output_price, entry.context_window) == (2, 8, 1047576)
    assert entry.source_of("input_price") == "models.dev 2026-05-21"
    assert entry.source_of("context_window") == "models.dev 2026-05-21"
    assert entry.conflicts == ()


def test_the_providers_value_wins_and_keeps_no_source():
    facts = dataset(**{"openrouter__openai/gpt-4.1": priced("2", "8")})

    entry = completed(model("openai/gpt-4.1", "openrouter", input_price=Decimal("2.1"), output_price=Decimal("8")),
                      facts, provider="openrouter")

    assert entry.input_price == Decimal("2.1") and entry.source_of("input_price") == ""
    assert entry.conflicts == ()  # 5% apart: within the threshold


def test_a_disagreement_beyond_the_threshold_is_flagged_and_the_provider_still_wins():
    facts = dataset(**{"anthropic__claude-sonnet-4-5-20250929": priced("3", "15", context_window=200000)})

    entry = completed(model("claude-sonnet-4-5-20250929", "anthropic", context_window=1000000,
                            input_price=Decimal("6")), facts, provider="anthropic")

    assert entry.context_window == 1000000 and entry.input_price == 6
    assert set(entry.conflicts) == {
        ("context_window", "models.dev 2026-05-21", "200000"),
        ("input_price", "models.dev 2026-05-21", "3"),
    }
    assert entry.output_price == 15 and entry.source_of("output_price") == "models.dev 2026-05-21"


def test_unknown_stays_unknown_never_zero():
    facts = dataset(**{"openai__gpt-4.1": Record(context_window=1000)})

    entry = completed(model("gpt-4.1"), facts)
    unmatched = completed(model("gpt-9-unreleased"), facts)

    assert entry.input_price is None and entry.output_price is None
    assert unmatched.input_price is None and unmatched.facts == ()


def test_a_model_served_free_is_free_with_its_source():
    litellm = dataset("litellm", None, **{"gemini/__gemma-3-27b-it": priced("0", "0")})

    entry = completed(model("gemma-3-27b-it", "gemini", reasons={"chat": "supports generateContent"}), litellm,
                      provider="gemini")

    assert entry.input_price == 0 and entry.output_price == 0
    assert entry.source_of("input_price") == "LiteLLM"


def test_a_zero_token_price_of_a_model_priced_otherwise_is_not_free():
    # Whisper is priced per hour of audio: "0 per token" says nothing about its cost.
    facts = dataset(**{"groq__whisper-large-v3": priced("0", "0", context_window=448)})

    entry = completed(model("whisper-large-v3", "groq", kinds=("transcription",),
                            reasons={"transcription": "output modalities include transcription"}), facts,
                      provider="groq")

    assert entry.input_price is None and entry.context_window == 448


def test_merge_order_first_dataset_with_a_value_wins():
    first = dataset(**{"openai__gpt-4.1": Record(context_window=1047576)})
    second = dataset("litellm", None, **{"__gpt-4.1": priced("2", "8", context_window=1000000)})

    entry = completed(model("gpt-4.1"), first, second)

    assert entry.context_window == 1047576 and entry.source_of("context_window") == "models.dev 2026-05-21"
    assert entry.input_price == 2 and entry.source_of("input_price") == "LiteLLM"


def test_a_free_variant_never_takes_the_paid_models_price():
    facts = dataset(**{"openrouter__meta-llama/llama-3.3-70b-instruct": priced("0.13", "0.4", context_window=131072)})

    entry = completed(model("meta-llama/llama-3.3-70b-instruct:free", "openrouter"), facts, provider="openrouter")

    assert entry.input_price is None and entry.context_window == 131072


def test_a_provider_never_takes_another_hosts_prices():
    facts = dataset(**{"openai__gpt-oss-120b": priced("0.1", "0.5")})

    entry = completed(model("gpt-oss-120b", "groq"), facts, provider="groq")

    assert entry.input_price is None


def test_completion_only_mode_removes_chat_guessed_from_the_id():
    litellm = dataset("litellm", None, **{"__gpt-3.5-turbo-instruct-0914": Record(mode="completion")})

    entry = completed(model("gpt-3.5-turbo-instruct-0914"), litellm)

    assert entry.kinds == frozenset() and entry.reasons == {}


def test_mode_gives_the_kind_when_the_id_guessed_chat():
    litellm = dataset("litellm", None, **{"__ada-v2": Record(mode="embedding")})

    entry = completed(model("ada-v2"), litellm)

    assert entry.kinds == {"embedding"}
    assert entry.reasons == {"embedding": "model facts (LiteLLM) list it as an embedding model"}


def test_mode_never_overrides_what_the_provider_said():
    litellm = dataset("litellm", None, **{"groq__some-model": Record(mode="audio_speech")})
    said = model("some-model", "groq", reasons={"chat": "output modalities include text"})

    assert completed(said, litellm, provider="groq").kinds == {"chat"}


def test_mode_never_makes_a_guard_model_chat():
    litellm = dataset("litellm", None, **{"groq/__meta-llama/llama-prompt-guard-2-86m": Record(mode="chat")})
    guard = model("meta-llama/llama-prompt-guard-2-86m", "groq", kinds=("moderation",),
                  reasons={"moderation": "id names a guard model (*guard*, shieldgemma*, *content-safety*), which answers moderation"})

    assert completed(guard, litellm, provider="groq").kinds == {"moderation"}


def test_a_provider_outside_every_dataset_is_returned_as_is():
    models = [model("gpt-4.1", "snapshot")]
    assert complete(models, "snapshot", [dataset(**{"openai__gpt-4.1": priced("2", "8")})], THRESHOLD) is models


def test_equal_source_records_are_one_shared_object():
    facts = dataset(**{"openai__a": priced("1", "2"), "openai__b": priced("3", "4")})

    first, second = complete([model("a"), model("b")], "openai", [facts], THRESHOLD)

    assert first.facts is second.facts
