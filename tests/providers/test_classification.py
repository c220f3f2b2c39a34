"""Which capabilities a model gets, and why: the shared rules in ai_models.capabilities."""

import pytest

from ai_models.capabilities import (
    classify_by_gemini_methods,
    classify_by_id,
    classify_by_modalities,
    classify_by_pipeline_tag,
    special_purpose,
    without_special_purpose,
)

CHAT = {"chat", "content"}

NEVER_CHAT = [
    "text-embedding-3-large",
    "openai/text-embedding-ada-002",
    "nomic-ai/nomic-embed-text-v1.5",
    "omni-moderation-latest",
    "text-moderation-stable",
    "jina-reranker-v2-base-multilingual",
    "cohere/rerank-v3.5",
    "meta-llama/llama-guard-4-12b",
    "meta-llama/Llama-Prompt-Guard-2-86M",
    "google/shieldgemma-2b",
    "sora-2-pro",
    "veo-3.0-fast-generate-001",
    "gpt-realtime-mini",
    "gpt-4o-mini-realtime-preview",
    "gemini-2.0-flash-live-001",
    "whisper-large-v3-turbo",
    "gpt-4o-mini-transcribe",
]


@pytest.mark.parametrize("model_id", NEVER_CHAT)
def test_special_purpose_models_are_never_chat(model_id):
    assert special_purpose(model_id)
    assert not set(classify_by_id(model_id)) & CHAT
    # Even when their provider says they output text.
    assert not set(without_special_purpose(classify_by_modalities(["text"]), model_id)) & CHAT


@pytest.mark.parametrize(
    "model_id, expected",
    [
        ("gpt-image-1", {"image"}),
        ("gpt-image-1-mini", {"image"}),
        ("dall-e-3", {"image"}),
        ("imagen-4.0-ultra-generate-001", {"image"}),
        ("black-forest-labs/flux-1.1-pro", {"image"}),
        ("tts-1-hd", {"audio"}),
        ("gpt-4o-mini-tts", {"audio"}),
        ("gemini-2.5-pro-preview-tts", {"audio"}),
        ("playai-tts-arabic", {"audio"}),
        ("gpt-4o-audio-preview", CHAT | {"audio"}),
        ("gpt-4.1", CHAT),
        ("o4-mini", CHAT),
        ("deepseek-reasoner", CHAT),
        ("gpt-3.5-turbo-instruct", set()),
        ("babbage-002", set()),
    ],
)
def test_a_bare_id_list_is_classified_by_id(model_id, expected):
    assert set(classify_by_id(model_id)) == expected


def test_reasons_name_the_rule():
    assert "tts-*" in classify_by_id("tts-1")["audio"]
    assert classify_by_modalities(["image", "text"]) == {
        "chat": "output modalities include text",
        "content": "output modalities include text",
        "image": "output modalities include image",
    }


def test_modalities():
    assert set(classify_by_modalities(["embeddings"])) == set()
    assert set(classify_by_modalities(["transcription"])) == set()
    assert set(classify_by_modalities(["speech"])) == {"audio"}
    assert set(classify_by_modalities(["AUDIO", "Text"])) == CHAT | {"audio"}
    assert classify_by_modalities([], voices=True) == {"audio": "lists voices for speech output"}


@pytest.mark.parametrize(
    "model_id, methods, expected",
    [
        ("gemini-2.5-flash", ["generateContent", "countTokens"], CHAT),
        ("gemini-2.5-flash-image-preview", ["generateContent"], {"image"}),
        ("gemini-2.0-flash-preview-image-generation", ["generateContent"], {"image"}),
        ("gemini-2.5-flash-preview-tts", ["countTokens", "generateContent"], {"audio"}),
        ("imagen-4.0-generate-001", ["predict"], {"image"}),
        ("veo-3.0-generate-001", ["predictLongRunning"], set()),
        ("gemini-embedding-001", ["embedContent", "countTextTokens"], set()),
        ("gemini-live-2.5-flash-preview", ["bidiGenerateContent"], set()),
        ("aqa", ["generateAnswer"], set()),
        ("gemini-2.5-flash", [], set()),
    ],
)
def test_gemini_generation_methods(model_id, methods, expected):
    assert set(classify_by_gemini_methods(model_id, methods)) == expected


@pytest.mark.parametrize(
    "tag, expected",
    [
        ("text-generation", CHAT),
        ("image-text-to-text", CHAT),
        ("text-to-image", {"image"}),
        ("text-to-speech", {"audio"}),
        ("text-to-audio", {"audio"}),
        ("automatic-speech-recognition", set()),
        ("feature-extraction", set()),
        ("text-to-video", set()),
        (None, set()),
    ],
)
def test_hugging_face_pipeline_tags(tag, expected):
    assert set(classify_by_pipeline_tag(tag)) == expected
