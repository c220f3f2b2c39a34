"""The command tests' providers: the shared test provider under two ids (``ai_models.providers.test``)."""

from ai_models.exceptions import ProviderUnavailable
from ai_models.providers.base import CatalogModel
from ai_models.providers.test import TestProvider
from tests.factories import kinds

MODELS = {"fake-chat": ("chat", "content"), "fake-painter": ("image",)}


def listed(models=None) -> list:
    """What "fake" lists: model id -> capabilities (``MODELS`` by default)."""
    return [
        CatalogModel(provider="fake", model_id=model_id, name=model_id.replace("-", " ").title(),
                     **kinds(capabilities, "fake"), context_window=8192)
        for model_id, capabilities in (models or MODELS).items()
    ]


class Fake(TestProvider):
    """Needs a key, like the real providers (the command tests set ``FAKE_AI_API_KEY``)."""

    id, name, api_key_env, requires_key = "fake", "Fake AI", "FAKE_AI_API_KEY", True
    behaviour = {"models": listed()}


class Broken(TestProvider):
    id, name = "broken", "Broken AI"
    behaviour = {"error": ProviderUnavailable("broken", "connection refused")}


FAKES = {"fake": f"{__name__}.Fake", "broken": f"{__name__}.Broken"}


def ai_models_settings(settings_ai_models, providers, **extra):
    """``AI_MODELS`` with the fake classes registered and ``providers`` enabled."""
    return {
        **settings_ai_models,
        "PROVIDER_CLASSES": FAKES,
        "PROVIDERS": {provider: {} for provider in providers} if isinstance(providers, (list, tuple)) else providers,
        **extra,
    }
