"""Which kinds of call a catalog model answers, and why: pure rules shared by every provider.

Each rule returns a dict ``kind -> reason`` (kinds: ``ai_models.capabilities.KINDS``). A rule
reads what the provider says first (output modalities, generation methods, pipeline tags),
and the id only where the provider says nothing else. Reasons are fixed English strings
marked for translation (``gettext_noop``), so they stay plain, JSON-safe data in the catalog
and a template can show ``gettext(reason)``. The catalog then offers a model for every
configured capability of one of its kinds.
"""

from fnmatch import fnmatchcase

from .capabilities import CHAT, EMBEDDING, IMAGE, MODERATION, RERANK, SPEECH, TRANSCRIPTION, VIDEO, gettext_noop

# Ids (last path segment, lower case) of models made for one job that is not chat, whatever
# else their provider says about them: never offered for chat. Purpose -> (patterns, the kind
# a bare id list grants, its reason).
SPECIAL_PURPOSE_IDS = {
    "embedding": (("*embed*",), EMBEDDING, gettext_noop("id names an embedding model (*embed*)")),
    "moderation": (("*moderation*",), MODERATION, gettext_noop("id names a moderation model (*moderation*)")),
    "rerank": (("*rerank*",), RERANK, gettext_noop("id names a rerank model (*rerank*)")),
    # Safety classifiers (Llama Guard, Prompt Guard, gpt-oss-safeguard, ShieldGemma, NVIDIA's
    # content-safety models): called through chat completions, their verdict read as a moderation.
    "guard": (
        ("*guard*", "shieldgemma*", "*content-safety*"),
        MODERATION,
        gettext_noop("id names a guard model (*guard*, shieldgemma*, *content-safety*), which answers moderation"),
    ),
    "transcription": (
        ("whisper*", "*transcribe*"),
        TRANSCRIPTION,
        gettext_noop("id names a speech-to-text model (whisper*, *transcribe*)"),
    ),
    "video": (("sora-*", "sora", "veo-*"), VIDEO, gettext_noop("id names a video model (sora-*, veo-*)")),
    "music": (("lyria*", "*musicgen*", "*music*"), None, ""),
    # OpenAI's retired search and similarity embeddings: no endpoint answers them any more.
    "legacy search": (("text-search-*", "code-search-*", "text-similarity-*"), None, ""),
    "realtime": (("*realtime*", "*-live-*", "gemini-live*"), None, ""),
    "computer use": (("*computer-use*",), None, ""),
}
# Kinds a special-purpose model keeps when its provider grants them: the rest go. A music
# model outputs audio but reads no text aloud.
KEEPS = {"music": frozenset()}
# Served by OpenAI's legacy completions endpoint only. Routers such as OpenRouter do chat with
# them, so this applies to bare id lists alone.
COMPLETIONS_ONLY_IDS = ("babbage-*", "davinci-*", "text-davinci-*", "gpt-3.5-turbo-instruct*")

# Id rules for providers that list bare ids (OpenAI, DeepSeek): first match wins.
ID_RULES = (
    (
        (
            "gpt-image-*",
            "chatgpt-image*",
            "dall-e-*",
            "imagen-*",
            "flux*",
            "*stable-diffusion*",
            "sdxl*",
            "sd3*",
            "*-image",
            "*-image-*",
        ),
        (IMAGE,),
        gettext_noop("id names an image model (gpt-image-*, dall-e-*, imagen-*, flux*, *-image)"),
    ),
    (
        ("tts-*", "*-tts", "*-tts-*"),
        (SPEECH,),
        gettext_noop("id names a text-to-speech model (tts-*, *-tts)"),
    ),
    (
        ("gpt-audio*", "*-audio-preview*"),
        (CHAT, SPEECH),
        gettext_noop("id names a chat model with spoken output (gpt-audio*, *-audio-preview)"),
    ),
)
TEXT_BY_ID = gettext_noop("text model: the id names no image, speech or special-purpose model")

MODALITY_RULES = {
    "text": (CHAT, gettext_noop("output modalities include text")),
    "image": (IMAGE, gettext_noop("output modalities include image")),
    "audio": (SPEECH, gettext_noop("output modalities include audio")),
    "speech": (SPEECH, gettext_noop("output modalities include speech")),
    "embeddings": (EMBEDDING, gettext_noop("output modalities include embeddings")),
    "embedding": (EMBEDDING, gettext_noop("output modalities include embeddings")),
    "transcription": (TRANSCRIPTION, gettext_noop("output modalities include transcription")),
    "video": (VIDEO, gettext_noop("output modalities include video")),
}
VOICES = gettext_noop("lists voices for speech output")

