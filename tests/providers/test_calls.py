"""Embeddings, transcriptions, moderations and rerank through each backend, over mocked HTTP
shaped like the real APIs; the offline snapshot answers each locally."""

import json
import wave
from io import BytesIO

import pytest
import respx

from ai_models.exceptions import ProviderAuthError, ProviderResponseError, ProviderUnavailable, ProviderUnsupported
from ai_models.providers import http
from ai_models.providers.deepseek import DeepSeekProvider
from ai_models.providers.gemini import GeminiProvider
from ai_models.providers.groq import GroqProvider
from ai_models.providers.huggingface import HuggingFaceProvider
from ai_models.providers.media import one_second_clip, wav_seconds
from ai_models.providers.openai import OpenAIProvider
from ai_models.providers.openrouter import OpenRouterProvider
from ai_models.providers.results import Moderation, Ranking, Transcription
from ai_models.providers.snapshot import SnapshotProvider

from .contract import SECRET_KEY

EMBEDDINGS = {
    "object": "list",
    "data": [
        {"object": "embedding", "index": 1, "embedding": [0.5, -0.25, 0.125]},
        {"object": "embedding", "index": 0, "embedding": [0.1, 0.2, 0.3]},
    ],
    "model": "text-embedding-3-small",
    "usage": {"prompt_tokens": 4, "total_tokens": 4},
}
MODERATION = {
    "id": "modr-970d409ef3bef3b70c73d8232df86e7d",
    "model": "omni-moderation-latest",
    "results": [{"flagged": True, "categories": {"violence": True, "harassment": False},
                 "category_scores": {"violence": 0.86, "harassment": 0.001}}],
}


@pytest.fixture
def mock(monkeypatch):
    """Mocked HTTP, and retries that do not wait."""
    monkeypatch.setattr(http, "sleep", lambda seconds: None)
    with respx.mock(assert_all_called=False) as router:
        yield router


EMBEDDING_URLS = {
    OpenAIProvider: "https://api.openai.com/v1/embeddings",
    OpenRouterProvider: "https://openrouter.ai/api/v1/embeddings",
    GeminiProvider: "https://generativelanguage.googleapis.com/v1beta/openai/embeddings",
}


@pytest.mark.parametrize("backend_class", list(EMBEDDING_URLS))
def test_embeddings_in_the_order_given(mock, backend_class):
    route = mock.post(EMBEDDING_URLS[backend_class]).respond(json=EMBEDDINGS)
    result = backend_class(api_key=SECRET_KEY).embed("text-embedding-3-small", ["first", "second"])
    assert result.kind == "embedding"
    assert result.vectors == ((0.1, 0.2, 0.3), (0.5, -0.25, 0.125))
    assert json.loads(route.calls.last.request.content) == {"model": "text-embedding-3-small",
                                                             "input": ["first", "second"]}
    assert route.calls.last.request.headers["Authorization"] == f"Bearer {SECRET_KEY}"
    assert "data" not in result.raw


def test_an_embedding_answer_missing_a_vector_is_a_clear_error(mock):
    mock.post(EMBEDDING_URLS[OpenAIProvider]).respond(json={"data": [{"index": 0, "embedding": [0.1]}]})
    with pytest.raises(ProviderResponseError, match="one embedding per input"):
        OpenAIProvider(api_key=SECRET_KEY).embed("text-embedding-3-small", ["a", "b"])


@pytest.mark.parametrize("backend_class, url", [
    (OpenAIProvider, "https://api.openai.com/v1/audio/transcriptions"),
    (GroqProvider, "https://api.groq.com/openai/v1/audio/transcriptions"),
])
def test_transcription_sends_the_clip_as_a_file(mock, backend_class, url):
    route = mock.post(url).respond(json={"text": " Hello there. ", "language": "english"})
    result = backend_class(api_key=SECRET_KEY).transcribe("whisper-1", one_second_clip(), language="en")
    assert isinstance(result, Transcription) and result.text == "Hello there." and result.language == "english"
    request = route.calls.last.request
    assert request.headers["Content-Type"].startswith("multipart/form-data")
    body = request.content
    assert b'name="model"' in body and b"whisper-1" in body and b'name="language"' in body
    assert b'filename="clip.wav"' in body and one_second_clip() in body


def test_moderation_reads_flags_and_scores(mock):
    route = mock.post("https://api.openai.com/v1/moderations").respond(json=MODERATION)
    result = OpenAIProvider(api_key=SECRET_KEY).moderate("omni-moderation-latest", "some text")
    assert isinstance(result, Moderation) and result.flagged
    assert result.categories == {"violence": True, "harassment": False} and result.scores["violence"] == 0.86
    assert json.loads(route.calls.last.request.content) == {"model": "omni-moderation-latest", "input": "some text"}


