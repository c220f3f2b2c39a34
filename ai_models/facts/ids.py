"""Which dataset entry a provider's model id is: pure matching across naming schemes.

Providers and datasets spell one model differently: Gemini lists ``models/gemini-2.5-pro``,
OpenRouter ``openai/gpt-4.1`` or ``meta-llama/llama-3.3-70b-instruct:free``, Anthropic a dated
snapshot ``claude-sonnet-4-5-20250929``, Mistral ``codestral-2508`` with ``codestral-latest``
as an alias. ``candidates`` gives the ids to try, most exact first; ``EXCEPTIONS`` holds the
pairs no rule can derive. Prices belong to the host that serves a model, so an id is only ever
looked up in its own provider's part of a dataset (``NAMESPACES``), never in another's.
"""

import re

# Provider id -> its part of each dataset: models.dev's provider key and LiteLLM's key prefix
# ("" for the bare ids LiteLLM keeps for OpenAI and Anthropic).
NAMESPACES = {
    "openai": {"models.dev": "openai", "litellm": ""},
    "anthropic": {"models.dev": "anthropic", "litellm": ""},
    "gemini": {"models.dev": "google", "litellm": "gemini/"},
    "groq": {"models.dev": "groq", "litellm": "groq/"},
    "mistral": {"models.dev": "mistral", "litellm": "mistral/"},
    "deepseek": {"models.dev": "deepseek", "litellm": "deepseek/"},
    "openrouter": {"models.dev": "openrouter", "litellm": "openrouter/"},
    "huggingface": {"models.dev": "huggingface", "litellm": "huggingface/"},
    "xai": {"models.dev": "xai", "litellm": "xai/"},
    "together": {"models.dev": "togetherai", "litellm": "together_ai/"},
    "cerebras": {"models.dev": "cerebras", "litellm": "cerebras/"},
    "nvidia": {"models.dev": "nvidia", "litellm": "nvidia_nim/"},
}

# (provider id, model id as listed) -> the id a dataset knows it by, where no rule finds it.
EXCEPTIONS = {
    # OpenAI's moving alias of its newest chat model is priced as that model.
    ("openai", "chatgpt-4o-latest"): "gpt-4o",
    # Gemini's "-001" stable names are the unversioned models of the datasets.
    ("gemini", "gemini-2.0-flash-001"): "gemini-2.0-flash",
    ("gemini", "gemini-2.0-flash-lite-001"): "gemini-2.0-flash-lite",
}

# A snapshot date at the end of an id: -20250929, -2024-08-06 (not Mistral's -2508 versions,
# which are distinct models with their own prices).
_DATED = re.compile(r"-(?:\d{8}|\d{4}-\d{2}-\d{2})$")
# OpenRouter's variants of one model: the same model at another price or with a feature on.
_VARIANT = re.compile(r":(?:free|beta|extended|thinking|online|nitro|floor)$")
_LATEST = "-latest"


def normalize(model_id: str) -> str:
    """The id as datasets key it: lower case, without Gemini's ``models/`` prefix."""
    return model_id.strip().lower().removeprefix("models/")


def candidates(provider_id: str, model_id: str, aliases=()) -> list[str]:
    """The ids to look ``model_id`` up under in its provider's part of a dataset, most exact first.

    The id itself, the exception, the aliases the provider lists for it, then the id without an
    OpenRouter variant (``:free``), without a snapshot date and without ``-latest``.
    """
    found = [normalize(model_id)]
    exception = EXCEPTIONS.get((provider_id, model_id))
    if exception:
        found.append(exception)
    found += [normalize(alias) for alias in aliases if isinstance(alias, str) and alias.strip()]
    base = _VARIANT.sub("", found[0])
    found.append(base)
    found.append(_DATED.sub("", base))
    if base.endswith(_LATEST):
        found.append(base.removesuffix(_LATEST))
    return list(dict.fromkeys(candidate for candidate in found if candidate))


def variant(model_id: str) -> str:
    """The OpenRouter variant an id names (``"free"`` for ``...:free``), or ``""``."""
    match = _VARIANT.search(model_id.lower())
    return match.group(0)[1:] if match else ""
