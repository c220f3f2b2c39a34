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


def get_active_model(capability: str):
    """Return the active ``AIModel`` for ``capability`` (see ``ai_models.selection``)."""
    from .selection import get_active_model as _get_active_model

    return _get_active_model(capability)