# Hugging Face pipeline tag -> (kind, reason, input modalities, output modalities).
PIPELINE_TAGS = {
    "text-generation": (CHAT, gettext_noop("pipeline tag is text-generation"), ("text",), ("text",)),
    "image-text-to-text": (
        CHAT, gettext_noop("pipeline tag is image-text-to-text"), ("text", "image"), ("text",)
    ),
    "any-to-any": (CHAT, gettext_noop("pipeline tag is any-to-any"), ("text", "image", "audio"), ("text",)),
    "text-to-image": (IMAGE, gettext_noop("pipeline tag is text-to-image"), ("text",), ("image",)),
    "image-to-image": (IMAGE, gettext_noop("pipeline tag is image-to-image"), ("text", "image"), ("image",)),
    "text-to-speech": (SPEECH, gettext_noop("pipeline tag is text-to-speech"), ("text",), ("audio",)),
    "text-to-audio": (SPEECH, gettext_noop("pipeline tag is text-to-audio"), ("text",), ("audio",)),
    "automatic-speech-recognition": (
        TRANSCRIPTION, gettext_noop("pipeline tag is automatic-speech-recognition"), ("audio",), ("text",)
    ),
    "feature-extraction": (
        EMBEDDING, gettext_noop("pipeline tag is feature-extraction"), ("text",), ("embeddings",)
    ),
    "sentence-similarity": (
        EMBEDDING, gettext_noop("pipeline tag is sentence-similarity"), ("text",), ("embeddings",)
    ),
    "text-ranking": (RERANK, gettext_noop("pipeline tag is text-ranking"), ("text",), ("text",)),
    "text-to-video": (VIDEO, gettext_noop("pipeline tag is text-to-video"), ("text",), ("video",)),
    "image-to-video": (VIDEO, gettext_noop("pipeline tag is image-to-video"), ("text", "image"), ("video",)),
}

# What OpenAI-compatible servers put in an entry's ``type`` (Together; LM Studio's native list).
MODEL_TYPE_RULES = {
    "chat": (CHAT, gettext_noop("model type is chat")),
    "language": (CHAT, gettext_noop("model type is language")),
    "code": (CHAT, gettext_noop("model type is code")),
    "llm": (CHAT, gettext_noop("model type is llm")),
    "vlm": (CHAT, gettext_noop("model type is vlm (vision language model)")),
    "image": (IMAGE, gettext_noop("model type is image")),
    "audio": (SPEECH, gettext_noop("model type is audio")),
    "tts": (SPEECH, gettext_noop("model type is tts")),
    "embedding": (EMBEDDING, gettext_noop("model type is embedding")),
    "embeddings": (EMBEDDING, gettext_noop("model type is embedding")),
    "moderation": (MODERATION, gettext_noop("model type is moderation")),
    "rerank": (RERANK, gettext_noop("model type is rerank")),
    "transcribe": (TRANSCRIPTION, gettext_noop("model type is transcription")),
    "transcription": (TRANSCRIPTION, gettext_noop("model type is transcription")),
    "video": (VIDEO, gettext_noop("model type is video")),
}

# Capability flags a list gives per model (Mistral's ``capabilities`` object): flag -> kind.
FLAG_RULES = {
    "completion_chat": (CHAT, gettext_noop("capabilities include completion_chat")),
    "moderation": (MODERATION, gettext_noop("capabilities include moderation")),
    "audio_transcription": (TRANSCRIPTION, gettext_noop("capabilities include audio_transcription")),
}
MESSAGES_API = gettext_noop("listed by a Messages API, which answers chat")

GEMINI_TEXT = gettext_noop("supports generateContent")
GEMINI_IMAGE = gettext_noop("generateContent model with -image in its id")
GEMINI_SPEECH = gettext_noop("generateContent model with -tts in its id")
GEMINI_IMAGEN = gettext_noop("supports predict (Imagen)")
GEMINI_VIDEO = gettext_noop("supports predictLongRunning (Veo)")
GEMINI_EMBEDDING = gettext_noop("supports embedContent")


# Every reason the id rules give: kinds with only these reasons are the id's guess, which the
# model-facts datasets may correct (``ai_models.facts``).
ID_REASONS = frozenset(
    {TEXT_BY_ID}
    | {reason for _patterns, _kinds, reason in ID_RULES}
    | {reason for _patterns, _kind, reason in SPECIAL_PURPOSE_IDS.values() if reason}
)


def _base_id(model_id: str) -> str:
    return model_id.rsplit("/", 1)[-1].lower()


