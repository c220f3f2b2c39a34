"""Per-activation call parameters: the defaults a saved model sends with every call.

Kept as JSON on ``AIModel.parameters``, validated here (a typo is an error, not a silent no-op),
and applied by the backends (``get_backend()`` gives a backend carrying them). Arguments given to
a call win over them. Pure functions, no I/O.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

AUDIO_FORMATS = ("mp3", "wav", "opus", "aac", "flac", "pcm")
# OpenAI's images API: GPT Image models take low/medium/high (some also xhigh/max), DALL·E 3
# standard/hd, all of them auto; style (vivid/natural) only DALL·E 3. Speech speed: 0.25 to 4.0.
IMAGE_QUALITIES = ("auto", "low", "medium", "high", "xhigh", "max", "standard", "hd")
IMAGE_STYLES = ("vivid", "natural")
SPEECH_SPEED = (0.25, 4)
# Saved parameter -> the field of OpenAI's images request it is sent as.
IMAGE_OPTIONS = {"image_quality": "quality", "image_style": "style"}
IMAGE_SIZE = re.compile(r"^[1-9][0-9]{1,4}x[1-9][0-9]{1,4}$")
# Parameters sent to a chat completion under their own name.
CHAT_PASSTHROUGH = ("temperature", "top_p", "stop", "seed", "frequency_penalty", "presence_penalty")


def _number(low, high):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            return _("a number from %(low)s to %(high)s") % {"low": low, "high": high}
        return None

    return check


def _whole(low, high):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return _("a whole number from %(low)s to %(high)s") % {"low": low, "high": high}
        return None

    return check


def _text(max_length):
    def check(value):
        if not isinstance(value, str) or not value.strip() or len(value) > max_length:
            return _("a text of at most %(max)d characters") % {"max": max_length}
        return None

    return check


def _stop(value):
    if isinstance(value, str) and value:
        return None
    if isinstance(value, list) and 0 < len(value) <= 4 and all(isinstance(item, str) and item for item in value):
        return None
    return _("a text, or a list of up to 4 texts")


def _image_size(value):
    return None if isinstance(value, str) and IMAGE_SIZE.match(value) else _("a size such as \"1024x1024\"")


def _one_of(allowed):
    def check(value):
        return None if value in allowed else _("one of %(formats)s") % {"formats": ", ".join(allowed)}

    return check


# Names ``extra`` may not set. The package decides what is asked (model, messages), where it goes and
# with which credentials (LiteLLM and the SDK take base URLs, keys and headers as keyword arguments),
# and how the answer comes back (a stream our readers do not read; callbacks run code). A name is
# reserved when it is listed or when one of its words (split at "_" and "-") is.
RESERVED_EXTRA = frozenset({
    "model", "messages", "input", "prompt", "system", "instructions", "stream", "stream_options",
    "organization", "project", "client", "http_client", "timeout", "custom_llm_provider",
    "deployment_id", "mock_response", "fallbacks", "model_list", "context_window_fallback_dict",
    "logger_fn", "extra_body", "extra_query",
})
RESERVED_WORDS = frozenset({
    "api", "base", "url", "endpoint", "key", "keys", "header", "headers", "secret", "password",
    "token", "credential", "credentials", "callback", "callbacks", "proxy", "auth", "authorization",
})
# Extra fields that multiply what a call costs, and the most each may ask for.
BOUNDED_EXTRA = {"n": 4, "best_of": 4}


def reserved_extra(name: str) -> bool:
    """Whether ``extra`` may not set ``name`` (see ``RESERVED_EXTRA``)."""
    name = name.lower()
    return name in RESERVED_EXTRA or not RESERVED_WORDS.isdisjoint(re.split(r"[_\-\s.]+", name))


def _extra(value):
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        return _("a JSON object")
    reserved = sorted(name for name in value if reserved_extra(name))
    if reserved:
        return _(
            "a JSON object without %(names)s: the model, the messages, where a call goes and with which "
            "key are set by django-ai-models, never by a saved model"
        ) % {"names": ", ".join(reserved)}
    for name, most in BOUNDED_EXTRA.items():
        if name in value and _whole(1, most)(value[name]):
            return _("a JSON object whose %(name)s is a whole number from 1 to %(most)d") % {"name": name, "most": most}
    return None


def safe_extra(extra) -> dict:
    """The fields of a saved ``extra`` a call may send: what validation would refuse is dropped, for rows
    written past it (``QuerySet.update()``, ``loaddata``, an older release)."""
    if not isinstance(extra, dict):
        return {}
    return {
        name: value
        for name, value in extra.items()
        if isinstance(name, str) and not reserved_extra(name)
        and not (name in BOUNDED_EXTRA and _whole(1, BOUNDED_EXTRA[name])(value))
    }


# name -> check returning what the value should be, or None when it is fine.
SCHEMA = {
    "temperature": _number(0, 2),
    "top_p": _number(0, 1),
    "max_tokens": _whole(1, 10_000_000),
    "system_prompt": _text(20_000),
    "stop": _stop,
    "seed": _whole(-(2**63), 2**63 - 1),
    "frequency_penalty": _number(-2, 2),
    "presence_penalty": _number(-2, 2),
    "image_size": _image_size,
    "image_quality": _one_of(IMAGE_QUALITIES),
    "image_style": _one_of(IMAGE_STYLES),
    "voice": _text(100),
    "audio_format": _one_of(AUDIO_FORMATS),
    "speed": _number(*SPEECH_SPEED),
    "dimensions": _whole(1, 100_000),
    "extra": _extra,  # provider-specific fields, sent as they are with every chat call
}


def validate_parameters(value):
    """Raise ``ValidationError`` naming every unknown key and every bad value of ``value``.

    Its code is not "invalid": form fields replace the message of an error of that code with their
    own ("Enter a valid JSON."), hiding what is wrong."""
    if not isinstance(value, dict):
        raise ValidationError(_("Parameters must be a JSON object, such as {\"temperature\": 0.2}."), code="invalid_parameters")
    problems = []
    unknown = sorted(set(value) - set(SCHEMA))
    if unknown:
        problems.append(
            _("unknown parameters %(unknown)s (known: %(known)s)")
            % {"unknown": ", ".join(unknown), "known": ", ".join(SCHEMA)}
        )
    for name, check in SCHEMA.items():
        if name in value:
            expected = check(value[name])
            if expected:
                problems.append(_("%(name)s must be %(expected)s") % {"name": name, "expected": expected})
    if problems:
        raise ValidationError(_("Invalid parameters: %(problems)s.") % {"problems": "; ".join(problems)}, code="invalid_parameters")


def chat_arguments(token_limit_param: str, defaults: dict, messages: list, params: dict) -> tuple[list, dict]:
    """``(messages, params)`` for a chat call: ``defaults`` applied under what the call gives; the
    caller sets ``model`` and ``messages`` over ``params``.

    ``token_limit_param``: the name the provider takes ``max_tokens`` under (``max_completion_tokens``
    for OpenAI and Groq)."""
    if defaults.get("system_prompt") and not any(
        isinstance(message, dict) and message.get("role") == "system" for message in messages
    ):
        messages = [{"role": "system", "content": defaults["system_prompt"]}, *messages]
    merged = safe_extra(defaults.get("extra"))
    merged.update({name: defaults[name] for name in CHAT_PASSTHROUGH if name in defaults})
    if "max_tokens" in defaults and not {"max_tokens", "max_completion_tokens"} & set(params):
        merged[token_limit_param] = defaults["max_tokens"]
    merged.update(params)
    return messages, merged


def image_size(defaults: dict, size: str | None) -> str:
    """The size to draw: the call's, else the saved model's, else 1024x1024."""
    return size or defaults.get("image_size") or "1024x1024"


def image_options(defaults: dict) -> dict:
    """The images request's ``quality`` and ``style`` the saved model sets (the provider's own otherwise)."""
    return {field: defaults[name] for name, field in IMAGE_OPTIONS.items() if name in defaults}


def speech_options(defaults: dict, voice: str | None, audio_format: str | None) -> tuple[str, str]:
    """``(voice, audio_format)``: the call's, else the saved model's, else alloy and mp3."""
    return voice or defaults.get("voice") or "alloy", audio_format or defaults.get("audio_format") or "mp3"


def speech_speed(defaults: dict) -> dict:
    """The speech request's ``speed`` when the saved model sets one (1.0, the provider's default, otherwise)."""
    return {"speed": defaults["speed"]} if "speed" in defaults else {}
