"""Provider backends for the command tests: no network, behaviour set per test."""

from ai_models.exceptions import ProviderUnavailable
from tests.factories import kinds
from ai_models.providers.base import BaseProvider, CatalogModel, ParsedCatalog


class FakeProvider(BaseProvider):
    """Lists ``FakeProvider.models`` (ids -> capabilities) and counts its fetches."""

    id = "fake"
    name = "Fake AI"
    api_key_env = "FAKE_AI_API_KEY"
    requires_key = True
    models = {"fake-chat": ("chat", "content"), "fake-painter": ("image",)}
    fetches = 0

    def fetch_payload(self):
        type(self).fetches += 1
        return [{"id": model_id, "capabilities": list(caps)} for model_id, caps in self.models.items()]

    @classmethod
    def parse_catalog(cls, payload):
        return ParsedCatalog(
            CatalogModel(
                provider=cls.id,
                model_id=item["id"],
                name=item.get("name", item["id"].replace("-", " ").title()),
                **kinds(item["capabilities"], "fake"),
                context_window=8192,
            )
            for item in payload
        )


class BrokenProvider(BaseProvider):
    """Always unreachable."""

    id = "broken"
    name = "Broken AI"
    requires_key = False

    def fetch_payload(self):
        raise ProviderUnavailable(self.id, "connection refused")

    @classmethod
    def parse_catalog(cls, payload):
        return ParsedCatalog()


FAKES = {"fake": "tests.commands.fakes.FakeProvider", "broken": "tests.commands.fakes.BrokenProvider"}


def ai_models_settings(settings_ai_models, providers, **extra):
    """``AI_MODELS`` with the fake classes registered and ``providers`` enabled."""
    return {
        **settings_ai_models,
        "PROVIDER_CLASSES": FAKES,
        "PROVIDERS": {provider: {} for provider in providers} if isinstance(providers, (list, tuple)) else providers,
        **extra,
    }