def test_errors_are_the_same_hierarchy_as_chat(mock):
    url = "https://api.openai.com/v1/moderations"
    mock.post(url).respond(401, json={"error": {"message": "Incorrect API key provided"}})
    with pytest.raises(ProviderAuthError) as denied:
        OpenAIProvider(api_key=SECRET_KEY, key_source="environment").moderate("omni-moderation-latest", "x")
    assert "OPENAI_API_KEY" in str(denied.value) and SECRET_KEY not in str(denied.value)
    mock.post(url).respond(503)
    with pytest.raises(ProviderUnavailable):
        OpenAIProvider(api_key=SECRET_KEY).moderate("omni-moderation-latest", "x")
    mock.post(url).respond(200, json={"results": []})
    with pytest.raises(ProviderResponseError, match="a moderation result"):
        OpenAIProvider(api_key=SECRET_KEY).moderate("omni-moderation-latest", "x")
    mock.post("https://api.groq.com/openai/v1/audio/transcriptions").respond(200, json={"words": []})
    with pytest.raises(ProviderResponseError, match="a transcript"):
        GroqProvider(api_key=SECRET_KEY).transcribe("whisper-large-v3", one_second_clip())


def test_a_backend_with_a_rerank_endpoint_orders_the_documents(mock):
    class RerankingProvider(OpenAIProvider):  # as a Jina- or Cohere-style server answers
        id = "reranker"
        rerank_path = "/rerank"

    answer = {"results": [{"index": 0, "relevance_score": 0.1}, {"index": 1, "relevance_score": 0.9}]}
    route = mock.post("https://api.openai.com/v1/rerank").respond(json=answer)
    result = RerankingProvider(api_key=SECRET_KEY).rerank("jina-reranker-v2", "capital?", ["bananas", "Paris"])
    assert isinstance(result, Ranking) and [(item.index, item.score) for item in result.results] == [(1, 0.9), (0, 0.1)]
    assert json.loads(route.calls.last.request.content)["documents"] == ["bananas", "Paris"]
    mock.post("https://api.openai.com/v1/rerank").respond(json={"results": [{"index": 5, "relevance_score": 1}]})
    with pytest.raises(ProviderResponseError, match="a ranking"):
        RerankingProvider(api_key=SECRET_KEY).rerank("jina-reranker-v2", "q", ["a"])


UNSUPPORTED = [
    (OpenAIProvider, "rerank"),
    (GroqProvider, "embed"), (GroqProvider, "moderate"), (GroqProvider, "rerank"),
    (OpenRouterProvider, "transcribe"), (OpenRouterProvider, "moderate"), (OpenRouterProvider, "rerank"),
    (GeminiProvider, "transcribe"), (GeminiProvider, "moderate"), (GeminiProvider, "rerank"),
    (DeepSeekProvider, "embed"), (DeepSeekProvider, "transcribe"), (DeepSeekProvider, "moderate"),
    (HuggingFaceProvider, "embed"), (HuggingFaceProvider, "transcribe"), (HuggingFaceProvider, "rerank"),
]
ARGUMENTS = {"embed": (["a"],), "transcribe": (b"RIFF",), "moderate": ("a",), "rerank": ("q", ["a"])}


@pytest.mark.parametrize("backend_class, call", UNSUPPORTED)
def test_what_a_provider_lacks_is_said_without_a_request(mock, backend_class, call):
    with pytest.raises(ProviderUnsupported) as refused:
        getattr(backend_class(api_key=SECRET_KEY), call)("some-model", *ARGUMENTS[call])
    assert backend_class.name in str(refused.value)
    assert not mock.calls


# -- offline ---------------------------------------------------------------------------------


def test_the_clip_of_the_test_call_is_one_second_of_wav():
    clip = one_second_clip()
    with wave.open(BytesIO(clip)) as audio:
        assert audio.getnframes() / audio.getframerate() == 1.0
    assert wav_seconds(clip) == 1.0 and len(clip) < 20_000
    assert wav_seconds(b"not a wav") is None


def test_the_snapshot_answers_every_call_offline():
    snapshot = SnapshotProvider()
    small = snapshot.embed("openai/text-embedding-3-small", ["word", "word", "other"])
    assert small.demo and len(small.vectors[0]) == 1536  # as the snapshot file lists it
    assert small.vectors[0] == small.vectors[1] != small.vectors[2]
    assert abs(sum(value * value for value in small.vectors[0]) - 1) < 1e-9
    assert len(snapshot.embed("openai/text-embedding-3-large", ["word"]).vectors[0]) == 3072
    heard = snapshot.transcribe("openai/whisper-1", one_second_clip())
    assert heard.demo and "1.0 s" in heard.text
    assert not snapshot.moderate("openai/omni-moderation-latest", "Hello, world.").flagged
    flagged = snapshot.moderate("openai/omni-moderation-latest", "I will attack you")
    assert flagged.flagged and flagged.categories["violence"]
    ranking = snapshot.rerank("cohere/rerank-v3.5", "capital of France", ["Bananas are yellow.", "Paris, capital of France."])
    assert ranking.demo and [item.index for item in ranking.results] == [1, 0]
