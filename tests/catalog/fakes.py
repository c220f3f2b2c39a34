"""Fake provider backends for the catalog tests, registered through ``PROVIDER_CLASSES``.

What a fetch does is set per provider id in ``BEHAVIOUR``; ``CALLS`` counts the fetches.
"""

import threading
import time
from collections import Counter
from datetime import datetime, timezone
from decimal import Decimal

from tests.factories import kinds
from ai_models.providers.base import BaseProvider, CatalogModel, ParsedCatalog

CALLS = Counter()
BEHAVIOUR = {}  # provider id -> {"models": int | list[dict], "error": exc, "delay": s, "before": callable}
_lock = threading.Lock()

FAKE_CLASSES = {f"fake{n}": f"tests.catalog.fakes.Fake{n}" for n in range(1, 7)}


def reset():
    CALLS.clear()
    BEHAVIOUR.clear()


def model_dicts(count, prefix="model"):
    """``count`` list-models items: every third free, every fifth with no price, some image models."""
    items = []
    for n in range(count):
        image = n % 7 == 3
        items.append(
            {
                "id": f"{prefix}-{n:05d}",
                "name": f"{prefix.title()} {n}",
                "description": f"Test model number {n} for {'pictures' if image else 'conversation'}.",
                "capabilities": ["image"] if image else ["chat", "content"],
                "context": None if n % 4 == 0 else 1000 * (n % 50 + 1),
                "price": None if n % 5 == 0 else ("0" if n % 3 == 0 else f"{n % 17}.25"),
                "created": 1_700_000_000 + 86_400 * (n % 365),
            }
        )
    return items


class FakeProvider(BaseProvider):
    """A provider whose catalog and failures the test decides."""

    id = "fake"
    name = "Fake"
    requires_key = False

    def fetch_payload(self):
        with _lock:
            CALLS[self.id] += 1
        behaviour = BEHAVIOUR.get(self.id, {})
        if behaviour.get("before"):
            behaviour["before"]()
        if behaviour.get("delay"):
            time.sleep(behaviour["delay"])
        if behaviour.get("error"):
            raise behaviour["error"]
        models = behaviour.get("models", 3)
        return model_dicts(models, self.id) if isinstance(models, int) else models

    @classmethod
    def parse_catalog(cls, payload):
        models, skipped = [], 0
        for item in payload:
            if not isinstance(item, dict) or "id" not in item:
                skipped += 1
                continue
            price = item.get("price")
            capabilities = frozenset(item.get("capabilities", ()))
            models.append(
                CatalogModel(
                    provider=cls.id,
                    model_id=item["id"],
                    name=item.get("name", ""),
                    description=item.get("description", ""),
                    **kinds(capabilities, "fake says so"),
                    context_window=item.get("context"),
                    input_price=None if price is None else Decimal(price),
                    output_price=None if price is None else Decimal(price) * 2,
                    created=datetime.fromtimestamp(item["created"], tz=timezone.utc) if item.get("created") else None,
                    input_modalities=("text",),
                    output_modalities=("image",) if "image" in capabilities else ("text",),
                    raw=item,
                )
            )
        return ParsedCatalog(models, skipped)


class Fake1(FakeProvider):
    id, name = "fake1", "Fake one"


class Fake2(FakeProvider):
    id, name = "fake2", "Fake two"


class Fake3(FakeProvider):
    id, name = "fake3", "Fake three"


class Fake4(FakeProvider):
    id, name = "fake4", "Fake four"


class Fake5(FakeProvider):
    id, name = "fake5", "Fake five"


class Fake6(FakeProvider):
    id, name = "fake6", "Fake six"
