"""Small hand-made datasets for the pure completion tests."""

from datetime import date
from decimal import Decimal

from ai_models.facts.sources import Dataset, Record
from ai_models.providers.base import CatalogModel


def dataset(name="models.dev", day=date(2026, 5, 21), **records) -> Dataset:
    """A dataset whose records are given as namespace__id=Record (``__`` for the ":")."""
    return Dataset(name, "1.0", day, "package", {tuple(key.split("__", 1)): value for key, value in records.items()})


def model(model_id="gpt-4.1", provider="openai", kinds=("chat",), reasons=None, **fields) -> CatalogModel:
    reasons = reasons if reasons is not None else dict.fromkeys(kinds, "text model: the id names no image, speech or special-purpose model")
    return CatalogModel(provider, model_id, kinds=frozenset(kinds), reasons=reasons, **fields)


def priced(input_price, output_price, **fields) -> Record:
    return Record(input_price=Decimal(input_price), output_price=Decimal(output_price), **fields)
