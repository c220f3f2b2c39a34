"""Test before activate: one minimal real call through a model, of the kind its capability needs.

A 1-token chat reply, the smallest image, a one-word speech clip, one word embedded, a
one-second clip transcribed, one short text moderated, two documents reranked: enough to prove
that the key, the base URL and the model id work together, at the least cost. Video has no
test call (a clip costs dollars and takes minutes). The call runs in a worker
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
from django.utils.translation import gettext, ngettext

from . import capabilities as kinds
from .conf import ai_settings
from .exceptions import ProviderError, log_unexpected, redact
from .providers.media import one_second_clip
from .providers.results import Moderation, Ranking, Transcription

logger = logging.getLogger(__name__)

# Sent to the model, so not translated.
CHAT_PROMPT = "Reply with the single word OK."
SPEECH_TEXT = "Test."
EMBED_TEXT = "test"
MODERATION_TEXT = "Hello, world."
RERANK_QUERY = "What is the capital of France?"
RERANK_DOCUMENTS = ("Paris is the capital of France.", "Bananas are rich in potassium.")
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
    kind: str  # the kind of call made: see ``ai_models.capabilities.KINDS``
    latency_ms: int
    summary: str = ""  # what the model answered, in a few words (provider text: escape it)
    error: str = ""  # why the call failed; never contains the key
    demo: bool = False  # the offline snapshot provider answered locally


def trial_kind(capability: str, entry=None) -> str:
    """The kind of call that proves a model works for ``capability``: the capability's kind.

    A capability without a known kind (check E012 reports it) follows the model's only kind,
    and is chat otherwise.
    """
    kind = kinds.capability_kind(capability)
    if kind:
        return kind
    entry_kinds = sorted(getattr(entry, "kinds", ()) or ())
    return entry_kinds[0] if len(entry_kinds) == 1 else kinds.CHAT


def image_size(model_id: str) -> str:
    """The smallest image size the model takes."""
    name = model_id.rsplit("/", 1)[-1].lower()
    return next((size for pattern, size in IMAGE_SIZES if fnmatchcase(name, pattern)), DEFAULT_IMAGE_SIZE)


def _call(backend, model_id: str, kind: str):
    if kind == kinds.IMAGE:
        return lambda: backend.generate_image(model_id, "A small red dot.", size=image_size(model_id))
    if kind == kinds.SPEECH:
        return lambda: backend.synthesize_speech(model_id, SPEECH_TEXT)
    if kind == kinds.EMBEDDING:
        return lambda: backend.embed(model_id, [EMBED_TEXT])
    if kind == kinds.TRANSCRIPTION:
        return lambda: backend.transcribe(model_id, one_second_clip())
    if kind == kinds.MODERATION:
        return lambda: backend.moderate(model_id, MODERATION_TEXT)
    if kind == kinds.RERANK:
        return lambda: backend.rerank(model_id, RERANK_QUERY, list(RERANK_DOCUMENTS))
    if kind == kinds.VIDEO:
        def refuse():
            raise backend.unsupported(gettext("a test call for video models"))

        return refuse
    # Read from the class, not looked up by id: a second OpenAI account under another id is still OpenAI.
    param = getattr(backend, "token_limit_param", "max_tokens")
    return lambda: backend.chat(model_id, [{"role": "user", "content": CHAT_PROMPT}], **{param: 1})


def _quote(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1] + "…"


def _describe(answer) -> str:
    """A few words on an answer of any kind."""
    if isinstance(answer, Transcription):
        text = _quote(answer.text)
        return gettext("transcript “%(text)s”") % {"text": text} if text else gettext("an empty transcript")
    if isinstance(answer, Moderation):
        return gettext("flagged") if answer.flagged else gettext("not flagged")
    if isinstance(answer, Ranking):
        order = ", ".join(str(item.index + 1) for item in answer.results)
        return gettext("documents ranked %(order)s") % {"order": order}
    if answer.kind == "embedding":
        dimensions = len(answer.vectors[0]) if answer.vectors else 0
        return ngettext("a vector of %(count)d dimension", "a vector of %(count)d dimensions", dimensions) % {
            "count": dimensions
        }
    if answer.kind == "text":
        text = _quote(answer.text)
        return gettext("reply “%(text)s”") % {"text": text} if text else gettext("an empty reply")
    values = {"type": answer.mime_type or "?", "size": filesizeformat(len(answer.data))}
    if answer.kind == "image":
        return gettext("an image (%(type)s, %(size)s)") % values
    return gettext("a speech clip (%(type)s, %(size)s)") % values


def summarize(answer) -> str:
    """A few words on what a model answered (a ``Generation`` or a typed result)."""
    summary = _describe(answer)
    if answer.demo:
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
