"""Small builders shared by the tests."""

from decimal import Decimal

from ai_models.providers.base import CatalogModel


def catalog_model(model_id="openai/gpt-4.1-mini", provider="snapshot", capabilities=("chat", "content"), **fields):
    """A CatalogModel as a provider would list it."""
    fields.setdefault("name", model_id)
    fields.setdefault("input_price", Decimal("0.40"))
    fields.setdefault("output_price", Decimal("1.60"))
    fields.setdefault("context_window", 128000)
    return CatalogModel(
        provider=provider,
        model_id=model_id,
        capabilities=frozenset(capabilities),
        reasons={name: "test" for name in capabilities},
        **fields,
    )
