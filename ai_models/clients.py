"""The official clients, configured from a saved model: the ``openai`` SDK (sync and async) for every
provider with an OpenAI-compatible API, and keyword arguments for LiteLLM.

Optional extras: ``pip install "/path/to/django-ai-models[openai]"`` or ``[litellm]``. Host code gets the
SDK's streaming, tools and retries; our own HTTP stays for listing, test calls and the demo.

The SDK clients are kept (one per provider configuration and process, per event loop for the async
one) and run on our guarded transport, built for the HTTP library the installed SDK uses (httpx up
to openai 2.x, httpx2 from 3.x): requests to the base URL's origin only (a redirect elsewhere is
refused before anything is sent), addresses vetted when connecting, one deadline per exchange over
connect, headers and body, a bound on each wait between stream chunks, and the body decoded once
within ``MAX_RESPONSE_BYTES``.
"""

import asyncio
import hashlib

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from .conf import ai_settings
from .exceptions import ProviderError, ProviderUnsupported
from .parameters import chat_arguments
from .providers.http import MAX_REDIRECTS
from .providers.kept import kept, kept_for_loop
from .providers.snapshot_api import BASE_URL as SNAPSHOT_BASE_URL
from .providers.transport import guarded_transport, library

# What the SDKs are given for a server that takes no key (a local Ollama, vLLM...): both refuse an
# empty key, and without one they would read OPENAI_API_KEY and send OpenAI's key to that server.
NO_KEY = "no-key"


def sdk_base_url(backend) -> str:
    """The checked base URL of ``backend``'s OpenAI-compatible API, its key required unless its
    calls take none.

    Raises ``ProviderUnsupported`` (no such API), ``ProviderAuthError`` (no key) or
    ``ProviderError`` (a base URL the settings do not allow).
    """
    url = backend.openai_base_url
    if not url:
        raise ProviderUnsupported(
            backend.id, _("%(provider)s has no OpenAI-compatible API to give a client for") % {"provider": backend.name}
        )
    backend.require_key(always=True)
    backend._check_base_url(url)  # the same rule as our own calls
    return url


def openai_client(backend, *, asynchronous: bool = False, **options):
    """An ``openai.OpenAI`` (or ``AsyncOpenAI``) client with the backend's base URL and key, guarded.

    Kept for reuse: the same client for the same provider configuration and ``options`` in this
    process (the async one per running event loop; asked for outside a loop, a new one each time).
    A client closed by its user is replaced by a new one. ``options`` go to the client (``timeout``,
    ``max_retries``...); by default the timeout is the provider's ``GENERATION_TIMEOUT`` for an answer
    and ``CONNECT_TIMEOUT`` to connect, retries ``AI_MODELS["MAX_RETRIES"]``. With ``http_client=``
    the host brings its own HTTP client: the SDK client is then neither kept nor guarded by us.
    """
    try:
        import openai
    except ImportError:
        raise ImproperlyConfigured(
            'openai_client() needs the openai package: pip install "/path/to/django-ai-models[openai]" '
            "(the openai extra, from your checkout of django-ai-models)."
        ) from None
    lib = library(sdk_library(openai))
    local = backend.sdk_transport(lib)  # the snapshot answers in process: no base URL, no key
    base_url = SNAPSHOT_BASE_URL if local is not None else sdk_base_url(backend)
    generation = float(backend.option("GENERATION_TIMEOUT") or ai_settings.READ_TIMEOUT)
    options.setdefault("timeout", lib.http.Timeout(generation, connect=ai_settings.CONNECT_TIMEOUT))
    options.setdefault("max_retries", ai_settings.MAX_RETRIES)
    client_class = openai.AsyncOpenAI if asynchronous else openai.OpenAI
    if "http_client" in options:
        return client_class(api_key=sdk_api_key(backend), base_url=base_url, **options)

    meter = getattr(backend, "meter", None)  # the saved model its calls are counted for

    def build():
        if local is not None:
            http_client = (openai.DefaultAsyncHttpxClient if asynchronous else openai.DefaultHttpxClient)(transport=local)
        else:
            http_client = sdk_http_client(openai, lib, base_url, backend.id, asynchronous=asynchronous, meter=meter)
        return client_class(api_key=sdk_api_key(backend), base_url=base_url, http_client=http_client, **options)

    key_digest = hashlib.sha256(f"ai_models:{sdk_api_key(backend)}".encode()).hexdigest()
    # An in-process answerer is bound to its provider's options (the snapshot file): a new one, a new client.
    settings = (ai_settings.READ_TIMEOUT, repr(sorted(options.items())),
                repr(sorted(backend.options.items())) if local is not None else "")
    key = ("openai", asynchronous, backend.id, base_url, key_digest, settings, meter)
    if not asynchronous:
        return kept(key, build)
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop yet to keep it for
        return build()
    return kept_for_loop(key, build)


def sdk_library(openai) -> str:
    """``"httpx"`` or ``"httpx2"``: the HTTP library the installed openai SDK is built on."""
    for cls in openai.DefaultHttpxClient.__mro__:
        name = cls.__module__.partition(".")[0]
        if name in ("httpx", "httpx2"):
            return name
    raise ImproperlyConfigured(
        f"openai {openai.__version__} is built on an HTTP library django-ai-models does not know."
    )


def sdk_http_client(openai, lib, base_url: str, provider_id: str, *, asynchronous: bool = False, meter=None):
    """The SDK's own HTTP client class (its defaults kept) over our guarded transport (counting its
    calls for ``meter``, a saved model's ``usage.Meter``)."""
    try:
        transport = guarded_transport(
            base_url, provider_id, asynchronous=asynchronous, idle=ai_settings.READ_TIMEOUT, lib=lib, meter=meter
        )
    except lib.http.InvalidURL:  # parsed more strictly by the SDK's library than by ours
        reason = _("Enter a valid URL.")
        raise ProviderError(provider_id, _("the base URL is not allowed: %(reason)s") % {"reason": reason}) from None
    client_class = openai.DefaultAsyncHttpxClient if asynchronous else openai.DefaultHttpxClient
    # Redirects within the origin are followed (the transport refuses any other), a few at most.
    return client_class(transport=transport, trust_env=False, follow_redirects=True, max_redirects=MAX_REDIRECTS)


def sdk_api_key(backend) -> str:
    """The key to give an SDK: the backend's, or ``NO_KEY`` for a server whose calls take none."""
    return backend.api_key or NO_KEY


def chat_kwargs(backend, model_id: str, messages: list, **params) -> dict:
    """``model``, ``messages`` and the saved model's parameters (under ``params``) for a chat call."""
    messages, merged = chat_arguments(backend.token_limit_param, backend.parameters, messages, params)
    return {**merged, "model": model_id, "messages": messages}


def litellm_kwargs(backend, model_id: str, messages=None) -> dict:
    """Keyword arguments for ``litellm.completion()``: the model through LiteLLM's OpenAI-compatible
    route, the base URL, the key, the saved model's parameters, and ``messages`` if given."""
    kwargs = {"model": f"openai/{model_id}", "api_base": sdk_base_url(backend), "api_key": sdk_api_key(backend)}
    sent = chat_kwargs(backend, model_id, messages or [])
    del sent["model"]
    if not messages:
        del sent["messages"]
    return {**sent, **kwargs}  # where the call goes and with which key: ours, whatever was saved
