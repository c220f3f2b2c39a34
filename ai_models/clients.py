"""The official clients, configured from a saved model: the ``openai`` SDK (sync and async) for every
provider with an OpenAI-compatible API, and keyword arguments for LiteLLM.

Optional extras: ``pip install "/path/to/django-ai-models[openai]"`` or ``[litellm]``. Host code gets the
SDK's streaming, tools and retries; our own HTTP stays for listing, test calls and the demo.
"""

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from .conf import ai_settings
from .exceptions import ProviderUnsupported
from .parameters import chat_arguments

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
    """An ``openai.OpenAI`` (or ``AsyncOpenAI``) client with the backend's base URL and key.

    ``options`` go to the client (``timeout``, ``max_retries``, ``http_client``...); by default the
    timeout is the provider's ``GENERATION_TIMEOUT``, retries ``AI_MODELS["MAX_RETRIES"]``, and the
    HTTP client ignores proxy variables of the environment, as our own calls do.
    """
    try:
        import openai
    except ImportError:
        raise ImproperlyConfigured(
            'openai_client() needs the openai package: pip install "/path/to/django-ai-models[openai]" '
            "(the openai extra, from your checkout of django-ai-models)."
        ) from None
    base_url = sdk_base_url(backend)
    options.setdefault("timeout", float(backend.option("GENERATION_TIMEOUT") or ai_settings.READ_TIMEOUT))
    options.setdefault("max_retries", ai_settings.MAX_RETRIES)
    if "http_client" not in options:
        http_client = openai.DefaultAsyncHttpxClient if asynchronous else openai.DefaultHttpxClient
        options["http_client"] = http_client(trust_env=False)
    client_class = openai.AsyncOpenAI if asynchronous else openai.OpenAI
    return client_class(api_key=sdk_api_key(backend), base_url=base_url, **options)


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
