"""Which kinds of call a model answers, and why: the shared rules in ai_models.classification."""

import pytest

from ai_models.classification import (
    classify_by_gemini_methods,
    classify_by_id,
    classify_by_modalities,
    classify_by_pipeline_tag,
    pipeline_tags_for,
    special_purpose,
    without_special_purpose,
)

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
    "openai/gpt-oss-safeguard-20b",
    "google/shieldgemma-2b",
    "google/lyria-3-pro-preview",
    "facebook/musicgen-small",
    "text-search-ada-doc-001",
    "text-similarity-babbage-001",
    "code-search-ada-code-001",
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
    assert "chat" not in classify_by_id(model_id)
    # Even when their provider says they output text.
    assert "chat" not in without_special_purpose(classify_by_modalities(["text"]), model_id)


def test_a_music_model_is_not_speech_either():
    # What OpenRouter says of Lyria: text and audio out.
    assert without_special_purpose(classify_by_modalities(["text", "audio"]), "google/lyria-3-clip-preview") == {}
    assert without_special_purpose(classify_by_pipeline_tag("text-to-audio"), "facebook/musicgen-small") == {}


@pytest.mark.parametrize(
    "model_id, expected",
    [
        ("gpt-image-1", {"image"}),
        ("gpt-image-1-mini", {"image"}),
        ("dall-e-3", {"image"}),
        ("imagen-4.0-ultra-generate-001", {"image"}),
        ("black-forest-labs/flux-1.1-pro", {"image"}),
        ("tts-1-hd", {"speech"}),
        ("gpt-4o-mini-tts", {"speech"}),
        ("gemini-2.5-pro-preview-tts", {"speech"}),
        ("playai-tts-arabic", {"speech"}),
        ("gpt-4o-audio-preview", {"chat", "speech"}),
        ("gpt-4.1", {"chat"}),
        ("o4-mini", {"chat"}),
        ("deepseek-reasoner", {"chat"}),
        ("gpt-4o-search-preview", {"chat"}),
        ("whisper-1", {"transcription"}),
        ("gpt-4o-transcribe", {"transcription"}),
        ("text-embedding-3-large", {"embedding"}),
        ("omni-moderation-latest", {"moderation"}),
        ("cohere/rerank-v3.5", {"rerank"}),
        ("sora-2", {"video"}),
        ("meta-llama/llama-guard-4-12b", {"moderation"}),
        ("text-search-ada-doc-001", set()),
        ("gpt-realtime", set()),
        ("gpt-3.5-turbo-instruct", set()),
        ("babbage-002", set()),
    ],
)
def test_a_bare_id_list_is_classified_by_id(model_id, expected):
    assert set(classify_by_id(model_id)) == expected


def test_reasons_name_the_rule():
    assert "tts-*" in classify_by_id("tts-1")["speech"]
    assert "whisper*" in classify_by_id("whisper-1")["transcription"]
    assert classify_by_modalities(["image", "text"]) == {
        "chat": "output modalities include text",
        "image": "output modalities include image",
    }


def test_modalities():
    assert classify_by_modalities(["embeddings"]) == {"embedding": "output modalities include embeddings"}
    assert set(classify_by_modalities(["transcription"])) == {"transcription"}
    assert set(classify_by_modalities(["speech"])) == {"speech"}
    assert set(classify_by_modalities(["AUDIO", "Text"])) == {"chat", "speech"}
    assert set(classify_by_modalities(["file", "unknown"])) == set()
    assert classify_by_modalities([], voices=True) == {"speech": "lists voices for speech output"}


@pytest.mark.parametrize(
    "model_id, methods, expected",
    [
        ("gemini-2.5-flash", ["generateContent", "countTokens"], {"chat"}),
        ("gemini-2.5-flash-image-preview", ["generateContent"], {"image"}),
        ("gemini-2.0-flash-preview-image-generation", ["generateContent"], {"image"}),
        ("gemini-2.5-flash-preview-tts", ["countTokens", "generateContent"], {"speech"}),
        ("imagen-4.0-generate-001", ["predict"], {"image"}),
        ("veo-3.0-generate-001", ["predictLongRunning"], {"video"}),
        ("gemini-embedding-001", ["embedContent", "countTextTokens"], {"embedding"}),
        ("text-embedding-004", ["embedContent"], {"embedding"}),
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
        ("text-generation", {"chat"}),
        ("image-text-to-text", {"chat"}),
        ("any-to-any", {"chat"}),
        ("text-to-image", {"image"}),
        ("image-to-image", {"image"}),
        ("text-to-speech", {"speech"}),
        ("text-to-audio", {"speech"}),
        ("automatic-speech-recognition", {"transcription"}),
        ("feature-extraction", {"embedding"}),
        ("sentence-similarity", {"embedding"}),
        ("text-ranking", {"rerank"}),
        ("text-to-video", {"video"}),
        ("token-classification", set()),
        (None, set()),
    ],
)
def test_hugging_face_pipeline_tags(tag, expected):
    assert set(classify_by_pipeline_tag(tag)) == expected


def test_pipeline_tags_of_kinds():
    assert pipeline_tags_for({"embedding"}) == ["feature-extraction", "sentence-similarity"]
    assert "any-to-any" in pipeline_tags_for({"chat"}) and "image-to-image" in pipeline_tags_for({"image"})
