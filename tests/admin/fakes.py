"""The admin tests' providers: the shared test provider under their ids, each with the behaviour it
keeps unless a test scripts it (``ai_models.providers.test``)."""

from decimal import Decimal

from ai_models.exceptions import ProviderUnavailable, Told
from ai_models.providers.base import CatalogModel
from ai_models.providers.test import TestProvider
from tests.factories import kinds

SCRIPT = "<script>alert(1)</script>"
CAPABILITIES = [("chat", "content"), ("image",), ("audio",), ("chat",)]


def many(backend) -> list:
    """``COUNT`` models (default 3): "fake/model-0000", ... with varied kinds, contexts and prices."""
    return [
        CatalogModel(
            provider=backend.id,
            model_id=f"fake/model-{i:04d}",
            name=f"Fake model {i:04d}",
            description=f"Fake description number {i}",
            **kinds(CAPABILITIES[i % 4], "fake rule"),
            context_window=1000 * (i + 1),
            input_price=Decimal(0) if i % 5 == 0 else Decimal(i) / 100,
            output_price=Decimal(0) if i % 5 == 0 else Decimal(i) / 50,
        )
        for i in range(int(backend.option("COUNT") or 3))
    ]


class ManyModels(TestProvider):
    id, name = "fake", "Fake Models Inc."
    behaviour = {"models": many}


class Broken(TestProvider):
    """Always unreachable."""

    id, name = "broken", "Broken Cloud"
    behaviour = {"error": ProviderUnavailable("broken", "connection refused by the test")}


class Keyed(TestProvider):
    """Needs a key (so without one it refuses before fetching); lists two models."""

    id, name, api_key_env, requires_key = "keyed", "Keyed AI", "KEYED_TEST_API_KEY", True
    behaviour = {"models": [CatalogModel(provider="keyed", model_id=i, name=i, kinds=frozenset({"chat"}))
                            for i in ("keyed/one", "keyed/two")]}


class Evil(TestProvider):
    """Provider text that tries to inject HTML."""

    id, name = "evil", SCRIPT
    behaviour = {"models": [CatalogModel(provider="evil", model_id="evil/model", name=SCRIPT, description=SCRIPT,
                                         kinds=frozenset({"chat"}), reasons={"chat": SCRIPT})]}


class Unreachable(TestProvider):
    """Fails as the HTTP providers do when nothing answers: a translatable, re-tellable message."""

    id, name = "unreachable", "Unreachable AI"
    behaviour = {"error": lambda backend: ProviderUnavailable(
        backend.id, Told("the provider is unreachable (%(error)s)") % {"error": "ConnectError"})}


class Crashing(TestProvider):
    """A third-party backend whose own exception quotes its key."""

    id, name, api_key_env, requires_key = "crashing", "Crashing AI", "CRASHING_TEST_API_KEY", True
    behaviour = {"error": lambda backend: RuntimeError(
        f"socket closed while sending Authorization: Bearer {backend.api_key}")}


PATHS = {
    "crashing": f"{__name__}.Crashing",
    "fake": f"{__name__}.ManyModels",
    "broken": f"{__name__}.Broken",
    "keyed": f"{__name__}.Keyed",
    "evil": f"{__name__}.Evil",
    "unreachable": f"{__name__}.Unreachable",
}
