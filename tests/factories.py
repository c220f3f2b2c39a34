"""Small builders shared by the tests."""

from decimal import Decimal

from ai_models.capabilities import kinds_from_legacy
from ai_models.providers.base import CatalogModel


def kinds(names, why="test") -> dict:
    """``kinds`` and ``reasons`` fields for a model classified for capabilities ``names``
    (chat, content, image, audio, ...), as a provider's kinds."""
    found, reasons = kinds_from_legacy(names, dict.fromkeys(names, why))
    return {"kinds": found, "reasons": reasons}


def catalog_model(model_id="openai/gpt-4.1-mini", provider="snapshot", capabilities=("chat", "content"), **fields):
    """A CatalogModel as the catalog serves it: offered for ``capabilities``."""
    fields.setdefault("name", model_id)
    fields.setdefault("input_price", Decimal("0.40"))
    fields.setdefault("output_price", Decimal("1.60"))
    fields.setdefault("context_window", 128000)
    return CatalogModel(
        provider=provider,
        model_id=model_id,
        capabilities=frozenset(capabilities),
        **{**kinds(capabilities), **fields},
    )
