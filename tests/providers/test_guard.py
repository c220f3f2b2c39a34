"""Guard models as moderation: their verdicts read, and moderate() asking them through chat completions."""

import pytest

from ai_models.exceptions import ProviderResponseError
from ai_models.providers.groq import GroqProvider
from ai_models.providers.guard import read_verdict
from ai_models.providers.openrouter import OpenRouterProvider
from ai_models.providers.snapshot import SnapshotProvider

from ..json_server import JSONServer, chat_completion


@pytest.mark.parametrize(
    ("answer", "flagged", "categories"),
    [
        ("safe", False, {}),
        ("unsafe\nS1,S10", True, {"violent_crimes": True, "hate": True}),
        ("unsafe\nS9", True, {"indiscriminate_weapons": True}),
        ("BENIGN", False, {"prompt_attack": False}),
        ("JAILBREAK", True, {"prompt_attack": True, "jailbreak": True}),
        ('{"violation": 1, "category": "violence"}', True, {"violence": True}),
        ('{"violation": 0, "category": null}', False, {}),
        ('{"User Safety": "unsafe", "Safety Categories": "Violence, Threat"}', True, {"violence": True, "threat": True}),
        ('{"User Safety": "safe"}', False, {}),
        ("Yes", True, {}),
        ("No", False, {}),
    ],
)
def test_every_guard_models_verdict_is_read(answer, flagged, categories):
    assert read_verdict(answer)[:2] == (flagged, categories)


def test_prompt_guard_scores_are_kept():
    assert read_verdict("0.9993") == (True, {"prompt_attack": True}, {"prompt_attack": 0.9993})
    assert read_verdict("0.0012")[0] is False


@pytest.mark.parametrize("answer", ["", "Hello! How can I help?", "1.7", "{}", '{"score": 3}', "not json {"])
def test_an_answer_that_is_no_verdict_is_none_never_safe(answer):
    assert read_verdict(answer) is None


@pytest.fixture
def server(settings):
    running = JSONServer()
    settings.AI_MODELS = {**settings.AI_MODELS, "ALLOWED_HTTP_HOSTS": [running.host]}
    yield running
    running.close()


@pytest.mark.parametrize("provider_class", [GroqProvider, OpenRouterProvider])
def test_moderate_asks_a_guard_model_through_chat_completions(server, provider_class):
    server.answer = chat_completion("unsafe\nS1")
    backend = provider_class(api_key="sk-test", base_url=server.url)

    result = backend.moderate("meta-llama/llama-guard-4-12b", "I will attack them")

    assert result.flagged is True and result.categories == {"violent_crimes": True}
    assert result.raw["verdict"] == "unsafe\nS1"
    [request] = server.requests
    assert request["path"].endswith("/chat/completions")
    assert request["body"]["model"] == "meta-llama/llama-guard-4-12b"
    assert request["body"]["messages"] == [{"role": "user", "content": "I will attack them"}]


def test_gpt_oss_safeguard_is_given_its_policy(server):
    server.answer = chat_completion('{"violation": 1, "category": "hate"}')
    backend = GroqProvider(api_key="sk-test", base_url=server.url)

    result = backend.moderate("openai/gpt-oss-safeguard-20b", "you people are vermin")

    assert result.flagged and result.categories == {"hate": True}
    system, user = server.requests[0]["body"]["messages"]
    assert system["role"] == "system" and "violation" in system["content"]
    assert user == {"role": "user", "content": "you people are vermin"}


def test_a_guard_model_that_answers_no_verdict_is_an_error_not_safe(server):
    server.answer = chat_completion("Sure! Here is a poem about the sea.")
    backend = GroqProvider(api_key="sk-test", base_url=server.url)

    with pytest.raises(ProviderResponseError, match="verdict"):
        backend.moderate("meta-llama/llama-guard-4-12b", "Write a poem")


def test_the_offline_snapshot_answers_as_a_guard_model(settings):
    backend = SnapshotProvider()

    flagged = backend.moderate("meta-llama/llama-guard-4-12b", "I will kill you, idiot")
    clean = backend.moderate("meta-llama/llama-guard-4-12b", "What a lovely day")

    assert flagged.demo and flagged.flagged and flagged.categories == {"violent_crimes": True, "hate": True}
    assert flagged.raw["verdict"] == "unsafe\nS1,S10"
    assert not clean.flagged and clean.raw["verdict"] == "safe"
