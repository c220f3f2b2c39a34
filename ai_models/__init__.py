"""django-ai-models: pick the AI model your site uses for each capability, in the admin.

Public API::

    from ai_models import get_active_model, NoActiveModel

    model = get_active_model("chat")     # AIModel with .provider loaded
    model.model_id, model.provider.slug
    backend = model.get_backend()         # provider backend with base URL, key and parameters

    model = await aget_active_model("chat")                  # in async code
    get_active_models("chat")                                # the active model, then its fallbacks
    get_active_model("chat", user=request.user)              # a rollout's candidate or a group's model, if any
    call_with_fallback("chat", lambda model, backend: backend.chat(model.model_id, messages))
"""

from .exceptions import (
    ActivationError,
    AIModelsError,
    BudgetExceeded,
    NoActiveModel,
    ProviderAuthError,
    ProviderError,
    ProviderResponseError,
    ProviderUnavailable,
    UnknownCapability,
)

__version__ = "0.1.0"

__all__ = [
    "AIModelsError",
    "ActivationError",
    "BudgetExceeded",
    "NoActiveModel",
    "ProviderAuthError",
    "ProviderError",
    "ProviderResponseError",
    "ProviderUnavailable",
    "UnknownCapability",
    "acall_with_fallback",
    "aget_active_model",
    "aget_active_model_for",
    "aget_active_models",
    "call_with_fallback",
    "get_active_model",
    "get_active_model_for",
    "get_active_models",
]

# name -> module defining it; resolved on first use (see ``__getattr__``).
_LAZY = {
    "get_active_model": "active",
    "aget_active_model": "active",
    "get_active_models": "active",
    "aget_active_models": "active",
    "get_active_model_for": "active",
    "aget_active_model_for": "active",
    "call_with_fallback": "fallback",
    "acall_with_fallback": "fallback",
}


def __getattr__(name):
    # These import the models, which cannot load before Django's apps are ready; resolved on
    # first use, ``get_active_model`` is then the function itself, with no wrapper on the hot path.
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
