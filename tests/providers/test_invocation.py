"""Calling models: chat, images and speech through each backend, over mocked HTTP shaped like the real APIs.

Every test that gets its backend from ``backend_for`` runs twice: through the sync methods, and
through their async twins (``achat``... on an ``httpx.AsyncClient``), driven by ``ThroughAsync``.
"""

import asyncio
import base64
import json
import wave
import zlib
from io import BytesIO

import httpx
import pytest
import respx

from ai_models.exceptions import (
    ProviderAuthError,
    ProviderResponseError,
    ProviderUnavailable,
    ProviderUnsupported,
)
from ai_models.providers import http
from ai_models.providers.deepseek import DeepSeekProvider
from ai_models.providers.gemini import GeminiProvider
from ai_models.providers.groq import GroqProvider
from ai_models.providers.huggingface import HuggingFaceProvider
from ai_models.providers.media import sniff_image_type
from ai_models.providers.openai import OpenAIProvider
from ai_models.providers.openrouter import OpenRouterProvider, aspect_ratio
from ai_models.providers.snapshot import SnapshotProvider

from .contract import SECRET_KEY, error_chain

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb" * 40
MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello?"}]


def completion(content="Hi! How can I help?", **message):
    return {
        "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
        "object": "chat.completion",
        "created": 1741569952,
        "model": "gpt-4.1-mini-2025-04-14",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None, **message},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 19, "completion_tokens": 10, "total_tokens": 29},
    }


def images_answer(blob=PNG):
    return {"created": 1713833628, "data": [{"b64_json": base64.b64encode(blob).decode()}], "usage": {}}


@pytest.fixture(autouse=True)
def sleeps(monkeypatch):
    waits = []

    async def asleep(seconds):
        waits.append(seconds)

    monkeypatch.setattr(http, "sleep", waits.append)
    monkeypatch.setattr(http, "asleep", asleep)
    return waits


class ThroughAsync:
    """A backend whose sync calls run its async twins, so each case also tests the async path."""

    def __init__(self, backend):
        self.backend = backend

    def chat(self, *args, **kwargs):
        return asyncio.run(self.backend.achat(*args, **kwargs))

    def generate_image(self, *args, **kwargs):
        return asyncio.run(self.backend.agenerate_image(*args, **kwargs))

    def synthesize_speech(self, *args, **kwargs):
        return asyncio.run(self.backend.asynthesize_speech(*args, **kwargs))


@pytest.fixture(autouse=True, params=["sync", "async"])
def call_mode(request, monkeypatch):
    if request.param == "async":
        made = backend_for
        monkeypatch.setitem(globals(), "backend_for", lambda *args, **kwargs: ThroughAsync(made(*args, **kwargs)))
    return request.param


@pytest.fixture
def mock():
    with respx.mock(assert_all_called=False) as router:
        yield router


def sent_json(route):
    return json.loads(route.calls.last.request.content)


# One case per invocation path: (backend, POST URL, call, good answer).
CASES = {
    "openai-chat": (
        OpenAIProvider,
        "https://api.openai.com/v1/chat/completions",
        lambda backend: backend.chat("gpt-4.1-mini", MESSAGES, temperature=0.2),
        httpx.Response(200, json=completion()),
    ),
    "groq-chat": (
        GroqProvider,
        "https://api.groq.com/openai/v1/chat/completions",
        lambda backend: backend.chat("llama-3.3-70b-versatile", MESSAGES),
        httpx.Response(200, json=completion()),
    ),
    "deepseek-chat": (
        DeepSeekProvider,
        "https://api.deepseek.com/chat/completions",
        lambda backend: backend.chat("deepseek-chat", MESSAGES),
        httpx.Response(200, json=completion()),
    ),
    "openrouter-chat": (
        OpenRouterProvider,
        "https://openrouter.ai/api/v1/chat/completions",
        lambda backend: backend.chat("anthropic/claude-sonnet-4.5", MESSAGES),
        httpx.Response(200, json=completion()),
    ),
    "gemini-chat": (
        GeminiProvider,
        "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions",
        lambda backend: backend.chat("gemini-2.5-flash", MESSAGES),
        httpx.Response(200, json=completion()),
    ),
    "openai-image": (
        OpenAIProvider,
        "https://api.openai.com/v1/images/generations",
        lambda backend: backend.generate_image("gpt-image-1", "a red fox"),
        httpx.Response(200, json=images_answer()),
    ),
    "openrouter-image": (
        OpenRouterProvider,
        "https://openrouter.ai/api/v1/chat/completions",
        lambda backend: backend.generate_image("google/gemini-2.5-flash-image", "a red fox"),
        httpx.Response(
            200,
            json=completion(
                "Here is your fox.",
                images=[
                    {
                        "type": "image_url",
                        "image_url": {"url": "data:image/png;base64," + base64.b64encode(PNG).decode()},
                    }
                ],
            ),
        ),
    ),
    "openai-speech": (
        OpenAIProvider,
        "https://api.openai.com/v1/audio/speech",
        lambda backend: backend.synthesize_speech("gpt-4o-mini-tts", "Hello there"),
        httpx.Response(200, content=MP3, headers={"Content-Type": "audio/mpeg"}),
    ),
    "groq-speech": (
        GroqProvider,
        "https://api.groq.com/openai/v1/audio/speech",
        lambda backend: backend.synthesize_speech(
            "playai-tts", "Hello there", voice="Fritz-PlayAI", audio_format="wav"
        ),
        httpx.Response(200, content=b"RIFF\x24\x00\x00\x00WAVEfmt ", headers={"Content-Type": "audio/wav"}),
    ),
}
JSON_CASES = [name for name in CASES if not name.endswith("speech")]


