"""Capability names and labels: what a model can be chosen *for*.

Classification rules (which catalog model qualifies for which capability) live here
too, as pure functions, so every provider classifies the same way.
"""

from fnmatch import fnmatchcase

from .conf import ai_settings
from .exceptions import UnknownCapability


def capability_choices() -> list[tuple[str, str]]:
    """(name, label) pairs of the configured capabilities, for forms and filters."""
    return list(ai_settings.CAPABILITIES.items())


def capability_label(name: str) -> str:
    """Human label of a capability, or the name itself when it is not configured."""
    return str(ai_settings.CAPABILITIES.get(name, name))


def validate_capability(name: str) -> str:
    """Return ``name`` if it is a configured capability; raise ``UnknownCapability`` if not."""
    capabilities = ai_settings.CAPABILITIES
    if name not in capabilities:
        raise UnknownCapability(name, capabilities)
    return name


# --- Classification -------------------------------------------------------------------------
#
# Which built-in capabilities a catalog model qualifies for, and why. Each rule returns a
# dict ``capability -> reason``. Reasons are fixed English strings marked for translation
# (``gettext_noop``, below) so they stay plain, JSON-safe data in the catalog and a template can
# show ``gettext(reason)``. The catalog later intersects these names with the configured ones.

CHAT, CONTENT, IMAGE, AUDIO = "chat", "content", "image", "audio"


def gettext_noop(message: str) -> str:
    """Mark ``message`` for ``makemessages``. Unlike Django's, it never reads settings, so
    the rules import (and parsing runs) without a configured project."""
    return message


# Ids (last path segment, lower case) of models made for one job that is not chat, whatever
# else their provider says about them: never offered as chat or content.
SPECIAL_PURPOSE_IDS = {
    "embedding": ("*embed*",),
    "moderation": ("*moderation*",),
    "rerank": ("*rerank*",),
    "guard": ("*guard*", "shieldgemma*"),
    "transcription": ("whisper*", "*transcribe*"),
    "video": ("sora-*", "sora", "veo-*"),
    "realtime": ("*realtime*", "*-live-*", "gemini-live*"),
    "computer use": ("*computer-use*",),
}
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
        (AUDIO,),
        gettext_noop("id names a text-to-speech model (tts-*, *-tts)"),
    ),
    (
        ("gpt-audio*", "*-audio-preview*"),
        (CHAT, CONTENT, AUDIO),
        gettext_noop("id names a chat model with spoken output (gpt-audio*, *-audio-preview)"),
    ),
)
TEXT_BY_ID = gettext_noop("text model: the id names no image, speech or special-purpose model")

MODALITY_RULES = {
    "text": ((CHAT, CONTENT), gettext_noop("output modalities include text")),
    "image": ((IMAGE,), gettext_noop("output modalities include image")),
    "audio": ((AUDIO,), gettext_noop("output modalities include audio")),
    "speech": ((AUDIO,), gettext_noop("output modalities include speech")),
}
VOICES = gettext_noop("lists voices for speech output")

PIPELINE_TAG_RULES = {
    "text-generation": ((CHAT, CONTENT), gettext_noop("pipeline tag is text-generation")),
    "image-text-to-text": ((CHAT, CONTENT), gettext_noop("pipeline tag is image-text-to-text")),
    "text-to-image": ((IMAGE,), gettext_noop("pipeline tag is text-to-image")),
    "text-to-speech": ((AUDIO,), gettext_noop("pipeline tag is text-to-speech")),
    "text-to-audio": ((AUDIO,), gettext_noop("pipeline tag is text-to-audio")),
}

# What OpenAI-compatible servers put in an entry's ``type`` (Together; LM Studio's native list).
# A type naming another job (embedding, moderation, rerank, transcribe) grants nothing.
MODEL_TYPE_RULES = {
    "chat": ((CHAT, CONTENT), gettext_noop("model type is chat")),
    "language": ((CHAT, CONTENT), gettext_noop("model type is language")),
    "code": ((CHAT, CONTENT), gettext_noop("model type is code")),
    "llm": ((CHAT, CONTENT), gettext_noop("model type is llm")),
    "vlm": ((CHAT, CONTENT), gettext_noop("model type is vlm (vision language model)")),
    "image": ((IMAGE,), gettext_noop("model type is image")),
    "audio": ((AUDIO,), gettext_noop("model type is audio")),
    "tts": ((AUDIO,), gettext_noop("model type is tts")),
}
NOT_CHAT_TYPES = ("embedding", "embeddings", "moderation", "rerank", "transcribe", "transcription", "video")

