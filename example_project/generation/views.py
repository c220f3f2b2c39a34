"""An HTML page and a JSON API per capability, on top of ``services``.

``POST /api/<capability>/`` with ``{"prompt": "..."}`` (JSON, or form fields) answers

- 200 ``{"model", "provider", "demo", "text"}`` for chat and content, and
  ``{"model", "provider", "demo", "mime_type", "data"}`` (``data`` in base64) for image and audio,
  ``{"model", "provider", "demo", "flagged", "categories"}`` for moderation;
- 400 for an empty or too long prompt, 503 when no model is active for the capability,
  502 when the provider call failed, each as ``{"error": "...", "capability": "..."}``;
- 401 for a visitor who is not logged in, 403 without the CSRF token, 429 past the rate
  (``GENERATION_RATE``, default 20 a minute per user), with ``Retry-After``.

Every generation spends the site's provider keys, so the API takes only logged-in users of
this site (their session and CSRF token, as the page's own form does) and both it and the
pages are rate limited. The pages at ``/<capability>/`` post the same form and show the same
result; they and the index ask the same login (an anonymous visitor is sent to ``LOGIN_URL``, the
admin's login page in the demo).
"""

import base64
import json
import logging
import math
import re
import time
from typing import Callable, NamedTuple

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from ai_models import NoActiveModel, ProviderError, get_active_model
from ai_models.capabilities import capability_label
from ai_models.conf import ai_settings
from ai_models.exceptions import ProviderResponseError

from . import services

logger = logging.getLogger(__name__)

MAX_PROMPT_LENGTH = 4000
DEFAULT_RATE = (20, 60)  # generations per user (or address) per window of this many seconds


class Capability(NamedTuple):
    service: Callable
    output: str  # "text", "image" or "audio"
    placeholder: str


CAPABILITIES = {
    "chat": Capability(services.chat_reply, "text", gettext_lazy("Ask anything")),
    "content": Capability(services.write_content, "text", gettext_lazy("Topic of the article")),
    "image": Capability(services.generate_image, "image", gettext_lazy("Describe the image")),
    "audio": Capability(services.synthesize_speech, "audio", gettext_lazy("Text to read aloud")),
    "moderation": Capability(services.moderate, "verdict", gettext_lazy("Text to check against the content policy")),
}


class PromptForm(forms.Form):
    prompt = forms.CharField(
        label=gettext_lazy("Prompt"),
        max_length=MAX_PROMPT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Enter a prompt.")},
    )


def as_json(generation, output: str) -> dict:
    """The JSON answer for a ``Generation`` (or a ``Moderation``); raises ``ProviderResponseError`` for unusable media."""
    result = {"model": generation.model_id, "provider": generation.provider, "demo": generation.demo}
    if output == "verdict":  # a Moderation
        result["flagged"] = generation.flagged
        result["categories"] = sorted(name for name, hit in generation.categories.items() if hit)
        return result
    if output == "text":
        result["text"] = generation.text
        return result
    # The media type ends up in a data: URL, and provider output is untrusted.
    if not generation.data or not re.fullmatch(rf"{output}/[\w.+-]+", generation.mime_type or ""):
        raise ProviderResponseError(generation.provider, f"returned no usable {output} data")
    result["mime_type"] = generation.mime_type
    result["data"] = base64.b64encode(generation.data).decode("ascii")
    return result


def generate(capability: str, prompt: str) -> tuple[dict | None, str, int]:
    """Run the capability's service: ``(result, "", 200)`` or ``(None, error message, status)``."""
    service, output, _placeholder = CAPABILITIES[capability]
    try:
        return as_json(service(prompt), output), "", 200
    except NoActiveModel as err:
        return None, str(err), 503
    except ProviderError as err:
        # The message names the provider and never contains the key, so it is safe to show.
        logger.warning("%s generation failed: %s", capability, err)
        return None, str(err), 502


def active_model(capability: str):
    """The model active for ``capability``, or None."""
    try:
        return get_active_model(capability)
    except NoActiveModel:
        return None


def _json_error(capability, message, status):
    return JsonResponse({"error": str(message), "capability": capability}, status=status)


