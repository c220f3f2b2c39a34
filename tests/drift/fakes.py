"""Acme, the provider of the drift, trial and watch tests: the shared test provider under the id
"acme", its catalog and its calls set through an ``Acme`` (what the ``acme_provider`` fixtures yield)."""

from contextlib import contextmanager
from decimal import Decimal

from django.conf import settings
from django.test import override_settings

from ai_models.exceptions import ProviderUnavailable
from ai_models.providers import test as test_provider
from ai_models.providers.base import CatalogModel
from ai_models.providers.test import TestProvider
from tests.factories import kinds

CHAT = "acme/chat-1"
PAINTER = "acme/painter-1"


class AcmeProvider(TestProvider):
    id, name = "acme", "Acme AI"


def default_models():
    return {
        CHAT: {"capabilities": ("chat", "content"), "input_price": "1.00", "output_price": "4.00", "expires": None},
        PAINTER: {"capabilities": ("image",), "input_price": "2.00", "output_price": "8.00", "expires": None},
    }


def entry(model_id, fields) -> CatalogModel:
    return CatalogModel(
        provider="acme",
        model_id=model_id,
        name=fields.get("name", model_id),
        **kinds(fields["capabilities"], "listed by the test"),
        input_price=Decimal(fields["input_price"]) if fields.get("input_price") else None,
        output_price=Decimal(fields["output_price"]) if fields.get("output_price") else None,
        expires=fields.get("expires"),
        successor=fields.get("successor", ""),
        output_modalities=("image",) if "image" in fields["capabilities"] else ("text",),
    )


class Acme:
    """What acme lists (``models``: id -> fields, read at each fetch), whether its fetches fail
    (``fail``), how its calls answer (``call``: "ok", "error", "hang"), and what it was asked
    (``fetches``, ``calls``: (kind, model id, details) each)."""

    def __init__(self):
        self.models, self.fail, self.call = default_models(), False, "ok"
        test_provider.script(
            "acme",
            models=lambda backend: [entry(model_id, fields) for model_id, fields in self.models.items()],
            error=lambda backend: ProviderUnavailable("acme", "the test switched it off") if self.fail else None,
            answer=lambda model_id: self.call,
        )

    @property
    def fetches(self) -> int:
        return test_provider.fetches["acme"]

    @fetches.setter
    def fetches(self, count: int):
        test_provider.fetches["acme"] = count

    @property
    def calls(self) -> list:
        return [(call.kind, call.model_id, call.details) for call in test_provider.outbox if call.provider == "acme"]


def acme(**extra):
    """``override_settings`` enabling the snapshot and Acme providers."""
    return override_settings(
        AI_MODELS={
            **settings.AI_MODELS,
            "PROVIDERS": {"snapshot": {}, "acme": {}},
            "PROVIDER_CLASSES": {"acme": f"{__name__}.AcmeProvider"},
            **extra,
        }
    )


@contextmanager
def acme_enabled(**extra):
    """Acme enabled with its default catalog, yielding the ``Acme`` that scripts it."""
    with acme(**extra):
        yield Acme()
