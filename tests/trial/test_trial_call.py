"""``trial.trial_call``: the minimal real call of the right kind, and how it reports success and failure."""

import base64
import json
import logging
import threading

import httpx
import pytest
import respx

from ai_models.providers import http
from ai_models.providers.base import BaseProvider
from ai_models.providers.openai import OpenAIProvider
from ai_models.providers.openrouter import OpenRouterProvider
from ai_models.providers.snapshot import SnapshotProvider
from ai_models.trial import image_size, trial_call, trial_kind

from ..factories import catalog_model

KEY = "sk-test-trial-0123456789abcdef"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb" * 40


def completion(content="OK"):
    return {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "length"}]}


@pytest.fixture(autouse=True)
def no_waits(monkeypatch):
    monkeypatch.setattr(http, "sleep", lambda seconds: None)


@pytest.fixture
def mock():
    with respx.mock(assert_all_called=False) as router:
        yield router


def sent(route):
    return json.loads(route.calls.last.request.content)


def test_chat_is_one_token_with_the_parameter_openai_accepts(mock):
    route = mock.post("https://api.openai.com/v1/chat/completions").respond(json=completion())

    result = trial_call(OpenAIProvider(api_key=KEY), "gpt-4.1-mini", "chat")

    assert (result.ok, result.kind, result.summary, result.error) == (True, "chat", "reply “OK”", "")
    assert result.latency_ms >= 0
    body = sent(route)
    assert body["model"] == "gpt-4.1-mini" and body["max_completion_tokens"] == 1 and "max_tokens" not in body
    assert len(body["messages"]) == 1


def test_a_second_openai_account_under_another_id_still_gets_openais_parameter(mock):
    route = mock.post("https://api.openai.com/v1/chat/completions").respond(json=completion())

    result = trial_call(OpenAIProvider.serving("openai-eu")(api_key=KEY), "gpt-4.1-mini", "chat")

    assert result.ok and sent(route)["max_completion_tokens"] == 1 and "max_tokens" not in sent(route)


def test_anthropic_is_tried_through_the_messages_api(mock):
    from ai_models.providers.anthropic import AnthropicProvider

    route = mock.post("https://api.anthropic.com/v1/messages").respond(
        json={"type": "message", "content": [{"type": "text", "text": "OK"}]}
    )

    result = trial_call(AnthropicProvider(api_key=KEY), "claude-haiku-4-5-20251001", "chat")

    assert (result.ok, result.summary) == (True, "reply “OK”")
    assert sent(route)["max_tokens"] == 1


def test_other_providers_get_max_tokens(mock):
    route = mock.post("https://openrouter.ai/api/v1/chat/completions").respond(json=completion(""))

    result = trial_call(OpenRouterProvider(api_key=KEY), "anthropic/claude-sonnet-4.5", "content")

    assert result.ok and result.summary == "an empty reply"  # one token may be spent on nothing visible
    assert sent(route)["max_tokens"] == 1


def test_image_capability_draws_the_smallest_image(mock):
    answer = {"data": [{"b64_json": base64.b64encode(PNG).decode()}]}
    route = mock.post("https://api.openai.com/v1/images/generations").respond(json=answer)

    result = trial_call(OpenAIProvider(api_key=KEY), "dall-e-2", "image")

    assert result.ok and result.kind == "image"
    assert result.summary == "an image (image/png, 48\xa0bytes)"
    assert sent(route)["size"] == "256x256" and sent(route)["n"] == 1
    assert image_size("openai/gpt-image-1") == "1024x1024"


def test_audio_capability_speaks_one_word(mock):
    route = mock.post("https://api.openai.com/v1/audio/speech").respond(
        content=MP3, headers={"Content-Type": "audio/mpeg"}
    )

    result = trial_call(OpenAIProvider(api_key=KEY), "gpt-4o-mini-tts", "audio")

    assert result.ok and result.summary.startswith("a speech clip (audio/mpeg, ")
    assert sent(route)["input"] == "Test."


def test_a_provider_error_is_a_failed_result_with_the_error_and_no_key(mock):
    mock.post("https://api.openai.com/v1/chat/completions").respond(401, json={"error": {"message": "bad key"}})

    result = trial_call(OpenAIProvider(api_key=KEY), "gpt-4.1-mini", "chat")

    assert not result.ok and result.summary == ""
    assert result.error.startswith("openai: ") and "(HTTP 401)" in result.error
    assert KEY not in result.error