def _matches(model_id: str, patterns) -> bool:
    base = _base_id(model_id)
    return any(fnmatchcase(base, pattern) for pattern in patterns)


def special_purpose(model_id: str) -> str | None:
    """The single non-chat job the id names ("embedding", "guard", "music", ...), or ``None``."""
    for purpose, (patterns, _kind, _reason) in SPECIAL_PURPOSE_IDS.items():
        if _matches(model_id, patterns):
            return purpose
    return None


def classify_by_modalities(output_modalities, *, voices=False) -> dict[str, str]:
    """From output modalities (text, image, audio/speech, embeddings, transcription, video)."""
    reasons = {}
    for modality in output_modalities or ():
        kind, reason = MODALITY_RULES.get(str(modality).lower(), (None, ""))
        if kind:
            reasons.setdefault(kind, reason)
    if voices:
        reasons.setdefault(SPEECH, VOICES)
    return reasons


def classify_by_purpose(model_id: str) -> dict[str, str]:
    """The kind a special-purpose id names (``*embed*`` -> embedding), or nothing."""
    purpose = special_purpose(model_id)
    _patterns, kind, reason = SPECIAL_PURPOSE_IDS.get(purpose, ((), None, ""))
    return {kind: reason} if kind else {}


def classify_by_id(model_id: str) -> dict[str, str]:
    """From the id alone, for providers whose list says nothing else."""
    if special_purpose(model_id):
        return classify_by_purpose(model_id)
    if _matches(model_id, COMPLETIONS_ONLY_IDS):
        return {}
    for patterns, kinds, reason in ID_RULES:
        if _matches(model_id, patterns):
            return dict.fromkeys(kinds, reason)
    return {CHAT: TEXT_BY_ID}


def classify_by_gemini_methods(model_id: str, methods) -> dict[str, str]:
    """From Gemini's ``supportedGenerationMethods`` (live-only and answer-only models give nothing)."""
    methods = set(methods or ())
    base = _base_id(model_id)
    if "generateContent" in methods:
        if "-image" in base:
            return {IMAGE: GEMINI_IMAGE}
        if "-tts" in base:
            return {SPEECH: GEMINI_SPEECH}
        return {CHAT: GEMINI_TEXT}
    if "predict" in methods:
        return {IMAGE: GEMINI_IMAGEN}
    if "predictLongRunning" in methods:
        return {VIDEO: GEMINI_VIDEO}
    if methods & {"embedContent", "batchEmbedContents", "asyncBatchEmbedContent"}:
        return {EMBEDDING: GEMINI_EMBEDDING}
    return {}


def classify_by_pipeline_tag(tag) -> dict[str, str]:
    """From a Hugging Face ``pipeline_tag``."""
    kind, reason, _inputs, _outputs = PIPELINE_TAGS.get(tag, (None, "", (), ()))
    return {kind: reason} if kind else {}


def pipeline_tag_modalities(tag) -> tuple[tuple, tuple]:
    """``(input modalities, output modalities)`` a Hugging Face pipeline tag implies."""
    return PIPELINE_TAGS.get(tag, (None, "", (), ()))[2:]


def pipeline_tags_for(kinds) -> list[str]:
    """The pipeline tags whose models are of one of ``kinds``, in table order."""
    return [tag for tag, (kind, *_rest) in PIPELINE_TAGS.items() if kind in kinds]


def classify_by_model_type(value) -> dict[str, str] | None:
    """From an entry's ``type`` ("chat", "image", "embedding", ...); ``None`` when the type says nothing known."""
    kind, reason = MODEL_TYPE_RULES.get(str(value or "").strip().lower(), (None, ""))
    return {kind: reason} if kind else None


def grant_chat(reason: str) -> dict[str, str]:
    """Chat, for a list whose every model is a chat model (``reason`` says why)."""
    return {CHAT: reason}


def classify_by_flags(flags: dict) -> dict[str, str]:
    """From a map of capability flags (``{"completion_chat": true, "ocr": false}``); true flags only."""
    return {kind: reason for flag, (kind, reason) in FLAG_RULES.items() if flags.get(flag) is True}


def without_special_purpose(reasons: dict[str, str], model_id: str) -> dict[str, str]:
    """Drop chat when the id names an embedding, guard, music, moderation... model (a music
    model loses speech too: it sings, it does not read text aloud), and grant the kind its
    purpose names (a guard model answers moderation)."""
    purpose = special_purpose(model_id)
    if not purpose:
        return reasons
    keeps = KEEPS.get(purpose)
    kept = {kind: why for kind, why in reasons.items() if kind != CHAT and (keeps is None or kind in keeps)}
    return {**classify_by_purpose(model_id), **kept}
