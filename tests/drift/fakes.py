"""A provider whose catalog each test rewrites, and the settings that enable it."""

import threading
from decimal import Decimal

from django.conf import settings
from django.test import override_settings

from ai_models.exceptions import ProviderUnavailable
from tests.factories import kinds
from ai_models.providers.base import BaseProvider, CatalogModel, Generation, ParsedCatalog

CHAT = "acme/chat-1"
PAINTER = "acme/painter-1"


def default_models():
    return {
        CHAT: {"capabilities": ("chat", "content"), "input_price": "1.00", "output_price": "4.00", "expires": None},
        PAINTER: {"capabilities": ("image",), "input_price": "2.00", "output_price": "8.00", "expires": None},
    }


class DriftProvider(BaseProvider):
    """Lists ``DriftProvider.models``; fails while ``fail`` is set; calls behave as ``call`` says.

    ``call``: "ok" answers, "error" raises ``ProviderUnavailable``, "hang" blocks until released.
    """

    id = "acme"
    name = "Acme AI"
    requires_key = False
    models = default_models()
    fail = False
    fetches = 0
    call = "ok"
    calls = []
    released = threading.Event()

    @classmethod
    def reset(cls):
        cls.models, cls.fail, cls.fetches, cls.call, cls.calls = default_models(), False, 0, "ok", []
        cls.released.set()
        cls.released = threading.Event()

    def fetch_payload(self):
        type(self).fetches += 1
        if self.fail:
            raise ProviderUnavailable(self.id, "the test switched it off")
        return {model_id: dict(fields) for model_id, fields in self.models.items()}

    @classmethod
    def parse_catalog(cls, payload):
        return ParsedCatalog(
            CatalogModel(
                provider=cls.id,
                model_id=model_id,
                name=fields.get("name", model_id),
                **kinds(fields["capabilities"], "listed by the test"),
                input_price=Decimal(fields["input_price"]) if fields.get("input_price") else None,
                output_price=Decimal(fields["output_price"]) if fields.get("output_price") else None,
                expires=fields.get("expires"),
                successor=fields.get("successor", ""),
                output_modalities=("image",) if "image" in fields["capabilities"] else ("text",),
            )
            for model_id, fields in payload.items()
        )

    def _answer(self, kind, model_id, **details):
        type(self).calls.append((kind, model_id, details))
        if self.call == "error":
            raise ProviderUnavailable(self.id, "server error after 3 attempts", status=503)
        if self.call == "hang":
            self.released.wait(10)
        return details

    def chat(self, model_id, messages, **params):
        self._answer("chat", model_id, messages=messages, **params)
        return Generation(kind="text", provider=self.id, model_id=model_id, text="OK")

    def generate_image(self, model_id, prompt, *, size="1024x1024"):
        self._answer("image", model_id, prompt=prompt, size=size)
        return Generation(kind="image", provider=self.id, model_id=model_id, data=b"\x89PNG" + b"0" * 96,
                          mime_type="image/png")


def acme(**extra):
    """``override_settings`` enabling the snapshot and Acme providers."""
    return override_settings(
        AI_MODELS={
            **settings.AI_MODELS,
            "PROVIDERS": {"snapshot": {}, "acme": {}},
            "PROVIDER_CLASSES": {"acme": f"{__name__}.DriftProvider"},
            **extra,
        }
    )
