"""The offline provider: a catalog read from a JSON file instead of an API.

The package ships ``ai_models/snapshot/catalog.json`` (real model ids and published
prices, written by us) so the demo and air-gapped sites have a full catalog with no
network and no keys. ``AI_MODELS["PROVIDERS"]["snapshot"]["PATH"]`` points at another file.

File format: ``{"captured": "YYYY-MM-DD", "models": [{"id", "name", "description",
"capabilities": [...], "context_window", "input_price", "output_price" (USD per 1M tokens,
strings), "created", "expires", "input_modalities", "output_modalities"}]}``.
"""

import json
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..exceptions import ProviderResponseError
from .base import BaseProvider, CatalogModel, ParsedCatalog

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "snapshot" / "catalog.json"


def _price(value):
    if value is None or value == "":
        return None
    try:
        price = Decimal(str(value))
    except InvalidOperation:
        return None
    return price if price >= 0 else None


class SnapshotProvider(BaseProvider):
    """Models listed in a JSON file: the offline, keyless catalog."""

    id = "snapshot"
    name = "Offline snapshot"
    requires_key = False

    @property
    def path(self) -> Path:
        return Path(self.options.get("PATH") or DEFAULT_PATH)

    def fetch_payload(self):
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as err:
            raise ProviderResponseError(self.id, f"cannot read snapshot file {self.path}: {err.strerror}") from err
        try:
            return json.loads(text)
        except ValueError as err:
            raise ProviderResponseError(self.id, f"snapshot file {self.path} is not valid JSON ({err})") from err

    @classmethod
    def parse_catalog(cls, payload) -> ParsedCatalog:
        if not isinstance(payload, dict) or not isinstance(payload.get("models"), list):
            raise ProviderResponseError(cls.id, "snapshot must be an object with a 'models' list")
        models, skipped = [], 0
        for item in payload["models"]:
            try:
                models.append(cls._parse_model(item))
            except (KeyError, TypeError, ValueError, AttributeError):
                skipped += 1
        return ParsedCatalog(models, skipped)

    @classmethod
    def _parse_model(cls, item: dict) -> CatalogModel:
        model_id = item["id"]
        if not isinstance(model_id, str) or not model_id:
            raise ValueError("id")
        capabilities = frozenset(item.get("capabilities") or ())
        created = item.get("created")
        expires = item.get("expires")
        context = item.get("context_window")
        return CatalogModel(
            provider=cls.id,
            model_id=model_id,
            name=str(item.get("name") or model_id),
            description=str(item.get("description") or ""),
            capabilities=capabilities,
            reasons={name: "listed in the snapshot file" for name in capabilities},
            context_window=int(context) if isinstance(context, int) and context > 0 else None,
            input_price=_price(item.get("input_price")),
            output_price=_price(item.get("output_price")),
            created=datetime.fromisoformat(created).replace(tzinfo=timezone.utc) if created else None,
            expires=date.fromisoformat(expires) if expires else None,
            input_modalities=tuple(item.get("input_modalities") or ("text",)),
            output_modalities=tuple(item.get("output_modalities") or ("text",)),
            raw=item,
        )
