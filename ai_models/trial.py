"""Test before activate: one minimal real call through a model, of the kind its capability needs.

A 1-token chat reply, the smallest image, a one-word speech clip: enough to prove that the key,
the base URL and the model id work together, at the least cost. The call runs in a worker
thread under an overall deadline (``AI_MODELS["TRIAL_TIMEOUT"]``), so a provider that hangs
or keeps retrying cannot hold the admin page; the backend's own read timeout is cut to the
same bound, so the worker does not linger after it.
"""

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from fnmatch import fnmatchcase

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext

from .conf import ai_settings
from .exceptions import ProviderError, log_unexpected, redact

logger = logging.getLogger(__name__)

# Sent to the model, so not translated.
CHAT_PROMPT = "Reply with the single word OK."
SPEECH_TEXT = "Test."
# OpenAI deprecated max_tokens and its reasoning models refuse it; the others read max_tokens.
# The smallest size each image model accepts (matched on the id's last segment); 1024x1024 is
# the smallest the other OpenAI-style image models (gpt-image-*, dall-e-3) take.
IMAGE_SIZES = (("dall-e-2*", "256x256"),)
DEFAULT_IMAGE_SIZE = "1024x1024"
MAX_SUMMARY = 255  # AIModel.trial_result
MAX_QUOTE = 60


@dataclass(frozen=True)
class TrialResult:
    """How a test call went: whether it succeeded, how long it took, what came back or the error."""

    ok: bool
    kind: str  # "text" | "image" | "audio"
    latency_ms: int
    summary: str = ""  # what the model answered, in a few words (provider text: escape it)
    error: str = ""  # why the call failed; never contains the key
    demo: bool = False  # the offline snapshot provider answered locally


def trial_kind(capability: str, entry=None) -> str:
    """The kind of call that proves a model works for ``capability``: "text", "image" or "audio".

    The built-in ``image`` and ``audio`` capabilities say it; another capability follows what
    the model outputs (an image-only model draws), and is chat otherwise.
    """
    if capability in ("image", "audio"):
        return capability
    outputs = set(getattr(entry, "output_modalities", ()) or ())
    if capability not in ai_settings.CAPABILITIES or capability in ("chat", "content") or "text" in outputs:
        return "text"
    if "image" in outputs:
        return "image"
    if "audio" in outputs or "speech" in outputs:
        return "audio"
    return "text"


def image_size(model_id: str) -> str:
    """The smallest image size the model takes."""
    name = model_id.rsplit("/", 1)[-1].lower()
    return next((size for pattern, size in IMAGE_SIZES if fnmatchcase(name, pattern)), DEFAULT_IMAGE_SIZE)


def _call(backend, model_id: str, kind: str):
    if kind == "image":
        return lambda: backend.generate_image(model_id, "A small red dot.", size=image_size(model_id))
    if kind == "audio":
        return lambda: backend.synthesize_speech(model_id, SPEECH_TEXT)
    # Read from the class, not looked up by id: a second OpenAI account under another id is still OpenAI.
    param = getattr(backend, "token_limit_param", "max_tokens")
    return lambda: backend.chat(model_id, [{"role": "user", "content": CHAT_PROMPT}], **{param: 1})


def summarize(generation) -> str:
    """A few words on what a model answered."""
    if generation.kind == "text":
        text = " ".join((generation.text or "").split())
        if len(text) > MAX_QUOTE:
            text = text[: MAX_QUOTE - 1] + "…"
        summary = gettext("reply “%(text)s”") % {"text": text} if text else gettext("an empty reply")
    else:
        values = {"type": generation.mime_type or "?", "size": filesizeformat(len(generation.data))}
        if generation.kind == "image":
            summary = gettext("an image (%(type)s, %(size)s)") % values
        else:
            summary = gettext("a speech clip (%(type)s, %(size)s)") % values
    if generation.demo:
        summary += " " + gettext("(offline demo answer)")
    return summary[:MAX_SUMMARY]


def _bounded(backend, timeout: float):
    """Cut the backend's read timeout for calls to ``timeout`` (backends reached over HTTP read it)."""
    if "GENERATION_TIMEOUT" in getattr(backend, "default_options", {}):
        current = backend.option("GENERATION_TIMEOUT")
        backend.options = {**backend.options, "GENERATION_TIMEOUT": min(float(current or timeout), timeout)}
    return backend


def trial_call(backend, model_id: str, capability: str, *, entry=None, timeout: float | None = None) -> TrialResult:
    """Make the minimal call for ``capability`` through ``backend``; never raises for a failed call.

    Gives up after ``timeout`` seconds (default ``AI_MODELS["TRIAL_TIMEOUT"]``).
    """
    timeout = ai_settings.TRIAL_TIMEOUT if timeout is None else timeout
    kind = trial_kind(capability, entry)
    call = _call(_bounded(backend, timeout), model_id, kind)
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ai-models-trial")
    started = time.monotonic()
    try:
        generation = executor.submit(call).result(timeout=timeout)
    except FutureTimeout:
        error = gettext("%(provider)s: no answer within %(seconds)s seconds") % {
            "provider": backend.id,
            "seconds": f"{timeout:g}",
        }
    except ProviderError as err:
        error = str(err)
    except Exception as err:  # a third-party backend: log it, show nothing that could hold a key
        log_unexpected(logger, f"Test call to {backend.id}:{model_id} failed", err, backend.api_key)
        error = gettext("%(provider)s: unexpected %(error)s during the test call; see the server log") % {
            "provider": backend.id,
            "error": type(err).__name__,
        }
    else:
        latency = round((time.monotonic() - started) * 1000)
        return TrialResult(True, kind, latency, summary=summarize(generation), demo=generation.demo)
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
    error = redact(error, backend.api_key)
    return TrialResult(False, kind, round((time.monotonic() - started) * 1000), error=error)


def run_trial(entry, capability: str, *, timeout: float | None = None) -> TrialResult:
    """``trial_call`` for a catalog entry, through its provider's configured backend."""
    from .models import Provider

    backends = Provider.objects.backends([entry.provider])
    if not backends:
        error = gettext("%(provider)s: the provider is not enabled") % {"provider": entry.provider}
        return TrialResult(False, trial_kind(capability, entry), 0, error=error)
    return trial_call(backends[0], entry.model_id, capability, entry=entry, timeout=timeout)
