"""Test and activate for the new kinds: embed one word, transcribe the one-second clip, moderate
one short text, rerank two documents; video has no test call."""

import json

import pytest
import respx
from django.test import override_settings

from ai_models.providers import http
from ai_models.providers.openai import OpenAIProvider
from ai_models.providers.snapshot import SnapshotProvider
from ai_models.trial import trial_call

ALL = ["chat", "embedding", "transcription", "moderation", "rerank", "video"]


@pytest.fixture(autouse=True)
def every_kind(settings, monkeypatch):
    monkeypatch.setattr(http, "sleep", lambda seconds: None)
    with override_settings(AI_MODELS={**settings.AI_MODELS, "CAPABILITIES": ALL}):
        yield


@pytest.mark.parametrize("capability, model_id, summary", [
    ("embedding", "openai/text-embedding-3-small", "a vector of 1536 dimensions (offline demo answer)"),
    ("transcription", "openai/whisper-1", "transcript “[Demo transcript] The offline snapshot provider heard 1.0 s"),
    ("moderation", "openai/omni-moderation-latest", "not flagged (offline demo answer)"),
    ("rerank", "cohere/rerank-v3.5", "documents ranked 1, 2 (offline demo answer)"),
])
def test_the_snapshot_answers_each_test_call(capability, model_id, summary):
    result = trial_call(SnapshotProvider(), model_id, capability)
    assert result.ok and result.demo and result.kind == capability
    assert result.summary.startswith(summary)


def test_video_has_no_test_call():
    result = trial_call(SnapshotProvider(), "openai/sora-2", "video")
    assert not result.ok and "a test call for video models" in result.error


def test_a_real_provider_embeds_one_word():
    with respx.mock() as mock:
        route = mock.post("https://api.openai.com/v1/embeddings").respond(
            json={"data": [{"index": 0, "embedding": [0.0] * 8}]}
        )
        result = trial_call(OpenAIProvider(api_key="sk-test-0123456789"), "text-embedding-3-small", "embedding")
    assert result.ok and result.summary == "a vector of 8 dimensions"
    assert json.loads(route.calls.last.request.content)["input"] == ["test"]


def test_a_provider_without_the_endpoint_fails_the_test_clearly():
    result = trial_call(OpenAIProvider(api_key="sk-test-0123456789"), "some-reranker", "rerank")
    assert not result.ok and result.error == "openai: OpenAI does not support reranking here"