# Capability flags a list gives per model (Mistral's ``capabilities`` object): flag -> grant.
FLAG_RULES = {
    "completion_chat": ((CHAT, CONTENT), gettext_noop("capabilities include completion_chat")),
}
MESSAGES_API = gettext_noop("listed by a Messages API, which answers chat")

GEMINI_TEXT = gettext_noop("supports generateContent")
GEMINI_IMAGE = gettext_noop("generateContent model with -image in its id")
GEMINI_SPEECH = gettext_noop("generateContent model with -tts in its id")
GEMINI_IMAGEN = gettext_noop("supports predict (Imagen)")


def _base_id(model_id: str) -> str:
    return model_id.rsplit("/", 1)[-1].lower()


def _matches(model_id: str, patterns) -> bool:
    base = _base_id(model_id)
    return any(fnmatchcase(base, pattern) for pattern in patterns)


def special_purpose(model_id: str) -> str | None:
    """The single non-chat job the id names ("embedding", "guard", ...), or ``None``."""
    for purpose, patterns in SPECIAL_PURPOSE_IDS.items():
        if _matches(model_id, patterns):
            return purpose
    return None


def _grant(capabilities, reason) -> dict[str, str]:
    return {capability: reason for capability in capabilities}


def classify_by_modalities(output_modalities, *, voices=False) -> dict[str, str]:
    """From output modalities (text, image, audio/speech; embeddings etc. give nothing)."""
    reasons = {}
    for modality in output_modalities or ():
        capabilities, reason = MODALITY_RULES.get(str(modality).lower(), ((), ""))
        for capability in capabilities:
            reasons.setdefault(capability, reason)
    if voices:
        reasons.setdefault(AUDIO, VOICES)
    return reasons


def classify_by_id(model_id: str) -> dict[str, str]:
    """From the id alone, for providers whose list says nothing else."""
    if special_purpose(model_id) or _matches(model_id, COMPLETIONS_ONLY_IDS):
        return {}
    for patterns, capabilities, reason in ID_RULES:
        if _matches(model_id, patterns):
            return _grant(capabilities, reason)
    return _grant((CHAT, CONTENT), TEXT_BY_ID)


def classify_by_gemini_methods(model_id: str, methods) -> dict[str, str]:
    """From Gemini's ``supportedGenerationMethods`` (video, embedding and live-only give nothing)."""
    methods = set(methods or ())
    base = _base_id(model_id)
    if "generateContent" in methods:
        if "-image" in base:
            return {IMAGE: GEMINI_IMAGE}
        if "-tts" in base:
            return {AUDIO: GEMINI_SPEECH}
        return _grant((CHAT, CONTENT), GEMINI_TEXT)
    if "predict" in methods:
        return {IMAGE: GEMINI_IMAGEN}
    return {}


def classify_by_pipeline_tag(tag) -> dict[str, str]:
    """From a Hugging Face ``pipeline_tag`` (speech recognition and the rest give nothing)."""
    capabilities, reason = PIPELINE_TAG_RULES.get(tag, ((), ""))
    return _grant(capabilities, reason)


def classify_by_model_type(value) -> dict[str, str] | None:
    """From an entry's ``type`` ("chat", "image", "embedding", ...); ``None`` when the type says nothing known."""
    model_type = str(value or "").strip().lower()
    if model_type in NOT_CHAT_TYPES:
        return {}
    if model_type in MODEL_TYPE_RULES:
        capabilities, reason = MODEL_TYPE_RULES[model_type]
        return _grant(capabilities, reason)
    return None


def grant_chat(reason: str) -> dict[str, str]:
    """Chat and content, for a list whose every model is a chat model (``reason`` says why)."""
    return _grant((CHAT, CONTENT), reason)


def classify_by_flags(flags: dict) -> dict[str, str]:
    """From a map of capability flags (``{"completion_chat": true, "ocr": false}``); true flags only."""
    reasons = {}
    for flag, (capabilities, reason) in FLAG_RULES.items():
        if flags.get(flag) is True:
            for capability in capabilities:
                reasons.setdefault(capability, reason)
    return reasons


def without_special_purpose(reasons: dict[str, str], model_id: str) -> dict[str, str]:
    """Drop chat and content when the id names an embedding, guard, moderation... model."""
    if special_purpose(model_id):
        return {name: why for name, why in reasons.items() if name not in (CHAT, CONTENT)}
    return reasons