def test_a_timed_out_call_is_a_failed_result(mock):
    mock.post("https://api.openai.com/v1/chat/completions").mock(side_effect=httpx.ReadTimeout("slow"))

    result = trial_call(OpenAIProvider(api_key=KEY), "gpt-4.1-mini", "chat")

    assert not result.ok and "timed out" in result.error


def test_the_backend_read_timeout_is_cut_to_the_trial_timeout(mock):
    seen = {}

    def answer(request):
        seen.update(request.extensions["timeout"])
        return httpx.Response(200, json=completion())

    mock.post("https://api.openai.com/v1/chat/completions").mock(side_effect=answer)

    trial_call(OpenAIProvider(api_key=KEY, options={"GENERATION_TIMEOUT": 120}), "gpt-4.1-mini", "chat", timeout=4)

    assert seen["read"] == 4


class Hanging(BaseProvider):
    id = "hanging"
    name = "Hanging AI"
    release = threading.Event()

    def chat(self, model_id, messages, **params):
        self.release.wait(10)
        raise AssertionError("released")


def test_a_call_that_never_answers_gives_up_at_the_deadline():
    try:
        result = trial_call(Hanging(), "slow-model", "chat", timeout=0.05)
    finally:
        Hanging.release.set()

    assert not result.ok
    assert result.error == "hanging: no answer within 0.05 seconds"


class Crashing(BaseProvider):
    id = "crashing"
    name = "Crashing AI"

    def generate_image(self, model_id, prompt, *, size="1024x1024"):
        raise RuntimeError(f"boom with {self.api_key}")


def test_an_unexpected_exception_is_logged_and_reported_without_details(caplog):
    with caplog.at_level(logging.ERROR, logger="ai_models.trial"):
        result = trial_call(Crashing(api_key=KEY), "painter", "image")

    assert not result.ok
    assert result.error == "crashing: unexpected RuntimeError during the test call; see the server log"
    assert "Test call to crashing:painter failed" in caplog.text


def test_the_snapshot_answers_locally_as_a_demo():
    result = trial_call(SnapshotProvider(), "openai/gpt-image-1", "image")

    assert result.ok and result.demo
    assert result.summary.startswith("an image (image/png, ") and result.summary.endswith("(offline demo answer)")


def test_a_backend_that_cannot_do_the_kind_fails_cleanly():
    result = trial_call(Crashing(), "talker", "chat")

    assert not result.ok and result.error == "crashing: Crashing AI does not support chat here"


@pytest.mark.parametrize(
    "capability, model_kinds, kind",
    [
        ("chat", ("chat",), "chat"),
        ("content", ("image",), "chat"),
        ("image", ("chat", "image"), "image"),
        ("audio", ("audio",), "speech"),
        ("posters", ("chat",), "image"),  # declared kind image
        ("vectors", ("chat",), "embedding"),
        ("transcription", (), "transcription"),
        ("narration", ("audio",), "speech"),  # no kind declared: the model's only kind
        ("summary", ("chat", "image"), "chat"),
        ("summary", (), "chat"),
    ],
)
def test_the_kind_of_call_is_the_capabilitys_then_the_models(settings, capability, model_kinds, kind):
    settings.AI_MODELS = {**settings.AI_MODELS, "CAPABILITIES": {
        "chat": "Chat", "content": "Content", "image": "Image", "audio": "Audio", "transcription": "Voice notes",
        "posters": {"label": "Posters", "kind": "image"}, "vectors": {"label": "Vectors", "kind": "embedding"},
        "narration": "Narration", "summary": "Summary",
    }}
    assert trial_kind(capability, catalog_model(capabilities=model_kinds)) == kind


def test_the_snapshot_refuses_a_kind_its_model_does_not_output(db):
    """A demo "Test and activate" of a text model for audio gave a fake clip and succeeded."""
    from ai_models.catalog import get_entry
    from ai_models.trial import run_trial

    text_model = get_entry("snapshot", "openai/gpt-4.1-mini")
    speech_model = get_entry("snapshot", "openai/gpt-4o-mini-tts")

    refused = run_trial(text_model, "audio")
    assert not refused.ok
    assert "openai/gpt-4.1-mini does not output audio (its catalog entry lists text)" in refused.error
    assert run_trial(speech_model, "audio").ok
    assert run_trial(text_model, "chat").ok