def backend_for(name, api_key=SECRET_KEY):
    return CASES[name][0](api_key=api_key, key_source="environment")


def route_for(mock, name):
    return mock.post(CASES[name][1])


# -- generic behaviour of every invocation path --------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_a_good_answer_is_returned(mock, name):
    provider_class, _url, call, answer = CASES[name]
    route = route_for(mock, name).mock(return_value=answer)
    generation = call(backend_for(name))
    assert route.call_count == 1
    assert generation.provider == provider_class.id and not generation.demo
    assert generation.text or generation.data
    request = route.calls.last.request
    assert request.headers["Authorization"] == f"Bearer {SECRET_KEY}"
    assert SECRET_KEY not in str(request.url)


@pytest.mark.parametrize("name", CASES)
def test_a_rejected_key_is_an_auth_error_without_the_key(mock, name):
    route_for(mock, name).respond(401, json={"error": {"message": f"Incorrect API key provided: {SECRET_KEY}"}})
    with pytest.raises(ProviderAuthError) as info:
        CASES[name][2](backend_for(name))
    assert info.value.status == 401
    assert all(SECRET_KEY not in str(err) for err in error_chain(info.value))


@pytest.mark.parametrize("name", CASES)
def test_server_errors_are_retried_then_unavailable(mock, name, sleeps):
    route = route_for(mock, name).respond(500, json={"error": {"message": "The server had an error"}})
    with pytest.raises(ProviderUnavailable) as info:
        CASES[name][2](backend_for(name))
    assert route.call_count == 3 and len(sleeps) == 2
    assert "server had an error" in info.value.excerpt


@pytest.mark.parametrize("name", CASES)
def test_a_timeout_is_unavailable(mock, name):
    route_for(mock, name).mock(side_effect=httpx.ReadTimeout("read timed out"))
    with pytest.raises(ProviderUnavailable, match="unreachable"):
        CASES[name][2](backend_for(name))


@pytest.mark.parametrize("name", JSON_CASES)
def test_an_answer_that_is_not_json(mock, name):
    route_for(mock, name).respond(200, text="<html>upstream error</html>")
    with pytest.raises(ProviderResponseError, match="not JSON"):
        CASES[name][2](backend_for(name))


@pytest.mark.parametrize("name", JSON_CASES)
def test_json_of_the_wrong_shape(mock, name):
    route_for(mock, name).respond(200, json={"object": "list", "data": []})
    with pytest.raises(ProviderResponseError, match="unexpected answer"):
        CASES[name][2](backend_for(name))


@pytest.mark.parametrize("name", CASES)
def test_calling_a_model_needs_a_key_even_where_listing_does_not(mock, name):
    route = route_for(mock, name)
    with pytest.raises(ProviderAuthError, match=CASES[name][0].api_key_env):
        CASES[name][2](backend_for(name, api_key=""))
    assert not route.called


@pytest.mark.parametrize("name", CASES)
def test_a_bad_request_says_why(mock, name):
    route_for(mock, name).respond(
        400, json={"error": {"message": "Invalid model 'nope'", "type": "invalid_request_error"}}
    )
    with pytest.raises(ProviderResponseError) as info:
        CASES[name][2](backend_for(name))
    assert info.value.status == 400 and "Invalid model" in info.value.excerpt


# -- request bodies and answers, per path --------------------------------------------------


def test_chat_request_and_reply(mock):
    route = route_for(mock, "openai-chat").mock(return_value=CASES["openai-chat"][3])
    generation = CASES["openai-chat"][2](backend_for("openai-chat"))
    assert sent_json(route) == {"model": "gpt-4.1-mini", "messages": MESSAGES, "temperature": 0.2}
    assert generation.kind == "text" and generation.text == "Hi! How can I help?"
    assert generation.raw["usage"]["total_tokens"] == 29


