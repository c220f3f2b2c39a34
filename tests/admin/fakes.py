"""Fake provider backends for the admin tests: no HTTP, just what a backend returns or raises."""

from decimal import Decimal

from ai_models.exceptions import ProviderUnavailable, Told
from tests.factories import kinds
from ai_models.providers.base import BaseProvider, CatalogModel, ParsedCatalog


class ManyModelsProvider(BaseProvider):
    """Lists ``options["COUNT"]`` models (default 3): "fake/model-0000", ... with varied fields."""

    id = "fake"
    name = "Fake Models Inc."
    requires_key = False

    def fetch_payload(self):
        return int(self.options.get("COUNT", 3))

    @classmethod
    def parse_catalog(cls, count):
        capabilities = [("chat", "content"), ("image",), ("audio",), ("chat",)]
        return ParsedCatalog(
            CatalogModel(
                provider=cls.id,
                model_id=f"fake/model-{i:04d}",
                name=f"Fake model {i:04d}",
                description=f"Fake description number {i}",
                **kinds(capabilities[i % 4], "fake rule"),
                context_window=1000 * (i + 1),
                input_price=Decimal(0) if i % 5 == 0 else Decimal(i) / 100,
                output_price=Decimal(0) if i % 5 == 0 else Decimal(i) / 50,
            )
            for i in range(count)
        )


class BrokenProvider(BaseProvider):
    """Always unreachable."""

    id = "broken"
    name = "Broken Cloud"
    requires_key = False

    def fetch_payload(self):
        raise ProviderUnavailable(self.id, "connection refused by the test")


class KeyedProvider(BaseProvider):
    """Needs a key (``requires_key``, so without one the base class refuses); lists two models."""

    id = "keyed"
    name = "Keyed AI"
    api_key_env = "KEYED_TEST_API_KEY"

    def fetch_payload(self):
        return ["keyed/one", "keyed/two"]

    @classmethod
    def parse_catalog(cls, ids):
        return ParsedCatalog(
            CatalogModel(provider=cls.id, model_id=i, name=i, kinds=frozenset({"chat"})) for i in ids
        )


SCRIPT = "<script>alert(1)</script>"


class EvilProvider(BaseProvider):
    """Provider text that tries to inject HTML."""

    id = "evil"
    name = SCRIPT
    requires_key = False

    def fetch_payload(self):
        return None

    @classmethod
    def parse_catalog(cls, payload):
        return ParsedCatalog(
            [
                CatalogModel(
                    provider=cls.id,
                    model_id="evil/model",
                    name=SCRIPT,
                    description=SCRIPT,
                    kinds=frozenset({"chat"}),
                    reasons={"chat": SCRIPT},
                )
            ]
        )


class UnreachableProvider(BaseProvider):
    """Fails as the HTTP providers do when nothing answers: a translatable, re-tellable message."""

    id = "unreachable"
    name = "Unreachable AI"
    requires_key = False

    def fetch_payload(self):
        raise ProviderUnavailable(self.id, Told("the provider is unreachable (%(error)s)") % {"error": "ConnectError"})


class CrashingProvider(BaseProvider):
    """A third-party backend whose own exception quotes its key."""

    id = "crashing"
    name = "Crashing AI"
    api_key_env = "CRASHING_TEST_API_KEY"

    def fetch_payload(self):
        raise RuntimeError(f"socket closed while sending Authorization: Bearer {self.api_key}")


PATHS = {
    "crashing": f"{__name__}.CrashingProvider",
    "fake": f"{__name__}.ManyModelsProvider",
    "broken": f"{__name__}.BrokenProvider",
    "keyed": f"{__name__}.KeyedProvider",
    "evil": f"{__name__}.EvilProvider",
    "unreachable": f"{__name__}.UnreachableProvider",
}