def wait_before_next(request) -> int:
    """Seconds the caller must wait before generating again (0: go ahead); counts this request.

    A window per user (or address when anonymous) opened by its first request and kept in the
    cache for ``seconds``: never cut in two by the clock's minute, so ``allowed`` requests in a
    row are all answered and the next one refused, however slowly they come. A cache that fails
    lets the request through with a warning: the demo degrades, it does not break.
    """
    allowed, seconds = getattr(settings, "GENERATION_RATE", DEFAULT_RATE)
    who = f"user:{request.user.pk}" if request.user.is_authenticated else f"ip:{request.META.get('REMOTE_ADDR')}"
    key = f"generation:rate:{who}"
    try:
        # The window's end, then its count: whichever expires first, a new window starts.
        cache.add(f"{key}:ends", time.time() + seconds, seconds)
        cache.add(key, 0, seconds)
        used = cache.incr(key)
        ends = cache.get(f"{key}:ends") or time.time() + seconds
    except Exception as err:  # noqa: BLE001 (any cache client's error)
        logger.warning("generation rate limit not applied, the cache failed: %s", type(err).__name__)
        return 0
    return max(1, math.ceil(ends - time.time())) if used > allowed else 0


def _too_many(wait) -> str:
    return _("Too many generations: try again in %(seconds)d seconds.") % {"seconds": wait}


def offered(capability: str):
    """404 for a page of a capability the site's settings do not configure (moderation, say)."""
    if capability not in ai_settings.CAPABILITIES:
        raise Http404(_("The capability %(capability)s is not configured on this site.") % {"capability": capability})


def api(request, capability):
    offered(capability)
    if request.method != "POST":  # a JSON answer saying what to send, not an empty page
        response = _json_error(capability, _('Use POST with a JSON object such as {"prompt": "Hello"}.'), 405)
        response["Allow"] = "POST"
        return response
    # Session and CSRF token of a logged-in user, as the page's form sends: a cross-site
    # request cannot spend the site's keys, and an anonymous one is refused outright.
    if not request.user.is_authenticated:
        return _json_error(capability, _("Log in to use the generation API: it spends the site's provider keys."), 401)
    wait = wait_before_next(request)
    if wait:
        response = _json_error(capability, _too_many(wait), 429)
        response["Retry-After"] = str(wait)
        return response
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return _json_error(capability, _('Send a JSON object such as {"prompt": "Hello"}.'), 400)
        if not isinstance(data.get("prompt", ""), str):  # a form field would echo ["a", "b"] as "['a', 'b']"
            return _json_error(capability, _("The prompt must be a string."), 400)
    else:
        data = request.POST
    form = PromptForm(data)
    if not form.is_valid():
        return _json_error(capability, " ".join(form.errors["prompt"]), 400)
    result, error, status = generate(capability, form.cleaned_data["prompt"])
    if result is None:
        return _json_error(capability, error, status)
    return JsonResponse(result)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def page(request, capability):
    offered(capability)
    form = PromptForm(request.POST if request.method == "POST" else None)
    form.fields["prompt"].widget.attrs["placeholder"] = CAPABILITIES[capability].placeholder
    result, error, status = None, "", 200
    wait = wait_before_next(request) if form.is_bound else 0
    if wait:
        error, status = _too_many(wait), 429
    elif form.is_bound:
        if form.is_valid():
            result, error, status = generate(capability, form.cleaned_data["prompt"])
        else:
            status = 400
    context = {
        "capability": capability,
        "label": capability_label(capability),
        "output": CAPABILITIES[capability].output,
        "form": form,
        "result": result,
        "error": error,
        "active_model": active_model(capability),
        "api_url": request.build_absolute_uri(reverse(f"generation:api-{capability}")),
    }
    return render(request, "generation/page.html", context, status=status)


@login_required
@require_GET
def index(request):
    pages = [
        {
            "capability": capability,
            "label": capability_label(capability),
            "url": reverse(f"generation:{capability}"),
            "active_model": active_model(capability),
        }
        for capability in CAPABILITIES
        if capability in ai_settings.CAPABILITIES
    ]
    return render(request, "generation/index.html", {"pages": pages})