def test_chat_content_parts_are_joined(mock):
    route_for(mock, "deepseek-chat").respond(
        json=completion([{"type": "text", "text": "Hello "}, {"type": "text", "text": "world"}])
    )
    assert backend_for("deepseek-chat").chat("deepseek-chat", MESSAGES).text == "Hello world"


def test_gemini_chat_uses_a_bearer_key_on_its_openai_endpoint(mock):
    route = route_for(mock, "gemini-chat").respond(json=completion())
    backend_for("gemini-chat").chat("gemini-2.5-flash", MESSAGES)
    request = route.calls.last.request
    assert request.headers["Authorization"] == f"Bearer {SECRET_KEY}"
    assert "x-goog-api-key" not in request.headers
    assert sent_json(route)["model"] == "gemini-2.5-flash"


def test_openai_image_request_and_bytes(mock):
    route = route_for(mock, "openai-image").respond(json=images_answer())
    generation = backend_for("openai-image").generate_image("gpt-image-1", "a red fox", size="1536x1024")
    assert sent_json(route) == {"model": "gpt-image-1", "prompt": "a red fox", "size": "1536x1024", "n": 1}
    assert (generation.kind, generation.data, generation.mime_type) == ("image", PNG, "image/png")
    assert generation.raw["data"][0]["b64_json"].endswith("binary data omitted>")


def test_dall_e_is_asked_for_base64(mock):
    route = route_for(mock, "openai-image").respond(json=images_answer())
    backend_for("openai-image").generate_image("dall-e-3", "a red fox")
    assert sent_json(route)["response_format"] == "b64_json"


@pytest.mark.parametrize(
    "answer",
    [
        {"created": 1, "data": [{"url": "https://oaidalleapiprodscus.blob.core.windows.net/x.png"}]},
        {"created": 1, "data": [{"b64_json": "!!! not base64 !!!"}]},
        {"created": 1, "data": [{"b64_json": base64.b64encode(b"<svg/>").decode()}]},
        {"created": 1, "data": []},
    ],
)
def test_an_image_answer_without_usable_bytes(mock, answer):
    route_for(mock, "openai-image").respond(json=answer)
    with pytest.raises(ProviderResponseError, match="base64 image data"):
        backend_for("openai-image").generate_image("gpt-image-1", "a red fox")


def test_openrouter_image_asks_for_image_output(mock):
    route = route_for(mock, "openrouter-image").mock(return_value=CASES["openrouter-image"][3])
    generation = backend_for("openrouter-image").generate_image(
        "google/gemini-2.5-flash-image", "a red fox", size="1024x768"
    )
    body = sent_json(route)
    assert body["modalities"] == ["image", "text"]
    assert body["messages"] == [{"role": "user", "content": "a red fox"}]
    assert body["image_config"] == {"aspect_ratio": "4:3"}
    assert (generation.data, generation.mime_type, generation.text) == (PNG, "image/png", "Here is your fox.")
    assert "base64," not in json.dumps(generation.raw)


def test_openrouter_image_answer_without_an_image(mock):
    route_for(mock, "openrouter-image").respond(json=completion("I cannot draw that."))
    with pytest.raises(ProviderResponseError, match="an image"):
        backend_for("openrouter-image").generate_image("google/gemini-2.5-flash-image", "a red fox")


def test_aspect_ratios():
    assert aspect_ratio("1024x1024") == "1:1"
    assert aspect_ratio("1536x1024") == "3:2"
    assert aspect_ratio("auto") == ""


def test_speech_request_and_audio(mock):
    route = route_for(mock, "openai-speech").mock(return_value=CASES["openai-speech"][3])
    generation = backend_for("openai-speech").synthesize_speech("gpt-4o-mini-tts", "Hello there", voice="coral")
    assert sent_json(route) == {
        "model": "gpt-4o-mini-tts",
        "input": "Hello there",
        "voice": "coral",
        "response_format": "mp3",
    }
    assert route.calls.last.request.headers["Accept"] == "audio/*"
    assert (generation.kind, generation.data, generation.mime_type) == ("audio", MP3, "audio/mpeg")


def test_speech_type_from_the_format_when_the_header_is_vague(mock):
    route_for(mock, "groq-speech").respond(
        200, content=b"RIFF....WAVE", headers={"Content-Type": "application/octet-stream"}
    )
    generation = backend_for("groq-speech").synthesize_speech("playai-tts", "Hi", audio_format="wav")
    assert generation.mime_type == "audio/wav"


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, json={"error": {"message": "quota"}}),
        httpx.Response(200, content=b"", headers={"Content-Type": "audio/mpeg"}),
    ],
)
def test_speech_answer_that_is_not_audio(mock, answer):
    route_for(mock, "openai-speech").mock(return_value=answer)
    with pytest.raises(ProviderResponseError, match="audio data"):
        backend_for("openai-speech").synthesize_speech("tts-1", "Hello")


