"""The cached form of one provider's list, and its decoded view in a process.

A row is CatalogModel's fields between ``provider`` (known from the key) and ``capabilities``
(given per listing, from the configured capabilities), as a tuple; equal kind sets, reasons,
modality and parameter tuples are one shared object, which pickle keeps shared. The raw provider dicts, needed only to activate one model, are JSON
lines compressed ``RAW_CHUNK`` at a time.
"""

import json
import uuid
import zlib
from dataclasses import replace
from datetime import datetime
from datetime import timezone as dt_timezone
from decimal import Decimal

from django.utils import timezone

from ..capabilities import offered_for

from ..providers.base import CatalogModel

RAW_CHUNK = 64  # raw provider dicts compressed together: small enough to decode one cheaply


def encode(models, fetched_at: float):
    """(token, fetched_at, skipped, rows, raw_chunks) for a list fetched at ``fetched_at``; duplicates dropped."""
    shared, seen, rows, raws = {}, set(), [], []

    def one(value, key=None):
        return shared.setdefault((type(value), value if key is None else key), value)

    for model in models:
        if model.model_id in seen:
            continue
        seen.add(model.model_id)
        reasons = {str(name): str(why) for name, why in model.reasons.items()}
        rows.append(
            (
                str(model.model_id),
                str(model.name or ""),
                str(model.description or ""),
                one(frozenset(model.kinds)),
                one(reasons, tuple(sorted(reasons.items()))),
                model.context_window,
                _finite(model.input_price),
                _finite(model.output_price),
                _aware(model.created),
                model.expires,
                one(tuple(model.input_modalities)),
                one(tuple(model.output_modalities)),
                str(model.successor or ""),
                one(tuple(model.parameters)),
                model.dimensions,
                model.max_output,
                one(str(model.knowledge_cutoff or "")),
                one(tuple(model.facts)),
                one(tuple(model.conflicts)),
            )
        )
        raws.append(model.raw)
    chunks = [
        zlib.compress(
            "\n".join(
                json.dumps(raw, separators=(",", ":"), ensure_ascii=False, default=str)
                for raw in raws[start : start + RAW_CHUNK]
            ).encode()
        )
        for start in range(0, len(raws), RAW_CHUNK)
    ]
    return uuid.uuid4().hex, fetched_at, getattr(models, "skipped", 0), rows, chunks


def _finite(price):
    return price if isinstance(price, Decimal) and price.is_finite() else None


def _aware(moment):
    if isinstance(moment, datetime) and timezone.is_naive(moment):
        return moment.replace(tzinfo=dt_timezone.utc)
    return moment


class Cached:
    """One provider's cached list as decoded in this process."""

    def __init__(self, provider_id, payload):
        self.token, self.fetched_at, self.skipped, rows, self.raw_chunks = payload
        self.models = [CatalogModel(provider_id, *row) for row in rows]
        self._positions = None
        self._restricted = (None, None)

    def position(self, model_id):
        if self._positions is None:
            self._positions = {model.model_id: i for i, model in enumerate(self.models)}
        return self._positions.get(model_id)

    def raw(self, position) -> dict:
        lines = zlib.decompress(self.raw_chunks[position // RAW_CHUNK]).decode().split("\n")
        return json.loads(lines[position % RAW_CHUNK])

    def restricted(self, allowed: tuple) -> list:
        """The models with the capabilities they are offered for among ``allowed``, the
        configured (name, kind) pairs: every capability of one of their kinds."""
        key, models = self._restricted
        if key != allowed:
            models = _restrict(self.models, allowed)
            self._restricted = (allowed, models)
        return models


def _restrict(models, allowed):
    offered = {}  # id of a shared kind set -> the capabilities it is offered for
    result = []
    for model in models:
        if id(model.kinds) not in offered:
            offered[id(model.kinds)] = offered_for(model.kinds, allowed)
        result.append(replace(model, capabilities=offered[id(model.kinds)]))
    return result
