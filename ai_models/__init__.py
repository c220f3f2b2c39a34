"""django-ai-models: pick the AI model your site uses for each capability, in the admin.

Public API::

    from ai_models import get_active_model, NoActiveModel

    model = get_active_model("chat")     # AIModel with .provider loaded
    model.model_id, model.provider.slug
    backend = model.get_backend()         # provider backend with base URL and key
"""

from .exceptions import (
    ActivationError,
    AIModelsError,
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
    "NoActiveModel",
    "ProviderAuthError",
    "ProviderError",
    "ProviderResponseError",
    "ProviderUnavailable",
    "UnknownCapability",
    "get_active_model",
]


def __getattr__(name):
    # ``selection`` imports the models, which cannot load before Django's apps are ready;
    # resolved on first use, ``get_active_model`` is then the function itself, with no wrapper
    # on the hot path.
    if name == "get_active_model":
        from .selection import get_active_model

        return get_active_model
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