def test_generation_answers_are_size_capped_too(mock, settings):
    settings.AI_MODELS = {**settings.AI_MODELS, "MAX_RESPONSE_BYTES": 100}
    route_for(mock, "openai-image").respond(json=images_answer(PNG * 10))
    with pytest.raises(ProviderResponseError, match="larger than 100 bytes"):
        backend_for("openai-image").generate_image("gpt-image-1", "a red fox")


@pytest.mark.parametrize(
    "backend, call",
    [
        (DeepSeekProvider, lambda b: b.generate_image("deepseek-chat", "x")),
        (DeepSeekProvider, lambda b: b.synthesize_speech("deepseek-chat", "x")),
        (GroqProvider, lambda b: b.generate_image("llama-3.3-70b-versatile", "x")),
        (GeminiProvider, lambda b: b.generate_image("imagen-4.0-generate-001", "x")),
        (GeminiProvider, lambda b: b.synthesize_speech("gemini-2.5-flash-preview-tts", "x")),
        (OpenRouterProvider, lambda b: b.synthesize_speech("openai/gpt-4o-mini-tts", "x")),
        (HuggingFaceProvider, lambda b: b.chat("meta-llama/Llama-3.1-8B-Instruct", MESSAGES)),
        (HuggingFaceProvider, lambda b: b.generate_image("black-forest-labs/FLUX.1-dev", "x")),
        (HuggingFaceProvider, lambda b: b.synthesize_speech("hexgrad/Kokoro-82M", "x")),
    ],
)
def test_what_a_backend_cannot_do_is_unsupported(mock, backend, call):
    with pytest.raises(ProviderUnsupported, match=backend.name):
        call(backend(api_key=SECRET_KEY))
    assert not mock.calls


# -- the offline snapshot answers locally ----------------------------------------------------


def png_size(data):
    assert sniff_image_type(data) == "image/png"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    idat = data.index(b"IDAT")
    length = int.from_bytes(data[idat - 4 : idat], "big")
    pixels = zlib.decompress(data[idat + 4 : idat + 4 + length])
    assert len(pixels) == height * (1 + 3 * width)
    return width, height


def test_snapshot_chat_is_labelled_demo_and_echoes_the_prompt():
    generation = SnapshotProvider().chat("openai/gpt-4.1-mini", MESSAGES)
    assert generation.demo and generation.kind == "text"
    assert "Demo" in generation.text and "Hello?" in generation.text
    assert generation.text == SnapshotProvider().chat("openai/gpt-4.1-mini", MESSAGES).text


def test_snapshot_images_are_valid_pngs_decided_by_the_prompt():
    snapshot = SnapshotProvider()
    fox = snapshot.generate_image("openai/gpt-image-1", "a red fox", size="320x200")
    assert fox.demo and fox.mime_type == "image/png"
    assert png_size(fox.data) == (320, 200)
    assert snapshot.generate_image("openai/gpt-image-1", "a red fox", size="320x200").data == fox.data
    assert snapshot.generate_image("openai/gpt-image-1", "a blue owl", size="320x200").data != fox.data
    assert png_size(snapshot.generate_image("openai/gpt-image-1", "x", size="99999x3").data) == (1024, 8)


def test_snapshot_speech_is_a_valid_wav_decided_by_the_text():
    snapshot = SnapshotProvider()
    hello = snapshot.synthesize_speech("openai/tts-1", "Hello there, world")
    assert hello.demo and hello.mime_type == "audio/wav"
    with wave.open(BytesIO(hello.data)) as audio:
        assert (audio.getnchannels(), audio.getsampwidth()) == (1, 2)
        assert 0.3 < audio.getnframes() / audio.getframerate() < 3
    assert snapshot.synthesize_speech("openai/tts-1", "Hello there, world").data == hello.data
    assert snapshot.synthesize_speech("openai/tts-1", "Goodbye now, moon").data != hello.data


@pytest.mark.django_db
def test_a_saved_model_calls_its_provider_with_the_stored_key(mock, settings):
    from ai_models.models import AIModel, Provider

    settings.AI_MODELS = {**settings.AI_MODELS, "PROVIDERS": {"openai": {}}}
    row = Provider(slug="openai", name="OpenAI")
    row.api_key = SECRET_KEY
    row.save()
    model = AIModel.objects.create(provider=row, model_id="gpt-4.1-mini", capability="chat", is_active=True)
    route = route_for(mock, "openai-chat").respond(json=completion())
    assert model.get_backend().chat(model.model_id, MESSAGES).text == "Hi! How can I help?"
    assert route.calls.last.request.headers["Authorization"] == f"Bearer {SECRET_KEY}"
